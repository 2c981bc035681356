//! The boundary guard every export goes through: panics caught, pointers
//! checked, strings validated, and each handle's last error message.

use std::ffi::{CStr, c_char};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::{Mutex, PoisonError};

use crate::result::concert_result;

/// Runs `f`, turning a panic into `CONCERT_RESULT_PANIC`: since Rust 1.81 a
/// panic escaping an `extern "C"` function aborts the till.
pub(crate) fn guard(f: impl FnOnce() -> Result<(), concert_result>) -> concert_result {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(Ok(())) => concert_result::CONCERT_RESULT_OK,
        Ok(Err(code)) => code,
        Err(_) => concert_result::CONCERT_RESULT_PANIC,
    }
}

/// Runs `f` for an export that returns a value, `fallback` on panic.
pub(crate) fn guard_or<T>(fallback: T, f: impl FnOnce() -> T) -> T {
    catch_unwind(AssertUnwindSafe(f)).unwrap_or(fallback)
}

/// Releases a handle made by `Box::into_raw`, its drop inside the panic
/// guard; NULL does nothing. Every plain `*_free` export is this.
///
/// # Safety
/// `ptr` is NULL or came from `Box::into_raw` in this library and is freed
/// once, by a caller that no other thread races.
pub(crate) unsafe fn free_handle<T>(ptr: *mut T) {
    let _ = guard(|| {
        if !ptr.is_null() {
            // SAFETY: the caller's contract: made by Box::into_raw, freed once.
            drop(unsafe { Box::from_raw(ptr) });
        }
        Ok(())
    });
}

/// Shared access to a handle, or `CONCERT_RESULT_NULL_ARGUMENT`.
///
/// # Safety
/// `ptr` is NULL or points to a live `T` made by this library.
pub(crate) unsafe fn borrow<'a, T>(ptr: *const T) -> Result<&'a T, concert_result> {
    // SAFETY: the caller promises a live handle or NULL.
    unsafe { ptr.as_ref() }.ok_or(concert_result::CONCERT_RESULT_NULL_ARGUMENT)
}

/// Exclusive access to a handle, or `CONCERT_RESULT_NULL_ARGUMENT`.
///
/// # Safety
/// `ptr` is NULL or points to a live `T` made by this library, used by no
/// other thread during the call (documented per handle).
pub(crate) unsafe fn borrow_mut<'a, T>(ptr: *mut T) -> Result<&'a mut T, concert_result> {
    // SAFETY: the caller promises NULL or a live handle that no other thread
    // uses during the call, so a unique reference is sound.
    unsafe { ptr.as_mut() }.ok_or(concert_result::CONCERT_RESULT_NULL_ARGUMENT)
}

/// Checks an out-parameter before any work is done, so that it is written
/// only on success.
///
/// # Safety
/// `ptr` is NULL or valid for a write of `T`.
pub(crate) unsafe fn out<'a, T>(ptr: *mut T) -> Result<&'a mut T, concert_result> {
    // SAFETY: the caller promises NULL or a pointer valid for a write of
    // `T`; `T` here is always a plain value or pointer, written whole with
    // `=`, never read.
    unsafe { ptr.as_mut() }.ok_or(concert_result::CONCERT_RESULT_NULL_ARGUMENT)
}

/// A NUL-terminated UTF-8 string argument.
///
/// # Safety
/// `ptr` is NULL or points to a NUL-terminated string that outlives the call.
pub(crate) unsafe fn text<'a>(ptr: *const c_char) -> Result<&'a str, concert_result> {
    if ptr.is_null() {
        return Err(concert_result::CONCERT_RESULT_NULL_ARGUMENT);
    }
    // SAFETY: non-NULL and NUL-terminated, as the caller promises.
    let bytes = unsafe { CStr::from_ptr(ptr) };
    bytes
        .to_str()
        .map_err(|_| concert_result::CONCERT_RESULT_INVALID_UTF8)
}

/// A boolean from C: only 0 and 1 are accepted, so that a stray value is
/// reported rather than guessed at.
pub(crate) fn flag(value: u32) -> Result<bool, concert_result> {
    match value {
        0 => Ok(false),
        1 => Ok(true),
        _ => Err(concert_result::CONCERT_RESULT_INVALID_ARGUMENT),
    }
}

/// The message of the last failed call on a handle.
#[derive(Debug, Default)]
pub(crate) struct LastError(Mutex<String>);

impl LastError {
    /// Remembers `message`.
    pub(crate) fn set(&self, message: impl Into<String>) {
        *self.0.lock().unwrap_or_else(PoisonError::into_inner) = message.into();
    }

    /// The message (empty when no call failed yet).
    pub(crate) fn get(&self) -> String {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Remembers why `what` failed and gives its code.
    pub(crate) fn fail(&self, what: &str, failure: Failure) -> concert_result {
        match failure.message {
            Some(message) => {
                self.set(format!("{what}: {message}"));
                failure.code
            }
            None => self.note(failure.code, what),
        }
    }

    /// Remembers a generic message for a code that carries none of its own.
    pub(crate) fn note(&self, code: concert_result, what: &str) -> concert_result {
        let detail = match code {
            concert_result::CONCERT_RESULT_NULL_ARGUMENT => "a required pointer is NULL",
            concert_result::CONCERT_RESULT_INVALID_UTF8 => "a string is not valid UTF-8",
            concert_result::CONCERT_RESULT_INVALID_ARGUMENT => "a value is out of range",
            _ => code.name(),
        };
        self.set(format!("{what}: {detail}"));
        code
    }
}

/// A failed call: its code, and its own message when the code's generic
/// one says too little.
#[derive(Debug)]
pub(crate) struct Failure {
    code: concert_result,
    message: Option<String>,
}

impl Failure {
    /// A failure with a message of its own.
    pub(crate) fn new(code: concert_result, message: impl Into<String>) -> Failure {
        Failure {
            code,
            message: Some(message.into()),
        }
    }
}

impl From<concert_result> for Failure {
    fn from(code: concert_result) -> Failure {
        Failure {
            code,
            message: None,
        }
    }
}
