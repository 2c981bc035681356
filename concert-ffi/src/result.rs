//! Result codes: what every fallible function returns. A code's number is
//! part of the ABI: never renumber one, reserve retired ones.

use std::ffi::c_char;

use concert_core::codes::ErrorCode;
use concert_core::terminal::Error;

use crate::guard::guard_or;

/// What a call did. `CONCERT_RESULT_OK` is 0; every other value is a
/// failure whose detail is in the handle's `*_last_error` message.
///
/// Codes 100–199 mirror `concert_core::terminal::Error`: nothing reached
/// the terminal, so the request is **safe to retry**. A request whose fate
/// is unknown is never an error: it is an outcome with status
/// `CONCERT_STATUS_IN_DOUBT`.
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum concert_result {
    /// Success.
    CONCERT_RESULT_OK = 0,
    /// A required pointer argument was NULL.
    CONCERT_RESULT_NULL_ARGUMENT = 1,
    /// An argument is out of range (an enum or boolean value, a port, a
    /// name the library does not know).
    CONCERT_RESULT_INVALID_ARGUMENT = 2,
    /// A string argument is not valid UTF-8.
    CONCERT_RESULT_INVALID_UTF8 = 3,
    /// The caller's buffer is too small: what fits was written
    /// (NUL-terminated) and `*out_n` holds the full length.
    CONCERT_RESULT_BUFFER_TOO_SMALL = 4,
    /// A bug inside the library was caught at the boundary; the handle is
    /// still usable, the call did nothing that can be relied on.
    CONCERT_RESULT_PANIC = 5,
    /// The value asked for is absent (an optional outcome field, an index
    /// past the end, an outcome already taken).
    CONCERT_RESULT_ABSENT = 6,
    /// No event arrived within the time-out given to
    /// `concert_terminal_next_event`.
    CONCERT_RESULT_TIMEOUT = 7,
    /// `concert_terminal_next_event` was called with no polled transaction
    /// running and no event left to read.
    CONCERT_RESULT_IDLE = 8,
    /// The request is invalid (amount, currency, field too long, ...).
    CONCERT_RESULT_INVALID_REQUEST = 100,
    /// The terminal configuration is invalid.
    CONCERT_RESULT_CONFIG = 101,
    /// Another transaction is running on this terminal.
    CONCERT_RESULT_BUSY = 102,
    /// The TCP connection could not be made.
    CONCERT_RESULT_CONNECT = 103,
    /// The serial port could not be opened.
    CONCERT_RESULT_PORT = 104,
    /// The terminal never took the request.
    CONCERT_RESULT_NOT_DELIVERED = 105,
    /// Cancelled before the request left this machine.
    CONCERT_RESULT_CANCELLED = 106,
    /// The terminal's journal could not record the request (read-only
    /// file, full disk, ...), so it was not sent.
    CONCERT_RESULT_JOURNAL = 107,
    /// The simulator could not start (address in use, no pty, bad setting).
    CONCERT_RESULT_SIMULATOR = 200,
    /// The journal file is not a readable journal (corrupt, truncated, or
    /// another program's); it is left untouched, never recreated.
    CONCERT_RESULT_JOURNAL_CORRUPT = 300,
    /// The journal file or its folder cannot be written.
    CONCERT_RESULT_JOURNAL_READ_ONLY = 301,
    /// The disk holding the journal is full.
    CONCERT_RESULT_JOURNAL_DISK_FULL = 302,
    /// Any other failure reading or writing the journal file.
    CONCERT_RESULT_JOURNAL_STORAGE = 303,
    /// No journal entry has this number.
    CONCERT_RESULT_JOURNAL_NO_SUCH_ENTRY = 304,
    /// The journal entry is not in doubt: nothing to resolve.
    CONCERT_RESULT_JOURNAL_NOT_IN_DOUBT = 305,
    /// The entry was sent over V2, which has no status request: check the
    /// terminal's receipt or journal, then resolve it by hand.
    CONCERT_RESULT_JOURNAL_NEEDS_OPERATOR = 306,
}

