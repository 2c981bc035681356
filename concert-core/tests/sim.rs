//! The terminal simulator through its public API, with clients written the
//! way cash registers write them: a plain TCP socket, a serial port opened
//! by path.

use std::io::{ErrorKind, Read, Write};
use std::net::{IpAddr, Ipv4Addr, TcpStream};
use std::sync::mpsc;
use std::time::{Duration, Instant};

#[cfg(unix)]
use concert_core::frame::{ACK, ENQ, EOT, ETX, Lrc, NAK, STX, encode_frame};
#[cfg(unix)]
use concert_core::link::{Exchange, LinkConfig};
#[cfg(unix)]
use concert_core::sim::SimTransport;
use concert_core::sim::{Faults, JournalEntry, Script, SimProtocol, Simulator, SimulatorConfig};
use concert_core::v3::{ActionStatus, Message, Reason};

const TIMEOUT: Duration = Duration::from_secs(5);
const DEBIT: &[u8] = b"CZ0040300CJ012247300123456CA00201CB0041250CD0010CE003978";
const PAN: &str = "4970101234567894";

fn start(config: SimulatorConfig) -> Simulator {
    Simulator::start(config).expect("simulator starts")
}

/// What a public till does: connect, write the request, read until the
/// terminal closes.
fn till(sim: &Simulator, request: &[u8]) -> std::io::Result<Vec<u8>> {
    let addr = sim.tcp_addr().expect("TCP simulator");
    let mut stream = TcpStream::connect_timeout(&addr, TIMEOUT)?;
    stream.set_read_timeout(Some(TIMEOUT))?;
    stream.set_write_timeout(Some(TIMEOUT))?;
    stream.write_all(request)?;
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer)?;
    Ok(answer)
}

#[test]
fn tcp_approve() {
    let sim = start(SimulatorConfig::default());
    let answer = till(&sim, DEBIT).unwrap();
    let m = Message::decode(&answer).unwrap();
    assert_eq!(m.action_status(), Some(ActionStatus::Done));
    assert_eq!(m.amount(), Some(1250));
    assert_eq!(m.pos_number(), Some(1));
    assert_eq!(m.cash_register_id().as_deref(), Some("247300123456"));
    assert_eq!(m.card_number().as_deref(), Some("497010######7894"));
    assert!(!String::from_utf8_lossy(&answer).contains(PAN));
    let journal = sim.journal();
    assert_eq!(journal.len(), 1);
    assert_eq!(journal[0].request, DEBIT);
    assert_eq!(journal[0].answer.as_deref(), Some(&answer[..]));
    assert!(
        journal[0].peer.starts_with("127.0.0.1:"),
        "{}",
        journal[0].peer
    );
    assert!(journal[0].note.contains("approve"), "{}", journal[0].note);
    sim.stop();
}

#[test]
fn tcp_scripts_run_in_order() {
    let sim = start(SimulatorConfig::default());
    sim.push_script(Script::Decline(Reason::Refused));
    sim.push_script(Script::Partial(1000));
    let first = till(&sim, DEBIT).unwrap();
    assert_eq!(
        Message::decode(&first).unwrap().reason(),
        Some(Reason::Refused)
    );
    let second = till(&sim, DEBIT).unwrap();
    assert_eq!(Message::decode(&second).unwrap().amount(), Some(1000));
    sim.set_default_script(Script::Abandon);
    let third = till(&sim, DEBIT).unwrap();
    assert_eq!(
        Message::decode(&third).unwrap().reason(),
        Some(Reason::Abandoned)
    );
    // Status recovers the last result.
    let status = till(
        &sim,
        b"CZ0040300CJ012247300123456CA00201CB00200CD001TCE003978",
    )
    .unwrap();
    let status = Message::decode(&status).unwrap();
    assert_eq!(status.reason(), Some(Reason::Abandoned));
    assert_eq!(status.get(concert_core::v3::tags::CD), Some(&b"T"[..]));
}

