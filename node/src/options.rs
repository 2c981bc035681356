//! Terminal options from JavaScript → the core's `TerminalConfig`.

use std::time::Duration;

use concert_core::terminal::{Parity, Protocol, SerialLine, TerminalConfig};
use napi_derive::napi;

use crate::error::{Result, config};

/// How to speak to the terminal; every field is optional.
#[napi(object)]
#[derive(Debug, Clone, Default)]
pub struct TerminalOptions {
    /// `v2` (E+), `v2e+`, `v2e`, `v3` (version 0300) or `v3:VERSION`.
    /// Default: `v3` over TCP, `v2e+` over a serial line.
    pub protocol: Option<String>,
    /// This cash register's POS number, 1–99 (default 1).
    pub pos_number: Option<u32>,
    /// V3 `CJ`, 12 characters (default `000000000001`).
    pub cash_register_id: Option<String>,
    /// TCP connect time-out in milliseconds (default 10 000).
    pub connect_timeout_ms: Option<u32>,
    /// Wait for the answer in milliseconds (default 180 000, at least 60 000).
    pub answer_timeout_ms: Option<u32>,
    /// Answer wait for identify and status in milliseconds (default 15 000).
    pub query_timeout_ms: Option<u32>,
    /// Serial: `usb` (9600 8N1, the default) or `rs232` (9600 7E1).
    pub line: Option<String>,
    /// Serial baud rate, 1200–115200.
    pub baud: Option<u32>,
    /// Serial data bits, 7 or 8.
    pub data_bits: Option<u32>,
    /// Serial parity: `N`/`none`, `E`/`even`, `O`/`odd`.
    pub parity: Option<String>,
    /// Serial stop bits, 1 or 2.
    pub stop_bits: Option<u32>,
    /// Keep the V2 card data (REP) unmasked in outcomes (default false).
    pub keep_raw_card_data: Option<bool>,
}

fn millis(ms: u32) -> Duration {
    Duration::from_millis(u64::from(ms))
}

fn small(value: u32, what: &str) -> Result<u8> {
    u8::try_from(value).map_err(|_| config(format!("{what} {value} is out of range")))
}

/// A TCP terminal's configuration.
pub fn tcp_config(host: String, port: u32, options: &TerminalOptions) -> Result<TerminalConfig> {
    let port = u16::try_from(port)
        .map_err(|_| config(format!("TCP port {port} is out of range: 1 to 65535")))?;
    let mut cfg = TerminalConfig::tcp(host, port);
    apply(&mut cfg, options, Protocol::v3())?;
    if has_line_settings(options) {
        return Err(config(
            "line, baud, dataBits, parity and stopBits apply to serial terminals only",
        ));
    }
    finish(cfg)
}

/// A serial terminal's configuration.
pub fn serial_config(path: String, options: &TerminalOptions) -> Result<TerminalConfig> {
    let mut line = match options.line.as_deref() {
        None | Some("usb") => SerialLine::usb(path),
        Some("rs232") => SerialLine::rs232(path),
        Some(other) => {
            return Err(config(format!(
                "unknown line {other:?}: expected one of usb, rs232"
            )));
        }
    };
    if let Some(baud) = options.baud {
        line.baud = baud;
    }
    if let Some(bits) = options.data_bits {
        line.data_bits = small(bits, "data bits")?;
    }
    if let Some(parity) = &options.parity {
        line.parity = parity.parse::<Parity>().map_err(config)?;
    }
    if let Some(bits) = options.stop_bits {
        line.stop_bits = small(bits, "stop bits")?;
    }
    let mut cfg = TerminalConfig::serial(line, Protocol::V2EPlus);
    apply(&mut cfg, options, Protocol::V2EPlus)?;
    finish(cfg)
}

fn has_line_settings(o: &TerminalOptions) -> bool {
    o.line.is_some()
        || o.baud.is_some()
        || o.data_bits.is_some()
        || o.parity.is_some()
        || o.stop_bits.is_some()
}

fn apply(cfg: &mut TerminalConfig, o: &TerminalOptions, default: Protocol) -> Result<()> {
    cfg.protocol = match &o.protocol {
        Some(p) => p.parse().map_err(config)?,
        None => default,
    };
    if let Some(pos) = o.pos_number {
        cfg.pos_number = small(pos, "POS number")?;
    }
    if let Some(id) = &o.cash_register_id {
        cfg.cash_register_id = id.clone();
    }
    if let Some(ms) = o.connect_timeout_ms {
        cfg.timeouts.connect = millis(ms);
    }
    if let Some(ms) = o.answer_timeout_ms {
        cfg.timeouts.answer = millis(ms);
    }
    if let Some(ms) = o.query_timeout_ms {
        cfg.timeouts.query = millis(ms);
    }
    if let Some(keep) = o.keep_raw_card_data {
        cfg.keep_raw_card_data = keep;
    }
    Ok(())
}

fn finish(cfg: TerminalConfig) -> Result<TerminalConfig> {
    cfg.validate().map_err(config)?;
    Ok(cfg)
}
