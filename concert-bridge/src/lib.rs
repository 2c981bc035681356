//! # concert-bridge
//!
//! `concert serve`: a local HTTP + WebSocket bridge through which browser
//! tills (Odoo's POS and any web till) take card payments on Concert
//! terminals. A page cannot open a TCP socket or (outside Chromium) a
//! serial port; this bridge can, and answers in JSON:
//!
//! - `/v1/…`: start a transaction, read it (or wait for its end), abort
//!   it, identify or query a terminal; `/v1/events` streams every
//!   transaction's events and outcome over a WebSocket.
//! - `/hw_proxy/…`: the routes Odoo's `pos_payment_terminal` module calls.
//! - `/`: a test till page; `/openapi.json`: the API's OpenAPI 3.1 document.
//!
//! The core knows nothing of async: transactions run on its own threads
//! (`Terminal::submit_with`) and their callbacks feed tokio channels.

mod api;
pub mod codes;
mod config;
mod guard;
mod hub;
pub mod odoo;
mod outcome_json;
mod page;
mod ws;

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use thiserror::Error;

pub use api::{MAX_LIST, MAX_WAIT_SECS};
pub use config::{
    BridgeConfig, DEFAULT_BODY_LIMIT, DEFAULT_KEEP_TRANSACTIONS, DEFAULT_LISTEN, DEFAULT_PORT,
    NamedTerminal, valid_origin, valid_terminal_name,
};
pub use outcome_json::OutcomeJson;

/// The OpenAPI 3.1 document of every route, committed beside the code.
pub const OPENAPI: &str = include_str!("../openapi.json");

/// Every route the router answers: method and path, as in the OpenAPI
/// document (a test holds the three together).
pub const ROUTES: &[(&str, &str)] = &[
    ("GET", "/"),
    ("GET", "/openapi.json"),
    ("GET", "/v1/terminals"),
    ("GET", "/v1/terminals/{name}"),
    ("POST", "/v1/terminals/{name}/identify"),
    ("POST", "/v1/terminals/{name}/status"),
    ("GET", "/v1/transactions"),
    ("POST", "/v1/transactions"),
    ("GET", "/v1/transactions/{id}"),
    ("POST", "/v1/transactions/{id}/abort"),
    ("GET", "/v1/events"),
    ("GET", "/hw_proxy/hello"),
    ("POST", "/hw_proxy/handshake"),
    ("POST", "/hw_proxy/status_json"),
    ("PUT", "/hw_proxy/status_json"),
    ("POST", "/hw_proxy/payment_terminal_transaction_start"),
];

/// Why a bridge could not start.
#[derive(Debug, Error)]
pub enum BridgeError {
    /// No terminal to drive.
    #[error("no terminal configured")]
    NoTerminals,
    /// A terminal name unusable in a URL, or given twice.
    #[error("terminal name {0:?}: use letters, digits, '-', '_' or '.', each name once")]
    TerminalName(String),
    /// A terminal configuration the core refuses.
    #[error("terminal {name}: {source}")]
    TerminalConfig {
        /// The terminal.
        name: String,
        /// Why.
        source: concert_core::terminal::ConfigError,
    },
    /// A non-loopback address without the explicit permission and a token.
    #[error(
        "{0} is not a loopback address: listening there needs --allow-remote and a --token-file"
    )]
    RemoteNotAllowed(SocketAddr),
    /// An origin that is not `scheme://host[:port]`.
    #[error("origin {0:?} is not scheme://host[:port] (e.g. https://odoo.example.com)")]
    Origin(String),
    /// An empty token.
    #[error("the token is empty")]
    EmptyToken,
    /// The address cannot be listened on.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// Why.
        source: std::io::Error,
    },
    /// The server failed.
    #[error("server error: {0}")]
    Serve(std::io::Error),
}

fn check(config: &BridgeConfig) -> Result<(), BridgeError> {
    if config.terminals.is_empty() {
        return Err(BridgeError::NoTerminals);
    }
    let mut names = std::collections::HashSet::new();
    for t in &config.terminals {
        if !valid_terminal_name(&t.name) || !names.insert(t.name.as_str()) {
            return Err(BridgeError::TerminalName(t.name.clone()));
        }
    }
    if let Some(o) = config.allowed_origins.iter().find(|o| !valid_origin(o)) {
        return Err(BridgeError::Origin(o.clone()));
    }
    if config.token.as_deref().is_some_and(|t| t.trim().is_empty()) {
        return Err(BridgeError::EmptyToken);
    }
    if !config.listen.ip().is_loopback() && (!config.allow_remote || config.token.is_none()) {
        return Err(BridgeError::RemoteNotAllowed(config.listen));
    }
    Ok(())
}

async fn fallback() -> Response {
    codes::ApiError::new(codes::NOT_FOUND, "no such route; see /openapi.json").into_response()
}

async fn method_not_allowed() -> Response {
    codes::ApiError::new(
        codes::METHOD_NOT_ALLOWED,
        "this route takes another method; see /openapi.json",
    )
    .into_response()
}

async fn openapi() -> Response {
    ([(header::CONTENT_TYPE, "application/json")], OPENAPI).into_response()
}

