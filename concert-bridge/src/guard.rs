//! What every request passes before a handler sees it: the Host a loopback
//! bridge answers to, the browser origins allowed by name, the bearer
//! token. A refused request gets its 4xx here, so nothing of it can reach
//! a terminal.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::api::query_value;
use crate::codes::{self, ApiError};
use crate::hub::Hub;

/// Paths anyone who reaches the bridge may read: the page and the API
/// document hold nothing secret.
const PUBLIC: &[&str] = &["/", "/openapi.json"];

/// Headers a browser page may send.
const ALLOW_HEADERS: &str = "authorization, content-type, idempotency-key";
/// Headers a browser page may read.
const EXPOSE_HEADERS: &str = "location, idempotent-replayed";

/// Whether `host` (a Host header, with or without port) names this machine.
fn loopback_host(host: &str) -> bool {
    let name = if let Some(rest) = host.strip_prefix('[') {
        rest.split(']').next().unwrap_or("")
    } else {
        host.rsplit_once(':').map_or(host, |(h, _)| h)
    };
    name.eq_ignore_ascii_case("localhost")
        || name
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// The origins of the bridge's own page.
fn own_origins(local: SocketAddr, headers: &HeaderMap) -> Vec<String> {
    let port = local.port();
    let mut own = vec![
        format!("http://127.0.0.1:{port}"),
        format!("http://localhost:{port}"),
        format!("http://[::1]:{port}"),
    ];
    if !local.ip().is_loopback() {
        // Reached by a LAN name or address: the page comes from whatever
        // the browser called this machine (the token protects the rest).
        if let Some(host) = headers.get(header::HOST).and_then(|h| h.to_str().ok()) {
            own.push(format!("http://{host}"));
        }
    }
    own
}

/// Compares without stopping at the first difference.
fn same_secret(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

fn token_ok(expected: &str, request: &Request) -> bool {
    let bearer = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    if let Some(given) = bearer {
        return same_secret(given.trim().as_bytes(), expected.as_bytes());
    }
    // Browsers cannot set headers on a WebSocket: the token comes in the
    // query there, and there only.
    if request.uri().path() == "/v1/events" {
        let query = request.uri().query().map(str::to_owned);
        if let Some(given) = query_value(&query, "access_token") {
            return same_secret(given.as_bytes(), expected.as_bytes());
        }
    }
    false
}

fn cors_headers(headers: &mut HeaderMap, origin: &HeaderValue) {
    headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin.clone());
    headers.insert(header::VARY, HeaderValue::from_static("Origin"));
    headers.insert(
        header::ACCESS_CONTROL_EXPOSE_HEADERS,
        HeaderValue::from_static(EXPOSE_HEADERS),
    );
}

/// The middleware.
pub async fn guard(State(hub): State<Arc<Hub>>, request: Request, next: Next) -> Response {
    let local = hub.local_addr();
    if local.ip().is_loopback() {
        let host = request
            .headers()
            .get(header::HOST)
            .and_then(|h| h.to_str().ok());
        if let Some(host) = host.filter(|h| !loopback_host(h)) {
            log::warn!("refused a request for host {host:?}");
            return ApiError::new(
                codes::HOST_REFUSED,
                format!("this bridge answers to localhost only, not {host:?}"),
            )
            .into_response();
        }
    }
    let origin = request.headers().get(header::ORIGIN).cloned();
    if let Some(origin) = &origin {
        let text = origin.to_str().unwrap_or("");
        let allowed = hub.config.allowed_origins.iter().any(|o| o == text)
            || own_origins(local, request.headers())
                .iter()
                .any(|o| o == text);
        if !allowed {
            log::warn!("refused a request from origin {text:?} (not in --allow-origin)");
            return ApiError::new(
                codes::ORIGIN_REFUSED,
                format!(
                    "origin {text:?} is not allowed: start the bridge with --allow-origin {text}"
                ),
            )
            .into_response();
        }
        if request.method() == Method::OPTIONS
            && request
                .headers()
                .contains_key(header::ACCESS_CONTROL_REQUEST_METHOD)
        {
            let mut response = StatusCode::NO_CONTENT.into_response();
            let headers = response.headers_mut();
            cors_headers(headers, origin);
            headers.insert(
                header::ACCESS_CONTROL_ALLOW_METHODS,
                HeaderValue::from_static("GET, POST, PUT"),
            );
            headers.insert(
                header::ACCESS_CONTROL_ALLOW_HEADERS,
                HeaderValue::from_static(ALLOW_HEADERS),
            );
            headers.insert(
                header::ACCESS_CONTROL_MAX_AGE,
                HeaderValue::from_static("600"),
            );
            // Chromium asks before a public page calls a local address.
            headers.insert(
                "access-control-allow-private-network",
                HeaderValue::from_static("true"),
            );
            return response;
        }
    }
    if let Some(token) = &hub.config.token {
        let public = request.method() == Method::GET && PUBLIC.contains(&request.uri().path());
        if !public && !token_ok(token, &request) {
            let mut response = ApiError::new(
                codes::UNAUTHORIZED,
                "a bearer token is required: Authorization: Bearer <token from --token-file>",
            )
            .into_response();
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
            if let Some(origin) = &origin {
                cors_headers(response.headers_mut(), origin);
            }
            return response;
        }
    }
    let mut response = next.run(request).await;
    if let Some(origin) = &origin {
        cors_headers(response.headers_mut(), origin);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_hosts() {
        for h in [
            "localhost",
            "localhost:8069",
            "127.0.0.1:1",
            "[::1]:8069",
            "[::1]",
            "LOCALHOST",
        ] {
            assert!(loopback_host(h), "{h}");
        }
        for h in [
            "evil.example:8069",
            "192.168.1.2",
            "localhost.evil.example",
            "[::2]:1",
            "",
        ] {
            assert!(!loopback_host(h), "{h}");
        }
    }

    #[test]
    fn secrets() {
        assert!(same_secret(b"abc", b"abc"));
        assert!(!same_secret(b"abc", b"abd"));
        assert!(!same_secret(b"abc", b"ab"));
    }
}
