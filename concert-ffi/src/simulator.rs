//! `concert_simulator`: a scripted terminal for the till's own tests,
//! over TCP or a pseudo-terminal pair.

use std::ffi::{CString, c_char};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::time::Duration;

use concert_core::sim::{Script, SimProtocol, SimTransport, Simulator, SimulatorConfig};
use concert_core::v3::Reason;

use crate::enums::{
    concert_script, concert_sim_fault, concert_sim_protocol, concert_sim_transport,
};
use crate::guard::{Failure, LastError, borrow, borrow_mut, flag, free_handle, guard, out, text};
use crate::result::concert_result;
use crate::text::{c_string, copy_out, ptr_or_null};

/// Settings for a simulator. Made by `concert_simulator_config_new`,
/// released by `concert_simulator_config_free`; one thread at a time.
pub struct concert_simulator_config {
    config: SimulatorConfig,
    last_error: LastError,
}

/// A running simulated terminal. Made by `concert_simulator_start`, stopped
/// and released by `concert_simulator_free`. Thread-safe.
pub struct concert_simulator {
    simulator: Simulator,
    pty_path: Option<CString>,
    last_error: LastError,
}

/// A script from its C form: kind and parameter.
fn script(kind: u32, parameter: u64) -> Result<Script, Failure> {
    let invalid = |m: &str| Failure::new(concert_result::CONCERT_RESULT_INVALID_ARGUMENT, m);
    Ok(match concert_script::try_from(kind)? {
        concert_script::CONCERT_SCRIPT_APPROVE => Script::Approve,
        concert_script::CONCERT_SCRIPT_DECLINE => {
            let code = match parameter {
                0 => 4,
                1..=99 => parameter,
                _ => return Err(invalid("a decline reason is a 2-digit AF code, 0-99")),
            };
            let digits = format!("{code:02}");
            Script::Decline(Reason::from_value(digits.as_bytes()).unwrap_or(Reason::Refused))
        }
        concert_script::CONCERT_SCRIPT_ABANDON => Script::Abandon,
        concert_script::CONCERT_SCRIPT_PARTIAL => Script::Partial(parameter),
        concert_script::CONCERT_SCRIPT_TIMEOUT => Script::Timeout,
        concert_script::CONCERT_SCRIPT_BUSY => Script::Busy,
        concert_script::CONCERT_SCRIPT_V2_STATUS => Script::V2Status(
            u8::try_from(parameter)
                .ok()
                .filter(u8::is_ascii_graphic)
                .ok_or_else(|| invalid("a V2 status is one printable ASCII character"))?,
        ),
    })
}

/// A script from its name (`"approve"`, `"decline:05"`, `"partial:500"` ...).
///
/// # Safety
/// `name` is NULL or a NUL-terminated string.
unsafe fn script_named(name: *const c_char) -> Result<Script, Failure> {
    // SAFETY: `name` is NULL or a NUL-terminated string, as the function's
    // Safety section requires.
    let name = unsafe { text(name) }?;
    name.parse::<Script>().map_err(|e| {
        Failure::new(
            concert_result::CONCERT_RESULT_INVALID_ARGUMENT,
            e.to_string(),
        )
    })
}

/// Makes simulator settings: V3 over TCP on 127.0.0.1 with a free port,
/// approving everything, no delay, no faults.
///
/// # Safety
/// `out_config` is NULL or valid.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn concert_simulator_config_new(
    out_config: *mut *mut concert_simulator_config,
) -> concert_result {
    guard(|| {
        // SAFETY: `out_config` is NULL or valid for writing, as the function's
        // Safety section requires.
        let out_config = unsafe { out(out_config) }?;
        *out_config = Box::into_raw(Box::new(concert_simulator_config {
            config: SimulatorConfig::default(),
            last_error: LastError::default(),
        }));
        Ok(())
    })
}

