//! What reached the simulated terminal, in order, with a condition
//! variable so tests can wait for requests without polling.

use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

/// One request that reached the simulator (or one refused connection).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JournalEntry {
    /// Who sent it: `"127.0.0.1:PORT"` over TCP, the pty path over serial.
    pub peer: String,
    /// The payload as received (empty for a refused connection).
    pub request: Vec<u8>,
    /// The payload sent back, card number masked; `None` while the
    /// transaction runs or when nothing was answered.
    pub answer: Option<Vec<u8>>,
    /// What happened: `"approve"`, `"busy"`, `"refused: not in whitelist"`,
    /// `"malformed: …"` …
    pub note: String,
}

/// The journal shared by the simulator's threads.
#[derive(Debug, Default)]
pub(crate) struct Journal {
    entries: Mutex<Vec<JournalEntry>>,
    changed: Condvar,
}

impl Journal {
    fn lock(&self) -> MutexGuard<'_, Vec<JournalEntry>> {
        self.entries.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Appends an entry and returns its index, for [`Journal::update`].
    pub(crate) fn push(&self, entry: JournalEntry) -> usize {
        let mut entries = self.lock();
        entries.push(entry);
        self.changed.notify_all();
        entries.len() - 1
    }

    /// Records the answer sent for entry `index` and completes its note.
    pub(crate) fn update(&self, index: usize, answer: Option<Vec<u8>>, note: &str) {
        let mut entries = self.lock();
        if let Some(entry) = entries.get_mut(index) {
            if answer.is_some() {
                entry.answer = answer;
            }
            if !note.is_empty() {
                if entry.note.is_empty() {
                    entry.note = note.to_owned();
                } else {
                    entry.note = format!("{}; {note}", entry.note);
                }
            }
        }
        self.changed.notify_all();
    }

    /// A copy of entry `index`.
    pub(crate) fn get(&self, index: usize) -> Option<JournalEntry> {
        self.lock().get(index).cloned()
    }

    /// A copy of every entry.
    pub(crate) fn snapshot(&self) -> Vec<JournalEntry> {
        self.lock().clone()
    }

    /// Blocks until the journal holds at least `n` entries or `timeout`
    /// passes; true when it does.
    pub(crate) fn wait_for(&self, n: usize, timeout: Duration) -> bool {
        self.wait_until(timeout, |entries| entries.len() >= n)
    }

    /// Blocks until `done` holds for the entries or `timeout` passes; true
    /// when it does.
    pub(crate) fn wait_until(
        &self,
        timeout: Duration,
        done: impl Fn(&[JournalEntry]) -> bool,
    ) -> bool {
        let deadline = Instant::now().checked_add(timeout);
        let mut entries = self.lock();
        while !done(&entries) {
            let wait = match deadline {
                Some(deadline) => {
                    let now = Instant::now();
                    if now >= deadline {
                        return false;
                    }
                    deadline - now
                }
                None => Duration::from_secs(3600),
            };
            entries = self
                .changed
                .wait_timeout(entries, wait)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn push_update_wait() {
        let journal = Journal::default();
        assert!(!journal.wait_for(1, Duration::from_millis(1)));
        let i = journal.push(JournalEntry {
            peer: "p".into(),
            request: b"x".to_vec(),
            answer: None,
            note: "approve".into(),
        });
        journal.update(i, Some(b"y".to_vec()), "sent");
        assert!(journal.wait_for(1, Duration::ZERO));
        let entries = journal.snapshot();
        assert_eq!(entries[0].answer.as_deref(), Some(&b"y"[..]));
        assert_eq!(entries[0].note, "approve; sent");
    }
}
