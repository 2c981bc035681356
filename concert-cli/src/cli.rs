//! The command line as clap sees it: every command, flag and help text.
//! Values whose meaning depends on another flag (an amount depends on the
//! currency) are kept as text here and checked in `request.rs`.

use clap::{ArgAction, Args, Parser, Subcommand};

use crate::exit;

/// Pay, refund and query French card payment terminals (Concert V2/V3)
/// from a shell, run a terminal simulator, decode frames and find ports.
#[derive(Debug, Parser)]
#[command(name = "concert", version, after_help = exit::HELP, max_term_width = 100)]
pub struct Cli {
    /// More log output on stderr (-v info, -vv debug, -vvv wire trace).
    #[arg(short, long, action = ArgAction::Count, global = true)]
    pub verbose: u8,
    /// The command.
    #[command(subcommand)]
    pub command: Command,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run a payment, refund, declined payment, cancellation and identify
    /// against built-in simulators (V3 over TCP, V2 E+ over a pty).
    Demo,
    /// Pay (debit) an amount.
    Pay(MoneyArgs),
    /// Refund (credit) an amount.
    Refund(MoneyArgs),
    /// Cancel an earlier payment of an amount.
    Cancel(MoneyArgs),
    /// Pre-authorise an amount.
    #[command(alias = "preauthorize")]
    Preauth(MoneyArgs),
    /// Ask whether the terminal is there (V3 CD=I; V2 ENQ/ACK probe).
    Identify(QueryArgs),
    /// The result of the last transaction (V3 only).
    Status(QueryArgs),
    /// Télécollecte: remote batch settlement (V3 only).
    Settle(QueryArgs),
    /// Send any V3 request built from raw tags (--tag CD=0 --tag CB=1250 …).
    Transact(TransactArgs),
    /// Run a simulated terminal until Ctrl-C / SIGTERM.
    Simulate(SimulateArgs),
    /// Serve browser tills (Odoo POS, any web till) over HTTP and
    /// WebSocket on localhost until Ctrl-C / SIGTERM.
    Serve(ServeArgs),
    /// Decode a frame: V3 text, V2 payload, or hex of a whole serial frame.
    Decode(DecodeArgs),
    /// List serial ports with USB ids, flagging known terminals.
    Ports(JsonArg),
    /// The transaction journal: list, show, resolve, export and prune entries.
    #[command(subcommand)]
    Journal(JournalCommand),
}

/// Where transactions are journaled.
#[derive(Debug, Args)]
pub struct JournalArgs {
    /// Journal file (default: concert/journal.sqlite3 in the per-user data
    /// folder, e.g. ~/.local/share or %LOCALAPPDATA%).
    #[arg(long, value_name = "PATH", conflicts_with = "no_journal")]
    pub journal: Option<std::path::PathBuf>,
    /// Do not journal this transaction.
    #[arg(long)]
    pub no_journal: bool,
}

/// The journal file alone.
#[derive(Debug, Args)]
pub struct JournalFile {
    /// Journal file (default: concert/journal.sqlite3 in the per-user data folder).
    #[arg(long, value_name = "PATH")]
    pub journal: Option<std::path::PathBuf>,
}

/// `concert journal …`
#[derive(Debug, Subcommand)]
pub enum JournalCommand {
    /// List entries, oldest first (entries of ended processes left under
    /// way are marked in doubt first).
    List {
        /// Only the entries nobody knows the fate of.
        #[arg(long)]
        in_doubt: bool,
        /// Print exactly one JSON object on stdout.
        #[arg(long)]
        json: bool,
        /// The journal.
        #[command(flatten)]
        file: JournalFile,
    },
    /// Show one entry with its history.
    Show {
        /// The entry's number.
        #[arg(value_name = "ID")]
        id: String,
        /// Print exactly one JSON object on stdout.
        #[arg(long)]
        json: bool,
        /// The journal.
        #[command(flatten)]
        file: JournalFile,
    },
    /// Settle an in-doubt entry: ask the terminal (V3 status request, with
    /// the usual --tcp/--serial flags), or record an operator's decision
    /// with --as and --note.
    Resolve(Box<ResolveArgs>),
    /// Write entries as CSV or JSON on stdout.
    Export {
        /// Only entries recorded since this date (YYYY-MM-DD, midnight UTC,
        /// or an RFC 3339 time).
        #[arg(long, value_name = "DATE")]
        since: Option<String>,
        /// csv or json.
        #[arg(long, value_name = "FORMAT", default_value = "csv")]
        format: String,
        /// The journal.
        #[command(flatten)]
        file: JournalFile,
    },
    /// Delete settled entries recorded before a date (entries still in
    /// doubt are kept).
    Prune {
        /// YYYY-MM-DD (midnight UTC) or an RFC 3339 time.
        #[arg(long, value_name = "DATE")]
        before: String,
        /// Print exactly one JSON object on stdout.
        #[arg(long)]
        json: bool,
        /// The journal.
        #[command(flatten)]
        file: JournalFile,
    },
}

