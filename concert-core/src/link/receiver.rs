//! Receives one frame as slave: answers `ENQ` with `ACK`, checks the frame,
//! `ACK`s or `NAK`s it, and waits for `EOT`.

use std::time::Instant;

use super::collector::FrameCollector;
use super::config::{LinkConfig, LinkQuirks};
use super::event::{LinkError, LinkEvent};
use super::io::{Io, later};
use crate::frame::{ACK, ENQ, EOT, FrameError, NAK, STX};

#[derive(Debug, Clone, Copy)]
enum State {
    /// `after_hang_up`: the peer already opened a session and hung up before
    /// its frame got through; we give it a short window to start again.
    WaitEnq {
        deadline: Option<Instant>,
        after_hang_up: bool,
    },
    /// ACKed the ENQ (or NAKed a frame): waiting for a frame to start, or for
    /// the one under way to end.
    WaitFrame {
        deadline: Instant,
    },
    /// Frame delivered and ACKed: waiting for EOT. `repeats` counts frames
    /// the peer sent again since (our ACK may have been lost).
    WaitEot {
        deadline: Instant,
        repeats: u32,
    },
    Done,
}

/// Receives one frame as slave (sans-I/O).
///
/// - Before ENQ, any other byte is [`Ignored`](LinkEvent::Ignored).
/// - After ENQ: ACK, then the frame within `ack_timeout`. Bytes before STX
///   are ignored; an ENQ again is ACKed again (our ACK may have been lost).
/// - A frame runs from STX to the byte after the first ETX (its LRC, found
///   by position). Damage inside (a non-printable byte, an oversized
///   payload) is answered once the frame is complete, since the sender is
///   still talking until then; a frame still incomplete `ack_timeout` plus
///   the time a largest frame takes on the wire after its STX is NAKed. Each NAK is a [`BadFrame`](LinkEvent::BadFrame); the
///   `nak_retransmissions + 1`-th fails with [`LinkError::AnswerDamaged`].
/// - A valid frame: ACK, [`FrameReceived`](LinkEvent::FrameReceived) once,
///   then EOT or `ack_timeout` without it (terminals that never send the
///   final EOT) both complete. The same frame again is ACKed again, silently.
/// - EOT before a valid frame: the peer hung up, perhaps because our ACK to
///   its ENQ was lost. We wait `enq_retry_pause + ack_timeout` for it to
///   start over (at most `enq_attempts` times), then fail with
///   [`LinkError::AnswerIncomplete`].
/// - A hard deadline ([`with_hard_deadline`](Self::with_hard_deadline)), if
///   set, ends the session whatever arrives (an ENQ again and again, noise, a
///   frame that never ends): [`LinkError::NoAnswer`] before any ENQ,
///   [`LinkError::AnswerDeadline`] once the peer started talking. A frame
///   already ACKed still completes.
#[derive(Debug)]
pub struct Receiver {
    config: LinkConfig,
    quirk_naks_left: u32,
    io: Io<Vec<u8>>,
    collector: FrameCollector,
    state: State,
    started: Instant,
    payload: Option<Vec<u8>>,
    bad_frames: u32,
    hang_ups: u32,
    hard_deadline: Option<Instant>,
    /// ENQs again before any frame that end the session (`None`: no limit).
    enq_limit: Option<u32>,
    repeated_enqs: u32,
}

impl Receiver {
    /// Waits for the peer's ENQ until `enq_deadline` (`None`: forever).
    pub fn new(
        config: &LinkConfig,
        quirks: LinkQuirks,
        enq_deadline: Option<Instant>,
        now: Instant,
    ) -> Receiver {
        Receiver {
            config: config.clone(),
            quirk_naks_left: quirks.nak_first_frames,
            io: Io::new(),
            collector: FrameCollector::new(config.max_payload),
            state: State::WaitEnq {
                deadline: enq_deadline,
                after_hang_up: false,
            },
            started: now,
            payload: None,
            bad_frames: 0,
            hang_ups: 0,
            hard_deadline: None,
            enq_limit: None,
            repeated_enqs: 0,
        }
    }

    /// Ends the session with [`LinkError::AnswerIncomplete`] once the peer
    /// sent ENQ `limit` more times without a frame: a peer that talks over
    /// our ACKs is not about to send one.
    pub fn with_enq_limit(mut self, limit: u32) -> Receiver {
        self.enq_limit = Some(limit);
        self
    }

