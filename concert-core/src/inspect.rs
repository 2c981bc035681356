//! Frames explained for people: what `concert decode`, Python's
//! `concert.decode` and Node's `decode` show. One reading of any V2 payload,
//! V3 message or whole serial frame, every field named and explained, card
//! numbers masked; a malformed frame gives the byte where reading stopped.

mod checked;

use std::borrow::Cow;

use thiserror::Error;

pub use checked::CheckedV3;

use crate::currency::Currency;
use crate::frame::{ETX, FrameError, STX, decode_frame};
use crate::v2::{self, V2Error};
use crate::v3::tags::{self, application_label};
use crate::v3::{
    Action, ActionStatus, DecodeError, DecodeOptions, ReadMode, Reason, TicketRequest, TlvRecord,
};

/// Which protocol to read the input as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Hint {
    /// Tell from the bytes: V3 messages start with a tag (capital letters),
    /// V2 payloads with the POS number (digits).
    #[default]
    Auto,
    /// A V2 request (26 or 34 characters) or answer (25 or 80).
    V2,
    /// V3 records.
    V3,
}

/// A frame read field by field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inspected {
    /// `"v2"` or `"v3"`.
    pub protocol: &'static str,
    /// `"v3"`, `"v2-request-e"`, `"v2-request-e+"`, `"v2-answer-25"` or
    /// `"v2-answer-80"`.
    pub kind: &'static str,
    /// The input was a whole serial frame (`STX … ETX LRC`, LRC checked).
    pub serial_frame: bool,
    /// The fields in wire order.
    pub fields: Vec<InspectedField>,
}

/// One field or record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InspectedField {
    /// V3 tag (`CB`) or V2 field name (`amount`).
    pub name: String,
    /// The value as sent, card numbers masked.
    pub value: String,
    /// What a coded value means (`debit`, `refused`, `12.50 EUR` …);
    /// borrowed when it is a fixed label, so explaining costs little.
    pub meaning: Option<Cow<'static, str>>,
    /// Records nested inside this one (V3 `ZT`).
    pub children: Vec<InspectedField>,
}

/// Input that is not a frame, and where reading stopped.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{message} at byte {offset}")]
pub struct InspectError {
    /// Offset from the start of the input (of the decoded bytes for hex).
    pub offset: usize,
    /// What is wrong.
    pub message: String,
}

impl InspectError {
    fn new(offset: usize, message: impl Into<String>) -> InspectError {
        InspectError {
            offset,
            message: message.into(),
        }
    }
}

/// Reads bytes: a V2 payload, V3 records, or a whole serial frame.
pub fn inspect(input: &[u8], hint: Hint) -> Result<Inspected, InspectError> {
    if input.first() == Some(&STX) {
        let payload = decode_frame(input).map_err(|e| frame_error(input, e))?;
        // Offsets inside the payload are one past the STX in the frame.
        let mut inspected = inspect_payload(payload, hint).map_err(|mut e| {
            e.offset += 1;
            e
        })?;
        inspected.serial_frame = true;
        return Ok(inspected);
    }
    inspect_payload(input, hint)
}

/// Reads text: a V2 payload, V3 records, or the hex of a whole serial frame
/// (`02 43 5A … 03 4F`, spaces allowed). Hex is taken as such only when it
/// decodes to `STX … ETX x`, so an all-digit V2 payload stays text.
pub fn inspect_text(input: &str, hint: Hint) -> Result<Inspected, InspectError> {
    match hex_frame(input) {
        Some(bytes) => inspect(&bytes, hint),
        None => inspect(input.as_bytes(), hint),
    }
}

/// The bytes of a serial frame written in hex, if `input` is one.
pub(crate) fn hex_frame(input: &str) -> Option<Vec<u8>> {
    let digits: Vec<u8> = input.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
    // Pairs of digits; not `is_multiple_of`, which the Windows build's
    // rustc (1.85) does not have.
    if digits.len() < 8
        || !digits.chunks_exact(2).remainder().is_empty()
        || !digits.iter().all(u8::is_ascii_hexdigit)
    {
        return None;
    }
    let bytes: Vec<u8> = digits
        .chunks(2)
        .map(|pair| {
            let text = std::str::from_utf8(pair).ok()?;
            u8::from_str_radix(text, 16).ok()
        })
        .collect::<Option<_>>()?;
    (bytes[0] == STX && bytes[bytes.len() - 2] == ETX).then_some(bytes)
}

