//! `concert journal …`, and the journal the transaction commands write:
//! by default in the per-user data folder, `--journal PATH` elsewhere,
//! `--no-journal` for none.

use std::path::PathBuf;
use std::sync::Arc;

use concert_core::amount::format_decimal;
use concert_core::currency::Currency;
use concert_core::journal::{self as hook, Beginning, EntryId, LateAnswer};
use concert_core::terminal::{Error as TerminalError, Outcome, Terminal};
use concert_journal::{Decision, Entry, ExportFormat, Journal, JournalError, ListFilter};

use crate::cli::{JournalArgs, JournalCommand, JournalFile, ResolveArgs};
use crate::exit::{self, CliError};
use crate::{output, target};

/// `concert/journal.sqlite3` in the per-user data folder:
/// `$XDG_DATA_HOME` or `~/.local/share` on Linux, `%LOCALAPPDATA%` on
/// Windows, `~/Library/Application Support` on macOS.
pub fn default_path() -> Result<PathBuf, CliError> {
    dirs::data_local_dir()
        .map(|d| d.join("concert").join("journal.sqlite3"))
        .ok_or_else(|| {
            CliError::flag(
                "--journal",
                "no per-user data folder is known here: give --journal PATH or --no-journal",
            )
        })
}

fn path_of(given: &Option<PathBuf>) -> Result<PathBuf, CliError> {
    match given {
        Some(path) => Ok(path.clone()),
        None => default_path(),
    }
}

/// The journal a transaction command writes, opened (and created, with its
/// folder) before anything is sent; `None` with `--no-journal`.
pub fn for_transaction(args: &JournalArgs) -> Result<Option<Arc<dyn hook::Journal>>, CliError> {
    let Some(journal) = open_for_writing(args)? else {
        return Ok(None);
    };
    Ok(Some(match halt_step() {
        Some(step) => Arc::new(Halting {
            inner: journal,
            step,
        }),
        None => journal,
    }))
}

/// The journal `args` name (the per-user one by default), opened and
/// created with its folder; `None` with `--no-journal`.
pub fn open_for_writing(args: &JournalArgs) -> Result<Option<Arc<Journal>>, CliError> {
    if args.no_journal {
        return Ok(None);
    }
    let path = path_of(&args.journal)?;
    if let Some(folder) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(folder).map_err(|e| {
            CliError::Journal(JournalError::Storage {
                path: path.clone(),
                detail: format!("cannot create its folder: {e}"),
            })
        })?;
    }
    Ok(Some(Arc::new(
        Journal::open(&path).map_err(CliError::Journal)?,
    )))
}

/// An existing journal, for the `journal` commands (never created here).
fn open(file: &JournalFile) -> Result<Journal, CliError> {
    let path = path_of(&file.journal)?;
    if !path.exists() {
        return Err(CliError::Journal(JournalError::Storage {
            path,
            detail: "no journal here yet (give --journal PATH)".into(),
        }));
    }
    Journal::open(&path).map_err(CliError::Journal)
}

fn entry_id(text: &str) -> Result<i64, CliError> {
    text.parse::<i64>()
        .ok()
        .filter(|id| *id > 0)
        .ok_or_else(|| CliError::flag("ID", format!("{text:?} is not an entry number")))
}

