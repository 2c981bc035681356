//! The library's log records forwarded to one sink a front end gives (the
//! C ABI's callback, Node's logger), process-wide, filtered by level. The
//! records are the core's own `log` records: card numbers are masked before
//! a record is made.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Once, PoisonError, RwLock};

use log::{LevelFilter, Log, Metadata, Record};

/// Where records go: called on whichever thread logs.
pub type Sink = Box<dyn Fn(&Record<'_>) + Send + Sync>;

static SINK: RwLock<Option<Sink>> = RwLock::new(None);
static MAX_LEVEL: AtomicUsize = AtomicUsize::new(0);
static INSTALL: Once = Once::new();

struct Forwarder;

impl Log for Forwarder {
    fn enabled(&self, metadata: &Metadata<'_>) -> bool {
        metadata.level() as usize <= MAX_LEVEL.load(Ordering::Relaxed)
    }

    fn log(&self, record: &Record<'_>) {
        if !self.enabled(record.metadata()) {
            return;
        }
        // Held during the call: once `forward` returns, no thread still
        // runs the sink it replaced.
        let sink = SINK.read().unwrap_or_else(PoisonError::into_inner);
        if let Some(sink) = sink.as_ref() {
            sink(record);
        }
    }

    fn flush(&self) {}
}

static FORWARDER: Forwarder = Forwarder;

/// Sends records at `max` and more important to `sink` (`None` stops them),
/// replacing the sink set before; when this returns, the old sink runs on
/// no thread. The first call makes this the process's `log` logger (unless
/// another was set first: the records then go there). A sink must not call
/// `forward` itself.
pub fn forward(sink: Option<Sink>, max: LevelFilter) {
    INSTALL.call_once(|| {
        if log::set_logger(&FORWARDER).is_ok() {
            log::set_max_level(LevelFilter::Trace);
        }
    });
    let mut slot = SINK.write().unwrap_or_else(PoisonError::into_inner);
    let max = if sink.is_some() {
        max
    } else {
        LevelFilter::Off
    };
    *slot = sink;
    MAX_LEVEL.store(max as usize, Ordering::Relaxed);
}
