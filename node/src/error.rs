//! Errors thrown to JavaScript carry a stable `code` (`CONCERT_BUSY`, …)
//! from the core's one table: napi-rs puts the error's status string
//! there, so the status is the code.

use concert_core::codes::ErrorCode;
use concert_core::terminal::Error as CoreError;
use napi_derive::napi;

/// A stable error code, the `code` property of the JavaScript error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Code(pub String);

impl AsRef<str> for Code {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl From<napi::Status> for Code {
    /// A failure inside napi-rs itself (a value of the wrong type reaching
    /// the native layer): the request never left, so it is an invalid request.
    fn from(_: napi::Status) -> Code {
        Code(ErrorCode::InvalidRequest.code().to_owned())
    }
}

/// Errors thrown by this module.
pub type Error = napi::Error<Code>;

/// Results of this module's exported functions.
pub type Result<T> = std::result::Result<T, Error>;

/// An error with the table's `code` and a message.
pub fn error(code: ErrorCode, message: impl ToString) -> Error {
    napi::Error::new(Code(code.code().to_owned()), message)
}

/// An error with a code outside the core's table (the journal's finer
/// codes, `CONCERT_JOURNAL_NO_SUCH_ENTRY` …).
pub fn error_named(code: &str, message: impl ToString) -> Error {
    napi::Error::new(Code(code.to_owned()), message)
}

/// An invalid request (bad value given by the caller).
pub fn invalid(message: impl ToString) -> Error {
    error(ErrorCode::InvalidRequest, message)
}

/// An invalid configuration.
pub fn config(message: impl ToString) -> Error {
    error(ErrorCode::Config, message)
}

/// A core error, with the core's own code.
pub fn from_core(e: &CoreError) -> Error {
    error(e.kind(), e)
}

/// One entry of the core's table of error codes.
#[napi(object, object_from_js = false)]
pub struct NativeErrorCode {
    /// `CONCERT_BUSY` …
    pub code: String,
    /// Whether the call may simply be made again (nothing reached a
    /// terminal).
    pub safe_to_retry: bool,
}

/// The core's table of error codes, for `lib/errors.js`.
#[napi]
pub fn native_error_codes() -> Vec<NativeErrorCode> {
    ErrorCode::ALL
        .iter()
        .map(|c| NativeErrorCode {
            code: c.code().to_owned(),
            safe_to_retry: c.safe_to_retry(),
        })
        .collect()
}
