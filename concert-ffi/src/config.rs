//! `concert_terminal_config`: the builder a terminal is made from.

use std::ffi::c_char;
use std::time::Duration;

use concert_core::terminal::{Connection, Protocol, SerialLine, TerminalConfig};

use crate::enums::{concert_parity, concert_protocol, concert_timeout};
use crate::guard::{Failure, LastError, borrow, borrow_mut, flag, free_handle, guard, out, text};
use crate::result::concert_result;
use crate::text::copy_out;

/// Settings for a terminal: where it is, how to speak to it. Made by
/// `concert_terminal_config_new`, released by `concert_terminal_config_free`.
/// One thread at a time may use a builder; it is not consumed by
/// `concert_terminal_new` and may be reused.
pub struct concert_terminal_config {
    pub(crate) config: TerminalConfig,
    pub(crate) has_connection: bool,
    pub(crate) last_error: LastError,
}

/// Makes an empty terminal configuration: V3 version 0300, POS number 1,
/// default time-outs, and no connection yet (set one with
/// `concert_terminal_config_set_tcp` or `_set_serial`).
///
/// On success `*out_config` receives a builder owned by the caller (free
/// with `concert_terminal_config_free`).
///
/// # Safety
/// `out_config` is NULL or valid for writing a pointer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn concert_terminal_config_new(
    out_config: *mut *mut concert_terminal_config,
) -> concert_result {
    guard(|| {
        // SAFETY: `out_config` is NULL or valid for writing, as the function's
        // Safety section requires.
        let out_config = unsafe { out(out_config) }?;
        *out_config = Box::into_raw(Box::new(concert_terminal_config {
            config: TerminalConfig::tcp("", 0),
            has_connection: false,
            last_error: LastError::default(),
        }));
        Ok(())
    })
}

/// Releases a configuration. NULL does nothing. Terminals made from it are
/// not affected.
///
/// # Safety
/// `config` is NULL or a builder from `concert_terminal_config_new` not yet
/// freed, used by no other thread.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn concert_terminal_config_free(config: *mut concert_terminal_config) {
    // SAFETY: the export's contract: NULL, or a live handle freed once.
    unsafe { free_handle(config) }
}

/// Runs a setter on a builder, remembering the failure's message.
fn with_config(
    config: *mut concert_terminal_config,
    what: &str,
    f: impl FnOnce(&mut concert_terminal_config) -> Result<(), Failure>,
) -> concert_result {
    guard(|| {
        // SAFETY: the caller passes NULL or a live builder it uses alone.
        let config = unsafe { borrow_mut(config) }?;
        f(config).map_err(|failure| config.last_error.fail(what, failure))
    })
}

/// The terminal is on TCP/IP at `host` (name or address, UTF-8) and
/// `port` (1–65535). V3 only. Replaces any earlier connection.
///
/// # Safety
/// `config` is NULL or a live builder; `host` is NULL or a NUL-terminated
/// string.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn concert_terminal_config_set_tcp(
    config: *mut concert_terminal_config,
    host: *const c_char,
    port: u16,
) -> concert_result {
    with_config(config, "set_tcp", |c| {
        // SAFETY: `host` is NULL or a NUL-terminated string, as the function's
        // Safety section requires.
        let host = unsafe { text(host) }?;
        if port == 0 {
            return Err(concert_result::CONCERT_RESULT_INVALID_ARGUMENT.into());
        }
        c.config.connection = Connection::Tcp {
            host: host.to_owned(),
            port,
        };
        c.has_connection = true;
        Ok(())
    })
}

/// The terminal is on a serial line (RS232, USB CDC-ACM, Bluetooth SPP) at
/// `path` (`/dev/ttyACM0`; on Windows `COM3`, `COM10` or `\\.\COM10`,
/// opened on first use), with `baud` (1200–115200), `data_bits`
/// (7 or 8), `parity` (a `concert_parity`) and `stop_bits` (1 or 2).
/// Usual settings: USB 9600 8N1, RS232 9600 7E1. Replaces any earlier
/// connection; ranges are checked by `concert_terminal_new`.
///
/// # Safety
/// `config` is NULL or a live builder; `path` is NULL or a NUL-terminated
/// string.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn concert_terminal_config_set_serial(
    config: *mut concert_terminal_config,
    path: *const c_char,
    baud: u32,
    data_bits: u32,
    parity: u32,
    stop_bits: u32,
) -> concert_result {
    with_config(config, "set_serial", |c| {
        // SAFETY: `path` is NULL or a NUL-terminated string, as the function's
        // Safety section requires.
        let path = unsafe { text(path) }?;
        let parity = concert_parity::try_from(parity)?;
        let small =
            |v: u32| u8::try_from(v).map_err(|_| concert_result::CONCERT_RESULT_INVALID_ARGUMENT);
        c.config.connection = Connection::Serial(SerialLine {
            path: path.to_owned(),
            baud,
            data_bits: small(data_bits)?,
            parity: parity.into(),
            stop_bits: small(stop_bits)?,
        });
        c.has_connection = true;
        Ok(())
    })
}

