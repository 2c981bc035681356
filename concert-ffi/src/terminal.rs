//! `concert_terminal`: blocking transactions, callbacks on the core's
//! worker thread, and a polling queue for tills that want every result on
//! their own (GUI) thread.

use std::cell::Cell;
use std::collections::VecDeque;
use std::ffi::{c_char, c_void};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, RecvTimeoutError, Sender, TryRecvError};

use concert_core::currency::Currency;
use concert_core::terminal::{Error, Event, LateAnswer, Outcome, Request, Terminal};

use crate::config::concert_terminal_config;
use crate::enums::concert_event_kind;
use crate::event::concert_event;
use crate::guard::{LastError, borrow, guard, out, text};
use crate::outcome::concert_outcome;
use crate::request::concert_request;
use crate::result::concert_result;
use crate::text::{c_string, copy_out};

/// How long `concert_terminal_free` waits for cancelled transactions to
/// end. Cancellation is seen within 50 ms by the core; this bound only
/// matters if a callback of the till's own blocks.
const FREE_WAIT: Duration = Duration::from_secs(10);

/// A configured terminal. Made by `concert_terminal_new`, released by
/// `concert_terminal_free`. Thread-safe: every function but `_free` may be
/// called from any thread at the same time. One transaction runs at a time
/// (identify and status over TCP may run beside one); another gets
/// `CONCERT_RESULT_BUSY`.
pub struct concert_terminal {
    pub(crate) terminal: Terminal,
    last_error: LastError,
    tracker: Arc<Tracker>,
    polled_tx: Sender<concert_event>,
    polled_rx: Receiver<concert_event>,
    /// Polled transactions whose final event was not read yet.
    polled_open: Arc<AtomicUsize>,
    /// Late answers taken from the core, handed to C one at a time.
    late: Mutex<VecDeque<LateAnswer>>,
}

/// The transactions running in the background, so that freeing the
/// terminal can cancel them and wait.
#[derive(Default)]
struct Tracker {
    state: Mutex<Running>,
    idle: Condvar,
    /// The terminal was freed without waiting: no more callbacks.
    detached: AtomicBool,
}

#[derive(Default)]
struct Running {
    count: usize,
}

impl Tracker {
    fn begin(&self) {
        self.lock().count += 1;
    }

    fn end(&self) {
        self.lock().count -= 1;
        self.idle.notify_all();
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Running> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Waits until nothing runs; false if `timeout` passed first.
    fn wait_idle(&self, timeout: Duration) -> bool {
        let deadline = concert_core::duration::deadline(Instant::now(), timeout);
        let mut running = self.lock();
        while running.count > 0 {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return false;
            }
            running = self
                .idle
                .wait_timeout(running, left)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
        true
    }
}

/// Ends a tracked transaction even if our own code on the worker panics.
struct EndGuard(Arc<Tracker>);

impl Drop for EndGuard {
    fn drop(&mut self) {
        self.0.end();
    }
}

thread_local! {
    /// The tracker whose callback this thread is running, so that a
    /// terminal freed from its own callback does not wait for itself.
    static IN_CALLBACK: Cell<usize> = const { Cell::new(0) };
}

/// Runs a C callback, marking the thread as inside `tracker`'s callbacks.
fn in_callback(tracker: &Arc<Tracker>, f: impl FnOnce()) {
    let previous = IN_CALLBACK.with(|c| c.replace(Arc::as_ptr(tracker) as usize));
    f();
    IN_CALLBACK.with(|c| c.set(previous));
}

/// The till's `void *userdata`, carried to the worker thread.
#[derive(Clone, Copy)]
struct UserData(*mut c_void);

// SAFETY: the pointer is only handed back to the till's own callbacks,
// which the header documents as running on the worker thread.
unsafe impl Send for UserData {}

/// Called once when a submitted transaction ends, on the core's worker
/// thread. `result` is `CONCERT_RESULT_OK` with `outcome` (owned by the
/// callee: free it with `concert_outcome_free`, here or later, from any
/// thread), or a safe-to-retry error code with `outcome` NULL and
/// `error_message` set. `error_message` is valid during the call only.
/// It may free the terminal that runs it: `concert_terminal_free` then
/// returns without waiting for itself (see there).
pub type concert_done_callback = Option<
    unsafe extern "C" fn(
        userdata: *mut c_void,
        result: concert_result,
        outcome: *mut concert_outcome,
        error_message: *const c_char,
    ),
>;

/// Called for each progress step (a `concert_event_kind` other than
/// `DONE`), on the core's worker thread, in order, before the done
/// callback.
pub type concert_event_callback = Option<unsafe extern "C" fn(userdata: *mut c_void, event: u32)>;

/// Releases `userdata`: called once, on the worker thread, after the done
/// callback returned.
pub type concert_userdata_free = Option<unsafe extern "C" fn(userdata: *mut c_void)>;

/// Makes a terminal from a configuration (copied: the builder may be freed
/// after). Nothing is opened yet. An invalid configuration gives
/// `CONCERT_RESULT_CONFIG`, with the message in
/// `concert_terminal_config_last_error`.
///
/// On success `*out_terminal` receives a terminal owned by the caller.
///
/// # Safety
/// `config` is NULL or a live builder; `out_terminal` is NULL or valid.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn concert_terminal_new(
    config: *const concert_terminal_config,
    out_terminal: *mut *mut concert_terminal,
) -> concert_result {
    guard(|| {
        // SAFETY: `config` is NULL or a live handle of this library, as the
        // function's Safety section requires.
        let config = unsafe { borrow(config) }?;
        // SAFETY: `out_terminal` is NULL or valid for writing, as the
        // function's Safety section requires.
        let out_terminal = unsafe { out(out_terminal) }?;
        if !config.has_connection {
            config
                .last_error
                .set("invalid configuration: no connection set (set_tcp or set_serial)");
            return Err(concert_result::CONCERT_RESULT_CONFIG);
        }
        let terminal = Terminal::new(config.config.clone()).map_err(|e| {
            config.last_error.set(format!("invalid configuration: {e}"));
            concert_result::CONCERT_RESULT_CONFIG
        })?;
        let (polled_tx, polled_rx) = crossbeam_channel::unbounded();
        *out_terminal = Box::into_raw(Box::new(concert_terminal {
            terminal,
            last_error: LastError::default(),
            tracker: Arc::default(),
            polled_tx,
            polled_rx,
            polled_open: Arc::default(),
            late: Mutex::default(),
        }));
        Ok(())
    })
}

