//! Scripted outcomes: what the simulated card holder and bank do.

use crate::v3::Reason;

/// The outcome of one simulated transaction. Scripts are taken from the
/// simulator's queue in order, then its default script applies.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Script {
    /// Approved. V3: `AE=10` with `CC`, `CI`, `AC`, `AA` (masked), `AB`,
    /// `AI`, `CG` (and `ZT` when a ticket is asked for). V2: status `0`.
    Approve,
    /// Declined with this reason. V3: `AE=01 AF=<code>`. V2: status `7`.
    Decline(Reason),
    /// V2: answer with this raw status character. V3: like
    /// `Decline(Reason::Unknown)`.
    V2Status(u8),
    /// The card holder pressed the red button. V3: `AE=01 AF=06`, no `CB`.
    /// V2: status `7`.
    Abandon,
    /// Approved for a lower amount (minor units): V3 `CB`, V2 amount field.
    Partial(u64),
    /// The card holder never acted. V3: `AE=01 AF=08`. V2: status `7`.
    Timeout,
    /// A busy terminal. V3: `AE=01 AF=07` at once. V2 over serial: the
    /// cash register's ENQ goes unanswered (a busy terminal does not
    /// answer), for one session of ENQ attempts; a V2 request that gets
    /// through anyway is refused, status `7`.
    Busy,
}

impl Script {
    /// A short name for journal notes and logs.
    pub fn label(&self) -> String {
        match self {
            Script::Approve => "approve".to_owned(),
            Script::Decline(reason) => {
                format!("decline {}", String::from_utf8_lossy(&reason.code()))
            }
            Script::V2Status(c) => format!("V2 status {:?}", char::from(*c)),
            Script::Abandon => "abandon".to_owned(),
            Script::Partial(amount) => format!("partial {amount}"),
            Script::Timeout => "timeout".to_owned(),
            Script::Busy => "busy".to_owned(),
        }
    }
}