impl concert_result {
    /// The stable upper-case name, as printed by `concert_result_str`.
    pub fn name(self) -> &'static str {
        let bytes = self.c_name();
        std::str::from_utf8(&bytes[..bytes.len() - 1]).unwrap_or("CONCERT_RESULT_UNKNOWN")
    }

    /// The code for a core error (all of them safe to retry).
    pub fn from_error(error: &Error) -> concert_result {
        concert_result::from_code(error.kind())
    }

    /// The C code of an entry of the core's error table. Codes no C call
    /// can return (closed, decode, ports, usage, runtime) have no number of
    /// their own and come out as `CONCERT_RESULT_INVALID_ARGUMENT`.
    pub fn from_code(code: ErrorCode) -> concert_result {
        match code {
            ErrorCode::InvalidRequest => concert_result::CONCERT_RESULT_INVALID_REQUEST,
            ErrorCode::Config => concert_result::CONCERT_RESULT_CONFIG,
            ErrorCode::Busy => concert_result::CONCERT_RESULT_BUSY,
            ErrorCode::Connect => concert_result::CONCERT_RESULT_CONNECT,
            ErrorCode::Port => concert_result::CONCERT_RESULT_PORT,
            ErrorCode::NotDelivered => concert_result::CONCERT_RESULT_NOT_DELIVERED,
            ErrorCode::Cancelled => concert_result::CONCERT_RESULT_CANCELLED,
            ErrorCode::Simulator => concert_result::CONCERT_RESULT_SIMULATOR,
            ErrorCode::Journal => concert_result::CONCERT_RESULT_JOURNAL,
            _ => concert_result::CONCERT_RESULT_INVALID_ARGUMENT,
        }
    }

    /// The core table's entry for this code, if it has one.
    pub fn code(self) -> Option<ErrorCode> {
        ErrorCode::ALL.into_iter().find(|c| {
            concert_result::from_code(*c) == self
                && self != concert_result::CONCERT_RESULT_INVALID_ARGUMENT
        })
    }

    const ALL: [concert_result; 25] = [
        concert_result::CONCERT_RESULT_OK,
        concert_result::CONCERT_RESULT_NULL_ARGUMENT,
        concert_result::CONCERT_RESULT_INVALID_ARGUMENT,
        concert_result::CONCERT_RESULT_INVALID_UTF8,
        concert_result::CONCERT_RESULT_BUFFER_TOO_SMALL,
        concert_result::CONCERT_RESULT_PANIC,
        concert_result::CONCERT_RESULT_ABSENT,
        concert_result::CONCERT_RESULT_TIMEOUT,
        concert_result::CONCERT_RESULT_IDLE,
        concert_result::CONCERT_RESULT_INVALID_REQUEST,
        concert_result::CONCERT_RESULT_CONFIG,
        concert_result::CONCERT_RESULT_BUSY,
        concert_result::CONCERT_RESULT_CONNECT,
        concert_result::CONCERT_RESULT_PORT,
        concert_result::CONCERT_RESULT_NOT_DELIVERED,
        concert_result::CONCERT_RESULT_CANCELLED,
        concert_result::CONCERT_RESULT_JOURNAL,
        concert_result::CONCERT_RESULT_SIMULATOR,
        concert_result::CONCERT_RESULT_JOURNAL_CORRUPT,
        concert_result::CONCERT_RESULT_JOURNAL_READ_ONLY,
        concert_result::CONCERT_RESULT_JOURNAL_DISK_FULL,
        concert_result::CONCERT_RESULT_JOURNAL_STORAGE,
        concert_result::CONCERT_RESULT_JOURNAL_NO_SUCH_ENTRY,
        concert_result::CONCERT_RESULT_JOURNAL_NOT_IN_DOUBT,
        concert_result::CONCERT_RESULT_JOURNAL_NEEDS_OPERATOR,
    ];

    /// The NUL-terminated name, for `concert_result_str`.
    fn c_name(self) -> &'static [u8] {
        // One static NUL-terminated copy per name, built without allocation.
        macro_rules! c {
            ($($v:ident),*) => {
                match self { $(concert_result::$v => concat!(stringify!($v), "\0").as_bytes(),)* }
            };
        }
        c!(
            CONCERT_RESULT_OK,
            CONCERT_RESULT_NULL_ARGUMENT,
            CONCERT_RESULT_INVALID_ARGUMENT,
            CONCERT_RESULT_INVALID_UTF8,
            CONCERT_RESULT_BUFFER_TOO_SMALL,
            CONCERT_RESULT_PANIC,
            CONCERT_RESULT_ABSENT,
            CONCERT_RESULT_TIMEOUT,
            CONCERT_RESULT_IDLE,
            CONCERT_RESULT_INVALID_REQUEST,
            CONCERT_RESULT_CONFIG,
            CONCERT_RESULT_BUSY,
            CONCERT_RESULT_CONNECT,
            CONCERT_RESULT_PORT,
            CONCERT_RESULT_NOT_DELIVERED,
            CONCERT_RESULT_CANCELLED,
            CONCERT_RESULT_JOURNAL,
            CONCERT_RESULT_SIMULATOR,
            CONCERT_RESULT_JOURNAL_CORRUPT,
            CONCERT_RESULT_JOURNAL_READ_ONLY,
            CONCERT_RESULT_JOURNAL_DISK_FULL,
            CONCERT_RESULT_JOURNAL_STORAGE,
            CONCERT_RESULT_JOURNAL_NO_SUCH_ENTRY,
            CONCERT_RESULT_JOURNAL_NOT_IN_DOUBT,
            CONCERT_RESULT_JOURNAL_NEEDS_OPERATOR
        )
    }
}

