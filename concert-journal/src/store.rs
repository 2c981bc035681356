//! The SQLite file: opening it (never over a file it cannot read), the
//! schema, and the writes a terminal makes around each transaction.

#[cfg(not(concert_rustc_1_85))]
use std::fs::TryLockError;
use std::fs::{self, File, OpenOptions};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use concert_core::journal::{self as hook, Beginning, EntryId, LateAnswer};
use concert_core::mask::{mask_digit_runs, mask_pan};
use concert_core::terminal::{Direction, Error as TerminalError, Outcome, Status};
use rusqlite::{Connection, OpenFlags, OptionalExtension, TransactionBehavior, params};

use crate::JournalError;
use crate::time::now_ms;

/// "CNJ1": marks the file as a concert journal, so another program's
/// SQLite file is refused rather than written into.
const APPLICATION_ID: i32 = 0x434E_4A31;
/// Schema version in `user_version`.
const SCHEMA_VERSION: i32 = 1;
/// How long a writer waits for another process's write to finish.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS entries (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created_ms INTEGER NOT NULL,
    updated_ms INTEGER NOT NULL,
    owner TEXT NOT NULL,
    terminal TEXT NOT NULL,
    protocol TEXT NOT NULL,
    pos_number INTEGER NOT NULL,
    operation TEXT NOT NULL,
    amount INTEGER,
    currency TEXT,
    reference TEXT,
    reference_generated INTEGER NOT NULL,
    state TEXT NOT NULL,
    status TEXT,
    reason TEXT,
    authorized_amount INTEGER,
    card_number TEXT,
    authorization_number TEXT,
    in_doubt_cause TEXT,
    records TEXT,
    frames TEXT
);
CREATE INDEX IF NOT EXISTS entries_state ON entries(state);
CREATE INDEX IF NOT EXISTS entries_reference ON entries(reference);
CREATE INDEX IF NOT EXISTS entries_created ON entries(created_ms);
CREATE TABLE IF NOT EXISTS resolutions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    entry_id INTEGER NOT NULL REFERENCES entries(id) ON DELETE CASCADE,
    time_ms INTEGER NOT NULL,
    method TEXT NOT NULL,
    status TEXT,
    note TEXT NOT NULL,
    evidence TEXT
);
CREATE INDEX IF NOT EXISTS resolutions_entry ON resolutions(entry_id);
CREATE TABLE IF NOT EXISTS stray_answers (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    time_ms INTEGER NOT NULL,
    terminal TEXT NOT NULL,
    status TEXT NOT NULL,
    reference TEXT,
    records TEXT,
    raw_hex TEXT
);
";

/// A transaction journal in one SQLite file, shared by every terminal of
/// this process and by other processes opening the same file.
///
/// Each transaction is committed (and synced to disk) before its request
/// leaves; opening the journal turns the entries of a process that died
/// mid-transaction into in-doubt ones.
pub struct Journal {
    pub(crate) path: PathBuf,
    conn: Mutex<Connection>,
    /// This instance's token in `entries.owner`.
    owner: String,
    /// Held for this instance's life: while it is locked, the owner's
    /// unfinished entries are not interrupted.
    _owner_lock: OwnerLock,
}

impl std::fmt::Debug for Journal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Journal")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

/// A locked file in `<journal>.owners/` named after an owner token.
struct OwnerLock {
    file: Option<File>,
    path: PathBuf,
}

impl Drop for OwnerLock {
    fn drop(&mut self) {
        // Closed before removal: Windows cannot remove an open file.
        drop(self.file.take());
        let _ = fs::remove_file(&self.path);
    }
}

