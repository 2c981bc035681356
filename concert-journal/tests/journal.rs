//! The journal through its public API, against the simulator on loopback:
//! entries written around payments, interrupted ones found on opening,
//! resolution by status request, by a late answer and by hand, the file
//! refused when corrupt, export and prune, and several processes writing.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use concert_core::currency::EUR;
use concert_core::journal::{Beginning, EntryId, Journal as _, LateAnswer};
use concert_core::sim::{DEFAULT_CARD_NUMBER, Script, Simulator, SimulatorConfig};
use concert_core::terminal::{
    Protocol, Request, SerialLine, Status, Terminal, TerminalConfig, decode_answer,
};
use concert_core::v2;
use concert_core::v3::Reason;
use concert_journal::{Decision, ExportFormat, Journal, JournalError, ListFilter, Method, State};

fn dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "concert-journal-test-{}-{name}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn sim() -> Simulator {
    Simulator::start(SimulatorConfig::default()).expect("simulator")
}

fn config(sim: &Simulator) -> TerminalConfig {
    let addr = sim.tcp_addr().unwrap();
    let mut config = TerminalConfig::tcp(addr.ip().to_string(), addr.port());
    config.timeouts.connect = Duration::from_secs(2);
    config
}

fn journaled(sim: &Simulator, journal: &Arc<Journal>) -> Terminal {
    Terminal::new(config(sim).with_journal(journal.clone())).unwrap()
}

#[test]
fn a_payment_is_written_before_and_after() {
    let d = dir("payment");
    let journal = Arc::new(Journal::open(d.join("j.sqlite3")).unwrap());
    let sim = sim();
    let terminal = journaled(&sim, &journal);
    let outcome = terminal.pay(1250, EUR).unwrap();
    assert_eq!(outcome.status, Status::Approved);
    let id = outcome.journal_entry.expect("entry").0;
    let entry = journal.show(id).unwrap();
    assert_eq!(entry.state, State::Outcome);
    assert_eq!(entry.status, Some(Status::Approved));
    assert_eq!(entry.amount, Some(1250));
    assert_eq!(entry.currency.as_deref(), Some("EUR"));
    assert!(entry.reference_generated);
    let reference = entry.reference.clone().unwrap();
    assert_eq!(reference.len(), 10);
    // The terminal echoed the generated reference: it went on the wire.
    assert_eq!(outcome.private_data.as_deref(), Some(reference.as_str()));
    let card = entry.card_number.unwrap();
    assert!(card.contains('#'), "masked: {card}");
    assert!(entry.records.unwrap().contains("CF"));

    // A caller's own reference is kept as it is.
    let outcome = terminal
        .transact(&Request::pay(500, EUR).with_private_data("TICKET-42"))
        .unwrap();
    let entry = journal.show(outcome.journal_entry.unwrap().0).unwrap();
    assert_eq!(entry.reference.as_deref(), Some("TICKET-42"));
    assert!(!entry.reference_generated);

    // Queries are not journaled.
    let status = terminal.status().unwrap();
    assert_eq!(status.journal_entry, None);
    assert_eq!(journal.list(&ListFilter::default()).unwrap().len(), 2);

    // A request that never reached a terminal is recorded as not sent.
    let mut unreachable = config(&sim);
    drop(sim);
    unreachable.journal = Some(concert_core::journal::JournalHandle::new(journal.clone()));
    let err = Terminal::new(unreachable)
        .unwrap()
        .pay(100, EUR)
        .unwrap_err();
    assert!(err.safe_to_retry());
    let all = journal.list(&ListFilter::default()).unwrap();
    assert_eq!(all.last().unwrap().state, State::NotSent);
    assert!(journal.list_in_doubt().unwrap().is_empty());
}

fn begin(journal: &dyn concert_core::journal::Journal, reference: &str, amount: u64) -> EntryId {
    let request = Request::pay(amount, EUR).with_private_data(reference);
    journal
        .begin(&Beginning {
            terminal: "127.0.0.1:8888",
            protocol: &Protocol::v3(),
            pos_number: 1,
            request: &request,
            reference_generated: false,
        })
        .unwrap()
}

