//! A journal that cannot write stops a payment before anything is sent:
//! a read-only file system and a full disk, each on a small tmpfs mounted
//! for the test (root only, as in CI; skipped with a note otherwise).

#![cfg(target_os = "linux")]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::time::Duration;

use concert_core::currency::EUR;
use concert_core::sim::{Simulator, SimulatorConfig};
use concert_core::terminal::{Error, Status, Terminal, TerminalConfig};
use concert_journal::{Journal, JournalError, ListFilter, State};

/// A tmpfs of `size` mounted for the test's life.
struct Tmpfs(PathBuf);

impl Tmpfs {
    fn mount(name: &str, size: &str) -> Option<Tmpfs> {
        let uid = Command::new("id").arg("-u").output().ok()?;
        if String::from_utf8_lossy(&uid.stdout).trim() != "0" {
            eprintln!("skipped: mounting a tmpfs needs root");
            return None;
        }
        let dir = std::env::temp_dir().join(format!("concert-tmpfs-{}-{name}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let status = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(&dir)
            .status()
            .unwrap();
        assert!(status.success(), "mount tmpfs on {}", dir.display());
        Some(Tmpfs(dir))
    }

    fn path(&self) -> &Path {
        &self.0
    }

    fn remount(&self, option: &str) {
        let status = Command::new("mount")
            .args(["-o", &format!("remount,{option}")])
            .arg(&self.0)
            .status()
            .unwrap();
        assert!(status.success(), "remount {option}");
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(&self.0).status();
        let _ = std::fs::remove_dir(&self.0);
    }
}

fn terminal(sim: &Simulator, journal: &Arc<Journal>) -> Terminal {
    let addr = sim.tcp_addr().unwrap();
    let mut config = TerminalConfig::tcp(addr.ip().to_string(), addr.port());
    config.timeouts.connect = Duration::from_secs(2);
    Terminal::new(config.with_journal(journal.clone())).unwrap()
}

#[test]
fn a_read_only_journal_is_refused_by_name() {
    let Some(fs) = Tmpfs::mount("ro", "1m") else {
        return;
    };
    let path = fs.path().join("journal.sqlite3");
    drop(Journal::open(&path).unwrap());
    fs.remount("ro");
    let err = Journal::open(&path).unwrap_err();
    assert!(matches!(err, JournalError::ReadOnly { .. }), "{err}");
    assert!(err.to_string().contains("journal.sqlite3"), "{err}");
    fs.remount("rw");
    Journal::open(&path).unwrap();
}

#[test]
fn a_full_disk_fails_the_payment_before_it_is_sent() {
    let Some(fs) = Tmpfs::mount("full", "512k") else {
        return;
    };
    let path = fs.path().join("journal.sqlite3");
    let journal = Arc::new(Journal::open(&path).unwrap());
    let sim = Simulator::start(SimulatorConfig::default()).unwrap();
    let terminal = terminal(&sim, &journal);
    assert_eq!(terminal.pay(100, EUR).unwrap().status, Status::Approved);

    // Fill what is left of the disk.
    let filler = fs.path().join("filler");
    {
        use std::io::Write;
        let mut file = std::fs::File::create(&filler).unwrap();
        let block = [0u8; 4096];
        while file
            .write_all(&block)
            .and_then(|()| file.sync_all())
            .is_ok()
        {}
    }
    let mut approved = 1;
    let mut refused = None;
    for _ in 0..200 {
        match terminal.pay(100, EUR) {
            Ok(outcome) => {
                assert_eq!(outcome.status, Status::Approved);
                approved += 1;
            }
            Err(e) => {
                refused = Some(e);
                break;
            }
        }
    }
    let refused = refused.expect("the full disk stops a payment");
    assert!(matches!(refused, Error::Journal(_)), "{refused}");
    assert!(refused.safe_to_retry());
    assert!(refused.to_string().contains("journal.sqlite3"), "{refused}");
    // Nothing of the refused payment reached the terminal.
    assert_eq!(sim.journal().len(), approved);

    // Room again: payments are journaled again, none was lost.
    std::fs::remove_file(&filler).unwrap();
    assert_eq!(terminal.pay(100, EUR).unwrap().status, Status::Approved);
    let entries = journal.list(&ListFilter::default()).unwrap();
    assert!(entries.len() > approved);
    assert!(
        entries
            .iter()
            .all(|e| matches!(e.state, State::Outcome | State::Sending | State::Sent))
    );
}
