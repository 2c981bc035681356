//! `concert_journal`: the crash-safe transaction journal from C. Open it,
//! give it to terminal configurations, and after a restart list what is in
//! doubt and resolve it (by the terminal's status request, or by hand).

use std::cell::RefCell;
use std::ffi::{CString, c_char};
use std::sync::Arc;

use ::concert_journal::{
    Decision, Entry, ExportFormat, Journal, JournalError, ListFilter, Method, State,
};

use crate::config::concert_terminal_config;
use crate::enums::concert_status;
use crate::guard::{LastError, borrow, borrow_mut, guard, guard_or, out, text};
use crate::result::concert_result;
use crate::terminal::concert_terminal;
use crate::text::{c_string, copy_out, ptr_or_null};

/// A journal file, open. Made by `concert_journal_open`, released by
/// `concert_journal_close`. Thread-safe; terminals configured with it keep
/// it open until they are freed too.
pub struct concert_journal {
    journal: Arc<Journal>,
    last_error: LastError,
}

/// Where a journal entry stands (`concert_journal_entry_state`).
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum concert_journal_state {
    /// Recorded, about to be sent.
    CONCERT_JOURNAL_STATE_SENDING = 1,
    /// Sent, no answer yet.
    CONCERT_JOURNAL_STATE_SENT = 2,
    /// The terminal answered: the status says how.
    CONCERT_JOURNAL_STATE_OUTCOME = 3,
    /// Nobody knows whether money moved: resolve it.
    CONCERT_JOURNAL_STATE_IN_DOUBT = 4,
    /// Never reached the terminal.
    CONCERT_JOURNAL_STATE_NOT_SENT = 5,
    /// Was in doubt, settled by a resolution.
    CONCERT_JOURNAL_STATE_RESOLVED = 6,
}

/// How a resolution came (`concert_journal_entry_resolution_method`).
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum concert_resolution_method {
    /// The process died mid-transaction; found on opening.
    CONCERT_RESOLUTION_INTERRUPTED = 1,
    /// A V3 status request asked the terminal.
    CONCERT_RESOLUTION_STATUS_REQUEST = 2,
    /// An answer that came after the caller stopped waiting.
    CONCERT_RESOLUTION_LATE_ANSWER = 3,
    /// An operator's decision.
    CONCERT_RESOLUTION_BY_HAND = 4,
}

/// An operator's decision (`concert_journal_resolve_by_hand`).
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum concert_decision {
    /// The terminal's receipt or journal shows it went through.
    CONCERT_DECISION_APPROVED = 1,
    /// It did not go through.
    CONCERT_DECISION_DECLINED = 2,
}

/// What `concert_journal_export` writes.
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum concert_export_format {
    /// CSV with a header line, one row per entry.
    CONCERT_EXPORT_CSV = 1,
    /// One JSON array of entries with their history.
    CONCERT_EXPORT_JSON = 2,
}

/// One journal entry, a snapshot. Owned by the caller when handed over
/// (`concert_journal_entry_free`); entries inside a list belong to it.
pub struct concert_journal_entry {
    entry: Entry,
    terminal: CString,
    protocol: CString,
    operation: CString,
    currency: Option<CString>,
    reference: Option<CString>,
    reason: Option<CString>,
    card_number: Option<CString>,
    authorization_number: Option<CString>,
    in_doubt_cause: Option<CString>,
    notes: Vec<CString>,
    json: CString,
}

/// A list of entries (`concert_journal_list_in_doubt`), freed with
/// `concert_journal_entries_free`.
pub struct concert_journal_entries {
    entries: Vec<concert_journal_entry>,
}

impl concert_journal_entry {
    fn new(entry: Entry) -> concert_journal_entry {
        let opt = |s: &Option<String>| s.as_deref().map(c_string);
        concert_journal_entry {
            terminal: c_string(&entry.terminal),
            protocol: c_string(&entry.protocol),
            operation: c_string(&entry.operation),
            currency: opt(&entry.currency),
            reference: opt(&entry.reference),
            reason: opt(&entry.reason),
            card_number: opt(&entry.card_number),
            authorization_number: opt(&entry.authorization_number),
            in_doubt_cause: opt(&entry.in_doubt_cause),
            notes: entry
                .resolutions
                .iter()
                .map(|r| c_string(&r.note))
                .collect(),
            json: c_string(&serde_json::to_string(&entry).unwrap_or_default()),
            entry,
        }
    }