/// `concert journal resolve`.
#[derive(Debug, Args)]
pub struct ResolveArgs {
    /// The entry's number.
    #[arg(value_name = "ID")]
    pub id: String,
    /// An operator's decision after checking the terminal's receipt or
    /// journal: approved or declined (needs --note).
    #[arg(long = "as", value_name = "DECISION", requires = "note")]
    pub decision: Option<String>,
    /// What was checked, for the audit trail.
    #[arg(long, value_name = "TEXT", requires = "decision")]
    pub note: Option<String>,
    /// The journal.
    #[command(flatten)]
    pub file: JournalFile,
    /// The terminal to ask (not needed with --as).
    #[command(flatten)]
    pub target: TargetArgs,
}

/// `--json` alone.
#[derive(Debug, Args)]
pub struct JsonArg {
    /// Print exactly one JSON object on stdout.
    #[arg(long)]
    pub json: bool,
}

/// Where the terminal is and how to speak to it.
#[derive(Debug, Clone, Args)]
pub struct TargetArgs {
    /// Terminal on TCP/IP (V3), e.g. 192.168.1.50:8888.
    #[arg(long, value_name = "HOST:PORT", conflicts_with = "serial")]
    pub tcp: Option<String>,
    /// Terminal on a serial line (RS232, USB, Bluetooth SPP), e.g. /dev/ttyACM0.
    #[arg(long, value_name = "PATH")]
    pub serial: Option<String>,
    /// Protocol: v2 (= v2e+), v2e, v3, v3:VERSION. Default: v3 on TCP, v2e+ on serial.
    #[arg(long, value_name = "PROTOCOL")]
    pub protocol: Option<String>,
    /// Serial baud rate (1200-115200).
    #[arg(long, value_name = "BAUD", default_value = "9600")]
    pub baud: String,
    /// Serial data bits, 7 or 8 (default 8; native RS232 terminals use 7).
    #[arg(long, value_name = "BITS")]
    pub data_bits: Option<String>,
    /// Serial parity: N, E or O (default N; native RS232 terminals use E).
    #[arg(long, value_name = "PARITY")]
    pub parity: Option<String>,
    /// Serial stop bits, 1 or 2.
    #[arg(long, value_name = "BITS", default_value = "1")]
    pub stop_bits: String,
    /// This cash register's POS number, 1-99.
    #[arg(long, value_name = "N", default_value = "1")]
    pub pos: String,
    /// V3 cash-register identifier (CJ), 12 characters.
    #[arg(long, value_name = "ID")]
    pub cash_register_id: Option<String>,
    /// How long to wait for the answer, in seconds (at least 60; default 180).
    #[arg(long, value_name = "SECONDS")]
    pub timeout: Option<String>,
    /// How long to wait for a TCP connection, in seconds (default 10).
    #[arg(long, value_name = "SECONDS")]
    pub connect_timeout: Option<String>,
    /// Print exactly one JSON object on stdout.
    #[arg(long)]
    pub json: bool,
}

