//! How a simulator is set up: transport, protocol, scripted outcomes,
//! injected faults, and the error `Simulator::start` returns.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::time::Duration;

use thiserror::Error;

use super::answer_faults::AnswerFaults;
use super::script::Script;
use crate::link::LinkConfig;

/// Where the simulated terminal listens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SimTransport {
    /// A TCP listener at this address; port 0 picks a free port (see
    /// `Simulator::tcp_addr`).
    Tcp(SocketAddr),
    /// A pseudo-terminal pair; the client opens the path given by
    /// `Simulator::pty_path`.
    Pty,
}

/// Which protocol the simulated terminal speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SimProtocol {
    /// Concert V2 (protocol E 26-character and E+ 34-character requests);
    /// serial (pty) only, as on real terminals.
    V2,
    /// Concert V3 (TLV records), over TCP or serial.
    V3,
}

/// Faults injected on purpose, to test how a client copes. All off by default.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Faults {
    /// Serial: answer NAK to the first N request frames (counted over the
    /// simulator's life, not per session).
    pub nak_first_frames: u32,
    /// Serial: send a wrong LRC on the first N answer frames (counted over
    /// the simulator's life).
    pub corrupt_lrc_first: u32,
    /// Serial: bytes written before the answer's ENQ.
    pub stray_bytes: Vec<u8>,
    /// Serial: answer bytes written one byte per write. TCP: the answer is
    /// written in 3 segments 10 ms apart, with `TCP_NODELAY`.
    pub split_writes: bool,
    /// Serial: no EOT after the answer frame.
    pub skip_final_eot: bool,
    /// TCP: write half the answer, then close. Serial: send ENQ, wait for
    /// ACK, send half the frame, then go silent.
    pub close_mid_answer: bool,
    /// Accept (and on serial acknowledge) transaction requests but never
    /// answer them, until the simulator stops: the terminal stays busy.
    /// What a terminal answers at once still is (identification, status,
    /// busy and format errors, the `AE=11` of an immediate answer).
    pub never_answer: bool,
}

/// Everything a simulator needs. `Default` is V3 over TCP on
/// `127.0.0.1:0` (a free port), approving everything, with no faults.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct SimulatorConfig {
    /// TCP address or pseudo-terminal.
    pub transport: SimTransport,
    /// V2 or V3.
    pub protocol: SimProtocol,
    /// TCP whitelist; empty lets everyone in. Others are disconnected at
    /// once, nothing read, and journaled as refused.
    pub allow: Vec<IpAddr>,
    /// What a transaction does when no script is queued.
    pub default_script: Script,
    /// How long the simulated card holder takes.
    pub answer_delay: Duration,
    /// Faults to inject.
    pub faults: Faults,
    /// Faults in the answers' content or timing.
    pub answer_faults: AnswerFaults,
    /// Serial link timings and retries.
    pub link: LinkConfig,
    /// The full card number the terminal "reads". V3 answers carry it
    /// masked (`AA`), as terminals do; V2 answers carry it unmasked in REP,
    /// as old terminals do.
    pub card_number: String,
    /// Ticket text to send instead of the generated one.
    pub receipt_text: Option<String>,
    /// Accepted currencies (ISO 4217 numeric); others are refused
    /// (V3 `AE=01 AF=13`, V2 status `7`).
    pub currencies: Vec<u16>,
    /// `CZ` put in answers; `None` echoes the request's.
    pub answer_version: Option<String>,
    /// The card the simulated card holder presents (V3 `CC` and `CI` of a
    /// card approval).
    pub payment_type: PaymentType,
    /// Merchant (seller) contract number put in `CG`: 1 to 10 printable
    /// characters.
    pub contract: String,
    /// Resource limits.
    pub limits: SimLimits,
}

/// The card the simulated card holder presents: what a V3 card approval
/// says in `CC` (application) and `CI` (read mode) when the request lets
/// the terminal choose the application.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PaymentType {
    /// CB card inserted (`CC=001`, `CI=1`).
    #[default]
    CbContact,
    /// CB card tapped (`CC=00B`, `CI=2`).
    CbContactless,
    /// American Express card inserted (`CC=002`, `CI=1`).
    AmexContact,
    /// American Express card tapped (`CC=00D`, `CI=2`).
    AmexContactless,
}

impl PaymentType {
    /// Every payment type, with the name [`PaymentType::name`] gives.
    pub const ALL: [PaymentType; 4] = [
        PaymentType::CbContact,
        PaymentType::CbContactless,
        PaymentType::AmexContact,
        PaymentType::AmexContactless,
    ];

    /// Its name: `cb-contact`, `cb-contactless`, `amex-contact`,
    /// `amex-contactless`.
    pub fn name(self) -> &'static str {
        match self {
            PaymentType::CbContact => "cb-contact",
            PaymentType::CbContactless => "cb-contactless",
            PaymentType::AmexContact => "amex-contact",
            PaymentType::AmexContactless => "amex-contactless",
        }
    }

    /// The application code (`CC`) an approval carries.
    pub fn application_code(self) -> &'static str {
        match self {
            PaymentType::CbContact => "001",
            PaymentType::CbContactless => "00B",
            PaymentType::AmexContact => "002",
            PaymentType::AmexContactless => "00D",
        }
    }

    /// The read mode (`CI`) an approval carries: `1` contact, `2`
    /// contactless.
    pub fn read_mode_code(self) -> &'static str {
        match self {
            PaymentType::CbContact | PaymentType::AmexContact => "1",
            PaymentType::CbContactless | PaymentType::AmexContactless => "2",
        }
    }
}

