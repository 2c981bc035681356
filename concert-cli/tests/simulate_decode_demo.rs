//! `concert simulate` served until a signal, `concert decode` on the shared
//! vectors, `concert demo` and `concert ports`.

mod common;

use std::path::PathBuf;

use common::{Background, run, run_with_stdin};
use serde_json::Value;

#[test]
fn simulate_tcp_until_sigint() {
    let sim = Background::start(&[
        "simulate",
        "--tcp",
        "127.0.0.1:0",
        "--outcome",
        "decline:05",
        "--outcome",
        "approve",
    ]);
    let addr = sim.first_line.clone();
    assert!(
        addr.starts_with("127.0.0.1:") && !addr.ends_with(":0"),
        "{addr}"
    );
    let r = run(&["pay", "--amount", "4.20", "--tcp", &addr, "--json"]);
    assert_eq!(r.code, Some(1), "{r:?}");
    assert_eq!(r.json()["reason_code"], "05");
    let r = run(&["pay", "--amount", "4.20", "--tcp", &addr]);
    assert_eq!(r.code, Some(0), "{r:?}");
    let (code, log) = sim.stop_with("INT");
    assert_eq!(code, Some(0), "{log}");
    // Each exchange is logged, card number masked.
    assert!(log.contains("decline 05"), "{log}");
    assert!(log.contains("approve"), "{log}");
    assert!(
        !log.contains(concert_core::sim::DEFAULT_CARD_NUMBER),
        "{log}"
    );
}

#[test]
fn simulate_pty_until_sigterm() {
    let sim = Background::start(&["simulate", "--pty", "--protocol", "v2e+"]);
    let path = sim.first_line.clone();
    assert!(path.starts_with("/dev/"), "{path}");
    let r = run(&["pay", "--amount", "12.50", "--serial", &path, "--json"]);
    assert_eq!(r.code, Some(0), "{r:?}");
    assert_eq!(r.json()["amount"], 1250);
    let (code, log) = sim.stop_with("TERM");
    assert_eq!(code, Some(0), "{log}");
}

#[test]
fn simulate_whitelist_refuses_others() {
    let sim = Background::start(&["simulate", "--tcp", "127.0.0.1:0", "--allow", "192.0.2.7"]);
    let r = run(&[
        "pay",
        "--amount",
        "1",
        "--tcp",
        &sim.first_line.clone(),
        "--json",
    ]);
    // Refused connections close before reading: the request may not have
    // been read, so nobody can say it was not taken.
    assert_ne!(r.code, Some(0), "{r:?}");
    let (code, _) = sim.stop_with("TERM");
    assert_eq!(code, Some(0));
}

fn vectors(name: &str) -> Vec<Value> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/vectors")
        .join(name);
    serde_json::from_str(&std::fs::read_to_string(path).expect("vectors")).expect("JSON")
}

#[test]
fn decode_v3_vectors() {
    let all = vectors("v3.json");
    assert!(!all.is_empty());
    for v in all {
        let name = v["name"].as_str().unwrap();
        let frame = v["frame"].as_str().unwrap();
        let r = run(&["decode", frame, "--json"]);
        assert_eq!(r.code, Some(0), "{name}: {r:?}");
        let out = r.json();
        assert_eq!(out["protocol"], "v3", "{name}");
        let fields = out["fields"].as_array().unwrap();
        let expected = v["records"].as_array().unwrap();
        assert_eq!(fields.len(), expected.len(), "{name}");
        for (field, record) in fields.iter().zip(expected) {
            assert_eq!(field["name"], record[0], "{name}");
            if record[0] != "AA" {
                assert_eq!(field["value"], record[1], "{name}");
            }
        }
        // Human form too, forced to V3.
        let r = run(&["decode", "--v3", frame]);
        assert_eq!(r.code, Some(0), "{name}: {r:?}");
        assert!(r.stdout.starts_with("v3"), "{name}: {}", r.stdout);
    }
}

