//! Amounts are integer minor units everywhere. This module turns the decimal
//! strings people type (`"12.50"`) into minor units exactly, with the
//! currency's own exponent, and never through a float.

use thiserror::Error;

use crate::currency::Currency;

/// The largest amount any Concert version can carry: 12 digits (V3 `CB`).
pub const MAX_AMOUNT: u64 = 999_999_999_999;

/// Why a decimal amount string was refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum AmountError {
    /// Empty input.
    #[error("amount is empty")]
    Empty,
    /// A sign, letter, comma, space or second decimal point.
    #[error("amount {input:?} is not a decimal number: use digits and one '.' (e.g. \"12.50\")")]
    Malformed {
        /// What was given.
        input: String,
    },
    /// More decimal places than the currency has minor units.
    #[error("amount {input:?} has {places} decimal places but {currency} has {exponent}")]
    TooPrecise {
        /// What was given.
        input: String,
        /// Decimal places given.
        places: usize,
        /// The currency.
        currency: Currency,
        /// Its exponent.
        exponent: u32,
    },
    /// Larger than the 12 digits Concert can carry.
    #[error("amount {input:?} is too large: at most {MAX_AMOUNT} minor units")]
    TooLarge {
        /// What was given.
        input: String,
    },
}

/// Parses a decimal string such as `"12.50"` into minor units of `currency`
/// (1250 for EUR). Trailing zeros beyond the exponent are accepted
/// (`"12.500"` is still exactly 1250); any other extra digit is refused, as
/// are signs, exponents, commas and whitespace.
pub fn parse_decimal(input: &str, currency: Currency) -> Result<u64, AmountError> {
    if input.is_empty() {
        return Err(AmountError::Empty);
    }
    let malformed = || AmountError::Malformed {
        input: input.to_owned(),
    };
    let (int_part, frac_part) = match input.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (input, None),
    };
    let all_digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !all_digits(int_part) || frac_part.is_some_and(|f| !all_digits(f)) {
        return Err(malformed());
    }
    let exponent = currency.exponent();
    let frac = frac_part.unwrap_or("");
    let significant = frac.trim_end_matches('0');
    if significant.len() > exponent as usize {
        return Err(AmountError::TooPrecise {
            input: input.to_owned(),
            places: frac.len(),
            currency,
            exponent,
        });
    }
    let too_large = || AmountError::TooLarge {
        input: input.to_owned(),
    };
    let mut minor: u64 = 0;
    let digits = int_part
        .bytes()
        .chain(significant.bytes())
        .chain(std::iter::repeat_n(
            b'0',
            exponent as usize - significant.len(),
        ));
    for d in digits {
        minor = minor
            .checked_mul(10)
            .and_then(|m| m.checked_add(u64::from(d - b'0')))
            .ok_or_else(too_large)?;
    }
    if minor > MAX_AMOUNT {
        return Err(too_large());
    }
    Ok(minor)
}

/// Formats minor units as a decimal string with the currency's exponent
/// (`1250` EUR → `"12.50"`).
pub fn format_decimal(minor: u64, currency: Currency) -> String {
    let exponent = currency.exponent() as usize;
    if exponent == 0 {
        return minor.to_string();
    }
    let digits = format!("{minor:0>width$}", width = exponent + 1);
    let (int_part, frac) = digits.split_at(digits.len() - exponent);
    format!("{int_part}.{frac}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::currency::EUR;

    #[test]
    fn exact_parsing() {
        assert_eq!(parse_decimal("12.50", EUR), Ok(1250));
        assert_eq!(parse_decimal("12.5", EUR), Ok(1250));
        assert_eq!(parse_decimal("12", EUR), Ok(1200));
        assert_eq!(parse_decimal("0.05", EUR), Ok(5));
        assert_eq!(parse_decimal("12.500", EUR), Ok(1250));
        // 0.1 + 0.2 style float drift cannot happen.
        assert_eq!(parse_decimal("0.29", EUR), Ok(29));
        assert_eq!(parse_decimal("9999999999.99", EUR), Ok(MAX_AMOUNT));
        let xpf = Currency::parse("XPF").unwrap();
        assert_eq!(parse_decimal("1500", xpf), Ok(1500));
        let jod = Currency::parse("JOD").unwrap();
        assert_eq!(parse_decimal("1.5", jod), Ok(1500));
    }

    #[test]
    fn refusals() {
        assert_eq!(parse_decimal("", EUR), Err(AmountError::Empty));
        for bad in [
            "-3", "+3", "abc", "12,50", " 12", "12.", ".5", "1e3", "1.2.3", "１２",
        ] {
            assert!(
                matches!(parse_decimal(bad, EUR), Err(AmountError::Malformed { .. })),
                "{bad}"
            );
        }
        assert!(matches!(
            parse_decimal("12.345", EUR),
            Err(AmountError::TooPrecise { places: 3, .. })
        ));
        let xpf = Currency::parse("XPF").unwrap();
        assert!(matches!(
            parse_decimal("1.5", xpf),
            Err(AmountError::TooPrecise { .. })
        ));
        assert!(matches!(
            parse_decimal("10000000000", EUR),
            Err(AmountError::TooLarge { .. })
        ));
        assert!(matches!(
            parse_decimal("99999999999999999999999", EUR),
            Err(AmountError::TooLarge { .. })
        ));
    }

    #[test]
    fn formatting() {
        assert_eq!(format_decimal(1250, EUR), "12.50");
        assert_eq!(format_decimal(5, EUR), "0.05");
        assert_eq!(format_decimal(0, EUR), "0.00");
        assert_eq!(
            format_decimal(1500, Currency::parse("XPF").unwrap()),
            "1500"
        );
    }
}
