//! What the journal costs, side by side in one run:
//!
//! 1. per payment: the same V3 payment over loopback against the same
//!    simulator, alternately through a plain terminal and a journaled one
//!    (three commits; the first, before the request leaves, synced);
//! 2. 100 terminals sharing one journal file, each paying in a loop (no
//!    simulated card-holder delay, so the journal's writes are the limit),
//!    against the same 100 terminals without a journal: transactions/s and
//!    p99 latency; then the same with a 1 s card holder.
//!
//! `CONCERT_BENCH_JOURNAL_RUNS` (default 400) payments per client in 1,
//! `CONCERT_BENCH_JOURNAL_SECS` (default 10) seconds per side in 2.
//! Writes `journal.json` under `$CONCERT_BENCH_OUT` (else
//! target/bench-results) for bench/report.py.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use concert_core::currency::EUR;
use concert_core::sim::{Simulator, SimulatorConfig};
use concert_core::terminal::{Status, Terminal, TerminalConfig};
use concert_journal::Journal;
use serde_json::{Value, json};

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// p50 and p99 of `samples`, in microseconds.
fn percentiles(samples: &mut [Duration]) -> (f64, f64) {
    samples.sort();
    let at = |q: f64| {
        if samples.is_empty() {
            return f64::NAN;
        }
        let i = ((samples.len() as f64 * q).ceil() as usize).clamp(1, samples.len()) - 1;
        samples[i].as_secs_f64() * 1e6
    };
    (at(0.50), at(0.99))
}

fn figure(name: &str, value: f64, unit: &str) -> Value {
    json!({"name": name, "value": value, "unit": unit, "target": "-", "pass": null})
}

fn scratch() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/bench-journal");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch folder");
    dir
}

fn terminal(sim: &Simulator, journal: Option<&Arc<Journal>>) -> Terminal {
    let addr = sim.tcp_addr().expect("TCP");
    let config = TerminalConfig::tcp(addr.ip().to_string(), addr.port());
    let config = match journal {
        Some(j) => config.with_journal(j.clone()),
        None => config,
    };
    Terminal::new(config).expect("config")
}

fn pay(terminal: &Terminal) -> Duration {
    let start = Instant::now();
    let outcome = terminal.pay(1250, EUR).expect("payment");
    assert_eq!(outcome.status, Status::Approved, "{}", outcome.reason);
    start.elapsed()
}

/// 1: the same payment with and without the journal, alternating.
fn per_payment(dir: &std::path::Path, runs: u64) -> (Vec<Value>, Value) {
    let journal = Arc::new(Journal::open(dir.join("one.sqlite3")).expect("journal"));
    let sim = Simulator::start(SimulatorConfig::default()).expect("simulator");
    let plain = terminal(&sim, None);
    let journaled = terminal(&sim, Some(&journal));
    for _ in 0..20 {
        pay(&plain);
        pay(&journaled);
    }
    let (mut without, mut with) = (Vec::new(), Vec::new());
    for _ in 0..runs {
        without.push(pay(&plain));
        with.push(pay(&journaled));
    }
    let (p50_without, p99_without) = percentiles(&mut without);
    let (p50_with, p99_with) = percentiles(&mut with);
    let figures = vec![
        figure("payment p50 without journal", p50_without / 1000.0, "ms"),
        figure("payment p50 with journal", p50_with / 1000.0, "ms"),
        figure(
            "journal cost per payment, p50",
            (p50_with - p50_without) / 1000.0,
            "ms",
        ),
        figure("p50 with / without journal", p50_with / p50_without, "x"),
        figure("payment p99 without journal", p99_without / 1000.0, "ms"),
        figure("payment p99 with journal", p99_with / 1000.0, "ms"),
        figure("p99 with / without journal", p99_with / p99_without, "x"),
    ];
    let row = json!({
        "runs": runs,
        "without": {"p50_us": p50_without, "p99_us": p99_without},
        "with": {"p50_us": p50_with, "p99_us": p99_with},
    });
    (figures, row)
}

