//! V3 decoding, flat and nested, of any bytes: no panic, errors inside the
//! input, masking keeps lengths and hides every card number it parses.
#![no_main]

use concert_core::inspect::{Hint, inspect, inspect_text};
use concert_core::terminal::wire::{mask_serial_stream, mask_v3};
use concert_core::v3::tags::AA;
use concert_core::v3::tlv::{StreamState, decode_records, stream_records};
use concert_core::v3::{DecodeOptions, Message};
use libfuzzer_sys::fuzz_target;

fn walk(records: &[concert_core::v3::TlvRecord<'_>], options: DecodeOptions, depth: u32) {
    for r in records {
        let _ = r.text();
        if depth < 4
            && r.tag.is_constructed()
            && let Ok(children) = r.nested(options)
        {
            walk(&children, options, depth + 1);
        }
    }
}

fuzz_target!(|data: &[u8]| {
    for options in [
        DecodeOptions::STRICT,
        DecodeOptions::TOLERANT,
        DecodeOptions::STRUCTURE_ONLY,
    ] {
        match Message::decode_with(data, options) {
            Ok(m) => {
                let _ = (
                    m.version(),
                    m.amount(),
                    m.action(),
                    m.currency(),
                    m.reason(),
                    m.reason_detail(),
                    m.read_mode(),
                    m.receipt(),
                    m.card_number(),
                    m.pos_number(),
                    m.ticket_request(),
                    m.action_status(),
                );
                for r in m.records() {
                    assert!(r.offset + 5 + r.value.len() <= data.len());
                }
                walk(m.records(), options, 0);
            }
            Err(e) => assert!(e.offset <= data.len(), "{e}"),
        }
        let _ = stream_records(data, options) != StreamState::Partial;
    }
    for hint in [Hint::Auto, Hint::V3] {
        if let Err(e) = inspect(data, hint) {
            assert!(e.offset <= data.len(), "{e}");
        }
    }
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = inspect_text(text, Hint::Auto);
    }
    let masked = mask_v3(data);
    assert_eq!(masked.len(), data.len());
    // Masked: every AA keeps at most 10 digits (6 first, 4 last); bytes
    // that do not parse keep no run of 13 digits (what a card number is).
    match decode_records(data, DecodeOptions::STRUCTURE_ONLY) {
        Ok(records) => {
            for r in records.iter().filter(|r| r.tag == AA) {
                let value = &masked[r.offset + 5..r.offset + 5 + r.value.len()];
                let digits = value.iter().filter(|b| b.is_ascii_digit()).count();
                assert!(digits <= 10, "AA left unmasked: {}", value.escape_ascii());
            }
        }
        Err(_) => {
            let longest = masked
                .split(|b| !b.is_ascii_digit())
                .map(<[u8]>::len)
                .max()
                .unwrap_or(0);
            assert!(longest < 13, "digit run left: {}", masked.escape_ascii());
        }
    }
    assert_eq!(mask_serial_stream(false, data).len(), data.len());
});
