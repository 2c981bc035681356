//! The versioned JSON API under `/v1`.

use std::sync::Arc;
use std::time::Duration;

use axum::Json;
use axum::body::Body;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use concert_core::amount::parse_decimal;
use concert_core::currency::{Currency, EUR};
use concert_core::terminal::{Application, Operation, ReceiptWanted, Request};
use concert_core::v3::{ReceiptCopy, ReceiptFormat};
use serde_json::{Map, Value, json};

use crate::codes::{self, ApiError};
use crate::hub::{Hub, RetryKey, Source, Start};

/// The longest long poll, in seconds.
pub const MAX_WAIT_SECS: u64 = 60;
/// The most transactions one list answers with.
pub const MAX_LIST: usize = 100;
/// The longest `Idempotency-Key`.
pub const MAX_KEY_LEN: usize = 255;

/// Reads a JSON body of at most the configured size.
pub async fn read_json(hub: &Hub, body: Body) -> Result<Value, ApiError> {
    let bytes = axum::body::to_bytes(body, hub.config.body_limit)
        .await
        .map_err(|_| {
            ApiError::new(
                codes::BODY_TOO_LARGE,
                format!("the body is over {} bytes", hub.config.body_limit),
            )
        })?;
    if bytes.is_empty() {
        return Err(ApiError::usage(
            "the body is empty: a JSON object is expected",
        ));
    }
    serde_json::from_slice(&bytes)
        .map_err(|e| ApiError::usage(format!("the body is not JSON: {e}")))
}

/// The query string's `name=value` pairs (values taken as they are:
/// every value the API reads is a number or an id).
pub fn query_value<'a>(query: &'a Option<String>, name: &str) -> Option<&'a str> {
    query
        .as_deref()?
        .split('&')
        .filter_map(|pair| pair.split_once('=').or(Some((pair, ""))))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

fn path_param(p: Result<Path<String>, PathRejection>) -> Result<String, ApiError> {
    p.map(|Path(s)| s)
        .map_err(|e| ApiError::usage(format!("bad path parameter: {e}")))
}

fn field<'a>(body: &'a Map<String, Value>, name: &str) -> Option<&'a Value> {
    body.get(name).filter(|v| !v.is_null())
}

fn text_field<'a>(body: &'a Map<String, Value>, name: &str) -> Result<Option<&'a str>, ApiError> {
    match field(body, name) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(other) => Err(ApiError::usage(format!(
            "{name} must be a string, not {other}"
        ))),
    }
}

/// The amount as integer minor units or an exact decimal string.
pub fn amount(value: &Value, currency: Currency) -> Result<u64, ApiError> {
    let minor = match value {
        Value::Number(n) => n.as_u64().ok_or_else(|| {
            ApiError::usage(format!(
                "amount {n} is not a whole number of minor units: send 1250, or the decimal string \"12.50\""
            ))
        })?,
        Value::String(s) => parse_decimal(s, currency)
            .map_err(|e| ApiError::usage(format!("amount {s:?}: {e}")))?,
        other => {
            return Err(ApiError::usage(format!(
                "amount must be integer minor units or a decimal string, not {other}"
            )));
        }
    };
    if minor == 0 {
        return Err(ApiError::usage("amount must be greater than zero"));
    }
    Ok(minor)
}

const START_FIELDS: &[&str] = &[
    "operation",
    "amount",
    "currency",
    "reference",
    "receipt",
    "receipt_format",
    "application",
    "terminal",
];

