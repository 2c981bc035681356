//! Every tag CONCERT-V3.md names, and the typed values behind the coded ones.

use super::tlv::Tag;

macro_rules! tags {
    ($($(#[$doc:meta])* $name:ident),* $(,)?) => {
        $(
            $(#[$doc])*
            pub const $name: Tag = match Tag::new({
                let s = stringify!($name).as_bytes();
                [s[0], s[1]]
            }) {
                Ok(t) => t,
                Err(_) => panic!("tag names are two capital letters"),
            };
        )*
    };
}

tags! {
    /// Protocol version (`0300`, `0301`, `0310`, `0320`); always first.
    CZ,
    /// Cash-register protocol identifier, 12 characters.
    CJ,
    /// Cash-register (POS) number, `01`–`99`.
    CA,
    /// Amount in minor units, 2–12 digits.
    CB,
    /// Action (see [`Action`]).
    CD,
    /// Currency, ISO 4217 numeric.
    CE,
    /// Application: selection in requests, used in answers.
    CC,
    /// Private data / merchant reference, echoed.
    CF,
    /// Merchant contract number.
    CG,
    /// Original or external transaction reference.
    CH,
    /// Card read mode (see [`ReadMode`]).
    CI,
    /// Ticket (receipt) request.
    CK,
    /// Answer timing: `0` end of transaction, `1` immediate.
    BA,
    /// Force authorisation: `0` / `1`.
    BB,
    /// Partial payment allowed: `0` / `1` (never sent unless asked for).
    BF,
    /// Customer phone.
    BH,
    /// Customer e-mail.
    BI,
    /// Card number (masked PAN or token).
    AA,
    /// PAN type.
    AL,
    /// Card expiry `YYMM`.
    AB,
    /// Authorisation number.
    AC,
    /// Action status (see [`ActionStatus`]).
    AE,
    /// Reason, complement to `AE` (see [`Reason`]).
    AF,
    /// Card application identifier (AID).
    AI,
    /// Ticket text, base64.
    AK,
    /// Ticket container: nested `CK` + `AK`.
    ZT,
}

/// The action a request asks for (`CD`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    /// `0` debit (payment); with application `00C`, a cheque.
    Debit,
    /// `1` credit (refund), not linked to an original transaction.
    Credit,
    /// `2` cancellation of a previous debit.
    Cancellation,
    /// `3` duplicate receipt or consultation (sources conflict).
    Duplicate,
    /// `4` pre-authorisation.
    Preauthorization,
    /// `5` re-authorisation / batch close (one source).
    Reauthorization,
    /// `7` deferred debit or transfer (sources conflict).
    Deferred,
    /// `B` télécollecte (remote batch settlement).
    Settlement,
    /// `I` identification ("ping").
    Identification,
    /// `P` print a buffer sent in `ZT`.
    Print,
    /// `T` status of the last transaction.
    Status,
    /// Any other code, kept as sent.
    Other(u8),
}

impl Action {
    /// The one-character code.
    pub fn code(self) -> u8 {
        match self {
            Action::Debit => b'0',
            Action::Credit => b'1',
            Action::Cancellation => b'2',
            Action::Duplicate => b'3',
            Action::Preauthorization => b'4',
            Action::Reauthorization => b'5',
            Action::Deferred => b'7',
            Action::Settlement => b'B',
            Action::Identification => b'I',
            Action::Print => b'P',
            Action::Status => b'T',
            Action::Other(c) => c,
        }
    }

    /// The action for a code; unknown codes become [`Action::Other`].
    pub fn from_code(code: u8) -> Action {
        match code {
            b'0' => Action::Debit,
            b'1' => Action::Credit,
            b'2' => Action::Cancellation,
            b'3' => Action::Duplicate,
            b'4' => Action::Preauthorization,
            b'5' => Action::Reauthorization,
            b'7' => Action::Deferred,
            b'B' => Action::Settlement,
            b'I' => Action::Identification,
            b'P' => Action::Print,
            b'T' => Action::Status,
            c => Action::Other(c),
        }
    }

    /// Whether the action moves money and so needs `CB`.
    pub fn needs_amount(self) -> bool {
        matches!(
            self,
            Action::Debit
                | Action::Credit
                | Action::Cancellation
                | Action::Preauthorization
                | Action::Reauthorization
                | Action::Deferred
        )
    }
}

/// Action status (`AE`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ActionStatus {
    /// `10` done.
    Done,
    /// `01` not done (see `AF`).
    NotDone,
    /// `11` request taken into account (immediate answer).
    Taken,
    /// Anything else, kept raw.
    Other([u8; 2]),
}

impl ActionStatus {
    /// Reads the two-character code.
    pub fn from_value(value: &[u8]) -> Option<ActionStatus> {
        match value {
            b"10" => Some(ActionStatus::Done),
            b"01" => Some(ActionStatus::NotDone),
            b"11" => Some(ActionStatus::Taken),
            &[a, b] => Some(ActionStatus::Other([a, b])),
            _ => None,
        }
    }

    /// The two-character code.
    pub fn code(self) -> [u8; 2] {
        match self {
            ActionStatus::Done => *b"10",
            ActionStatus::NotDone => *b"01",
            ActionStatus::Taken => *b"11",
            ActionStatus::Other(c) => c,
        }
    }
}

/// The reason a transaction was not done (`AF`, first two characters).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Reason {
    /// `00` unknown.
    Unknown,
    /// `01` authorised.
    Authorised,
    /// `02` phone referral.
    PhoneReferral,
    /// `03` forcing.
    Forcing,
    /// `04` refused.
    Refused,
    /// `05` forbidden.
    Forbidden,
    /// `06` abandoned.
    Abandoned,
    /// `07` not completed.
    NotCompleted,
    /// `08` input time-out.
    InputTimeout,
    /// `09` bad message format.
    BadFormat,
    /// `10` selection error.
    SelectionError,
    /// `11` operator/acquirer abandon.
    OperatorAbandon,
    /// `12` unknown action type.
    UnknownAction,
    /// `13` currency not supported.
    CurrencyNotSupported,
    /// Any other code, kept raw.
    Other([u8; 2]),
}

