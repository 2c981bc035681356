//! Item 3: a V2 E+ payment over a pseudo-terminal pair, concert's client
//! against pyTeliumManager's, both against the same concert simulator (in
//! a second process, so each client's CPU time is its own), in one run.
//! The simulator and concert run with no link turnaround (pyTeliumManager
//! has none) and, for reference, concert with its default 10 ms.
//! Host-side overhead per exchange (the client's CPU time) is set beside
//! the time the same bytes take on a 9600-baud line.
//!
//! pyTeliumManager runs when `CONCERT_BENCH_PYTHON` names a Python that has
//! it (`make bench` makes one); otherwise only concert's figures are given.

mod support;

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use concert_core::currency::EUR;
use concert_core::link::LinkConfig;
use concert_core::sim::{SimProtocol, SimTransport, Simulator, SimulatorConfig};
use concert_core::terminal::{
    Direction, Protocol, Request, SerialLine, Status, Terminal, TerminalConfig,
};
use serde_json::{Value, json};
use support::{Stats, figure};

const AMOUNT: u64 = 1250;
/// Bits per character on the line: start, 8 data (or 7 + parity), stop.
const BITS_PER_BYTE: f64 = 10.0;
const BAUD: f64 = 9600.0;

fn no_turnaround() -> LinkConfig {
    {
        let mut v = LinkConfig::default();
        v.turnaround = Duration::ZERO;
        v
    }
}

/// The simulator's process: a V2 terminal on a pty, path printed, served
/// until standard input closes.
fn serve() {
    let sim = Simulator::start({
        let mut v = SimulatorConfig::default();
        v.transport = SimTransport::Pty;
        v.protocol = SimProtocol::V2;
        v.link = no_turnaround();
        v
    })
    .expect("simulator");
    println!("PTY {}", sim.pty_path().expect("pty").display());
    let _ = std::io::stdout().flush();
    let mut sink = Vec::new();
    let _ = std::io::stdin().read_to_end(&mut sink);
    drop(sim);
}

/// Concert's client: `runs` payments; per-exchange times, CPU per
/// exchange (µs) and bytes on the wire per exchange.
fn concert(path: &str, link: LinkConfig, runs: usize) -> (Stats, f64, usize) {
    let mut config = TerminalConfig::serial(SerialLine::usb(path), Protocol::V2EPlus);
    config.link = link;
    let terminal = Terminal::new(config).expect("configuration");
    // The first payment opens the port; not timed.
    let first = terminal.pay(AMOUNT, EUR).expect("payment");
    assert_eq!(first.status, Status::Approved, "{}", first.reason);
    // Every byte each way: ENQ, ACK, frames, EOT.
    let wire: usize = first.frames.iter().map(|f| f.bytes.len()).sum();
    let sent: usize = first
        .frames
        .iter()
        .filter(|f| f.direction == Direction::Sent)
        .map(|f| f.bytes.len())
        .sum();
    println!(
        "wire bytes per exchange: {sent} sent, {} received",
        wire - sent
    );
    let cpu_before = support::thread_cpu_secs();
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs {
        let start = Instant::now();
        let outcome = terminal.pay(AMOUNT, EUR).expect("payment");
        times.push(start.elapsed());
        assert_eq!(outcome.status, Status::Approved, "{}", outcome.reason);
    }
    let cpu_us = (support::thread_cpu_secs() - cpu_before) * 1e6 / runs as f64;
    terminal.close().expect("close the port");
    (Stats::of(&mut times), cpu_us, wire)
}

/// The floor: the same bytes moved by the plainest client (blocking reads
/// of exactly what is expected, no timers, no checks), `runs` times.
fn raw(path: &str, runs: usize) -> Stats {
    use concert_core::frame::encode_frame;
    const ENQ: u8 = 0x05;
    const ACK: u8 = 0x06;
    const EOT: u8 = 0x04;
    let config = TerminalConfig::serial(SerialLine::usb(path), Protocol::V2EPlus);
    let payload = concert_core::terminal::encode_request(&config, &Request::pay(AMOUNT, EUR))
        .expect("request");
    let frame = encode_frame(&payload);
    let mut port = serialport::new(path, 9600)
        .timeout(Duration::from_secs(5))
        .open()
        .expect("open the pty");
    let mut byte = [0u8; 1];
    let mut answer = [0u8; 83];
    let mut once = |port: &mut Box<dyn serialport::SerialPort>| {
        port.write_all(&[ENQ]).expect("write");
        port.read_exact(&mut byte).expect("ACK");
        port.write_all(&frame).expect("write");
        port.read_exact(&mut byte).expect("ACK");
        port.write_all(&[EOT]).expect("write");
        port.read_exact(&mut byte).expect("ENQ");
        port.write_all(&[ACK]).expect("write");
        port.read_exact(&mut answer).expect("answer frame");
        port.write_all(&[ACK]).expect("write");
        port.read_exact(&mut byte).expect("EOT");
    };
    once(&mut port);
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs {
        let start = Instant::now();
        once(&mut port);
        times.push(start.elapsed());
    }
    Stats::of(&mut times)
}

