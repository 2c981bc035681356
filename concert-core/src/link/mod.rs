//! The serial link layer (CONCERT-V2.md §2, also V3 over serial), sans-I/O.
//!
//! One session moves one frame in one direction, half duplex:
//! `ENQ` → `ACK`, `STX payload ETX LRC` → `ACK` (or `NAK`: sent again),
//! `EOT`. [`Sender`] plays the sending side, [`Receiver`] the receiving
//! side, and [`Exchange`] chains them into a cash register's transaction
//! (request, then the terminal's answer).
//!
//! The machines do no I/O and read no clock. They all have the same surface:
//! feed received bytes (in any chunking) with `handle_input`, call
//! `handle_timeout` when `poll_timeout` says, write what `poll_transmit`
//! gives, read `poll_event`, and stop once `result` is `Some` (at which
//! point every byte has been handed out). [`LinkMachine`] names that
//! surface, so one I/O driver can run any of them.

mod collector;
mod config;
mod event;
mod exchange;
mod io;
mod receiver;
mod sender;
#[cfg(test)]
mod testing;

pub use config::{LinkConfig, LinkConfigError, LinkQuirks, MIN_ANSWER_TIMEOUT};
pub use event::{LinkError, LinkEvent};
pub use exchange::Exchange;
pub use receiver::Receiver;
pub use sender::{SendOutcome, Sender};

use std::time::Instant;

/// The polling surface every link machine shares, for drivers (and test
/// harnesses) that run more than one kind.
pub trait LinkMachine {
    /// What the machine ends with.
    type Output;
    /// Feeds bytes read from the line.
    fn handle_input(&mut self, bytes: &[u8], now: Instant);
    /// Lets timers fire; call when `now >= poll_timeout()`.
    fn handle_timeout(&mut self, now: Instant);
    /// Bytes due on the line now.
    fn poll_transmit(&mut self, now: Instant) -> Option<Vec<u8>>;
    /// The next deadline, if any.
    fn poll_timeout(&self) -> Option<Instant>;
    /// The next event.
    fn poll_event(&mut self) -> Option<LinkEvent>;
    /// The result, once every byte has been handed out.
    fn result(&self) -> Option<Result<Self::Output, LinkError>>;
}

macro_rules! link_machine {
    ($($t:ty => $out:ty),*) => {$(
        impl LinkMachine for $t {
            type Output = $out;
            fn handle_input(&mut self, bytes: &[u8], now: Instant) {
                <$t>::handle_input(self, bytes, now)
            }
            fn handle_timeout(&mut self, now: Instant) {
                <$t>::handle_timeout(self, now)
            }
            fn poll_transmit(&mut self, now: Instant) -> Option<Vec<u8>> {
                <$t>::poll_transmit(self, now)
            }
            fn poll_timeout(&self) -> Option<Instant> {
                <$t>::poll_timeout(self)
            }
            fn poll_event(&mut self) -> Option<LinkEvent> {
                <$t>::poll_event(self)
            }
            fn result(&self) -> Option<Result<$out, LinkError>> {
                <$t>::result(self)
            }
        }
    )*};
}

link_machine!(Sender => SendOutcome, Receiver => Vec<u8>, Exchange => Option<Vec<u8>>);