    fn into_raw(entry: Entry) -> *mut concert_journal_entry {
        Box::into_raw(Box::new(concert_journal_entry::new(entry)))
    }
}

/// The result code of a journal failure.
fn code(error: &JournalError) -> concert_result {
    match error {
        JournalError::Corrupt { .. } => concert_result::CONCERT_RESULT_JOURNAL_CORRUPT,
        JournalError::ReadOnly { .. } => concert_result::CONCERT_RESULT_JOURNAL_READ_ONLY,
        JournalError::DiskFull { .. } => concert_result::CONCERT_RESULT_JOURNAL_DISK_FULL,
        JournalError::Storage { .. } | JournalError::Export(_) => {
            concert_result::CONCERT_RESULT_JOURNAL_STORAGE
        }
        JournalError::NoSuchEntry(_) => concert_result::CONCERT_RESULT_JOURNAL_NO_SUCH_ENTRY,
        JournalError::NotInDoubt { .. } => concert_result::CONCERT_RESULT_JOURNAL_NOT_IN_DOUBT,
        JournalError::NeedsOperator(_) => concert_result::CONCERT_RESULT_JOURNAL_NEEDS_OPERATOR,
        JournalError::NoteRequired | JournalError::Invalid(_) => {
            concert_result::CONCERT_RESULT_INVALID_ARGUMENT
        }
        JournalError::Terminal(e) => concert_result::from_error(e),
    }
}

thread_local! {
    /// Why the last `concert_journal_open` on this thread failed: there is
    /// no handle to keep it.
    static OPEN_ERROR: RefCell<String> = const { RefCell::new(String::new()) };
}

/// Opens the journal file at `path`, creating it when there is no file
/// there. An existing file that is not a readable journal gives
/// `CONCERT_RESULT_JOURNAL_CORRUPT` (it is never recreated);
/// `_READ_ONLY`, `_DISK_FULL` or `_STORAGE` when it cannot be written. The
/// message is then in `concert_journal_open_error` (on this thread).
/// Entries of a process that died mid-transaction become in doubt.
///
/// On success `*out_journal` receives a journal owned by the caller.
///
/// # Safety
/// `path` is NULL or a NUL-terminated string; `out_journal` is NULL or valid.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn concert_journal_open(
    path: *const c_char,
    out_journal: *mut *mut concert_journal,
) -> concert_result {
    guard(|| {
        // SAFETY: caller contract.
        let path = unsafe { text(path) }?;
        // SAFETY: caller contract.
        let out_journal = unsafe { out(out_journal) }?;
        let journal = Journal::open(path).map_err(|e| {
            OPEN_ERROR.with(|m| *m.borrow_mut() = e.to_string());
            code(&e)
        })?;
        *out_journal = Box::into_raw(Box::new(concert_journal {
            journal: Arc::new(journal),
            last_error: LastError::default(),
        }));
        Ok(())
    })
}

/// Copies why the last `concert_journal_open` on this thread failed
/// (buffer convention in the header's introduction).
///
/// # Safety
/// `buf` is NULL or valid for `len` bytes; `out_n` is NULL or valid.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn concert_journal_open_error(
    buf: *mut c_char,
    len: usize,
    out_n: *mut usize,
) -> concert_result {
    guard(|| {
        let message = OPEN_ERROR.with(|m| m.borrow().clone());
        // SAFETY: caller contract.
        unsafe { copy_out(&message, buf, len, out_n) }
    })
}

/// Closes a journal (its `_free`). NULL does nothing. Terminals configured
/// with it keep writing to it until they are freed.
///
/// # Safety
/// `journal` is NULL or a live journal, closed once, used by no other thread.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn concert_journal_close(journal: *mut concert_journal) {
    // SAFETY: the export's contract: NULL, or a live handle freed once.
    unsafe { crate::guard::free_handle(journal) }
}

