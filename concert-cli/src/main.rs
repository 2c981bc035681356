//! The `concert` command line: pay, refund and query Concert payment
//! terminals from a shell, run the simulator, decode frames, list ports.
//! See `concert --help`; exit codes are in [`exit`].

/// `println!` that ignores a closed stdout (`concert … | head`) instead
/// of panicking.
macro_rules! out {
    ($($arg:tt)*) => {
        $crate::output::print_line(&format!($($arg)*))
    };
}

mod cli;
mod decode;
mod demo;
mod exit;
mod journal;
mod output;
mod ports;
mod request;
mod serve;
mod simulate;
mod target;
mod transact;

use std::process::ExitCode;

use clap::Parser;
use clap::error::ErrorKind;
use concert_core::journal::JournalHandle;
use concert_core::terminal::{Operation, Request};

use cli::{Cli, Command, MoneyArgs, QueryArgs};
use exit::CliError;

fn main() -> ExitCode {
    let wants_json = std::env::args_os().any(|a| a == "--json");
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => return clap_error(&e, wants_json),
    };
    init_logging(&cli);
    match run(cli.command) {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            if wants_json {
                output::print_json(&output::error_json(&e));
            }
            eprintln!("concert: error: {e}");
            ExitCode::from(e.exit_code())
        }
    }
}

/// Clap's own messages, squeezed to the one line every error gets (help
/// and version are printed as clap writes them).
fn clap_error(e: &clap::Error, wants_json: bool) -> ExitCode {
    if matches!(
        e.kind(),
        ErrorKind::DisplayHelp
            | ErrorKind::DisplayVersion
            | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
    ) {
        let _ = e.print();
        return ExitCode::from(
            if e.kind() == ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand {
                exit::USAGE
            } else {
                exit::OK
            },
        );
    }
    let rendered = e.render().to_string();
    let first_paragraph = rendered
        .lines()
        .take_while(|l| !l.trim().is_empty())
        .map(str::trim)
        .collect::<Vec<_>>()
        .join(" ");
    let message = first_paragraph
        .strip_prefix("error: ")
        .unwrap_or(&first_paragraph)
        .to_owned();
    let error = CliError::Runtime(message);
    if wants_json {
        let mut object = output::error_json(&error);
        object["error"]["code"] = concert_core::codes::ErrorCode::Usage.code().into();
        object["error"]["exit_code"] = exit::USAGE.into();
        output::print_json(&object);
    }
    eprintln!("concert: error: {error} (see concert --help)");
    ExitCode::from(exit::USAGE)
}

/// Core logs on stderr: warnings by default, each exchange for the
/// simulator, more with -v; `RUST_LOG` overrides.
fn init_logging(cli: &Cli) {
    let base = match cli.command {
        Command::Simulate(_) | Command::Serve(_) => 1,
        _ => 0,
    };
    let level = match base + cli.verbose {
        0 => log::LevelFilter::Warn,
        1 => log::LevelFilter::Info,
        2 => log::LevelFilter::Debug,
        _ => log::LevelFilter::Trace,
    };
    env_logger::Builder::new()
        .filter_level(level)
        .parse_env("RUST_LOG")
        .format_target(false)
        .target(env_logger::Target::Stderr)
        .init();
}

fn run(command: Command) -> Result<u8, CliError> {
    match command {
        Command::Demo => demo::run(),
        Command::Pay(a) => money(Operation::Pay, &a),
        Command::Refund(a) => money(Operation::Refund, &a),
        Command::Cancel(a) => money(Operation::Cancel, &a),
        Command::Preauth(a) => money(Operation::Preauthorize, &a),
        Command::Identify(a) => query(Operation::Identify, &a),
        Command::Status(a) => query(Operation::Status, &a),
        Command::Settle(a) => query(Operation::Settle, &a),
        Command::Transact(a) => {
            let mut config = target::config(&a.target)?;
            let request = request::from_tags(&a.tags, &mut config)?;
            request::check_encodable(&config, &request, true)?;
            config.journal = journal::for_transaction(&a.journal)?.map(JournalHandle::new);
            transact::run(config, request, a.target.json)
        }
        Command::Simulate(a) => simulate::run(&a),
        Command::Serve(a) => serve::run(&a),
        Command::Decode(a) => decode::run(&a),
        Command::Ports(a) => ports::run(a.json),
        Command::Journal(c) => journal::run(&c),
    }
}

fn money(operation: Operation, args: &MoneyArgs) -> Result<u8, CliError> {
    // The amount is checked before the target, so a typo in it is reported
    // even when the terminal is unreachable.
    request::amount(args)?;
    let mut config = target::config(&args.target)?;
    let request = request::money(operation, args, &config)?;
    request::check_encodable(&config, &request, false)?;
    config.journal = journal::for_transaction(&args.journal)?.map(JournalHandle::new);
    transact::run(config, request, args.target.json)
}

fn query(operation: Operation, args: &QueryArgs) -> Result<u8, CliError> {
    let config = target::config(&args.target)?;
    if config.protocol.is_v2() && operation != Operation::Identify {
        return Err(CliError::flag(
            "--protocol",
            format!(
                "{} is V3 only: V2 terminals have no such request",
                operation.name()
            ),
        ));
    }
    transact::run(config, Request::new(operation), args.target.json)
}
