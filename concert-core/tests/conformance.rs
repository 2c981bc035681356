//! The shared vocabulary as data: `tests/conformance/*.json`, which every
//! language's tests read and check against their own results (Rust here; C
//! in tests/c/conformance.c; Python in python/tests/test_conformance.py;
//! Node in node/test/conformance.test.js), so that no binding can drift.
//!
//! The cases are made from the core: `CONCERT_BLESS=1 cargo test -p
//! concert-core --test conformance` writes them; without it this test
//! fails when the core's results differ from the files.
//!
//! - `spellings.json`: a word of the vocabulary (a protocol, application,
//!   operation, receipt copy or format, decode hint, parity, currency) →
//!   accepted, or the exact error code.
//! - `requests.json`: a terminal and a request in the shared vocabulary →
//!   the exact payload on the wire (V2 and V3), or the exact error code.
//! - `answers.json`: a request and the answer a terminal (V3 over TCP)
//!   gives → the exact outcome.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::PathBuf;
use std::time::Duration;

use concert_core::codes::ErrorCode;
use concert_core::currency::Currency;
use concert_core::inspect::Hint;
use concert_core::sim::Script;
use concert_core::terminal::{
    Application, Direction, Operation, Outcome, Parity, Protocol, ReceiptWanted, Request,
    SerialLine, Terminal, TerminalConfig,
};
use concert_core::v3::{ReceiptCopy, ReceiptFormat};
use serde_json::{Map, Value, json};

mod common;

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/conformance")
}

/// Writes `value` when blessing, else compares it with the file.
fn check(file: &str, value: &Value) {
    let path = dir().join(file);
    let text = serde_json::to_string_pretty(value).unwrap() + "\n";
    if std::env::var_os("CONCERT_BLESS").is_some() {
        std::fs::create_dir_all(dir()).unwrap();
        std::fs::write(&path, text).unwrap();
        return;
    }
    let committed = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e} (CONCERT_BLESS=1 writes it)", path.display()));
    let committed: Value = serde_json::from_str(&committed).unwrap();
    assert!(
        &committed == value,
        "{file} differs from what the core says now: review, then CONCERT_BLESS=1"
    );
}

/// The error code of a parse, the way every binding reports it.
fn spelling(kind: &str, given: &str) -> Value {
    let result: Result<(), ErrorCode> = match kind {
        "protocol" => given
            .parse::<Protocol>()
            .map(drop)
            .map_err(|_| ErrorCode::Config),
        "parity" => given
            .parse::<Parity>()
            .map(drop)
            .map_err(|_| ErrorCode::Config),
        "application" => given
            .parse::<Application>()
            .map(drop)
            .map_err(|_| ErrorCode::InvalidRequest),
        "operation" => given
            .parse::<Operation>()
            .map(drop)
            .map_err(|_| ErrorCode::InvalidRequest),
        "receipt_copy" => given
            .parse::<ReceiptCopy>()
            .map(drop)
            .map_err(|_| ErrorCode::InvalidRequest),
        "receipt_format" => given
            .parse::<ReceiptFormat>()
            .map(drop)
            .map_err(|_| ErrorCode::InvalidRequest),
        "hint" => given
            .parse::<Hint>()
            .map(drop)
            .map_err(|_| ErrorCode::InvalidRequest),
        "currency" => Currency::parse(given)
            .map(drop)
            .map_err(|_| ErrorCode::InvalidRequest),
        other => panic!("no kind {other}"),
    };
    match result {
        Ok(()) => json!({"kind": kind, "given": given, "accepted": true}),
        Err(code) => json!({"kind": kind, "given": given, "accepted": false, "error": code.code()}),
    }
}

const SPELLINGS: &[(&str, &[&str])] = &[
    (
        "protocol",
        &[
            "v3", "V3", "v3:0320", "v2", "v2e+", "v2e", "e+", "v4", "v3:32", "tcp", "",
        ],
    ),
    ("parity", &["N", "e", "odd", "x"]),
    (
        "application",
        &[
            "any",
            "card",
            "cheque",
            "check",
            "amex",
            "cetelem",
            "cofinoga",
            "diners",
            "franfinance",
            "jcb",
            "accord_finance",
            "accord",
            "unionpay",
            "moneo",
            "fintrax",
            "v3:00B",
            "v3:00b",
            "v2:C",
            "visa",
            "v3:1",
            "v2:ab",
            "00B",
            "",
        ],
    ),
    (
        "operation",
        &[
            "pay",
            "debit",
            "refund",
            "credit",
            "cancel",
            "preauthorize",
            "preauth",
            "preauthorise",
            "identify",
            "status",
            "settle",
            "sell",
            "",
        ],
    ),
    ("receipt_copy", &["customer", "merchant", "both", "holder"]),
    ("receipt_format", &["text", "HTML", "pdf"]),
    ("hint", &["auto", "v2", "v3", "v4"]),
    (
        "currency",
        &["EUR", "eur", "978", "USD", "XXX1", "EURO", ""],
    ),
];