#[test]
fn entries_of_an_ended_journal_become_in_doubt_but_not_a_live_ones() {
    let d = dir("recover");
    let path = d.join("j.sqlite3");
    let first = Journal::open(&path).unwrap();
    let sending = begin(&first, "R1", 100);
    let sent = begin(&first, "R2", 200);
    first.sent(sent).unwrap();
    // While the first is open, a second opening leaves its entries alone.
    let second = Journal::open(&path).unwrap();
    assert_eq!(second.show(sending.0).unwrap().state, State::Sending);
    assert_eq!(second.show(sent.0).unwrap().state, State::Sent);
    drop(first);
    let in_doubt = second.list_in_doubt().unwrap();
    assert_eq!(in_doubt.len(), 2);
    for entry in &in_doubt {
        assert_eq!(entry.state, State::InDoubt);
        assert_eq!(entry.status, Some(Status::InDoubt));
        assert!(
            entry
                .in_doubt_cause
                .as_deref()
                .unwrap()
                .starts_with("interrupted")
        );
        assert_eq!(entry.resolutions[0].method, Method::Interrupted);
    }
    assert!(
        in_doubt[0]
            .reason
            .as_deref()
            .unwrap()
            .contains("before the request was confirmed sent")
    );
    assert!(
        in_doubt[1]
            .reason
            .as_deref()
            .unwrap()
            .contains("after the request was sent")
    );
}

#[test]
fn resolve_finds_the_real_outcome_over_v3_or_leaves_it_in_doubt() {
    let d = dir("resolve");
    let path = d.join("j.sqlite3");
    let sim = sim();
    let plain = Terminal::new(config(&sim)).unwrap();
    // The request reached the terminal, then the process "died".
    let dead = Journal::open(&path).unwrap();
    let paid = begin(&dead, "PAID1", 1250);
    dead.sent(paid).unwrap();
    plain
        .transact(&Request::pay(1250, EUR).with_private_data("PAID1"))
        .unwrap();
    let other = begin(&dead, "NEVER", 700);
    drop(dead);

    let journal = Journal::open(&path).unwrap();
    let resolved = journal.resolve(paid.0, &plain).unwrap();
    assert!(resolved.settled);
    assert_eq!(resolved.entry.state, State::Resolved);
    assert_eq!(resolved.entry.status, Some(Status::Approved));
    let last = resolved.entry.resolutions.last().unwrap();
    assert_eq!(last.method, Method::StatusRequest);
    assert!(last.evidence.as_deref().unwrap().contains("PAID1"));
    // The original cause is kept beside the resolution.
    assert!(resolved.entry.in_doubt_cause.is_some());

    // The terminal's last transaction is not this one: still in doubt,
    // with what the terminal said.
    let still = journal.resolve(other.0, &plain).unwrap();
    assert!(!still.settled);
    assert_eq!(still.entry.state, State::InDoubt);
    let last = still.entry.resolutions.last().unwrap();
    assert_eq!(last.status, None);
    assert!(last.note.contains("not this one"), "{}", last.note);

    // A resolved entry is not resolved again by the terminal.
    assert!(matches!(
        journal.resolve(paid.0, &plain),
        Err(JournalError::NotInDoubt { .. })
    ));

    // A decline is a real outcome too.
    sim.push_script(Script::Decline(Reason::Refused));
    let dead = Journal::open(&path).unwrap();
    let declined = begin(&dead, "DECL1", 300);
    dead.sent(declined).unwrap();
    drop(dead);
    plain
        .transact(&Request::pay(300, EUR).with_private_data("DECL1"))
        .unwrap();
    let resolved = journal.resolve(declined.0, &plain).unwrap();
    assert!(resolved.settled);
    assert_eq!(resolved.entry.status, Some(Status::Declined));
}

