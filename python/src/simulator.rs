//! `concert_tpe.Simulator`: a scripted terminal for tills' own tests, over TCP
//! or a pseudo-terminal pair, V2 or V3.

use std::net::{IpAddr, SocketAddr};
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use concert_core::sim::{Faults, Script, SimProtocol, SimTransport, Simulator, SimulatorConfig};
use concert_core::terminal::{Protocol, SerialLine, Terminal, TerminalConfig};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict};

use concert_core::codes::ErrorCode;

use crate::errors::{config_error, new_error};
use crate::terminal::{PyTerminal, seconds};

fn script(name: &str) -> PyResult<Script> {
    name.parse()
        .map_err(|e: concert_core::names::UnknownName| config_error(e.to_string()))
}

/// A running simulated terminal. Stops on `stop()`, at the end of a `with`
/// block, or when garbage-collected.
#[pyclass(name = "Simulator", module = "concert_tpe", frozen)]
pub struct PySimulator {
    sim: Mutex<Option<Simulator>>,
    protocol: SimProtocol,
    tcp_addr: Option<SocketAddr>,
    pty_path: Option<String>,
}

impl PySimulator {
    /// Runs `f` on the running simulator, with the GIL released: its
    /// threads take the same locks and may need the GIL to log meanwhile.
    fn with<T: Send>(&self, py: Python<'_>, f: impl FnOnce(&Simulator) -> T + Send) -> PyResult<T> {
        py.detach(|| {
            let slot = self.sim.lock().unwrap_or_else(PoisonError::into_inner);
            slot.as_ref().map(f)
        })
        .ok_or_else(|| new_error(py, ErrorCode::Closed, "the simulator is stopped"))
    }
}

