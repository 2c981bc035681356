//! `concert ports`: serial ports with their USB ids, known terminals flagged.

use concert_core::transport::{PortInfo, list_ports};
use serde_json::{Value, json};

use crate::exit::{self, CliError};
use crate::output;

/// Lists the ports, returns the exit code.
pub fn run(json: bool) -> Result<u8, CliError> {
    let ports =
        list_ports().map_err(|e| CliError::Runtime(format!("cannot list serial ports: {e}")))?;
    if json {
        output::print_json(&json!({ "ports": ports.iter().map(port_json).collect::<Vec<_>>() }));
        return Ok(exit::OK);
    }
    if ports.is_empty() {
        out!("no serial ports found (pseudo-terminals are not listed)");
    }
    for p in &ports {
        let ids = match (p.vid, p.pid) {
            (Some(v), Some(pid)) => format!("{v:04X}:{pid:04X}"),
            _ => "-".to_owned(),
        };
        let what = [p.manufacturer.as_deref(), p.product.as_deref()]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" ");
        let flag = p
            .known_terminal
            .map(|t| format!("  <- payment terminal: {t}"))
            .unwrap_or_default();
        out!("{:<20} {:<9} {:<10} {what}{flag}", p.path, p.kind, ids);
    }
    Ok(exit::OK)
}

fn port_json(p: &PortInfo) -> Value {
    json!({
        "path": p.path,
        "kind": p.kind,
        "vid": p.vid.map(|v| format!("{v:04X}")),
        "pid": p.pid.map(|v| format!("{v:04X}")),
        "manufacturer": p.manufacturer,
        "product": p.product,
        "serial_number": p.serial_number,
        "known_terminal": p.known_terminal,
    })
}
