//! `concert_tpe.Journal` (the crash-safe transaction journal) and
//! `concert_tpe.JournalEntry` (one transaction in it, with its history).

use std::sync::Arc;

use concert_journal::{Decision, Entry, ExportFormat, Journal, JournalError, ListFilter};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};

use concert_core::codes::ErrorCode;

use crate::errors::{core_error, new_error, new_error_named};
use crate::outcome::status;
use crate::terminal::PyTerminal;

/// A journal failure as `concert_tpe.JournalError` (or the terminal's own
/// error when asking it failed; `ValueError`s for bad arguments).
pub fn journal_error(py: Python<'_>, error: JournalError) -> PyErr {
    match error {
        JournalError::Terminal(e) => core_error(py, &e),
        JournalError::NoteRequired | JournalError::Invalid(_) => {
            new_error(py, ErrorCode::InvalidRequest, error.to_string())
        }
        e => new_error_named(py, "JournalError", e.to_string(), e.code(), true),
    }
}

/// A journal file, open. `Journal.open(path)`; a context manager that
/// closes it. Give it to `Terminal.tcp(..., journal=j)` so every
/// transaction is committed before its request leaves.
#[pyclass(name = "Journal", module = "concert_tpe", frozen)]
pub struct PyJournal {
    inner: std::sync::Mutex<Option<Arc<Journal>>>,
}

impl PyJournal {
    /// The open journal, or `JournalError` once closed.
    pub fn get(&self, py: Python<'_>) -> PyResult<Arc<Journal>> {
        self.inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
            .ok_or_else(|| {
                new_error_named(
                    py,
                    "JournalError",
                    "the journal is closed".into(),
                    ErrorCode::Journal.code(),
                    true,
                )
            })
    }
}

fn entry(py: Python<'_>, entry: Entry) -> PyResult<Py<PyJournalEntry>> {
    Py::new(py, PyJournalEntry { inner: entry })
}

fn entries(py: Python<'_>, list: Vec<Entry>) -> PyResult<Vec<Py<PyJournalEntry>>> {
    list.into_iter().map(|e| entry(py, e)).collect()
}

/// A date (`"2026-11-30"`, midnight UTC), an RFC 3339 time, or an int of
/// milliseconds since the Unix epoch.
fn when(py: Python<'_>, value: &Bound<'_, PyAny>) -> PyResult<i64> {
    if let Ok(ms) = value.extract::<i64>() {
        return Ok(ms);
    }
    let text: String = value.extract()?;
    concert_journal::parse_date(&text).map_err(|e| journal_error(py, e))
}

#[pymethods]
impl PyJournal {
    /// Opens the journal file at `path`, creating it when nothing is
    /// there. A file that is not a readable journal raises `JournalError`
    /// naming it (it is never recreated); so does one that cannot be
    /// written. Entries of a process that died mid-transaction become in
    /// doubt.
    #[staticmethod]
    fn open(py: Python<'_>, path: std::path::PathBuf) -> PyResult<PyJournal> {
        let journal = py
            .detach(|| Journal::open(&path))
            .map_err(|e| journal_error(py, e))?;
        Ok(PyJournal {
            inner: std::sync::Mutex::new(Some(Arc::new(journal))),
        })
    }

    /// Closes it (terminals given it keep it open until they go).
    fn close(&self) {
        self.inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .take();
    }

    fn __enter__(slf: Py<Self>) -> Py<Self> {
        slf
    }

    #[pyo3(signature = (*_args))]
    fn __exit__(&self, _args: &Bound<'_, pyo3::types::PyTuple>) {
        self.close();
    }

    /// The file.
    #[getter]
    fn path(&self, py: Python<'_>) -> PyResult<std::path::PathBuf> {
        Ok(self.get(py)?.path().to_path_buf())
    }

    /// The entries nobody knows the fate of, oldest first: what a till
    /// asks first after a restart.
    fn list_in_doubt(&self, py: Python<'_>) -> PyResult<Vec<Py<PyJournalEntry>>> {
        let journal = self.get(py)?;
        let list = py
            .detach(|| journal.list_in_doubt())
            .map_err(|e| journal_error(py, e))?;
        entries(py, list)
    }

