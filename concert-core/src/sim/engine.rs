//! The simulated terminal itself, sans-I/O: request bytes and the time in,
//! answer bytes (now, or when the card holder is done) out. The TCP and
//! serial drivers own the sockets, the port and the clock.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use super::config::SimProtocol;
use super::script::Script;
use super::ticket::{self, AID, TicketDetails};
use crate::mask::mask_pan;
use crate::v3::tags::*;
use crate::v3::tlv::{DecodeOptions, decode_leading_records, is_printable};
use crate::v3::{Action, Message, MessageBuilder, Reason, Tag};

mod v2_requests;

/// Card expiry the simulator reports (`AB`).
const EXPIRY: &str = "2812";
/// Merchant contract number the simulator reports (`CG`).
const CONTRACT: &str = "1234567";
/// Version put in answers when neither the configuration nor the request
/// gives one.
const FALLBACK_VERSION: &str = "0300";
/// The request tags an answer echoes, in the order answers carry them.
const ECHO_TAGS: [Tag; 7] = [CZ, CJ, CA, CB, CD, CE, CF];

/// V3 records, owned: what an answer is built from.
type Records = Vec<(Tag, Vec<u8>)>;

/// The settings the engine needs (the rest of the configuration belongs to
/// the drivers).
#[derive(Debug, Clone)]
pub(crate) struct EngineSettings {
    /// V2 or V3.
    pub protocol: SimProtocol,
    /// Full card number "read" from the card.
    pub card_number: String,
    /// Ticket text to send instead of the generated one.
    pub receipt_text: Option<String>,
    /// Accepted currencies.
    pub currencies: Vec<u16>,
    /// `CZ` in answers; `None` echoes the request's.
    pub answer_version: Option<String>,
    /// How long a transaction runs.
    pub answer_delay: Duration,
    /// Longest answer the transport carries (512 on serial); longer
    /// answers leave their ticket out.
    pub max_answer_len: Option<usize>,
}

/// What a driver does with a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Step {
    /// Send this answer now.
    Answer {
        /// The payload to send.
        answer: Vec<u8>,
        /// What happened, for the journal.
        note: String,
    },
    /// A transaction started: at `at`, call [`Engine::complete`] with `id`
    /// and send what it gives.
    Pending {
        /// The transaction.
        id: u64,
        /// When the card holder is done.
        at: Instant,
        /// What will happen, for the journal.
        note: String,
    },
    /// Send nothing.
    Silent {
        /// Why, for the journal.
        note: String,
    },
}

/// The transaction in progress.
#[derive(Debug, Clone)]
struct Running {
    id: u64,
    finish_at: Instant,
    /// The final answer, decided when the transaction started.
    answer: Vec<u8>,
    /// V3: its records, kept for a later status request.
    records: Option<Records>,
    /// Answered at once (`BA=1`, `A011`): finishes by itself at `finish_at`.
    detached: bool,
}

/// The simulated terminal's state: script queue, the transaction in
/// progress, the last finished one.
#[derive(Debug)]
pub(crate) struct Engine {
    settings: EngineSettings,
    default_script: Script,
    queue: VecDeque<Script>,
    running: Option<Running>,
    last: Option<Records>,
    next_id: u64,
    authorizations: u32,
}

impl Engine {
    /// A terminal with no transaction behind it.
    pub(crate) fn new(settings: EngineSettings, default_script: Script) -> Engine {
        Engine {
            settings,
            default_script,
            queue: VecDeque::new(),
            running: None,
            last: None,
            next_id: 1,
            authorizations: 0,
        }
    }

    /// Queues a script for the next transactions.
    pub(crate) fn push_script(&mut self, script: Script) {
        self.queue.push_back(script);
    }

    /// Replaces the script used when the queue is empty.
    pub(crate) fn set_default_script(&mut self, script: Script) {
        self.default_script = script;
    }

    /// Handles one request payload received at `now`.
    pub(crate) fn handle_request(&mut self, payload: &[u8], now: Instant) -> Step {
        self.handle_timeout(now);
        match self.settings.protocol {
            SimProtocol::V3 => self.v3_request(payload, now),
            SimProtocol::V2 => self.v2_request(payload, now),
        }
    }

