//! Bad bytes from the wire never panic and never turn into a declined
//! payment: decoders return typed errors, and the client reports what it
//! could not understand as in doubt, raw bytes kept.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::thread;
use std::time::Duration;

use concert_core::currency::EUR;
use concert_core::frame::decode_frame;
use concert_core::terminal::{Status, Terminal, TerminalConfig};
use concert_core::v2;
use concert_core::v3::{DecodeOptions, Message};

/// Deterministic xorshift: no dependency, same bytes every run.
struct Noise(u64);

impl Noise {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn bytes(&mut self, len: usize, alphabet: &[u8]) -> Vec<u8> {
        (0..len)
            .map(|_| alphabet[(self.next() % alphabet.len() as u64) as usize])
            .collect()
    }
}

#[test]
fn decoders_never_panic_on_noise() {
    let mut noise = Noise(0x9e37_79b9_7f4a_7c15);
    // Mostly TLV-looking characters so the decoders get deep, plus controls.
    let alphabet = b"CZABEFKTZ0123456789 \x02\x03\x06\xff";
    for round in 0..20_000 {
        let len = (noise.next() % 120) as usize;
        let mut bytes = noise.bytes(len, alphabet);
        if round % 3 == 0 {
            let mut with_version = b"CZ0040300".to_vec();
            with_version.append(&mut bytes);
            bytes = with_version;
        }
        for options in [DecodeOptions::STRICT, DecodeOptions::TOLERANT] {
            if let Ok(m) = Message::decode_with(&bytes, options) {
                // Typed access on whatever parsed must not panic either.
                let _ = (
                    m.amount(),
                    m.action(),
                    m.reason(),
                    m.receipt(),
                    m.read_mode(),
                );
                for r in m.records().iter().filter(|r| r.tag.is_constructed()) {
                    let _ = r.nested(options);
                }
            }
        }
        let _ = v2::Answer::decode(&bytes);
        let _ = v2::Request::decode(&bytes);
        let _ = decode_frame(&bytes);
    }
}

#[test]
fn decode_errors_name_the_offset() {
    let err = Message::decode(b"CZ0040300CB0091250").unwrap_err();
    assert_eq!(err.offset, 11);
    assert!(err.to_string().contains("at byte 11"), "{err}");
}

/// A terminal that answers every connection with `answer`, then closes.
fn fake_terminal(answer: &'static [u8]) -> (Terminal, thread::JoinHandle<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let server = thread::spawn(move || {
        let (mut stream, _) = listener.accept().unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(5)))
            .unwrap();
        let mut buf = [0u8; 512];
        let _ = stream.read(&mut buf).unwrap();
        stream.write_all(answer).unwrap();
    });
    let terminal = Terminal::new(TerminalConfig::tcp("127.0.0.1", port)).unwrap();
    (terminal, server)
}

#[test]
fn garbage_answers_are_in_doubt_with_the_bytes_kept() {
    let answers: [&'static [u8]; 5] = [
        b"\x00\xffnot a concert answer at all",
        b"CZ0040300CA00201CB00912", // truncated, then closed
        b"CA00201CZ0040300AE00210", // CZ not first
        b"CZ0040300CJ012012345678901CA00201CD0010", // whole, but no AE
        b"CZ0040300AE00210AA0164970101234567894CB0x9", // bad length field
    ];
    for answer in answers {
        let (terminal, server) = fake_terminal(answer);
        let outcome = terminal.pay(1250, EUR).unwrap();
        server.join().unwrap();
        assert_eq!(
            outcome.status,
            Status::InDoubt,
            "{:?}",
            String::from_utf8_lossy(answer)
        );
        assert!(outcome.in_doubt_cause.is_some());
        let raw = outcome.raw_answer.expect("raw answer kept");
        assert_eq!(raw.len(), answer.len());
        assert!(!String::from_utf8_lossy(&raw).contains("4970101234567894"));
    }
}

#[test]
fn undocumented_tags_are_kept_and_an_unmasked_card_is_masked() {
    let (terminal, server) = fake_terminal(
        b"CZ0040301CJ012000000000001CA00201CB0041250CD0010CE003978AE00210AA0164970101234567894AQ008SN123456XY003abc",
    );
    let outcome = terminal.pay(1250, EUR).unwrap();
    server.join().unwrap();
    assert_eq!(outcome.status, Status::Approved);
    assert_eq!(outcome.protocol_version.as_deref(), Some("0301"));
    assert_eq!(outcome.record("AQ"), Some("SN123456"));
    assert_eq!(outcome.record("XY"), Some("abc"));
    assert_eq!(outcome.card_number.as_deref(), Some("497010######7894"));
    assert_eq!(outcome.record("AA"), Some("497010######7894"));
    assert!(!format!("{outcome:?}").contains("4970101234567894"));
}

#[test]
fn an_approval_echoing_another_transaction_is_in_doubt() {
    // Another POS and another currency: this may be another till's answer.
    let (terminal, server) =
        fake_terminal(b"CZ0040300CJ012000000000001CA00207CB0041250CD0010CE003840AE00210");
    let outcome = terminal.pay(1250, EUR).unwrap();
    server.join().unwrap();
    assert_eq!(outcome.status, Status::InDoubt);
    let fields: Vec<&str> = outcome.echo_mismatches.iter().map(|m| m.field).collect();
    assert_eq!(fields, ["CA", "CE"]);
    let cause = outcome.in_doubt_cause.as_deref().unwrap();
    assert!(cause.contains("CA sent \"1\", answered \"7\""), "{cause}");
    assert_eq!(
        outcome.record("AE"),
        Some("10"),
        "everything received is kept"
    );
    // More money than was asked is no partial approval either.
    let (terminal, server) =
        fake_terminal(b"CZ0040300CJ012000000000001CA00201CB0049999CD0010CE003978AE00210");
    let outcome = terminal.pay(1250, EUR).unwrap();
    server.join().unwrap();
    assert_eq!(outcome.status, Status::InDoubt);
    assert!(!outcome.partial);
    // Less is a partial approval, not a doubt.
    let (terminal, server) =
        fake_terminal(b"CZ0040300CJ012000000000001CA00201CB0041000CD0010CE003978AE00210");
    let outcome = terminal.pay(1250, EUR).unwrap();
    server.join().unwrap();
    assert_eq!(outcome.status, Status::Approved);
    assert!(outcome.partial && outcome.echo_mismatches.is_empty());
}