impl Journal {
    /// Opens the journal at `path`, creating it if there is no file there.
    /// An existing file that is not a readable concert journal is an
    /// error naming it (never recreated); so is one that cannot be written.
    /// Entries left `sending` or `sent` by a process that has ended become
    /// in doubt ("interrupted").
    pub fn open(path: impl AsRef<Path>) -> Result<Journal, JournalError> {
        let path = path.as_ref().to_path_buf();
        let err = |e| JournalError::sqlite(&path, e);
        let exists = match fs::metadata(&path) {
            Ok(meta) if meta.is_dir() => {
                return Err(JournalError::Storage {
                    path,
                    detail: "is a directory".into(),
                });
            }
            Ok(_) => true,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => false,
            Err(e) => {
                return Err(JournalError::Storage {
                    path,
                    detail: e.to_string(),
                });
            }
        };
        let mut flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        if !exists {
            flags |= OpenFlags::SQLITE_OPEN_CREATE;
        }
        let conn = Connection::open_with_flags(&path, flags).map_err(|e| {
            if e.sqlite_error_code() == Some(rusqlite::ErrorCode::CannotOpen) {
                JournalError::Storage {
                    path: path.clone(),
                    detail: format!("cannot open: {e}"),
                }
            } else {
                err(e)
            }
        })?;
        conn.busy_timeout(BUSY_TIMEOUT).map_err(err)?;
        if conn.is_readonly(rusqlite::MAIN_DB).map_err(err)? {
            return Err(JournalError::ReadOnly {
                path,
                detail: "the file or its folder is read-only".into(),
            });
        }
        // Some lock waits (a journal mode change, a first opening racing
        // another process's) return "busy" at once instead of waiting: the
        // whole preparation is retried until the busy time-out.
        let started = std::time::Instant::now();
        let mut pause = Duration::from_millis(5);
        loop {
            match prepare(&conn) {
                Ok(Prepared::Ready) => break,
                Ok(Prepared::Foreign) => {
                    return Err(JournalError::Corrupt {
                        path,
                        detail: "an SQLite file of another program, not a concert journal".into(),
                    });
                }
                Ok(Prepared::Damaged(check)) => {
                    return Err(JournalError::Corrupt {
                        path,
                        detail: format!("integrity check: {check}"),
                    });
                }
                Ok(Prepared::NotWal(mode)) if started.elapsed() >= BUSY_TIMEOUT => {
                    return Err(JournalError::Storage {
                        path,
                        detail: format!("cannot use write-ahead logging (journal mode {mode})"),
                    });
                }
                Err(e) if !is_busy(&e) || started.elapsed() >= BUSY_TIMEOUT => return Err(err(e)),
                Ok(Prepared::NotWal(_)) | Err(_) => {
                    std::thread::sleep(pause);
                    pause = (pause * 2).min(Duration::from_millis(100));
                }
            }
        }
        let owner = concert_core::journal::new_reference();
        let owner_lock = lock_owner(&path, &owner)?;
        sweep_owners(&path, &owner);
        let journal = Journal {
            path,
            conn: Mutex::new(conn),
            owner,
            _owner_lock: owner_lock,
        };
        journal.recover()?;
        Ok(journal)
    }

    /// The file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    pub(crate) fn conn(&self) -> MutexGuard<'_, Connection> {
        self.conn.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub(crate) fn err(&self, e: rusqlite::Error) -> JournalError {
        JournalError::sqlite(&self.path, e)
    }

    /// Turns the unfinished entries of processes that have ended into in
    /// doubt ("interrupted"); gives how many. Done on opening and before
    /// listing in-doubt entries; entries of live processes are left alone.
    pub fn recover(&self) -> Result<usize, JournalError> {
        let mut conn = self.conn();
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(|e| self.err(e))?;
        let unfinished: Vec<(i64, String, String)> = {
            let mut stmt = tx
                .prepare(
                    "SELECT id, state, owner FROM entries
                     WHERE state IN ('sending', 'sent') ORDER BY id",
                )
                .map_err(|e| self.err(e))?;
            stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
                .map_err(|e| self.err(e))?
                .collect::<Result<_, _>>()
                .map_err(|e| self.err(e))?
        };
        let mut dead = Vec::new();
        let mut count = 0;
        let now = now_ms();
        for (id, state, owner) in unfinished {
            if owner == self.owner || !self.owner_has_ended(&owner) {
                continue;
            }
            let cause = if state == "sending" {
                "interrupted: the process ended before the request was confirmed sent; the terminal may have received it"
            } else {
                "interrupted: the process ended after the request was sent, before its outcome was stored"
            };
            tx.execute(
                "UPDATE entries SET state = 'in_doubt', status = 'in_doubt', reason = ?2,
                        in_doubt_cause = ?2, updated_ms = ?3 WHERE id = ?1",
                params![id, cause, now],
            )
            .map_err(|e| self.err(e))?;
            tx.execute(
                "INSERT INTO resolutions (entry_id, time_ms, method, status, note)
                 VALUES (?1, ?2, 'interrupted', NULL, ?3)",
                params![id, now, format!("found {state} on opening: {cause}")],
            )
            .map_err(|e| self.err(e))?;
            count += 1;
            if !dead.contains(&owner) {
                dead.push(owner);
            }
        }
        tx.commit().map_err(|e| self.err(e))?;
        for owner in dead {
            let _ = fs::remove_file(owners_dir(&self.path).join(&owner));
        }
        if count > 0 {
            log::warn!(
                "journal {}: {count} interrupted transaction(s) are now in doubt",
                self.path.display()
            );
        }
        Ok(count)
    }