/// Releases simulator settings. NULL does nothing.
///
/// # Safety
/// `config` is NULL or live, used by no other thread.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn concert_simulator_config_free(config: *mut concert_simulator_config) {
    // SAFETY: the export's contract: NULL, or a live handle freed once.
    unsafe { free_handle(config) }
}

/// Runs a setter on simulator settings, remembering the failure's message.
fn with_sim_config(
    config: *mut concert_simulator_config,
    what: &str,
    f: impl FnOnce(&mut SimulatorConfig) -> Result<(), Failure>,
) -> concert_result {
    guard(|| {
        // SAFETY: the caller passes NULL or live settings it uses alone.
        let handle = unsafe { borrow_mut(config) }?;
        f(&mut handle.config).map_err(|failure| handle.last_error.fail(what, failure))
    })
}

/// Where to listen: a `concert_sim_transport`. For TCP, `port` on
/// 127.0.0.1 (0 picks a free one, read back with `concert_simulator_port`);
/// for a pty, `port` must be 0.
///
/// # Safety
/// `config` is NULL or live.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn concert_simulator_config_set_transport(
    config: *mut concert_simulator_config,
    transport: u32,
    port: u16,
) -> concert_result {
    with_sim_config(config, "set_transport", |c| {
        c.transport = match concert_sim_transport::try_from(transport)? {
            concert_sim_transport::CONCERT_SIM_TRANSPORT_TCP => {
                SimTransport::Tcp(SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), port))
            }
            concert_sim_transport::CONCERT_SIM_TRANSPORT_PTY if port == 0 => SimTransport::Pty,
            concert_sim_transport::CONCERT_SIM_TRANSPORT_PTY => {
                return Err(Failure::new(
                    concert_result::CONCERT_RESULT_INVALID_ARGUMENT,
                    "a pty has no port: pass 0",
                ));
            }
        };
        Ok(())
    })
}

/// Which protocol the simulated terminal speaks: a `concert_sim_protocol`
/// (V2 needs the pty transport).
///
/// # Safety
/// `config` is NULL or live.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn concert_simulator_config_set_protocol(
    config: *mut concert_simulator_config,
    protocol: u32,
) -> concert_result {
    with_sim_config(config, "set_protocol", |c| {
        c.protocol = match concert_sim_protocol::try_from(protocol)? {
            concert_sim_protocol::CONCERT_SIM_PROTOCOL_V2 => SimProtocol::V2,
            concert_sim_protocol::CONCERT_SIM_PROTOCOL_V3 => SimProtocol::V3,
        };
        Ok(())
    })
}

/// What a transaction does when no script is queued: a `concert_script`
/// and its parameter (see each kind).
///
/// # Safety
/// `config` is NULL or live.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn concert_simulator_config_set_default_script(
    config: *mut concert_simulator_config,
    kind: u32,
    parameter: u64,
) -> concert_result {
    with_sim_config(config, "set_default_script", |c| {
        c.default_script = script(kind, parameter)?;
        Ok(())
    })
}

/// The default script by name: `"approve"`, `"decline"`, `"decline:05"`,
/// `"abandon"`, `"partial:500"`, `"timeout"`, `"busy"`, `"v2status:C"`.
///
/// # Safety
/// `config` is NULL or live; `name` is NULL or a NUL-terminated string.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn concert_simulator_config_set_default_script_name(
    config: *mut concert_simulator_config,
    name: *const c_char,
) -> concert_result {
    with_sim_config(config, "set_default_script_name", |c| {
        // SAFETY: `name` is NULL or a NUL-terminated string, as the function's
        // Safety section requires.
        c.default_script = unsafe { script_named(name) }?;
        Ok(())
    })
}

/// How long the simulated card holder takes, in milliseconds.
///
/// # Safety
/// `config` is NULL or live.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn concert_simulator_config_set_answer_delay_ms(
    config: *mut concert_simulator_config,
    milliseconds: u64,
) -> concert_result {
    with_sim_config(config, "set_answer_delay_ms", |c| {
        c.answer_delay = Duration::from_millis(milliseconds);
        Ok(())
    })
}

