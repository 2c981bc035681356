//! The coded fields of V2 messages.

/// Payment mode (offset 11 of requests and answers).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PaymentMode {
    /// `0` other / any.
    Any,
    /// `1` card.
    Card,
    /// `C` cheque.
    Cheque,
    /// `2` American Express.
    Amex,
    /// `3` Cetelem.
    Cetelem,
    /// `5` Cofinoga.
    Cofinoga,
    /// `6` Diners.
    Diners,
    /// `8` Franfinance.
    Franfinance,
    /// `9` JCB.
    Jcb,
    /// `A` Accord Finance.
    AccordFinance,
    /// `O` Moneo.
    Moneo,
    /// `U` China UnionPay.
    Cup,
    /// `F` Fintrax EMV.
    Fintrax,
    /// Any other character, kept as received.
    Other(u8),
}

const MODES: [(PaymentMode, u8, &str); 13] = [
    (PaymentMode::Any, b'0', "any"),
    (PaymentMode::Card, b'1', "card"),
    (PaymentMode::Cheque, b'C', "cheque"),
    (PaymentMode::Amex, b'2', "Amex"),
    (PaymentMode::Cetelem, b'3', "Cetelem"),
    (PaymentMode::Cofinoga, b'5', "Cofinoga"),
    (PaymentMode::Diners, b'6', "Diners"),
    (PaymentMode::Franfinance, b'8', "Franfinance"),
    (PaymentMode::Jcb, b'9', "JCB"),
    (PaymentMode::AccordFinance, b'A', "Accord Finance"),
    (PaymentMode::Moneo, b'O', "Moneo"),
    (PaymentMode::Cup, b'U', "CUP"),
    (PaymentMode::Fintrax, b'F', "Fintrax EMV"),
];

impl PaymentMode {
    /// The mode for a character; unknown ones become [`PaymentMode::Other`].
    pub fn from_code(code: u8) -> PaymentMode {
        MODES
            .iter()
            .find(|(_, c, _)| *c == code)
            .map_or(PaymentMode::Other(code), |(m, _, _)| *m)
    }

    /// The character on the wire.
    pub fn code(self) -> u8 {
        match self {
            PaymentMode::Other(c) => c,
            known => MODES
                .iter()
                .find(|(m, _, _)| *m == known)
                .map_or(b'0', |(_, c, _)| *c),
        }
    }

    /// A short label.
    pub fn label(self) -> &'static str {
        MODES
            .iter()
            .find(|(m, _, _)| *m == self)
            .map_or("unknown", |(_, _, l)| l)
    }
}

/// Transaction type (offset 12 of requests).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TransactionType {
    /// `0` debit (payment).
    Debit,
    /// `1` credit (refund).
    Credit,
    /// `2` cancellation.
    Cancellation,
    /// `4` pre-authorisation.
    Preauthorization,
    /// Any other character, kept as received.
    Other(u8),
}

impl TransactionType {
    /// The type for a character.
    pub fn from_code(code: u8) -> TransactionType {
        match code {
            b'0' => TransactionType::Debit,
            b'1' => TransactionType::Credit,
            b'2' => TransactionType::Cancellation,
            b'4' => TransactionType::Preauthorization,
            c => TransactionType::Other(c),
        }
    }

    /// The character on the wire.
    pub fn code(self) -> u8 {
        match self {
            TransactionType::Debit => b'0',
            TransactionType::Credit => b'1',
            TransactionType::Cancellation => b'2',
            TransactionType::Preauthorization => b'4',
            TransactionType::Other(c) => c,
        }
    }
}

/// When the terminal answers (E+ only).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AnswerDelay {
    /// `A010` at the end of the transaction.
    EndOfTransaction,
    /// `A011` at once, status `9`, no final result.
    Immediate,
}

/// Who decides on online authorisation (E+ only).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Authorization {
    /// `B010` the terminal decides.
    TerminalDecides,
    /// `B011` forced online.
    Forced,
}

/// The answer's status (offset 2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Status {
    /// `0` accepted.
    Accepted,
    /// `7` refused.
    Refused,
    /// `9` request taken (immediate answer, no final status).
    Taken,
    /// Any other character: not performed or unknown, kept raw.
    Other(u8),
}

impl Status {
    /// The status for a character.
    pub fn from_code(code: u8) -> Status {
        match code {
            b'0' => Status::Accepted,
            b'7' => Status::Refused,
            b'9' => Status::Taken,
            c => Status::Other(c),
        }
    }

    /// The character on the wire.
    pub fn code(self) -> u8 {
        match self {
            Status::Accepted => b'0',
            Status::Refused => b'7',
            Status::Taken => b'9',
            Status::Other(c) => c,
        }
    }

    /// A short English description.
    pub fn text(self) -> &'static str {
        match self {
            Status::Accepted => "accepted",
            Status::Refused => "refused",
            Status::Taken => "request taken, no final status",
            Status::Other(_) => "not performed (undocumented status)",
        }
    }
}
