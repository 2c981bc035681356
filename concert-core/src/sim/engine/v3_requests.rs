//! The V3 side of the simulated terminal: TLV requests in, TLV answers
//! out. A request is first checked the way a terminal checks it
//! ([`Engine::v3_validate`]), then acted on ([`Engine::v3_dispatch`]).

use std::time::Instant;

use super::{Engine, Step};
use crate::mask::mask_pan;
use crate::sim::script::Script;
use crate::sim::ticket::{self, AID, TicketDetails};
use crate::v3::tags::*;
use crate::v3::tlv::{DecodeOptions, decode_leading_records, is_printable};
use crate::v3::{Action, ActionStatus, Message, MessageBuilder, Reason, Tag};

/// Card expiry the simulator reports (`AB`).
const EXPIRY: &str = "2812";
/// Version put in answers when neither the configuration nor the request
/// gives one.
pub(super) const FALLBACK_VERSION: &str = "0300";
/// The request tags the terminal understands, and so echoes, in the order
/// a failure built from a malformed request carries them. `CK` is echoed
/// inside `ZT`, with the ticket.
const UNDERSTOOD: [Tag; 14] = [CZ, CJ, CA, CB, CD, CE, CC, CF, CH, BA, BB, BF, BH, BI];
/// Tags every request carries; `CB` too, except in an identification.
const MANDATORY: [Tag; 5] = [CZ, CJ, CA, CD, CE];
/// Application code of a cheque (`CC`): the answer carries no card data.
const CHEQUE: &[u8] = b"00C";

/// V3 records, owned: what an answer is built from.
pub(super) type Records = Vec<(Tag, Vec<u8>)>;

/// A request the terminal accepts to act on.
struct Valid<'a> {
    message: Message<'a>,
    /// The understood request records, in request order, `CZ` first.
    echo: Records,
    action: Action,
    /// `CB`, absent only from an identification.
    amount: Option<u64>,
    currency: u16,
}

/// Why a request is answered with a failure before anything happens.
struct Refusal {
    /// What the answer echoes.
    echo: Records,
    reason: Reason,
    note: String,
}

/// The length (or range) each understood tag must have, as CONCERT-V3.md
/// lists them; a terminal answers a value of another length `AE=01 AF=09`.
fn length_range(tag: Tag) -> Option<(usize, usize)> {
    Some(match tag {
        t if t == CZ => (4, 4),
        t if t == CJ => (12, 12),
        t if t == CA => (2, 2),
        t if t == CB => (2, 12),
        t if t == CD => (1, 1),
        t if t == CE => (3, 3),
        t if t == CC => (3, 3),
        t if t == CF => (1, 99),
        t if t == CK => (3, 3),
        t if t == BA || t == BB || t == BF => (1, 1),
        t if t == BH => (8, 20),
        t if t == BI => (6, 256),
        _ => return None,
    })
}

fn digits(value: &[u8]) -> bool {
    value.iter().all(u8::is_ascii_digit)
}

impl Engine {
    /// Handles one V3 request payload.
    pub(super) fn v3_request(&mut self, payload: &[u8], now: Instant) -> Step {
        match self.v3_validate(payload) {
            Ok(request) => self.v3_dispatch(request, now),
            Err(refusal) => {
                self.v3_answer(&self.failure(&refusal.echo, refusal.reason), refusal.note)
            }
        }
    }

