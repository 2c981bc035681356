//! The simulator behaves like a real terminal: it refuses what one
//! refuses, is busy for every connection while a transaction runs, keeps
//! the serial line on an ENQ collision, stays silent to ENQ while busy
//! (V2), and holds its resources (journal, idle and dripping connections).

use std::io::{ErrorKind, Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use concert_core::frame::{ACK, ENQ, EOT, ETX, STX, encode_frame};
use concert_core::sim::{
    AnswerFaults, PaymentType, SimLimits, SimProtocol, SimTransport, Simulator, SimulatorConfig,
};
use concert_core::v3::tags::{AF, CC, CG, CI};
use concert_core::v3::{ActionStatus, Message, Reason};

const TIMEOUT: Duration = Duration::from_secs(5);
const DEBIT: &[u8] = b"CZ0040300CJ012247300123456CA00201CB0041250CD0010CE003978";

fn start(config: SimulatorConfig) -> Simulator {
    Simulator::start(config).expect("simulator starts")
}

fn connect(sim: &Simulator) -> TcpStream {
    let stream = TcpStream::connect_timeout(&sim.tcp_addr().unwrap(), TIMEOUT).unwrap();
    stream.set_read_timeout(Some(TIMEOUT)).unwrap();
    stream.set_write_timeout(Some(TIMEOUT)).unwrap();
    stream
}

fn till(sim: &Simulator, request: &[u8]) -> Vec<u8> {
    let mut stream = connect(sim);
    stream.write_all(request).unwrap();
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).unwrap();
    answer
}

#[test]
fn tcp_refusals_of_a_real_terminal() {
    let sim = start(SimulatorConfig::default());
    for request in [
        &b"CZ0040300CJ012247300123456CA00201CB0131234567890123CD0010CE003978"[..],
        b"CZ0040300CJ012247300123456CA00200CB0041250CD0010CE003978",
        b"CZ0040300CJ012247300123456CA00201CB00200CD0010CE003978",
        b"CZ0040300CJ012247300123456CA0011CB0041250CD0010CE003978",
        b"CZ0040300CJ012247300123456CA00201CD001TCE003978",
    ] {
        let answer = till(&sim, request);
        let m = Message::decode(&answer).unwrap();
        assert_eq!(m.action_status(), Some(ActionStatus::NotDone));
        assert_eq!(m.reason(), Some(Reason::BadFormat), "{answer:?}");
    }
    // Status carrying CB, as every non-identification request must, is
    // served.
    let answer = till(
        &sim,
        b"CZ0040300CJ012247300123456CA00201CB00200CD001TCE003978",
    );
    assert_eq!(Message::decode(&answer).unwrap().get(AF), Some(&b"07"[..]));
}

#[test]
fn busy_for_every_connection_while_a_transaction_runs() {
    let sim = start({
        let mut v = SimulatorConfig::default();
        v.answer_delay = Duration::from_secs(30);
        v
    });
    let mut first = connect(&sim);
    first.write_all(DEBIT).unwrap();
    assert!(sim.wait_for_requests(1, TIMEOUT));
    for _ in 0..3 {
        let answer = till(&sim, DEBIT);
        let m = Message::decode(&answer).unwrap();
        assert_eq!(m.reason(), Some(Reason::NotCompleted), "busy");
    }
    let notes: Vec<String> = sim.journal().into_iter().map(|e| e.note).collect();
    assert_eq!(
        notes[1..],
        ["busy; answered", "busy; answered", "busy; answered"]
    );
    drop(first);
    sim.stop();
}