impl std::str::FromStr for PaymentType {
    type Err = String;

    /// Reads a name from [`PaymentType::name`], case and `-`/`_`
    /// insensitive (`cbcontact`, as akretion's simulator spells it, too).
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let key: String = text
            .chars()
            .filter(|c| !matches!(c, '-' | '_' | ' '))
            .flat_map(char::to_lowercase)
            .collect();
        PaymentType::ALL
            .into_iter()
            .find(|p| p.name().replace('-', "") == key)
            .ok_or_else(|| {
                format!(
                    "unknown payment type {text:?}: expected one of {}",
                    PaymentType::ALL.map(PaymentType::name).join(", ")
                )
            })
    }
}

/// What the simulator holds at most, so that a till gone wrong (or a
/// hostile peer) cannot exhaust the machine it runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SimLimits {
    /// Journal entries kept; the oldest are dropped beyond it (and counted,
    /// see `Simulator::journal_dropped`).
    pub journal_entries: usize,
    /// TCP connections served at once (one thread each). A real terminal
    /// serves one at a time; further connections are accepted, journaled
    /// as refused and closed at once.
    pub connections: usize,
    /// TCP: how long a connection may take to deliver its whole request
    /// (or, with the `keep_open_after_answer` fault, stay open after the
    /// answer), however it drips its bytes.
    pub idle: Duration,
}

impl Default for SimLimits {
    fn default() -> Self {
        SimLimits {
            journal_entries: 10_000,
            connections: 16,
            idle: Duration::from_secs(30),
        }
    }
}

impl Default for SimulatorConfig {
    fn default() -> Self {
        SimulatorConfig {
            transport: SimTransport::Tcp(SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), 0)),
            protocol: SimProtocol::V3,
            allow: Vec::new(),
            default_script: Script::Approve,
            answer_delay: Duration::ZERO,
            faults: Faults::default(),
            answer_faults: AnswerFaults::default(),
            link: LinkConfig::default(),
            card_number: DEFAULT_CARD_NUMBER.to_owned(),
            receipt_text: None,
            currencies: vec![978],
            answer_version: None,
            payment_type: PaymentType::default(),
            contract: DEFAULT_CONTRACT.to_owned(),
            limits: SimLimits::default(),
        }
    }
}

/// The merchant contract number (`CG`) a default simulator reports.
pub const DEFAULT_CONTRACT: &str = "1234567";

/// The card number a default simulator reads (a test number that passes
/// the Luhn check).
pub const DEFAULT_CARD_NUMBER: &str = "4970101234567894";

impl SimulatorConfig {
    /// Checks the settings `Simulator::start` relies on.
    pub fn validate(&self) -> Result<(), SimError> {
        if self.protocol == SimProtocol::V2 && matches!(self.transport, SimTransport::Tcp(_)) {
            return Err(SimError::Config(
                "Concert V2 is a serial protocol: use SimTransport::Pty".to_owned(),
            ));
        }
        if self.protocol == SimProtocol::V2 && matches!(self.default_script, Script::Partial(_)) {
            return Err(SimError::Config(
                "partial payments exist in V3 only: a V2 terminal has no partial approval"
                    .to_owned(),
            ));
        }
        let card = self.card_number.as_bytes();
        if card.is_empty()
            || card.len() > crate::v2::REP_LEN
            || !card.iter().all(u8::is_ascii_digit)
        {
            return Err(SimError::Config(format!(
                "card number must be 1 to {} digits (got {} characters)",
                crate::v2::REP_LEN,
                card.len()
            )));
        }
        if let Some(version) = &self.answer_version
            && (version.is_empty()
                || version.len() > crate::v3::tlv::MAX_VALUE_LEN
                || !version.bytes().all(crate::v3::tlv::is_printable))
        {
            return Err(SimError::Config(format!(
                "answer version {version:?} is not a printable CZ value"
            )));
        }
        if self.contract.is_empty()
            || self.contract.len() > MAX_CONTRACT_LEN
            || !self.contract.bytes().all(crate::v3::tlv::is_printable)
        {
            return Err(SimError::Config(format!(
                "contract number {:?} must be 1 to {MAX_CONTRACT_LEN} printable characters",
                self.contract
            )));
        }
        if self.limits.journal_entries == 0 || self.limits.connections == 0 {
            return Err(SimError::Config(
                "journal and connection limits must be at least 1".to_owned(),
            ));
        }
        if self.limits.idle.is_zero() {
            return Err(SimError::Config(
                "the idle limit must be longer than zero".to_owned(),
            ));
        }
        if self.currencies.iter().any(|&c| c > 999) {
            return Err(SimError::Config(
                "currencies are ISO 4217 numeric codes (at most 999)".to_owned(),
            ));
        }
        self.link
            .validate()
            .map_err(|e| SimError::Config(format!("link settings: {e}")))?;
        Ok(())
    }
}

/// Longest merchant contract number (`CG`), as terminals send it.
const MAX_CONTRACT_LEN: usize = 10;

/// Why a simulator could not start.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum SimError {
    /// The TCP address could not be bound.
    #[error("cannot listen: {0}")]
    Bind(#[from] std::io::Error),
    /// The pseudo-terminal pair could not be created or set up.
    #[error("cannot create the pseudo-terminal: {0}")]
    Pty(String),
    /// The configuration is inconsistent.
    #[error("invalid simulator configuration: {0}")]
    Config(String),
}
