//! Caller-side validation: every field limit of CONCERT-V2.md / CONCERT-V3.md
//! is enforced before anything is sent, through the public API, so that a
//! request can never inject extra records or control bytes. Also the
//! regressions the fuzzers found.

mod common;

#[cfg(unix)]
use common::{pty_sim, pty_terminal};
use common::{tcp_sim, tcp_terminal};
use concert_core::currency::EUR;
#[cfg(unix)]
use concert_core::sim::SimProtocol;
use concert_core::terminal::wire::mask_v3;
use concert_core::terminal::{
    Application, ConfigError, Error, Operation, Protocol, Request, RequestError, Terminal,
    TerminalConfig,
};
use concert_core::v3::{Action, DecodeOptions, Message, Tag, tags};

fn invalid(terminal: &Terminal, request: Request) -> RequestError {
    match terminal.transact(&request) {
        Err(Error::InvalidRequest(e)) => {
            // A clear message, and a stable code for bindings.
            assert!(!e.to_string().is_empty());
            e
        }
        other => panic!("expected an invalid request for {request:?}, got {other:?}"),
    }
}

#[test]
fn v3_field_limits_are_enforced_before_sending() {
    let sim = tcp_sim(|_| {});
    let t = tcp_terminal(&sim);
    let pay = || Request::pay(100, EUR);
    let with = |f: fn(&mut Request, String), v: &str| {
        let mut r = pay();
        f(&mut r, v.to_owned());
        r
    };
    let phone = |r: &mut Request, v| r.customer_phone = Some(v);
    let email = |r: &mut Request, v| r.customer_email = Some(v);
    let reference = |r: &mut Request, v| r.original_reference = Some(v);

    // CF: 1..=99 printable.
    assert!(matches!(
        invalid(&t, pay().with_private_data("x".repeat(100))),
        RequestError::TooLong { max: 99, .. }
    ));
    for control in ["A\u{3}B", "\u{2}", "A\rB", "A\nB", "\u{7f}", "é"] {
        assert!(
            matches!(
                invalid(&t, pay().with_private_data(control)),
                RequestError::NotAscii { .. }
            ),
            "{control:?}"
        );
    }
    // BH 8..=20, BI 6..=256, CH 1..=999.
    assert!(matches!(
        invalid(&t, with(phone, "0612345")),
        RequestError::TooShort { min: 8, .. }
    ));
    assert!(matches!(
        invalid(&t, with(phone, &"1".repeat(21))),
        RequestError::TooLong { max: 20, .. }
    ));
    assert!(matches!(
        invalid(&t, with(email, "a@b.c")),
        RequestError::TooShort { min: 6, .. }
    ));
    assert!(matches!(
        invalid(&t, with(email, &format!("{}@example.org", "a".repeat(250)))),
        RequestError::TooLong { max: 256, .. }
    ));
    assert!(matches!(
        invalid(&t, with(email, "a\u{0}@b.fr")),
        RequestError::NotAscii { .. }
    ));
    assert!(matches!(
        invalid(&t, with(reference, "")),
        RequestError::TooShort { min: 1, .. }
    ));
    assert!(matches!(
        invalid(&t, with(reference, &"R".repeat(1000))),
        RequestError::TooLong { max: 999, .. }
    ));
    // CC: exactly 3 printable characters.
    for code in ["01", "0011", "0\u{3}1", "00C001"] {
        let r = pay().with_application(Application::V3Code(code.into()));
        let e = invalid(&t, r);
        assert!(
            matches!(
                e,
                RequestError::TooShort { .. }
                    | RequestError::TooLong { .. }
                    | RequestError::NotAscii { .. }
            ),
            "{code:?}: {e:?}"
        );
    }
    // Extra tags: no control bytes, no empty value, no second CB/CZ/CJ/CA,
    // no value over 999.
    let cd = Tag::parse("XX").unwrap();
    assert!(matches!(
        invalid(&t, pay().with_tag(cd, "1\u{3}")),
        RequestError::NotAscii { .. }
    ));
    assert!(matches!(
        invalid(&t, pay().with_tag(cd, "")),
        RequestError::Record(_)
    ));
    assert!(matches!(
        invalid(&t, pay().with_tag(cd, "v".repeat(1000))),
        RequestError::TooLong { .. }
    ));
    for tag in [tags::CZ, tags::CJ, tags::CA, tags::CB, tags::CD, tags::CE] {
        assert!(
            matches!(
                invalid(&t, pay().with_tag(tag, "1")),
                RequestError::Record(_)
            ),
            "{tag}"
        );
    }
    // An action code that is a control byte.
    let raw = Request::new(Operation::Action(Action::Other(0x03)));
    assert!(matches!(invalid(&t, raw), RequestError::Record(_)));
    // Amount: 12 digits at most, never zero.
    assert!(matches!(
        invalid(&t, Request::pay(1_000_000_000_000, EUR)),
        RequestError::AmountTooLarge { .. }
    ));
    assert_eq!(invalid(&t, Request::pay(0, EUR)), RequestError::AmountZero);
    assert!(sim.journal().is_empty(), "nothing reached the terminal");
}