/// 2: `n` terminals paying in a loop for `secs`, sharing `journal` or not.
fn many(sims: &[Simulator], journal: Option<&Arc<Journal>>, secs: Duration) -> (f64, f64, f64) {
    let terminals: Vec<Terminal> = sims.iter().map(|s| terminal(s, journal)).collect();
    let latencies = Arc::new(Mutex::new(Vec::new()));
    let start = Instant::now();
    let deadline = start + secs;
    let threads: Vec<_> = terminals
        .into_iter()
        .map(|t| {
            let latencies = Arc::clone(&latencies);
            std::thread::spawn(move || {
                let mut mine = Vec::new();
                while Instant::now() < deadline {
                    mine.push(pay(&t));
                }
                latencies.lock().expect("latencies").extend(mine);
            })
        })
        .collect();
    for t in threads {
        t.join().expect("payer");
    }
    let elapsed = start.elapsed().as_secs_f64();
    let mut all = std::mem::take(&mut *latencies.lock().expect("latencies"));
    let count = all.len() as f64;
    let (p50, p99) = percentiles(&mut all);
    (count / elapsed, p50, p99)
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        println!("journal: bench");
        return;
    }
    let runs = env_number("CONCERT_BENCH_JOURNAL_RUNS", 400);
    let secs = Duration::from_secs(env_number("CONCERT_BENCH_JOURNAL_SECS", 10));
    let dir = scratch();
    let (mut figures, one) = per_payment(&dir, runs);

    const N: usize = 100;
    let sims: Vec<Simulator> = (0..N)
        .map(|_| Simulator::start(SimulatorConfig::default()).expect("simulator"))
        .collect();
    let shared = Arc::new(Journal::open(dir.join("shared.sqlite3")).expect("journal"));
    let (tps_without, p50_without, p99_without) = many(&sims, None, secs);
    let (tps_with, p50_with, p99_with) = many(&sims, Some(&shared), secs);
    drop(sims);
    // The same with a card holder taking 1 s, as in the scale bench: what
    // a shop's lanes see.
    let slow: Vec<Simulator> = (0..N)
        .map(|_| {
            Simulator::start({
                let mut v = SimulatorConfig::default();
                v.answer_delay = Duration::from_secs(1);
                v
            })
            .expect("simulator")
        })
        .collect();
    let slow_journal = Arc::new(Journal::open(dir.join("slow.sqlite3")).expect("journal"));
    let (slow_tps_without, _, slow_p99_without) = many(&slow, None, secs);
    let (slow_tps_with, _, slow_p99_with) = many(&slow, Some(&slow_journal), secs);
    drop(slow);
    figures.extend([
        figure("100 terminals: tx/s without journal", tps_without, "tx/s"),
        figure("100 terminals: tx/s sharing one journal", tps_with, "tx/s"),
        figure(
            "100 terminals: tx/s with / without",
            tps_with / tps_without,
            "x",
        ),
        figure(
            "100 terminals: p99 without journal",
            p99_without / 1000.0,
            "ms",
        ),
        figure(
            "100 terminals: p99 sharing one journal",
            p99_with / 1000.0,
            "ms",
        ),
        figure(
            "100 terminals: p99 with / without",
            p99_with / p99_without,
            "x",
        ),
        figure(
            "100 terminals, 1 s card holder: tx/s without journal",
            slow_tps_without,
            "tx/s",
        ),
        figure(
            "100 terminals, 1 s card holder: tx/s sharing one journal",
            slow_tps_with,
            "tx/s",
        ),
        figure(
            "100 terminals, 1 s card holder: tx/s with / without",
            slow_tps_with / slow_tps_without,
            "x",
        ),
        figure(
            "100 terminals, 1 s card holder: p99 with / without",
            slow_p99_with / slow_p99_without,
            "x",
        ),
    ]);
    let result = json!({
        "notes": format!(
            "One process, simulators on loopback answering at once (no card-holder delay, so the journal's writes are what limits). \
             Per payment: {runs} alternating payments per client against the same simulator; the journaled one makes three SQLite \
             commits (only the first, before the request leaves, synced to disk). 100 terminals: each pays in a loop for {} s, first without a journal, then \
             all sharing one journal file; then the same with simulators taking 1 s per payment (a card holder), as a shop's lanes would.",
            secs.as_secs()
        ),
        "figures": figures,
        "per_payment": one,
        "many": {
            "terminals": N,
            "secs": secs.as_secs(),
            "without": {"tx_per_s": tps_without, "p50_us": p50_without, "p99_us": p99_without},
            "with": {"tx_per_s": tps_with, "p50_us": p50_with, "p99_us": p99_with},
            "one_second_card_holder": {
                "without": {"tx_per_s": slow_tps_without, "p99_us": slow_p99_without},
                "with": {"tx_per_s": slow_tps_with, "p99_us": slow_p99_with},
            },
        },
    });
    let out = std::env::var_os("CONCERT_BENCH_OUT")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/bench-results")
        });
    std::fs::create_dir_all(&out).expect("results folder");
    let path = out.join("journal.json");
    std::fs::write(&path, serde_json::to_string_pretty(&result).expect("json")).expect("write");
    println!(
        "{}",
        serde_json::to_string_pretty(&result["figures"]).expect("json")
    );
    println!("results written to {}", path.display());
    let _ = std::fs::remove_dir_all(&dir);
}
