//! The V2 side of the simulated terminal: fixed-width requests in, 25- or
//! 80-character answers out.

use std::time::Instant;

use super::{Engine, Step};
use crate::sim::script::Script;
use crate::v2;
use crate::v3::tlv::is_printable;

impl Engine {
    pub(super) fn v2_request(&mut self, payload: &[u8], now: Instant) -> Step {
        let request = match v2::Request::decode(payload) {
            Ok(r) => r,
            Err(e) => {
                return match v2_salvage(payload) {
                    Some(answer) => Step::Answer {
                        answer,
                        note: format!("malformed: {e}"),
                    },
                    None => Step::Silent {
                        note: format!("malformed: {e}; not answered"),
                    },
                };
            }
        };
        let refused = |this: &Engine, note: String| match this.v2_answer(
            &request,
            v2::Status::Refused,
            request.amount,
            false,
        ) {
            Ok(answer) => Step::Answer { answer, note },
            Err(e) => Step::Silent {
                note: format!("{note}; cannot answer: {e}"),
            },
        };
        if self.running.is_some() {
            return refused(self, "busy".to_owned());
        }
        if !self.settings.currencies.contains(&request.currency) {
            return refused(
                self,
                format!("currency {:03} not accepted", request.currency),
            );
        }
        let script = self.next_script();
        let label = script.label();
        let (status, amount, card) = match script {
            Script::Approve => (v2::Status::Accepted, request.amount, true),
            Script::Partial(partial) => match u32::try_from(partial) {
                Ok(p) if p <= v2::MAX_AMOUNT => (v2::Status::Accepted, p, true),
                _ => {
                    log::warn!(
                        "sim: partial amount {partial} does not fit V2: approving {}",
                        request.amount
                    );
                    (v2::Status::Accepted, request.amount, true)
                }
            },
            Script::Decline(_) => (v2::Status::Refused, request.amount, true),
            Script::V2Status(c) if is_printable(c) => {
                (v2::Status::from_code(c), request.amount, true)
            }
            Script::V2Status(_) | Script::Abandon | Script::Timeout => {
                (v2::Status::Refused, request.amount, false)
            }
            Script::Busy => return refused(self, "busy (script)".to_owned()),
        };
        // A cheque reader reads no card: REP stays blank.
        let card = card && request.payment_mode != v2::PaymentMode::Cheque;
        let answer = match self.v2_answer(&request, status, amount, card) {
            Ok(answer) => answer,
            Err(e) => {
                return Step::Silent {
                    note: format!("{label}; cannot answer: {e}"),
                };
            }
        };
        let immediate = request
            .eplus
            .is_some_and(|e| e.delay == v2::AnswerDelay::Immediate);
        if immediate {
            let taken = match self.v2_answer(&request, v2::Status::Taken, request.amount, false) {
                Ok(taken) => taken,
                Err(e) => {
                    return Step::Silent {
                        note: format!("immediate answer; cannot answer: {e}"),
                    };
                }
            };
            self.start(now, answer, None, true);
            return Step::Answer {
                answer: taken,
                note: format!("immediate answer (A011); then {label}"),
            };
        }
        let (id, at) = self.start(now, answer, None, false);
        Step::Pending {
            id,
            at,
            note: label,
        }
    }

    fn v2_answer(
        &self,
        request: &v2::Request,
        status: v2::Status,
        amount: u32,
        card: bool,
    ) -> Result<Vec<u8>, v2::V2Error> {
        let rep = if request.full_answer {
            Some(v2::Rep::with_card_number(if card {
                &self.settings.card_number
            } else {
                ""
            })?)
        } else {
            None
        };
        v2::Answer {
            pos: request.pos,
            status,
            amount,
            payment_mode: request.payment_mode,
            rep,
            currency: request.currency,
            private_data: request.private_data.clone(),
        }
        .encode()
    }
}

