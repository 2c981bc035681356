//! `NativeSimulator`: the core's scripted terminal, for users' own tests.

use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use concert_core::currency::Currency;
use concert_core::sim::{Faults, Script, SimProtocol, SimTransport, Simulator, SimulatorConfig};
use napi::bindgen_prelude::{AsyncTask, Buffer};
use napi::{Env, Task};
use napi_derive::napi;

use concert_core::codes::ErrorCode;

use crate::error::{self, Result, invalid};

/// Faults to inject, all off by default.
#[napi(object)]
#[derive(Default)]
pub struct SimulatorFaults {
    /// Serial: NAK the first N request frames.
    pub nak_first_frames: Option<u32>,
    /// Serial: a wrong LRC on the first N answer frames.
    pub corrupt_lrc_first: Option<u32>,
    /// Serial: bytes written before the answer's ENQ.
    pub stray_bytes: Option<Buffer>,
    /// Answer written in pieces.
    pub split_writes: Option<bool>,
    /// Serial: no EOT after the answer.
    pub skip_final_eot: Option<bool>,
    /// Half the answer, then silence (serial) or close (TCP).
    pub close_mid_answer: Option<bool>,
    /// Transactions accepted but never answered.
    pub never_answer: Option<bool>,
}

/// How to start a simulator; every field is optional.
#[napi(object)]
#[derive(Default)]
pub struct SimulatorOptions {
    /// `tcp` (default for V3) or `pty` (default for V2).
    pub transport: Option<String>,
    /// `v3` (default) or `v2`.
    pub protocol: Option<String>,
    /// TCP address to listen on (default `127.0.0.1`).
    pub host: Option<String>,
    /// TCP port (default 0: a free port).
    pub port: Option<u32>,
    /// TCP whitelist of client addresses; empty lets everyone in.
    pub allow: Option<Vec<String>>,
    /// What a transaction does when no script is queued (default `approve`).
    pub script: Option<String>,
    /// Scripts for the next transactions, in order.
    pub scripts: Option<Vec<String>>,
    /// How long the simulated card holder takes, in milliseconds.
    pub answer_delay_ms: Option<u32>,
    /// The card number the terminal reads.
    pub card_number: Option<String>,
    /// Ticket text to send instead of the generated one.
    pub receipt_text: Option<String>,
    /// Accepted currencies (ISO 4217 codes; default `["EUR"]`).
    pub currencies: Option<Vec<String>>,
    /// `CZ` put in answers (default: the request's).
    pub answer_version: Option<String>,
    /// The card presented, which sets `CC` and `CI`: `cb-contact`
    /// (default), `cb-contactless`, `amex-contact`, `amex-contactless`.
    pub payment_type: Option<String>,
    /// Merchant contract number sent in `CG` (1 to 10 characters).
    pub contract: Option<String>,
    /// Faults to inject.
    pub faults: Option<SimulatorFaults>,
}

/// One request that reached the simulator.
#[napi(object, object_from_js = false)]
pub struct NativeJournalEntry {
    /// `127.0.0.1:PORT` over TCP, the pty path over serial.
    pub peer: String,
    /// The request as received.
    pub request: Buffer,
    /// The answer sent, card number masked.
    pub answer: Option<Buffer>,
    /// What happened (`approve`, `busy`, `refused: …`).
    pub note: String,
}

/// A running simulator (the package's `Simulator` wraps it).
#[napi]
pub struct NativeSimulator {
    sim: Mutex<Option<Arc<Simulator>>>,
    tcp: Option<SocketAddr>,
    path: Option<String>,
}

fn script(name: &str) -> Result<Script> {
    name.parse().map_err(invalid)
}

fn sim_error(e: impl ToString) -> error::Error {
    error::error(ErrorCode::Simulator, e)
}

fn config(o: SimulatorOptions) -> Result<SimulatorConfig> {
    let protocol = match o.protocol.as_deref() {
        None | Some("v3") => SimProtocol::V3,
        Some("v2") => SimProtocol::V2,
        Some(other) => {
            return Err(invalid(format!(
                "unknown simulator protocol {other:?}: expected one of v2, v3"
            )));
        }
    };
    let host: IpAddr = o
        .host
        .as_deref()
        .unwrap_or("127.0.0.1")
        .parse()
        .map_err(|e| invalid(format!("simulator host: {e}")))?;
    let port = u16::try_from(o.port.unwrap_or(0))
        .map_err(|_| invalid("simulator port is out of range: 0 to 65535"))?;
    let default_transport = if protocol == SimProtocol::V2 {
        "pty"
    } else {
        "tcp"
    };
    let transport = match o.transport.as_deref().unwrap_or(default_transport) {
        "tcp" => SimTransport::Tcp(SocketAddr::new(host, port)),
        "pty" => SimTransport::Pty,
        other => {
            return Err(invalid(format!(
                "unknown simulator transport {other:?}: expected one of tcp, pty"
            )));
        }
    };
    let mut c = SimulatorConfig::default();
    c.protocol = protocol;
    c.transport = transport;
    for ip in o.allow.iter().flatten() {
        c.allow.push(
            ip.parse()
                .map_err(|e| invalid(format!("allow {ip:?}: {e}")))?,
        );
    }
    if let Some(s) = &o.script {
        c.default_script = script(s)?;
    }
    if let Some(ms) = o.answer_delay_ms {
        c.answer_delay = Duration::from_millis(u64::from(ms));
    }
    if let Some(card) = o.card_number {
        c.card_number = card;
    }
    c.receipt_text = o.receipt_text;
    if let Some(currencies) = &o.currencies {
        c.currencies = currencies
            .iter()
            .map(|code| Currency::parse(code).map(Currency::numeric))
            .collect::<std::result::Result<_, _>>()
            .map_err(invalid)?;
    }
    c.answer_version = o.answer_version;
    if let Some(payment_type) = &o.payment_type {
        c.payment_type = payment_type.parse().map_err(invalid)?;
    }
    if let Some(contract) = o.contract {
        c.contract = contract;
    }
    let f = o.faults.unwrap_or_default();
    c.faults = Faults::default();
    c.faults.nak_first_frames = f.nak_first_frames.unwrap_or(0);
    c.faults.corrupt_lrc_first = f.corrupt_lrc_first.unwrap_or(0);
    c.faults.stray_bytes = f.stray_bytes.map(|b| b.to_vec()).unwrap_or_default();
    c.faults.split_writes = f.split_writes.unwrap_or(false);
    c.faults.skip_final_eot = f.skip_final_eot.unwrap_or(false);
    c.faults.close_mid_answer = f.close_mid_answer.unwrap_or(false);
    c.faults.never_answer = f.never_answer.unwrap_or(false);
    Ok(c)
}

