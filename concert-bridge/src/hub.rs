//! The bridge's state: its terminals, the transactions it ran and the
//! stream of their events. Transactions run on the core's own threads
//! (`Terminal::submit_with`); their callbacks update the store and publish
//! to a broadcast channel that WebSocket clients and long polls read, so no
//! async runtime ever reaches the core.

use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock, PoisonError};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use concert_core::journal::JournalHandle;
use concert_core::terminal::{
    CancelToken, Connection, Event, Outcome, Request, Status, Terminal, TerminalConfig,
};
use serde_json::{Value, json};
use tokio::sync::{broadcast, oneshot, watch};

use crate::codes::{self, ApiError, ErrorBody};
use crate::config::BridgeConfig;
use crate::outcome_json::OutcomeJson;

/// How many messages a slow WebSocket client may fall behind before it is
/// told it missed some.
const EVENT_BACKLOG: usize = 4096;

/// The most WebSocket clients at once.
pub const MAX_WATCHERS: usize = 1024;

/// One message for WebSocket clients, serialised once for all of them.
#[derive(Debug, Clone)]
pub struct Message {
    /// The transaction it is about.
    pub transaction: Arc<str>,
    /// The JSON text sent.
    pub json: Arc<str>,
}

/// Which front door a transaction came in by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// `/v1/transactions`.
    Api,
    /// Odoo's `/hw_proxy/payment_terminal_transaction_start`.
    Odoo,
}

/// How a retried start is recognised.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum RetryKey {
    /// An `Idempotency-Key`: the same key always gives the same transaction.
    Strict(String),
    /// A reference (or Odoo's payment id): the same transaction while it
    /// runs, was approved or is in doubt; a new attempt once the last one
    /// surely moved no money (declined, aborted, not performed, or not
    /// delivered), as a till retries after a refused card.
    Attempt(String),
}

/// A start request, checked.
#[derive(Debug, Clone)]
pub struct Start {
    /// The terminal's name.
    pub terminal: String,
    /// What to send.
    pub request: Request,
    /// How a retry is recognised.
    pub key: Option<RetryKey>,
    /// The front door.
    pub source: Source,
}

/// The end of a transaction.
#[derive(Debug, Clone)]
enum Finished {
    Outcome(Box<OutcomeJson>, Status),
    Failed(ErrorBody),
}

#[derive(Debug)]
struct Tx {
    id: Arc<str>,
    terminal: String,
    source: Source,
    request: Request,
    key: Option<RetryKey>,
    created_ms: u64,
    events: Vec<(&'static str, u64)>,
    finished: Option<Finished>,
    cancel: Option<CancelToken>,
    done: watch::Sender<bool>,
}

impl Tx {
    /// Whether this attempt surely moved no money.
    fn moved_nothing(&self) -> bool {
        match &self.finished {
            Some(Finished::Failed(e)) => e.safe_to_retry,
            Some(Finished::Outcome(_, status)) => matches!(
                status,
                Status::Declined | Status::Aborted | Status::NotPerformed
            ),
            None => false,
        }
    }

