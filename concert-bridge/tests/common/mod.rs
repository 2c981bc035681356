//! A simulator and a bridge in front of it, on loopback, for one test.
#![allow(dead_code)]

use std::net::SocketAddr;
use std::time::Duration;

use concert_bridge::{Bridge, BridgeConfig, NamedTerminal};
use concert_core::sim::{Simulator, SimulatorConfig};
use concert_core::terminal::TerminalConfig;
use futures_util::StreamExt;
use serde_json::Value;
use tokio::sync::oneshot;
use tokio_tungstenite::tungstenite::Message;

/// Every wait in these tests is bounded by this.
pub const BOUND: Duration = Duration::from_secs(20);

pub struct Live {
    pub url: String,
    pub addr: SocketAddr,
    pub sims: Vec<Simulator>,
    pub http: reqwest::Client,
    stop: Option<oneshot::Sender<()>>,
    force: Option<oneshot::Sender<()>>,
    pub task: Option<tokio::task::JoinHandle<Result<(), concert_bridge::BridgeError>>>,
}

pub fn terminal_for(sim: &Simulator) -> TerminalConfig {
    let addr = sim.tcp_addr().expect("a TCP simulator");
    TerminalConfig::tcp(addr.ip().to_string(), addr.port())
}

/// Simulators (named lane0, lane1 …) behind a bridge; `tune` adjusts the
/// bridge settings.
pub async fn start(sims: Vec<SimulatorConfig>, tune: impl FnOnce(&mut BridgeConfig)) -> Live {
    let sims: Vec<Simulator> = sims
        .into_iter()
        .map(|c| Simulator::start(c).expect("simulator"))
        .collect();
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
    tune(&mut config);
    let bridge = Bridge::bind(config).await.expect("bridge binds");
    let addr = bridge.local_addr();
    let (stop_tx, stop_rx) = oneshot::channel::<()>();
    let (force_tx, force_rx) = oneshot::channel::<()>();
    let task = tokio::spawn(bridge.run(
        async move {
            let _ = stop_rx.await;
        },
        async move {
            if force_rx.await.is_err() {
                std::future::pending::<()>().await;
            }
        },
    ));
    Live {
        url: format!("http://{addr}"),
        addr,
        sims,
        http: reqwest::Client::builder().timeout(BOUND).build().unwrap(),
        stop: Some(stop_tx),
        force: Some(force_tx),
        task: Some(task),
    }
}

pub async fn one(config: SimulatorConfig) -> Live {
    start(vec![config], |_| {}).await
}

impl Live {
    pub async fn post(&self, path: &str, body: Value) -> (u16, Value) {
        let r = self
            .http
            .post(format!("{}{path}", self.url))
            .json(&body)
            .send()
            .await
            .expect("request");
        let status = r.status().as_u16();
        (status, r.json().await.unwrap_or(Value::Null))
    }

    pub async fn get(&self, path: &str) -> (u16, Value) {
        let r = self
            .http
            .get(format!("{}{path}", self.url))
            .send()
            .await
            .expect("request");
        let status = r.status().as_u16();
        (status, r.json().await.unwrap_or(Value::Null))
    }

    /// Waits (bounded) for the transaction's end.
    pub async fn wait(&self, id: &str) -> Value {
        let (status, tx) = self.get(&format!("/v1/transactions/{id}?wait=15")).await;
        assert_eq!(status, 200, "{tx}");
        assert_ne!(
            tx["state"], "running",
            "still running after the long poll: {tx}"
        );
        tx
    }

    pub fn ws_url(&self, query: &str) -> String {
        format!("ws://{}/v1/events{query}", self.addr)
    }

    /// Asks the bridge to stop.
    pub fn stop(&mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
    }

    /// The second stop signal: aborts running transactions.
    pub fn force(&mut self) {
        if let Some(s) = self.force.take() {
            let _ = s.send(());
        }
    }

    pub async fn stopped(&mut self) {
        self.stop();
        let task = self.task.take().expect("running");
        tokio::time::timeout(BOUND, task)
            .await
            .expect("the bridge stops in time")
            .expect("task")
            .expect("clean stop");
    }
}

/// The next JSON text message (bounded); None when the socket closes.
pub async fn next_json<S>(ws: &mut S) -> Option<Value>
where
    S: futures_util::Stream<Item = Result<Message, tokio_tungstenite::tungstenite::Error>> + Unpin,
{
    loop {
        let message = tokio::time::timeout(BOUND, ws.next())
            .await
            .expect("a WebSocket message in time")?;
        match message.ok()? {
            Message::Text(t) => return Some(serde_json::from_str(&t).expect("JSON")),
            Message::Close(_) => return None,
            _ => continue,
        }
    }
}
