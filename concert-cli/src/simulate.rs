//! `concert simulate`: a scripted terminal on TCP or a pty, served until
//! SIGINT/SIGTERM. The first stdout line says where it is.

use std::io::Write;
use std::net::{IpAddr, SocketAddr};

use concert_core::sim::{
    Faults, Script, SimError, SimProtocol, SimTransport, Simulator, SimulatorConfig,
};

use crate::cli::SimulateArgs;
use crate::exit::{self, CliError};
use crate::target::{parse_port, parse_protocol, parse_seconds, split_host_port};

/// The simulator configuration and the scripts queued before the default.
pub fn config(args: &SimulateArgs) -> Result<(SimulatorConfig, Vec<Script>), CliError> {
    let transport = match &args.tcp {
        Some(text) => {
            let (host, port) = split_host_port("--tcp", text)?;
            let port = parse_port("--tcp", &port, true)?;
            let ip: IpAddr = host.parse().map_err(|_| {
                CliError::flag(
                    "--tcp",
                    format!("{host:?} is not an IP address to listen on"),
                )
            })?;
            SimTransport::Tcp(SocketAddr::new(ip, port))
        }
        None => SimTransport::Pty,
    };
    let mut config = SimulatorConfig::default();
    config.transport = transport;
    config.protocol = if parse_protocol(&args.protocol)?.is_v2() {
        SimProtocol::V2
    } else {
        SimProtocol::V3
    };
    if config.protocol == SimProtocol::V2 && args.tcp.is_some() {
        return Err(CliError::flag(
            "--protocol",
            "V2 runs over a serial line only: use --pty, or v3 with --tcp",
        ));
    }
    let mut scripts = args
        .outcome
        .iter()
        .map(|o| {
            o.parse::<Script>()
                .map_err(|e| CliError::flag("--outcome", e))
        })
        .collect::<Result<Vec<_>, _>>()?;
    if config.protocol == SimProtocol::V2 && scripts.iter().any(|s| matches!(s, Script::Partial(_)))
    {
        return Err(CliError::flag(
            "--outcome",
            "partial payments exist in V3 only: a V2 terminal has no partial approval",
        ));
    }
    if let Some(last) = scripts.pop() {
        config.default_script = last;
    }
    config.answer_delay = parse_seconds("--delay", &args.delay)?;
    config.allow = args
        .allow
        .iter()
        .map(|ip| {
            ip.parse::<IpAddr>()
                .map_err(|_| CliError::flag("--allow", format!("{ip:?} is not an IP address")))
        })
        .collect::<Result<_, _>>()?;
    if let Some(card) = &args.card_number {
        config.card_number = card.clone();
    }
    config.payment_type = args
        .payment_type
        .parse()
        .map_err(|e| CliError::flag("--payment-type", e))?;
    if let Some(contract) = &args.contract {
        config.contract = contract.clone();
    }
    config.answer_faults.keep_open_after_answer = args.keep_open;
    config.faults = Faults::default();
    config.faults.nak_first_frames = args.nak_first;
    config.faults.corrupt_lrc_first = args.corrupt_lrc;
    config.faults.split_writes = args.split_writes;
    config.faults.skip_final_eot = args.skip_eot;
    config.faults.close_mid_answer = args.close_mid_answer;
    config.faults.never_answer = args.never_answer;
    config.validate().map_err(|e| {
        let flag = match &e {
            SimError::Config(text) if text.starts_with("contract") => "--contract",
            _ if args.card_number.is_some() => "--card-number",
            _ => "--protocol",
        };
        CliError::flag(flag, e)
    })?;
    Ok((config, scripts))
}

/// Starts the simulator, prints where it is, serves until a stop signal.
pub fn run(args: &SimulateArgs) -> Result<u8, CliError> {
    let (config, scripts) = config(args)?;
    let (stop_tx, stop_rx) = std::sync::mpsc::channel();
    ctrlc::set_handler(move || {
        let _ = stop_tx.send(());
    })
    .map_err(|e| CliError::Runtime(format!("cannot catch Ctrl-C: {e}")))?;
    let sim = Simulator::start(config).map_err(|e| CliError::Runtime(e.to_string()))?;
    for script in scripts {
        sim.push_script(script);
    }
    let place = match (sim.tcp_addr(), sim.pty_path()) {
        (Some(addr), _) => addr.to_string(),
        (None, Some(path)) => path.display().to_string(),
        (None, None) => return Err(CliError::Runtime("the simulator has no address".into())),
    };
    {
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "{place}");
        let _ = out.flush();
    }
    log::info!("simulator serving on {place}; Ctrl-C stops it");
    // Blocks until SIGINT/SIGTERM (or the handler is gone).
    let _ = stop_rx.recv();
    log::info!(
        "stopping the simulator after {} request(s)",
        sim.journal_total()
    );
    sim.stop();
    Ok(exit::OK)
}
