//! # libconcert: the stable C ABI of concert
//!
//! A thin, guarded layer over `concert-core` for tills written in C, C++
//! and Delphi. All protocol logic stays in the core; this crate converts
//! values at the boundary and guards it:
//!
//! - every fallible function returns a [`concert_result`] code (numbers are
//!   never reused) and writes its out-parameters (always last) only on
//!   success;
//! - every pointer is checked for NULL, every string for UTF-8, every enum
//!   or boolean arrives as `uint32_t` and is range-checked;
//! - no panic crosses the boundary: each export runs inside `catch_unwind`
//!   and reports [`concert_result::CONCERT_RESULT_PANIC`] instead;
//! - handles are opaque, made by `*_new` and released by `*_free`
//!   (`*_free(NULL)` does nothing); each remembers the message of its last
//!   failed call (`*_last_error`).
//!
//! The header `include/concert.h` is generated from this crate by cbindgen
//! (pinned) and committed; `tests/header.rs` fails when it drifts.

// The C boundary: raw pointers in, checked, out. The workspace denies
// `unsafe` everywhere else.
#![allow(unsafe_code)]
// The C names are the ABI: `concert_terminal`, `concert_result` ...
#![allow(non_camel_case_types)]

mod config;
mod enums;
mod event;
mod guard;
mod journal;
mod logging;
mod outcome;
mod request;
mod result;
mod simulator;
mod terminal;
mod text;

pub use config::*;
pub use enums::*;
pub use event::*;
pub use journal::*;
pub use logging::*;
pub use outcome::*;
pub use request::*;
pub use result::*;
pub use simulator::*;
pub use terminal::*;
pub use text::*;

/// Major version of this library (semantic versioning: the ABI is stable
/// within a major version).
pub const CONCERT_VERSION_MAJOR: u32 = 0;
/// Minor version of this library.
pub const CONCERT_VERSION_MINOR: u32 = 1;
/// Patch version of this library.
pub const CONCERT_VERSION_PATCH: u32 = 0;
