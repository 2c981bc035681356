//! V2 decoding of any bytes: no panic; what decodes encodes back to the
//! same bytes; masking keeps the length and hides REP's card number.
#![no_main]

use concert_core::inspect::{Hint, inspect};
use concert_core::terminal::wire::{mask_payload, mask_serial_stream};
use concert_core::v2;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(answer) = v2::Answer::decode(data) {
        // The decoder reads what terminals send (POS 00 included), the
        // encoder only what a terminal may send: compare when both agree.
        if let Ok(again) = answer.encode() {
            assert_eq!(v2::Answer::decode(&again).as_ref(), Ok(&answer));
        }
        if let Some(rep) = &answer.rep {
            let _ = rep.masked_card_number();
        }
    }
    if let Ok(request) = v2::Request::decode(data) {
        if let Ok(again) = request.encode() {
            assert_eq!(v2::Request::decode(&again).as_ref(), Ok(&request));
        }
    }
    let masked = mask_payload(true, data);
    assert_eq!(masked.len(), data.len());
    assert_eq!(v2::Answer::mask_payload(data).len(), data.len());
    assert_eq!(mask_serial_stream(true, data).len(), data.len());
    if let Err(e) = inspect(data, Hint::V2) {
        assert!(e.offset <= data.len(), "{e}");
    }
    let _ = concert_core::frame::decode_frame(data);
});
