//! `concert decode`: a frame read field by field through `concert_core::inspect`.

use std::io::Read;

use concert_core::inspect::{Hint, Inspected, InspectedField, inspect, inspect_text};
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
    let inspected = if args.frame == "-" {
        let mut bytes = Vec::new();
        std::io::stdin()
            .read_to_end(&mut bytes)
            .map_err(|e| CliError::flag("FRAME", format!("cannot read stdin: {e}")))?;
        // A shell pipe adds a newline nobody meant as part of the frame.
        while bytes.last().is_some_and(|b| *b == b'\n' || *b == b'\r') {
            bytes.pop();
        }
        match std::str::from_utf8(&bytes) {
            Ok(text) => inspect_text(text, hint),
            Err(_) => inspect(&bytes, hint),
        }
    } else {
        inspect_text(&args.frame, hint)
    }
    .map_err(|e| CliError::flag("FRAME", e))?;
    if args.json {
        output::print_json(&to_json(&inspected));
    } else {
        out!("{}", human(&inspected));
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

fn human(i: &Inspected) -> String {
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
            let meaning = f
                .meaning
                .as_deref()
                .map(|m| format!("  ({m})"))
                .unwrap_or_default();
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
    lines.join("\n")
}
