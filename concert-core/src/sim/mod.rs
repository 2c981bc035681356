//! A terminal simulator: a scripted Concert terminal (V2 or V3) that cash
//! registers — and this crate's own client — can be tested against, over
//! TCP or over a pseudo-terminal pair.
//!
//! ```no_run
//! use concert_core::sim::{Script, Simulator, SimulatorConfig};
//! use concert_core::v3::Reason;
//!
//! let sim = Simulator::start(SimulatorConfig::default()).unwrap();
//! let addr = sim.tcp_addr().unwrap();
//! sim.push_script(Script::Decline(Reason::Refused)); // the first payment is refused
//! // … connect a client to `addr` …
//! sim.stop();
//! ```
//!
//! The terminal itself (the private `engine` module) is sans-I/O: request
//! bytes and the time in, answer bytes out; the `tcp` and `serial` drivers
//! own the sockets, the pty and the clock.

mod answer_faults;
mod config;
mod engine;
mod journal;
#[cfg(unix)]
mod pty;
mod script;
#[cfg(unix)]
mod serial;
mod stop;
mod tcp;
mod ticket;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

pub use answer_faults::{AnswerFaults, COLLISION_FRAME, GARBAGE_ANSWER};
pub use config::{
    DEFAULT_CARD_NUMBER, DEFAULT_CONTRACT, Faults, PaymentType, SimError, SimLimits, SimProtocol,
    SimTransport, SimulatorConfig,
};
pub use journal::JournalEntry;
pub use script::Script;

use engine::{Engine, EngineSettings, Step};
use journal::Journal;
use stop::StopSignal;

/// State every simulator thread shares.
#[derive(Debug)]
struct Shared {
    engine: Mutex<Engine>,
    journal: Journal,
    stop: StopSignal,
    faults: Faults,
    answer_faults: AnswerFaults,
    /// Whether the terminal speaks V2 (for the answer faults).
    v2: bool,
    /// The card number read, for the answer faults.
    card_number: String,
}

impl Shared {
    /// The answer as the answer faults make it.
    fn faulty(&self, answer: Vec<u8>) -> Vec<u8> {
        self.answer_faults.apply(self.v2, &self.card_number, answer)
    }
}

impl Shared {
    fn engine(&self) -> MutexGuard<'_, Engine> {
        self.engine.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// What a driver sends back for a request.
#[derive(Debug)]
enum Reply {
    /// Send this answer; then record it in journal entry `index`.
    Send {
        /// The payload.
        answer: Vec<u8>,
        /// Journal entry of the request.
        index: usize,
    },
    /// Send nothing (already journaled and logged).
    Nothing,
    /// The `never_answer` fault: hold on, send nothing.
    Never,
}

/// Runs one request through the engine: journals it, waits for the card
/// holder when the transaction takes time, and says what to send.
fn process(shared: &Shared, peer: &str, request: &[u8]) -> Reply {
    let step = shared.engine().handle_request(request, Instant::now());
    let note = match &step {
        Step::Answer { note, .. } | Step::Pending { note, .. } | Step::Silent { note } => {
            note.clone()
        }
    };
    // The card holder never finishes: transactions stay unanswered (and the
    // terminal busy); what a terminal answers at once still is.
    let never = shared.faults.never_answer && matches!(step, Step::Pending { .. });
    let note = if never {
        format!("{note}; never answered (fault)")
    } else {
        note
    };
    let index = shared.journal.push(JournalEntry {
        peer: peer.to_owned(),
        request: request.to_vec(),
        answer: None,
        note: note.clone(),
    });
    if never {
        log::info!(
            "sim: {peer}: {note}; request {}",
            printable(shared, request)
        );
        return Reply::Never;
    }
    match step {
        Step::Answer { answer, .. } => Reply::Send {
            answer: shared.faulty(answer),
            index,
        },
        Step::Silent { .. } => {
            log::info!(
                "sim: {peer}: {note}; request {}",
                printable(shared, request)
            );
            Reply::Nothing
        }
        Step::Pending { id, at, .. } => {
            if shared.stop.wait_until(Some(at)) {
                shared
                    .journal
                    .update(index, None, "stopped before answering");
                return Reply::Nothing;
            }
            match shared.engine().complete(id) {
                Some(answer) => Reply::Send {
                    answer: shared.faulty(answer),
                    index,
                },
                None => {
                    shared.journal.update(index, None, "transaction lost");
                    Reply::Nothing
                }
            }
        }
    }
}

/// Records the answer (as sent, card number masked) in journal entry
/// `index`. Drivers call it before the peer can see the answer complete.
fn journal_answer(shared: &Shared, index: usize, sent: &[u8]) {
    let masked = shared.engine().journal_form(sent);
    shared.journal.update(index, Some(masked), "");
}

/// Completes journal entry `index` with `note` and logs the exchange (one
/// line, card number masked).
fn finish_exchange(shared: &Shared, peer: &str, index: usize, note: &str) {
    shared.journal.update(index, None, note);
    if let Some(entry) = shared.journal.get(index) {
        log::info!(
            "sim: {peer}: {}; request {}; answer {}",
            entry.note,
            printable(shared, &entry.request),
            entry
                .answer
                .as_deref()
                .map_or("none".to_owned(), |a| printable(shared, a))
        );
    }
}

/// Bytes for a log line: printable ASCII as is, the rest escaped, card
/// numbers masked.
fn printable(shared: &Shared, bytes: &[u8]) -> String {
    shared
        .engine()
        .journal_form(bytes)
        .escape_ascii()
        .to_string()
}

/// A running terminal simulator. Stops (threads joined, socket or pty
/// closed) on [`Simulator::stop`] or when dropped.
#[derive(Debug)]
pub struct Simulator {
    shared: Arc<Shared>,
    threads: Vec<JoinHandle<()>>,
    tcp_addr: Option<SocketAddr>,
    pty_path: Option<PathBuf>,
}

impl Simulator {
    /// Checks `config`, binds the TCP address or creates the pty pair,
    /// starts the simulator's threads and returns once it serves.
    pub fn start(config: SimulatorConfig) -> Result<Simulator, SimError> {
        config.validate()?;
        let settings = EngineSettings {
            protocol: config.protocol,
            card_number: config.card_number.clone(),
            receipt_text: config.receipt_text.clone(),
            currencies: config.currencies.clone(),
            answer_version: config.answer_version.clone(),
            answer_delay: config.answer_delay,
            payment_type: config.payment_type,
            contract: config.contract.clone(),
        };
        let shared = Arc::new(Shared {
            engine: Mutex::new(Engine::new(settings, config.default_script.clone())),
            journal: Journal::new(config.limits.journal_entries),
            stop: StopSignal::default(),
            faults: config.faults.clone(),
            answer_faults: config.answer_faults.clone(),
            v2: config.protocol == SimProtocol::V2,
            card_number: config.card_number.clone(),
        });
        match config.transport {
            SimTransport::Tcp(addr) => {
                let (bound, thread) = tcp::start(
                    addr,
                    config.allow.clone(),
                    config.limits,
                    Arc::clone(&shared),
                )?;
                log::info!("sim: {:?} terminal listening on {bound}", config.protocol);
                Ok(Simulator {
                    shared,
                    threads: vec![thread],
                    tcp_addr: Some(bound),
                    pty_path: None,
                })
            }
            #[cfg(not(unix))]
            SimTransport::Pty => Err(SimError::Pty(
                "pseudo-terminal pairs exist on Unix systems only".to_owned(),
            )),
            #[cfg(unix)]
            SimTransport::Pty => {
                let (path, thread) = serial::start(config.link.clone(), Arc::clone(&shared))?;
                log::info!(
                    "sim: {:?} terminal on pseudo-terminal {}",
                    config.protocol,
                    path.display()
                );
                Ok(Simulator {
                    shared,
                    threads: vec![thread],
                    tcp_addr: None,
                    pty_path: Some(path),
                })
            }
        }
    }

