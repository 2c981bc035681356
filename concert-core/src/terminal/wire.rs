//! Bytes on the wire made safe to keep and log: card numbers masked, by
//! field where the bytes parse, by digit runs where they don't.

use std::fmt::Write;

use crate::frame::{ETX, STX};
use crate::mask::{mask_digit_runs, mask_pan_bytes};
use crate::v2;
use crate::v3::{DecodeOptions, tags::AA, tlv::decode_records};

/// Masks the card number of V3 bytes, in place (same length).
pub fn mask_v3(bytes: &[u8]) -> Vec<u8> {
    let Ok(records) = decode_records(bytes, DecodeOptions::STRUCTURE_ONLY) else {
        return mask_digit_runs(bytes);
    };
    let mut out = bytes.to_vec();
    for r in records.iter().filter(|r| r.tag == AA) {
        let at = r.value_offset();
        out[at..at + r.value.len()].copy_from_slice(&mask_pan_bytes(r.value));
    }
    out
}

/// Masks a payload of the given protocol.
pub fn mask_payload(v2: bool, payload: &[u8]) -> Vec<u8> {
    if v2 {
        if payload.len() == v2::ANSWER_FULL_LEN && v2::Answer::decode(payload).is_ok() {
            v2::Answer::mask_payload(payload)
        } else if v2::Request::decode(payload).is_ok() {
            payload.to_vec()
        } else {
            mask_digit_runs(payload)
        }
    } else {
        mask_v3(payload)
    }
}

/// Masks a serial byte stream: every `STX … ETX` payload inside it is masked
/// as a payload of the protocol; the LRC bytes are left as they were.
pub fn mask_serial_stream(v2: bool, stream: &[u8]) -> Vec<u8> {
    let mut out = stream.to_vec();
    let mut i = 0;
    while let Some(start) = out[i..].iter().position(|&b| b == STX).map(|p| p + i) {
        let body = start + 1;
        let end = out[body..]
            .iter()
            .position(|&b| b == ETX)
            .map_or(out.len(), |p| p + body);
        let masked = mask_payload(v2, &out[body..end]);
        out[body..end].copy_from_slice(&masked);
        // Skip the LRC: it may itself be STX.
        i = (end + 2).min(out.len());
    }
    out
}

/// Hex and printable ASCII side by side, for the wire trace.
pub fn hex_ascii(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 4);
    for b in bytes {
        let _ = write!(out, "{b:02x}");
    }
    out.push_str("  |");
    out.extend(bytes.iter().map(|&b| match b {
        0x20..=0x7e => char::from(b),
        _ => '.',
    }));
    out.push('|');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_pan_in_v3_and_serial_stream() {
        let v3 = b"CZ0040300AA0164970101234567894CB0041250";
        let masked = mask_v3(v3);
        assert_eq!(&masked[14..30], b"497010######7894");
        assert_eq!(&masked[30..], b"CB0041250");
        let payload =
            b"0100000125014711690463168807  00000000000000000000000000000000000009780000000000";
        let mut stream = vec![0x05, STX];
        stream.extend_from_slice(payload);
        stream.extend_from_slice(&[ETX, STX, 0x04]);
        let masked = mask_serial_stream(true, &stream);
        assert_eq!(&masked[14..30], b"471169######8807");
        assert_eq!(masked.len(), stream.len());
        assert_eq!(hex_ascii(b"A\x02"), "4102  |A.|");
    }
}
