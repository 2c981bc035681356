//! Serial framing shared by V2 and V3: control bytes, the LRC and
//! `STX payload ETX LRC` frames.
//!
//! The LRC may take any byte value (STX, ETX, ACK …), so a frame's end is
//! found by position — the byte right after the first ETX — never by
//! searching for a control byte. Payloads are printable ASCII and can never
//! contain ETX themselves.

use thiserror::Error;

/// Start of text: opens a frame.
pub const STX: u8 = 0x02;
/// End of text: closes a frame's payload; the LRC follows it.
pub const ETX: u8 = 0x03;
/// End of transmission: closes a link session.
pub const EOT: u8 = 0x04;
/// Enquiry: asks the peer for the line.
pub const ENQ: u8 = 0x05;
/// Positive acknowledgement.
pub const ACK: u8 = 0x06;
/// Negative acknowledgement: the frame was damaged, send it again.
pub const NAK: u8 = 0x15;

/// The longitudinal redundancy check of a frame: XOR of every byte after
/// STX up to and including ETX.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Lrc(pub u8);

impl Lrc {
    /// The LRC of `payload` followed by ETX.
    pub fn of_payload(payload: &[u8]) -> Lrc {
        Lrc(payload.iter().fold(ETX, |acc, b| acc ^ b))
    }
}

/// Why bytes are not a well-formed frame.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum FrameError {
    /// The first byte is not STX.
    #[error("frame does not start with STX (found 0x{found:02x})")]
    MissingStx {
        /// The byte found instead.
        found: u8,
    },
    /// The bytes end before ETX and the LRC.
    #[error("frame truncated: {len} bytes, no ETX followed by an LRC")]
    Truncated {
        /// How many bytes were given.
        len: usize,
    },
    /// Bytes follow the LRC.
    #[error("{extra} unexpected bytes after the LRC at offset {offset}")]
    TrailingBytes {
        /// Offset of the first extra byte.
        offset: usize,
        /// How many extra bytes.
        extra: usize,
    },
    /// The LRC byte does not match the payload.
    #[error("wrong LRC: frame carries 0x{found:02x}, payload gives 0x{expected:02x}")]
    WrongLrc {
        /// LRC computed from the payload.
        expected: u8,
        /// LRC found in the frame.
        found: u8,
    },
    /// A control or non-ASCII byte inside the payload.
    #[error("byte 0x{byte:02x} at offset {offset} is not printable ASCII")]
    NotPrintable {
        /// Offset in the frame.
        offset: usize,
        /// The byte.
        byte: u8,
    },
    /// The payload is longer than the link allows.
    #[error("payload of {len} characters exceeds the {max}-character limit of a serial frame")]
    TooLong {
        /// Payload length.
        len: usize,
        /// Limit.
        max: usize,
    },
}

/// Wraps `payload` as `STX payload ETX LRC`.
pub fn encode_frame(payload: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(payload.len() + 3);
    out.push(STX);
    out.extend_from_slice(payload);
    out.push(ETX);
    out.push(Lrc::of_payload(payload).0);
    out
}

/// Unwraps a whole frame, checking STX, ETX position, printable payload and LRC.
/// Returns the payload, borrowed from `frame`.
pub fn decode_frame(frame: &[u8]) -> Result<&[u8], FrameError> {
    match frame.first() {
        None => return Err(FrameError::Truncated { len: 0 }),
        Some(&STX) => {}
        Some(&found) => return Err(FrameError::MissingStx { found }),
    }
    let etx = frame[1..]
        .iter()
        .position(|&b| !(0x20..=0x7e).contains(&b))
        .map(|i| i + 1);
    let Some(etx) = etx else {
        return Err(FrameError::Truncated { len: frame.len() });
    };
    if frame[etx] != ETX {
        return Err(FrameError::NotPrintable {
            offset: etx,
            byte: frame[etx],
        });
    }
    let lrc_at = etx + 1;
    let Some(&found) = frame.get(lrc_at) else {
        return Err(FrameError::Truncated { len: frame.len() });
    };
    if frame.len() > lrc_at + 1 {
        return Err(FrameError::TrailingBytes {
            offset: lrc_at + 1,
            extra: frame.len() - lrc_at - 1,
        });
    }
    let payload = &frame[1..etx];
    let expected = Lrc::of_payload(payload).0;
    if expected != found {
        return Err(FrameError::WrongLrc { expected, found });
    }
    Ok(payload)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lrc_may_equal_etx_and_is_found_by_position() {
        let payload = b"0100001242010978          A010B010";
        let frame = encode_frame(payload);
        assert_eq!(*frame.last().unwrap(), ETX);
        assert_eq!(decode_frame(&frame).unwrap(), payload);
    }

    #[test]
    fn rejects_damage() {
        let mut frame = encode_frame(b"ABC");
        *frame.last_mut().unwrap() ^= 1;
        assert!(matches!(
            decode_frame(&frame),
            Err(FrameError::WrongLrc { .. })
        ));
        assert!(matches!(
            decode_frame(&frame[..4]),
            Err(FrameError::Truncated { .. })
        ));
        assert!(matches!(
            decode_frame(b"XABC"),
            Err(FrameError::MissingStx { found: b'X' })
        ));
        assert!(matches!(
            decode_frame(&[STX, b'A', 0x01, ETX, 0]),
            Err(FrameError::NotPrintable { offset: 2, .. })
        ));
        let mut long = encode_frame(b"A");
        long.push(0);
        assert!(matches!(
            decode_frame(&long),
            Err(FrameError::TrailingBytes {
                offset: 4,
                extra: 1
            })
        ));
    }
}
