//! [`Terminal`]: one configured terminal, one transaction at a time.

use std::panic::{self, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError, Weak};
use std::thread::JoinHandle;
use std::time::Duration;

use crossbeam_channel::{Receiver, RecvTimeoutError, TryRecvError};

use super::config::{ConfigError, Connection, SerialLine, TerminalConfig};
use super::decode::{decode_v2, decode_v3, in_doubt};
use super::encode::encode_request;
use super::error::Error;
use super::event::Event;
use super::late::{LateAnswer, MAX_LATE_ANSWERS};
use super::outcome::{Direction, Outcome, Status, WireFrame};
use super::request::{Operation, Request};
use super::wire::{hex_ascii, mask_payload, mask_serial_stream};
use super::workers;
use crate::currency::Currency;
use crate::journal::{Beginning, LateAnswer as JournalLateAnswer, new_reference};
use crate::transport::{
    CancelToken, Channel, ExchangeSpec, Exchanged, Failure, PushedFrame, SerialChannel, TcpChannel,
};

/// A payment terminal, configured once. Cheap to clone: clones share the
/// same line and the same one-transaction-at-a-time rule.
///
/// ```no_run
/// use concert_core::currency::EUR;
/// use concert_core::terminal::{Status, Terminal, TerminalConfig};
///
/// let terminal = Terminal::new(TerminalConfig::tcp("192.168.1.50", 8888))?;
/// let outcome = terminal.pay(1250, EUR)?;
/// match outcome.status {
///     Status::Approved => println!("paid, authorisation {:?}", outcome.authorization_number),
///     Status::InDoubt => println!("unknown: ask the terminal with status() before retrying"),
///     other => println!("not paid: {other} ({})", outcome.reason),
/// }
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone)]
pub struct Terminal {
    inner: Arc<Inner>,
}

struct Inner {
    config: TerminalConfig,
    busy: AtomicBool,
    /// The serial line, kept open between transactions.
    serial: Mutex<Option<SerialChannel>>,
    /// The cancel token of every transaction running on this terminal,
    /// blocking or in the background, for [`Terminal::abort`].
    running: Mutex<Vec<(u64, CancelToken)>>,
    next_running: AtomicU64,
    /// The last request sent: what a late answer most likely answers.
    last_request: Mutex<Option<Request>>,
    /// Late answers not yet handed over.
    late: Mutex<Vec<LateAnswer>>,
    /// The thread keeping the line open to a late answer after an
    /// in-doubt serial outcome, and what stops it.
    watch: Mutex<Option<(CancelToken, JoinHandle<()>)>>,
}

impl Inner {
    /// Reads frames the terminal pushed as answers to the last request
    /// sent, and keeps them until handed over.
    fn keep_pushed(&self, pushed: Vec<PushedFrame>) {
        if pushed.is_empty() {
            return;
        }
        let request = lock(&self.last_request).clone();
        let v2 = self.config.protocol.is_v2();
        let mut late = lock(&self.late);
        for frame in pushed {
            let against = request
                .clone()
                .unwrap_or_else(|| Request::new(Operation::Identify));
            let outcome = if v2 {
                decode_v2(&against, &frame.payload, &self.config)
            } else {
                decode_v3(&against, &frame.payload, &self.config)
            };
            log::warn!(
                "late answer kept: {} ({}) for an earlier {}",
                outcome.status,
                outcome.reason,
                against.operation.name()
            );
            if late.len() >= MAX_LATE_ANSWERS {
                log::warn!("more than {MAX_LATE_ANSWERS} late answers not taken: the oldest goes");
                late.remove(0);
            }
            let raw = outcome
                .raw_answer
                .clone()
                .unwrap_or_else(|| mask_payload(v2, &frame.payload));
            if let Some(journal) = &self.config.journal {
                // Attached to the entry it answers, whether or not the
                // caller ever takes it: over V2 it is how an in-doubt
                // payment ends.
                let kept = journal.0.late_answer(&JournalLateAnswer {
                    received_at: frame.received_at,
                    terminal: self.config.place(),
                    outcome: outcome.clone(),
                    raw: raw.clone(),
                });
                match kept {
                    Ok(Some(entry)) => log::info!("late answer attached to journal entry {entry}"),
                    Ok(None) => log::warn!("late answer matches no journal entry (kept apart)"),
                    Err(e) => log::error!("late answer not journaled: {e}"),
                }
            }
            late.push(LateAnswer {
                request: request.clone(),
                raw,
                outcome,
                received_at: frame.received_at,
            });
        }
    }

