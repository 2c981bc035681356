//! Faults in what the simulated terminal answers, or when: garbage instead
//! of an answer, echoed fields that differ from the request, a card number
//! sent in clear, an ENQ collision, byte-by-byte TCP writes.
//!
//! Kept apart from [`Faults`](super::Faults) so that adding one here does
//! not break callers that list every field of that struct.

use crate::mask::mask_pan;
use crate::v2;
use crate::v3::tags::{AA, CA, CB, CE};
use crate::v3::tlv::{DecodeOptions, decode_records};

/// What the answer replaced by [`AnswerFaults::garbage_answer`] holds:
/// printable (the serial link carries nothing else), neither a V2 answer
/// (wrong length) nor V3 records.
pub const GARBAGE_ANSWER: &[u8] = b"#?! not a Concert answer !?#";

/// What the terminal pushes on an ENQ collision
/// ([`AnswerFaults::enq_collision_first`]).
pub const COLLISION_FRAME: &[u8] = b"UNSOLICITED";

/// Faults in the content or timing of the terminal's answers. All off by
/// default.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct AnswerFaults {
    /// Every answer is replaced by [`GARBAGE_ANSWER`] (the journal records
    /// what was really sent).
    pub garbage_answer: bool,
    /// Approvals echo another POS number (+1), a larger amount (+1 minor
    /// unit) and another currency (840 instead of the request's, 978 for
    /// a request in 840).
    pub echo_mismatch: bool,
    /// V3 answers carry the card number unmasked in `AA` (V2 REP always
    /// does): for card-number hygiene tests. The journal still masks it.
    pub unmasked_card_number: bool,
    /// Serial: the first N times the client sends ENQ, the terminal answers
    /// ENQ too (a collision) and pushes a [`COLLISION_FRAME`] before taking
    /// the request (counted over the simulator's life).
    pub enq_collision_first: u32,
    /// TCP: the answer is written one byte per write, with `TCP_NODELAY`
    /// (serial: see `Faults::split_writes`).
    pub tcp_byte_writes: bool,
    /// TCP: the terminal keeps the socket open after answering, until the
    /// cash register closes it or the idle limit passes (as akretion's
    /// simulator does, and some real terminals).
    pub keep_open_after_answer: bool,
}

impl AnswerFaults {
    /// Applies the content faults to an answer payload.
    pub(crate) fn apply(&self, v2: bool, card_number: &str, answer: Vec<u8>) -> Vec<u8> {
        if self.garbage_answer {
            return GARBAGE_ANSWER.to_vec();
        }
        let answer = if self.echo_mismatch {
            if v2 {
                v2_echo_mismatch(answer)
            } else {
                rewrite_v3(answer, |tag, value| match tag {
                    t if t == CA => digits_plus_one(value),
                    t if t == CB => digits_plus_one(value),
                    t if t == CE => Some(if value == b"840" { b"978" } else { b"840" }.to_vec()),
                    _ => None,
                })
            }
        } else {
            answer
        };
        if self.unmasked_card_number && !v2 {
            let masked = mask_pan(card_number);
            rewrite_v3(answer, |tag, value| {
                (tag == AA && value == masked.as_bytes()).then(|| card_number.as_bytes().to_vec())
            })
        } else {
            answer
        }
    }
}

/// The same digits plus one, same width (wrapping at the width's limit).
fn digits_plus_one(value: &[u8]) -> Option<Vec<u8>> {
    let text = std::str::from_utf8(value).ok()?;
    let n: u64 = text.parse().ok()?;
    let width = value.len();
    let limit = 10u64.checked_pow(u32::try_from(width).ok()?)?;
    Some(format!("{:0width$}", (n + 1) % limit).into_bytes())
}

fn v2_echo_mismatch(answer: Vec<u8>) -> Vec<u8> {
    let Ok(mut parsed) = v2::Answer::decode(&answer) else {
        return answer;
    };
    if !matches!(parsed.status, v2::Status::Accepted) {
        return answer;
    }
    parsed.pos = parsed.pos % 99 + 1;
    parsed.amount = (parsed.amount + 1).min(v2::MAX_AMOUNT);
    parsed.currency = if parsed.currency == 840 { 978 } else { 840 };
    parsed.encode().unwrap_or(answer)
}

/// Re-encodes V3 records with the values `change` gives (others kept).
fn rewrite_v3(
    answer: Vec<u8>,
    change: impl Fn(crate::v3::Tag, &[u8]) -> Option<Vec<u8>>,
) -> Vec<u8> {
    let Ok(records) = decode_records(&answer, DecodeOptions::STRUCTURE_ONLY) else {
        return answer;
    };
    let mut out = Vec::with_capacity(answer.len() + 16);
    for r in &records {
        let value = change(r.tag, r.value).unwrap_or_else(|| r.value.to_vec());
        out.extend_from_slice(&r.tag.bytes());
        out.extend_from_slice(format!("{:03}", value.len()).as_bytes());
        out.extend_from_slice(&value);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn echo_mismatch_and_unmasked_card() {
        let faults = AnswerFaults {
            echo_mismatch: true,
            unmasked_card_number: true,
            ..AnswerFaults::default()
        };
        let answer = b"CZ0040300CA00201CB0041250CE003978AE00210AA016497010######7894".to_vec();
        let out = faults.apply(false, "4970101234567894", answer);
        assert_eq!(
            out,
            b"CZ0040300CA00202CB0041251CE003840AE00210AA0164970101234567894".to_vec()
        );
        assert_eq!(digits_plus_one(b"99"), Some(b"00".to_vec()));
        let garbage = AnswerFaults {
            garbage_answer: true,
            ..AnswerFaults::default()
        };
        assert_eq!(garbage.apply(true, "", b"x".to_vec()), GARBAGE_ANSWER);
    }
}