fn router(hub: Arc<hub::Hub>) -> Router {
    Router::new()
        .route("/", get(page::index))
        .route("/openapi.json", get(openapi))
        .route("/v1/terminals", get(api::terminals))
        .route("/v1/terminals/{name}", get(api::terminal))
        .route("/v1/terminals/{name}/identify", post(api::identify))
        .route("/v1/terminals/{name}/status", post(api::status))
        .route("/v1/transactions", get(api::list).post(api::start))
        .route("/v1/transactions/{id}", get(api::get))
        .route("/v1/transactions/{id}/abort", post(api::abort))
        .route("/v1/events", get(ws::events))
        .route("/hw_proxy/hello", get(odoo::hello))
        .route("/hw_proxy/handshake", post(odoo::handshake))
        .route(
            "/hw_proxy/status_json",
            post(odoo::status_json).put(odoo::status_json),
        )
        .route(
            "/hw_proxy/payment_terminal_transaction_start",
            post(odoo::transaction_start),
        )
        .fallback(fallback)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(axum::middleware::from_fn_with_state(
            hub.clone(),
            guard::guard,
        ))
        .with_state(hub)
}

/// A bridge bound to its address, not serving yet.
pub struct Bridge {
    hub: Arc<hub::Hub>,
    listener: tokio::net::TcpListener,
}

impl std::fmt::Debug for Bridge {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Bridge")
            .field("local_addr", &self.local_addr())
            .finish()
    }
}

impl Bridge {
    /// Checks the settings and binds the address (inside a tokio runtime).
    pub async fn bind(config: BridgeConfig) -> Result<Bridge, BridgeError> {
        check(&config)?;
        let hub = hub::Hub::new(config.clone()).map_err(|source| BridgeError::TerminalConfig {
            name: config
                .terminals
                .first()
                .map(|t| t.name.clone())
                .unwrap_or_default(),
            source,
        })?;
        let listener = tokio::net::TcpListener::bind(config.listen)
            .await
            .map_err(|source| BridgeError::Bind {
                addr: config.listen,
                source,
            })?;
        let local = listener.local_addr().map_err(BridgeError::Serve)?;
        hub.set_local_addr(local);
        Ok(Bridge {
            hub: Arc::new(hub),
            listener,
        })
    }

    /// The address it listens on.
    pub fn local_addr(&self) -> SocketAddr {
        self.hub.local_addr()
    }

    /// Serves until `stop` resolves; then takes no new transaction, waits
    /// for the running ones to be settled (or reported in doubt: a second
    /// `stop` signal, `force`, cancels them), closes the streams and ends.
    pub async fn run(
        self,
        stop: impl Future<Output = ()> + Send + 'static,
        force: impl Future<Output = ()> + Send + 'static,
    ) -> Result<(), BridgeError> {
        let hub = self.hub.clone();
        let (closed_tx, closed_rx) = tokio::sync::oneshot::channel::<()>();
        let drain = {
            let hub = hub.clone();
            async move {
                stop.await;
                hub.stop_accepting();
                let running = hub.running();
                if running > 0 {
                    log::warn!(
                        "stopping: waiting for {running} running transaction(s) to end (signal again to abort them: they are then in doubt)"
                    );
                    tokio::select! {
                        _ = hub.idle() => {}
                        _ = force => {
                            log::warn!("aborting the running transaction(s)");
                            hub.cancel_all();
                            hub.idle().await;
                        }
                    }
                }
                hub.close_streams();
                let _ = closed_tx.send(());
            }
        };
        let app = router(hub.clone()).into_make_service_with_connect_info::<SocketAddr>();
        let serve = axum::serve(self.listener, app).with_graceful_shutdown(async move {
            let _ = closed_rx.await;
        });
        let drain = tokio::spawn(drain);
        let result = serve.await.map_err(BridgeError::Serve);
        drain.abort();
        result
    }
}

/// Runs a bridge on its own tokio runtime until Ctrl-C or SIGTERM (a
/// second one aborts the running transactions). `ready` is called with
/// the address once it listens.
pub fn serve_blocking(
    config: BridgeConfig,
    ready: impl FnOnce(SocketAddr),
) -> Result<(), BridgeError> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(BridgeError::Serve)?;
    runtime.block_on(async move {
        let bridge = Bridge::bind(config).await?;
        ready(bridge.local_addr());
        let (signal_tx, mut signal_rx) = tokio::sync::mpsc::channel::<()>(4);
        tokio::spawn(async move {
            loop {
                stop_signal().await;
                if signal_tx.send(()).await.is_err() {
                    break;
                }
            }
        });
        let (first_tx, first_rx) = tokio::sync::oneshot::channel::<()>();
        let (second_tx, second_rx) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(async move {
            if signal_rx.recv().await.is_some() {
                log::info!("stop signal received");
                let _ = first_tx.send(());
            }
            if signal_rx.recv().await.is_some() {
                let _ = second_tx.send(());
            }
        });
        bridge
            .run(
                async move {
                    let _ = first_rx.await;
                },
                async move {
                    if second_rx.await.is_err() {
                        std::future::pending::<()>().await;
                    }
                },
            )
            .await
    })?;
    // Long polls and streams are closed; nothing else holds the runtime.
    runtime.shutdown_timeout(Duration::from_secs(2));
    Ok(())
}

/// Ctrl-C anywhere; SIGTERM too on Unix.
async fn stop_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

/// The router for in-process tests: a hub for `config`, listening nowhere.
#[doc(hidden)]
pub fn test_router(config: BridgeConfig) -> Result<Router, BridgeError> {
    check(&config)?;
    let hub = hub::Hub::new(config).map_err(|source| BridgeError::TerminalConfig {
        name: String::new(),
        source,
    })?;
    Ok(router(Arc::new(hub)))
}