/// Copies the message of the last failed call on this journal.
///
/// # Safety
/// `journal` is NULL or live; `buf` is NULL or valid for `len` bytes;
/// `out_n` is NULL or valid.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn concert_journal_last_error(
    journal: *const concert_journal,
    buf: *mut c_char,
    len: usize,
    out_n: *mut usize,
) -> concert_result {
    guard(|| {
        // SAFETY: caller contract.
        let journal = unsafe { borrow(journal) }?;
        // SAFETY: caller contract.
        unsafe { copy_out(&journal.last_error.get(), buf, len, out_n) }
    })
}

/// Terminals made from this configuration journal every transaction in
/// `journal` (committed before the request leaves; a journal that cannot
/// write stops it with `CONCERT_RESULT_JOURNAL`, safe to retry). A
/// request without private data then gets a generated merchant reference.
///
/// # Safety
/// `config` is NULL or a live builder; `journal` is NULL or live.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn concert_terminal_config_set_journal(
    config: *mut concert_terminal_config,
    journal: *const concert_journal,
) -> concert_result {
    guard(|| {
        // SAFETY: caller contract.
        let config = unsafe { borrow_mut(config) }?;
        // SAFETY: caller contract.
        let journal = unsafe { borrow(journal) }?;
        config.config = config.config.clone().with_journal(journal.journal.clone());
        Ok(())
    })
}

/// Runs a journal call, remembering its failure's message.
fn with_journal(
    journal: *const concert_journal,
    what: &str,
    f: impl FnOnce(&Journal) -> Result<(), JournalError>,
) -> concert_result {
    guard(|| {
        // SAFETY: the caller passes NULL or a live journal.
        let handle = unsafe { borrow(journal) }?;
        f(&handle.journal).map_err(|e| {
            handle.last_error.set(format!("{what}: {e}"));
            code(&e)
        })
    })
}

/// The entries nobody knows the fate of, oldest first: what a till asks
/// first after a restart. On success `*out_entries` receives a list owned
/// by the caller.
///
/// # Safety
/// `journal` is NULL or live; `out_entries` is NULL or valid.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn concert_journal_list_in_doubt(
    journal: *const concert_journal,
    out_entries: *mut *mut concert_journal_entries,
) -> concert_result {
    // SAFETY: caller contract.
    let Ok(out_entries) = (unsafe { out(out_entries) }) else {
        return concert_result::CONCERT_RESULT_NULL_ARGUMENT;
    };
    with_journal(journal, "list_in_doubt", |j| {
        let entries = j.list(&ListFilter {
            in_doubt: true,
            since_ms: None,
        })?;
        *out_entries = Box::into_raw(Box::new(concert_journal_entries {
            entries: entries
                .into_iter()
                .map(concert_journal_entry::new)
                .collect(),
        }));
        Ok(())
    })
}

/// Every entry recorded at or after `since_ms` (milliseconds since the
/// Unix epoch; `INT64_MIN` for all), oldest first.
///
/// # Safety
/// `journal` is NULL or live; `out_entries` is NULL or valid.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn concert_journal_list(
    journal: *const concert_journal,
    since_ms: i64,
    out_entries: *mut *mut concert_journal_entries,
) -> concert_result {
    // SAFETY: caller contract.
    let Ok(out_entries) = (unsafe { out(out_entries) }) else {
        return concert_result::CONCERT_RESULT_NULL_ARGUMENT;
    };
    with_journal(journal, "list", |j| {
        let entries = j.list(&ListFilter {
            in_doubt: false,
            since_ms: Some(since_ms),
        })?;
        *out_entries = Box::into_raw(Box::new(concert_journal_entries {
            entries: entries
                .into_iter()
                .map(concert_journal_entry::new)
                .collect(),
        }));
        Ok(())
    })
}

/// One entry with its history (`show`). `CONCERT_RESULT_JOURNAL_NO_SUCH_ENTRY`
/// for an unknown number. On success `*out_entry` is owned by the caller.
///
/// # Safety
/// `journal` is NULL or live; `out_entry` is NULL or valid.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn concert_journal_show(
    journal: *const concert_journal,
    id: i64,
    out_entry: *mut *mut concert_journal_entry,
) -> concert_result {
    // SAFETY: caller contract.
    let Ok(out_entry) = (unsafe { out(out_entry) }) else {
        return concert_result::CONCERT_RESULT_NULL_ARGUMENT;
    };
    with_journal(journal, "show", |j| {
        *out_entry = concert_journal_entry::into_raw(j.show(id)?);
        Ok(())
    })
}