/// A value that looks like records stays one value: the length prefix
/// carries it, so the terminal reads exactly the records the caller built.
#[test]
fn record_lookalikes_stay_inside_their_value() {
    let sim = tcp_sim(|_| {});
    let t = tcp_terminal(&sim);
    let sneaky = "X CB0099999999CD0011";
    let outcome = t
        .transact(
            &Request::pay(100, EUR)
                .with_private_data(sneaky)
                .with_tag(Tag::parse("XY").unwrap(), "AE00210"),
        )
        .unwrap();
    assert!(outcome.is_approved(), "{}", outcome.reason);
    let journal = sim.journal();
    let sent = Message::decode_with(&journal[0].request, DecodeOptions::STRICT).unwrap();
    assert_eq!(sent.amount(), Some(100));
    assert_eq!(sent.private_data().as_deref(), Some(sneaky));
    assert_eq!(
        sent.records().iter().filter(|r| r.tag == tags::CB).count(),
        1
    );
}

// V2 runs over serial lines only, here a pseudo-terminal pair: Unix only.
#[cfg(unix)]
#[test]
fn v2_field_limits_are_enforced_before_sending() {
    let sim = pty_sim(SimProtocol::V2, |_| {});
    let t = pty_terminal(&sim, Protocol::V2EPlus);
    let pay = || Request::pay(100, EUR);
    assert!(matches!(
        invalid(&t, pay().with_private_data("ABCDEFGHIJK")),
        RequestError::TooLong { max: 10, .. }
    ));
    assert!(matches!(
        invalid(&t, pay().with_private_data("AB\u{3}")),
        RequestError::NotAscii { .. }
    ));
    assert!(matches!(
        invalid(&t, Request::pay(100_000_000, EUR)),
        RequestError::AmountTooLarge { .. }
    ));
    // A payment-mode byte that is a link control byte.
    assert!(matches!(
        invalid(&t, pay().with_application(Application::V2Mode(0x03))),
        RequestError::V2(_)
    ));
    for v3_only in [
        pay().with_tag(Tag::parse("XX").unwrap(), "1"),
        pay().with_application(Application::V3Code("001".into())),
    ] {
        assert!(matches!(
            invalid(&t, v3_only),
            RequestError::Unsupported { .. }
        ));
    }
    assert!(sim.journal().is_empty(), "nothing reached the terminal");
}

#[test]
fn configuration_limits() {
    let base = || TerminalConfig::tcp("127.0.0.1", 8888);
    let refuse = |c: TerminalConfig| Terminal::new(c).err().expect("refused");
    let mut c = base();
    c.pos_number = 0;
    assert_eq!(refuse(c), ConfigError::PosNumber(0));
    let mut c = base();
    c.pos_number = 100;
    assert_eq!(refuse(c), ConfigError::PosNumber(100));
    for cj in [
        "00000000001",
        "0000000000001",
        "00000000000\u{3}",
        "00000000000é",
    ] {
        let mut c = base();
        c.cash_register_id = cj.into();
        assert!(
            matches!(refuse(c), ConfigError::CashRegisterId(_)),
            "{cj:?}"
        );
    }
    for version in ["300", "03000", "03a0"] {
        let mut c = base();
        c.protocol = Protocol::V3 {
            version: version.into(),
        };
        assert!(matches!(refuse(c), ConfigError::Version(_)), "{version}");
    }
}

/// Found by the v3_decode fuzzer: a Latin-1 byte in `AA` turned masking
/// off for that record, so a card number written with spaces stayed in clear.
#[test]
fn fuzz_regression_latin1_byte_in_aa_keeps_masking() {
    let answer = b"CZ0040300AE00210AA0204970 1012 3456 7894\xb5";
    let masked = mask_v3(answer);
    assert_eq!(masked.len(), answer.len());
    let value = &masked[21..];
    let digits = value.iter().filter(|b| b.is_ascii_digit()).count();
    assert_eq!(digits, 10, "{}", value.escape_ascii());
    assert!(value.starts_with(b"4970 10## #### 7894"));
    // The fuzzer's own input, kept in fuzz/regressions/v3_decode.
    let found: &[u8] =
        include_bytes!("../../fuzz/regressions/v3_decode/aa-with-masked-looking-text");
    let records =
        concert_core::v3::tlv::decode_records(found, DecodeOptions::STRUCTURE_ONLY).unwrap();
    let masked = mask_v3(found);
    for r in records.iter().filter(|r| r.tag == tags::AA) {
        let v = &masked[r.offset + 5..r.offset + 5 + r.value.len()];
        assert!(v.iter().filter(|b| b.is_ascii_digit()).count() <= 10);
    }
}
