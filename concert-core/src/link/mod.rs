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
//! point every byte has been handed out).

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
