//! How an outcome is shown: a readable block for people, one JSON object
//! for scripts. Card numbers arrive masked from the core and stay so.

use std::io::Write;

use concert_core::amount::format_decimal;
use concert_core::terminal::Outcome;
use serde::Serialize;
use serde_json::Value;

use crate::exit::CliError;

/// The JSON form of an outcome, shared with `concert serve`.
pub use concert_bridge::OutcomeJson;

/// Prints one line on stdout; a reader that went away is not an error.
pub fn print_line(text: &str) {
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{text}");
    let _ = out.flush();
}

/// Prints one JSON value and a newline on stdout.
pub fn print_json(value: &impl Serialize) {
    let mut out = std::io::stdout().lock();
    // A closed stdout (`| head`) is not worth a panic.
    let _ = serde_json::to_writer_pretty(&mut out, value);
    let _ = writeln!(out);
    let _ = out.flush();
}

/// The JSON object printed for an error under `--json`.
pub fn error_json(error: &CliError) -> Value {
    let mut object = serde_json::json!({
        "status": "error",
        "error": {
            "code": error.code(),
            "message": error.to_string(),
            "safe_to_retry": error.safe_to_retry(),
            "exit_code": error.exit_code(),
        }
    });
    if let CliError::Flag { flag, .. } = error {
        object["error"]["flag"] = Value::from(*flag);
    }
    object
}

/// The readable form of an outcome; `v2` for the protocol without a
/// status request.
pub fn human(o: &Outcome, v2: bool) -> String {
    let mut lines = Vec::new();
    let headline = match (o.status.as_str(), v2) {
        ("approved", _) if o.partial => "APPROVED FOR LESS (partial payment: collect the rest)",
        ("approved", _) => "APPROVED",
        ("declined", _) => "DECLINED",
        ("aborted", _) => "ABORTED",
        ("not_performed", _) => "NOT PERFORMED",
        ("pending", false) => "PENDING (fetch the result with `concert status`)",
        ("pending", true) => {
            "PENDING: V2 sends no final status and has no status request; read the result on the terminal"
        }
        (_, false) => {
            "IN DOUBT: the terminal may have taken it; resolve it before retrying (`concert journal resolve ID`, or `concert status`)"
        }
        (_, true) => {
            "IN DOUBT: the terminal may have taken it; check its screen or last receipt, then `concert journal resolve ID --as ...` (V2 has no status request)"
        }
    };
    lines.push(format!("{} {headline}", o.operation.name()));
    let mut row = |name: &str, value: Option<String>| {
        if let Some(v) = value.filter(|v| !v.is_empty()) {
            lines.push(format!("  {name:<14} {v}"));
        }
    };
    let reason = match (&o.reason_code, o.reason.is_empty()) {
        (Some(code), false) => Some(format!("{} ({code})", o.reason)),
        (Some(code), true) => Some(code.clone()),
        (None, false) => Some(o.reason.clone()),
        (None, true) => None,
    };
    row("reason", reason);
    row("journal entry", o.journal_entry.map(|e| e.to_string()));
    row(
        "amount",
        o.amount.zip(o.currency).map(|(a, c)| {
            let partial = if o.partial {
                o.requested_amount
                    .map(|r| format!(" (partial: {} asked)", format_decimal(r, c)))
                    .unwrap_or_default()
            } else {
                String::new()
            };
            format!("{} {c}{partial}", format_decimal(a, c))
        }),
    );
    row("card", o.card_number.clone());
    row("expiry", o.expiry.clone());
    row(
        "application",
        o.application.as_ref().map(|a| match a.label {
            Some(label) => format!("{label} ({})", a.code),
            None => a.code.clone(),
        }),
    );
    row("read mode", o.read_mode.map(|m| m.text().to_owned()));
    row("authorisation", o.authorization_number.clone());
    row("contract", o.contract.clone());
    row("aid", o.aid.clone());
    row("private data", o.private_data.clone());
    row("in doubt", o.in_doubt_cause.clone());
    for m in &o.echo_mismatches {
        lines.push(format!(
            "  warning        {} sent {:?} but echoed {:?}",
            m.field, m.sent, m.received
        ));
    }
    for late in &o.late_answers {
        lines.push(format!(
            "  late answer    {} ({}) to an earlier {}",
            late.outcome.status,
            late.outcome.reason,
            late.request
                .as_ref()
                .map_or("request", |r| r.operation.name())
        ));
    }
    if let Some(receipt) = &o.receipt {
        lines.push("  receipt:".to_owned());
        for line in receipt.text.lines() {
            lines.push(format!("    | {line}"));
        }
    }
    lines.join("\n")
}
