//! The enumerations of the C API. They cross the boundary as `uint32_t`
//! (an out-of-range value in a Rust enum would be undefined behaviour) and
//! are checked with `TryFrom<u32>`. Values start at 1: a zeroed variable is
//! never mistaken for a real value (least of all "approved").

use concert_core::terminal::{Direction, Event, Operation, Parity, Status};
use concert_core::v3::{ReceiptCopy, ReceiptFormat};

use crate::result::concert_result;

/// `TryFrom<u32>` for a C enum, listing its variants once.
macro_rules! from_u32 {
    ($ty:ident: $($variant:ident),+ $(,)?) => {
        impl TryFrom<u32> for $ty {
            type Error = concert_result;

            fn try_from(value: u32) -> Result<Self, concert_result> {
                $(if value == $ty::$variant as u32 {
                    return Ok($ty::$variant);
                })+
                Err(concert_result::CONCERT_RESULT_INVALID_ARGUMENT)
            }
        }
    };
}

/// What happened to a request (`concert_outcome_status`).
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum concert_status {
    /// The operation went through.
    CONCERT_STATUS_APPROVED = 1,
    /// The card, the issuer or the terminal refused it.
    CONCERT_STATUS_DECLINED = 2,
    /// Stopped at the terminal (card holder or operator abandon, time-out).
    CONCERT_STATUS_ABORTED = 3,
    /// The terminal did not perform it.
    CONCERT_STATUS_NOT_PERFORMED = 4,
    /// Accepted with an immediate answer: fetch the result with a status
    /// request.
    CONCERT_STATUS_PENDING = 5,
    /// The request reached the terminal but no valid answer came back:
    /// nobody knows whether money moved. Ask the terminal (a status
    /// request) before retrying; never treat it as declined.
    CONCERT_STATUS_IN_DOUBT = 6,
}
from_u32!(concert_status: CONCERT_STATUS_APPROVED, CONCERT_STATUS_DECLINED, CONCERT_STATUS_ABORTED,
    CONCERT_STATUS_NOT_PERFORMED, CONCERT_STATUS_PENDING, CONCERT_STATUS_IN_DOUBT);

impl From<Status> for concert_status {
    fn from(status: Status) -> Self {
        match status {
            Status::Approved => concert_status::CONCERT_STATUS_APPROVED,
            Status::Declined => concert_status::CONCERT_STATUS_DECLINED,
            Status::Aborted => concert_status::CONCERT_STATUS_ABORTED,
            Status::NotPerformed => concert_status::CONCERT_STATUS_NOT_PERFORMED,
            Status::Pending => concert_status::CONCERT_STATUS_PENDING,
            Status::InDoubt => concert_status::CONCERT_STATUS_IN_DOUBT,
            // A status this ABI version has no number for: never reported
            // as a result the till could act on.
            _ => concert_status::CONCERT_STATUS_IN_DOUBT,
        }
    }
}

impl From<concert_status> for Status {
    fn from(status: concert_status) -> Self {
        match status {
            concert_status::CONCERT_STATUS_APPROVED => Status::Approved,
            concert_status::CONCERT_STATUS_DECLINED => Status::Declined,
            concert_status::CONCERT_STATUS_ABORTED => Status::Aborted,
            concert_status::CONCERT_STATUS_NOT_PERFORMED => Status::NotPerformed,
            concert_status::CONCERT_STATUS_PENDING => Status::Pending,
            concert_status::CONCERT_STATUS_IN_DOUBT => Status::InDoubt,
        }
    }
}

