//! What a terminal's answer means on its own, without the request it
//! answers: `decode` in the CLI and the bindings. The answer goes through
//! the very code a transaction's answer goes through, against a request
//! rebuilt from the answer's own echoes (so echo checks find nothing to
//! compare, and whatever else makes an answer doubtful still does).

use super::config::TerminalConfig;
use super::decode::{decode_v2, decode_v3, in_doubt};
use super::outcome::Outcome;
use super::request::{Operation, Request};
use crate::currency::Currency;
use crate::frame::{STX, decode_frame};
use crate::inspect::Hint;
use crate::v2;
use crate::v3::{Action, DecodeOptions, Message};

/// The outcome an answer (V3 records, a V2 answer payload, or a whole
/// serial frame) stands for: the same fields a transaction's outcome has,
/// minus what only the request knows (requested amount, partial, frames).
/// An answer that cannot be read is an in-doubt outcome holding it raw.
pub fn outcome_of_answer(answer: &[u8], hint: Hint) -> Outcome {
    let payload = if answer.first() == Some(&STX) {
        match decode_frame(answer) {
            Ok(payload) => payload,
            Err(e) => {
                let request = Request::new(Operation::Action(Action::Other(b'?')));
                return in_doubt(
                    &request,
                    format!("not a serial frame: {e}"),
                    Some(&crate::mask::mask_digit_runs(answer)),
                );
            }
        }
    } else {
        answer
    };
    let v3 = match hint {
        Hint::V3 => true,
        Hint::V2 => false,
        Hint::Auto => payload.first().is_some_and(u8::is_ascii_uppercase),
    };
    let mut outcome = if v3 {
        v3_outcome(payload)
    } else {
        v2_outcome(payload)
    };
    outcome.requested_amount = None;
    outcome.partial = false;
    outcome
}

/// [`outcome_of_answer`] for what is a terminal's answer; `None` for a
/// request (V3 records with no terminal-data `A…` tag; a V2 payload of a
/// request's 26 or 34 characters), which has no outcome.
pub fn answer_outcome(input: &[u8], hint: Hint) -> Option<Outcome> {
    let payload = match input.first() {
        Some(&STX) => decode_frame(input).ok().unwrap_or(input),
        _ => input,
    };
    let v3 = match hint {
        Hint::V3 => true,
        Hint::V2 => false,
        Hint::Auto => payload.first().is_some_and(u8::is_ascii_uppercase),
    };
    let request = if v3 {
        crate::v3::tlv::decode_leading_records(payload, DecodeOptions::STRUCTURE_ONLY)
            .0
            .iter()
            .all(|r| r.tag.as_str().as_bytes()[0] != b'A')
    } else {
        matches!(payload.len(), v2::REQUEST_E_LEN | v2::REQUEST_EPLUS_LEN)
    };
    (!request).then(|| outcome_of_answer(input, hint))
}

/// [`answer_outcome`] for text: V3 records, a V2 payload, or the hex of a
/// whole serial frame, as `inspect_text` reads them.
pub fn answer_outcome_text(text: &str, hint: Hint) -> Option<Outcome> {
    match crate::inspect::hex_frame(text) {
        Some(bytes) => answer_outcome(&bytes, hint),
        None => answer_outcome(text.as_bytes(), hint),
    }
}

fn operation_of(action: Option<Action>) -> Operation {
    match action {
        Some(Action::Debit) => Operation::Pay,
        Some(Action::Credit) => Operation::Refund,
        Some(Action::Cancellation) => Operation::Cancel,
        Some(Action::Preauthorization) => Operation::Preauthorize,
        Some(Action::Identification) => Operation::Identify,
        Some(Action::Status) => Operation::Status,
        Some(Action::Settlement) => Operation::Settle,
        Some(other) => Operation::Action(other),
        None => Operation::Action(Action::Other(b'?')),
    }
}

