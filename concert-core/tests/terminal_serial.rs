//! The terminal client against the simulator over a pseudo-terminal pair:
//! V2 protocol E and E+, and V3 over the serial link, with line faults.

mod common;

use std::time::Duration;

use common::{pty_sim, pty_terminal};
use concert_core::currency::EUR;
use concert_core::sim::{Script, SimProtocol};
use concert_core::terminal::{Application, Error, Event, Protocol, Request, RequestError, Status};
use concert_core::v2;
use concert_core::v3::{Message, Reason};

#[test]
fn v2_eplus_payment_with_full_answer_masks_the_card() {
    let sim = pty_sim(SimProtocol::V2, |_| {});
    let terminal = pty_terminal(&sim, Protocol::V2EPlus);
    let outcome = terminal
        .transact(&Request::pay(5510, EUR).with_private_data("TICKET0042"))
        .unwrap();
    assert_eq!(outcome.status, Status::Approved, "{}", outcome.reason);
    assert_eq!(outcome.amount, Some(5510));
    assert_eq!(outcome.card_number.as_deref(), Some("497010######7894"));
    assert_eq!(outcome.private_data.as_deref(), Some("TICKET0042"));
    assert!(
        outcome.echo_mismatches.is_empty(),
        "{:?}",
        outcome.echo_mismatches
    );
    assert_eq!(outcome.raw_card_data, None);
    let everything = format!("{outcome:?}");
    assert!(!everything.contains("4970101234567894"), "PAN leaked");
    let sent = v2::Request::decode(&sim.journal()[0].request).unwrap();
    assert_eq!(sent.amount, 5510);
    assert_eq!(sent.transaction_type, v2::TransactionType::Debit);
    assert!(sent.eplus.is_some() && sent.full_answer);
}

#[test]
fn v2_protocol_e_short_answer_and_refusal() {
    let sim = pty_sim(SimProtocol::V2, |_| {});
    let terminal = pty_terminal(&sim, Protocol::V2E);
    let mut request = Request::refund(2690, EUR);
    request.full_answer = false;
    let outcome = terminal.transact(&request).unwrap();
    assert_eq!(outcome.status, Status::Approved);
    assert_eq!(outcome.card_number, None, "short answer carries no REP");
    assert_eq!(sim.journal()[0].request.len(), v2::REQUEST_E_LEN);
    sim.push_script(Script::Decline(Reason::Refused));
    let outcome = terminal.pay(9110, EUR).unwrap();
    assert_eq!(outcome.status, Status::Declined);
    assert_eq!(outcome.reason_code.as_deref(), Some("7"));
}

#[test]
fn v2_cheque_uses_payment_mode_c() {
    let sim = pty_sim(SimProtocol::V2, |_| {});
    let terminal = pty_terminal(&sim, Protocol::V2EPlus);
    let request = Request::pay(1242, EUR).with_application(Application::Cheque);
    let outcome = terminal.transact(&request).unwrap();
    assert_eq!(outcome.status, Status::Approved);
    assert_eq!(outcome.application.unwrap().code, "C");
    let sent = v2::Request::decode(&sim.journal()[0].request).unwrap();
    assert_eq!(sent.payment_mode, v2::PaymentMode::Cheque);
}

#[test]
fn v2_immediate_answer_is_pending() {
    let sim = pty_sim(SimProtocol::V2, |_| {});
    let terminal = pty_terminal(&sim, Protocol::V2EPlus);
    let outcome = terminal
        .transact(&Request::pay(1242, EUR).with_immediate_answer())
        .unwrap();
    assert_eq!(outcome.status, Status::Pending);
    assert_eq!(outcome.reason_code.as_deref(), Some("9"));
}

#[test]
fn v2_identify_is_a_bare_enq_probe() {
    let sim = pty_sim(SimProtocol::V2, |_| {});
    let terminal = pty_terminal(&sim, Protocol::V2EPlus);
    let outcome = terminal.identify().unwrap();
    assert_eq!(outcome.status, Status::Approved);
    assert!(
        sim.journal().is_empty(),
        "no transaction reached the terminal"
    );
}

