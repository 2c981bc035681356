//! `concert_outcome`: what came of a request, every field readable from C.
//!
//! Strings are converted once, when the outcome is made, and kept inside
//! it: every `const char *` an accessor returns stays valid until the
//! outcome is freed, and must not be freed by the caller.

use std::ffi::{CString, c_char};

use concert_core::terminal::Outcome;

use crate::enums::{
    concert_direction, concert_operation, concert_receipt_copy, concert_receipt_format,
    concert_status,
};
use crate::guard::{borrow, free_handle, guard, guard_or, out, text};
use crate::result::concert_result;
use crate::text::{c_string, ptr_or_null};

/// The result of a request the terminal answered, or whose fate is unknown
/// (`CONCERT_STATUS_IN_DOUBT`). Owned by the caller once handed over
/// (free with `concert_outcome_free`, from any thread, also inside a
/// callback). Read-only: any number of threads may read it at once.
pub struct concert_outcome {
    outcome: Outcome,
    strings: Strings,
}

/// The outcome's text, as C strings.
struct Strings {
    protocol_version: Option<CString>,
    reason_code: Option<CString>,
    reason: CString,
    reason_detail: Option<CString>,
    currency: Option<CString>,
    card_number: Option<CString>,
    expiry: Option<CString>,
    aid: Option<CString>,
    application_code: Option<CString>,
    application_label: Option<CString>,
    read_mode: Option<CString>,
    read_mode_text: Option<CString>,
    authorization_number: Option<CString>,
    contract: Option<CString>,
    private_data: Option<CString>,
    receipt_text: Option<CString>,
    raw_card_data: Option<CString>,
    in_doubt_cause: Option<CString>,
    records: Vec<(CString, CString)>,
    echo_mismatches: Vec<[CString; 3]>,
}

impl concert_outcome {
    /// Wraps an outcome, converting its text once.
    pub(crate) fn new(outcome: Outcome) -> concert_outcome {
        let opt = |s: &Option<String>| s.as_deref().map(c_string);
        let o = &outcome;
        let strings = Strings {
            protocol_version: opt(&o.protocol_version),
            reason_code: opt(&o.reason_code),
            reason: c_string(&o.reason),
            reason_detail: opt(&o.reason_detail),
            currency: o.currency.map(|c| c_string(c.alpha())),
            card_number: opt(&o.card_number),
            expiry: opt(&o.expiry),
            aid: opt(&o.aid),
            application_code: o.application.as_ref().map(|a| c_string(&a.code)),
            application_label: o.application.as_ref().and_then(|a| a.label).map(c_string),
            read_mode: o
                .read_mode
                .map(|m| c_string(&char::from(m.code()).to_string())),
            read_mode_text: o.read_mode.map(|m| c_string(m.text())),
            authorization_number: opt(&o.authorization_number),
            contract: opt(&o.contract),
            private_data: opt(&o.private_data),
            receipt_text: o.receipt.as_ref().map(|r| c_string(&r.text)),
            raw_card_data: opt(&o.raw_card_data),
            in_doubt_cause: opt(&o.in_doubt_cause),
            records: o
                .records
                .iter()
                .map(|(k, v)| (c_string(k), c_string(v)))
                .collect(),
            echo_mismatches: o
                .echo_mismatches
                .iter()
                .map(|m| [c_string(m.field), c_string(&m.sent), c_string(&m.received)])
                .collect(),
        };
        concert_outcome { outcome, strings }
    }

    /// Hands a new outcome to C.
    pub(crate) fn into_raw(outcome: Outcome) -> *mut concert_outcome {
        Box::into_raw(Box::new(concert_outcome::new(outcome)))
    }
}

/// Releases an outcome. NULL does nothing. Allowed anywhere, including
/// inside the done callback that received it.
///
/// # Safety
/// `outcome` is NULL or an outcome handed to the caller and not yet freed;
/// no other thread reads it any more.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn concert_outcome_free(outcome: *mut concert_outcome) {
    // SAFETY: the export's contract: NULL, or a live handle freed once.
    unsafe { free_handle(outcome) }
}

