//! Transports drive the sans-I/O protocol code over real connections: one
//! TCP connection per request, or a serial line with the link layer.
//! Both sit behind [`Channel`], so the terminal client does not care which.

mod line;
mod ports;
mod serial;
mod tcp;

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, SystemTime};

pub use line::{Parity, SerialLine};
pub use ports::{KNOWN_TERMINALS, PortInfo, TERMINAL_VENDORS, known_terminal, list_ports};
pub use serial::SerialChannel;
pub use tcp::TcpChannel;

use crate::terminal::{Error, Event};

/// Asks a running exchange to stop. Cheap to clone; every clone controls
/// the same exchange.
#[derive(Debug, Clone, Default)]
pub struct CancelToken(Arc<CancelState>);

/// A way to cut a blocked wait short (a TCP exchange shuts its socket
/// down), so waits need not wake up to look at the token.
type Waker = Box<dyn Fn() + Send + Sync>;

#[derive(Default)]
struct CancelState {
    cancelled: AtomicBool,
    next_id: AtomicU64,
    wakers: Mutex<Vec<(u64, Waker)>>,
}

impl std::fmt::Debug for CancelState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CancelState")
            .field("cancelled", &self.cancelled.load(Ordering::SeqCst))
            .finish_non_exhaustive()
    }
}

impl CancelToken {
    /// A fresh token.
    pub fn new() -> CancelToken {
        CancelToken::default()
    }

    /// Asks the exchange to stop. Before the request left, it ends with
    /// [`Error::Cancelled`]; after, with an in-doubt outcome.
    pub fn cancel(&self) {
        self.0.cancelled.store(true, Ordering::SeqCst);
        let wakers = self.0.wakers.lock().unwrap_or_else(PoisonError::into_inner);
        for (_, wake) in wakers.iter() {
            wake();
        }
    }

    /// Whether cancellation was asked for.
    pub fn is_cancelled(&self) -> bool {
        self.0.cancelled.load(Ordering::SeqCst)
    }

    /// Runs `wake` on [`CancelToken::cancel`] while the guard lives. Look at
    /// [`CancelToken::is_cancelled`] after registering: a cancel that came
    /// before is not replayed.
    pub(crate) fn on_cancel(&self, wake: Waker) -> WakeGuard<'_> {
        let id = self.0.next_id.fetch_add(1, Ordering::Relaxed);
        self.0
            .wakers
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push((id, wake));
        WakeGuard { token: self, id }
    }
}

/// Unregisters a waker when dropped.
pub(crate) struct WakeGuard<'a> {
    token: &'a CancelToken,
    id: u64,
}

impl Drop for WakeGuard<'_> {
    fn drop(&mut self) {
        self.token
            .0
            .wakers
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .retain(|(id, _)| *id != self.id);
    }
}

/// How often blocking waits wake up to look at the cancel token.
pub(crate) const CANCEL_POLL: Duration = Duration::from_millis(50);

/// Whether an I/O error only says a bounded wait ended with nothing to
/// read or write (time-outs come as `TimedOut` or `WouldBlock` depending on
/// the platform and the kind of handle), rather than that the line failed.
pub(crate) fn is_wait_over(e: &std::io::Error) -> bool {
    use std::io::ErrorKind;
    matches!(
        e.kind(),
        ErrorKind::TimedOut | ErrorKind::WouldBlock | ErrorKind::Interrupted
    )
}

/// The most received bytes an exchange keeps: a terminal gone mad cannot
/// fill memory. Beyond it bytes are counted, not kept.
pub(crate) const MAX_KEPT: usize = 64 * 1024;

/// A frame the terminal sent that answers no request under way: pushed on
/// an ENQ collision before our request went out, or after the wait for an
/// answer was over. Over V2 it is the only way to learn how an in-doubt
/// payment ended, so it is kept and handed to the caller, never dropped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PushedFrame {
    /// The frame's payload, as received.
    pub payload: Vec<u8>,
    /// When it was received.
    pub received_at: SystemTime,
}

/// One request out, one answer back.
pub struct ExchangeSpec<'a> {
    /// Request payload (V3 text or V2 fixed-width message).
    pub payload: &'a [u8],
    /// Whether an answer is expected.
    pub expect_answer: bool,
    /// How long to wait for the answer once the request is delivered.
    pub answer_timeout: Duration,
    /// Stops the exchange.
    pub cancel: &'a CancelToken,
}

/// What an exchange brought back.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Exchanged {
    /// The answer payload, if one was expected.
    pub answer: Option<Vec<u8>>,
    /// Every byte written.
    pub sent: Vec<u8>,
    /// Every byte read, up to [`MAX_KEPT`](self) bytes.
    pub received: Vec<u8>,
    /// Bytes read beyond those kept, counted only.
    pub dropped: u64,
}

/// How an exchange failed.
#[derive(Debug)]
pub enum Failure {
    /// Nothing reached the terminal: safe to retry.
    NotSent(Error),
    /// The request may have reached the terminal; its fate is unknown.
    InDoubt {
        /// What went wrong.
        cause: String,
        /// Every byte written.
        sent: Vec<u8>,
        /// Every byte read before the failure, up to the cap.
        received: Vec<u8>,
        /// Bytes read beyond those kept, counted only.
        dropped: u64,
    },
}

/// A way to reach a terminal.
pub trait Channel: Send {
    /// Sends a request and waits for its answer, reporting progress.
    fn exchange(
        &mut self,
        spec: &ExchangeSpec<'_>,
        events: &mut dyn FnMut(Event),
    ) -> Result<Exchanged, Failure>;

    /// Frames the terminal pushed outside an answer since the last call
    /// (serial only: over TCP every answer has its own connection).
    fn take_pushed(&mut self) -> Vec<PushedFrame> {
        Vec::new()
    }
}
