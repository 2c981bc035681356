//! The core's `log` records, into Python's `logging` under the `concert_tpe`
//! logger: `concert_core::terminal::client` becomes `concert_tpe.terminal.client`,
//! the wire trace `concert::wire` becomes `concert_tpe.wire` (level 5, below
//! DEBUG). The core masks card numbers before logging; nothing is added here.

use log::{LevelFilter, Log, Metadata, Record};
use pyo3::prelude::*;
use pyo3_log::{Caching, Logger};

/// Renames targets, then hands records to pyo3-log.
struct Bridge {
    inner: Logger,
}

/// The Python logger name for a Rust target, `::`-separated.
fn target(rust: &str) -> String {
    let rest = rust
        .strip_prefix("concert_core")
        .or_else(|| rust.strip_prefix("_concert"))
        .or_else(|| rust.strip_prefix("concert"))
        .unwrap_or(rust);
    if rest.is_empty() {
        "concert_tpe".to_owned()
    } else if rest.starts_with("::") {
        format!("concert_tpe{rest}")
    } else {
        format!("concert_tpe::{rest}")
    }
}

impl Log for Bridge {
    fn enabled(&self, metadata: &Metadata<'_>) -> bool {
        let name = target(metadata.target());
        let renamed = Metadata::builder()
            .level(metadata.level())
            .target(&name)
            .build();
        self.inner.enabled(&renamed)
    }

    fn log(&self, record: &Record<'_>) {
        let name = target(record.target());
        // `try_attach`: a core thread may log while the interpreter shuts
        // down, when attaching would panic; such a line is dropped.
        Python::try_attach(|_py| {
            self.inner.log(
                &Record::builder()
                    .args(*record.args())
                    .level(record.level())
                    .target(&name)
                    .module_path(record.module_path())
                    .file(record.file())
                    .line(record.line())
                    .build(),
            );
        });
    }

    fn flush(&self) {}
}

/// Installs the bridge as the process's one `log` logger, at module import.
/// Another extension may have installed its own first: then the core's
/// records go there, and importing still works.
pub fn install(py: Python<'_>) -> PyResult<()> {
    // Loggers only, not their levels: a level set after the first record
    // (`logging.basicConfig(level=...)` late in start-up) still applies.
    let inner = Logger::new(py, Caching::Loggers)?.filter(LevelFilter::Trace);
    if log::set_boxed_logger(Box::new(Bridge { inner })).is_ok() {
        log::set_max_level(LevelFilter::Trace);
    }
    Ok(())
}
