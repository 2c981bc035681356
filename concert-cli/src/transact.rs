//! Runs one request against a terminal, with a live progress line on a
//! terminal's stderr and Ctrl-C wired to cancellation.

use std::io::IsTerminal;
use std::sync::{Mutex, OnceLock, PoisonError};
use std::time::Duration;

use concert_core::terminal::{
    CancelToken, Error as TerminalError, Event, Outcome, Request, Terminal, TerminalConfig,
};
use indicatif::{ProgressBar, ProgressStyle};

use crate::exit::{self, CliError};
use crate::output;
use crate::target;

/// Sends `request` to the terminal `config` describes, prints the outcome
/// (readable or JSON) and returns the exit code.
pub fn run(config: TerminalConfig, request: Request, json: bool) -> Result<u8, CliError> {
    let place = target::describe(&config);
    let v2 = config.protocol.is_v2();
    let terminal = Terminal::new(config).map_err(|e| CliError::Terminal(e.into()))?;
    let outcome = submit(&terminal, request, &place)?;
    if json {
        output::print_json(&output::OutcomeJson::new(&outcome));
    } else {
        out!("{}", output::human(&outcome, v2));
    }
    Ok(exit::for_outcome(&outcome))
}

/// Runs the request in the background and follows its events until it ends.
pub fn submit(terminal: &Terminal, request: Request, place: &str) -> Result<Outcome, CliError> {
    // The handler is in place before the request can leave, so a Ctrl-C
    // never kills the process between sending and reporting.
    install_ctrl_c();
    let pending = terminal.submit(request).map_err(CliError::Terminal)?;
    // Ctrl-C stops the wait: before the request left, nothing happened;
    // after, the outcome says in doubt. The handler can only be set once
    // per process, which is all a command needs.
    *RUNNING.lock().unwrap_or_else(PoisonError::into_inner) = Some(pending.cancel_token());
    let bar = progress_bar();
    let result = loop {
        for event in pending.events().try_iter() {
            if let Some(bar) = &bar {
                bar.set_message(describe(event, place));
            }
            log::debug!("event: {}", event.name());
        }
        if let Some(result) = pending.wait_timeout(Duration::from_millis(100)) {
            break result;
        }
    };
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    result.map_err(|e| match e {
        TerminalError::Connect { .. } => CliError::Unreachable {
            flag: "--tcp",
            source: e,
        },
        TerminalError::PortOpen { .. } => CliError::Unreachable {
            flag: "--serial",
            source: e,
        },
        e => CliError::Terminal(e),
    })
}

/// The transaction Ctrl-C cancels; the handler itself is set once.
static RUNNING: Mutex<Option<CancelToken>> = Mutex::new(None);

fn install_ctrl_c() {
    static HANDLER: OnceLock<()> = OnceLock::new();
    HANDLER.get_or_init(|| {
        let set = ctrlc::set_handler(|| {
            if let Some(token) = RUNNING
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .as_ref()
            {
                token.cancel();
            }
        });
        if let Err(e) = set {
            log::warn!("Ctrl-C will not cancel the transaction: {e}");
        }
    });
}

fn progress_bar() -> Option<ProgressBar> {
    if !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = ProgressBar::new_spinner();
    bar.set_style(
        ProgressStyle::with_template("{spinner} {msg} [{elapsed}]")
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    bar.enable_steady_tick(Duration::from_millis(120));
    Some(bar)
}

fn describe(event: Event, place: &str) -> String {
    match event {
        Event::Connecting => format!("connecting to {place}"),
        Event::Sent => "request sent".to_owned(),
        Event::Acknowledged => "the terminal acknowledged the request".to_owned(),
        Event::WaitingForAnswer => "waiting for the card holder (Ctrl-C to stop)".to_owned(),
        Event::AnswerReceived => "answer received".to_owned(),
        Event::LateAnswer => "a late answer to an earlier request came".to_owned(),
        Event::Done(status) => format!("done: {status}"),
        other => other.name().replace('_', " "),
    }
}
