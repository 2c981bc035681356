//! Odoo's hardware-proxy routes, as the OCA `pos_payment_terminal` module
//! calls them and the IoT box / odoo-driver answer them: `hello`,
//! `handshake`, `status_json` (polled every second during a payment) and
//! `payment_terminal_transaction_start` (answered at once; the payment runs
//! in the background and its end shows in `status_json`).
//!
//! Odoo sends the amount as a JavaScript number, so `68.32` may arrive as
//! `68.32000000000001`. Such float noise around an amount the currency can
//! represent is converted exactly; anything else (`12.345` EUR) is refused,
//! never rounded.

use std::sync::Arc;

use axum::Json;
use axum::body::Body;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use concert_core::currency::Currency;
use concert_core::terminal::{Application, Operation, Request, RequestError, Status};
use serde_json::{Map, Value, json};

use crate::api::read_json;
use crate::codes::{ApiError, ErrorBody};
use crate::hub::{Hub, OdooView, RetryKey, Source, Start};

/// How many of its transactions per terminal Odoo's status poll sees.
const STATUS_TRANSACTIONS: usize = 20;

/// How many units in the last place a float may be off the amount it
/// stands for: a till adding up a few lines in floats drifts by a few.
const MAX_ULPS: u64 = 64;

/// A float amount into minor units of a currency with `exponent`
/// decimals, exactly: only when the float is the nearest double (give or
/// take a few units in the last place) of a decimal with at most
/// `exponent` decimals.
pub fn exact_minor_units(amount: f64, exponent: u32) -> Result<u64, String> {
    if !amount.is_finite() || amount <= 0.0 {
        return Err(format!("amount {amount} must be a positive number"));
    }
    let scale = 10u64
        .checked_pow(exponent)
        .ok_or_else(|| format!("currency exponent {exponent} is too large"))?;
    // Above 2^53 a double no longer holds every integer.
    let limit = (1u64 << 53) / scale;
    if amount >= limit as f64 {
        return Err(format!("amount {amount} is too large"));
    }
    let candidate = (amount * scale as f64).round();
    if candidate < 1.0 {
        return Err(format!(
            "amount {amount} is not a whole number of the currency's {exponent}-decimal units"
        ));
    }
    let minor = candidate as u64;
    let whole = minor / scale;
    let fraction = minor % scale;
    let text = if exponent == 0 {
        whole.to_string()
    } else {
        format!("{whole}.{fraction:0width$}", width = exponent as usize)
    };
    let nearest: f64 = text
        .parse()
        .map_err(|_| format!("amount {amount} cannot be read"))?;
    if nearest.to_bits().abs_diff(amount.to_bits()) > MAX_ULPS {
        return Err(format!(
            "amount {amount} has more than {exponent} decimals for this currency: \
             refused rather than rounded"
        ));
    }
    Ok(minor)
}

fn rpc_id(body: &Value) -> Value {
    body.get("id").cloned().unwrap_or(Value::Null)
}

fn rpc_result(id: Value, result: Value) -> Response {
    Json(json!({"jsonrpc": "2.0", "id": id, "result": result})).into_response()
}

/// A JSON-RPC error, as Odoo's `rpc` expects it (HTTP 200, an `error`
/// member); `data.error` holds the bridge's error object.
fn rpc_error(id: Value, error: &ApiError) -> Response {
    Json(json!({
        "jsonrpc": "2.0",
        "id": id,
        "error": {
            "code": 200,
            "message": error.body.message,
            "data": {"name": "concert.bridge", "message": error.body.message, "error": error.body},
        },
    }))
    .into_response()
}

/// `GET /hw_proxy/hello`.
pub async fn hello() -> Response {
    (
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        "ping",
    )
        .into_response()
}

/// `POST /hw_proxy/handshake`.
pub async fn handshake(State(hub): State<Arc<Hub>>, body: Body) -> Response {
    // The POS sends a JSON-RPC call; only its id matters.
    let id = read_json(&hub, body)
        .await
        .map(|b| rpc_id(&b))
        .unwrap_or(Value::Null);
    rpc_result(id, Value::Bool(true))
}