#[test]
fn decode_v2_vectors_as_payload_and_serial_frame() {
    for v in vectors("v2.json") {
        let name = v["name"].as_str().unwrap();
        let kind = v["kind"].as_str().unwrap();
        for input in [
            v["payload"].as_str().unwrap(),
            v["frame_hex"].as_str().unwrap(),
        ] {
            let r = run(&["decode", "--v2", input, "--json"]);
            assert_eq!(r.code, Some(0), "{name}: {r:?}");
            let out = r.json();
            assert_eq!(out["protocol"], "v2", "{name}");
            assert!(out["kind"].as_str().unwrap().starts_with("v2-"), "{name}");
            if kind.starts_with("request") {
                let amount = v["fields"]["amount"].as_str().unwrap();
                assert_eq!(out["records"]["amount"], amount, "{name}: {out}");
            }
        }
        // From stdin, with the newline a shell adds.
        let r = run_with_stdin(
            &["decode", "-", "--json"],
            Some(&format!("{}\n", v["frame_hex"].as_str().unwrap())),
        );
        assert_eq!(r.code, Some(0), "{name}: {r:?}");
        assert_eq!(r.json()["serial_frame"], true, "{name}");
    }
}

#[test]
fn decode_v3_serial_vector() {
    for v in vectors("v3-serial.json") {
        let r = run(&["decode", v["frame_hex"].as_str().unwrap(), "--json"]);
        assert_eq!(r.code, Some(0), "{r:?}");
        let out = r.json();
        assert_eq!(out["serial_frame"], true);
        assert_eq!(out["records"]["CB"], "1234");
    }
}

#[test]
fn decode_error_names_the_byte() {
    // A V3 record whose length runs past the end.
    let r = run(&["decode", "CZ0040300CB0091250"]);
    assert_eq!(r.code, Some(2), "{r:?}");
    assert!(r.stderr.starts_with("concert: error: FRAME: "), "{r:?}");
    assert!(r.stderr.contains("at byte "), "{r:?}");
    assert_eq!(r.stderr.lines().count(), 1);
    // A serial frame whose LRC is wrong.
    let r = run(&["decode", "0230313003ff"]);
    assert_eq!(r.code, Some(2), "{r:?}");
}

#[test]
fn decode_takes_the_hint_every_language_takes() {
    let r = run(&["decode", "--hint", "v3", "CZ0040300CB0041250"]);
    assert_eq!(r.code, Some(0), "{r:?}");
    assert!(r.stdout.starts_with("v3"), "{}", r.stdout);
    let r = run(&["decode", "--hint", "v9", "CZ0040300", "--json"]);
    assert_eq!(r.code, Some(2), "{r:?}");
    assert!(r.stdout.contains("\"CONCERT_USAGE\""), "{}", r.stdout);
    assert!(r.stdout.contains("\"--hint\""), "{}", r.stdout);
}

#[test]
fn demo_runs_everything() {
    let r = run(&["demo"]);
    assert_eq!(r.code, Some(0), "{r:?}");
    for word in [
        "V3 over TCP",
        "V2 E+ over pty",
        "payment",
        "refund",
        "declined payment",
        "cancellation",
        "identify",
        "declined",
    ] {
        assert!(r.stdout.contains(word), "demo lacks {word:?}: {}", r.stdout);
    }
    assert!(!r.stdout.contains(concert_core::sim::DEFAULT_CARD_NUMBER));
}

#[test]
fn ports_lists_as_json() {
    let r = run(&["ports", "--json"]);
    assert_eq!(r.code, Some(0), "{r:?}");
    assert!(r.json()["ports"].is_array());
    assert_eq!(run(&["ports"]).code, Some(0));
}

