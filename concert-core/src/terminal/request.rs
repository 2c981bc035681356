//! What the cash register asks for, in protocol-neutral terms.

use crate::amount::{AmountError, parse_decimal};
use crate::currency::Currency;
use crate::v3::{Action, ReceiptCopy, ReceiptFormat, Tag};

/// What a request does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Operation {
    /// A payment (debit).
    Pay,
    /// A refund (credit), not linked to an earlier payment.
    Refund,
    /// Cancellation of an earlier payment, with its amount.
    Cancel,
    /// A pre-authorisation.
    Preauthorize,
    /// "Are you there?": V3 `CD=I`; over V2 a bare ENQ/ACK/EOT probe.
    Identify,
    /// The result of the last transaction (V3 `CD=T`).
    Status,
    /// Télécollecte: remote batch settlement (V3 `CD=B`).
    Settle,
    /// Any V3 action code, for what the names above don't cover.
    Action(Action),
}

impl Operation {
    /// The V3 action.
    pub fn action(self) -> Action {
        match self {
            Operation::Pay => Action::Debit,
            Operation::Refund => Action::Credit,
            Operation::Cancel => Action::Cancellation,
            Operation::Preauthorize => Action::Preauthorization,
            Operation::Identify => Action::Identification,
            Operation::Status => Action::Status,
            Operation::Settle => Action::Settlement,
            Operation::Action(a) => a,
        }
    }

    /// Whether it moves money (needs an amount and a currency).
    pub fn moves_money(self) -> bool {
        self.action().needs_amount()
    }

    /// Whether it is a query that may run beside a transaction over TCP.
    pub fn is_query(self) -> bool {
        matches!(self.action(), Action::Identification | Action::Status)
    }

    /// A lowercase name for logs and events.
    pub fn name(self) -> &'static str {
        match self {
            Operation::Pay => "pay",
            Operation::Refund => "refund",
            Operation::Cancel => "cancel",
            Operation::Preauthorize => "preauthorize",
            Operation::Identify => "identify",
            Operation::Status => "status",
            Operation::Settle => "settle",
            Operation::Action(_) => "transact",
        }
    }
}

/// The payment application: V2 payment mode and V3 `CC` in one choice.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Application {
    /// Let the terminal choose (V2 `0`, V3 `000`).
    Any,
    /// Bank card (V2 `1`, V3 `001` CB contact).
    Card,
    /// Cheque (V2 `C`, V3 `00C`).
    Cheque,
    /// American Express (V2 `2`, V3 `002`).
    Amex,
    /// Cetelem (V2 `3`, V3 `004`).
    Cetelem,
    /// Cofinoga (V2 `5`, V3 `005`).
    Cofinoga,
    /// Diners (V2 `6`, V3 `006`).
    Diners,
    /// Franfinance (V2 `8`, V3 `008`).
    Franfinance,
    /// JCB (V2 `9`, V3 `009`).
    Jcb,
    /// Accord Finance / Banque Accord (V2 `A`, V3 `00A`).
    AccordFinance,
    /// China UnionPay (V2 `U`, V3 `00U`).
    UnionPay,
    /// Moneo (V2 `O`; no V3 code).
    Moneo,
    /// Fintrax EMV (V2 `F`; no V3 code).
    Fintrax,
    /// Any V3 `CC` code as given (V3 only).
    V3Code(String),
    /// Any V2 payment-mode character as given (V2 only).
    V2Mode(u8),
}

impl Application {
    /// V2 payment mode character, if the application exists in V2.
    pub fn v2_mode(&self) -> Option<u8> {
        Some(match self {
            Application::Any => b'0',
            Application::Card => b'1',
            Application::Cheque => b'C',
            Application::Amex => b'2',
            Application::Cetelem => b'3',
            Application::Cofinoga => b'5',
            Application::Diners => b'6',
            Application::Franfinance => b'8',
            Application::Jcb => b'9',
            Application::AccordFinance => b'A',
            Application::UnionPay => b'U',
            Application::Moneo => b'O',
            Application::Fintrax => b'F',
            Application::V2Mode(c) => *c,
            Application::V3Code(_) => return None,
        })
    }

    /// V3 `CC` code, if the application exists in V3.
    pub fn v3_code(&self) -> Option<&str> {
        Some(match self {
            Application::Any => "000",
            Application::Card => "001",
            Application::Cheque => "00C",
            Application::Amex => "002",
            Application::Cetelem => "004",
            Application::Cofinoga => "005",
            Application::Diners => "006",
            Application::Franfinance => "008",
            Application::Jcb => "009",
            Application::AccordFinance => "00A",
            Application::UnionPay => "00U",
            Application::V3Code(code) => code,
            Application::Moneo | Application::Fintrax | Application::V2Mode(_) => return None,
        })
    }
}