/// Injects a fault: a `concert_sim_fault` and its value (0/1 for on/off
/// faults, a count for the counted ones).
///
/// # Safety
/// `config` is NULL or live.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn concert_simulator_config_set_fault(
    config: *mut concert_simulator_config,
    fault: u32,
    value: u32,
) -> concert_result {
    with_sim_config(config, "set_fault", |c| {
        let f = &mut c.faults;
        match concert_sim_fault::try_from(fault)? {
            concert_sim_fault::CONCERT_SIM_FAULT_CLOSE_MID_ANSWER => {
                f.close_mid_answer = flag(value)?
            }
            concert_sim_fault::CONCERT_SIM_FAULT_NEVER_ANSWER => f.never_answer = flag(value)?,
            concert_sim_fault::CONCERT_SIM_FAULT_SPLIT_WRITES => f.split_writes = flag(value)?,
            concert_sim_fault::CONCERT_SIM_FAULT_SKIP_FINAL_EOT => f.skip_final_eot = flag(value)?,
            concert_sim_fault::CONCERT_SIM_FAULT_NAK_FIRST_FRAMES => f.nak_first_frames = value,
            concert_sim_fault::CONCERT_SIM_FAULT_CORRUPT_LRC_FIRST => f.corrupt_lrc_first = value,
        }
        Ok(())
    })
}

/// The full card number the simulated terminal reads (digits; answers
/// carry it masked in V3).
///
/// # Safety
/// `config` is NULL or live; `card_number` is NULL or a NUL-terminated
/// string.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn concert_simulator_config_set_card_number(
    config: *mut concert_simulator_config,
    card_number: *const c_char,
) -> concert_result {
    with_sim_config(config, "set_card_number", |c| {
        // SAFETY: `card_number` is NULL or a NUL-terminated string, as the
        // function's Safety section requires.
        c.card_number = unsafe { text(card_number) }?.to_owned();
        Ok(())
    })
}

/// The card the simulated card holder presents, by name: `cb-contact`
/// (the default), `cb-contactless`, `amex-contact`, `amex-contactless`. It
/// sets a V3 approval's application (`CC`) and read mode (`CI`).
///
/// # Safety
/// `config` is NULL or live; `payment_type` is NULL or a NUL-terminated
/// string.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn concert_simulator_config_set_payment_type(
    config: *mut concert_simulator_config,
    payment_type: *const c_char,
) -> concert_result {
    with_sim_config(config, "set_payment_type", |c| {
        // SAFETY: the caller passes NULL or a NUL-terminated string.
        let name = unsafe { text(payment_type) }?;
        c.payment_type = name.parse().map_err(|e: String| {
            Failure::new(concert_result::CONCERT_RESULT_INVALID_ARGUMENT, e)
        })?;
        Ok(())
    })
}

/// The merchant contract number the terminal reports (`CG`), 1 to 10
/// printable characters (checked by `concert_simulator_start`).
///
/// # Safety
/// `config` is NULL or live; `contract` is NULL or a NUL-terminated string.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn concert_simulator_config_set_contract(
    config: *mut concert_simulator_config,
    contract: *const c_char,
) -> concert_result {
    with_sim_config(config, "set_contract", |c| {
        // SAFETY: the caller passes NULL or a NUL-terminated string.
        c.contract = unsafe { text(contract) }?.to_owned();
        Ok(())
    })
}

/// The ticket text to send when a ticket is asked for, instead of the
/// generated one.
///
/// # Safety
/// `config` is NULL or live; `receipt` is NULL or a NUL-terminated string.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn concert_simulator_config_set_receipt_text(
    config: *mut concert_simulator_config,
    receipt: *const c_char,
) -> concert_result {
    with_sim_config(config, "set_receipt_text", |c| {
        // SAFETY: `receipt` is NULL or a NUL-terminated string, as the
        // function's Safety section requires.
        c.receipt_text = Some(unsafe { text(receipt) }?.to_owned());
        Ok(())
    })
}