/// A start request body into the terminal's name and the request.
pub fn start_request(hub: &Hub, body: &Value) -> Result<(String, Request), ApiError> {
    let body = body
        .as_object()
        .ok_or_else(|| ApiError::usage("the body must be a JSON object"))?;
    if let Some(unknown) = body.keys().find(|k| !START_FIELDS.contains(&k.as_str())) {
        return Err(ApiError::usage(format!(
            "unknown field {unknown:?}; known: {}",
            START_FIELDS.join(", ")
        )));
    }
    let operation = match text_field(body, "operation")? {
        Some("pay") => Operation::Pay,
        Some("refund") => Operation::Refund,
        Some("cancel") => Operation::Cancel,
        Some("preauthorize") => Operation::Preauthorize,
        Some(other) => {
            return Err(ApiError::usage(format!(
                "operation {other:?}: expected pay, refund, cancel or preauthorize"
            )));
        }
        None => return Err(ApiError::usage("operation is required")),
    };
    let currency = match text_field(body, "currency")? {
        Some(c) => Currency::parse(c).map_err(|e| ApiError::usage(format!("currency: {e}")))?,
        None => EUR,
    };
    let amount = amount(
        field(body, "amount").ok_or_else(|| ApiError::usage("amount is required"))?,
        currency,
    )?;
    let slot = hub.slot(text_field(body, "terminal")?)?;
    let mut request = Request::new(operation);
    request.amount = Some(amount);
    request.currency = Some(currency);
    request.private_data = text_field(body, "reference")?.map(str::to_owned);
    if let Some(copy) = text_field(body, "receipt")? {
        let copy: ReceiptCopy = copy
            .parse()
            .map_err(|e| ApiError::usage(format!("receipt: {e}")))?;
        let format: ReceiptFormat = text_field(body, "receipt_format")?
            .unwrap_or("text")
            .parse()
            .map_err(|e| ApiError::usage(format!("receipt_format: {e}")))?;
        request.receipt = Some(ReceiptWanted { copy, format });
    } else if field(body, "receipt_format").is_some() {
        return Err(ApiError::usage("receipt_format needs receipt"));
    }
    if let Some(app) = text_field(body, "application")? {
        request.application = Some(match app {
            "any" => Application::Any,
            "card" => Application::Card,
            "cheque" | "check" => Application::Cheque,
            "amex" => Application::Amex,
            other => {
                return Err(ApiError::usage(format!(
                    "application {other:?}: expected any, card, cheque or amex"
                )));
            }
        });
    }
    Ok((slot.name.clone(), request))
}

fn idempotency_key(headers: &HeaderMap) -> Result<Option<String>, ApiError> {
    let Some(value) = headers.get("idempotency-key") else {
        return Ok(None);
    };
    let key = value
        .to_str()
        .ok()
        .filter(|k| !k.is_empty() && k.len() <= MAX_KEY_LEN)
        .ok_or_else(|| {
            ApiError::usage(format!(
                "Idempotency-Key must be 1 to {MAX_KEY_LEN} printable ASCII characters"
            ))
        })?;
    Ok(Some(key.to_owned()))
}

/// `POST /v1/transactions`.
pub async fn start(State(hub): State<Arc<Hub>>, headers: HeaderMap, body: Body) -> Response {
    let result = async {
        let body = read_json(&hub, body).await?;
        let key = idempotency_key(&headers)?;
        let (terminal, request) = start_request(&hub, &body)?;
        let key = match (key, &request.private_data) {
            (Some(k), _) => Some(RetryKey::Strict(k)),
            (None, Some(reference)) => Some(RetryKey::Attempt(format!(
                "ref\u{1f}{terminal}\u{1f}{}\u{1f}{reference}",
                request.operation.name()
            ))),
            (None, None) => None,
        };
        hub.start(Start {
            terminal,
            request,
            key,
            source: Source::Api,
        })
    }
    .await;
    match result {
        Ok((tx, replayed)) => {
            let location = format!("/v1/transactions/{}", tx["id"].as_str().unwrap_or_default());
            let mut response = (
                if replayed {
                    StatusCode::OK
                } else {
                    StatusCode::CREATED
                },
                Json(tx),
            )
                .into_response();
            if let Ok(v) = HeaderValue::from_str(&location) {
                response.headers_mut().insert(header::LOCATION, v);
            }
            if replayed {
                response
                    .headers_mut()
                    .insert("idempotent-replayed", HeaderValue::from_static("true"));
            }
            response
        }
        Err(e) => e.into_response(),
    }
}

