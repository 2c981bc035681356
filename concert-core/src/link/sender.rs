//! Sends one frame as master: `ENQ` → `ACK`, frame → `ACK`, `EOT`.

use std::time::Instant;

use super::config::{LinkConfig, LinkQuirks};
use super::event::{LinkError, LinkEvent};
use super::io::{Io, later};
use crate::frame::{ACK, ENQ, EOT, NAK, encode_frame};

/// How a [`Sender`] ended without error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SendOutcome {
    /// The peer acknowledged the frame.
    Delivered,
    /// The peer sent ENQ while we waited for our ENQ's ACK: it wants the line
    /// and we gave it up without sending the frame. Its ENQ has been consumed:
    /// receive its frame with [`Receiver::after_enq`](super::Receiver::after_enq).
    Yielded,
}

#[derive(Debug, Clone, Copy)]
enum State {
    WaitEnqAck {
        attempt: u32,
        deadline: Instant,
    },
    Pause {
        next_attempt: u32,
        until: Instant,
    },
    WaitFrameAck {
        transmissions: u32,
        naks: u32,
        deadline: Instant,
    },
    Done,
}

/// Sends one frame as master (sans-I/O).
///
/// Sends ENQ at once. NAK or no reply to ENQ: EOT, a pause, ENQ again, up to
/// `enq_attempts`. After ACK: the frame; NAK: the frame again, up to
/// `nak_retransmissions`; ACK: EOT, done. Every byte we send in reaction to
/// a peer byte waits `turnaround`.
///
/// An ENQ from the peer while we wait for our ENQ's ACK (or rest between
/// attempts) is a collision: we yield, see [`SendOutcome::Yielded`].
#[derive(Debug)]
pub struct Sender {
    config: LinkConfig,
    frame: Vec<u8>,
    corrupt_left: u32,
    skip_final_eot: bool,
    io: Io<SendOutcome>,
    state: State,
    failed_enqs: u32,
}

/// Refuses a payload a frame cannot carry, before anything is sent.
pub(super) fn check_payload(payload: &[u8], max: usize) -> Result<(), LinkError> {
    if payload.len() > max {
        return Err(LinkError::PayloadTooLong {
            len: payload.len(),
            max,
        });
    }
    if let Some((offset, &byte)) = payload
        .iter()
        .enumerate()
        .find(|&(_, b)| !(0x20..=0x7e).contains(b))
    {
        return Err(LinkError::PayloadNotPrintable { offset, byte });
    }
    Ok(())
}

impl Sender {
    /// Checks `payload` (at most `max_payload` printable ASCII characters)
    /// and starts the session: ENQ is due at `now`.
    pub fn new(
        payload: &[u8],
        config: &LinkConfig,
        quirks: LinkQuirks,
        now: Instant,
    ) -> Result<Sender, LinkError> {
        Sender::resume(payload, config, quirks, 0, now)
    }

    /// Like [`new`](Self::new), counting `failed_enqs` ENQ attempts as
    /// already spent (a collision must not grant a fresh set).
    pub(super) fn resume(
        payload: &[u8],
        config: &LinkConfig,
        quirks: LinkQuirks,
        failed_enqs: u32,
        now: Instant,
    ) -> Result<Sender, LinkError> {
        check_payload(payload, config.max_payload)?;
        let mut sender = Sender {
            config: config.clone(),
            frame: encode_frame(payload),
            corrupt_left: quirks.corrupt_lrc_first,
            skip_final_eot: quirks.skip_final_eot,
            io: Io::new(),
            state: State::Done,
            failed_enqs,
        };
        sender.enquire(failed_enqs.saturating_add(1), now);
        Ok(sender)
    }

    /// Feeds bytes received from the peer, in any chunking.
    pub fn handle_input(&mut self, bytes: &[u8], now: Instant) {
        for &byte in bytes {
            self.handle_byte(byte, now);
        }
    }

    /// Acts on expired timers; call when `now >= poll_timeout()`.
    pub fn handle_timeout(&mut self, now: Instant) {
        match self.state {
            State::WaitEnqAck { attempt, deadline } if now >= deadline => {
                self.enq_failed(attempt, now);
            }
            State::Pause {
                next_attempt,
                until,
            } if now >= until => self.enquire(next_attempt, now),
            State::WaitFrameAck { deadline, .. } if now >= deadline => {
                self.io.send(now, vec![EOT]);
                self.finish(Err(LinkError::NoAckToFrame));
            }
            _ => {}
        }
    }

