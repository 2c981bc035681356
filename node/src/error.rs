//! Errors thrown to JavaScript carry a stable `code` (`CONCERT_BUSY`, …):
//! napi-rs puts the error's status string there, so the status is the code.

use concert_core::terminal::Error as CoreError;

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
        Code(INVALID_REQUEST.to_owned())
    }
}

/// Errors thrown by this module.
pub type Error = napi::Error<Code>;

/// Results of this module's exported functions.
pub type Result<T> = std::result::Result<T, Error>;

/// Code for a request the library refuses before sending anything.
pub const INVALID_REQUEST: &str = "CONCERT_INVALID_REQUEST";
/// Code for an unusable terminal configuration.
pub const CONFIG: &str = "CONCERT_CONFIG";
/// Code for a call on a closed terminal or simulator.
pub const CLOSED: &str = "CONCERT_CLOSED";
/// Code for a simulator that could not start.
pub const SIMULATOR: &str = "CONCERT_SIMULATOR";
/// Code for a failure listing serial ports.
pub const PORTS: &str = "CONCERT_PORTS";

/// An error with `code` and a message.
pub fn error(code: &str, message: impl ToString) -> Error {
    napi::Error::new(Code(code.to_owned()), message)
}

/// An invalid request (bad value given by the caller).
pub fn invalid(message: impl ToString) -> Error {
    error(INVALID_REQUEST, message)
}

/// An invalid configuration.
pub fn config(message: impl ToString) -> Error {
    error(CONFIG, message)
}

/// A core error, with the core's own code.
pub fn from_core(e: &CoreError) -> Error {
    error(e.code(), e)
}
