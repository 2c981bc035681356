//! The soak: SOAK_TRANSACTIONS (default 10 000) transactions through the
//! Rust API against simulators with seeded random faults and scripts, on
//! several threads. Every transaction is accounted for and cross-checked
//! with the simulators' journals; RSS, threads and file descriptors are read
//! from /proc/self at start and end. Ignored by default: `make soak`.

mod common;

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use common::{pty_sim, pty_terminal, tcp_sim, tcp_terminal};
use concert_core::currency::EUR;
use concert_core::sim::{Script, SimProtocol, Simulator, SimulatorConfig};
use concert_core::terminal::{Protocol, Status, Terminal};
use concert_core::v3::Reason;

/// splitmix64: seeded, no dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Fault {
    None,
    NakOnce,
    BadLrcOnce,
    Stray,
    ByteWrites,
    CutMidAnswer,
    Garbage,
    EchoMismatch,
}

impl Fault {
    const ALL: [Fault; 8] = [
        Fault::None,
        Fault::NakOnce,
        Fault::BadLrcOnce,
        Fault::Stray,
        Fault::ByteWrites,
        Fault::CutMidAnswer,
        Fault::Garbage,
        Fault::EchoMismatch,
    ];

    fn apply(self, c: &mut SimulatorConfig) {
        match self {
            Fault::None => {}
            Fault::NakOnce => c.faults.nak_first_frames = 1,
            Fault::BadLrcOnce => c.faults.corrupt_lrc_first = 1,
            Fault::Stray => c.faults.stray_bytes = vec![0x00, b'x'],
            Fault::ByteWrites => {
                c.faults.split_writes = true;
                c.answer_faults.tcp_byte_writes = true;
            }
            Fault::CutMidAnswer => c.faults.close_mid_answer = true,
            Fault::Garbage => c.answer_faults.garbage_answer = true,
            Fault::EchoMismatch => c.answer_faults.echo_mismatch = true,
        }
    }