#[test]
fn v2_refuses_what_it_cannot_carry() {
    let sim = pty_sim(SimProtocol::V2, |_| {});
    let terminal = pty_terminal(&sim, Protocol::V2E);
    let invalid = |request: Request| match terminal.transact(&request) {
        Err(Error::InvalidRequest(e)) => e,
        other => panic!("expected an invalid request, got {other:?}"),
    };
    assert!(matches!(
        invalid(Request::pay(100_000_000, EUR)),
        RequestError::AmountTooLarge {
            max: 99_999_999,
            ..
        }
    ));
    assert!(matches!(
        invalid(Request::pay(100, EUR).with_private_data("ABCDEFGHIJK")),
        RequestError::TooLong { max: 10, .. }
    ));
    assert!(matches!(
        invalid(Request::pay(100, EUR).with_immediate_answer()),
        RequestError::Unsupported { .. }
    ));
    assert!(matches!(
        terminal.status(),
        Err(Error::InvalidRequest(RequestError::Unsupported { .. }))
    ));
}

#[test]
fn v3_over_serial_payment_and_events() {
    let sim = pty_sim(SimProtocol::V3, |_| {});
    let terminal = pty_terminal(&sim, Protocol::v3());
    let pending = terminal.submit(Request::pay(1234, EUR)).unwrap();
    let outcome = pending
        .wait_timeout(Duration::from_secs(10))
        .unwrap()
        .unwrap();
    assert_eq!(outcome.status, Status::Approved, "{}", outcome.reason);
    assert_eq!(outcome.amount, Some(1234));
    let events: Vec<Event> = pending.events().try_iter().collect();
    assert_eq!(
        events,
        vec![
            Event::Connecting,
            Event::Sent,
            Event::Acknowledged,
            Event::WaitingForAnswer,
            Event::AnswerReceived,
            Event::Done(Status::Approved),
        ]
    );
    let journal = sim.journal();
    let sent = Message::decode(&journal[0].request).unwrap();
    assert_eq!(sent.amount(), Some(1234));
}

#[test]
fn v3_over_serial_refuses_messages_over_512_characters() {
    let sim = pty_sim(SimProtocol::V3, |_| {});
    let terminal = pty_terminal(&sim, Protocol::v3());
    let request = Request::pay(100, EUR)
        .with_tag(concert_core::v3::Tag::parse("ID").unwrap(), "x".repeat(500));
    assert!(matches!(
        terminal.transact(&request),
        Err(Error::InvalidRequest(RequestError::TooLongForSerial {
            max: 512,
            ..
        }))
    ));
}

#[test]
fn line_faults_are_survived() {
    type Fault = fn(&mut concert_core::sim::Faults);
    let faults: [(&str, Fault); 5] = [
        ("nak first frame", |f| f.nak_first_frames = 1),
        ("corrupt LRC once", |f| f.corrupt_lrc_first = 1),
        ("stray bytes", |f| f.stray_bytes = vec![0x00, 0xff, b'x']),
        ("byte-by-byte writes", |f| f.split_writes = true),
        ("no final EOT", |f| f.skip_final_eot = true),
    ];
    for (name, fault) in faults {
        let sim = pty_sim(SimProtocol::V2, |c| fault(&mut c.faults));
        let terminal = pty_terminal(&sim, Protocol::V2EPlus);
        let outcome = terminal.pay(1250, EUR).unwrap();
        assert_eq!(
            outcome.status,
            Status::Approved,
            "{name}: {}",
            outcome.reason
        );
        assert_eq!(outcome.amount, Some(1250), "{name}");
        // The line stays usable for the next transaction.
        let again = terminal.pay(300, EUR).unwrap();
        assert_eq!(again.status, Status::Approved, "{name} (second)");
    }
}

#[test]
fn an_answer_cut_mid_frame_is_in_doubt() {
    let sim = pty_sim(SimProtocol::V2, |c| c.faults.close_mid_answer = true);
    let terminal = pty_terminal(&sim, Protocol::V2EPlus);
    let outcome = terminal.pay(1250, EUR).unwrap();
    assert_eq!(outcome.status, Status::InDoubt);
    assert!(outcome.raw_answer.is_some_and(|raw| !raw.is_empty()));
}

