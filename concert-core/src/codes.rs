//! The one table of error codes every front end shows: the C ABI's result
//! names, Python's `Error.code`, Node's `error.code`, the command line's
//! `--json` output and the HTTP bridge. Each code says whether the request
//! may simply be sent again.

use std::fmt;
use std::str::FromStr;

use crate::names::UnknownName;

/// A kind of failure, with its stable code (`CONCERT_BUSY` …).
///
/// A code, once published, is never renamed nor given another meaning.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorCode {
    /// The request cannot be sent as it is (amount, currency, option, a
    /// value of the wrong type).
    InvalidRequest,
    /// A terminal or simulator setting that cannot work.
    Config,
    /// Another transaction is running on this terminal.
    Busy,
    /// The TCP connection could not be made.
    Connect,
    /// The serial port could not be opened.
    Port,
    /// The terminal never took the request.
    NotDelivered,
    /// Cancelled before the request left this machine.
    Cancelled,
    /// A call on a terminal or simulator that was closed.
    Closed,
    /// Bytes that are not a Concert message (decode).
    Decode,
    /// Serial ports could not be listed.
    Ports,
    /// The simulator could not start, or is stopped.
    Simulator,
    /// A command line used wrongly (unknown flag, missing value).
    Usage,
    /// A failure of the program around the library (writing output, a
    /// signal handler, a runtime that could not start).
    Runtime,
    /// The transaction journal cannot be used (nothing was sent).
    Journal,
}

impl ErrorCode {
    /// Every code, in table order.
    pub const ALL: [ErrorCode; 14] = [
        ErrorCode::InvalidRequest,
        ErrorCode::Config,
        ErrorCode::Busy,
        ErrorCode::Connect,
        ErrorCode::Port,
        ErrorCode::NotDelivered,
        ErrorCode::Cancelled,
        ErrorCode::Closed,
        ErrorCode::Decode,
        ErrorCode::Ports,
        ErrorCode::Simulator,
        ErrorCode::Usage,
        ErrorCode::Runtime,
        ErrorCode::Journal,
    ];

    /// The stable code: `CONCERT_INVALID_REQUEST`, `CONCERT_CONFIG`,
    /// `CONCERT_BUSY`, `CONCERT_CONNECT`, `CONCERT_PORT`,
    /// `CONCERT_NOT_DELIVERED`, `CONCERT_CANCELLED`, `CONCERT_CLOSED`,
    /// `CONCERT_DECODE`, `CONCERT_PORTS`, `CONCERT_SIMULATOR`,
    /// `CONCERT_USAGE`, `CONCERT_RUNTIME`, `CONCERT_JOURNAL`.
    pub fn code(self) -> &'static str {
        match self {
            ErrorCode::InvalidRequest => "CONCERT_INVALID_REQUEST",
            ErrorCode::Config => "CONCERT_CONFIG",
            ErrorCode::Busy => "CONCERT_BUSY",
            ErrorCode::Connect => "CONCERT_CONNECT",
            ErrorCode::Port => "CONCERT_PORT",
            ErrorCode::NotDelivered => "CONCERT_NOT_DELIVERED",
            ErrorCode::Cancelled => "CONCERT_CANCELLED",
            ErrorCode::Closed => "CONCERT_CLOSED",
            ErrorCode::Decode => "CONCERT_DECODE",
            ErrorCode::Ports => "CONCERT_PORTS",
            ErrorCode::Simulator => "CONCERT_SIMULATOR",
            ErrorCode::Usage => "CONCERT_USAGE",
            ErrorCode::Runtime => "CONCERT_RUNTIME",
            ErrorCode::Journal => "CONCERT_JOURNAL",
        }
    }

    /// Whether a call that failed this way may simply be made again: true
    /// when nothing reached a terminal, so no money can have moved. Every
    /// code of this table says so today (a request whose fate is unknown is
    /// never an error: it is an outcome in doubt); a code added later that
    /// cannot promise it will say false.
    pub fn safe_to_retry(self) -> bool {
        match self {
            ErrorCode::InvalidRequest
            | ErrorCode::Config
            | ErrorCode::Busy
            | ErrorCode::Connect
            | ErrorCode::Port
            | ErrorCode::NotDelivered
            | ErrorCode::Cancelled
            | ErrorCode::Closed
            | ErrorCode::Decode
            | ErrorCode::Ports
            | ErrorCode::Simulator
            | ErrorCode::Usage
            | ErrorCode::Runtime
            | ErrorCode::Journal => true,
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl FromStr for ErrorCode {
    type Err = UnknownName;

    fn from_str(s: &str) -> Result<ErrorCode, UnknownName> {
        ErrorCode::ALL
            .into_iter()
            .find(|c| c.code() == s)
            .ok_or_else(|| UnknownName {
                what: "error code",
                given: s.to_owned(),
                expected: "a CONCERT_* code of concert_core::codes::ErrorCode",
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_and_read_back() {
        for (i, a) in ErrorCode::ALL.iter().enumerate() {
            assert_eq!(a.code().parse::<ErrorCode>().unwrap(), *a);
            for b in &ErrorCode::ALL[i + 1..] {
                assert_ne!(a.code(), b.code());
            }
        }
        assert!("CONCERT_NOPE".parse::<ErrorCode>().is_err());
    }
}