fn frame_error(frame: &[u8], e: FrameError) -> InspectError {
    let offset = match &e {
        FrameError::MissingStx { .. } | FrameError::TooLong { .. } => 0,
        FrameError::Truncated { len } => *len,
        FrameError::TrailingBytes { offset, .. } | FrameError::NotPrintable { offset, .. } => {
            *offset
        }
        FrameError::WrongLrc { .. } => frame.len().saturating_sub(1),
    };
    InspectError::new(offset, e.to_string())
}

fn inspect_payload(payload: &[u8], hint: Hint) -> Result<Inspected, InspectError> {
    let hint = match hint {
        Hint::Auto if payload.first().is_some_and(u8::is_ascii_uppercase) => Hint::V3,
        Hint::Auto => Hint::V2,
        other => other,
    };
    if hint == Hint::V3 {
        inspect_v3(payload)
    } else {
        inspect_v2(payload)
    }
}

fn inspect_v3(payload: &[u8]) -> Result<Inspected, InspectError> {
    // Tolerant: a person decoding a terminal's answer wants to see repeated
    // tags and Latin-1 bytes, not be refused; structure errors still stop.
    let records = crate::v3::tlv::decode_records(payload, DecodeOptions::TOLERANT)
        .map_err(|e| v3_error(e, 0))?;
    let currency = records
        .iter()
        .find(|r| r.tag == tags::CE)
        .and_then(|r| std::str::from_utf8(r.value).ok()?.parse().ok())
        .and_then(|n| Currency::from_numeric(n).ok());
    let fields = v3_fields(&records, currency, 0)?;
    Ok(Inspected {
        protocol: "v3",
        kind: "v3",
        serial_frame: false,
        fields,
    })
}

/// `base`: where `records`' input starts in the message, so that errors in
/// nested records name the byte of the whole message.
fn v3_fields(
    records: &[TlvRecord<'_>],
    currency: Option<Currency>,
    base: usize,
) -> Result<Vec<InspectedField>, InspectError> {
    records
        .iter()
        .map(|record| {
            let children = if record.tag.is_constructed() {
                let value_at = base + record.value_offset();
                let nested = record
                    .nested(DecodeOptions::TOLERANT)
                    .map_err(|e| v3_error(e, value_at))?;
                v3_fields(&nested, currency, value_at)?
            } else {
                Vec::new()
            };
            let value = record.masked_text().into_owned();
            Ok(InspectedField {
                name: record.tag.as_str().to_owned(),
                meaning: v3_meaning(record, &value, currency),
                value,
                children,
            })
        })
        .collect()
}

fn v3_meaning(
    record: &TlvRecord<'_>,
    value: &str,
    currency: Option<Currency>,
) -> Option<Cow<'static, str>> {
    let v = record.value;
    let tag = record.tag;
    let text: Cow<'static, str> = if tag == tags::CD {
        action_word(Action::from_code(*v.first()?)).into()
    } else if tag == tags::AE {
        match ActionStatus::from_value(v)? {
            ActionStatus::Done => "done".into(),
            ActionStatus::NotDone => "not done".into(),
            ActionStatus::Taken => "taken, answer to follow".into(),
            ActionStatus::Other(_) => "undocumented action status".into(),
        }
    } else if tag == tags::AF {
        Reason::from_value(v)?.text().into()
    } else if tag == tags::CC {
        application_label(value)?.into()
    } else if tag == tags::CI {
        ReadMode::from_code(*v.first()?).text().into()
    } else if tag == tags::CE {
        let numeric: u16 = value.parse().ok()?;
        Currency::from_numeric(numeric).ok()?.alpha().into()
    } else if tag == tags::CB {
        let minor: u64 = value.parse().ok()?;
        match currency {
            Some(c) => format!("{} {}", crate::amount::format_decimal(minor, c), c.alpha()).into(),
            None => format!("{minor} minor units").into(),
        }
    } else if tag == tags::BA {
        match v {
            b"0" => "answer at end of transaction".into(),
            b"1" => "immediate answer".into(),
            _ => return None,
        }
    } else if tag == tags::BB {
        match v {
            b"0" => "terminal decides authorisation".into(),
            b"1" => "forced authorisation".into(),
            _ => return None,
        }
    } else if tag == tags::CK {
        let ticket = TicketRequest::from_code(v)?;
        format!("{:?} copy, {:?}", ticket.copy, ticket.format)
            .to_lowercase()
            .into()
    } else if tag == tags::AK {
        format!("ticket, {} characters of base64", v.len()).into()
    } else {
        return None;
    };
    Some(text)
}

