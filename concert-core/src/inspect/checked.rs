//! A plain V3 message checked without being explained: one walk over its
//! records (nested ones too) with the rules [`inspect`](super::inspect)
//! reads them by, keeping where each top-level value lies. Tills that only
//! want the `(tag, value)` pairs pay for nothing more; the full explanation
//! (labels, amounts, currencies) is made on demand.

use std::borrow::Cow;
use std::ops::Range;

use super::{Hint, InspectError, Inspected, inspect};
use crate::v3::DecodeOptions;
use crate::v3::tlv::{Tag, TlvRecord, decode_records};

/// A V3 message whose records are known to be well formed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedV3 {
    payload: Vec<u8>,
    records: Vec<(Tag, Range<usize>)>,
}

/// Records and nested records well formed, as `inspect` reads them.
fn well_formed(records: &[TlvRecord<'_>]) -> bool {
    records.iter().all(|r| {
        !r.tag.is_constructed()
            || r.nested(DecodeOptions::TOLERANT)
                .is_ok_and(|inner| well_formed(&inner))
    })
}

impl CheckedV3 {
    /// The message checked, when `bytes` is a plain V3 message (it starts
    /// with a tag) and `hint` allows V3; `None` for anything else (a V2
    /// payload, a serial frame, hex) or anything malformed, which
    /// [`inspect`] then reads or reports with its offset.
    pub fn check(bytes: &[u8], hint: Hint) -> Option<CheckedV3> {
        if hint == Hint::V2 || !bytes.first().is_some_and(u8::is_ascii_uppercase) {
            return None;
        }
        let records = decode_records(bytes, DecodeOptions::TOLERANT).ok()?;
        if !well_formed(&records) {
            return None;
        }
        let records = records
            .iter()
            .map(|r| {
                let start = r.value_offset();
                (r.tag, start..start + r.value.len())
            })
            .collect();
        Some(CheckedV3 {
            payload: bytes.to_vec(),
            records,
        })
    }

    /// How many top-level records.
    pub fn len(&self) -> usize {
        self.records.len()
    }

    /// Whether there is no record (never true: an empty message is refused).
    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }

    /// The message's bytes.
    pub fn payload(&self) -> &[u8] {
        &self.payload
    }

    /// Each top-level record's tag and value in wire order, the card number
    /// masked.
    pub fn records(&self) -> impl Iterator<Item = (Tag, Cow<'_, str>)> {
        self.records.iter().map(|(tag, range)| {
            let record = TlvRecord {
                tag: *tag,
                value: &self.payload[range.clone()],
                offset: range.start - crate::v3::tlv::HEADER_LEN,
            };
            (*tag, record.masked_text())
        })
    }

    /// The full explanation, field by field.
    pub fn inspect(&self) -> Result<Inspected, InspectError> {
        inspect(&self.payload, Hint::V3)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checks_plain_v3_only_and_masks_the_card_number() {
        let message = b"CZ0040300CJ012000000000001AA0164970101234567894ZT009CB0041250";
        let checked = CheckedV3::check(message, Hint::Auto).unwrap();
        assert_eq!(checked.len(), 4);
        let pairs: Vec<(String, String)> = checked
            .records()
            .map(|(t, v)| (t.as_str().to_owned(), v.into_owned()))
            .collect();
        assert_eq!(pairs[2], ("AA".into(), "497010######7894".into()));
        assert_eq!(checked.inspect().unwrap().fields.len(), 4);
        assert!(CheckedV3::check(message, Hint::V2).is_none());
        assert!(CheckedV3::check(b"0000001250", Hint::Auto).is_none());
        assert!(CheckedV3::check(b"CZ0040300ZT005CB00", Hint::Auto).is_none());
    }
}
