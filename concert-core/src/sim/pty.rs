//! The pseudo-terminal pair the serial simulator serves on: the master side
//! is the terminal's line, the slave side's path is what a client opens.
//!
//! Two Linux details shape this module:
//! - The simulator keeps a slave handle open, so the master does not see a
//!   hang-up (EIO) each time a client closes the path.
//! - A client opening the path the usual way (`serialport` exclusive mode)
//!   sets `TIOCEXCL` and takes an exclusive `flock`. Closing drops the lock
//!   but not `TIOCEXCL`, which outlives the client because our handle keeps
//!   the pty alive: without care, the next open by a non-root user fails
//!   with EBUSY. [`Pty::release_exclusive`] clears it through our handle
//!   while a client holds the port. (Clearing it at creation instead, with
//!   `set_exclusive(false)`, would leave a shared `flock` on our handle
//!   and make every exclusive open fail.)

use std::fs::File;
use std::path::PathBuf;
use std::sync::Mutex;
use std::time::Duration;

use serialport::{SerialPort, TTYPort};

use super::config::SimError;

/// `TTYPort::pair` is not thread-safe: simulators started in parallel
/// (tests) take turns.
static PAIR_LOCK: Mutex<()> = Mutex::new(());

/// What keeps the slave side open.
#[derive(Debug)]
enum Keeper {
    /// The slave port from the pair: can clear `TIOCEXCL`.
    Port(TTYPort),
    /// A plain file on the slave path (after [`Pty::release_exclusive`]
    /// found no client lock to collide with and had to give up the port
    /// handle, which then held a shared lock).
    File(#[allow(dead_code)] File),
}

/// A pseudo-terminal pair.
#[derive(Debug)]
pub(super) struct Pty {
    /// The terminal's side of the line.
    pub(super) master: TTYPort,
    keeper: Keeper,
    path: PathBuf,
}

impl Pty {
    /// Creates the pair; reads on the master time out after `read_timeout`.
    pub(super) fn create(read_timeout: Duration) -> Result<Pty, SimError> {
        let (mut master, slave) = {
            let _guard = PAIR_LOCK
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            TTYPort::pair().map_err(|e| SimError::Pty(e.to_string()))?
        };
        let path = slave
            .name()
            .map(PathBuf::from)
            .ok_or_else(|| SimError::Pty("the slave side has no path".to_owned()))?;
        master
            .set_timeout(read_timeout)
            .map_err(|e| SimError::Pty(e.to_string()))?;
        Ok(Pty {
            master,
            keeper: Keeper::Port(slave),
            path,
        })
    }

    /// The path a client opens.
    pub(super) fn path(&self) -> PathBuf {
        self.path.clone()
    }

    /// Clears `TIOCEXCL` on the slave side, so the next client can open it
    /// after this one closes. Call while a client has the port open (it has
    /// just sent a request): its exclusive `flock` then makes our own lock
    /// attempt fail, which is what we want. If the client holds no lock, ours
    /// succeeds and would block later exclusive opens: the port handle is
    /// then traded for a plain file handle (no lock), and later clients
    /// keep whatever `TIOCEXCL` they set.
    pub(super) fn release_exclusive(&mut self) {
        let Keeper::Port(slave) = &mut self.keeper else {
            return;
        };
        // Err is the expected case: TIOCNXCL done, flock refused.
        if slave.set_exclusive(false).is_err() {
            return;
        }
        match open_keeper(&self.path) {
            Ok(file) => {
                log::debug!(
                    "sim: {}: client holds no lock; keeping the pty open through a plain handle",
                    self.path.display()
                );
                self.keeper = Keeper::File(file);
            }
            Err(e) => log::warn!(
                "sim: {}: cannot reopen the pty ({e}): exclusive opens may now fail",
                self.path.display()
            ),
        }
    }
}

/// Opens the slave path without making it our controlling terminal.
fn open_keeper(path: &std::path::Path) -> std::io::Result<File> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .custom_flags(libc::O_NOCTTY)
        .open(path)
}
