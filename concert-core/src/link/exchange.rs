//! The cash register's whole transaction over a serial link: send the
//! request, then receive the terminal's answer.

use std::time::Instant;

use super::config::{LinkConfig, LinkQuirks, MIN_ANSWER_TIMEOUT};
use super::event::{LinkError, LinkEvent};
use super::io::{Io, later};
use super::receiver::Receiver;
use super::sender::{SendOutcome, Sender};

/// ENQ collisions tolerated in one exchange; past it the terminal is
/// assumed stuck pushing frames and the request is given up.
const MAX_COLLISIONS: u32 = 3;

#[derive(Debug)]
enum Stage {
    Request(Sender),
    /// A collision: the terminal has the line. `failed_enqs` is carried over
    /// to the next request attempt.
    Unsolicited {
        receiver: Receiver,
        failed_enqs: u32,
    },
    Answer(Receiver),
    Done,
}

/// The cash register's transaction over a serial link (sans-I/O): a
/// [`Sender`] session for the request, then (if an answer is expected) a
/// [`Receiver`] session for the terminal's answer, waited for up to
/// `answer_timeout` (raised to [`MIN_ANSWER_TIMEOUT`] if set lower).
///
/// On an ENQ collision the cash register yields: the terminal's frame is
/// received and reported as [`UnsolicitedFrame`](LinkEvent::UnsolicitedFrame)
/// (a failed receive is tolerated), then the request is sent again without
/// losing the ENQ attempts already spent. After three collisions a further
/// one fails with [`LinkError::NoAckToEnq`].
///
/// Events of the sessions are forwarded; [`Completed`](LinkEvent::Completed)
/// is reported once, for the whole transaction.
#[derive(Debug)]
pub struct Exchange {
    config: LinkConfig,
    request: Vec<u8>,
    expect_answer: bool,
    io: Io<Option<Vec<u8>>>,
    stage: Stage,
    collisions: u32,
}

impl Exchange {
    /// Checks the request payload and starts sending it: ENQ is due at `now`.
    pub fn new(
        request_payload: &[u8],
        config: &LinkConfig,
        expect_answer: bool,
        now: Instant,
    ) -> Result<Exchange, LinkError> {
        let mut config = config.clone();
        config.answer_timeout = config.answer_timeout.max(MIN_ANSWER_TIMEOUT);
        let sender = Sender::new(request_payload, &config, LinkQuirks::default(), now)?;
        let mut exchange = Exchange {
            config,
            request: request_payload.to_vec(),
            expect_answer,
            io: Io::new(),
            stage: Stage::Request(sender),
            collisions: 0,
        };
        exchange.advance(now);
        Ok(exchange)
    }

    /// Feeds bytes received from the terminal, in any chunking.
    pub fn handle_input(&mut self, bytes: &[u8], now: Instant) {
        // One byte at a time: a session may end mid-chunk, and the rest of
        // the chunk belongs to the next one.
        for &byte in bytes {
            match &mut self.stage {
                Stage::Request(sender) => sender.handle_input(&[byte], now),
                Stage::Unsolicited { receiver, .. } | Stage::Answer(receiver) => {
                    receiver.handle_input(&[byte], now);
                }
                Stage::Done => return,
            }
            self.advance(now);
        }
    }

    /// Acts on expired timers; call when `now >= poll_timeout()`.
    pub fn handle_timeout(&mut self, now: Instant) {
        match &mut self.stage {
            Stage::Request(sender) => sender.handle_timeout(now),
            Stage::Unsolicited { receiver, .. } | Stage::Answer(receiver) => {
                receiver.handle_timeout(now);
            }
            Stage::Done => {}
        }
        self.advance(now);
    }

    /// Bytes to write to the line now, if any are due.
    pub fn poll_transmit(&mut self, now: Instant) -> Option<Vec<u8>> {
        self.io.poll_transmit(now)
    }

    /// When to call [`handle_timeout`](Self::handle_timeout) and
    /// [`poll_transmit`](Self::poll_transmit) next; `None` once finished and
    /// flushed.
    pub fn poll_timeout(&self) -> Option<Instant> {
        let deadline = match &self.stage {
            Stage::Request(sender) => sender.poll_timeout(),
            Stage::Unsolicited { receiver, .. } | Stage::Answer(receiver) => {
                receiver.poll_timeout()
            }
            Stage::Done => None,
        };
        self.io.poll_timeout(deadline)
    }

    /// The next event, if any.
    pub fn poll_event(&mut self) -> Option<LinkEvent> {
        self.io.poll_event()
    }

