//! Receipts (tickets): the `ZT` record holds `CK` (which copy, which format)
//! and `AK` (the ticket, base64).
//!
//! The notes call text tickets Latin-1, which has no euro sign, yet French
//! tickets print "€". Text is therefore read as Windows-1252: its bytes
//! 0xA0–0xFF are Latin-1's, and its 0x80–0x9F (€ at 0x80, Œ, œ, ’ …) are
//! C1 control codes in Latin-1 that a printed ticket never holds, so a
//! Latin-1 ticket reads unchanged and a Windows-1252 one reads right. Two
//! more spellings are accepted: 0xA4, the euro sign of ISO-8859-15 (in
//! Latin-1 the generic currency sign ¤, which no ticket prints), and UTF-8
//! when the bytes are valid UTF-8 (newer terminals, HTML tickets). Text
//! tickets are written as Windows-1252.

use base64::Engine;
use base64::alphabet;
use base64::engine::DecodePaddingMode;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig, STANDARD};
use thiserror::Error;

use super::tags::{AK, CK};
use super::tlv::{DecodeError, DecodeOptions, EncodeError, MessageBuilder, TlvRecord};

/// Which copy of the ticket.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ReceiptCopy {
    /// The card holder's copy.
    Customer,
    /// The merchant's copy.
    Merchant,
    /// Both copies.
    Both,
}

/// How the ticket is encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ReceiptFormat {
    /// Latin-1 text.
    Text,
    /// HTML.
    Html,
}

/// A ticket request (`CK`): `1` + copy + format, or `000` for none.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TicketRequest {
    /// Which copy.
    pub copy: ReceiptCopy,
    /// Which format.
    pub format: ReceiptFormat,
}

impl TicketRequest {
    /// The three-character `CK` value.
    pub fn code(self) -> [u8; 3] {
        let copy = match self.copy {
            ReceiptCopy::Customer => b'0',
            ReceiptCopy::Merchant => b'1',
            ReceiptCopy::Both => b'2',
        };
        let format = match self.format {
            ReceiptFormat::Text => b'0',
            ReceiptFormat::Html => b'1',
        };
        [b'1', copy, format]
    }

    /// Reads a `CK` value; `None` for `0xx` (no ticket) or an unknown code.
    pub fn from_code(code: &[u8]) -> Option<TicketRequest> {
        let &[b'1', copy, format] = code else {
            return None;
        };
        let copy = match copy {
            b'0' => ReceiptCopy::Customer,
            b'1' => ReceiptCopy::Merchant,
            b'2' => ReceiptCopy::Both,
            _ => return None,
        };
        let format = match format {
            b'0' => ReceiptFormat::Text,
            b'1' => ReceiptFormat::Html,
            _ => return None,
        };
        Some(TicketRequest { copy, format })
    }
}

/// A decoded ticket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Receipt {
    /// Which copy, when `CK` says so.
    pub copy: Option<ReceiptCopy>,
    /// Text or HTML (text when `CK` is absent).
    pub format: ReceiptFormat,
    /// The ticket itself.
    pub text: String,
}

/// Why a `ZT` record could not be read as a ticket.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ReceiptError {
    /// The nested records are malformed.
    #[error("ticket records: {0}")]
    Records(#[from] DecodeError),
    /// No `AK` inside `ZT`.
    #[error("ticket has no AK record")]
    MissingText,
    /// `AK` is not base64.
    #[error("ticket text is not valid base64: {0}")]
    Base64(String),
    /// The ticket is too long to fit in one `ZT` record.
    #[error("ticket of {0} bytes does not fit in one ZT record")]
    TooLong(usize),
}

/// Reads the ticket inside a `ZT` record.
pub fn decode_ticket(zt: &TlvRecord<'_>) -> Result<Receipt, ReceiptError> {
    let inner = zt.nested(DecodeOptions::TOLERANT)?;
    let ck = inner.iter().find(|r| r.tag == CK).map(|r| r.value);
    let ak = inner
        .iter()
        .find(|r| r.tag == AK)
        .ok_or(ReceiptError::MissingText)?;
    let request = ck.and_then(TicketRequest::from_code);
    let format = request.map_or(ReceiptFormat::Text, |r| r.format);
    let raw = decode_base64(ak.value)?;
    let text = match String::from_utf8(raw) {
        Ok(text) => text,
        Err(e) => ticket_text(e.as_bytes()),
    };
    Ok(Receipt {
        copy: request.map(|r| r.copy),
        format,
        text,
    })
}

/// Base64 as terminals send it: padded or not, possibly cut into lines.
fn decode_base64(value: &[u8]) -> Result<Vec<u8>, ReceiptError> {
    const LENIENT: GeneralPurpose = GeneralPurpose::new(
        &alphabet::STANDARD,
        GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
    );
    let compact: Vec<u8> = value
        .iter()
        .copied()
        .filter(|b| !b.is_ascii_whitespace())
        .collect();
    LENIENT
        .decode(compact)
        .map_err(|e| ReceiptError::Base64(e.to_string()))
}

/// Windows-1252 at 0x80–0x9F; the five positions it leaves undefined keep
/// their Latin-1 (control) meaning.
const CP1252_HIGH: [char; 32] = [
    '\u{20ac}', '\u{81}', '\u{201a}', '\u{192}', '\u{201e}', '\u{2026}', '\u{2020}', '\u{2021}',
    '\u{2c6}', '\u{2030}', '\u{160}', '\u{2039}', '\u{152}', '\u{8d}', '\u{17d}', '\u{8f}',
    '\u{90}', '\u{2018}', '\u{2019}', '\u{201c}', '\u{201d}', '\u{2022}', '\u{2013}', '\u{2014}',
    '\u{2dc}', '\u{2122}', '\u{161}', '\u{203a}', '\u{153}', '\u{9d}', '\u{17e}', '\u{178}',
];

