//! Turns the terminal's answer into an [`Outcome`]. An answer that cannot
//! be understood is still returned, raw, as an in-doubt outcome.

use super::config::TerminalConfig;
use super::outcome::{ApplicationUsed, EchoMismatch, Outcome, Status};
use super::request::Request;
use super::wire::mask_v3;
use crate::currency::Currency;
use crate::mask::mask_pan;
use crate::v2;
use crate::v3::{self, ActionStatus, DecodeOptions, Message, Reason, tags::*};

/// An outcome for a request that reached the terminal without a usable
/// answer.
pub fn in_doubt(request: &Request, cause: impl Into<String>, raw: Option<&[u8]>) -> Outcome {
    let cause = cause.into();
    let mut outcome = Outcome::new(Status::InDoubt, request.operation);
    outcome.reason = format!("result unknown: {cause}");
    outcome.in_doubt_cause = Some(cause);
    outcome.requested_amount = request.amount;
    outcome.currency = request.currency;
    outcome.raw_answer = raw.map(<[u8]>::to_vec);
    outcome
}

/// Reads an answer to `request` (a payload, without serial framing) as the
/// configured protocol does: what a late or unsolicited answer is decoded
/// with. Card numbers are masked, and an answer that cannot be understood
/// is an in-doubt outcome holding the bytes.
pub fn decode_answer(config: &TerminalConfig, request: &Request, answer: &[u8]) -> Outcome {
    if config.protocol.is_v2() {
        decode_v2(request, answer, config)
    } else {
        decode_v3(request, answer, config)
    }
}

/// Reads a V3 answer.
pub fn decode_v3(request: &Request, answer: &[u8], config: &TerminalConfig) -> Outcome {
    let masked = mask_v3(answer);
    // Terminals are known to repeat tags or send Latin-1: read tolerantly,
    // the raw bytes are kept either way.
    let message = match Message::decode_with(answer, DecodeOptions::TOLERANT) {
        Ok(m) => m,
        Err(e) => {
            return in_doubt(request, format!("undecodable answer: {e}"), Some(&masked));
        }
    };
    let statuses = message.records().iter().filter(|r| r.tag == AE).count();
    if statuses > 1 {
        // Two answers in one read, or a terminal contradicting itself:
        // which one is ours is unknown, so neither is taken.
        let mut outcome = in_doubt(
            request,
            format!("answer carries {statuses} action statuses (AE): which one is ours is unknown"),
            Some(&masked),
        );
        outcome.records = records_of(&message);
        return outcome;
    }
    let Some(action_status) = message.action_status() else {
        let mut outcome = in_doubt(
            request,
            "answer carries no action status (AE)",
            Some(&masked),
        );
        outcome.records = records_of(&message);
        return outcome;
    };
    let reason = message.reason();
    let status = match action_status {
        ActionStatus::Done => Status::Approved,
        ActionStatus::Taken => Status::Pending,
        ActionStatus::NotDone => match reason {
            Some(Reason::Refused | Reason::Forbidden | Reason::PhoneReferral | Reason::Forcing) => {
                Status::Declined
            }
            Some(Reason::Abandoned | Reason::OperatorAbandon | Reason::InputTimeout) => {
                Status::Aborted
            }
            _ => Status::NotPerformed,
        },
        ActionStatus::Other(_) => Status::NotPerformed,
    };
    let mut outcome = Outcome::new(status, request.operation);
    outcome.protocol_version = message.version().map(Into::into);
    outcome.reason_code = reason.map(|r| String::from_utf8_lossy(&r.code()).into_owned());
    outcome.reason = match (action_status, reason) {
        (ActionStatus::Done, _) => "done".into(),
        (ActionStatus::Taken, _) => "request taken; fetch the result with status".into(),
        (_, Some(r)) => r.text().into(),
        (ActionStatus::NotDone, None) => "not done, no reason given".into(),
        (ActionStatus::Other(c), None) => {
            format!(
                "undocumented action status {:?}",
                String::from_utf8_lossy(&c)
            )
        }
    };
    outcome.reason_detail = message.reason_detail().map(Into::into);
    outcome.requested_amount = request.amount;
    outcome.amount = message.amount();
    outcome.currency = message
        .currency()
        .and_then(|n| Currency::from_numeric(n).ok())
        .or(request.currency);
    outcome.card_number = message.card_number().map(|c| mask_pan(&c));
    outcome.expiry = message.expiry().map(Into::into);
    outcome.aid = message.aid().map(Into::into);
    outcome.application = message.application().map(|code| ApplicationUsed {
        label: v3::tags::application_label(&code),
        code: code.into_owned(),
    });
    outcome.read_mode = message.read_mode();
    outcome.authorization_number = message.authorization_number().map(Into::into);
    outcome.contract = message.contract().map(Into::into);
    outcome.private_data = message.private_data().map(Into::into);
    outcome.receipt = match message.receipt() {
        Some(Ok(receipt)) => Some(receipt),
        Some(Err(e)) => {
            log::warn!("ticket in answer could not be read: {e}");
            None
        }
        None => None,
    };
    outcome.records = records_of(&message);
    outcome.raw_answer = Some(masked);
    if request.operation.moves_money() {
        check_v3_echo(&mut outcome, &message, request, config);
        doubt_a_foreign_answer(&mut outcome);
        if outcome.status == Status::Approved && message.get(CB).is_none() {
            doubt(
                &mut outcome,
                "the approval carries no amount (CB): what was approved is unknown".into(),
            );
        }
    }
    outcome
}

