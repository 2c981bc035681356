//! What reached the simulated terminal, in order, with a condition
//! variable so tests can wait for requests without polling. Capped: the
//! oldest entries go first, and are counted.

use std::collections::VecDeque;
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

/// The kept entries, and how many older ones were dropped.
#[derive(Debug, Default)]
struct Kept {
    entries: VecDeque<JournalEntry>,
    /// Entries dropped so far: the index of `entries[0]`.
    dropped: usize,
}

impl Kept {
    fn get_mut(&mut self, index: usize) -> Option<&mut JournalEntry> {
        self.entries.get_mut(index.checked_sub(self.dropped)?)
    }
}

/// The journal shared by the simulator's threads.
#[derive(Debug)]
pub(crate) struct Journal {
    kept: Mutex<Kept>,
    changed: Condvar,
    capacity: usize,
}

impl Journal {
    /// A journal keeping the latest `capacity` entries (at least one).
    pub(crate) fn new(capacity: usize) -> Journal {
        Journal {
            kept: Mutex::new(Kept::default()),
            changed: Condvar::new(),
            capacity: capacity.max(1),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Kept> {
        self.kept.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Appends an entry (dropping the oldest beyond the capacity) and
    /// returns its index, for [`Journal::update`]; indexes stay valid
    /// across drops.
    pub(crate) fn push(&self, entry: JournalEntry) -> usize {
        let mut kept = self.lock();
        if kept.entries.len() >= self.capacity {
            kept.entries.pop_front();
            kept.dropped += 1;
        }
        kept.entries.push_back(entry);
        self.changed.notify_all();
        kept.dropped + kept.entries.len() - 1
    }

    /// How many entries were dropped.
    pub(crate) fn dropped(&self) -> usize {
        self.lock().dropped
    }

    /// How many entries were ever pushed (kept and dropped).
    pub(crate) fn total(&self) -> usize {
        let kept = self.lock();
        kept.dropped + kept.entries.len()
    }

    /// Records the answer sent for entry `index` and completes its note
    /// (nothing if the entry was dropped meanwhile).
    pub(crate) fn update(&self, index: usize, answer: Option<Vec<u8>>, note: &str) {
        let mut kept = self.lock();
        if let Some(entry) = kept.get_mut(index) {
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

    /// A copy of entry `index`, if still kept.
    pub(crate) fn get(&self, index: usize) -> Option<JournalEntry> {
        self.lock().get_mut(index).map(|e| e.clone())
    }

    /// A copy of every kept entry.
    pub(crate) fn snapshot(&self) -> Vec<JournalEntry> {
        self.lock().entries.iter().cloned().collect()
    }

    /// Blocks until the journal has received at least `n` entries (dropped
    /// ones count) or `timeout` passes; true when it has.
    pub(crate) fn wait_for(&self, n: usize, timeout: Duration) -> bool {
        self.wait_kept(timeout, |kept| kept.dropped + kept.entries.len() >= n)
    }

    /// Blocks until `done` holds for the kept entries or `timeout` passes;
    /// true when it does.
    pub(crate) fn wait_until(
        &self,
        timeout: Duration,
        done: impl Fn(&[JournalEntry]) -> bool,
    ) -> bool {
        self.wait_kept(timeout, |kept| done(kept.entries.make_contiguous()))
    }

    fn wait_kept(&self, timeout: Duration, mut done: impl FnMut(&mut Kept) -> bool) -> bool {
        let deadline = Instant::now().checked_add(timeout);
        let mut entries = self.lock();
        while !done(&mut entries) {
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

    fn entry(request: &[u8]) -> JournalEntry {
        JournalEntry {
            peer: "p".into(),
            request: request.to_vec(),
            answer: None,
            note: String::new(),
        }
    }

    #[test]
    fn the_oldest_entries_go_first_and_are_counted() {
        let journal = Journal::new(3);
        let indexes: Vec<usize> = (0..5u8).map(|i| journal.push(entry(&[i]))).collect();
        assert_eq!(indexes, [0, 1, 2, 3, 4]);
        assert_eq!(journal.dropped(), 2);
        let kept: Vec<Vec<u8>> = journal.snapshot().into_iter().map(|e| e.request).collect();
        assert_eq!(kept, [vec![2], vec![3], vec![4]]);
        journal.update(1, Some(b"gone".to_vec()), "late");
        journal.update(3, Some(b"a".to_vec()), "sent");
        assert_eq!(journal.get(3).unwrap().answer.as_deref(), Some(&b"a"[..]));
        assert_eq!(journal.get(1), None);
        assert!(journal.wait_for(5, Duration::ZERO));
        assert!(!journal.wait_for(6, Duration::from_millis(1)));
    }

    #[test]
    fn push_update_wait() {
        let journal = Journal::new(10);
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
