//! Encode/decode speed of the V2 and V3 codecs, each beside a baseline
//! written the way public till code does it (owned strings in a map), so
//! the printed figures read as ratios from one run.

mod support;

use std::collections::HashMap;
use std::hint::black_box;

use concert_core::frame::{decode_frame, encode_frame};
use concert_core::inspect::{Hint, inspect};
use concert_core::v2;
use concert_core::v3::{Message, MessageBuilder, tags::*};
use std::time::Instant;

use criterion::{Criterion, criterion_group};

const V3_ANSWER: &[u8] = b"CZ0040300CJ012012345678901CA00201CE003978BA0010CD0010CB0041250AE00210CC003001CI0011AC006276816AA016455972######4486AI021A00000000800431533132AB0042705CF0101010000000CG006424242";
const V2_ANSWER: &[u8] =
    b"0100000125014711690463168807  00000000000000000000000000000000000009780000000000";
/// The short V2 answer (no REP): 25 characters.
const V2_ANSWER_25: &[u8] = b"010000012501978ORDER12345";

/// The TLV loop public tills write: slice, parse, copy into a map.
fn baseline_v3(input: &str) -> Option<HashMap<String, String>> {
    let mut out = HashMap::new();
    let mut rest = input;
    while !rest.is_empty() {
        let tag = rest.get(..2)?.to_string();
        let len: usize = rest.get(2..5)?.parse().ok()?;
        let value = rest.get(5..5 + len)?.to_string();
        out.insert(tag, value);
        rest = &rest[5 + len..];
    }
    Some(out)
}

/// The V2 answer split public tills write: substrings into a map.
fn baseline_v2(input: &str) -> HashMap<&'static str, String> {
    let mut out = HashMap::new();
    out.insert("pos", input[0..2].to_string());
    out.insert("status", input[2..3].to_string());
    out.insert("amount", input[3..11].to_string());
    out.insert("mode", input[11..12].to_string());
    if input.len() == 80 {
        out.insert("rep", input[12..67].to_string());
        out.insert("currency", input[67..70].to_string());
        out.insert("private", input[70..80].to_string());
    } else {
        out.insert("currency", input[12..15].to_string());
        out.insert("private", input[15..25].to_string());
    }
    out
}

fn v3(c: &mut Criterion) {
    let mut g = c.benchmark_group("v3");
    g.bench_function("decode+typed", |b| {
        b.iter(|| {
            let m = Message::decode(black_box(V3_ANSWER)).unwrap();
            black_box((m.amount(), m.action_status(), m.card_number()));
        })
    });
    let with_receipt = support::approved_answer(1250, true);
    g.bench_function("decode+typed+receipt", |b| {
        b.iter(|| {
            let m = Message::decode(black_box(&with_receipt)).unwrap();
            black_box((m.amount(), m.action_status(), m.card_number(), m.receipt()));
        })
    });
    // What the Python and Node `decode` call: every field as owned text
    // with its meaning (attributes their figures to the core or the glue).
    g.bench_function("inspect", |b| {
        b.iter(|| black_box(inspect(black_box(V3_ANSWER), Hint::Auto).unwrap()))
    });
    let text = std::str::from_utf8(V3_ANSWER).unwrap();
    g.bench_function("baseline-hashmap-decode", |b| {
        b.iter(|| black_box(baseline_v3(black_box(text))))
    });
    g.bench_function("encode-request", |b| {
        b.iter(|| {
            let mut m = MessageBuilder::new();
            m.push(CZ, "0300").unwrap();
            m.push(CJ, "012345678901").unwrap();
            m.push(CA, "01").unwrap();
            m.push(CB, black_box("1250")).unwrap();
            m.push(CD, "0").unwrap();
            m.push(CE, "978").unwrap();
            black_box(m.finish())
        })
    });
    g.finish();
}

fn v2(c: &mut Criterion) {
    let mut g = c.benchmark_group("v2");
    g.bench_function("decode-answer-80", |b| {
        b.iter(|| black_box(v2::Answer::decode(black_box(V2_ANSWER)).unwrap()))
    });
    g.bench_function("decode-answer-25", |b| {
        b.iter(|| black_box(v2::Answer::decode(black_box(V2_ANSWER_25)).unwrap()))
    });
    let text = std::str::from_utf8(V2_ANSWER).unwrap();
    g.bench_function("baseline-hashmap-decode", |b| {
        b.iter(|| black_box(baseline_v2(black_box(text))))
    });
    let request = v2::Request::decode(b"0100005510110978          A010B010").unwrap();
    g.bench_function("encode-request-eplus", |b| {
        b.iter(|| black_box(black_box(&request).encode().unwrap()))
    });
    let request_e = v2::Request::decode(b"0100005510110978          ").unwrap();
    g.bench_function("encode-request-e", |b| {
        b.iter(|| black_box(black_box(&request_e).encode().unwrap()))
    });
    let frame = encode_frame(V2_ANSWER);
    g.bench_function("unframe+lrc", |b| {
        b.iter(|| black_box(decode_frame(black_box(&frame)).unwrap()))
    });
    g.finish();
}

/// Median time per call of `f` over a few rounds.
fn per_call(mut f: impl FnMut()) -> f64 {
    const CALLS: u32 = 100_000;
    let mut rounds: Vec<f64> = (0..7)
        .map(|_| {
            let start = Instant::now();
            for _ in 0..CALLS {
                f();
            }
            start.elapsed().as_secs_f64() * 1e9 / f64::from(CALLS)
        })
        .collect();
    rounds.sort_by(f64::total_cmp);
    rounds[rounds.len() / 2]
}

/// The same pairs timed back to back, printed as ratios.
fn ratios() {
    let v3_text = std::str::from_utf8(V3_ANSWER).unwrap();
    let v2_text = std::str::from_utf8(V2_ANSWER).unwrap();
    let pairs: [(&str, f64, f64); 2] = [
        (
            "V3 answer decode",
            per_call(|| {
                let m = Message::decode(black_box(V3_ANSWER)).unwrap();
                black_box((m.amount(), m.action_status(), m.card_number()));
            }),
            per_call(|| {
                black_box(baseline_v3(black_box(v3_text)));
            }),
        ),
        (
            "V2 answer decode",
            per_call(|| {
                black_box(v2::Answer::decode(black_box(V2_ANSWER)).unwrap());
            }),
            per_call(|| {
                black_box(baseline_v2(black_box(v2_text)));
            }),
        ),
    ];
    println!("\nside by side (median of 7 rounds of 100k calls):");
    for (name, ours, baseline) in pairs {
        println!(
            "  {name}: concert {ours:.0} ns, string-map baseline {baseline:.0} ns -> {:.1}x",
            baseline / ours
        );
    }
}

criterion_group!(benches, v3, v2);

fn main() {
    benches();
    Criterion::default().configure_from_args().final_summary();
    ratios();
}
