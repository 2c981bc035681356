//! Timing, retry and size settings of the link layer, and the deliberate
//! misbehaviours the terminal simulator uses to test clients.

use std::time::Duration;

use thiserror::Error;

/// The shortest wait for a terminal's answer: a person is paying, and V3
/// forbids going below a minute.
pub const MIN_ANSWER_TIMEOUT: Duration = Duration::from_secs(60);

/// Timing, retry and size settings of the serial link layer.
///
/// The defaults are the values that work in the field (see CONCERT-V2.md §2).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct LinkConfig {
    /// How long to wait for ACK after our ENQ or our frame; also the longest
    /// a whole frame may take to arrive after its STX, and how long we wait
    /// for EOT after acknowledging a frame.
    pub ack_timeout: Duration,
    /// How many times ENQ is sent before giving up; after each failed
    /// attempt (NAK or no reply) EOT is sent and the line rests
    /// [`enq_retry_pause`](Self::enq_retry_pause).
    pub enq_attempts: u32,
    /// Rest between a failed ENQ attempt's EOT and the next ENQ.
    pub enq_retry_pause: Duration,
    /// How many times a NAKed frame is sent again (so at most
    /// `nak_retransmissions + 1` transmissions); the receiving side accepts
    /// as many damaged frames before giving up.
    pub nak_retransmissions: u32,
    /// How long the cash register waits for the terminal's ENQ carrying the
    /// answer. Never below [`MIN_ANSWER_TIMEOUT`].
    pub answer_timeout: Duration,
    /// Rest before we answer a peer's byte (ACK, NAK, EOT, next frame):
    /// some terminals miss a reply sent back-to-back with their own byte.
    pub turnaround: Duration,
    /// Largest payload of a frame, in characters.
    pub max_payload: usize,
    /// The line's speed in baud: frames take time on the wire (a 512-character
    /// frame takes 4.7 s at 1200 baud), so the waits for a frame to arrive
    /// and for its ACK grow by the frame's time on the wire at this speed.
    pub baud: u32,
}

impl Default for LinkConfig {
    fn default() -> Self {
        LinkConfig {
            ack_timeout: Duration::from_secs(3),
            enq_attempts: 3,
            enq_retry_pause: Duration::from_secs(1),
            nak_retransmissions: 2,
            answer_timeout: Duration::from_secs(180),
            turnaround: Duration::from_millis(10),
            max_payload: 512,
            baud: 9600,
        }
    }
}

/// Bits a character takes on the line at most: start, 8 data bits, parity,
/// stop (7E1 and 8N1 take 10; counting 11 covers 8E1 and 2 stop bits).
const BITS_PER_CHAR: u64 = 11;

impl LinkConfig {
    /// How long `chars` characters take on the wire at [`baud`](Self::baud)
    /// (rounded up to the millisecond; a zero baud counts as 1200, the
    /// slowest line terminals use).
    pub fn wire_time(&self, chars: usize) -> Duration {
        let baud = u64::from(if self.baud == 0 { 1200 } else { self.baud });
        let bits = (chars as u64).saturating_mul(BITS_PER_CHAR);
        Duration::from_millis(bits.saturating_mul(1000).div_ceil(baud))
    }

    /// How long to wait for a frame of `chars` characters (STX to LRC) to
    /// arrive, or for its ACK once handed out: `ack_timeout` plus its time
    /// on the wire.
    pub fn frame_wait(&self, chars: usize) -> Duration {
        self.ack_timeout.saturating_add(self.wire_time(chars))
    }
}

impl LinkConfig {
    /// Checks the settings the machines cannot work sensibly without.
    ///
    /// The machines do not call it and never panic on a bad value: zero
    /// `enq_attempts` makes one attempt, an [`Exchange`](super::Exchange)
    /// raises `answer_timeout` to [`MIN_ANSWER_TIMEOUT`], and durations too
    /// large for `Instant` count as a century.
    pub fn validate(&self) -> Result<(), LinkConfigError> {
        if self.answer_timeout < MIN_ANSWER_TIMEOUT {
            return Err(LinkConfigError::AnswerTimeoutTooShort {
                answer_timeout: self.answer_timeout,
            });
        }
        if self.ack_timeout.is_zero() {
            return Err(LinkConfigError::ZeroAckTimeout);
        }
        if self.enq_attempts == 0 {
            return Err(LinkConfigError::NoEnqAttempts);
        }
        if self.max_payload == 0 {
            return Err(LinkConfigError::ZeroMaxPayload);
        }
        Ok(())
    }
}

