//! Failures as the exceptions of `concert_tpe._errors` (written in Python,
//! where multiple inheritance is plain: `InvalidRequestError` is also a
//! `ValueError`, `ConnectionFailedError` also a `ConnectionError`). The
//! code and its safe-to-retry flag come from the core's one table.

use concert_core::codes::ErrorCode;
use concert_core::terminal::Error;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::PyType;

/// An exception class of `concert_tpe._errors`, looked up once.
fn class<'py>(py: Python<'py>, name: &'static str) -> PyResult<Bound<'py, PyType>> {
    static MODULE: PyOnceLock<Py<PyModule>> = PyOnceLock::new();
    let module =
        MODULE.get_or_try_init(py, || py.import("concert_tpe._errors").map(Bound::unbind))?;
    module
        .bind(py)
        .getattr(name)?
        .cast_into()
        .map_err(Into::into)
}

/// The exception class for a code of the table.
fn class_name(code: ErrorCode) -> &'static str {
    match code {
        ErrorCode::InvalidRequest => "InvalidRequestError",
        ErrorCode::Config => "ConfigError",
        ErrorCode::Busy => "BusyError",
        ErrorCode::Connect | ErrorCode::Port | ErrorCode::NotDelivered => "ConnectionFailedError",
        ErrorCode::Cancelled => "RequestCancelledError",
        ErrorCode::Closed => "ClosedError",
        ErrorCode::Decode => "DecodeError",
        ErrorCode::Ports => "PortsError",
        ErrorCode::Simulator => "SimulatorError",
        ErrorCode::Journal => "JournalError",
        // A code the table gains later is still a concert_tpe.Error.
        _ => "Error",
    }
}

/// The exception for `code` with `message`, or the failure to build it.
pub fn new_error(py: Python<'_>, code: ErrorCode, message: impl Into<String>) -> PyErr {
    match class(py, class_name(code))
        .and_then(|cls| cls.call1((message.into(), code.code(), code.safe_to_retry())))
    {
        Ok(instance) => PyErr::from_value(instance),
        Err(e) => e,
    }
}

/// The exception `class(message, code, safe_to_retry)` for a code outside
/// the core's table (the journal's finer codes).
pub fn new_error_named(
    py: Python<'_>,
    class_name: &'static str,
    message: String,
    code: &str,
    safe_to_retry: bool,
) -> PyErr {
    match class(py, class_name).and_then(|cls| cls.call1((message, code, safe_to_retry))) {
        Ok(instance) => PyErr::from_value(instance),
        Err(e) => e,
    }
}

/// An invalid request found on the Python side (amount type, option …).
pub fn invalid_request(message: impl Into<String>) -> PyErr {
    Python::attach(|py| new_error(py, ErrorCode::InvalidRequest, message))
}

/// An invalid terminal or simulator setting.
pub fn config_error(message: impl Into<String>) -> PyErr {
    Python::attach(|py| new_error(py, ErrorCode::Config, message))
}

/// A core error (always safe to retry) as a Python exception.
pub fn core_error(py: Python<'_>, error: &Error) -> PyErr {
    new_error(py, error.kind(), error.to_string())
}

/// `core_error` for `?` where only the error is at hand.
pub fn to_py(error: Error) -> PyErr {
    Python::attach(|py| core_error(py, &error))
}
