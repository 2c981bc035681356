//! How to reach a terminal and how to speak to it, set once.

use std::time::Duration;

use thiserror::Error;

use crate::journal::JournalHandle;
use crate::link::LinkConfig;
pub use crate::transport::{Parity, SerialLine};

/// Which protocol the terminal speaks.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Protocol {
    /// V2 protocol E (26-character requests), serial only.
    V2E,
    /// V2 protocol E+ (34-character requests), serial only.
    V2EPlus,
    /// V3 with the version sent in `CZ` (`"0300"`, `"0301"`, `"0310"`, `"0320"`).
    V3 {
        /// The `CZ` value.
        version: String,
    },
}

impl Protocol {
    /// V3 at version 0300, the common denominator.
    pub fn v3() -> Protocol {
        Protocol::V3 {
            version: "0300".into(),
        }
    }

    /// Whether this is a V2 variant.
    pub fn is_v2(&self) -> bool {
        matches!(self, Protocol::V2E | Protocol::V2EPlus)
    }
}

/// Where the terminal is.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Connection {
    /// TCP/IP (Ethernet, Wi-Fi): V3 only; the terminal listens.
    Tcp {
        /// Host name or address.
        host: String,
        /// Port (8888 by default on terminals).
        port: u16,
    },
    /// A serial line.
    Serial(SerialLine),
}

/// Every time limit, with defaults that suit a person paying.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct Timeouts {
    /// TCP connect (default 10 s).
    pub connect: Duration,
    /// Waiting for the answer once the request is sent (default 180 s,
    /// at least 60 s: card insertion, PIN and receipt choice take minutes).
    pub answer: Duration,
    /// TCP: once the bytes read parse into a complete answer, how long the
    /// line must stay quiet before it is taken as whole (default 200 ms: a
    /// lost segment is sent again after at least 200 ms, Linux's smallest
    /// retransmission time-out, and Wi-Fi terminals lose segments).
    pub quiet_period: Duration,
    /// TCP: after a complete answer on a socket the terminal keeps open,
    /// how long it gets to close it; a record arriving meanwhile is read
    /// (default 1 s). A terminal that closes ends the wait at once.
    pub close_wait: Duration,
    /// Answer timeout for identify and status, which need nobody at the
    /// terminal (default 15 s).
    pub query: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        Timeouts {
            connect: Duration::from_secs(10),
            answer: Duration::from_secs(180),
            quiet_period: Duration::from_millis(200),
            close_wait: Duration::from_secs(1),
            query: Duration::from_secs(15),
        }
    }
}

/// Everything a [`crate::terminal::Terminal`] needs, set once.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct TerminalConfig {
    /// Where the terminal is.
    pub connection: Connection,
    /// Which protocol it speaks.
    pub protocol: Protocol,
    /// This cash register's POS number, 1–99.
    pub pos_number: u8,
    /// V3 `CJ`: cash-register protocol identifier, 12 characters.
    pub cash_register_id: String,
    /// Time limits.
    pub timeouts: Timeouts,
    /// Serial link timings and retries (answer wait taken from `timeouts`).
    pub link: LinkConfig,
    /// Keep the V2 REP field unmasked in outcomes. Off by default: REP
    /// starts with the card number, which old terminals send in clear.
    pub keep_raw_card_data: bool,
    /// Where each transaction is written down before it is sent (none by
    /// default). With a journal, a request without private data gets a
    /// generated merchant reference, so that answers can be matched to it.
    pub journal: Option<JournalHandle>,
}