/// What a request does.
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum concert_operation {
    /// A payment (debit).
    CONCERT_OPERATION_PAY = 1,
    /// A refund (credit).
    CONCERT_OPERATION_REFUND = 2,
    /// Cancellation of an earlier payment.
    CONCERT_OPERATION_CANCEL = 3,
    /// A pre-authorisation.
    CONCERT_OPERATION_PREAUTHORIZE = 4,
    /// "Are you there?", no transaction.
    CONCERT_OPERATION_IDENTIFY = 5,
    /// The result of the last transaction.
    CONCERT_OPERATION_STATUS = 6,
    /// Télécollecte: remote batch settlement.
    CONCERT_OPERATION_SETTLE = 7,
    /// Another V3 action code (outcomes only).
    CONCERT_OPERATION_OTHER = 8,
}
from_u32!(concert_operation: CONCERT_OPERATION_PAY, CONCERT_OPERATION_REFUND, CONCERT_OPERATION_CANCEL,
    CONCERT_OPERATION_PREAUTHORIZE, CONCERT_OPERATION_IDENTIFY, CONCERT_OPERATION_STATUS,
    CONCERT_OPERATION_SETTLE, CONCERT_OPERATION_OTHER);

impl From<Operation> for concert_operation {
    fn from(operation: Operation) -> Self {
        match operation {
            Operation::Pay => concert_operation::CONCERT_OPERATION_PAY,
            Operation::Refund => concert_operation::CONCERT_OPERATION_REFUND,
            Operation::Cancel => concert_operation::CONCERT_OPERATION_CANCEL,
            Operation::Preauthorize => concert_operation::CONCERT_OPERATION_PREAUTHORIZE,
            Operation::Identify => concert_operation::CONCERT_OPERATION_IDENTIFY,
            Operation::Status => concert_operation::CONCERT_OPERATION_STATUS,
            Operation::Settle => concert_operation::CONCERT_OPERATION_SETTLE,
            Operation::Action(_) => concert_operation::CONCERT_OPERATION_OTHER,
            _ => concert_operation::CONCERT_OPERATION_OTHER,
        }
    }
}

impl concert_operation {
    /// The core operation; `None` for `OTHER`, which needs an action code.
    pub(crate) fn to_core(self) -> Option<Operation> {
        Some(match self {
            concert_operation::CONCERT_OPERATION_PAY => Operation::Pay,
            concert_operation::CONCERT_OPERATION_REFUND => Operation::Refund,
            concert_operation::CONCERT_OPERATION_CANCEL => Operation::Cancel,
            concert_operation::CONCERT_OPERATION_PREAUTHORIZE => Operation::Preauthorize,
            concert_operation::CONCERT_OPERATION_IDENTIFY => Operation::Identify,
            concert_operation::CONCERT_OPERATION_STATUS => Operation::Status,
            concert_operation::CONCERT_OPERATION_SETTLE => Operation::Settle,
            concert_operation::CONCERT_OPERATION_OTHER => return None,
        })
    }
}

/// The protocol a terminal speaks.
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum concert_protocol {
    /// V2 protocol E (serial only).
    CONCERT_PROTOCOL_V2E = 1,
    /// V2 protocol E+ (serial only).
    CONCERT_PROTOCOL_V2E_PLUS = 2,
    /// V3 (TCP or serial), with a version such as `"0300"`.
    CONCERT_PROTOCOL_V3 = 3,
}
from_u32!(concert_protocol: CONCERT_PROTOCOL_V2E, CONCERT_PROTOCOL_V2E_PLUS, CONCERT_PROTOCOL_V3);

/// Serial parity.
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum concert_parity {
    /// No parity bit.
    CONCERT_PARITY_NONE = 1,
    /// Even parity (RS232 terminals: 7E1).
    CONCERT_PARITY_EVEN = 2,
    /// Odd parity.
    CONCERT_PARITY_ODD = 3,
}
from_u32!(concert_parity: CONCERT_PARITY_NONE, CONCERT_PARITY_EVEN, CONCERT_PARITY_ODD);

impl From<concert_parity> for Parity {
    fn from(parity: concert_parity) -> Self {
        match parity {
            concert_parity::CONCERT_PARITY_NONE => Parity::None,
            concert_parity::CONCERT_PARITY_EVEN => Parity::Even,
            concert_parity::CONCERT_PARITY_ODD => Parity::Odd,
        }
    }
}