/// A ticket wanted back with the answer (V3 `CK`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ReceiptWanted {
    /// Which copy.
    pub copy: ReceiptCopy,
    /// Text or HTML.
    pub format: ReceiptFormat,
}

/// A request to the terminal. Build one with [`Request::pay`] and friends,
/// then adjust the public fields or use the `with_*` helpers.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Request {
    /// What to do.
    pub operation: Operation,
    /// Amount in integer minor units (cents for EUR).
    pub amount: Option<u64>,
    /// Currency.
    pub currency: Option<Currency>,
    /// Private data / merchant reference, echoed by the terminal
    /// (V2: at most 10 characters; V3: at most 99).
    pub private_data: Option<String>,
    /// Application / payment mode (card by default for V2; unset in V3).
    pub application: Option<Application>,
    /// Ask for an immediate answer (V2 `A011`, V3 `BA=1`): the outcome is
    /// then `Pending` and the result must be fetched with `status`.
    pub immediate_answer: bool,
    /// Force online authorisation (V2 `B011`, V3 `BB=1`).
    pub force_authorization: bool,
    /// Ticket wanted (V3 only).
    pub receipt: Option<ReceiptWanted>,
    /// Original transaction reference for a cancellation (V3 `CH`).
    pub original_reference: Option<String>,
    /// Partial payment allowed (V3 `BF`): sent only when set, since newer
    /// terminal software rejects requests carrying it.
    pub partial_allowed: Option<bool>,
    /// Customer phone (V3 `BH`).
    pub customer_phone: Option<String>,
    /// Customer e-mail (V3 `BI`).
    pub customer_email: Option<String>,
    /// Extra V3 records sent as given, after the ones above (vendor tags).
    pub extra_tags: Vec<(Tag, String)>,
    /// V2 only: ask for the 80-character answer with card data (default on).
    pub full_answer: bool,
}

impl Request {
    /// A request for `operation` with nothing else set.
    pub fn new(operation: Operation) -> Request {
        Request {
            operation,
            amount: None,
            currency: None,
            private_data: None,
            application: None,
            immediate_answer: false,
            force_authorization: false,
            receipt: None,
            original_reference: None,
            partial_allowed: None,
            customer_phone: None,
            customer_email: None,
            extra_tags: Vec::new(),
            full_answer: true,
        }
    }

    fn money(operation: Operation, amount: u64, currency: Currency) -> Request {
        Request {
            amount: Some(amount),
            currency: Some(currency),
            ..Request::new(operation)
        }
    }

    /// A payment of `amount` minor units.
    pub fn pay(amount: u64, currency: Currency) -> Request {
        Request::money(Operation::Pay, amount, currency)
    }

    /// A refund of `amount` minor units.
    pub fn refund(amount: u64, currency: Currency) -> Request {
        Request::money(Operation::Refund, amount, currency)
    }

    /// The cancellation of an earlier payment of `amount` minor units.
    pub fn cancel(amount: u64, currency: Currency) -> Request {
        Request::money(Operation::Cancel, amount, currency)
    }

    /// A pre-authorisation of `amount` minor units.
    pub fn preauthorize(amount: u64, currency: Currency) -> Request {
        Request::money(Operation::Preauthorize, amount, currency)
    }

    /// A payment of a decimal amount such as `"12.50"`, parsed exactly.
    pub fn pay_decimal(amount: &str, currency: Currency) -> Result<Request, AmountError> {
        Ok(Request::pay(parse_decimal(amount, currency)?, currency))
    }

    /// Sets the private data / merchant reference.
    pub fn with_private_data(mut self, data: impl Into<String>) -> Request {
        self.private_data = Some(data.into());
        self
    }

    /// Sets the application.
    pub fn with_application(mut self, application: Application) -> Request {
        self.application = Some(application);
        self
    }

    /// Asks for a ticket.
    pub fn with_receipt(mut self, copy: ReceiptCopy, format: ReceiptFormat) -> Request {
        self.receipt = Some(ReceiptWanted { copy, format });
        self
    }

    /// Asks for an immediate answer.
    pub fn with_immediate_answer(mut self) -> Request {
        self.immediate_answer = true;
        self
    }

    /// Forces online authorisation.
    pub fn with_forced_authorization(mut self) -> Request {
        self.force_authorization = true;
        self
    }

    /// Adds a raw V3 record.
    pub fn with_tag(mut self, tag: Tag, value: impl Into<String>) -> Request {
        self.extra_tags.push((tag, value.into()));
        self
    }
}
