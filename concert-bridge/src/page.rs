//! The test till page served at `/`: plain HTML and JavaScript, no build
//! step, calling the same API any web till would.

use axum::http::header;
use axum::response::{IntoResponse, Response};

const PAGE: &str = include_str!("../static/index.html");

/// `GET /`.
pub async fn index() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (
                header::CONTENT_SECURITY_POLICY,
                "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self' ws: wss:; img-src 'self'",
            ),
            (header::CACHE_CONTROL, "no-store"),
        ],
        PAGE,
    )
        .into_response()
}
