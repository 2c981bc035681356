//! V2 requests (cash register → terminal).

use super::{
    AnswerDelay, Authorization, PaymentMode, REQUEST_E_LEN, REQUEST_EPLUS_LEN, TransactionType,
    V2Error, check_amount, check_currency, check_pos, check_printable, digits_field, private_field,
};

/// The two fields protocol E+ adds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct EPlus {
    /// `A010` / `A011`.
    pub delay: AnswerDelay,
    /// `B010` / `B011`.
    pub authorization: Authorization,
}

/// A V2 request. Field order on the wire: POS, amount, answer flag, payment
/// mode, transaction type, currency, private data, then the E+ fields.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Request {
    /// POS number, 1–99.
    pub pos: u8,
    /// Amount in minor units, at most 8 digits.
    pub amount: u32,
    /// Ask for the 80-character answer with REP card data.
    pub full_answer: bool,
    /// Payment mode.
    pub payment_mode: PaymentMode,
    /// Transaction type.
    pub transaction_type: TransactionType,
    /// Currency, ISO 4217 numeric.
    pub currency: u16,
    /// Private data, at most 10 printable ASCII characters (space-padded).
    pub private_data: String,
    /// Protocol E+ fields; `None` for protocol E.
    pub eplus: Option<EPlus>,
}

impl Request {
    /// Encodes the request payload (26 or 34 characters).
    pub fn encode(&self) -> Result<Vec<u8>, V2Error> {
        check_pos(self.pos)?;
        check_amount(self.amount)?;
        check_currency(self.currency)?;
        let private = private_field(&self.private_data)?;
        let mut out = Vec::with_capacity(REQUEST_EPLUS_LEN);
        out.extend_from_slice(format!("{:02}{:08}", self.pos, self.amount).as_bytes());
        out.push(if self.full_answer { b'1' } else { b'0' });
        out.push(self.payment_mode.code());
        out.push(self.transaction_type.code());
        out.extend_from_slice(format!("{:03}", self.currency).as_bytes());
        out.extend_from_slice(&private);
        if let Some(eplus) = self.eplus {
            out.extend_from_slice(match eplus.delay {
                AnswerDelay::EndOfTransaction => b"A010",
                AnswerDelay::Immediate => b"A011",
            });
            out.extend_from_slice(match eplus.authorization {
                Authorization::TerminalDecides => b"B010",
                Authorization::Forced => b"B011",
            });
        }
        check_printable(&out)?;
        Ok(out)
    }

    /// Decodes a request payload (what a terminal, or the simulator, reads).
    pub fn decode(payload: &[u8]) -> Result<Request, V2Error> {
        if payload.len() != REQUEST_E_LEN && payload.len() != REQUEST_EPLUS_LEN {
            return Err(V2Error::WrongLength {
                what: "request",
                expected: "26 (E) or 34 (E+)",
                len: payload.len(),
            });
        }
        check_printable(payload)?;
        let pos = digits_field(payload, 0, 2, "POS number")? as u8;
        let amount = digits_field(payload, 2, 8, "amount")?;
        let full_answer = match payload[10] {
            b'0' => false,
            b'1' => true,
            other => {
                return Err(V2Error::UnknownValue {
                    field: "answer flag",
                    offset: 10,
                    found: char::from(other).to_string(),
                });
            }
        };
        let currency = digits_field(payload, 13, 3, "currency")? as u16;
        let eplus = if payload.len() == REQUEST_EPLUS_LEN {
            let delay = match &payload[26..30] {
                b"A010" => AnswerDelay::EndOfTransaction,
                b"A011" => AnswerDelay::Immediate,
                other => return Err(unknown("delay", 26, other)),
            };
            let authorization = match &payload[30..34] {
                b"B010" => Authorization::TerminalDecides,
                b"B011" => Authorization::Forced,
                other => return Err(unknown("authorization", 30, other)),
            };
            Some(EPlus {
                delay,
                authorization,
            })
        } else {
            None
        };
        Ok(Request {
            pos,
            amount,
            full_answer,
            payment_mode: PaymentMode::from_code(payload[11]),
            transaction_type: TransactionType::from_code(payload[12]),
            currency,
            // Printable ASCII checked above, so this is lossless.
            private_data: String::from_utf8_lossy(&payload[16..26]).into_owned(),
            eplus,
        })
    }
}

fn unknown(field: &'static str, offset: usize, found: &[u8]) -> V2Error {
    V2Error::UnknownValue {
        field,
        offset,
        found: String::from_utf8_lossy(found).into_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Request {
        Request {
            pos: 1,
            amount: 5510,
            full_answer: true,
            payment_mode: PaymentMode::Card,
            transaction_type: TransactionType::Debit,
            currency: 978,
            private_data: String::new(),
            eplus: Some(EPlus {
                delay: AnswerDelay::EndOfTransaction,
                authorization: Authorization::TerminalDecides,
            }),
        }
    }

    #[test]
    fn encodes_in_wire_order() {
        assert_eq!(
            sample().encode().unwrap(),
            b"0100005510110978          A010B010"
        );
        let e = Request {
            eplus: None,
            ..sample()
        };
        assert_eq!(e.encode().unwrap().len(), REQUEST_E_LEN);
    }

    #[test]
    fn validates() {
        let bad = |r: Request| r.encode().unwrap_err();
        assert!(matches!(
            bad(Request { pos: 0, ..sample() }),
            V2Error::OutOfRange {
                field: "POS number",
                ..
            }
        ));
        assert!(matches!(
            bad(Request {
                amount: 100_000_000,
                ..sample()
            }),
            V2Error::OutOfRange {
                field: "amount",
                ..
            }
        ));
        assert!(matches!(
            bad(Request {
                private_data: "12345678901".into(),
                ..sample()
            }),
            V2Error::OutOfRange { .. }
        ));
        assert!(matches!(
            bad(Request {
                private_data: "caf\u{e9}".into(),
                ..sample()
            }),
            V2Error::NotPrintable { .. }
        ));
        assert!(matches!(
            Request::decode(b"0100005510110978"),
            Err(V2Error::WrongLength { len: 16, .. })
        ));
        assert!(matches!(
            Request::decode(b"01000055101109780000000000A012B010"),
            Err(V2Error::UnknownValue { field: "delay", .. })
        ));
        assert!(matches!(
            super::super::digits_field(b"01", 0, 8, "amount"),
            Err(V2Error::NotDigits { .. })
        ));
        assert!(super::super::digits_field(b"01", 5, 2, "x").is_err());
        assert!(matches!(
            Request::decode(b"010000551x1109780000000000"),
            Err(V2Error::NotDigits { offset: 2, .. })
        ));
    }
}