    /// Checks a request as a terminal does: records well formed, every
    /// mandatory tag there, every understood tag of its documented length
    /// and kind, a POS number from 01, an amount for everything but an
    /// identification, and a payment of more than zero.
    fn v3_validate<'a>(&self, payload: &'a [u8]) -> Result<Valid<'a>, Refusal> {
        let message = Message::decode(payload).map_err(|e| {
            let salvaged = salvage(payload);
            let mut echo = vec![(CZ, self.version(find(&salvaged, CZ)))];
            echo.extend(salvaged.into_iter().filter(|(t, _)| *t != CZ));
            Refusal {
                echo,
                reason: Reason::BadFormat,
                note: format!("malformed: {e}"),
            }
        })?;
        let mut echo: Records = vec![(CZ, self.version(message.get(CZ)))];
        echo.extend(
            message
                .records()
                .iter()
                .filter(|r| r.tag != CZ && UNDERSTOOD.contains(&r.tag))
                .map(|r| (r.tag, r.value.to_vec())),
        );
        let bad = |why: String| Refusal {
            echo: echo.clone(),
            reason: Reason::BadFormat,
            note: format!("malformed: {why}"),
        };
        if let Some(tag) = MANDATORY.into_iter().find(|&t| message.get(t).is_none()) {
            return Err(bad(format!("missing {tag}")));
        }
        for record in message.records() {
            if let Some((min, max)) = length_range(record.tag)
                && !(min..=max).contains(&record.value.len())
            {
                return Err(bad(format!(
                    "{} of {} characters (expected {})",
                    record.tag,
                    record.value.len(),
                    if min == max {
                        min.to_string()
                    } else {
                        format!("{min} to {max}")
                    }
                )));
            }
        }
        let Some(&[code]) = message.get(CD) else {
            return Err(bad("CD is not one character".to_owned()));
        };
        let action = Action::from_code(code);
        if let Action::Other(code) = action {
            return Err(Refusal {
                echo,
                reason: Reason::UnknownAction,
                note: format!("unknown action {:?}", char::from(code)),
            });
        }
        match message.get(CA) {
            Some(ca) if digits(ca) && ca != b"00" => {}
            _ => return Err(bad("CA is not a POS number from 01 to 99".to_owned())),
        }
        let Some(currency) = message
            .get(CE)
            .filter(|v| digits(v))
            .and(message.currency())
        else {
            return Err(bad("CE is not a number".to_owned()));
        };
        for flag in [BA, BB, BF] {
            if message.get(flag).is_some_and(|v| v != b"0" && v != b"1") {
                return Err(bad(format!("{flag} is neither 0 nor 1")));
            }
        }
        if message.get(CK).is_some_and(|v| {
            v.first() != Some(&b'0') && crate::v3::TicketRequest::from_code(v).is_none()
        }) {
            return Err(bad("CK is not a ticket request".to_owned()));
        }
        let amount = match message.get(CB) {
            Some(cb) if digits(cb) => message.amount(),
            Some(_) => return Err(bad("CB is not an amount".to_owned())),
            // Every request but an identification carries CB, status and
            // settlement too (a terminal refuses them without).
            None if action == Action::Identification => None,
            None => return Err(bad("missing CB".to_owned())),
        };
        if action.needs_amount() && amount == Some(0) {
            return Err(bad(format!("{action:?} of 0")));
        }
        Ok(Valid {
            message,
            echo,
            action,
            amount,
            currency,
        })
    }

    /// Acts on a valid request: identification and status at once, a
    /// refusal while a transaction runs, otherwise the next script.
    fn v3_dispatch(&mut self, request: Valid<'_>, now: Instant) -> Step {
        let Valid {
            message,
            echo,
            action,
            amount,
            currency,
        } = request;
        match action {
            Action::Identification => {
                let mut out: Records = echo
                    .iter()
                    .filter(|(t, _)| [CZ, CJ, CA, CD].contains(t))
                    .cloned()
                    .collect();
                out.push((AE, ActionStatus::Done.code().to_vec()));
                return self.v3_answer(&out, "identify");
            }
            Action::Status => return self.v3_status(&message, &echo),
            _ => {}
        }
        if self.running.is_some() {
            return self.v3_answer(&self.failure(&echo, Reason::NotCompleted), "busy");
        }
        if action == Action::Settlement {
            let mut out = echo;
            out.push((AE, ActionStatus::Done.code().to_vec()));
            return self.v3_answer(&out, "settlement");
        }
        if !self.settings.currencies.contains(&currency) {
            return self.v3_answer(
                &self.failure(&echo, Reason::CurrencyNotSupported),
                format!("currency {currency:03} not accepted"),
            );
        }
        let script = self.next_script();
        let label = script.label();
        if script == Script::Busy {
            return self.v3_answer(&self.failure(&echo, Reason::NotCompleted), "busy (script)");
        }
        let amount = amount.unwrap_or(0);
        let records = self.v3_outcome(&script, &message, &echo, action, amount, currency);
        let answer = self.encode_v3(&records);
        if message.immediate_answer() == Some(true) {
            let mut taken = echo;
            taken.push((AE, ActionStatus::Taken.code().to_vec()));
            self.start(now, answer, Some(records), true);
            return self.v3_answer(&taken, format!("immediate answer; then {label}"));
        }
        let (id, at) = self.start(now, answer, Some(records), false);
        Step::Pending {
            id,
            at,
            note: label,
        }
    }

    /// `CD=T`: the last finished transaction's answer, `CD` set to `T`;
    /// `AE=01 AF=07` while one runs or before the first.
    fn v3_status(&self, message: &Message<'_>, echo: &Records) -> Step {
        match (&self.running, &self.last) {
            (None, Some(last)) => {
                let out: Records = last
                    .iter()
                    .map(|(t, v)| match *t {
                        CD => (CD, b"T".to_vec()),
                        CZ => (CZ, self.version(message.get(CZ))),
                        _ => (*t, v.clone()),
                    })
                    .collect();
                self.v3_answer(&out, "status: last transaction")
            }
            (Some(_), _) => self.v3_answer(
                &self.failure(echo, Reason::NotCompleted),
                "status: transaction still running",
            ),
            (None, None) => self.v3_answer(
                &self.failure(echo, Reason::NotCompleted),
                "status: no transaction yet",
            ),
        }
    }

    pub(super) fn version(&self, request_version: Option<&[u8]>) -> Vec<u8> {
        match (&self.settings.answer_version, request_version) {
            (Some(v), _) => v.as_bytes().to_vec(),
            (None, Some(v)) => v.to_vec(),
            (None, None) => FALLBACK_VERSION.as_bytes().to_vec(),
        }
    }

    /// A failure: the echoed records, then `AE=01` and `AF`.
    fn failure(&self, echo: &Records, reason: Reason) -> Records {
        let mut out = echo.clone();
        out.push((AE, ActionStatus::NotDone.code().to_vec()));
        out.push((AF, reason.code().to_vec()));
        out
    }

    fn encode_v3(&self, records: &Records) -> Vec<u8> {
        encode_records(records)
    }

    fn v3_answer(&self, records: &Records, note: impl Into<String>) -> Step {
        Step::Answer {
            answer: self.encode_v3(records),
            note: note.into(),
        }
    }

    fn v3_outcome(
        &mut self,
        script: &Script,
        message: &Message<'_>,
        echo: &Records,
        action: Action,
        amount: u64,
        currency: u16,
    ) -> Records {
        let authorised = match script {
            Script::Approve => amount,
            Script::Partial(partial) if *partial <= crate::amount::MAX_AMOUNT => *partial,
            Script::Partial(partial) => {
                log::warn!("sim: partial amount {partial} does not fit CB: approving {amount}");
                amount
            }
            Script::Decline(reason) => return self.failure(echo, *reason),
            Script::V2Status(_) => return self.failure(echo, Reason::Unknown),
            Script::Timeout => return self.failure(echo, Reason::InputTimeout),
            Script::Busy => return self.failure(echo, Reason::NotCompleted),
            Script::Abandon => {
                let mut out = self.failure(echo, Reason::Abandoned);
                out.retain(|(t, _)| *t != CB);
                return out;
            }
        };
        let width = find(echo, CB).map_or(2, <[u8]>::len).max(2);
        let cb = format!("{authorised:0width$}");
        let mut out: Records = echo
            .iter()
            .map(|(t, v)| {
                if *t == CB {
                    (CB, cb.clone().into_bytes())
                } else {
                    (*t, v.clone())
                }
            })
            .collect();
        out.push((AE, ActionStatus::Done.code().to_vec()));
        if message.get(CC) == Some(CHEQUE) {
            // A cheque reader reads no card: the answer carries no card
            // fields (as akretion's simulator does, after a real Ingenico).
            return out;
        }
        let payment = self.settings.payment_type;
        let application = match message.get(CC) {
            Some(cc) if cc != b"000" => cc.to_vec(),
            _ => payment.application_code().as_bytes().to_vec(),
        };
        // The terminal names the application it used in CC, whether or not
        // the request selected one.
        out.retain(|(t, _)| *t != CC);
        let masked = mask_pan(&self.settings.card_number);
        let auth = self.authorization_number();
        out.push((CC, application));
        out.push((CI, payment.read_mode_code().as_bytes().to_vec()));
        out.push((AC, auth.clone().into_bytes()));
        out.push((AA, masked.clone().into_bytes()));
        out.push((AB, EXPIRY.as_bytes().to_vec()));
        out.push((AI, AID.as_bytes().to_vec()));
        out.push((CG, self.settings.contract.clone().into_bytes()));
        if let Some(request) = message.ticket_request() {
            let details = TicketDetails {
                action,
                amount: authorised,
                currency,
                masked_card: &masked,
                authorization: &auth,
            };
            for zt in ticket::build(request, self.settings.receipt_text.as_deref(), &details) {
                out.push((ZT, zt));
            }
        }
        out
    }
}

