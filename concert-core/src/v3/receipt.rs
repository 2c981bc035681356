//! Receipts (tickets): the `ZT` record holds `CK` (which copy, which format)
//! and `AK` (the ticket, base64). Text tickets are Latin-1.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
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
    let raw = STANDARD
        .decode(ak.value)
        .map_err(|e| ReceiptError::Base64(e.to_string()))?;
    let text = match (format, String::from_utf8(raw)) {
        // HTML tickets may be UTF-8; text tickets are Latin-1 by definition.
        (ReceiptFormat::Html, Ok(s)) => s,
        (_, Ok(s)) if s.is_ascii() => s,
        (_, Ok(s)) => s.into_bytes().iter().map(|&b| char::from(b)).collect(),
        (_, Err(e)) => e.into_bytes().iter().map(|&b| char::from(b)).collect(),
    };
    Ok(Receipt {
        copy: request.map(|r| r.copy),
        format,
        text,
    })
}

/// Builds the value of a `ZT` record carrying `text` (as Latin-1 for text
/// tickets; characters outside Latin-1 become `?`).
pub fn encode_ticket(request: TicketRequest, text: &str) -> Result<Vec<u8>, ReceiptError> {
    let bytes: Vec<u8> = match request.format {
        ReceiptFormat::Text => text
            .chars()
            .map(|c| u8::try_from(u32::from(c)).unwrap_or(b'?'))
            .collect(),
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
        let value = encode_ticket(request, "CARTE BANCAIRE\nMontant 12,50 €uro réglé").unwrap();
        assert!(value.starts_with(b"CK003120AK"));
        let receipt = decode_ticket(&zt(&value)).unwrap();
        assert_eq!(receipt.copy, Some(ReceiptCopy::Both));
        assert_eq!(receipt.text, "CARTE BANCAIRE\nMontant 12,50 ?uro réglé");
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
