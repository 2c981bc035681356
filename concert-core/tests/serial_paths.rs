//! Serial line names of every platform: Windows `COMn` and `\\.\COMn`
//! names are plain strings to the configuration (no Unix path rule), and
//! a port that is not there is a typed, retryable error, never in doubt.
//! On Windows (and under wine) the port is opened through the COM name.

use std::time::Duration;

use concert_core::currency::EUR;
use concert_core::terminal::{Error, Protocol, SerialLine, Terminal, TerminalConfig};
use concert_core::transport::list_ports;

fn serial(path: &str) -> TerminalConfig {
    TerminalConfig::serial(SerialLine::usb(path), Protocol::V2EPlus)
}

#[test]
fn windows_and_unix_port_names_are_accepted() {
    for path in ["COM3", r"\\.\COM10", "com1", "/dev/ttyACM0", "/dev/ttyUSB1"] {
        let config = serial(path);
        assert_eq!(config.validate(), Ok(()), "{path}");
        let terminal = Terminal::new(config).expect(path);
        match &terminal.config().connection {
            concert_core::terminal::Connection::Serial(line) => assert_eq!(line.path, path),
            other => panic!("{path}: {other:?}"),
        }
    }
    assert!(serial("").validate().is_err(), "an empty name is refused");
}

/// A port that does not exist: the open fails before anything is sent.
#[test]
fn a_missing_port_is_a_retryable_open_error() {
    let path = if cfg!(windows) {
        r"\\.\COM250"
    } else {
        "/dev/concert-no-such-port"
    };
    let mut config = serial(path);
    config.link.ack_timeout = Duration::from_millis(200);
    let terminal = Terminal::new(config).unwrap();
    match terminal.pay(100, EUR) {
        Err(e @ Error::PortOpen { .. }) => {
            assert!(e.safe_to_retry());
            assert!(e.to_string().contains(path), "{e}");
        }
        other => panic!("{path}: {other:?}"),
    }
}

/// Listing the ports works on every platform, pseudo-terminals aside; on
/// Windows the names are COM names the configuration takes as they are.
#[test]
fn ports_are_listed() {
    let ports = list_ports().expect("the ports are listed");
    for port in &ports {
        assert!(!port.path.is_empty());
        if cfg!(windows) {
            assert!(
                port.path.to_ascii_uppercase().starts_with("COM"),
                "{port:?}"
            );
            assert_eq!(serial(&port.path).validate(), Ok(()));
        }
    }
}
