//! Gathers one incoming frame from bytes that arrive in any chunking.
//!
//! A frame runs from STX to the byte right after the first ETX (the LRC,
//! whatever its value). A non-printable byte inside the payload does not end
//! the frame early: the sender is still transmitting and expects its answer
//! after the LRC, so answering mid-frame would talk over it. The damage is
//! reported once the frame is complete, and checked by
//! [`decode_frame`](crate::frame::decode_frame) so the rules live in one
//! place.

use crate::frame::{ETX, FrameError, STX, decode_frame};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    Idle,
    Payload,
    Lrc,
}

#[derive(Debug)]
pub(super) struct FrameCollector {
    max_payload: usize,
    /// STX, the payload (as long as it fits `max_payload`), ETX, LRC.
    buf: Vec<u8>,
    payload_len: usize,
    seen: usize,
    phase: Phase,
}

impl FrameCollector {
    pub(super) fn new(max_payload: usize) -> Self {
        FrameCollector {
            max_payload,
            buf: Vec::new(),
            payload_len: 0,
            seen: 0,
            phase: Phase::Idle,
        }
    }

    pub(super) fn is_collecting(&self) -> bool {
        self.phase != Phase::Idle
    }

    /// An STX was seen: a frame starts.
    pub(super) fn start(&mut self) {
        self.buf.clear();
        self.buf.push(STX);
        self.payload_len = 0;
        self.seen = 1;
        self.phase = Phase::Payload;
    }

    /// Takes the next byte of the frame; gives the payload, or what is wrong
    /// with it, once the LRC has arrived.
    pub(super) fn push(&mut self, byte: u8) -> Option<Result<Vec<u8>, FrameError>> {
        self.seen = self.seen.saturating_add(1);
        match self.phase {
            Phase::Idle => None,
            Phase::Payload if byte == ETX => {
                self.phase = Phase::Lrc;
                self.buf.push(ETX);
                None
            }
            Phase::Payload => {
                self.payload_len = self.payload_len.saturating_add(1);
                // Past the limit the frame is refused anyway: keep counting
                // (for the report) but stop storing, so noise cannot grow
                // memory.
                if self.payload_len <= self.max_payload {
                    self.buf.push(byte);
                }
                None
            }
            Phase::Lrc => {
                self.phase = Phase::Idle;
                if self.payload_len > self.max_payload {
                    return Some(Err(FrameError::TooLong {
                        len: self.payload_len,
                        max: self.max_payload,
                    }));
                }
                self.buf.push(byte);
                Some(decode_frame(&self.buf).map(<[u8]>::to_vec))
            }
        }
    }

    /// Gives up on an incomplete frame.
    pub(super) fn abandon(&mut self) -> FrameError {
        self.phase = Phase::Idle;
        FrameError::Truncated { len: self.seen }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::frame::encode_frame;

    fn collect(c: &mut FrameCollector, frame: &[u8]) -> Vec<Option<Result<Vec<u8>, FrameError>>> {
        assert_eq!(frame[0], STX);
        c.start();
        frame[1..].iter().map(|&b| c.push(b)).collect()
    }

    #[test]
    fn lrc_is_the_byte_after_etx_whatever_its_value() {
        // Payloads from vectors/v2.json whose LRC is STX and ETX.
        for payload in [
            &b"0100001242010978          A011B010"[..],
            &b"0100001242010978          A010B010"[..],
        ] {
            let frame = encode_frame(payload);
            let mut c = FrameCollector::new(512);
            let out = collect(&mut c, &frame);
            assert!(out[..out.len() - 1].iter().all(Option::is_none));
            assert_eq!(out.last(), Some(&Some(Ok(payload.to_vec()))));
            assert!(!c.is_collecting());
        }
    }

    #[test]
    fn damage_is_reported_after_the_lrc() {
        let mut c = FrameCollector::new(512);
        let out = collect(&mut c, &[STX, b'A', 0x01, b'B', ETX, 0x00]);
        assert!(out[..4].iter().all(Option::is_none));
        assert!(matches!(
            out[4],
            Some(Err(FrameError::NotPrintable { offset: 2, byte: 1 }))
        ));

        let mut c = FrameCollector::new(3);
        let out = collect(&mut c, &encode_frame(b"ABCD"));
        assert_eq!(
            out.last(),
            Some(&Some(Err(FrameError::TooLong { len: 4, max: 3 })))
        );

        let mut c = FrameCollector::new(512);
        c.start();
        assert_eq!(c.push(b'A'), None);
        assert_eq!(c.abandon(), FrameError::Truncated { len: 2 });
        assert!(!c.is_collecting());
    }
}
