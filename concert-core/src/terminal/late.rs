//! Answers that came outside their transaction: after the caller's wait
//! was over, or pushed by the terminal on an ENQ collision. They are kept
//! and handed over, never dropped: over V2 they are the only way to learn
//! how an in-doubt payment ended.

use std::time::SystemTime;

use super::outcome::Outcome;
use super::request::Request;

/// How many late answers a terminal keeps until the caller takes them;
/// past it the oldest go (with a warning in the log).
pub(crate) const MAX_LATE_ANSWERS: usize = 64;

/// An answer that came after its transaction's outcome was given (serial
/// only: over TCP each request has its own connection).
///
/// It is handed over once: on the next transaction's
/// [`Outcome::late_answers`] (with an [`Event::LateAnswer`](super::Event::LateAnswer)
/// before `Done`), or by [`Terminal::take_late_answers`](super::Terminal::take_late_answers),
/// whichever comes first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LateAnswer {
    /// The request it was read against: the last one sent before it came,
    /// the one it most likely answers (its echoes say whether it does).
    /// `None` if nothing had been sent on this terminal yet.
    pub request: Option<Request>,
    /// The answer read as that request's answer: status, amount, echo
    /// mismatches (an answer that echoes another request is in doubt).
    pub outcome: Outcome,
    /// The payload as received, card numbers masked.
    pub raw: Vec<u8>,
    /// When it was received.
    pub received_at: SystemTime,
}
