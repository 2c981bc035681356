//! The bridge's cost, measured side by side in one run against the
//! simulator:
//!
//! 1. a payment through the bridge (HTTP start, outcome over the
//!    WebSocket) against the same payment through `Terminal` directly,
//!    interleaved, p50/p99 and their ratio;
//! 2. 100 WebSocket clients watching while 10 terminals pay: messages
//!    delivered against published, and the delay from an event's time
//!    stamp to its arrival at each client.
//!
//! Writes `bridge.json` under CONCERT_BENCH_OUT for bench/report.py.
//! CONCERT_BENCH_BRIDGE_RUNS (default 300) and CONCERT_BENCH_FANOUT_PAYMENTS
//! (per terminal, default 30) size it.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use concert_bridge::{Bridge, BridgeConfig, NamedTerminal};
use concert_core::currency::EUR;
use concert_core::sim::{Simulator, SimulatorConfig};
use concert_core::terminal::{Status, Terminal, TerminalConfig};
use futures_util::StreamExt;
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;

const BOUND: Duration = Duration::from_secs(30);
const WARM_UP: usize = 20;

fn env_number(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn now_us() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| u64::try_from(d.as_micros()).unwrap_or(u64::MAX))
        .unwrap_or(0)
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = ((p / 100.0) * (sorted.len() - 1) as f64).round() as usize;
    sorted[rank.min(sorted.len() - 1)]
}

fn terminal_for(sim: &Simulator) -> TerminalConfig {
    let addr = sim.tcp_addr().expect("TCP simulator");
    TerminalConfig::tcp(addr.ip().to_string(), addr.port())
}

async fn bridge_for(sims: &[Simulator]) -> (String, tokio::sync::oneshot::Sender<()>) {
    let terminals = sims
        .iter()
        .enumerate()
        .map(|(i, s)| NamedTerminal {
            name: format!("lane{i}"),
            config: terminal_for(s),
        })
        .collect();
    let mut config = BridgeConfig::new(terminals);
    config.listen = "127.0.0.1:0".parse().unwrap();
    let bridge = Bridge::bind(config).await.expect("bridge");
    let addr = bridge.local_addr();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(bridge.run(
        async move {
            let _ = stopped.await;
        },
        std::future::pending(),
    ));
    (addr.to_string(), stop)
}

/// Part 1: the same payment, directly and through the bridge, in turns.
async fn bridge_vs_direct(runs: usize) -> (Vec<f64>, Vec<f64>) {
    let sim = Simulator::start(SimulatorConfig::default()).expect("simulator");
    let direct = Terminal::new(terminal_for(&sim)).expect("terminal");
    let (addr, stop) = bridge_for(std::slice::from_ref(&sim)).await;
    let http = reqwest::Client::builder().timeout(BOUND).build().unwrap();
    let (mut ws, _) = tokio_tungstenite::connect_async(format!("ws://{addr}/v1/events"))
        .await
        .expect("websocket");
    let start_url = format!("http://{addr}/v1/transactions");
    let (mut through_direct, mut through_bridge) = (Vec::new(), Vec::new());
    for i in 0..runs + WARM_UP {
        let t = direct.clone();
        let began = Instant::now();
        let outcome = tokio::task::spawn_blocking(move || t.pay(1250, EUR))
            .await
            .unwrap()
            .expect("direct payment");
        let direct_ms = began.elapsed().as_secs_f64() * 1e3;
        assert_eq!(outcome.status, Status::Approved);

        let began = Instant::now();
        let started: Value = http
            .post(&start_url)
            .json(&json!({"operation": "pay", "amount": 1250}))
            .send()
            .await
            .expect("start")
            .json()
            .await
            .expect("JSON");
        let id = started["id"].as_str().expect("an id").to_owned();
        loop {
            let message = tokio::time::timeout(BOUND, ws.next())
                .await
                .expect("a message in time")
                .expect("open")
                .expect("frame");
            if let Message::Text(text) = message {
                let m: Value = serde_json::from_str(&text).unwrap();
                if m["type"] == "done" && m["transaction"]["id"] == id.as_str() {
                    assert_eq!(m["transaction"]["outcome"]["status"], "approved");
                    break;
                }
            }
        }
        let bridge_ms = began.elapsed().as_secs_f64() * 1e3;
        // The first payments warm connections and caches up.
        if i >= WARM_UP {
            through_direct.push(direct_ms);
            through_bridge.push(bridge_ms);
        }
    }
    let _ = stop.send(());
    sim.stop();
    (through_direct, through_bridge)
}