    /// Stops the late-answer watch, if one runs, and waits for it to let
    /// go of the line.
    fn stop_watch(&self) {
        let watch = lock(&self.watch).take();
        if let Some((stop, handle)) = watch {
            stop.cancel();
            let _ = handle.join();
        }
    }
}

/// Keeps a transaction's token in [`Inner::running`] while it runs. Weak:
/// it must not count as a holder of the terminal (see `Drop for Terminal`).
struct Running {
    inner: Weak<Inner>,
    id: u64,
}

impl Running {
    fn new(inner: &Arc<Inner>, token: &CancelToken) -> Running {
        let id = inner.next_running.fetch_add(1, Ordering::Relaxed);
        inner
            .running
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push((id, token.clone()));
        Running {
            inner: Arc::downgrade(inner),
            id,
        }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        if let Some(inner) = self.inner.upgrade() {
            lock(&inner.running).retain(|(id, _)| *id != self.id);
        }
    }
}

/// A lock whose poisoning only means an earlier panic: the data is still
/// whole (every update is a single push, take or replace).
fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Drop for Terminal {
    fn drop(&mut self) {
        // The late-answer watch holds the line (and a reference) after an
        // in-doubt outcome; once it is the last holder besides this handle,
        // nobody can take what it would catch: it lets the port go.
        if Arc::strong_count(&self.inner) == 2 && lock(&self.inner.watch).is_some() {
            self.inner.stop_watch();
        }
    }
}

/// Held while a transaction runs; frees the terminal when dropped, even
/// if the transaction panicked.
struct BusyGuard(Option<Arc<Inner>>);

impl Drop for BusyGuard {
    fn drop(&mut self) {
        if let Some(inner) = self.0.take() {
            inner.busy.store(false, Ordering::SeqCst);
        }
    }
}

/// A transaction running in the background: wait for it, poll it, watch
/// its events or cancel it.
pub struct Pending {
    request: Request,
    result: Receiver<Result<Outcome, Error>>,
    events: Receiver<Event>,
    cancel: CancelToken,
}

impl Pending {
    /// Blocks until the transaction ends.
    pub fn wait(self) -> Result<Outcome, Error> {
        self.result.recv().unwrap_or_else(|_| self.lost())
    }

    /// Waits at most `timeout`; `None` if still running.
    pub fn wait_timeout(&self, timeout: Duration) -> Option<Result<Outcome, Error>> {
        match self.result.recv_timeout(timeout) {
            Ok(r) => Some(r),
            Err(RecvTimeoutError::Timeout) => None,
            Err(RecvTimeoutError::Disconnected) => Some(self.lost()),
        }
    }

    /// The result if the transaction has ended.
    pub fn try_result(&self) -> Option<Result<Outcome, Error>> {
        match self.result.try_recv() {
            Ok(r) => Some(r),
            Err(TryRecvError::Empty) => None,
            Err(TryRecvError::Disconnected) => Some(self.lost()),
        }
    }

    /// The worker ended without a word (its result was already taken, or
    /// it died): the request may have reached the terminal.
    fn lost(&self) -> Result<Outcome, Error> {
        Ok(in_doubt(
            &self.request,
            "the transaction's result was already taken or its thread ended",
            None,
        ))
    }

    /// Progress events, in order; the channel closes when the transaction ends.
    pub fn events(&self) -> &Receiver<Event> {
        &self.events
    }

    /// Asks the transaction to stop: before the request left it ends with
    /// [`Error::Cancelled`], after with an in-doubt outcome.
    pub fn cancel(&self) {
        self.cancel.cancel();
    }

    /// A token that cancels this transaction from elsewhere.
    pub fn cancel_token(&self) -> CancelToken {
        self.cancel.clone()
    }
}

