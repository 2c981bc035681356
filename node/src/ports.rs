//! `ports()`: the serial ports of this machine, known terminals flagged.

use concert_core::transport::list_ports;
use napi_derive::napi;

use concert_core::codes::ErrorCode;

use crate::error::{Result, error};

/// A serial port.
#[napi(object, object_from_js = false)]
pub struct PortInfo {
    /// Path to open (`/dev/ttyACM0`, `COM3`).
    pub path: String,
    /// `usb`, `pci`, `bluetooth` or `unknown`.
    pub kind: String,
    /// USB vendor id.
    pub vid: Option<u32>,
    /// USB product id.
    pub pid: Option<u32>,
    /// USB manufacturer.
    pub manufacturer: Option<String>,
    /// USB product.
    pub product: Option<String>,
    /// USB serial number.
    pub serial_number: Option<String>,
    /// The terminal model when the USB ids are known ones.
    pub known_terminal: Option<String>,
}

/// Lists the serial ports (pseudo-terminals are not listed).
#[napi]
pub fn ports() -> Result<Vec<PortInfo>> {
    let ports =
        list_ports().map_err(|e| error(ErrorCode::Ports, format!("cannot list ports: {e}")))?;
    Ok(ports
        .into_iter()
        .map(|p| PortInfo {
            path: p.path,
            kind: p.kind.to_owned(),
            vid: p.vid.map(u32::from),
            pid: p.pid.map(u32::from),
            manufacturer: p.manufacturer,
            product: p.product,
            serial_number: p.serial_number,
            known_terminal: p.known_terminal.map(str::to_owned),
        })
        .collect())
}
