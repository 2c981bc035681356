//! Items 5 and 6: one process drives N terminals at once (N simulators on
//! loopback, living in a second process so this one's threads and memory
//! are the client's own), each paying in a loop through the background
//! API (`Terminal::submit_with`). Measured: transactions/s, latency added
//! to the simulator's configured delay, threads, resident memory, errors;
//! then memory per idle `Terminal` and per running transaction.
//!
//! `CONCERT_BENCH_SCALE_SECS` (default 30) sets how long each N runs,
//! `CONCERT_BENCH_SCALE_N` (default "10,100,1000") which N,
//! `CONCERT_BENCH_SCALE_DELAY_MS` (default 1000) the simulated card holder,
//! `CONCERT_BENCH_SCALE_MODE=blocking` drives the blocking API instead (one
//! caller thread per terminal calling `Terminal::pay`).

mod support;

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use concert_core::currency::EUR;
use concert_core::sim::{Simulator, SimulatorConfig};
use concert_core::terminal::{Request, Status, Terminal, TerminalConfig};
use serde_json::{Value, json};
use support::{Stats, figure, rss_kb, threads};

const AMOUNT: u64 = 1250;

/// The simulators' process: starts `n` simulators, prints their ports on
/// one line, serves until its standard input closes.
fn serve_simulators(n: usize, delay: Duration) {
    let sims: Vec<Simulator> = (0..n)
        .map(|_| {
            Simulator::start({
                let mut v = SimulatorConfig::default();
                v.answer_delay = delay;
                v
            })
            .expect("simulator")
        })
        .collect();
    let ports: Vec<String> = sims
        .iter()
        .map(|s| s.tcp_addr().expect("TCP").port().to_string())
        .collect();
    println!("PORTS {}", ports.join(" "));
    let _ = std::io::stdout().flush();
    let mut sink = Vec::new();
    let _ = std::io::stdin().read_to_end(&mut sink);
    eprintln!(
        "simulator process: {} threads, {} MB resident at the end, {:.1} s CPU",
        threads(),
        rss_kb() / 1024,
        support::cpu_secs()
    );
    drop(sims);
}

