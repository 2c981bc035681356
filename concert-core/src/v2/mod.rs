//! Concert V2 (Telium protocol E and E+): fixed-width messages over a serial
//! link. Requests are 26 (E) or 34 (E+) characters; answers 25 or 80
//! (with the 55-character REP card data), told apart by their length.

mod answer;
mod fields;
mod request;

pub use answer::{Answer, Rep};
pub use fields::{AnswerDelay, Authorization, PaymentMode, Status, TransactionType};
pub use request::{EPlus, Request};

use thiserror::Error;

/// Length of a protocol E request.
pub const REQUEST_E_LEN: usize = 26;
/// Length of a protocol E+ request.
pub const REQUEST_EPLUS_LEN: usize = 34;
/// Length of an answer without REP.
pub const ANSWER_SHORT_LEN: usize = 25;
/// Length of an answer with REP.
pub const ANSWER_FULL_LEN: usize = 80;
/// Length of the REP field.
pub const REP_LEN: usize = 55;
/// Largest amount a V2 message carries (8 digits).
pub const MAX_AMOUNT: u32 = 99_999_999;
/// Length of the private data field.
pub const PRIVATE_LEN: usize = 10;

/// Why V2 bytes or values are not a valid message.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum V2Error {
    /// A message whose length matches no V2 message kind.
    #[error("V2 {what} must be {expected} characters, got {len}")]
    WrongLength {
        /// Request or answer.
        what: &'static str,
        /// What lengths are valid.
        expected: &'static str,
        /// What was given.
        len: usize,
    },
    /// A numeric field with a non-digit.
    #[error("field {field} at offset {offset} must be digits, found {found:?}")]
    NotDigits {
        /// Field name.
        field: &'static str,
        /// Offset of the field.
        offset: usize,
        /// What was there.
        found: String,
    },
    /// A byte outside printable ASCII.
    #[error("byte 0x{byte:02x} at offset {offset} is not printable ASCII")]
    NotPrintable {
        /// Offset.
        offset: usize,
        /// The byte.
        byte: u8,
    },
    /// An E+ field with an unknown value.
    #[error("field {field} at offset {offset} has unknown value {found:?}")]
    UnknownValue {
        /// Field name.
        field: &'static str,
        /// Offset.
        offset: usize,
        /// What was there.
        found: String,
    },
    /// A value that does not fit its field.
    #[error("{field} {value} is out of range ({range})")]
    OutOfRange {
        /// Field name.
        field: &'static str,
        /// The value.
        value: String,
        /// The valid range.
        range: &'static str,
    },
}

pub(crate) fn digits_field(
    bytes: &[u8],
    offset: usize,
    len: usize,
    field: &'static str,
) -> Result<u32, V2Error> {
    // Bounds-checked: the simulator reads fields of requests of any length.
    let slice = bytes
        .get(offset..)
        .map_or(&[][..], |rest| &rest[..len.min(rest.len())]);
    if slice.len() != len || !slice.iter().all(u8::is_ascii_digit) {
        return Err(V2Error::NotDigits {
            field,
            offset,
            found: String::from_utf8_lossy(slice).into_owned(),
        });
    }
    Ok(slice.iter().fold(0u32, |n, d| n * 10 + u32::from(d - b'0')))
}

pub(crate) fn check_printable(bytes: &[u8]) -> Result<(), V2Error> {
    match bytes.iter().position(|b| !(0x20..=0x7e).contains(b)) {
        Some(offset) => Err(V2Error::NotPrintable {
            offset,
            byte: bytes[offset],
        }),
        None => Ok(()),
    }
}

/// Validates and pads private data to its 10 characters.
pub(crate) fn private_field(private: &str) -> Result<[u8; PRIVATE_LEN], V2Error> {
    let bytes = private.as_bytes();
    if bytes.len() > PRIVATE_LEN {
        return Err(V2Error::OutOfRange {
            field: "private data",
            value: format!("{private:?}"),
            range: "at most 10 characters",
        });
    }
    check_printable(bytes)?;
    let mut field = [b' '; PRIVATE_LEN];
    field[..bytes.len()].copy_from_slice(bytes);
    Ok(field)
}

pub(crate) fn check_pos(pos: u8) -> Result<(), V2Error> {
    if (1..=99).contains(&pos) {
        Ok(())
    } else {
        Err(V2Error::OutOfRange {
            field: "POS number",
            value: pos.to_string(),
            range: "01 to 99",
        })
    }
}

pub(crate) fn check_amount(amount: u32) -> Result<(), V2Error> {
    if amount <= MAX_AMOUNT {
        Ok(())
    } else {
        Err(V2Error::OutOfRange {
            field: "amount",
            value: amount.to_string(),
            range: "at most 8 digits (99999999)",
        })
    }
}

pub(crate) fn check_currency(currency: u16) -> Result<(), V2Error> {
    if currency <= 999 {
        Ok(())
    } else {
        Err(V2Error::OutOfRange {
            field: "currency",
            value: currency.to_string(),
            range: "3 digits",
        })
    }
}
