//! What the link machines report while they run, and how they fail.

use std::time::Duration;

use thiserror::Error;

use crate::frame::FrameError;

/// Something that happened on the link, reported by `poll_event`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkEvent {
    /// Our ENQ was acknowledged: the peer gave us the line.
    EnqAcknowledged,
    /// Our frame's bytes were handed out by `poll_transmit`.
    FrameSent {
        /// Which transmission of the frame: 1 for the first, 2 for the first
        /// retransmission…
        attempt: u32,
    },
    /// Our frame was acknowledged: the peer has it.
    FrameAcknowledged,
    /// Our frame was NAKed.
    FrameRejected {
        /// NAKs received for this frame so far.
        naks: u32,
    },
    /// We sent ENQ and received ENQ: both sides want the line, and the cash
    /// register yields.
    Collision,
    /// A valid frame's payload, reported once even if the peer retransmits it.
    FrameReceived(Vec<u8>),
    /// A frame the terminal pushed after an ENQ collision, before our request
    /// went through (reported by [`Exchange`](super::Exchange) only).
    UnsolicitedFrame(Vec<u8>),
    /// A damaged frame, which we NAKed.
    BadFrame {
        /// What was wrong with it.
        reason: FrameError,
    },
    /// A byte that fits no step of the session (a stray byte on the line, a
    /// late reply), tolerated and dropped.
    Ignored(u8),
    /// The machine finished successfully and has handed out its last bytes.
    Completed,
}

/// Why a link machine failed.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum LinkError {
    /// The payload is longer than a frame may carry; nothing was sent.
    #[error("payload of {len} characters exceeds the {max}-character frame limit")]
    PayloadTooLong {
        /// Payload length.
        len: usize,
        /// The configured limit.
        max: usize,
    },
    /// The payload holds a byte outside printable ASCII; nothing was sent.
    #[error("payload byte 0x{byte:02x} at offset {offset} is not printable ASCII")]
    PayloadNotPrintable {
        /// Offset in the payload.
        offset: usize,
        /// The byte.
        byte: u8,
    },
    /// The peer never acknowledged our ENQ: nothing was sent.
    #[error("no ACK to ENQ after {attempts} attempts")]
    NoAckToEnq {
        /// ENQ attempts made.
        attempts: u32,
    },
    /// Every transmission of our frame was NAKed: the peer did not accept it.
    #[error("frame refused: NAKed {naks} times")]
    FrameRefused {
        /// NAKs received.
        naks: u32,
    },
    /// Our frame went out but neither ACK nor NAK came back in time: the peer
    /// may have it.
    #[error("no ACK to the frame: the peer may have received it")]
    NoAckToFrame,
    /// No ENQ from the peer before the deadline (for an
    /// [`Exchange`](super::Exchange): the request was acknowledged, but the
    /// terminal did not start its answer within the answer timeout).
    #[error("no answer from the terminal after {waited:?}")]
    NoAnswer {
        /// How long we waited.
        waited: Duration,
    },
    /// The hard deadline of the wait passed while the peer was still talking
    /// (ENQ after ENQ, stray bytes, a frame never completed): no input
    /// extends it.
    #[error(
        "no complete answer within {waited:?} (the deadline holds whatever the terminal sends)"
    )]
    AnswerDeadline {
        /// How long we waited.
        waited: Duration,
    },
    /// The peer's session started but no valid frame arrived in time, or the
    /// peer hung up before sending one.
    #[error("the peer's session ended before a valid frame arrived")]
    AnswerIncomplete,
    /// The peer's frame kept failing its checks: `nak_retransmissions + 1`
    /// damaged frames were NAKed.
    #[error("the peer's frame was damaged {attempts} times")]
    AnswerDamaged {
        /// Damaged frames received.
        attempts: u32,
    },
}

impl LinkError {
    /// Whether our frame may have reached the peer — for a payment request:
    /// whether the terminal may be running the transaction, so that the cash
    /// register must not simply assume it failed.
    pub fn may_have_reached_peer(&self) -> bool {
        !matches!(
            self,
            LinkError::PayloadTooLong { .. }
                | LinkError::PayloadNotPrintable { .. }
                | LinkError::NoAckToEnq { .. }
                | LinkError::FrameRefused { .. }
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_errors_before_the_frame_was_accepted_rule_out_the_peer_having_it() {
        let not_reached = [
            LinkError::PayloadTooLong { len: 513, max: 512 },
            LinkError::PayloadNotPrintable {
                offset: 0,
                byte: 0x01,
            },
            LinkError::NoAckToEnq { attempts: 3 },
            LinkError::FrameRefused { naks: 3 },
        ];
        for e in not_reached {
            assert!(!e.may_have_reached_peer(), "{e}");
        }
        let maybe_reached = [
            LinkError::NoAckToFrame,
            LinkError::NoAnswer {
                waited: Duration::from_secs(180),
            },
            LinkError::AnswerIncomplete,
            LinkError::AnswerDamaged { attempts: 3 },
            LinkError::AnswerDeadline {
                waited: Duration::from_secs(60),
            },
        ];
        for e in maybe_reached {
            assert!(e.may_have_reached_peer(), "{e}");
        }
    }
}