/// Releases a terminal. NULL does nothing.
///
/// A transaction still running (submitted, callback or polled) is
/// cancelled and waited for, at most 10 s: before its request left it ends
/// with `CONCERT_RESULT_CANCELLED`, after with an in-doubt outcome, and its
/// callbacks (if any) run before this function returns. If the wait times
/// out (a callback of the till's blocks), or when called from one of this
/// terminal's own callbacks, it returns without waiting: the remaining
/// callbacks are then skipped (their outcome dropped) and only
/// `userdata_free` still runs, on the worker thread. Unread polled events
/// are dropped. No other call on this terminal may run or start during or
/// after this call.
///
/// # Safety
/// `terminal` is NULL or a live terminal, not freed twice.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn concert_terminal_free(terminal: *mut concert_terminal) {
    let _ = guard(|| {
        if terminal.is_null() {
            return Ok(());
        }
        // SAFETY: made by Box::into_raw in `_new`, freed once.
        let handle = unsafe { Box::from_raw(terminal) };
        let tracker = &handle.tracker;
        handle.terminal.abort();
        let own_callback = IN_CALLBACK.with(|c| c.get()) == Arc::as_ptr(tracker) as usize;
        if own_callback || !tracker.wait_idle(FREE_WAIT) {
            tracker.detached.store(true, Ordering::SeqCst);
        }
        drop(handle);
        Ok(())
    });
}

/// Runs an operation on a terminal, remembering the failure's message.
fn with_terminal(
    terminal: *const concert_terminal,
    f: impl FnOnce(&concert_terminal) -> Result<(), concert_result>,
) -> concert_result {
    guard(|| {
        // SAFETY: the caller passes NULL or a live terminal.
        let terminal = unsafe { borrow(terminal) }?;
        f(terminal)
    })
}

impl concert_terminal {
    /// Records a core error as this handle's last error.
    fn fail(&self, error: &Error) -> concert_result {
        self.last_error.set(error.to_string());
        concert_result::from_error(error)
    }

    /// Starts `request` in the background, tracked for `_free`.
    fn submit(
        &self,
        request: Request,
        on_event: impl FnMut(Event) + Send + 'static,
        on_done: impl FnOnce(Result<Outcome, Error>) + Send + 'static,
    ) -> Result<(), Error> {
        self.tracker.begin();
        let end = EndGuard(self.tracker.clone());
        // The core registers the transaction for `Terminal::abort` before
        // its thread starts, so a callback that cancels or frees the
        // terminal at the first event reaches it. On failure the closure
        // (and with it `end`) is dropped: the count is back.
        self.terminal
            .submit_with(request, on_event, move |result| {
                let _end = end;
                on_done(result);
            })
            .map(drop)
    }
}