/// Asks `terminal` (V3) for its last transaction and settles in-doubt entry
/// `id` when it is this entry's (same reference, currency, POS, amount no
/// higher). Blocks for at most the terminal's query time-out (15 s by
/// default); call it from a thread of the till's own when that matters.
/// `*out_settled` receives 1 when settled, 0 when the entry stays in doubt
/// (its last resolution says what the terminal answered); `*out_entry`
/// the entry as it now is. V2 terminals have no status request:
/// `CONCERT_RESULT_JOURNAL_NEEDS_OPERATOR` (resolve it by hand).
///
/// # Safety
/// `journal` and `terminal` are NULL or live; the out-pointers are NULL or
/// valid.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn concert_journal_resolve(
    journal: *const concert_journal,
    id: i64,
    terminal: *const concert_terminal,
    out_settled: *mut u32,
    out_entry: *mut *mut concert_journal_entry,
) -> concert_result {
    guard(|| {
        // SAFETY: caller contract.
        let terminal = unsafe { borrow(terminal) }?;
        // SAFETY: caller contract.
        let out_settled = unsafe { out(out_settled) }?;
        // SAFETY: caller contract.
        let out_entry = unsafe { out(out_entry) }?;
        let result = with_journal(journal, "resolve", |j| {
            let resolved = j.resolve(id, &terminal.terminal)?;
            *out_settled = u32::from(resolved.settled);
            *out_entry = concert_journal_entry::into_raw(resolved.entry);
            Ok(())
        });
        match result {
            concert_result::CONCERT_RESULT_OK => Ok(()),
            code => Err(code),
        }
    })
}

/// Records an operator's decision (`concert_decision`) on entry `id`, with
/// a note saying what was checked (required): appended to its history,
/// never overwriting it. On success `*out_entry` is the entry as it now is.
///
/// # Safety
/// `journal` is NULL or live; `note` is NULL or a NUL-terminated string;
/// `out_entry` is NULL or valid.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn concert_journal_resolve_by_hand(
    journal: *const concert_journal,
    id: i64,
    decision: u32,
    note: *const c_char,
    out_entry: *mut *mut concert_journal_entry,
) -> concert_result {
    guard(|| {
        let decision = if decision == concert_decision::CONCERT_DECISION_APPROVED as u32 {
            Decision::Approved
        } else if decision == concert_decision::CONCERT_DECISION_DECLINED as u32 {
            Decision::Declined
        } else {
            return Err(concert_result::CONCERT_RESULT_INVALID_ARGUMENT);
        };
        // SAFETY: caller contract.
        let note = unsafe { text(note) }?;
        // SAFETY: caller contract.
        let out_entry = unsafe { out(out_entry) }?;
        match with_journal(journal, "resolve_by_hand", |j| {
            *out_entry = concert_journal_entry::into_raw(j.resolve_by_hand(id, decision, note)?);
            Ok(())
        }) {
            concert_result::CONCERT_RESULT_OK => Ok(()),
            code => Err(code),
        }
    })
}

/// Writes the entries recorded at or after `since_ms` (`INT64_MIN` for all)
/// as a `concert_export_format` into `buf` (buffer convention in the
/// header's introduction: ask for the length with `len` 0 first).
///
/// # Safety
/// `journal` is NULL or live; `buf` is NULL or valid for `len` bytes;
/// `out_n` is NULL or valid.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn concert_journal_export(
    journal: *const concert_journal,
    since_ms: i64,
    format: u32,
    buf: *mut c_char,
    len: usize,
    out_n: *mut usize,
) -> concert_result {
    guard(|| {
        let format = if format == concert_export_format::CONCERT_EXPORT_CSV as u32 {
            ExportFormat::Csv
        } else if format == concert_export_format::CONCERT_EXPORT_JSON as u32 {
            ExportFormat::Json
        } else {
            return Err(concert_result::CONCERT_RESULT_INVALID_ARGUMENT);
        };
        let mut bytes = Vec::new();
        match with_journal(journal, "export", |j| {
            j.export(Some(since_ms), format, &mut bytes)
        }) {
            concert_result::CONCERT_RESULT_OK => {}
            code => return Err(code),
        }
        let text = String::from_utf8_lossy(&bytes);
        // SAFETY: caller contract.
        unsafe { copy_out(&text, buf, len, out_n) }
    })
}

