//! The fault matrix: every line fault × V2 E+ serial, V3 serial, V3 TCP,
//! run over real transports (pty pairs, loopback TCP) against the
//! simulator. Each cell asserts its outcome class and that every byte
//! received is in the result; the table of what was observed must equal
//! `tests/FAULTS.md` (regenerate with `CONCERT_BLESS=1`).

mod common;

use std::fmt::Write as _;
use std::time::Duration;

use common::{pty_sim, pty_terminal, tcp_sim, tcp_terminal};
use concert_core::currency::EUR;
use concert_core::link::{Exchange, LinkConfig, LinkError, MIN_ANSWER_TIMEOUT};
use concert_core::sim::{
    COLLISION_FRAME, GARBAGE_ANSWER, JournalEntry, Script, SimProtocol, Simulator, SimulatorConfig,
};
use concert_core::terminal::{
    Direction, Error, Event, Outcome, Protocol, Request, Status, Terminal,
};

/// Every bounded wait of this file.
const WAIT: Duration = Duration::from_secs(10);
/// How long the simulated card holder takes in the late-answer row: long
/// enough for the caller to give up first.
const LATE: Duration = Duration::from_millis(300);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Transport {
    V2Serial,
    V3Serial,
    V3Tcp,
}

impl Transport {
    const ALL: [Transport; 3] = [Transport::V2Serial, Transport::V3Serial, Transport::V3Tcp];

    fn title(self) -> &'static str {
        match self {
            Transport::V2Serial => "V2 E+ serial",
            Transport::V3Serial => "V3 serial",
            Transport::V3Tcp => "V3 TCP",
        }
    }

    fn serial(self) -> bool {
        self != Transport::V3Tcp
    }

    fn sim(self, adjust: impl FnOnce(&mut SimulatorConfig)) -> Simulator {
        match self {
            Transport::V2Serial => pty_sim(SimProtocol::V2, adjust),
            Transport::V3Serial => pty_sim(SimProtocol::V3, adjust),
            Transport::V3Tcp => tcp_sim(adjust),
        }
    }

    fn terminal(self, sim: &Simulator) -> Terminal {
        match self {
            Transport::V2Serial => pty_terminal(sim, Protocol::V2EPlus),
            Transport::V3Serial => pty_terminal(sim, Protocol::v3()),
            Transport::V3Tcp => tcp_terminal(sim),
        }
    }
}

/// How the caller ends the transaction.
#[derive(Debug, Clone, Copy)]
enum Caller {
    /// Waits for the outcome.
    Waits,
    /// Gives up as soon as the request is with the terminal: what a
    /// caller's own time-out does (the answer time-out itself is at least
    /// 60 s; `silence_is_in_doubt_after_the_answer_timeout` runs it on a
    /// fake clock).
    GivesUp,
}

struct Fault {
    name: &'static str,
    /// Why it makes no sense over TCP, if it does not.
    not_tcp: Option<&'static str>,
    setup: fn(&mut SimulatorConfig),
    caller: Caller,
    /// Bytes the result must hold besides the journaled answer.
    must_hold: &'static [u8],
}

const NO_LINK_LAYER: &str = "n/a: no link layer over TCP (no ENQ/ACK/NAK/EOT, no LRC)";