    /// Bytes to write to the line now, if any are due.
    pub fn poll_transmit(&mut self, now: Instant) -> Option<Vec<u8>> {
        self.io.poll_transmit(now)
    }

    /// When to call [`handle_timeout`](Self::handle_timeout) and
    /// [`poll_transmit`](Self::poll_transmit) next; `None` once finished and
    /// flushed.
    pub fn poll_timeout(&self) -> Option<Instant> {
        let deadline = match self.state {
            State::WaitEnqAck { deadline, .. } | State::WaitFrameAck { deadline, .. } => {
                Some(deadline)
            }
            State::Pause { until, .. } => Some(until),
            State::Done => None,
        };
        self.io.poll_timeout(deadline)
    }

    /// The next event, if any.
    pub fn poll_event(&mut self) -> Option<LinkEvent> {
        self.io.poll_event()
    }

    /// The outcome, once the session is over and its last byte handed out.
    pub fn result(&self) -> Option<Result<SendOutcome, LinkError>> {
        self.io.result()
    }

    /// Whether any byte of the frame has been handed out by
    /// [`poll_transmit`](Self::poll_transmit): from then on the peer may have
    /// it.
    pub fn reached_peer(&self) -> bool {
        self.io.frame_handed_out()
    }

    /// ENQ attempts that failed (NAK or no reply) so far.
    pub(super) fn failed_enqs(&self) -> u32 {
        self.failed_enqs
    }

    pub(super) fn io_mut(&mut self) -> &mut Io<SendOutcome> {
        &mut self.io
    }

    fn handle_byte(&mut self, byte: u8, now: Instant) {
        let reply_at = later(now, self.config.turnaround);
        match (self.state, byte) {
            (State::Done, _) => {}
            (State::WaitEnqAck { .. }, ACK) => {
                self.io.emit(LinkEvent::EnqAcknowledged);
                self.transmit_frame(1, 0, reply_at);
            }
            (State::WaitEnqAck { attempt, .. }, NAK) => self.enq_failed(attempt, reply_at),
            (State::WaitEnqAck { .. } | State::Pause { .. }, ENQ) => {
                // The cash register yields: the peer's ENQ is consumed here
                // and the caller answers it as receiver.
                self.io.emit(LinkEvent::Collision);
                self.state = State::Done;
                self.io.finish(Ok(SendOutcome::Yielded), false);
            }
            (State::WaitFrameAck { .. }, ACK) => {
                self.io.emit(LinkEvent::FrameAcknowledged);
                if !self.skip_final_eot {
                    self.io.send(reply_at, vec![EOT]);
                }
                self.finish(Ok(SendOutcome::Delivered));
            }
            (
                State::WaitFrameAck {
                    transmissions,
                    naks,
                    ..
                },
                NAK,
            ) => {
                let naks = naks.saturating_add(1);
                self.io.emit(LinkEvent::FrameRejected { naks });
                if transmissions <= self.config.nak_retransmissions {
                    self.transmit_frame(transmissions.saturating_add(1), naks, reply_at);
                } else {
                    self.io.send(reply_at, vec![EOT]);
                    self.finish(Err(LinkError::FrameRefused { naks }));
                }
            }
            _ => self.io.emit(LinkEvent::Ignored(byte)),
        }
    }

    fn enquire(&mut self, attempt: u32, now: Instant) {
        self.io.send(now, vec![ENQ]);
        self.state = State::WaitEnqAck {
            attempt,
            deadline: later(now, self.config.ack_timeout),
        };
    }

    /// Hangs up the failed attempt at `eot_at`, then rests or gives up.
    fn enq_failed(&mut self, attempt: u32, eot_at: Instant) {
        self.failed_enqs = attempt;
        self.io.send(eot_at, vec![EOT]);
        if attempt >= self.config.enq_attempts.max(1) {
            self.finish(Err(LinkError::NoAckToEnq { attempts: attempt }));
        } else {
            self.state = State::Pause {
                next_attempt: attempt.saturating_add(1),
                until: later(eot_at, self.config.enq_retry_pause),
            };
        }
    }