#[test]
fn by_hand_is_an_audit_trail() {
    let d = dir("hand");
    let path = d.join("j.sqlite3");
    let dead = Journal::open(&path).unwrap();
    let id = begin(&dead, "HAND1", 990);
    drop(dead);
    let journal = Journal::open(&path).unwrap();
    assert!(matches!(
        journal.resolve_by_hand(id.0, Decision::Approved, "  "),
        Err(JournalError::NoteRequired)
    ));
    let entry = journal
        .resolve_by_hand(
            id.0,
            Decision::Approved,
            "receipt 4711 seen on the terminal",
        )
        .unwrap();
    assert_eq!(entry.status, Some(Status::Approved));
    let entry = journal
        .resolve_by_hand(
            id.0,
            Decision::Declined,
            "correction: that receipt was card 4711690463168807's previous sale",
        )
        .unwrap();
    assert_eq!(entry.status, Some(Status::Declined));
    let hand: Vec<_> = entry
        .resolutions
        .iter()
        .filter(|r| r.method == Method::ByHand)
        .collect();
    assert_eq!(hand.len(), 2, "earlier decision kept");
    assert_eq!(hand[0].status, Some(Status::Approved));
    assert!(
        !hand[1].note.contains(DEFAULT_CARD_NUMBER),
        "{}",
        hand[1].note
    );
    assert!(matches!(
        "maybe".parse::<Decision>(),
        Err(JournalError::Invalid(_))
    ));
    // An entry with a real outcome is not overruled by hand.
    let sim = sim();
    let journal = Arc::new(journal);
    let outcome = journaled(&sim, &journal).pay(100, EUR).unwrap();
    assert!(matches!(
        journal.resolve_by_hand(outcome.journal_entry.unwrap().0, Decision::Declined, "no"),
        Err(JournalError::NotInDoubt { .. })
    ));
}

#[test]
fn a_late_v2_answer_settles_the_entry() {
    let d = dir("late");
    let journal = Journal::open(d.join("j.sqlite3")).unwrap();
    let line = "/dev/ttyV2LATE";
    let v2 = TerminalConfig::serial(SerialLine::usb(line), Protocol::V2EPlus);
    let request = Request::pay(1250, EUR).with_private_data("LATE00001");
    let id = journal
        .begin(&Beginning {
            terminal: line,
            protocol: &v2.protocol,
            pos_number: 1,
            request: &request,
            reference_generated: false,
        })
        .unwrap();
    journal.sent(id).unwrap();
    // The caller's wait ended: in doubt.
    let mut timed_out = decode_answer(&v2, &request, b"");
    timed_out.status = Status::InDoubt;
    timed_out.in_doubt_cause = Some("no answer within 180 s".into());
    journal.finished(id, &timed_out).unwrap();
    assert_eq!(journal.show(id.0).unwrap().state, State::InDoubt);
    // V2 cannot be asked.
    let probe = Terminal::new(v2.clone()).unwrap();
    assert!(matches!(
        journal.resolve(id.0, &probe),
        Err(JournalError::NeedsOperator(_))
    ));

    let answer = v2::Answer {
        pos: 1,
        status: v2::Status::Accepted,
        amount: 1250,
        payment_mode: v2::PaymentMode::from_code(b'1'),
        rep: Some(v2::Rep::with_card_number(DEFAULT_CARD_NUMBER).unwrap()),
        currency: 978,
        private_data: "LATE00001".into(),
    }
    .encode()
    .unwrap();
    let outcome = decode_answer(&v2, &request, &answer);
    assert_eq!(outcome.status, Status::Approved);
    let late = LateAnswer {
        received_at: SystemTime::now(),
        terminal: line.into(),
        outcome,
        raw: v2::Answer::mask_payload(&answer),
    };
    assert_eq!(journal.late_answer(&late).unwrap(), Some(id));
    let entry = journal.show(id.0).unwrap();
    assert_eq!(entry.state, State::Resolved);
    assert_eq!(entry.status, Some(Status::Approved));
    assert_eq!(entry.resolutions.last().unwrap().method, Method::LateAnswer);
    // The entry now says what the answer said, the card number masked.
    assert_eq!(entry.authorized_amount, Some(1250));
    let card = entry
        .card_number
        .as_deref()
        .expect("the answer's card number");
    assert!(
        card.contains('#') && !card.contains(DEFAULT_CARD_NUMBER),
        "{card}"
    );
    assert!(!entry.is_partial());

    // An answer for nobody is kept apart, not attached.
    let mut stray = late.clone();
    stray.outcome.private_data = Some("NOBODY".into());
    assert_eq!(journal.attach_late_answer(&stray).unwrap(), None);
}

