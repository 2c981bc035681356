//! Progress of a running request, for tills that show it.

use super::outcome::Status;

/// A step of a running request, in the order they happen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Event {
    /// Opening the connection or the serial port.
    Connecting,
    /// The request left this machine (TCP written; serial frame sent).
    Sent,
    /// The terminal acknowledged the request frame (serial only): from
    /// here on a failure leaves the outcome in doubt.
    Acknowledged,
    /// Waiting for the terminal's answer: the card holder is paying.
    WaitingForAnswer,
    /// The answer arrived.
    AnswerReceived,
    /// Answers to earlier requests came late (after their outcome, or
    /// pushed by the terminal): they are on this transaction's
    /// [`Outcome::late_answers`](super::Outcome::late_answers).
    LateAnswer,
    /// Finished with this status.
    Done(Status),
}

impl Event {
    /// The name every binding uses: `connecting`, `sent`, `acknowledged`,
    /// `waiting_for_answer`, `answer_received`, `late_answer`, `done`.
    pub fn name(self) -> &'static str {
        match self {
            Event::Connecting => "connecting",
            Event::Sent => "sent",
            Event::Acknowledged => "acknowledged",
            Event::WaitingForAnswer => "waiting_for_answer",
            Event::AnswerReceived => "answer_received",
            Event::LateAnswer => "late_answer",
            Event::Done(_) => "done",
        }
    }
}