fn action_word(action: Action) -> &'static str {
    match action {
        Action::Debit => "debit",
        Action::Credit => "credit",
        Action::Cancellation => "cancellation",
        Action::Duplicate => "duplicate",
        Action::Preauthorization => "pre-authorisation",
        Action::Reauthorization => "re-authorisation",
        Action::Deferred => "deferred",
        Action::Settlement => "settlement",
        Action::Identification => "identification",
        Action::Print => "print",
        Action::Status => "status",
        Action::Other(_) => "undocumented action",
    }
}

fn v3_error(e: DecodeError, base: usize) -> InspectError {
    InspectError::new(base + e.offset, e.kind.to_string())
}

fn inspect_v2(payload: &[u8]) -> Result<Inspected, InspectError> {
    let (kind, fields) = match payload.len() {
        v2::REQUEST_E_LEN | v2::REQUEST_EPLUS_LEN => {
            let r = v2::Request::decode(payload).map_err(v2_error)?;
            let kind = if r.eplus.is_some() {
                "v2-request-e+"
            } else {
                "v2-request-e"
            };
            (kind, v2_request_fields(&r))
        }
        v2::ANSWER_SHORT_LEN | v2::ANSWER_FULL_LEN => {
            let a = v2::Answer::decode(payload).map_err(v2_error)?;
            let kind = if a.rep.is_some() {
                "v2-answer-80"
            } else {
                "v2-answer-25"
            };
            (kind, v2_answer_fields(&a))
        }
        len => {
            return Err(InspectError::new(
                len,
                format!(
                    "a V2 payload is 25 or 80 characters (answer) or 26 or 34 (request), not {len}"
                ),
            ));
        }
    };
    Ok(Inspected {
        protocol: "v2",
        kind,
        serial_frame: false,
        fields,
    })
}

fn field(
    name: &str,
    value: impl Into<String>,
    meaning: Option<Cow<'static, str>>,
) -> InspectedField {
    InspectedField {
        name: name.into(),
        value: value.into(),
        meaning,
        children: Vec::new(),
    }
}

fn v2_amount(amount: u32, currency: u16) -> InspectedField {
    let meaning = Currency::from_numeric(currency).ok().map(|c| {
        format!(
            "{} {}",
            crate::amount::format_decimal(amount.into(), c),
            c.alpha()
        )
    });
    field("amount", format!("{amount:08}"), meaning.map(Cow::Owned))
}

fn v2_currency(currency: u16) -> InspectedField {
    let alpha = Currency::from_numeric(currency)
        .ok()
        .map(|c| Cow::Borrowed(c.alpha()));
    field("currency", format!("{currency:03}"), alpha)
}

fn v2_mode(mode: v2::PaymentMode) -> InspectedField {
    field(
        "payment_mode",
        char::from(mode.code()).to_string(),
        Some(mode.label().into()),
    )
}

fn v2_request_fields(r: &v2::Request) -> Vec<InspectedField> {
    let transaction = match r.transaction_type {
        v2::TransactionType::Debit => "debit",
        v2::TransactionType::Credit => "credit",
        v2::TransactionType::Cancellation => "cancellation",
        v2::TransactionType::Preauthorization => "pre-authorisation",
        v2::TransactionType::Other(_) => "undocumented transaction type",
    };
    let mut fields = vec![
        field("pos", format!("{:02}", r.pos), None),
        v2_amount(r.amount, r.currency),
        field(
            "answer_flag",
            if r.full_answer { "1" } else { "0" },
            Some(if r.full_answer {
                "80-character answer with card data".into()
            } else {
                "25-character answer".into()
            }),
        ),
        v2_mode(r.payment_mode),
        field(
            "transaction_type",
            char::from(r.transaction_type.code()).to_string(),
            Some(transaction.into()),
        ),
        v2_currency(r.currency),
        field("private", r.private_data.clone(), None),
    ];
    if let Some(eplus) = r.eplus {
        let (delay, delay_text) = match eplus.delay {
            v2::AnswerDelay::EndOfTransaction => ("A010", "answer at end of transaction"),
            v2::AnswerDelay::Immediate => ("A011", "immediate answer"),
        };
        let (auth, auth_text) = match eplus.authorization {
            v2::Authorization::TerminalDecides => ("B010", "terminal decides authorisation"),
            v2::Authorization::Forced => ("B011", "forced authorisation"),
        };
        fields.push(field("delay", delay, Some(delay_text.into())));
        fields.push(field("authorization", auth, Some(auth_text.into())));
    }
    fields
}