/// Deletes the settled entries recorded before `before_ms` (milliseconds
/// since the Unix epoch); entries still in doubt are kept. `*out_count`
/// receives how many were deleted.
///
/// # Safety
/// `journal` is NULL or live; `out_count` is NULL or valid.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn concert_journal_prune(
    journal: *const concert_journal,
    before_ms: i64,
    out_count: *mut u64,
) -> concert_result {
    // SAFETY: caller contract.
    let Ok(out_count) = (unsafe { out(out_count) }) else {
        return concert_result::CONCERT_RESULT_NULL_ARGUMENT;
    };
    with_journal(journal, "prune", |j| {
        *out_count = j.prune(before_ms)? as u64;
        Ok(())
    })
}

/// Releases a list of entries (and the entries in it). NULL does nothing.
///
/// # Safety
/// `entries` is NULL or a live list, freed once.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn concert_journal_entries_free(entries: *mut concert_journal_entries) {
    // SAFETY: the export's contract.
    unsafe { crate::guard::free_handle(entries) }
}

/// How many entries the list holds (0 for NULL).
///
/// # Safety
/// `entries` is NULL or live.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn concert_journal_entries_count(
    entries: *const concert_journal_entries,
) -> usize {
    guard_or(0, || {
        // SAFETY: caller contract.
        unsafe { entries.as_ref() }.map_or(0, |l| l.entries.len())
    })
}

/// The entry at `index`, borrowed from the list (valid until the list is
/// freed; never freed by itself); NULL past the end.
///
/// # Safety
/// `entries` is NULL or live.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn concert_journal_entries_get(
    entries: *const concert_journal_entries,
    index: usize,
) -> *const concert_journal_entry {
    guard_or(std::ptr::null(), || {
        // SAFETY: caller contract.
        unsafe { entries.as_ref() }
            .and_then(|l| l.entries.get(index))
            .map_or(std::ptr::null(), |e| e as *const _)
    })
}

/// Releases an entry handed over by `_show`, `_resolve` or
/// `_resolve_by_hand`. NULL does nothing. Never an entry of a list.
///
/// # Safety
/// `entry` is NULL or a live owned entry, freed once.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn concert_journal_entry_free(entry: *mut concert_journal_entry) {
    // SAFETY: the export's contract.
    unsafe { crate::guard::free_handle(entry) }
}

fn read<T: Copy>(
    entry: *const concert_journal_entry,
    fallback: T,
    f: impl FnOnce(&concert_journal_entry) -> T,
) -> T {
    guard_or(fallback, || {
        // SAFETY: the caller passes NULL or a live entry.
        unsafe { entry.as_ref() }.map_or(fallback, f)
    })
}

/// The entry's number (0 for NULL).
///
/// # Safety
/// `entry` is NULL or live.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn concert_journal_entry_id(entry: *const concert_journal_entry) -> i64 {
    read(entry, 0, |e| e.entry.id)
}

/// When it was recorded, milliseconds since the Unix epoch, UTC (0 for NULL).
///
/// # Safety
/// `entry` is NULL or live.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn concert_journal_entry_created_ms(
    entry: *const concert_journal_entry,
) -> i64 {
    read(entry, 0, |e| e.entry.created_ms)
}

/// Where it stands: a `concert_journal_state` (0 for NULL).
///
/// # Safety
/// `entry` is NULL or live.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn concert_journal_entry_state(entry: *const concert_journal_entry) -> u32 {
    read(entry, 0, |e| {
        (match e.entry.state {
            State::Sending => concert_journal_state::CONCERT_JOURNAL_STATE_SENDING,
            State::Sent => concert_journal_state::CONCERT_JOURNAL_STATE_SENT,
            State::Outcome => concert_journal_state::CONCERT_JOURNAL_STATE_OUTCOME,
            State::InDoubt => concert_journal_state::CONCERT_JOURNAL_STATE_IN_DOUBT,
            State::NotSent => concert_journal_state::CONCERT_JOURNAL_STATE_NOT_SENT,
            State::Resolved => concert_journal_state::CONCERT_JOURNAL_STATE_RESOLVED,
        }) as u32
    })
}