    /// `Ok(Some(answer))`, `Ok(None)` when no answer was expected, or why the
    /// transaction failed; once over and our last byte handed out.
    pub fn result(&self) -> Option<Result<Option<Vec<u8>>, LinkError>> {
        self.io.result()
    }

    /// Whether any byte of the request frame has been handed out by
    /// [`poll_transmit`](Self::poll_transmit): from then on the terminal may
    /// be running the transaction.
    pub fn reached_peer(&self) -> bool {
        self.io.frame_handed_out()
    }

    /// Collects what the current session produced and moves on when it ends,
    /// as many times as sessions end at `now`.
    fn advance(&mut self, now: Instant) {
        loop {
            match &mut self.stage {
                Stage::Request(sender) => {
                    sender.io_mut().drain_into(&mut self.io, not_completed);
                    let Some(outcome) = sender.result() else {
                        return;
                    };
                    let failed_enqs = sender.failed_enqs();
                    match outcome {
                        Ok(SendOutcome::Delivered) if self.expect_answer => {
                            // One hard deadline for the whole answer: an ENQ
                            // again and again or a frame that never ends
                            // must not keep the cash register waiting.
                            let deadline = later(now, self.config.answer_timeout);
                            self.stage = Stage::Answer(
                                Receiver::new(
                                    &self.config,
                                    LinkQuirks::default(),
                                    Some(deadline),
                                    now,
                                )
                                .with_hard_deadline(deadline),
                            );
                        }
                        Ok(SendOutcome::Delivered) => self.finish(Ok(None)),
                        Ok(SendOutcome::Yielded) => {
                            self.collisions += 1;
                            if self.collisions > MAX_COLLISIONS {
                                self.finish(Err(LinkError::NoAckToEnq {
                                    attempts: failed_enqs.saturating_add(1),
                                }));
                            } else {
                                let deadline = later(now, unsolicited_budget(&self.config));
                                self.stage = Stage::Unsolicited {
                                    receiver: Receiver::after_enq(
                                        &self.config,
                                        LinkQuirks::default(),
                                        now,
                                    )
                                    .with_hard_deadline(deadline)
                                    .with_enq_limit(self.config.enq_attempts),
                                    failed_enqs,
                                };
                            }
                        }
                        Err(error) => self.finish(Err(error)),
                    }
                }
                Stage::Unsolicited {
                    receiver,
                    failed_enqs,
                } => {
                    receiver
                        .io_mut()
                        .drain_into(&mut self.io, |event| match event {
                            LinkEvent::FrameReceived(payload) => {
                                Some(LinkEvent::UnsolicitedFrame(payload))
                            }
                            other => not_completed(other),
                        });
                    // Whatever became of the terminal's frame, the line is
                    // free again: our request is still to be sent.
                    if receiver.result().is_none() {
                        return;
                    }
                    let failed_enqs = *failed_enqs;
                    let start = later(now, self.config.turnaround);
                    match Sender::resume(
                        &self.request,
                        &self.config,
                        LinkQuirks::default(),
                        failed_enqs,
                        start,
                    ) {
                        Ok(sender) => self.stage = Stage::Request(sender),
                        Err(error) => self.finish(Err(error)),
                    }
                }
                Stage::Answer(receiver) => {
                    receiver.io_mut().drain_into(&mut self.io, not_completed);
                    let Some(outcome) = receiver.result() else {
                        return;
                    };
                    self.finish(outcome.map(Some));
                }
                Stage::Done => return,
            }
        }
    }

    fn finish(&mut self, outcome: Result<Option<Vec<u8>>, LinkError>) {
        let announce = outcome.is_ok();
        self.stage = Stage::Done;
        self.io.finish(outcome, announce);
    }
}

/// The longest a terminal's session pushed on an ENQ collision may take
/// when it goes wrong every way the receiver tolerates: every frame sent
/// again after a NAK, every hang-up followed by a fresh ENQ. Past it the
/// line is taken back, whatever the terminal keeps sending.
fn unsolicited_budget(config: &LinkConfig) -> std::time::Duration {
    let frame = config.frame_wait(config.max_payload.saturating_add(2));
    let frames = frame.saturating_mul(config.nak_retransmissions.saturating_add(2));
    let hang_ups = config
        .enq_retry_pause
        .saturating_add(config.ack_timeout)
        .saturating_mul(config.enq_attempts.max(1));
    frames.saturating_add(hang_ups)
}