/// The protocol: a `concert_protocol`; for V3, `v3_version` is the `CZ`
/// version (`"0300"`, `"0320"` ...) or NULL for `"0300"`; it must be NULL
/// for V2.
///
/// # Safety
/// `config` is NULL or a live builder; `v3_version` is NULL or a
/// NUL-terminated string.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn concert_terminal_config_set_protocol(
    config: *mut concert_terminal_config,
    protocol: u32,
    v3_version: *const c_char,
) -> concert_result {
    with_config(config, "set_protocol", |c| {
        let protocol = concert_protocol::try_from(protocol)?;
        let version = if v3_version.is_null() {
            None
        } else {
            // SAFETY: `v3_version` is NULL or a NUL-terminated string, as the
            // function's Safety section requires.
            Some(unsafe { text(v3_version) }?)
        };
        c.config.protocol = match (protocol, version) {
            (concert_protocol::CONCERT_PROTOCOL_V3, None) => Protocol::v3(),
            (concert_protocol::CONCERT_PROTOCOL_V3, Some(v)) => Protocol::V3 {
                version: v.to_owned(),
            },
            (_, Some(_)) => {
                return Err(Failure::new(
                    concert_result::CONCERT_RESULT_INVALID_ARGUMENT,
                    "a version is for V3 only",
                ));
            }
            (concert_protocol::CONCERT_PROTOCOL_V2E, None) => Protocol::V2E,
            (concert_protocol::CONCERT_PROTOCOL_V2E_PLUS, None) => Protocol::V2EPlus,
        };
        Ok(())
    })
}

/// This cash register's POS number, 1–99 (checked by `concert_terminal_new`).
///
/// # Safety
/// `config` is NULL or a live builder.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn concert_terminal_config_set_pos_number(
    config: *mut concert_terminal_config,
    pos_number: u32,
) -> concert_result {
    with_config(config, "set_pos_number", |c| {
        c.config.pos_number = u8::try_from(pos_number)
            .map_err(|_| concert_result::CONCERT_RESULT_INVALID_ARGUMENT)?;
        Ok(())
    })
}

/// V3 `CJ`: the cash register protocol identifier, 12 printable characters.
///
/// # Safety
/// `config` is NULL or a live builder; `id` is NULL or a NUL-terminated
/// string.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn concert_terminal_config_set_cash_register_id(
    config: *mut concert_terminal_config,
    id: *const c_char,
) -> concert_result {
    with_config(config, "set_cash_register_id", |c| {
        // SAFETY: `id` is NULL or a NUL-terminated string, as the function's
        // Safety section requires.
        c.config.cash_register_id = unsafe { text(id) }?.to_owned();
        Ok(())
    })
}

/// Sets one time limit (a `concert_timeout`) in milliseconds. The answer
/// time-out cannot go below 60 s (checked by `concert_terminal_new`).
///
/// # Safety
/// `config` is NULL or a live builder.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn concert_terminal_config_set_timeout_ms(
    config: *mut concert_terminal_config,
    which: u32,
    milliseconds: u64,
) -> concert_result {
    with_config(config, "set_timeout_ms", |c| {
        let which = concert_timeout::try_from(which)?;
        let d = Duration::from_millis(milliseconds);
        let t = &mut c.config.timeouts;
        match which {
            concert_timeout::CONCERT_TIMEOUT_CONNECT => t.connect = d,
            concert_timeout::CONCERT_TIMEOUT_ANSWER => t.answer = d,
            concert_timeout::CONCERT_TIMEOUT_QUIET_PERIOD => t.quiet_period = d,
            concert_timeout::CONCERT_TIMEOUT_QUERY => t.query = d,
        }
        Ok(())
    })
}

/// Keep the V2 REP field (which starts with the card number) unmasked in
/// outcomes: 1 yes, 0 no (the default). Only for tills that must.
///
/// # Safety
/// `config` is NULL or a live builder.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn concert_terminal_config_set_keep_raw_card_data(
    config: *mut concert_terminal_config,
    keep: u32,
) -> concert_result {
    with_config(config, "set_keep_raw_card_data", |c| {
        c.config.keep_raw_card_data = flag(keep)?;
        Ok(())
    })
}

/// Copies the message of the last failed call on this builder (including a
/// failed `concert_terminal_new` from it) into `buf`; see the buffer
/// convention in the header's introduction (`*out_n` = full length).
///
/// # Safety
/// `config` is NULL or a live builder; `buf` is NULL or valid for `len`
/// bytes; `out_n` is NULL or valid.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn concert_terminal_config_last_error(
    config: *const concert_terminal_config,
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

/// The protocol by name: `"v2e"`, `"v2e+"` (or `"v2"`), `"v3"` (version
/// 0300) or `"v3:0320"`. An unknown name gives `CONCERT_RESULT_CONFIG`
/// (code `CONCERT_CONFIG`, as in every language) with the accepted
/// spellings in the last error.
///
/// # Safety
/// `config` is NULL or a live builder; `name` is NULL or a NUL-terminated
/// string.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn concert_terminal_config_set_protocol_name(
    config: *mut concert_terminal_config,
    name: *const c_char,
) -> concert_result {
    with_config(config, "set_protocol_name", |c| {
        // SAFETY: `name` is NULL or a NUL-terminated string, as the function's
        // Safety section requires.
        let name = unsafe { text(name) }?;
        match name.parse::<Protocol>() {
            Ok(protocol) => {
                c.config.protocol = protocol;
                Ok(())
            }
            Err(e) => Err(Failure::new(
                concert_result::CONCERT_RESULT_CONFIG,
                e.to_string(),
            )),
        }
    })
}
