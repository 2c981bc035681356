//! A request read back from V3 records (`CD=0`, `CB=1250` …), for front
//! ends that let a user type raw records: the tags the request model knows
//! fill its fields, so that the encoder keeps every check; the others go
//! out as given, in order.

use thiserror::Error;

use super::request::{Application, Operation, ReceiptWanted, Request};
use crate::amount::MAX_AMOUNT;
use crate::currency::{Currency, EUR};
use crate::v3::tags::{BA, BB, BF, BH, BI, CA, CB, CC, CD, CE, CF, CH, CJ, CK, CZ};
use crate::v3::{Action, Tag, TicketRequest};

/// What raw records say about the terminal's configuration rather than
/// about the request (`CZ`, `CJ`, `CA`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct RecordSettings {
    /// `CZ`: the protocol version to speak.
    pub version: Option<String>,
    /// `CJ`: the cash register's identifier.
    pub cash_register_id: Option<String>,
    /// `CA`: the POS number.
    pub pos_number: Option<u8>,
}

/// Records that do not make a request.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum RecordsError {
    /// No `CD` record: the action is required.
    #[error("CD (the action) is required, e.g. CD=0")]
    NoAction,
    /// A tag given twice: for the tags that fill a field, the second value
    /// would silently replace the first (CD=0 then CD=1 would send a
    /// refund); a V3 message carries each record once.
    #[error("{0} given twice: a V3 message carries each record once")]
    Repeated(Tag),
    /// A record whose value its tag does not allow.
    #[error("{tag}={value:?}: {why}")]
    BadValue {
        /// The tag.
        tag: Tag,
        /// The value given.
        value: String,
        /// What the tag takes.
        why: &'static str,
    },
}

impl Operation {
    /// The operation of a V3 action (`Operation::Action` for the ones
    /// without a name of their own).
    pub fn from_action(action: Action) -> Operation {
        match action {
            Action::Debit => Operation::Pay,
            Action::Credit => Operation::Refund,
            Action::Cancellation => Operation::Cancel,
            Action::Preauthorization => Operation::Preauthorize,
            Action::Identification => Operation::Identify,
            Action::Status => Operation::Status,
            Action::Settlement => Operation::Settle,
            other => Operation::Action(other),
        }
    }
}

fn flag(tag: Tag, value: &str) -> Result<bool, RecordsError> {
    match value {
        "0" => Ok(false),
        "1" => Ok(true),
        _ => Err(bad(tag, value, "use 0 or 1")),
    }
}

fn bad(tag: Tag, value: &str, why: &'static str) -> RecordsError {
    RecordsError::BadValue {
        tag,
        value: value.to_owned(),
        why,
    }
}

impl Request {
    /// A request from raw V3 records, with what they say about the
    /// configuration. A money-moving action without `CE` is in euros;
    /// `CB` on an action that moves no money is sent as given.
    pub fn from_v3_records(
        records: &[(Tag, String)],
    ) -> Result<(Request, RecordSettings), RecordsError> {
        let mut request = Request::new(Operation::Identify);
        let mut settings = RecordSettings::default();
        let mut action = None;
        let mut amount = None;
        for (i, (tag, value)) in records.iter().enumerate() {
            let (tag, value) = (*tag, value.as_str());
            if records[..i].iter().any(|(t, _)| *t == tag) {
                return Err(RecordsError::Repeated(tag));
            }
            match tag {
                CD => match value.as_bytes() {
                    [code] => action = Some(Action::from_code(*code)),
                    _ => return Err(bad(tag, value, "the action is one character")),
                },
                CB => amount = Some(value),
                CE => {
                    let currency = Currency::parse(value)
                        .map_err(|_| bad(tag, value, "an ISO 4217 currency code"))?;
                    request.currency = Some(currency);
                }
                CZ => settings.version = Some(value.to_owned()),
                CJ => settings.cash_register_id = Some(value.to_owned()),
                CA => {
                    let pos = value
                        .parse::<u8>()
                        .ok()
                        .filter(|n| (1..=99).contains(n))
                        .ok_or_else(|| bad(tag, value, "a POS number from 1 to 99"))?;
                    settings.pos_number = Some(pos);
                }
                CF => request.private_data = Some(value.to_owned()),
                CC => request.application = Some(Application::V3Code(value.to_owned())),
                CH => request.original_reference = Some(value.to_owned()),
                BA => request.immediate_answer = flag(tag, value)?,
                BB => request.force_authorization = flag(tag, value)?,
                BF => request.partial_allowed = Some(flag(tag, value)?),
                BH => request.customer_phone = Some(value.to_owned()),
                BI => request.customer_email = Some(value.to_owned()),
                CK => {
                    let t = TicketRequest::from_code(value.as_bytes()).ok_or_else(|| {
                        bad(
                            tag,
                            value,
                            "a ticket request is 1 + copy (0-2) + format (0-1)",
                        )
                    })?;
                    request.receipt = Some(ReceiptWanted {
                        copy: t.copy,
                        format: t.format,
                    });
                }
                _ => request.extra_tags.push((tag, value.to_owned())),
            }
        }
        request.operation = Operation::from_action(action.ok_or(RecordsError::NoAction)?);
        if let Some(cb) = amount {
            if !request.operation.moves_money() {
                request.extra_tags.push((CB, cb.to_owned()));
            } else {
                let minor = Some(cb)
                    .filter(|v| !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()))
                    .and_then(|v| v.parse::<u64>().ok())
                    .filter(|n| *n <= MAX_AMOUNT)
                    .ok_or_else(|| bad(CB, cb, "minor units, 1 to 12 digits"))?;
                request.amount = Some(minor);
            }
        }
        if request.operation.moves_money() && request.currency.is_none() {
            request.currency = Some(EUR);
        }
        Ok((request, settings))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn records(pairs: &[(&str, &str)]) -> Vec<(Tag, String)> {
        pairs
            .iter()
            .map(|(t, v)| (Tag::parse(t).unwrap(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn known_tags_fill_the_request() {
        let (request, settings) = Request::from_v3_records(&records(&[
            ("CD", "0"),
            ("CB", "1250"),
            ("CZ", "0320"),
            ("CA", "02"),
            ("CK", "110"),
            ("XY", "vendor"),
        ]))
        .unwrap();
        assert_eq!(request.operation, Operation::Pay);
        assert_eq!((request.amount, request.currency), (Some(1250), Some(EUR)));
        assert_eq!(settings.version.as_deref(), Some("0320"));
        assert_eq!(settings.pos_number, Some(2));
        assert!(request.receipt.is_some());
        assert_eq!(request.extra_tags.len(), 1);
    }

    #[test]
    fn bad_records_are_refused_with_their_tag() {
        for bad in [
            vec![("CB", "1250")],
            vec![("CD", "00")],
            vec![("CD", "0"), ("CB", "1234567890123")],
            vec![("CD", "0"), ("CB", "12.5")],
            vec![("CD", "0"), ("CA", "100")],
            vec![("CD", "0"), ("BA", "yes")],
            vec![("CD", "0"), ("CD", "1")],
            vec![("CD", "0"), ("XY", "a"), ("XY", "b")],
        ] {
            assert!(Request::from_v3_records(&records(&bad)).is_err(), "{bad:?}");
        }
        let (status, _) = Request::from_v3_records(&records(&[("CD", "T"), ("CB", "5")])).unwrap();
        assert_eq!(status.amount, None);
        assert_eq!(status.extra_tags, vec![(CB, "5".to_owned())]);
    }
}