#[test]
fn spellings() {
    let cases: Vec<Value> = SPELLINGS
        .iter()
        .flat_map(|(kind, words)| words.iter().map(move |w| spelling(kind, w)))
        .collect();
    check("spellings.json", &Value::Array(cases));
}

/// A terminal from a case's `terminal` object.
fn terminal(case: &Value) -> Terminal {
    let t = &case["terminal"];
    let protocol: Protocol = t["protocol"].as_str().unwrap().parse().unwrap();
    let mut config = if protocol.is_v2() {
        TerminalConfig::serial(SerialLine::rs232("/dev/null"), protocol)
    } else {
        {
            let mut v = TerminalConfig::tcp("127.0.0.1", 8888);
            v.protocol = protocol;
            v
        }
    };
    if let Some(pos) = t["pos_number"].as_u64() {
        config.pos_number = pos as u8;
    }
    if let Some(id) = t["cash_register_id"].as_str() {
        config.cash_register_id = id.to_owned();
    }
    Terminal::new(config).unwrap()
}

/// A request from a case's `request` object, in the shared vocabulary.
fn request(r: &Value) -> Request {
    let mut request = Request::new(r["operation"].as_str().unwrap().parse().unwrap());
    request.amount = r["amount"].as_u64();
    request.currency = r["currency"].as_str().map(|c| Currency::parse(c).unwrap());
    let text = |key: &str| r[key].as_str().map(str::to_owned);
    request.private_data = text("private_data");
    request.application = r["application"].as_str().map(|a| a.parse().unwrap());
    request.immediate_answer = r["immediate_answer"].as_bool().unwrap_or(false);
    request.force_authorization = r["force_authorization"].as_bool().unwrap_or(false);
    if let Some(copy) = r["receipt"].as_str() {
        request.receipt = Some(ReceiptWanted {
            copy: copy.parse().unwrap(),
            format: r["receipt_format"]
                .as_str()
                .map_or(ReceiptFormat::Text, |f| f.parse().unwrap()),
        });
    }
    request.original_reference = text("original_reference");
    request.partial_allowed = r["partial_allowed"].as_bool();
    request.customer_phone = text("customer_phone");
    request.customer_email = text("customer_email");
    request.full_answer = r["full_answer"].as_bool().unwrap_or(true);
    request
}

fn request_cases() -> Vec<(&'static str, Value, Value)> {
    let v3 = json!({"protocol": "v3"});
    let pay = json!({"operation": "pay", "amount": 1250, "currency": "EUR"});
    vec![
        ("v3 pay", v3.clone(), pay.clone()),
        (
            "v3 pay, every option",
            json!({"protocol": "v3:0320", "pos_number": 7, "cash_register_id": "CAISSE000042"}),
            json!({"operation": "pay", "amount": 99999, "currency": "978",
                "private_data": "TICKET-42", "application": "cheque", "immediate_answer": true,
                "force_authorization": true, "receipt": "both", "receipt_format": "html",
                "partial_allowed": true, "customer_phone": "0600000000",
                "customer_email": "client@example.com"}),
        ),
        (
            "v3 refund, raw application code",
            v3.clone(),
            json!({"operation": "refund", "amount": 500, "currency": "EUR", "application": "v3:00B"}),
        ),
        (
            "v3 cancel with its original reference",
            v3.clone(),
            json!({"operation": "cancel", "amount": 1250, "currency": "EUR", "original_reference": "000123"}),
        ),
        (
            "v3 preauthorize",
            v3.clone(),
            json!({"operation": "preauthorize", "amount": 10000, "currency": "EUR"}),
        ),
        ("v3 identify", v3.clone(), json!({"operation": "identify"})),
        ("v3 status", v3.clone(), json!({"operation": "status"})),
        ("v3 settle", v3.clone(), json!({"operation": "settle"})),
        ("v2 (E+) pay", json!({"protocol": "v2"}), pay.clone()),
        (
            "v2 E pay by amex, short answer",
            json!({"protocol": "v2e", "pos_number": 3}),
            json!({"operation": "pay", "amount": 1250, "currency": "EUR", "application": "amex",
                "private_data": "REF1", "full_answer": false}),
        ),
        (
            "v2 E+ refund, immediate and forced",
            json!({"protocol": "v2e+"}),
            json!({"operation": "refund", "amount": 700, "currency": "EUR",
                "immediate_answer": true, "force_authorization": true}),
        ),
        (
            "v2 private data longer than 10",
            json!({"protocol": "v2"}),
            json!({"operation": "pay", "amount": 1250, "currency": "EUR", "private_data": "ELEVEN-CHAR"}),
        ),
        (
            "v2 cannot carry a receipt request",
            json!({"protocol": "v2"}),
            json!({"operation": "pay", "amount": 1250, "currency": "EUR", "receipt": "customer"}),
        ),
        (
            "amount zero",
            v3.clone(),
            json!({"operation": "pay", "amount": 0, "currency": "EUR"}),
        ),
        (
            "pay needs an amount",
            v3.clone(),
            json!({"operation": "pay", "currency": "EUR"}),
        ),
        (
            "amount above 12 digits",
            v3,
            json!({"operation": "pay", "amount": 1_000_000_000_000u64, "currency": "EUR"}),
        ),
    ]
}

