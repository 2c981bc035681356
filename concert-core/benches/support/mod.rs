//! What the side-by-side benches share: percentiles, process figures read
//! from /proc, a scripted fake V3 terminal, and the JSON each bench writes
//! for `bench/report.py` (which renders bench/REPORT.md).

#![allow(dead_code)] // each bench uses a different part

use std::io::{Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use concert_core::v3::tags::*;
use concert_core::v3::tlv::{DecodeOptions, MessageBuilder, StreamState, stream_records};
use serde_json::{Value, json};

/// Percentiles of a set of durations, in microseconds.
#[derive(Debug, Clone, Copy)]
pub struct Stats {
    /// How many samples.
    pub n: usize,
    /// Median.
    pub p50: f64,
    /// 99th percentile.
    pub p99: f64,
    /// Largest.
    pub max: f64,
}

impl Stats {
    /// Percentiles of `samples` (sorted here).
    pub fn of(samples: &mut [Duration]) -> Stats {
        samples.sort();
        let us = |d: Duration| d.as_secs_f64() * 1e6;
        let at = |q: f64| {
            if samples.is_empty() {
                return f64::NAN;
            }
            let i = ((samples.len() as f64 * q).ceil() as usize).clamp(1, samples.len()) - 1;
            us(samples[i])
        };
        Stats {
            n: samples.len(),
            p50: at(0.50),
            p99: at(0.99),
            max: samples.last().map_or(f64::NAN, |d| us(*d)),
        }
    }

    /// As JSON.
    pub fn json(&self) -> Value {
        json!({"n": self.n, "p50_us": self.p50, "p99_us": self.p99, "max_us": self.max})
    }
}

/// One measured figure for the report: what, how much, the target, and
/// whether it is met (`None` for figures without a target).
pub fn figure(name: &str, value: f64, unit: &str, target: &str, pass: Option<bool>) -> Value {
    json!({"name": name, "value": value, "unit": unit, "target": target, "pass": pass})
}

/// Where results go: `$CONCERT_BENCH_OUT`, else `target/bench-results`.
pub fn results_dir() -> PathBuf {
    std::env::var_os("CONCERT_BENCH_OUT")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/bench-results")
        })
}

/// Writes `bench`'s result file (read by bench/report.py).
pub fn write_results(bench: &str, value: &Value) {
    let dir = results_dir();
    if let Err(e) = std::fs::create_dir_all(&dir) {
        eprintln!("cannot create {}: {e}", dir.display());
        return;
    }
    let path = dir.join(format!("{bench}.json"));
    match std::fs::write(
        &path,
        serde_json::to_string_pretty(value).unwrap_or_default(),
    ) {
        Ok(()) => println!("results written to {}", path.display()),
        Err(e) => eprintln!("cannot write {}: {e}", path.display()),
    }
}

/// A field of /proc/self/status as a number (kB for sizes).
pub fn proc_status(field: &str) -> Option<u64> {
    let text = std::fs::read_to_string("/proc/self/status").ok()?;
    text.lines()
        .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
}

/// Resident memory now, in kB.
pub fn rss_kb() -> u64 {
    proc_status("VmRSS").unwrap_or(0)
}

/// Threads of this process now.
pub fn threads() -> u64 {
    proc_status("Threads").unwrap_or(0)
}

/// CPU time this process used so far (user + system), in seconds.
pub fn cpu_secs() -> f64 {
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else {
        return f64::NAN;
    };
    // Fields after the command name (which may hold spaces): utime and
    // stime are the 12th and 13th, in clock ticks (100 per second on Linux).
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| fields.get(i).and_then(|f| f.parse::<f64>().ok());
    match (ticks(11), ticks(12)) {
        (Some(u), Some(s)) => (u + s) / 100.0,
        _ => f64::NAN,
    }
}

/// CPU time the live threads of this process used so far, in seconds, to
/// the nanosecond (the scheduler's own count in /proc/self/task/*/schedstat;
/// /proc/self/stat counts 10 ms ticks, too coarse for short phases).
/// Threads that ended are not counted: use it where none end.
pub fn thread_cpu_secs() -> f64 {
    let Ok(tasks) = std::fs::read_dir("/proc/self/task") else {
        return cpu_secs();
    };
    tasks
        .filter_map(|t| std::fs::read_to_string(t.ok()?.path().join("schedstat")).ok())
        .filter_map(|s| s.split_whitespace().next()?.parse::<f64>().ok())
        .sum::<f64>()
        / 1e9
}

/// How long a benchmark phase lasts: `$var` seconds, else `default`.
pub fn env_secs(var: &str, default: f64) -> Duration {
    let secs = std::env::var(var)
        .ok()
        .and_then(|v| v.parse::<f64>().ok())
        .filter(|s| *s > 0.0)
        .unwrap_or(default);
    Duration::from_secs_f64(secs)
}