/// Runs a `concert journal` command.
pub fn run(command: &JournalCommand) -> Result<u8, CliError> {
    match command {
        JournalCommand::List {
            in_doubt,
            json,
            file,
        } => {
            let journal = open(file)?;
            let entries = journal
                .list(&ListFilter {
                    in_doubt: *in_doubt,
                    since_ms: None,
                })
                .map_err(CliError::Journal)?;
            if *json {
                output::print_json(&serde_json::json!({
                    "journal": journal.path(),
                    "entries": entries,
                }));
            } else if entries.is_empty() {
                out!(
                    "no {}entries in {}",
                    if *in_doubt { "in-doubt " } else { "" },
                    journal.path().display()
                );
            } else {
                for entry in &entries {
                    out!("{}", line(entry));
                }
            }
            Ok(exit::OK)
        }
        JournalCommand::Show { id, json, file } => {
            let id = entry_id(id)?;
            let journal = open(file)?;
            let entry = journal.show(id).map_err(CliError::Journal)?;
            if *json {
                output::print_json(&entry);
            } else {
                out!("{}", details(&entry));
            }
            Ok(exit::OK)
        }
        JournalCommand::Resolve(args) => resolve(args),
        JournalCommand::Export {
            since,
            format,
            file,
        } => {
            let since = since
                .as_deref()
                .map(concert_journal::parse_date)
                .transpose()
                .map_err(|e| CliError::flag("--since", e))?;
            let format: ExportFormat = format.parse().map_err(|e| CliError::flag("--format", e))?;
            let journal = open(file)?;
            let mut stdout = std::io::stdout().lock();
            journal
                .export(since, format, &mut stdout)
                .map_err(CliError::Journal)?;
            Ok(exit::OK)
        }
        JournalCommand::Prune { before, json, file } => {
            let before =
                concert_journal::parse_date(before).map_err(|e| CliError::flag("--before", e))?;
            let journal = open(file)?;
            let pruned = journal.prune(before).map_err(CliError::Journal)?;
            if *json {
                output::print_json(&serde_json::json!({ "pruned": pruned }));
            } else {
                out!(
                    "pruned {pruned} settled entr{} (entries still in doubt are kept)",
                    if pruned == 1 { "y" } else { "ies" }
                );
            }
            Ok(exit::OK)
        }
    }
}

fn resolve(args: &ResolveArgs) -> Result<u8, CliError> {
    let id = entry_id(&args.id)?;
    let json = args.target.json;
    if let Some(decision) = &args.decision {
        let decision: Decision = decision.parse().map_err(|e| CliError::flag("--as", e))?;
        let note = args.note.as_deref().unwrap_or_default();
        if note.trim().is_empty() {
            return Err(CliError::flag(
                "--note",
                "say what was checked (the terminal's receipt or journal)",
            ));
        }
        let journal = open(&args.file)?;
        let entry = journal
            .resolve_by_hand(id, decision, note)
            .map_err(CliError::Journal)?;
        report(&entry, true, json);
        return Ok(exit::OK);
    }
    if args.target.tcp.is_none() && args.target.serial.is_none() {
        return Err(CliError::flag(
            "--tcp",
            "give the terminal to ask (--tcp or --serial), or decide by hand with --as and --note",
        ));
    }
    let journal = open(&args.file)?;
    let config = target::config(&args.target)?;
    let terminal = Terminal::new(config).map_err(|e| CliError::Terminal(e.into()))?;
    let resolved = journal.resolve(id, &terminal).map_err(|e| match e {
        JournalError::Terminal(
            e @ (TerminalError::Connect { .. } | TerminalError::PortOpen { .. }),
        ) => CliError::Unreachable {
            flag: if args.target.tcp.is_some() {
                "--tcp"
            } else {
                "--serial"
            },
            source: e,
        },
        e => CliError::Journal(e),
    })?;
    report(&resolved.entry, resolved.settled, json);
    Ok(match (resolved.settled, resolved.entry.status) {
        (true, Some(_)) if resolved.entry.is_partial() => exit::PARTIAL,
        (true, Some(status)) => exit::for_status(status),
        _ => exit::IN_DOUBT,
    })
}

fn report(entry: &Entry, settled: bool, json: bool) {
    if json {
        output::print_json(&serde_json::json!({ "settled": settled, "entry": entry }));
        return;
    }
    let last = entry.resolutions.last();
    out!(
        "entry {}: {}{}",
        entry.id,
        if settled {
            entry.status.map_or("settled", |s| s.as_str())
        } else {
            "still in doubt"
        },
        last.map_or_else(String::new, |r| format!(" ({}: {})", r.method, r.note))
    );
}

fn amount(entry: &Entry) -> String {
    match (entry.amount, entry.currency.as_deref()) {
        (Some(a), Some(c)) => match Currency::parse(c) {
            Ok(currency) => format!("{} {c}", format_decimal(a, currency)),
            Err(_) => format!("{a} {c}"),
        },
        (Some(a), None) => a.to_string(),
        _ => String::new(),
    }
}