fn v3_outcome(payload: &[u8]) -> Outcome {
    let message = Message::decode_with(payload, DecodeOptions::TOLERANT).ok();
    let mut request = Request::new(operation_of(message.as_ref().and_then(Message::action)));
    let mut config = TerminalConfig::tcp("answer", 0);
    if let Some(m) = &message {
        request.amount = m.amount();
        request.currency = m.currency().and_then(|n| Currency::from_numeric(n).ok());
        if let Some(pos) = m.pos_number() {
            config.pos_number = pos;
        }
    }
    decode_v3(&request, payload, &config)
}

fn v2_outcome(payload: &[u8]) -> Outcome {
    // V2 answers do not say what was asked: read as a payment's answer.
    let mut request = Request::new(Operation::Pay);
    let mut config = TerminalConfig::tcp("answer", 0);
    if let Ok(answer) = v2::Answer::decode(payload) {
        request.amount = Some(u64::from(answer.amount));
        request.currency = Currency::from_numeric(answer.currency).ok();
        request.private_data = Some(answer.private_data.clone());
        config.pos_number = answer.pos;
    }
    decode_v2(&request, payload, &config)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::terminal::Status;

    #[test]
    fn a_v3_approval_with_two_tickets() {
        let customer = b"CK003100AK008Q0xJRU5U";
        let merchant = b"CK003110AK008TUFSQ0hB";
        let mut answer = b"CZ0040300CJ012247300123456CA00201CB0041250CD0010CE003978AE00210CC00300BAC006123456AA016497010######7894".to_vec();
        answer.extend_from_slice(format!("ZT{:03}", customer.len()).as_bytes());
        answer.extend_from_slice(customer);
        answer.extend_from_slice(format!("ZT{:03}", merchant.len()).as_bytes());
        answer.extend_from_slice(merchant);
        let o = outcome_of_answer(&answer, Hint::Auto);
        assert_eq!(o.status, Status::Approved, "{}", o.reason);
        assert_eq!(o.operation, Operation::Pay);
        assert_eq!(o.amount, Some(1250));
        assert_eq!(o.currency.map(|c| c.alpha()), Some("EUR"));
        assert_eq!(o.card_number.as_deref(), Some("497010######7894"));
        assert_eq!(o.authorization_number.as_deref(), Some("123456"));
        let texts: Vec<&str> = o.receipts.iter().map(|r| r.text.as_str()).collect();
        assert_eq!(texts, ["CLIENT", "MARCHA"]);
        assert_eq!(o.receipt.as_ref().map(|r| r.text.as_str()), Some("CLIENT"));
        assert_eq!(o.requested_amount, None);
    }

    #[test]
    fn requests_have_no_outcome() {
        let request = b"CZ0040300CJ012247300123456CA00201CB0041250CD0010CE003978";
        assert_eq!(answer_outcome(request, Hint::Auto), None);
        assert_eq!(
            answer_outcome(b"0100005510110978REF-000042A010B010", Hint::Auto),
            None
        );
        let frame: String = crate::frame::encode_frame(b"017000091101978          ")
            .iter()
            .map(|b| format!("{b:02X} "))
            .collect();
        let o = answer_outcome_text(&frame, Hint::Auto).unwrap();
        assert_eq!(o.status, Status::Declined);
        assert_eq!(o.amount, Some(9110));
    }

    #[test]
    fn v2_answers_declines_and_garbage() {
        let o = outcome_of_answer(b"017000091101978          ", Hint::Auto);
        assert_eq!(o.status, Status::Declined);
        assert_eq!(o.amount, Some(9110));
        let o = outcome_of_answer(
            b"CZ0040300CA00201CB0041250CD0010CE003978AE00201AF00204",
            Hint::Auto,
        );
        assert_eq!(o.status, Status::Declined);
        assert_eq!(o.reason_code.as_deref(), Some("04"));
        let o = outcome_of_answer(b"\x02hello", Hint::Auto);
        assert_eq!(o.status, Status::InDoubt);
        let o = outcome_of_answer(b"nonsense", Hint::V3);
        assert_eq!(o.status, Status::InDoubt);
        assert!(o.raw_answer.is_some());
    }
}