pub(super) fn find(records: &Records, tag: Tag) -> Option<&[u8]> {
    records
        .iter()
        .find(|(t, _)| *t == tag)
        .map(|(_, v)| v.as_slice())
}

/// Encodes records, leaving out (and logging) any the builder refuses;
/// the `ZT` records after the first (one ticket per copy) follow the rest.
fn encode_records(records: &Records) -> Vec<u8> {
    let mut builder = MessageBuilder::new();
    let mut more_tickets = Vec::new();
    for (tag, value) in records {
        if *tag == ZT && builder.contains(ZT) {
            more_tickets.push(value);
            continue;
        }
        if let Err(e) = builder.push(*tag, value) {
            log::warn!("sim: record {tag} left out of the answer: {e}");
            if !builder.contains(CZ) {
                // An answer always starts with CZ.
                let _ = builder.push(CZ, FALLBACK_VERSION);
            }
        }
    }
    let mut bytes = builder.finish();
    for value in more_tickets {
        // A ZT value the builder took once is valid again: printable, at
        // most 999 characters.
        bytes.extend_from_slice(&ZT.bytes());
        bytes.extend_from_slice(format!("{:03}", value.len()).as_bytes());
        bytes.extend_from_slice(value);
    }
    bytes
}

/// The understood tags that can be read from a malformed V3 request:
/// records are read while their headers hold; values that could not be
/// sent back (empty, not printable) are skipped.
fn salvage(payload: &[u8]) -> Records {
    let mut out: Records = Vec::new();
    for record in decode_leading_records(payload, DecodeOptions::STRUCTURE_ONLY).0 {
        if UNDERSTOOD.contains(&record.tag)
            && find(&out, record.tag).is_none()
            && !record.value.is_empty()
            && record.value.iter().all(|&b| is_printable(b))
        {
            out.push((record.tag, record.value.to_vec()));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, Instant};

    use super::super::tests::{PAN, run, settings};
    use super::super::{Engine, Step};
    use super::*;
    use crate::sim::config::SimProtocol;
    use crate::v3::ReceiptCopy;

    fn v3() -> Engine {
        Engine::new(settings(SimProtocol::V3), Script::Approve)
    }

    fn get(answer: &[u8], tag: Tag) -> Option<String> {
        Message::decode(answer)
            .unwrap()
            .text(tag)
            .map(|t| t.into_owned())
    }

    const DEBIT: &[u8] = b"CZ0040300CJ012247300123456CA00201CB00512345CD0010CE003978";

    #[test]
    fn approve_echoes_the_request() {
        let mut e = v3();
        let (answer, note) = run(
            &mut e,
            b"CZ0040300CJ012247300123456CA00201CB00512345CD0010CE003978CF005REF42",
            Instant::now(),
        );
        assert_eq!(note, "approve");
        let m = Message::decode(&answer).unwrap();
        let tags: Vec<&str> = m.records().iter().map(|r| r.tag.as_str()).collect();
        assert_eq!(
            tags,
            [
                "CZ", "CJ", "CA", "CB", "CD", "CE", "CF", "AE", "CC", "CI", "AC", "AA", "AB", "AI",
                "CG"
            ]
        );
        assert_eq!(get(&answer, CZ).as_deref(), Some("0300"));
        assert_eq!(get(&answer, CJ).as_deref(), Some("247300123456"));
        assert_eq!(get(&answer, CB).as_deref(), Some("12345"));
        assert_eq!(get(&answer, CF).as_deref(), Some("REF42"));
        assert_eq!(get(&answer, AE).as_deref(), Some("10"));
        assert_eq!(get(&answer, CC).as_deref(), Some("001"));
        assert_eq!(get(&answer, AA).as_deref(), Some("497010######7894"));
        assert_eq!(get(&answer, AC).map(|a| a.len()), Some(6));
        assert_eq!(get(&answer, AI).as_deref(), Some(AID));
        assert!(!String::from_utf8_lossy(&answer).contains(PAN));
        // A second approval gets another authorisation number.
        let (again, _) = run(&mut e, DEBIT, Instant::now());
        assert_ne!(get(&again, AC), get(&answer, AC));
    }

    #[test]
    fn answer_version_and_application() {
        let mut s = settings(SimProtocol::V3);
        s.answer_version = Some("0320".into());
        let mut e = Engine::new(s, Script::Approve);
        let (answer, _) = run(
            &mut e,
            b"CZ0040300CJ012247300123456CA00201CB00512345CD0010CE003978CC00300B",
            Instant::now(),
        );
        assert_eq!(get(&answer, CZ).as_deref(), Some("0320"));
        assert_eq!(get(&answer, CC).as_deref(), Some("00B"));
    }

    #[test]
    fn declines_carry_their_reason() {
        let mut e = v3();
        for (script, code) in [
            (Script::Decline(Reason::Refused), "04"),
            (Script::Decline(Reason::Forbidden), "05"),
            (Script::Abandon, "06"),
            (Script::Timeout, "08"),
            (Script::V2Status(b'X'), "00"),
            (Script::Busy, "07"),
        ] {
            e.push_script(script.clone());
            let (answer, _) = run(&mut e, DEBIT, Instant::now());
            assert_eq!(get(&answer, AE).as_deref(), Some("01"), "{script:?}");
            assert_eq!(get(&answer, AF).as_deref(), Some(code), "{script:?}");
            assert_eq!(get(&answer, AA), None);
            assert_eq!(get(&answer, CB).is_some(), script != Script::Abandon);
        }
        // The queue is empty again: the default script approves.
        let (answer, _) = run(&mut e, DEBIT, Instant::now());
        assert_eq!(get(&answer, AE).as_deref(), Some("10"));
        e.set_default_script(Script::Decline(Reason::Refused));
        let (answer, _) = run(&mut e, DEBIT, Instant::now());
        assert_eq!(get(&answer, AF).as_deref(), Some("04"));
    }

    #[test]
    fn partial_approves_a_lower_amount() {
        let mut e = v3();
        e.push_script(Script::Partial(5000));
        let (answer, _) = run(&mut e, DEBIT, Instant::now());
        assert_eq!(get(&answer, AE).as_deref(), Some("10"));
        assert_eq!(Message::decode(&answer).unwrap().amount(), Some(5000));
    }

    #[test]
    fn bad_format_and_unknown_action() {
        let mut e = v3();
        // CB missing from a debit: request tags echoed.
        let (answer, note) = run(
            &mut e,
            b"CZ0040300CJ012247300123456CA00201CD0010CE003978",
            Instant::now(),
        );
        assert_eq!(get(&answer, AF).as_deref(), Some("09"));
        assert_eq!(get(&answer, CJ).as_deref(), Some("247300123456"));
        assert_eq!(get(&answer, CE).as_deref(), Some("978"));
        assert_eq!(note, "malformed: missing CB");
        // Not even records: what could be read is echoed.
        let (answer, note) = run(
            &mut e,
            b"CZ0040300CJ012247300123456CA00201CB0x",
            Instant::now(),
        );
        assert!(note.starts_with("malformed:"), "{note}");
        let m = Message::decode(&answer).unwrap();
        assert_eq!(m.reason(), Some(Reason::BadFormat));
        assert_eq!(m.pos_number(), Some(1));
        assert_eq!(m.cash_register_id().as_deref(), Some("247300123456"));
        // Garbage: still an answer, with a version first.
        let (answer, _) = run(&mut e, b"\x00\xffhello", Instant::now());
        assert_eq!(get(&answer, CZ).as_deref(), Some(FALLBACK_VERSION));
        assert_eq!(get(&answer, AF).as_deref(), Some("09"));
        // Unknown action.
        let (answer, _) = run(
            &mut e,
            b"CZ0040300CJ012247300123456CA00201CB00512345CD001ZCE003978",
            Instant::now(),
        );
        assert_eq!(get(&answer, AF).as_deref(), Some("12"));
        assert_eq!(get(&answer, CD).as_deref(), Some("Z"));
    }

    #[test]
    fn unsupported_currency() {
        let mut e = v3();
        let (answer, _) = run(
            &mut e,
            b"CZ0040300CJ012247300123456CA00201CB00512345CD0010CE003840",
            Instant::now(),
        );
        assert_eq!(get(&answer, AE).as_deref(), Some("01"));
        assert_eq!(get(&answer, AF).as_deref(), Some("13"));
    }

    #[test]
    fn identify_answers_like_a_real_terminal() {
        let mut e = v3();
        let (answer, _) = run(
            &mut e,
            b"CZ0040301CJ012330538600404CA00201CD001ICE003978",
            Instant::now(),
        );
        assert_eq!(answer, b"CZ0040301CJ012330538600404CA00201CD001IAE00210");
    }

    const STATUS: &[u8] = b"CZ0040300CJ012247300123456CA00201CB00200CD001TCE003978";

    #[test]
    fn status_before_and_after_a_transaction() {
        let mut e = v3();
        let (answer, note) = run(&mut e, STATUS, Instant::now());
        assert_eq!(get(&answer, AF).as_deref(), Some("07"), "{note}");
        let (paid, _) = run(&mut e, DEBIT, Instant::now());
        let (answer, _) = run(&mut e, STATUS, Instant::now());
        assert_eq!(get(&answer, CD).as_deref(), Some("T"));
        assert_eq!(get(&answer, AE).as_deref(), Some("10"));
        assert_eq!(get(&answer, AC), get(&paid, AC));
        assert_eq!(get(&answer, CB).as_deref(), Some("12345"));
    }

    #[test]
    fn busy_while_a_transaction_runs() {
        let mut s = settings(SimProtocol::V3);
        s.answer_delay = Duration::from_secs(60);
        let mut e = Engine::new(s, Script::Approve);
        let now = Instant::now();
        let Step::Pending { id, at, .. } = e.handle_request(DEBIT, now) else {
            panic!("a debit runs");
        };
        assert_eq!(at, now + Duration::from_secs(60));
        let (busy, note) = run(&mut e, DEBIT, now);
        assert_eq!(note, "busy");
        assert_eq!(get(&busy, AF).as_deref(), Some("07"));
        // Identification and status are answered while busy.
        let (ident, _) = run(
            &mut e,
            b"CZ0040300CJ012247300123456CA00201CD001ICE003978",
            now,
        );
        assert_eq!(get(&ident, AE).as_deref(), Some("10"));
        let (status, note) = run(&mut e, STATUS, now);
        assert_eq!(get(&status, AF).as_deref(), Some("07"));
        assert_eq!(note, "status: transaction still running");
        let answer = e.complete(id).unwrap();
        assert_eq!(get(&answer, AE).as_deref(), Some("10"));
        assert_eq!(e.complete(id), None);
        let (answer, _) = run(&mut e, DEBIT, now);
        assert_eq!(get(&answer, AE).as_deref(), Some("10"));
    }

    #[test]
    fn immediate_answer_then_status() {
        let mut s = settings(SimProtocol::V3);
        s.answer_delay = Duration::from_secs(5);
        let mut e = Engine::new(s, Script::Approve);
        e.push_script(Script::Decline(Reason::Refused));
        let now = Instant::now();
        let (taken, _) = run(
            &mut e,
            b"CZ0040300CJ012247300123456CA00201CB00512345CD0010CE003978BA0011",
            now,
        );
        assert_eq!(get(&taken, AE).as_deref(), Some("11"));
        assert_eq!(get(&taken, CB).as_deref(), Some("12345"));
        let (status, _) = run(&mut e, STATUS, now + Duration::from_secs(1));
        assert_eq!(get(&status, AF).as_deref(), Some("07"), "still running");
        let (busy, note) = run(&mut e, DEBIT, now + Duration::from_secs(1));
        assert_eq!(
            (get(&busy, AF).as_deref(), note.as_str()),
            (Some("07"), "busy")
        );
        let (status, _) = run(&mut e, STATUS, now + Duration::from_secs(5));
        assert_eq!(get(&status, CD).as_deref(), Some("T"));
        assert_eq!(get(&status, AE).as_deref(), Some("01"));
        assert_eq!(get(&status, AF).as_deref(), Some("04"));
    }

    #[test]
    fn ticket_masks_the_card() {
        let mut e = v3();
        let (answer, _) = run(
            &mut e,
            b"CZ0040300CJ012247300123456CA00201CB0041250CD0010CE003978CK003120",
            Instant::now(),
        );
        // Both copies: one ZT each, which only a tolerant reading accepts.
        assert!(Message::decode(&answer).is_err());
        let m = Message::decode_with(&answer, DecodeOptions::TOLERANT).unwrap();
        let receipts: Vec<_> = m.receipts().into_iter().map(Result::unwrap).collect();
        assert_eq!(receipts.len(), 2);
        assert_eq!(receipts[0].copy, Some(ReceiptCopy::Customer));
        assert_eq!(receipts[1].copy, Some(ReceiptCopy::Merchant));
        assert!(receipts[1].text.contains("TICKET COMMERCANT"));
        let receipt = &receipts[0];
        assert!(
            receipt.text.contains("497010######7894"),
            "{}",
            receipt.text
        );
        assert!(receipt.text.contains("12,50 EUR"), "{}", receipt.text);
        assert!(receipt.text.contains("CARTE BANCAIRE"));
        assert!(!receipt.text.contains(PAN));
        assert!(!String::from_utf8_lossy(&answer).contains(PAN));
        // No ticket unless asked for.
        let (answer, _) = run(&mut e, DEBIT, Instant::now());
        assert_eq!(get(&answer, ZT), None);
    }

    #[test]
    fn long_tickets_are_sent_whole() {
        let mut s = settings(SimProtocol::V3);
        s.receipt_text = Some("LIGNE DE TICKET\n".repeat(30));
        let request = b"CZ0040300CJ012247300123456CA00201CB0041250CD0010CE003978CK003100";
        let mut e = Engine::new(s, Script::Approve);
        let (answer, _) = run(&mut e, request, Instant::now());
        assert!(answer.len() > 512, "{}", answer.len());
        let receipt = Message::decode(&answer)
            .unwrap()
            .receipt()
            .unwrap()
            .unwrap();
        assert_eq!(receipt.text, "LIGNE DE TICKET\n".repeat(30));
    }

    /// A request that must be refused `AE=01 AF=09`, with its note.
    fn refused_as_malformed(request: &[u8], why: &str) {
        let mut e = v3();
        let (answer, note) = run(&mut e, request, Instant::now());
        let text = String::from_utf8_lossy(request);
        assert_eq!(get(&answer, AE).as_deref(), Some("01"), "{text}");
        assert_eq!(get(&answer, AF).as_deref(), Some("09"), "{text}: {note}");
        assert!(note.contains(why), "{text}: {note}");
        assert!(e.running.is_none(), "{text}: no transaction starts");
    }

    #[test]
    fn what_a_real_terminal_refuses() {
        const H: &str = "CZ0040300CJ012247300123456";
        for (request, why) in [
            (
                format!("{H}CA00201CB0131234567890123CD0010CE003978"),
                "CB of 13",
            ),
            (format!("{H}CA00200CB0041250CD0010CE003978"), "CA is not"),
            (format!("{H}CA00201CB00200CD0010CE003978"), "Debit of 0"),
            (format!("{H}CA00201CB003000CD0010CE003978"), "Debit of 0"),
            (format!("{H}CA003001CB0041250CD0010CE003978"), "CA of 3"),
            (format!("{H}CA0011CB0041250CD0010CE003978"), "CA of 1"),
            (format!("{H}CA00201CB0015CD0010CE003978"), "CB of 1"),
            (format!("{H}CA00201CB0041250CD00200CE003978"), "CD of 2"),
            (format!("{H}CA00201CB0041250CD0010CE0049780"), "CE of 4"),
            (
                format!("{H}CA00201CB0041250CD0010CE003978CC0041234"),
                "CC of 4",
            ),
            (
                format!("{H}CA00201CB0041250CD0010CE003978CK0041000"),
                "CK of 4",
            ),
            (
                format!("{H}CA00201CB0041250CD0010CE003978BA0012"),
                "BA is neither",
            ),
            (
                format!("{H}CA00201CB0041250CD0010CE003978CK003130"),
                "CK is not",
            ),
            (
                format!("{H}CA00201CB0041x50CD0010CE003978"),
                "CB is not an amount",
            ),
            (format!("{H}CA00201CB0041250CD0010CE0039x8"), "CE is not"),
            (
                "CZ00503000CJ012247300123456CA00201CB0041250CD0010CE003978".into(),
                "CZ of 5",
            ),
            (
                "CZ0040300CJ01124730012345CA00201CB0041250CD0010CE003978".into(),
                "CJ of 11",
            ),
            (format!("{H}CA00201CD0010CE003978"), "missing CB"),
            (format!("{H}CA00201CD001TCE003978"), "missing CB"),
            (format!("{H}CA00201CD001BCE003978"), "missing CB"),
        ] {
            refused_as_malformed(request.as_bytes(), why);
        }
    }

    #[test]
    fn the_answer_echoes_every_understood_tag() {
        let mut e = v3();
        let (answer, _) = run(
            &mut e,
            b"CZ0040300CJ012247300123456CA00201CB0041250CD0010CE003978CH003ABCBB0011XY003zzz",
            Instant::now(),
        );
        let m = Message::decode(&answer).unwrap();
        let tags: Vec<&str> = m.records().iter().map(|r| r.tag.as_str()).collect();
        assert_eq!(
            tags,
            [
                "CZ", "CJ", "CA", "CB", "CD", "CE", "CH", "BB", "AE", "CC", "CI", "AC", "AA", "AB",
                "AI", "CG"
            ]
        );
        // Status and settlement carry CB like every request, and are served.
        let (answer, note) = run(
            &mut e,
            b"CZ0040300CJ012247300123456CA00201CB00200CD001TCE003978",
            Instant::now(),
        );
        assert_eq!(get(&answer, AE).as_deref(), Some("10"), "{note}");
        let (answer, note) = run(
            &mut e,
            b"CZ0040300CJ012247300123456CA00201CB00200CD001BCE003978",
            Instant::now(),
        );
        assert_eq!(get(&answer, AE).as_deref(), Some("10"), "{note}");
        assert_eq!(get(&answer, CB).as_deref(), Some("00"));
    }

    #[test]
    fn a_cheque_answer_carries_no_card_fields() {
        let mut e = v3();
        let (answer, _) = run(
            &mut e,
            b"CZ0040300CJ012247300123456CA00201CB0041250CD0010CE003978CC00300C",
            Instant::now(),
        );
        assert_eq!(get(&answer, AE).as_deref(), Some("10"));
        assert_eq!(get(&answer, CC).as_deref(), Some("00C"));
        for tag in [CI, AC, AA, AI, AB, CG] {
            assert_eq!(get(&answer, tag), None, "{tag}");
        }
    }

    #[test]
    fn payment_type_and_contract() {
        let mut s = settings(SimProtocol::V3);
        s.payment_type = crate::sim::PaymentType::AmexContactless;
        s.contract = "9876543210".into();
        let mut e = Engine::new(s, Script::Approve);
        let (answer, _) = run(&mut e, DEBIT, Instant::now());
        assert_eq!(get(&answer, CC).as_deref(), Some("00D"));
        assert_eq!(get(&answer, CI).as_deref(), Some("2"));
        assert_eq!(get(&answer, CG).as_deref(), Some("9876543210"));
    }
}
