//! `concert_tpe.Terminal`: where the terminal is, how to speak to it, and the
//! transactions, blocking (GIL released), asynchronous and with callbacks.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use concert_core::terminal::{
    Connection, Operation, Parity, Protocol, Request, SerialLine, Terminal, TerminalConfig,
    encode_request,
};
use crossbeam_channel::RecvTimeoutError;
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyBytes, PyInt};

use crate::amount::{CurrencyArg, type_name};
use concert_core::currency::EUR;

use crate::errors::{config_error, core_error, to_py};
use crate::journal::PyJournal;
use crate::outcome::{PyEvent, PyLateAnswer, PyOutcome, late_answers};
use crate::request::{PyRequest, money_request};
use crate::transaction::{PyTransaction, call_back, event_callback, result_object};

/// How often a blocking call looks at signals (Ctrl-C) while it waits.
const SIGNAL_POLL: Duration = Duration::from_millis(100);

/// Seconds as a `Duration`, refused with `ConfigError` when not a positive,
/// finite number.
pub fn seconds(name: &str, value: f64) -> PyResult<Duration> {
    if !(value.is_finite() && value > 0.0) {
        return Err(config_error(format!(
            "{name} must be a positive number of seconds, not {value}"
        )));
    }
    // The core's one ceiling (a day): an absurd value is refused here,
    // before anything is sent.
    concert_core::duration::from_secs_f64("value", value)
        .map_err(|e| config_error(format!("{name}: {e}")))
}

fn protocol(name: &str) -> PyResult<Protocol> {
    name.parse()
        .map_err(|e: concert_core::names::UnknownName| config_error(e.to_string()))
}

/// An integer setting as given: `None` when it does not even fit an `i64`
/// (Python ints have no bound), so that it is refused as out of range.
pub struct Setting(Option<i64>);

impl<'a, 'py> FromPyObject<'a, 'py> for Setting {
    type Error = PyErr;

    fn extract(obj: Borrowed<'a, 'py, PyAny>) -> PyResult<Setting> {
        if !obj.is_instance_of::<PyInt>() || obj.is_instance_of::<PyBool>() {
            return Err(PyTypeError::new_err(format!(
                "expected an int, not {}",
                type_name(&obj)
            )));
        }
        Ok(Setting(obj.extract::<i64>().ok()))
    }
}

/// An integer setting in the range `T` holds, else a `ConfigError`.
fn small<T: TryFrom<i64>>(name: &str, value: Setting, range: &str) -> PyResult<T> {
    value.0.and_then(|v| T::try_from(v).ok()).ok_or_else(|| {
        let shown = value
            .0
            .map_or_else(|| "given".to_owned(), |v| v.to_string());
        config_error(format!("{name} {shown} is out of range: {range}"))
    })
}

/// Journals every transaction of `config` in `journal`, when given.
fn with_journal(
    config: &mut TerminalConfig,
    journal: Option<&Bound<'_, PyJournal>>,
) -> PyResult<()> {
    if let Some(journal) = journal {
        let journal = journal.get().get(journal.py())?;
        *config = config.clone().with_journal(journal);
    }
    Ok(())
}

/// A payment terminal, configured once: `Terminal.tcp(...)` or
/// `Terminal.serial(...)`. One transaction at a time; identify and status
/// may run beside one over TCP.
#[pyclass(name = "Terminal", module = "concert_tpe", frozen)]
pub struct PyTerminal {
    inner: Terminal,
}

impl PyTerminal {
    /// Wraps a core terminal.
    pub fn from_core(inner: Terminal) -> PyTerminal {
        PyTerminal { inner }
    }

    /// The core terminal.
    pub fn core(&self) -> &Terminal {
        &self.inner
    }

    fn build(config: TerminalConfig) -> PyResult<PyTerminal> {
        let inner = Terminal::new(config).map_err(|e| config_error(e.to_string()))?;
        Ok(PyTerminal { inner })
    }