#[test]
fn payment_type_and_seller_contract() {
    let sim = start({
        let mut v = SimulatorConfig::default();
        v.payment_type = "cb contactless".parse().unwrap();
        v.contract = "424242".into();
        v
    });
    let m_bytes = till(&sim, DEBIT);
    let m = Message::decode(&m_bytes).unwrap();
    assert_eq!(m.get(CC), Some(&b"00B"[..]));
    assert_eq!(m.get(CI), Some(&b"2"[..]));
    assert_eq!(m.get(CG), Some(&b"424242"[..]));
    assert_eq!(
        "amexcontact".parse::<PaymentType>(),
        Ok(PaymentType::AmexContact)
    );
    assert!("visa".parse::<PaymentType>().is_err());
    let bad = {
        let mut v = SimulatorConfig::default();
        v.contract = "12345678901".into();
        v
    };
    assert!(Simulator::start(bad).is_err());
}

#[test]
fn keep_open_after_answering() {
    let sim = start({
        let mut v = SimulatorConfig::default();
        v.answer_faults = {
            let mut v = AnswerFaults::default();
            v.keep_open_after_answer = true;
            v
        };
        v
    });
    let mut stream = connect(&sim);
    stream.write_all(DEBIT).unwrap();
    assert!(sim.wait_for_journal(TIMEOUT, |j| {
        j.first().is_some_and(|e| e.note.ends_with("answered"))
    }));
    let expected = sim.journal()[0].answer.clone().unwrap();
    let mut answer = vec![0u8; expected.len()];
    stream.read_exact(&mut answer).unwrap();
    assert_eq!(answer, expected);
    // Still open: a read waits rather than seeing the end.
    stream
        .set_read_timeout(Some(Duration::from_millis(300)))
        .unwrap();
    let mut more = [0u8; 8];
    let err = stream.read(&mut more).unwrap_err();
    assert!(
        matches!(err.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut),
        "{err}"
    );
}

#[test]
fn the_journal_is_capped_and_counts_what_it_dropped() {
    let sim = start({
        let mut v = SimulatorConfig::default();
        v.limits = SimLimits {
            journal_entries: 5,
            ..SimLimits::default()
        };
        v
    });
    for _ in 0..8 {
        till(&sim, DEBIT);
    }
    assert!(sim.wait_for_requests(8, TIMEOUT));
    assert_eq!(sim.journal().len(), 5);
    assert_eq!(sim.journal_dropped(), 3);
    assert_eq!(sim.journal_total(), 8);
}

