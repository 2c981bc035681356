//! Serial port discovery, flagging the USB devices known to be terminals.

use serialport::SerialPortType;

/// USB vendor/product ids of payment terminals, with a name.
///
/// Both are documented in CONCERT-V2.md. Other devices of the same two
/// vendors are flagged by vendor id alone (see [`TERMINAL_VENDORS`]).
pub const KNOWN_TERMINALS: &[(u16, u16, &str)] = &[
    (0x079B, 0x0028, "Ingenico Move/5000"),
    (0x0B00, 0x0080, "Ingenico Desk/5000"),
];

/// USB vendor ids whose serial devices are payment terminals: Ingenico
/// (0x0B00) and Sagem (0x079B), whose Telium line Ingenico took over.
pub const TERMINAL_VENDORS: &[(u16, &str)] = &[
    (0x0B00, "Ingenico (by vendor id)"),
    (0x079B, "Sagem/Ingenico (by vendor id)"),
];

/// A serial port on this machine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PortInfo {
    /// Path or name to open (`/dev/ttyACM0`, `COM3`).
    pub path: String,
    /// USB vendor id, for USB ports.
    pub vid: Option<u16>,
    /// USB product id, for USB ports.
    pub pid: Option<u16>,
    /// USB manufacturer string.
    pub manufacturer: Option<String>,
    /// USB product string.
    pub product: Option<String>,
    /// USB serial number.
    pub serial_number: Option<String>,
    /// `usb`, `pci`, `bluetooth` or `unknown`.
    pub kind: &'static str,
    /// The terminal model when the USB ids are known ones.
    pub known_terminal: Option<&'static str>,
}

/// Lists the serial ports of this machine. Pseudo-terminals are not listed.
pub fn list_ports() -> Result<Vec<PortInfo>, serialport::Error> {
    let ports = serialport::available_ports()?;
    Ok(ports
        .into_iter()
        .map(|p| {
            let mut info = PortInfo {
                path: p.port_name,
                vid: None,
                pid: None,
                manufacturer: None,
                product: None,
                serial_number: None,
                kind: "unknown",
                known_terminal: None,
            };
            match p.port_type {
                SerialPortType::UsbPort(usb) => {
                    info.kind = "usb";
                    info.known_terminal =
                        known_terminal(usb.vid, usb.pid, usb.manufacturer.as_deref());
                    info.vid = Some(usb.vid);
                    info.pid = Some(usb.pid);
                    info.manufacturer = usb.manufacturer;
                    info.product = usb.product;
                    info.serial_number = usb.serial_number;
                }
                SerialPortType::PciPort => info.kind = "pci",
                SerialPortType::BluetoothPort => info.kind = "bluetooth",
                SerialPortType::Unknown => {}
            }
            info
        })
        .collect())
}

/// The terminal model for USB ids, or for a device whose manufacturer
/// string says Sagem/Ingenico (older devices).
pub fn known_terminal(vid: u16, pid: u16, manufacturer: Option<&str>) -> Option<&'static str> {
    KNOWN_TERMINALS
        .iter()
        .find(|(v, p, _)| *v == vid && *p == pid)
        .map(|(_, _, name)| *name)
        .or_else(|| {
            TERMINAL_VENDORS
                .iter()
                .find(|(v, _)| *v == vid)
                .map(|(_, name)| *name)
        })
        .or_else(|| {
            let m = manufacturer?.to_ascii_uppercase();
            (m.contains("SAGEM") || m.contains("INGENICO")).then_some("Ingenico/Sagem (by name)")
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_known_ids() {
        assert_eq!(
            known_terminal(0x079B, 0x0028, None),
            Some("Ingenico Move/5000")
        );
        assert_eq!(
            known_terminal(0x0B00, 0x0080, None),
            Some("Ingenico Desk/5000")
        );
        assert_eq!(
            known_terminal(0x1234, 0x0001, Some("SAGEM SA")),
            Some("Ingenico/Sagem (by name)")
        );
        assert_eq!(
            known_terminal(0x0B00, 0x0099, None),
            Some("Ingenico (by vendor id)")
        );
        assert_eq!(known_terminal(0x1234, 0x0001, Some("FTDI")), None);
        assert!(list_ports().is_ok());
    }
}