    /// Whether the process that wrote with `owner` has let go of its lock.
    fn owner_has_ended(&self, owner: &str) -> bool {
        let path = owners_dir(&self.path).join(owner);
        let file = match OpenOptions::new().read(true).write(true).open(&path) {
            Ok(file) => file,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return true,
            Err(e) => {
                log::warn!("journal owner lock {}: {e}", path.display());
                return false;
            }
        };
        match try_lock(&file) {
            Ok(locked) => locked,
            Err(e) => {
                log::warn!("journal owner lock {}: {e}", path.display());
                false
            }
        }
    }

    fn write(&self, sql: &str, params: impl rusqlite::Params) -> Result<usize, JournalError> {
        self.conn().execute(sql, params).map_err(|e| self.err(e))
    }
}

/// Runs `write` as a commit synced to disk before it returns (the
/// connection's default is not to sync each commit).
fn synced<T>(
    conn: &Connection,
    write: impl FnOnce(&Connection) -> rusqlite::Result<T>,
) -> rusqlite::Result<T> {
    conn.execute_batch("PRAGMA synchronous=FULL")?;
    let result = write(conn);
    let restored = conn.execute_batch("PRAGMA synchronous=NORMAL");
    let value = result?;
    restored.map(|()| value)
}

/// What [`prepare`] found.
enum Prepared {
    /// WAL mode, schema in place.
    Ready,
    /// Another program's SQLite file.
    Foreign,
    /// The integrity check's first complaint.
    Damaged(String),
    /// The journal mode could not be switched to WAL (yet).
    NotWal(String),
}

/// Checks the file is a sound journal, switches it to WAL and makes the
/// schema; every step may be repeated.
fn prepare(conn: &Connection) -> rusqlite::Result<Prepared> {
    // The first read: a file that is not SQLite fails here.
    let (application_id, tables): (i32, i64) = conn.query_row(
        "SELECT (SELECT application_id FROM pragma_application_id),
                (SELECT count(*) FROM sqlite_master)",
        [],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    if tables > 0 && application_id != APPLICATION_ID {
        return Ok(Prepared::Foreign);
    }
    let check: String = conn.query_row("PRAGMA quick_check", [], |r| r.get(0))?;
    if check != "ok" {
        return Ok(Prepared::Damaged(check));
    }
    let mode: String = conn.query_row("PRAGMA journal_mode=WAL", [], |r| r.get(0))?;
    if !mode.eq_ignore_ascii_case("wal") {
        return Ok(Prepared::NotWal(mode));
    }
    // NORMAL by default: in WAL mode a commit survives the process being
    // killed; only a power cut can lose the last ones, and the next synced
    // commit makes them durable. The writes that must survive a power cut
    // (an entry before its request leaves, a resolution) are synced on
    // their own (`synced`).
    conn.execute_batch("PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;")?;
    init_schema(conn)?;
    Ok(Prepared::Ready)
}

/// Whether SQLite said another connection holds the lock.
fn is_busy(e: &rusqlite::Error) -> bool {
    matches!(
        e.sqlite_error_code(),
        Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked)
    )
}

fn init_schema(conn: &Connection) -> rusqlite::Result<()> {
    conn.execute_batch("BEGIN IMMEDIATE")?;
    let result = (|| {
        let version: i32 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        if version < SCHEMA_VERSION {
            conn.execute_batch(SCHEMA)?;
            conn.execute_batch(&format!(
                "PRAGMA application_id = {APPLICATION_ID}; PRAGMA user_version = {SCHEMA_VERSION};"
            ))?;
        }
        Ok(())
    })();
    match result {
        Ok(()) => conn.execute_batch("COMMIT"),
        Err(e) => {
            let _ = conn.execute_batch("ROLLBACK");
            Err(e)
        }
    }
}

fn owners_dir(path: &Path) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(".owners");
    path.with_file_name(name)
}