    fn json(&self) -> Value {
        let (state, outcome, error) = match &self.finished {
            None => ("running", Value::Null, Value::Null),
            Some(Finished::Outcome(o, _)) => (
                "done",
                serde_json::to_value(o).unwrap_or(Value::Null),
                Value::Null,
            ),
            Some(Finished::Failed(e)) => (
                "failed",
                Value::Null,
                serde_json::to_value(e).unwrap_or(Value::Null),
            ),
        };
        let r = &self.request;
        json!({
            "id": &*self.id,
            "terminal": self.terminal,
            "operation": r.operation.name(),
            "amount": r.amount,
            "amount_decimal": r.amount.zip(r.currency).map(|(a, c)| concert_core::amount::format_decimal(a, c)),
            "currency": r.currency.map(|c| c.alpha()),
            "reference": r.private_data,
            "state": state,
            "created_at_ms": self.created_ms,
            "events": self.events.iter().map(|(e, at)| json!({"event": e, "at_us": at})).collect::<Vec<_>>(),
            "outcome": outcome,
            "error": error,
        })
    }
}

/// What Odoo's status poll shows of a transaction.
#[derive(Debug, Clone)]
pub struct OdooView {
    /// Transaction id.
    pub id: String,
    /// Terminal name.
    pub terminal: String,
    /// None while running; the outcome status, or the error.
    pub end: Option<Result<(Status, Box<OutcomeJson>), ErrorBody>>,
}

#[derive(Debug, Default)]
struct Store {
    txs: HashMap<Arc<str>, Tx>,
    /// Ids, oldest first.
    order: VecDeque<Arc<str>>,
    keys: HashMap<RetryKey, Arc<str>>,
    next: u64,
    running: usize,
}

/// A named terminal and how it is shown.
pub struct Slot {
    /// Name.
    pub name: String,
    /// The core's terminal.
    pub terminal: Terminal,
    /// `tcp://host:port` or `serial://path`.
    pub place: String,
}

impl std::fmt::Debug for Slot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Slot")
            .field("name", &self.name)
            .field("place", &self.place)
            .finish()
    }
}

/// The bridge's shared state.
#[derive(Debug)]
pub struct Hub {
    /// The settings (terminals are in `slots`).
    pub config: BridgeConfig,
    slots: Vec<Slot>,
    store: Mutex<Store>,
    events: broadcast::Sender<Message>,
    stopping: AtomicBool,
    running: watch::Sender<usize>,
    shutdown: watch::Sender<bool>,
    epoch: u64,
    local: OnceLock<SocketAddr>,
    /// One permit per WebSocket client.
    pub watchers: Arc<tokio::sync::Semaphore>,
}

fn now_us() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| u64::try_from(d.as_micros()).unwrap_or(u64::MAX))
        .unwrap_or(0)
}

/// Where a terminal is, as a URL-like text (no secrets in it).
pub fn place(config: &TerminalConfig) -> String {
    match &config.connection {
        Connection::Tcp { host, port } => format!("tcp://{host}:{port}"),
        Connection::Serial(line) => format!("serial://{}", line.path),
    }
}

impl Hub {
    /// The state for these settings; terminals are not contacted.
    pub fn new(config: BridgeConfig) -> Result<Hub, concert_core::terminal::ConfigError> {
        let slots = config
            .terminals
            .iter()
            .map(|t| {
                let mut terminal = t.config.clone();
                if terminal.journal.is_none() {
                    terminal.journal = config
                        .journal
                        .clone()
                        .map(|j| JournalHandle::new(j as Arc<dyn concert_core::journal::Journal>));
                }
                Ok(Slot {
                    name: t.name.clone(),
                    terminal: Terminal::new(terminal)?,
                    place: place(&t.config),
                })
            })
            .collect::<Result<Vec<_>, concert_core::terminal::ConfigError>>()?;
        Ok(Hub {
            config,
            slots,
            store: Mutex::new(Store::default()),
            events: broadcast::channel(EVENT_BACKLOG).0,
            stopping: AtomicBool::new(false),
            running: watch::channel(0).0,
            shutdown: watch::channel(false).0,
            epoch: now_us() / 1000,
            local: OnceLock::new(),
            watchers: Arc::new(tokio::sync::Semaphore::new(MAX_WATCHERS)),
        })
    }

    fn store(&self) -> MutexGuard<'_, Store> {
        self.store.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Records the address the listener got (the port when 0 was asked).
    pub fn set_local_addr(&self, addr: SocketAddr) {
        let _ = self.local.set(addr);
    }

    /// The address the bridge listens on.
    pub fn local_addr(&self) -> SocketAddr {
        self.local.get().copied().unwrap_or(self.config.listen)
    }

    /// The terminals, in configuration order.
    pub fn slots(&self) -> &[Slot] {
        &self.slots
    }