/// A count from `$var`, else `default`.
pub fn env_count(var: &str, default: usize) -> usize {
    std::env::var(var)
        .ok()
        .and_then(|v| v.parse().ok())
        .filter(|n| *n > 0)
        .unwrap_or(default)
}

/// The V3 answer a terminal sends to the client's default payment of
/// `amount` (POS 1, EUR, CJ 000000000001): approved, every usual record,
/// optionally with a ticket (`ZT`).
pub fn approved_answer(amount: u64, receipt: bool) -> Vec<u8> {
    let mut m = MessageBuilder::new();
    let push = |m: &mut MessageBuilder, tag, value: &str| {
        m.push(tag, value).expect("valid record");
    };
    push(&mut m, CZ, "0300");
    push(&mut m, CJ, "000000000001");
    push(&mut m, CA, "01");
    push(&mut m, CE, "978");
    push(&mut m, CD, "0");
    push(&mut m, CB, &format!("{amount:02}"));
    push(&mut m, AE, "10");
    push(&mut m, CC, "001");
    push(&mut m, CI, "1");
    push(&mut m, AC, "276816");
    push(&mut m, AA, "455972######4486");
    push(&mut m, AB, "2705");
    push(&mut m, AI, "A0000000042203");
    push(&mut m, CG, "4242424");
    if receipt {
        let mut zt = MessageBuilder::nested();
        zt.push(CK, "100").expect("valid record");
        // 270 bytes of ticket, base64 of Latin-1 text, as terminals send.
        zt.push(
            AK,
            "ICAgICAgQ0FSVEUgQkFOQ0FJUkUgICAgICAgIApTVVBFUk1BUkNIRSBERVMgQUxQRVMgICAgICAgCjc1MDAxIFBBUklTICAgICAgICAgICAgICAgICAKTGUgMjQvMTEvMjYgYSAxMjozNDo1NiAgICAgCkEwMDAwMDAwMDQyMjAzICAgICAgICAgICAgIAo0NTU5NzIjIyMjIyM0NDg2ICAgICAgICAgICAKTU9OVEFOVCA9IDEyLDUwIEVVUiAgICAgICAgCg==",
        )
        .expect("valid record");
        m.push(ZT, zt.finish()).expect("valid record");
    }
    m.finish()
}

/// How the fake terminal answers one connection.
#[derive(Debug, Clone, Copy)]
pub struct Answering {
    /// Segments the answer is cut into (1 or more), each written alone.
    pub segments: usize,
    /// Pause between segments.
    pub gap: Duration,
    /// Close right after the last byte (else keep the socket open until
    /// the client closes it).
    pub close: bool,
}

/// A scripted V3 terminal on 127.0.0.1 that answers every connection with
/// `answer` as `how` says, and reports the instant its last byte left.
pub struct FakeTerminal {
    /// Where it listens.
    pub addr: SocketAddr,
    /// The instant each answer's last byte was written, in order.
    pub last_byte: mpsc::Receiver<Instant>,
}

impl FakeTerminal {
    /// Starts serving (one connection at a time, on one thread, until the
    /// process ends).
    pub fn start(answer: Vec<u8>, how: Answering) -> FakeTerminal {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
        let addr = listener.local_addr().expect("bound address");
        let (tx, rx) = mpsc::channel();
        thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                let _ = stream.set_nodelay(true);
                if !read_request(&mut stream) {
                    continue;
                }
                let size = answer.len().div_ceil(how.segments.max(1)).max(1);
                for (i, segment) in answer.chunks(size).enumerate() {
                    if i > 0 {
                        thread::sleep(how.gap);
                    }
                    // A client that stopped reading (single recv) resets
                    // the connection: the rest is lost, as with a terminal.
                    let _ = stream.write_all(segment);
                }
                if tx.send(Instant::now()).is_err() {
                    return;
                }
                if how.close {
                    let _ = stream.shutdown(Shutdown::Write);
                } else {
                    // Held open until the client closes (bounded).
                    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
                    let mut sink = [0u8; 256];
                    while matches!(stream.read(&mut sink), Ok(n) if n > 0) {}
                }
            }
        });
        FakeTerminal {
            addr,
            last_byte: rx,
        }
    }
}

/// Reads a V3 request until its records are whole (a client writes it at
/// once on loopback); false if the peer left first.
pub fn read_request(stream: &mut TcpStream) -> bool {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
    let mut request = Vec::new();
    let mut buf = [0u8; 2048];
    loop {
        match stream.read(&mut buf) {
            Ok(0) | Err(_) => return false,
            Ok(n) => request.extend_from_slice(&buf[..n]),
        }
        if matches!(
            stream_records(&request, DecodeOptions::STRUCTURE_ONLY),
            StreamState::Complete(_)
        ) {
            return true;
        }
    }
}