fn lock_owner(path: &Path, owner: &str) -> Result<OwnerLock, JournalError> {
    let dir = owners_dir(path);
    let io = |e: std::io::Error| {
        let detail = format!("owner lock in {}: {e}", dir.display());
        match e.kind() {
            std::io::ErrorKind::StorageFull => JournalError::DiskFull {
                path: path.to_path_buf(),
                detail,
            },
            std::io::ErrorKind::PermissionDenied | std::io::ErrorKind::ReadOnlyFilesystem => {
                JournalError::ReadOnly {
                    path: path.to_path_buf(),
                    detail,
                }
            }
            _ => JournalError::Storage {
                path: path.to_path_buf(),
                detail,
            },
        }
    };
    fs::create_dir_all(&dir).map_err(io)?;
    let lock_path = dir.join(owner);
    let file = OpenOptions::new()
        .read(true)
        .write(true)
        .create_new(true)
        .open(&lock_path)
        .map_err(io)?;
    file.lock().map_err(io)?;
    Ok(OwnerLock {
        file: Some(file),
        path: lock_path,
    })
}

/// Removes the lock files of processes that ended without removing theirs
/// (killed) and left no unfinished entry. Only files a minute old: a
/// process locks its own file at once, never a minute after creating it.
fn sweep_owners(path: &Path, own: &str) {
    let Ok(files) = fs::read_dir(owners_dir(path)) else {
        return;
    };
    for file in files.flatten() {
        if file.file_name().to_str() == Some(own) {
            continue;
        }
        let old = file
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.elapsed().ok())
            .is_some_and(|age| age > Duration::from_secs(60));
        if !old {
            continue;
        }
        let Ok(lock) = OpenOptions::new().read(true).write(true).open(file.path()) else {
            continue;
        };
        if lock.try_lock().is_ok() {
            drop(lock);
            let _ = fs::remove_file(file.path());
        }
    }
}

/// Masked JSON of an outcome's records: `[[name, value], …]`.
pub(crate) fn records_json(outcome: &Outcome) -> Option<String> {
    if outcome.records.is_empty() {
        return None;
    }
    let records: Vec<[&str; 2]> = outcome
        .records
        .iter()
        .map(|(k, v)| [k.as_str(), v.as_str()])
        .collect();
    serde_json::to_string(&records).ok()
}

/// Masked JSON of the bytes exchanged: `[{"direction", "hex"}, …]`.
fn frames_json(outcome: &Outcome) -> Option<String> {
    let mut frames: Vec<serde_json::Value> = outcome
        .frames
        .iter()
        .map(|f| {
            serde_json::json!({
                "direction": if f.direction == Direction::Sent { "sent" } else { "received" },
                "hex": hex(&f.bytes),
            })
        })
        .collect();
    if frames.is_empty()
        && let Some(raw) = &outcome.raw_answer
    {
        frames.push(serde_json::json!({"direction": "received", "hex": hex(raw)}));
    }
    (!frames.is_empty()).then(|| serde_json::Value::Array(frames).to_string())
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The terminal client's calls: each a committed, synced write.
impl hook::Journal for Journal {
    fn begin(&self, b: &Beginning<'_>) -> Result<EntryId, hook::JournalError> {
        let now = now_ms();
        let request = b.request;
        let conn = self.conn();
        synced(&conn, |conn| {
            conn.execute(
            "INSERT INTO entries (created_ms, updated_ms, owner, terminal, protocol, pos_number,
                 operation, amount, currency, reference, reference_generated, state)
             VALUES (?1, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, 'sending')",
            params![
                now,
                self.owner,
                b.terminal,
                b.protocol.name(),
                b.pos_number,
                request.operation.name(),
                request.amount.map(|a| a as i64),
                request.currency.map(|c| c.alpha()),
                request.private_data,
                b.reference_generated,
            ],
        )
        })
        .map_err(|e| hook::JournalError(self.err(e).to_string()))?;
        Ok(EntryId(conn.last_insert_rowid()))
    }

    // `sent`, the outcome and `not_sent` are not synced on their own: a
    // killed process loses none of them, and a power cut that loses them
    // leaves the entry `sending` or `sent`, which the next opening turns
    // into in doubt, to be resolved like any other. The next entry's
    // synced commit makes them durable.
    fn sent(&self, entry: EntryId) -> Result<(), hook::JournalError> {
        self.write(
            "UPDATE entries SET state = 'sent', updated_ms = ?2
             WHERE id = ?1 AND state = 'sending'",
            params![entry.0, now_ms()],
        )
        .map(drop)
        .map_err(|e| hook::JournalError(e.to_string()))
    }

    fn finished(&self, entry: EntryId, outcome: &Outcome) -> Result<(), hook::JournalError> {
        let in_doubt = outcome.status == Status::InDoubt;
        self.write(
            // A late answer may have settled the entry already (the watch
            // for it starts before this write): its state and status stay.
            "UPDATE entries SET
                 state = CASE state WHEN 'resolved' THEN state ELSE ?2 END,
                 status = CASE state WHEN 'resolved' THEN status ELSE ?3 END,
                 reason = ?4, authorized_amount = ?5,
                 card_number = ?6, authorization_number = ?7, in_doubt_cause = ?8,
                 records = ?9, frames = ?10, updated_ms = ?11
             WHERE id = ?1",
            params![
                entry.0,
                if in_doubt { "in_doubt" } else { "outcome" },
                outcome.status.as_str(),
                outcome.reason,
                outcome.amount.map(|a| a as i64),
                outcome.card_number.as_deref().map(mask_pan),
                outcome.authorization_number,
                outcome.in_doubt_cause,
                records_json(outcome),
                frames_json(outcome),
                now_ms(),
            ],
        )
        .map(drop)
        .map_err(|e| hook::JournalError(e.to_string()))
    }

    fn not_sent(&self, entry: EntryId, error: &TerminalError) -> Result<(), hook::JournalError> {
        self.write(
            "UPDATE entries SET state = 'not_sent', reason = ?2, updated_ms = ?3 WHERE id = ?1",
            params![entry.0, error.to_string(), now_ms()],
        )
        .map(drop)
        .map_err(|e| hook::JournalError(e.to_string()))
    }

    fn late_answer(&self, answer: &LateAnswer) -> Result<Option<EntryId>, hook::JournalError> {
        self.attach_late_answer(answer)
            .map(|id| id.map(EntryId))
            .map_err(|e| hook::JournalError(e.to_string()))
    }
}