/// A request that moves money.
#[derive(Debug, Args)]
pub struct MoneyArgs {
    /// Amount as a decimal in the currency's units, e.g. 12.50.
    #[arg(long, value_name = "AMOUNT", allow_hyphen_values = true)]
    pub amount: String,
    /// ISO 4217 currency, alphabetic or numeric.
    #[arg(long, value_name = "CODE", default_value = "EUR")]
    pub currency: String,
    /// Private data / merchant reference, echoed by the terminal.
    #[arg(long, value_name = "TEXT")]
    pub private_data: Option<String>,
    /// Pay by cheque instead of card.
    #[arg(long, conflicts_with = "application")]
    pub cheque: bool,
    /// Application: any, card, cheque, amex, cetelem, cofinoga, diners,
    /// franfinance, jcb, accord_finance, unionpay, moneo, fintrax, or a raw
    /// code: v3:CODE (V3 CC) or v2:C (V2 payment mode).
    #[arg(long, value_name = "APP")]
    pub application: Option<String>,
    /// Ask for an immediate answer: the outcome is `pending`; fetch it with `status`.
    #[arg(long)]
    pub immediate: bool,
    /// Force online authorisation.
    #[arg(long)]
    pub force_authorization: bool,
    /// V3 ticket wanted back: customer, merchant or both.
    #[arg(long, value_name = "COPY")]
    pub receipt: Option<String>,
    /// Ticket format: text or html.
    #[arg(
        long,
        value_name = "FORMAT",
        default_value = "text",
        requires = "receipt"
    )]
    pub receipt_format: String,
    /// V2: ask for the 25-character answer (no card data) instead of 80.
    #[arg(long)]
    pub short_answer: bool,
    /// V3 original transaction reference (CH), for a cancellation.
    #[arg(long, value_name = "REF")]
    pub reference: Option<String>,
    /// The terminal.
    #[command(flatten)]
    pub target: TargetArgs,
    /// The journal.
    #[command(flatten)]
    pub journal: JournalArgs,
}

/// A request that moves no money.
#[derive(Debug, Args)]
pub struct QueryArgs {
    /// The terminal.
    #[command(flatten)]
    pub target: TargetArgs,
}

/// A raw V3 request.
#[derive(Debug, Args)]
pub struct TransactArgs {
    /// A record TAG=VALUE (repeatable). CD is required; CZ, CJ, CA and CE
    /// are filled in from the target settings when not given.
    #[arg(long = "tag", value_name = "TAG=VALUE", required = true)]
    pub tags: Vec<String>,
    /// The terminal.
    #[command(flatten)]
    pub target: TargetArgs,
    /// The journal.
    #[command(flatten)]
    pub journal: JournalArgs,
}

/// A simulated terminal.
#[derive(Debug, Args)]
pub struct SimulateArgs {
    /// Listen on TCP (V3), e.g. 127.0.0.1:8888 (port 0: any free port).
    #[arg(
        long,
        value_name = "ADDR:PORT",
        conflicts_with = "pty",
        required_unless_present = "pty"
    )]
    pub tcp: Option<String>,
    /// Serve on a pseudo-terminal pair; its path is the first stdout line.
    #[arg(long)]
    pub pty: bool,
    /// Protocol: v3 (default) or v2 (E and E+, pty only).
    #[arg(long, value_name = "PROTOCOL", default_value = "v3")]
    pub protocol: String,
    /// What transactions do: approve, decline, decline:CODE, abandon,
    /// partial:AMOUNT (minor units, V3 only), timeout, busy, v2status:C. Repeatable:
    /// the first transactions take the values in order, the last one stays.
    #[arg(long, value_name = "OUTCOME", default_value = "approve")]
    pub outcome: Vec<String>,
    /// How long the simulated card holder takes, in seconds (e.g. 2 or 0.5).
    #[arg(long, value_name = "SECONDS", default_value = "0")]
    pub delay: String,
    /// Accept TCP connections from this address only (repeatable).
    #[arg(long, value_name = "IP")]
    pub allow: Vec<String>,
    /// Card number the simulated terminal reads.
    #[arg(long, value_name = "DIGITS")]
    pub card_number: Option<String>,
    /// Card the simulated card holder presents, which sets the V3 answer's
    /// application (CC) and read mode (CI): cb-contact, cb-contactless,
    /// amex-contact, amex-contactless.
    #[arg(long, value_name = "TYPE", default_value = "cb-contact")]
    pub payment_type: String,
    /// Merchant (seller) contract number the terminal reports in CG (1 to
    /// 10 characters).
    #[arg(long, value_name = "TEXT")]
    pub contract: Option<String>,
    /// Fault: answer NAK to the first N request frames (serial).
    #[arg(long, value_name = "N", default_value = "0")]
    pub nak_first: u32,
    /// Fault: wrong LRC on the first N answer frames (serial).
    #[arg(long, value_name = "N", default_value = "0")]
    pub corrupt_lrc: u32,
    /// Fault: write the answer in pieces.
    #[arg(long)]
    pub split_writes: bool,
    /// Fault: no EOT after the answer frame (serial).
    #[arg(long)]
    pub skip_eot: bool,
    /// Fault: send half the answer, then stop.
    #[arg(long)]
    pub close_mid_answer: bool,
    /// Fault: accept transactions but never answer them.
    #[arg(long)]
    pub never_answer: bool,
    /// Fault (TCP): keep the socket open after answering.
    #[arg(long)]
    pub keep_open: bool,
}

