//! The engine's log records, to a JavaScript logger (`setLogger` in
//! `lib/`): level, target and message, card numbers masked by the core as
//! everywhere. The core forwards its records (`concert_core::logs`) from
//! its threads; they reach JavaScript through a weak threadsafe function,
//! so a logger never keeps Node alive.

use log::{LevelFilter, Record};
use napi::Status;
use napi::bindgen_prelude::Function;
use napi::threadsafe_function::{ThreadsafeFunction, ThreadsafeFunctionCallMode};
use napi_derive::napi;

use crate::error::{Result, invalid};

/// One log record.
#[napi(object, object_from_js = false)]
pub struct NativeLogRecord {
    /// `error`, `warn`, `info`, `debug` or `trace` (the wire trace).
    pub level: String,
    /// Where it comes from: `concert_core::terminal::client`,
    /// `concert::wire` (every byte sent and received) …
    pub target: String,
    /// The message, card numbers masked.
    pub message: String,
}

type Logger = ThreadsafeFunction<NativeLogRecord, (), NativeLogRecord, Status, false, true, 0>;

/// Sends the engine's records at `level` and more important to `logger`
/// (process-wide; `null` stops them). `level`: `off`, `error`, `warn`,
/// `info`, `debug` or `trace` (`log`'s own names).
#[napi]
pub fn native_set_logger(
    logger: Option<Function<'_, NativeLogRecord, ()>>,
    level: String,
) -> Result<()> {
    let max = level.parse::<LevelFilter>().map_err(|_| {
        invalid(format!(
            "unknown log level {level:?}: expected one of off, error, warn, info, debug, trace"
        ))
    })?;
    let logger: Option<Logger> = logger
        .map(|f| {
            f.build_threadsafe_function::<NativeLogRecord>()
                .callee_handled::<false>()
                .weak::<true>()
                .build()
        })
        .transpose()
        .map_err(|e| invalid(e.reason))?;
    let sink = logger.map(|logger| {
        Box::new(move |record: &Record<'_>| {
            logger.call(
                NativeLogRecord {
                    level: record.level().as_str().to_ascii_lowercase(),
                    target: record.target().to_owned(),
                    message: record.args().to_string(),
                },
                ThreadsafeFunctionCallMode::NonBlocking,
            );
        }) as concert_core::logs::Sink
    });
    concert_core::logs::forward(sink, max);
    Ok(())
}