/// Turns `outcome` in doubt for `cause`, keeping everything received.
fn doubt(outcome: &mut Outcome, cause: String) {
    outcome.status = Status::InDoubt;
    outcome.partial = false;
    outcome.reason = format!("result unknown: {cause}");
    outcome.in_doubt_cause = Some(cause);
}

/// An answer that echoes another POS, action, currency or amount may be
/// another transaction's answer: whether *this* request was paid is
/// unknown, so it is in doubt, whatever its status says (a foreign decline
/// taken for ours would let the till ask for the money twice). Everything
/// received stays in the outcome for reconciliation. A private data
/// difference alone only flags (terminals are known to pad or drop it).
fn doubt_a_foreign_answer(outcome: &mut Outcome) {
    let foreign: Vec<String> = outcome
        .echo_mismatches
        .iter()
        .filter(|m| m.field != "private_data")
        .map(|m| format!("{} sent {:?}, answered {:?}", m.field, m.sent, m.received))
        .collect();
    if foreign.is_empty() {
        return;
    }
    let what = match outcome.status {
        Status::Approved => "approval",
        Status::Pending => "acknowledgement",
        _ => "answer",
    };
    let cause = format!(
        "the {what} echoes another transaction ({})",
        foreign.join("; ")
    );
    doubt(outcome, cause);
}

fn records_of(message: &Message<'_>) -> Vec<(String, String)> {
    message
        .records()
        .iter()
        .map(|r| {
            let value = r.text();
            let value = if r.tag == AA {
                mask_pan(&value)
            } else {
                value.into_owned()
            };
            (r.tag.as_str().to_owned(), value)
        })
        .collect()
}

fn check_v3_echo(
    outcome: &mut Outcome,
    message: &Message<'_>,
    request: &Request,
    config: &TerminalConfig,
) {
    let mut mismatch = |field: &'static str, sent: String, received: Option<String>| {
        if let Some(received) = received
            && received != sent
        {
            outcome.echo_mismatches.push(EchoMismatch {
                field,
                sent,
                received,
            });
        }
    };
    mismatch(
        "CA",
        config.pos_number.to_string(),
        message.get(CA).map(|v| {
            message
                .pos_number()
                .map_or_else(|| lossy(v), |p| p.to_string())
        }),
    );
    mismatch(
        "CD",
        char::from(request.operation.action().code()).to_string(),
        message.text(CD).map(Into::into),
    );
    if let Some(currency) = request.currency {
        mismatch(
            "CE",
            currency.numeric_str(),
            message.text(CE).map(Into::into),
        );
    }
    if let (Some(sent), Some(raw)) = (request.amount, message.get(CB)) {
        let approved = outcome.status == Status::Approved;
        match message.amount() {
            // V3 allows an approval for less (a partial payment); any
            // other answer for another amount is another transaction's.
            Some(got) if got < sent && approved => outcome.partial = true,
            Some(got) if got == sent => {}
            _ => outcome.echo_mismatches.push(EchoMismatch {
                field: "CB",
                sent: sent.to_string(),
                received: lossy(raw),
            }),
        }
    }
}