/// Reads an outcome for a value-returning accessor; `fallback` for NULL
/// (or a caught panic).
fn read<T: Copy>(
    outcome: *const concert_outcome,
    fallback: T,
    f: impl FnOnce(&concert_outcome) -> T,
) -> T {
    guard_or(fallback, || {
        // SAFETY: the caller passes NULL or a live outcome.
        match unsafe { outcome.as_ref() } {
            Some(o) => f(o),
            None => fallback,
        }
    })
}

/// An optional text field: its kept C string, or NULL.
fn field(
    outcome: *const concert_outcome,
    f: impl FnOnce(&Strings) -> &Option<CString>,
) -> *const c_char {
    read(outcome, std::ptr::null(), |o| ptr_or_null(f(&o.strings)))
}

/// An optional number, written to `out` only when present.
///
/// # Safety
/// `outcome` is NULL or live; `out_value` is NULL or valid for a write.
unsafe fn number<T>(
    outcome: *const concert_outcome,
    out_value: *mut T,
    f: impl FnOnce(&Outcome) -> Option<T>,
) -> concert_result {
    guard(|| {
        // SAFETY: `outcome` is NULL or a live handle of this library, as the
        // function's Safety section requires.
        let o = unsafe { borrow(outcome) }?;
        // SAFETY: `out_value` is NULL or valid for writing, as the function's
        // Safety section requires.
        let out_value = unsafe { out(out_value) }?;
        *out_value = f(&o.outcome).ok_or(concert_result::CONCERT_RESULT_ABSENT)?;
        Ok(())
    })
}

/// What happened: a `concert_status` (0 for a NULL outcome). Branch on
/// `CONCERT_STATUS_IN_DOUBT` explicitly: it is never a decline.
///
/// # Safety
/// `outcome` is NULL or a live outcome.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn concert_outcome_status(outcome: *const concert_outcome) -> u32 {
    read(outcome, 0, |o| {
        concert_status::from(o.outcome.status) as u32
    })
}

/// The name of a `concert_status` (`"approved"`, `"declined"`, `"aborted"`,
/// `"not_performed"`, `"pending"`, `"in_doubt"`), static; NULL for a value
/// that is not a status.
#[unsafe(no_mangle)]
pub extern "C" fn concert_status_str(status: u32) -> *const c_char {
    guard_or(std::ptr::null(), || {
        concert_status::try_from(status).map_or(std::ptr::null(), |s| {
            crate::text::static_c(concert_core::terminal::Status::from(s).as_str()).as_ptr()
        })
    })
}

/// The name of a `concert_operation` (`"pay"`, `"refund"`, `"cancel"`,
/// `"preauthorize"`, `"identify"`, `"status"`, `"settle"`, `"transact"`
/// for `OTHER`), the spelling every language uses, static; NULL for a
/// value that is not an operation.
#[unsafe(no_mangle)]
pub extern "C" fn concert_operation_str(operation: u32) -> *const c_char {
    guard_or(std::ptr::null(), || {
        concert_operation::try_from(operation).map_or(std::ptr::null(), |o| {
            let name = o
                .to_core()
                .map_or("transact", concert_core::terminal::Operation::name);
            crate::text::static_c(name).as_ptr()
        })
    })
}

/// What was asked: a `concert_operation` (0 for a NULL outcome).
///
/// # Safety
/// `outcome` is NULL or a live outcome.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn concert_outcome_operation(outcome: *const concert_outcome) -> u32 {
    read(outcome, 0, |o| {
        concert_operation::from(o.outcome.operation) as u32
    })
}

/// The V3 version the terminal answered with, or NULL.
/// Valid until the outcome is freed.
///
/// # Safety
/// `outcome` is NULL or a live outcome.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn concert_outcome_protocol_version(
    outcome: *const concert_outcome,
) -> *const c_char {
    field(outcome, |s| &s.protocol_version)
}

/// The reason code (V3 `AF`, two characters; V2 status character), or NULL.
/// Valid until the outcome is freed.
///
/// # Safety
/// `outcome` is NULL or a live outcome.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn concert_outcome_reason_code(
    outcome: *const concert_outcome,
) -> *const c_char {
    field(outcome, |s| &s.reason_code)
}

/// The reason in words (never NULL for a live outcome; may be empty).
/// Valid until the outcome is freed.
///
/// # Safety
/// `outcome` is NULL or a live outcome.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn concert_outcome_reason(outcome: *const concert_outcome) -> *const c_char {
    read(outcome, std::ptr::null(), |o| o.strings.reason.as_ptr())
}