    /// Every entry recorded since `since` (a date, an RFC 3339 time or
    /// ms since the epoch; all when None), oldest first.
    #[pyo3(signature = (since=None))]
    fn list(
        &self,
        py: Python<'_>,
        since: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Vec<Py<PyJournalEntry>>> {
        let since_ms = since.map(|s| when(py, s)).transpose()?;
        let journal = self.get(py)?;
        let list = py
            .detach(|| {
                journal.list(&ListFilter {
                    in_doubt: false,
                    since_ms,
                })
            })
            .map_err(|e| journal_error(py, e))?;
        entries(py, list)
    }

    /// One entry with its history.
    fn show(&self, py: Python<'_>, id: i64) -> PyResult<Py<PyJournalEntry>> {
        let journal = self.get(py)?;
        let found = py
            .detach(|| journal.show(id))
            .map_err(|e| journal_error(py, e))?;
        entry(py, found)
    }

    /// Asks `terminal` (V3) for its last transaction and settles in-doubt
    /// entry `id` when it is this entry's (reference, amount, currency,
    /// POS). Gives the entry as it now is: still `in_doubt` when the
    /// terminal's last transaction is another one (its answer is in the
    /// history). V2 raises `JournalError` (code
    /// `CONCERT_JOURNAL_NEEDS_OPERATOR`): resolve it by hand.
    fn resolve(
        &self,
        py: Python<'_>,
        id: i64,
        terminal: &Bound<'_, PyTerminal>,
    ) -> PyResult<Py<PyJournalEntry>> {
        let journal = self.get(py)?;
        let terminal = terminal.get().core().clone();
        let resolved = py
            .detach(|| journal.resolve(id, &terminal))
            .map_err(|e| journal_error(py, e))?;
        entry(py, resolved.entry)
    }

    /// `await journal.resolve_async(id, terminal)`: `resolve` without
    /// blocking the event loop.
    fn resolve_async<'py>(
        slf: &Bound<'py, Self>,
        id: i64,
        terminal: &Bound<'py, PyTerminal>,
    ) -> PyResult<Bound<'py, PyAny>> {
        slf.py()
            .import("concert_tpe._aio")?
            .getattr("resolve")?
            .call1((slf, id, terminal))
    }

    /// Records an operator's decision (`"approved"` or `"declined"`) on
    /// entry `id`, with a note saying what was checked: appended to its
    /// history, never overwriting it.
    fn resolve_by_hand(
        &self,
        py: Python<'_>,
        id: i64,
        decision: &str,
        note: &str,
    ) -> PyResult<Py<PyJournalEntry>> {
        let decision: Decision = decision.parse().map_err(|e| journal_error(py, e))?;
        let journal = self.get(py)?;
        let note = note.to_owned();
        let settled = py
            .detach(|| journal.resolve_by_hand(id, decision, &note))
            .map_err(|e| journal_error(py, e))?;
        entry(py, settled)
    }

    /// The entries since `since` (all when None) as CSV or JSON text.
    #[pyo3(signature = (format="csv", since=None))]
    fn export(
        &self,
        py: Python<'_>,
        format: &str,
        since: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<String> {
        let format: ExportFormat = format.parse().map_err(|e| journal_error(py, e))?;
        let since_ms = since.map(|s| when(py, s)).transpose()?;
        let journal = self.get(py)?;
        let mut out = Vec::new();
        py.detach(|| journal.export(since_ms, format, &mut out))
            .map_err(|e| journal_error(py, e))?;
        Ok(String::from_utf8_lossy(&out).into_owned())
    }

    /// Deletes settled entries recorded before `before` (a date, an RFC
    /// 3339 time or ms since the epoch); entries in doubt are kept. Gives
    /// how many were deleted.
    fn prune(&self, py: Python<'_>, before: &Bound<'_, PyAny>) -> PyResult<usize> {
        let before = when(py, before)?;
        let journal = self.get(py)?;
        py.detach(|| journal.prune(before))
            .map_err(|e| journal_error(py, e))
    }

    fn __repr__(&self, py: Python<'_>) -> String {
        match self.get(py) {
            Ok(j) => format!("<Journal {}>", j.path().display()),
            Err(_) => "<Journal closed>".into(),
        }
    }
}

/// One transaction in the journal, a snapshot: what was asked, where it
/// stands, and its history (`resolutions`, oldest first).
#[pyclass(name = "JournalEntry", module = "concert_tpe", frozen)]
pub struct PyJournalEntry {
    inner: Entry,
}