struct FanOut {
    published: u64,
    delivered: u64,
    lagged: u64,
    delays_ms: Vec<f64>,
    payments: usize,
    seconds: f64,
}

/// Part 2: `watchers` clients, `terminals` terminals paying at once.
async fn fan_out(terminals: usize, watchers: usize, per_terminal: usize) -> FanOut {
    let sims: Vec<Simulator> = (0..terminals)
        .map(|_| Simulator::start(SimulatorConfig::default()).expect("simulator"))
        .collect();
    let (addr, stop) = bridge_for(&sims).await;
    let delivered = Arc::new(AtomicU64::new(0));
    let lagged = Arc::new(AtomicU64::new(0));
    let (quit_tx, _) = tokio::sync::broadcast::channel::<()>(1);
    let mut clients = Vec::new();
    for _ in 0..watchers {
        // Connected (the handshake answered) before any payment starts.
        let (mut ws, _) = tokio_tungstenite::connect_async(format!("ws://{addr}/v1/events"))
            .await
            .expect("websocket");
        let delivered = delivered.clone();
        let lagged = lagged.clone();
        let mut quit = quit_tx.subscribe();
        clients.push(tokio::spawn(async move {
            let mut delays = Vec::new();
            loop {
                tokio::select! {
                    message = ws.next() => {
                        let Some(Ok(Message::Text(text))) = message else { break };
                        let arrived = now_us();
                        let m: Value = serde_json::from_str(&text).unwrap();
                        if m["type"] == "lagged" {
                            lagged.fetch_add(m["missed"].as_u64().unwrap_or(0), Ordering::Relaxed);
                            continue;
                        }
                        delivered.fetch_add(1, Ordering::Relaxed);
                        if let Some(at) = m["at_us"].as_u64() {
                            delays.push(arrived.saturating_sub(at) as f64 / 1e3);
                        }
                    }
                    _ = quit.recv() => break,
                }
            }
            delays
        }));
    }
    let http = reqwest::Client::builder().timeout(BOUND).build().unwrap();
    let began = Instant::now();
    let mut tills = Vec::new();
    for lane in 0..terminals {
        let http = http.clone();
        let url = format!("http://{addr}");
        tills.push(tokio::spawn(async move {
            let mut messages = 0u64;
            for _ in 0..per_terminal {
                let started: Value = http
                    .post(format!("{url}/v1/transactions"))
                    .json(&json!({"operation": "pay", "amount": 990, "terminal": format!("lane{lane}")}))
                    .send()
                    .await
                    .expect("start")
                    .json()
                    .await
                    .expect("JSON");
                let id = started["id"].as_str().expect("id").to_owned();
                let done: Value = http
                    .get(format!("{url}/v1/transactions/{id}?wait=30"))
                    .send()
                    .await
                    .expect("get")
                    .json()
                    .await
                    .expect("JSON");
                assert_eq!(done["outcome"]["status"], "approved");
                // started, each event, done
                messages += 2 + done["events"].as_array().map_or(0, |e| e.len() as u64);
            }
            messages
        }));
    }
    let mut published = 0;
    for till in tills {
        published += till.await.unwrap();
    }
    let seconds = began.elapsed().as_secs_f64();
    // Everything is published; let the watchers read it all (bounded)
    // before stopping them.
    let expected = published * watchers as u64;
    let deadline = Instant::now() + BOUND;
    while delivered.load(Ordering::Relaxed) + lagged.load(Ordering::Relaxed) < expected
        && Instant::now() < deadline
    {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let _ = quit_tx.send(());
    let mut delays = Vec::new();
    for c in clients {
        delays.extend(c.await.unwrap());
    }
    let _ = stop.send(());
    for s in sims {
        s.stop();
    }
    delays.sort_by(f64::total_cmp);
    FanOut {
        published: expected,
        delivered: delivered.load(Ordering::Relaxed),
        lagged: lagged.load(Ordering::Relaxed),
        delays_ms: delays,
        payments: terminals * per_terminal,
        seconds,
    }
}

fn main() {
    let runs = env_number("CONCERT_BENCH_BRIDGE_RUNS", 300);
    let per_terminal = env_number("CONCERT_BENCH_FANOUT_PAYMENTS", 30);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let (mut direct, mut bridge) = runtime.block_on(bridge_vs_direct(runs));
    direct.sort_by(f64::total_cmp);
    bridge.sort_by(f64::total_cmp);
    let (d50, d99) = (percentile(&direct, 50.0), percentile(&direct, 99.0));
    let (b50, b99) = (percentile(&bridge, 50.0), percentile(&bridge, 99.0));
    println!("payment, {runs} of each, interleaved against one simulator:");
    println!("  Terminal directly      p50 {d50:.3} ms  p99 {d99:.3} ms");
    println!("  bridge (HTTP + WS)     p50 {b50:.3} ms  p99 {b99:.3} ms");
    println!(
        "  ratio bridge/direct    p50 {:.2}x  p99 {:.2}x; added at p99 {:.3} ms",
        b50 / d50,
        b99 / d99,
        b99 - d99
    );
    let fan = runtime.block_on(fan_out(10, 100, per_terminal));
    let f50 = percentile(&fan.delays_ms, 50.0);
    let f99 = percentile(&fan.delays_ms, 99.0);
    println!(
        "fan-out: 10 terminals, {} payments in {:.2} s, 100 WebSocket watchers:",
        fan.payments, fan.seconds
    );
    println!(
        "  messages delivered {} of {} ({} lagged), event delay p50 {f50:.3} ms p99 {f99:.3} ms",
        fan.delivered, fan.published, fan.lagged
    );
    let Ok(out) = std::env::var("CONCERT_BENCH_OUT") else {
        return;
    };
    let figure = |name: &str, value: f64, unit: &str, target: &str, pass: Option<bool>| json!({"name": name, "value": value, "unit": unit, "target": target, "pass": pass});
    let report = json!({
        "notes": format!(
            "`cargo bench -p concert-bridge --bench bridge`. A V3 payment against the TCP simulator \
             (answering at once): {runs} through `Terminal::pay` and {runs} through the bridge (HTTP \
             POST /v1/transactions, outcome read from the /v1/events WebSocket), interleaved in one run. \
             Then 10 simulated terminals paying {per_terminal} times each at once through one bridge \
             while 100 WebSocket clients watch every message; the delay runs from an event's time stamp \
             (taken on the core's thread) to its arrival at a client."
        ),
        "figures": [
            figure("payment p50, Terminal directly", d50, "ms", "", None),
            figure("payment p50, through the bridge", b50, "ms", "", None),
            figure("payment p99, Terminal directly", d99, "ms", "", None),
            figure("payment p99, through the bridge", b99, "ms", "", None),
            figure("bridge/direct, p50", b50 / d50, "x", "", None),
            figure("bridge/direct, p99", b99 / d99, "x", "", None),
            figure("bridge added at p99", b99 - d99, "ms", "<= 2 ms", Some(b99 - d99 <= 2.0)),
            figure(
                "fan-out: messages delivered to 100 watchers",
                fan.delivered as f64,
                &format!("of {}", fan.published),
                "all",
                Some(fan.delivered >= fan.published),
            ),
            figure("fan-out: event delay p50", f50, "ms", "", None),
            figure("fan-out: event delay p99", f99, "ms", "", None),
        ],
    });
    let path = std::path::Path::new(&out).join("bridge.json");
    if let Err(e) =
        std::fs::create_dir_all(&out).and_then(|()| std::fs::write(&path, report.to_string()))
    {
        eprintln!("cannot write {}: {e}", path.display());
    }
}
