//! `concert serve`: the browser-till bridge, from flags or a TOML file.
//! Terminal URLs become the same target settings `concert pay` reads, so
//! every value is checked by the same rules.

use std::io::Write;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use concert_bridge::{
    BridgeConfig, DEFAULT_LISTEN, NamedTerminal, valid_origin, valid_terminal_name,
};
use serde::Deserialize;

use crate::cli::{ServeArgs, TargetArgs};
use crate::exit::{self, CliError};
use crate::target;

/// The `--config` file.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    listen: Option<String>,
    #[serde(default)]
    allow_remote: bool,
    token_file: Option<String>,
    #[serde(default)]
    allow_origin: Vec<String>,
    /// `NAME=URL`, as `--terminal` takes them; the first is the default.
    #[serde(default)]
    terminal: Vec<String>,
}

fn read_file(path: &str) -> Result<FileConfig, CliError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| CliError::flag("--config", format!("cannot read {path}: {e}")))?;
    toml::from_str(&text).map_err(|e| {
        // One line, as every error here: where, then what.
        let line = e
            .span()
            .map(|s| text[..s.start.min(text.len())].matches('\n').count() + 1)
            .unwrap_or(1);
        CliError::flag(
            "--config",
            format!("{path}, line {line}: {}", e.message().trim()),
        )
    })
}

fn target_defaults() -> TargetArgs {
    TargetArgs {
        tcp: None,
        serial: None,
        protocol: None,
        baud: "9600".into(),
        data_bits: None,
        parity: None,
        stop_bits: "1".into(),
        pos: "1".into(),
        cash_register_id: None,
        timeout: None,
        connect_timeout: None,
        json: false,
    }
}

/// `NAME=URL` into a named terminal: `tcp://HOST:PORT`, `serial:///dev/…`
/// or `serial://COM3`, options in the query.
pub fn terminal_spec(flag: &'static str, spec: &str) -> Result<NamedTerminal, CliError> {
    let (name, url) = spec.split_once('=').ok_or_else(|| {
        CliError::flag(
            flag,
            format!("{spec:?} is not NAME=URL (e.g. lane1=tcp://192.168.1.50:8888)"),
        )
    })?;
    if !valid_terminal_name(name) {
        return Err(CliError::flag(
            flag,
            format!("terminal name {name:?}: use letters, digits, '-', '_' or '.'"),
        ));
    }
    let bad = |why: String| CliError::flag(flag, format!("{name}: {why}"));
    let (scheme, rest) = url
        .split_once("://")
        .ok_or_else(|| bad(format!("{url:?} is not tcp://HOST:PORT or serial://PATH")))?;
    let (place, query) = rest.split_once('?').unwrap_or((rest, ""));
    if place.is_empty() {
        return Err(bad(format!("{url:?} names no terminal")));
    }
    let mut args = target_defaults();
    match scheme {
        "tcp" => args.tcp = Some(place.to_owned()),
        "serial" => args.serial = Some(place.to_owned()),
        other => return Err(bad(format!("scheme {other:?}: use tcp:// or serial://"))),
    }
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (key, value) = pair
            .split_once('=')
            .ok_or_else(|| bad(format!("option {pair:?} is not KEY=VALUE")))?;
        let value = value.to_owned();
        match key {
            "protocol" => args.protocol = Some(value),
            "baud" => args.baud = value,
            "data_bits" => args.data_bits = Some(value),
            "parity" => args.parity = Some(value),
            "stop_bits" => args.stop_bits = value,
            "pos" => args.pos = value,
            "cash_register_id" => args.cash_register_id = Some(value),
            "timeout" => args.timeout = Some(value),
            "connect_timeout" => args.connect_timeout = Some(value),
            other => {
                return Err(bad(format!(
                    "unknown option {other:?}: protocol, baud, data_bits, parity, stop_bits, pos, \
                     cash_register_id, timeout, connect_timeout"
                )));
            }
        }
    }
    let config = target::config(&args).map_err(|e| bad(e.to_string()))?;
    Ok(NamedTerminal {
        name: name.to_owned(),
        config,
    })
}

