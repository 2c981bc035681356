//! The JSON form of an outcome: what `concert pay --json` prints and what
//! the bridge answers, one shape for both. Card numbers arrive masked from
//! the core and stay so.

use concert_core::amount::format_decimal;
use concert_core::terminal::{Direction, Outcome};
use concert_core::v3::{ReceiptCopy, ReceiptFormat};
use serde::Serialize;
use serde_json::{Map, Value};

/// The JSON form of an outcome.
#[derive(Debug, Clone, Serialize)]
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

#[derive(Debug, Clone, Serialize)]
struct ApplicationJson {
    code: String,
    label: Option<&'static str>,
}

#[derive(Debug, Clone, Serialize)]
struct ReceiptJson {
    copy: Option<&'static str>,
    format: &'static str,
    text: String,
}

#[derive(Debug, Clone, Serialize)]
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
                copy: r.copy.map(copy_name),
                format: match r.format {
                    ReceiptFormat::Text => "text",
                    ReceiptFormat::Html => "html",
                },
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
                    direction: match f.direction {
                        Direction::Sent => "sent",
                        Direction::Received => "received",
                    },
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

fn copy_name(c: ReceiptCopy) -> &'static str {
    match c {
        ReceiptCopy::Customer => "customer",
        ReceiptCopy::Merchant => "merchant",
        ReceiptCopy::Both => "both",
    }
}