#[test]
fn a_corrupt_or_foreign_file_is_refused_and_left_alone() {
    let d = dir("corrupt");
    let garbage = d.join("garbage.sqlite3");
    let bytes = b"this is not a database at all, but a till's precious file".repeat(100);
    std::fs::write(&garbage, &bytes).unwrap();
    let err = Journal::open(&garbage).unwrap_err();
    assert!(matches!(err, JournalError::Corrupt { .. }), "{err}");
    assert!(err.to_string().contains("garbage.sqlite3"), "{err}");
    assert_eq!(std::fs::read(&garbage).unwrap(), bytes, "never recreated");

    // A real journal with damaged pages.
    let path = d.join("damaged.sqlite3");
    {
        let journal = Journal::open(&path).unwrap();
        for i in 0..200 {
            begin(&journal, &format!("R{i}"), 100);
        }
    }
    let mut damaged = std::fs::read(&path).unwrap();
    assert!(damaged.len() > 8192);
    for b in &mut damaged[4096..8192] {
        *b = 0x5a;
    }
    std::fs::write(&path, &damaged).unwrap();
    let err = Journal::open(&path).unwrap_err();
    assert!(matches!(err, JournalError::Corrupt { .. }), "{err}");
    assert!(err.to_string().contains("damaged.sqlite3"));
    assert_eq!(std::fs::read(&path).unwrap(), damaged);
}

#[test]
fn export_and_prune() {
    let d = dir("export");
    let journal = Arc::new(Journal::open(d.join("j.sqlite3")).unwrap());
    let sim = sim();
    let terminal = journaled(&sim, &journal);
    for amount in [100, 200, 300] {
        terminal.pay(amount, EUR).unwrap();
    }
    let dead = Journal::open(journal.path()).unwrap();
    begin(&dead, "OPEN1", 400);
    drop(dead);
    assert_eq!(journal.list_in_doubt().unwrap().len(), 1);

    let mut csv = Vec::new();
    journal.export(None, ExportFormat::Csv, &mut csv).unwrap();
    let csv = String::from_utf8(csv).unwrap();
    assert_eq!(csv.lines().count(), 5, "{csv}");
    assert!(csv.starts_with("id,created,terminal,protocol,pos_number,operation,amount,currency"));
    assert!(!csv.contains(DEFAULT_CARD_NUMBER));
    let mut json = Vec::new();
    journal
        .export(Some(0), ExportFormat::Json, &mut json)
        .unwrap();
    let value: serde_json::Value = serde_json::from_slice(&json).unwrap();
    assert_eq!(value.as_array().unwrap().len(), 4);
    assert_eq!(value[0]["status"], "approved");
    assert_eq!(value[3]["state"], "in_doubt");
    let future = concert_journal::now_ms() + 86_400_000;
    let mut none = Vec::new();
    journal
        .export(Some(future), ExportFormat::Json, &mut none)
        .unwrap();
    assert_eq!(String::from_utf8(none).unwrap().trim(), "[]");

    // Prune keeps what is still in doubt.
    assert_eq!(journal.prune(future).unwrap(), 3);
    let left = journal.list(&ListFilter::default()).unwrap();
    assert_eq!(left.len(), 1);
    assert_eq!(left[0].state, State::InDoubt);
}

