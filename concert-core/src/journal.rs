//! The interface a [`Terminal`](crate::terminal::Terminal) calls around each
//! transaction so that a record of it survives a crash. The core stores
//! nothing itself: the `concert-journal` crate implements [`Journal`] over
//! an embedded SQLite file, and anything else can too.
//!
//! The order of calls for one transaction:
//!
//! 1. [`Journal::begin`] once the request is encoded, before a byte leaves.
//!    An error here stops the transaction with
//!    [`Error::Journal`](crate::terminal::Error::Journal): nothing was sent,
//!    so it is safe to retry.
//! 2. [`Journal::sent`] when the request has left this machine.
//! 3. [`Journal::finished`] with the outcome (approved, declined, in doubt…),
//!    or [`Journal::not_sent`] when the request never reached the terminal.
//!
//! An entry left at step 1 or 2 (the process died) is in doubt: the
//! journal's next opening says so.

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use thiserror::Error;

use crate::terminal::{Error, Outcome, Protocol, Request};

/// An entry's number in its journal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct EntryId(pub i64);

impl fmt::Display for EntryId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// A journal that could not record: the message names the file and why.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{0}")]
pub struct JournalError(pub String);

/// What is known of a transaction before it is sent.
#[derive(Debug, Clone, Copy)]
pub struct Beginning<'a> {
    /// Where the terminal is: `host:port` or the serial device path.
    pub terminal: &'a str,
    /// The protocol spoken.
    pub protocol: &'a Protocol,
    /// This cash register's POS number.
    pub pos_number: u8,
    /// The request as it will be sent, merchant reference included.
    pub request: &'a Request,
    /// Whether the merchant reference was made up by the terminal client
    /// (the caller gave none).
    pub reference_generated: bool,
}

/// A terminal's answer that arrived when no transaction was waiting for it
/// (after the caller's time-out, or with nobody asking).
#[derive(Debug, Clone)]
pub struct LateAnswer {
    /// When it was received.
    pub received_at: SystemTime,
    /// Where it came from: `host:port` or the serial device path.
    pub terminal: String,
    /// The answer decoded, card numbers masked.
    pub outcome: Outcome,
    /// The answer's bytes, card numbers masked.
    pub raw: Vec<u8>,
}

/// Where a transaction's life is written down. Called from the thread
/// running the transaction; implementations must be safe to share between
/// terminals.
pub trait Journal: Send + Sync {
    /// Records a transaction about to be sent, durably, and gives its entry.
    fn begin(&self, beginning: &Beginning<'_>) -> Result<EntryId, JournalError>;
    /// The request has left this machine.
    fn sent(&self, entry: EntryId) -> Result<(), JournalError>;
    /// The transaction ended with this outcome (an in-doubt one included).
    fn finished(&self, entry: EntryId, outcome: &Outcome) -> Result<(), JournalError>;
    /// The request never reached the terminal (safe to retry).
    fn not_sent(&self, entry: EntryId, error: &Error) -> Result<(), JournalError>;
    /// An answer nobody was waiting for: attach it to the entry it answers
    /// (matched by its echoes) and give that entry, if any.
    fn late_answer(&self, answer: &LateAnswer) -> Result<Option<EntryId>, JournalError>;
}

/// A shared journal in a [`TerminalConfig`](crate::terminal::TerminalConfig).
/// Two handles are equal when they are the same journal.
#[derive(Clone)]
pub struct JournalHandle(pub Arc<dyn Journal>);

impl JournalHandle {
    /// Wraps a journal.
    pub fn new(journal: Arc<dyn Journal>) -> JournalHandle {
        JournalHandle(journal)
    }
}

impl fmt::Debug for JournalHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("JournalHandle(..)")
    }
}

impl PartialEq for JournalHandle {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl Eq for JournalHandle {}

/// Length of a generated merchant reference: V2's whole private data field,
/// and short enough for V3 terminals that echo only the first 32 characters.
pub const REFERENCE_LEN: usize = 10;

/// Characters of a generated reference: digits and capitals without the
/// look-alikes I, L, O, U (Crockford's base 32), so an operator can read
/// one off a receipt.
const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// A merchant reference no other transaction has, from any process:
/// 50 bits mixed from the time, the process, a counter and the standard
/// library's per-process random hash keys.
pub fn new_reference() -> String {
    use std::collections::hash_map::RandomState;
    use std::hash::{BuildHasher, Hasher};

    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let mut hasher = RandomState::new().build_hasher();
    hasher.write_u128(nanos);
    hasher.write_u32(std::process::id());
    hasher.write_u64(COUNTER.fetch_add(1, Ordering::Relaxed));
    let mut bits = hasher.finish();
    let mut reference = String::with_capacity(REFERENCE_LEN);
    for _ in 0..REFERENCE_LEN {
        reference.push(char::from(ALPHABET[(bits & 31) as usize]));
        bits >>= 5;
    }
    reference
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_are_printable_and_distinct() {
        let refs: std::collections::HashSet<String> =
            (0..10_000).map(|_| new_reference()).collect();
        assert_eq!(refs.len(), 10_000);
        for r in &refs {
            assert_eq!(r.len(), REFERENCE_LEN);
            assert!(r.bytes().all(|b| ALPHABET.contains(&b)));
        }
    }
}
