//! Log lines, wire trace included, never carry a full card number — neither
//! the client's nor the simulator's. Its own test binary: the logger is
//! process-wide. Its V2 half runs over a pseudo-terminal pair: Unix only.
#![cfg(unix)]

mod common;

use std::sync::Mutex;

use common::{pty_sim, pty_terminal, tcp_sim, tcp_terminal};
use concert_core::currency::EUR;
use concert_core::sim::{DEFAULT_CARD_NUMBER, SimProtocol};
use concert_core::terminal::{Protocol, Request, Status};
use concert_core::v3::{ReceiptCopy, ReceiptFormat};

struct Capture(Mutex<Vec<String>>);

impl log::Log for Capture {
    fn enabled(&self, _: &log::Metadata<'_>) -> bool {
        true
    }
    fn log(&self, record: &log::Record<'_>) {
        let line = format!("{} {}", record.target(), record.args());
        self.0.lock().unwrap().push(line);
    }
    fn flush(&self) {}
}

static LOGS: Capture = Capture(Mutex::new(Vec::new()));

#[test]
fn logs_and_wire_trace_mask_card_numbers() {
    log::set_logger(&LOGS).unwrap();
    log::set_max_level(log::LevelFilter::Trace);

    let sim = pty_sim(SimProtocol::V2, |_| {});
    let terminal = pty_terminal(&sim, Protocol::V2EPlus);
    assert_eq!(terminal.pay(5510, EUR).unwrap().status, Status::Approved);

    let sim = tcp_sim(|_| {});
    let terminal = tcp_terminal(&sim);
    let request = Request::pay(1250, EUR).with_receipt(ReceiptCopy::Customer, ReceiptFormat::Text);
    assert_eq!(
        terminal.transact(&request).unwrap().status,
        Status::Approved
    );

    let logs = LOGS.0.lock().unwrap();
    let wire: Vec<&String> = logs
        .iter()
        .filter(|l| l.starts_with("concert::wire"))
        .collect();
    assert!(wire.len() >= 4, "wire trace on: {wire:?}");
    assert!(
        logs.iter().any(|l| l.contains("497010######7894")),
        "masked card logged"
    );
    // The simulator's exchange log masks the card, not the amount: the V2
    // request (POS 01, 55.10, full answer, card, debit, EUR) stays readable.
    assert!(
        logs.iter()
            .any(|l| l.contains("sim:") && l.contains("request 0100005510110978")),
        "V2 request logged readable: {logs:?}"
    );
    for line in logs.iter() {
        assert!(
            !line.contains(DEFAULT_CARD_NUMBER),
            "card number leaked: {line}"
        );
        // The trace also shows hex: the PAN's ASCII must not appear there.
        let hex: String = DEFAULT_CARD_NUMBER
            .bytes()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert!(!line.contains(&hex), "card number leaked in hex: {line}");
    }
}