fn faults() -> Vec<Fault> {
    let fault = |name, not_tcp, setup, caller, must_hold| Fault {
        name,
        not_tcp,
        setup,
        caller,
        must_hold,
    };
    use Caller::*;
    let link = Some(NO_LINK_LAYER);
    vec![
        fault(
            "NAK once",
            link,
            |c| c.faults.nak_first_frames = 1,
            Waits,
            b"",
        ),
        fault(
            "NAK twice",
            link,
            |c| c.faults.nak_first_frames = 2,
            Waits,
            b"",
        ),
        fault(
            "NAK always",
            link,
            |c| c.faults.nak_first_frames = u32::MAX,
            Waits,
            b"",
        ),
        fault(
            "bad LRC once",
            link,
            |c| c.faults.corrupt_lrc_first = 1,
            Waits,
            b"",
        ),
        fault(
            "bad LRC always",
            link,
            |c| c.faults.corrupt_lrc_first = u32::MAX,
            Waits,
            b"",
        ),
        fault(
            "stray bytes before ENQ",
            link,
            |c| c.faults.stray_bytes = vec![0x00, 0xff, b'x'],
            Waits,
            b"\x00\xffx",
        ),
        fault(
            "ENQ collision",
            link,
            |c| c.answer_faults.enq_collision_first = 1,
            Waits,
            COLLISION_FRAME,
        ),
        fault(
            "answer in 1-byte writes",
            None,
            |c| {
                c.faults.split_writes = true;
                c.answer_faults.tcp_byte_writes = true;
            },
            Waits,
            b"",
        ),
        fault(
            "missing final EOT",
            link,
            |c| c.faults.skip_final_eot = true,
            Waits,
            b"",
        ),
        fault(
            "silence after ACK (answer time-out)",
            None,
            |c| c.faults.never_answer = true,
            GivesUp,
            b"",
        ),
        fault(
            "connection closed mid-answer",
            None,
            |c| c.faults.close_mid_answer = true,
            Waits,
            b"",
        ),
        fault(
            "answer after the caller's time-out",
            None,
            |c| c.answer_delay = LATE,
            GivesUp,
            b"",
        ),
        fault(
            "busy terminal",
            None,
            |c| c.default_script = Script::Busy,
            Waits,
            b"",
        ),
        fault(
            "garbage instead of an answer",
            None,
            |c| c.answer_faults.garbage_answer = true,
            Waits,
            GARBAGE_ANSWER,
        ),
        fault(
            "echoed POS/amount/currency differ",
            None,
            |c| c.answer_faults.echo_mismatch = true,
            Waits,
            b"",
        ),
    ]
}

/// What a transaction came to, in the table's words.
fn describe(result: &Result<Outcome, Error>) -> String {
    match result {
        Err(e) => format!(
            "error `{}` ({})",
            e.code(),
            if e.safe_to_retry() {
                "safe to retry"
            } else {
                "NOT safe to retry"
            }
        ),
        Ok(o) => {
            let mut text = format!("`{}`", o.status);
            if let Some(code) = &o.reason_code
                && o.status != Status::Approved
            {
                let _ = write!(text, " (reason {code})");
            }
            if !o.echo_mismatches.is_empty() {
                let fields: Vec<&str> = o.echo_mismatches.iter().map(|m| m.field).collect();
                let _ = write!(text, ", echo mismatch: {}", fields.join(", "));
            }
            if o.partial {
                text.push_str(", partial");
            }
            text
        }
    }
}

fn received(outcome: &Outcome) -> Vec<u8> {
    outcome
        .frames
        .iter()
        .filter(|f| f.direction == Direction::Received)
        .flat_map(|f| f.bytes.iter().copied())
        .collect()
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    needle.is_empty() || haystack.windows(needle.len()).any(|w| w == needle)
}

/// Runs one cell: asserts what holds whatever the fault, returns the
/// table's text.
fn run(transport: Transport, fault: &Fault) -> String {
    if transport == Transport::V3Tcp
        && let Some(reason) = fault.not_tcp
    {
        return reason.to_owned();
    }
    let cell = format!("{} × {}", fault.name, transport.title());
    let sim = transport.sim(fault.setup);
    let terminal = transport.terminal(&sim);
    let result = match fault.caller {
        Caller::Waits => terminal.pay(1250, EUR),
        Caller::GivesUp => {
            let pending = terminal.submit(Request::pay(1250, EUR)).unwrap();
            loop {
                let event = pending.events().recv_timeout(WAIT);
                match event {
                    Ok(Event::WaitingForAnswer) => break,
                    Ok(_) => {}
                    Err(e) => panic!("{cell}: no WaitingForAnswer event: {e}"),
                }
            }
            pending.cancel();
            pending
                .wait_timeout(WAIT)
                .unwrap_or_else(|| panic!("{cell}: no outcome after cancel"))
        }
    };
    let text = describe(&result);
    if let Ok(outcome) = &result {
        check_bytes(&cell, transport, fault, &sim, outcome);
        assert_ne!(
            (outcome.status, outcome.in_doubt_cause.is_some()),
            (Status::Declined, true),
            "{cell}"
        );
    }
    if matches!(fault.caller, Caller::GivesUp) && fault.name.starts_with("answer after") {
        late_answer_does_not_leak(&cell, transport, &sim, &terminal);
    }
    text
}