/// Several processes writing the same file at once: every entry lands,
/// numbers are unique. The children are this test binary run again.
#[test]
fn several_processes_write_one_journal() {
    if let Ok(path) = std::env::var("CONCERT_JOURNAL_CHILD") {
        let journal = Journal::open(&path).unwrap();
        let sim = sim();
        let journal = Arc::new(journal);
        let terminal = journaled(&sim, &journal);
        for _ in 0..WRITES {
            assert_eq!(terminal.pay(100, EUR).unwrap().status, Status::Approved);
        }
        return;
    }
    const WRITERS: usize = 4;
    const WRITES: usize = 25;
    let d = dir("processes");
    let path = d.join("shared.sqlite3");
    let exe = std::env::current_exe().unwrap();
    let children: Vec<_> = (0..WRITERS)
        .map(|_| {
            Command::new(&exe)
                .args([
                    "--exact",
                    "several_processes_write_one_journal",
                    "--test-threads=1",
                ])
                .env("CONCERT_JOURNAL_CHILD", &path)
                .stdout(std::process::Stdio::null())
                .spawn()
                .unwrap()
        })
        .collect();
    // This process writes too, at the same time.
    let journal = Arc::new(Journal::open(&path).unwrap());
    let sim = sim();
    let terminal = journaled(&sim, &journal);
    for _ in 0..WRITES {
        terminal.pay(100, EUR).unwrap();
    }
    for mut child in children {
        assert!(child.wait().unwrap().success());
    }
    let all = journal.list(&ListFilter::default()).unwrap();
    assert_eq!(all.len(), (WRITERS + 1) * WRITES);
    assert!(all.iter().all(|e| e.state == State::Outcome));
    let mut refs: Vec<_> = all.iter().map(|e| e.reference.clone().unwrap()).collect();
    refs.sort();
    refs.dedup();
    assert_eq!(refs.len(), all.len(), "references unique across processes");
    assert!(journal.list_in_doubt().unwrap().is_empty());
}

/// No full card number anywhere in the file's bytes (WAL included), after
/// payments whose answers carried it in clear.
#[test]
fn no_full_card_number_at_rest() {
    let d = dir("hygiene");
    let path = d.join("j.sqlite3");
    let journal = Arc::new(Journal::open(&path).unwrap());
    let mut sim_config = SimulatorConfig::default();
    sim_config.answer_faults.unmasked_card_number = true;
    let sim = Simulator::start(sim_config).unwrap();
    let terminal = journaled(&sim, &journal);
    for _ in 0..3 {
        terminal.pay(4200, EUR).unwrap();
    }
    scan(&path);
    drop(journal);
    scan(&path);
}

fn scan(path: &Path) {
    let digits = DEFAULT_CARD_NUMBER.as_bytes();
    let hex: String = digits.iter().map(|b| format!("{b:02x}")).collect();
    for suffix in ["", "-wal"] {
        let mut name = path.as_os_str().to_owned();
        name.push(suffix);
        let Ok(bytes) = std::fs::read(&name) else {
            continue;
        };
        assert!(
            !bytes.windows(digits.len()).any(|w| w == digits),
            "{name:?} holds the card number"
        );
        assert!(
            !bytes.windows(hex.len()).any(|w| w == hex.as_bytes()),
            "{name:?} holds the card number in hex"
        );
    }
}

