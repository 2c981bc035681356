//! `/v1/journal/…`: the journal's in-doubt entries, one entry, and their
//! resolution (by asking the terminal, or by an operator's decision).
//!
//! The journal is SQLite behind a lock and resolving waits on a terminal:
//! every call runs on a blocking thread, never on the runtime's workers.
//! Entries are shown as the journal stores them: card numbers masked.

use std::sync::Arc;

use axum::Json;
use axum::body::Body;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use concert_journal::{Decision, Entry, Journal};
use serde_json::{Value, json};

use crate::api::read_json;
use crate::codes::{self, ApiError};
use crate::hub::Hub;

/// The most in-doubt entries one answer lists (the oldest first).
pub const MAX_IN_DOUBT: usize = 500;

/// The longest note taken with a decision by hand, in bytes.
pub const MAX_NOTE_LEN: usize = 1000;

fn journal(hub: &Hub) -> Result<Arc<Journal>, ApiError> {
    hub.config.journal.clone().ok_or_else(|| {
        ApiError::new(
            codes::NO_JOURNAL,
            "this bridge runs without a journal (--no-journal): there are no entries to list or resolve",
        )
    })
}

fn entry_id(id: Result<Path<String>, PathRejection>) -> Result<i64, ApiError> {
    let Path(text) = id.map_err(|e| ApiError::usage(format!("bad path parameter: {e}")))?;
    text.parse::<i64>()
        .ok()
        .filter(|n| *n > 0)
        .ok_or_else(|| ApiError::usage(format!("{text:?} is not a journal entry number")))
}

/// Runs a journal call on a blocking thread.
async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    tokio::task::spawn_blocking(work).await.map_err(|_| {
        ApiError::new(
            "CONCERT_JOURNAL",
            "the journal call ended without an answer",
        )
    })?
}

fn answer(result: Result<Value, ApiError>) -> Response {
    match result {
        Ok(v) => Json(v).into_response(),
        Err(e) => e.into_response(),
    }
}

/// `GET /v1/journal/in-doubt`: every entry nobody knows the fate of.
pub async fn in_doubt(State(hub): State<Arc<Hub>>) -> Response {
    let result = async {
        let journal = journal(&hub)?;
        blocking(move || {
            let mut entries = journal.list_in_doubt()?;
            let total = entries.len();
            entries.truncate(MAX_IN_DOUBT);
            Ok(json!({
                "journal": journal.path(),
                "total": total,
                "entries": entries,
            }))
        })
        .await
    }
    .await;
    answer(result)
}

/// `GET /v1/journal/{id}`.
pub async fn show(
    State(hub): State<Arc<Hub>>,
    id: Result<Path<String>, PathRejection>,
) -> Response {
    let result = async {
        let id = entry_id(id)?;
        let journal = journal(&hub)?;
        blocking(move || Ok(serde_json::to_value(journal.show(id)?).unwrap_or(Value::Null))).await
    }
    .await;
    answer(result)
}

/// The terminal to ask about `entry`: the one named, or the one at the
/// place the entry was sent to.
fn slot_for(hub: &Hub, name: Option<&str>, entry: &Entry) -> Result<usize, ApiError> {
    if let Some(name) = name {
        let slot = hub.slot(Some(name))?;
        return Ok(hub
            .slots()
            .iter()
            .position(|s| std::ptr::eq(s, slot))
            .unwrap_or(0));
    }
    hub.slots()
        .iter()
        .position(|s| s.terminal.config().place() == entry.terminal)
        .ok_or_else(|| {
            ApiError::new(
                codes::UNKNOWN_TERMINAL,
                format!(
                    "entry {} was sent to {}, which no configured terminal is: name the terminal to ask ({{\"terminal\": \"…\"}})",
                    entry.id, entry.terminal
                ),
            )
        })
}

