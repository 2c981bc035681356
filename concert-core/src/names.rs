//! The words every front end uses for protocol choices (`"v3"`, `"even"`,
//! `"decline:05"` …), parsed once here so the command line, the C ABI, Python
//! and Node accept the same spellings and give the same errors.

use std::str::FromStr;

use thiserror::Error;

pub use crate::codes::ErrorCode;
use crate::inspect::Hint;
use crate::sim::Script;
use crate::terminal::{Application, Direction, Operation, Parity, Protocol};
use crate::v3::{Reason, ReceiptCopy, ReceiptFormat};

/// A word that names none of the choices.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("unknown {what} {given:?}: expected one of {expected}")]
pub struct UnknownName {
    /// What was being named (`protocol`, `parity`, `script` …).
    pub what: &'static str,
    /// What was given.
    pub given: String,
    /// The accepted spellings.
    pub expected: &'static str,
}

impl UnknownName {
    fn new(what: &'static str, given: &str, expected: &'static str) -> UnknownName {
        UnknownName {
            what,
            given: given.to_owned(),
            expected,
        }
    }
}

const PROTOCOLS: &str = "v2 (E+), v2e+, v2e, v3, v3:VERSION (e.g. v3:0320)";

impl FromStr for Protocol {
    type Err = UnknownName;

    fn from_str(s: &str) -> Result<Protocol, UnknownName> {
        let lower = s.trim().to_ascii_lowercase();
        match lower.as_str() {
            "v2" | "v2e+" | "v2eplus" | "v2+" | "e+" => Ok(Protocol::V2EPlus),
            "v2e" | "e" => Ok(Protocol::V2E),
            "v3" => Ok(Protocol::v3()),
            _ => match lower.strip_prefix("v3:") {
                Some(v) if v.len() == 4 && v.bytes().all(|b| b.is_ascii_digit()) => {
                    Ok(Protocol::V3 { version: v.into() })
                }
                _ => Err(UnknownName::new("protocol", s, PROTOCOLS)),
            },
        }
    }
}

impl Protocol {
    /// The spelling [`Protocol::from_str`] reads back: `v2e`, `v2e+`, `v3`
    /// (version 0300) or `v3:VERSION`.
    pub fn name(&self) -> String {
        match self {
            Protocol::V2E => "v2e".into(),
            Protocol::V2EPlus => "v2e+".into(),
            Protocol::V3 { version } if version == "0300" => "v3".into(),
            Protocol::V3 { version } => format!("v3:{version}"),
        }
    }
}

impl FromStr for Parity {
    type Err = UnknownName;

    fn from_str(s: &str) -> Result<Parity, UnknownName> {
        match s.trim().to_ascii_lowercase().as_str() {
            "n" | "none" => Ok(Parity::None),
            "e" | "even" => Ok(Parity::Even),
            "o" | "odd" => Ok(Parity::Odd),
            _ => Err(UnknownName::new("parity", s, "N (none), E (even), O (odd)")),
        }
    }
}

impl Parity {
    /// The one-letter spelling pyserial users know: `N`, `E`, `O`.
    pub fn letter(self) -> &'static str {
        match self {
            Parity::None => "N",
            Parity::Even => "E",
            Parity::Odd => "O",
        }
    }
}

impl FromStr for Operation {
    type Err = UnknownName;

    fn from_str(s: &str) -> Result<Operation, UnknownName> {
        Ok(match s.trim().to_ascii_lowercase().as_str() {
            "pay" | "debit" => Operation::Pay,
            "refund" | "credit" => Operation::Refund,
            "cancel" | "cancellation" => Operation::Cancel,
            "preauthorize" | "preauth" | "preauthorise" => Operation::Preauthorize,
            "identify" => Operation::Identify,
            "status" => Operation::Status,
            "settle" => Operation::Settle,
            _ => {
                return Err(UnknownName::new(
                    "operation",
                    s,
                    "pay, refund, cancel, preauthorize, identify, status, settle",
                ));
            }
        })
    }
}

/// Application names with their other accepted spellings, in the order
/// error messages list them.
const APPLICATION_NAMES: [(&str, &[&str], Application); 13] = [
    ("any", &[], Application::Any),
    ("card", &[], Application::Card),
    ("cheque", &["check"], Application::Cheque),
    ("amex", &[], Application::Amex),
    ("cetelem", &[], Application::Cetelem),
    ("cofinoga", &[], Application::Cofinoga),
    ("diners", &[], Application::Diners),
    ("franfinance", &[], Application::Franfinance),
    ("jcb", &[], Application::Jcb),
    ("accord_finance", &["accord"], Application::AccordFinance),
    ("unionpay", &[], Application::UnionPay),
    ("moneo", &[], Application::Moneo),
    ("fintrax", &[], Application::Fintrax),
];

const APPLICATIONS: &str = "any, card, cheque (check), amex, cetelem, cofinoga, diners, \
     franfinance, jcb, accord_finance (accord), unionpay, moneo, fintrax, \
     v3:CODE (three characters, e.g. v3:00B), v2:C (one character)";

impl FromStr for Application {
    type Err = UnknownName;