/// Copies the message of the last failed call on these settings (including
/// a failed `concert_simulator_start`) into `buf` (buffer convention in the
/// header's introduction).
///
/// # Safety
/// `config` is NULL or live; `buf` is NULL or valid for `len` bytes;
/// `out_n` is NULL or valid.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn concert_simulator_config_last_error(
    config: *const concert_simulator_config,
    buf: *mut c_char,
    len: usize,
    out_n: *mut usize,
) -> concert_result {
    guard(|| {
        // SAFETY: `config` is NULL or a live handle of this library, as the
        // function's Safety section requires.
        let config = unsafe { borrow(config) }?;
        // SAFETY: `buf` is NULL or valid for `len` bytes and `out_n` NULL or
        // valid, as the function's Safety section requires.
        unsafe { copy_out(&config.last_error.get(), buf, len, out_n) }
    })
}

/// Starts a simulator and returns once it serves. `CONCERT_RESULT_SIMULATOR`
/// when it cannot (message in `concert_simulator_config_last_error`).
/// On success `*out_simulator` receives a simulator owned by the caller.
///
/// # Safety
/// `config` is NULL or live; `out_simulator` is NULL or valid.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn concert_simulator_start(
    config: *const concert_simulator_config,
    out_simulator: *mut *mut concert_simulator,
) -> concert_result {
    guard(|| {
        // SAFETY: `config` is NULL or a live handle of this library, as the
        // function's Safety section requires.
        let config = unsafe { borrow(config) }?;
        // SAFETY: `out_simulator` is NULL or valid for writing, as the
        // function's Safety section requires.
        let out_simulator = unsafe { out(out_simulator) }?;
        let simulator = Simulator::start(config.config.clone()).map_err(|e| {
            config.last_error.set(e.to_string());
            concert_result::CONCERT_RESULT_SIMULATOR
        })?;
        let pty_path = simulator.pty_path().map(|p| c_string(&p.to_string_lossy()));
        *out_simulator = Box::into_raw(Box::new(concert_simulator {
            simulator,
            pty_path,
            last_error: LastError::default(),
        }));
        Ok(())
    })
}

/// Stops a simulator (its threads end, its socket or pty closes) and
/// releases it. NULL does nothing.
///
/// # Safety
/// `simulator` is NULL or live, not freed twice, used by no other thread.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn concert_simulator_free(simulator: *mut concert_simulator) {
    // SAFETY: the export's contract: NULL, or a live handle freed once.
    unsafe { free_handle(simulator) }
}

/// The TCP port the simulator listens on (on 127.0.0.1).
/// `CONCERT_RESULT_ABSENT` on a pty.
///
/// # Safety
/// `simulator` is NULL or live; `out_port` is NULL or valid.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn concert_simulator_port(
    simulator: *const concert_simulator,
    out_port: *mut u16,
) -> concert_result {
    guard(|| {
        // SAFETY: `simulator` is NULL or a live handle of this library, as the
        // function's Safety section requires.
        let sim = unsafe { borrow(simulator) }?;
        // SAFETY: `out_port` is NULL or valid for writing, as the function's
        // Safety section requires.
        let out_port = unsafe { out(out_port) }?;
        let addr = sim
            .simulator
            .tcp_addr()
            .ok_or(concert_result::CONCERT_RESULT_ABSENT)?;
        *out_port = addr.port();
        Ok(())
    })
}

/// The path of the pty a client opens (`/dev/pts/N`), valid until the
/// simulator is freed; NULL over TCP.
///
/// # Safety
/// `simulator` is NULL or live.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn concert_simulator_pty_path(
    simulator: *const concert_simulator,
) -> *const c_char {
    crate::guard::guard_or(std::ptr::null(), || {
        // SAFETY: `simulator` is NULL or a live handle of this library, as the
        // function's Safety section requires.
        unsafe { simulator.as_ref() }.map_or(std::ptr::null(), |s| ptr_or_null(&s.pty_path))
    })
}