/// Why a [`LinkConfig`] is refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum LinkConfigError {
    /// The answer timeout is below [`MIN_ANSWER_TIMEOUT`].
    #[error(
        "answer timeout of {answer_timeout:?} is below the {min:?} minimum (a person is paying)",
        min = MIN_ANSWER_TIMEOUT
    )]
    AnswerTimeoutTooShort {
        /// The configured value.
        answer_timeout: Duration,
    },
    /// The ACK timeout is zero.
    #[error("ACK timeout must be longer than zero")]
    ZeroAckTimeout,
    /// No ENQ attempt at all.
    #[error("at least one ENQ attempt is needed")]
    NoEnqAttempts,
    /// Frames could carry nothing.
    #[error("maximum payload must be at least one character")]
    ZeroMaxPayload,
}

/// Deliberate misbehaviour of a link machine, for the terminal simulator to
/// test how clients cope. The default is a well-behaved machine.
///
/// Counts apply to one machine, that is one session.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct LinkQuirks {
    /// The receiver NAKs the first N frames even when they are valid (these
    /// NAKs do not count towards giving up on a damaged frame).
    pub nak_first_frames: u32,
    /// The sender sends a wrong LRC on its first N frame transmissions.
    pub corrupt_lrc_first: u32,
    /// The sender never sends the EOT that closes a successful session (EOTs
    /// that close a failed attempt are still sent).
    pub skip_final_eot: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_the_field_values() {
        let c = LinkConfig::default();
        assert_eq!(c.ack_timeout, Duration::from_secs(3));
        assert_eq!(c.enq_attempts, 3);
        assert_eq!(c.enq_retry_pause, Duration::from_secs(1));
        assert_eq!(c.nak_retransmissions, 2);
        assert_eq!(c.answer_timeout, Duration::from_secs(180));
        assert_eq!(c.turnaround, Duration::from_millis(10));
        assert_eq!(c.max_payload, 512);
        assert_eq!(c.baud, 9600);
        assert_eq!(c.validate(), Ok(()));
        assert_eq!(LinkQuirks::default().nak_first_frames, 0);
        assert!(!LinkQuirks::default().skip_final_eot);
    }

    #[test]
    fn frame_waits_grow_with_length_and_fall_with_speed() {
        let slow = LinkConfig {
            baud: 1200,
            ..LinkConfig::default()
        };
        // 383 characters + STX, ETX, LRC at 1200 baud: 3.54 s on the wire.
        assert_eq!(slow.wire_time(386), Duration::from_millis(3539));
        assert_eq!(slow.frame_wait(386), Duration::from_millis(6539));
        assert_eq!(
            LinkConfig::default().wire_time(515),
            Duration::from_millis(591)
        );
        assert!(slow.wire_time(usize::MAX) > Duration::from_secs(1));
    }

    #[test]
    fn validate_refuses_answer_timeout_of_59_s() {
        let c = LinkConfig {
            answer_timeout: Duration::from_secs(59),
            ..LinkConfig::default()
        };
        assert_eq!(
            c.validate(),
            Err(LinkConfigError::AnswerTimeoutTooShort {
                answer_timeout: Duration::from_secs(59)
            })
        );
        let c = LinkConfig {
            answer_timeout: MIN_ANSWER_TIMEOUT,
            ..LinkConfig::default()
        };
        assert_eq!(c.validate(), Ok(()));
    }

    #[test]
    fn validate_refuses_unworkable_values() {
        let base = LinkConfig::default();
        let zero_ack = LinkConfig {
            ack_timeout: Duration::ZERO,
            ..base.clone()
        };
        assert_eq!(zero_ack.validate(), Err(LinkConfigError::ZeroAckTimeout));
        let no_enq = LinkConfig {
            enq_attempts: 0,
            ..base.clone()
        };
        assert_eq!(no_enq.validate(), Err(LinkConfigError::NoEnqAttempts));
        let no_payload = LinkConfig {
            max_payload: 0,
            ..base
        };
        assert_eq!(no_payload.validate(), Err(LinkConfigError::ZeroMaxPayload));
    }
}