    /// Runs `request` on the core's thread and waits with the GIL released;
    /// events are delivered on this thread. Ctrl-C cancels the transaction,
    /// waits for its honest end, and raises `KeyboardInterrupt` with that
    /// end attached as `outcome` (or `None` when nothing was sent).
    fn run(
        &self,
        py: Python<'_>,
        request: Request,
        on_event: Option<Py<PyAny>>,
    ) -> PyResult<Py<PyOutcome>> {
        encode_request(self.inner.config(), &request).map_err(|e| to_py(e.into()))?;
        let pending = py
            .detach(|| self.inner.submit(request))
            .map_err(|e| core_error(py, &e))?;
        loop {
            match py.detach(|| pending.events().recv_timeout(SIGNAL_POLL)) {
                Ok(event) => {
                    if let Some(callback) = &on_event {
                        let called = Py::new(py, PyEvent { inner: event })
                            .and_then(|e| callback.call1(py, (e,)));
                        if let Err(e) = called {
                            e.write_unraisable(py, Some(callback.bind(py)));
                        }
                    }
                }
                // The events channel closes once the result is in.
                Err(RecvTimeoutError::Disconnected) => break,
                Err(RecvTimeoutError::Timeout) => {
                    if let Err(interrupt) = py.check_signals() {
                        pending.cancel();
                        let result = py.detach(|| pending.wait());
                        let outcome = match result {
                            Ok(outcome) => Py::new(py, PyOutcome { inner: outcome })?.into_any(),
                            Err(_) => py.None(),
                        };
                        interrupt.value(py).setattr("outcome", outcome)?;
                        return Err(interrupt);
                    }
                }
            }
        }
        match py.detach(|| pending.wait()) {
            Ok(outcome) => Py::new(py, PyOutcome { inner: outcome }),
            Err(e) => Err(core_error(py, &e)),
        }
    }

    /// The coroutine of `concert_tpe._aio.transact` for `request`.
    fn run_async<'py>(
        slf: &Bound<'py, Self>,
        request: Request,
        on_event: Option<Py<PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let py = slf.py();
        let request = Py::new(py, PyRequest { inner: request })?;
        py.import("concert_tpe._aio")?
            .getattr("transact")?
            .call1((slf, request, on_event))
    }
}

/// The keyword options of a money method as `(name, value)` pairs.
macro_rules! options {
    ($($name:ident),* $(,)?) => {
        [$((stringify!($name), $name.as_ref())),*]
    };
}

/// The `#[pymethods]` of `Terminal`, with the four operations that move
/// money written once for both forms: `pay`, `refund`, `cancel`,
/// `preauthorize` (blocking) and their `_async` twins, every option a named
/// keyword so that `help()` shows them.
macro_rules! terminal_methods {
    (
        money: [$(($op:expr, $name:ident, $doc:literal, $name_async:ident, $doc_async:literal)),* $(,)?],
        $($rest:tt)*
    ) => {
        #[pymethods]
        impl PyTerminal {
            $(
                #[doc = $doc]
                #[pyo3(signature = (amount, currency=CurrencyArg::Omitted, *, on_event=None,
                    private_data=None, application=None, immediate_answer=None,
                    force_authorization=None, receipt=None, receipt_format=None,
                    original_reference=None, partial_allowed=None, customer_phone=None,
                    customer_email=None, extra_tags=None, full_answer=None),
                    text_signature = "(self, amount, currency='EUR', *, on_event=None, \
                    private_data=None, application=None, immediate_answer=None, \
                    force_authorization=None, receipt=None, receipt_format=None, \
                    original_reference=None, partial_allowed=None, customer_phone=None, \
                    customer_email=None, extra_tags=None, full_answer=None)")]
                #[allow(clippy::too_many_arguments)]
                fn $name(
                    &self,
                    py: Python<'_>,
                    amount: &Bound<'_, PyAny>,
                    currency: CurrencyArg,
                    on_event: Option<Py<PyAny>>,
                    private_data: Option<Bound<'_, PyAny>>,
                    application: Option<Bound<'_, PyAny>>,
                    immediate_answer: Option<Bound<'_, PyAny>>,
                    force_authorization: Option<Bound<'_, PyAny>>,
                    receipt: Option<Bound<'_, PyAny>>,
                    receipt_format: Option<Bound<'_, PyAny>>,
                    original_reference: Option<Bound<'_, PyAny>>,
                    partial_allowed: Option<Bound<'_, PyAny>>,
                    customer_phone: Option<Bound<'_, PyAny>>,
                    customer_email: Option<Bound<'_, PyAny>>,
                    extra_tags: Option<Bound<'_, PyAny>>,
                    full_answer: Option<Bound<'_, PyAny>>,
                ) -> PyResult<Py<PyOutcome>> {
                    let request = money_request($op, amount, currency.or(EUR), options!(private_data, application, immediate_answer, force_authorization,
                        receipt, receipt_format, original_reference, partial_allowed,
                        customer_phone, customer_email, extra_tags, full_answer))?;
                    self.run(py, request, on_event)
                }

                #[doc = $doc_async]
                #[pyo3(signature = (amount, currency=CurrencyArg::Omitted, *, on_event=None,
                    private_data=None, application=None, immediate_answer=None,
                    force_authorization=None, receipt=None, receipt_format=None,
                    original_reference=None, partial_allowed=None, customer_phone=None,
                    customer_email=None, extra_tags=None, full_answer=None),
                    text_signature = "(self, amount, currency='EUR', *, on_event=None, \
                    private_data=None, application=None, immediate_answer=None, \
                    force_authorization=None, receipt=None, receipt_format=None, \
                    original_reference=None, partial_allowed=None, customer_phone=None, \
                    customer_email=None, extra_tags=None, full_answer=None)")]
                #[allow(clippy::too_many_arguments)]
                fn $name_async<'py>(
                    slf: &Bound<'py, Self>,
                    amount: &Bound<'py, PyAny>,
                    currency: CurrencyArg,
                    on_event: Option<Py<PyAny>>,
                    private_data: Option<Bound<'py, PyAny>>,
                    application: Option<Bound<'py, PyAny>>,
                    immediate_answer: Option<Bound<'py, PyAny>>,
                    force_authorization: Option<Bound<'py, PyAny>>,
                    receipt: Option<Bound<'py, PyAny>>,
                    receipt_format: Option<Bound<'py, PyAny>>,
                    original_reference: Option<Bound<'py, PyAny>>,
                    partial_allowed: Option<Bound<'py, PyAny>>,
                    customer_phone: Option<Bound<'py, PyAny>>,
                    customer_email: Option<Bound<'py, PyAny>>,
                    extra_tags: Option<Bound<'py, PyAny>>,
                    full_answer: Option<Bound<'py, PyAny>>,
                ) -> PyResult<Bound<'py, PyAny>> {
                    let request = money_request($op, amount, currency.or(EUR), options!(private_data, application, immediate_answer, force_authorization,
                        receipt, receipt_format, original_reference, partial_allowed,
                        customer_phone, customer_email, extra_tags, full_answer))?;
                    Self::run_async(slf, request, on_event)
                }
            )*

            $($rest)*
        }
    };
}

