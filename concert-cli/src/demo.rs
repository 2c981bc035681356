//! `concert demo`: the library at work without hardware. Two simulated
//! terminals (V3 over loopback TCP, V2 E+ over a pty pair), five requests
//! on each, every outcome in one table.

use concert_core::amount::format_decimal;
use concert_core::currency::EUR;
use concert_core::sim::{Script, SimProtocol, SimTransport, Simulator, SimulatorConfig};
use concert_core::terminal::{
    Operation, Outcome, Protocol, Request, SerialLine, Status, Terminal, TerminalConfig,
};
use concert_core::v3::Reason;

use crate::exit::{self, CliError};
use crate::transact;

/// The last column's title (a constant, so the header is one format string).
const HEADER_AUTH: &str = "auth";

struct Step {
    label: &'static str,
    request: Request,
    decline_first: bool,
    expected: Status,
}

fn steps() -> Vec<Step> {
    let step = |label, request, decline_first, expected| Step {
        label,
        request,
        decline_first,
        expected,
    };
    vec![
        step("payment", Request::pay(1250, EUR), false, Status::Approved),
        step("refund", Request::refund(500, EUR), false, Status::Approved),
        step(
            "declined payment",
            Request::pay(9990, EUR),
            true,
            Status::Declined,
        ),
        step(
            "cancellation",
            Request::cancel(1250, EUR),
            false,
            Status::Approved,
        ),
        step(
            "identify",
            Request::new(Operation::Identify),
            false,
            Status::Approved,
        ),
    ]
}

/// Runs the demo; exit 0 when every outcome is the expected one.
pub fn run() -> Result<u8, CliError> {
    let start = |protocol, transport| {
        let mut config = SimulatorConfig::default();
        config.protocol = protocol;
        config.transport = transport;
        Simulator::start(config).map_err(|e| CliError::Runtime(format!("demo simulator: {e}")))
    };
    let v3 = start(SimProtocol::V3, SimulatorConfig::default().transport)?;
    let v2 = start(SimProtocol::V2, SimTransport::Pty)?;
    let addr = v3
        .tcp_addr()
        .ok_or_else(|| CliError::Runtime("demo simulator has no address".into()))?;
    let path = v2
        .pty_path()
        .ok_or_else(|| CliError::Runtime("demo simulator has no pty".into()))?;
    let targets = [
        (
            "V3 over TCP",
            addr.to_string(),
            TerminalConfig::tcp(addr.ip().to_string(), addr.port()),
            &v3,
        ),
        (
            "V2 E+ over pty",
            path.display().to_string(),
            TerminalConfig::serial(
                SerialLine::usb(path.display().to_string()),
                Protocol::V2EPlus,
            ),
            &v2,
        ),
    ];
    out!("concert demo: two simulated terminals, no hardware needed\n");
    out!(
        "{:<15} {:<17} {:>10}  {:<9} {:<30} {:<17} {}",
        "terminal",
        "request",
        "amount",
        "status",
        "reason",
        "card",
        HEADER_AUTH
    );
    let mut all_as_expected = true;
    for (name, place, config, sim) in targets {
        let terminal = Terminal::new(config).map_err(|e| CliError::Terminal(e.into()))?;
        for step in steps() {
            if step.decline_first {
                sim.push_script(Script::Decline(Reason::Refused));
            }
            let outcome = transact::submit(&terminal, step.request.clone(), &place)?;
            all_as_expected &= outcome.status == step.expected;
            out!("{}", row(name, step.label, &outcome));
        }
    }
    out!("");
    if all_as_expected {
        out!("every outcome is the expected one; try `concert simulate --tcp 127.0.0.1:0` next");
        Ok(exit::OK)
    } else {
        out!("some outcomes differ from what the simulators were told");
        Ok(exit::DECLINED)
    }
}

fn row(terminal: &str, label: &str, o: &Outcome) -> String {
    let amount = o
        .amount
        .zip(o.currency)
        .map(|(a, c)| format!("{} {c}", format_decimal(a, c)))
        .unwrap_or_else(|| "-".to_owned());
    let reason = match &o.reason_code {
        Some(code) => format!("{} ({code})", o.reason),
        None => o.reason.clone(),
    };
    format!(
        "{:<15} {:<17} {:>10}  {:<9} {:<30} {:<17} {}",
        terminal,
        label,
        amount,
        o.status.as_str(),
        truncate(&reason, 30),
        o.card_number.as_deref().unwrap_or("-"),
        o.authorization_number.as_deref().unwrap_or("-"),
    )
}

fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_owned()
    } else {
        let cut: String = s.chars().take(max - 1).collect();
        format!("{cut}…")
    }
}
