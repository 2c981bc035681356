//! The simulator's threads stay bounded however many connections are held
//! open (its own test binary: the thread count is the process's).

#![cfg(target_os = "linux")]

use std::net::TcpStream;
use std::time::Duration;

use concert_core::sim::{SimLimits, Simulator, SimulatorConfig};

fn threads() -> usize {
    std::fs::read_to_string("/proc/self/status")
        .unwrap()
        .lines()
        .find_map(|l| l.strip_prefix("Threads:"))
        .and_then(|n| n.trim().parse().ok())
        .unwrap()
}

#[test]
fn two_thousand_held_connections_hold_a_bounded_number_of_threads() {
    let sim = Simulator::start(SimulatorConfig::default()).unwrap();
    let addr = sim.tcp_addr().unwrap();
    let before = threads();
    let held: Vec<TcpStream> = (0..2000)
        .map(|_| TcpStream::connect_timeout(&addr, Duration::from_secs(5)).unwrap())
        .collect();
    // Every connection has been accepted (served or refused) once the
    // journal holds a refusal for each one beyond the limit.
    let refused = 2000 - SimLimits::default().connections;
    assert!(sim.wait_for_requests(refused, Duration::from_secs(20)));
    let during = threads();
    println!("threads: {before} before, {during} with 2000 connections held");
    assert!(
        during <= before + SimLimits::default().connections,
        "{before} -> {during}"
    );
    assert!(
        sim.journal()
            .iter()
            .all(|e| e.note == "refused: too many connections")
    );
    drop(held);
}
