//! Node.js bindings of concert (napi-rs). The generated `index.js` exposes
//! these `Native*` items; the package's hand-written `lib/` turns them into
//! the idiomatic API (`Terminal`, `Simulator`, Promises, `AbortSignal`).

mod decode;
mod error;
mod journal;
mod logging;
mod options;
mod outcome;
mod ports;
mod request;
mod simulator;
mod terminal;

pub use decode::{NativeDecoded, NativeField, native_decode};
pub use error::{NativeErrorCode, native_error_codes};
pub use journal::{
    NativeJournal, NativeJournalRecord, NativeResolution, NativeResolveMessage, native_parse_date,
};
pub use logging::{NativeLogRecord, native_set_logger};
pub use options::TerminalOptions;
pub use outcome::{NativeMessage, NativeOutcome};
pub use ports::{PortInfo, ports};
pub use request::NativeRequest;
pub use simulator::{NativeJournalEntry, NativeSimulator, SimulatorFaults, SimulatorOptions};
pub use terminal::{NativeTerminal, NativeTransaction};