impl TryFrom<u32> for concert_result {
    type Error = u32;

    fn try_from(value: u32) -> Result<Self, u32> {
        concert_result::ALL
            .into_iter()
            .find(|r| *r as u32 == value)
            .ok_or(value)
    }
}

/// The name of a result code, such as `"CONCERT_RESULT_BUSY"`, as a static
/// NUL-terminated string (never to be freed); `"CONCERT_RESULT_UNKNOWN"`
/// for a number that is not a code. Any thread.
#[unsafe(no_mangle)]
pub extern "C" fn concert_result_str(code: u32) -> *const c_char {
    guard_or(
        c"CONCERT_RESULT_UNKNOWN".as_ptr(),
        || match concert_result::try_from(code) {
            Ok(r) => r.c_name().as_ptr().cast(),
            Err(_) => c"CONCERT_RESULT_UNKNOWN".as_ptr(),
        },
    )
}

/// Whether a failed call may simply be tried again, as the core's one
/// table of error codes says: 1 for the codes of that table (100–199,
/// nothing reached the terminal, and `CONCERT_RESULT_SIMULATOR`), 0 for
/// the C-only codes (1–8) and numbers that are not codes. Any thread.
#[unsafe(no_mangle)]
pub extern "C" fn concert_result_is_safe_to_retry(code: u32) -> u32 {
    guard_or(0, || {
        u32::from(
            concert_result::try_from(code)
                .ok()
                .and_then(concert_result::code)
                .is_some_and(ErrorCode::safe_to_retry),
        )
    })
}

/// The code every language shows for a result (`"CONCERT_BUSY"` for
/// `CONCERT_RESULT_BUSY`, the same string as Python's `Error.code`, Node's
/// `error.code` and the command line's JSON), as a static NUL-terminated
/// string (never to be freed); NULL for `CONCERT_RESULT_OK`, the C-only
/// codes (1–8) and numbers that are not codes. Any thread.
#[unsafe(no_mangle)]
pub extern "C" fn concert_result_code(code: u32) -> *const c_char {
    guard_or(std::ptr::null(), || {
        concert_result::try_from(code)
            .ok()
            .and_then(concert_result::code)
            .map_or(std::ptr::null(), |c| {
                crate::text::static_c(c.code()).as_ptr()
            })
    })
}