#[pymethods]
impl PySimulator {
    /// Starts a simulator. `protocol` `"v3"` (TCP by default) or `"v2"`
    /// (pty only); `transport` `"tcp"` or `"pty"`; `script` what a
    /// transaction does when nothing is queued (`approve`, `decline`,
    /// `decline:05`, `abandon`, `partial:500`, `timeout`, `busy`,
    /// `v2status:C`); `answer_delay` seconds the card holder takes; the
    /// other keywords inject faults.
    #[new]
    #[pyo3(signature = (protocol="v3", transport=None, *, host="127.0.0.1", port=0,
        script="approve", answer_delay=0.0, card_number=None, receipt_text=None,
        currencies=None, allow=None, answer_version=None, nak_first_frames=0,
        corrupt_lrc_first=0, stray_bytes=None, split_writes=false, skip_final_eot=false,
        close_mid_answer=false, never_answer=false, payment_type="cb-contact", contract=None))]
    // `..Faults::default()` while every fault is named: faults the core
    // adds later stay off here until they are offered.
    #[allow(clippy::too_many_arguments, clippy::needless_update)]
    fn new(
        py: Python<'_>,
        protocol: &str,
        transport: Option<&str>,
        host: &str,
        port: u16,
        script: &str,
        answer_delay: f64,
        card_number: Option<String>,
        receipt_text: Option<String>,
        currencies: Option<Vec<u16>>,
        allow: Option<Vec<String>>,
        answer_version: Option<String>,
        nak_first_frames: u32,
        corrupt_lrc_first: u32,
        stray_bytes: Option<Vec<u8>>,
        split_writes: bool,
        skip_final_eot: bool,
        close_mid_answer: bool,
        never_answer: bool,
        payment_type: &str,
        contract: Option<String>,
    ) -> PyResult<PySimulator> {
        let protocol = match protocol.trim().to_ascii_lowercase().as_str() {
            "v2" | "v2e" | "v2e+" => SimProtocol::V2,
            "v3" => SimProtocol::V3,
            other => {
                return Err(config_error(format!(
                    "unknown simulator protocol {other:?}: expected v2 or v3"
                )));
            }
        };
        let transport = match (transport, protocol) {
            (None, SimProtocol::V2) | (Some("pty"), _) => SimTransport::Pty,
            (None, SimProtocol::V3) | (Some("tcp"), _) => {
                let ip: IpAddr = host
                    .parse()
                    .map_err(|_| config_error(format!("host {host:?} is not an IP address")))?;
                SimTransport::Tcp(SocketAddr::new(ip, port))
            }
            (Some(other), _) => {
                return Err(config_error(format!(
                    "unknown simulator transport {other:?}: expected tcp or pty"
                )));
            }
        };
        let mut faults = Faults::default();
        faults.nak_first_frames = nak_first_frames;
        faults.corrupt_lrc_first = corrupt_lrc_first;
        faults.stray_bytes = stray_bytes.unwrap_or_default();
        faults.split_writes = split_writes;
        faults.skip_final_eot = skip_final_eot;
        faults.close_mid_answer = close_mid_answer;
        faults.never_answer = never_answer;
        let mut config = SimulatorConfig::default();
        config.transport = transport;
        config.protocol = protocol;
        config.default_script = self::script(script)?;
        config.faults = faults;
        config.receipt_text = receipt_text;
        config.answer_version = answer_version;
        if answer_delay != 0.0 {
            config.answer_delay = seconds("answer_delay", answer_delay)?;
        }
        if let Some(card) = card_number {
            config.card_number = card;
        }
        config.payment_type = payment_type.parse().map_err(config_error)?;
        if let Some(contract) = contract {
            config.contract = contract;
        }
        if let Some(currencies) = currencies {
            config.currencies = currencies;
        }
        for address in allow.unwrap_or_default() {
            let ip = address
                .parse()
                .map_err(|_| config_error(format!("allow: {address:?} is not an IP address")))?;
            config.allow.push(ip);
        }
        let sim = py.detach(|| Simulator::start(config)).map_err(|e| {
            let code = match e {
                concert_core::sim::SimError::Config(_) => ErrorCode::Config,
                _ => ErrorCode::Simulator,
            };
            new_error(py, code, e.to_string())
        })?;
        Ok(PySimulator {
            protocol,
            tcp_addr: sim.tcp_addr(),
            pty_path: sim.pty_path().map(|p| p.to_string_lossy().into_owned()),
            sim: Mutex::new(Some(sim)),
        })
    }

    /// `"v2"` or `"v3"`.
    #[getter]
    fn protocol(&self) -> &'static str {
        match self.protocol {
            SimProtocol::V2 => "v2",
            SimProtocol::V3 => "v3",
        }
    }

    /// TCP: the address listened on; `None` on a pty.
    #[getter]
    fn host(&self) -> Option<String> {
        self.tcp_addr.map(|a| a.ip().to_string())
    }

    /// TCP: the port listened on (port 0 resolved); `None` on a pty.
    #[getter]
    fn port(&self) -> Option<u16> {
        self.tcp_addr.map(|a| a.port())
    }

    /// Pty: the device path a till opens; `None` over TCP.
    #[getter]
    fn path(&self) -> Option<String> {
        self.pty_path.clone()
    }

    /// Queues a script for the next transaction (`approve`, `decline:05` …).
    fn push_script(&self, py: Python<'_>, script: &str) -> PyResult<()> {
        let script = self::script(script)?;
        self.with(py, move |sim| sim.push_script(script))
    }

    /// Sets what transactions do when no script is queued.
    fn set_default_script(&self, py: Python<'_>, script: &str) -> PyResult<()> {
        let script = self::script(script)?;
        self.with(py, move |sim| sim.set_default_script(script))
    }

    /// Every request that reached the simulator, in order: dicts with
    /// `peer`, `request` (bytes), `answer` (bytes, card number masked, or
    /// `None`) and `note`.
    fn journal<'py>(&self, py: Python<'py>) -> PyResult<Vec<Bound<'py, PyDict>>> {
        let entries = self.with(py, |sim| sim.journal())?;
        entries
            .into_iter()
            .map(|e| {
                let d = PyDict::new(py);
                d.set_item("peer", e.peer)?;
                d.set_item("request", PyBytes::new(py, &e.request))?;
                d.set_item("answer", e.answer.map(|a| PyBytes::new(py, &a)))?;
                d.set_item("note", e.note)?;
                Ok(d)
            })
            .collect()
    }

    /// Waits (GIL released) until at least `n` requests arrived or
    /// `timeout` seconds passed; True when they did.
    #[pyo3(signature = (n, timeout=5.0))]
    fn wait_for_requests(&self, py: Python<'_>, n: usize, timeout: f64) -> PyResult<bool> {
        let timeout = seconds("timeout", timeout)?;
        self.with(py, move |sim| sim.wait_for_requests(n, timeout))
    }

    /// A `Terminal` that reaches this simulator (TCP, or the pty at 8N1),
    /// with the protocol's usual variant unless `protocol` says otherwise.
    #[pyo3(signature = (protocol=None))]
    fn terminal(&self, protocol: Option<&str>) -> PyResult<PyTerminal> {
        let protocol = match protocol {
            Some(p) => p
                .parse::<Protocol>()
                .map_err(|e| config_error(e.to_string()))?,
            None if self.protocol == SimProtocol::V2 => Protocol::V2EPlus,
            None => Protocol::v3(),
        };
        let mut config = match (&self.tcp_addr, &self.pty_path) {
            (Some(addr), _) => {
                let mut c = TerminalConfig::tcp(addr.ip().to_string(), addr.port());
                c.protocol = protocol;
                c
            }
            (None, Some(path)) => TerminalConfig::serial(SerialLine::usb(path.clone()), protocol),
            (None, None) => return Err(config_error("the simulator has no address")),
        };
        config.timeouts.connect = Duration::from_secs(2);
        let inner = Terminal::new(config).map_err(|e| config_error(e.to_string()))?;
        Ok(PyTerminal::from_core(inner))
    }

    /// Stops the simulator: threads end, the socket or pty closes.
    fn stop(&self, py: Python<'_>) {
        py.detach(|| {
            let taken = self
                .sim
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .take();
            drop(taken);
        });
    }

    /// Whether the simulator is running.
    #[getter]
    fn running(&self) -> bool {
        self.sim
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .is_some()
    }

    fn __enter__(slf: Py<Self>) -> Py<Self> {
        slf
    }

    #[pyo3(signature = (*_exc))]
    fn __exit__(&self, py: Python<'_>, _exc: &Bound<'_, pyo3::types::PyTuple>) -> bool {
        self.stop(py);
        false
    }

    fn __repr__(&self) -> String {
        let place = match (&self.tcp_addr, &self.pty_path) {
            (Some(a), _) => format!("tcp {a}"),
            (None, Some(p)) => format!("pty {p}"),
            (None, None) => String::new(),
        };
        let state = if self.running() { "" } else { " stopped" };
        format!("<Simulator {} {place}{state}>", self.protocol())
    }
}

impl Drop for PySimulator {
    fn drop(&mut self) {
        // Joining the simulator's threads here, with the GIL held, could
        // wait for ever on a thread that wants the GIL to log: let another
        // thread do it.
        let sim = self
            .sim
            .get_mut()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        if let Some(sim) = sim {
            let _ = std::thread::Builder::new()
                .name("concert-sim-stop".into())
                .spawn(move || drop(sim));
        }
    }
}