terminal_methods! {
    money: [
        (Operation::Pay, pay,
            "A payment. `amount`: int minor units, Decimal or decimal str.",
            pay_async, "`await terminal.pay_async(...)`: `pay` without blocking the event loop."),
        (Operation::Refund, refund, "A refund.", refund_async, "`refund` as a coroutine."),
        (Operation::Cancel, cancel, "Cancels an earlier payment of `amount`.",
            cancel_async, "`cancel` as a coroutine."),
        (Operation::Preauthorize, preauthorize, "A pre-authorisation.",
            preauthorize_async, "`preauthorize` as a coroutine."),
    ],

    /// A terminal over TCP/IP (V3). Nothing is opened until a request.
    #[staticmethod]
    #[pyo3(signature = (host, port=Setting(Some(8888)), *, protocol="v3", pos_number=Setting(Some(1)), cash_register_id=None,
        connect_timeout=10.0, answer_timeout=180.0, query_timeout=15.0, quiet_period=0.2,
        keep_raw_card_data=false, journal=None),
        text_signature = "(host, port=8888, *, protocol='v3', pos_number=1, cash_register_id=None, \
            connect_timeout=10.0, answer_timeout=180.0, query_timeout=15.0, quiet_period=0.2, \
            keep_raw_card_data=False, journal=None)")]
    #[allow(clippy::too_many_arguments)]
    fn tcp(
        host: &str,
        port: Setting,
        protocol: &str,
        pos_number: Setting,
        cash_register_id: Option<String>,
        connect_timeout: f64,
        answer_timeout: f64,
        query_timeout: f64,
        quiet_period: f64,
        keep_raw_card_data: bool,
        journal: Option<&Bound<'_, PyJournal>>,
    ) -> PyResult<PyTerminal> {
        let port: u16 = small("port", port, "1 to 65535")?;
        let mut config = TerminalConfig::tcp(host, port);
        config.protocol = self::protocol(protocol)?;
        config.pos_number = small("pos_number", pos_number, "1 to 99")?;
        if let Some(id) = cash_register_id {
            config.cash_register_id = id;
        }
        config.timeouts.connect = seconds("connect_timeout", connect_timeout)?;
        config.timeouts.answer = seconds("answer_timeout", answer_timeout)?;
        config.timeouts.query = seconds("query_timeout", query_timeout)?;
        config.timeouts.quiet_period = seconds("quiet_period", quiet_period)?;
        config.keep_raw_card_data = keep_raw_card_data;
        with_journal(&mut config, journal)?;
        PyTerminal::build(config)
    }

    /// A terminal on a serial line (RS232, USB, Bluetooth SPP), with the
    /// keyword names pyserial uses. USB terminals usually want
    /// `bytesize=8, parity="N"`. `path`: `/dev/ttyACM0`, or on Windows
    /// `COM3`, `COM10` or `\\.\COM10`.
    #[staticmethod]
    #[pyo3(signature = (path, protocol="v2", baudrate=Setting(Some(9600)), bytesize=Setting(Some(7)), parity="E", stopbits=Setting(Some(1)),
        *, pos_number=Setting(Some(1)), cash_register_id=None, answer_timeout=180.0, query_timeout=15.0,
        ack_timeout=3.0, enq_retry_pause=1.0, keep_raw_card_data=false, journal=None),
        text_signature = "(path, protocol='v2', baudrate=9600, bytesize=7, parity='E', stopbits=1, \
            *, pos_number=1, cash_register_id=None, answer_timeout=180.0, query_timeout=15.0, \
            ack_timeout=3.0, enq_retry_pause=1.0, keep_raw_card_data=False, journal=None)")]
    #[allow(clippy::too_many_arguments)]
    fn serial(
        path: &str,
        protocol: &str,
        baudrate: Setting,
        bytesize: Setting,
        parity: &str,
        stopbits: Setting,
        pos_number: Setting,
        cash_register_id: Option<String>,
        answer_timeout: f64,
        query_timeout: f64,
        ack_timeout: f64,
        enq_retry_pause: f64,
        keep_raw_card_data: bool,
        journal: Option<&Bound<'_, PyJournal>>,
    ) -> PyResult<PyTerminal> {
        let line = SerialLine {
            path: path.to_owned(),
            baud: small("baudrate", baudrate, "1200 to 115200")?,
            data_bits: small("bytesize", bytesize, "7 or 8")?,
            parity: parity
                .parse::<Parity>()
                .map_err(|e| config_error(e.to_string()))?,
            stop_bits: small("stopbits", stopbits, "1 or 2")?,
        };
        let mut config = TerminalConfig::serial(line, self::protocol(protocol)?);
        config.pos_number = small("pos_number", pos_number, "1 to 99")?;
        if let Some(id) = cash_register_id {
            config.cash_register_id = id;
        }
        config.timeouts.answer = seconds("answer_timeout", answer_timeout)?;
        config.timeouts.query = seconds("query_timeout", query_timeout)?;
        config.link.ack_timeout = seconds("ack_timeout", ack_timeout)?;
        config.link.enq_retry_pause = seconds("enq_retry_pause", enq_retry_pause)?;
        config.keep_raw_card_data = keep_raw_card_data;
        with_journal(&mut config, journal)?;
        PyTerminal::build(config)
    }

    /// The protocol: `v2e`, `v2e+`, `v3` or `v3:VERSION`.
    #[getter]
    fn protocol(&self) -> String {
        self.inner.config().protocol.name()
    }

    /// Whether a transaction is running.
    #[getter]
    fn busy(&self) -> bool {
        self.inner.is_busy()
    }

    /// Stops whatever runs on this terminal, from any thread: a blocking
    /// call on another thread, a `submit`, a coroutine. One whose request
    /// had not left raises `RequestCancelledError` (safe to retry); one
    /// whose request had left returns an `Outcome` in doubt (ask the
    /// terminal with `status()`). Returns at once; does nothing when
    /// nothing runs, and does not stop what starts after it.
    fn abort(&self) {
        self.inner.abort();
    }

    /// The payload this terminal would send for `request` (a V2 message or
    /// V3 records, without serial framing), checked as a transaction checks
    /// it. Nothing is opened.
    fn encode<'py>(
        &self,
        py: Python<'py>,
        request: &Bound<'py, PyRequest>,
    ) -> PyResult<Bound<'py, PyBytes>> {
        let payload = self
            .inner
            .encode(&request.get().inner)
            .map_err(|e| core_error(py, &e))?;
        Ok(PyBytes::new(py, &payload))
    }

    /// Late answers not yet handed over, oldest first: answers to earlier
    /// requests that came after their outcome (serial), each handed over
    /// once (here, or on the next outcome's `late_answers`).
    fn take_late_answers(&self, py: Python<'_>) -> PyResult<Vec<Py<PyLateAnswer>>> {
        late_answers(py, self.inner.take_late_answers())
    }

    /// Releases the serial port kept open between transactions.
    fn close(&self, py: Python<'_>) -> PyResult<()> {
        py.detach(|| self.inner.close())
            .map_err(|e| core_error(py, &e))
    }

    /// Is the terminal there? No transaction (V2: a bare ENQ/ACK probe).
    #[pyo3(signature = (*, on_event=None))]
    fn identify(&self, py: Python<'_>, on_event: Option<Py<PyAny>>) -> PyResult<Py<PyOutcome>> {
        self.run(py, Request::new(Operation::Identify), on_event)
    }

    /// The result of the last transaction (V3): ask it after `in_doubt`.
    #[pyo3(signature = (*, on_event=None))]
    fn status(&self, py: Python<'_>, on_event: Option<Py<PyAny>>) -> PyResult<Py<PyOutcome>> {
        self.run(py, Request::new(Operation::Status), on_event)
    }

    /// Télécollecte: remote batch settlement (V3).
    #[pyo3(signature = (*, on_event=None))]
    fn settle(&self, py: Python<'_>, on_event: Option<Py<PyAny>>) -> PyResult<Py<PyOutcome>> {
        self.run(py, Request::new(Operation::Settle), on_event)
    }

    /// Runs any `Request`.
    #[pyo3(signature = (request, *, on_event=None))]
    fn transact(
        &self,
        py: Python<'_>,
        request: &Bound<'_, PyRequest>,
        on_event: Option<Py<PyAny>>,
    ) -> PyResult<Py<PyOutcome>> {
        self.run(py, request.get().inner.clone(), on_event)
    }

    /// Starts `request` on the core's thread and returns at once.
    /// `callback(result)` gets an `Outcome` or a `concert_tpe.Error` instance;
    /// it and `on_event(event)` run on the core's thread.
    #[pyo3(signature = (request, callback, on_event=None))]
    fn submit(
        &self,
        py: Python<'_>,
        request: &Bound<'_, PyRequest>,
        callback: Py<PyAny>,
        on_event: Option<Py<PyAny>>,
    ) -> PyResult<PyTransaction> {
        let request = request.get().inner.clone();
        encode_request(self.inner.config(), &request).map_err(|e| to_py(e.into()))?;
        let operation = request.operation.name();
        let done = Arc::new(AtomicBool::new(false));
        let done_flag = Arc::clone(&done);
        // Done as the callback is given the result, so that the callback
        // itself (and whoever it wakes) sees it.
        let on_done = move |result| {
            done_flag.store(true, Ordering::SeqCst);
            call_back(&callback, |py| result_object(py, result));
        };
        let cancel = py
            .detach(|| {
                self.inner
                    .submit_with(request, event_callback(on_event), on_done)
            })
            .map_err(|e| core_error(py, &e))?;
        Ok(PyTransaction {
            cancel,
            operation,
            done,
        })
    }

    /// `identify` as a coroutine.
    #[pyo3(signature = (*, on_event=None))]
    fn identify_async<'py>(
        slf: &Bound<'py, Self>,
        on_event: Option<Py<PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        Self::run_async(slf, Request::new(Operation::Identify), on_event)
    }

    /// `status` as a coroutine.
    #[pyo3(signature = (*, on_event=None))]
    fn status_async<'py>(
        slf: &Bound<'py, Self>,
        on_event: Option<Py<PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        Self::run_async(slf, Request::new(Operation::Status), on_event)
    }

    /// `settle` as a coroutine.
    #[pyo3(signature = (*, on_event=None))]
    fn settle_async<'py>(
        slf: &Bound<'py, Self>,
        on_event: Option<Py<PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        Self::run_async(slf, Request::new(Operation::Settle), on_event)
    }

    /// `transact` as a coroutine.
    #[pyo3(signature = (request, *, on_event=None))]
    fn transact_async<'py>(
        slf: &Bound<'py, Self>,
        request: &Bound<'py, PyRequest>,
        on_event: Option<Py<PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        Self::run_async(slf, request.get().inner.clone(), on_event)
    }

    fn __repr__(&self) -> String {
        let config = self.inner.config();
        let place = match &config.connection {
            Connection::Tcp { host, port } => format!("tcp {host}:{port}"),
            Connection::Serial(line) => format!(
                "serial {} {} {}{}{}",
                line.path,
                line.baud,
                line.data_bits,
                line.parity.letter(),
                line.stop_bits
            ),
        };
        format!("<Terminal {place} {}>", config.protocol.name())
    }
}
