//! The boundary's own rules, checked from Rust through the exported
//! functions: result names, the buffer convention on UTF-8 text, and
//! out-parameters left alone on failure. (The C programs in tests/c cover
//! the rest from C, C++ and Free Pascal.)

// Calls the C ABI as C does, through raw pointers.
#![allow(unsafe_code)]
use std::ffi::{CStr, c_char};
use std::ptr;

use concert::*;

#[test]
fn every_code_has_its_own_name() {
    let mut seen = Vec::new();
    for code in 0..1000u32 {
        // SAFETY: static NUL-terminated strings.
        let name = unsafe { CStr::from_ptr(concert_result_str(code)) }
            .to_str()
            .unwrap();
        if name != "CONCERT_RESULT_UNKNOWN" {
            assert!(name.starts_with("CONCERT_RESULT_"), "{code}: {name}");
            assert_eq!(concert_result::try_from(code).unwrap().name(), name);
            seen.push(code);
        }
    }
    assert_eq!(
        seen,
        [
            0, 1, 2, 3, 4, 5, 6, 7, 8, 100, 101, 102, 103, 104, 105, 106, 107, 200, 300, 301, 302,
            303, 304, 305, 306
        ]
    );
    for code in seen {
        // The codes of the core's table (100–199 and the simulator's 200)
        // are safe to retry; the C-only ones (1–8) and the journal's finer
        // codes (300–306) are not in that table.
        let retry = concert_result_is_safe_to_retry(code) == 1;
        assert_eq!(retry, (100..=200).contains(&code), "{code}");
    }
}

#[test]
fn a_truncated_message_stays_valid_utf8() {
    let mut request = ptr::null_mut();
    // SAFETY: valid pointers throughout; the request is freed at the end.
    unsafe {
        assert_eq!(
            concert_request_new(
                concert_operation::CONCERT_OPERATION_PAY as u32,
                &mut request
            ),
            concert_result::CONCERT_RESULT_OK
        );
        assert_eq!(
            concert_request_set_currency(request, c"\u{20ac}UR".as_ptr()),
            concert_result::CONCERT_RESULT_INVALID_REQUEST
        );
        let mut full = [0 as c_char; 256];
        let mut n = 0usize;
        assert_eq!(
            concert_request_last_error(request, full.as_mut_ptr(), full.len(), &mut n),
            concert_result::CONCERT_RESULT_OK
        );
        let message = CStr::from_ptr(full.as_ptr()).to_str().unwrap().to_owned();
        assert_eq!(message.len(), n);
        let euro = message.find('\u{20ac}').expect("the code is quoted");
        // A buffer that ends inside the three bytes of the euro sign.
        for len in euro + 2..=euro + 3 {
            let mut small = vec![0x55 as c_char; len];
            let mut m = 0usize;
            assert_eq!(
                concert_request_last_error(request, small.as_mut_ptr(), len, &mut m),
                concert_result::CONCERT_RESULT_BUFFER_TOO_SMALL
            );
            assert_eq!(m, n);
            let cut = CStr::from_ptr(small.as_ptr())
                .to_str()
                .expect("valid UTF-8");
            assert_eq!(cut, &message[..euro]);
        }
        concert_request_free(request);
    }
}

#[test]
fn out_parameters_are_written_only_on_success() {
    let sentinel = 0x5a5a as *mut concert_terminal;
    let mut terminal = sentinel;
    let mut config = ptr::null_mut();
    // SAFETY: valid pointers; the config is freed at the end.
    unsafe {
        assert_eq!(
            concert_terminal_config_new(&mut config),
            concert_result::CONCERT_RESULT_OK
        );
        assert_eq!(
            concert_terminal_new(config, &mut terminal),
            concert_result::CONCERT_RESULT_CONFIG
        );
        assert_eq!(terminal, sentinel);
        concert_terminal_config_free(config);
    }
}
