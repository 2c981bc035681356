//! # concert-journal
//!
//! A crash-safe journal of terminal transactions in one embedded SQLite
//! file (WAL, every write synced), so that no payment is lost when a till
//! crashes or is switched off mid-payment.
//!
//! - Before a request leaves, its entry is committed (`sending`), then
//!   `sent`, then its outcome, or `in_doubt` with the cause. A journal that
//!   cannot write (read-only, disk full) stops the transaction *before*
//!   anything is sent.
//! - Requests without a merchant reference get one (in the private data),
//!   so that a terminal's answer can be matched to its entry.
//! - Opening the journal turns the entries of a process that died into
//!   `in_doubt` ("interrupted"), never into declined.
//! - [`Journal::resolve`] asks a V3 terminal for its last transaction;
//!   [`Journal::attach_late_answer`] settles an entry with an answer that
//!   came after the caller stopped waiting; [`Journal::resolve_by_hand`]
//!   records an operator's decision. History is appended, never rewritten.
//! - No full card number is stored: the core's masking applies.
//!
//! ```no_run
//! use std::sync::Arc;
//! use concert_core::currency::EUR;
//! use concert_core::terminal::{Terminal, TerminalConfig};
//! use concert_journal::Journal;
//!
//! let journal = Arc::new(Journal::open("journal.sqlite3")?);
//! let terminal = Terminal::new(TerminalConfig::tcp("192.168.1.50", 8888).with_journal(journal.clone()))?;
//! // After a restart: settle what the last run left in doubt first.
//! for entry in journal.list_in_doubt()? {
//!     let resolved = journal.resolve(entry.id, &terminal)?;
//!     println!("entry {}: {:?}", entry.id, resolved.entry.status);
//! }
//! let outcome = terminal.pay(1250, EUR)?;
//! println!("{} (journal entry {:?})", outcome.status, outcome.journal_entry);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod entry;
mod error;
mod query;
mod resolve;
mod store;
mod time;

pub use entry::{Decision, Entry, Method, Resolution, State};
pub use error::JournalError;
pub use query::{ExportFormat, ListFilter};
pub use resolve::Resolved;
pub use store::Journal;
pub use time::{now_ms, parse_date, rfc3339};