/// Ticket bytes that are not UTF-8, as text (see the module comment).
fn ticket_text(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|&b| match b {
            0x80..=0x9f => CP1252_HIGH[usize::from(b - 0x80)],
            0xa4 => '\u{20ac}',
            _ => char::from(b),
        })
        .collect()
}

/// A character as Windows-1252 writes it; `?` when it has no place there.
fn cp1252_byte(c: char) -> u8 {
    match u8::try_from(u32::from(c)) {
        Ok(b) if !(0x80..=0x9f).contains(&b) => b,
        _ => CP1252_HIGH
            .iter()
            .position(|&high| high == c && u32::from(high) > 0xff)
            .and_then(|i| u8::try_from(0x80 + i).ok())
            .unwrap_or(b'?'),
    }
}

/// Builds the value of a `ZT` record carrying `text` (as Windows-1252 for
/// text tickets, see the module comment; characters it lacks become `?`).
pub fn encode_ticket(request: TicketRequest, text: &str) -> Result<Vec<u8>, ReceiptError> {
    let bytes: Vec<u8> = match request.format {
        ReceiptFormat::Text => text.chars().map(cp1252_byte).collect(),
        ReceiptFormat::Html => text.as_bytes().to_vec(),
    };
    let encoded = STANDARD.encode(&bytes);
    let mut inner = MessageBuilder::nested();
    inner
        .push(CK, request.code())
        .and_then(|b| b.push(AK, &encoded))
        .map_err(|e| match e {
            EncodeError::ValueTooLong { .. } => ReceiptError::TooLong(bytes.len()),
            other => ReceiptError::Base64(other.to_string()),
        })?;
    let value = inner.finish();
    if value.len() > super::tlv::MAX_VALUE_LEN {
        return Err(ReceiptError::TooLong(bytes.len()));
    }
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::v3::tags::ZT;
    use crate::v3::tlv::Tag;

    fn zt(value: &[u8]) -> TlvRecord<'_> {
        TlvRecord {
            tag: ZT,
            value,
            offset: 0,
        }
    }

    #[test]
    fn latin1_text_round_trip() {
        let request = TicketRequest {
            copy: ReceiptCopy::Both,
            format: ReceiptFormat::Text,
        };
        let text = "CARTE BANCAIRE\nMontant 12,50 €\nà bientôt – Œuvre";
        let value = encode_ticket(request, text).unwrap();
        assert!(value.starts_with(b"CK003120AK"));
        let receipt = decode_ticket(&zt(&value)).unwrap();
        assert_eq!(receipt.copy, Some(ReceiptCopy::Both));
        assert_eq!(receipt.text, text);
        // Written as Windows-1252: one byte a character.
        let ak = &value[b"CK003120AK000".len()..];
        assert_eq!(STANDARD.decode(ak).unwrap().len(), text.chars().count());
        assert_eq!(
            decode_ticket(&zt(&encode_ticket(request, "日本").unwrap()))
                .unwrap()
                .text,
            "??"
        );
    }

    fn ak(bytes: &[u8]) -> Vec<u8> {
        let b64 = STANDARD.encode(bytes);
        format!("CK003100AK{:03}{b64}", b64.len()).into_bytes()
    }

    #[test]
    fn every_spelling_of_the_euro_and_accents() {
        let expected = "à bientôt\n12,50 €";
        for bytes in [
            &b"\xe0 bient\xf4t\n12,50 \x80"[..], // Windows-1252
            b"\xe0 bient\xf4t\n12,50 \xa4",      // ISO-8859-15
            "à bientôt\n12,50 €".as_bytes(),     // UTF-8
        ] {
            assert_eq!(decode_ticket(&zt(&ak(bytes))).unwrap().text, expected);
        }
    }

    #[test]
    fn base64_without_padding_or_cut_into_lines() {
        let text = b"TICKET CLIENT\nMERCI";
        let padded = STANDARD.encode(text);
        assert!(padded.ends_with('='));
        let bare = padded.trim_end_matches('=');
        let lines = format!("{}\r\n{}", &padded[..8], &padded[8..]);
        for b64 in [padded.as_str(), bare, lines.as_str()] {
            let value = format!("CK003100AK{:03}{b64}", b64.len());
            let receipt = decode_ticket(&zt(value.as_bytes())).unwrap();
            assert_eq!(receipt.text, "TICKET CLIENT\nMERCI", "{b64:?}");
        }
    }

    #[test]
    fn html_and_errors() {
        let request = TicketRequest {
            copy: ReceiptCopy::Customer,
            format: ReceiptFormat::Html,
        };
        let value = encode_ticket(request, "<p>Payé</p>").unwrap();
        assert_eq!(decode_ticket(&zt(&value)).unwrap().text, "<p>Payé</p>");
        assert_eq!(
            decode_ticket(&zt(b"CK003100")),
            Err(ReceiptError::MissingText)
        );
        assert!(matches!(
            decode_ticket(&zt(b"CK003100AK003!!!")),
            Err(ReceiptError::Base64(_))
        ));
        assert!(matches!(
            encode_ticket(request, &"x".repeat(800)),
            Err(ReceiptError::TooLong(800))
        ));
        assert_eq!(TicketRequest::from_code(b"000"), None);
        let _ = Tag::parse("ZT").unwrap();
    }
}