impl NativeSimulator {
    fn lock(&self) -> MutexGuard<'_, Option<Arc<Simulator>>> {
        self.sim.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn running(&self) -> Result<Arc<Simulator>> {
        self.lock()
            .clone()
            .ok_or_else(|| error::error(ErrorCode::Closed, "the simulator is closed"))
    }
}

#[napi]
impl NativeSimulator {
    /// Starts a simulator; returns once it serves.
    #[napi(factory)]
    pub fn start(options: Option<SimulatorOptions>) -> Result<Self> {
        let mut options = options.unwrap_or_default();
        let queued = options
            .scripts
            .take()
            .unwrap_or_default()
            .iter()
            .map(|s| script(s))
            .collect::<Result<Vec<_>>>()?;
        let sim = Simulator::start(config(options)?).map_err(sim_error)?;
        for s in queued {
            sim.push_script(s);
        }
        Ok(NativeSimulator {
            tcp: sim.tcp_addr(),
            path: sim.pty_path().map(|p| p.display().to_string()),
            sim: Mutex::new(Some(Arc::new(sim))),
        })
    }

    /// The TCP address's host; absent on a pty.
    #[napi(getter)]
    pub fn host(&self) -> Option<String> {
        self.tcp.map(|a| a.ip().to_string())
    }

    /// The TCP port; absent on a pty.
    #[napi(getter)]
    pub fn port(&self) -> Option<u32> {
        self.tcp.map(|a| u32::from(a.port()))
    }

    /// The pty path a client opens; absent over TCP.
    #[napi(getter)]
    pub fn path(&self) -> Option<String> {
        self.path.clone()
    }

    /// Queues a script (`approve`, `decline:05`, `partial:500` …) for the
    /// next transaction.
    #[napi]
    pub fn push_script(&self, name: String) -> Result<()> {
        let s = script(&name)?;
        self.running()?.push_script(s);
        Ok(())
    }

    /// Replaces the script used when the queue is empty.
    #[napi]
    pub fn set_default_script(&self, name: String) -> Result<()> {
        let s = script(&name)?;
        self.running()?.set_default_script(s);
        Ok(())
    }

    /// Every request that reached the simulator, in order.
    #[napi]
    pub fn journal(&self) -> Result<Vec<NativeJournalEntry>> {
        Ok(self
            .running()?
            .journal()
            .into_iter()
            .map(|e| NativeJournalEntry {
                peer: e.peer,
                request: e.request.into(),
                answer: e.answer.map(Buffer::from),
                note: e.note,
            })
            .collect())
    }

    /// Resolves `true` once at least `count` requests reached the
    /// simulator, `false` after `timeoutMs`.
    #[napi(ts_return_type = "Promise<boolean>")]
    pub fn wait_for_requests(&self, count: u32, timeout_ms: u32) -> Result<AsyncTask<WaitTask>> {
        Ok(AsyncTask::new(WaitTask {
            sim: self.running()?,
            count: count as usize,
            timeout: Duration::from_millis(u64::from(timeout_ms)),
        }))
    }

    /// Stops the simulator: its threads end and the socket or pty closes.
    /// Closing twice does nothing.
    #[napi(ts_return_type = "Promise<void>")]
    pub fn close(&self) -> AsyncTask<StopTask> {
        AsyncTask::new(StopTask(self.lock().take()))
    }
}

/// Waits for requests off the JavaScript thread (bounded by its time-out).
pub struct WaitTask {
    sim: Arc<Simulator>,
    count: usize,
    timeout: Duration,
}

impl Task for WaitTask {
    type Output = bool;
    type JsValue = bool;

    fn compute(&mut self) -> napi::Result<bool> {
        Ok(self.sim.wait_for_requests(self.count, self.timeout))
    }

    fn resolve(&mut self, _: Env, output: bool) -> napi::Result<bool> {
        Ok(output)
    }
}

/// Joins the simulator's threads off the JavaScript thread.
pub struct StopTask(Option<Arc<Simulator>>);

impl Task for StopTask {
    type Output = ();
    type JsValue = ();

    fn compute(&mut self) -> napi::Result<()> {
        // A pending `waitForRequests` holds a clone: the simulator then
        // stops when that wait ends (at most its time-out later).
        if let Some(sim) = self.0.take()
            && let Ok(sim) = Arc::try_unwrap(sim)
        {
            sim.stop();
        }
        Ok(())
    }

    fn resolve(&mut self, _: Env, _: ()) -> napi::Result<()> {
        Ok(())
    }
}
