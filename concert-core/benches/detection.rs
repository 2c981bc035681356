//! Item 1: how soon a V3 answer over loopback TCP is known to be whole,
//! from the terminal's last byte to the Outcome in the caller's hands.
//! The answer comes in 3 segments (the case that truncates naive clients),
//! from a terminal that closes after answering and from one that keeps the
//! socket open; beside concert, the two public-style clients: a fixed 1 s
//! quiet period (what the Odoo module does) and a single `recv()`.

mod support;

use std::io::Read;
use std::net::TcpStream;
use std::time::{Duration, Instant};

use concert_core::currency::EUR;
use concert_core::terminal::{Direction, Status, Terminal, TerminalConfig};
use concert_core::v3::Message;
use serde_json::json;
use support::{Answering, FakeTerminal, Stats, approved_answer, figure};

const AMOUNT: u64 = 1250;
const GAP: Duration = Duration::from_millis(3);

/// What one client run gave: when it was done and how many bytes it kept.
struct Run {
    done: Instant,
    kept: usize,
    whole: bool,
}

fn concert_client(terminal: &Terminal, answer_len: usize) -> Run {
    let outcome = terminal.pay(AMOUNT, EUR).expect("payment delivered");
    let done = Instant::now();
    let kept = outcome
        .frames
        .iter()
        .filter(|f| f.direction == Direction::Received)
        .map(|f| f.bytes.len())
        .sum();
    Run {
        done,
        kept,
        whole: outcome.status == Status::Approved && kept == answer_len,
    }
}

fn request() -> Vec<u8> {
    let config = TerminalConfig::tcp("127.0.0.1", 1);
    let request = concert_core::terminal::Request::pay(AMOUNT, EUR);
    concert_core::terminal::encode_request(&config, &request).expect("valid request")
}

/// The public-style client: read until the line has been quiet for 1 s
/// (or the peer closes), then parse.
fn fixed_quiet_client(addr: std::net::SocketAddr, answer_len: usize) -> Run {
    let mut stream = TcpStream::connect(addr).expect("connect");
    std::io::Write::write_all(&mut stream, &request()).expect("send");
    stream
        .set_read_timeout(Some(Duration::from_secs(1)))
        .expect("timeout");
    let mut got = Vec::new();
    let mut buf = [0u8; 1024];
    while let Ok(n) = stream.read(&mut buf) {
        if n == 0 {
            break;
        }
        got.extend_from_slice(&buf[..n]);
    }
    let whole = Message::decode(&got).is_ok() && got.len() == answer_len;
    Run {
        done: Instant::now(),
        kept: got.len(),
        whole,
    }
}

/// The naive client: one `recv()`, then parse.
fn single_recv_client(addr: std::net::SocketAddr, answer_len: usize) -> Run {
    let mut stream = TcpStream::connect(addr).expect("connect");
    std::io::Write::write_all(&mut stream, &request()).expect("send");
    let mut buf = [0u8; 4096];
    let n = stream.read(&mut buf).unwrap_or(0);
    let whole = Message::decode(&buf[..n]).is_ok() && n == answer_len;
    Run {
        done: Instant::now(),
        kept: n,
        whole,
    }
}

