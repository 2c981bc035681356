//! Reading the journal back: one entry, a list, an export; and pruning.

use std::io::Write;

use rusqlite::{OptionalExtension, Row, params};
use serde::Serialize;

use crate::entry::{Entry, Method, Resolution, State, parse_status};
use crate::time::rfc3339;
use crate::{Journal, JournalError};

const COLUMNS: &str = "id, created_ms, updated_ms, terminal, protocol, pos_number, operation,
    amount, currency, reference, reference_generated, state, status, reason, authorized_amount,
    card_number, authorization_number, in_doubt_cause, records, frames";

/// Which entries [`Journal::list`] gives.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListFilter {
    /// Only entries nobody knows the fate of.
    pub in_doubt: bool,
    /// Only entries recorded at or after this time (ms since the Unix epoch).
    pub since_ms: Option<i64>,
}

/// What [`Journal::export`] writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    /// One row per entry, with its latest resolution; a header line first.
    Csv,
    /// One JSON array of entries, each with its whole history.
    Json,
}

impl std::str::FromStr for ExportFormat {
    type Err = JournalError;

    fn from_str(s: &str) -> Result<ExportFormat, JournalError> {
        match s.trim().to_ascii_lowercase().as_str() {
            "csv" => Ok(ExportFormat::Csv),
            "json" => Ok(ExportFormat::Json),
            other => Err(JournalError::Invalid(format!(
                "export format {other:?}: use csv or json"
            ))),
        }
    }
}

fn entry_of(row: &Row<'_>) -> rusqlite::Result<Entry> {
    let state: String = row.get(11)?;
    let status: Option<String> = row.get(12)?;
    Ok(Entry {
        id: row.get(0)?,
        created_ms: row.get(1)?,
        updated_ms: row.get(2)?,
        terminal: row.get(3)?,
        protocol: row.get(4)?,
        pos_number: row.get(5)?,
        operation: row.get(6)?,
        amount: row.get::<_, Option<i64>>(7)?.map(|a| a as u64),
        currency: row.get(8)?,
        reference: row.get(9)?,
        reference_generated: row.get(10)?,
        state: state.parse().unwrap_or(State::InDoubt),
        status: status.as_deref().and_then(parse_status),
        reason: row.get(13)?,
        authorized_amount: row.get::<_, Option<i64>>(14)?.map(|a| a as u64),
        card_number: row.get(15)?,
        authorization_number: row.get(16)?,
        in_doubt_cause: row.get(17)?,
        records: row.get(18)?,
        frames: row.get(19)?,
        resolutions: Vec::new(),
    })
}

impl Journal {
    /// One entry with its history.
    pub fn show(&self, id: i64) -> Result<Entry, JournalError> {
        let conn = self.conn();
        let entry = conn
            .query_row(
                &format!("SELECT {COLUMNS} FROM entries WHERE id = ?1"),
                [id],
                entry_of,
            )
            .optional()
            .map_err(|e| self.err(e))?
            .ok_or(JournalError::NoSuchEntry(id))?;
        drop(conn);
        self.with_history(vec![entry]).map(|mut v| v.remove(0))
    }