fn v2_answer_fields(a: &v2::Answer) -> Vec<InspectedField> {
    let mut fields = vec![
        field("pos", format!("{:02}", a.pos), None),
        field(
            "status",
            char::from(a.status.code()).to_string(),
            Some(a.status.text().into()),
        ),
        v2_amount(a.amount, a.currency),
        v2_mode(a.payment_mode),
    ];
    if let Some(rep) = &a.rep {
        let masked = rep.masked();
        fields.push(field(
            "rep",
            String::from_utf8_lossy(masked.raw()).into_owned(),
            rep.masked_card_number().map(|c| format!("card {c}").into()),
        ));
    }
    fields.push(v2_currency(a.currency));
    fields.push(field("private", a.private_data.clone(), None));
    fields
}

fn v2_error(e: V2Error) -> InspectError {
    let offset = match &e {
        V2Error::NotDigits { offset, .. }
        | V2Error::NotPrintable { offset, .. }
        | V2Error::UnknownValue { offset, .. } => *offset,
        V2Error::WrongLength { len, .. } => *len,
        V2Error::OutOfRange { .. } => 0,
    };
    InspectError::new(offset, e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::frame::encode_frame;

    fn find<'a>(i: &'a Inspected, name: &str) -> &'a InspectedField {
        i.fields.iter().find(|f| f.name == name).unwrap()
    }

    #[test]
    fn v3_message_is_explained() {
        let i = inspect(
            b"CZ0040300CJ012247300123456CA00201CB00512345CD0010CE003978",
            Hint::Auto,
        )
        .unwrap();
        assert_eq!((i.protocol, i.kind, i.serial_frame), ("v3", "v3", false));
        assert_eq!(find(&i, "CB").meaning.as_deref(), Some("123.45 EUR"));
        assert_eq!(find(&i, "CD").meaning.as_deref(), Some("debit"));
        assert_eq!(find(&i, "CE").meaning.as_deref(), Some("EUR"));
    }

    #[test]
    fn card_numbers_are_masked_in_v3_and_v2() {
        let i = inspect(b"CZ0040300AE00210AA0164970101234567894", Hint::V3).unwrap();
        assert_eq!(find(&i, "AA").value, "497010######7894");
        let rep = v2::Rep::with_card_number("4970101234567894").unwrap();
        let answer = v2::Answer {
            pos: 1,
            status: v2::Status::Accepted,
            amount: 1250,
            payment_mode: v2::PaymentMode::Card,
            rep: Some(rep),
            currency: 978,
            private_data: "          ".into(),
        }
        .encode()
        .unwrap();
        let i = inspect(&answer, Hint::Auto).unwrap();
        assert_eq!(i.kind, "v2-answer-80");
        let shown = format!("{i:?}");
        assert!(!shown.contains("4970101234567894"), "{shown}");
        assert!(shown.contains("497010"), "{shown}");
    }

    #[test]
    fn hex_of_a_serial_frame_is_read_as_a_frame() {
        let frame = encode_frame(b"0100001250101978          ");
        let hex: String = frame.iter().map(|b| format!("{b:02X} ")).collect();
        let i = inspect_text(&hex, Hint::Auto).unwrap();
        assert!(i.serial_frame);
        assert_eq!(i.kind, "v2-request-e");
        assert_eq!(find(&i, "amount").meaning.as_deref(), Some("12.50 EUR"));
        // An all-digit V2 payload stays text.
        let i = inspect_text("0100001250101978          ", Hint::Auto).unwrap();
        assert!(!i.serial_frame);
    }

    #[test]
    fn malformed_input_gives_the_offset() {
        let e = inspect(b"CZ0040300CB0101", Hint::Auto).unwrap_err();
        assert_eq!(e.offset, 11, "{e}");
        let mut frame = encode_frame(b"CZ0040300CBX05");
        let e = inspect(&frame, Hint::Auto).unwrap_err();
        assert_eq!(e.offset, 12, "{e}");
        *frame.last_mut().unwrap() ^= 0x55;
        let e = inspect(&frame, Hint::Auto).unwrap_err();
        assert!(e.message.contains("LRC"), "{e}");
        let e = inspect(b"0100001250", Hint::Auto).unwrap_err();
        assert!(e.to_string().contains("not 10"), "{e}");
        // In a nested record: the byte of the whole message (CK's length).
        let e = inspect(b"CZ0040300ZT006CK0031", Hint::Auto).unwrap_err();
        assert_eq!(e.offset, 16, "{e}");
        assert!(inspect(b"", Hint::Auto).is_err());
        assert!(inspect_text("", Hint::V3).is_err());
    }
}
