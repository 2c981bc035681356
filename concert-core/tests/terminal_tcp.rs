//! The terminal client against the simulator over loopback TCP (V3).

mod common;

use std::time::Duration;

use common::{tcp_sim, tcp_terminal};
use concert_core::currency::{Currency, EUR};
use concert_core::sim::{Faults, Script};
use concert_core::terminal::{
    Application, Error, Event, Operation, Request, RequestError, Status, Terminal, TerminalConfig,
};
use concert_core::v3::{Action, Message, Reason, ReceiptCopy, ReceiptFormat, tags};

#[test]
fn payment_approved_with_every_field() {
    let sim = tcp_sim(|_| {});
    let terminal = tcp_terminal(&sim);
    let request = Request::pay(1250, EUR).with_private_data("ORDER-42");
    let outcome = terminal.transact(&request).unwrap();
    assert_eq!(outcome.status, Status::Approved);
    assert_eq!(outcome.amount, Some(1250));
    assert_eq!(outcome.currency, Some(EUR));
    assert!(!outcome.partial);
    assert!(
        outcome.echo_mismatches.is_empty(),
        "{:?}",
        outcome.echo_mismatches
    );
    let card = outcome.card_number.as_deref().unwrap();
    assert_eq!(card, "497010######7894");
    assert!(outcome.authorization_number.is_some());
    assert_eq!(outcome.private_data.as_deref(), Some("ORDER-42"));
    assert_eq!(outcome.record("AE"), Some("10"));
    // What reached the terminal is exactly what was asked.
    let journal = sim.journal();
    assert_eq!(journal.len(), 1);
    let sent = Message::decode(&journal[0].request).unwrap();
    assert_eq!(sent.amount(), Some(1250));
    assert_eq!(sent.action(), Some(Action::Debit));
    assert_eq!(sent.currency(), Some(978));
    assert_eq!(sent.private_data().as_deref(), Some("ORDER-42"));
    // No full card number anywhere in what we return.
    let everything = format!("{outcome:?}");
    assert!(!everything.contains("4970101234567894"));
}

#[test]
fn every_operation_reaches_the_terminal_with_its_action() {
    let sim = tcp_sim(|_| {});
    let terminal = tcp_terminal(&sim);
    let cases: [(Result<_, Error>, u8); 7] = [
        (terminal.pay(100, EUR), b'0'),
        (terminal.refund(200, EUR), b'1'),
        (terminal.cancel(300, EUR), b'2'),
        (terminal.preauthorize(400, EUR), b'4'),
        (terminal.identify(), b'I'),
        (terminal.status(), b'T'),
        (terminal.settle(), b'B'),
    ];
    for (i, (outcome, code)) in cases.into_iter().enumerate() {
        let outcome = outcome.unwrap();
        assert_eq!(
            outcome.status,
            Status::Approved,
            "{code}: {}",
            outcome.reason
        );
        let journal = sim.journal();
        let sent = Message::decode(&journal[i].request).unwrap();
        assert_eq!(sent.action().map(Action::code), Some(code));
        // CB is mandatory in every request but identification; a status or
        // a settlement carries zero.
        let expected: Option<&[u8]> = match code {
            b'I' => None,
            b'T' | b'B' => Some(b"00"),
            _ => sent.get(tags::CB),
        };
        assert_eq!(sent.get(tags::CB), expected, "{}", char::from(code));
        assert_eq!(sent.get(tags::CB).is_some(), code != b'I');
    }
}

#[test]
fn declines_aborts_and_refusals_are_told_apart() {
    let sim = tcp_sim(|_| {});
    let terminal = tcp_terminal(&sim);
    let cases = [
        (Script::Decline(Reason::Refused), Status::Declined, "04"),
        (Script::Abandon, Status::Aborted, "06"),
        (Script::Timeout, Status::Aborted, "08"),
        (Script::Busy, Status::NotPerformed, "07"),
    ];
    for (script, status, code) in cases {
        sim.push_script(script.clone());
        let outcome = terminal.pay(990, EUR).unwrap();
        assert_eq!(outcome.status, status, "{script:?}");
        assert_eq!(outcome.reason_code.as_deref(), Some(code), "{script:?}");
        assert!(!outcome.reason.is_empty());
        assert!(outcome.echo_mismatches.is_empty());
    }
    // The terminal refuses what it does not know: unsupported currency.
    let usd = Currency::parse("USD").unwrap();
    let outcome = terminal.pay(500, usd).unwrap();
    assert_eq!(outcome.status, Status::NotPerformed);
    assert_eq!(outcome.reason_code.as_deref(), Some("13"));
    // An action code of our own choosing.
    let outcome = terminal
        .transact(&Request::new(Operation::Action(Action::Other(b'Z'))))
        .unwrap();
    assert_eq!(outcome.reason_code.as_deref(), Some("12"));
}