const REASONS: [(Reason, &[u8; 2], &str); 14] = [
    (Reason::Unknown, b"00", "unknown reason"),
    (Reason::Authorised, b"01", "authorised"),
    (Reason::PhoneReferral, b"02", "phone referral required"),
    (Reason::Forcing, b"03", "forcing required"),
    (Reason::Refused, b"04", "refused"),
    (Reason::Forbidden, b"05", "forbidden"),
    (Reason::Abandoned, b"06", "abandoned"),
    (Reason::NotCompleted, b"07", "not completed"),
    (Reason::InputTimeout, b"08", "input time-out"),
    (Reason::BadFormat, b"09", "bad message format"),
    (Reason::SelectionError, b"10", "selection error"),
    (
        Reason::OperatorAbandon,
        b"11",
        "operator or acquirer abandon",
    ),
    (Reason::UnknownAction, b"12", "unknown action type"),
    (
        Reason::CurrencyNotSupported,
        b"13",
        "currency not supported",
    ),
];

impl Reason {
    /// Reads the first two characters of an `AF` value.
    pub fn from_value(value: &[u8]) -> Option<Reason> {
        let code: [u8; 2] = value.get(..2)?.try_into().ok()?;
        Some(
            REASONS
                .iter()
                .find(|(_, c, _)| **c == code)
                .map_or(Reason::Other(code), |(r, _, _)| *r),
        )
    }

    /// The two-character code.
    pub fn code(self) -> [u8; 2] {
        match self {
            Reason::Other(c) => c,
            known => REASONS
                .iter()
                .find(|(r, _, _)| *r == known)
                .map_or(*b"00", |(_, c, _)| **c),
        }
    }

    /// A short English description.
    pub fn text(self) -> &'static str {
        REASONS
            .iter()
            .find(|(r, _, _)| *r == self)
            .map_or("reason not documented", |(_, _, t)| t)
    }
}

/// How the card was read (`CI`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ReadMode {
    /// `0` any / not stated.
    Any,
    /// `1` chip contact.
    Contact,
    /// `2` contactless.
    Contactless,
    /// `3` magnetic stripe.
    Magstripe,
    /// `4` manual entry.
    Manual,
    /// Any other code.
    Other(u8),
}

impl ReadMode {
    /// Reads the one-character code.
    pub fn from_code(code: u8) -> ReadMode {
        match code {
            b'0' => ReadMode::Any,
            b'1' => ReadMode::Contact,
            b'2' => ReadMode::Contactless,
            b'3' => ReadMode::Magstripe,
            b'4' => ReadMode::Manual,
            c => ReadMode::Other(c),
        }
    }

