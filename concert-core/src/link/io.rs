//! The plumbing every link machine shares: bytes waiting for their time on
//! the line, events, and the outcome, held back until the last byte is out.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use super::event::{LinkError, LinkEvent};

/// Stand-in for "never" when a configured duration would overflow `Instant`.
const CENTURY: Duration = Duration::from_secs(100 * 365 * 24 * 3600);

/// `t + d`, saturating: an absurd configured duration must not panic.
pub(super) fn later(t: Instant, d: Duration) -> Instant {
    t.checked_add(d)
        .or_else(|| t.checked_add(CENTURY))
        .unwrap_or(t)
}

#[derive(Debug)]
struct Outgoing {
    due: Instant,
    bytes: Vec<u8>,
    /// `Some(n)` for the n-th transmission of a frame: handing it out is what
    /// `FrameSent` and `reached_peer` report.
    frame_attempt: Option<u32>,
}

/// Outbox, event queue and outcome of one machine.
#[derive(Debug)]
pub(super) struct Io<T> {
    outbox: VecDeque<Outgoing>,
    events: VecDeque<LinkEvent>,
    outcome: Option<Result<T, LinkError>>,
    /// `Completed` is owed once the outbox is empty: a driver that stops at
    /// `Completed` must not leave our final EOT or ACK unsent.
    completion_owed: bool,
    frame_handed_out: bool,
}

impl<T: Clone> Io<T> {
    pub(super) fn new() -> Self {
        Io {
            outbox: VecDeque::new(),
            events: VecDeque::new(),
            outcome: None,
            completion_owed: false,
            frame_handed_out: false,
        }
    }

    /// Queues control bytes for `due`.
    pub(super) fn send(&mut self, due: Instant, bytes: Vec<u8>) {
        self.outbox.push_back(Outgoing {
            due,
            bytes,
            frame_attempt: None,
        });
    }

    /// Queues the `attempt`-th transmission of a frame for `due`.
    pub(super) fn send_frame(&mut self, due: Instant, bytes: Vec<u8>, attempt: u32) {
        self.outbox.push_back(Outgoing {
            due,
            bytes,
            frame_attempt: Some(attempt),
        });
    }

    pub(super) fn emit(&mut self, event: LinkEvent) {
        self.events.push_back(event);
    }

    /// Records the outcome; `announce` reports `Completed` once the outbox
    /// has drained.
    pub(super) fn finish(&mut self, outcome: Result<T, LinkError>, announce: bool) {
        self.outcome = Some(outcome);
        self.completion_owed = announce;
        self.pay_completion();
    }

    fn pay_completion(&mut self) {
        if self.completion_owed && self.outbox.is_empty() {
            self.completion_owed = false;
            self.events.push_back(LinkEvent::Completed);
        }
    }

    pub(super) fn is_finished(&self) -> bool {
        self.outcome.is_some()
    }

    pub(super) fn frame_handed_out(&self) -> bool {
        self.frame_handed_out
    }

    /// Everything due by `now`, in order; a later byte never overtakes an
    /// earlier one even if its own time has come.
    pub(super) fn poll_transmit(&mut self, now: Instant) -> Option<Vec<u8>> {
        let mut out = Vec::new();
        while let Some(next) = self.outbox.front() {
            if next.due > now {
                break;
            }
            let Some(item) = self.outbox.pop_front() else {
                break;
            };
            if let Some(attempt) = item.frame_attempt {
                self.frame_handed_out = true;
                self.events.push_back(LinkEvent::FrameSent { attempt });
            }
            out.extend_from_slice(&item.bytes);
        }
        self.pay_completion();
        (!out.is_empty()).then_some(out)
    }

    /// The earlier of the next transmission and `deadline` (the machine's own
    /// timer, ignored once it has finished).
    pub(super) fn poll_timeout(&self, deadline: Option<Instant>) -> Option<Instant> {
        let due = self.outbox.front().map(|o| o.due);
        if self.is_finished() {
            return due;
        }
        match (due, deadline) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    pub(super) fn poll_event(&mut self) -> Option<LinkEvent> {
        self.events.pop_front()
    }

    /// The outcome, once the last byte has been handed out.
    pub(super) fn result(&self) -> Option<Result<T, LinkError>> {
        if self.outbox.is_empty() {
            self.outcome.clone()
        } else {
            None
        }
    }

    /// Moves pending bytes (with their times) and events, passed through
    /// `map`, to a machine that drives this one.
    pub(super) fn drain_into<U: Clone>(
        &mut self,
        dst: &mut Io<U>,
        mut map: impl FnMut(LinkEvent) -> Option<LinkEvent>,
    ) {
        dst.outbox.extend(self.outbox.drain(..));
        dst.events
            .extend(self.events.drain(..).filter_map(&mut map));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn later_saturates_instead_of_panicking() {
        let t0 = Instant::now();
        assert!(later(t0, Duration::MAX) > t0);
        assert_eq!(
            later(t0, Duration::from_secs(3)),
            t0 + Duration::from_secs(3)
        );
    }

    #[test]
    fn bytes_leave_in_order_and_completion_waits_for_them() {
        let t0 = Instant::now();
        let ms = Duration::from_millis;
        let mut io: Io<()> = Io::new();
        io.send(t0 + ms(10), vec![1]);
        io.send_frame(t0 + ms(5), vec![2, 3], 1);
        io.finish(Ok(()), true);
        assert_eq!(io.poll_timeout(Some(t0 + ms(1))), Some(t0 + ms(10)));
        assert_eq!(io.result(), None);
        assert_eq!(io.poll_transmit(t0 + ms(9)), None);
        assert_eq!(io.poll_event(), None);
        assert_eq!(io.poll_transmit(t0 + ms(10)), Some(vec![1, 2, 3]));
        assert_eq!(io.poll_event(), Some(LinkEvent::FrameSent { attempt: 1 }));
        assert_eq!(io.poll_event(), Some(LinkEvent::Completed));
        assert_eq!(io.result(), Some(Ok(())));
        assert_eq!(io.poll_timeout(Some(t0)), None);
        assert!(io.frame_handed_out());
    }
}