/// The whole `AF` value (CB2A detail included), or NULL.
/// Valid until the outcome is freed.
///
/// # Safety
/// `outcome` is NULL or a live outcome.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn concert_outcome_reason_detail(
    outcome: *const concert_outcome,
) -> *const c_char {
    field(outcome, |s| &s.reason_detail)
}

/// The amount the terminal reports (authorised amount on approval), in
/// minor units. `CONCERT_RESULT_ABSENT` when the answer has none.
///
/// # Safety
/// `outcome` is NULL or a live outcome; `out_amount` is NULL or valid.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn concert_outcome_amount(
    outcome: *const concert_outcome,
    out_amount: *mut u64,
) -> concert_result {
    // SAFETY: `outcome` is NULL or live and `out_amount` NULL or valid for
    // writing, as the function's Safety section requires.
    unsafe { number(outcome, out_amount, |o| o.amount) }
}

/// The number of the journal entry that records this transaction, when the
/// terminal has a journal; `CONCERT_RESULT_ABSENT` otherwise.
///
/// # Safety
/// `outcome` is NULL or a live outcome; `out_id` is NULL or valid.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn concert_outcome_journal_entry(
    outcome: *const concert_outcome,
    out_id: *mut i64,
) -> concert_result {
    // SAFETY: caller contract.
    unsafe { number(outcome, out_id, |o| o.journal_entry.map(|e| e.0)) }
}

/// The amount that was asked for, in minor units, or
/// `CONCERT_RESULT_ABSENT`.
///
/// # Safety
/// `outcome` is NULL or a live outcome; `out_amount` is NULL or valid.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn concert_outcome_requested_amount(
    outcome: *const concert_outcome,
    out_amount: *mut u64,
) -> concert_result {
    // SAFETY: `outcome` is NULL or live and `out_amount` NULL or valid for
    // writing, as the function's Safety section requires.
    unsafe { number(outcome, out_amount, |o| o.requested_amount) }
}

/// 1 when approved for less than asked (partial payment), else 0.
///
/// # Safety
/// `outcome` is NULL or a live outcome.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn concert_outcome_partial(outcome: *const concert_outcome) -> u32 {
    read(outcome, 0, |o| u32::from(o.outcome.partial))
}

/// The currency's ISO 4217 alphabetic code (`"EUR"`), or NULL.
/// Valid until the outcome is freed.
///
/// # Safety
/// `outcome` is NULL or a live outcome.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn concert_outcome_currency(
    outcome: *const concert_outcome,
) -> *const c_char {
    field(outcome, |s| &s.currency)
}

/// The currency's ISO 4217 numeric code (978), or `CONCERT_RESULT_ABSENT`.
///
/// # Safety
/// `outcome` is NULL or a live outcome; `out_numeric` is NULL or valid.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn concert_outcome_currency_numeric(
    outcome: *const concert_outcome,
    out_numeric: *mut u32,
) -> concert_result {
    // SAFETY: `outcome` is NULL or live and `out_numeric` NULL or valid for
    // writing, as the function's Safety section requires.
    unsafe {
        number(outcome, out_numeric, |o| {
            o.currency.map(|c| u32::from(c.numeric()))
        })
    }
}

/// The card number, always masked (`497010######7894`), or NULL.
/// Valid until the outcome is freed.
///
/// # Safety
/// `outcome` is NULL or a live outcome.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn concert_outcome_card_number(
    outcome: *const concert_outcome,
) -> *const c_char {
    field(outcome, |s| &s.card_number)
}

/// The card expiry `YYMM`, or NULL. Valid until the outcome is freed.
///
/// # Safety
/// `outcome` is NULL or a live outcome.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn concert_outcome_expiry(outcome: *const concert_outcome) -> *const c_char {
    field(outcome, |s| &s.expiry)
}

/// The card application identifier (AID), or NULL.
/// Valid until the outcome is freed.
///
/// # Safety
/// `outcome` is NULL or a live outcome.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn concert_outcome_aid(outcome: *const concert_outcome) -> *const c_char {
    field(outcome, |s| &s.aid)
}

/// The application used: V3 `CC` code or V2 payment mode, or NULL.
/// Valid until the outcome is freed.
///
/// # Safety
/// `outcome` is NULL or a live outcome.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn concert_outcome_application_code(
    outcome: *const concert_outcome,
) -> *const c_char {
    field(outcome, |s| &s.application_code)
}