impl Terminal {
    /// A terminal with a checked configuration. Nothing is opened yet.
    pub fn new(config: TerminalConfig) -> Result<Terminal, ConfigError> {
        config.validate()?;
        Ok(Terminal {
            inner: Arc::new(Inner {
                config,
                busy: AtomicBool::new(false),
                serial: Mutex::new(None),
                running: Mutex::new(Vec::new()),
                next_running: AtomicU64::new(0),
                last_request: Mutex::new(None),
                late: Mutex::new(Vec::new()),
                watch: Mutex::new(None),
            }),
        })
    }

    /// The configuration.
    pub fn config(&self) -> &TerminalConfig {
        &self.inner.config
    }

    /// Whether a transaction is running.
    pub fn is_busy(&self) -> bool {
        self.inner.busy.load(Ordering::SeqCst)
    }

    /// Identify and status may run beside a transaction over TCP: each
    /// request has its own connection and the terminal answers them at once.
    fn needs_exclusive(&self, request: &Request) -> bool {
        !(request.operation.is_query()
            && matches!(self.inner.config.connection, Connection::Tcp { .. }))
    }

    fn acquire(&self, request: &Request) -> Result<BusyGuard, Error> {
        if self.needs_exclusive(request) {
            self.acquire_exclusive()
        } else {
            Ok(BusyGuard(None))
        }
    }

    fn acquire_exclusive(&self) -> Result<BusyGuard, Error> {
        self.inner
            .busy
            .compare_exchange(false, true, Ordering::SeqCst, Ordering::SeqCst)
            .map_err(|_| Error::Busy)?;
        Ok(BusyGuard(Some(self.inner.clone())))
    }

    /// Stops whatever runs on this terminal now, from any thread: a
    /// blocking [`Terminal::transact`] on another thread, a background
    /// [`Terminal::submit`], a query beside them. Each one that had not
    /// sent its request yet ends with [`Error::Cancelled`] (safe to retry);
    /// one whose request had left ends with an in-doubt outcome (the
    /// terminal may still complete it: ask it with `status`). Returns at
    /// once; with nothing running it does nothing, and it does not stop a
    /// transaction started after it returns.
    pub fn abort(&self) {
        let running = self
            .inner
            .running
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        for (_, token) in running.iter() {
            token.cancel();
        }
    }

    /// Releases the serial port kept open between transactions (TCP holds
    /// nothing between requests). The next request opens it again.
    /// Refused with [`Error::Busy`] while a transaction runs.
    pub fn close(&self) -> Result<(), Error> {
        let _guard = self.acquire_exclusive()?;
        self.inner.stop_watch();
        let mut slot = self
            .inner
            .serial
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        *slot = None;
        Ok(())
    }

    /// The payload this terminal would send for `request` (a V2 message or
    /// V3 records, without serial framing), checked as a transaction
    /// checks it; nothing is opened.
    pub fn encode(&self, request: &Request) -> Result<Vec<u8>, Error> {
        Ok(encode_request(&self.inner.config, request)?)
    }

    /// Late answers not yet handed over, oldest first: answers to earlier
    /// requests that came after their outcome (serial: the line is kept open
    /// to them after an in-doubt outcome, up to the answer time-out, until
    /// the next request), or that the terminal pushed on an ENQ collision.
    /// Each is handed over once: here, or on the next outcome's
    /// [`late_answers`](Outcome::late_answers).
    pub fn take_late_answers(&self) -> Vec<LateAnswer> {
        std::mem::take(&mut *lock(&self.inner.late))
    }

    /// Runs a request and blocks until its outcome.
    pub fn transact(&self, request: &Request) -> Result<Outcome, Error> {
        self.transact_with(request, &mut |_| {}, &CancelToken::new())
    }

    /// Runs a request, reporting progress to `on_event` (on this thread),
    /// stoppable through `cancel` or [`Terminal::abort`].
    pub fn transact_with(
        &self,
        request: &Request,
        on_event: &mut dyn FnMut(Event),
        cancel: &CancelToken,
    ) -> Result<Outcome, Error> {
        // Registered before the busy flag is taken: whoever sees the
        // terminal busy can abort what makes it so.
        let _running = Running::new(&self.inner, cancel);
        let _guard = self.acquire(request)?;
        self.run(request, on_event, cancel)
    }

