//! Test harness: drives a link machine with scripted peer bytes and a fake
//! clock, recording what it transmits (and when) and what it reports.

use std::time::{Duration, Instant};

use super::LinkMachine;
use super::event::{LinkError, LinkEvent};

/// Guard against a machine whose deadline never moves on.
const MAX_STEPS: usize = 100_000;

pub(super) fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

pub(super) fn secs(n: u64) -> Duration {
    Duration::from_secs(n)
}

/// What the harness needs of a machine: the shared surface, with a result
/// it can compare.
pub(super) trait Machine: LinkMachine<Output: Clone + std::fmt::Debug + PartialEq> {}

impl<M: LinkMachine<Output: Clone + std::fmt::Debug + PartialEq>> Machine for M {}

/// A machine, a fake clock and a record of its output.
pub(super) struct Harness<M> {
    pub(super) m: M,
    pub(super) t0: Instant,
    pub(super) now: Instant,
    /// (time since `t0`, bytes) for each `poll_transmit` that gave bytes.
    sent: Vec<(Duration, Vec<u8>)>,
    events: Vec<LinkEvent>,
}

impl<M: Machine> Harness<M> {
    pub(super) fn new(m: M, t0: Instant) -> Self {
        let mut h = Harness {
            m,
            t0,
            now: t0,
            sent: Vec::new(),
            events: Vec::new(),
        };
        h.flush();
        h
    }

    pub(super) fn elapsed(&self) -> Duration {
        self.now - self.t0
    }

    fn flush(&mut self) {
        while let Some(bytes) = self.m.poll_transmit(self.now) {
            assert!(!bytes.is_empty(), "poll_transmit gave Some(empty)");
            self.sent.push((self.now - self.t0, bytes));
        }
        while let Some(event) = self.m.poll_event() {
            self.events.push(event);
        }
    }

    /// The peer's bytes arrive now, all in one read.
    pub(super) fn feed(&mut self, bytes: &[u8]) {
        self.m.handle_input(bytes, self.now);
        self.flush();
    }

    /// The peer's bytes arrive now, one read per byte.
    pub(super) fn feed_each(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.feed(&[*b]);
        }
    }

    /// Lets `d` pass, honouring every deadline on the way at its exact time.
    pub(super) fn advance(&mut self, d: Duration) {
        let target = self.now + d;
        for _ in 0..MAX_STEPS {
            match self.m.poll_timeout() {
                Some(t) if t <= target => {
                    self.now = self.now.max(t);
                    self.m.handle_timeout(self.now);
                    self.flush();
                }
                _ => {
                    self.now = target;
                    self.flush();
                    return;
                }
            }
        }
        panic!("deadline never moves on");
    }

    /// Goes to the next deadline (there must be one).
    pub(super) fn step(&mut self) {
        let t = self.m.poll_timeout().expect("a deadline");
        self.now = self.now.max(t);
        self.m.handle_timeout(self.now);
        self.flush();
    }

    /// Lets time pass until the machine has nothing left to do.
    pub(super) fn run_out(&mut self) {
        for _ in 0..MAX_STEPS {
            if self.m.poll_timeout().is_none() {
                return;
            }
            self.step();
        }
        panic!("machine never finishes");
    }

    /// Everything transmitted since the last call, with its time since `t0`.
    pub(super) fn take_sent(&mut self) -> Vec<(Duration, Vec<u8>)> {
        std::mem::take(&mut self.sent)
    }

    /// Everything transmitted since the last call, as one byte string.
    pub(super) fn take_bytes(&mut self) -> Vec<u8> {
        self.take_sent().into_iter().flat_map(|(_, b)| b).collect()
    }

    pub(super) fn take_events(&mut self) -> Vec<LinkEvent> {
        std::mem::take(&mut self.events)
    }

    pub(super) fn result(&self) -> Option<Result<M::Output, LinkError>> {
        self.m.result()
    }
}