fn params(body: &Value) -> Result<Map<String, Value>, ApiError> {
    match body.get("params") {
        None | Some(Value::Null) => Ok(Map::new()),
        Some(Value::Object(p)) => Ok(p.clone()),
        Some(other) => Err(ApiError::usage(format!(
            "params must be an object, not {other}"
        ))),
    }
}

fn driver_name(hub: &Hub, terminal: &str) -> String {
    if hub.slots().first().is_some_and(|s| s.name == terminal) {
        "payment_terminal".to_owned()
    } else {
        format!("payment_terminal_{terminal}")
    }
}

/// What Odoo's status poll says of one transaction.
pub fn transaction_entry(view: &OdooView) -> Value {
    let (success, status, details) = match &view.end {
        None => (
            Value::Null,
            "waiting".to_owned(),
            format!("waiting for the card holder on {}", view.terminal),
        ),
        Some(Err(e)) => (
            Value::Bool(false),
            "not_sent".to_owned(),
            not_sent_details(e),
        ),
        Some(Ok((status, outcome))) => {
            let outcome = serde_json::to_value(outcome).unwrap_or(Value::Null);
            let partial = outcome.get("partial") == Some(&Value::Bool(true));
            let success = match status {
                // Money moved, but less than the line: neither paid nor
                // failed for the POS; the cashier records what was taken.
                Status::Approved if partial => Value::Null,
                Status::Approved => Value::Bool(true),
                // Nobody knows yet: the POS must keep the line waiting.
                Status::InDoubt | Status::Pending => Value::Null,
                Status::Declined | Status::Aborted | Status::NotPerformed => Value::Bool(false),
                // A status this version does not know: not paid, not failed.
                _ => Value::Null,
            };
            let name = if *status == Status::Approved && partial {
                "partial"
            } else {
                status.as_str()
            };
            (success, name.to_owned(), outcome_details(*status, &outcome))
        }
    };
    json!({
        "transaction_id": view.id,
        "success": success,
        "status": status,
        "status_details": details,
    })
}

fn not_sent_details(e: &ErrorBody) -> String {
    format!(
        "not sent to the terminal, nothing was charged: {}",
        e.message
    )
}

fn outcome_details(status: Status, o: &Value) -> String {
    let text = |k: &str| o.get(k).and_then(Value::as_str).filter(|s| !s.is_empty());
    let mut parts = Vec::new();
    match status {
        Status::InDoubt => parts.push(format!(
            "IN DOUBT: {}. The payment may have gone through: check the terminal or its last ticket \
             before taking this payment again",
            text("in_doubt_cause").unwrap_or("no valid answer came back")
        )),
        Status::Pending => parts.push("accepted, result to fetch from the terminal".to_owned()),
        Status::Approved if o.get("partial") == Some(&Value::Bool(true)) => parts.push(format!(
            "APPROVED FOR LESS than asked ({} minor units asked): record the amount taken by hand \
             and collect the rest another way",
            o.get("requested_amount").and_then(Value::as_u64).unwrap_or(0)
        )),
        _ => {
            let mut headline = status.as_str().to_owned();
            if let Some(reason) = text("reason") {
                headline = format!("{headline}: {reason}");
            }
            if let Some(code) = text("reason_code") {
                headline = format!("{headline} ({code})");
            }
            parts.push(headline);
        }
    }
    if let (Some(a), Some(c)) = (text("amount_decimal"), text("currency")) {
        parts.push(format!("{a} {c}"));
    }
    if let Some(card) = text("card_number") {
        parts.push(format!("card {card}"));
    }
    if let Some(auth) = text("authorization_number") {
        parts.push(format!("authorisation {auth}"));
    }
    parts.join("; ")
}

