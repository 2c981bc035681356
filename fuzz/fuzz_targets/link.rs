//! The serial link machines fed arbitrary byte streams at arbitrary times
//! on a fake clock: no panic, and every input sequence ends in a defined
//! state within its timers (a result, no deadline left, nothing more to
//! send) — the machines never deadlock.
#![no_main]

use std::time::{Duration, Instant};

use arbitrary::Arbitrary;
use concert_core::link::{
    Exchange, LinkConfig, LinkMachine, LinkQuirks, MIN_ANSWER_TIMEOUT, Receiver, Sender,
};
use libfuzzer_sys::fuzz_target;

#[derive(Debug, Arbitrary)]
enum Step {
    /// The peer's bytes arrive now.
    Bytes(Vec<u8>),
    /// A whole valid frame with this payload arrives now.
    Frame(Vec<u8>),
    /// Time passes (ms), timers firing on the way.
    Wait(u16),
}

#[derive(Debug, Arbitrary)]
enum Which {
    Exchange { expect_answer: bool },
    Sender,
    Receiver { enq_deadline: bool },
}

#[derive(Debug, Arbitrary)]
struct Input {
    which: Which,
    payload: Vec<u8>,
    max_payload: u16,
    nak_retransmissions: u8,
    enq_attempts: u8,
    steps: Vec<Step>,
}

/// Far more timer steps than any machine needs to finish after its input.
const MAX_TIMER_STEPS: usize = 10_000;

fn drive<M: LinkMachine>(mut m: M, config: &LinkConfig, steps: &[Step], t0: Instant) {
    let mut now = t0;
    let mut out = 0usize;
    let flush = |m: &mut M, now: Instant, out: &mut usize| {
        while let Some(bytes) = m.poll_transmit(now) {
            assert!(!bytes.is_empty());
            *out += bytes.len();
        }
        while m.poll_event().is_some() {}
    };
    flush(&mut m, now, &mut out);
    for step in steps {
        match step {
            Step::Bytes(b) => m.handle_input(b, now),
            Step::Frame(p) => {
                let p: Vec<u8> = p.iter().map(|b| 0x20 + b % 95).collect();
                m.handle_input(&concert_core::frame::encode_frame(&p), now);
            }
            Step::Wait(ms) => {
                let target = now + Duration::from_millis(u64::from(*ms));
                while let Some(t) = m.poll_timeout().filter(|t| *t <= target) {
                    now = now.max(t);
                    m.handle_timeout(now);
                    flush(&mut m, now, &mut out);
                }
                now = target;
            }
        }
        flush(&mut m, now, &mut out);
    }
    // Silence from now on: the timers alone must bring the machine to an end.
    for _ in 0..MAX_TIMER_STEPS {
        if m.result().is_some() && m.poll_timeout().is_none() {
            break;
        }
        let Some(t) = m.poll_timeout() else {
            panic!("no result and no timer: deadlocked");
        };
        assert!(
            t >= now || t + Duration::from_secs(1) >= now,
            "deadline in the past"
        );
        now = now.max(t);
        m.handle_timeout(now);
        flush(&mut m, now, &mut out);
    }
    assert!(m.result().is_some(), "never finished");
    assert_eq!(m.poll_timeout(), None);
    assert!(m.poll_transmit(now + Duration::from_secs(86_400)).is_none());
    // Bounded time: input time plus at most the longest chain of timers.
    let budget = config.answer_timeout
        + (config.ack_timeout * 4 + config.enq_retry_pause + config.turnaround)
            * (u32::from(config.enq_attempts.max(1)) + 1)
            * (config.nak_retransmissions + 2)
            * 8;
    let input_time: u64 = steps
        .iter()
        .map(|s| match s {
            Step::Wait(ms) => u64::from(*ms),
            _ => 0,
        })
        .sum();
    assert!(
        now - t0 <= budget + Duration::from_millis(input_time),
        "took {:?}",
        now - t0
    );
    // Bounded memory: what went out is bounded by the frame size.
    assert!(
        out <= 64 * (config.max_payload + 8) * 64 + 4096,
        "sent {out} bytes"
    );
}

fuzz_target!(|input: Input| {
    let config = { let mut v = LinkConfig::default(); v.max_payload = usize::from(input.max_payload % 1024).max(1); v.nak_retransmissions = u32::from(input.nak_retransmissions % 4); v.enq_attempts = u32::from(input.enq_attempts % 4).max(1); v.answer_timeout = MIN_ANSWER_TIMEOUT; v };
    let t0 = Instant::now();
    let steps = &input.steps[..input.steps.len().min(64)];
    match input.which {
        Which::Exchange { expect_answer } => {
            if let Ok(m) = Exchange::new(&input.payload, &config, expect_answer, t0) {
                drive(m, &config, steps, t0);
            }
        }
        Which::Sender => {
            if let Ok(m) = Sender::new(&input.payload, &config, LinkQuirks::default(), t0) {
                drive(m, &config, steps, t0);
            }
        }
        Which::Receiver { enq_deadline } => {
            let deadline = enq_deadline.then(|| t0 + config.answer_timeout);
            let m = Receiver::new(&config, LinkQuirks::default(), deadline, t0);
            if enq_deadline {
                drive(m, &config, steps, t0);
            } else {
                // Without a deadline a receiver may wait for ENQ forever:
                // it must still not panic, and may end only with a result.
                let mut m = m;
                for step in steps {
                    if let Step::Bytes(b) = step {
                        m.handle_input(b, t0);
                    }
                    while m.poll_transmit(t0).is_some() {}
                }
            }
        }
    }
});
