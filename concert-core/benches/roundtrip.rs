//! Item 2: a whole V3 payment over loopback TCP against a zero-delay
//! terminal, p50/p99 over many runs, divided by a raw TCP round trip
//! (connect, send the same request, read the answer to the close) to the
//! same terminal in the same run. Runs alternate, so noise hits both.
//! Two terminals: concert's simulator, and a scripted fake terminal that
//! answers as soon as the request's records are whole.

mod support;

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

use concert_core::currency::EUR;
use concert_core::sim::{Simulator, SimulatorConfig};
use concert_core::terminal::{Request, Status, Terminal, TerminalConfig, encode_request};
use serde_json::json;
use support::{Answering, FakeTerminal, Stats, approved_answer, figure};

const AMOUNT: u64 = 1250;

fn raw_round_trip(addr: SocketAddr, request: &[u8]) -> (Duration, usize) {
    let start = Instant::now();
    let mut stream = TcpStream::connect(addr).expect("connect");
    let _ = stream.set_nodelay(true);
    stream.write_all(request).expect("send");
    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
    let mut answer = Vec::with_capacity(512);
    let _ = stream.read_to_end(&mut answer);
    (start.elapsed(), answer.len())
}

/// Alternates raw and concert runs against `addr`.
fn compare(addr: SocketAddr, runs: usize, drain: &dyn Fn()) -> (Stats, Stats, usize) {
    let config = TerminalConfig::tcp("127.0.0.1", addr.port());
    let request = encode_request(&config, &Request::pay(AMOUNT, EUR)).expect("valid request");
    let terminal = Terminal::new(config).expect("valid configuration");
    let mut raw = Vec::with_capacity(runs);
    let mut ours = Vec::with_capacity(runs);
    let mut approved = 0;
    for _ in 0..runs {
        let (took, len) = raw_round_trip(addr, &request);
        assert!(len > 0, "the terminal answered the raw client");
        raw.push(took);
        drain();
        let start = Instant::now();
        let outcome = terminal.pay(AMOUNT, EUR).expect("payment delivered");
        ours.push(start.elapsed());
        approved += usize::from(outcome.status == Status::Approved);
        drain();
    }
    (Stats::of(&mut raw), Stats::of(&mut ours), approved)
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let runs = support::env_count("CONCERT_BENCH_ROUNDTRIP_RUNS", 1000);
    let mut figures = Vec::new();
    let mut rows = Vec::new();

    let fake = FakeTerminal::start(
        approved_answer(AMOUNT, false),
        Answering {
            segments: 1,
            gap: Duration::ZERO,
            close: true,
        },
    );
    let drain = || {
        let _ = fake.last_byte.recv_timeout(Duration::from_secs(5));
    };
    let (raw, ours, approved) = compare(fake.addr, runs, &drain);
    report(
        "fake terminal",
        raw,
        ours,
        approved,
        runs,
        &mut figures,
        &mut rows,
        true,
    );

    let sim = Simulator::start(SimulatorConfig::default()).expect("simulator");
    let addr = sim.tcp_addr().expect("TCP simulator");
    let sim_runs = support::env_count("CONCERT_BENCH_ROUNDTRIP_SIM_RUNS", runs);
    let (raw, ours, approved) = compare(addr, sim_runs, &|| {});
    report(
        "simulator",
        raw,
        ours,
        approved,
        sim_runs,
        &mut figures,
        &mut rows,
        false,
    );
    sim.stop();

    support::write_results(
        "roundtrip",
        &json!({
            "item": 2,
            "title": "V3 full transaction over loopback vs a raw TCP connect+send+recv",
            "notes": format!("{runs} alternating runs per client; raw = connect, write the same request, read the answer until the terminal closes; concert = Terminal::pay returning an approved Outcome"),
            "figures": figures,
            "rows": rows,
        }),
    );
}

#[allow(clippy::too_many_arguments)]
fn report(
    terminal: &str,
    raw: Stats,
    ours: Stats,
    approved: usize,
    runs: usize,
    figures: &mut Vec<serde_json::Value>,
    rows: &mut Vec<serde_json::Value>,
    headline: bool,
) {
    let r50 = ours.p50 / raw.p50;
    let r99 = ours.p99 / raw.p99;
    println!(
        "{terminal}: raw p50 {:.0} us p99 {:.0} us; concert p50 {:.0} us p99 {:.0} us; ratio p50 {r50:.2}x p99 {r99:.2}x; {approved}/{runs} approved",
        raw.p50, raw.p99, ours.p50, ours.p99
    );
    let target = if headline {
        "<= 2x"
    } else {
        "<= 2x (simulator)"
    };
    figures.push(figure(
        &format!(
            "{terminal}: concert p50 / raw p50 ({:.0} us / {:.0} us)",
            ours.p50, raw.p50
        ),
        r50,
        "x",
        target,
        Some(r50 <= 2.0),
    ));
    figures.push(figure(
        &format!(
            "{terminal}: concert p99 / raw p99 ({:.0} us / {:.0} us)",
            ours.p99, raw.p99
        ),
        r99,
        "x",
        target,
        Some(r99 <= 2.0),
    ));
    rows.push(json!({"terminal": terminal, "raw": raw.json(), "concert": ours.json(), "approved": approved, "runs": runs}));
}