#[test]
fn cheque_payment_selects_the_cheque_application() {
    let sim = tcp_sim(|_| {});
    let terminal = tcp_terminal(&sim);
    let request = Request::pay(1000, EUR).with_application(Application::Cheque);
    let outcome = terminal.transact(&request).unwrap();
    assert_eq!(outcome.status, Status::Approved);
    let application = outcome.application.unwrap();
    assert_eq!(
        (application.code.as_str(), application.label),
        ("00C", Some("cheque"))
    );
    let journal = sim.journal();
    let sent = Message::decode(&journal[0].request).unwrap();
    assert_eq!(sent.application().as_deref(), Some("00C"));
    // V2-only payment modes are refused rather than guessed.
    let moneo = Request::pay(1000, EUR).with_application(Application::Moneo);
    assert!(matches!(
        terminal.transact(&moneo),
        Err(Error::InvalidRequest(RequestError::Unsupported { .. }))
    ));
}

#[test]
fn partial_approval_reports_the_authorised_amount() {
    let sim = tcp_sim(|c| c.default_script = Script::Partial(700));
    let terminal = tcp_terminal(&sim);
    let outcome = terminal.pay(1000, EUR).unwrap();
    assert_eq!(outcome.status, Status::Approved);
    assert!(outcome.partial);
    assert_eq!(outcome.amount, Some(700));
    assert_eq!(outcome.requested_amount, Some(1000));
}

#[test]
fn immediate_answer_then_status_gives_the_result() {
    let sim = tcp_sim(|c| c.answer_delay = Duration::from_millis(300));
    let terminal = tcp_terminal(&sim);
    let outcome = terminal
        .transact(&Request::pay(4200, EUR).with_immediate_answer())
        .unwrap();
    assert_eq!(outcome.status, Status::Pending);
    assert_eq!(outcome.record("AE"), Some("11"));
    // Poll the terminal the way a till would, bounded in time.
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    let last = loop {
        let status = terminal.status().unwrap();
        if status.status != Status::NotPerformed || std::time::Instant::now() > deadline {
            break status;
        }
        std::thread::yield_now();
    };
    assert_eq!(last.status, Status::Approved, "{}", last.reason);
    assert_eq!(last.amount, Some(4200));
}

#[test]
fn a_second_transaction_is_refused_while_one_runs_but_identify_goes_through() {
    let sim = tcp_sim(|c| c.faults.never_answer = true);
    let terminal = tcp_terminal(&sim);
    let pending = terminal.submit(Request::pay(100, EUR)).unwrap();
    assert!(matches!(terminal.pay(200, EUR), Err(Error::Busy)));
    assert!(matches!(
        terminal.submit(Request::pay(300, EUR)),
        Err(Error::Busy)
    ));
    assert!(sim.wait_for_requests(1, Duration::from_secs(5)));
    // Queries need no card holder: they run beside the transaction.
    sim.set_default_script(Script::Approve);
    let identify = terminal.identify().unwrap();
    assert_eq!(identify.status, Status::Approved);
    // Cancelling after the request reached the terminal is honest: in doubt.
    pending.cancel();
    let outcome = pending.wait().unwrap();
    assert_eq!(outcome.status, Status::InDoubt);
    assert!(outcome.in_doubt_cause.unwrap().contains("cancel"));
    assert!(!terminal.is_busy());
}

#[test]
fn events_arrive_in_order() {
    let sim = tcp_sim(|_| {});
    let terminal = tcp_terminal(&sim);
    let pending = terminal.submit(Request::pay(100, EUR)).unwrap();
    let outcome = pending
        .wait_timeout(Duration::from_secs(10))
        .unwrap()
        .unwrap();
    let events: Vec<Event> = pending.events().try_iter().collect();
    assert_eq!(
        events,
        vec![
            Event::Connecting,
            Event::Sent,
            Event::WaitingForAnswer,
            Event::AnswerReceived,
            Event::Done(Status::Approved),
        ]
    );
    assert_eq!(outcome.status, Status::Approved);
}

#[test]
fn callback_form_delivers_on_the_core_thread() {
    let sim = tcp_sim(|_| {});
    let terminal = tcp_terminal(&sim);
    let (tx, rx) = crossbeam_channel::bounded(1);
    let caller = std::thread::current().id();
    terminal
        .submit_with(
            Request::refund(150, EUR),
            |_| {},
            move |result| {
                let _ = tx.send((std::thread::current().id(), result));
            },
        )
        .unwrap();
    let (thread, result) = rx.recv_timeout(Duration::from_secs(10)).unwrap();
    assert_ne!(thread, caller);
    assert_eq!(result.unwrap().status, Status::Approved);
}