/// Which time limit `concert_terminal_config_set_timeout_ms` sets.
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum concert_timeout {
    /// TCP connect (default 10 s).
    CONCERT_TIMEOUT_CONNECT = 1,
    /// Waiting for the answer to a transaction (default 180 s, at least 60 s).
    CONCERT_TIMEOUT_ANSWER = 2,
    /// TCP: quiet time that ends a complete answer (default 200 ms).
    CONCERT_TIMEOUT_QUIET_PERIOD = 3,
    /// Answer wait for identify and status (default 15 s).
    CONCERT_TIMEOUT_QUERY = 4,
}
from_u32!(concert_timeout: CONCERT_TIMEOUT_CONNECT, CONCERT_TIMEOUT_ANSWER,
    CONCERT_TIMEOUT_QUIET_PERIOD, CONCERT_TIMEOUT_QUERY);

/// The payment application (V2 payment mode and V3 `CC` in one choice).
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum concert_application {
    /// Let the terminal choose.
    CONCERT_APPLICATION_ANY = 1,
    /// Bank card.
    CONCERT_APPLICATION_CARD = 2,
    /// Cheque.
    CONCERT_APPLICATION_CHEQUE = 3,
    /// American Express.
    CONCERT_APPLICATION_AMEX = 4,
    /// Cetelem.
    CONCERT_APPLICATION_CETELEM = 5,
    /// Cofinoga.
    CONCERT_APPLICATION_COFINOGA = 6,
    /// Diners.
    CONCERT_APPLICATION_DINERS = 7,
    /// Franfinance.
    CONCERT_APPLICATION_FRANFINANCE = 8,
    /// JCB.
    CONCERT_APPLICATION_JCB = 9,
    /// Accord Finance.
    CONCERT_APPLICATION_ACCORD_FINANCE = 10,
    /// China UnionPay.
    CONCERT_APPLICATION_UNION_PAY = 11,
    /// Moneo (V2 only).
    CONCERT_APPLICATION_MONEO = 12,
    /// Fintrax EMV (V2 only).
    CONCERT_APPLICATION_FINTRAX = 13,
}
from_u32!(concert_application: CONCERT_APPLICATION_ANY, CONCERT_APPLICATION_CARD,
    CONCERT_APPLICATION_CHEQUE, CONCERT_APPLICATION_AMEX, CONCERT_APPLICATION_CETELEM,
    CONCERT_APPLICATION_COFINOGA, CONCERT_APPLICATION_DINERS, CONCERT_APPLICATION_FRANFINANCE,
    CONCERT_APPLICATION_JCB, CONCERT_APPLICATION_ACCORD_FINANCE, CONCERT_APPLICATION_UNION_PAY,
    CONCERT_APPLICATION_MONEO, CONCERT_APPLICATION_FINTRAX);

/// Which copy of the ticket.
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum concert_receipt_copy {
    /// The card holder's copy.
    CONCERT_RECEIPT_COPY_CUSTOMER = 1,
    /// The merchant's copy.
    CONCERT_RECEIPT_COPY_MERCHANT = 2,
    /// Both copies.
    CONCERT_RECEIPT_COPY_BOTH = 3,
}
from_u32!(concert_receipt_copy: CONCERT_RECEIPT_COPY_CUSTOMER, CONCERT_RECEIPT_COPY_MERCHANT,
    CONCERT_RECEIPT_COPY_BOTH);

impl From<concert_receipt_copy> for ReceiptCopy {
    fn from(copy: concert_receipt_copy) -> Self {
        match copy {
            concert_receipt_copy::CONCERT_RECEIPT_COPY_CUSTOMER => ReceiptCopy::Customer,
            concert_receipt_copy::CONCERT_RECEIPT_COPY_MERCHANT => ReceiptCopy::Merchant,
            concert_receipt_copy::CONCERT_RECEIPT_COPY_BOTH => ReceiptCopy::Both,
        }
    }
}

impl From<ReceiptCopy> for concert_receipt_copy {
    fn from(copy: ReceiptCopy) -> Self {
        match copy {
            ReceiptCopy::Customer => concert_receipt_copy::CONCERT_RECEIPT_COPY_CUSTOMER,
            ReceiptCopy::Merchant => concert_receipt_copy::CONCERT_RECEIPT_COPY_MERCHANT,
            ReceiptCopy::Both => concert_receipt_copy::CONCERT_RECEIPT_COPY_BOTH,
        }
    }
}