    /// The one-character code.
    pub fn code(self) -> u8 {
        match self {
            ReadMode::Any => b'0',
            ReadMode::Contact => b'1',
            ReadMode::Contactless => b'2',
            ReadMode::Magstripe => b'3',
            ReadMode::Manual => b'4',
            ReadMode::Other(c) => c,
        }
    }

    /// A short English description.
    pub fn text(self) -> &'static str {
        match self {
            ReadMode::Any => "any",
            ReadMode::Contact => "contact",
            ReadMode::Contactless => "contactless",
            ReadMode::Magstripe => "magnetic stripe",
            ReadMode::Manual => "manual entry",
            ReadMode::Other(_) => "other",
        }
    }
}

/// Application codes (`CC`) and their labels, as CONCERT-V3.md lists them.
///
/// The OCA Odoo module labels two codes differently, and both are kept as
/// the notes have them. It calls `007` "CB-Pass": the same card (PASS, the
/// co-branded CB card) under a longer name. It calls `00E` "CMCIC-Pay
/// TPE", an acquirer's product name, where the notes have CONECS contact;
/// the notes' reading is the consistent one, since `10E` is CONECS
/// contactless, the pair of contact/contactless codes every other family
/// here follows (`001`/`00B`, `002`/`00D`), while the module, which strips
/// leading zeros before its lookup, has no entry for `10E` at all.
pub const APPLICATIONS: &[(&str, &str)] = &[
    ("000", "any"),
    ("001", "CB contact"),
    ("002", "Amex contact"),
    ("003", "CB Enseigne"),
    ("004", "Cetelem"),
    ("005", "Cofinoga"),
    ("006", "Diners"),
    ("007", "PASS"),
    ("008", "Franfinance"),
    ("009", "JCB"),
    ("101", "CB VAD"),
    ("201", "quasi-cash"),
    ("301", "PLBS"),
    ("401", "Optalion"),
    ("501", "Cash-Agence"),
    ("601", "PNF"),
    ("602", "P3F"),
    ("603", "Optalion"),
    ("604", "Preauto-CM"),
    ("605", "PRCME"),
    ("607", "QR code"),
    ("608", "TOP3-3XCB"),
    ("609", "PNF-HPS"),
    ("701", "PPFCA"),
    ("00A", "Banque Accord"),
    ("00B", "CB contactless"),
    ("00C", "cheque"),
    ("00D", "Amex contactless"),
    ("00E", "CONECS contact"),
    ("00F", "DCC"),
    ("00G", "QuickPass"),
    ("00I", "CPEI"),
    ("00S", "Sofinco"),
    ("00U", "UPI"),
    ("00V", "ANCV"),
    ("10E", "CONECS contactless"),
    ("30F", "PLBS-DCC-GB"),
];

/// The label of an application code, if the code is known.
pub fn application_label(code: &str) -> Option<&'static str> {
    APPLICATIONS
        .iter()
        .find(|(c, _)| *c == code)
        .map(|(_, label)| *label)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn disputed_application_labels_keep_the_notes_meaning() {
        assert_eq!(application_label("007"), Some("PASS"));
        assert_eq!(application_label("00E"), Some("CONECS contact"));
        assert_eq!(application_label("10E"), Some("CONECS contactless"));
    }

    #[test]
    fn codes_round_trip() {
        for c in [
            b'0', b'1', b'2', b'3', b'4', b'5', b'7', b'B', b'I', b'P', b'T', b'Z',
        ] {
            assert_eq!(Action::from_code(c).code(), c);
        }
        assert_eq!(Action::from_code(b'Z'), Action::Other(b'Z'));
        for (r, c, _) in REASONS {
            assert_eq!(Reason::from_value(c), Some(r));
            assert_eq!(r.code(), *c);
        }
        assert_eq!(
            Reason::from_value(b"04 detail"),
            Some(Reason::Refused),
            "CB2A detail after the code"
        );
        assert_eq!(Reason::from_value(b"9"), None);
        assert_eq!(Reason::from_value(b"77").unwrap().code(), *b"77");
        assert_eq!(ActionStatus::from_value(b"11"), Some(ActionStatus::Taken));
        assert_eq!(application_label("00C"), Some("cheque"));
        assert_eq!(application_label("ZZZ"), None);
        assert_eq!(CZ.as_str(), "CZ");
        assert!(ZT.is_constructed() && !CB.is_constructed());
    }
}
