//! Odoo's POS (OCA `pos_payment_terminal`) against the bridge and the
//! simulator: the requests its `payment_terminal.esm.js` and Odoo's
//! hardware proxy send, in the order they send them.

mod common;

use std::time::{Duration, Instant};

use common::{BOUND, Live};
use concert_core::sim::{Faults, Script, SimulatorConfig};
use concert_core::v3::Reason;
use serde_json::{Value, json};

/// Odoo's `rpc`: a JSON-RPC 2.0 call.
async fn rpc(live: &Live, route: &str, id: u64, params: Value) -> Value {
    let r = live
        .http
        .post(format!("{}/hw_proxy/{route}", live.url))
        .header("Origin", "https://pos.example.com")
        .json(&json!({"id": id, "jsonrpc": "2.0", "method": "call", "params": params}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    assert_eq!(
        r.headers()["access-control-allow-origin"],
        "https://pos.example.com"
    );
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["jsonrpc"], "2.0");
    assert_eq!(body["id"], id);
    body
}

/// What `_ocaPaymentTerminalGetData` builds, stringified as the module does.
fn payment_info(amount: f64, uuid: &str) -> Value {
    payment_info_for(amount, uuid, "ORDER000010010001")
}

fn payment_info_for(amount: f64, uuid: &str, order: &str) -> Value {
    let data = json!({
        "amount": amount,
        "currency_iso": "EUR",
        "currency_decimals": 2,
        "payment_mode": "card",
        "payment_id": uuid,
        "order_id": order,
    });
    json!({"payment_info": data.to_string()})
}

async fn pos(config: SimulatorConfig) -> Live {
    common::start(vec![config], |c| {
        c.allowed_origins = vec!["https://pos.example.com".into()];
    })
    .await
}

/// The POS opening: hello, handshake, a first status poll.
async fn open(live: &Live) {
    let hello = live
        .http
        .get(format!("{}/hw_proxy/hello", live.url))
        .header("Origin", "https://pos.example.com")
        .send()
        .await
        .unwrap();
    assert_eq!(hello.status().as_u16(), 200);
    assert_eq!(hello.text().await.unwrap(), "ping");
    assert_eq!(rpc(live, "handshake", 1, json!({})).await["result"], true);
    let status = rpc(live, "status_json", 2, json!({})).await;
    let driver = &status["result"]["payment_terminal"];
    assert_eq!(driver["is_terminal"], true);
    assert_eq!(driver["status"], "connected");
}

/// `_ocaPollForTransactionStatus`: polls until `success` is set (or the
/// bound passes), as the POS does every second (faster here).
async fn poll_until_settled(live: &Live, transaction_id: &str) -> Value {
    let deadline = Instant::now() + BOUND;
    let mut n = 10;
    loop {
        n += 1;
        let status = rpc(live, "status_json", n, json!({})).await;
        for driver in status["result"].as_object().unwrap().values() {
            if driver["is_terminal"] != true {
                continue;
            }
            if let Some(t) = driver["transactions"].get(transaction_id)
                && !t["success"].is_null()
            {
                return t.clone();
            }
        }
        assert!(Instant::now() < deadline, "success never set");
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

async fn start(live: &Live, amount: f64, uuid: &str) -> Value {
    let started = rpc(
        live,
        "payment_terminal_transaction_start",
        5,
        payment_info(amount, uuid),
    )
    .await;
    let result = started["result"].clone();
    assert!(result.get("transaction_id").is_some(), "{started}");
    result
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn approved() {
    let mut live = pos(SimulatorConfig::default()).await;
    open(&live).await;
    let result = start(&live, 68.32000000000001, "uuid-approved").await;
    assert!(
        result["success"].is_null(),
        "answered at once, waiting: {result}"
    );
    let id = result["transaction_id"].as_str().unwrap();
    let settled = poll_until_settled(&live, id).await;
    assert_eq!(settled["success"], true);
    assert_eq!(settled["status"], "approved");
    let details = settled["status_details"].as_str().unwrap();
    assert!(details.contains("68.32 EUR"), "{details}");
    assert!(details.contains("497010######7894"), "{details}");
    assert!(details.contains("authorisation"), "{details}");
    // The float noise became exactly 6832, and the order went as reference.
    let (_, tx) = live.get(&format!("/v1/transactions/{id}")).await;
    assert_eq!(tx["amount"], 6832);
    assert_eq!(tx["reference"], "ORDER000010010001");
    assert_eq!(live.sims[0].journal().len(), 1);
    live.stopped().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn declined() {
    let mut live = pos(SimulatorConfig::default()).await;
    live.sims[0].push_script(Script::Decline(Reason::Refused));
    open(&live).await;
    let result = start(&live, 12.5, "uuid-declined").await;
    let id = result["transaction_id"].as_str().unwrap().to_owned();
    let settled = poll_until_settled(&live, &id).await;
    assert_eq!(settled["success"], false);
    assert_eq!(settled["status"], "declined");
    // The cashier retries the line (same payment id): a new attempt.
    let again = start(&live, 12.5, "uuid-declined").await;
    let again_id = again["transaction_id"].as_str().unwrap();
    assert_ne!(again_id, id);
    assert_eq!(poll_until_settled(&live, again_id).await["success"], true);
    live.stopped().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn in_doubt_keeps_success_null() {
    let sim = {
        let mut v = SimulatorConfig::default();
        v.faults = {
            let mut v = Faults::default();
            v.close_mid_answer = true;
            v
        };
        v
    };
    let mut live = pos(sim).await;
    open(&live).await;
    // The simulator sends half its answer: with this reference the cut
    // falls inside a record (a cut between records would leave a whole,
    // shorter approval, which is one).
    let result = rpc(
        &live,
        "payment_terminal_transaction_start",
        5,
        payment_info_for(30.0, "uuid-doubt", "ORDER7"),
    )
    .await["result"]
        .clone();
    let id = result["transaction_id"].as_str().unwrap().to_owned();
    // Known to be over through the API; the POS keeps seeing null.
    let tx = live.wait(&id).await;
    assert_eq!(tx["outcome"]["status"], "in_doubt", "{tx}");
    let status = rpc(&live, "status_json", 9, json!({})).await;
    let t = &status["result"]["payment_terminal"]["transactions"][&id];
    assert!(t["success"].is_null(), "{t}");
    assert_eq!(t["status"], "in_doubt");
    assert!(
        t["status_details"]
            .as_str()
            .unwrap()
            .starts_with("IN DOUBT")
    );
    // A retry of that line returns the same transaction: never a second payment.
    let again = rpc(
        &live,
        "payment_terminal_transaction_start",
        6,
        payment_info_for(30.0, "uuid-doubt", "ORDER7"),
    )
    .await["result"]
        .clone();
    assert_eq!(again["transaction_id"], id.as_str());
    assert!(again["success"].is_null());
    assert_eq!(live.sims[0].journal().len(), 1);
    live.stopped().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn inexact_amounts_are_refused_and_reach_no_terminal() {
    let mut live = pos(SimulatorConfig::default()).await;
    open(&live).await;
    for amount in [12.345, 0.0, -3.0, 0.001] {
        let answer = rpc(
            &live,
            "payment_terminal_transaction_start",
            7,
            payment_info(amount, "uuid-bad"),
        )
        .await;
        assert!(answer.get("result").is_none(), "{answer}");
        assert_eq!(
            answer["error"]["data"]["error"]["code"], "CONCERT_USAGE",
            "{answer}"
        );
    }
    let answer = rpc(
        &live,
        "payment_terminal_transaction_start",
        8,
        json!({"payment_info": "{not json"}),
    )
    .await;
    assert_eq!(answer["error"]["data"]["error"]["code"], "CONCERT_USAGE");
    assert!(live.sims[0].journal().is_empty());
    // payment_info as an object and a terminal_id are taken too.
    let answer = rpc(
        &live,
        "payment_terminal_transaction_start",
        9,
        json!({"payment_info": {"amount": 1.1, "currency_iso": "EUR", "terminal_id": "lane0", "payment_mode": "check"}}),
    )
    .await;
    let id = answer["result"]["transaction_id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(live.wait(&id).await["amount"], 110);
    live.stopped().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_terminal_id_picks_the_terminal_and_its_driver() {
    let mut live = common::start(
        vec![SimulatorConfig::default(), SimulatorConfig::default()],
        |c| {
            c.allowed_origins = vec!["https://pos.example.com".into()];
        },
    )
    .await;
    open(&live).await;
    let mut info: Value = serde_json::from_str(
        payment_info(4.2, "uuid-lane1")["payment_info"]
            .as_str()
            .unwrap(),
    )
    .unwrap();
    info["terminal_id"] = json!("lane1");
    let started = rpc(
        &live,
        "payment_terminal_transaction_start",
        5,
        json!({"payment_info": info.to_string()}),
    )
    .await;
    let id = started["result"]["transaction_id"]
        .as_str()
        .unwrap()
        .to_owned();
    live.wait(&id).await;
    // The POS asks with the payment method's terminal id.
    let status = rpc(&live, "status_json", 6, json!({"terminal_id": "lane1"})).await;
    let drivers = status["result"].as_object().unwrap();
    assert_eq!(drivers.len(), 1, "{status}");
    let driver = &drivers["payment_terminal_lane1"];
    assert_eq!(driver["terminal_id"], "lane1");
    assert_eq!(driver["transactions"][&id]["success"], true);
    assert_eq!(live.sims[1].journal().len(), 1);
    assert!(live.sims[0].journal().is_empty());
    live.stopped().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_partial_approval_is_neither_paid_nor_failed_for_the_pos() {
    let mut live = pos(SimulatorConfig::default()).await;
    live.sims[0].push_script(Script::Partial(1000));
    open(&live).await;
    let result = start(&live, 12.5, "uuid-partial").await;
    let id = result["transaction_id"].as_str().unwrap().to_owned();
    let tx = live.wait(&id).await;
    assert_eq!(tx["outcome"]["status"], "approved", "{tx}");
    assert_eq!(tx["outcome"]["partial"], true);
    let status = rpc(&live, "status_json", 9, json!({})).await;
    let t = &status["result"]["payment_terminal"]["transactions"][&id];
    assert!(t["success"].is_null(), "{t}");
    assert_eq!(t["status"], "partial");
    assert!(
        t["status_details"]
            .as_str()
            .unwrap()
            .contains("APPROVED FOR LESS"),
        "{t}"
    );
    live.stopped().await;
}
