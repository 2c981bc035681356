//! decode(encode(x)) == x for valid messages built from structured input:
//! V3 records (nested `Z*` records included), V2 requests and answers.
#![no_main]

use arbitrary::{Arbitrary, Unstructured};
use concert_core::v2;
use concert_core::v3::{DecodeOptions, Message, MessageBuilder, Tag, tags::CZ};
use libfuzzer_sys::fuzz_target;

/// A printable value of 1..=max bytes.
fn printable(u: &mut Unstructured<'_>, max: usize) -> arbitrary::Result<Vec<u8>> {
    let len = u.int_in_range(1..=max)?;
    (0..len).map(|_| u.int_in_range(0x20..=0x7e)).collect()
}

fn tag(u: &mut Unstructured<'_>) -> arbitrary::Result<Tag> {
    let a = u.int_in_range(b'A'..=b'Z')?;
    let b = u.int_in_range(b'A'..=b'Z')?;
    Ok(Tag::new([a, b]).expect("two capitals"))
}

#[derive(Debug)]
struct V3Message {
    records: Vec<(Tag, Vec<u8>)>,
}

impl<'a> Arbitrary<'a> for V3Message {
    fn arbitrary(u: &mut Unstructured<'a>) -> arbitrary::Result<Self> {
        let mut records = vec![(CZ, printable(u, 4)?)];
        let n = u.int_in_range(0..=24)?;
        for _ in 0..n {
            let t = tag(u)?;
            if records.iter().any(|(seen, _)| *seen == t) {
                continue;
            }
            let value = if t.is_constructed() {
                let mut inner = MessageBuilder::nested();
                for _ in 0..u.int_in_range(1..=4)? {
                    let _ = inner.push(tag(u)?, printable(u, 40)?);
                }
                let bytes = inner.finish();
                if bytes.is_empty() || bytes.len() > 999 {
                    continue;
                }
                bytes
            } else {
                let max = if u.ratio(1, 16)? { 999 } else { 40 };
                printable(u, max)?
            };
            records.push((t, value));
        }
        Ok(V3Message { records })
    }
}

#[derive(Debug, Arbitrary)]
enum Input {
    V3(V3Message),
    V2Request {
        pos: u8,
        amount: u32,
        full_answer: bool,
        mode: u8,
        kind: u8,
        currency: u16,
        private: Vec<u8>,
        eplus: Option<(bool, bool)>,
    },
    V2Answer {
        pos: u8,
        status: u8,
        amount: u32,
        mode: u8,
        rep: Option<Vec<u8>>,
        currency: u16,
        private: Vec<u8>,
    },
}

fn text(bytes: &[u8], max: usize) -> String {
    bytes
        .iter()
        .take(max)
        .map(|b| char::from(0x20 + b % 95))
        .collect()
}

fn v3(message: &V3Message) {
    let mut builder = MessageBuilder::new();
    for (t, v) in &message.records {
        builder.push(*t, v).expect("valid record");
    }
    let bytes = builder.finish();
    let decoded = Message::decode_with(&bytes, DecodeOptions::STRICT).expect("decodes");
    let got: Vec<(Tag, Vec<u8>)> = decoded
        .records()
        .iter()
        .map(|r| (r.tag, r.value.to_vec()))
        .collect();
    assert_eq!(got, message.records);
    for r in decoded.records().iter().filter(|r| r.tag.is_constructed()) {
        r.nested(DecodeOptions::STRUCTURE_ONLY)
            .expect("nested records decode");
    }
}

fuzz_target!(|input: Input| match input {
    Input::V3(message) => v3(&message),
    Input::V2Request {
        pos,
        amount,
        full_answer,
        mode,
        kind,
        currency,
        private,
        eplus,
    } => {
        let request = v2::Request {
            pos: pos % 100,
            amount: amount % (v2::MAX_AMOUNT + 1),
            full_answer,
            payment_mode: v2::PaymentMode::from_code(0x20 + mode % 95),
            transaction_type: v2::TransactionType::from_code(0x20 + kind % 95),
            currency: currency % 1000,
            private_data: text(&private, v2::PRIVATE_LEN),
            eplus: eplus.map(|(immediate, forced)| v2::EPlus {
                delay: if immediate {
                    v2::AnswerDelay::Immediate
                } else {
                    v2::AnswerDelay::EndOfTransaction
                },
                authorization: if forced {
                    v2::Authorization::Forced
                } else {
                    v2::Authorization::TerminalDecides
                },
            }),
        };
        let Ok(bytes) = request.encode() else { return };
        let decoded = v2::Request::decode(&bytes).expect("decodes");
        assert_eq!(decoded.encode().as_deref(), Ok(&bytes[..]));
        assert_eq!(
            (
                decoded.pos,
                decoded.amount,
                decoded.full_answer,
                decoded.currency
            ),
            (
                request.pos,
                request.amount,
                request.full_answer,
                request.currency
            )
        );
        assert_eq!(decoded.payment_mode, request.payment_mode);
        assert_eq!(decoded.transaction_type, request.transaction_type);
        assert_eq!(decoded.eplus, request.eplus);
        assert_eq!(
            decoded.private_data.trim_end(),
            request.private_data.trim_end()
        );
    }
    Input::V2Answer {
        pos,
        status,
        amount,
        mode,
        rep,
        currency,
        private,
    } => {
        let rep = rep.map(|r| {
            let mut bytes = [b' '; v2::REP_LEN];
            for (slot, b) in bytes.iter_mut().zip(r) {
                *slot = 0x20 + b % 95;
            }
            v2::Rep::new(bytes)
        });
        let answer = v2::Answer {
            pos: pos % 100,
            status: v2::Status::from_code(0x20 + status % 95),
            amount: amount % (v2::MAX_AMOUNT + 1),
            payment_mode: v2::PaymentMode::from_code(0x20 + mode % 95),
            rep,
            currency: currency % 1000,
            private_data: format!("{:<10}", text(&private, v2::PRIVATE_LEN)),
        };
        let Ok(bytes) = answer.encode() else { return };
        assert_eq!(v2::Answer::decode(&bytes), Ok(answer));
    }
});
