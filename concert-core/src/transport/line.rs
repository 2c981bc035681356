//! How a serial line is set: what the serial transport opens, and what a
//! terminal's configuration names (re-exported there).

/// Serial parity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Parity {
    /// No parity bit.
    None,
    /// Even parity (native RS232 terminals: 7E1).
    Even,
    /// Odd parity.
    Odd,
}

/// A serial line: RS232, USB CDC-ACM or Bluetooth SPP.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SerialLine {
    /// Device path (`/dev/ttyACM0`; on Windows `COM3`, `COM10` or
    /// `\\.\COM10`, opened as given).
    pub path: String,
    /// Baud rate, 1200–115200 (9600 usual).
    pub baud: u32,
    /// Data bits, 7 or 8.
    pub data_bits: u8,
    /// Parity.
    pub parity: Parity,
    /// Stop bits, 1 or 2.
    pub stop_bits: u8,
}

impl SerialLine {
    /// USB CDC-ACM: 9600 8N1 (the device ignores it anyway).
    pub fn usb(path: impl Into<String>) -> SerialLine {
        SerialLine {
            path: path.into(),
            baud: 9600,
            data_bits: 8,
            parity: Parity::None,
            stop_bits: 1,
        }
    }

    /// Native RS232: 9600 7E1.
    pub fn rs232(path: impl Into<String>) -> SerialLine {
        SerialLine {
            data_bits: 7,
            parity: Parity::Even,
            ..SerialLine::usb(path)
        }
    }
}