#[test]
fn tcp_whitelist_refuses_others() {
    let sim = start({
        let mut v = SimulatorConfig::default();
        v.allow = vec![IpAddr::V4(Ipv4Addr::new(10, 9, 9, 9))];
        v
    });
    // The terminal closes at once: either an empty read or a reset.
    match till(&sim, DEBIT) {
        Ok(answer) => assert!(answer.is_empty(), "{answer:?}"),
        Err(e) => assert!(
            matches!(
                e.kind(),
                ErrorKind::ConnectionReset | ErrorKind::ConnectionAborted | ErrorKind::BrokenPipe
            ),
            "{e}"
        ),
    }
    assert!(sim.wait_for_requests(1, TIMEOUT));
    let journal = sim.journal();
    assert_eq!(journal.len(), 1);
    assert_eq!(journal[0].note, "refused: not in whitelist");
    assert!(journal[0].request.is_empty());
    assert_eq!(journal[0].answer, None);
}

#[test]
fn tcp_split_writes_give_the_same_bytes() {
    let plain = start(SimulatorConfig::default());
    let split = start({
        let mut v = SimulatorConfig::default();
        v.faults = {
            let mut v = Faults::default();
            v.split_writes = true;
            v
        };
        v
    });
    let expected = till(&plain, DEBIT).unwrap();
    let got = till(&split, DEBIT).unwrap();
    assert_eq!(got, expected);
}

#[test]
fn tcp_close_mid_answer_truncates() {
    let plain = start(SimulatorConfig::default());
    let cut = start({
        let mut v = SimulatorConfig::default();
        v.faults = {
            let mut v = Faults::default();
            v.close_mid_answer = true;
            v
        };
        v
    });
    let full = till(&plain, DEBIT).unwrap();
    let half = till(&cut, DEBIT).unwrap();
    assert!(!half.is_empty() && half.len() < full.len());
    assert!(full.starts_with(&half));
    assert!(Message::decode(&half).is_err());
    assert!(cut.journal()[0].note.contains("closed mid-answer"));
}

#[test]
fn tcp_long_answer_with_ticket() {
    let sim = start({
        let mut v = SimulatorConfig::default();
        v.receipt_text = Some("LIGNE DE TICKET DE TEST\n".repeat(30));
        v
    });
    let mut request = DEBIT.to_vec();
    request.extend_from_slice(b"CK003100");
    let answer = till(&sim, &request).unwrap();
    assert!(answer.len() > 1024, "{}", answer.len());
    let receipt = Message::decode(&answer)
        .unwrap()
        .receipt()
        .unwrap()
        .unwrap();
    assert!(receipt.text.starts_with("LIGNE DE TICKET DE TEST\n"));
}

#[test]
fn tcp_second_transaction_while_busy() {
    let sim = start({
        let mut v = SimulatorConfig::default();
        v.answer_delay = Duration::from_secs(2);
        v
    });
    let (tx, rx) = mpsc::channel();
    std::thread::scope(|s| {
        s.spawn(|| tx.send(till(&sim, DEBIT)).unwrap());
        // The first transaction is running once it is journaled.
        assert!(sim.wait_for_requests(1, TIMEOUT));
        let busy = till(&sim, DEBIT).unwrap();
        let busy = Message::decode(&busy).unwrap();
        assert_eq!(busy.action_status(), Some(ActionStatus::NotDone));
        assert_eq!(busy.reason(), Some(Reason::NotCompleted));
        // Identification is answered even while busy.
        let ident = till(&sim, b"CZ0040300CJ012247300123456CA00201CD001ICE003978").unwrap();
        assert_eq!(
            Message::decode(&ident).unwrap().action_status(),
            Some(ActionStatus::Done)
        );
        let first = rx.recv_timeout(TIMEOUT).unwrap().unwrap();
        assert_eq!(
            Message::decode(&first).unwrap().action_status(),
            Some(ActionStatus::Done)
        );
    });
    let notes: Vec<String> = sim
        .journal()
        .into_iter()
        .map(|e: JournalEntry| e.note)
        .collect();
    assert!(notes[1].starts_with("busy"), "{notes:?}");
}

#[test]
fn stop_is_prompt_even_with_a_client_waiting() {
    let sim = start({
        let mut v = SimulatorConfig::default();
        v.faults = {
            let mut v = Faults::default();
            v.never_answer = true;
            v
        };
        v
    });
    let addr = sim.tcp_addr().unwrap();
    let mut stream = TcpStream::connect_timeout(&addr, TIMEOUT).unwrap();
    stream.set_read_timeout(Some(TIMEOUT)).unwrap();
    stream.write_all(DEBIT).unwrap();
    assert!(sim.wait_for_requests(1, TIMEOUT));
    let started = Instant::now();
    sim.stop();
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "{:?}",
        started.elapsed()
    );
    let mut rest = Vec::new();
    let _ = stream.read_to_end(&mut rest);
    assert!(rest.is_empty());
}

