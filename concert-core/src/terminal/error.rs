//! Failures that leave no doubt: nothing reached the terminal, so the
//! request can be retried safely. Failures after the request reached the
//! terminal are not errors: they are outcomes with status `in_doubt`.

use std::io;

use thiserror::Error;

use super::config::ConfigError;
use crate::amount::AmountError;
use crate::codes::ErrorCode;
use crate::currency::UnknownCurrency;
use crate::journal::JournalError;
use crate::v2::V2Error;
use crate::v3::EncodeError;

/// A request that cannot be sent as it is.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum RequestError {
    /// An operation that moves money without an amount.
    #[error("{0} needs an amount")]
    AmountRequired(&'static str),
    /// Amount zero.
    #[error("amount must be greater than zero")]
    AmountZero,
    /// More digits than the protocol carries.
    #[error("amount {amount} is too large for {protocol}: at most {max}")]
    AmountTooLarge {
        /// The amount.
        amount: u64,
        /// The protocol.
        protocol: &'static str,
        /// The largest amount.
        max: u64,
    },
    /// A decimal amount that does not parse.
    #[error(transparent)]
    Amount(#[from] AmountError),
    /// An operation that moves money without a currency.
    #[error("{0} needs a currency")]
    CurrencyRequired(&'static str),
    /// Unknown currency code.
    #[error(transparent)]
    Currency(#[from] UnknownCurrency),
    /// A text field too long.
    #[error("{field} is {len} characters long; at most {max} allowed")]
    TooLong {
        /// Field.
        field: &'static str,
        /// Its length.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// A text field shorter than the protocol allows.
    #[error("{field} is {len} characters long; at least {min} needed")]
    TooShort {
        /// Field.
        field: &'static str,
        /// Its length.
        len: usize,
        /// The minimum.
        min: usize,
    },
    /// A text field with a character the protocol cannot carry.
    #[error("{field} holds {found:?}: only printable ASCII can be sent")]
    NotAscii {
        /// Field.
        field: &'static str,
        /// The character.
        found: char,
    },
    /// Something the configured protocol cannot express.
    #[error("{what} is not available with protocol {protocol}")]
    Unsupported {
        /// What.
        what: String,
        /// The protocol.
        protocol: &'static str,
    },
    /// A V3 message longer than a serial frame carries.
    #[error(
        "V3 message of {len} characters exceeds the {max}-character serial frame; how terminals split longer ones is not public"
    )]
    TooLongForSerial {
        /// Length.
        len: usize,
        /// Limit.
        max: usize,
    },
    /// A V3 record rule broken (e.g. an extra tag given twice).
    #[error("V3 record: {0}")]
    Record(#[from] EncodeError),
    /// A V2 field rule broken.
    #[error("V2 field: {0}")]
    V2(#[from] V2Error),
}

/// A failure before the request reached the terminal: safe to retry.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum Error {
    /// The request is invalid.
    #[error("invalid request: {0}")]
    InvalidRequest(#[from] RequestError),
    /// The terminal configuration is invalid.
    #[error("invalid configuration: {0}")]
    Config(#[from] ConfigError),
    /// Another transaction is running on this terminal.
    #[error("a transaction is already running on this terminal")]
    Busy,
    /// The TCP connection could not be made.
    #[error("cannot connect to {target}: {source}")]
    Connect {
        /// host:port.
        target: String,
        /// The cause.
        source: io::Error,
    },
    /// The serial port could not be opened.
    #[error("cannot open serial port {path}: {reason}")]
    PortOpen {
        /// Device path.
        path: String,
        /// The cause.
        reason: String,
    },
    /// The terminal never took the request (no ACK to ENQ, frame refused,
    /// write failed before any byte of the request left).
    #[error("request not delivered: {0}")]
    NotDelivered(String),
    /// Cancelled before the request left this machine.
    #[error("cancelled before the request was sent")]
    Cancelled,
    /// The journal could not record the request, so it was not sent.
    #[error("journal: {0}; nothing was sent")]
    Journal(#[from] JournalError),
}

impl Error {
    /// Always true for this type: anything that might have reached the
    /// terminal is reported as an in-doubt outcome instead.
    pub fn safe_to_retry(&self) -> bool {
        self.kind().safe_to_retry()
    }

    /// Its entry in the one table of error codes.
    pub fn kind(&self) -> ErrorCode {
        match self {
            Error::InvalidRequest(_) => ErrorCode::InvalidRequest,
            Error::Config(_) => ErrorCode::Config,
            Error::Busy => ErrorCode::Busy,
            Error::Connect { .. } => ErrorCode::Connect,
            Error::PortOpen { .. } => ErrorCode::Port,
            Error::NotDelivered(_) => ErrorCode::NotDelivered,
            Error::Cancelled => ErrorCode::Cancelled,
            Error::Journal(_) => ErrorCode::Journal,
        }
    }

    /// The stable code every binding shows (`CONCERT_BUSY` …), from
    /// [`ErrorCode::code`].
    pub fn code(&self) -> &'static str {
        self.kind().code()
    }
}
