//! `concert decode`: a frame read field by field through `concert_core::inspect`.

use std::io::Read;

use concert_core::inspect::{Hint, Inspected, InspectedField, inspect, inspect_text};
use concert_core::terminal::{Outcome, answer_outcome, answer_outcome_text};
use serde_json::{Value, json};

use crate::cli::DecodeArgs;
use crate::exit::{self, CliError};
use crate::output;

/// Decodes the frame, prints it, returns the exit code.
pub fn run(args: &DecodeArgs) -> Result<u8, CliError> {
    let hint = match (args.v2, args.v3, &args.hint) {
        (true, _, _) => Hint::V2,
        (_, true, _) => Hint::V3,
        (_, _, Some(name)) => name
            .parse::<Hint>()
            .map_err(|e| CliError::flag("--hint", e))?,
        _ => Hint::Auto,
    };
    let bytes = if args.frame == "-" {
        let mut bytes = Vec::new();
        std::io::stdin()
            .read_to_end(&mut bytes)
            .map_err(|e| CliError::flag("FRAME", format!("cannot read stdin: {e}")))?;
        // A shell pipe adds a newline nobody meant as part of the frame.
        while bytes.last().is_some_and(|b| *b == b'\n' || *b == b'\r') {
            bytes.pop();
        }
        bytes
    } else {
        args.frame.clone().into_bytes()
    };
    let inspected = match std::str::from_utf8(&bytes) {
        Ok(text) => inspect_text(text, hint),
        Err(_) => inspect(&bytes, hint),
    }
    .map_err(|e| CliError::flag("FRAME", e))?;
    // What an answer means, through the code a transaction's answer takes.
    let outcome = match std::str::from_utf8(&bytes) {
        Ok(text) => answer_outcome_text(text, hint),
        Err(_) => answer_outcome(&bytes, hint),
    };
    if args.json {
        let mut value = to_json(&inspected);
        if let Some(outcome) = &outcome {
            value["outcome"] =
                serde_json::to_value(output::OutcomeJson::new(outcome)).unwrap_or(Value::Null);
        }
        output::print_json(&value);
    } else {
        out!("{}", human(&inspected, outcome.as_ref()));
    }
    Ok(exit::OK)
}

fn field_json(f: &InspectedField) -> Value {
    json!({
        "name": f.name,
        "value": f.value,
        "meaning": f.meaning,
        "children": f.children.iter().map(field_json).collect::<Vec<_>>(),
    })
}

fn to_json(i: &Inspected) -> Value {
    let mut records = serde_json::Map::new();
    for f in &i.fields {
        records
            .entry(f.name.clone())
            .or_insert_with(|| Value::from(f.value.as_str()));
    }
    json!({
        "protocol": i.protocol,
        "kind": i.kind,
        "serial_frame": i.serial_frame,
        "records": records,
        "fields": i.fields.iter().map(field_json).collect::<Vec<_>>(),
    })
}

fn human(i: &Inspected, outcome: Option<&Outcome>) -> String {
    let mut lines = vec![format!(
        "{} ({}{})",
        i.protocol,
        i.kind,
        if i.serial_frame {
            ", serial frame, LRC ok"
        } else {
            ""
        }
    )];
    fn walk(lines: &mut Vec<String>, fields: &[InspectedField], depth: usize) {
        let width = fields.iter().map(|f| f.name.len()).max().unwrap_or(0);
        for f in fields {
            let meaning = if f.name == "AK" {
                "  (ticket: its text is shown below)".to_owned()
            } else {
                f.meaning
                    .as_deref()
                    .map(|m| format!("  ({m})"))
                    .unwrap_or_default()
            };
            lines.push(format!(
                "{:indent$}{:<width$}  {:?}{meaning}",
                "",
                f.name,
                f.value,
                indent = 2 + depth * 2
            ));
            walk(lines, &f.children, depth + 1);
        }
    }
    walk(&mut lines, &i.fields, 0);
    if let Some(outcome) = outcome {
        lines.push(String::new());
        lines.push(output::human(outcome, i.protocol == "v2"));
    }
    lines.join("\n")
}