#[test]
fn requests() {
    let cases: Vec<Value> = request_cases()
        .into_iter()
        .map(|(name, t, r)| {
            let mut case = json!({"name": name, "terminal": t, "request": r});
            match terminal(&case).encode(&request(&case["request"])) {
                Ok(wire) => case["wire"] = String::from_utf8(wire).unwrap().into(),
                Err(e) => case["error"] = e.code().into(),
            }
            case
        })
        .collect();
    check("requests.json", &Value::Array(cases));
}

/// The outcome fields every binding compares, in the shared vocabulary.
pub fn outcome_json(o: &Outcome) -> Value {
    let mut m = Map::new();
    m.insert("status".into(), o.status.as_str().into());
    m.insert("operation".into(), o.operation.name().into());
    m.insert("reason_code".into(), o.reason_code.clone().into());
    m.insert("amount".into(), o.amount.into());
    m.insert("requested_amount".into(), o.requested_amount.into());
    m.insert("partial".into(), o.partial.into());
    m.insert("currency".into(), o.currency.map(|c| c.alpha()).into());
    m.insert("card_number".into(), o.card_number.clone().into());
    m.insert(
        "authorization_number".into(),
        o.authorization_number.clone().into(),
    );
    m.insert("private_data".into(), o.private_data.clone().into());
    m.insert(
        "records".into(),
        o.records.iter().map(|(t, v)| json!([t, v])).collect(),
    );
    Value::Object(m)
}

/// A V3 terminal on loopback that answers one request with `answer`.
fn replay(case: &Value) -> Outcome {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let wire_len = case["wire"].as_str().unwrap().len();
    let answer = case["answer"].as_str().unwrap().as_bytes().to_vec();
    let server = std::thread::spawn(move || {
        let (mut stream, _) = listener.accept().unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(5)))
            .unwrap();
        let mut request = vec![0; wire_len];
        stream.read_exact(&mut request).unwrap();
        stream.write_all(&answer).unwrap();
        request
    });
    let terminal = Terminal::new(TerminalConfig::tcp("127.0.0.1", port)).unwrap();
    let outcome = terminal.transact(&request(&case["request"])).unwrap();
    let sent = server.join().unwrap();
    assert_eq!(sent, case["wire"].as_str().unwrap().as_bytes());
    outcome
}

#[test]
fn answers() {
    let scripts = [
        ("approved", Script::Approve),
        ("declined: refused", "decline".parse().unwrap()),
        ("declined: 05", "decline:05".parse().unwrap()),
        ("aborted by the card holder", Script::Abandon),
        ("partial approval", Script::Partial(500)),
        ("terminal busy", Script::Busy),
    ];
    let req =
        json!({"operation": "pay", "amount": 1250, "currency": "EUR", "private_data": "TICKET-42"});
    let mut cases = Vec::new();
    for (name, script) in scripts {
        let sim = common::tcp_sim(|c| c.default_script = script);
        let outcome = common::tcp_terminal(&sim).transact(&request(&req)).unwrap();
        let received = outcome
            .frames
            .iter()
            .find(|f| f.direction == Direction::Received)
            .unwrap();
        let wire = terminal(&json!({"terminal": {"protocol": "v3"}}))
            .encode(&request(&req))
            .unwrap();
        let mut case = json!({
            "name": name,
            "request": req,
            "wire": String::from_utf8(wire).unwrap(),
            "answer": String::from_utf8(received.bytes.clone()).unwrap(),
        });
        let replayed = replay(&case);
        assert_eq!(outcome_json(&replayed), outcome_json(&outcome), "{name}");
        case["outcome"] = outcome_json(&replayed);
        cases.push(case);
    }
    check("answers.json", &Value::Array(cases));
}
