//! Text going out to C: copied into the caller's buffer, or kept as
//! NUL-terminated strings that live as long as their handle.

use std::collections::HashMap;
use std::ffi::{CStr, CString, c_char};
use std::sync::{Mutex, OnceLock, PoisonError};

use crate::result::concert_result;

/// Copies `text` into `buf` (`len` bytes) with a terminating NUL.
///
/// The convention of every `(buf, len, out_n)` function:
/// - `*out_n` receives the full length of the text in bytes, without the
///   NUL, on success and on `CONCERT_RESULT_BUFFER_TOO_SMALL` alike;
/// - the text fits when `len > *out_n`: `CONCERT_RESULT_OK`;
/// - otherwise as much as fits is written (cut at a character boundary,
///   NUL-terminated when `len > 0`) and the call returns
///   `CONCERT_RESULT_BUFFER_TOO_SMALL`: call again with `*out_n + 1` bytes;
/// - `buf` may be NULL only with `len == 0` (to ask for the length).
///
/// # Safety
/// `buf` is NULL or valid for `len` bytes; `out_n` is NULL or valid.
pub(crate) unsafe fn copy_out(
    text: &str,
    buf: *mut c_char,
    len: usize,
    out_n: *mut usize,
) -> Result<(), concert_result> {
    if out_n.is_null() || (buf.is_null() && len > 0) {
        return Err(concert_result::CONCERT_RESULT_NULL_ARGUMENT);
    }
    let fits = len > text.len();
    if len > 0 {
        let mut n = text.len().min(len - 1);
        while !text.is_char_boundary(n) {
            n -= 1;
        }
        // SAFETY: `buf` is valid for `len` bytes and `n < len`.
        unsafe {
            std::ptr::copy_nonoverlapping(text.as_ptr(), buf.cast::<u8>(), n);
            *buf.add(n) = 0;
        }
    }
    // SAFETY: checked non-NULL above.
    unsafe { *out_n = text.len() };
    if fits {
        Ok(())
    } else {
        Err(concert_result::CONCERT_RESULT_BUFFER_TOO_SMALL)
    }
}

/// A C string from Rust text; a NUL inside (never sent by terminals, but
/// not ruled out by every field) becomes `?` rather than cutting the text.
pub(crate) fn c_string(text: &str) -> CString {
    CString::new(text.replace('\0', "?")).unwrap_or_default()
}

/// The pointer of an optional kept string, NULL when absent.
pub(crate) fn ptr_or_null(text: &Option<CString>) -> *const c_char {
    text.as_ref().map_or(std::ptr::null(), |s| s.as_ptr())
}

/// The version of the loaded library, `"MAJOR.MINOR.PATCH"` (static, never
/// to be freed). Compare with `CONCERT_VERSION` to detect a header and a
/// library that do not match. Any thread.
#[unsafe(no_mangle)]
pub extern "C" fn concert_version() -> *const c_char {
    crate::guard::guard_or(c"".as_ptr(), || {
        concat!(env!("CARGO_PKG_VERSION"), "\0").as_ptr().cast()
    })
}

/// A word of the core's vocabulary (`"approved"`, `"CONCERT_BUSY"` …) as a
/// static NUL-terminated string, made once per word: C gets the core's own
/// spelling, not a copy of it.
pub(crate) fn static_c(word: &'static str) -> &'static CStr {
    static WORDS: OnceLock<Mutex<HashMap<&'static str, &'static CStr>>> = OnceLock::new();
    let mut words = WORDS
        .get_or_init(Mutex::default)
        .lock()
        .unwrap_or_else(PoisonError::into_inner);
    words.entry(word).or_insert_with(|| {
        // The core's words hold no NUL; the vocabulary is small and fixed,
        // so what is leaked here is bounded.
        Box::leak(CString::new(word).unwrap_or_default().into_boxed_c_str())
    })
}