/// Its status (a `concert_status`: the terminal's answer or the latest
/// resolution's) into `*out_status`; `CONCERT_RESULT_ABSENT` before any.
///
/// # Safety
/// `entry` is NULL or live; `out_status` is NULL or valid.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn concert_journal_entry_status(
    entry: *const concert_journal_entry,
    out_status: *mut u32,
) -> concert_result {
    guard(|| {
        // SAFETY: caller contract.
        let e = unsafe { borrow(entry) }?;
        // SAFETY: caller contract.
        let out_status = unsafe { out(out_status) }?;
        let status = e
            .entry
            .status
            .ok_or(concert_result::CONCERT_RESULT_ABSENT)?;
        *out_status = concert_status::from(status) as u32;
        Ok(())
    })
}

/// The amount asked, minor units, into `*out_amount`; `CONCERT_RESULT_ABSENT`
/// when none.
///
/// # Safety
/// `entry` is NULL or live; `out_amount` is NULL or valid.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn concert_journal_entry_amount(
    entry: *const concert_journal_entry,
    out_amount: *mut u64,
) -> concert_result {
    guard(|| {
        // SAFETY: caller contract.
        let e = unsafe { borrow(entry) }?;
        // SAFETY: caller contract.
        let out_amount = unsafe { out(out_amount) }?;
        *out_amount = e
            .entry
            .amount
            .ok_or(concert_result::CONCERT_RESULT_ABSENT)?;
        Ok(())
    })
}

/// The amount the terminal reported, minor units (the authorised amount of
/// an approval, less than asked for a partial one), into `*out_amount`;
/// `CONCERT_RESULT_ABSENT` when it reported none (no answer yet, or a
/// decision by hand).
///
/// # Safety
/// `entry` is NULL or live; `out_amount` is NULL or valid.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn concert_journal_entry_authorized_amount(
    entry: *const concert_journal_entry,
    out_amount: *mut u64,
) -> concert_result {
    guard(|| {
        // SAFETY: caller contract.
        let e = unsafe { borrow(entry) }?;
        // SAFETY: caller contract.
        let out_amount = unsafe { out(out_amount) }?;
        *out_amount = e
            .entry
            .authorized_amount
            .ok_or(concert_result::CONCERT_RESULT_ABSENT)?;
        Ok(())
    })
}

/// 1 when the terminal approved less than was asked (a partial approval:
/// the rest is still to be collected), else 0 (0 for NULL).
///
/// # Safety
/// `entry` is NULL or live.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn concert_journal_entry_partial(entry: *const concert_journal_entry) -> u32 {
    read(entry, 0, |e| u32::from(e.entry.is_partial()))
}

/// Where the terminal is (`host:port` or the serial path); NULL for NULL.
/// Valid until the entry (or its list) is freed.
///
/// # Safety
/// `entry` is NULL or live.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn concert_journal_entry_terminal(
    entry: *const concert_journal_entry,
) -> *const c_char {
    read(entry, std::ptr::null(), |e| e.terminal.as_ptr())
}

/// The protocol name (`v2e+`, `v3:0300` …).
/// Valid until the entry (or its list) is freed.
///
/// # Safety
/// `entry` is NULL or live.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn concert_journal_entry_protocol(
    entry: *const concert_journal_entry,
) -> *const c_char {
    read(entry, std::ptr::null(), |e| e.protocol.as_ptr())
}

/// The operation name (`pay`, `refund` …).
/// Valid until the entry (or its list) is freed.
///
/// # Safety
/// `entry` is NULL or live.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn concert_journal_entry_operation(
    entry: *const concert_journal_entry,
) -> *const c_char {
    read(entry, std::ptr::null(), |e| e.operation.as_ptr())
}

/// The ISO 4217 alphabetic currency, or NULL.
/// Valid until the entry (or its list) is freed.
///
/// # Safety
/// `entry` is NULL or live.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn concert_journal_entry_currency(
    entry: *const concert_journal_entry,
) -> *const c_char {
    read(entry, std::ptr::null(), |e| ptr_or_null(&e.currency))
}