#[test]
fn cancelling_while_the_card_holder_pays_is_in_doubt() {
    let sim = pty_sim(SimProtocol::V2, |c| c.faults.never_answer = true);
    let terminal = pty_terminal(&sim, Protocol::V2EPlus);
    let pending = terminal.submit(Request::pay(1250, EUR)).unwrap();
    // Wait for the terminal to have taken the request, then give up.
    loop {
        match pending
            .events()
            .recv_timeout(Duration::from_secs(10))
            .unwrap()
        {
            Event::WaitingForAnswer => break,
            _ => continue,
        }
    }
    pending.cancel();
    let outcome = pending
        .wait_timeout(Duration::from_secs(5))
        .unwrap()
        .unwrap();
    assert_eq!(outcome.status, Status::InDoubt);
}

#[test]
fn a_port_that_does_not_exist_is_a_safe_error() {
    let config = concert_core::terminal::TerminalConfig::serial(
        concert_core::terminal::SerialLine::usb("/dev/does-not-exist-concert"),
        Protocol::V2EPlus,
    );
    let terminal = concert_core::terminal::Terminal::new(config).unwrap();
    let err = terminal.pay(100, EUR).unwrap_err();
    assert!(matches!(err, Error::PortOpen { .. }), "{err}");
}

#[test]
fn close_releases_the_port_for_another_program() {
    let sim = pty_sim(SimProtocol::V2, |_| {});
    let first = pty_terminal(&sim, Protocol::V2EPlus);
    let second = pty_terminal(&sim, Protocol::V2EPlus);
    assert_eq!(first.pay(100, EUR).unwrap().status, Status::Approved);
    // The first till keeps the line open (and locked) between payments.
    assert!(matches!(second.pay(100, EUR), Err(Error::PortOpen { .. })));
    first.close().unwrap();
    assert_eq!(second.pay(200, EUR).unwrap().status, Status::Approved);
    second.close().unwrap();
    // Closing is not final: the next request opens the port again.
    assert_eq!(first.pay(300, EUR).unwrap().status, Status::Approved);
}

#[test]
fn raw_card_data_only_when_asked_for() {
    let sim = pty_sim(SimProtocol::V2, |_| {});
    let path = sim.pty_path().unwrap().to_string_lossy().into_owned();
    let mut config = concert_core::terminal::TerminalConfig::serial(
        concert_core::terminal::SerialLine::rs232(path),
        Protocol::V2EPlus,
    );
    config.link.turnaround = Duration::from_millis(1);
    config.keep_raw_card_data = true;
    let terminal = concert_core::terminal::Terminal::new(config).unwrap();
    let outcome = terminal.pay(100, EUR).unwrap();
    let raw = outcome.raw_card_data.as_deref().expect("asked for");
    assert!(raw.starts_with(concert_core::sim::DEFAULT_CARD_NUMBER));
    assert_eq!(raw.len(), v2::REP_LEN);
    // Display fields stay masked even then.
    assert_eq!(outcome.card_number.as_deref(), Some("497010######7894"));
    assert!(
        outcome
            .record("rep")
            .unwrap()
            .starts_with("497010######7894")
    );
}

/// After an in-doubt outcome the line is kept open to a late answer; once
/// the caller drops the terminal, the port is let go at once.
#[test]
fn dropping_the_terminal_releases_a_line_kept_for_a_late_answer() {
    let sim = pty_sim(SimProtocol::V2, |c| c.faults.never_answer = true);
    let terminal = pty_terminal(&sim, Protocol::V2EPlus);
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
    assert!(terminal.take_late_answers().is_empty());
    drop(terminal);
    // The background thread that ran the payment drops its own handle a
    // moment later: the port is free once both are gone.
    let path = sim.pty_path().unwrap();
    let until = std::time::Instant::now() + Duration::from_secs(2);
    let reopened = loop {
        let attempt = serialport::new(path.to_string_lossy(), 9600).open();
        if attempt.is_ok() || std::time::Instant::now() >= until {
            break attempt;
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    assert!(reopened.is_ok(), "{:?}", reopened.err());
}
