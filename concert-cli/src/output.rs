//! How an outcome is shown: a readable block for people, one JSON object
//! for scripts. Card numbers arrive masked from the core and stay so.

use std::io::Write;

use concert_core::amount::format_decimal;
use concert_core::terminal::Outcome;
use concert_core::v3::ReceiptCopy;
use serde::Serialize;
use serde_json::{Map, Value};

use crate::exit::CliError;

/// The JSON form of an outcome.
#[derive(Debug, Serialize)]
pub struct OutcomeJson {
    status: &'static str,
    operation: &'static str,
    reason_code: Option<String>,
    reason: String,
    reason_detail: Option<String>,
    amount: Option<u64>,
    amount_decimal: Option<String>,
    requested_amount: Option<u64>,
    partial: bool,
    currency: Option<&'static str>,
    card_number: Option<String>,
    expiry: Option<String>,
    aid: Option<String>,
    application: Option<ApplicationJson>,
    read_mode: Option<&'static str>,
    authorization_number: Option<String>,
    contract: Option<String>,
    private_data: Option<String>,
    protocol_version: Option<String>,
    receipt: Option<ReceiptJson>,
    echo_mismatches: Vec<Value>,
    in_doubt_cause: Option<String>,
    journal_entry: Option<i64>,
    records: Map<String, Value>,
    frames: Vec<FrameJson>,
    /// Answers to earlier requests that came late (serial), each with the
    /// request it was read against and when it came.
    late_answers: Vec<Value>,
}

#[derive(Debug, Serialize)]
struct ApplicationJson {
    code: String,
    label: Option<&'static str>,
}

#[derive(Debug, Serialize)]
struct ReceiptJson {
    copy: Option<&'static str>,
    format: &'static str,
    text: String,
}

#[derive(Debug, Serialize)]
struct FrameJson {
    direction: &'static str,
    hex: String,
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

impl OutcomeJson {
    /// Everything an outcome holds, in JSON-friendly form.
    pub fn new(o: &Outcome) -> OutcomeJson {
        let mut records = Map::new();
        for (tag, value) in &o.records {
            // A tag received twice keeps every value, in order.
            match records.get_mut(tag) {
                Some(Value::Array(values)) => values.push(Value::from(value.as_str())),
                Some(first) => {
                    *first = Value::Array(vec![first.take(), Value::from(value.as_str())])
                }
                None => {
                    records.insert(tag.clone(), Value::from(value.as_str()));
                }
            }
        }
        OutcomeJson {
            status: o.status.as_str(),
            operation: o.operation.name(),
            reason_code: o.reason_code.clone(),
            reason: o.reason.clone(),
            reason_detail: o.reason_detail.clone(),
            amount: o.amount,
            amount_decimal: o.amount.zip(o.currency).map(|(a, c)| format_decimal(a, c)),
            requested_amount: o.requested_amount,
            partial: o.partial,
            currency: o.currency.map(|c| c.alpha()),
            card_number: o.card_number.clone(),
            expiry: o.expiry.clone(),
            aid: o.aid.clone(),
            application: o.application.as_ref().map(|a| ApplicationJson {
                code: a.code.clone(),
                label: a.label,
            }),
            read_mode: o.read_mode.map(|m| m.text()),
            authorization_number: o.authorization_number.clone(),
            contract: o.contract.clone(),
            private_data: o.private_data.clone(),
            protocol_version: o.protocol_version.clone(),
            receipt: o.receipt.as_ref().map(|r| ReceiptJson {
                copy: r.copy.map(ReceiptCopy::name),
                format: r.format.name(),
                text: r.text.clone(),
            }),
            echo_mismatches: o
                .echo_mismatches
                .iter()
                .map(|m| serde_json::json!({"field": m.field, "sent": m.sent, "received": m.received}))
                .collect(),
            in_doubt_cause: o.in_doubt_cause.clone(),
            journal_entry: o.journal_entry.map(|e| e.0),
            records,
            frames: o
                .frames
                .iter()
                .map(|f| FrameJson {
                    direction: f.direction.name(),
                    hex: hex(&f.bytes),
                })
                .collect(),
            late_answers: o
                .late_answers
                .iter()
                .map(|l| {
                    serde_json::json!({
                        "answers": l.request.as_ref().map(|r| serde_json::json!({
                            "operation": r.operation.name(),
                            "amount": r.amount,
                            "private_data": r.private_data,
                        })),
                        "received_at_ms": l
                            .received_at
                            .duration_since(std::time::UNIX_EPOCH)
                            .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX)),
                        "raw_hex": hex(&l.raw),
                        "outcome": OutcomeJson::new(&l.outcome),
                    })
                })
                .collect(),
        }
    }
}