/// Every byte the simulator sent before the outcome is in it.
fn check_bytes(cell: &str, transport: Transport, fault: &Fault, sim: &Simulator, o: &Outcome) {
    let got = received(o);
    let journal = sim.journal();
    let entry: Option<&JournalEntry> = journal.iter().find(|e| !e.request.is_empty());
    if o.status == Status::InDoubt {
        // The raw answer is the whole stream, or the frame's payload when
        // the link delivered a frame that does not decode.
        if !got.is_empty() {
            let raw = o
                .raw_answer
                .as_deref()
                .expect("bytes received: raw answer kept");
            assert!(contains(&got, raw) && !raw.is_empty(), "{cell}: raw answer");
        }
        assert!(o.in_doubt_cause.is_some(), "{cell}");
    } else {
        let raw = o.raw_answer.as_deref().expect("answered: raw answer kept");
        assert!(contains(&got, raw), "{cell}: raw answer is in the frames");
    }
    assert!(
        contains(&got, fault.must_hold),
        "{cell}: {:?}",
        got.escape_ascii().to_string()
    );
    // What the terminal journaled as sent (card masked the same way) is in
    // the received bytes; over TCP, it is all of them.
    if let Some(answer) = entry.and_then(|e| e.answer.as_deref())
        && !matches!(fault.caller, Caller::GivesUp)
    {
        if transport.serial() {
            assert!(
                contains(&got, answer),
                "{cell}: journaled answer {:?} not in received {:?}",
                answer.escape_ascii().to_string(),
                got.escape_ascii().to_string()
            );
        } else {
            assert_eq!(got, answer, "{cell}: every byte received");
        }
    }
}

/// The answer that arrives after the caller gave up is never taken as the
/// answer to the next request.
fn late_answer_does_not_leak(cell: &str, transport: Transport, sim: &Simulator, t: &Terminal) {
    let over = sim.wait_for_journal(WAIT, |entries| {
        entries.first().is_some_and(|e| e.note.contains(';'))
    });
    assert!(
        over,
        "{cell}: the late answer went out: {:?}",
        sim.journal()
    );
    let next = t.pay(300, EUR).unwrap();
    assert_eq!(next.status, Status::Approved, "{cell}: {}", next.reason);
    assert_eq!(next.amount, Some(300), "{cell}");
    assert!(
        next.echo_mismatches.is_empty(),
        "{cell}: {:?}",
        next.echo_mismatches
    );
    if transport.serial() {
        assert!(sim.journal().len() >= 2, "{cell}");
    }
}

fn table(rows: &[(&Fault, Vec<String>)]) -> String {
    let mut md = String::from(
        "# Fault matrix\n\n\
         Generated by `concert-core/tests/faults.rs` (run `CONCERT_BLESS=1 cargo test -p concert-core --test faults` \
         to regenerate); the test fails when this file and the observed results differ.\n\n\
         Each cell is what a `pay(12.50 EUR)` came to against the simulator with that fault, \
         over a real pty pair or loopback TCP. `in_doubt` means the request may have reached \
         the terminal: never reported as declined, every byte received kept in `raw_answer` and \
         `frames`. An error is safe to retry: nothing was taken. Each test also checks that \
         every byte the simulator sent is in the outcome, and for the late answer that the \
         next payment gets its own answer.\n\n",
    );
    md.push_str("| fault |");
    for t in Transport::ALL {
        let _ = write!(md, " {} |", t.title());
    }
    md.push_str("\n|---|");
    md.push_str(&"---|".repeat(Transport::ALL.len()));
    md.push('\n');
    for (fault, cells) in rows {
        let _ = write!(md, "| {} |", fault.name);
        for cell in cells {
            let _ = write!(md, " {cell} |");
        }
        md.push('\n');
    }
    md.push_str(
        "\nThe answer time-out itself is at least 60 s (`TerminalConfig::validate`); the rows \
         \"silence after ACK\" and \"answer after the caller's time-out\" let the caller give up \
         through its cancel token once the request is acknowledged, which takes the same \
         in-doubt path. `silence_is_in_doubt_after_the_answer_timeout` runs the real 60 s \
         timer of the link layer on a fake clock.\n",
    );
    md
}

