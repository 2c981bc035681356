//! The engine's log records, to a JavaScript logger (`setLogger` in
//! `lib/`): level, target and message, card numbers masked by the core as
//! everywhere. Records come from the engine's threads and reach JavaScript
//! through a weak threadsafe function, so a logger never keeps Node alive.

use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::{Once, PoisonError, RwLock};

use log::{LevelFilter, Log, Metadata, Record};
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

type Sink = ThreadsafeFunction<NativeLogRecord, (), NativeLogRecord, Status, false, true, 0>;

static SINK: RwLock<Option<Sink>> = RwLock::new(None);
/// The most detailed level wanted: 0 off, 1 error … 5 trace.
static MAX_LEVEL: AtomicU8 = AtomicU8::new(0);
static INSTALL: Once = Once::new();

struct Bridge;

impl Log for Bridge {
    fn enabled(&self, metadata: &Metadata<'_>) -> bool {
        metadata.level() as u8 <= MAX_LEVEL.load(Ordering::Relaxed)
    }

    fn log(&self, record: &Record<'_>) {
        if !self.enabled(record.metadata()) {
            return;
        }
        let sink = SINK.read().unwrap_or_else(PoisonError::into_inner);
        if let Some(sink) = sink.as_ref() {
            sink.call(
                NativeLogRecord {
                    level: record.level().as_str().to_ascii_lowercase(),
                    target: record.target().to_owned(),
                    message: record.args().to_string(),
                },
                ThreadsafeFunctionCallMode::NonBlocking,
            );
        }
    }

    fn flush(&self) {}
}

static BRIDGE: Bridge = Bridge;

/// Sends the engine's records at `level` and more important to `logger`
/// (process-wide; `null` stops them). `level`: `off`, `error`, `warn`,
/// `info`, `debug` or `trace`.
#[napi]
pub fn native_set_logger(
    logger: Option<Function<'_, NativeLogRecord, ()>>,
    level: String,
) -> Result<()> {
    // `log`'s own names and numbering: off 0, error 1 … trace 5.
    let max = level.parse::<LevelFilter>().map_err(|_| {
        invalid(format!(
            "unknown log level {level:?}: expected one of off, error, warn, info, debug, trace"
        ))
    })? as u8;
    let sink = logger
        .map(|f| {
            f.build_threadsafe_function::<NativeLogRecord>()
                .callee_handled::<false>()
                .weak::<true>()
                .build()
        })
        .transpose()
        .map_err(|e| invalid(e.reason))?;
    INSTALL.call_once(|| {
        // Only fails if another addon in this process set a `log` logger
        // first; the engine's records then go there.
        if log::set_logger(&BRIDGE).is_ok() {
            log::set_max_level(LevelFilter::Trace);
        }
    });
    let mut slot = SINK.write().unwrap_or_else(PoisonError::into_inner);
    let max = if sink.is_some() { max } else { 0 };
    *slot = sink;
    MAX_LEVEL.store(max, Ordering::Relaxed);
    Ok(())
}