    /// Finishes a transaction answered at once whose time has come.
    pub(crate) fn handle_timeout(&mut self, now: Instant) {
        if self
            .running
            .as_ref()
            .is_some_and(|r| r.detached && r.finish_at <= now)
            && let Some(running) = self.running.take()
        {
            log::debug!("sim: background transaction {} finished", running.id);
            self.last = running.records;
        }
    }

    /// Finishes transaction `id` (from [`Step::Pending`]) and gives its
    /// answer; `None` if it is not the one running.
    pub(crate) fn complete(&mut self, id: u64) -> Option<Vec<u8>> {
        if self
            .running
            .as_ref()
            .is_none_or(|r| r.id != id || r.detached)
        {
            return None;
        }
        let running = self.running.take()?;
        self.last = running.records;
        Some(running.answer)
    }

    /// Bytes in the form the journal and logs keep: card numbers masked by
    /// the codec, so amounts and currencies stay readable.
    pub(crate) fn journal_form(&self, answer: &[u8]) -> Vec<u8> {
        // The client's masking, so that a cut or faulty answer (or a V3
        // `AA` sent in clear by a fault) is masked too.
        let v2 = matches!(self.settings.protocol, SimProtocol::V2);
        crate::terminal::wire::mask_payload(v2, answer)
    }

    fn next_script(&mut self) -> Script {
        self.queue
            .pop_front()
            .unwrap_or_else(|| self.default_script.clone())
    }

    fn start(
        &mut self,
        now: Instant,
        answer: Vec<u8>,
        records: Option<Records>,
        detached: bool,
    ) -> (u64, Instant) {
        let id = self.next_id;
        self.next_id = self.next_id.wrapping_add(1);
        let finish_at = now.checked_add(self.settings.answer_delay).unwrap_or(now);
        self.running = Some(Running {
            id,
            finish_at,
            answer,
            records,
            detached,
        });
        (id, finish_at)
    }

    fn authorization_number(&mut self) -> String {
        self.authorizations = self.authorizations.wrapping_add(1);
        format!("{:06}", 100_000 + self.authorizations % 900_000)
    }

    // ---- V3 ----

    fn version(&self, request_version: Option<&[u8]>) -> Vec<u8> {
        match (&self.settings.answer_version, request_version) {
            (Some(v), _) => v.as_bytes().to_vec(),
            (None, Some(v)) => v.to_vec(),
            (None, None) => FALLBACK_VERSION.as_bytes().to_vec(),
        }
    }

    /// The echoed request records, `CZ` replaced by the answer's version.
    fn echo(&self, request: &Records) -> Records {
        let version = self.version(find(request, CZ));
        let mut out = vec![(CZ, version)];
        out.extend(
            ECHO_TAGS[1..]
                .iter()
                .filter_map(|&t| find(request, t).map(|v| (t, v.to_vec()))),
        );
        out
    }

    fn failure(&self, request: &Records, reason: Reason) -> Records {
        let mut out = self.echo(request);
        out.push((AE, b"01".to_vec()));
        out.push((AF, reason.code().to_vec()));
        out
    }

    fn encode_v3(&self, records: &Records) -> Vec<u8> {
        let bytes = encode_records(records);
        match self.settings.max_answer_len {
            Some(max) if bytes.len() > max && find(records, ZT).is_some() => {
                let without: Records = records.iter().filter(|(t, _)| *t != ZT).cloned().collect();
                let shorter = encode_records(&without);
                log::info!(
                    "sim: answer of {} characters exceeds the {max} of a serial frame: ticket (ZT) left out, {} characters sent",
                    bytes.len(),
                    shorter.len()
                );
                shorter
            }
            _ => bytes,
        }
    }

    fn v3_answer(&self, records: &Records, note: impl Into<String>) -> Step {
        Step::Answer {
            answer: self.encode_v3(records),
            note: note.into(),
        }
    }

