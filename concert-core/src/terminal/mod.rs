//! The client till software calls: configure a [`Terminal`] once, then run
//! transactions, blocking or in the background.

mod answer;
mod client;
mod config;
mod decode;
mod encode;
mod error;
mod event;
mod from_records;
mod late;
mod outcome;
mod request;
pub mod wire;
mod workers;

pub use crate::transport::CancelToken;
pub use answer::{answer_outcome, answer_outcome_text, outcome_of_answer};
pub use client::{Pending, Terminal};
pub use config::{ConfigError, Connection, Parity, Protocol, SerialLine, TerminalConfig, Timeouts};
pub use decode::decode_answer;
pub use encode::encode_request;
pub use error::{Error, RequestError};
pub use event::Event;
pub use from_records::{RecordSettings, RecordsError};
pub use late::LateAnswer;
pub use outcome::{ApplicationUsed, Direction, EchoMismatch, Outcome, Status, WireFrame};
pub use request::{Application, Operation, ReceiptWanted, Request};