#[test]
fn closed_stdout_is_not_a_panic() {
    use std::io::Read;
    use std::process::Stdio;
    let mut child = common::Guard(
        common::concert()
            .args(["decode", "CZ0040300CB0041250CD0010CE003978"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn"),
    );
    // The reader goes away before anything is written (`concert … | head -0`).
    drop(child.0.stdout.take());
    let mut stderr = String::new();
    // Reading stderr to its end is bounded: it closes when the process exits.
    let _ = child
        .0
        .stderr
        .take()
        .expect("stderr")
        .read_to_string(&mut stderr);
    let status = child.0.wait().expect("wait");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(status.code(), Some(0), "{stderr}");
}

/// A V3 approval carrying `text` as a Windows-1252 ticket, and a second,
/// merchant copy in ISO-8859-15, base64 without padding.
fn answer_with_tickets() -> String {
    fn zt(ck: &str, bytes: &[u8]) -> String {
        use base64::Engine;
        let b64 = base64::engine::general_purpose::STANDARD_NO_PAD.encode(bytes);
        let inner = format!("CK003{ck}AK{:03}{b64}", b64.len());
        format!("ZT{:03}{inner}", inner.len())
    }
    format!(
        "CZ0040300CJ012247300123456CA00201CB0041250CD0010CE003978AE00210CC003001AC006123456AA016497010######7894{}{}",
        zt("100", b"\xe0 bient\xf4t\n12,50 \x80"),
        zt("110", b"COMMERCANT\n12,50 \xa4"),
    )
}

#[test]
fn decode_says_what_an_answer_means() {
    let answer = answer_with_tickets();
    let r = run(&["decode", &answer, "--json"]);
    assert_eq!(r.code, Some(0), "{r:?}");
    let out = r.json();
    let o = &out["outcome"];
    assert_eq!(o["status"], "approved");
    assert_eq!(o["reason_code"], Value::Null);
    assert_eq!(o["amount"], 1250);
    assert_eq!(o["currency"], "EUR");
    assert_eq!(o["card_number"], "497010######7894");
    assert_eq!(o["authorization_number"], "123456");
    assert_eq!(o["application"]["code"], "001");
    assert_eq!(o["receipt"]["text"], "à bientôt\n12,50 €");
    assert_eq!(o["receipts"][1]["text"], "COMMERCANT\n12,50 €");
    assert_eq!(o["receipts"][1]["copy"], "merchant");
    let r = run(&["decode", &answer]);
    assert!(
        r.stdout.contains("| à bientôt\n    | 12,50 €"),
        "{}",
        r.stdout
    );
    assert!(!r.stdout.contains("characters of base64"), "{}", r.stdout);
    // A decline says so; a request has no outcome.
    let r = run(&[
        "decode",
        "CZ0040300CA00201CB0041250CD0010CE003978AE00201AF00204",
        "--json",
    ]);
    assert_eq!(r.json()["outcome"]["status"], "declined");
    assert_eq!(r.json()["outcome"]["reason_code"], "04");
    let r = run(&[
        "decode",
        "CZ0040300CA00201CB0041250CD0010CE003978",
        "--json",
    ]);
    assert_eq!(r.json().get("outcome"), None);
}

#[test]
fn simulate_payment_type_and_contract() {
    let sim = Background::start(&[
        "simulate",
        "--tcp",
        "127.0.0.1:0",
        "--payment-type",
        "amex-contactless",
        "--contract",
        "424242",
    ]);
    let r = run(&[
        "pay",
        "--amount",
        "4.20",
        "--tcp",
        &sim.first_line.clone(),
        "--json",
    ]);
    assert_eq!(r.code, Some(0), "{r:?}");
    assert_eq!(r.json()["application"]["code"], "00D");
    assert_eq!(r.json()["read_mode"], "contactless");
    assert_eq!(r.json()["contract"], "424242");
    let (code, _) = sim.stop_with("TERM");
    assert_eq!(code, Some(0));
    common::assert_usage_error(
        &["simulate", "--tcp", "127.0.0.1:0", "--payment-type", "visa"],
        "--payment-type",
    );
}