/// pyTeliumManager's client, in its own process, against `path`.
fn telium(python: &str, path: &str, runs: usize) -> Option<Value> {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../bench/telium_client.py");
    let out = Command::new(python)
        .args([script, path, &runs.to_string()])
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| eprintln!("cannot run {python}: {e}"))
        .ok()?;
    if !out.status.success() {
        eprintln!("pyTeliumManager run failed ({})", out.status);
        return None;
    }
    serde_json::from_slice(&out.stdout)
        .map_err(|e| eprintln!("pyTeliumManager run printed no JSON: {e}"))
        .ok()
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.iter().any(|a| a == "--serve-pty-sim") {
        serve();
        return;
    }
    if args.iter().any(|a| a == "--list") {
        return;
    }
    let runs = support::env_count("CONCERT_BENCH_SERIAL_RUNS", 300);
    let mut child = Command::new(std::env::current_exe().expect("own path"))
        .arg("--serve-pty-sim")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("simulator process");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("piped"))
        .read_line(&mut line)
        .expect("pty path");
    let path = line
        .trim()
        .strip_prefix("PTY ")
        .expect("PTY line")
        .to_owned();

    let (fast, fast_cpu, wire) = concert(&path, no_turnaround(), runs);
    let (default, default_cpu, _) = concert(&path, LinkConfig::default(), runs.min(100));
    let floor = raw(&path, runs);
    println!(
        "plainest possible client (the floor): p50 {:.0} us p99 {:.0} us per exchange",
        floor.p50, floor.p99
    );
    let wire_bytes = wire;
    let wire_us = wire_bytes as f64 * BITS_PER_BYTE / BAUD * 1e6;
    println!(
        "concert, no turnaround: p50 {:.0} us p99 {:.0} us per exchange, {fast_cpu:.0} us CPU",
        fast.p50, fast.p99
    );
    println!(
        "concert, default 10 ms turnaround: p50 {:.0} us p99 {:.0} us, {default_cpu:.0} us CPU",
        default.p50, default.p99
    );
    println!(
        "wire: {wire_bytes} bytes per exchange = {:.1} ms at 9600 baud; concert host CPU {:.3}% of it",
        wire_us / 1e3,
        fast_cpu / wire_us * 100.0
    );
    let mut figures = vec![
        figure(
            "concert, no turnaround: p50 per exchange",
            fast.p50 / 1e3,
            "ms",
            "",
            None,
        ),
        figure(
            "plainest blocking client, same bytes (the pty + simulator floor): p50 per exchange",
            floor.p50 / 1e3,
            "ms",
            "",
            None,
        ),
        figure(
            "concert, default 10 ms turnaround: p50 per exchange",
            default.p50 / 1e3,
            "ms",
            "",
            None,
        ),
        figure(
            &format!(
                "concert host CPU per exchange ({fast_cpu:.0} us) / 9600-baud wire time of its {wire_bytes} bytes ({:.0} ms)",
                wire_us / 1e3
            ),
            fast_cpu / wire_us * 100.0,
            "%",
            "<= 1 %",
            Some(fast_cpu / wire_us <= 0.01),
        ),
    ];
    let mut rows = vec![
        json!({"client": "concert, no turnaround", "stats": fast.json(), "cpu_us": fast_cpu}),
        json!({"client": "concert, default turnaround", "stats": default.json(), "cpu_us": default_cpu}),
        json!({"client": "plainest blocking client (floor)", "stats": floor.json()}),
    ];
    match std::env::var("CONCERT_BENCH_PYTHON") {
        Ok(python) => match telium(&python, &path, runs) {
            Some(theirs) => {
                let p50 = theirs["p50_us"].as_f64().unwrap_or(f64::NAN);
                let cpu = theirs["cpu_us"].as_f64().unwrap_or(f64::NAN);
                println!(
                    "pyTeliumManager: p50 {p50:.0} us per exchange, {cpu:.0} us CPU -> concert {:.1}x faster (elapsed), {:.1}x less CPU",
                    p50 / fast.p50,
                    cpu / fast_cpu
                );
                figures.push(figure(
                    &format!(
                        "pyTeliumManager p50 ({:.2} ms) / concert p50 ({:.2} ms), same simulator",
                        p50 / 1e3,
                        fast.p50 / 1e3
                    ),
                    p50 / fast.p50,
                    "x",
                    ">= 2x",
                    Some(p50 / fast.p50 >= 2.0),
                ));
                figures.push(figure(
                    &format!(
                        "pyTeliumManager CPU ({cpu:.0} us) / concert CPU ({fast_cpu:.0} us) per exchange"
                    ),
                    cpu / fast_cpu,
                    "x",
                    ">= 2x",
                    Some(cpu / fast_cpu >= 2.0),
                ));
                figures.push(figure(
                    "pyTeliumManager p50 / the floor's p50: the best ratio any client could show here",
                    p50 / floor.p50,
                    "x",
                    "",
                    None,
                ));
                rows.push(json!({"client": "pyTeliumManager", "result": theirs}));
            }
            None => figures.push(figure(
                "pyTeliumManager run",
                f64::NAN,
                "",
                "ran",
                Some(false),
            )),
        },
        Err(_) => println!("CONCERT_BENCH_PYTHON not set: pyTeliumManager not run"),
    }
    drop(child.stdin.take());
    let _ = child.wait();
    support::write_results(
        "serial",
        &json!({
            "item": 3,
            "title": "V2 E+ payment over a pty pair, concert vs pyTeliumManager, same simulator",
            "notes": format!("{runs} payments per client (80-character answers) against one concert simulator process with no link turnaround; host CPU = the client process's user+system time per exchange; wire time = {wire_bytes} bytes x 10 bits / 9600 baud"),
            "figures": figures,
            "rows": rows,
        }),
    );
}