/// Runs `client` `runs` times against a fresh fake terminal answering as
/// `how`; latencies from the terminal's last byte.
fn measure(
    how: Answering,
    runs: usize,
    answer: &[u8],
    client: &dyn Fn(std::net::SocketAddr, usize) -> Run,
) -> (Stats, usize, usize) {
    let fake = FakeTerminal::start(answer.to_vec(), how);
    let mut latencies = Vec::with_capacity(runs);
    let mut whole = 0;
    let mut min_kept = usize::MAX;
    for _ in 0..runs {
        let run = client(fake.addr, answer.len());
        let last = fake
            .last_byte
            .recv_timeout(Duration::from_secs(5))
            .expect("the fake terminal answered");
        latencies.push(run.done.saturating_duration_since(last));
        whole += usize::from(run.whole);
        min_kept = min_kept.min(run.kept);
    }
    (Stats::of(&mut latencies), whole, min_kept)
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return; // `cargo bench -- --list` and friends: nothing to list
    }
    let answer = approved_answer(AMOUNT, true);
    // On a socket the terminal keeps open, a complete answer is taken once
    // the line was quiet for the quiet period and the terminal had its
    // close wait (late records are read meanwhile): the longer of the two.
    let defaults = concert_core::terminal::Timeouts::default();
    let quiet = defaults.quiet_period.max(defaults.close_wait);
    let runs = support::env_count("CONCERT_BENCH_DETECTION_RUNS", 100);
    let quiet_ms = quiet.as_secs_f64() * 1e3;
    println!(
        "answer: {} bytes in 3 segments {} ms apart; concert quiet period {quiet_ms} ms",
        answer.len(),
        GAP.as_millis()
    );
    let mut figures = Vec::new();
    let mut rows = Vec::new();
    for close in [true, false] {
        let how = Answering {
            segments: 3,
            gap: GAP,
            close,
        };
        let mode = if close { "closes" } else { "keeps open" };
        let concert = |addr: std::net::SocketAddr, len: usize| {
            let terminal = Terminal::new(TerminalConfig::tcp("127.0.0.1", addr.port()))
                .expect("valid configuration");
            concert_client(&terminal, len)
        };
        // 100 runs kept open take 5 s; fewer would make p99 the maximum.
        let n = if close { runs * 3 } else { runs };
        let (stats, whole, _) = measure(how, n, &answer, &concert);
        println!(
            "concert, terminal {mode}: p50 {:.0} us, p99 {:.0} us, max {:.0} us over {} runs; {whole}/{n} whole",
            stats.p50, stats.p99, stats.max, stats.n
        );
        let (target_us, target) = if close {
            (1000.0, "<= 1 ms".to_owned())
        } else {
            (quiet_ms * 1e3 + 1000.0, format!("<= {} ms", quiet_ms + 1.0))
        };
        figures.push(figure(
            &format!("concert, terminal {mode}: p99 last byte -> Outcome"),
            stats.p99 / 1e3,
            "ms",
            &target,
            Some(stats.p99 <= target_us),
        ));
        figures.push(figure(
            &format!("concert, terminal {mode}: 3-segment answers read whole"),
            whole as f64,
            &format!("of {n}"),
            &format!("{n} of {n}"),
            Some(whole == n),
        ));
        rows.push(json!({"client": "concert", "terminal": mode, "stats": stats.json(), "whole": whole, "runs": n}));

        let n = if close { runs.min(30) } else { 3 };
        let (stats, whole, _) = measure(how, n, &answer, &fixed_quiet_client);
        println!(
            "fixed 1 s quiet period, terminal {mode}: p50 {:.0} us, p99 {:.0} us over {} runs; {whole}/{n} whole",
            stats.p50, stats.p99, stats.n
        );
        figures.push(figure(
            &format!("public-style 1 s quiet client, terminal {mode}: p50 last byte -> parsed"),
            stats.p50 / 1e3,
            "ms",
            "comparison",
            None,
        ));
        rows.push(json!({"client": "fixed 1 s quiet", "terminal": mode, "stats": stats.json(), "whole": whole, "runs": n}));

        let n = runs.min(30);
        let (_, whole, min_kept) = measure(how, n, &answer, &single_recv_client);
        println!(
            "single recv, terminal {mode}: {whole}/{n} whole; as few as {min_kept} of {} bytes kept",
            answer.len()
        );
        figures.push(figure(
            &format!("single-recv client, terminal {mode}: answers truncated"),
            (n - whole) as f64,
            &format!("of {n} (min {min_kept}/{} bytes)", answer.len()),
            "comparison (truncation shown)",
            None,
        ));
        rows.push(json!({"client": "single recv", "terminal": mode, "whole": whole, "runs": n, "min_bytes_kept": min_kept, "answer_bytes": answer.len()}));
    }
    support::write_results(
        "detection",
        &json!({
            "item": 1,
            "title": "V3 answer detection over loopback TCP (3-segment answer)",
            "notes": format!("answer {} bytes in 3 segments {} ms apart; latency from the fake terminal's last write to the Outcome returned; concert quiet period {quiet_ms} ms (default)", answer.len(), GAP.as_millis()),
            "figures": figures,
            "rows": rows,
        }),
    );
}