/// The label of the application used, when known, or NULL.
/// Valid until the outcome is freed.
///
/// # Safety
/// `outcome` is NULL or a live outcome.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn concert_outcome_application_label(
    outcome: *const concert_outcome,
) -> *const c_char {
    field(outcome, |s| &s.application_label)
}

/// How the card was read: the one-character `CI` code (`"1"` contact,
/// `"2"` contactless ...), or NULL. Valid until the outcome is freed.
///
/// # Safety
/// `outcome` is NULL or a live outcome.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn concert_outcome_read_mode(
    outcome: *const concert_outcome,
) -> *const c_char {
    field(outcome, |s| &s.read_mode)
}

/// How the card was read, in words (`"contactless"`), or NULL.
/// Valid until the outcome is freed.
///
/// # Safety
/// `outcome` is NULL or a live outcome.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn concert_outcome_read_mode_text(
    outcome: *const concert_outcome,
) -> *const c_char {
    field(outcome, |s| &s.read_mode_text)
}

/// The authorisation number, or NULL. Valid until the outcome is freed.
///
/// # Safety
/// `outcome` is NULL or a live outcome.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn concert_outcome_authorization_number(
    outcome: *const concert_outcome,
) -> *const c_char {
    field(outcome, |s| &s.authorization_number)
}

/// The merchant contract number, or NULL. Valid until the outcome is freed.
///
/// # Safety
/// `outcome` is NULL or a live outcome.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn concert_outcome_contract(
    outcome: *const concert_outcome,
) -> *const c_char {
    field(outcome, |s| &s.contract)
}

/// The private data the terminal echoed, or NULL.
/// Valid until the outcome is freed.
///
/// # Safety
/// `outcome` is NULL or a live outcome.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn concert_outcome_private_data(
    outcome: *const concert_outcome,
) -> *const c_char {
    field(outcome, |s| &s.private_data)
}

/// The ticket text (UTF-8; HTML when the format says so), or NULL when no
/// ticket came back. Valid until the outcome is freed.
///
/// # Safety
/// `outcome` is NULL or a live outcome.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn concert_outcome_receipt_text(
    outcome: *const concert_outcome,
) -> *const c_char {
    field(outcome, |s| &s.receipt_text)
}

/// The ticket's format, a `concert_receipt_format`, or
/// `CONCERT_RESULT_ABSENT` when no ticket came back.
///
/// # Safety
/// `outcome` is NULL or a live outcome; `out_format` is NULL or valid.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn concert_outcome_receipt_format(
    outcome: *const concert_outcome,
    out_format: *mut u32,
) -> concert_result {
    // SAFETY: `outcome` is NULL or live and `out_format` NULL or valid for
    // writing, as the function's Safety section requires.
    unsafe {
        number(outcome, out_format, |o| {
            o.receipt
                .as_ref()
                .map(|r| concert_receipt_format::from(r.format) as u32)
        })
    }
}

/// Which copy the ticket is, a `concert_receipt_copy`, or
/// `CONCERT_RESULT_ABSENT` (no ticket, or the terminal did not say).
///
/// # Safety
/// `outcome` is NULL or a live outcome; `out_copy` is NULL or valid.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn concert_outcome_receipt_copy(
    outcome: *const concert_outcome,
    out_copy: *mut u32,
) -> concert_result {
    // SAFETY: `outcome` is NULL or live and `out_copy` NULL or valid for
    // writing, as the function's Safety section requires.
    unsafe {
        number(outcome, out_copy, |o| {
            o.receipt
                .as_ref()
                .and_then(|r| r.copy)
                .map(|c| concert_receipt_copy::from(c) as u32)
        })
    }
}

/// The V2 REP field unmasked (only with keep_raw_card_data), or NULL.
/// Holds a full card number: never log it. Valid until the outcome is freed.
///
/// # Safety
/// `outcome` is NULL or a live outcome.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn concert_outcome_raw_card_data(
    outcome: *const concert_outcome,
) -> *const c_char {
    field(outcome, |s| &s.raw_card_data)
}