#[test]
fn config_errors() {
    let v2_tcp = {
        let mut v = SimulatorConfig::default();
        v.protocol = SimProtocol::V2;
        v
    };
    assert!(Simulator::start(v2_tcp).is_err());
    let bad_card = {
        let mut v = SimulatorConfig::default();
        v.card_number = "4970-1012".into();
        v
    };
    assert!(Simulator::start(bad_card).is_err());
}

// ---- serial (pty) ----
// Pseudo-terminal pairs exist on Unix only: these tests are built there.

#[cfg(unix)]
fn open(sim: &Simulator) -> Box<dyn serialport::SerialPort> {
    let path = sim.pty_path().expect("pty simulator");
    serialport::new(path.to_string_lossy(), 9600)
        .timeout(Duration::from_millis(100))
        .open()
        .expect("the pty opens")
}

/// Reads exactly `n` bytes within [`TIMEOUT`].
#[cfg(unix)]
fn read_n(port: &mut dyn serialport::SerialPort, n: usize) -> Vec<u8> {
    let deadline = Instant::now() + TIMEOUT;
    let mut out = Vec::new();
    let mut buf = [0u8; 256];
    while out.len() < n {
        assert!(Instant::now() < deadline, "timed out; got {out:02x?}");
        match port.read(&mut buf[..n - out.len()]) {
            Ok(k) => out.extend_from_slice(&buf[..k]),
            Err(e) if e.kind() == ErrorKind::TimedOut => {}
            Err(e) => panic!("read failed: {e}"),
        }
    }
    out
}

#[cfg(unix)]
fn pty(protocol: SimProtocol, faults: Faults) -> Simulator {
    start({
        let mut v = SimulatorConfig::default();
        v.transport = SimTransport::Pty;
        v.protocol = protocol;
        v.faults = faults;
        v
    })
}

/// The cash register's session, then the terminal's, byte by byte.
#[cfg(unix)]
fn v2_by_hand(port: &mut dyn serialport::SerialPort, request: &[u8], answer_len: usize) -> Vec<u8> {
    port.write_all(&[ENQ]).unwrap();
    assert_eq!(read_n(port, 1), [ACK]);
    port.write_all(&encode_frame(request)).unwrap();
    assert_eq!(read_n(port, 1), [ACK]);
    port.write_all(&[EOT]).unwrap();
    assert_eq!(read_n(port, 1), [ENQ]);
    port.write_all(&[ACK]).unwrap();
    let frame = read_n(port, answer_len + 3);
    assert_eq!(frame[0], STX);
    assert_eq!(frame[answer_len + 1], ETX);
    // The LRC is the byte after ETX, whatever its value.
    let payload = &frame[1..=answer_len];
    assert_eq!(frame[answer_len + 2], Lrc::of_payload(payload).0);
    port.write_all(&[ACK]).unwrap();
    assert_eq!(read_n(port, 1), [EOT]);
    payload.to_vec()
}

#[cfg(unix)]
#[test]
fn v2_over_pty() {
    let sim = pty(SimProtocol::V2, Faults::default());
    let mut port = open(&sim);
    let answer = v2_by_hand(port.as_mut(), b"0100005510110978REF0000042A010B010", 80);
    assert_eq!(&answer[..12], b"010000055101");
    assert_eq!(
        &answer[12..28],
        PAN.as_bytes(),
        "REP unmasked, as old terminals send it"
    );
    assert_eq!(&answer[67..], b"978REF0000042");
    let short = v2_by_hand(port.as_mut(), b"0100009110010978          A010B010", 25);
    assert_eq!(short, b"010000091101978          ");
    let immediate = v2_by_hand(port.as_mut(), b"0100001242010978          A011B010", 25);
    assert_eq!(immediate[2], b'9');
    let journal = sim.journal();
    assert_eq!(journal.len(), 3);
    let logged = journal[0].answer.as_deref().unwrap();
    assert_eq!(
        &logged[12..28],
        b"497010######7894",
        "the journal masks REP"
    );
    assert_eq!(journal[0].peer, sim.pty_path().unwrap().to_string_lossy());
}