/// Runs `request` and blocks until its outcome. On success `*out_outcome`
/// receives an outcome owned by the caller; its status may be
/// `CONCERT_STATUS_IN_DOUBT` (never an error). An error code (100–199)
/// means nothing reached the terminal: safe to retry; the message is in
/// `concert_terminal_last_error`. `CONCERT_RESULT_BUSY` while another
/// transaction runs. Blocks the calling thread for as long as the card
/// holder takes (up to the answer time-out).
///
/// # Safety
/// `terminal` and `request` are NULL or live; `out_outcome` is NULL or
/// valid.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn concert_terminal_transact(
    terminal: *const concert_terminal,
    request: *const concert_request,
    out_outcome: *mut *mut concert_outcome,
) -> concert_result {
    with_terminal(terminal, |t| {
        // SAFETY: `request` is NULL or a live handle of this library, as the
        // function's Safety section requires.
        let request = unsafe { borrow(request) }?;
        // SAFETY: `out_outcome` is NULL or valid for writing, as the function's
        // Safety section requires.
        let out_outcome = unsafe { out(out_outcome) }?;
        let outcome = t
            .terminal
            .transact(&request.request)
            .map_err(|e| t.fail(&e))?;
        *out_outcome = concert_outcome::into_raw(outcome);
        Ok(())
    })
}

/// Copies into `buf` the payload this terminal would send for `request` (a
/// V2 message or V3 records, printable ASCII, without serial framing;
/// buffer convention in the header's introduction). Nothing is opened. A
/// request the protocol cannot carry gives the error a transaction would
/// (`CONCERT_RESULT_INVALID_REQUEST` …), with the message in
/// `concert_terminal_last_error`.
///
/// # Safety
/// `terminal` and `request` are NULL or live; `buf` is NULL or valid for
/// `len` bytes; `out_n` is NULL or valid.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn concert_terminal_encode(
    terminal: *const concert_terminal,
    request: *const concert_request,
    buf: *mut c_char,
    len: usize,
    out_n: *mut usize,
) -> concert_result {
    with_terminal(terminal, |t| {
        // SAFETY: the caller passes NULL or a live request.
        let request = unsafe { borrow(request) }?;
        let payload = t
            .terminal
            .encode(&request.request)
            .map_err(|e| t.fail(&e))?;
        let text = String::from_utf8_lossy(&payload);
        // SAFETY: the caller passes a buffer valid for `len` bytes, or NULL.
        unsafe { copy_out(&text, buf, len, out_n) }
    })
}

/// A payment of `amount` minor units in `currency` (`"EUR"` or `"978"`),
/// blocking: `concert_terminal_transact` with a pay request.
///
/// # Safety
/// `terminal` is NULL or live; `currency` is NULL or a NUL-terminated
/// string; `out_outcome` is NULL or valid.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn concert_terminal_pay(
    terminal: *const concert_terminal,
    amount: u64,
    currency: *const c_char,
    out_outcome: *mut *mut concert_outcome,
) -> concert_result {
    with_terminal(terminal, |t| {
        // SAFETY: `currency` is NULL or a NUL-terminated string, as the
        // function's Safety section requires.
        let code = unsafe { text(currency) }?;
        // SAFETY: `out_outcome` is NULL or valid for writing, as the function's
        // Safety section requires.
        let out_outcome = unsafe { out(out_outcome) }?;
        let currency = Currency::parse(code).map_err(|e| {
            t.last_error.set(format!("invalid request: {e}"));
            concert_result::CONCERT_RESULT_INVALID_REQUEST
        })?;
        let outcome = t.terminal.pay(amount, currency).map_err(|e| t.fail(&e))?;
        *out_outcome = concert_outcome::into_raw(outcome);
        Ok(())
    })
}