    fn v3_request(&mut self, payload: &[u8], now: Instant) -> Step {
        let message = match Message::decode(payload) {
            Ok(m) => m,
            Err(e) => {
                let request = salvage(payload);
                return self.v3_answer(
                    &self.failure(&request, Reason::BadFormat),
                    format!("malformed: {e}"),
                );
            }
        };
        let request: Records = ECHO_TAGS
            .iter()
            .filter_map(|&t| message.get(t).map(|v| (t, v.to_vec())))
            .collect();
        let bad = |this: &Engine, why: String| {
            this.v3_answer(
                &this.failure(&request, Reason::BadFormat),
                format!("malformed: {why}"),
            )
        };
        if let Some(tag) = [CZ, CJ, CA, CD, CE]
            .into_iter()
            .find(|&t| message.get(t).is_none())
        {
            return bad(self, format!("missing {tag}"));
        }
        let action = match message.get(CD) {
            Some(&[code]) => Action::from_code(code),
            _ => return bad(self, "CD is not one character".to_owned()),
        };
        if let Action::Other(code) = action {
            return self.v3_answer(
                &self.failure(&request, Reason::UnknownAction),
                format!("unknown action {:?}", char::from(code)),
            );
        }
        if message.pos_number().is_none() {
            return bad(self, "CA is not a number".to_owned());
        }
        let Some(currency) = message.currency() else {
            return bad(self, "CE is not a number".to_owned());
        };
        let amount_needed = !matches!(
            action,
            Action::Identification | Action::Status | Action::Settlement
        );
        let amount = message.amount();
        if amount_needed && amount.is_none() {
            let why = if message.get(CB).is_none() {
                "missing CB"
            } else {
                "CB is not an amount"
            };
            return bad(self, why.to_owned());
        }
        let echo = self.echo(&request);
        match action {
            Action::Identification => {
                let mut out: Records = echo
                    .iter()
                    .filter(|(t, _)| [CZ, CJ, CA, CD].contains(t))
                    .cloned()
                    .collect();
                out.push((AE, b"10".to_vec()));
                return self.v3_answer(&out, "identify");
            }
            Action::Status => {
                return match (&self.running, &self.last) {
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
                        &self.failure(&request, Reason::NotCompleted),
                        "status: transaction still running",
                    ),
                    (None, None) => self.v3_answer(
                        &self.failure(&request, Reason::NotCompleted),
                        "status: no transaction yet",
                    ),
                };
            }
            _ => {}
        }
        if self.running.is_some() {
            return self.v3_answer(&self.failure(&request, Reason::NotCompleted), "busy");
        }
        if action == Action::Settlement {
            let mut out = echo;
            out.push((AE, b"10".to_vec()));
            return self.v3_answer(&out, "settlement");
        }
        if !self.settings.currencies.contains(&currency) {
            return self.v3_answer(
                &self.failure(&request, Reason::CurrencyNotSupported),
                format!("currency {currency:03} not accepted"),
            );
        }
        let script = self.next_script();
        let label = script.label();
        if script == Script::Busy {
            return self.v3_answer(
                &self.failure(&request, Reason::NotCompleted),
                "busy (script)",
            );
        }
        let amount = amount.unwrap_or(0);
        let records = self.v3_outcome(&script, &message, &request, action, amount, currency);
        let answer = self.encode_v3(&records);
        if message.immediate_answer() == Some(true) {
            let mut taken = echo;
            taken.push((AE, b"11".to_vec()));
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

    fn v3_outcome(
        &mut self,
        script: &Script,
        message: &Message<'_>,
        request: &Records,
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
            Script::Decline(reason) => return self.failure(request, *reason),
            Script::V2Status(_) => return self.failure(request, Reason::Unknown),
            Script::Timeout => return self.failure(request, Reason::InputTimeout),
            Script::Busy => return self.failure(request, Reason::NotCompleted),
            Script::Abandon => {
                let mut out = self.failure(request, Reason::Abandoned);
                out.retain(|(t, _)| *t != CB);
                return out;
            }
        };
        let width = find(request, CB).map_or(2, <[u8]>::len).max(2);
        let cb = format!("{authorised:0width$}");
        let mut out: Records = self
            .echo(request)
            .into_iter()
            .map(|(t, v)| {
                if t == CB {
                    (CB, cb.clone().into_bytes())
                } else {
                    (t, v)
                }
            })
            .collect();
        let application = match message.get(CC) {
            Some(cc) if cc != b"000" => cc.to_vec(),
            _ => b"001".to_vec(),
        };
        let masked = mask_pan(&self.settings.card_number);
        let auth = self.authorization_number();
        out.push((AE, b"10".to_vec()));
        out.push((CC, application));
        out.push((CI, b"1".to_vec()));
        out.push((AC, auth.clone().into_bytes()));
        out.push((AA, masked.clone().into_bytes()));
        out.push((AB, EXPIRY.as_bytes().to_vec()));
        out.push((AI, AID.as_bytes().to_vec()));
        out.push((CG, CONTRACT.as_bytes().to_vec()));
        if let Some(request) = message.ticket_request() {
            let details = TicketDetails {
                action,
                amount: authorised,
                currency,
                masked_card: &masked,
                authorization: &auth,
            };
            if let Some(zt) =
                ticket::build(request, self.settings.receipt_text.as_deref(), &details)
            {
                out.push((ZT, zt));
            }
        }
        out
    }
}

