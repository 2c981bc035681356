//! Turns a protocol-neutral [`Request`] into the bytes of the configured
//! protocol, refusing anything the protocol cannot carry exactly.

use super::config::{Connection, Protocol, TerminalConfig};
use super::error::RequestError;
use super::request::{Operation, Request};
use crate::v2;
use crate::v3::{self, MessageBuilder, tags::*};

/// Longest private data a V3 `CF` carries.
pub const V3_PRIVATE_MAX: usize = 99;

fn check_text(field: &'static str, text: &str, max: usize) -> Result<(), RequestError> {
    if let Some(found) = text.chars().find(|c| !(' '..='~').contains(c)) {
        return Err(RequestError::NotAscii { field, found });
    }
    if text.len() > max {
        return Err(RequestError::TooLong {
            field,
            len: text.len(),
            max,
        });
    }
    Ok(())
}

/// [`check_text`] plus a minimum length (CONCERT-V3.md gives ranges).
fn check_range(
    field: &'static str,
    text: &str,
    min: usize,
    max: usize,
) -> Result<(), RequestError> {
    check_text(field, text, max)?;
    if text.len() < min {
        return Err(RequestError::TooShort {
            field,
            len: text.len(),
            min,
        });
    }
    Ok(())
}

fn money(request: &Request) -> Result<Option<(u64, crate::currency::Currency)>, RequestError> {
    let name = request.operation.name();
    if !request.operation.moves_money() {
        return Ok(None);
    }
    let amount = request.amount.ok_or(RequestError::AmountRequired(name))?;
    if amount == 0 {
        return Err(RequestError::AmountZero);
    }
    let currency = request
        .currency
        .ok_or(RequestError::CurrencyRequired(name))?;
    Ok(Some((amount, currency)))
}

/// Encodes `request` for `config`'s protocol. V2 identify has no message
/// (it is an ENQ probe) and yields an empty payload.
pub fn encode_request(config: &TerminalConfig, request: &Request) -> Result<Vec<u8>, RequestError> {
    match &config.protocol {
        Protocol::V2E | Protocol::V2EPlus => encode_v2(config, request),
        Protocol::V3 { version } => {
            let bytes = encode_v3(config, version, request)?;
            if matches!(config.connection, Connection::Serial(_))
                && bytes.len() > v3::MAX_SERIAL_MESSAGE
            {
                return Err(RequestError::TooLongForSerial {
                    len: bytes.len(),
                    max: v3::MAX_SERIAL_MESSAGE,
                });
            }
            Ok(bytes)
        }
    }
}

fn encode_v3(
    config: &TerminalConfig,
    version: &str,
    request: &Request,
) -> Result<Vec<u8>, RequestError> {
    let mut m = MessageBuilder::new();
    m.push(CZ, version)?;
    m.push(CJ, &config.cash_register_id)?;
    m.push(CA, format!("{:02}", config.pos_number))?;
    let money = money(request)?;
    // CB is mandatory in every request but identification (CONCERT-V3.md
    // §6: a terminal answers a missing one AE=01 AF=09). A status or a
    // settlement moves no money: it carries the amount given, or zero,
    // unless the caller sends its own CB as a raw tag.
    let amount = match money {
        Some((amount, _)) => Some(amount),
        None if request.operation.action() == v3::Action::Identification => None,
        None if request.extra_tags.iter().any(|(tag, _)| *tag == CB) => None,
        None => Some(request.amount.unwrap_or(0)),
    };
    if let Some(amount) = amount {
        let cb = v3::format_amount(amount).map_err(|_| RequestError::AmountTooLarge {
            amount,
            protocol: "V3",
            max: crate::amount::MAX_AMOUNT,
        })?;
        m.push(CB, cb)?;
    }
    m.push(CD, [request.operation.action().code()])?;
    // CE is mandatory in every request; queries carry the currency given
    // or the euro, which terminals ignore for them.
    let currency = money
        .map(|(_, c)| c)
        .or(request.currency)
        .unwrap_or(crate::currency::EUR);
    m.push(CE, currency.numeric_str())?;
    if let Some(app) = &request.application {
        let code = app.v3_code().ok_or_else(|| RequestError::Unsupported {
            what: format!("application {app:?}"),
            protocol: "V3",
        })?;
        // CC is exactly 3 characters: a longer code would not be read as
        // an application.
        check_range("application code", code, 3, 3)?;
        m.push(CC, code)?;
    }
    if let Some(private) = &request.private_data {
        check_text("private data", private, V3_PRIVATE_MAX)?;
        if !private.is_empty() {
            m.push(CF, private)?;
        }
    }
    if request.immediate_answer {
        m.push(BA, "1")?;
    }
    if request.force_authorization {
        m.push(BB, "1")?;
    }
    if let Some(allowed) = request.partial_allowed {
        m.push(BF, if allowed { "1" } else { "0" })?;
    }
    if let Some(receipt) = request.receipt {
        let ticket = v3::TicketRequest {
            copy: receipt.copy,
            format: receipt.format,
        };
        m.push(CK, ticket.code())?;
    }
    for (field, tag, value, min, max) in [
        (
            "original reference",
            CH,
            &request.original_reference,
            1,
            999,
        ),
        ("customer phone", BH, &request.customer_phone, 8, 20),
        ("customer e-mail", BI, &request.customer_email, 6, 256),
    ] {
        if let Some(value) = value {
            check_range(field, value, min, max)?;
            m.push(tag, value)?;
        }
    }
    for (tag, value) in &request.extra_tags {
        check_text("extra tag value", value, v3::tlv::MAX_VALUE_LEN)?;
        m.push(*tag, value)?;
    }
    Ok(m.finish())
}