/// Prints one line on stdout; a reader that went away is not an error.
pub fn print_line(text: &str) {
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{text}");
    let _ = out.flush();
}

/// Prints one JSON value and a newline on stdout.
pub fn print_json(value: &impl Serialize) {
    let mut out = std::io::stdout().lock();
    // A closed stdout (`| head`) is not worth a panic.
    let _ = serde_json::to_writer_pretty(&mut out, value);
    let _ = writeln!(out);
    let _ = out.flush();
}

/// The JSON object printed for an error under `--json`.
pub fn error_json(error: &CliError) -> Value {
    let mut object = serde_json::json!({
        "status": "error",
        "error": {
            "code": error.code(),
            "message": error.to_string(),
            "safe_to_retry": error.safe_to_retry(),
            "exit_code": error.exit_code(),
        }
    });
    if let CliError::Flag { flag, .. } = error {
        object["error"]["flag"] = Value::from(*flag);
    }
    object
}

/// The readable form of an outcome; `v2` for the protocol without a
/// status request.
pub fn human(o: &Outcome, v2: bool) -> String {
    let mut lines = Vec::new();
    let headline = match (o.status.as_str(), v2) {
        ("approved", _) if o.partial => "APPROVED FOR LESS (partial payment: collect the rest)",
        ("approved", _) => "APPROVED",
        ("declined", _) => "DECLINED",
        ("aborted", _) => "ABORTED",
        ("not_performed", _) => "NOT PERFORMED",
        ("pending", false) => "PENDING (fetch the result with `concert status`)",
        ("pending", true) => {
            "PENDING: V2 sends no final status and has no status request; read the result on the terminal"
        }
        (_, false) => {
            "IN DOUBT: the terminal may have taken it; resolve it before retrying (`concert journal resolve ID`, or `concert status`)"
        }
        (_, true) => {
            "IN DOUBT: the terminal may have taken it; check its screen or last receipt, then `concert journal resolve ID --as ...` (V2 has no status request)"
        }
    };
    lines.push(format!("{} {headline}", o.operation.name()));
    let mut row = |name: &str, value: Option<String>| {
        if let Some(v) = value.filter(|v| !v.is_empty()) {
            lines.push(format!("  {name:<14} {v}"));
        }
    };
    let reason = match (&o.reason_code, o.reason.is_empty()) {
        (Some(code), false) => Some(format!("{} ({code})", o.reason)),
        (Some(code), true) => Some(code.clone()),
        (None, false) => Some(o.reason.clone()),
        (None, true) => None,
    };
    row("reason", reason);
    row("journal entry", o.journal_entry.map(|e| e.to_string()));
    row(
        "amount",
        o.amount.zip(o.currency).map(|(a, c)| {
            let partial = if o.partial {
                o.requested_amount
                    .map(|r| format!(" (partial: {} asked)", format_decimal(r, c)))
                    .unwrap_or_default()
            } else {
                String::new()
            };
            format!("{} {c}{partial}", format_decimal(a, c))
        }),
    );
    row("card", o.card_number.clone());
    row("expiry", o.expiry.clone());
    row(
        "application",
        o.application.as_ref().map(|a| match a.label {
            Some(label) => format!("{label} ({})", a.code),
            None => a.code.clone(),
        }),
    );
    row("read mode", o.read_mode.map(|m| m.text().to_owned()));
    row("authorisation", o.authorization_number.clone());
    row("contract", o.contract.clone());
    row("aid", o.aid.clone());
    row("private data", o.private_data.clone());
    row("in doubt", o.in_doubt_cause.clone());
    for m in &o.echo_mismatches {
        lines.push(format!(
            "  warning        {} sent {:?} but echoed {:?}",
            m.field, m.sent, m.received
        ));
    }
    for late in &o.late_answers {
        lines.push(format!(
            "  late answer    {} ({}) to an earlier {}",
            late.outcome.status,
            late.outcome.reason,
            late.request
                .as_ref()
                .map_or("request", |r| r.operation.name())
        ));
    }
    if let Some(receipt) = &o.receipt {
        lines.push("  receipt:".to_owned());
        for line in receipt.text.lines() {
            lines.push(format!("    | {line}"));
        }
    }
    lines.join("\n")
}
