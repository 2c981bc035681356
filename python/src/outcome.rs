//! `concert_tpe.Outcome` (what came of a request, `in_doubt` included) and
//! `concert_tpe.Event` (progress of a running one).

use concert_core::terminal::{Event, LateAnswer, Outcome, Status};
use concert_core::v3::ReceiptCopy;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyBytes, PyDict, PyType};

/// The Python `concert_tpe.Status` member for a status.
pub fn status<'py>(py: Python<'py>, status: Status) -> PyResult<Bound<'py, PyAny>> {
    static STATUS: PyOnceLock<Py<PyType>> = PyOnceLock::new();
    STATUS
        .import(py, "concert_tpe._types", "Status")?
        .call1((status.as_str(),))
}

/// What came of a request: approved, declined, aborted, not performed,
/// pending, or in doubt (sent, but no valid answer). Card numbers are masked.
#[pyclass(name = "Outcome", module = "concert_tpe", frozen)]
pub struct PyOutcome {
    pub(crate) inner: Outcome,
}

#[pymethods]
impl PyOutcome {
    /// A `concert_tpe.Status` member.
    #[getter]
    fn status<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        status(py, self.inner.status)
    }

    /// True when the operation went through.
    #[getter]
    fn approved(&self) -> bool {
        self.inner.status == Status::Approved
    }

    /// True when nobody knows whether money moved: ask `status()` before
    /// retrying, never treat it as declined.
    #[getter]
    fn in_doubt(&self) -> bool {
        self.inner.status == Status::InDoubt
    }

    /// The number of the journal entry recording this transaction, when
    /// the terminal has a journal.
    #[getter]
    fn journal_entry(&self) -> Option<i64> {
        self.inner.journal_entry.map(|e| e.0)
    }

    /// The operation asked for (`pay`, `refund` …).
    #[getter]
    fn operation(&self) -> &'static str {
        self.inner.operation.name()
    }

    /// V3 version the terminal answered with.
    #[getter]
    fn protocol_version(&self) -> Option<String> {
        self.inner.protocol_version.clone()
    }

    /// V3 `AF` code or V2 status character.
    #[getter]
    fn reason_code(&self) -> Option<String> {
        self.inner.reason_code.clone()
    }

    /// The reason in words.
    #[getter]
    fn reason(&self) -> String {
        self.inner.reason.clone()
    }

    /// The whole `AF` value.
    #[getter]
    fn reason_detail(&self) -> Option<String> {
        self.inner.reason_detail.clone()
    }

    /// Amount the terminal reports, in minor units.
    #[getter]
    fn amount(&self) -> Option<u64> {
        self.inner.amount
    }

    /// Amount asked for, in minor units.
    #[getter]
    fn requested_amount(&self) -> Option<u64> {
        self.inner.requested_amount
    }

    /// Approved for less than asked (V3 partial payment): `amount` is what
    /// was paid, the rest is still to be collected. Check it on every
    /// approval.
    #[getter]
    fn partial(&self) -> bool {
        self.inner.partial
    }

    /// Answers to earlier requests that came late, handed over with this
    /// outcome.
    #[getter]
    fn late_answers(&self, py: Python<'_>) -> PyResult<Vec<Py<PyLateAnswer>>> {
        late_answers(py, self.inner.late_answers.clone())
    }

    /// ISO 4217 alphabetic code.
    #[getter]
    fn currency(&self) -> Option<&'static str> {
        self.inner.currency.map(|c| c.alpha())
    }

    /// Card number, masked (`497010######7894`).
    #[getter]
    fn card_number(&self) -> Option<String> {
        self.inner.card_number.clone()
    }

    /// Card expiry `YYMM`.
    #[getter]
    fn expiry(&self) -> Option<String> {
        self.inner.expiry.clone()
    }

    /// Card application identifier.
    #[getter]
    fn aid(&self) -> Option<String> {
        self.inner.aid.clone()
    }

    /// Application used: V3 `CC` code or V2 payment mode.
    #[getter]
    fn application(&self) -> Option<String> {
        self.inner.application.as_ref().map(|a| a.code.clone())
    }

    /// Its label, when known.
    #[getter]
    fn application_label(&self) -> Option<&'static str> {
        self.inner.application.as_ref().and_then(|a| a.label)
    }

    /// How the card was read (`contact`, `contactless` …).
    #[getter]
    fn read_mode(&self) -> Option<&'static str> {
        self.inner.read_mode.map(|m| m.text())
    }

    /// Authorisation number.
    #[getter]
    fn authorization_number(&self) -> Option<String> {
        self.inner.authorization_number.clone()
    }

    /// Merchant contract number.
    #[getter]
    fn contract(&self) -> Option<String> {
        self.inner.contract.clone()
    }

    /// Private data echoed.
    #[getter]
    fn private_data(&self) -> Option<String> {
        self.inner.private_data.clone()
    }

    /// Ticket text, when one was asked for and sent.
    #[getter]
    fn receipt(&self) -> Option<String> {
        self.inner.receipt.as_ref().map(|r| r.text.clone())
    }

    /// Every ticket's text, in order: one per copy when the terminal sends
    /// the customer's and the merchant's apart.
    #[getter]
    fn receipts(&self) -> Vec<String> {
        self.inner.receipts.iter().map(|r| r.text.clone()).collect()
    }

    /// Ticket format: `text` or `html`.
    #[getter]
    fn receipt_format(&self) -> Option<&'static str> {
        self.inner.receipt.as_ref().map(|r| r.format.name())
    }

    /// Ticket copy: `customer`, `merchant` or `both`.
    #[getter]
    fn receipt_copy(&self) -> Option<&'static str> {
        self.inner
            .receipt
            .as_ref()
            .and_then(|r| r.copy)
            .map(ReceiptCopy::name)
    }

    /// Echoed fields that differ from the request: `(field, sent, received)`.
    #[getter]
    fn echo_mismatches(&self) -> Vec<(&'static str, String, String)> {
        self.inner
            .echo_mismatches
            .iter()
            .map(|m| (m.field, m.sent.clone(), m.received.clone()))
            .collect()
    }

    /// Every record received, in wire order, as `(tag, value)` pairs (V3
    /// tag or V2 field), masked; a repeated tag appears each time, as in
    /// `Decoded.records`.
    #[getter]
    fn records(&self) -> Vec<(String, String)> {
        self.inner.records.clone()
    }

    /// The answer as received, masked; kept even when not understood.
    #[getter]
    fn raw_answer<'py>(&self, py: Python<'py>) -> Option<Bound<'py, PyBytes>> {
        self.inner.raw_answer.as_ref().map(|b| PyBytes::new(py, b))
    }

    /// Why the outcome is in doubt.
    #[getter]
    fn in_doubt_cause(&self) -> Option<String> {
        self.inner.in_doubt_cause.clone()
    }

    /// Bytes on the wire, masked: `(direction, bytes)` with direction
    /// `"sent"` or `"received"`.
    #[getter]
    fn frames<'py>(&self, py: Python<'py>) -> Vec<(&'static str, Bound<'py, PyBytes>)> {
        self.inner
            .frames
            .iter()
            .map(|f| (f.direction.name(), PyBytes::new(py, &f.bytes)))
            .collect()
    }

    /// Every attribute in a dict of plain values, ready for JSON: status as
    /// its string, records as `[tag, value]` lists, bytes as hex, frames as `{"direction", "hex"}` and echo
    /// mismatches as `{"field", "sent", "received"}`.
    fn to_dict<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyDict>> {
        let py = slf.py();
        let this = slf.get();
        let dict = PyDict::new(py);
        dict.set_item("status", this.inner.status.as_str())?;
        for name in [
            "operation",
            "protocol_version",
            "reason_code",
            "reason",
            "reason_detail",
            "amount",
            "requested_amount",
            "partial",
            "currency",
            "card_number",
            "expiry",
            "aid",
            "application",
            "application_label",
            "read_mode",
            "authorization_number",
            "contract",
            "private_data",
            "receipt",
            "receipts",
            "receipt_format",
            "receipt_copy",
            "in_doubt_cause",
        ] {
            dict.set_item(name, slf.getattr(name)?)?;
        }
        let records: Vec<[&str; 2]> = this
            .inner
            .records
            .iter()
            .map(|(tag, value)| [tag.as_str(), value.as_str()])
            .collect();
        dict.set_item("records", records)?;
        let mismatches = this
            .inner
            .echo_mismatches
            .iter()
            .map(|m| {
                let d = PyDict::new(py);
                d.set_item("field", m.field)?;
                d.set_item("sent", &m.sent)?;
                d.set_item("received", &m.received)?;
                Ok(d)
            })
            .collect::<PyResult<Vec<_>>>()?;
        dict.set_item("echo_mismatches", mismatches)?;
        let hex = |b: &[u8]| b.iter().map(|x| format!("{x:02x}")).collect::<String>();
        dict.set_item("raw_answer", this.inner.raw_answer.as_deref().map(hex))?;
        let frames = this
            .inner
            .frames
            .iter()
            .map(|f| {
                let d = PyDict::new(py);
                d.set_item("direction", f.direction.name())?;
                d.set_item("hex", hex(&f.bytes))?;
                Ok(d)
            })
            .collect::<PyResult<Vec<_>>>()?;
        dict.set_item("frames", frames)?;
        Ok(dict)
    }

    fn __repr__(&self) -> String {
        let o = &self.inner;
        let mut text = format!("<Outcome {} {}", o.operation.name(), o.status.as_str());
        if let Some(amount) = o.amount.or(o.requested_amount) {
            let currency = o.currency.map_or("", |c| c.alpha());
            text.push_str(&format!(" amount={amount} {currency}"));
        }
        if let Some(card) = &o.card_number {
            text.push_str(&format!(" card={card}"));
        }
        if let Some(code) = &o.reason_code {
            text.push_str(&format!(" reason_code={code:?}"));
        }
        if !o.reason.is_empty() {
            text.push_str(&format!(" reason={:?}", o.reason));
        }
        text.push('>');
        text
    }
}