#[cfg(unix)]
#[test]
fn v2_over_pty_nak_fault_and_reopen() {
    let sim = pty(SimProtocol::V2, {
        let mut v = Faults::default();
        v.nak_first_frames = 1;
        v
    });
    let request = b"0100009110010978          A010B010";
    {
        let mut port = open(&sim);
        port.write_all(&[ENQ]).unwrap();
        assert_eq!(read_n(port.as_mut(), 1), [ACK]);
        port.write_all(&encode_frame(request)).unwrap();
        assert_eq!(
            read_n(port.as_mut(), 1),
            [NAK],
            "first frame refused on purpose"
        );
        port.write_all(&encode_frame(request)).unwrap();
        assert_eq!(read_n(port.as_mut(), 1), [ACK]);
        port.write_all(&[EOT]).unwrap();
        assert_eq!(read_n(port.as_mut(), 1), [ENQ]);
        port.write_all(&[ACK]).unwrap();
        let frame = read_n(port.as_mut(), 28);
        assert_eq!(&frame[1..26], b"010000091101978          ");
        port.write_all(&[ACK]).unwrap();
        assert_eq!(read_n(port.as_mut(), 1), [EOT]);
    }
    // The port closed; a new client opens the same path, and the NAK
    // budget is spent.
    let mut port = open(&sim);
    let answer = v2_by_hand(port.as_mut(), request, 25);
    assert_eq!(answer[2], b'0');
}

/// Drives the crate's own link machine as a client would.
#[cfg(unix)]
fn v3_exchange(port: &mut dyn serialport::SerialPort, request: &[u8]) -> Vec<u8> {
    // A short ACK timeout: the simulator may skip its final EOT.
    let config = {
        let mut v = LinkConfig::default();
        v.ack_timeout = Duration::from_millis(300);
        v
    };
    let mut exchange = Exchange::new(request, &config, true, Instant::now()).unwrap();
    let deadline = Instant::now() + TIMEOUT;
    let mut buf = [0u8; 256];
    loop {
        assert!(Instant::now() < deadline, "exchange timed out");
        while let Some(bytes) = exchange.poll_transmit(Instant::now()) {
            port.write_all(&bytes).unwrap();
        }
        while exchange.poll_event().is_some() {}
        if let Some(result) = exchange.result() {
            return result.unwrap().expect("an answer");
        }
        let now = Instant::now();
        if exchange.poll_timeout().is_some_and(|t| t <= now) {
            exchange.handle_timeout(now);
            continue;
        }
        match port.read(&mut buf) {
            Ok(n) => exchange.handle_input(&buf[..n], Instant::now()),
            Err(e) if e.kind() == ErrorKind::TimedOut => {}
            Err(e) => panic!("read failed: {e}"),
        }
    }
}

#[cfg(unix)]
#[test]
fn v3_over_pty_with_faults() {
    let sim = pty(SimProtocol::V3, {
        let mut v = Faults::default();
        v.corrupt_lrc_first = 1;
        v.stray_bytes = vec![0x00, 0xff];
        v.split_writes = true;
        v.skip_final_eot = true;
        v
    });
    let mut port = open(&sim);
    let answer = v3_exchange(port.as_mut(), DEBIT);
    let m = Message::decode(&answer).unwrap();
    assert_eq!(m.action_status(), Some(ActionStatus::Done));
    assert_eq!(m.card_number().as_deref(), Some("497010######7894"));
    let ident = v3_exchange(
        port.as_mut(),
        b"CZ0040301CJ012330538600404CA00201CD001ICE003978",
    );
    assert_eq!(ident, b"CZ0040301CJ012330538600404CA00201CD001IAE00210");
}