    /// Starts a request on a thread of its own and returns at once. A second
    /// transaction while one runs gets [`Error::Busy`] here, not later.
    pub fn submit(&self, request: Request) -> Result<Pending, Error> {
        let (result_tx, result_rx) = crossbeam_channel::bounded(1);
        let (event_tx, event_rx) = crossbeam_channel::unbounded();
        let request_copy = request.clone();
        let cancel = self.submit_with(
            request,
            move |event| {
                let _ = event_tx.send(event);
            },
            move |result| {
                let _ = result_tx.send(result);
            },
        )?;
        Ok(Pending {
            request: request_copy,
            result: result_rx,
            events: event_rx,
            cancel,
        })
    }

    /// Starts a request on a thread of its own (threads are reused from one
    /// transaction to the next); `on_event` and `on_done` are called on
    /// that thread. Returns the token that cancels it.
    pub fn submit_with(
        &self,
        request: Request,
        mut on_event: impl FnMut(Event) + Send + 'static,
        on_done: impl FnOnce(Result<Outcome, Error>) + Send + 'static,
    ) -> Result<CancelToken, Error> {
        let cancel = CancelToken::new();
        let running = Running::new(&self.inner, &cancel);
        let guard = self.acquire(&request)?;
        let terminal = self.clone();
        let token = cancel.clone();
        workers::run(Box::new(move || {
            // A panic is a bug, but the request may already be out:
            // report it in doubt rather than lose the caller's answer.
            let result = panic::catch_unwind(AssertUnwindSafe(|| {
                terminal.run(&request, &mut on_event, &token)
            }))
            .unwrap_or_else(|_| {
                Ok(in_doubt(
                    &request,
                    "internal error during the transaction",
                    None,
                ))
            });
            // Free the terminal first: a caller woken by the result may
            // start the next transaction at once.
            drop(running);
            drop(guard);
            on_done(result);
        }))
        .map_err(|e| Error::NotDelivered(format!("cannot start a thread: {e}")))?;
        Ok(cancel)
    }

    /// A payment of `amount` minor units.
    pub fn pay(&self, amount: u64, currency: Currency) -> Result<Outcome, Error> {
        self.transact(&Request::pay(amount, currency))
    }

    /// A refund of `amount` minor units.
    pub fn refund(&self, amount: u64, currency: Currency) -> Result<Outcome, Error> {
        self.transact(&Request::refund(amount, currency))
    }

    /// Cancels an earlier payment of `amount` minor units.
    pub fn cancel(&self, amount: u64, currency: Currency) -> Result<Outcome, Error> {
        self.transact(&Request::cancel(amount, currency))
    }

    /// A pre-authorisation of `amount` minor units.
    pub fn preauthorize(&self, amount: u64, currency: Currency) -> Result<Outcome, Error> {
        self.transact(&Request::preauthorize(amount, currency))
    }

    /// Checks the terminal is there without a transaction.
    pub fn identify(&self) -> Result<Outcome, Error> {
        self.transact(&Request::new(Operation::Identify))
    }

    /// The result of the last transaction (V3).
    pub fn status(&self) -> Result<Outcome, Error> {
        self.transact(&Request::new(Operation::Status))
    }

    /// Télécollecte: remote batch settlement (V3).
    pub fn settle(&self) -> Result<Outcome, Error> {
        self.transact(&Request::new(Operation::Settle))
    }

    fn with_channel<T>(&self, f: impl FnOnce(&mut dyn Channel) -> T) -> T {
        let config = &self.inner.config;
        match &config.connection {
            Connection::Tcp { host, port } => {
                let mut channel = TcpChannel::new(
                    host.clone(),
                    *port,
                    config.timeouts.connect,
                    config.timeouts.quiet_period,
                    config.timeouts.close_wait,
                );
                f(&mut channel)
            }
            Connection::Serial(line) => self.with_serial(line, |channel| f(channel)),
        }
    }

