//! The committed OpenAPI document, the route table and the router agree.

mod common;

use std::collections::BTreeSet;

use axum::body::Body;
use axum::http::Request;
use concert_bridge::{OPENAPI, ROUTES};
use serde_json::Value;
use tower::ServiceExt;

fn document() -> Value {
    serde_json::from_str(OPENAPI).expect("openapi.json is JSON")
}

fn documented() -> BTreeSet<(String, String)> {
    let doc = document();
    let mut out = BTreeSet::new();
    for (path, ops) in doc["paths"].as_object().expect("paths") {
        for method in ops.as_object().expect("operations").keys() {
            if method != "parameters" {
                out.insert((method.to_uppercase(), path.clone()));
            }
        }
    }
    out
}

#[test]
fn every_route_is_documented_and_every_documented_route_exists() {
    let routes: BTreeSet<(String, String)> = ROUTES
        .iter()
        .map(|(m, p)| ((*m).to_owned(), (*p).to_owned()))
        .collect();
    let doc = documented();
    let missing: Vec<_> = routes.difference(&doc).collect();
    let extra: Vec<_> = doc.difference(&routes).collect();
    assert!(
        missing.is_empty(),
        "routes missing from openapi.json: {missing:?}"
    );
    assert!(
        extra.is_empty(),
        "documented routes the code lacks: {extra:?}"
    );
    assert_eq!(document()["openapi"], "3.1.0");
}

#[test]
fn documented_error_codes_are_the_code_table() {
    let doc = document();
    let documented: BTreeSet<&str> =
        doc["components"]["schemas"]["ErrorDetail"]["properties"]["code"]["enum"]
            .as_array()
            .expect("enum")
            .iter()
            .map(|v| v.as_str().expect("string"))
            .collect();
    let code: BTreeSet<&str> = concert_bridge::codes::all().collect();
    assert_eq!(documented, code);
}

fn router() -> axum::Router {
    let sim = concert_core::sim::Simulator::start(Default::default()).unwrap();
    let config = concert_bridge::BridgeConfig::new(vec![concert_bridge::NamedTerminal {
        name: "lane0".into(),
        config: common::terminal_for(&sim),
    }]);
    // The simulator may go: no request below reaches a terminal.
    sim.stop();
    concert_bridge::test_router(config).unwrap()
}

async fn reaches_a_handler(router: &axum::Router, method: &str, path: &str) -> bool {
    let path = path.replace("{name}", "nosuch").replace("{id}", "nosuch");
    let body = if method == "GET" {
        Body::empty()
    } else {
        Body::from("not json")
    };
    let response = router
        .clone()
        .oneshot(
            Request::builder()
                .method(method)
                .uri(&path)
                .header("host", "127.0.0.1")
                .body(body)
                .unwrap(),
        )
        .await
        .unwrap();
    let status = response.status().as_u16();
    let bytes = axum::body::to_bytes(response.into_body(), 1 << 20)
        .await
        .unwrap();
    let text = String::from_utf8_lossy(&bytes);
    // The fallbacks answer with these two codes and nothing else does.
    !(status == 405 || (status == 404 && text.contains("no such route")))
}

#[tokio::test]
async fn the_router_answers_exactly_the_documented_routes() {
    let router = router();
    for (method, path) in documented() {
        assert!(
            reaches_a_handler(&router, &method, &path).await,
            "{method} {path} is documented but the router has no handler"
        );
    }
    // And nothing else: every other method on each path is refused.
    let doc = documented();
    for (_, path) in &doc {
        for method in ["GET", "POST", "PUT", "DELETE", "PATCH"] {
            if doc.contains(&(method.to_owned(), path.clone())) {
                continue;
            }
            assert!(
                !reaches_a_handler(&router, method, path).await,
                "{method} {path} reaches a handler but is not documented"
            );
        }
    }
    assert!(!reaches_a_handler(&router, "GET", "/v2/nothing").await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_bridge_serves_the_committed_document_and_the_page() {
    let mut live = common::one(Default::default()).await;
    let (status, served) = live.get("/openapi.json").await;
    assert_eq!(status, 200);
    assert_eq!(served, document());
    let page = live
        .http
        .get(format!("{}/", live.url))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status().as_u16(), 200);
    let csp = page.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(csp.contains("default-src 'none'"), "{csp}");
    let html = page.text().await.unwrap();
    assert!(html.contains("id=\"pay\"") && html.contains("/v1/transactions"));
    live.stopped().await;
}