/// A frame to decode.
#[derive(Debug, Args)]
pub struct DecodeArgs {
    /// The frame: V3 text, V2 payload, or hex of STX…ETX LRC; `-` reads stdin.
    #[arg(value_name = "FRAME", allow_hyphen_values = true)]
    pub frame: String,
    /// Read it as V2 (same as --hint v2).
    #[arg(long, conflicts_with_all = ["v3", "hint"])]
    pub v2: bool,
    /// Read it as V3 (same as --hint v3).
    #[arg(long, conflicts_with = "hint")]
    pub v3: bool,
    /// How to read it: auto (default), v2 or v3, the decode hint every
    /// language takes.
    #[arg(long, value_name = "HINT")]
    pub hint: Option<String>,
    /// Print exactly one JSON object on stdout.
    #[arg(long)]
    pub json: bool,
}

/// The browser-till bridge.
#[derive(Debug, Args)]
#[command(after_help = "\
Terminals: --tcp/--serial (one terminal, named `default`), or --terminal NAME=URL
(repeatable), or --config FILE. URLs: tcp://HOST:PORT, serial:///dev/ttyACM0,
serial://COM3, with options as a query: ?protocol=v2&baud=9600&pos=2&timeout=180
(also data_bits, parity, stop_bits, cash_register_id, connect_timeout).

The first stdout line is the bridge's URL. Ctrl-C or SIGTERM stops it once the
running transaction has ended; a second one aborts it (its outcome is then in doubt).")]
pub struct ServeArgs {
    /// A named terminal, NAME=URL (repeatable), e.g. lane1=tcp://192.168.1.50:8888.
    #[arg(long = "terminal", value_name = "NAME=URL")]
    pub terminals: Vec<String>,
    /// A TOML file: listen, allow_remote, token_file, allow_origin, terminal = ["NAME=URL", …],
    /// journal = "PATH", no_journal = true.
    #[arg(long, value_name = "FILE")]
    pub config: Option<String>,
    /// Where to listen (default 127.0.0.1:8069, the port Odoo's POS calls).
    #[arg(long, value_name = "ADDR:PORT")]
    pub listen: Option<String>,
    /// Allow a non-loopback --listen address (a --token-file is then required).
    #[arg(long)]
    pub allow_remote: bool,
    /// A file holding the bearer token every API request must carry.
    #[arg(long, value_name = "FILE")]
    pub token_file: Option<String>,
    /// A browser origin allowed to call the bridge (repeatable), e.g. https://odoo.example.com.
    #[arg(long = "allow-origin", value_name = "ORIGIN")]
    pub allow_origins: Vec<String>,
    /// The terminal, when there is one (flags as for `concert pay`).
    #[command(flatten)]
    pub target: TargetArgs,
    /// The journal every transaction is written to, and that the
    /// /v1/journal routes list and resolve.
    #[command(flatten)]
    pub journal: JournalArgs,
}