/// Why the outcome is in doubt, or NULL. Valid until the outcome is freed.
///
/// # Safety
/// `outcome` is NULL or a live outcome.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn concert_outcome_in_doubt_cause(
    outcome: *const concert_outcome,
) -> *const c_char {
    field(outcome, |s| &s.in_doubt_cause)
}

/// How many records were received (V3 tags, V2 fields), card numbers
/// masked; 0 for NULL.
///
/// # Safety
/// `outcome` is NULL or a live outcome.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn concert_outcome_record_count(outcome: *const concert_outcome) -> usize {
    read(outcome, 0, |o| o.strings.records.len())
}

/// The record at `index` (0-based, in order of arrival): its tag or V2
/// field name and its value, both valid until the outcome is freed.
/// `CONCERT_RESULT_ABSENT` past the end.
///
/// # Safety
/// `outcome` is NULL or a live outcome; `out_name` and `out_value` are NULL
/// or valid.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn concert_outcome_record(
    outcome: *const concert_outcome,
    index: usize,
    out_name: *mut *const c_char,
    out_value: *mut *const c_char,
) -> concert_result {
    guard(|| {
        // SAFETY: `outcome` is NULL or a live handle of this library, as the
        // function's Safety section requires.
        let o = unsafe { borrow(outcome) }?;
        // SAFETY: `out_name`, `out_value` are NULL or valid for writing, as the
        // function's Safety section requires.
        let (out_name, out_value) = unsafe { (out(out_name)?, out(out_value)?) };
        let (name, value) = o
            .strings
            .records
            .get(index)
            .ok_or(concert_result::CONCERT_RESULT_ABSENT)?;
        *out_name = name.as_ptr();
        *out_value = value.as_ptr();
        Ok(())
    })
}

/// The value of the first record named `name` (`"AE"`, `"CB"` ...),
/// valid until the outcome is freed; `CONCERT_RESULT_ABSENT` if none.
///
/// # Safety
/// `outcome` is NULL or a live outcome; `name` is NULL or a NUL-terminated
/// string; `out_value` is NULL or valid.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn concert_outcome_find_record(
    outcome: *const concert_outcome,
    name: *const c_char,
    out_value: *mut *const c_char,
) -> concert_result {
    guard(|| {
        // SAFETY: `outcome` is NULL or a live handle of this library, as the
        // function's Safety section requires.
        let o = unsafe { borrow(outcome) }?;
        // SAFETY: `name` is NULL or a NUL-terminated string, as the function's
        // Safety section requires.
        let name = unsafe { text(name) }?;
        // SAFETY: `out_value` is NULL or valid for writing, as the function's
        // Safety section requires.
        let out_value = unsafe { out(out_value) }?;
        let index = o
            .outcome
            .records
            .iter()
            .position(|(k, _)| k == name)
            .ok_or(concert_result::CONCERT_RESULT_ABSENT)?;
        *out_value = o.strings.records[index].1.as_ptr();
        Ok(())
    })
}

/// How many echoed fields differ from the request (checked on approval).
///
/// # Safety
/// `outcome` is NULL or a live outcome.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn concert_outcome_echo_mismatch_count(
    outcome: *const concert_outcome,
) -> usize {
    read(outcome, 0, |o| o.strings.echo_mismatches.len())
}

/// The echo mismatch at `index`: the field, what was sent, what came back;
/// valid until the outcome is freed. `CONCERT_RESULT_ABSENT` past the end.
///
/// # Safety
/// `outcome` is NULL or a live outcome; the out-pointers are NULL or valid.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn concert_outcome_echo_mismatch(
    outcome: *const concert_outcome,
    index: usize,
    out_field: *mut *const c_char,
    out_sent: *mut *const c_char,
    out_received: *mut *const c_char,
) -> concert_result {
    guard(|| {
        // SAFETY: `outcome` is NULL or a live handle of this library, as the
        // function's Safety section requires.
        let o = unsafe { borrow(outcome) }?;
        // SAFETY: `out_field`, `out_sent`, `out_received` are NULL or valid for
        // writing, as the function's Safety section requires.
        let (f, s, r) = unsafe { (out(out_field)?, out(out_sent)?, out(out_received)?) };
        let [field, sent, received] = o
            .strings
            .echo_mismatches
            .get(index)
            .ok_or(concert_result::CONCERT_RESULT_ABSENT)?;
        *f = field.as_ptr();
        *s = sent.as_ptr();
        *r = received.as_ptr();
        Ok(())
    })
}