/// Sessions' own `Completed` would be mistaken for the transaction's.
fn not_completed(event: LinkEvent) -> Option<LinkEvent> {
    (event != LinkEvent::Completed).then_some(event)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    use crate::frame::{ACK, ENQ, EOT, NAK, STX, encode_frame};
    use crate::link::testing::{Harness, VECTORS, XorShift, fuzz, hex, ms, saw, secs};

    const ANSWER: &[u8] = b"0100000911019780000000000";

    fn exchange(request: &[u8], config: &LinkConfig, expect_answer: bool) -> Harness<Exchange> {
        let t0 = Instant::now();
        Harness::new(
            Exchange::new(request, config, expect_answer, t0).unwrap(),
            t0,
        )
    }

    /// The terminal takes the request: ACK to ENQ, ACK to the frame.
    fn deliver(h: &mut Harness<Exchange>, frame: &[u8]) {
        h.feed(&[ACK]);
        h.advance(ms(10));
        h.feed(&[ACK]);
        h.advance(ms(10));
        assert_eq!(h.take_bytes(), [&[ENQ][..], frame, &[EOT]].concat());
    }

    #[test]
    fn request_then_answer() {
        let (request, frame_hex) = VECTORS[0];
        let mut h = exchange(request.as_bytes(), &LinkConfig::default(), true);
        deliver(&mut h, &hex(frame_hex));
        assert!(h.m.reached_peer());
        // A person pays.
        h.advance(secs(45));
        assert_eq!(h.result(), None);
        h.feed(&[ENQ]);
        h.advance(ms(10));
        h.feed(&encode_frame(ANSWER));
        h.advance(ms(10));
        h.feed(&[EOT]);
        assert_eq!(h.take_bytes(), vec![ACK, ACK]);
        assert_eq!(
            h.take_events(),
            vec![
                LinkEvent::EnqAcknowledged,
                LinkEvent::FrameSent { attempt: 1 },
                LinkEvent::FrameAcknowledged,
                LinkEvent::FrameReceived(ANSWER.to_vec()),
                LinkEvent::Completed,
            ]
        );
        assert_eq!(h.result(), Some(Ok(Some(ANSWER.to_vec()))));
        assert_eq!(h.m.poll_timeout(), None);
    }

    #[test]
    fn one_read_may_span_both_sessions() {
        let mut h = exchange(b"REQ", &LinkConfig::default(), true);
        h.feed(&[ACK]);
        h.advance(ms(10));
        let mut rest = vec![ACK, ENQ];
        rest.extend(encode_frame(ANSWER));
        rest.push(EOT);
        h.feed(&rest);
        assert_eq!(h.result(), None, "our EOT and ACKs are still to go");
        h.run_out();
        assert_eq!(
            h.take_bytes(),
            [vec![ENQ], encode_frame(b"REQ"), vec![EOT, ACK, ACK]].concat()
        );
        assert_eq!(h.result(), Some(Ok(Some(ANSWER.to_vec()))));
    }

    #[test]
    fn without_an_answer_it_completes_after_our_eot() {
        let mut h = exchange(b"REQ", &LinkConfig::default(), false);
        deliver(&mut h, &encode_frame(b"REQ"));
        assert_eq!(h.result(), Some(Ok(None)));
        assert_eq!(h.take_events().last(), Some(&LinkEvent::Completed));
    }

    #[test]
    fn collision_receives_the_terminals_frame_then_sends_the_request() {
        let mut h = exchange(b"REQ", &LinkConfig::default(), true);
        assert_eq!(h.take_sent(), vec![(ms(0), vec![ENQ])]);
        h.advance(ms(5));
        h.feed(&[ENQ]);
        h.advance(ms(10));
        assert_eq!(h.take_sent(), vec![(ms(15), vec![ACK])]);
        h.feed(&encode_frame(b"PUSHED"));
        h.advance(ms(10));
        assert_eq!(h.take_sent(), vec![(ms(25), vec![ACK])]);
        h.feed(&[EOT]);
        h.advance(ms(10));
        assert_eq!(h.take_sent(), vec![(ms(35), vec![ENQ])]);
        deliver_rest(&mut h);
        assert_eq!(
            h.take_events(),
            vec![
                LinkEvent::Collision,
                LinkEvent::UnsolicitedFrame(b"PUSHED".to_vec()),
                LinkEvent::EnqAcknowledged,
                LinkEvent::FrameSent { attempt: 1 },
                LinkEvent::FrameAcknowledged,
            ]
        );
        h.feed(&[ENQ]);
        h.feed(&encode_frame(ANSWER));
        h.feed(&[EOT]);
        h.run_out();
        assert_eq!(h.result(), Some(Ok(Some(ANSWER.to_vec()))));
    }

    /// ACK to the pending ENQ and to the request frame.
    fn deliver_rest(h: &mut Harness<Exchange>) {
        h.feed(&[ACK]);
        h.advance(ms(10));
        h.feed(&[ACK]);
        h.advance(ms(10));
        assert_eq!(h.take_bytes(), [encode_frame(b"REQ"), vec![EOT]].concat());
    }

    #[test]
    fn a_collision_does_not_grant_fresh_enq_attempts() {
        let mut h = exchange(b"REQ", &LinkConfig::default(), true);
        // First attempt unanswered: EOT at 3 s, ENQ again at 4 s.
        h.advance(secs(4));
        h.feed(&[ENQ]);
        h.feed(&encode_frame(b"PUSHED"));
        h.feed(&[EOT]);
        h.run_out();
        let enqs: Vec<Duration> = h
            .take_sent()
            .into_iter()
            .flat_map(|(t, bytes)| bytes.into_iter().map(move |b| (t, b)))
            .filter(|&(_, b)| b == ENQ)
            .map(|(t, _)| t)
            .collect();
        // ENQ at 0 and 4 s, then after the collision attempts 2 and 3 only.
        assert_eq!(enqs, vec![secs(0), secs(4), ms(4010), ms(8010)]);
        assert_eq!(h.result(), Some(Err(LinkError::NoAckToEnq { attempts: 3 })));
        assert!(!h.m.reached_peer());
    }

    #[test]
    fn a_failed_unsolicited_receive_is_tolerated() {
        let mut h = exchange(b"REQ", &LinkConfig::default(), false);
        h.feed(&[ENQ]);
        // The terminal never sends its frame: after ack_timeout we move on.
        h.advance(ms(3010));
        h.advance(ms(10));
        assert_eq!(h.take_bytes(), vec![ENQ, ACK, ENQ]);
        deliver_rest(&mut h);
        assert_eq!(h.result(), Some(Ok(None)));
    }

    #[test]
    fn endless_collisions_are_capped() {
        let mut h = exchange(b"REQ", &LinkConfig::default(), true);
        for _ in 0..3 {
            h.feed(&[ENQ]);
            h.feed(&encode_frame(b"PUSHED"));
            h.feed(&[EOT]);
            h.advance(ms(10));
        }
        h.feed(&[ENQ]);
        h.run_out();
        assert_eq!(h.result(), Some(Err(LinkError::NoAckToEnq { attempts: 1 })));
        let unsolicited = h
            .take_events()
            .into_iter()
            .filter(|e| matches!(e, LinkEvent::UnsolicitedFrame(_)))
            .count();
        assert_eq!(unsolicited, 3);
    }

    #[test]
    fn no_answer_after_answer_timeout() {
        let mut h = exchange(b"REQ", &LinkConfig::default(), true);
        deliver(&mut h, &encode_frame(b"REQ"));
        h.advance(secs(179) + ms(989));
        assert_eq!(h.result(), None);
        h.advance(ms(1));
        let error = h.result().unwrap().unwrap_err();
        assert_eq!(error, LinkError::NoAnswer { waited: secs(180) });
        assert!(error.may_have_reached_peer());
        assert!(h.m.reached_peer());
    }

    #[test]
    fn enq_after_enq_cannot_extend_the_answer_deadline() {
        let mut h = exchange(b"REQ", &LinkConfig::default(), true);
        deliver(&mut h, &encode_frame(b"REQ"));
        // The terminal opens a session every second and never sends a frame.
        for _ in 0..400 {
            h.feed(&[ENQ]);
            h.advance(secs(1));
            if h.result().is_some() {
                break;
            }
        }
        assert_eq!(
            h.result(),
            Some(Err(LinkError::AnswerDeadline { waited: secs(180) }))
        );
        assert_eq!(h.elapsed(), secs(180) + ms(20));
        assert!(h.result().unwrap().unwrap_err().may_have_reached_peer());
    }

    #[test]
    fn frames_never_completed_and_noise_end_at_the_answer_deadline() {
        let mut h = exchange(b"REQ", &LinkConfig::default(), true);
        deliver(&mut h, &encode_frame(b"REQ"));
        for i in 0..1000u32 {
            // A frame that never ends, then a fresh ENQ and another one.
            h.feed(&[ENQ, STX, b'0', b'1']);
            h.feed(&[b'x'; 7]);
            h.advance(ms(700));
            if i % 3 == 0 {
                h.feed(&[EOT]);
            }
            if h.result().is_some() {
                break;
            }
        }
        assert!(
            matches!(
                h.result(),
                Some(Err(
                    LinkError::AnswerDeadline { .. } | LinkError::AnswerDamaged { .. }
                ))
            ),
            "{:?}",
            h.result()
        );
        assert!(h.elapsed() <= secs(180) + ms(20), "{:?}", h.elapsed());
    }

    #[test]
    fn enq_forever_instead_of_an_ack_gives_the_line_back_and_fails_unsent() {
        let config = LinkConfig::default();
        let mut h = exchange(b"REQ", &config, true);
        for _ in 0..10_000 {
            h.feed(&[ENQ]);
            h.advance(ms(100));
            if h.result().is_some() {
                break;
            }
        }
        assert_eq!(h.result(), Some(Err(LinkError::NoAckToEnq { attempts: 1 })));
        assert!(!h.m.reached_peer());
        let bound = unsolicited_budget(&config).saturating_mul(MAX_COLLISIONS + 1);
        assert!(h.elapsed() <= bound, "{:?} > {bound:?}", h.elapsed());
    }

    #[test]
    fn a_slow_line_gets_the_time_its_frames_take() {
        let config = LinkConfig {
            baud: 1200,
            ..LinkConfig::default()
        };
        // A 512-character request: 4.7 s on the wire before the ACK can come.
        let request = vec![b'R'; 512];
        let mut h = exchange(&request, &config, true);
        h.feed(&[ACK]);
        h.advance(ms(10));
        h.advance(secs(7));
        assert_eq!(h.result(), None, "still waiting for the frame's ACK");
        h.feed(&[ACK]);
        h.advance(ms(10));
        // A 383-character answer, paced at 1200 baud (3.5 s on the wire).
        let answer = vec![b'A'; 383];
        h.feed(&[ENQ]);
        h.advance(ms(10));
        for chunk in encode_frame(&answer).chunks(12) {
            h.feed(chunk);
            h.advance(ms(110));
        }
        h.feed(&[EOT]);
        h.run_out();
        assert!(!h.take_bytes().contains(&NAK));
        assert_eq!(h.result(), Some(Ok(Some(answer))));
    }

    #[test]
    fn answer_timeout_is_never_below_a_minute() {
        let config = LinkConfig {
            answer_timeout: secs(5),
            ..LinkConfig::default()
        };
        let mut h = exchange(b"REQ", &config, true);
        deliver(&mut h, &encode_frame(b"REQ"));
        h.run_out();
        assert_eq!(
            h.result(),
            Some(Err(LinkError::NoAnswer { waited: secs(60) }))
        );
    }

    #[test]
    fn request_errors_are_reported_before_or_without_touching_the_line() {
        let t0 = Instant::now();
        let long = vec![b'0'; 513];
        assert_eq!(
            Exchange::new(&long, &LinkConfig::default(), true, t0).unwrap_err(),
            LinkError::PayloadTooLong { len: 513, max: 512 }
        );
        let mut h = exchange(b"REQ", &LinkConfig::default(), true);
        h.run_out();
        assert_eq!(h.result(), Some(Err(LinkError::NoAckToEnq { attempts: 3 })));
        assert!(!h.m.reached_peer());
    }

    #[test]
    fn damaged_answer_fails_the_exchange() {
        let mut h = exchange(b"REQ", &LinkConfig::default(), true);
        deliver(&mut h, &encode_frame(b"REQ"));
        h.feed(&[ENQ]);
        let mut bad = encode_frame(ANSWER);
        *bad.last_mut().unwrap() ^= 0x40;
        for _ in 0..3 {
            h.feed(&bad);
        }
        h.run_out();
        assert_eq!(h.take_bytes(), vec![ACK, NAK, NAK, NAK]);
        assert_eq!(
            h.result(),
            Some(Err(LinkError::AnswerDamaged { attempts: 3 }))
        );
    }

    #[test]
    fn garbage_never_panics_and_always_ends() {
        let mut all = Vec::new();
        let mut outcomes = std::collections::HashSet::new();
        for seed in 1..=300u64 {
            let mut rng = XorShift(seed.wrapping_mul(0x2545_f491_4f6c_dd1d) | 1);
            let expect_answer = seed % 2 == 0;
            let mut h = exchange(b"REQ", &LinkConfig::default(), expect_answer);
            all.extend(fuzz(&mut h, &mut rng, 60));
            outcomes.insert(format!("{:?}", h.result().map(|r| r.map(|_| ()))));
        }
        assert!(saw(&all, |e| *e == LinkEvent::Collision));
        assert!(saw(&all, |e| matches!(e, LinkEvent::UnsolicitedFrame(_))));
        assert!(saw(&all, |e| *e == LinkEvent::FrameAcknowledged));
        assert!(saw(&all, |e| matches!(e, LinkEvent::FrameReceived(_))));
        assert!(outcomes.len() >= 3, "{outcomes:?}");
    }
}