    /// The terminal by name; `None` picks the first.
    pub fn slot(&self, name: Option<&str>) -> Result<&Slot, ApiError> {
        match name {
            None => self
                .slots
                .first()
                .ok_or_else(|| ApiError::new(codes::UNKNOWN_TERMINAL, "no terminal is configured")),
            Some(n) => self.slots.iter().find(|s| s.name == n).ok_or_else(|| {
                ApiError::new(
                    codes::UNKNOWN_TERMINAL,
                    format!(
                        "no terminal named {n:?}; configured: {}",
                        self.slots
                            .iter()
                            .map(|s| s.name.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                )
            }),
        }
    }

    /// A receiver of every message from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<Message> {
        self.events.subscribe()
    }

    /// A receiver that turns true when the bridge stops.
    pub fn shutdown_signal(&self) -> watch::Receiver<bool> {
        self.shutdown.subscribe()
    }

    fn publish(&self, id: &Arc<str>, value: Value) {
        // No receiver is not an error: nobody is watching.
        let _ = self.events.send(Message {
            transaction: id.clone(),
            json: Arc::from(value.to_string()),
        });
    }

    /// Starts a transaction, or finds the one a retry refers to. Returns
    /// its JSON and whether it was an earlier one.
    pub fn start(self: &Arc<Self>, start: Start) -> Result<(Value, bool), ApiError> {
        if self.stopping.load(Ordering::SeqCst) {
            return Err(ApiError::new(
                codes::SHUTTING_DOWN,
                "the bridge is stopping: no new transaction starts",
            ));
        }
        let slot = self.slot(Some(&start.terminal))?;
        concert_core::terminal::encode_request(slot.terminal.config(), &start.request)
            .map_err(|e| ApiError::from(concert_core::terminal::Error::InvalidRequest(e)))?;
        let mut store = self.store();
        if let Some(key) = &start.key
            && let Some(tx) = store.keys.get(key).and_then(|id| store.txs.get(id))
        {
            let fresh_attempt = matches!(key, RetryKey::Attempt(_)) && tx.moved_nothing();
            if !fresh_attempt {
                if tx.terminal != start.terminal || tx.request != start.request {
                    return Err(ApiError::new(
                        codes::IDEMPOTENCY_MISMATCH,
                        format!(
                            "this key (or reference) already names transaction {} with another request; \
                                 check it before sending a new one under a new key",
                            tx.id
                        ),
                    ));
                }
                return Ok((tx.json(), true));
            }
        }
        store.next += 1;
        let id: Arc<str> = Arc::from(format!("{:x}-{}", self.epoch, store.next));
        let (done, _) = watch::channel(false);
        let tx = Tx {
            id: id.clone(),
            terminal: start.terminal.clone(),
            source: start.source,
            request: start.request.clone(),
            key: start.key.clone(),
            created_ms: now_us() / 1000,
            events: Vec::new(),
            finished: None,
            cancel: None,
            done,
        };
        // Submitted under the lock: a concurrent retry with the same key
        // waits here rather than starting a second payment. The callbacks
        // take the lock too, so they wait until the transaction is stored.
        let hub_event = Arc::clone(self);
        let hub_done = Arc::clone(self);
        let (id_event, id_done) = (id.clone(), id.clone());
        let summary = start.request_summary();
        let cancel = slot.terminal.submit_with(
            start.request,
            move |event| hub_event.on_event(&id_event, event),
            move |result| hub_done.on_done(&id_done, result),
        )?;
        let mut tx = tx;
        tx.cancel = Some(cancel);
        let snapshot = tx.json();
        if let Some(key) = &start.key {
            store.keys.insert(key.clone(), id.clone());
        }
        store.txs.insert(id.clone(), tx);
        store.order.push_back(id.clone());
        store.running += 1;
        self.running.send_replace(store.running);
        self.evict(&mut store);
        drop(store);
        log::info!(
            "transaction {id} started on {}: {} {}",
            start.terminal,
            summary,
            match start.source {
                Source::Api => "(API)",
                Source::Odoo => "(Odoo)",
            }
        );
        self.publish(&id, json!({"type": "started", "transaction": snapshot}));
        Ok((snapshot, false))
    }

    fn evict(&self, store: &mut Store) {
        let keep = self.config.keep_transactions.max(1);
        let mut scanned = 0;
        while store.txs.len() > keep && scanned < store.order.len() {
            let Some(id) = store.order.pop_front() else {
                break;
            };
            let finished = store.txs.get(&id).is_some_and(|t| t.finished.is_some());
            if finished {
                if let Some(tx) = store.txs.remove(&id)
                    && let Some(key) = tx.key
                    && store.keys.get(&key) == Some(&id)
                {
                    store.keys.remove(&key);
                }
            } else {
                // Running transactions stay, whatever their age.
                store.order.push_back(id);
                scanned += 1;
            }
        }
    }

    fn on_event(&self, id: &Arc<str>, event: Event) {
        let at = now_us();
        let terminal = {
            let mut store = self.store();
            let Some(tx) = store.txs.get_mut(id) else {
                return;
            };
            tx.events.push((event.name(), at));
            tx.terminal.clone()
        };
        let status = match event {
            Event::Done(s) => Some(s.as_str()),
            _ => None,
        };
        self.publish(
            id,
            json!({"type": "event", "id": &**id, "terminal": terminal, "event": event.name(), "status": status, "at_us": at}),
        );
    }

    fn on_done(&self, id: &Arc<str>, result: Result<Outcome, concert_core::terminal::Error>) {
        let finished = match result {
            Ok(outcome) => {
                if outcome.status == Status::InDoubt {
                    log::warn!(
                        "transaction {id} is IN DOUBT: {}; ask the terminal before taking this payment again",
                        outcome
                            .in_doubt_cause
                            .as_deref()
                            .unwrap_or("no valid answer")
                    );
                } else {
                    log::info!("transaction {id}: {}", outcome.status);
                }
                Finished::Outcome(Box::new(OutcomeJson::new(&outcome)), outcome.status)
            }
            Err(e) => {
                log::info!("transaction {id} not delivered: {e}");
                Finished::Failed(ApiError::from(e).body)
            }
        };
        {
            let mut store = self.store();
            let Some(tx) = store.txs.get_mut(id) else {
                return;
            };
            tx.finished = Some(finished);
            tx.cancel = None;
            tx.done.send_replace(true);
            let snapshot = tx.json();
            // Published before the count drops, so a stopping bridge
            // streams this end before it closes its streams.
            self.publish(id, json!({"type": "done", "transaction": snapshot}));
            store.running = store.running.saturating_sub(1);
            self.running.send_replace(store.running);
        }
    }

    /// A transaction's JSON, waiting up to `wait` for it to end.
    pub async fn get(&self, id: &str, wait: Duration) -> Result<Value, ApiError> {
        let mut done = {
            let store = self.store();
            let tx = store.txs.get(id).ok_or_else(|| not_found(id))?;
            if tx.finished.is_some() || wait.is_zero() {
                return Ok(tx.json());
            }
            tx.done.subscribe()
        };
        let mut shutdown = self.shutdown_signal();
        tokio::select! {
            _ = tokio::time::timeout(wait, became_true(&mut done)) => {}
            _ = became_true(&mut shutdown) => {}
        }
        let store = self.store();
        store.txs.get(id).map(Tx::json).ok_or_else(|| not_found(id))
    }

    /// The most recent transactions first, at most `limit`.
    pub fn recent(&self, limit: usize) -> Vec<Value> {
        let store = self.store();
        store
            .order
            .iter()
            .rev()
            .filter_map(|id| store.txs.get(id))
            .take(limit)
            .map(Tx::json)
            .collect()
    }

    /// Asks a running transaction to stop: before the request left, it
    /// fails (safe to retry); after, its outcome is in doubt.
    pub fn abort(&self, id: &str) -> Result<Value, ApiError> {
        let store = self.store();
        let tx = store.txs.get(id).ok_or_else(|| not_found(id))?;
        match &tx.cancel {
            Some(token) if tx.finished.is_none() => {
                token.cancel();
                log::info!("transaction {id}: abort asked");
                Ok(tx.json())
            }
            _ => Err(ApiError::new(
                codes::FINISHED,
                format!("transaction {id} has already ended"),
            )),
        }
    }

    /// Odoo's view of the transactions it started, newest first.
    pub fn odoo_transactions(&self, terminal: &str, limit: usize) -> Vec<OdooView> {
        let store = self.store();
        store
            .order
            .iter()
            .rev()
            .filter_map(|id| store.txs.get(id))
            .filter(|t| t.source == Source::Odoo && t.terminal == terminal)
            .take(limit)
            .map(|t| OdooView {
                id: t.id.to_string(),
                terminal: t.terminal.clone(),
                end: t.finished.as_ref().map(|f| match f {
                    Finished::Outcome(o, s) => Ok((*s, o.clone())),
                    Finished::Failed(e) => Err(e.clone()),
                }),
            })
            .collect()
    }

    /// Runs a request that moves no money (identify, status) and waits for it.
    pub async fn query(&self, slot: &Slot, request: Request) -> Result<Value, ApiError> {
        if self.stopping.load(Ordering::SeqCst) {
            return Err(ApiError::new(
                codes::SHUTTING_DOWN,
                "the bridge is stopping",
            ));
        }
        let (tx, rx) = oneshot::channel();
        slot.terminal.submit_with(
            request,
            |_| {},
            move |result| {
                let _ = tx.send(result);
            },
        )?;
        let result = rx.await.map_err(|_| {
            ApiError::new(
                "CONCERT_NOT_DELIVERED",
                "the transaction thread ended without an answer",
            )
        })?;
        let outcome = result?;
        Ok(json!({"terminal": slot.name, "outcome": OutcomeJson::new(&outcome)}))
    }

    /// Whether the terminal is running a transaction.
    pub fn busy(&self, slot: &Slot) -> bool {
        slot.terminal.is_busy()
    }

    /// Whether the bridge is stopping (no new request reaches a terminal).
    pub fn stopping(&self) -> bool {
        self.stopping.load(Ordering::SeqCst)
    }

    /// No new transaction from now on.
    pub fn stop_accepting(&self) {
        self.stopping.store(true, Ordering::SeqCst);
    }

    /// How many transactions are running.
    pub fn running(&self) -> usize {
        *self.running.borrow()
    }

    /// Waits until no transaction runs.
    pub async fn idle(&self) {
        let mut running = self.running.subscribe();
        // An error means the hub is gone, and with it every transaction.
        let _gone = running.wait_for(|n| *n == 0).await.is_err();
    }

    /// Cancels every running transaction (each then ends in doubt, or not
    /// delivered when it had not left yet).
    pub fn cancel_all(&self) {
        let store = self.store();
        for tx in store.txs.values() {
            if let Some(token) = &tx.cancel {
                token.cancel();
            }
        }
    }

    /// Tells WebSocket clients and long polls to finish.
    pub fn close_streams(&self) {
        self.shutdown.send_replace(true);
    }
}

impl Start {
    fn request_summary(&self) -> String {
        let r = &self.request;
        match (r.amount, r.currency) {
            (Some(a), Some(c)) => format!(
                "{} {} {c}",
                r.operation.name(),
                concert_core::amount::format_decimal(a, c)
            ),
            _ => r.operation.name().to_owned(),
        }
    }
}

fn not_found(id: &str) -> ApiError {
    ApiError::new(codes::NOT_FOUND, format!("no transaction {id:?}"))
}

/// Waits until the flag is true (or its sender is gone). The guard
/// `wait_for` returns is not `Send`: it is dropped here, before any await.
pub async fn became_true(flag: &mut watch::Receiver<bool>) {
    let _gone = flag.wait_for(|v| *v).await.is_err();
}