/// A refusal (status `7`) for a V2 request that did not decode, when its
/// POS number, amount and currency can still be read.
fn v2_salvage(payload: &[u8]) -> Option<Vec<u8>> {
    let digits = |offset, len| v2::digits_field(payload, offset, len, "salvage").ok();
    let pos = u8::try_from(digits(0, 2)?).ok()?;
    let amount = digits(2, 8)?;
    let currency = u16::try_from(digits(13, 3)?).ok()?;
    let mode = *payload.get(11)?;
    let private = payload.get(16..26)?;
    if !is_printable(mode) || !private.iter().all(|&b| is_printable(b)) {
        return None;
    }
    let full = payload.get(10) == Some(&b'1');
    let rep = if full {
        Some(v2::Rep::with_card_number("").ok()?)
    } else {
        None
    };
    v2::Answer {
        pos,
        status: v2::Status::Refused,
        amount,
        payment_mode: v2::PaymentMode::from_code(mode),
        rep,
        currency,
        private_data: String::from_utf8_lossy(private).into_owned(),
    }
    .encode()
    .ok()
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, Instant};

    use super::super::tests::{PAN, run, settings};
    use super::super::{Engine, Step};
    use crate::sim::config::SimProtocol;
    use crate::sim::script::Script;
    use crate::v2;
    use crate::v3::Reason;

    fn v2() -> Engine {
        Engine::new(settings(SimProtocol::V2), Script::Approve)
    }

    #[test]
    fn v2_full_short_and_immediate() {
        let mut e = v2();
        let (answer, _) = run(
            &mut e,
            b"0100005510110978REF-000042A010B010",
            Instant::now(),
        );
        assert_eq!(answer.len(), 80);
        let decoded = v2::Answer::decode(&answer).unwrap();
        assert_eq!(decoded.status, v2::Status::Accepted);
        assert_eq!(decoded.amount, 5510);
        assert_eq!(decoded.private_data, "REF-000042");
        assert_eq!(
            &answer[12..28],
            PAN.as_bytes(),
            "old terminals send the PAN unmasked"
        );
        let journal = e.journal_form(&answer);
        assert_eq!(&journal[12..28], b"497010######7894");

        let (answer, _) = run(&mut e, b"01000012500109780000000000", Instant::now());
        assert_eq!(answer, b"0100000125019780000000000");

        e.push_script(Script::Decline(Reason::Refused));
        let (answer, _) = run(
            &mut e,
            b"0100009110010978          A010B010",
            Instant::now(),
        );
        assert_eq!(answer, b"017000091101978          ");

        e.push_script(Script::Partial(1000));
        let (answer, _) = run(
            &mut e,
            b"0100009110010978          A010B010",
            Instant::now(),
        );
        assert_eq!(v2::Answer::decode(&answer).unwrap().amount, 1000);

        e.push_script(Script::V2Status(b'5'));
        let (answer, _) = run(
            &mut e,
            b"0100009110010978          A010B010",
            Instant::now(),
        );
        assert_eq!(answer[2], b'5');

        let (answer, _) = run(
            &mut e,
            b"0100001242010978          A011B010",
            Instant::now(),
        );
        assert_eq!(answer, b"019000012421978          ");
    }

    #[test]
    fn v2_cheque_answer_has_no_card_number() {
        let mut e = v2();
        let (answer, _) = run(
            &mut e,
            b"01000055101C0978REF-000042A010B010",
            Instant::now(),
        );
        assert_eq!(answer.len(), 80);
        assert_eq!(answer[2], b'0');
        assert!(answer[12..67].iter().all(|&b| b == b' '), "{answer:?}");
    }

    #[test]
    fn v2_busy_currency_and_malformed() {
        let mut s = settings(SimProtocol::V2);
        s.answer_delay = Duration::from_secs(60);
        let mut e = Engine::new(s, Script::Approve);
        let now = Instant::now();
        assert!(matches!(
            e.handle_request(b"0100005510110978          A010B010", now),
            Step::Pending { .. }
        ));
        let (busy, note) = run(&mut e, b"0100009110010978          A010B010", now);
        assert_eq!((busy[2], note.as_str()), (b'7', "busy"));

        let mut e = v2();
        let (answer, _) = run(&mut e, b"01000012501108400000000000", now);
        assert_eq!(answer[2], b'7');
        assert_eq!(answer.len(), 80);
        // Unknown E+ field: POS etc. still readable, so refused.
        let (answer, note) = run(&mut e, b"0100001242010978          A019B010", now);
        assert_eq!(answer, b"017000012421978          ");
        assert!(note.starts_with("malformed"), "{note}");
        // Unreadable: not answered.
        let (answer, note) = run(&mut e, b"hello", now);
        assert!(answer.is_empty());
        assert!(note.contains("not answered"), "{note}");
    }
}
