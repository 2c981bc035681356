//! V2 answers (terminal → cash register).

use std::fmt;

use super::{
    ANSWER_FULL_LEN, ANSWER_SHORT_LEN, PaymentMode, REP_LEN, Status, V2Error, check_amount,
    check_currency, check_printable, digits_field, private_field,
};
use crate::mask::mask_pan;

/// The 55-character REP card data of a full answer. It starts with the card
/// number, which old terminals send unmasked: `Debug` shows it masked, and
/// [`Rep::raw`] is the only way to the bytes as sent.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Rep([u8; REP_LEN]);

impl Rep {
    /// REP from its 55 bytes.
    pub fn new(bytes: [u8; REP_LEN]) -> Rep {
        Rep(bytes)
    }

    /// REP carrying a card number, space-padded (what a terminal or the
    /// simulator sends).
    pub fn with_card_number(card: &str) -> Result<Rep, V2Error> {
        let bytes = card.as_bytes();
        if bytes.len() > REP_LEN {
            return Err(V2Error::OutOfRange {
                field: "REP",
                value: format!("{} characters", bytes.len()),
                range: "at most 55 characters",
            });
        }
        check_printable(bytes)?;
        let mut rep = [b' '; REP_LEN];
        rep[..bytes.len()].copy_from_slice(bytes);
        Ok(Rep(rep))
    }

    /// The bytes as received, card number unmasked. Never log them.
    pub fn raw(&self) -> &[u8; REP_LEN] {
        &self.0
    }

    /// Length of the leading card number (digits, or masking characters).
    fn card_len(&self) -> usize {
        self.0
            .iter()
            .position(|&b| !(b.is_ascii_digit() || b == b'#' || b == b'*'))
            .unwrap_or(REP_LEN)
    }

    /// The card number, masked (first 6 and last 4 digits kept); `None`
    /// when REP carries none (all zeros or blank).
    pub fn masked_card_number(&self) -> Option<String> {
        let pan = &self.0[..self.card_len()];
        if pan.is_empty() || pan.iter().all(|&b| b == b'0') {
            return None;
        }
        Some(mask_pan(std::str::from_utf8(pan).unwrap_or_default()))
    }

    /// REP with the card number masked, safe to log or display.
    pub fn masked(&self) -> Rep {
        let len = self.card_len();
        let mut out = self.0;
        if let Ok(pan) = std::str::from_utf8(&self.0[..len]) {
            out[..len].copy_from_slice(mask_pan(pan).as_bytes());
        }
        Rep(out)
    }
}

impl fmt::Debug for Rep {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Rep({:?})", String::from_utf8_lossy(&self.masked().0))
    }
}

/// A V2 answer.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Answer {
    /// POS number echoed.
    pub pos: u8,
    /// Status.
    pub status: Status,
    /// Amount echoed, minor units.
    pub amount: u32,
    /// Payment mode used.
    pub payment_mode: PaymentMode,
    /// REP card data (80-character answers only).
    pub rep: Option<Rep>,
    /// Currency echoed, ISO 4217 numeric.
    pub currency: u16,
    /// Private data echoed (10 characters, padding kept).
    pub private_data: String,
}

impl Answer {
    /// Decodes an answer payload; 25 or 80 characters, told apart by length.
    pub fn decode(payload: &[u8]) -> Result<Answer, V2Error> {
        let rep_len = match payload.len() {
            ANSWER_SHORT_LEN => 0,
            ANSWER_FULL_LEN => REP_LEN,
            len => {
                return Err(V2Error::WrongLength {
                    what: "answer",
                    expected: "25 or 80",
                    len,
                });
            }
        };
        check_printable(payload)?;
        let pos = digits_field(payload, 0, 2, "POS number")? as u8;
        let amount = digits_field(payload, 3, 8, "amount")?;
        let rep = (rep_len > 0).then(|| {
            let mut bytes = [0u8; REP_LEN];
            bytes.copy_from_slice(&payload[12..12 + REP_LEN]);
            Rep(bytes)
        });
        let currency_at = 12 + rep_len;
        let currency = digits_field(payload, currency_at, 3, "currency")? as u16;
        Ok(Answer {
            pos,
            status: Status::from_code(payload[2]),
            amount,
            payment_mode: PaymentMode::from_code(payload[11]),
            rep,
            currency,
            private_data: String::from_utf8_lossy(&payload[currency_at + 3..]).into_owned(),
        })
    }

    /// Encodes the answer (what a terminal, or the simulator, sends).
    pub fn encode(&self) -> Result<Vec<u8>, V2Error> {
        super::check_pos(self.pos)?;
        check_amount(self.amount)?;
        check_currency(self.currency)?;
        let private = private_field(&self.private_data)?;
        let mut out = Vec::with_capacity(ANSWER_FULL_LEN);
        out.extend_from_slice(format!("{:02}", self.pos).as_bytes());
        out.push(self.status.code());
        out.extend_from_slice(format!("{:08}", self.amount).as_bytes());
        out.push(self.payment_mode.code());
        if let Some(rep) = &self.rep {
            out.extend_from_slice(&rep.0);
        }
        out.extend_from_slice(format!("{:03}", self.currency).as_bytes());
        out.extend_from_slice(&private);
        check_printable(&out)?;
        Ok(out)
    }

    /// The payload with the card number in REP masked: what may be logged.
    pub fn mask_payload(payload: &[u8]) -> Vec<u8> {
        let mut out = payload.to_vec();
        if payload.len() == ANSWER_FULL_LEN
            && let Ok(answer) = Answer::decode(payload)
            && let Some(rep) = answer.rep
        {
            out[12..12 + REP_LEN].copy_from_slice(&rep.masked().0);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_answer_masks_the_card_number() {
        let payload =
            b"0100000125014711690463168807  00000000000000000000000000000000000009780000000000";
        let answer = Answer::decode(payload).unwrap();
        assert_eq!(answer.status, Status::Accepted);
        assert_eq!(answer.amount, 1250);
        assert_eq!(answer.currency, 978);
        let rep = answer.rep.as_ref().unwrap();
        assert_eq!(
            rep.masked_card_number().as_deref(),
            Some("471169######8807")
        );
        assert!(!format!("{answer:?}").contains("4711690463168807"));
        assert_eq!(answer.encode().unwrap(), payload);
        let masked = Answer::mask_payload(payload);
        assert_eq!(&masked[12..28], b"471169######8807");
        assert_eq!(masked.len(), payload.len());
    }

    #[test]
    fn short_answer_and_errors() {
        let answer = Answer::decode(b"0170000911019780000000000").unwrap();
        assert_eq!(answer.status, Status::Refused);
        assert_eq!(answer.rep, None);
        assert!(matches!(
            Answer::decode(b"01700009110197800000000001"),
            Err(V2Error::WrongLength { len: 26, .. })
        ));
        let odd = Answer::decode(b"01X0000911019780000000000").unwrap();
        assert_eq!(odd.status, Status::Other(b'X'));
        assert_eq!(
            Rep::with_card_number("0000").unwrap().masked_card_number(),
            None
        );
    }
}
