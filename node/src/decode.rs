//! `decode(frame)`: any V2 payload, V3 message or whole serial frame read
//! field by field by the core's `inspect`, card numbers masked.

use concert_core::inspect::{Hint, InspectedField, inspect, inspect_text};
use concert_core::terminal::{answer_outcome, answer_outcome_text};
use napi::Either;
use napi::bindgen_prelude::Buffer;
use napi_derive::napi;

use crate::error::{Result, invalid};
use crate::outcome::NativeOutcome;

/// One field or record.
#[napi(object, object_from_js = false)]
pub struct NativeField {
    /// V3 tag (`CB`) or V2 field name (`amount`).
    pub name: String,
    /// The value, card numbers masked.
    pub value: String,
    /// What a coded value means (`debit`, `approved`, `12.50 EUR` …).
    pub meaning: Option<String>,
    /// Records nested inside this one (V3 `ZT`).
    pub children: Vec<NativeField>,
}

/// A frame read field by field, or where reading stopped.
#[napi(object, object_from_js = false)]
pub struct NativeDecoded {
    /// `v2` or `v3`.
    pub protocol: Option<String>,
    /// `v3`, `v2-request-e`, `v2-request-e+`, `v2-answer-25`, `v2-answer-80`.
    pub kind: Option<String>,
    /// The input was a whole serial frame (LRC checked).
    pub serial_frame: bool,
    /// The fields in wire order.
    pub fields: Vec<NativeField>,
    /// Every record (V3 tag) or field (V2 name) with its value, in wire
    /// order, card numbers masked: `[["CZ", "0300"], ["CB", "1250"], …]`.
    pub records: Vec<Vec<String>>,
    /// Why the input is not a frame.
    pub error: Option<String>,
    /// The byte where reading stopped.
    pub offset: Option<u32>,
    /// What a terminal's answer means (none for a request).
    pub outcome: Option<NativeOutcome>,
}

fn field(f: InspectedField) -> NativeField {
    NativeField {
        name: f.name,
        value: f.value,
        meaning: f.meaning.map(std::borrow::Cow::into_owned),
        children: f.children.into_iter().map(field).collect(),
    }
}

/// Reads a frame: text (a V2 payload, V3 records, or the hex of a serial
/// frame) or bytes. `hint` is `auto` (default), `v2` or `v3`.
#[napi]
pub fn native_decode(frame: Either<String, Buffer>, hint: Option<String>) -> Result<NativeDecoded> {
    let hint = match hint.as_deref() {
        None => Hint::Auto,
        Some(name) => name.parse::<Hint>().map_err(invalid)?,
    };
    let result = match &frame {
        Either::A(text) => inspect_text(text, hint),
        Either::B(bytes) => inspect(bytes, hint),
    };
    let outcome = || {
        match &frame {
            Either::A(text) => answer_outcome_text(text, hint),
            Either::B(bytes) => answer_outcome(bytes, hint),
        }
        .map(NativeOutcome::from)
    };
    Ok(match result {
        Ok(i) => NativeDecoded {
            outcome: outcome(),
            protocol: Some(i.protocol.to_owned()),
            kind: Some(i.kind.to_owned()),
            serial_frame: i.serial_frame,
            records: i
                .fields
                .iter()
                .map(|f| vec![f.name.clone(), f.value.clone()])
                .collect(),
            fields: i.fields.into_iter().map(field).collect(),
            error: None,
            offset: None,
        },
        Err(e) => NativeDecoded {
            protocol: None,
            kind: None,
            serial_frame: false,
            fields: Vec::new(),
            records: Vec::new(),
            offset: Some(u32::try_from(e.offset).unwrap_or(u32::MAX)),
            error: Some(e.message),
            outcome: None,
        },
    })
}