/// `POST /hw_proxy/status_json` (and `PUT`, as odoo-driver takes it).
pub async fn status_json(State(hub): State<Arc<Hub>>, body: Body) -> Response {
    let body = match read_json(&hub, body).await {
        Ok(b) => b,
        Err(e) => return rpc_error(Value::Null, &e),
    };
    let id = rpc_id(&body);
    let wanted = match params(&body) {
        Ok(p) => match p.get("terminal_id") {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) if !s.is_empty() => Some(s.clone()),
            Some(Value::String(_)) => None,
            Some(other) => {
                return rpc_error(
                    id,
                    &ApiError::usage(format!("terminal_id must be a string, not {other}")),
                );
            }
        },
        Err(e) => return rpc_error(id, &e),
    };
    let mut drivers = Map::new();
    for slot in hub.slots() {
        if wanted.as_deref().is_some_and(|w| w != slot.name) {
            continue;
        }
        let transactions: Map<String, Value> = hub
            .odoo_transactions(&slot.name, STATUS_TRANSACTIONS)
            .iter()
            .map(|v| (v.id.clone(), transaction_entry(v)))
            .collect();
        drivers.insert(
            driver_name(&hub, &slot.name),
            json!({
                "status": "connected",
                "is_terminal": true,
                "terminal_id": slot.name,
                "busy": hub.busy(slot),
                "transactions": transactions,
            }),
        );
    }
    rpc_result(id, Value::Object(drivers))
}

fn payment_info(params: &Map<String, Value>) -> Result<Map<String, Value>, ApiError> {
    match params.get("payment_info") {
        Some(Value::String(text)) => match serde_json::from_str(text) {
            Ok(Value::Object(info)) => Ok(info),
            Ok(_) => Err(ApiError::usage("payment_info must hold a JSON object")),
            Err(e) => Err(ApiError::usage(format!("payment_info is not JSON: {e}"))),
        },
        Some(Value::Object(info)) => Ok(info.clone()),
        Some(other) => Err(ApiError::usage(format!(
            "payment_info must be a JSON string or an object, not {other}"
        ))),
        None => Err(ApiError::usage("params.payment_info is required")),
    }
}

fn odoo_text(info: &Map<String, Value>, name: &str) -> Result<Option<String>, ApiError> {
    match info.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(Value::Number(n)) => Ok(Some(n.to_string())),
        Some(other) => Err(ApiError::usage(format!(
            "{name} must be a string, not {other}"
        ))),
    }
}

/// The request an Odoo `payment_info` describes, on which terminal, under
/// which retry key.
pub fn odoo_start(hub: &Hub, info: &Map<String, Value>) -> Result<Start, ApiError> {
    let currency_text = odoo_text(info, "currency_iso")?
        .ok_or_else(|| ApiError::usage("currency_iso is required"))?;
    let currency = Currency::parse(&currency_text)
        .map_err(|e| ApiError::usage(format!("currency_iso: {e}")))?;
    if let Some(decimals) = info.get("currency_decimals").filter(|v| !v.is_null())
        && decimals.as_u64().is_none_or(|d| d > 6)
    {
        return Err(ApiError::usage(format!(
            "currency_decimals must be a whole number from 0 to 6, not {decimals}"
        )));
    }
    let amount = match info.get("amount") {
        Some(Value::Number(n)) => {
            let x = n
                .as_f64()
                .ok_or_else(|| ApiError::usage(format!("amount {n} is not a number")))?;
            exact_minor_units(x, currency.exponent()).map_err(ApiError::usage)?
        }
        Some(Value::String(s)) => concert_core::amount::parse_decimal(s, currency)
            .map_err(|e| ApiError::usage(format!("amount {s:?}: {e}")))?,
        Some(other) => {
            return Err(ApiError::usage(format!(
                "amount must be a number, not {other}"
            )));
        }
        None => return Err(ApiError::usage("amount is required")),
    };
    if amount == 0 {
        return Err(ApiError::usage("amount must be greater than zero"));
    }
    let application = match odoo_text(info, "payment_mode")?.as_deref() {
        None | Some("card") => Application::Card,
        Some("check") | Some("cheque") => Application::Cheque,
        Some(other) => {
            return Err(ApiError::usage(format!(
                "payment_mode {other:?}: expected card or check"
            )));
        }
    };
    let terminal = odoo_text(info, "terminal_id")?.filter(|t| !t.is_empty());
    let slot = hub.slot(terminal.as_deref())?;
    let mut request = Request::new(Operation::Pay);
    request.amount = Some(amount);
    request.currency = Some(currency);
    request.application = Some(application);
    request.private_data = odoo_text(info, "order_id")?.filter(|o| !o.is_empty());
    // An order name longer than the protocol's merchant reference keeps
    // its end, where the order numbers differ.
    if let Err(RequestError::TooLong {
        field: "private data",
        max,
        ..
    }) = concert_core::terminal::encode_request(slot.terminal.config(), &request)
        && let Some(reference) = &request.private_data
    {
        let cut: String = reference
            .chars()
            .skip(reference.chars().count().saturating_sub(max))
            .collect();
        log::info!(
            "order reference {reference:?} is longer than {max} characters: sent as {cut:?}"
        );
        request.private_data = Some(cut);
    }
    let key = odoo_text(info, "payment_id")?
        .filter(|p| !p.is_empty())
        .map(|p| RetryKey::Attempt(format!("odoo\u{1f}{}\u{1f}{p}", slot.name)));
    Ok(Start {
        terminal: slot.name.clone(),
        request,
        key,
        source: Source::Odoo,
    })
}

