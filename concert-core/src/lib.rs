//! # concert-core
//!
//! The Concert protocol (V2 and V3) spoken by French card payment terminals
//! (TPE), as one exact, tested engine: codecs, the serial link layer, TCP and
//! serial transports, a terminal client and a terminal simulator.
//!
//! Protocol logic is sans-I/O: [`v2`], [`v3`] and [`link`] take bytes and
//! time in and give bytes, events and deadlines out. [`transport`] and
//! [`terminal`] drive them over real connections.

pub mod amount;
pub mod codes;
pub mod currency;
pub mod duration;
pub mod frame;
pub mod inspect;
pub mod journal;
pub mod link;
pub mod logs;
pub mod mask;
pub mod names;
pub mod sim;
pub mod terminal;
pub mod transport;
pub mod v2;
pub mod v3;

/// The README's examples, compiled and run as doc-tests.
#[doc = include_str!("../../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