    /// The address the simulator listens on (port 0 resolved); `None` on a pty.
    pub fn tcp_addr(&self) -> Option<SocketAddr> {
        self.tcp_addr
    }

    /// The path a client opens (the pty's slave side); `None` over TCP.
    pub fn pty_path(&self) -> Option<PathBuf> {
        self.pty_path.clone()
    }

    /// Queues a script: the next transactions take queued scripts in order,
    /// then the default script.
    pub fn push_script(&self, script: Script) {
        self.shared.engine().push_script(script);
    }

    /// Replaces the script used when the queue is empty.
    pub fn set_default_script(&self, script: Script) {
        self.shared.engine().set_default_script(script);
    }

    /// Every request that reached the terminal (and every refused
    /// connection), in order: the latest `limits.journal_entries` of them.
    pub fn journal(&self) -> Vec<JournalEntry> {
        self.shared.journal.snapshot()
    }

    /// How many journal entries there ever were (requests and refused
    /// connections), those dropped by the cap included; cheaper than
    /// counting [`Simulator::journal`].
    pub fn journal_total(&self) -> usize {
        self.shared.journal.total()
    }

    /// How many of the oldest journal entries were dropped to keep the
    /// journal within `limits.journal_entries`.
    pub fn journal_dropped(&self) -> usize {
        self.shared.journal.dropped()
    }

    /// Blocks until the journal has received at least `n` entries (requests
    /// or refused connections; dropped ones count) or `timeout` passes; true
    /// when it has. An entry appears as soon as its request is handled,
    /// before its answer is sent.
    pub fn wait_for_requests(&self, n: usize, timeout: Duration) -> bool {
        self.shared.journal.wait_for(n, timeout)
    }

    /// Blocks until `done` holds for the journal's kept entries (entries
    /// are updated as answers go out and exchanges end) or `timeout`
    /// passes; true when it does.
    pub fn wait_for_journal(
        &self,
        timeout: Duration,
        done: impl Fn(&[JournalEntry]) -> bool,
    ) -> bool {
        self.shared.journal.wait_until(timeout, done)
    }

    /// Stops the simulator: threads end (within a fraction of a second),
    /// the socket or pty closes.
    pub fn stop(self) {
        drop(self);
    }

    fn shutdown(&mut self) {
        self.shared.stop.stop();
        // The TCP accept loop blocks in accept(): wake it. Should that fail,
        // leave its thread rather than wait for ever.
        let woke = self.tcp_addr.is_none_or(tcp::wake);
        for thread in self.threads.drain(..) {
            if !woke && !thread.is_finished() {
                continue;
            }
            if thread.join().is_err() {
                log::error!("sim: a simulator thread panicked");
            }
        }
    }
}

impl Drop for Simulator {
    fn drop(&mut self) {
        self.shutdown();
    }
}
