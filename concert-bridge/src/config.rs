//! What a bridge serves and to whom.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use concert_core::terminal::TerminalConfig;

/// The port the bridge listens on unless told otherwise: the one Odoo's
/// POS and its hardware proxies (IoT box, pywebdriver, odoo-driver) use,
/// so a POS pointed at `http://localhost:8069` finds it.
pub const DEFAULT_PORT: u16 = 8069;

/// The default listening address: loopback only.
pub const DEFAULT_LISTEN: SocketAddr =
    SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), DEFAULT_PORT);

/// The largest request body taken, in bytes: a payment request is a few
/// hundred bytes.
pub const DEFAULT_BODY_LIMIT: usize = 16 * 1024;

/// Transactions kept in memory for `GET /v1/transactions/{id}` and
/// idempotent retries; the oldest finished ones go first.
pub const DEFAULT_KEEP_TRANSACTIONS: usize = 1000;

/// One terminal the bridge drives, by name.
#[derive(Debug, Clone)]
pub struct NamedTerminal {
    /// The name requests use (`lane1`); letters, digits, `-`, `_`, `.`.
    pub name: String,
    /// Where it is and how to speak to it.
    pub config: TerminalConfig,
}

/// A bridge's settings.
#[derive(Debug, Clone)]
pub struct BridgeConfig {
    /// Where to listen.
    pub listen: SocketAddr,
    /// Whether a non-loopback `listen` is wanted (it also needs a token).
    pub allow_remote: bool,
    /// The bearer token every API request must carry, when set.
    pub token: Option<String>,
    /// Browser origins allowed to call the API (`https://odoo.example.com`).
    /// The bridge's own page is always allowed.
    pub allowed_origins: Vec<String>,
    /// The terminals; the first is the default.
    pub terminals: Vec<NamedTerminal>,
    /// The largest request body, in bytes.
    pub body_limit: usize,
    /// How many transactions are kept in memory.
    pub keep_transactions: usize,
}

impl BridgeConfig {
    /// Loopback on the default port, these terminals, no token, no origin.
    pub fn new(terminals: Vec<NamedTerminal>) -> BridgeConfig {
        BridgeConfig {
            listen: DEFAULT_LISTEN,
            allow_remote: false,
            token: None,
            allowed_origins: Vec::new(),
            terminals,
            body_limit: DEFAULT_BODY_LIMIT,
            keep_transactions: DEFAULT_KEEP_TRANSACTIONS,
        }
    }
}

/// Whether a terminal name can be used in a URL path as it is.
pub fn valid_terminal_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 64
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

/// An origin as browsers send it: `scheme://host[:port]`, no path.
pub fn valid_origin(origin: &str) -> bool {
    let Some((scheme, rest)) = origin.split_once("://") else {
        return false;
    };
    matches!(scheme, "http" | "https")
        && !rest.is_empty()
        && !rest.contains('/')
        && rest.bytes().all(|b| b.is_ascii_graphic())
}
