//! Settling in-doubt entries: by asking a V3 terminal for its last
//! transaction, or by an operator's decision. Every attempt is appended to
//! the entry's history; nothing earlier is rewritten.

use concert_core::currency::Currency;
use concert_core::terminal::{Outcome, Status, Terminal};

use crate::entry::{Decision, Entry, Method, State};
use crate::store::{hex, records_json};
use crate::{Journal, JournalError};

/// The evidence kept with a resolution: the terminal's records and raw
/// answer, both masked, as JSON text.
pub(crate) fn evidence(outcome: &Outcome, raw: Option<&[u8]>) -> Option<String> {
    let records: serde_json::Value = records_json(outcome)
        .and_then(|r| serde_json::from_str(&r).ok())
        .unwrap_or(serde_json::Value::Null);
    let raw = raw
        .or(outcome.raw_answer.as_deref())
        .map(|r| hex(&concert_core::mask::mask_digit_runs(r)));
    Some(
        serde_json::json!({
            "status": outcome.status.as_str(),
            "reason": outcome.reason,
            "amount": outcome.amount,
            "currency": outcome.currency.map(|c| c.alpha()),
            "reference": outcome.private_data,
            "authorization_number": outcome.authorization_number,
            "card_number": outcome.card_number,
            "records": records,
            "raw_hex": raw,
        })
        .to_string(),
    )
}

/// Why an answer is not the entry's: reference, currency, POS or amount
/// differ (empty when it is). An approval must carry an amount no higher
/// than asked (lower is a partial approval).
pub(crate) fn mismatches(entry: &Entry, outcome: &Outcome) -> Vec<String> {
    let mut why = Vec::new();
    let answered_reference = outcome.private_data.as_deref().map(str::trim_end);
    let sent_reference = entry.reference.as_deref().map(str::trim_end);
    if sent_reference.is_none() || answered_reference != sent_reference {
        why.push(format!(
            "reference sent {:?}, answered {:?}",
            sent_reference.unwrap_or(""),
            answered_reference.unwrap_or("")
        ));
    }
    if let Some(sent) = entry.currency.as_deref() {
        let answered = outcome.currency.map(Currency::alpha);
        if answered.is_some_and(|a| a != sent) {
            why.push(format!(
                "currency sent {sent}, answered {}",
                answered.unwrap_or("")
            ));
        }
    }
    let pos = outcome
        .record("CA")
        .or_else(|| outcome.record("pos"))
        .and_then(|p| p.trim().parse::<u8>().ok());
    if let Some(pos) = pos
        && pos != entry.pos_number
    {
        why.push(format!("POS sent {}, answered {pos}", entry.pos_number));
    }
    match (entry.amount, outcome.amount) {
        (Some(sent), Some(answered)) if answered > sent => {
            why.push(format!("amount sent {sent}, answered {answered}"));
        }
        (Some(_), None) if outcome.status == Status::Approved => {
            why.push("an approval without an amount".to_owned());
        }
        _ => {}
    }
    why
}

/// What [`Journal::resolve`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolved {
    /// The entry as it is now, with the new history row last.
    pub entry: Entry,
    /// Whether it is settled (`false`: still in doubt; the history row
    /// says what the terminal answered).
    pub settled: bool,
}

impl Journal {
    /// Asks `terminal` (V3) for its last transaction and settles the
    /// in-doubt entry `id` when that transaction is this entry's:
    /// same reference, currency, POS, and an amount no higher than asked.
    /// Otherwise the entry stays in doubt, with what the terminal said in
    /// its history. V2 has no status request: [`JournalError::NeedsOperator`]
    /// (a late answer may still settle it; else resolve it by hand).
    pub fn resolve(&self, id: i64, terminal: &Terminal) -> Result<Resolved, JournalError> {
        let entry = self.show(id)?;
        if !entry.is_in_doubt() {
            return Err(JournalError::NotInDoubt {
                id,
                state: entry.state.to_string(),
            });
        }
        if entry.protocol.starts_with("v2") || terminal.config().protocol.is_v2() {
            return Err(JournalError::NeedsOperator(id));
        }
        let place = terminal.config().place();
        let asked = if place == entry.terminal {
            format!("status request to {place}")
        } else {
            format!(
                "status request to {place} (the entry was sent to {})",
                entry.terminal
            )
        };
        let outcome = match terminal.status() {
            Ok(outcome) => outcome,
            Err(e) => {
                self.append_status(
                    id,
                    Method::StatusRequest,
                    None,
                    &format!("{asked} failed: {e}"),
                    &None,
                )?;
                return Err(JournalError::Terminal(e));
            }
        };
        let evidence = evidence(&outcome, None);
        let why = mismatches(&entry, &outcome);
        let definite = !matches!(outcome.status, Status::InDoubt | Status::Pending);
        let settled = why.is_empty() && definite;
        let note = if settled {
            format!(
                "{asked}: the terminal's last transaction is this one: {} ({})",
                outcome.status, outcome.reason
            )
        } else if why.is_empty() {
            format!(
                "{asked}: the terminal's last transaction is this one, still {}: {}",
                outcome.status, outcome.reason
            )
        } else {
            format!(
                "{asked}: the terminal's last transaction is not this one ({}); the terminal said {} ({}); still in doubt",
                why.join("; "),
                outcome.status,
                outcome.reason
            )
        };
        let settles = settled.then_some(&outcome);
        self.append(id, Method::StatusRequest, settles, &note, &evidence)?;
        Ok(Resolved {
            entry: self.show(id)?,
            settled,
        })
    }

    /// Records an operator's decision on entry `id` (in doubt, or settled
    /// earlier by hand or by the terminal) with a note saying what was
    /// checked. Appended to its history: earlier rows stay.
    pub fn resolve_by_hand(
        &self,
        id: i64,
        decision: Decision,
        note: &str,
    ) -> Result<Entry, JournalError> {
        let note = note.trim();
        if note.is_empty() {
            return Err(JournalError::NoteRequired);
        }
        let entry = self.show(id)?;
        if !(entry.is_in_doubt() || entry.state == State::Resolved) {
            return Err(JournalError::NotInDoubt {
                id,
                state: entry.state.to_string(),
            });
        }
        self.append_status(id, Method::ByHand, Some(decision.status()), note, &None)?;
        self.show(id)
    }
}
