//! The simulated terminal itself, sans-I/O: request bytes and the time in,
//! answer bytes (now, or when the card holder is done) out. The TCP and
//! serial drivers own the sockets, the port and the clock.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use super::config::{PaymentType, SimProtocol};
use super::script::Script;

mod v2_requests;
mod v3_requests;

use v3_requests::Records;

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
    /// The card presented (`CC`, `CI`).
    pub payment_type: PaymentType,
    /// Merchant contract number (`CG`).
    pub contract: String,
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

    /// Whether a transaction runs at `now` (one answered at once whose time
    /// has come is finished first).
    pub(crate) fn busy(&mut self, now: Instant) -> bool {
        self.handle_timeout(now);
        self.running.is_some()
    }

    /// Whether the next transaction's script is [`Script::Busy`].
    pub(crate) fn next_is_busy(&self) -> bool {
        self.queue.front().unwrap_or(&self.default_script) == &Script::Busy
    }

    /// Uses up a queued [`Script::Busy`] (the default one stays).
    pub(crate) fn take_busy_script(&mut self) {
        if self.queue.front() == Some(&Script::Busy) {
            self.queue.pop_front();
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
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;

    pub(crate) const PAN: &str = "4970101234567894";

    pub(crate) fn settings(protocol: SimProtocol) -> EngineSettings {
        EngineSettings {
            protocol,
            card_number: PAN.to_owned(),
            receipt_text: None,
            currencies: vec![978],
            answer_version: None,
            answer_delay: Duration::ZERO,
            payment_type: PaymentType::default(),
            contract: crate::sim::DEFAULT_CONTRACT.to_owned(),
        }
    }

    /// Runs a request to its final answer (completing pending ones).
    pub(crate) fn run(engine: &mut Engine, request: &[u8], now: Instant) -> (Vec<u8>, String) {
        match engine.handle_request(request, now) {
            Step::Answer { answer, note } => (answer, note),
            Step::Pending { id, note, .. } => (engine.complete(id).unwrap(), note),
            Step::Silent { note } => (Vec::new(), note),
        }
    }
}