/// A configuration that cannot work.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// V2 exists only on serial lines.
    #[error("protocol V2 runs over a serial line only; use V3 over TCP")]
    V2OverTcp,
    /// POS number outside 1–99.
    #[error("POS number {0} is out of range: 1 to 99")]
    PosNumber(u8),
    /// `CJ` must be 12 printable characters.
    #[error("cash register identifier {0:?} must be 12 printable ASCII characters")]
    CashRegisterId(String),
    /// Unknown `CZ` version.
    #[error("V3 version {0:?} must be 4 digits such as \"0300\"")]
    Version(String),
    /// A time-out too short for a person paying.
    #[error("answer time-out {0:?} is below the 60 s minimum: a payment takes minutes")]
    AnswerTimeout(Duration),
    /// A zero time-out.
    #[error("{0} time-out must be greater than zero")]
    ZeroTimeout(&'static str),
    /// A time limit above [`MAX_DURATION`](crate::duration::MAX_DURATION).
    #[error(transparent)]
    Duration(#[from] crate::duration::DurationError),
    /// Unusable line settings.
    #[error("serial line: {0}")]
    Line(String),
    /// Host or port missing.
    #[error("TCP target: {0}")]
    Tcp(String),
    /// Link timings.
    #[error("link settings: {0}")]
    Link(String),
}

impl TerminalConfig {
    /// V3 over TCP with default settings.
    pub fn tcp(host: impl Into<String>, port: u16) -> TerminalConfig {
        TerminalConfig {
            connection: Connection::Tcp {
                host: host.into(),
                port,
            },
            protocol: Protocol::v3(),
            pos_number: 1,
            cash_register_id: "000000000001".into(),
            timeouts: Timeouts::default(),
            link: LinkConfig::default(),
            keep_raw_card_data: false,
            journal: None,
        }
    }

    /// A serial line with the given protocol and default settings.
    pub fn serial(line: SerialLine, protocol: Protocol) -> TerminalConfig {
        TerminalConfig {
            connection: Connection::Serial(line),
            protocol,
            ..TerminalConfig::tcp("", 0)
        }
    }

    /// Checks every setting.
    pub fn validate(&self) -> Result<(), ConfigError> {
        if !(1..=99).contains(&self.pos_number) {
            return Err(ConfigError::PosNumber(self.pos_number));
        }
        let cj = self.cash_register_id.as_bytes();
        if cj.len() != 12 || !cj.iter().all(|b| (0x20..=0x7e).contains(b)) {
            return Err(ConfigError::CashRegisterId(self.cash_register_id.clone()));
        }
        if let Protocol::V3 { version } = &self.protocol
            && (version.len() != 4 || !version.bytes().all(|b| b.is_ascii_digit()))
        {
            return Err(ConfigError::Version(version.clone()));
        }
        let t = &self.timeouts;
        let l = &self.link;
        for (name, d) in [
            ("connect time-out", t.connect),
            ("answer time-out", t.answer),
            ("quiet period", t.quiet_period),
            ("close wait", t.close_wait),
            ("query time-out", t.query),
            ("link ACK time-out", l.ack_timeout),
            ("link ENQ retry pause", l.enq_retry_pause),
            ("link turnaround", l.turnaround),
        ] {
            crate::duration::check(name, d)?;
        }
        if t.answer < crate::link::MIN_ANSWER_TIMEOUT {
            return Err(ConfigError::AnswerTimeout(t.answer));
        }
        for (name, d) in [
            ("connect", t.connect),
            ("quiet period", t.quiet_period),
            ("query", t.query),
        ] {
            if d.is_zero() {
                return Err(ConfigError::ZeroTimeout(name));
            }
        }
        match &self.connection {
            Connection::Tcp { host, port } => {
                if self.protocol.is_v2() {
                    return Err(ConfigError::V2OverTcp);
                }
                if host.trim().is_empty() {
                    return Err(ConfigError::Tcp("host is empty".into()));
                }
                if *port == 0 {
                    return Err(ConfigError::Tcp("port 0 is not a terminal's port".into()));
                }
            }
            Connection::Serial(line) => {
                if line.path.is_empty() {
                    return Err(ConfigError::Line("path is empty".into()));
                }
                if !(1200..=115_200).contains(&line.baud) {
                    return Err(ConfigError::Line(format!(
                        "baud rate {} is outside 1200-115200",
                        line.baud
                    )));
                }
                if !matches!(line.data_bits, 7 | 8) {
                    return Err(ConfigError::Line(format!(
                        "{} data bits: use 7 or 8",
                        line.data_bits
                    )));
                }
                if !matches!(line.stop_bits, 1 | 2) {
                    return Err(ConfigError::Line(format!(
                        "{} stop bits: use 1 or 2",
                        line.stop_bits
                    )));
                }
            }
        }
        let link = LinkConfig {
            answer_timeout: t.answer,
            ..self.link.clone()
        };
        link.validate()
            .map_err(|e| ConfigError::Link(e.to_string()))
    }

    /// The same configuration writing to `journal`.
    pub fn with_journal(
        mut self,
        journal: std::sync::Arc<dyn crate::journal::Journal>,
    ) -> TerminalConfig {
        self.journal = Some(JournalHandle::new(journal));
        self
    }

    /// Where the terminal is, as journals and logs name it: `host:port` or
    /// the serial device path.
    pub fn place(&self) -> String {
        match &self.connection {
            Connection::Tcp { host, port } => format!("{host}:{port}"),
            Connection::Serial(line) => line.path.clone(),
        }
    }

    /// The link settings actually used: the answer wait follows `timeouts`,
    /// the frame timers the serial line's baud rate.
    pub(crate) fn effective_link(&self) -> LinkConfig {
        let baud = match &self.connection {
            Connection::Serial(line) => line.baud,
            Connection::Tcp { .. } => self.link.baud,
        };
        LinkConfig {
            answer_timeout: self.timeouts.answer,
            baud,
            ..self.link.clone()
        }
    }
}
