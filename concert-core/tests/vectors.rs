//! Every frame in tests/vectors/ (copied from the project's shared vectors)
//! decodes to the documented fields and re-encodes to the same bytes.

use std::path::PathBuf;

use concert_core::frame::{decode_frame, encode_frame};
use concert_core::v2;
use concert_core::v3::{DecodeOptions, Message, MessageBuilder, Tag};
use serde_json::Value;

fn vectors_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/vectors")
}

fn load(name: &str) -> Vec<Value> {
    let text = std::fs::read_to_string(vectors_dir().join(name)).expect("vector file");
    serde_json::from_str(&text).expect("vector JSON")
}

fn hex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

fn field<'a>(v: &'a Value, name: &str) -> &'a str {
    v["fields"][name]
        .as_str()
        .unwrap_or_else(|| panic!("field {name}"))
}

#[test]
fn shared_vectors_have_not_drifted() {
    let shared = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/vectors");
    if !shared.is_dir() {
        return; // a clone without the shared folder beside it
    }
    for name in ["v2.json", "v3.json", "v3-serial.json"] {
        let ours = std::fs::read(vectors_dir().join(name)).unwrap();
        let theirs = std::fs::read(shared.join(name)).unwrap();
        assert_eq!(
            ours, theirs,
            "tests/vectors/{name} differs from shared/vectors"
        );
    }
}

#[test]
fn v2_vectors_round_trip() {
    let vectors = load("v2.json");
    assert!(vectors.len() >= 10);
    for v in &vectors {
        let name = v["name"].as_str().unwrap();
        let payload = v["payload"].as_str().unwrap().as_bytes();
        let frame = hex(v["frame_hex"].as_str().unwrap());
        assert_eq!(encode_frame(payload), frame, "{name}: frame");
        assert_eq!(decode_frame(&frame).unwrap(), payload, "{name}: unframe");
        assert_eq!(
            *frame.last().unwrap(),
            hex(v["lrc_hex"].as_str().unwrap())[0],
            "{name}: LRC"
        );
        let kind = v["kind"].as_str().unwrap();
        if kind.starts_with("request") {
            let r = v2::Request::decode(payload).unwrap();
            assert_eq!(format!("{:02}", r.pos), field(v, "pos"), "{name}");
            assert_eq!(format!("{:08}", r.amount), field(v, "amount"), "{name}");
            assert_eq!(r.full_answer, field(v, "answer_flag") == "1", "{name}");
            assert_eq!(
                char::from(r.payment_mode.code()).to_string(),
                field(v, "payment_mode")
            );
            assert_eq!(
                char::from(r.transaction_type.code()).to_string(),
                field(v, "transaction_type")
            );
            assert_eq!(format!("{:03}", r.currency), field(v, "currency"));
            assert_eq!(r.private_data, field(v, "private"));
            assert_eq!(r.eplus.is_some(), kind == "request-E+", "{name}");
            assert_eq!(r.encode().unwrap(), payload, "{name}: re-encode");
        } else {
            let a = v2::Answer::decode(payload).unwrap();
            assert_eq!(format!("{:02}", a.pos), field(v, "pos"));
            assert_eq!(char::from(a.status.code()).to_string(), field(v, "status"));
            assert_eq!(format!("{:08}", a.amount), field(v, "amount"));
            assert_eq!(format!("{:03}", a.currency), field(v, "currency"));
            assert_eq!(a.private_data, field(v, "private"));
            assert_eq!(a.rep.is_some(), kind == "answer-80", "{name}");
            if let Some(rep) = &a.rep {
                assert_eq!(rep.raw().as_slice(), field(v, "rep").as_bytes());
            }
            assert_eq!(a.encode().unwrap(), payload, "{name}: re-encode");
        }
    }
}

#[test]
fn v3_vectors_round_trip() {
    for v in load("v3.json") {
        let name = v["name"].as_str().unwrap();
        let frame = v["frame"].as_str().unwrap().as_bytes();
        let message = Message::decode_with(frame, DecodeOptions::STRICT)
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        let expected: Vec<(String, String)> = v["records"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                (
                    r[0].as_str().unwrap().to_owned(),
                    r[1].as_str().unwrap().to_owned(),
                )
            })
            .collect();
        let got: Vec<(String, String)> = message
            .records()
            .iter()
            .map(|r| (r.tag.to_string(), r.text().into_owned()))
            .collect();
        assert_eq!(got, expected, "{name}");
        let mut builder = MessageBuilder::new();
        for (tag, value) in &expected {
            builder.push(Tag::parse(tag).unwrap(), value).unwrap();
        }
        assert_eq!(builder.finish(), frame, "{name}: re-encode");
    }
}

#[test]
fn v3_serial_vector_round_trips() {
    for v in load("v3-serial.json") {
        let payload = v["payload"].as_str().unwrap().as_bytes();
        let frame = hex(v["frame_hex"].as_str().unwrap());
        assert_eq!(encode_frame(payload), frame);
        let inner = decode_frame(&frame).unwrap();
        let message = Message::decode(inner).unwrap();
        assert_eq!(message.amount(), Some(1234));
        assert_eq!(message.application().as_deref(), Some("001"));
    }
}

#[test]
fn every_vector_inspects_as_documented() {
    use concert_core::inspect::{Hint, inspect, inspect_text};
    for v in load("v3.json") {
        let name = v["name"].as_str().unwrap();
        let frame = v["frame"].as_str().unwrap();
        let inspected = inspect_text(frame, Hint::Auto).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(inspected.kind, "v3", "{name}");
        let names: Vec<&str> = inspected.fields.iter().map(|f| f.name.as_str()).collect();
        let expected: Vec<&str> = v["records"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r[0].as_str().unwrap())
            .collect();
        assert_eq!(names, expected, "{name}");
    }
    for v in load("v2.json") {
        let name = v["name"].as_str().unwrap();
        let framed = inspect(&hex(v["frame_hex"].as_str().unwrap()), Hint::Auto)
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        let plain = inspect(v["payload"].as_str().unwrap().as_bytes(), Hint::V2).unwrap();
        assert!(framed.serial_frame && !plain.serial_frame, "{name}");
        assert_eq!(framed.fields, plain.fields, "{name}");
        let kind = v["kind"].as_str().unwrap().to_ascii_lowercase();
        let expected = match kind.as_str() {
            "request-e" => "v2-request-e",
            "request-e+" => "v2-request-e+",
            "answer-25" => "v2-answer-25",
            _ => "v2-answer-80",
        };
        assert_eq!(plain.kind, expected, "{name}");
        let amount = plain.fields.iter().find(|f| f.name == "amount").unwrap();
        assert_eq!(amount.value, field(&v, "amount"), "{name}");
    }
}