#[test]
fn an_answer_in_three_segments_is_read_whole() {
    let sim = tcp_sim(|c| {
        c.faults = {
            let mut v = Faults::default();
            v.split_writes = true;
            v
        }
    });
    let terminal = tcp_terminal(&sim);
    let outcome = terminal.pay(1250, EUR).unwrap();
    assert_eq!(outcome.status, Status::Approved);
    assert_eq!(outcome.amount, Some(1250));
    let journal = sim.journal();
    let answer = journal[0].answer.as_ref().unwrap();
    assert_eq!(outcome.raw_answer.as_ref().unwrap(), answer);
}

#[test]
fn an_answer_over_1024_bytes_with_a_receipt() {
    let ticket: String = (0..16)
        .map(|i| format!("LIGNE {i:02} DU TICKET CARTE BANCAIRE - MERCI\n"))
        .collect();
    let sim = tcp_sim(|c| c.receipt_text = Some(ticket.clone()));
    let terminal = tcp_terminal(&sim);
    let request = Request::pay(1250, EUR).with_receipt(ReceiptCopy::Both, ReceiptFormat::Text);
    let outcome = terminal.transact(&request).unwrap();
    assert_eq!(outcome.status, Status::Approved);
    assert!(outcome.raw_answer.as_ref().unwrap().len() > 1024);
    // Both copies asked for: one ticket each.
    let copies: Vec<_> = outcome.receipts.iter().map(|r| r.copy).collect();
    assert_eq!(
        copies,
        [Some(ReceiptCopy::Customer), Some(ReceiptCopy::Merchant)]
    );
    assert!(outcome.receipts.iter().all(|r| r.text == ticket));
    assert_eq!(outcome.receipt.as_ref(), outcome.receipts.first());
}

#[test]
fn a_connection_closed_mid_answer_is_in_doubt_with_the_bytes_kept() {
    let sim = tcp_sim(|c| c.faults.close_mid_answer = true);
    let terminal = tcp_terminal(&sim);
    let outcome = terminal.pay(1250, EUR).unwrap();
    assert_eq!(outcome.status, Status::InDoubt);
    let raw = outcome.raw_answer.unwrap();
    assert!(!raw.is_empty());
    assert!(raw.starts_with(b"CZ"));
    assert_ne!(outcome.status, Status::Declined);
}

#[test]
fn nothing_listening_is_a_safe_to_retry_error() {
    // Bind then drop to get a port with nobody behind it.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let terminal = Terminal::new(TerminalConfig::tcp("127.0.0.1", port)).unwrap();
    let err = terminal.pay(100, EUR).unwrap_err();
    assert!(matches!(err, Error::Connect { .. }), "{err}");
    assert!(err.safe_to_retry());
    assert_eq!(err.code(), "CONCERT_CONNECT");
}

#[test]
fn whitelist_refusal_is_never_reported_as_declined() {
    let sim = tcp_sim(|c| c.allow = vec!["10.9.9.9".parse().unwrap()]);
    let terminal = tcp_terminal(&sim);
    let outcome = terminal.pay(100, EUR).unwrap();
    assert_eq!(outcome.status, Status::InDoubt);
    assert!(sim.journal()[0].note.contains("refused"));
}

#[test]
fn bad_caller_input_gets_typed_errors() {
    let sim = tcp_sim(|_| {});
    let terminal = tcp_terminal(&sim);
    let invalid = |request: Request| match terminal.transact(&request) {
        Err(Error::InvalidRequest(e)) => e,
        other => panic!("expected an invalid request, got {other:?}"),
    };
    assert_eq!(invalid(Request::pay(0, EUR)), RequestError::AmountZero);
    assert!(matches!(
        invalid(Request::pay(1_000_000_000_000, EUR)),
        RequestError::AmountTooLarge { .. }
    ));
    assert!(matches!(
        invalid(Request::pay(100, EUR).with_private_data("x".repeat(100))),
        RequestError::TooLong { max: 99, .. }
    ));
    assert!(matches!(
        invalid(Request::pay(100, EUR).with_private_data("commande n°5")),
        RequestError::NotAscii { found: '°', .. }
    ));
    let mut no_amount = Request::new(Operation::Pay);
    no_amount.currency = Some(EUR);
    assert_eq!(invalid(no_amount), RequestError::AmountRequired("pay"));
    assert!(matches!(
        invalid(Request::pay(100, EUR).with_tag(tags::CB, "5")),
        RequestError::Record(_)
    ));
    assert!(Currency::parse("EURO").is_err());
    assert!(Request::pay_decimal("12.345", EUR).is_err());
    // Nothing reached the terminal.
    assert!(sim.journal().is_empty());
}