fn find(records: &Records, tag: Tag) -> Option<&[u8]> {
    records
        .iter()
        .find(|(t, _)| *t == tag)
        .map(|(_, v)| v.as_slice())
}

/// Encodes records, leaving out (and logging) any the builder refuses.
fn encode_records(records: &Records) -> Vec<u8> {
    let mut builder = MessageBuilder::new();
    for (tag, value) in records {
        if let Err(e) = builder.push(*tag, value) {
            log::warn!("sim: record {tag} left out of the answer: {e}");
            if !builder.contains(CZ) {
                // An answer always starts with CZ.
                let _ = builder.push(CZ, FALLBACK_VERSION);
            }
        }
    }
    builder.finish()
}

/// The echo tags that can be read from a malformed V3 request: records are
/// read while their headers hold; values that could not be sent back
/// (empty, not printable) are skipped.
fn salvage(payload: &[u8]) -> Records {
    let mut out: Records = Vec::new();
    for record in decode_leading_records(payload, DecodeOptions::STRUCTURE_ONLY).0 {
        if ECHO_TAGS.contains(&record.tag)
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
pub(super) mod tests {
    use super::*;
    use crate::v3::ReceiptCopy;

    pub(crate) const PAN: &str = "4970101234567894";

    pub(crate) fn settings(protocol: SimProtocol) -> EngineSettings {
        EngineSettings {
            protocol,
            card_number: PAN.to_owned(),
            receipt_text: None,
            currencies: vec![978],
            answer_version: None,
            answer_delay: Duration::ZERO,
            max_answer_len: None,
        }
    }

    fn v3() -> Engine {
        Engine::new(settings(SimProtocol::V3), Script::Approve)
    }

    /// Runs a request to its final answer (completing pending ones).
    pub(crate) fn run(engine: &mut Engine, request: &[u8], now: Instant) -> (Vec<u8>, String) {
        match engine.handle_request(request, now) {
            Step::Answer { answer, note } => (answer, note),
            Step::Pending { id, note, .. } => (engine.complete(id).unwrap(), note),
            Step::Silent { note } => (Vec::new(), note),
        }
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

    const STATUS: &[u8] = b"CZ0040300CJ012247300123456CA00201CD001TCE003978";

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
        let m = Message::decode(&answer).unwrap();
        let receipt = m.receipt().unwrap().unwrap();
        assert_eq!(receipt.copy, Some(ReceiptCopy::Both));
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
    fn long_tickets_are_cut_or_left_out_on_serial() {
        let mut s = settings(SimProtocol::V3);
        s.receipt_text = Some("LIGNE DE TICKET\n".repeat(60));
        let request = b"CZ0040300CJ012247300123456CA00201CB0041250CD0010CE003978CK003100";
        let mut e = Engine::new(s.clone(), Script::Approve);
        let (answer, _) = run(&mut e, request, Instant::now());
        assert!(answer.len() > 1024, "{}", answer.len());
        let receipt = Message::decode(&answer)
            .unwrap()
            .receipt()
            .unwrap()
            .unwrap();
        assert!(receipt.text.starts_with("LIGNE DE TICKET\n"));
        s.max_answer_len = Some(512);
        let mut e = Engine::new(s, Script::Approve);
        let (answer, _) = run(&mut e, request, Instant::now());
        assert!(answer.len() <= 512);
        assert_eq!(get(&answer, ZT), None);
        assert_eq!(get(&answer, AE).as_deref(), Some("10"));
    }
}