    /// The serial line, opened on first use. Serial requests hold the busy
    /// flag, so its lock is never contended; a poisoned lock only means an
    /// earlier panic, and the channel reopens its port after any failure.
    fn with_serial<T>(&self, line: &SerialLine, f: impl FnOnce(&mut SerialChannel) -> T) -> T {
        let mut slot = self
            .inner
            .serial
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        f(slot.get_or_insert_with(|| {
            SerialChannel::new(line.clone(), self.inner.config.effective_link())
        }))
    }

    fn run(
        &self,
        request: &Request,
        on_event: &mut dyn FnMut(Event),
        cancel: &CancelToken,
    ) -> Result<Outcome, Error> {
        let config = &self.inner.config;
        let journal = config
            .journal
            .as_ref()
            .filter(|_| !request.operation.is_query());
        // An answer is matched to its entry by the reference it echoes: a
        // request without one gets one when it is journaled.
        let generated =
            journal.is_some() && request.private_data.as_deref().is_none_or(str::is_empty);
        let referenced;
        let request = if generated {
            referenced = Request {
                private_data: Some(new_reference()),
                ..request.clone()
            };
            &referenced
        } else {
            request
        };
        let payload = encode_request(config, request)?;
        log::info!(
            "{} {} {}",
            request.operation.name(),
            request.amount.map_or_else(String::new, |a| a.to_string()),
            request.currency.map_or("", |c| c.alpha())
        );
        if cancel.is_cancelled() {
            return Err(Error::Cancelled);
        }
        let place = config.place();
        let entry = match journal {
            Some(journal) => Some(journal.0.begin(&Beginning {
                terminal: &place,
                protocol: &config.protocol,
                pos_number: config.pos_number,
                request,
                reference_generated: generated,
            })?),
            None => None,
        };
        let result = match (journal, entry) {
            (Some(journal), Some(entry)) => {
                let mut journaling = |event: Event| {
                    if event == Event::Sent
                        && let Err(e) = journal.0.sent(entry)
                    {
                        // The entry stays `sending`: in doubt on the next
                        // opening, which is what it is if we die now.
                        log::error!("journal entry {entry}: {e}");
                    }
                    on_event(event);
                };
                let mut result = self.exchange(request, &payload, &mut journaling, cancel);
                if let Ok(outcome) = &mut result {
                    outcome.journal_entry = Some(entry);
                }
                let written = match &result {
                    Ok(outcome) => journal.0.finished(entry, outcome),
                    Err(e) => journal.0.not_sent(entry, e),
                };
                if let Err(e) = written {
                    log::error!("journal entry {entry}: {e}");
                }
                result
            }
            _ => self.exchange(request, &payload, on_event, cancel),
        };
        let outcome = match result {
            Ok(outcome) => outcome,
            Err(e) => {
                log::info!("{} not sent: {e}", request.operation.name());
                return Err(e);
            }
        };
        log::info!(
            "{} {}: {}{}",
            request.operation.name(),
            outcome.status,
            outcome.reason,
            outcome
                .card_number
                .as_deref()
                .map_or_else(String::new, |c| format!(" card {c}"))
        );
        on_event(Event::Done(outcome.status));
        Ok(outcome)
    }