#[test]
fn fault_matrix_matches_faults_md() {
    let faults = faults();
    let rows: Vec<(&Fault, Vec<String>)> = std::thread::scope(|scope| {
        let handles: Vec<_> = faults
            .iter()
            .map(|fault| {
                // Pseudo-terminal pairs are Unix only: elsewhere the TCP
                // column runs alone.
                let cells: Vec<_> = Transport::ALL
                    .into_iter()
                    .filter(|t| cfg!(unix) || !t.serial())
                    .map(|t| scope.spawn(move || run(t, fault)))
                    .collect();
                (fault, cells)
            })
            .collect();
        handles
            .into_iter()
            .map(|(fault, cells)| {
                let cells = cells
                    .into_iter()
                    .map(|h| {
                        h.join()
                            .unwrap_or_else(|_| panic!("{}: a cell failed", fault.name))
                    })
                    .collect();
                (fault, cells)
            })
            .collect()
    });
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/FAULTS.md");
    if !cfg!(unix) {
        // The TCP cells against the table's last column.
        let committed = std::fs::read_to_string(path).unwrap_or_default();
        let expected: Vec<(String, String)> = committed
            .lines()
            .filter(|l| l.starts_with("| ") && !l.starts_with("| fault |"))
            .map(|l| {
                let cells: Vec<&str> = l.trim_matches('|').split(" | ").map(str::trim).collect();
                (cells[0].to_owned(), cells[cells.len() - 1].to_owned())
            })
            .collect();
        let observed: Vec<(String, String)> = rows
            .iter()
            .map(|(fault, cells)| (fault.name.to_string(), cells.concat()))
            .collect();
        assert_eq!(observed, expected, "the V3 TCP column of tests/FAULTS.md");
        return;
    }
    let observed = table(&rows);
    if std::env::var_os("CONCERT_BLESS").is_some() {
        std::fs::write(path, &observed).unwrap();
        return;
    }
    let committed = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        committed == observed,
        "tests/FAULTS.md differs from what the faults do (CONCERT_BLESS=1 regenerates it):\n{observed}"
    );
}

/// The link layer's own answer time-out, on a fake clock: silence after
/// the request's ACK ends in `NoAnswer`, which may have reached the
/// terminal (the client turns it into `in_doubt`), at exactly the time-out.
#[test]
fn silence_is_in_doubt_after_the_answer_timeout() {
    let t0 = std::time::Instant::now();
    let config = {
        let mut v = LinkConfig::default();
        v.turnaround = Duration::ZERO;
        v
    };
    let mut exchange = Exchange::new(b"0100001250110978          A010B010", &config, true, t0)
        .expect("valid request");
    let mut now = t0;
    let mut acked_at = None;
    for _ in 0..1000 {
        while let Some(bytes) = exchange.poll_transmit(now) {
            // The terminal acknowledges ENQ and the frame, then says nothing.
            if bytes.contains(&0x05) || bytes.contains(&0x03) {
                exchange.handle_input(&[0x06], now);
                acked_at.get_or_insert(now);
            }
        }
        while exchange.poll_event().is_some() {}
        if exchange.result().is_some() {
            break;
        }
        now = exchange.poll_timeout().expect("a pending timer").max(now);
        exchange.handle_timeout(now);
    }
    let result = exchange.result().expect("the exchange ends");
    let err = result.expect_err("no answer");
    assert!(matches!(err, LinkError::NoAnswer { .. }), "{err}");
    assert!(err.may_have_reached_peer());
    assert!(exchange.reached_peer());
    let waited = now - acked_at.unwrap();
    assert!(
        waited >= MIN_ANSWER_TIMEOUT && waited <= config.answer_timeout + config.ack_timeout,
        "{waited:?}"
    );
}