    /// Sets a deadline no input can move: at `deadline` the session ends,
    /// whatever the peer is doing.
    pub fn with_hard_deadline(mut self, deadline: Instant) -> Receiver {
        self.hard_deadline = Some(deadline);
        self
    }

    /// Takes over a session whose ENQ, received at `now`, was already
    /// consumed (by a [`Sender`](super::Sender) that yielded): ACK is due
    /// `turnaround` after `now`.
    pub fn after_enq(config: &LinkConfig, quirks: LinkQuirks, now: Instant) -> Receiver {
        let mut receiver = Receiver::new(config, quirks, None, now);
        receiver.ack_enq(now);
        receiver
    }

    /// Feeds bytes received from the peer, in any chunking.
    pub fn handle_input(&mut self, bytes: &[u8], now: Instant) {
        for &byte in bytes {
            self.handle_byte(byte, now);
        }
    }

    /// Acts on expired timers; call when `now >= poll_timeout()`.
    pub fn handle_timeout(&mut self, now: Instant) {
        if let Some(hard) = self.hard_deadline
            && now >= hard
        {
            match self.state {
                State::Done => {}
                // The frame is already good and ACKed.
                State::WaitEot { .. } => {
                    self.collector.abandon();
                    self.complete();
                }
                State::WaitEnq {
                    after_hang_up: false,
                    ..
                } => self.fail(LinkError::NoAnswer {
                    waited: now.saturating_duration_since(self.started),
                }),
                State::WaitEnq { .. } | State::WaitFrame { .. } => {
                    self.fail(LinkError::AnswerDeadline {
                        waited: now.saturating_duration_since(self.started),
                    });
                }
            }
            return;
        }
        match self.state {
            State::WaitEnq {
                deadline: Some(deadline),
                after_hang_up,
            } if now >= deadline => {
                let error = if after_hang_up {
                    LinkError::AnswerIncomplete
                } else {
                    LinkError::NoAnswer {
                        waited: now.saturating_duration_since(self.started),
                    }
                };
                self.fail(error);
            }
            State::WaitFrame { deadline } if now >= deadline => {
                if self.collector.is_collecting() {
                    let reason = self.collector.abandon();
                    self.reject(reason, now);
                } else {
                    self.fail(LinkError::AnswerIncomplete);
                }
            }
            State::WaitEot { deadline, .. } if now >= deadline => {
                // The frame is already good: a missing EOT or a half-sent
                // repeat changes nothing.
                self.collector.abandon();
                self.complete();
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
    /// flushed, or while waiting for ENQ without a deadline.
    pub fn poll_timeout(&self) -> Option<Instant> {
        let deadline = match self.state {
            State::WaitEnq { deadline, .. } => deadline,
            State::WaitFrame { deadline } | State::WaitEot { deadline, .. } => Some(deadline),
            State::Done => None,
        };
        let deadline = match (deadline, self.hard_deadline) {
            (Some(d), Some(h)) => Some(d.min(h)),
            (d, h) => d.or(h),
        };
        self.io.poll_timeout(deadline)
    }

    /// The next event, if any.
    pub fn poll_event(&mut self) -> Option<LinkEvent> {
        self.io.poll_event()
    }

    /// The payload received, or why none was, once the session is over and
    /// our last byte handed out.
    pub fn result(&self) -> Option<Result<Vec<u8>, LinkError>> {
        self.io.result()
    }

    pub(super) fn io_mut(&mut self) -> &mut Io<Vec<u8>> {
        &mut self.io
    }

    fn handle_byte(&mut self, byte: u8, now: Instant) {
        match self.state {
            State::Done => {}
            State::WaitEnq { .. } if byte == ENQ => self.ack_enq(now),
            State::WaitEnq { .. } => self.io.emit(LinkEvent::Ignored(byte)),
            State::WaitFrame { .. } | State::WaitEot { .. } if self.collector.is_collecting() => {
                if let Some(frame) = self.collector.push(byte) {
                    self.on_frame(frame, now);
                }
            }
            State::WaitFrame { .. } | State::WaitEot { .. } if byte == STX => {
                self.collector.start();
                let frame = self.config.max_payload.saturating_add(2);
                self.set_deadline(later(now, self.config.frame_wait(frame)));
            }
            State::WaitFrame { .. } if byte == ENQ => {
                self.repeated_enqs = self.repeated_enqs.saturating_add(1);
                if self
                    .enq_limit
                    .is_some_and(|limit| self.repeated_enqs > limit)
                {
                    self.fail(LinkError::AnswerIncomplete);
                } else {
                    self.ack_enq(now);
                }
            }
            State::WaitFrame { .. } if byte == EOT => self.on_hang_up(now),
            State::WaitEot { .. } if byte == EOT => self.complete(),
            State::WaitFrame { .. } | State::WaitEot { .. } => {
                self.io.emit(LinkEvent::Ignored(byte));
            }
        }
    }

    fn set_deadline(&mut self, new: Instant) {
        match &mut self.state {
            State::WaitFrame { deadline } | State::WaitEot { deadline, .. } => *deadline = new,
            State::WaitEnq { .. } | State::Done => {}
        }
    }

    /// Sends `byte` in reply to input received at `now`; returns when it goes.
    fn reply(&mut self, byte: u8, now: Instant) -> Instant {
        let at = later(now, self.config.turnaround);
        self.io.send(at, vec![byte]);
        at
    }

    fn ack_enq(&mut self, now: Instant) {
        let at = self.reply(ACK, now);
        self.state = State::WaitFrame {
            deadline: later(at, self.config.ack_timeout),
        };
    }

    fn on_frame(&mut self, frame: Result<Vec<u8>, FrameError>, now: Instant) {
        if let State::WaitEot { repeats, .. } = self.state {
            self.on_repeat(frame, repeats, now);
            return;
        }
        match frame {
            Ok(_) if self.quirk_naks_left > 0 => {
                self.quirk_naks_left -= 1;
                let at = self.reply(NAK, now);
                self.state = State::WaitFrame {
                    deadline: later(at, self.config.ack_timeout),
                };
            }
            Ok(payload) => {
                let at = self.reply(ACK, now);
                self.io.emit(LinkEvent::FrameReceived(payload.clone()));
                self.payload = Some(payload);
                self.state = State::WaitEot {
                    deadline: later(at, self.config.ack_timeout),
                    repeats: 0,
                };
            }
            Err(reason) => self.reject(reason, later(now, self.config.turnaround)),
        }
    }

    /// A frame after we ACKed ours: the peer did not hear our ACK.
    fn on_repeat(&mut self, frame: Result<Vec<u8>, FrameError>, repeats: u32, now: Instant) {
        let at = match frame {
            Ok(payload) if Some(&payload) == self.payload.as_ref() => self.reply(ACK, now),
            // A session carries one frame: a different one is not ours to
            // accept, and NAK tells the sender so honestly.
            Ok(_) => self.reply(NAK, now),
            Err(reason) => {
                self.io.emit(LinkEvent::BadFrame { reason });
                self.reply(NAK, now)
            }
        };
        let repeats = repeats.saturating_add(1);
        if repeats > self.config.nak_retransmissions {
            // Bounded so a peer repeating itself cannot hold us forever.
            self.complete();
        } else {
            self.state = State::WaitEot {
                deadline: later(at, self.config.ack_timeout),
                repeats,
            };
        }
    }

    /// NAKs a damaged frame at `at`.
    fn reject(&mut self, reason: FrameError, at: Instant) {
        self.io.send(at, vec![NAK]);
        self.io.emit(LinkEvent::BadFrame { reason });
        self.bad_frames = self.bad_frames.saturating_add(1);
        if self.bad_frames > self.config.nak_retransmissions {
            self.fail(LinkError::AnswerDamaged {
                attempts: self.bad_frames,
            });
        } else {
            self.state = State::WaitFrame {
                deadline: later(at, self.config.ack_timeout),
            };
        }
    }

    fn on_hang_up(&mut self, now: Instant) {
        self.hang_ups = self.hang_ups.saturating_add(1);
        if self.hang_ups > self.config.enq_attempts.max(1) {
            self.fail(LinkError::AnswerIncomplete);
            return;
        }
        let window = self
            .config
            .enq_retry_pause
            .saturating_add(self.config.ack_timeout);
        self.state = State::WaitEnq {
            deadline: Some(later(now, window)),
            after_hang_up: true,
        };
    }

    fn complete(&mut self) {
        self.state = State::Done;
        let payload = self.payload.take().unwrap_or_default();
        self.io.finish(Ok(payload), true);
    }

    fn fail(&mut self, error: LinkError) {
        self.state = State::Done;
        self.io.finish(Err(error), false);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::frame::{ETX, encode_frame};
    use crate::link::testing::{Harness, VECTORS, XorShift, fuzz, hex, ms, saw, secs, wire};
    use crate::link::{SendOutcome, Sender};

    fn receiver(
        config: &LinkConfig,
        quirks: LinkQuirks,
        deadline: Option<u64>,
    ) -> Harness<Receiver> {
        let t0 = Instant::now();
        let deadline = deadline.map(|s| t0 + secs(s));
        Harness::new(Receiver::new(config, quirks, deadline, t0), t0)
    }

    fn plain() -> Harness<Receiver> {
        receiver(&LinkConfig::default(), LinkQuirks::default(), None)
    }

    /// Session start: ENQ in, ACK out after the turnaround.
    fn open(h: &mut Harness<Receiver>) {
        h.feed(&[ENQ]);
        h.advance(ms(10));
        assert_eq!(h.take_bytes(), vec![ACK]);
    }

    #[test]
    fn frame_one_byte_per_call_or_all_at_once() {
        for (payload, frame_hex) in VECTORS {
            for one_by_one in [true, false] {
                let mut h = plain();
                let session = [vec![ENQ], hex(frame_hex), vec![EOT]];
                if one_by_one {
                    h.feed_each(&session[0]);
                    h.advance(ms(20));
                    h.feed_each(&session[1]);
                    h.advance(ms(20));
                    h.feed_each(&session[2]);
                } else {
                    h.feed(&session.concat());
                    h.advance(ms(10));
                }
                assert_eq!(h.take_bytes(), vec![ACK, ACK], "{payload}");
                assert_eq!(
                    h.take_events(),
                    vec![
                        LinkEvent::FrameReceived(payload.as_bytes().to_vec()),
                        LinkEvent::Completed
                    ]
                );
                assert_eq!(h.result(), Some(Ok(payload.as_bytes().to_vec())));
                assert_eq!(h.m.poll_timeout(), None);
            }
        }
    }

    #[test]
    fn stray_bytes_before_enq_and_before_stx_are_ignored() {
        let mut h = plain();
        h.feed(&[0x00, ACK, b'z']);
        assert_eq!(h.take_bytes(), b"");
        open(&mut h);
        h.feed(&[0xff, NAK]);
        h.feed(&encode_frame(b"OK"));
        h.advance(ms(10));
        h.feed(&[EOT]);
        assert_eq!(h.take_bytes(), vec![ACK]);
        assert_eq!(
            h.take_events(),
            vec![
                LinkEvent::Ignored(0x00),
                LinkEvent::Ignored(ACK),
                LinkEvent::Ignored(b'z'),
                LinkEvent::Ignored(0xff),
                LinkEvent::Ignored(NAK),
                LinkEvent::FrameReceived(b"OK".to_vec()),
                LinkEvent::Completed,
            ]
        );
        assert_eq!(h.result(), Some(Ok(b"OK".to_vec())));
    }

    #[test]
    fn ack_waits_for_the_turnaround_and_poll_timeout_says_when() {
        let mut h = plain();
        assert_eq!(h.m.poll_timeout(), None);
        h.feed(&[ENQ]);
        assert_eq!(h.take_bytes(), b"");
        assert_eq!(h.m.poll_timeout(), Some(h.t0 + ms(10)));
        assert_eq!(h.m.poll_transmit(h.t0 + ms(9)), None);
        assert_eq!(h.m.poll_transmit(h.t0 + ms(10)), Some(vec![ACK]));
        // Then the wait for the frame: ack_timeout after the ACK went out.
        assert_eq!(h.m.poll_timeout(), Some(h.t0 + ms(3010)));
    }

    #[test]
    fn missing_final_eot_completes_after_ack_timeout() {
        let mut h = plain();
        open(&mut h);
        h.feed(&encode_frame(b"ANSWER"));
        h.advance(ms(10));
        assert_eq!(h.take_bytes(), vec![ACK]);
        h.advance(ms(2999));
        assert_eq!(h.result(), None);
        h.advance(ms(1));
        assert_eq!(h.result(), Some(Ok(b"ANSWER".to_vec())));
        assert_eq!(h.elapsed(), ms(3020));
        assert_eq!(
            h.take_events(),
            vec![
                LinkEvent::FrameReceived(b"ANSWER".to_vec()),
                LinkEvent::Completed
            ]
        );
    }

    #[test]
    fn wrong_lrc_is_naked_and_the_good_retransmission_received_once() {
        let mut h = plain();
        open(&mut h);
        let good = hex(VECTORS[1].1);
        let mut bad = good.clone();
        *bad.last_mut().unwrap() = ETX;
        h.feed(&bad);
        h.advance(ms(10));
        assert_eq!(h.take_bytes(), vec![NAK]);
        h.feed(&good);
        h.advance(ms(10));
        h.feed(&[EOT]);
        assert_eq!(h.take_bytes(), vec![ACK]);
        assert_eq!(
            h.take_events(),
            vec![
                LinkEvent::BadFrame {
                    reason: FrameError::WrongLrc {
                        expected: 0x02,
                        found: ETX
                    }
                },
                LinkEvent::FrameReceived(VECTORS[1].0.as_bytes().to_vec()),
                LinkEvent::Completed,
            ]
        );
    }

    #[test]
    fn retransmission_after_our_ack_is_acked_again_silently() {
        let mut h = plain();
        open(&mut h);
        let frame = encode_frame(b"SAME");
        h.feed(&frame);
        h.advance(ms(3000));
        // The sender missed our ACK and sends the frame again.
        h.feed(&frame);
        h.advance(ms(10));
        assert_eq!(h.take_bytes(), vec![ACK, ACK]);
        h.feed(&[EOT]);
        assert_eq!(
            h.take_events(),
            vec![
                LinkEvent::FrameReceived(b"SAME".to_vec()),
                LinkEvent::Completed
            ]
        );
        assert_eq!(h.result(), Some(Ok(b"SAME".to_vec())));
    }

    #[test]
    fn a_different_frame_after_ours_is_naked() {
        let mut h = plain();
        open(&mut h);
        h.feed(&encode_frame(b"ONE"));
        h.advance(ms(10));
        h.feed(&encode_frame(b"TWO"));
        h.advance(ms(10));
        h.feed(&[EOT]);
        assert_eq!(h.take_bytes(), vec![ACK, NAK]);
        assert_eq!(h.result(), Some(Ok(b"ONE".to_vec())));
    }

    #[test]
    fn repeated_enq_is_acked_again() {
        let mut h = plain();
        open(&mut h);
        h.advance(ms(500));
        h.feed(&[ENQ]);
        h.advance(ms(10));
        assert_eq!(h.take_sent(), vec![(ms(520), vec![ACK])]);
        assert_eq!(h.m.poll_timeout(), Some(h.t0 + ms(3520)));
    }

    #[test]
    fn damaged_frames_beyond_the_limit_fail() {
        let mut h = plain();
        open(&mut h);
        let mut bad = encode_frame(b"X");
        *bad.last_mut().unwrap() ^= 1;
        for _ in 0..3 {
            h.feed(&bad);
            h.advance(ms(10));
            assert_eq!(h.take_bytes(), vec![NAK]);
        }
        assert_eq!(
            h.result(),
            Some(Err(LinkError::AnswerDamaged { attempts: 3 }))
        );
        assert_eq!(h.take_events().len(), 3);
        // The peer's closing EOT reaches a finished machine: nothing happens.
        h.feed(&[EOT]);
        assert_eq!(h.take_events(), vec![]);
    }

    #[test]
    fn oversized_or_unprintable_frames_are_naked_once_complete() {
        let config = LinkConfig {
            max_payload: 4,
            ..LinkConfig::default()
        };
        let mut h = receiver(&config, LinkQuirks::default(), None);
        open(&mut h);
        let long = encode_frame(b"ABCDE");
        h.feed(&long[..long.len() - 1]);
        h.advance(ms(100));
        assert_eq!(h.take_bytes(), b"", "no reply before the LRC");
        h.feed(&long[long.len() - 1..]);
        h.advance(ms(10));
        assert_eq!(h.take_bytes(), vec![NAK]);
        // STX, ENQ or EOT inside a payload do not end the frame.
        let mut noisy = vec![STX, b'A', STX, ENQ, EOT, ETX];
        noisy.push(crate::frame::Lrc::of_payload(&noisy[1..5]).0);
        h.feed(&noisy);
        h.advance(ms(10));
        assert_eq!(h.take_bytes(), vec![NAK]);
        h.feed(&encode_frame(b"ABCD"));
        h.advance(ms(10));
        assert_eq!(h.take_bytes(), vec![ACK]);
        assert_eq!(
            h.take_events(),
            vec![
                LinkEvent::BadFrame {
                    reason: FrameError::TooLong { len: 5, max: 4 }
                },
                LinkEvent::BadFrame {
                    reason: FrameError::NotPrintable {
                        offset: 2,
                        byte: STX
                    }
                },
                LinkEvent::FrameReceived(b"ABCD".to_vec()),
            ]
        );
    }

    #[test]
    fn incomplete_frame_at_ack_timeout_is_naked_and_may_be_resent() {
        let mut h = plain();
        open(&mut h);
        h.advance(ms(1000));
        h.feed(&[STX, b'A', b'B']);
        // ack_timeout plus a 514-character frame's 589 ms on the wire.
        h.advance(ms(3588));
        assert_eq!(h.take_bytes(), b"");
        h.advance(ms(1));
        assert_eq!(h.take_sent(), vec![(ms(4599), vec![NAK])]);
        assert_eq!(
            h.take_events(),
            vec![LinkEvent::BadFrame {
                reason: FrameError::Truncated { len: 3 }
            }]
        );
        h.feed(&encode_frame(b"AB"));
        h.advance(ms(10));
        h.feed(&[EOT]);
        assert_eq!(h.take_bytes(), vec![ACK]);
        assert_eq!(h.result(), Some(Ok(b"AB".to_vec())));
    }

    #[test]
    fn no_frame_after_our_ack_is_an_incomplete_answer() {
        let mut h = plain();
        open(&mut h);
        h.advance(ms(2999));
        assert_eq!(h.result(), None);
        h.advance(ms(1));
        assert_eq!(h.result(), Some(Err(LinkError::AnswerIncomplete)));
    }

    #[test]
    fn hang_up_before_the_frame_fails_unless_the_peer_starts_again() {
        let mut h = plain();
        open(&mut h);
        h.feed(&[EOT]);
        assert_eq!(h.result(), None);
        h.advance(ms(3999));
        assert_eq!(h.result(), None);
        h.advance(ms(1));
        assert_eq!(h.result(), Some(Err(LinkError::AnswerIncomplete)));
        assert_eq!(h.elapsed(), ms(4010));

        // Our ACK was lost: the peer hangs up, rests, and enquires again.
        let mut h = plain();
        h.feed(&[ENQ]);
        h.advance(secs(3));
        h.feed(&[EOT]);
        h.advance(secs(1));
        h.feed(&[ENQ]);
        h.advance(ms(10));
        h.feed(&encode_frame(b"LATE"));
        h.advance(ms(10));
        h.feed(&[EOT]);
        assert_eq!(h.take_bytes(), vec![ACK, ACK, ACK]);
        assert_eq!(h.result(), Some(Ok(b"LATE".to_vec())));
    }

    #[test]
    fn endless_hang_ups_end_in_an_incomplete_answer() {
        let mut h = plain();
        for _ in 0..3 {
            h.feed(&[ENQ, EOT]);
            assert_eq!(h.result(), None);
        }
        h.feed(&[ENQ, EOT]);
        h.advance(ms(10));
        assert_eq!(h.result(), Some(Err(LinkError::AnswerIncomplete)));
    }

    #[test]
    fn no_enq_before_the_deadline_is_no_answer() {
        let mut h = receiver(&LinkConfig::default(), LinkQuirks::default(), Some(180));
        h.feed(b"?");
        h.advance(secs(179));
        assert_eq!(h.result(), None);
        h.advance(secs(1));
        assert_eq!(
            h.result(),
            Some(Err(LinkError::NoAnswer { waited: secs(180) }))
        );
        assert_eq!(h.take_bytes(), b"");
    }

    #[test]
    fn quirk_nak_first_frames_naks_valid_frames() {
        let quirks = LinkQuirks {
            nak_first_frames: 3,
            ..LinkQuirks::default()
        };
        let mut h = receiver(&LinkConfig::default(), quirks, None);
        open(&mut h);
        let frame = encode_frame(b"VALID");
        // More NAKs than nak_retransmissions: deliberate ones do not count.
        for _ in 0..3 {
            h.feed(&frame);
            h.advance(ms(10));
            assert_eq!(h.take_bytes(), vec![NAK]);
        }
        h.feed(&frame);
        h.advance(ms(10));
        assert_eq!(h.take_bytes(), vec![ACK]);
        h.feed(&[EOT]);
        assert_eq!(
            h.take_events(),
            vec![
                LinkEvent::FrameReceived(b"VALID".to_vec()),
                LinkEvent::Completed
            ]
        );
    }

    fn back_to_back(
        payload: &[u8],
        send_quirks: LinkQuirks,
        receive_quirks: LinkQuirks,
    ) -> (Harness<Sender>, Harness<Receiver>) {
        let t0 = Instant::now();
        let config = LinkConfig::default();
        let mut s = Harness::new(Sender::new(payload, &config, send_quirks, t0).unwrap(), t0);
        let mut r = Harness::new(Receiver::new(&config, receive_quirks, None, t0), t0);
        wire(&mut s, &mut r);
        (s, r)
    }

    #[test]
    fn sender_and_receiver_agree() {
        let (s, r) = back_to_back(b"HELLO", LinkQuirks::default(), LinkQuirks::default());
        assert_eq!(s.result(), Some(Ok(SendOutcome::Delivered)));
        assert_eq!(r.result(), Some(Ok(b"HELLO".to_vec())));
        // ENQ, ACK +10 ms, frame +10 ms, ACK +10 ms, EOT +10 ms.
        assert_eq!(r.elapsed(), ms(40));
    }

    #[test]
    fn quirks_are_survived_by_a_well_behaved_peer() {
        let corrupt = LinkQuirks {
            corrupt_lrc_first: 2,
            ..LinkQuirks::default()
        };
        let (mut s, mut r) = back_to_back(b"HELLO", corrupt, LinkQuirks::default());
        assert_eq!(s.result(), Some(Ok(SendOutcome::Delivered)));
        assert_eq!(r.result(), Some(Ok(b"HELLO".to_vec())));
        assert_eq!(
            r.take_events()
                .iter()
                .filter(|e| matches!(e, LinkEvent::BadFrame { .. }))
                .count(),
            2
        );
        assert!(
            s.take_events()
                .contains(&LinkEvent::FrameSent { attempt: 3 })
        );

        let naks = LinkQuirks {
            nak_first_frames: 3,
            ..LinkQuirks::default()
        };
        let (s, r) = back_to_back(b"HELLO", LinkQuirks::default(), naks);
        assert_eq!(s.result(), Some(Err(LinkError::FrameRefused { naks: 3 })));
        // The sender hung up after its last NAK; nobody started again.
        assert_eq!(r.result(), Some(Err(LinkError::AnswerIncomplete)));

        let skip = LinkQuirks {
            skip_final_eot: true,
            ..LinkQuirks::default()
        };
        let (s, r) = back_to_back(b"HELLO", skip, LinkQuirks::default());
        assert_eq!(s.result(), Some(Ok(SendOutcome::Delivered)));
        assert_eq!(r.result(), Some(Ok(b"HELLO".to_vec())));
        assert_eq!(r.elapsed(), ms(3030), "completed by the EOT timeout");
    }

    #[test]
    fn garbage_never_panics_and_always_ends() {
        let mut all = Vec::new();
        let mut outcomes = std::collections::HashSet::new();
        for seed in 1..=200u64 {
            let mut rng = XorShift(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1);
            let mut h = receiver(&LinkConfig::default(), LinkQuirks::default(), Some(60));
            all.extend(fuzz(&mut h, &mut rng, 50));
            outcomes.insert(format!("{:?}", h.result().map(|r| r.map(|_| ()))));
            let mut h = Harness::new(
                Receiver::after_enq(&LinkConfig::default(), LinkQuirks::default(), h.t0),
                h.t0,
            );
            all.extend(fuzz(&mut h, &mut rng, 50));
            outcomes.insert(format!("{:?}", h.result().map(|r| r.map(|_| ()))));
        }
        // The noise reached every state, not just "waiting for ENQ".
        assert!(saw(&all, |e| matches!(e, LinkEvent::FrameReceived(_))));
        assert!(saw(&all, |e| matches!(e, LinkEvent::BadFrame { .. })));
        assert!(saw(&all, |e| *e == LinkEvent::Completed));
        assert!(outcomes.len() >= 3, "{outcomes:?}");
    }
}
