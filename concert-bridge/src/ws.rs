//! `GET /v1/events`: a WebSocket that streams every transaction's events
//! and its end (or one transaction's, with `?transaction=ID`).

use std::sync::Arc;

use axum::extract::ws::rejection::WebSocketUpgradeRejection;
use axum::extract::ws::{CloseFrame, Message as WsMessage, WebSocket, WebSocketUpgrade};
use axum::extract::{RawQuery, State};
use axum::response::{IntoResponse, Response};
use futures_util::{SinkExt, StreamExt};
use serde_json::json;
use tokio::sync::broadcast::error::RecvError;

use crate::api::query_value;
use crate::codes::{self, ApiError};
use crate::hub::{Hub, MAX_WATCHERS};

/// The handler.
pub async fn events(
    State(hub): State<Arc<Hub>>,
    RawQuery(query): RawQuery,
    upgrade: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> Response {
    let upgrade = match upgrade {
        Ok(u) => u,
        Err(e) => {
            return ApiError::new(
                codes::NOT_WEBSOCKET,
                format!("this route is a WebSocket: {e}"),
            )
            .into_response();
        }
    };
    let Ok(slot) = hub.watchers.clone().try_acquire_owned() else {
        return ApiError::new(
            codes::TOO_MANY_WATCHERS,
            format!("all {MAX_WATCHERS} WebSocket slots are taken"),
        )
        .into_response();
    };
    let filter = query_value(&query, "transaction").map(str::to_owned);
    upgrade.on_upgrade(move |socket| async move {
        stream(hub, socket, filter).await;
        drop(slot);
    })
}

async fn stream(hub: Arc<Hub>, socket: WebSocket, filter: Option<String>) {
    // Subscribed before the snapshot is taken, so nothing falls between.
    let mut messages = hub.subscribe();
    let mut shutdown = hub.shutdown_signal();
    let (mut sink, mut incoming) = socket.split();
    if let Some(id) = &filter {
        let first = match hub.get(id, std::time::Duration::ZERO).await {
            Ok(tx) => json!({"type": "snapshot", "transaction": tx}),
            Err(e) => e.to_json(),
        };
        if sink
            .send(WsMessage::Text(first.to_string().into()))
            .await
            .is_err()
        {
            return;
        }
    }
    loop {
        // Messages first: a stopping bridge streams what it has before closing.
        tokio::select! {
            biased;
            message = messages.recv() => match message {
                Ok(m) => {
                    if filter.as_deref().is_some_and(|f| f != &*m.transaction) {
                        continue;
                    }
                    if sink.send(WsMessage::Text((&*m.json).into())).await.is_err() {
                        return;
                    }
                }
                Err(RecvError::Lagged(missed)) => {
                    let note = json!({"type": "lagged", "missed": missed}).to_string();
                    if sink.send(WsMessage::Text(note.into())).await.is_err() {
                        return;
                    }
                }
                Err(RecvError::Closed) => break,
            },
            read = incoming.next() => match read {
                // Clients have nothing to say; a close or an error ends it.
                Some(Ok(WsMessage::Close(_))) | Some(Err(_)) | None => return,
                Some(Ok(_)) => {}
            },
            _ = crate::hub::became_true(&mut shutdown) => break,
        }
    }
    let _ = sink
        .send(WsMessage::Close(Some(CloseFrame {
            code: 1001,
            reason: "the bridge is stopping".into(),
        })))
        .await;
}