/// `POST /hw_proxy/payment_terminal_transaction_start`.
pub async fn transaction_start(State(hub): State<Arc<Hub>>, body: Body) -> Response {
    let body = match read_json(&hub, body).await {
        Ok(b) => b,
        Err(e) => return rpc_error(Value::Null, &e),
    };
    let id = rpc_id(&body);
    let started = params(&body)
        .and_then(|p| payment_info(&p))
        .and_then(|info| odoo_start(&hub, &info))
        .and_then(|start| hub.start(start));
    match started {
        Ok((tx, replayed)) => {
            let tx_id = tx["id"].as_str().unwrap_or_default().to_owned();
            let terminal = tx["terminal"].as_str().unwrap_or_default().to_owned();
            let started = OdooView {
                id: tx_id.clone(),
                terminal: terminal.clone(),
                end: None,
            };
            // A new payment is answered as started, however fast it ends
            // (the POS then polls); a retry sees where its payment stands.
            let view = if replayed {
                hub.odoo_transactions(&terminal, STATUS_TRANSACTIONS)
                    .into_iter()
                    .find(|v| v.id == tx_id)
                    .unwrap_or(started)
            } else {
                started
            };
            rpc_result(id, transaction_entry(&view))
        }
        Err(e) => {
            log::warn!("Odoo payment refused: {}", e.body.message);
            rpc_error(id, &e)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::exact_minor_units;

    #[test]
    fn float_noise_is_converted_exactly() {
        assert_eq!(exact_minor_units(68.32000000000001, 2), Ok(6832));
        assert_eq!(exact_minor_units(68.32, 2), Ok(6832));
        assert_eq!(exact_minor_units(0.1 + 0.2, 2), Ok(30));
        assert_eq!(exact_minor_units(12.0, 0), Ok(12));
        assert_eq!(exact_minor_units(1.005, 3), Ok(1005));
        assert_eq!(exact_minor_units(19.99 * 3.0, 2), Ok(5997));
        assert_eq!(exact_minor_units(0.01, 2), Ok(1));
        assert_eq!(exact_minor_units(9_999_999.99, 2), Ok(999_999_999));
    }

    #[test]
    fn other_amounts_are_refused() {
        for (x, e) in [
            (12.345, 2),
            (12.5, 0),
            (0.0, 2),
            (-5.0, 2),
            (0.004, 2),
            (68.3201, 2),
            (f64::NAN, 2),
            (f64::INFINITY, 2),
            (1e300, 2),
        ] {
            assert!(exact_minor_units(x, e).is_err(), "{x} with {e} decimals");
        }
    }
}