/// Two machines on one line, sharing a fake clock: each one's transmissions
/// are the other's input, delivered at the time they are handed out.
pub(super) fn wire<A: Machine, B: Machine>(a: &mut Harness<A>, b: &mut Harness<B>) {
    for _ in 0..MAX_STEPS {
        let mut moved = false;
        for (_, bytes) in a.take_sent() {
            b.feed(&bytes);
            moved = true;
        }
        for (_, bytes) in b.take_sent() {
            a.feed(&bytes);
            moved = true;
        }
        if moved {
            continue;
        }
        let next = match (a.m.poll_timeout(), b.m.poll_timeout()) {
            (Some(x), Some(y)) => x.min(y),
            (Some(x), None) | (None, Some(x)) => x,
            (None, None) => return,
        };
        let now = a.now.max(b.now).max(next);
        let (da, db) = (now - a.now, now - b.now);
        a.advance(da);
        b.advance(db);
    }
    panic!("the two machines never settle");
}

/// Deterministic xorshift64 noise; no dependency needed.
pub(super) struct XorShift(pub(super) u64);

impl XorShift {
    pub(super) fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }

    pub(super) fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    /// A byte, biased towards the link's control bytes so that noise reaches
    /// every state.
    pub(super) fn line_byte(&mut self) -> u8 {
        const CONTROL: [u8; 6] = [0x02, 0x03, 0x04, 0x05, 0x06, 0x15];
        match self.below(4) {
            0 => CONTROL[self.below(6) as usize],
            1 => b'A' + self.below(26) as u8,
            _ => self.next() as u8,
        }
    }
}

/// Feeds random bytes (now and then a valid frame, so that noise also hits
/// the later states) in random chunks at random times for `rounds`, then lets
/// time pass: the machine must not panic and must finish. Returns its events.
pub(super) fn fuzz<M: Machine>(
    h: &mut Harness<M>,
    rng: &mut XorShift,
    rounds: usize,
) -> Vec<LinkEvent> {
    for _ in 0..rounds {
        let chunk: Vec<u8> = if rng.below(5) == 0 {
            let len = rng.below(30) as usize;
            let payload: Vec<u8> = (0..len).map(|_| b' ' + rng.below(95) as u8).collect();
            crate::frame::encode_frame(&payload)
        } else {
            let len = rng.below(40) as usize;
            (0..len).map(|_| rng.line_byte()).collect()
        };
        let split = rng.below(chunk.len() as u64 + 1) as usize;
        h.feed(&chunk[..split]);
        h.advance(ms(rng.below(50)));
        h.feed(&chunk[split..]);
        h.advance(ms(rng.below(2_000)));
    }
    h.run_out();
    assert!(h.result().is_some(), "finished without a result");
    assert_eq!(h.m.poll_timeout(), None);
    assert_eq!(h.m.poll_transmit(h.now + CENTURY_AND_MORE), None);
    h.take_events()
}

/// Far enough ahead that anything still queued would be due.
const CENTURY_AND_MORE: Duration = Duration::from_secs(200 * 365 * 24 * 3600);

/// Whether some event in `events` matches `pred`.
pub(super) fn saw(events: &[LinkEvent], pred: impl Fn(&LinkEvent) -> bool) -> bool {
    events.iter().any(pred)
}

/// Bytes from a hex string, as the vector files write frames.
pub(super) fn hex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).expect("hex"))
        .collect()
}

/// (payload, whole frame) from vectors/v2.json whose LRC is ACK, STX, ETX.
pub(super) const VECTORS: [(&str, &str); 3] = [
    (
        "0100005510110978          A010B010",
        "02303130303030353531303131303937382020202020202020202041303130423031300306",
    ),
    (
        "0100001242010978          A011B010",
        "02303130303030313234323031303937382020202020202020202041303131423031300302",
    ),
    (
        "0100001242010978          A010B010",
        "02303130303030313234323031303937382020202020202020202041303130423031300303",
    ),
];
