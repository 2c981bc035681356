//! Python bindings of concert: the native module `concert_tpe._concert`, which
//! the pure-Python package `concert_tpe` re-exports.
//!
//! Every call that may wait (a transaction, a simulator's start or stop, a
//! lock the core's threads also take) runs with the GIL released: the core's
//! threads log through Python's `logging`, so they need the GIL from time to
//! time and must never find it held by a caller waiting for them.

mod amount;
mod decode;
mod errors;
mod journal;
mod logging;
mod outcome;
mod request;
mod simulator;
mod terminal;
mod transaction;

use pyo3::prelude::*;

/// The native module. Its classes present themselves as `concert_tpe.*`.
#[pymodule]
fn _concert(m: &Bound<'_, PyModule>) -> PyResult<()> {
    logging::install(m.py())?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add_class::<terminal::PyTerminal>()?;
    m.add_class::<request::PyRequest>()?;
    m.add_class::<outcome::PyOutcome>()?;
    m.add_class::<outcome::PyEvent>()?;
    m.add_class::<outcome::PyLateAnswer>()?;
    m.add_class::<transaction::PyTransaction>()?;
    m.add_class::<simulator::PySimulator>()?;
    m.add_class::<journal::PyJournal>()?;
    m.add_class::<journal::PyJournalEntry>()?;
    m.add_class::<decode::PyDecoded>()?;
    m.add_class::<decode::PyField>()?;
    m.add_class::<decode::PyPortInfo>()?;
    m.add_function(wrap_pyfunction!(decode::decode, m)?)?;
    m.add_function(wrap_pyfunction!(decode::ports, m)?)?;
    Ok(())
}
