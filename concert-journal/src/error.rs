//! What can go wrong with a journal. Every message about the file names it.

use std::path::PathBuf;

use thiserror::Error;

/// A journal operation that failed.
#[derive(Debug, Error)]
pub enum JournalError {
    /// The file exists but is not a readable journal: corrupt, truncated,
    /// or another program's file. It is never recreated over.
    #[error("journal {path}: not a usable journal file ({detail}); it was left untouched")]
    Corrupt {
        /// The file.
        path: PathBuf,
        /// What SQLite or the schema check said.
        detail: String,
    },
    /// The file (or its folder) cannot be written: a journal that cannot
    /// record cannot protect a payment.
    #[error("journal {path}: cannot be written ({detail})")]
    ReadOnly {
        /// The file.
        path: PathBuf,
        /// What the system said.
        detail: String,
    },
    /// The disk is full.
    #[error("journal {path}: the disk is full ({detail})")]
    DiskFull {
        /// The file.
        path: PathBuf,
        /// What the system said.
        detail: String,
    },
    /// Any other failure reading or writing the file.
    #[error("journal {path}: {detail}")]
    Storage {
        /// The file.
        path: PathBuf,
        /// What SQLite or the system said.
        detail: String,
    },
    /// No entry with this number.
    #[error("journal entry {0} does not exist")]
    NoSuchEntry(i64),
    /// The entry is not in doubt, so there is nothing to resolve.
    #[error("journal entry {id} is not in doubt (it is {state})")]
    NotInDoubt {
        /// The entry.
        id: i64,
        /// Its state.
        state: String,
    },
    /// V2 terminals have no status request: an operator must decide.
    #[error(
        "journal entry {0} was sent over V2, which has no status request: check the terminal's receipt or journal, then resolve it by hand"
    )]
    NeedsOperator(i64),
    /// A decision by hand without a note.
    #[error("a resolution by hand needs a note saying what was checked")]
    NoteRequired,
    /// A value that cannot be used (a date, a decision, a format).
    #[error("{0}")]
    Invalid(String),
    /// Asking the terminal failed before anything was learnt.
    #[error("asking the terminal: {0}")]
    Terminal(#[from] concert_core::terminal::Error),
    /// Writing an export failed.
    #[error("export: {0}")]
    Export(String),
}

impl JournalError {
    /// A stable code for bindings and `--json`: `CONCERT_JOURNAL_CORRUPT`,
    /// `CONCERT_JOURNAL_READ_ONLY`, `CONCERT_JOURNAL_DISK_FULL`,
    /// `CONCERT_JOURNAL`, `CONCERT_JOURNAL_NO_SUCH_ENTRY`,
    /// `CONCERT_JOURNAL_NOT_IN_DOUBT`, `CONCERT_JOURNAL_NEEDS_OPERATOR`,
    /// `CONCERT_INVALID_ARGUMENT`, or the terminal error's own code.
    pub fn code(&self) -> &'static str {
        match self {
            JournalError::Corrupt { .. } => "CONCERT_JOURNAL_CORRUPT",
            JournalError::ReadOnly { .. } => "CONCERT_JOURNAL_READ_ONLY",
            JournalError::DiskFull { .. } => "CONCERT_JOURNAL_DISK_FULL",
            JournalError::Storage { .. } | JournalError::Export(_) => "CONCERT_JOURNAL",
            JournalError::NoSuchEntry(_) => "CONCERT_JOURNAL_NO_SUCH_ENTRY",
            JournalError::NotInDoubt { .. } => "CONCERT_JOURNAL_NOT_IN_DOUBT",
            JournalError::NeedsOperator(_) => "CONCERT_JOURNAL_NEEDS_OPERATOR",
            JournalError::NoteRequired | JournalError::Invalid(_) => "CONCERT_INVALID_ARGUMENT",
            JournalError::Terminal(e) => e.code(),
        }
    }

    /// Classifies an SQLite failure on `path`.
    pub(crate) fn sqlite(path: &std::path::Path, e: rusqlite::Error) -> JournalError {
        use rusqlite::ErrorCode;
        let path = path.to_path_buf();
        let detail = e.to_string();
        match e.sqlite_error_code() {
            Some(ErrorCode::NotADatabase | ErrorCode::DatabaseCorrupt) => {
                JournalError::Corrupt { path, detail }
            }
            Some(ErrorCode::ReadOnly | ErrorCode::CannotOpen | ErrorCode::PermissionDenied) => {
                JournalError::ReadOnly { path, detail }
            }
            Some(ErrorCode::DiskFull) => JournalError::DiskFull { path, detail },
            _ => JournalError::Storage { path, detail },
        }
    }
}
