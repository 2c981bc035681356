//! ISO 4217 currencies, from the maintained `iso_currency` table.

use std::fmt;
use std::str::FromStr;

use thiserror::Error;

/// An ISO 4217 currency: alphabetic code, numeric code (what Concert puts on
/// the wire) and minor-unit exponent (what decimal amounts are scaled by).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Currency(iso_currency::Currency);

/// The Euro, the usual currency of a French terminal.
pub const EUR: Currency = Currency(iso_currency::Currency::EUR);

/// A currency code that is not in ISO 4217, or one without minor units
/// (funds, precious metals) that no card terminal can charge.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("unknown currency {0:?}: expected an ISO 4217 code such as \"EUR\" or \"978\"")]
pub struct UnknownCurrency(pub String);

impl Currency {
    /// Looks a currency up by its alphabetic (`"EUR"`, any case) or numeric
    /// (`"978"`) code.
    pub fn parse(code: &str) -> Result<Currency, UnknownCurrency> {
        let trimmed = code.trim();
        let found = if trimmed.len() == 3 && trimmed.bytes().all(|b| b.is_ascii_digit()) {
            trimmed
                .parse::<u16>()
                .ok()
                .and_then(iso_currency::Currency::from_numeric)
        } else if trimmed.len() == 3 && trimmed.bytes().all(|b| b.is_ascii_alphabetic()) {
            iso_currency::Currency::from_code(&trimmed.to_ascii_uppercase())
        } else {
            None
        };
        found
            .filter(|c| c.exponent().is_some())
            .map(Currency)
            .ok_or_else(|| UnknownCurrency(code.to_owned()))
    }

    /// Looks a currency up by its numeric code (`978`).
    pub fn from_numeric(numeric: u16) -> Result<Currency, UnknownCurrency> {
        iso_currency::Currency::from_numeric(numeric)
            .filter(|c| c.exponent().is_some())
            .map(Currency)
            .ok_or_else(|| UnknownCurrency(format!("{numeric:03}")))
    }

    /// Alphabetic code, e.g. `"EUR"`.
    pub fn alpha(self) -> &'static str {
        self.0.code()
    }

    /// Numeric code, e.g. `978`.
    pub fn numeric(self) -> u16 {
        self.0.numeric()
    }

    /// Numeric code as the three digits sent on the wire, e.g. `"978"`.
    pub fn numeric_str(self) -> String {
        format!("{:03}", self.0.numeric())
    }

    /// Number of decimal places of the minor unit (2 for EUR, 0 for XPF).
    pub fn exponent(self) -> u32 {
        // `parse` and `from_numeric` refuse currencies without an exponent.
        u32::from(self.0.exponent().unwrap_or(0))
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.alpha())
    }
}

impl FromStr for Currency {
    type Err = UnknownCurrency;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Currency::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alpha_numeric_and_exponent() {
        let eur = Currency::parse("eur").unwrap();
        assert_eq!(eur, EUR);
        assert_eq!(eur.numeric_str(), "978");
        assert_eq!(Currency::parse("978").unwrap(), EUR);
        let xpf = Currency::parse("XPF").unwrap();
        assert_eq!((xpf.numeric(), xpf.exponent()), (953, 0));
        assert_eq!(Currency::parse("JOD").unwrap().exponent(), 3);
        assert_eq!(Currency::from_numeric(36).unwrap().alpha(), "AUD");
        assert_eq!(Currency::from_numeric(36).unwrap().numeric_str(), "036");
    }

    #[test]
    fn unknown_codes_are_typed_errors() {
        for bad in ["", "EU", "EURO", "ZZZ", "999", "12a", "XAU"] {
            assert!(Currency::parse(bad).is_err(), "{bad}");
        }
    }
}
