//! Transactions in the background: `Terminal.submit` and the handle it
//! returns. Callbacks run on the core's own thread, attached to Python only
//! for the call; an exception they raise goes to `sys.unraisablehook`.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use concert_core::terminal::{CancelToken, Error, Event, Outcome};
use pyo3::prelude::*;

use crate::errors::core_error;
use crate::outcome::{PyEvent, PyOutcome};

/// A result for Python: an `Outcome`, or the exception instance of an error.
pub fn result_object(py: Python<'_>, result: Result<Outcome, Error>) -> PyResult<Py<PyAny>> {
    match result {
        Ok(outcome) => Ok(Py::new(py, PyOutcome { inner: outcome })?.into_any()),
        Err(error) => Ok(core_error(py, &error).into_value(py).into_any()),
    }
}

/// Calls `callback(argument)` from a core thread. Nothing happens once the
/// interpreter is shutting down.
pub fn call_back(callback: &Py<PyAny>, argument: impl FnOnce(Python<'_>) -> PyResult<Py<PyAny>>) {
    Python::try_attach(|py| {
        let called = argument(py).and_then(|arg| callback.call1(py, (arg,)));
        if let Err(e) = called {
            e.write_unraisable(py, Some(callback.bind(py)));
        }
    });
}

/// An `on_event` callback for the core, when Python gave one.
pub fn event_callback(on_event: Option<Py<PyAny>>) -> impl FnMut(Event) + Send + 'static {
    move |event| {
        if let Some(callback) = &on_event {
            call_back(callback, |py| {
                Ok(Py::new(py, PyEvent { inner: event })?.into_any())
            });
        }
    }
}

/// A transaction running on the core's thread (from `Terminal.submit`).
#[pyclass(name = "Transaction", module = "concert_tpe", frozen)]
pub struct PyTransaction {
    pub(crate) cancel: CancelToken,
    pub(crate) operation: &'static str,
    pub(crate) done: Arc<AtomicBool>,
}

#[pymethods]
impl PyTransaction {
    /// Asks the transaction to stop. Before the request left, the callback
    /// gets `RequestCancelledError` (safe to retry); after, an `Outcome` in
    /// doubt (or the terminal's answer, if it came first).
    fn cancel(&self) {
        self.cancel.cancel();
    }

    /// Whether `cancel()` was called.
    #[getter]
    fn cancelled(&self) -> bool {
        self.cancel.is_cancelled()
    }

    /// Whether the callback has been given the result.
    #[getter]
    fn done(&self) -> bool {
        self.done.load(Ordering::SeqCst)
    }

    /// The operation (`pay`, `refund` …).
    #[getter]
    fn operation(&self) -> &'static str {
        self.operation
    }

    fn __repr__(&self) -> String {
        let state = if self.done() {
            "done"
        } else if self.cancelled() {
            "cancelling"
        } else {
            "running"
        };
        format!("<Transaction {} {state}>", self.operation)
    }
}