    /// Whether the simulator does something the client cannot see whole.
    fn hides_the_result(self) -> bool {
        matches!(self, Fault::CutMidAnswer | Fault::Garbage)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Line {
    V3Tcp,
    V3Serial,
    V2Serial,
}

struct Lane {
    sim: Simulator,
    terminal: Terminal,
    sent: usize,
}

fn lane(line: Line, fault: Fault) -> Lane {
    let (sim, terminal) = match line {
        Line::V3Tcp => {
            let sim = tcp_sim(|c| fault.apply(c));
            let t = tcp_terminal(&sim);
            (sim, t)
        }
        Line::V3Serial | Line::V2Serial => {
            let protocol = if line == Line::V2Serial {
                SimProtocol::V2
            } else {
                SimProtocol::V3
            };
            let sim = pty_sim(protocol, |c| fault.apply(c));
            let p = if line == Line::V2Serial {
                Protocol::V2EPlus
            } else {
                Protocol::v3()
            };
            let t = pty_terminal(&sim, p);
            (sim, t)
        }
    };
    Lane {
        sim,
        terminal,
        sent: 0,
    }
}

fn proc_status(field: &str) -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with(field))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

fn fds() -> usize {
    std::fs::read_dir("/proc/self/fd").map_or(0, |d| d.count())
}

type Tally = BTreeMap<String, usize>;

/// One worker: `n` transactions on `line`, faults and scripts from `rng`.
fn worker(line: Line, n: usize, mut rng: Rng) -> (Tally, usize) {
    let mut lanes: BTreeMap<Fault, Lane> = BTreeMap::new();
    let mut tally = Tally::new();
    for i in 0..n {
        // Mostly clean, a fault one time in three.
        let fault = if rng.below(3) == 0 {
            Fault::ALL[1 + rng.below(Fault::ALL.len() as u64 - 1) as usize]
        } else {
            Fault::None
        };
        let serial_only = matches!(fault, Fault::NakOnce | Fault::BadLrcOnce | Fault::Stray);
        let fault = if serial_only && line == Line::V3Tcp {
            Fault::None
        } else {
            fault
        };
        let (script, expect) = match rng.below(6) {
            0 => (Script::Decline(Reason::Refused), Status::Declined),
            1 => (Script::Abandon, Status::Aborted),
            // V2 has no partial payment (a lower amount is in doubt).
            2 if line != Line::V2Serial => (Script::Partial(50), Status::Approved),
            _ => (Script::Approve, Status::Approved),
        };
        let expect = if line == Line::V2Serial && expect == Status::Aborted {
            Status::Declined // V2 has one refusal status
        } else {
            expect
        };
        let lane = lanes.entry(fault).or_insert_with(|| lane(line, fault));
        lane.sim.push_script(script.clone());
        let amount = 100 + rng.below(100_000);
        let result = lane.terminal.pay(amount, EUR);
        lane.sent += 1;
        let key = match &result {
            Err(e) => format!("error {}", e.code()),
            Ok(o) => o.status.to_string(),
        };
        let outcome = result.unwrap_or_else(|e| panic!("{line:?} {fault:?} #{i}: error {e}"));
        if outcome.status == Status::InDoubt {
            // An answer echoing another transaction is in doubt too,
            // whatever its status.
            let foreign_answer =
                fault == Fault::EchoMismatch && !outcome.echo_mismatches.is_empty();
            assert!(
                fault.hides_the_result() || foreign_answer,
                "{line:?} {fault:?} {script:?}: in doubt without cause: {:?}",
                outcome.in_doubt_cause
            );
        } else if fault != Fault::Garbage {
            assert_eq!(outcome.status, expect, "{line:?} {fault:?} {script:?}");
            assert!(
                outcome.echo_mismatches.is_empty(),
                "{line:?} {fault:?}: {:?}",
                outcome.echo_mismatches
            );
        }
        *tally.entry(key).or_default() += 1;
    }
    // Cross-check: every transaction reached its simulator exactly once.
    let mut journaled = 0;
    for (fault, lane) in &lanes {
        let ok = lane
            .sim
            .wait_for_journal(Duration::from_secs(10), |entries| {
                entries.iter().filter(|e| !e.request.is_empty()).count() >= lane.sent
            });
        let entries = lane.sim.journal();
        let requests = entries.iter().filter(|e| !e.request.is_empty()).count();
        assert!(
            ok && requests == lane.sent,
            "{line:?} {fault:?}: {requests} journaled, {} sent",
            lane.sent
        );
        journaled += requests;
    }
    (tally, journaled)
}

#[test]
#[ignore = "long: make soak"]
fn soak() {
    let total: usize = std::env::var("SOAK_TRANSACTIONS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000);
    let seed: u64 = std::env::var("SOAK_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(1, |d| d.as_nanos() as u64)
        });
    println!("soak: seed {seed} (SOAK_SEED={seed} replays it), {total} transactions");
    let (rss0, threads0, fds0) = (proc_status("VmRSS:"), proc_status("Threads:"), fds());
    let started = Instant::now();
    // 6 TCP workers and 2 serial ones (the link layer is slower per
    // transaction): shares chosen so that all end about together.
    let plan: Vec<(Line, usize)> = {
        let serial = total / 20;
        let tcp = total - 2 * serial;
        let mut plan = vec![(Line::V2Serial, serial), (Line::V3Serial, serial)];
        for i in 0..6 {
            plan.push((Line::V3Tcp, tcp / 6 + usize::from(i < tcp % 6)));
        }
        plan
    };
    let mut seeds = Rng(seed);
    let results: Vec<(Tally, usize)> = std::thread::scope(|s| {
        let handles: Vec<_> = plan
            .iter()
            .map(|&(line, n)| {
                let rng = Rng(seeds.next());
                s.spawn(move || worker(line, n, rng))
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("no panic in a worker"))
            .collect()
    });
    let elapsed = started.elapsed();
    let mut tally = Tally::new();
    let mut journaled = 0;
    for (t, j) in results {
        for (k, v) in t {
            *tally.entry(k).or_default() += v;
        }
        journaled += j;
    }
    let counted: usize = tally.values().sum();
    let (rss1, threads1, fds1) = (proc_status("VmRSS:"), proc_status("Threads:"), fds());
    println!("soak: {counted} transactions in {elapsed:.1?}: {tally:?}");
    println!("soak: journaled by the simulators: {journaled}");
    println!(
        "soak: RSS {rss0} kB -> {rss1} kB; threads {threads0} -> {threads1}; fds {fds0} -> {fds1}"
    );
    assert_eq!(counted, total, "every transaction accounted for");
    assert_eq!(journaled, total, "every transaction reached a simulator");
    assert!(
        threads1 <= threads0 + 1,
        "threads leaked: {threads0} -> {threads1}"
    );
    assert!(
        fds1 <= fds0 + 2,
        "file descriptors leaked: {fds0} -> {fds1}"
    );
}
