//! The /v1 API against the simulator, over loopback.

mod common;

use std::time::Duration;

use common::{BOUND, next_json};
use concert_core::sim::{Faults, Script, SimulatorConfig};
use concert_core::v3::Reason;
use serde_json::{Value, json};

fn pay(amount: Value) -> Value {
    json!({"operation": "pay", "amount": amount, "currency": "EUR", "receipt": "customer"})
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_payment_is_started_then_read_when_it_ends() {
    let mut live = common::one(SimulatorConfig::default()).await;
    let (status, tx) = live.post("/v1/transactions", pay(json!("12.50"))).await;
    assert_eq!(status, 201, "{tx}");
    assert_eq!(tx["amount"], 1250);
    let id = tx["id"].as_str().unwrap().to_owned();
    let done = live.wait(&id).await;
    assert_eq!(done["state"], "done");
    let outcome = &done["outcome"];
    assert_eq!(outcome["status"], "approved");
    assert_eq!(outcome["amount"], 1250);
    assert!(
        outcome["receipt"]["text"]
            .as_str()
            .is_some_and(|t| !t.is_empty())
    );
    // The masked form only, wherever the number shows.
    let text = done.to_string();
    assert!(!text.contains("4970101234567894"), "{text}");
    assert_eq!(outcome["card_number"], "497010######7894");
    let events: Vec<&str> = done["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["event"].as_str().unwrap())
        .collect();
    assert_eq!(events.first(), Some(&"connecting"));
    assert_eq!(events.last(), Some(&"done"));
    // The same shape as `concert pay --json` (one serialiser).
    let keys: Vec<&String> = outcome.as_object().unwrap().keys().collect();
    assert!(
        keys.len() >= 20 && outcome.get("frames").is_some() && outcome.get("records").is_some()
    );
    live.stopped().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_retried_start_returns_the_same_transaction_and_never_pays_twice() {
    let mut live = common::one(SimulatorConfig::default()).await;
    let send = |key: &'static str, amount: &'static str| {
        let http = live.http.clone();
        let url = format!("{}/v1/transactions", live.url);
        async move {
            let r = http
                .post(url)
                .header("Idempotency-Key", key)
                .json(&pay(json!(amount)))
                .send()
                .await
                .unwrap();
            let replayed = r.headers().get("idempotent-replayed").is_some();
            (
                r.status().as_u16(),
                replayed,
                r.json::<Value>().await.unwrap(),
            )
        }
    };
    let (s1, r1, first) = send("till-7-order-42", "9.99").await;
    assert_eq!((s1, r1), (201, false));
    let id = first["id"].as_str().unwrap().to_owned();
    live.wait(&id).await;
    let (s2, r2, again) = send("till-7-order-42", "9.99").await;
    assert_eq!((s2, r2), (200, true));
    assert_eq!(again["id"], id.as_str());
    assert_eq!(again["outcome"]["status"], "approved");
    // The same key for another amount is refused, not paid.
    let (s3, _, mismatch) = send("till-7-order-42", "19.99").await;
    assert_eq!(s3, 422);
    assert_eq!(mismatch["error"]["code"], "CONCERT_IDEMPOTENCY_MISMATCH");
    assert_eq!(mismatch["error"]["safe_to_retry"], false);
    assert_eq!(
        live.sims[0].journal().len(),
        1,
        "one payment reached the terminal"
    );
    live.stopped().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reference_retries_until_a_payment_surely_moved_nothing() {
    let sim = SimulatorConfig::default();
    let mut live = common::one(sim).await;
    live.sims[0].push_script(Script::Decline(Reason::Refused));
    let body = json!({"operation": "pay", "amount": 500, "reference": "ORDER42"});
    let (_, first) = live.post("/v1/transactions", body.clone()).await;
    let first_id = first["id"].as_str().unwrap().to_owned();
    assert_eq!(live.wait(&first_id).await["outcome"]["status"], "declined");
    // Declined: the till may try another card under the same reference.
    let (status, second) = live.post("/v1/transactions", body.clone()).await;
    assert_eq!(status, 201);
    let second_id = second["id"].as_str().unwrap().to_owned();
    assert_ne!(second_id, first_id);
    assert_eq!(live.wait(&second_id).await["outcome"]["status"], "approved");
    // Approved: the same reference now always answers with that payment.
    let (status, third) = live.post("/v1/transactions", body).await;
    assert_eq!(status, 200);
    assert_eq!(third["id"], second_id.as_str());
    assert_eq!(live.sims[0].journal().len(), 2);
    live.stopped().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_transaction_at_a_time_per_terminal() {
    let sim = {
        let mut v = SimulatorConfig::default();
        v.answer_delay = Duration::from_millis(500);
        v
    };
    let mut live = common::one(sim).await;
    let (status, first) = live.post("/v1/transactions", pay(json!(100))).await;
    assert_eq!(status, 201);
    // The terminal is taken as soon as the start is answered.
    let (status, busy) = live.post("/v1/transactions", pay(json!(200))).await;
    assert_eq!(status, 409, "{busy}");
    assert_eq!(busy["error"]["code"], "CONCERT_BUSY");
    assert_eq!(busy["error"]["safe_to_retry"], true);
    live.wait(first["id"].as_str().unwrap()).await;
    assert_eq!(live.sims[0].journal().len(), 1);
    live.stopped().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_websocket_streams_events_and_the_outcome() {
    let mut live = common::one(SimulatorConfig::default()).await;
    let (mut ws, _) = tokio_tungstenite::connect_async(live.ws_url(""))
        .await
        .unwrap();
    let (_, tx) = live.post("/v1/transactions", pay(json!(4200))).await;
    let id = tx["id"].as_str().unwrap().to_owned();
    let mut seen = Vec::new();
    let done = loop {
        let m = next_json(&mut ws).await.expect("open");
        assert!(
            m["type"] == "started" || m["type"] == "event" || m["type"] == "done",
            "{m}"
        );
        if m["type"] == "event" {
            assert_eq!(m["id"], id.as_str());
            assert!(m["at_us"].as_u64().is_some());
            seen.push(m["event"].as_str().unwrap().to_owned());
        }
        if m["type"] == "done" {
            break m;
        }
    };
    assert_eq!(done["transaction"]["outcome"]["status"], "approved");
    assert!(seen.contains(&"waiting_for_answer".to_owned()), "{seen:?}");
    assert_eq!(seen.last().map(String::as_str), Some("done"));
    // A client that comes late gets the state first.
    let (mut late, _) =
        tokio_tungstenite::connect_async(live.ws_url(&format!("?transaction={id}")))
            .await
            .unwrap();
    let snapshot = next_json(&mut late).await.unwrap();
    assert_eq!(snapshot["type"], "snapshot");
    assert_eq!(snapshot["transaction"]["outcome"]["status"], "approved");
    live.stopped().await;
    // Stopping closes the streams.
    assert!(next_json(&mut ws).await.is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cut_answer_is_in_doubt_never_declined() {
    let sim = {
        let mut v = SimulatorConfig::default();
        v.faults = {
            let mut v = Faults::default();
            v.close_mid_answer = true;
            v
        };
        v
    };
    let mut live = common::one(sim).await;
    let (_, tx) = live.post("/v1/transactions", pay(json!(700))).await;
    let done = live.wait(tx["id"].as_str().unwrap()).await;
    assert_eq!(done["state"], "done");
    assert_eq!(done["outcome"]["status"], "in_doubt", "{done}");
    live.stopped().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_requests_get_typed_errors_and_reach_no_terminal() {
    let mut live = common::one(SimulatorConfig::default()).await;
    let cases = [
        (
            json!({"operation": "pay", "amount": 12.5}),
            400,
            "CONCERT_USAGE",
        ),
        (
            json!({"operation": "pay", "amount": "12.345"}),
            400,
            "CONCERT_USAGE",
        ),
        (
            json!({"operation": "pay", "amount": 0}),
            400,
            "CONCERT_USAGE",
        ),
        (
            json!({"operation": "pay", "amount": -5}),
            400,
            "CONCERT_USAGE",
        ),
        (
            json!({"operation": "pay", "amount": 100, "currency": "XXX1"}),
            400,
            "CONCERT_USAGE",
        ),
        (
            json!({"operation": "pay", "amount": 100, "amout": 1}),
            400,
            "CONCERT_USAGE",
        ),
        (
            json!({"operation": "steal", "amount": 100}),
            400,
            "CONCERT_USAGE",
        ),
        (
            json!({"operation": "pay", "amount": 100, "terminal": "nope"}),
            404,
            "CONCERT_UNKNOWN_TERMINAL",
        ),
        (
            json!({"operation": "pay", "amount": 9_999_999_999_999u64}),
            422,
            "CONCERT_INVALID_REQUEST",
        ),
        (
            json!({"operation": "pay", "amount": 100, "reference": "x".repeat(500)}),
            422,
            "CONCERT_INVALID_REQUEST",
        ),
        (json!([1, 2]), 400, "CONCERT_USAGE"),
    ];
    for (body, status, code) in cases {
        let (got, answer) = live.post("/v1/transactions", body.clone()).await;
        assert_eq!(got, status, "{body} → {answer}");
        assert_eq!(answer["error"]["code"], code, "{body} → {answer}");
        assert!(
            answer["error"]["message"]
                .as_str()
                .is_some_and(|m| !m.is_empty())
        );
    }
    let big = "x".repeat(concert_bridge::DEFAULT_BODY_LIMIT + 1);
    let r = live
        .http
        .post(format!("{}/v1/transactions", live.url))
        .body(big)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 413);
    let (status, missing) = live.get("/v1/transactions/nope").await;
    assert_eq!(
        (status, missing["error"]["code"].as_str()),
        (404, Some("CONCERT_NOT_FOUND"))
    );
    let (status, _) = live.get("/v1/transactions/nope?wait=61").await;
    assert_eq!(status, 400);
    assert!(
        live.sims[0].journal().is_empty(),
        "nothing reached the terminal"
    );
    live.stopped().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn origins_hosts_and_tokens_are_checked_before_anything_runs() {
    let token = "s3cret-token-for-the-tests";
    let mut live = common::start(vec![SimulatorConfig::default()], |c| {
        c.allowed_origins = vec!["https://odoo.example.com".into()];
        c.token = Some(token.into());
    })
    .await;
    let url = format!("{}/v1/transactions", live.url);
    let body = pay(json!(100)).to_string();
    // Another origin: 403, even with the token, for preflights too.
    let r = live
        .http
        .post(&url)
        .header("Origin", "https://evil.example")
        .bearer_auth(token)
        .body(body.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 403);
    assert_eq!(
        r.json::<Value>().await.unwrap()["error"]["code"],
        "CONCERT_ORIGIN_REFUSED"
    );
    let r = live
        .http
        .request(reqwest::Method::OPTIONS, &url)
        .header("Origin", "https://evil.example")
        .header("Access-Control-Request-Method", "POST")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 403);
    // A rebinding page: the right port under another name.
    let r = live
        .http
        .post(&url)
        .header("Host", format!("evil.example:{}", live.addr.port()))
        .bearer_auth(token)
        .body(body.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 403);
    // No token, a wrong token.
    let r = live
        .http
        .post(&url)
        .body(body.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 401);
    let r = live
        .http
        .post(&url)
        .bearer_auth("wrong")
        .body(body.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 401);
    assert!(
        live.sims[0].journal().is_empty(),
        "nothing reached the terminal"
    );
    // The allowed origin: a preflight with CORS headers, then the payment.
    let r = live
        .http
        .request(reqwest::Method::OPTIONS, &url)
        .header("Origin", "https://odoo.example.com")
        .header("Access-Control-Request-Method", "POST")
        .header(
            "Access-Control-Request-Headers",
            "content-type, authorization",
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 204);
    assert_eq!(
        r.headers()["access-control-allow-origin"],
        "https://odoo.example.com"
    );
    let r = live
        .http
        .post(&url)
        .header("Origin", "https://odoo.example.com")
        .bearer_auth(token)
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 201);
    assert_eq!(
        r.headers()["access-control-allow-origin"],
        "https://odoo.example.com"
    );
    let id = r.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let r = live
        .http
        .get(format!("{}/v1/transactions/{id}?wait=15", live.url))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.json::<Value>().await.unwrap()["outcome"]["status"],
        "approved"
    );
    // The page and the document need no token; the WebSocket takes it in the query.
    assert_eq!(
        live.http
            .get(format!("{}/", live.url))
            .send()
            .await
            .unwrap()
            .status()
            .as_u16(),
        200
    );
    assert!(
        tokio_tungstenite::connect_async(live.ws_url(""))
            .await
            .is_err()
    );
    assert!(
        tokio_tungstenite::connect_async(live.ws_url(&format!("?access_token={token}")))
            .await
            .is_ok()
    );
    live.stopped().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn terminals_are_listed_identified_and_queried() {
    let mut live = common::start(
        vec![SimulatorConfig::default(), SimulatorConfig::default()],
        |_| {},
    )
    .await;
    let (status, list) = live.get("/v1/terminals").await;
    assert_eq!(status, 200);
    assert_eq!(list["terminals"].as_array().unwrap().len(), 2);
    assert_eq!(list["terminals"][1]["name"], "lane1");
    let (status, id) = live.post("/v1/terminals/lane1/identify", json!({})).await;
    assert_eq!(status, 200, "{id}");
    assert_eq!(id["terminal"], "lane1");
    assert!(id["outcome"]["status"].is_string());
    assert_eq!(live.sims[1].journal().len(), 1);
    assert!(live.sims[0].journal().is_empty());
    let (status, _) = live.post("/v1/terminals/lane9/identify", json!({})).await;
    assert_eq!(status, 404);
    let (status, _) = live.post("/v1/terminals/lane0/status", json!({})).await;
    assert_eq!(status, 200);
    live.stopped().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stopping_waits_for_the_running_payment_then_closes() {
    let sim = {
        let mut v = SimulatorConfig::default();
        v.answer_delay = Duration::from_millis(800);
        v
    };
    let mut live = common::one(sim).await;
    let (mut ws, _) = tokio_tungstenite::connect_async(live.ws_url(""))
        .await
        .unwrap();
    let (_, tx) = live.post("/v1/transactions", pay(json!(300))).await;
    let id = tx["id"].as_str().unwrap().to_owned();
    // Stop once the payment is at the terminal.
    loop {
        let m = next_json(&mut ws).await.unwrap();
        if m["event"] == "waiting_for_answer" {
            break;
        }
    }
    live.stop();
    let mut done = None;
    while let Some(m) = next_json(&mut ws).await {
        if m["type"] == "done" {
            done = Some(m);
        }
    }
    let done = done.expect("the payment ended before the stream closed");
    assert_eq!(done["transaction"]["id"], id.as_str());
    assert_eq!(done["transaction"]["outcome"]["status"], "approved");
    live.stopped().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_stop_aborts_the_running_payment_in_doubt() {
    let sim = {
        let mut v = SimulatorConfig::default();
        v.faults = {
            let mut v = Faults::default();
            v.never_answer = true;
            v
        };
        v
    };
    let mut live = common::one(sim).await;
    let (mut ws, _) = tokio_tungstenite::connect_async(live.ws_url(""))
        .await
        .unwrap();
    let (_, _tx) = live.post("/v1/transactions", pay(json!(300))).await;
    loop {
        let m = next_json(&mut ws).await.unwrap();
        if m["event"] == "waiting_for_answer" {
            break;
        }
    }
    live.stop();
    live.force();
    let mut done = None;
    while let Some(m) = tokio::time::timeout(BOUND, next_json(&mut ws))
        .await
        .unwrap()
    {
        if m["type"] == "done" {
            done = Some(m);
        }
    }
    let done = done.expect("reported before the stream closed");
    assert_eq!(done["transaction"]["outcome"]["status"], "in_doubt");
    live.stopped().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn other_addresses_need_the_explicit_flag_and_a_token() {
    let sim = concert_core::sim::Simulator::start(SimulatorConfig::default()).unwrap();
    let terminals = vec![concert_bridge::NamedTerminal {
        name: "lane0".into(),
        config: common::terminal_for(&sim),
    }];
    let mut config = concert_bridge::BridgeConfig::new(terminals);
    config.listen = "0.0.0.0:0".parse().unwrap();
    for (allow_remote, token) in [
        (false, None),
        (true, None),
        (false, Some("t0ken-long-enough")),
    ] {
        config.allow_remote = allow_remote;
        config.token = token.map(str::to_owned);
        let refused = concert_bridge::Bridge::bind(config.clone()).await;
        assert!(
            matches!(
                refused,
                Err(concert_bridge::BridgeError::RemoteNotAllowed(_))
            ),
            "{allow_remote} {token:?}: {refused:?}"
        );
    }
    config.allow_remote = true;
    config.token = Some("t0ken-long-enough".into());
    let bridge = concert_bridge::Bridge::bind(config)
        .await
        .expect("allowed with both");
    assert!(!bridge.local_addr().ip().is_loopback());
    sim.stop();
}