#[test]
fn a_connection_dripping_bytes_is_closed_at_the_idle_limit() {
    let idle = Duration::from_millis(600);
    let sim = start({
        let mut v = SimulatorConfig::default();
        v.limits = SimLimits {
            idle,
            ..SimLimits::default()
        };
        v
    });
    let mut stream = connect(&sim);
    stream
        .set_read_timeout(Some(Duration::from_millis(1)))
        .unwrap();
    let started = Instant::now();
    // A record that cannot complete before the idle limit (999 characters
    // at one every 5 ms), never a pause long enough to look finished.
    let drip = b"CF999".iter().chain(std::iter::repeat(&b'x'));
    let mut ended = None;
    for byte in drip {
        assert!(started.elapsed() < TIMEOUT, "never closed");
        if stream.write_all(&[*byte]).is_err() {
            ended = Some(started.elapsed());
            break;
        }
        let mut buf = [0u8; 256];
        match stream.read(&mut buf) {
            Ok(_) => {
                ended = Some(started.elapsed());
                break;
            }
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {}
            Err(_) => {
                ended = Some(started.elapsed());
                break;
            }
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    let ended = ended.unwrap();
    assert!(ended >= idle && ended < idle * 3, "{ended:?}");
}

#[test]
fn a_ticket_with_accents_and_the_euro_comes_back_exact() {
    use concert_core::currency::EUR;
    use concert_core::terminal::{Request, Status, Terminal, TerminalConfig};
    use concert_core::v3::{ReceiptCopy, ReceiptFormat};
    let text = "à bientôt\n12,50 €";
    let sim = start({
        let mut v = SimulatorConfig::default();
        v.receipt_text = Some(text.to_owned());
        v
    });
    let addr = sim.tcp_addr().unwrap();
    let terminal = Terminal::new(TerminalConfig::tcp(addr.ip().to_string(), addr.port())).unwrap();
    for copy in [ReceiptCopy::Customer, ReceiptCopy::Both] {
        let request = Request::pay(1250, EUR).with_receipt(copy, ReceiptFormat::Text);
        let outcome = terminal.transact(&request).unwrap();
        assert_eq!(outcome.status, Status::Approved);
        assert_eq!(outcome.receipt.as_ref().unwrap().text, text);
        let expected = if copy == ReceiptCopy::Both { 2 } else { 1 };
        assert_eq!(outcome.receipts.len(), expected);
        assert!(outcome.receipts.iter().all(|r| r.text == text));
    }
    // A cheque: approved, no card fields.
    let cheque =
        Request::pay(1250, EUR).with_application(concert_core::terminal::Application::Cheque);
    let outcome = terminal.transact(&cheque).unwrap();
    assert_eq!(outcome.status, Status::Approved, "{}", outcome.reason);
    assert_eq!(outcome.card_number, None);
    assert_eq!(outcome.authorization_number, None);
    assert_eq!(outcome.application.map(|a| a.code).as_deref(), Some("00C"));
}

/// Serial (pseudo-terminal pairs exist on Unix only).
#[cfg(unix)]
mod serial {
    use super::*;

    fn open(sim: &Simulator) -> Box<dyn serialport::SerialPort> {
        let path = sim.pty_path().expect("pty simulator");
        serialport::new(path.to_string_lossy(), 9600)
            .timeout(Duration::from_millis(50))
            .open()
            .expect("the pty opens")
    }

    /// Reads what arrives until `until` holds for it or `within` passes.
    fn read_until(
        port: &mut dyn serialport::SerialPort,
        within: Duration,
        until: impl Fn(&[u8]) -> bool,
    ) -> Vec<u8> {
        let deadline = Instant::now() + within;
        let mut out = Vec::new();
        let mut buf = [0u8; 1024];
        while !until(&out) && Instant::now() < deadline {
            match port.read(&mut buf) {
                Ok(k) => out.extend_from_slice(&buf[..k]),
                Err(e) if e.kind() == ErrorKind::TimedOut => {}
                Err(e) => panic!("read failed: {e}"),
            }
        }
        out
    }

    fn send_request(port: &mut dyn serialport::SerialPort, request: &[u8]) {
        port.write_all(&[ENQ]).unwrap();
        assert_eq!(read_until(port, TIMEOUT, |b| !b.is_empty()), [ACK]);
        port.write_all(&encode_frame(request)).unwrap();
        assert_eq!(read_until(port, TIMEOUT, |b| !b.is_empty()), [ACK]);
        port.write_all(&[EOT]).unwrap();
    }

    #[test]
    fn serial_the_terminal_keeps_the_line_on_an_enq_collision() {
        let sim = start({
            let mut v = SimulatorConfig::default();
            v.transport = SimTransport::Pty;
            v
        });
        let mut port = open(&sim);
        send_request(port.as_mut(), DEBIT);
        let got = read_until(port.as_mut(), TIMEOUT, |b| !b.is_empty());
        assert_eq!(got, [ENQ], "the terminal asks for the line");
        // The cash register asks for it too, instead of answering ACK.
        port.write_all(&[ENQ]).unwrap();
        // No ACK: the terminal keeps the line and waits for the cash register
        // to yield.
        let more = read_until(port.as_mut(), Duration::from_millis(300), |b| !b.is_empty());
        assert!(more.is_empty(), "{more:02x?}");
        port.write_all(&[ACK]).unwrap();
        let frame = read_until(port.as_mut(), TIMEOUT, |b| {
            b.len() >= 2 && b[b.len() - 2] == ETX
        });
        assert_eq!(frame[0], STX);
        port.write_all(&[ACK]).unwrap();
        let m = Message::decode(&frame[1..frame.len() - 2]).unwrap();
        assert_eq!(m.action_status(), Some(ActionStatus::Done));
    }

    #[test]
    fn serial_v2_busy_does_not_acknowledge_enq() {
        use concert_core::link::LinkConfig;
        let link = {
            let mut v = LinkConfig::default();
            v.ack_timeout = Duration::from_millis(200);
            v.enq_retry_pause = Duration::from_millis(100);
            v
        };
        let delay = Duration::from_millis(1000);
        let sim = start({
            let mut v = SimulatorConfig::default();
            v.transport = SimTransport::Pty;
            v.protocol = SimProtocol::V2;
            v.answer_delay = delay;
            v.link = link;
            v
        });
        let mut port = open(&sim);
        // An immediate answer (A011): status 9 at once, the payment runs on.
        let started = Instant::now();
        send_request(port.as_mut(), b"0100001242010978          A011B010");
        assert_eq!(read_until(port.as_mut(), TIMEOUT, |b| !b.is_empty()), [ENQ]);
        port.write_all(&[ACK]).unwrap();
        let frame = read_until(port.as_mut(), TIMEOUT, |b| b.len() >= 28);
        assert_eq!(frame[3], b'9');
        port.write_all(&[ACK]).unwrap();
        assert_eq!(read_until(port.as_mut(), TIMEOUT, |b| !b.is_empty()), [EOT]);
        port.write_all(&[ENQ]).unwrap();
        let silence = read_until(port.as_mut(), Duration::from_millis(250), |b| !b.is_empty());
        assert!(
            silence.is_empty(),
            "a busy terminal does not answer: {silence:02x?}"
        );
        port.write_all(&[EOT]).unwrap();
        assert!(
            started.elapsed() < delay,
            "the check ran while the payment ran"
        );
        let notes: Vec<String> = sim.journal().into_iter().map(|e| e.note).collect();
        assert_eq!(
            notes.last().map(String::as_str),
            Some("busy: ENQ not acknowledged")
        );
        // Once the payment is over (and the line quiet), ENQ is acknowledged.
        let free = started + delay + Duration::from_millis(400);
        std::thread::sleep(free.saturating_duration_since(Instant::now()));
        port.write_all(&[ENQ]).unwrap();
        assert_eq!(read_until(port.as_mut(), TIMEOUT, |b| !b.is_empty()), [ACK]);
    }

    #[test]
    fn serial_v2_busy_script_leaves_enq_unanswered_for_one_session() {
        use concert_core::link::LinkConfig;
        use concert_core::sim::Script;
        let link = {
            let mut v = LinkConfig::default();
            v.ack_timeout = Duration::from_millis(200);
            v.enq_retry_pause = Duration::from_millis(100);
            v
        };
        let sim = start({
            let mut v = SimulatorConfig::default();
            v.transport = SimTransport::Pty;
            v.protocol = SimProtocol::V2;
            v.link = link;
            v
        });
        sim.push_script(Script::Busy);
        let mut port = open(&sim);
        for _ in 0..3 {
            port.write_all(&[ENQ]).unwrap();
            let silence = read_until(port.as_mut(), Duration::from_millis(200), |b| !b.is_empty());
            assert!(silence.is_empty(), "{silence:02x?}");
            port.write_all(&[EOT]).unwrap();
            std::thread::sleep(Duration::from_millis(100));
        }
        assert_eq!(sim.journal()[0].note, "busy (script): ENQ not acknowledged");
        // The cash register gave up; once the line has been quiet for an ACK
        // time-out and a pause, the terminal is free again and approves.
        std::thread::sleep(Duration::from_millis(400));
        send_request(port.as_mut(), b"0100001250010978          A010B010");
        assert_eq!(read_until(port.as_mut(), TIMEOUT, |b| !b.is_empty()), [ENQ]);
        port.write_all(&[ACK]).unwrap();
        let frame = read_until(port.as_mut(), TIMEOUT, |b| b.len() >= 28);
        assert_eq!(frame[3], b'0', "approved");
        port.write_all(&[ACK]).unwrap();
    }
}
