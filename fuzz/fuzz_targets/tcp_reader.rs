//! The TCP answer reader under arbitrary segmentations: every prefix of a
//! whole message reads as partial or complete, never broken; the whole
//! reads as the same records however it was cut; bytes that are broken
//! stay broken whatever follows (so the reader can stop on them).
#![no_main]

use arbitrary::Arbitrary;
use concert_core::v3::DecodeOptions;
use concert_core::v3::tlv::{StreamState, stream_records};
use libfuzzer_sys::fuzz_target;

#[derive(Debug, Arbitrary)]
struct Input {
    /// Records as (tag letters, value): made valid below.
    records: Vec<(u8, u8, Vec<u8>)>,
    /// Segment sizes the bytes arrive in.
    cuts: Vec<u8>,
    /// Bytes appended after the message (noise, or the start of another).
    tail: Vec<u8>,
}

fuzz_target!(|input: Input| {
    let mut message = b"CZ0040300".to_vec();
    for (a, b, value) in input.records.iter().take(32) {
        let value: Vec<u8> = value.iter().take(999).map(|v| 0x20 + v % 95).collect();
        if value.is_empty() {
            continue;
        }
        message.push(b'A' + a % 26);
        message.push(b'A' + b % 26);
        message.extend_from_slice(format!("{:03}", value.len()).as_bytes());
        message.extend_from_slice(&value);
    }
    let options = DecodeOptions::STRUCTURE_ONLY;
    let whole = match stream_records(&message, options) {
        StreamState::Complete(records) => records,
        other => panic!("a whole message reads as {other:?}"),
    };
    // Arrival in segments: the reader looks at the bytes after each one.
    let mut at = 0;
    let mut cuts = input.cuts.iter().map(|&c| usize::from(c) + 1).cycle();
    while at < message.len() {
        at = (at + cuts.next().unwrap_or(message.len())).min(message.len());
        match stream_records(&message[..at], options) {
            StreamState::Partial => assert!(at < message.len()),
            StreamState::Complete(records) => {
                assert!(records.len() <= whole.len());
                assert_eq!(records[..], whole[..records.len()]);
            }
            StreamState::Broken(e) => panic!("prefix of {at} bytes broken: {e}"),
        }
        if input.cuts.is_empty() {
            break;
        }
    }
    // Noise after the message: once broken, more bytes never mend it.
    let mut longer = message.clone();
    longer.extend_from_slice(&input.tail);
    let mut broken = false;
    for end in message.len()..=longer.len() {
        let state = stream_records(&longer[..end], DecodeOptions::TOLERANT);
        if broken {
            assert!(matches!(state, StreamState::Broken(_)), "mended at {end}");
        }
        broken = matches!(state, StreamState::Broken(_));
    }
});
