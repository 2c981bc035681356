//! Logs to the till: one process-wide callback that receives every record
//! of the library (level, target, message), as rustls-ffi hands its logs to
//! C. The core forwards its records (`concert_core::logs`), card numbers
//! already masked; this file only makes them C strings.

use std::cell::Cell;
use std::ffi::{CString, c_char, c_void};

use log::{LevelFilter, Record};

use crate::guard::guard;
use crate::result::concert_result;

/// How much a log record matters (`concert_log_params.level`), and the
/// most detailed level a callback wants (`concert_log_set_callback`).
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum concert_log_level {
    /// No records at all (as a maximum only).
    CONCERT_LOG_LEVEL_OFF = 0,
    /// Something failed.
    CONCERT_LOG_LEVEL_ERROR = 1,
    /// Something unexpected that the library handled (a damaged frame, an
    /// answer in doubt).
    CONCERT_LOG_LEVEL_WARN = 2,
    /// One line per transaction and its outcome.
    CONCERT_LOG_LEVEL_INFO = 3,
    /// Link-layer steps.
    CONCERT_LOG_LEVEL_DEBUG = 4,
    /// The wire trace (target `concert::wire`): every byte sent and
    /// received, hex and ASCII, card numbers masked.
    CONCERT_LOG_LEVEL_TRACE = 5,
}

/// One log record, valid during the callback only (copy what you keep).
#[repr(C)]
pub struct concert_log_params {
    /// A `concert_log_level` from ERROR (1) to TRACE (5).
    pub level: u32,
    /// Where it comes from, NUL-terminated: `concert_core::terminal::client`,
    /// `concert::wire` (the wire trace) …
    pub target: *const c_char,
    /// The message, NUL-terminated UTF-8, card numbers masked.
    pub message: *const c_char,
}

/// Receives log records: on whichever thread logs (the caller's, or one of
/// the library's worker threads), so it must be thread-safe and return
/// promptly. `params` and its strings are valid during the call only. It
/// must not call `concert_log_set_callback`; records made while it runs on
/// the same thread are dropped.
pub type concert_log_callback =
    Option<unsafe extern "C" fn(userdata: *mut c_void, params: *const concert_log_params)>;

/// The till's callback and userdata, carried to the logging threads.
#[derive(Clone, Copy)]
struct Callback {
    function: unsafe extern "C" fn(*mut c_void, *const concert_log_params),
    userdata: *mut c_void,
}

// SAFETY: the userdata pointer is only handed back to the till's callback,
// which the header documents as called from any thread; the library never
// reads or writes through it.
unsafe impl Send for Callback {}
// SAFETY: as for Send: the pointer is passed on, never dereferenced here.
unsafe impl Sync for Callback {}

thread_local! {
    /// This thread is inside the till's log callback.
    static IN_CALLBACK: Cell<bool> = const { Cell::new(false) };
}

/// A C string of `text`; an interior NUL (never from the core, but a
/// message may quote bytes) becomes U+FFFD.
fn c_text(text: &str) -> CString {
    CString::new(text.replace('\0', "\u{fffd}")).unwrap_or_default()
}

impl Callback {
    fn call(self, record: &Record<'_>) {
        if IN_CALLBACK.with(Cell::get) {
            return;
        }
        let target = c_text(record.target());
        let message = c_text(&record.args().to_string());
        let params = concert_log_params {
            // `log`'s own numbering (error 1 … trace 5) is the C enum's.
            level: record.level() as u32,
            target: target.as_ptr(),
            message: message.as_ptr(),
        };
        IN_CALLBACK.with(|c| c.set(true));
        // SAFETY: a valid callback with its own userdata, as the till
        // promised when setting it; `params` outlives the call.
        unsafe { (self.function)(self.userdata, &params) };
        IN_CALLBACK.with(|c| c.set(false));
    }
}

/// Sends the library's log records to `callback` (process-wide; NULL stops
/// them), with `userdata` as its first argument, for records at
/// `max_level` (a `concert_log_level`) and more important. Nothing is
/// logged until this is called. When this returns, the callback it
/// replaced is no longer running on any thread, so its userdata may be
/// released. `CONCERT_RESULT_INVALID_ARGUMENT` for a level out of range or
/// a call from inside the log callback. Any thread.
///
/// # Safety
/// `callback` is NULL or a function that may be called from any thread
/// with `userdata` until it is replaced.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn concert_log_set_callback(
    callback: concert_log_callback,
    userdata: *mut c_void,
    max_level: u32,
) -> concert_result {
    guard(|| {
        let max = match max_level {
            0 => LevelFilter::Off,
            1 => LevelFilter::Error,
            2 => LevelFilter::Warn,
            3 => LevelFilter::Info,
            4 => LevelFilter::Debug,
            5 => LevelFilter::Trace,
            _ => return Err(concert_result::CONCERT_RESULT_INVALID_ARGUMENT),
        };
        if IN_CALLBACK.with(Cell::get) {
            return Err(concert_result::CONCERT_RESULT_INVALID_ARGUMENT);
        }
        let sink = callback.map(|function| {
            let callback = Callback { function, userdata };
            Box::new(move |record: &Record<'_>| callback.call(record)) as concert_core::logs::Sink
        });
        concert_core::logs::forward(sink, max);
        Ok(())
    })
}