#[pymethods]
impl PyJournalEntry {
    /// Its number.
    #[getter]
    fn id(&self) -> i64 {
        self.inner.id
    }
    /// Recorded (before sending), ms since the Unix epoch, UTC.
    #[getter]
    fn created_ms(&self) -> i64 {
        self.inner.created_ms
    }
    /// `created_ms` as RFC 3339 text.
    #[getter]
    fn created(&self) -> String {
        self.inner.created()
    }
    /// Where the terminal is: `host:port` or the serial path.
    #[getter]
    fn terminal(&self) -> &str {
        &self.inner.terminal
    }
    /// Protocol name (`v2e+`, `v3:0300` …).
    #[getter]
    fn protocol(&self) -> &str {
        &self.inner.protocol
    }
    /// POS number.
    #[getter]
    fn pos_number(&self) -> u8 {
        self.inner.pos_number
    }
    /// Operation (`pay`, `refund` …).
    #[getter]
    fn operation(&self) -> &str {
        &self.inner.operation
    }
    /// Amount asked, minor units.
    #[getter]
    fn amount(&self) -> Option<u64> {
        self.inner.amount
    }
    /// ISO 4217 alphabetic currency.
    #[getter]
    fn currency(&self) -> Option<&str> {
        self.inner.currency.as_deref()
    }
    /// Merchant reference sent as private data.
    #[getter]
    fn reference(&self) -> Option<&str> {
        self.inner.reference.as_deref()
    }
    /// Whether the reference was generated.
    #[getter]
    fn reference_generated(&self) -> bool {
        self.inner.reference_generated
    }
    /// `sending`, `sent`, `outcome`, `in_doubt`, `not_sent` or `resolved`.
    #[getter]
    fn state(&self) -> &'static str {
        self.inner.state.as_str()
    }
    /// True while nobody knows whether money moved.
    #[getter]
    fn in_doubt(&self) -> bool {
        self.inner.is_in_doubt()
    }
    /// True when the terminal approved less than was asked (a partial
    /// approval): `authorized_amount` was paid, the rest is still due.
    #[getter]
    fn partial(&self) -> bool {
        self.inner.is_partial()
    }
    /// A `concert_tpe.Status` (the answer's or the latest resolution's), or None.
    #[getter]
    fn status<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        self.inner.status.map(|s| status(py, s)).transpose()
    }
    /// The terminal's reason, or why it is in doubt.
    #[getter]
    fn reason(&self) -> Option<&str> {
        self.inner.reason.as_deref()
    }
    /// Amount the terminal reports.
    #[getter]
    fn authorized_amount(&self) -> Option<u64> {
        self.inner.authorized_amount
    }
    /// Card number, masked.
    #[getter]
    fn card_number(&self) -> Option<&str> {
        self.inner.card_number.as_deref()
    }
    /// Authorisation number.
    #[getter]
    fn authorization_number(&self) -> Option<&str> {
        self.inner.authorization_number.as_deref()
    }
    /// Why it was in doubt (kept after a resolution).
    #[getter]
    fn in_doubt_cause(&self) -> Option<&str> {
        self.inner.in_doubt_cause.as_deref()
    }
    /// The history: dicts with `time_ms`, `method` (`interrupted`,
    /// `status_request`, `late_answer`, `by_hand`), `status` (a
    /// `concert_tpe.Status` or None while still in doubt), `note`, `evidence`.
    #[getter]
    fn resolutions<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let list = PyList::empty(py);
        for r in &self.inner.resolutions {
            let d = PyDict::new(py);
            d.set_item("time_ms", r.time_ms)?;
            d.set_item("method", r.method.as_str())?;
            d.set_item("status", r.status.map(|s| status(py, s)).transpose()?)?;
            d.set_item("note", &r.note)?;
            d.set_item("evidence", r.evidence.as_deref())?;
            list.append(d)?;
        }
        Ok(list)
    }
    /// The whole entry as JSON text.
    fn to_json(&self) -> String {
        serde_json::to_string(&self.inner).unwrap_or_default()
    }

    fn __repr__(&self) -> String {
        format!(
            "<JournalEntry {} {} {} {}>",
            self.inner.id,
            self.inner.operation,
            self.inner.state,
            self.inner.status.map_or("-", |s| s.as_str())
        )
    }
}
