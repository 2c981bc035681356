//! The core's `Outcome` and `Event` as plain JavaScript objects.

use concert_core::terminal::{Event, LateAnswer, Outcome};
use napi::bindgen_prelude::Buffer;
use napi_derive::napi;

/// The application the terminal used, or how it read the card.
#[napi(object, object_from_js = false)]
pub struct CodeLabel {
    /// The code as received.
    pub code: String,
    /// Its meaning, when known.
    pub label: Option<String>,
}

/// A ticket sent back by the terminal.
#[napi(object, object_from_js = false)]
pub struct NativeReceipt {
    /// `customer`, `merchant`, `both`, or absent when not stated.
    pub copy: Option<String>,
    /// `text` or `html`.
    pub format: String,
    /// The ticket.
    pub text: String,
}

/// An echoed field that differs from what was sent.
#[napi(object, object_from_js = false)]
pub struct NativeEchoMismatch {
    /// The field (`CA`, `CB`, … or a V2 field name).
    pub field: String,
    /// What was sent.
    pub sent: String,
    /// What came back.
    pub received: String,
}

/// Bytes as they crossed the wire, card numbers masked.
#[napi(object, object_from_js = false)]
pub struct NativeFrame {
    /// `sent` or `received`.
    pub direction: String,
    /// The bytes.
    pub bytes: Buffer,
}

/// What came of a request (see `Outcome` in the package's types).
#[napi(object, object_from_js = false)]
pub struct NativeOutcome {
    /// `approved`, `declined`, `aborted`, `not_performed`, `pending`, `in_doubt`.
    pub status: String,
    /// The operation asked for.
    pub operation: String,
    /// V3 version the terminal answered with.
    pub protocol_version: Option<String>,
    /// V3 `AF` or the V2 status character.
    pub reason_code: Option<String>,
    /// The reason in words.
    pub reason: String,
    /// The whole `AF` value.
    pub reason_detail: Option<String>,
    /// Amount the terminal reports, in minor units.
    pub amount: Option<f64>,
    /// Amount asked for, in minor units.
    pub requested_amount: Option<f64>,
    /// The journal entry recording this transaction, when journaled.
    pub journal_entry: Option<f64>,
    /// Approved for less than asked.
    pub partial: bool,
    /// ISO 4217 alphabetic code.
    pub currency: Option<String>,
    /// Card number, masked.
    pub card_number: Option<String>,
    /// Card expiry `YYMM`.
    pub expiry: Option<String>,
    /// Card AID.
    pub aid: Option<String>,
    /// Application used.
    pub application: Option<CodeLabel>,
    /// How the card was read.
    pub read_mode: Option<CodeLabel>,
    /// Authorisation number.
    pub authorization_number: Option<String>,
    /// Merchant contract number.
    pub contract: Option<String>,
    /// Private data echoed.
    pub private_data: Option<String>,
    /// The ticket.
    pub receipt: Option<NativeReceipt>,
    /// The ticket's text (same as `receipt.text`).
    pub receipt_text: Option<String>,
    /// Every ticket, in order (one per copy when the terminal sends the
    /// customer's and the merchant's apart).
    pub receipts: Vec<NativeReceipt>,
    /// Echoed fields that differ from the request.
    pub echo_mismatches: Vec<NativeEchoMismatch>,
    /// Every record received, in order, as `[name, value]`, card numbers masked.
    pub records: Vec<Vec<String>>,
    /// The answer as received, card numbers masked.
    pub raw_answer: Option<Buffer>,
    /// V2 REP unmasked (only with `keepRawCardData`).
    pub raw_card_data: Option<String>,
    /// Why the outcome is in doubt.
    pub in_doubt_cause: Option<String>,
    /// Bytes sent and received.
    pub frames: Vec<NativeFrame>,
    /// Answers to earlier requests that came late, handed over with this
    /// outcome.
    pub late_answers: Vec<NativeLateAnswer>,
}

/// An answer that came after its transaction's outcome (serial), handed
/// over once: on the next outcome's `lateAnswers` or by
/// `takeLateAnswers()`.
#[napi(object, object_from_js = false)]
pub struct NativeLateAnswer {
    /// The answer read as the answer to the request below: its status,
    /// amount and echo mismatches say whether it is that request's.
    pub outcome: NativeOutcome,
    /// The operation of the request it was read against, absent if
    /// nothing had been sent yet.
    pub operation: Option<String>,
    /// The amount that request asked, in minor units.
    pub requested_amount: Option<f64>,
    /// The private data (merchant reference) that request carried.
    pub private_data: Option<String>,
    /// The payload as received, card number masked.
    pub raw: Buffer,
    /// When it came, in milliseconds since the Unix epoch (`Date.now()` scale).
    pub received_at_ms: f64,
}