fn lossy(bytes: &[u8]) -> String {
    v3::tlv::latin1(bytes).into_owned()
}

/// What a V2 immediate answer (status `9`) leaves the till to do: the
/// protocol sends no final status and has no way to ask for one.
pub const V2_TAKEN: &str = "request taken, no final status: V2 cannot ask the terminal for the result; read it on the terminal's screen or receipt (a late answer, if the terminal sends one, is kept)";

/// Reads a V2 answer.
pub fn decode_v2(request: &Request, answer: &[u8], config: &TerminalConfig) -> Outcome {
    let masked = v2::Answer::mask_payload(answer);
    let parsed = match v2::Answer::decode(answer) {
        Ok(a) => a,
        Err(e) => {
            let masked = crate::mask::mask_digit_runs(answer);
            return in_doubt(request, format!("undecodable answer: {e}"), Some(&masked));
        }
    };
    let status = match parsed.status {
        v2::Status::Accepted => Status::Approved,
        v2::Status::Refused => Status::Declined,
        v2::Status::Taken => Status::Pending,
        v2::Status::Other(_) => Status::NotPerformed,
    };
    let mut outcome = Outcome::new(status, request.operation);
    let code = char::from(parsed.status.code()).to_string();
    outcome.reason = match parsed.status {
        // V2 has no status request: say what the till can do instead.
        v2::Status::Taken => V2_TAKEN.into(),
        _ => parsed.status.text().into(),
    };
    outcome.reason_code = Some(code.clone());
    outcome.requested_amount = request.amount;
    outcome.amount = Some(u64::from(parsed.amount));
    outcome.currency = Currency::from_numeric(parsed.currency)
        .ok()
        .or(request.currency);
    let mode = parsed.payment_mode;
    outcome.application = Some(ApplicationUsed {
        code: char::from(mode.code()).to_string(),
        label: Some(mode.label()),
    });
    outcome.private_data = Some(parsed.private_data.trim_end().to_owned());
    outcome.records = vec![
        ("pos".into(), format!("{:02}", parsed.pos)),
        ("status".into(), code),
        ("amount".into(), format!("{:08}", parsed.amount)),
        ("payment_mode".into(), char::from(mode.code()).to_string()),
    ];
    if let Some(rep) = &parsed.rep {
        outcome.card_number = rep.masked_card_number();
        outcome.records.push((
            "rep".into(),
            String::from_utf8_lossy(rep.masked().raw()).into_owned(),
        ));
        if config.keep_raw_card_data {
            outcome.raw_card_data = Some(String::from_utf8_lossy(rep.raw()).into_owned());
        }
    }
    outcome.records.extend([
        ("currency".into(), format!("{:03}", parsed.currency)),
        ("private_data".into(), parsed.private_data.clone()),
    ]);
    outcome.raw_answer = Some(masked);
    if request.operation.moves_money() {
        check_v2_echo(&mut outcome, &parsed, request, config);
        doubt_a_foreign_answer(&mut outcome);
    }
    outcome
}

fn check_v2_echo(
    outcome: &mut Outcome,
    answer: &v2::Answer,
    request: &Request,
    config: &TerminalConfig,
) {
    let mut check = |field: &'static str, sent: String, received: String| {
        if sent != received {
            outcome.echo_mismatches.push(EchoMismatch {
                field,
                sent,
                received,
            });
        }
    };
    check("pos", config.pos_number.to_string(), answer.pos.to_string());
    if let Some(currency) = request.currency {
        check(
            "currency",
            currency.numeric().to_string(),
            answer.currency.to_string(),
        );
    }
    if let Some(sent_private) = &request.private_data {
        check(
            "private_data",
            sent_private.trim_end().to_owned(),
            answer.private_data.trim_end().to_owned(),
        );
    }
    // V2 has no partial payment: any other amount is another transaction's.
    if let Some(sent) = request.amount {
        let got = u64::from(answer.amount);
        if got != sent {
            outcome.echo_mismatches.push(EchoMismatch {
                field: "amount",
                sent: sent.to_string(),
                received: got.to_string(),
            });
        }
    }
}
