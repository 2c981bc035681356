//! Concert V3 (Caisse-AP 3.x): messages as lists of TLV records.
//!
//! [`tlv`] decodes and encodes records, [`tags`] names every tag and its coded
//! values, [`message`] gives typed access to a decoded message, and
//! [`receipt`] reads and writes tickets.

pub mod message;
pub mod receipt;
pub mod tags;
pub mod tlv;

pub use message::{Message, format_amount};
pub use receipt::{Receipt, ReceiptCopy, ReceiptFormat, TicketRequest};
pub use tags::{Action, ActionStatus, ReadMode, Reason};
pub use tlv::{
    DecodeError, DecodeErrorKind, DecodeOptions, EncodeError, MessageBuilder, Tag, TlvRecord,
};

/// The versions (`CZ`) the protocol documents.
pub const VERSIONS: [&str; 4] = ["0300", "0301", "0310", "0320"];

/// Largest V3 message that fits one serial frame.
pub const MAX_SERIAL_MESSAGE: usize = 512;