    fn from_str(s: &str) -> Result<Application, UnknownName> {
        let unknown = || UnknownName::new("application", s, APPLICATIONS);
        let trimmed = s.trim();
        let lower = trimmed.to_ascii_lowercase();
        if let Some((_, _, app)) = APPLICATION_NAMES
            .iter()
            .find(|(name, others, _)| *name == lower || others.contains(&lower.as_str()))
        {
            return Ok(app.clone());
        }
        // Codes keep their case: V3 `CC` and V2 modes are upper-case letters.
        if let Some(code) = lower.strip_prefix("v3:").map(|_| &trimmed[3..]) {
            if code.len() == 3 && code.bytes().all(|b| b.is_ascii_alphanumeric()) {
                return Ok(Application::V3Code(code.to_ascii_uppercase()));
            }
            return Err(unknown());
        }
        if let Some(code) = lower.strip_prefix("v2:").map(|_| &trimmed[3..]) {
            if code.len() == 1 && code.as_bytes()[0].is_ascii_alphanumeric() {
                return Ok(Application::V2Mode(code.as_bytes()[0].to_ascii_uppercase()));
            }
            return Err(unknown());
        }
        Err(unknown())
    }
}

impl Application {
    /// The spelling [`Application::from_str`] reads back: `card`,
    /// `accord_finance`, `v3:00B`, `v2:C` …
    pub fn name(&self) -> String {
        match self {
            Application::V3Code(code) => format!("v3:{code}"),
            Application::V2Mode(c) => format!("v2:{}", char::from(*c)),
            other => APPLICATION_NAMES
                .iter()
                .find(|(_, _, app)| app == other)
                .map_or_else(String::new, |(name, _, _)| (*name).to_owned()),
        }
    }
}

impl FromStr for Hint {
    type Err = UnknownName;

    fn from_str(s: &str) -> Result<Hint, UnknownName> {
        match s.trim().to_ascii_lowercase().as_str() {
            "auto" => Ok(Hint::Auto),
            "v2" => Ok(Hint::V2),
            "v3" => Ok(Hint::V3),
            _ => Err(UnknownName::new("decode hint", s, "auto, v2, v3")),
        }
    }
}

impl Hint {
    /// `auto`, `v2` or `v3`.
    pub fn name(self) -> &'static str {
        match self {
            Hint::Auto => "auto",
            Hint::V2 => "v2",
            Hint::V3 => "v3",
        }
    }
}

impl Direction {
    /// `sent` (cash register → terminal) or `received`.
    pub fn name(self) -> &'static str {
        match self {
            Direction::Sent => "sent",
            Direction::Received => "received",
        }
    }
}

impl ReceiptCopy {
    /// `customer`, `merchant` or `both`.
    pub fn name(self) -> &'static str {
        match self {
            ReceiptCopy::Customer => "customer",
            ReceiptCopy::Merchant => "merchant",
            ReceiptCopy::Both => "both",
        }
    }
}

impl ReceiptFormat {
    /// `text` or `html`.
    pub fn name(self) -> &'static str {
        match self {
            ReceiptFormat::Text => "text",
            ReceiptFormat::Html => "html",
        }
    }
}

impl FromStr for ReceiptCopy {
    type Err = UnknownName;

    fn from_str(s: &str) -> Result<ReceiptCopy, UnknownName> {
        match s.trim().to_ascii_lowercase().as_str() {
            "customer" => Ok(ReceiptCopy::Customer),
            "merchant" => Ok(ReceiptCopy::Merchant),
            "both" => Ok(ReceiptCopy::Both),
            _ => Err(UnknownName::new(
                "receipt copy",
                s,
                "customer, merchant, both",
            )),
        }
    }
}

impl FromStr for ReceiptFormat {
    type Err = UnknownName;

    fn from_str(s: &str) -> Result<ReceiptFormat, UnknownName> {
        match s.trim().to_ascii_lowercase().as_str() {
            "text" => Ok(ReceiptFormat::Text),
            "html" => Ok(ReceiptFormat::Html),
            _ => Err(UnknownName::new("receipt format", s, "text, html")),
        }
    }
}

const SCRIPTS: &str = "approve, decline, decline:CODE (two-digit AF reason, e.g. 05), abandon, \
     partial:AMOUNT (minor units), timeout, busy, v2status:C";

impl FromStr for Script {
    type Err = UnknownName;

    fn from_str(s: &str) -> Result<Script, UnknownName> {
        let unknown = || UnknownName::new("script", s, SCRIPTS);
        let trimmed = s.trim();
        let (word, arg) = match trimmed.split_once(':') {
            Some((w, a)) => (w, Some(a)),
            None => (trimmed, None),
        };
        Ok(match (word.to_ascii_lowercase().as_str(), arg) {
            ("approve", None) => Script::Approve,
            ("decline", None) => Script::Decline(Reason::Refused),
            ("decline", Some(code))
                if code.len() == 2 && code.bytes().all(|b| b.is_ascii_digit()) =>
            {
                Reason::from_value(code.as_bytes())
                    .map(Script::Decline)
                    .ok_or_else(unknown)?
            }
            ("abandon", None) => Script::Abandon,
            ("partial", Some(amount))
                if !amount.is_empty() && amount.bytes().all(|b| b.is_ascii_digit()) =>
            {
                Script::Partial(amount.parse().map_err(|_| unknown())?)
            }
            ("timeout", None) => Script::Timeout,
            ("busy", None) => Script::Busy,
            ("v2status", Some(c)) if c.len() == 1 && c.as_bytes()[0].is_ascii_graphic() => {
                Script::V2Status(c.as_bytes()[0])
            }
            _ => return Err(unknown()),
        })
    }
}