/// How the ticket is encoded.
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum concert_receipt_format {
    /// Plain text.
    CONCERT_RECEIPT_FORMAT_TEXT = 1,
    /// HTML.
    CONCERT_RECEIPT_FORMAT_HTML = 2,
}
from_u32!(concert_receipt_format: CONCERT_RECEIPT_FORMAT_TEXT, CONCERT_RECEIPT_FORMAT_HTML);

impl From<concert_receipt_format> for ReceiptFormat {
    fn from(format: concert_receipt_format) -> Self {
        match format {
            concert_receipt_format::CONCERT_RECEIPT_FORMAT_TEXT => ReceiptFormat::Text,
            concert_receipt_format::CONCERT_RECEIPT_FORMAT_HTML => ReceiptFormat::Html,
        }
    }
}

impl From<ReceiptFormat> for concert_receipt_format {
    fn from(format: ReceiptFormat) -> Self {
        match format {
            ReceiptFormat::Text => concert_receipt_format::CONCERT_RECEIPT_FORMAT_TEXT,
            ReceiptFormat::Html => concert_receipt_format::CONCERT_RECEIPT_FORMAT_HTML,
        }
    }
}

/// A step of a running transaction (`concert_event_kind`, event callbacks).
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum concert_event_kind {
    /// Opening the connection or the serial port.
    CONCERT_EVENT_CONNECTING = 1,
    /// The request left this machine.
    CONCERT_EVENT_SENT = 2,
    /// The terminal acknowledged the request frame (serial only).
    CONCERT_EVENT_ACKNOWLEDGED = 3,
    /// Waiting for the answer: the card holder is paying.
    CONCERT_EVENT_WAITING_FOR_ANSWER = 4,
    /// The answer arrived.
    CONCERT_EVENT_ANSWER_RECEIVED = 5,
    /// The transaction ended: its outcome or error is in the event
    /// (polling only; callbacks get it through the done callback).
    CONCERT_EVENT_DONE = 6,
    /// Answers to earlier requests came late: they are on this
    /// transaction's outcome (`concert_outcome_late_answer`).
    CONCERT_EVENT_LATE_ANSWER = 7,
}
from_u32!(concert_event_kind: CONCERT_EVENT_CONNECTING, CONCERT_EVENT_SENT,
    CONCERT_EVENT_ACKNOWLEDGED, CONCERT_EVENT_WAITING_FOR_ANSWER, CONCERT_EVENT_ANSWER_RECEIVED,
    CONCERT_EVENT_DONE, CONCERT_EVENT_LATE_ANSWER);

impl From<Event> for concert_event_kind {
    fn from(event: Event) -> Self {
        match event {
            Event::Connecting => concert_event_kind::CONCERT_EVENT_CONNECTING,
            Event::Sent => concert_event_kind::CONCERT_EVENT_SENT,
            Event::Acknowledged => concert_event_kind::CONCERT_EVENT_ACKNOWLEDGED,
            Event::WaitingForAnswer => concert_event_kind::CONCERT_EVENT_WAITING_FOR_ANSWER,
            Event::AnswerReceived => concert_event_kind::CONCERT_EVENT_ANSWER_RECEIVED,
            Event::Done(_) => concert_event_kind::CONCERT_EVENT_DONE,
            Event::LateAnswer => concert_event_kind::CONCERT_EVENT_LATE_ANSWER,
            // A step this ABI version has no number for: the request is
            // still running.
            _ => concert_event_kind::CONCERT_EVENT_WAITING_FOR_ANSWER,
        }
    }
}

/// Which way bytes crossed the wire (`concert_outcome_frame`).
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum concert_direction {
    /// Cash register to terminal.
    CONCERT_DIRECTION_SENT = 1,
    /// Terminal to cash register.
    CONCERT_DIRECTION_RECEIVED = 2,
}
from_u32!(concert_direction: CONCERT_DIRECTION_SENT, CONCERT_DIRECTION_RECEIVED);