fn listen_addr(flag: &'static str, text: &str) -> Result<SocketAddr, CliError> {
    let (host, port) = target::split_host_port(flag, text)?;
    let port = target::parse_port(flag, &port, true)?;
    let ip = if host.eq_ignore_ascii_case("localhost") {
        IpAddr::V4(Ipv4Addr::LOCALHOST)
    } else {
        host.parse().map_err(|_| {
            CliError::flag(flag, format!("{host:?} is not an IP address to listen on"))
        })?
    };
    Ok(SocketAddr::new(ip, port))
}

fn read_token(flag: &'static str, path: &str) -> Result<String, CliError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| CliError::flag(flag, format!("cannot read {path}: {e}")))?;
    let token = text.trim();
    if token.len() < 16 || !token.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(CliError::flag(
            flag,
            format!("{path}: the token must be at least 16 printable characters on one line"),
        ));
    }
    Ok(token.to_owned())
}

/// The bridge settings the flags and the file describe.
pub fn config(args: &ServeArgs) -> Result<BridgeConfig, CliError> {
    let file = match &args.config {
        Some(path) => read_file(path)?,
        None => FileConfig::default(),
    };
    let mut terminals = Vec::new();
    for spec in &file.terminal {
        terminals.push(terminal_spec("--config", spec)?);
    }
    for spec in &args.terminals {
        terminals.push(terminal_spec("--terminal", spec)?);
    }
    let single = args.target.tcp.is_some() || args.target.serial.is_some();
    if single {
        if !terminals.is_empty() {
            return Err(CliError::flag(
                if args.target.tcp.is_some() {
                    "--tcp"
                } else {
                    "--serial"
                },
                "names one terminal: give several with --terminal NAME=URL instead",
            ));
        }
        terminals.push(NamedTerminal {
            name: "default".into(),
            config: target::config(&args.target)?,
        });
    }
    if terminals.is_empty() {
        return Err(CliError::flag(
            "--terminal",
            "no terminal: give --tcp HOST:PORT, --serial PATH, --terminal NAME=URL or --config FILE",
        ));
    }
    let mut config = BridgeConfig::new(terminals);
    config.listen = match (&args.listen, &file.listen) {
        (Some(l), _) => listen_addr("--listen", l)?,
        (None, Some(l)) => listen_addr("--config", l)?,
        (None, None) => DEFAULT_LISTEN,
    };
    config.allow_remote = args.allow_remote || file.allow_remote;
    config.token = match (&args.token_file, &file.token_file) {
        (Some(p), _) => Some(read_token("--token-file", p)?),
        (None, Some(p)) => Some(read_token("--config", p)?),
        (None, None) => None,
    };
    for origin in file.allow_origin.iter().chain(&args.allow_origins) {
        let origin = origin.trim_end_matches('/');
        if !valid_origin(origin) {
            return Err(CliError::flag(
                "--allow-origin",
                format!("{origin:?} is not scheme://host[:port] (e.g. https://odoo.example.com)"),
            ));
        }
        config.allowed_origins.push(origin.to_owned());
    }
    if !config.listen.ip().is_loopback() {
        if !config.allow_remote {
            return Err(CliError::flag(
                "--listen",
                format!(
                    "{} is reachable from other machines: add --allow-remote and a --token-file",
                    config.listen
                ),
            ));
        }
        if config.token.is_none() {
            return Err(CliError::flag(
                "--token-file",
                "required when listening on a non-loopback address",
            ));
        }
    }
    Ok(config)
}

/// Serves until a stop signal.
pub fn run(args: &ServeArgs) -> Result<u8, CliError> {
    let config = config(args)?;
    let names: Vec<String> = config
        .terminals
        .iter()
        .map(|t| format!("{} ({})", t.name, target::describe(&t.config)))
        .collect();
    let json = args.target.json;
    concert_bridge::serve_blocking(config, |addr| {
        let url = format!("http://{addr}/");
        let mut out = std::io::stdout().lock();
        let _ = if json {
            writeln!(
                out,
                "{}",
                serde_json::json!({"url": url, "terminals": names})
            )
        } else {
            writeln!(out, "{url}")
        };
        let _ = out.flush();
        log::info!(
            "serving browser tills on {url} for {}; Ctrl-C stops",
            names.join(", ")
        );
    })
    .map_err(|e| CliError::Runtime(e.to_string()))?;
    log::info!("stopped");
    Ok(exit::OK)
}
