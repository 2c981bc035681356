//! Every error code the bridge answers with, and the HTTP status each one
//! maps to, in one table. The codes the core gives its errors
//! (`Error::code`) are the ones every binding uses; the bridge adds only
//! what HTTP brings (routes, origins, tokens, bodies, idempotency keys).

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use concert_core::terminal::Error as TerminalError;
use serde::Serialize;

/// One row of the table: code, HTTP status, whether retrying is safe.
struct Row {
    code: &'static str,
    status: StatusCode,
    safe_to_retry: bool,
}

const fn row(code: &'static str, status: StatusCode, safe_to_retry: bool) -> Row {
    Row {
        code,
        status,
        safe_to_retry,
    }
}

/// The core's codes (see `concert_core::terminal::Error::code`): nothing
/// reached the terminal, so each is safe to retry.
const CORE: &[Row] = &[
    row(
        "CONCERT_INVALID_REQUEST",
        StatusCode::UNPROCESSABLE_ENTITY,
        true,
    ),
    row("CONCERT_CONFIG", StatusCode::UNPROCESSABLE_ENTITY, true),
    row("CONCERT_BUSY", StatusCode::CONFLICT, true),
    row("CONCERT_CONNECT", StatusCode::BAD_GATEWAY, true),
    row("CONCERT_PORT", StatusCode::BAD_GATEWAY, true),
    row("CONCERT_NOT_DELIVERED", StatusCode::BAD_GATEWAY, true),
    row("CONCERT_CANCELLED", StatusCode::CONFLICT, true),
    // The terminal's journal could not record the request, so it was not sent.
    row("CONCERT_JOURNAL", StatusCode::SERVICE_UNAVAILABLE, true),
];

/// The bridge's own codes.
const BRIDGE: &[Row] = &[
    row(USAGE, StatusCode::BAD_REQUEST, true),
    row(NOT_FOUND, StatusCode::NOT_FOUND, true),
    row(METHOD_NOT_ALLOWED, StatusCode::METHOD_NOT_ALLOWED, true),
    row(UNKNOWN_TERMINAL, StatusCode::NOT_FOUND, true),
    row(ORIGIN_REFUSED, StatusCode::FORBIDDEN, true),
    row(HOST_REFUSED, StatusCode::FORBIDDEN, true),
    row(UNAUTHORIZED, StatusCode::UNAUTHORIZED, true),
    row(BODY_TOO_LARGE, StatusCode::PAYLOAD_TOO_LARGE, true),
    row(
        IDEMPOTENCY_MISMATCH,
        StatusCode::UNPROCESSABLE_ENTITY,
        false,
    ),
    row(FINISHED, StatusCode::CONFLICT, false),
    row(NOT_WEBSOCKET, StatusCode::UPGRADE_REQUIRED, true),
    row(SHUTTING_DOWN, StatusCode::SERVICE_UNAVAILABLE, true),
    row(TOO_MANY_WATCHERS, StatusCode::TOO_MANY_REQUESTS, true),
];

/// A request the bridge cannot read: bad JSON, a wrong field, an amount
/// that is not exact. The code the CLI gives bad flags.
pub const USAGE: &str = "CONCERT_USAGE";
/// No such transaction (or route).
pub const NOT_FOUND: &str = "CONCERT_NOT_FOUND";
/// The route exists, not with this method.
pub const METHOD_NOT_ALLOWED: &str = "CONCERT_METHOD_NOT_ALLOWED";
/// No terminal by that name.
pub const UNKNOWN_TERMINAL: &str = "CONCERT_UNKNOWN_TERMINAL";
/// The browser page's origin is not allowed (`--allow-origin`).
pub const ORIGIN_REFUSED: &str = "CONCERT_ORIGIN_REFUSED";
/// A Host header that names another machine on a loopback bridge (DNS
/// rebinding).
pub const HOST_REFUSED: &str = "CONCERT_HOST_REFUSED";
/// Missing or wrong bearer token.
pub const UNAUTHORIZED: &str = "CONCERT_UNAUTHORIZED";
/// The request body is over the limit.
pub const BODY_TOO_LARGE: &str = "CONCERT_BODY_TOO_LARGE";
/// An idempotency key reused for a different request: the first one may
/// have moved money, so retrying this one blindly is not safe.
pub const IDEMPOTENCY_MISMATCH: &str = "CONCERT_IDEMPOTENCY_MISMATCH";
/// Abort asked of a transaction that has already ended.
pub const FINISHED: &str = "CONCERT_FINISHED";
/// A plain HTTP request on the WebSocket route.
pub const NOT_WEBSOCKET: &str = "CONCERT_NOT_WEBSOCKET";
/// Every WebSocket slot is taken.
pub const TOO_MANY_WATCHERS: &str = "CONCERT_TOO_MANY_WATCHERS";
/// The bridge is stopping: no new transaction starts.
pub const SHUTTING_DOWN: &str = "CONCERT_SHUTTING_DOWN";

/// Every code the bridge can answer with, for the OpenAPI test.
pub fn all() -> impl Iterator<Item = &'static str> {
    CORE.iter().chain(BRIDGE).map(|r| r.code)
}

fn lookup(code: &str) -> Option<&'static Row> {
    CORE.iter().chain(BRIDGE).find(|r| r.code == code)
}

/// The body of every error: `{"error": {"code", "message", "safe_to_retry"}}`.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct ErrorBody {
    /// A stable code from the table above.
    pub code: &'static str,
    /// What went wrong, for people.
    pub message: String,
    /// Whether sending the same request again is safe.
    pub safe_to_retry: bool,
}

/// An error answered over HTTP.
#[derive(Debug, Clone)]
pub struct ApiError {
    /// The HTTP status.
    pub status: StatusCode,
    /// The body.
    pub body: ErrorBody,
}

impl ApiError {
    /// An error with one of the codes above.
    pub fn new(code: &'static str, message: impl Into<String>) -> ApiError {
        let (status, safe_to_retry) = lookup(code)
            .map(|r| (r.status, r.safe_to_retry))
            .unwrap_or((StatusCode::BAD_REQUEST, true));
        ApiError {
            status,
            body: ErrorBody {
                code,
                message: message.into(),
                safe_to_retry,
            },
        }
    }

    /// A bad request body or parameter.
    pub fn usage(message: impl Into<String>) -> ApiError {
        ApiError::new(USAGE, message)
    }

    /// The JSON value of the body.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({ "error": self.body })
    }
}

impl From<TerminalError> for ApiError {
    fn from(e: TerminalError) -> ApiError {
        let mut error = ApiError::new(e.code(), e.to_string());
        error.body.safe_to_retry = e.safe_to_retry();
        error
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.status, axum::Json(self.to_json())).into_response()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_core_error_has_a_row() {
        let errors = [
            TerminalError::Busy,
            TerminalError::Cancelled,
            TerminalError::NotDelivered("x".into()),
            TerminalError::PortOpen {
                path: "p".into(),
                reason: "r".into(),
            },
            TerminalError::Connect {
                target: "t".into(),
                source: std::io::Error::other("x"),
            },
            TerminalError::InvalidRequest(concert_core::terminal::RequestError::AmountZero),
            TerminalError::Journal(concert_core::journal::JournalError("disk full".into())),
        ];
        for e in errors {
            assert!(lookup(e.code()).is_some(), "{} has no row", e.code());
        }
        assert_eq!(
            ApiError::from(TerminalError::Busy).status,
            StatusCode::CONFLICT
        );
    }

    #[test]
    fn codes_are_unique() {
        let mut codes: Vec<_> = all().collect();
        let n = codes.len();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), n);
    }
}