/// Queues a script (`concert_script` and parameter) for the next
/// transaction; queued scripts are used in order, then the default.
///
/// # Safety
/// `simulator` is NULL or live.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn concert_simulator_push_script(
    simulator: *const concert_simulator,
    kind: u32,
    parameter: u64,
) -> concert_result {
    guard(|| {
        // SAFETY: `simulator` is NULL or a live handle of this library, as the
        // function's Safety section requires.
        let sim = unsafe { borrow(simulator) }?;
        let script = script(kind, parameter).map_err(|f| sim.last_error.fail("push_script", f))?;
        sim.simulator.push_script(script);
        Ok(())
    })
}

/// Queues a script by name (see
/// `concert_simulator_config_set_default_script_name`).
///
/// # Safety
/// `simulator` is NULL or live; `name` is NULL or a NUL-terminated string.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn concert_simulator_push_script_name(
    simulator: *const concert_simulator,
    name: *const c_char,
) -> concert_result {
    guard(|| {
        // SAFETY: `simulator` is NULL or a live handle of this library, as the
        // function's Safety section requires.
        let sim = unsafe { borrow(simulator) }?;
        // SAFETY: `name` is NULL or a NUL-terminated string, as the function's
        // Safety section requires.
        let script = unsafe { script_named(name) }
            .map_err(|f| sim.last_error.fail("push_script_name", f))?;
        sim.simulator.push_script(script);
        Ok(())
    })
}

/// How many requests reached the simulator so far (and refused
/// connections).
///
/// # Safety
/// `simulator` is NULL or live; `out_count` is NULL or valid.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn concert_simulator_request_count(
    simulator: *const concert_simulator,
    out_count: *mut usize,
) -> concert_result {
    guard(|| {
        // SAFETY: `simulator` is NULL or a live handle of this library, as the
        // function's Safety section requires.
        let sim = unsafe { borrow(simulator) }?;
        // SAFETY: `out_count` is NULL or valid for writing, as the function's
        // Safety section requires.
        let out_count = unsafe { out(out_count) }?;
        *out_count = sim.simulator.journal_total();
        Ok(())
    })
}

/// Waits until at least `count` requests reached the simulator, at most
/// `timeout_ms`: `CONCERT_RESULT_OK`, or `CONCERT_RESULT_TIMEOUT`.
///
/// # Safety
/// `simulator` is NULL or live.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn concert_simulator_wait_for_requests(
    simulator: *const concert_simulator,
    count: usize,
    timeout_ms: u32,
) -> concert_result {
    guard(|| {
        // SAFETY: `simulator` is NULL or a live handle of this library, as the
        // function's Safety section requires.
        let sim = unsafe { borrow(simulator) }?;
        if sim
            .simulator
            .wait_for_requests(count, Duration::from_millis(u64::from(timeout_ms)))
        {
            Ok(())
        } else {
            Err(concert_result::CONCERT_RESULT_TIMEOUT)
        }
    })
}

/// Copies the message of the last failed call on this simulator into
/// `buf` (buffer convention in the header's introduction).
///
/// # Safety
/// `simulator` is NULL or live; `buf` is NULL or valid for `len` bytes;
/// `out_n` is NULL or valid.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn concert_simulator_last_error(
    simulator: *const concert_simulator,
    buf: *mut c_char,
    len: usize,
    out_n: *mut usize,
) -> concert_result {
    guard(|| {
        // SAFETY: `simulator` is NULL or a live handle of this library, as the
        // function's Safety section requires.
        let sim = unsafe { borrow(simulator) }?;
        // SAFETY: `buf` is NULL or valid for `len` bytes and `out_n` NULL or
        // valid, as the function's Safety section requires.
        unsafe { copy_out(&sim.last_error.get(), buf, len, out_n) }
    })
}
