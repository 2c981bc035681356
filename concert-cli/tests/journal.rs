//! The journal from the command line: a payment process killed (SIGKILL)
//! at each step, over V3/TCP and V2/serial, leaves an entry that a fresh
//! process finds in doubt and then resolves (by status request over V3, by
//! hand over V2); a partial approval found by resolving exits 5, as the
//! payment itself would have; a journal that cannot be used stops a
//! payment before it is sent; list, show, export, prune and the default
//! journal folder.

mod common;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::mpsc;
use std::time::Duration;

use common::{Guard, RUN_TIMEOUT, Run, concert, run, scratch_home};
use concert_core::sim::{Script, SimProtocol, SimTransport, Simulator, SimulatorConfig};

fn scratch(name: &str) -> PathBuf {
    let dir =
        std::env::temp_dir().join(format!("concert-cli-journal-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn s(path: &Path) -> &str {
    path.to_str().unwrap()
}

/// Runs `concert args…` with the test hook halting it at `step`, waits for
/// it to say so on stderr (no sleeping), then kills it with SIGKILL.
fn kill_at(step: &str, args: &[&str]) {
    let mut child = Guard(
        concert()
            .args(args)
            .env("CONCERT_TEST_HALT_AT", step)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap(),
    );
    let stderr = child.0.stderr.take().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let wanted = format!("halted at {step}");
    loop {
        let line = rx
            .recv_timeout(RUN_TIMEOUT)
            .unwrap_or_else(|_| panic!("concert {args:?} never halted at {step}"));
        if line.contains(&wanted) {
            break;
        }
    }
    // Child::kill is SIGKILL on Unix: no handler, no cleanup.
    child.0.kill().unwrap();
    let status = child.0.wait().unwrap();
    assert_eq!(status.code(), None, "killed by a signal");
}

struct Row {
    step: &'static str,
    protocol: &'static str,
    found: String,
    resolution: String,
}

/// After the kill: a fresh process lists exactly one in-doubt entry,
/// interrupted, never declined; gives its number.
fn found_in_doubt(journal: &Path) -> (i64, String) {
    let r = run(&[
        "journal",
        "list",
        "--in-doubt",
        "--json",
        "--journal",
        s(journal),
    ]);
    assert_eq!(r.code, Some(0), "{r:?}");
    let v = r.json();
    let entries = v["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 1, "{v}");
    let e = &entries[0];
    assert_eq!(e["state"], "in_doubt", "{e}");
    assert_eq!(e["status"], "in_doubt", "never declined: {e}");
    let cause = e["in_doubt_cause"].as_str().unwrap().to_owned();
    assert!(cause.starts_with("interrupted"), "{cause}");
    assert_eq!(e["resolutions"][0]["method"], "interrupted");
    (e["id"].as_i64().unwrap(), cause)
}

#[test]
fn killed_payments_are_found_in_doubt_and_resolved() {
    let mut table = Vec::new();
    for step in ["before_send", "after_sent", "after_answer"] {
        table.push(v3_killed_at(step));
        #[cfg(unix)]
        table.push(v2_killed_at(step));
    }
    eprintln!("| step | protocol | state found | resolution |");
    eprintln!("|---|---|---|---|");
    for r in &table {
        eprintln!(
            "| {} | {} | {} | {} |",
            r.step, r.protocol, r.found, r.resolution
        );
    }
    // Every killed payment accounted for: found, in doubt, then settled.
    assert_eq!(table.len(), if cfg!(unix) { 6 } else { 3 });
}

/// `concert pay --amount 12.50 --tcp addr` killed at `step`: the entry a
/// fresh process then finds in doubt (its number and cause).
fn v3_payment_killed_at(step: &str, addr: &str, journal: &Path) -> (i64, String) {
    kill_at(
        step,
        &[
            "pay",
            "--amount",
            "12.50",
            "--tcp",
            addr,
            "--journal",
            s(journal),
        ],
    );
    found_in_doubt(journal)
}

/// `concert journal resolve ID --tcp addr --json`.
fn resolve_over_tcp(id: i64, addr: &str, journal: &Path) -> Run {
    run(&[
        "journal",
        "resolve",
        &id.to_string(),
        "--tcp",
        addr,
        "--journal",
        s(journal),
        "--json",
    ])
}

fn v3_killed_at(step: &'static str) -> Row {
    let dir = scratch(&format!("v3-{step}"));
    let journal = dir.join("journal.sqlite3");
    let sim = Simulator::start(SimulatorConfig::default()).unwrap();
    let addr = sim.tcp_addr().unwrap().to_string();
    let (id, cause) = v3_payment_killed_at(step, &addr, &journal);
    let resolve = resolve_over_tcp(id, &addr, &journal);
    let id = id.to_string();
    let v = resolve.json();
    let resolution = if step == "before_send" {
        // Nothing reached the terminal, whose last transaction is not this
        // one: still in doubt (exit 3), with what it said; then by hand.
        assert!(
            sim.journal()
                .iter()
                .all(|e| e.request.starts_with(b"CZ") && e.note.starts_with("status")),
            "{:?}",
            sim.journal()
        );
        assert_eq!(resolve.code, Some(3), "{resolve:?}");
        assert_eq!(v["settled"], false);
        assert_eq!(v["entry"]["state"], "in_doubt");
        let by_hand = run(&[
            "journal",
            "resolve",
            &id,
            "--as",
            "declined",
            "--note",
            "terminal journal shows no such payment",
            "--journal",
            s(&journal),
        ]);
        assert_eq!(by_hand.code, Some(0), "{by_hand:?}");
        let shown = run(&["journal", "show", &id, "--json", "--journal", s(&journal)]).json();
        assert_eq!(shown["status"], "declined");
        assert_eq!(shown["resolutions"].as_array().unwrap().len(), 3, "{shown}");
        "status request: not the terminal's last → still in doubt (exit 3); by hand → declined"
            .to_owned()
    } else {
        assert!(sim.wait_for_requests(1, RUN_TIMEOUT));
        assert_eq!(resolve.code, Some(0), "{resolve:?}");
        assert_eq!(v["settled"], true);
        assert_eq!(v["entry"]["status"], "approved");
        assert_eq!(v["entry"]["state"], "resolved");
        let last = v["entry"]["resolutions"]
            .as_array()
            .unwrap()
            .last()
            .unwrap()
            .clone();
        assert_eq!(last["method"], "status_request");
        assert!(last["evidence"].as_str().unwrap().contains("\"CF\""));
        "status request matched (reference, amount, currency, POS) → approved".to_owned()
    };
    Row {
        step,
        protocol: "V3 TCP",
        found: format!("in_doubt ({})", short(&cause)),
        resolution,
    }
}

/// A payment approved for less than asked, whose process died before the
/// answer: resolving it says so with the payment's own exit code (5), not
/// 0, so a script never records the whole amount as paid.
#[test]
fn a_partial_approval_found_by_resolving_exits_5() {
    let dir = scratch("v3-partial");
    let journal = dir.join("journal.sqlite3");
    let sim = Simulator::start(SimulatorConfig::default()).unwrap();
    sim.set_default_script(Script::Partial(100));
    let addr = sim.tcp_addr().unwrap().to_string();
    let (id, _) = v3_payment_killed_at("after_sent", &addr, &journal);
    assert!(sim.wait_for_requests(1, RUN_TIMEOUT));
    let resolve = resolve_over_tcp(id, &addr, &journal);
    assert_eq!(resolve.code, Some(5), "{resolve:?}");
    let v = resolve.json();
    assert_eq!(v["settled"], true, "{v}");
    assert_eq!(v["entry"]["status"], "approved", "{v}");
    assert_eq!(v["entry"]["amount"], 1250, "{v}");
    assert_eq!(v["entry"]["authorized_amount"], 100, "{v}");
}

#[cfg(unix)]
fn v2_killed_at(step: &'static str) -> Row {
    let dir = scratch(&format!("v2-{step}"));
    let journal = dir.join("journal.sqlite3");
    let sim = Simulator::start({
        let mut v = SimulatorConfig::default();
        v.protocol = SimProtocol::V2;
        v.transport = SimTransport::Pty;
        v
    })
    .unwrap();
    let line = sim.pty_path().unwrap().display().to_string();
    kill_at(
        step,
        &[
            "pay",
            "--amount",
            "12.50",
            "--serial",
            &line,
            "--journal",
            s(&journal),
        ],
    );
    let (id, cause) = found_in_doubt(&journal);
    let id = id.to_string();
    // V2 has no status request: the command says an operator must decide.
    let ask = run(&[
        "journal",
        "resolve",
        &id,
        "--serial",
        &line,
        "--journal",
        s(&journal),
    ]);
    assert_eq!(ask.code, Some(2), "{ask:?}");
    assert!(ask.stderr.contains("by hand"), "{ask:?}");
    let (decision, note) = if step == "before_send" {
        assert!(
            sim.journal().is_empty(),
            "nothing was sent: {:?}",
            sim.journal()
        );
        ("declined", "no receipt on the terminal")
    } else {
        assert!(sim.wait_for_requests(1, RUN_TIMEOUT));
        (
            "approved",
            "terminal receipt 000042 shows 12.50 EUR approved",
        )
    };
    let by_hand = run(&[
        "journal",
        "resolve",
        &id,
        "--as",
        decision,
        "--note",
        note,
        "--journal",
        s(&journal),
        "--json",
    ]);
    assert_eq!(by_hand.code, Some(0), "{by_hand:?}");
    let v = by_hand.json();
    assert_eq!(v["entry"]["status"], decision);
    let last = v["entry"]["resolutions"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert_eq!(last["method"], "by_hand");
    assert_eq!(last["note"], note);
    Row {
        step,
        protocol: "V2 E+ serial",
        found: format!("in_doubt ({})", short(&cause)),
        resolution: format!("no status request in V2 (exit 2); by hand → {decision}"),
    }
}

fn short(cause: &str) -> &str {
    if cause.contains("before the request was confirmed sent") {
        "interrupted while sending"
    } else {
        "interrupted after sending"
    }
}

#[test]
fn an_unusable_journal_stops_the_payment_before_it_is_sent() {
    let dir = scratch("unusable");
    let corrupt = dir.join("corrupt.sqlite3");
    std::fs::write(&corrupt, b"definitely not SQLite ".repeat(200)).unwrap();
    let sim = Simulator::start(SimulatorConfig::default()).unwrap();
    let addr = sim.tcp_addr().unwrap().to_string();
    let r = run(&[
        "pay",
        "--amount",
        "1",
        "--tcp",
        &addr,
        "--journal",
        s(&corrupt),
        "--json",
    ]);
    assert_eq!(r.code, Some(7), "{r:?}");
    assert!(r.stderr.contains("corrupt.sqlite3"), "{r:?}");
    let v = r.json();
    assert_eq!(v["error"]["code"], "CONCERT_JOURNAL_CORRUPT");
    assert_eq!(v["error"]["safe_to_retry"], true);
    assert!(sim.journal().is_empty(), "nothing sent");
    // The journal commands say the same, and leave the file alone.
    let r = run(&["journal", "list", "--journal", s(&corrupt)]);
    assert_eq!(r.code, Some(7), "{r:?}");
    assert_eq!(
        std::fs::read(&corrupt).unwrap(),
        b"definitely not SQLite ".repeat(200)
    );

    // A folder where a journal cannot be created.
    let blocked = dir.join("file-not-folder");
    std::fs::write(&blocked, b"x").unwrap();
    let r = run(&[
        "pay",
        "--amount",
        "1",
        "--tcp",
        &addr,
        "--journal",
        s(&blocked.join("j.sqlite3")),
    ]);
    assert_eq!(r.code, Some(7), "{r:?}");
    assert!(sim.journal().is_empty(), "nothing sent");

    // --no-journal pays without one.
    let r = run(&[
        "pay",
        "--amount",
        "1",
        "--tcp",
        &addr,
        "--no-journal",
        "--json",
    ]);
    assert_eq!(r.code, Some(0), "{r:?}");
    assert!(r.json()["journal_entry"].is_null());
}

#[test]
fn default_journal_list_show_export_prune() {
    let sim = Simulator::start(SimulatorConfig::default()).unwrap();
    let addr = sim.tcp_addr().unwrap().to_string();
    for amount in ["1.00", "2.50"] {
        let r = run(&["pay", "--amount", amount, "--tcp", &addr, "--json"]);
        assert_eq!(r.code, Some(0), "{r:?}");
        assert!(r.json()["journal_entry"].as_i64().is_some());
    }
    // The per-user data folder (here the scratch one the tests set).
    let default = scratch_home()
        .join("data")
        .join("concert")
        .join("journal.sqlite3");
    assert!(default.exists(), "{}", default.display());
    let r = run(&["journal", "list", "--json"]);
    assert_eq!(r.code, Some(0), "{r:?}");
    let entries = r.json()["entries"].as_array().unwrap().clone();
    assert!(entries.len() >= 2);
    let last = entries.last().unwrap();
    assert_eq!(last["amount"], 250);
    assert_eq!(last["state"], "outcome");
    let id = last["id"].as_i64().unwrap().to_string();
    let r = run(&["journal", "show", &id]);
    assert_eq!(r.code, Some(0), "{r:?}");
    assert!(r.stdout.contains("2.50 EUR"), "{r:?}");
    assert!(r.stdout.contains("(generated)"), "{r:?}");
    let r = run(&["journal", "list"]);
    assert!(r.stdout.lines().count() >= 2, "{r:?}");
    let r = run(&["journal", "list", "--in-doubt"]);
    assert!(r.stdout.starts_with("no in-doubt entries"), "{r:?}");

    let r = run(&[
        "journal",
        "export",
        "--since",
        "2000-01-01",
        "--format",
        "csv",
    ]);
    assert_eq!(r.code, Some(0), "{r:?}");
    assert!(r.stdout.starts_with("id,created,"), "{r:?}");
    assert!(r.stdout.lines().count() >= 3);
    let r = run(&["journal", "export", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert!(v.as_array().unwrap().len() >= 2);
    let r = run(&["journal", "export", "--since", "yesterday"]);
    assert_eq!(r.code, Some(2), "{r:?}");
    assert!(r.stderr.contains("--since"), "{r:?}");
    let r = run(&["journal", "export", "--format", "xml"]);
    assert_eq!(r.code, Some(2), "{r:?}");

    let r = run(&["journal", "prune", "--before", "2000-01-01", "--json"]);
    assert_eq!(r.json()["pruned"], 0);
    let r = run(&["journal", "prune", "--before", "2999-01-01"]);
    assert_eq!(r.code, Some(0), "{r:?}");
    assert!(r.stdout.starts_with("pruned "), "{r:?}");
    let r = run(&["journal", "list", "--json"]);
    assert!(r.json()["entries"].as_array().unwrap().is_empty());

    // Bad entry numbers and decisions are usage errors.
    let r = run(&["journal", "show", "nine"]);
    assert_eq!(r.code, Some(2), "{r:?}");
    let r = run(&["journal", "show", "999999"]);
    assert_eq!(r.code, Some(2), "{r:?}");
    let r = run(&["journal", "resolve", "1", "--as", "maybe", "--note", "x"]);
    assert_eq!(r.code, Some(2), "{r:?}");
    let r = run(&["journal", "resolve", "1", "--as", "approved"]);
    assert_eq!(r.code, Some(2), "{r:?}");
    let r = run(&["journal", "resolve", "1"]);
    assert_eq!(r.code, Some(2), "{r:?}");
    let _ = Duration::ZERO;
}