impl From<LateAnswer> for NativeLateAnswer {
    fn from(late: LateAnswer) -> NativeLateAnswer {
        let request = late.request.as_ref();
        NativeLateAnswer {
            operation: request.map(|r| r.operation.name().to_owned()),
            requested_amount: request.and_then(|r| r.amount).map(number),
            private_data: request.and_then(|r| r.private_data.clone()),
            raw: late.raw.into(),
            received_at_ms: late
                .received_at
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0.0, |d| d.as_secs_f64() * 1e3),
            outcome: late.outcome.into(),
        }
    }
}

/// Amounts stay below 10^12 (12 digits on the wire), exact as a JS number.
#[allow(clippy::cast_precision_loss)]
fn number(amount: u64) -> f64 {
    amount as f64
}

impl From<Outcome> for NativeOutcome {
    fn from(o: Outcome) -> NativeOutcome {
        let native = |r: concert_core::v3::Receipt| NativeReceipt {
            copy: r.copy.map(|c| c.name().to_owned()),
            format: r.format.name().to_owned(),
            text: r.text,
        };
        let receipt = o.receipt.map(native);
        let receipts = o.receipts.into_iter().map(native).collect();
        NativeOutcome {
            status: o.status.as_str().to_owned(),
            operation: o.operation.name().to_owned(),
            protocol_version: o.protocol_version,
            reason_code: o.reason_code,
            reason: o.reason,
            reason_detail: o.reason_detail,
            amount: o.amount.map(number),
            requested_amount: o.requested_amount.map(number),
            journal_entry: o.journal_entry.map(|e| e.0 as f64),
            partial: o.partial,
            currency: o.currency.map(|c| c.alpha().to_owned()),
            card_number: o.card_number,
            expiry: o.expiry,
            aid: o.aid,
            application: o.application.map(|a| CodeLabel {
                code: a.code,
                label: a.label.map(str::to_owned),
            }),
            read_mode: o.read_mode.map(|m| CodeLabel {
                code: char::from(m.code()).to_string(),
                label: Some(m.text().to_owned()),
            }),
            authorization_number: o.authorization_number,
            contract: o.contract,
            private_data: o.private_data,
            receipt_text: receipt.as_ref().map(|r| r.text.clone()),
            receipt,
            receipts,
            echo_mismatches: o
                .echo_mismatches
                .into_iter()
                .map(|m| NativeEchoMismatch {
                    field: m.field.to_owned(),
                    sent: m.sent,
                    received: m.received,
                })
                .collect(),
            records: o.records.into_iter().map(|(k, v)| vec![k, v]).collect(),
            raw_answer: o.raw_answer.map(Buffer::from),
            raw_card_data: o.raw_card_data,
            in_doubt_cause: o.in_doubt_cause,
            frames: o
                .frames
                .into_iter()
                .map(|f| NativeFrame {
                    direction: f.direction.name().to_owned(),
                    bytes: Buffer::from(f.bytes),
                })
                .collect(),
            late_answers: o.late_answers.into_iter().map(Into::into).collect(),
        }
    }
}

/// An error that left no doubt: nothing reached the terminal.
#[napi(object, object_from_js = false)]
pub struct NativeFailure {
    /// Stable code (`CONCERT_BUSY`, `CONCERT_CONNECT` …).
    pub code: String,
    /// From the core's table: nothing reached the terminal.
    pub safe_to_retry: bool,
    /// What went wrong.
    pub message: String,
}

/// What a running transaction reports: progress events, then one final
/// message with `outcome` or `failure`.
#[napi(object, object_from_js = false)]
pub struct NativeMessage {
    /// `connecting`, `sent`, `acknowledged`, `waiting_for_answer`,
    /// `answer_received`, `done`; absent on the final message.
    pub event: Option<String>,
    /// With `done`: the outcome's status.
    pub status: Option<String>,
    /// The final outcome.
    pub outcome: Option<NativeOutcome>,
    /// The final error.
    pub failure: Option<NativeFailure>,
}

impl NativeMessage {
    /// A progress event.
    pub fn event(event: Event) -> NativeMessage {
        NativeMessage {
            event: Some(event.name().to_owned()),
            status: match event {
                Event::Done(status) => Some(status.as_str().to_owned()),
                _ => None,
            },
            outcome: None,
            failure: None,
        }
    }

    /// The final message.
    pub fn result(result: Result<Outcome, concert_core::terminal::Error>) -> NativeMessage {
        let (outcome, failure) = match result {
            Ok(o) => (Some(o.into()), None),
            Err(e) => (
                None,
                Some(NativeFailure {
                    code: e.code().to_owned(),
                    safe_to_retry: e.safe_to_retry(),
                    message: e.to_string(),
                }),
            ),
        };
        NativeMessage {
            event: None,
            status: None,
            outcome,
            failure,
        }
    }
}