/// `GET /v1/transactions`.
pub async fn list(State(hub): State<Arc<Hub>>, RawQuery(query): RawQuery) -> Response {
    let limit = match query_value(&query, "limit") {
        None => 20,
        Some(v) => match v.parse::<usize>() {
            Ok(n) if (1..=MAX_LIST).contains(&n) => n,
            _ => {
                return ApiError::usage(format!(
                    "limit {v:?}: a whole number from 1 to {MAX_LIST}"
                ))
                .into_response();
            }
        },
    };
    Json(json!({"transactions": hub.recent(limit)})).into_response()
}

/// `GET /v1/transactions/{id}`, with `?wait=SECONDS` to wait for the end.
pub async fn get(
    State(hub): State<Arc<Hub>>,
    id: Result<Path<String>, PathRejection>,
    RawQuery(query): RawQuery,
) -> Response {
    let result = async {
        let id = path_param(id)?;
        let wait = match query_value(&query, "wait") {
            None => 0,
            Some(v) => match v.parse::<u64>() {
                Ok(n) if n <= MAX_WAIT_SECS => n,
                _ => {
                    return Err(ApiError::usage(format!(
                        "wait {v:?}: a whole number of seconds from 0 to {MAX_WAIT_SECS}"
                    )));
                }
            },
        };
        hub.get(&id, Duration::from_secs(wait)).await
    }
    .await;
    match result {
        Ok(tx) => Json(tx).into_response(),
        Err(e) => e.into_response(),
    }
}

/// `POST /v1/transactions/{id}/abort`.
pub async fn abort(
    State(hub): State<Arc<Hub>>,
    id: Result<Path<String>, PathRejection>,
) -> Response {
    match path_param(id).and_then(|id| hub.abort(&id)) {
        Ok(tx) => (StatusCode::ACCEPTED, Json(tx)).into_response(),
        Err(e) => e.into_response(),
    }
}

fn terminal_json(hub: &Hub, slot: &crate::hub::Slot) -> Value {
    json!({
        "name": slot.name,
        "connection": slot.place,
        "protocol": slot.terminal.config().protocol.name(),
        "pos_number": slot.terminal.config().pos_number,
        "busy": hub.busy(slot),
    })
}

/// `GET /v1/terminals`.
pub async fn terminals(State(hub): State<Arc<Hub>>) -> Response {
    let list: Vec<Value> = hub.slots().iter().map(|s| terminal_json(&hub, s)).collect();
    Json(json!({"terminals": list})).into_response()
}

/// `GET /v1/terminals/{name}`.
pub async fn terminal(
    State(hub): State<Arc<Hub>>,
    name: Result<Path<String>, PathRejection>,
) -> Response {
    match path_param(name).and_then(|n| hub.slot(Some(&n)).map(|s| terminal_json(&hub, s))) {
        Ok(v) => Json(v).into_response(),
        Err(e) => e.into_response(),
    }
}

async fn query_terminal(
    hub: Arc<Hub>,
    name: Result<Path<String>, PathRejection>,
    operation: Operation,
) -> Response {
    let result = async {
        let name = path_param(name)?;
        let slot = hub.slot(Some(&name))?;
        hub.query(slot, Request::new(operation)).await
    }
    .await;
    match result {
        Ok(v) => Json(v).into_response(),
        Err(e) => e.into_response(),
    }
}

/// `POST /v1/terminals/{name}/identify`.
pub async fn identify(
    State(hub): State<Arc<Hub>>,
    name: Result<Path<String>, PathRejection>,
) -> Response {
    query_terminal(hub, name, Operation::Identify).await
}

/// `POST /v1/terminals/{name}/status`: the last transaction's result (V3).
pub async fn status(
    State(hub): State<Arc<Hub>>,
    name: Result<Path<String>, PathRejection>,
) -> Response {
    query_terminal(hub, name, Operation::Status).await
}
