//! Core failures as the exceptions of `concert_tpe._errors` (written in Python,
//! where multiple inheritance is plain: `InvalidRequestError` is also a
//! `ValueError`, `ConnectionFailedError` also a `ConnectionError`).

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

/// The exception `name(message, code)`, or the failure to build it.
pub fn new_error(py: Python<'_>, name: &'static str, message: String, code: &str) -> PyErr {
    match class(py, name).and_then(|cls| cls.call1((message, code))) {
        Ok(instance) => PyErr::from_value(instance),
        Err(e) => e,
    }
}

/// An invalid request found on the Python side (amount type, option …).
pub fn invalid_request(message: impl Into<String>) -> PyErr {
    Python::attach(|py| {
        new_error(
            py,
            "InvalidRequestError",
            message.into(),
            "CONCERT_INVALID_REQUEST",
        )
    })
}

/// An invalid terminal or simulator setting.
pub fn config_error(message: impl Into<String>) -> PyErr {
    Python::attach(|py| new_error(py, "ConfigError", message.into(), "CONCERT_CONFIG"))
}

/// The exception class for a core error code.
fn class_name(error: &Error) -> &'static str {
    match error {
        Error::InvalidRequest(_) => "InvalidRequestError",
        Error::Config(_) => "ConfigError",
        Error::Busy => "BusyError",
        Error::Connect { .. } | Error::PortOpen { .. } | Error::NotDelivered(_) => {
            "ConnectionFailedError"
        }
        Error::Cancelled => "RequestCancelledError",
        Error::Journal(_) => "JournalError",
        // The core's error type may grow: a new kind is still a concert_tpe.Error.
        #[allow(unreachable_patterns)]
        _ => "Error",
    }
}

/// A core error (always safe to retry) as a Python exception.
pub fn core_error(py: Python<'_>, error: &Error) -> PyErr {
    new_error(py, class_name(error), error.to_string(), error.code())
}

/// `core_error` for `?` where only the error is at hand.
pub fn to_py(error: Error) -> PyErr {
    Python::attach(|py| core_error(py, &error))
}
