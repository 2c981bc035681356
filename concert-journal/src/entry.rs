//! What the journal holds: one [`Entry`] per transaction, and its history
//! of [`Resolution`]s, appended, never rewritten.

use std::fmt;
use std::str::FromStr;

use concert_core::terminal::Status;
use serde::Serialize;

use crate::JournalError;
use crate::time::rfc3339;

/// Where a transaction stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum State {
    /// Recorded, about to be sent (or the process died before it was).
    Sending,
    /// The request left this machine; no answer yet.
    Sent,
    /// The terminal answered: the outcome is stored (`status` says which).
    Outcome,
    /// Nobody knows whether money moved: ask the terminal or an operator.
    InDoubt,
    /// The request never reached the terminal: nothing happened.
    NotSent,
    /// Was in doubt; a resolution settled it (`status` says how).
    Resolved,
}

impl State {
    /// The name stored and shown: `sending`, `sent`, `outcome`, `in_doubt`,
    /// `not_sent`, `resolved`.
    pub fn as_str(self) -> &'static str {
        match self {
            State::Sending => "sending",
            State::Sent => "sent",
            State::Outcome => "outcome",
            State::InDoubt => "in_doubt",
            State::NotSent => "not_sent",
            State::Resolved => "resolved",
        }
    }
}

impl fmt::Display for State {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for State {
    type Err = JournalError;

    fn from_str(s: &str) -> Result<State, JournalError> {
        Ok(match s {
            "sending" => State::Sending,
            "sent" => State::Sent,
            "outcome" => State::Outcome,
            "in_doubt" => State::InDoubt,
            "not_sent" => State::NotSent,
            "resolved" => State::Resolved,
            other => return Err(JournalError::Invalid(format!("unknown state {other:?}"))),
        })
    }
}

/// Reads a status name (`approved`, `declined`, …) back.
pub(crate) fn parse_status(s: &str) -> Option<Status> {
    Some(match s {
        "approved" => Status::Approved,
        "declined" => Status::Declined,
        "aborted" => Status::Aborted,
        "not_performed" => Status::NotPerformed,
        "pending" => Status::Pending,
        "in_doubt" => Status::InDoubt,
        _ => return None,
    })
}

/// How an in-doubt entry was (or was not) settled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    /// The process died with the transaction under way; found on opening.
    Interrupted,
    /// A V3 status request (`CD=T`) asked the terminal.
    StatusRequest,
    /// An answer that arrived after the caller stopped waiting.
    LateAnswer,
    /// An operator's decision after checking the terminal.
    ByHand,
}

impl Method {
    /// The name stored and shown: `interrupted`, `status_request`,
    /// `late_answer`, `by_hand`.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Interrupted => "interrupted",
            Method::StatusRequest => "status_request",
            Method::LateAnswer => "late_answer",
            Method::ByHand => "by_hand",
        }
    }

    pub(crate) fn parse(s: &str) -> Method {
        match s {
            "interrupted" => Method::Interrupted,
            "status_request" => Method::StatusRequest,
            "late_answer" => Method::LateAnswer,
            _ => Method::ByHand,
        }
    }
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An operator's decision on an in-doubt payment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Decision {
    /// The terminal's receipt or journal shows it went through.
    Approved,
    /// It did not go through.
    Declined,
}

impl Decision {
    /// The status it records.
    pub fn status(self) -> Status {
        match self {
            Decision::Approved => Status::Approved,
            Decision::Declined => Status::Declined,
        }
    }
}

impl FromStr for Decision {
    type Err = JournalError;

    fn from_str(s: &str) -> Result<Decision, JournalError> {
        match s.trim().to_ascii_lowercase().as_str() {
            "approved" => Ok(Decision::Approved),
            "declined" => Ok(Decision::Declined),
            other => Err(JournalError::Invalid(format!(
                "decision {other:?}: use approved or declined"
            ))),
        }
    }
}

/// One step of an entry's history after it was written: appended, never
/// changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Resolution {
    /// When, in milliseconds since the Unix epoch (UTC).
    pub time_ms: i64,
    /// How.
    pub method: Method,
    /// What it settled on; `None` when the entry stays in doubt.
    #[serde(serialize_with = "status_name")]
    pub status: Option<Status>,
    /// What was said or seen, in words (card numbers masked).
    pub note: String,
    /// What backs it: the terminal's records (JSON text), masked.
    pub evidence: Option<String>,
}

/// One transaction in the journal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Entry {
    /// Its number.
    pub id: i64,
    /// Recorded (before sending), milliseconds since the Unix epoch, UTC.
    pub created_ms: i64,
    /// Last changed, milliseconds since the Unix epoch, UTC.
    pub updated_ms: i64,
    /// Where the terminal is: `host:port` or the serial device path.
    pub terminal: String,
    /// Protocol name: `v2e`, `v2e+`, `v3:0300` …
    pub protocol: String,
    /// POS number.
    pub pos_number: u8,
    /// Operation name: `pay`, `refund`, `cancel`, `preauthorize` …
    pub operation: String,
    /// Amount asked, in minor units.
    pub amount: Option<u64>,
    /// ISO 4217 alphabetic code.
    pub currency: Option<String>,
    /// Merchant reference sent as private data (V2 field, V3 `CF`).
    pub reference: Option<String>,
    /// Whether the reference was generated (the caller gave none).
    pub reference_generated: bool,
    /// Where it stands.
    pub state: State,
    /// The transaction's status: the terminal's answer, or the latest
    /// resolution's; `in_doubt` while unknown; `None` before an answer.
    #[serde(serialize_with = "status_name")]
    pub status: Option<Status>,
    /// The terminal's reason, or why it is in doubt.
    pub reason: Option<String>,
    /// Amount the terminal reports (authorised amount on approval).
    pub authorized_amount: Option<u64>,
    /// Card number, masked.
    pub card_number: Option<String>,
    /// Authorisation number.
    pub authorization_number: Option<String>,
    /// Why it was in doubt (kept after a resolution).
    pub in_doubt_cause: Option<String>,
    /// Every record of the answer, masked (JSON array of `[name, value]`).
    pub records: Option<String>,
    /// The bytes exchanged, masked (JSON array of `{direction, hex}`).
    pub frames: Option<String>,
    /// History after the first outcome, oldest first.
    pub resolutions: Vec<Resolution>,
}

impl Entry {
    /// Whether nobody knows yet if money moved.
    pub fn is_in_doubt(&self) -> bool {
        matches!(self.state, State::InDoubt | State::Sending | State::Sent)
    }

    /// Whether the terminal approved less than was asked (a V3 partial
    /// approval): `authorized_amount` was paid, the rest is still due.
    pub fn is_partial(&self) -> bool {
        self.status == Some(Status::Approved)
            && matches!((self.authorized_amount, self.amount), (Some(paid), Some(asked)) if paid < asked)
    }

    /// `created_ms` as RFC 3339 text (UTC).
    pub fn created(&self) -> String {
        rfc3339(self.created_ms)
    }
}

fn status_name<S: serde::Serializer>(status: &Option<Status>, s: S) -> Result<S::Ok, S::Error> {
    match status {
        Some(status) => s.serialize_str(status.as_str()),
        None => s.serialize_none(),
    }
}