/// The merchant reference sent as private data, or NULL.
/// Valid until the entry (or its list) is freed.
///
/// # Safety
/// `entry` is NULL or live.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn concert_journal_entry_reference(
    entry: *const concert_journal_entry,
) -> *const c_char {
    read(entry, std::ptr::null(), |e| ptr_or_null(&e.reference))
}

/// The terminal's reason, or why it is in doubt; NULL when none.
/// Valid until the entry (or its list) is freed.
///
/// # Safety
/// `entry` is NULL or live.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn concert_journal_entry_reason(
    entry: *const concert_journal_entry,
) -> *const c_char {
    read(entry, std::ptr::null(), |e| ptr_or_null(&e.reason))
}

/// The card number, masked, or NULL.
/// Valid until the entry (or its list) is freed.
///
/// # Safety
/// `entry` is NULL or live.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn concert_journal_entry_card_number(
    entry: *const concert_journal_entry,
) -> *const c_char {
    read(entry, std::ptr::null(), |e| ptr_or_null(&e.card_number))
}

/// The authorisation number, or NULL.
/// Valid until the entry (or its list) is freed.
///
/// # Safety
/// `entry` is NULL or live.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn concert_journal_entry_authorization_number(
    entry: *const concert_journal_entry,
) -> *const c_char {
    read(entry, std::ptr::null(), |e| {
        ptr_or_null(&e.authorization_number)
    })
}

/// Why it was in doubt (kept after a resolution), or NULL.
/// Valid until the entry (or its list) is freed.
///
/// # Safety
/// `entry` is NULL or live.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn concert_journal_entry_in_doubt_cause(
    entry: *const concert_journal_entry,
) -> *const c_char {
    read(entry, std::ptr::null(), |e| ptr_or_null(&e.in_doubt_cause))
}

/// The whole entry with its history as one JSON object (what
/// `concert journal show --json` prints).
/// Valid until the entry (or its list) is freed.
///
/// # Safety
/// `entry` is NULL or live.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn concert_journal_entry_json(
    entry: *const concert_journal_entry,
) -> *const c_char {
    read(entry, std::ptr::null(), |e| e.json.as_ptr())
}

/// How many history rows (resolutions) the entry has.
///
/// # Safety
/// `entry` is NULL or live.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn concert_journal_entry_resolution_count(
    entry: *const concert_journal_entry,
) -> usize {
    read(entry, 0, |e| e.entry.resolutions.len())
}

/// History row `index`: its `concert_resolution_method` into `*out_method`,
/// its time (ms since the Unix epoch) into `*out_time_ms`, and its note
/// (valid until the entry is freed) into `*out_note`.
/// `CONCERT_RESULT_ABSENT` past the end.
///
/// # Safety
/// `entry` is NULL or live; the out-pointers are NULL or valid.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn concert_journal_entry_resolution(
    entry: *const concert_journal_entry,
    index: usize,
    out_method: *mut u32,
    out_time_ms: *mut i64,
    out_note: *mut *const c_char,
) -> concert_result {
    guard(|| {
        // SAFETY: caller contract.
        let e = unsafe { borrow(entry) }?;
        // SAFETY: caller contract.
        let (out_method, out_time_ms, out_note) =
            unsafe { (out(out_method)?, out(out_time_ms)?, out(out_note)?) };
        let r = e
            .entry
            .resolutions
            .get(index)
            .ok_or(concert_result::CONCERT_RESULT_ABSENT)?;
        *out_method = (match r.method {
            Method::Interrupted => concert_resolution_method::CONCERT_RESOLUTION_INTERRUPTED,
            Method::StatusRequest => concert_resolution_method::CONCERT_RESOLUTION_STATUS_REQUEST,
            Method::LateAnswer => concert_resolution_method::CONCERT_RESOLUTION_LATE_ANSWER,
            Method::ByHand => concert_resolution_method::CONCERT_RESOLUTION_BY_HAND,
        }) as u32;
        *out_time_ms = r.time_ms;
        *out_note = e.notes[index].as_ptr();
        Ok(())
    })
}
