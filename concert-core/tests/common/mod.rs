//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::time::Duration;

use concert_core::sim::{SimProtocol, SimTransport, Simulator, SimulatorConfig};
use concert_core::terminal::{Protocol, SerialLine, Terminal, TerminalConfig};

/// A V3 simulator on loopback with `adjust` applied to its config.
pub fn tcp_sim(adjust: impl FnOnce(&mut SimulatorConfig)) -> Simulator {
    let mut config = SimulatorConfig::default();
    adjust(&mut config);
    Simulator::start(config).expect("simulator starts")
}

/// A terminal client for a TCP simulator.
pub fn tcp_terminal(sim: &Simulator) -> Terminal {
    let addr = sim.tcp_addr().expect("TCP simulator");
    let mut config = TerminalConfig::tcp(addr.ip().to_string(), addr.port());
    config.timeouts.connect = Duration::from_secs(2);
    Terminal::new(config).expect("valid config")
}

/// A simulator on a pseudo-terminal pair.
pub fn pty_sim(protocol: SimProtocol, adjust: impl FnOnce(&mut SimulatorConfig)) -> Simulator {
    let mut config = {
        let mut v = SimulatorConfig::default();
        v.transport = SimTransport::Pty;
        v.protocol = protocol;
        v
    };
    // Fast link timings keep fault tests short; the client uses the same.
    config.link.ack_timeout = Duration::from_millis(400);
    config.link.enq_retry_pause = Duration::from_millis(50);
    config.link.turnaround = Duration::from_millis(1);
    adjust(&mut config);
    Simulator::start(config).expect("simulator starts")
}

/// A terminal client on a pty simulator's line.
pub fn pty_terminal(sim: &Simulator, protocol: Protocol) -> Terminal {
    let path = sim.pty_path().expect("pty simulator");
    let mut config = TerminalConfig::serial(
        SerialLine::rs232(path.to_string_lossy().into_owned()),
        protocol,
    );
    config.link.ack_timeout = Duration::from_millis(400);
    config.link.enq_retry_pause = Duration::from_millis(50);
    config.link.turnaround = Duration::from_millis(1);
    Terminal::new(config).expect("valid config")
}