/// Starts `request` (copied) on the core's worker thread and returns at
/// once. `on_done` (required) is called exactly once, on that thread, with
/// the outcome or error; `on_event` (optional) before it for each progress
/// step; then `userdata_free` (optional) with `userdata`. Busy, invalid
/// request and the like are returned here, not through the callback: on
/// any failure nothing is called and `userdata` stays the caller's.
/// Callbacks must return promptly; one may free this terminal, which then
/// skips the callbacks still to come (see `concert_terminal_free`). A GUI till that must not see foreign threads
/// uses `concert_terminal_submit_polled` instead.
///
/// # Safety
/// `terminal` and `request` are NULL or live; the callbacks are NULL or
/// valid functions; `userdata` is whatever the callbacks expect, usable
/// from the worker thread.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn concert_terminal_submit(
    terminal: *const concert_terminal,
    request: *const concert_request,
    on_done: concert_done_callback,
    on_event: concert_event_callback,
    userdata: *mut c_void,
    userdata_free: concert_userdata_free,
) -> concert_result {
    with_terminal(terminal, |t| {
        // SAFETY: `request` is NULL or a live handle of this library, as the
        // function's Safety section requires.
        let request = unsafe { borrow(request) }?;
        let on_done = on_done.ok_or(concert_result::CONCERT_RESULT_NULL_ARGUMENT)?;
        let userdata = UserData(userdata);
        let events_tracker = t.tracker.clone();
        let done_tracker = t.tracker.clone();
        let on_progress = move |event: Event| {
            let ud = userdata;
            let (Some(callback), false) = (on_event, matches!(event, Event::Done(_))) else {
                return;
            };
            if events_tracker.detached.load(Ordering::SeqCst) {
                return;
            }
            let kind = concert_event_kind::from(event) as u32;
            // SAFETY: a valid callback, as the caller promised.
            in_callback(&events_tracker, || unsafe { callback(ud.0, kind) });
        };
        let finish = move |result: Result<Outcome, Error>| {
            let ud = userdata;
            if !done_tracker.detached.load(Ordering::SeqCst) {
                let (code, outcome, message) = match result {
                    Ok(outcome) => (
                        concert_result::CONCERT_RESULT_OK,
                        concert_outcome::into_raw(outcome),
                        c_string(""),
                    ),
                    Err(e) => (
                        concert_result::from_error(&e),
                        std::ptr::null_mut(),
                        c_string(&e.to_string()),
                    ),
                };
                // SAFETY: a valid callback; the outcome passes to the callee.
                in_callback(&done_tracker, || unsafe {
                    on_done(ud.0, code, outcome, message.as_ptr());
                });
            }
            if let Some(free) = userdata_free {
                // SAFETY: a valid finaliser, called once.
                unsafe { free(ud.0) };
            }
        };
        t.submit(request.request.clone(), on_progress, finish)
            .map_err(|e| t.fail(&e))
    })
}

/// Starts `request` (copied) in the background, without callbacks: its
/// progress events and final `CONCERT_EVENT_DONE` event (with the outcome
/// or error) are queued for `concert_terminal_next_event`, to be read on
/// whichever thread the till likes (a GUI timer). Failures to start (busy,
/// ...) are returned here.
///
/// # Safety
/// `terminal` and `request` are NULL or live.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn concert_terminal_submit_polled(
    terminal: *const concert_terminal,
    request: *const concert_request,
) -> concert_result {
    with_terminal(terminal, |t| {
        // SAFETY: `request` is NULL or a live handle of this library, as the
        // function's Safety section requires.
        let request = unsafe { borrow(request) }?;
        let events = t.polled_tx.clone();
        let done = t.polled_tx.clone();
        t.polled_open.fetch_add(1, Ordering::SeqCst);
        t.submit(
            request.request.clone(),
            move |event| {
                if !matches!(event, Event::Done(_)) {
                    let _ = events.send(concert_event::progress(event));
                }
            },
            move |result| {
                let _ = done.send(concert_event::done(result));
            },
        )
        .map_err(|e| {
            t.polled_open.fetch_sub(1, Ordering::SeqCst);
            t.fail(&e)
        })
    })
}

/// Takes the next event of the polled transactions, waiting at most
/// `timeout_ms` (0: just look). On success `*out_event` receives an event
/// owned by the caller (free with `concert_event_free`); after a
/// `CONCERT_EVENT_DONE` take its outcome with `concert_event_take_outcome`.
/// `CONCERT_RESULT_TIMEOUT` when nothing came in time;
/// `CONCERT_RESULT_IDLE` when no polled transaction is left to report on.
/// Any thread; typically the till's GUI thread, from a timer.
///
/// # Safety
/// `terminal` is NULL or live; `out_event` is NULL or valid.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn concert_terminal_next_event(
    terminal: *const concert_terminal,
    timeout_ms: u32,
    out_event: *mut *mut concert_event,
) -> concert_result {
    with_terminal(terminal, |t| {
        // SAFETY: `out_event` is NULL or valid for writing, as the function's
        // Safety section requires.
        let out_event = unsafe { out(out_event) }?;
        let event = match t.polled_rx.try_recv() {
            Ok(event) => event,
            Err(TryRecvError::Empty | TryRecvError::Disconnected) => {
                if t.polled_open.load(Ordering::SeqCst) == 0 {
                    return Err(concert_result::CONCERT_RESULT_IDLE);
                }
                match t
                    .polled_rx
                    .recv_timeout(Duration::from_millis(u64::from(timeout_ms)))
                {
                    Ok(event) => event,
                    Err(RecvTimeoutError::Timeout | RecvTimeoutError::Disconnected) => {
                        return Err(concert_result::CONCERT_RESULT_TIMEOUT);
                    }
                }
            }
        };
        if event.is_done() {
            t.polled_open.fetch_sub(1, Ordering::SeqCst);
        }
        *out_event = Box::into_raw(Box::new(event));
        Ok(())
    })
}