/// A killed process's lock file (nothing unfinished behind it) is removed
/// by a later opening once it is old; a live one's is kept.
#[test]
fn stale_owner_locks_are_swept() {
    let d = dir("sweep");
    let path = d.join("j.sqlite3");
    let live = Journal::open(&path).unwrap();
    let owners = d.join("j.sqlite3.owners");
    let stale = owners.join("KILLEDPROC");
    let file = std::fs::File::create(&stale).unwrap();
    let old = SystemTime::now() - Duration::from_secs(3600);
    file.set_modified(old).unwrap();
    drop(file);
    let mut live_files: Vec<_> = std::fs::read_dir(&owners)
        .unwrap()
        .map(|f| f.unwrap().path())
        .filter(|p| *p != stale)
        .collect();
    assert_eq!(live_files.len(), 1);
    let live_file = live_files.remove(0);
    std::fs::File::options()
        .write(true)
        .open(&live_file)
        .unwrap()
        .set_modified(old)
        .unwrap();
    let second = Journal::open(&path).unwrap();
    assert!(!stale.exists(), "the killed process's lock is gone");
    assert!(live_file.exists(), "a live journal's lock stays");
    drop(second);
    drop(live);
    assert!(!live_file.exists());
}

/// Many openings of a file that does not exist yet, at once (lanes
/// starting together): all succeed, none sees it locked.
#[test]
fn simultaneous_first_openings() {
    for round in 0..5 {
        let d = dir(&format!("first-{round}"));
        let path = d.join("j.sqlite3");
        let barrier = Arc::new(std::sync::Barrier::new(8));
        let threads: Vec<_> = (0..8)
            .map(|_| {
                let path = path.clone();
                let barrier = Arc::clone(&barrier);
                std::thread::spawn(move || {
                    barrier.wait();
                    let journal = Journal::open(&path)?;
                    begin(&journal, "R", 100);
                    Ok::<_, JournalError>(())
                })
            })
            .collect();
        for t in threads {
            t.join()
                .unwrap()
                .unwrap_or_else(|e| panic!("round {round}: {e}"));
        }
    }
}

/// Over V2 a payment the caller stopped waiting for is in doubt; the
/// terminal's answer that comes afterwards is caught on the line kept open
/// and settles the journal entry by itself.
#[cfg(unix)]
#[test]
fn a_late_v2_answer_on_the_line_settles_the_entry() {
    use concert_core::sim::{SimProtocol, SimTransport};
    use concert_core::terminal::Event;
    let d = dir("late-line");
    let journal = Arc::new(Journal::open(d.join("j.sqlite3")).unwrap());
    let sim = Simulator::start({
        let mut v = SimulatorConfig::default();
        v.protocol = SimProtocol::V2;
        v.transport = SimTransport::Pty;
        v.answer_delay = Duration::from_millis(300);
        v
    })
    .unwrap();
    let line = sim.pty_path().unwrap().display().to_string();
    let terminal = Terminal::new(
        TerminalConfig::serial(SerialLine::usb(&line), Protocol::V2EPlus)
            .with_journal(journal.clone()),
    )
    .unwrap();
    let pending = terminal.submit(Request::pay(1250, EUR)).unwrap();
    loop {
        match pending.events().recv_timeout(Duration::from_secs(10)) {
            Ok(Event::WaitingForAnswer) => break,
            Ok(_) => {}
            Err(e) => panic!("no WaitingForAnswer: {e}"),
        }
    }
    pending.cancel();
    let outcome = pending
        .wait_timeout(Duration::from_secs(10))
        .unwrap()
        .unwrap();
    assert_eq!(outcome.status, Status::InDoubt);
    let id = outcome.journal_entry.unwrap().0;
    // The simulator answers once its card holder is done; the entry is
    // settled as soon as the watch on the line has read it.
    assert!(sim.wait_for_journal(Duration::from_secs(10), |j| {
        j.iter().any(|e| e.answer.is_some())
    }));
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    let entry = loop {
        let entry = journal.show(id).unwrap();
        if entry.state == State::Resolved || std::time::Instant::now() > deadline {
            break entry;
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    assert_eq!(entry.state, State::Resolved, "{entry:?}");
    assert_eq!(entry.status, Some(Status::Approved));
    let last = entry.resolutions.last().unwrap();
    assert_eq!(last.method, Method::LateAnswer);
    assert!(entry.in_doubt_cause.is_some(), "the cause is kept");
    // The caller still gets it too.
    assert_eq!(terminal.take_late_answers().len(), 1);
}