impl Script {
    /// The spelling [`Script::from_str`] reads back (`decline:05`, `partial:500` …).
    pub fn name(&self) -> String {
        match self {
            Script::Approve => "approve".into(),
            Script::Decline(reason) => {
                format!("decline:{}", String::from_utf8_lossy(&reason.code()))
            }
            Script::V2Status(c) => format!("v2status:{}", char::from(*c)),
            Script::Abandon => "abandon".into(),
            Script::Partial(amount) => format!("partial:{amount}"),
            Script::Timeout => "timeout".into(),
            Script::Busy => "busy".into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn protocols_round_trip_and_refuse_others() {
        for p in [
            Protocol::V2E,
            Protocol::V2EPlus,
            Protocol::v3(),
            Protocol::V3 {
                version: "0320".into(),
            },
        ] {
            assert_eq!(p.name().parse::<Protocol>().unwrap(), p);
        }
        assert_eq!("V2".parse::<Protocol>().unwrap(), Protocol::V2EPlus);
        for bad in ["", "v4", "v3:32", "v3:03a0", "v3:", "tcp"] {
            let err = bad.parse::<Protocol>().unwrap_err();
            assert_eq!(err.what, "protocol");
            assert!(err.to_string().contains("expected one of"), "{err}");
        }
    }

    #[test]
    fn scripts_round_trip_and_refuse_others() {
        for s in [
            Script::Approve,
            Script::Decline(Reason::Refused),
            Script::Decline(Reason::Forbidden),
            Script::Decline(Reason::Other(*b"42")),
            Script::Abandon,
            Script::Partial(500),
            Script::Timeout,
            Script::Busy,
            Script::V2Status(b'5'),
        ] {
            assert_eq!(s.name().parse::<Script>().unwrap(), s, "{}", s.name());
        }
        assert_eq!(
            "decline".parse::<Script>().unwrap(),
            Script::Decline(Reason::Refused)
        );
        for bad in [
            "",
            "approve:1",
            "decline:5",
            "decline:ab",
            "partial:",
            "partial:-3",
            "partial:99999999999999999999999",
            "v2status:",
            "v2status:ab",
            "explode",
        ] {
            assert!(bad.parse::<Script>().is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn line_and_request_words() {
        assert_eq!("E".parse::<Parity>().unwrap(), Parity::Even);
        assert_eq!("none".parse::<Parity>().unwrap(), Parity::None);
        assert_eq!(Parity::Odd.letter().parse::<Parity>().unwrap(), Parity::Odd);
        assert!("X".parse::<Parity>().is_err());
        assert_eq!(
            "preauth".parse::<Operation>().unwrap(),
            Operation::Preauthorize
        );
        assert!("sell".parse::<Operation>().is_err());
        assert_eq!("both".parse::<ReceiptCopy>().unwrap(), ReceiptCopy::Both);
        assert_eq!(
            "HTML".parse::<ReceiptFormat>().unwrap(),
            ReceiptFormat::Html
        );
        assert!("pdf".parse::<ReceiptFormat>().is_err());
        for c in [
            ReceiptCopy::Customer,
            ReceiptCopy::Merchant,
            ReceiptCopy::Both,
        ] {
            assert_eq!(c.name().parse::<ReceiptCopy>().unwrap(), c);
        }
        for h in [Hint::Auto, Hint::V2, Hint::V3] {
            assert_eq!(h.name().parse::<Hint>().unwrap(), h);
        }
        assert!("v4".parse::<Hint>().is_err());
    }

    #[test]
    fn applications_round_trip_with_every_spelling() {
        for (name, others, app) in APPLICATION_NAMES {
            assert_eq!(app.name(), name);
            assert_eq!(name.parse::<Application>().unwrap(), app);
            for other in others {
                assert_eq!(other.parse::<Application>().unwrap(), app);
            }
        }
        assert_eq!(
            "v3:00b".parse::<Application>().unwrap(),
            Application::V3Code("00B".into())
        );
        assert_eq!(
            "V2:c".parse::<Application>().unwrap(),
            Application::V2Mode(b'C')
        );
        for app in [Application::V3Code("00B".into()), Application::V2Mode(b'C')] {
            assert_eq!(app.name().parse::<Application>().unwrap(), app);
        }
        for bad in ["", "visa", "v3:1", "v3:0000", "v2:", "v2:ab", "v3:0 1"] {
            let err = bad.parse::<Application>().unwrap_err();
            assert_eq!(err.what, "application", "{bad:?}");
        }
    }
}
