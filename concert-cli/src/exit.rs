//! Exit codes, and the one error type every command returns: a one-line
//! message that names the flag at fault, and the code the process exits with.

use concert_core::codes::ErrorCode;
use concert_core::terminal::{Error as TerminalError, Outcome, Status};
use concert_journal::JournalError;
use thiserror::Error;

/// Approved, or the command did what it was asked.
pub const OK: u8 = 0;
/// The terminal answered no: declined, aborted or not performed.
pub const DECLINED: u8 = 1;
/// Bad command line: unknown flag, bad value, malformed frame (clap uses 2 too).
pub const USAGE: u8 = 2;
/// The request reached the terminal but no valid answer came back.
pub const IN_DOUBT: u8 = 3;
/// Nothing reached the terminal (connection, port, busy): safe to retry.
pub const CONNECTION: u8 = 4;
/// Approved for less than asked (a V3 partial payment): the rest is still
/// to be collected. Not 0, so a script checking the exit code never
/// records the whole amount as paid.
pub const PARTIAL: u8 = 5;
/// Accepted with an immediate answer: fetch the result with `status`.
pub const PENDING: u8 = 6;
/// The journal cannot be opened, read or written (corrupt, read-only,
/// disk full): for a transaction, nothing was sent (safe to retry).
pub const JOURNAL: u8 = 7;

/// The table `concert --help` ends with.
pub const HELP: &str = "\
Exit codes:
  0  approved / done
  1  declined, aborted or not performed (the terminal answered no)
  2  usage error: unknown flag, bad value (amount, currency, port...), malformed frame
  3  in doubt: the request reached the terminal, no valid answer came back;
     resolve it (`concert journal resolve ID`) before trying again
  4  connection or port error: nothing reached the terminal, safe to retry
  5  approved for less than asked (partial payment): `amount` is what was paid,
     the rest is still to be collected
  6  pending: accepted with an immediate answer (--immediate)
  7  journal error: the journal file cannot be opened, read or written
     (corrupt, read-only, disk full); nothing was sent, safe to retry";

/// The exit code for an outcome.
pub fn for_outcome(outcome: &Outcome) -> u8 {
    match outcome.status {
        Status::Approved if outcome.partial => PARTIAL,
        status => for_status(status),
    }
}

/// The exit code for a status alone (a journal entry's).
pub fn for_status(status: Status) -> u8 {
    match status {
        Status::Approved => OK,
        Status::Declined | Status::Aborted | Status::NotPerformed => DECLINED,
        Status::InDoubt => IN_DOUBT,
        Status::Pending => PENDING,
        // A status this version does not know: nobody can say it is done.
        _ => IN_DOUBT,
    }
}

/// A command that could not do its job.
#[derive(Debug, Error)]
pub enum CliError {
    /// A flag (or argument) value that cannot be used.
    #[error("{flag}: {message}")]
    Flag {
        /// `--amount`, `FRAME` …
        flag: &'static str,
        /// Why.
        message: String,
    },
    /// The terminal library refused or could not deliver the request.
    #[error("{0}")]
    Terminal(TerminalError),
    /// The terminal could not be reached where `flag` says (safe to retry).
    #[error("{flag}: {source}")]
    Unreachable {
        /// `--tcp` or `--serial`.
        flag: &'static str,
        /// What the library said.
        source: TerminalError,
    },
    /// Something else at run time (simulator socket, pty, ports …).
    #[error("{0}")]
    Runtime(String),
    /// The journal refused (file unusable, no such entry, not in doubt …).
    #[error("{0}")]
    Journal(concert_journal::JournalError),
}

impl CliError {
    /// A bad value for `flag`.
    pub fn flag(flag: &'static str, message: impl ToString) -> CliError {
        CliError::Flag {
            flag,
            message: message.to_string(),
        }
    }

    /// The process exit code.
    pub fn exit_code(&self) -> u8 {
        match self {
            CliError::Flag { .. } => USAGE,
            CliError::Terminal(e) | CliError::Journal(JournalError::Terminal(e)) => match e {
                TerminalError::InvalidRequest(_) | TerminalError::Config(_) => USAGE,
                TerminalError::Journal(_) => JOURNAL,
                _ => CONNECTION,
            },
            CliError::Runtime(_) | CliError::Unreachable { .. } => CONNECTION,
            CliError::Journal(e) => match e {
                JournalError::NoSuchEntry(_)
                | JournalError::NotInDoubt { .. }
                | JournalError::NeedsOperator(_)
                | JournalError::NoteRequired
                | JournalError::Invalid(_) => USAGE,
                _ => JOURNAL,
            },
        }
    }

    /// Its entry in the core's one table of error codes.
    pub fn kind(&self) -> ErrorCode {
        match self {
            CliError::Flag { .. } => ErrorCode::Usage,
            CliError::Terminal(e) | CliError::Unreachable { source: e, .. } => e.kind(),
            CliError::Runtime(_) => ErrorCode::Runtime,
            CliError::Journal(_) => ErrorCode::Journal,
        }
    }

    /// A stable code for `--json` output, from the core's table (the
    /// journal's own finer codes for a journal failure).
    pub fn code(&self) -> &'static str {
        match self {
            CliError::Journal(e) => e.code(),
            other => other.kind().code(),
        }
    }

    /// Whether running the same command again is safe (nothing here ever
    /// reached a terminal: in-doubt cases are outcomes), from the table.
    pub fn safe_to_retry(&self) -> bool {
        self.kind().safe_to_retry()
    }
}