/// An answer that came after its transaction's outcome (serial): the
/// answer read against the request it most likely answers, its bytes
/// (card number masked) and when it came. Handed over once: on the next
/// outcome's `late_answers`, or by `Terminal.take_late_answers()`.
#[pyclass(name = "LateAnswer", module = "concert_tpe", frozen)]
pub struct PyLateAnswer {
    pub(crate) inner: LateAnswer,
}

/// Late answers as Python objects.
pub fn late_answers(py: Python<'_>, late: Vec<LateAnswer>) -> PyResult<Vec<Py<PyLateAnswer>>> {
    late.into_iter()
        .map(|inner| Py::new(py, PyLateAnswer { inner }))
        .collect()
}

#[pymethods]
impl PyLateAnswer {
    /// The answer read as the answer to `operation`: its status, amount and
    /// echo mismatches say whether it is that request's.
    #[getter]
    fn outcome(&self, py: Python<'_>) -> PyResult<Py<PyOutcome>> {
        Py::new(
            py,
            PyOutcome {
                inner: self.inner.outcome.clone(),
            },
        )
    }

    /// The operation of the request it was read against (`pay` …), `None`
    /// if nothing had been sent yet.
    #[getter]
    fn operation(&self) -> Option<&'static str> {
        self.inner.request.as_ref().map(|r| r.operation.name())
    }

    /// The amount asked by that request, in minor units.
    #[getter]
    fn requested_amount(&self) -> Option<u64> {
        self.inner.request.as_ref().and_then(|r| r.amount)
    }

    /// The private data (merchant reference) that request carried.
    #[getter]
    fn private_data(&self) -> Option<String> {
        self.inner
            .request
            .as_ref()
            .and_then(|r| r.private_data.clone())
    }

    /// The payload as received, card number masked.
    #[getter]
    fn raw<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, &self.inner.raw)
    }

    /// When it came, in seconds since the Unix epoch (`time.time()` scale).
    #[getter]
    fn received_at(&self) -> f64 {
        self.inner
            .received_at
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0.0, |d| d.as_secs_f64())
    }

    fn __repr__(&self) -> String {
        format!(
            "<LateAnswer {} for {}>",
            self.inner.outcome.status.as_str(),
            self.operation().unwrap_or("nothing sent")
        )
    }
}

/// A step of a running request: `connecting`, `sent`, `acknowledged`,
/// `waiting_for_answer`, `answer_received`, `late_answer`, `done` (with its
/// status).
#[pyclass(name = "Event", module = "concert_tpe", frozen)]
pub struct PyEvent {
    pub(crate) inner: Event,
}

#[pymethods]
impl PyEvent {
    /// The step's kind: `connecting`, `sent`, `acknowledged`,
    /// `waiting_for_answer`, `answer_received`, `done`.
    #[getter]
    fn kind(&self) -> &'static str {
        self.inner.name()
    }

    /// The final status, on `done`.
    #[getter]
    fn status<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        match self.inner {
            Event::Done(s) => status(py, s).map(Some),
            _ => Ok(None),
        }
    }

    fn __repr__(&self) -> String {
        match self.inner {
            Event::Done(s) => format!("<Event done {}>", s.as_str()),
            e => format!("<Event {}>", e.name()),
        }
    }
}
