//! `--tcp` / `--serial` and the line settings, into a terminal configuration.

use std::time::Duration;

use concert_core::terminal::{Connection, Parity, Protocol, SerialLine, TerminalConfig};

use crate::cli::TargetArgs;
use crate::exit::CliError;

/// Splits `HOST:PORT` (`[::1]:8888` for IPv6) into host and port text.
pub fn split_host_port(flag: &'static str, text: &str) -> Result<(String, String), CliError> {
    let (host, port) = text.rsplit_once(':').ok_or_else(|| {
        CliError::flag(
            flag,
            format!("{text:?} is not HOST:PORT (e.g. 192.168.1.50:8888)"),
        )
    })?;
    let host = host
        .strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host);
    if host.is_empty() {
        return Err(CliError::flag(flag, format!("{text:?} has no host")));
    }
    Ok((host.to_owned(), port.to_owned()))
}

/// A TCP port number, 1-65535 (0 too when `allow_zero`).
pub fn parse_port(flag: &'static str, text: &str, allow_zero: bool) -> Result<u16, CliError> {
    let low = if allow_zero { 0 } else { 1 };
    let out_of_range = || {
        CliError::flag(
            flag,
            format!("port {text:?} is out of range: {low} to 65535"),
        )
    };
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(CliError::flag(
            flag,
            format!("port {text:?} is not a number"),
        ));
    }
    let port: u64 = text.parse().map_err(|_| out_of_range())?;
    match u16::try_from(port) {
        Ok(p) if p >= low => Ok(p),
        _ => Err(out_of_range()),
    }
}

/// A whole number within `range` for `flag`.
pub fn parse_number<T>(
    flag: &'static str,
    text: &str,
    what: &str,
    range: (T, T),
) -> Result<T, CliError>
where
    T: TryFrom<u64> + Copy + PartialOrd + std::fmt::Display,
{
    let bad = || {
        CliError::flag(
            flag,
            format!(
                "{what} {text:?} is not a whole number from {} to {}",
                range.0, range.1
            ),
        )
    };
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    let n: u64 = text.parse().map_err(|_| bad())?;
    let n = T::try_from(n).map_err(|_| bad())?;
    if n < range.0 || n > range.1 {
        return Err(bad());
    }
    Ok(n)
}

/// Seconds as typed (`180`, `0.5`) into a duration.
pub fn parse_seconds(flag: &'static str, text: &str) -> Result<Duration, CliError> {
    let bad = || {
        CliError::flag(
            flag,
            format!("{text:?} is not a number of seconds (e.g. 2 or 0.5)"),
        )
    };
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
        return Err(bad());
    }
    let secs: f64 = text.parse().map_err(|_| bad())?;
    // The core's one ceiling, before anything is opened or sent.
    concert_core::duration::from_secs_f64("the value", secs).map_err(|e| CliError::flag(flag, e))
}

/// The protocol named by `--protocol`.
pub fn parse_protocol(text: &str) -> Result<Protocol, CliError> {
    text.parse::<Protocol>()
        .map_err(|e| CliError::flag("--protocol", e))
}

/// The configuration the target flags describe, checked.
pub fn config(args: &TargetArgs) -> Result<TerminalConfig, CliError> {
    let mut config = match (&args.tcp, &args.serial) {
        (Some(tcp), _) => {
            let (host, port) = split_host_port("--tcp", tcp)?;
            let port = parse_port("--tcp", &port, false)?;
            let mut config = TerminalConfig::tcp(host, port);
            if let Some(p) = &args.protocol {
                let protocol = parse_protocol(p)?;
                if protocol.is_v2() {
                    return Err(CliError::flag(
                        "--protocol",
                        "V2 runs over a serial line only: use --serial, or v3 with --tcp",
                    ));
                }
                config.protocol = protocol;
            }
            config
        }
        (None, Some(path)) => TerminalConfig::serial(
            serial_line(args, path)?,
            match &args.protocol {
                Some(p) => parse_protocol(p)?,
                None => Protocol::V2EPlus,
            },
        ),
        (None, None) => {
            return Err(CliError::flag(
                "--tcp",
                "give --tcp HOST:PORT or --serial PATH",
            ));
        }
    };
    config.pos_number = parse_number("--pos", &args.pos, "POS number", (1u8, 99u8))?;
    if let Some(id) = &args.cash_register_id {
        if id.len() != 12 || !id.bytes().all(|b| (0x20..=0x7e).contains(&b)) {
            return Err(CliError::flag(
                "--cash-register-id",
                format!("{id:?} must be 12 printable ASCII characters"),
            ));
        }
        config.cash_register_id = id.clone();
    }
    if let Some(t) = &args.timeout {
        let answer = parse_seconds("--timeout", t)?;
        if answer < Duration::from_secs(60) {
            return Err(CliError::flag(
                "--timeout",
                format!("{t} s is below the 60 s minimum: a payment takes minutes"),
            ));
        }
        config.timeouts.answer = answer;
    }
    if let Some(t) = &args.connect_timeout {
        let connect = parse_seconds("--connect-timeout", t)?;
        if connect.is_zero() {
            return Err(CliError::flag(
                "--connect-timeout",
                "must be greater than zero",
            ));
        }
        config.timeouts.connect = connect;
    }
    // Anything left is a rule the flags above cannot break one by one.
    config.validate().map_err(|e| {
        CliError::flag(
            if args.tcp.is_some() {
                "--tcp"
            } else {
                "--serial"
            },
            e,
        )
    })?;
    Ok(config)
}

fn serial_line(args: &TargetArgs, path: &str) -> Result<SerialLine, CliError> {
    check_serial_path(path)?;
    let parity = match &args.parity {
        Some(p) => p
            .parse::<Parity>()
            .map_err(|e| CliError::flag("--parity", e))?,
        None => Parity::None,
    };
    let data_bits = match &args.data_bits {
        Some(d) => match d.as_str() {
            "7" => 7,
            "8" => 8,
            _ => return Err(CliError::flag("--data-bits", format!("{d:?}: use 7 or 8"))),
        },
        None => 8,
    };
    let stop_bits = match args.stop_bits.as_str() {
        "1" => 1,
        "2" => 2,
        s => return Err(CliError::flag("--stop-bits", format!("{s:?}: use 1 or 2"))),
    };
    Ok(SerialLine {
        path: path.to_owned(),
        baud: parse_number("--baud", &args.baud, "baud rate", (1200u32, 115_200u32))?,
        data_bits,
        parity,
        stop_bits,
    })
}

/// Refuses a path that cannot be a serial device before anything is sent,
/// so a typo is a usage error rather than a retryable connection error.
fn check_serial_path(path: &str) -> Result<(), CliError> {
    if path.is_empty() {
        return Err(CliError::flag("--serial", "the path is empty"));
    }
    // Windows COM names are not files.
    if cfg!(windows) {
        return Ok(());
    }
    match std::fs::metadata(path) {
        Ok(m) if m.is_dir() => Err(CliError::flag(
            "--serial",
            format!("{path} is a directory, not a serial device"),
        )),
        Ok(_) => Ok(()),
        Err(e) => Err(CliError::flag(
            "--serial",
            format!("cannot open {path}: {e}"),
        )),
    }
}

/// A short description of where the terminal is, for progress lines.
pub fn describe(config: &TerminalConfig) -> String {
    match &config.connection {
        Connection::Tcp { host, port } => format!("{host}:{port}"),
        Connection::Serial(line) => line.path.clone(),
    }
}