/// An optional JSON object body: empty is `{}`.
async fn optional_object(
    hub: &Hub,
    body: Body,
) -> Result<serde_json::Map<String, Value>, ApiError> {
    let bytes = axum::body::to_bytes(body, hub.config.body_limit)
        .await
        .map_err(|_| {
            ApiError::new(
                codes::BODY_TOO_LARGE,
                format!("the body is over {} bytes", hub.config.body_limit),
            )
        })?;
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(serde_json::Map::new());
    }
    match serde_json::from_slice(&bytes) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(ApiError::usage("the body must be a JSON object")),
        Err(e) => Err(ApiError::usage(format!("the body is not JSON: {e}"))),
    }
}

fn text<'a>(
    body: &'a serde_json::Map<String, Value>,
    name: &str,
) -> Result<Option<&'a str>, ApiError> {
    match body.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(other) => Err(ApiError::usage(format!(
            "{name} must be a string, not {other}"
        ))),
    }
}

fn refuse_unknown(body: &serde_json::Map<String, Value>, known: &[&str]) -> Result<(), ApiError> {
    match body.keys().find(|k| !known.contains(&k.as_str())) {
        Some(k) => Err(ApiError::usage(format!(
            "unknown field {k:?}; this route takes {}",
            known.join(", ")
        ))),
        None => Ok(()),
    }
}

/// `POST /v1/journal/{id}/resolve`: asks the terminal (V3 status request)
/// whether its last transaction is this entry's, and records what it says.
pub async fn resolve(
    State(hub): State<Arc<Hub>>,
    id: Result<Path<String>, PathRejection>,
    body: Body,
) -> Response {
    let result = async {
        let id = entry_id(id)?;
        let body = optional_object(&hub, body).await?;
        refuse_unknown(&body, &["terminal"])?;
        let name = text(&body, "terminal")?.map(str::to_owned);
        let journal = journal(&hub)?;
        if hub.stopping() {
            return Err(ApiError::new(
                codes::SHUTTING_DOWN,
                "the bridge is stopping",
            ));
        }
        let hub = hub.clone();
        blocking(move || {
            let entry = journal.show(id)?;
            let index = slot_for(&hub, name.as_deref(), &entry)?;
            let slot = &hub.slots()[index];
            let resolved = journal.resolve(id, &slot.terminal)?;
            Ok(json!({
                "terminal": slot.name,
                "settled": resolved.settled,
                "entry": resolved.entry,
            }))
        })
        .await
    }
    .await;
    answer(result)
}

/// `POST /v1/journal/{id}/resolve-by-hand`: an operator's decision, after
/// checking the terminal's receipt or journal, with a note saying so.
pub async fn resolve_by_hand(
    State(hub): State<Arc<Hub>>,
    id: Result<Path<String>, PathRejection>,
    body: Body,
) -> Response {
    let result = async {
        let id = entry_id(id)?;
        let body = match read_json(&hub, body).await? {
            Value::Object(map) => map,
            _ => return Err(ApiError::usage("the body must be a JSON object")),
        };
        refuse_unknown(&body, &["as", "note"])?;
        let decision: Decision = text(&body, "as")?
            .ok_or_else(|| ApiError::usage("as is required: approved or declined"))?
            .parse()
            .map_err(|e: concert_journal::JournalError| ApiError::usage(e.to_string()))?;
        let note = text(&body, "note")?.unwrap_or_default().trim().to_owned();
        if note.is_empty() {
            return Err(ApiError::usage(
                "note is required: say what was checked (the terminal's receipt or journal)",
            ));
        }
        if note.len() > MAX_NOTE_LEN {
            return Err(ApiError::usage(format!(
                "note is over {MAX_NOTE_LEN} bytes"
            )));
        }
        let journal = journal(&hub)?;
        blocking(move || {
            let entry = journal.resolve_by_hand(id, decision, &note)?;
            Ok(json!({"settled": true, "entry": entry}))
        })
        .await
    }
    .await;
    answer(result)
}