impl From<Direction> for concert_direction {
    fn from(direction: Direction) -> Self {
        match direction {
            Direction::Sent => concert_direction::CONCERT_DIRECTION_SENT,
            Direction::Received => concert_direction::CONCERT_DIRECTION_RECEIVED,
        }
    }
}

/// Where a simulator listens.
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum concert_sim_transport {
    /// TCP on 127.0.0.1 (port 0 picks a free port).
    CONCERT_SIM_TRANSPORT_TCP = 1,
    /// A pseudo-terminal pair (Unix): the client opens its path.
    CONCERT_SIM_TRANSPORT_PTY = 2,
}
from_u32!(concert_sim_transport: CONCERT_SIM_TRANSPORT_TCP, CONCERT_SIM_TRANSPORT_PTY);

/// Which protocol a simulator speaks.
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum concert_sim_protocol {
    /// Concert V2 (serial, so pty only).
    CONCERT_SIM_PROTOCOL_V2 = 1,
    /// Concert V3.
    CONCERT_SIM_PROTOCOL_V3 = 2,
}
from_u32!(concert_sim_protocol: CONCERT_SIM_PROTOCOL_V2, CONCERT_SIM_PROTOCOL_V3);

/// What a simulated transaction does, with its parameter.
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum concert_script {
    /// Approved (parameter ignored).
    CONCERT_SCRIPT_APPROVE = 1,
    /// Declined; parameter: the V3 `AF` reason code as a number (4 =
    /// refused, 5 = forbidden ...), 0 for refused.
    CONCERT_SCRIPT_DECLINE = 2,
    /// The card holder abandoned.
    CONCERT_SCRIPT_ABANDON = 3,
    /// Approved for less; parameter: the amount in minor units.
    CONCERT_SCRIPT_PARTIAL = 4,
    /// The card holder never acted.
    CONCERT_SCRIPT_TIMEOUT = 5,
    /// The terminal answers busy.
    CONCERT_SCRIPT_BUSY = 6,
    /// V2: answer with this raw status character (parameter: its code).
    CONCERT_SCRIPT_V2_STATUS = 7,
}
from_u32!(concert_script: CONCERT_SCRIPT_APPROVE, CONCERT_SCRIPT_DECLINE, CONCERT_SCRIPT_ABANDON,
    CONCERT_SCRIPT_PARTIAL, CONCERT_SCRIPT_TIMEOUT, CONCERT_SCRIPT_BUSY, CONCERT_SCRIPT_V2_STATUS);

/// A fault a simulator injects on purpose (`concert_simulator_config_set_fault`).
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum concert_sim_fault {
    /// Value 0/1: write half the answer, then close (TCP) or go silent
    /// (serial): the client's outcome is in doubt.
    CONCERT_SIM_FAULT_CLOSE_MID_ANSWER = 1,
    /// Value 0/1: accept transactions but never answer them.
    CONCERT_SIM_FAULT_NEVER_ANSWER = 2,
    /// Value 0/1: write answers in pieces.
    CONCERT_SIM_FAULT_SPLIT_WRITES = 3,
    /// Value 0/1: serial, no EOT after the answer.
    CONCERT_SIM_FAULT_SKIP_FINAL_EOT = 4,
    /// Value N: serial, NAK the first N request frames.
    CONCERT_SIM_FAULT_NAK_FIRST_FRAMES = 5,
    /// Value N: serial, wrong LRC on the first N answer frames.
    CONCERT_SIM_FAULT_CORRUPT_LRC_FIRST = 6,
}
from_u32!(concert_sim_fault: CONCERT_SIM_FAULT_CLOSE_MID_ANSWER, CONCERT_SIM_FAULT_NEVER_ANSWER,
    CONCERT_SIM_FAULT_SPLIT_WRITES, CONCERT_SIM_FAULT_SKIP_FINAL_EOT,
    CONCERT_SIM_FAULT_NAK_FIRST_FRAMES, CONCERT_SIM_FAULT_CORRUPT_LRC_FIRST);
