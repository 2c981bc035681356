//! `concert_event`: one step of a polled transaction, the last one
//! carrying its outcome or error (`concert_terminal_next_event`).

use std::ffi::c_char;

use concert_core::terminal::{Error, Event, Outcome};

use crate::enums::{concert_event_kind, concert_status};
use crate::guard::{borrow, borrow_mut, free_handle, guard, guard_or, out};
use crate::outcome::concert_outcome;
use crate::result::concert_result;
use crate::text::copy_out;

/// One event of a polled transaction, owned by the caller (free with
/// `concert_event_free`). Progress events carry only their kind; the final
/// `CONCERT_EVENT_DONE` carries the transaction's outcome or error.
pub struct concert_event {
    kind: concert_event_kind,
    /// The transaction's end, for `CONCERT_EVENT_DONE`.
    done: Option<Done>,
}

/// How a polled transaction ended.
struct Done {
    code: concert_result,
    message: String,
    status: Option<concert_status>,
    outcome: Option<Outcome>,
}

impl concert_event {
    /// A progress event.
    pub(crate) fn progress(event: Event) -> concert_event {
        concert_event {
            kind: event.into(),
            done: None,
        }
    }

    /// Whether this is a transaction's final event.
    pub(crate) fn is_done(&self) -> bool {
        self.done.is_some()
    }

    /// The final event of a transaction.
    pub(crate) fn done(result: Result<Outcome, Error>) -> concert_event {
        let done = match result {
            Ok(outcome) => Done {
                code: concert_result::CONCERT_RESULT_OK,
                message: String::new(),
                status: Some(outcome.status.into()),
                outcome: Some(outcome),
            },
            Err(error) => Done {
                code: concert_result::from_error(&error),
                message: error.to_string(),
                status: None,
                outcome: None,
            },
        };
        concert_event {
            kind: concert_event_kind::CONCERT_EVENT_DONE,
            done: Some(done),
        }
    }
}

/// Releases an event (and its outcome if it was not taken). NULL does
/// nothing.
///
/// # Safety
/// `event` is NULL or an event from `concert_terminal_next_event` not yet
/// freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn concert_event_free(event: *mut concert_event) {
    // SAFETY: the export's contract: NULL, or a live handle freed once.
    unsafe { free_handle(event) }
}

/// The event's kind, a `concert_event_kind` (0 for NULL).
///
/// # Safety
/// `event` is NULL or a live event.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn concert_event_get_kind(event: *const concert_event) -> u32 {
    guard_or(0, || {
        // SAFETY: `event` is NULL or a live handle of this library, as the
        // function's Safety section requires.
        unsafe { event.as_ref() }.map_or(0, |e| e.kind as u32)
    })
}

/// For `CONCERT_EVENT_DONE`: `CONCERT_RESULT_OK` when the transaction gave
/// an outcome, else its error code (safe to retry; the message is in
/// `concert_event_error`). `CONCERT_RESULT_OK` for progress events too.
///
/// # Safety
/// `event` is NULL or a live event.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn concert_event_result(event: *const concert_event) -> concert_result {
    guard(|| {
        // SAFETY: `event` is NULL or a live handle of this library, as the
        // function's Safety section requires.
        let event = unsafe { borrow(event) }?;
        match &event.done {
            Some(done) if done.code != concert_result::CONCERT_RESULT_OK => Err(done.code),
            _ => Ok(()),
        }
    })
}

/// For `CONCERT_EVENT_DONE` with an outcome: its `concert_status` (also
/// after the outcome was taken). `CONCERT_RESULT_ABSENT` otherwise.
///
/// # Safety
/// `event` is NULL or a live event; `out_status` is NULL or valid.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn concert_event_status(
    event: *const concert_event,
    out_status: *mut u32,
) -> concert_result {
    guard(|| {
        // SAFETY: `event` is NULL or a live handle of this library, as the
        // function's Safety section requires.
        let event = unsafe { borrow(event) }?;
        // SAFETY: `out_status` is NULL or valid for writing, as the function's
        // Safety section requires.
        let out_status = unsafe { out(out_status) }?;
        let status = event
            .done
            .as_ref()
            .and_then(|d| d.status)
            .ok_or(concert_result::CONCERT_RESULT_ABSENT)?;
        *out_status = status as u32;
        Ok(())
    })
}

/// Takes the outcome out of a `CONCERT_EVENT_DONE` event: `*out_outcome`
/// receives an outcome owned by the caller (free with
/// `concert_outcome_free`). Returns the transaction's error code instead
/// when it failed, and `CONCERT_RESULT_ABSENT` for a progress event or an
/// outcome already taken.
///
/// # Safety
/// `event` is NULL or a live event used by no other thread;
/// `out_outcome` is NULL or valid.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn concert_event_take_outcome(
    event: *mut concert_event,
    out_outcome: *mut *mut concert_outcome,
) -> concert_result {
    guard(|| {
        // SAFETY: `event` is NULL or a live event that no other thread uses
        // during the call, as the function's Safety section requires.
        let event = unsafe { borrow_mut(event) }?;
        // SAFETY: `out_outcome` is NULL or valid for writing, as the function's
        // Safety section requires.
        let out_outcome = unsafe { out(out_outcome) }?;
        let done = event
            .done
            .as_mut()
            .ok_or(concert_result::CONCERT_RESULT_ABSENT)?;
        if done.code != concert_result::CONCERT_RESULT_OK {
            return Err(done.code);
        }
        let outcome = done
            .outcome
            .take()
            .ok_or(concert_result::CONCERT_RESULT_ABSENT)?;
        *out_outcome = concert_outcome::into_raw(outcome);
        Ok(())
    })
}

/// Copies the error message of a failed transaction's `CONCERT_EVENT_DONE`
/// into `buf` (empty for other events; buffer convention in the header's
/// introduction).
///
/// # Safety
/// `event` is NULL or a live event; `buf` is NULL or valid for `len` bytes;
/// `out_n` is NULL or valid.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn concert_event_error(
    event: *const concert_event,
    buf: *mut c_char,
    len: usize,
    out_n: *mut usize,
) -> concert_result {
    guard(|| {
        // SAFETY: `event` is NULL or a live handle of this library, as the
        // function's Safety section requires.
        let event = unsafe { borrow(event) }?;
        let message = event.done.as_ref().map_or("", |d| d.message.as_str());
        // SAFETY: `buf` is NULL or valid for `len` bytes and `out_n` NULL or
        // valid, as the function's Safety section requires.
        unsafe { copy_out(message, buf, len, out_n) }
    })
}