impl Journal {
    /// Attaches an answer nobody was waiting for to the entry it answers:
    /// same terminal, same merchant reference, and echoes (amount, currency,
    /// POS) that agree. An in-doubt entry is then resolved by it. An answer
    /// that matches no entry is kept apart (`stray_answers`). Gives the
    /// entry, if one matched.
    pub fn attach_late_answer(&self, answer: &LateAnswer) -> Result<Option<i64>, JournalError> {
        let outcome = &answer.outcome;
        let received_ms = crate::time::ms_of(answer.received_at);
        let reference = outcome
            .private_data
            .as_deref()
            .map(str::trim_end)
            .filter(|r| !r.is_empty());
        let candidate = match reference {
            Some(reference) => self
                .conn()
                .query_row(
                    "SELECT id FROM entries WHERE terminal = ?1 AND reference = ?2
                     ORDER BY id DESC LIMIT 1",
                    params![answer.terminal, reference],
                    |r| r.get::<_, i64>(0),
                )
                .optional()
                .map_err(|e| self.err(e))?,
            None => None,
        };
        let evidence = crate::resolve::evidence(outcome, Some(&answer.raw));
        let Some(id) = candidate else {
            self.write(
                "INSERT INTO stray_answers (time_ms, terminal, status, reference, records, raw_hex)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![
                    received_ms,
                    answer.terminal,
                    outcome.status.as_str(),
                    reference,
                    records_json(outcome),
                    hex(&mask_digit_runs(&answer.raw)),
                ],
            )?;
            log::warn!(
                "journal {}: an answer from {} matches no entry (kept as a stray answer)",
                self.path.display(),
                answer.terminal
            );
            return Ok(None);
        };
        let entry = self.show(id)?;
        let mismatches = crate::resolve::mismatches(&entry, outcome);
        let when = crate::time::rfc3339(received_ms);
        if mismatches.is_empty() {
            let note = format!(
                "answer received at {when}, after the caller stopped waiting: {} ({})",
                outcome.status, outcome.reason
            );
            self.append(
                id,
                crate::Method::LateAnswer,
                Some(outcome),
                &note,
                &evidence,
            )?;
        } else {
            let note = format!(
                "answer received at {when} with this reference does not match: {}",
                mismatches.join("; ")
            );
            self.append(id, crate::Method::LateAnswer, None, &note, &evidence)?;
        }
        Ok(Some(id))
    }

    /// Appends a history row; a definite status settles an entry that is
    /// in doubt (or was settled before: the latest decision counts, the
    /// earlier rows stay). The answer that settles it also gives the entry
    /// what the terminal said: the amount it authorised (less than asked
    /// for a partial approval), the masked card number, the authorisation
    /// number and its reason.
    pub(crate) fn append(
        &self,
        id: i64,
        method: crate::Method,
        settles: Option<&Outcome>,
        note: &str,
        evidence: &Option<String>,
    ) -> Result<(), JournalError> {
        let settles = settles.filter(|o| !matches!(o.status, Status::InDoubt | Status::Pending));
        self.append_in_sync(
            id,
            method,
            settles.map(|o| o.status),
            settles,
            note,
            evidence,
        )
    }

    /// Appends a history row with a status and no answer (a decision by
    /// hand, or none).
    pub(crate) fn append_status(
        &self,
        id: i64,
        method: crate::Method,
        status: Option<Status>,
        note: &str,
        evidence: &Option<String>,
    ) -> Result<(), JournalError> {
        self.append_in_sync(id, method, status, None, note, evidence)
    }

    fn append_in_sync(
        &self,
        id: i64,
        method: crate::Method,
        status: Option<Status>,
        answer: Option<&Outcome>,
        note: &str,
        evidence: &Option<String>,
    ) -> Result<(), JournalError> {
        let now = now_ms();
        let mut conn = self.conn();
        conn.execute_batch("PRAGMA synchronous=FULL")
            .map_err(|e| self.err(e))?;
        let written = self.append_in(&mut conn, id, now, method, status, answer, note, evidence);
        let restored = conn
            .execute_batch("PRAGMA synchronous=NORMAL")
            .map_err(|e| self.err(e));
        written.and(restored)
    }

    #[allow(clippy::too_many_arguments)]
    fn append_in(
        &self,
        conn: &mut Connection,
        id: i64,
        now: i64,
        method: crate::Method,
        status: Option<Status>,
        answer: Option<&Outcome>,
        note: &str,
        evidence: &Option<String>,
    ) -> Result<(), JournalError> {
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(|e| self.err(e))?;
        tx.execute(
            "INSERT INTO resolutions (entry_id, time_ms, method, status, note, evidence)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![
                id,
                now,
                method.as_str(),
                status.map(Status::as_str),
                String::from_utf8_lossy(&mask_digit_runs(note.as_bytes())),
                evidence,
            ],
        )
        .map_err(|e| self.err(e))?;
        if let Some(status) = status {
            tx.execute(
                "UPDATE entries SET state = 'resolved', status = ?2, updated_ms = ?3
                 WHERE id = ?1 AND state IN ('in_doubt', 'sending', 'sent', 'resolved')",
                params![id, status.as_str(), now],
            )
            .map_err(|e| self.err(e))?;
            if let Some(answer) = answer {
                tx.execute(
                    "UPDATE entries SET reason = ?2, authorized_amount = ?3,
                         card_number = COALESCE(?4, card_number),
                         authorization_number = COALESCE(?5, authorization_number)
                     WHERE id = ?1 AND state = 'resolved'",
                    params![
                        id,
                        answer.reason,
                        answer.amount.map(|a| a as i64),
                        answer.card_number.as_deref().map(mask_pan),
                        answer.authorization_number,
                    ],
                )
                .map_err(|e| self.err(e))?;
            }
        } else {
            tx.execute(
                "UPDATE entries SET updated_ms = ?2 WHERE id = ?1",
                params![id, now],
            )
            .map_err(|e| self.err(e))?;
        }
        tx.commit().map_err(|e| self.err(e))
    }
}

/// `File::try_lock`, `Ok(false)` when another holder has the lock. The
/// Windows cross build's rustc (Debian's 1.85, `concert_rustc_1_85`) has
/// the form from before stabilisation, which already answers so.
fn try_lock(file: &File) -> std::io::Result<bool> {
    #[cfg(not(concert_rustc_1_85))]
    return match file.try_lock() {
        Ok(()) => Ok(true),
        Err(TryLockError::WouldBlock) => Ok(false),
        Err(TryLockError::Error(e)) => Err(e),
    };
    #[cfg(concert_rustc_1_85)]
    return file.try_lock();
}