/// Stops whatever runs on this terminal, from any thread: a blocking
/// `concert_terminal_transact` or `concert_terminal_pay` on another thread,
/// and submitted or polled transactions. Each one whose request had not
/// left ends with `CONCERT_RESULT_CANCELLED` (safe to retry); one whose
/// request had left ends with an outcome `CONCERT_STATUS_IN_DOUBT` (the
/// terminal may still complete it: ask it with a status request). Returns
/// at once; the end is reported as usual (the blocking call returns, the
/// callback runs, the polled event comes). Nothing running: does nothing;
/// a transaction started after this call is not stopped.
///
/// # Safety
/// `terminal` is NULL or live.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn concert_terminal_cancel(
    terminal: *const concert_terminal,
) -> concert_result {
    with_terminal(terminal, |t| {
        t.terminal.abort();
        Ok(())
    })
}

/// 1 while a transaction runs on this terminal, else 0 (also for NULL).
///
/// # Safety
/// `terminal` is NULL or live.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn concert_terminal_is_busy(terminal: *const concert_terminal) -> u32 {
    crate::guard::guard_or(0, || {
        // SAFETY: `terminal` is NULL or a live handle of this library, as the
        // function's Safety section requires.
        unsafe { terminal.as_ref() }.map_or(0, |t| u32::from(t.terminal.is_busy()))
    })
}

/// Releases the serial port kept open between transactions (TCP holds
/// nothing); the next request opens it again. `CONCERT_RESULT_BUSY` while a
/// transaction runs.
///
/// # Safety
/// `terminal` is NULL or live.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn concert_terminal_close(
    terminal: *const concert_terminal,
) -> concert_result {
    with_terminal(terminal, |t| t.terminal.close().map_err(|e| t.fail(&e)))
}

/// Takes the oldest late answer not yet handed over: an answer to an
/// earlier request that came after its outcome (serial; the line is kept
/// open to it after an in-doubt outcome until the next request). Writes a
/// new outcome (free it with `concert_outcome_free`) read against the
/// request it most likely answers (`concert_outcome_operation`,
/// `concert_outcome_requested_amount` and its echo mismatches say which;
/// `concert_outcome_raw_answer` has its bytes, card number masked) and
/// when it came, in milliseconds since the Unix epoch.
/// `CONCERT_RESULT_ABSENT` when there is none. Each late answer is handed
/// over once: here, or on the next outcome (`concert_outcome_late_answer`).
///
/// # Safety
/// `terminal` is NULL or live; the out-pointers are NULL or valid.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn concert_terminal_take_late_answer(
    terminal: *const concert_terminal,
    out_outcome: *mut *mut concert_outcome,
    out_received_at_ms: *mut u64,
) -> concert_result {
    with_terminal(terminal, |t| {
        // SAFETY: caller contract.
        let (o, at) = unsafe { (out(out_outcome)?, out(out_received_at_ms)?) };
        let mut queue = t.late.lock().unwrap_or_else(PoisonError::into_inner);
        queue.extend(t.terminal.take_late_answers());
        let late = queue
            .pop_front()
            .ok_or(concert_result::CONCERT_RESULT_ABSENT)?;
        *at = crate::outcome::unix_ms(late.received_at);
        *o = concert_outcome::into_raw(late.outcome);
        Ok(())
    })
}

/// Copies the message of the last failed call on this terminal into `buf`
/// (buffer convention in the header's introduction). With several threads
/// on one terminal, the message may belong to another thread's call.
///
/// # Safety
/// `terminal` is NULL or live; `buf` is NULL or valid for `len` bytes;
/// `out_n` is NULL or valid.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn concert_terminal_last_error(
    terminal: *const concert_terminal,
    buf: *mut c_char,
    len: usize,
    out_n: *mut usize,
) -> concert_result {
    with_terminal(terminal, |t| {
        // SAFETY: `buf` is NULL or valid for `len` bytes and `out_n` NULL or
        // valid, as the function's Safety section requires.
        unsafe { copy_out(&t.last_error.get(), buf, len, out_n) }
    })
}