    /// Entries, oldest first, each with its history.
    pub fn list(&self, filter: &ListFilter) -> Result<Vec<Entry>, JournalError> {
        if filter.in_doubt {
            self.recover()?;
        }
        let conn = self.conn();
        let mut sql = format!("SELECT {COLUMNS} FROM entries WHERE created_ms >= ?1");
        if filter.in_doubt {
            sql.push_str(" AND state IN ('in_doubt', 'sending', 'sent')");
        }
        sql.push_str(" ORDER BY id");
        let entries = {
            let mut stmt = conn.prepare(&sql).map_err(|e| self.err(e))?;
            stmt.query_map([filter.since_ms.unwrap_or(i64::MIN)], entry_of)
                .map_err(|e| self.err(e))?
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| self.err(e))?
        };
        drop(conn);
        self.with_history(entries)
    }

    /// The entries nobody knows the fate of (the first thing a till asks
    /// after a restart), after turning those of ended processes into in
    /// doubt.
    pub fn list_in_doubt(&self) -> Result<Vec<Entry>, JournalError> {
        self.list(&ListFilter {
            in_doubt: true,
            since_ms: None,
        })
    }

    fn with_history(&self, mut entries: Vec<Entry>) -> Result<Vec<Entry>, JournalError> {
        let conn = self.conn();
        let mut stmt = conn
            .prepare(
                "SELECT time_ms, method, status, note, evidence FROM resolutions
                 WHERE entry_id = ?1 ORDER BY id",
            )
            .map_err(|e| self.err(e))?;
        for entry in &mut entries {
            entry.resolutions = stmt
                .query_map([entry.id], |r| {
                    let method: String = r.get(1)?;
                    let status: Option<String> = r.get(2)?;
                    Ok(Resolution {
                        time_ms: r.get(0)?,
                        method: Method::parse(&method),
                        status: status.as_deref().and_then(parse_status),
                        note: r.get(3)?,
                        evidence: r.get(4)?,
                    })
                })
                .map_err(|e| self.err(e))?
                .collect::<Result<_, _>>()
                .map_err(|e| self.err(e))?;
        }
        Ok(entries)
    }

    /// Deletes the settled entries recorded before `before_ms` (and their
    /// history); gives how many. Entries still in doubt are kept whatever
    /// their age: they are money nobody has accounted for yet.
    pub fn prune(&self, before_ms: i64) -> Result<usize, JournalError> {
        let conn = self.conn();
        conn.execute(
            "DELETE FROM entries WHERE created_ms < ?1
             AND state IN ('outcome', 'not_sent', 'resolved')",
            params![before_ms],
        )
        .map_err(|e| self.err(e))
    }

    /// Writes the entries recorded since `since_ms` (all when `None`).
    pub fn export(
        &self,
        since_ms: Option<i64>,
        format: ExportFormat,
        out: &mut dyn Write,
    ) -> Result<(), JournalError> {
        let entries = self.list(&ListFilter {
            in_doubt: false,
            since_ms,
        })?;
        let fail = |e: &dyn std::fmt::Display| JournalError::Export(e.to_string());
        match format {
            ExportFormat::Json => {
                serde_json::to_writer_pretty(&mut *out, &entries).map_err(|e| fail(&e))?;
                out.write_all(b"\n").map_err(|e| fail(&e))?;
            }
            ExportFormat::Csv => {
                let mut writer = csv::Writer::from_writer(&mut *out);
                for entry in &entries {
                    writer.serialize(CsvRow::of(entry)).map_err(|e| fail(&e))?;
                }
                writer.flush().map_err(|e| fail(&e))?;
            }
        }
        Ok(())
    }
}

/// One CSV line: the entry and its latest resolution.
#[derive(Serialize)]
struct CsvRow<'a> {
    id: i64,
    created: String,
    terminal: &'a str,
    protocol: &'a str,
    pos_number: u8,
    operation: &'a str,
    amount: Option<u64>,
    currency: Option<&'a str>,
    reference: Option<&'a str>,
    state: &'a str,
    status: Option<&'a str>,
    reason: Option<&'a str>,
    authorized_amount: Option<u64>,
    card_number: Option<&'a str>,
    authorization_number: Option<&'a str>,
    in_doubt_cause: Option<&'a str>,
    resolved_by: Option<&'a str>,
    resolved_at: Option<String>,
    resolution_note: Option<&'a str>,
}

impl<'a> CsvRow<'a> {
    fn of(e: &'a Entry) -> CsvRow<'a> {
        let last = e.resolutions.iter().rev().find(|r| r.status.is_some());
        CsvRow {
            id: e.id,
            created: rfc3339(e.created_ms),
            terminal: &e.terminal,
            protocol: &e.protocol,
            pos_number: e.pos_number,
            operation: &e.operation,
            amount: e.amount,
            currency: e.currency.as_deref(),
            reference: e.reference.as_deref(),
            state: e.state.as_str(),
            status: e.status.map(|s| s.as_str()),
            reason: e.reason.as_deref(),
            authorized_amount: e.authorized_amount,
            card_number: e.card_number.as_deref(),
            authorization_number: e.authorization_number.as_deref(),
            in_doubt_cause: e.in_doubt_cause.as_deref(),
            resolved_by: last.map(|r| r.method.as_str()),
            resolved_at: last.map(|r| rfc3339(r.time_ms)),
            resolution_note: last.map(|r| r.note.as_str()),
        }
    }
}
