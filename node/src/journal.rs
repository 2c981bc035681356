//! `NativeJournal`: the crash-safe transaction journal (the package's
//! `Journal` wraps it). `resolve` asks the terminal on a thread of its own
//! and answers through a callback, never on libuv's pool.

use std::sync::{Arc, Mutex, PoisonError};

use concert_journal::{Decision, Entry, ExportFormat, Journal, JournalError, ListFilter};
use napi::bindgen_prelude::Function;
use napi::threadsafe_function::ThreadsafeFunctionCallMode;
use napi_derive::napi;

use concert_core::codes::ErrorCode;

use crate::error::{self, Result};

/// Code for a journal that could not do what was asked; the journal's own
/// codes (`CONCERT_JOURNAL_CORRUPT` …) are used when they say more.
fn journal_error(e: &JournalError) -> error::Error {
    error::error_named(e.code(), e)
}

/// One history row of an entry.
#[napi(object, object_from_js = false)]
pub struct NativeResolution {
    /// Milliseconds since the Unix epoch.
    pub time_ms: f64,
    /// `interrupted`, `status_request`, `late_answer` or `by_hand`.
    pub method: String,
    /// What it settled on; absent while still in doubt.
    pub status: Option<String>,
    /// What was said or seen.
    pub note: String,
    /// The terminal's records and raw answer (JSON text), masked.
    pub evidence: Option<String>,
}

/// One transaction in the journal (see `JournalEntry` in the package's types).
#[napi(object, object_from_js = false)]
pub struct NativeJournalRecord {
    /// Its number.
    pub id: f64,
    /// Recorded, ms since the Unix epoch (UTC).
    pub created_ms: f64,
    /// Same, RFC 3339.
    pub created: String,
    /// `host:port` or the serial path.
    pub terminal: String,
    /// Protocol name.
    pub protocol: String,
    /// POS number.
    pub pos_number: u32,
    /// Operation name.
    pub operation: String,
    /// Amount asked, minor units.
    pub amount: Option<f64>,
    /// ISO 4217 alphabetic code.
    pub currency: Option<String>,
    /// Merchant reference sent as private data.
    pub reference: Option<String>,
    /// Whether the reference was generated.
    pub reference_generated: bool,
    /// `sending`, `sent`, `outcome`, `in_doubt`, `not_sent`, `resolved`.
    pub state: String,
    /// True while nobody knows whether money moved.
    pub in_doubt: bool,
    /// True when the terminal approved less than was asked (a partial
    /// approval): `authorizedAmount` was paid, the rest is still due.
    pub partial: bool,
    /// The answer's or the latest resolution's status.
    pub status: Option<String>,
    /// The terminal's reason, or why it is in doubt.
    pub reason: Option<String>,
    /// Amount the terminal reports.
    pub authorized_amount: Option<f64>,
    /// Card number, masked.
    pub card_number: Option<String>,
    /// Authorisation number.
    pub authorization_number: Option<String>,
    /// Why it was in doubt.
    pub in_doubt_cause: Option<String>,
    /// History, oldest first.
    pub resolutions: Vec<NativeResolution>,
}

impl From<Entry> for NativeJournalRecord {
    fn from(e: Entry) -> Self {
        NativeJournalRecord {
            id: e.id as f64,
            created_ms: e.created_ms as f64,
            created: e.created(),
            in_doubt: e.is_in_doubt(),
            partial: e.is_partial(),
            terminal: e.terminal,
            protocol: e.protocol,
            pos_number: u32::from(e.pos_number),
            operation: e.operation,
            amount: e.amount.map(|a| a as f64),
            currency: e.currency,
            reference: e.reference,
            reference_generated: e.reference_generated,
            state: e.state.as_str().to_owned(),
            status: e.status.map(|s| s.as_str().to_owned()),
            reason: e.reason,
            authorized_amount: e.authorized_amount.map(|a| a as f64),
            card_number: e.card_number,
            authorization_number: e.authorization_number,
            in_doubt_cause: e.in_doubt_cause,
            resolutions: e
                .resolutions
                .into_iter()
                .map(|r| NativeResolution {
                    time_ms: r.time_ms as f64,
                    method: r.method.as_str().to_owned(),
                    status: r.status.map(|s| s.as_str().to_owned()),
                    note: r.note,
                    evidence: r.evidence,
                })
                .collect(),
        }
    }
}

/// The final message of `resolve`: the entry, or the failure.
#[napi(object, object_from_js = false)]
pub struct NativeResolveMessage {
    /// The entry as it now is.
    pub entry: Option<NativeJournalRecord>,
    /// Error code, on failure.
    pub code: Option<String>,
    /// Error message, on failure.
    pub message: Option<String>,
}

/// A journal file, open.
#[napi]
pub struct NativeJournal {
    journal: Mutex<Option<Arc<Journal>>>,
}

impl NativeJournal {
    /// The open journal, or `CONCERT_CLOSED`.
    pub fn get(&self) -> Result<Arc<Journal>> {
        self.journal
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
            .ok_or_else(|| error::error(ErrorCode::Closed, "the journal is closed"))
    }
}

fn list(entries: Vec<Entry>) -> Vec<NativeJournalRecord> {
    entries.into_iter().map(Into::into).collect()
}