fn encode_v2(config: &TerminalConfig, request: &Request) -> Result<Vec<u8>, RequestError> {
    let protocol = if config.protocol == Protocol::V2E {
        "V2 (E)"
    } else {
        "V2 (E+)"
    };
    let unsupported = |what: &str| RequestError::Unsupported {
        what: what.to_owned(),
        protocol,
    };
    let transaction_type = match request.operation {
        Operation::Pay => v2::TransactionType::Debit,
        Operation::Refund => v2::TransactionType::Credit,
        Operation::Cancel => v2::TransactionType::Cancellation,
        Operation::Preauthorize => v2::TransactionType::Preauthorization,
        Operation::Identify => return Ok(Vec::new()),
        other => return Err(unsupported(&format!("operation {}", describe(other)))),
    };
    let Some((amount, currency)) = money(request)? else {
        return Err(RequestError::AmountRequired(request.operation.name()));
    };
    let amount = u32::try_from(amount)
        .ok()
        .filter(|a| *a <= v2::MAX_AMOUNT)
        .ok_or(RequestError::AmountTooLarge {
            amount,
            protocol,
            max: u64::from(v2::MAX_AMOUNT),
        })?;
    let private = request.private_data.clone().unwrap_or_default();
    check_text("private data", &private, v2::PRIVATE_LEN)?;
    let mode = match &request.application {
        None => v2::PaymentMode::Card,
        Some(app) => v2::PaymentMode::from_code(
            app.v2_mode()
                .ok_or_else(|| unsupported(&format!("application {app:?}")))?,
        ),
    };
    let eplus = config.protocol == Protocol::V2EPlus;
    if !eplus && request.immediate_answer {
        return Err(unsupported("immediate answer (needs E+)"));
    }
    if !eplus && request.force_authorization {
        return Err(unsupported("forced authorisation (needs E+)"));
    }
    if request.receipt.is_some() {
        return Err(unsupported("receipt"));
    }
    let v3_only = [
        ("original reference", request.original_reference.is_some()),
        ("partial payment flag", request.partial_allowed.is_some()),
        ("customer phone", request.customer_phone.is_some()),
        ("customer e-mail", request.customer_email.is_some()),
        ("extra tags", !request.extra_tags.is_empty()),
    ];
    if let Some((what, _)) = v3_only.iter().find(|(_, set)| *set) {
        return Err(unsupported(what));
    }
    let request = v2::Request {
        pos: config.pos_number,
        amount,
        full_answer: request.full_answer,
        payment_mode: mode,
        transaction_type,
        currency: currency.numeric(),
        private_data: private,
        eplus: eplus.then_some(v2::EPlus {
            delay: if request.immediate_answer {
                v2::AnswerDelay::Immediate
            } else {
                v2::AnswerDelay::EndOfTransaction
            },
            authorization: if request.force_authorization {
                v2::Authorization::Forced
            } else {
                v2::Authorization::TerminalDecides
            },
        }),
    };
    Ok(request.encode()?)
}

fn describe(op: Operation) -> String {
    match op {
        Operation::Action(a) => format!("action {:?}", char::from(a.code())),
        other => other.name().to_owned(),
    }
}
