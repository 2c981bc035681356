//! `NativeTerminal`: one configured terminal. Transactions run on the
//! core's own thread (`Terminal::submit_with`), never on libuv's pool: a
//! payment waits minutes and would starve `fs` and `dns`.

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use concert_core::terminal::{CancelToken, Terminal};
use napi::bindgen_prelude::{Buffer, Function};
use napi::threadsafe_function::ThreadsafeFunctionCallMode;
use napi_derive::napi;

use concert_core::codes::ErrorCode;

use crate::error::{self, Result, from_core};
use crate::journal::NativeJournal;
use crate::options::{TerminalOptions, serial_config, tcp_config};
use crate::outcome::{NativeLateAnswer, NativeMessage};
use crate::request::NativeRequest;

/// A payment terminal (the package's `Terminal` wraps it).
#[napi]
pub struct NativeTerminal {
    state: Mutex<State>,
}

struct State {
    /// `None` once closed.
    terminal: Option<Terminal>,
    /// The last transaction started, so `close` can stop it.
    running: Option<CancelToken>,
}

/// A running transaction: `cancel` asks it to stop.
#[napi]
pub struct NativeTransaction {
    token: CancelToken,
}

#[napi]
impl NativeTransaction {
    /// Before the request left: ends with `CONCERT_CANCELLED`; after: in doubt.
    #[napi]
    pub fn cancel(&self) {
        self.token.cancel();
    }
}

impl NativeTerminal {
    fn new(terminal: Terminal) -> NativeTerminal {
        NativeTerminal {
            state: Mutex::new(State {
                terminal: Some(terminal),
                running: None,
            }),
        }
    }

    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

fn closed() -> error::Error {
    error::error(ErrorCode::Closed, "the terminal is closed")
}

impl NativeTerminal {
    /// The core terminal, or `CONCERT_CLOSED`.
    pub fn core(&self) -> Result<Terminal> {
        self.state().terminal.clone().ok_or_else(closed)
    }
}

#[napi]
impl NativeTerminal {
    /// A V3 terminal over TCP/IP.
    #[napi(factory)]
    pub fn tcp(host: String, port: u32, options: Option<TerminalOptions>) -> Result<Self> {
        let config = tcp_config(host, port, &options.unwrap_or_default())?;
        Ok(Self::new(Terminal::new(config).map_err(error::config)?))
    }

    /// A V3 terminal over TCP/IP whose transactions are journaled.
    #[napi(factory)]
    pub fn tcp_journaled(
        host: String,
        port: u32,
        options: Option<TerminalOptions>,
        journal: &NativeJournal,
    ) -> Result<Self> {
        let config =
            tcp_config(host, port, &options.unwrap_or_default())?.with_journal(journal.get()?);
        Ok(Self::new(Terminal::new(config).map_err(error::config)?))
    }

    /// A terminal on a serial line (RS232, USB CDC-ACM, Bluetooth SPP):
    /// `path` is `/dev/ttyACM0`, or on Windows `COM3`, `COM10` or `\\.\COM10`.
    #[napi(factory)]
    pub fn serial(path: String, options: Option<TerminalOptions>) -> Result<Self> {
        let config = serial_config(path, &options.unwrap_or_default())?;
        Ok(Self::new(Terminal::new(config).map_err(error::config)?))
    }

    /// A terminal on a serial line whose transactions are journaled.
    #[napi(factory)]
    pub fn serial_journaled(
        path: String,
        options: Option<TerminalOptions>,
        journal: &NativeJournal,
    ) -> Result<Self> {
        let config =
            serial_config(path, &options.unwrap_or_default())?.with_journal(journal.get()?);
        Ok(Self::new(Terminal::new(config).map_err(error::config)?))
    }

    /// Starts a request on a thread of its own and returns at once.
    /// `onMessage` receives progress events in order, then one final message
    /// with the outcome or the failure. Throws (`CONCERT_BUSY`,
    /// `CONCERT_INVALID_REQUEST` …) when nothing could start.
    #[napi]
    pub fn transact(
        &self,
        request: NativeRequest,
        on_message: Function<'_, NativeMessage, ()>,
    ) -> Result<NativeTransaction> {
        let request = request.to_core()?;
        let mut state = self.state();
        let terminal = state.terminal.clone().ok_or_else(closed)?;
        // One queue for events and the result keeps them in order. The
        // function is referenced (keeps Node alive) only while the
        // transaction runs: it is dropped with the closures when the
        // transaction's thread ends, and no listener is ever stored here.
        let tsfn = on_message
            .build_threadsafe_function::<NativeMessage>()
            .callee_handled::<false>()
            .build()
            .map_err(|e| error::invalid(e.reason))?;
        let tsfn = Arc::new(tsfn);
        let events = Arc::clone(&tsfn);
        let token = terminal
            .submit_with(
                request,
                move |event| {
                    events.call(
                        NativeMessage::event(event),
                        ThreadsafeFunctionCallMode::NonBlocking,
                    );
                },
                move |result| {
                    tsfn.call(
                        NativeMessage::result(result),
                        ThreadsafeFunctionCallMode::NonBlocking,
                    );
                },
            )
            .map_err(|e| from_core(&e))?;
        state.running = Some(token.clone());
        Ok(NativeTransaction { token })
    }

    /// Stops whatever runs on this terminal (`Terminal::abort` in the
    /// core): before its request left a transaction ends with
    /// `CONCERT_CANCELLED`, after with an outcome in doubt. Nothing
    /// running, or closed: does nothing.
    #[napi]
    pub fn abort(&self) {
        if let Some(terminal) = self.state().terminal.as_ref() {
            terminal.abort();
        }
    }

    /// The payload this terminal would send for `request` (a V2 message or
    /// V3 records, without serial framing), checked as a transaction checks
    /// it. Nothing is opened.
    #[napi]
    pub fn encode(&self, request: NativeRequest) -> Result<Buffer> {
        let request = request.to_core()?;
        let terminal = self.state().terminal.clone().ok_or_else(closed)?;
        let payload = terminal.encode(&request).map_err(|e| from_core(&e))?;
        Ok(Buffer::from(payload))
    }

    /// Whether a transaction is running.
    #[napi(getter)]
    pub fn busy(&self) -> bool {
        self.state()
            .terminal
            .as_ref()
            .is_some_and(Terminal::is_busy)
    }

    /// Late answers not yet handed over, oldest first (serial): each is
    /// handed over once, here or on the next outcome's `lateAnswers`.
    /// Empty once closed.
    #[napi]
    pub fn take_late_answers(&self) -> Vec<NativeLateAnswer> {
        self.state()
            .terminal
            .as_ref()
            .map(|t| t.take_late_answers().into_iter().map(Into::into).collect())
            .unwrap_or_default()
    }

    /// Whether `close` was called.
    #[napi(getter)]
    pub fn closed(&self) -> bool {
        self.state().terminal.is_none()
    }

    /// Stops a running transaction (in doubt if its request had left) and
    /// releases the serial port once it ends. Later calls fail with
    /// `CONCERT_CLOSED`. Closing twice does nothing.
    #[napi]
    pub fn close(&self) {
        let mut state = self.state();
        if let Some(token) = state.running.take() {
            token.cancel();
        }
        if let Some(terminal) = state.terminal.take() {
            // Busy means a transaction still holds the line: its thread owns
            // a clone of the terminal and the port closes when it ends.
            let _ = terminal.close();
        }
    }
}