    fn transmit_frame(&mut self, transmission: u32, naks: u32, at: Instant) {
        let mut frame = self.frame.clone();
        if self.corrupt_left > 0 {
            self.corrupt_left -= 1;
            if let Some(lrc) = frame.last_mut() {
                // The true LRC of printable ASCII + ETX has bit 7 clear, so
                // flipping the low seven bits changes it even on a 7-bit line.
                *lrc ^= 0x7f;
            }
        }
        // Writing hands the frame to the port's buffer: at a low baud rate
        // it is still on the wire long after, and the ACK comes after that.
        let wait = self.config.frame_wait(frame.len());
        self.io.send_frame(at, frame, transmission);
        self.state = State::WaitFrameAck {
            transmissions: transmission,
            naks,
            deadline: later(at, wait),
        };
    }

    fn finish(&mut self, outcome: Result<SendOutcome, LinkError>) {
        let announce = outcome.is_ok();
        self.state = State::Done;
        self.io.finish(outcome, announce);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::frame::{ETX, STX};
    use crate::link::testing::{Harness, VECTORS, hex, ms, secs};

    fn sender(payload: &[u8], config: &LinkConfig, quirks: LinkQuirks) -> Harness<Sender> {
        let t0 = Instant::now();
        Harness::new(Sender::new(payload, config, quirks, t0).unwrap(), t0)
    }

    #[test]
    fn happy_path_sends_enq_frame_eot_exactly() {
        for (payload, frame_hex) in VECTORS {
            let frame = hex(frame_hex);
            let mut h = sender(
                payload.as_bytes(),
                &LinkConfig::default(),
                LinkQuirks::default(),
            );
            assert_eq!(h.take_sent(), vec![(ms(0), vec![ENQ])]);
            h.advance(ms(50));
            h.feed(&[ACK]);
            assert_eq!(h.take_sent(), vec![]);
            assert!(!h.m.reached_peer());
            h.advance(ms(10));
            assert_eq!(h.take_sent(), vec![(ms(60), frame)]);
            assert!(h.m.reached_peer());
            h.advance(ms(100));
            h.feed(&[ACK]);
            h.advance(ms(10));
            assert_eq!(h.take_sent(), vec![(ms(170), vec![EOT])]);
            assert_eq!(
                h.take_events(),
                vec![
                    LinkEvent::EnqAcknowledged,
                    LinkEvent::FrameSent { attempt: 1 },
                    LinkEvent::FrameAcknowledged,
                    LinkEvent::Completed,
                ]
            );
            assert_eq!(h.result(), Some(Ok(SendOutcome::Delivered)));
            assert_eq!(h.m.poll_timeout(), None);
        }
    }

    #[test]
    fn result_waits_until_the_final_eot_is_handed_out() {
        let mut h = sender(b"A", &LinkConfig::default(), LinkQuirks::default());
        h.feed(&[ACK]);
        h.advance(ms(10));
        h.feed(&[ACK]);
        assert_eq!(h.result(), None);
        assert_eq!(h.m.poll_timeout(), Some(h.t0 + ms(20)));
        assert!(!h.take_events().contains(&LinkEvent::Completed));
        h.step();
        assert_eq!(h.take_bytes().last(), Some(&EOT));
        assert_eq!(h.take_events(), vec![LinkEvent::Completed]);
        assert_eq!(h.result(), Some(Ok(SendOutcome::Delivered)));
    }

    #[test]
    fn payload_too_long_or_not_printable_is_refused_before_any_byte() {
        let t0 = Instant::now();
        let config = LinkConfig::default();
        let long = vec![b'A'; 513];
        assert_eq!(
            Sender::new(&long, &config, LinkQuirks::default(), t0).unwrap_err(),
            LinkError::PayloadTooLong { len: 513, max: 512 }
        );
        assert!(Sender::new(&long[..512], &config, LinkQuirks::default(), t0).is_ok());
        assert_eq!(
            Sender::new(b"AB\x03C", &config, LinkQuirks::default(), t0).unwrap_err(),
            LinkError::PayloadNotPrintable {
                offset: 2,
                byte: ETX
            }
        );
        assert_eq!(
            Sender::new("é".as_bytes(), &config, LinkQuirks::default(), t0).unwrap_err(),
            LinkError::PayloadNotPrintable {
                offset: 0,
                byte: 0xc3
            }
        );
    }

    #[test]
    fn nak_then_retransmission_succeeds() {
        let frame = hex(VECTORS[0].1);
        let mut h = sender(
            VECTORS[0].0.as_bytes(),
            &LinkConfig::default(),
            LinkQuirks::default(),
        );
        h.feed(&[ACK]);
        h.advance(ms(10));
        assert_eq!(h.take_bytes(), [vec![ENQ], frame.clone()].concat());
        h.feed(&[NAK]);
        h.advance(ms(9));
        assert_eq!(h.take_bytes(), b"");
        h.advance(ms(1));
        assert_eq!(h.take_sent(), vec![(ms(20), frame)]);
        h.feed(&[ACK]);
        h.advance(ms(10));
        assert_eq!(h.take_bytes(), vec![EOT]);
        assert_eq!(
            h.take_events(),
            vec![
                LinkEvent::EnqAcknowledged,
                LinkEvent::FrameSent { attempt: 1 },
                LinkEvent::FrameRejected { naks: 1 },
                LinkEvent::FrameSent { attempt: 2 },
                LinkEvent::FrameAcknowledged,
                LinkEvent::Completed,
            ]
        );
        assert_eq!(h.result(), Some(Ok(SendOutcome::Delivered)));
    }

    #[test]
    fn naks_beyond_the_limit_refuse_the_frame_and_hang_up() {
        let frame = encode_frame(b"HELLO");
        let mut h = sender(b"HELLO", &LinkConfig::default(), LinkQuirks::default());
        h.feed(&[ACK]);
        h.advance(ms(10));
        assert_eq!(h.take_bytes(), [vec![ENQ], frame.clone()].concat());
        for _ in 0..2 {
            h.feed(&[NAK]);
            h.advance(ms(10));
            assert_eq!(h.take_bytes(), frame);
        }
        h.feed(&[NAK]);
        assert_eq!(h.result(), None);
        h.advance(ms(10));
        assert_eq!(h.take_bytes(), vec![EOT]);
        assert_eq!(h.result(), Some(Err(LinkError::FrameRefused { naks: 3 })));
        assert!(!LinkError::FrameRefused { naks: 3 }.may_have_reached_peer());
        let events = h.take_events();
        assert!(events.contains(&LinkEvent::FrameSent { attempt: 3 }));
        assert!(events.contains(&LinkEvent::FrameRejected { naks: 3 }));
        assert!(!events.contains(&LinkEvent::Completed));
    }

    #[test]
    fn no_ack_to_enq_three_times_gives_up_with_eots_and_pauses() {
        let mut h = sender(b"A", &LinkConfig::default(), LinkQuirks::default());
        h.run_out();
        assert_eq!(
            h.take_sent(),
            vec![
                (secs(0), vec![ENQ]),
                (secs(3), vec![EOT]),
                (secs(4), vec![ENQ]),
                (secs(7), vec![EOT]),
                (secs(8), vec![ENQ]),
                (secs(11), vec![EOT]),
            ]
        );
        assert_eq!(h.result(), Some(Err(LinkError::NoAckToEnq { attempts: 3 })));
        assert_eq!(h.elapsed(), secs(11));
        assert!(!h.m.reached_peer());
        assert_eq!(h.take_events(), vec![]);
    }

    #[test]
    fn nak_to_enq_is_a_failed_attempt() {
        let config = LinkConfig {
            enq_attempts: 2,
            ..LinkConfig::default()
        };
        let mut h = sender(b"A", &config, LinkQuirks::default());
        h.advance(ms(100));
        h.feed(&[NAK]);
        h.advance(ms(10));
        assert_eq!(
            h.take_sent(),
            vec![(ms(0), vec![ENQ]), (ms(110), vec![EOT])]
        );
        h.advance(ms(999));
        assert_eq!(h.take_sent(), vec![]);
        h.advance(ms(1));
        assert_eq!(h.take_sent(), vec![(ms(1110), vec![ENQ])]);
        h.feed(&[NAK]);
        h.run_out();
        assert_eq!(h.take_sent(), vec![(ms(1120), vec![EOT])]);
        assert_eq!(h.result(), Some(Err(LinkError::NoAckToEnq { attempts: 2 })));
    }

    #[test]
    fn no_ack_to_frame_hangs_up_and_says_the_peer_may_have_it() {
        let mut h = sender(b"PAY", &LinkConfig::default(), LinkQuirks::default());
        h.feed(&[ACK]);
        h.advance(ms(10));
        h.take_sent();
        // ack_timeout plus the 6-character frame's 7 ms on the wire at 9600.
        h.advance(ms(3006));
        assert_eq!(h.result(), None);
        h.advance(ms(1));
        assert_eq!(h.take_sent(), vec![(ms(3017), vec![EOT])]);
        let error = h.result().unwrap().unwrap_err();
        assert_eq!(error, LinkError::NoAckToFrame);
        assert!(error.may_have_reached_peer());
        assert!(h.m.reached_peer());
    }

    #[test]
    fn stray_bytes_while_waiting_are_ignored() {
        let mut h = sender(b"A", &LinkConfig::default(), LinkQuirks::default());
        h.feed(&[EOT, b'x', STX]);
        h.feed(&[ACK]);
        h.advance(ms(10));
        h.feed(&[ENQ, EOT]);
        h.feed(&[ACK]);
        h.run_out();
        assert_eq!(
            h.take_bytes(),
            [vec![ENQ], encode_frame(b"A"), vec![EOT]].concat()
        );
        assert_eq!(
            h.take_events(),
            vec![
                LinkEvent::Ignored(EOT),
                LinkEvent::Ignored(b'x'),
                LinkEvent::Ignored(STX),
                LinkEvent::EnqAcknowledged,
                LinkEvent::FrameSent { attempt: 1 },
                LinkEvent::Ignored(ENQ),
                LinkEvent::Ignored(EOT),
                LinkEvent::FrameAcknowledged,
                LinkEvent::Completed,
            ]
        );
    }

    #[test]
    fn enq_from_the_peer_is_a_collision_and_we_yield() {
        let mut h = sender(b"A", &LinkConfig::default(), LinkQuirks::default());
        h.feed(&[ENQ]);
        assert_eq!(h.take_bytes(), vec![ENQ]);
        assert_eq!(h.take_events(), vec![LinkEvent::Collision]);
        assert_eq!(h.result(), Some(Ok(SendOutcome::Yielded)));
        assert_eq!(h.m.poll_timeout(), None);
        assert!(!h.m.reached_peer());

        // Also while resting between attempts: the peer has the line then.
        let mut h = sender(b"A", &LinkConfig::default(), LinkQuirks::default());
        h.advance(secs(3) + ms(500));
        h.feed(&[ENQ]);
        assert_eq!(h.result(), Some(Ok(SendOutcome::Yielded)));
        assert_eq!(h.m.failed_enqs(), 1);
    }

    #[test]
    fn quirk_corrupt_lrc_first_sends_a_wrong_lrc_then_the_right_one() {
        let quirks = LinkQuirks {
            corrupt_lrc_first: 1,
            ..LinkQuirks::default()
        };
        let good = hex(VECTORS[0].1);
        let mut h = sender(VECTORS[0].0.as_bytes(), &LinkConfig::default(), quirks);
        h.feed(&[ACK]);
        h.advance(ms(10));
        let first = h.take_bytes();
        assert_eq!(first[1..first.len() - 1], good[..good.len() - 1]);
        assert_ne!(first.last(), good.last());
        assert!(crate::frame::decode_frame(&first[1..]).is_err());
        h.feed(&[NAK]);
        h.advance(ms(10));
        assert_eq!(h.take_bytes(), good);
    }

    #[test]
    fn quirk_skip_final_eot_never_sends_it() {
        let quirks = LinkQuirks {
            skip_final_eot: true,
            ..LinkQuirks::default()
        };
        let mut h = sender(b"A", &LinkConfig::default(), quirks);
        h.feed(&[ACK]);
        h.advance(ms(10));
        h.feed(&[ACK]);
        h.run_out();
        assert_eq!(h.take_bytes(), [vec![ENQ], encode_frame(b"A")].concat());
        assert_eq!(h.result(), Some(Ok(SendOutcome::Delivered)));
    }

    #[test]
    fn absurd_durations_do_not_panic() {
        let config = LinkConfig {
            ack_timeout: std::time::Duration::MAX,
            enq_retry_pause: std::time::Duration::MAX,
            turnaround: std::time::Duration::MAX,
            enq_attempts: 0,
            ..LinkConfig::default()
        };
        let mut h = sender(b"A", &config, LinkQuirks::default());
        h.feed(&[NAK]);
        assert_eq!(h.result(), None);
        h.run_out();
        assert_eq!(h.result(), Some(Err(LinkError::NoAckToEnq { attempts: 1 })));
    }
}