/// The answer payload as received (card numbers masked), kept even when it
/// could not be understood: `*out_data` (valid until the outcome is freed)
/// and `*out_len`. `CONCERT_RESULT_ABSENT` when nothing came back.
///
/// # Safety
/// `outcome` is NULL or a live outcome; the out-pointers are NULL or valid.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn concert_outcome_raw_answer(
    outcome: *const concert_outcome,
    out_data: *mut *const u8,
    out_len: *mut usize,
) -> concert_result {
    guard(|| {
        // SAFETY: `outcome` is NULL or a live handle of this library, as the
        // function's Safety section requires.
        let o = unsafe { borrow(outcome) }?;
        // SAFETY: `out_data`, `out_len` are NULL or valid for writing, as the
        // function's Safety section requires.
        let (d, l) = unsafe { (out(out_data)?, out(out_len)?) };
        let raw = o
            .outcome
            .raw_answer
            .as_deref()
            .ok_or(concert_result::CONCERT_RESULT_ABSENT)?;
        *d = raw.as_ptr();
        *l = raw.len();
        Ok(())
    })
}

/// Milliseconds since the Unix epoch (0 for a time before it).
pub(crate) fn unix_ms(at: std::time::SystemTime) -> u64 {
    at.duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

/// How many late answers (answers to earlier requests that came after
/// their outcome, serial) are handed over with this outcome.
///
/// # Safety
/// `outcome` is NULL or a live outcome.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn concert_outcome_late_answer_count(
    outcome: *const concert_outcome,
) -> usize {
    read(outcome, 0, |o| o.outcome.late_answers.len())
}

/// The late answer at `index`, as `concert_terminal_take_late_answer` gives
/// it: a new outcome (free it with `concert_outcome_free`) and when it came
/// in milliseconds since the Unix epoch. `CONCERT_RESULT_ABSENT` past the
/// end.
///
/// # Safety
/// `outcome` is NULL or a live outcome; the out-pointers are NULL or valid.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn concert_outcome_late_answer(
    outcome: *const concert_outcome,
    index: usize,
    out_outcome: *mut *mut concert_outcome,
    out_received_at_ms: *mut u64,
) -> concert_result {
    guard(|| {
        // SAFETY: caller contract.
        let o = unsafe { borrow(outcome) }?;
        // SAFETY: caller contract.
        let (out_o, at) = unsafe { (out(out_outcome)?, out(out_received_at_ms)?) };
        let late = o
            .outcome
            .late_answers
            .get(index)
            .ok_or(concert_result::CONCERT_RESULT_ABSENT)?;
        *at = unix_ms(late.received_at);
        *out_o = concert_outcome::into_raw(late.outcome.clone());
        Ok(())
    })
}

/// How many wire frames were recorded (bytes sent and received).
///
/// # Safety
/// `outcome` is NULL or a live outcome.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn concert_outcome_frame_count(outcome: *const concert_outcome) -> usize {
    read(outcome, 0, |o| o.outcome.frames.len())
}

/// The wire frame at `index`: its `concert_direction` and its bytes (card
/// numbers masked; valid until the outcome is freed).
/// `CONCERT_RESULT_ABSENT` past the end.
///
/// # Safety
/// `outcome` is NULL or a live outcome; the out-pointers are NULL or valid.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn concert_outcome_frame(
    outcome: *const concert_outcome,
    index: usize,
    out_direction: *mut u32,
    out_data: *mut *const u8,
    out_len: *mut usize,
) -> concert_result {
    guard(|| {
        // SAFETY: `outcome` is NULL or a live handle of this library, as the
        // function's Safety section requires.
        let o = unsafe { borrow(outcome) }?;
        // SAFETY: `out_direction`, `out_data`, `out_len` are NULL or valid for
        // writing, as the function's Safety section requires.
        let (dir, d, l) = unsafe { (out(out_direction)?, out(out_data)?, out(out_len)?) };
        let frame = o
            .outcome
            .frames
            .get(index)
            .ok_or(concert_result::CONCERT_RESULT_ABSENT)?;
        *dir = concert_direction::from(frame.direction) as u32;
        *d = frame.bytes.as_ptr();
        *l = frame.bytes.len();
        Ok(())
    })
}