fn line(e: &Entry) -> String {
    format!(
        "{:>5}  {}  {:<10} {:<12} {:>14}  {:<12} {:<9} {}",
        e.id,
        e.created(),
        e.operation,
        e.terminal,
        amount(e),
        e.reference.as_deref().unwrap_or("-"),
        e.state.as_str(),
        e.status.map_or("-", |s| s.as_str())
    )
}

fn details(e: &Entry) -> String {
    let mut lines = vec![format!("entry {}", e.id)];
    let mut row = |name: &str, value: Option<String>| {
        if let Some(v) = value.filter(|v| !v.is_empty()) {
            lines.push(format!("  {name:<20} {v}"));
        }
    };
    row("created", Some(e.created()));
    row("updated", Some(concert_journal::rfc3339(e.updated_ms)));
    row(
        "terminal",
        Some(format!(
            "{} ({}, POS {})",
            e.terminal, e.protocol, e.pos_number
        )),
    );
    row("operation", Some(e.operation.clone()));
    row("amount", Some(amount(e)));
    row(
        "reference",
        e.reference.clone().map(|r| {
            if e.reference_generated {
                format!("{r} (generated)")
            } else {
                r
            }
        }),
    );
    row("state", Some(e.state.to_string()));
    row("status", e.status.map(|s| s.to_string()));
    row("reason", e.reason.clone());
    row(
        "authorized amount",
        e.authorized_amount.map(|a| a.to_string()),
    );
    row("card number", e.card_number.clone());
    row("authorization", e.authorization_number.clone());
    row("in doubt because", e.in_doubt_cause.clone());
    for r in &e.resolutions {
        lines.push(format!(
            "  {} {} -> {}: {}",
            concert_journal::rfc3339(r.time_ms),
            r.method,
            r.status.map_or("still in doubt", |s| s.as_str()),
            r.note
        ));
    }
    lines.join("\n")
}

/// Test hook: `CONCERT_TEST_HALT_AT` = `before_send`, `after_sent` or
/// `after_answer` makes a transaction command stop for good at that step
/// (saying so on stderr), so a crash test can kill it there for certain.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    BeforeSend,
    AfterSent,
    AfterAnswer,
}

fn halt_step() -> Option<Step> {
    match std::env::var("CONCERT_TEST_HALT_AT").ok()?.as_str() {
        "before_send" => Some(Step::BeforeSend),
        "after_sent" => Some(Step::AfterSent),
        "after_answer" => Some(Step::AfterAnswer),
        _ => None,
    }
}

struct Halting {
    inner: Arc<Journal>,
    step: Step,
}

impl Halting {
    fn halt_if(&self, step: Step, name: &str) {
        if self.step == step {
            use std::io::Write;
            let mut err = std::io::stderr().lock();
            let _ = writeln!(err, "concert: test hook: halted at {name}");
            let _ = err.flush();
            drop(err);
            loop {
                std::thread::park();
            }
        }
    }
}

impl hook::Journal for Halting {
    fn begin(&self, b: &Beginning<'_>) -> Result<EntryId, hook::JournalError> {
        let id = self.inner.begin(b)?;
        self.halt_if(Step::BeforeSend, "before_send");
        Ok(id)
    }

    fn sent(&self, entry: EntryId) -> Result<(), hook::JournalError> {
        self.inner.sent(entry)?;
        self.halt_if(Step::AfterSent, "after_sent");
        Ok(())
    }

    fn finished(&self, entry: EntryId, outcome: &Outcome) -> Result<(), hook::JournalError> {
        self.halt_if(Step::AfterAnswer, "after_answer");
        self.inner.finished(entry, outcome)
    }

    fn not_sent(&self, entry: EntryId, error: &TerminalError) -> Result<(), hook::JournalError> {
        self.inner.not_sent(entry, error)
    }

    fn late_answer(&self, answer: &LateAnswer) -> Result<Option<EntryId>, hook::JournalError> {
        self.inner.late_answer(answer)
    }
}