/// The simulators' process and their ports.
fn spawn_simulators(n: usize, delay: Duration) -> (Child, Vec<u16>) {
    let exe = std::env::current_exe().expect("own path");
    let mut child = Command::new(exe)
        .args([
            "--serve-sims",
            &n.to_string(),
            &delay.as_millis().to_string(),
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("simulator process");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("piped"))
        .read_line(&mut line)
        .expect("ports");
    let ports = line
        .trim()
        .strip_prefix("PORTS ")
        .unwrap_or_else(|| panic!("unexpected line from the simulator process: {line:?}"))
        .split(' ')
        .map(|p| p.parse().expect("port"))
        .collect();
    (child, ports)
}

/// What the running transactions share.
#[derive(Default)]
struct Tally {
    latencies: Mutex<Vec<Duration>>,
    errors: AtomicUsize,
    not_approved: AtomicUsize,
    chains_done: AtomicUsize,
    stop: AtomicBool,
    first_problem: Mutex<Option<String>>,
}

impl Tally {
    fn problem(&self, what: String) {
        let mut first = self.first_problem.lock().unwrap();
        if first.is_none() {
            *first = Some(what);
        }
    }
}

/// Pays on `terminal`, then again from the completion, until told to stop.
fn pay_in_a_loop(terminal: Terminal, tally: Arc<Tally>) {
    let start = Instant::now();
    let next = terminal.clone();
    let t = Arc::clone(&tally);
    let submitted = terminal.submit_with(
        Request::pay(AMOUNT, EUR),
        |_| {},
        move |result| {
            let took = start.elapsed();
            match result {
                Ok(outcome) if outcome.status == Status::Approved => {
                    t.latencies.lock().unwrap().push(took);
                }
                Ok(outcome) => {
                    t.not_approved.fetch_add(1, Ordering::Relaxed);
                    t.problem(format!("{}: {}", outcome.status, outcome.reason));
                }
                Err(e) => {
                    t.errors.fetch_add(1, Ordering::Relaxed);
                    t.problem(format!("error: {e}"));
                }
            }
            if t.stop.load(Ordering::Relaxed) {
                t.chains_done.fetch_add(1, Ordering::SeqCst);
            } else {
                pay_in_a_loop(next, t);
            }
        },
    );
    if let Err(e) = submitted {
        tally.errors.fetch_add(1, Ordering::Relaxed);
        tally.problem(format!("submit: {e}"));
        tally.chains_done.fetch_add(1, Ordering::SeqCst);
    }
}

/// One N: returns its row.
fn run(n: usize, delay: Duration, secs: Duration) -> Value {
    let (mut child, ports) = spawn_simulators(n, delay);
    let threads_before = threads();
    let rss_before = rss_kb();
    let terminals: Vec<Terminal> = ports
        .iter()
        .map(|&p| Terminal::new(TerminalConfig::tcp("127.0.0.1", p)).expect("config"))
        .collect();
    let tally = Arc::new(Tally::default());
    let cpu_before = support::cpu_secs();
    let start = Instant::now();
    // Starts spread over one card-holder delay, as tills' customers are:
    // started together, the N payments would stay in lockstep and measure
    // a thundering herd every delay rather than a steady load.
    let blocking = std::env::var("CONCERT_BENCH_SCALE_MODE").is_ok_and(|m| m == "blocking");
    for (i, terminal) in terminals.iter().enumerate() {
        let at = start + delay.mul_f64(i as f64 / n as f64);
        std::thread::sleep(at.saturating_duration_since(Instant::now()));
        if blocking {
            let (terminal, t) = (terminal.clone(), Arc::clone(&tally));
            std::thread::spawn(move || {
                while !t.stop.load(Ordering::Relaxed) {
                    let begin = Instant::now();
                    match terminal.pay(AMOUNT, EUR) {
                        Ok(o) if o.status == Status::Approved => {
                            t.latencies.lock().unwrap().push(begin.elapsed())
                        }
                        _ => {
                            t.errors.fetch_add(1, Ordering::Relaxed);
                        }
                    }
                }
                t.chains_done.fetch_add(1, Ordering::SeqCst);
            });
        } else {
            pay_in_a_loop(terminal.clone(), Arc::clone(&tally));
        }
    }
    let mut max_threads = 0;
    let mut max_rss = 0;
    let mut rss_steady = Vec::new();
    while start.elapsed() < secs {
        std::thread::sleep(Duration::from_millis(100));
        max_threads = max_threads.max(threads());
        let rss = rss_kb();
        max_rss = max_rss.max(rss);
        if start.elapsed() > delay * 2 {
            rss_steady.push(rss);
        }
    }
    tally.stop.store(true, Ordering::SeqCst);
    let elapsed = start.elapsed();
    let cpu = support::cpu_secs() - cpu_before;
    let bound = Instant::now() + delay + Duration::from_secs(20);
    while tally.chains_done.load(Ordering::SeqCst) < n && Instant::now() < bound {
        std::thread::sleep(Duration::from_millis(20));
    }
    let stuck = n - tally.chains_done.load(Ordering::SeqCst);
    drop(child.stdin.take());
    let _ = child.wait();

    let mut latencies = std::mem::take(&mut *tally.latencies.lock().unwrap());
    let done = latencies.len();
    let added: Vec<Duration> = latencies
        .iter_mut()
        .map(|l| l.saturating_sub(delay))
        .collect();
    let stats = Stats::of(&mut added.clone());
    let errors = tally.errors.load(Ordering::Relaxed);
    let not_approved = tally.not_approved.load(Ordering::Relaxed);
    rss_steady.sort_unstable();
    let rss_median = rss_steady
        .get(rss_steady.len() / 2)
        .copied()
        .unwrap_or(max_rss);
    let per_tx_kb = (rss_median.saturating_sub(rss_before)) as f64 / n as f64;
    let tps = done as f64 / elapsed.as_secs_f64();
    println!(
        "N={n}: {done} approved in {:.1} s = {tps:.0} tx/s; added latency p50 {:.2} ms p99 {:.2} ms max {:.2} ms; threads {threads_before} -> max {max_threads}; RSS {} -> max {} kB ({per_tx_kb:.1} kB per running transaction); client CPU {:.0}% of a core; errors {errors}, not approved {not_approved}, stuck {stuck}{}",
        elapsed.as_secs_f64(),
        stats.p50 / 1e3,
        stats.p99 / 1e3,
        stats.max / 1e3,
        rss_before,
        max_rss,
        cpu / elapsed.as_secs_f64() * 100.0,
        tally
            .first_problem
            .lock()
            .unwrap()
            .as_ref()
            .map_or(String::new(), |p| format!(" (first: {p})"))
    );
    json!({
        "n": n, "approved": done, "seconds": elapsed.as_secs_f64(), "tx_per_s": tps,
        "added": stats.json(), "threads_before": threads_before, "threads_max": max_threads,
        "rss_before_kb": rss_before, "rss_max_kb": max_rss, "rss_steady_kb": rss_median,
        "kb_per_running_tx": per_tx_kb,
        "client_cpu_percent": cpu / elapsed.as_secs_f64() * 100.0,
        "errors": errors, "not_approved": not_approved, "stuck": stuck,
        "first_problem": tally.first_problem.lock().unwrap().clone(),
    })
}

/// The floor at the same N, same simulators, same machine load: a thread
/// per terminal doing raw connect, send, read-to-close in a loop (no
/// concert client). Returns the added latency, transactions/s and the CPU
/// used, in % of a core.
fn raw_floor(n: usize, delay: Duration, secs: Duration) -> (Stats, f64, f64) {
    use std::net::TcpStream;
    let (mut child, ports) = spawn_simulators(n, delay);
    let config = TerminalConfig::tcp("127.0.0.1", 1);
    let request = concert_core::terminal::encode_request(&config, &Request::pay(AMOUNT, EUR))
        .expect("request");
    let cpu_before = support::cpu_secs();
    let start = Instant::now();
    let end = start + delay + secs;
    let workers: Vec<_> = ports
        .iter()
        .enumerate()
        .map(|(i, &port)| {
            let request = request.clone();
            let first = start + delay.mul_f64(i as f64 / n as f64);
            std::thread::spawn(move || {
                std::thread::sleep(first.saturating_duration_since(Instant::now()));
                let mut added = Vec::new();
                while Instant::now() < end {
                    let t = Instant::now();
                    let Ok(mut s) = TcpStream::connect(("127.0.0.1", port)) else {
                        continue;
                    };
                    let _ = s.set_nodelay(true);
                    let mut answer = Vec::new();
                    if s.write_all(&request).is_ok() && s.read_to_end(&mut answer).is_ok() {
                        added.push(t.elapsed().saturating_sub(delay));
                    }
                }
                added
            })
        })
        .collect();
    let mut added: Vec<Duration> = workers
        .into_iter()
        .flat_map(|w| w.join().unwrap_or_default())
        .collect();
    let elapsed = start.elapsed();
    let cpu = (support::cpu_secs() - cpu_before) / elapsed.as_secs_f64() * 100.0;
    drop(child.stdin.take());
    let _ = child.wait();
    let tps = added.len() as f64 / elapsed.as_secs_f64();
    (Stats::of(&mut added), tps, cpu)
}

/// Resident memory of `count` idle terminals, per terminal.
fn idle_terminal_kb(count: usize) -> f64 {
    let before = rss_kb();
    let terminals: Vec<Terminal> = (0..count)
        .map(|i| {
            Terminal::new(TerminalConfig::tcp(
                format!("10.0.{}.{}", i / 250, i % 250 + 1),
                8888,
            ))
            .expect("config")
        })
        .collect();
    let after = rss_kb();
    drop(terminals);
    (after.saturating_sub(before)) as f64 / count as f64
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(i) = args.iter().position(|a| a == "--serve-sims") {
        let n = args[i + 1].parse().expect("count");
        let delay = Duration::from_millis(args[i + 2].parse().expect("delay"));
        serve_simulators(n, delay);
        return;
    }
    if args.iter().any(|a| a == "--list") {
        return;
    }
    let secs = support::env_secs("CONCERT_BENCH_SCALE_SECS", 30.0);
    let delay =
        Duration::from_millis(support::env_count("CONCERT_BENCH_SCALE_DELAY_MS", 1000) as u64);
    let ns: Vec<usize> = std::env::var("CONCERT_BENCH_SCALE_N")
        .unwrap_or_else(|_| "10,100,1000".into())
        .split(',')
        .filter_map(|n| n.trim().parse().ok())
        .collect();
    let fd_limit = std::fs::read_to_string("/proc/self/limits")
        .ok()
        .and_then(|l| {
            l.lines()
                .find(|l| l.starts_with("Max open files"))
                .and_then(|l| l.split_whitespace().nth(3)?.parse::<u64>().ok())
        })
        .unwrap_or(0);
    println!(
        "{} s per N, simulated card holder {} ms, open-file limit {fd_limit}",
        secs.as_secs_f64(),
        delay.as_millis()
    );
    let idle_kb = idle_terminal_kb(10_000);
    println!("idle Terminal: {idle_kb:.2} kB each (10000 created)");

    let mut rows = Vec::new();
    let mut figures = Vec::new();
    for &n in &ns {
        let row = run(n, delay, secs);
        let p99_ms = row["added"]["p99_us"].as_f64().unwrap_or(f64::NAN) / 1e3;
        let rss_mb = row["rss_max_kb"].as_f64().unwrap_or(f64::NAN) / 1024.0;
        let problems = row["errors"].as_u64().unwrap_or(0)
            + row["not_approved"].as_u64().unwrap_or(0)
            + row["stuck"].as_u64().unwrap_or(0);
        let at_target = n >= 1000;
        let judge = |ok: bool| at_target.then_some(ok);
        figures.push(figure(
            &format!("N={n}: transactions/s"),
            row["tx_per_s"].as_f64().unwrap_or(0.0),
            "tx/s",
            "",
            None,
        ));
        figures.push(figure(
            &format!("N={n}: p99 added latency"),
            p99_ms,
            "ms",
            if at_target { "<= 10 ms" } else { "" },
            judge(p99_ms <= 10.0),
        ));
        figures.push(figure(
            &format!("N={n}: client CPU"),
            row["client_cpu_percent"].as_f64().unwrap_or(f64::NAN),
            "% of a core",
            "",
            None,
        ));
        figures.push(figure(
            &format!("N={n}: threads (max)"),
            row["threads_max"].as_f64().unwrap_or(0.0),
            "",
            "",
            None,
        ));
        figures.push(figure(
            &format!("N={n}: RSS (max)"),
            rss_mb,
            "MB",
            if at_target { "<= 200 MB" } else { "" },
            judge(rss_mb <= 200.0),
        ));
        figures.push(figure(
            &format!("N={n}: errors, in doubt or stuck"),
            problems as f64,
            "",
            if at_target { "0" } else { "" },
            judge(problems == 0),
        ));
        if n == *ns.iter().max().unwrap_or(&n) {
            figures.push(figure(
                &format!("memory per running transaction (N={n})"),
                row["kb_per_running_tx"].as_f64().unwrap_or(f64::NAN),
                "kB",
                "",
                None,
            ));
        }
        rows.push(row);
    }
    if let Some(&n) = ns.iter().max() {
        let (floor, tps, cpu) = raw_floor(n, delay, secs);
        println!(
            "raw floor N={n} (thread per terminal, connect+send+read, no concert): {tps:.0} tx/s; added p50 {:.2} ms p99 {:.2} ms; CPU {cpu:.0}% of a core",
            floor.p50 / 1e3,
            floor.p99 / 1e3
        );
        figures.push(figure(
            &format!("N={n} floor: CPU of the raw blocking client"),
            cpu,
            "% of a core",
            "",
            None,
        ));
        figures.push(figure(
            &format!(
                "N={n} floor, same load without concert (raw blocking client): p99 added latency"
            ),
            floor.p99 / 1e3,
            "ms",
            "",
            None,
        ));
        rows.push(json!({"n": n, "raw_floor": floor.json(), "tx_per_s": tps, "cpu_percent": cpu}));
    }
    figures.push(figure("memory per idle Terminal", idle_kb, "kB", "", None));
    support::write_results(
        "scale",
        &json!({
            "item": 5,
            "title": "N terminals from one process (simulators in a second process)",
            "notes": format!("each terminal pays in a loop through Terminal::submit_with for {} s, first payments spread over one delay; simulator answer delay {} ms (added latency = time to Outcome - that delay); open-file limit {fd_limit}", secs.as_secs_f64(), delay.as_millis()),
            "figures": figures,
            "rows": rows,
        }),
    );
}