fn ms(value: Option<f64>, what: &str) -> Result<Option<i64>> {
    value
        .map(|v| {
            if v.is_finite() && v.fract() == 0.0 && v.abs() < 9.0e15 {
                Ok(v as i64)
            } else {
                Err(error::invalid(format!(
                    "{what} must be whole milliseconds since the Unix epoch"
                )))
            }
        })
        .transpose()
}

#[napi]
impl NativeJournal {
    /// Opens (or creates) the journal file at `path`.
    #[napi(factory)]
    pub fn open(path: String) -> Result<Self> {
        let journal = Journal::open(&path).map_err(|e| journal_error(&e))?;
        Ok(NativeJournal {
            journal: Mutex::new(Some(Arc::new(journal))),
        })
    }

    /// Closes it; terminals given it keep it open until they go.
    #[napi]
    pub fn close(&self) {
        self.journal
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
    }

    /// The file.
    #[napi(getter)]
    pub fn path(&self) -> Result<String> {
        Ok(self.get()?.path().to_string_lossy().into_owned())
    }

    /// Entries nobody knows the fate of, oldest first.
    #[napi]
    pub fn list_in_doubt(&self) -> Result<Vec<NativeJournalRecord>> {
        let entries = self.get()?.list_in_doubt().map_err(|e| journal_error(&e))?;
        Ok(list(entries))
    }

    /// Entries recorded since `sinceMs` (all when absent), oldest first.
    #[napi]
    pub fn list(&self, since_ms: Option<f64>) -> Result<Vec<NativeJournalRecord>> {
        let since_ms = ms(since_ms, "since")?;
        let entries = self
            .get()?
            .list(&ListFilter {
                in_doubt: false,
                since_ms,
            })
            .map_err(|e| journal_error(&e))?;
        Ok(list(entries))
    }

    /// One entry with its history.
    #[napi]
    pub fn show(&self, id: f64) -> Result<NativeJournalRecord> {
        let id = ms(Some(id), "id")?.unwrap_or_default();
        let entry = self.get()?.show(id).map_err(|e| journal_error(&e))?;
        Ok(entry.into())
    }

    /// Asks `terminal` for its last transaction on a thread of its own;
    /// `onDone` receives the entry or the failure.
    #[napi]
    pub fn resolve(
        &self,
        id: f64,
        terminal: &crate::terminal::NativeTerminal,
        on_done: Function<'_, NativeResolveMessage, ()>,
    ) -> Result<()> {
        let id = ms(Some(id), "id")?.unwrap_or_default();
        let journal = self.get()?;
        let terminal = terminal.core()?;
        let tsfn = on_done
            .build_threadsafe_function::<NativeResolveMessage>()
            .callee_handled::<false>()
            .build()
            .map_err(|e| error::invalid(e.reason))?;
        std::thread::Builder::new()
            .name("concert-resolve".into())
            .spawn(move || {
                let message = match journal.resolve(id, &terminal) {
                    Ok(resolved) => NativeResolveMessage {
                        entry: Some(resolved.entry.into()),
                        code: None,
                        message: None,
                    },
                    Err(e) => NativeResolveMessage {
                        entry: None,
                        code: Some(e.code().to_owned()),
                        message: Some(e.to_string()),
                    },
                };
                tsfn.call(message, ThreadsafeFunctionCallMode::NonBlocking);
            })
            .map_err(|e| error::invalid(format!("cannot start a thread: {e}")))?;
        Ok(())
    }

    /// An operator's decision (`approved` / `declined`) with a note.
    #[napi]
    pub fn resolve_by_hand(
        &self,
        id: f64,
        decision: String,
        note: String,
    ) -> Result<NativeJournalRecord> {
        let id = ms(Some(id), "id")?.unwrap_or_default();
        let decision: Decision = decision.parse().map_err(|e| journal_error(&e))?;
        let entry = self
            .get()?
            .resolve_by_hand(id, decision, &note)
            .map_err(|e| journal_error(&e))?;
        Ok(entry.into())
    }

    /// The entries since `sinceMs` (all when absent) as `csv` or `json` text.
    #[napi]
    pub fn export(&self, format: String, since_ms: Option<f64>) -> Result<String> {
        let format: ExportFormat = format.parse().map_err(|e| journal_error(&e))?;
        let since_ms = ms(since_ms, "since")?;
        let mut out = Vec::new();
        self.get()?
            .export(since_ms, format, &mut out)
            .map_err(|e| journal_error(&e))?;
        Ok(String::from_utf8_lossy(&out).into_owned())
    }

    /// Deletes settled entries recorded before `beforeMs`; gives how many.
    #[napi]
    pub fn prune(&self, before_ms: f64) -> Result<u32> {
        let before = ms(Some(before_ms), "before")?.unwrap_or_default();
        let pruned = self.get()?.prune(before).map_err(|e| journal_error(&e))?;
        Ok(u32::try_from(pruned).unwrap_or(u32::MAX))
    }
}

/// A date (`2026-11-30`, midnight UTC) or RFC 3339 time in milliseconds
/// since the Unix epoch.
#[napi]
pub fn native_parse_date(text: String) -> Result<f64> {
    concert_journal::parse_date(&text)
        .map(|ms| ms as f64)
        .map_err(|e| journal_error(&e))
}
