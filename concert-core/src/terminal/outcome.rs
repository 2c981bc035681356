//! What came of a request: the one result type every language sees.

use std::fmt;

use crate::currency::Currency;
use crate::journal::EntryId;
use crate::v3::{ReadMode, Receipt};

use super::request::Operation;

/// Whether the thing happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Status {
    /// Done: the payment (or other operation) went through.
    Approved,
    /// The card, the issuer or the terminal refused it.
    Declined,
    /// Stopped at the terminal: card holder or operator abandon, time-out.
    Aborted,
    /// The terminal did not perform it (bad request, unsupported, busy,
    /// undocumented status).
    NotPerformed,
    /// Accepted for processing with an immediate answer: over V3 the final
    /// result is fetched with `status`; V2 has no status request (the result
    /// is read on the terminal, or comes as a late answer if it sends one).
    Pending,
    /// The request reached the terminal but no valid answer came back:
    /// nobody knows whether money moved. Ask the terminal (`status`) before
    /// trying again. Never to be treated as declined.
    InDoubt,
}

impl Status {
    /// The name every binding uses: `approved`, `declined`, `aborted`,
    /// `not_performed`, `pending`, `in_doubt`.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Approved => "approved",
            Status::Declined => "declined",
            Status::Aborted => "aborted",
            Status::NotPerformed => "not_performed",
            Status::Pending => "pending",
            Status::InDoubt => "in_doubt",
        }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Direction of bytes on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Direction {
    /// Cash register → terminal.
    Sent,
    /// Terminal → cash register.
    Received,
}

/// Bytes as they crossed the wire, card numbers masked (so an LRC inside
/// may no longer match).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WireFrame {
    /// Which way.
    pub direction: Direction,
    /// The bytes (for serial, everything read or written: control bytes too).
    pub bytes: Vec<u8>,
}

/// An echoed field that differs from what was sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EchoMismatch {
    /// The field (`CA`, `CB`, `CD`, `CE`, or a V2 field name).
    pub field: &'static str,
    /// What was sent.
    pub sent: String,
    /// What came back.
    pub received: String,
}

/// The application the terminal used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApplicationUsed {
    /// V3 `CC` code or V2 payment mode character.
    pub code: String,
    /// Its label, when known.
    pub label: Option<&'static str>,
}

/// The result of a request the terminal answered, or whose fate is unknown
/// ([`Status::InDoubt`]). Everything received is kept.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Outcome {
    /// What happened.
    pub status: Status,
    /// What was asked.
    pub operation: Operation,
    /// V3 version the terminal answered with.
    pub protocol_version: Option<String>,
    /// Reason code: V3 `AF` (two characters) or the V2 status character.
    pub reason_code: Option<String>,
    /// The reason in words.
    pub reason: String,
    /// The whole `AF` value (CB2A detail included).
    pub reason_detail: Option<String>,
    /// Amount the terminal reports (authorised amount on approval).
    pub amount: Option<u64>,
    /// Amount that was asked for.
    pub requested_amount: Option<u64>,
    /// Approved for less than asked (partial payment).
    pub partial: bool,
    /// Currency.
    pub currency: Option<Currency>,
    /// Card number, always masked.
    pub card_number: Option<String>,
    /// Card expiry `YYMM`.
    pub expiry: Option<String>,
    /// Card application identifier (AID).
    pub aid: Option<String>,
    /// Application used.
    pub application: Option<ApplicationUsed>,
    /// How the card was read.
    pub read_mode: Option<ReadMode>,
    /// Authorisation number.
    pub authorization_number: Option<String>,
    /// Merchant contract number.
    pub contract: Option<String>,
    /// Private data echoed.
    pub private_data: Option<String>,
    /// Ticket (the first, when the terminal sent several).
    pub receipt: Option<Receipt>,
    /// Every ticket the terminal sent, in order (one per copy when both
    /// copies were asked for and the terminal sends them apart).
    pub receipts: Vec<Receipt>,
    /// Echoed fields that differ from the request (checked on approval). An
    /// approval echoing another POS number, action, currency or a higher
    /// amount is reported [`Status::InDoubt`]: it may answer another
    /// transaction.
    pub echo_mismatches: Vec<EchoMismatch>,
    /// Every record received, in order (V3 tag → value; V2 field → value),
    /// card numbers masked.
    pub records: Vec<(String, String)>,
    /// The answer payload as received, card numbers masked; kept even when
    /// it could not be understood.
    pub raw_answer: Option<Vec<u8>>,
    /// V2 REP unmasked, only with `keep_raw_card_data`.
    pub raw_card_data: Option<String>,
    /// Why the outcome is in doubt.
    pub in_doubt_cause: Option<String>,
    /// Bytes sent and received.
    pub frames: Vec<WireFrame>,
    /// The journal entry that records this transaction, when the terminal
    /// has a journal.
    pub journal_entry: Option<EntryId>,
    /// Answers to earlier requests that came late, handed over with this
    /// outcome (see [`LateAnswer`](super::LateAnswer)).
    pub late_answers: Vec<super::LateAnswer>,
}

impl Outcome {
    /// An empty outcome for `operation` with `status`.
    pub(crate) fn new(status: Status, operation: Operation) -> Outcome {
        Outcome {
            status,
            operation,
            protocol_version: None,
            reason_code: None,
            reason: String::new(),
            reason_detail: None,
            amount: None,
            requested_amount: None,
            partial: false,
            currency: None,
            card_number: None,
            expiry: None,
            aid: None,
            application: None,
            read_mode: None,
            authorization_number: None,
            contract: None,
            private_data: None,
            receipt: None,
            receipts: Vec::new(),
            echo_mismatches: Vec::new(),
            records: Vec::new(),
            raw_answer: None,
            raw_card_data: None,
            in_doubt_cause: None,
            frames: Vec::new(),
            journal_entry: None,
            late_answers: Vec::new(),
        }
    }

    /// Whether the operation went through.
    pub fn is_approved(&self) -> bool {
        self.status == Status::Approved
    }

    /// The value of a received record by tag or V2 field name.
    pub fn record(&self, name: &str) -> Option<&str> {
        self.records
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}