    /// Sends the encoded request and reads its answer.
    fn exchange(
        &self,
        request: &Request,
        payload: &[u8],
        on_event: &mut dyn FnMut(Event),
        cancel: &CancelToken,
    ) -> Result<Outcome, Error> {
        let config = &self.inner.config;
        let v2 = config.protocol.is_v2();
        let serial = matches!(config.connection, Connection::Serial(_));
        if serial {
            // The line is this request's now.
            self.inner.stop_watch();
        }
        on_event(Event::Connecting);
        if v2 && request.operation == Operation::Identify {
            // V2 is serial only (checked with the configuration).
            let Connection::Serial(line) = &config.connection else {
                return Err(Error::Config(ConfigError::V2OverTcp));
            };
            self.with_serial(line, |channel| channel.probe(cancel))?;
            let mut outcome = Outcome::new(Status::Approved, request.operation);
            outcome.reason = "terminal acknowledged ENQ".into();
            return Ok(outcome);
        }
        let answer_timeout = if request.operation.is_query() {
            config.timeouts.query
        } else {
            config.timeouts.answer
        };
        let spec = ExchangeSpec {
            payload,
            expect_answer: true,
            answer_timeout,
            cancel,
        };
        trace(v2, Direction::Sent, payload);
        let (exchanged, pushed) = self.with_channel(|c| {
            let exchanged = c.exchange(&spec, on_event);
            (exchanged, c.take_pushed())
        });
        // Pushed before our request went out: they answer the one before.
        self.inner.keep_pushed(pushed);
        if !matches!(exchanged, Err(Failure::NotSent(_))) {
            *lock(&self.inner.last_request) = Some(request.clone());
        }
        let mask = |bytes: &[u8]| {
            if serial {
                mask_serial_stream(v2, bytes)
            } else {
                mask_payload(v2, bytes)
            }
        };
        // Takes the received bytes already masked: the in-doubt path keeps
        // them as the raw answer too.
        let frames = |sent: &[u8], received: Vec<u8>| {
            let mut frames = vec![WireFrame {
                direction: Direction::Sent,
                bytes: mask(sent),
            }];
            if !received.is_empty() {
                frames.push(WireFrame {
                    direction: Direction::Received,
                    bytes: received,
                });
            }
            frames
        };
        let mut outcome = match exchanged {
            Ok(Exchanged {
                answer,
                sent,
                received,
                dropped: _,
            }) => {
                let answer = answer.unwrap_or_default();
                trace(v2, Direction::Received, &answer);
                let mut outcome = if v2 {
                    decode_v2(request, &answer, config)
                } else {
                    decode_v3(request, &answer, config)
                };
                outcome.frames = frames(&sent, mask(&received));
                outcome
            }
            Err(Failure::NotSent(e)) => return Err(e),
            Err(Failure::InDoubt {
                cause,
                sent,
                received,
                dropped: _,
            }) => {
                log::warn!("{} in doubt: {cause}", request.operation.name());
                let received = mask(&received);
                let raw = (!received.is_empty()).then_some(received.as_slice());
                let mut outcome = in_doubt(request, cause, raw);
                outcome.frames = frames(&sent, received);
                outcome
            }
        };
        outcome.late_answers = std::mem::take(&mut *lock(&self.inner.late));
        if !outcome.late_answers.is_empty() {
            on_event(Event::LateAnswer);
        }
        if serial && outcome.status == Status::InDoubt {
            self.watch_for_late_answer(answer_timeout);
        }
        Ok(outcome)
    }

    /// Keeps the serial line open to the in-doubt request's late answer, in
    /// the background, up to `wait` or until the next request needs the line.
    fn watch_for_late_answer(&self, wait: Duration) {
        let stop = CancelToken::new();
        let inner = self.inner.clone();
        let token = stop.clone();
        let spawned = std::thread::Builder::new()
            .name("concert-late-answer".into())
            .spawn(move || {
                let until = crate::duration::deadline(std::time::Instant::now(), wait);
                let pushed = {
                    let mut slot = lock(&inner.serial);
                    let Some(channel) = slot.as_mut() else {
                        return;
                    };
                    channel.listen_late(until, &token);
                    channel.take_pushed()
                };
                inner.keep_pushed(pushed);
            });
        match spawned {
            Ok(handle) => *lock(&self.inner.watch) = Some((stop, handle)),
            Err(e) => log::warn!("cannot watch for a late answer: {e}"),
        }
    }
}

/// The wire trace: hex and ASCII, card numbers masked, at trace level under
/// the `concert::wire` target so it is off unless asked for.
fn trace(v2: bool, direction: Direction, payload: &[u8]) {
    if log::log_enabled!(target: "concert::wire", log::Level::Trace) {
        let arrow = if direction == Direction::Sent {
            "->"
        } else {
            "<-"
        };
        log::trace!(
            target: "concert::wire",
            "{arrow} {}",
            hex_ascii(&mask_payload(v2, payload))
        );
    }
}