#[cfg(unix)]
#[test]
fn v3_over_pty_sends_long_tickets_whole() {
    // A real terminal does not edit its answer to fit a serial frame: the
    // answer goes out in one frame longer than 512 characters, ticket and
    // all; refusing it is the cash register's business.
    let text = "LIGNE DE TICKET DE TEST\n".repeat(30);
    let sim = start({
        let mut v = SimulatorConfig::default();
        v.transport = SimTransport::Pty;
        v.receipt_text = Some(text.clone());
        v
    });
    let mut port = open(&sim);
    let mut request = DEBIT.to_vec();
    request.extend_from_slice(b"CK003100");
    port.write_all(&[ENQ]).unwrap();
    assert_eq!(read_n(port.as_mut(), 1), [ACK]);
    port.write_all(&encode_frame(&request)).unwrap();
    assert_eq!(read_n(port.as_mut(), 1), [ACK]);
    port.write_all(&[EOT]).unwrap();
    assert_eq!(read_n(port.as_mut(), 1), [ENQ]);
    port.write_all(&[ACK]).unwrap();
    let mut frame = read_n(port.as_mut(), 1);
    while frame.len() < 2 || frame[frame.len() - 2] != ETX {
        frame.extend(read_n(port.as_mut(), 1));
    }
    let payload = &frame[1..frame.len() - 2];
    assert!(payload.len() > 512, "{}", payload.len());
    port.write_all(&[ACK]).unwrap();
    assert_eq!(read_n(port.as_mut(), 1), [EOT]);
    let m = Message::decode(payload).unwrap();
    assert_eq!(m.action_status(), Some(ActionStatus::Done));
    assert_eq!(m.receipt().unwrap().unwrap().text, text);
}

#[cfg(unix)]
#[test]
fn pty_close_mid_answer_goes_silent() {
    let sim = pty(SimProtocol::V2, {
        let mut v = Faults::default();
        v.close_mid_answer = true;
        v
    });
    let mut port = open(&sim);
    port.write_all(&[ENQ]).unwrap();
    assert_eq!(read_n(port.as_mut(), 1), [ACK]);
    port.write_all(&encode_frame(b"0100009110010978          A010B010"))
        .unwrap();
    assert_eq!(read_n(port.as_mut(), 1), [ACK]);
    port.write_all(&[EOT]).unwrap();
    assert_eq!(read_n(port.as_mut(), 1), [ENQ]);
    port.write_all(&[ACK]).unwrap();
    let half = read_n(port.as_mut(), 14);
    assert_eq!(half[0], STX);
    // Then nothing more.
    let mut buf = [0u8; 64];
    port.set_timeout(Duration::from_millis(300)).unwrap();
    assert!(matches!(port.read(&mut buf), Err(e) if e.kind() == ErrorKind::TimedOut));
}

#[cfg(unix)]
#[test]
fn pty_serves_shared_then_exclusive_clients() {
    let sim = pty(SimProtocol::V2, Faults::default());
    let path = sim.pty_path().unwrap();
    let request = b"0100009110010978          A010B010";
    {
        let mut shared = serialport::new(path.to_string_lossy(), 9600)
            .timeout(Duration::from_millis(100))
            .exclusive(false)
            .open()
            .unwrap();
        assert_eq!(v2_by_hand(shared.as_mut(), request, 25)[2], b'0');
    }
    for _ in 0..2 {
        let mut port = open(&sim);
        assert_eq!(v2_by_hand(port.as_mut(), request, 25)[2], b'0');
    }
}

#[test]
fn simulator_is_send_and_sync() {
    fn check<T: Send + Sync>() {}
    check::<Simulator>();
}

#[cfg(unix)]
#[test]
fn pty_never_answer_still_acknowledges_and_stops_promptly() {
    let sim = start({
        let mut v = SimulatorConfig::default();
        v.transport = SimTransport::Pty;
        v.protocol = SimProtocol::V2;
        v.answer_delay = Duration::from_secs(60);
        v.faults = {
            let mut v = Faults::default();
            v.never_answer = true;
            v
        };
        v
    });
    let mut port = open(&sim);
    port.write_all(&[ENQ]).unwrap();
    assert_eq!(read_n(port.as_mut(), 1), [ACK]);
    port.write_all(&encode_frame(b"0100009110010978          A010B010"))
        .unwrap();
    assert_eq!(read_n(port.as_mut(), 1), [ACK]);
    port.write_all(&[EOT]).unwrap();
    assert!(sim.wait_for_requests(1, TIMEOUT));
    assert!(sim.journal()[0].note.contains("never answered"));
    let started = Instant::now();
    sim.stop();
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "{:?}",
        started.elapsed()
    );
}
