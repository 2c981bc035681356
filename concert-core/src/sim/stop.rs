//! The stop signal every simulator thread watches: a flag with a condition
//! variable, so waits end at once when the simulator stops.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Condvar, Mutex, PoisonError};
use std::time::Instant;

/// Set once by `Simulator::stop` (or drop); never cleared.
#[derive(Debug, Default)]
pub(crate) struct StopSignal {
    flag: AtomicBool,
    lock: Mutex<()>,
    changed: Condvar,
}

impl StopSignal {
    /// Asks every thread to stop and wakes those waiting.
    pub(crate) fn stop(&self) {
        let _guard = self.lock.lock().unwrap_or_else(PoisonError::into_inner);
        self.flag.store(true, Ordering::SeqCst);
        self.changed.notify_all();
    }

    /// Whether the simulator is stopping.
    pub(crate) fn is_stopped(&self) -> bool {
        self.flag.load(Ordering::SeqCst)
    }

    /// Waits until `deadline` (or for ever when `None`); returns true when
    /// the wait ended because the simulator is stopping.
    pub(crate) fn wait_until(&self, deadline: Option<Instant>) -> bool {
        let mut guard = self.lock.lock().unwrap_or_else(PoisonError::into_inner);
        loop {
            if self.is_stopped() {
                return true;
            }
            match deadline {
                None => {
                    guard = self
                        .changed
                        .wait(guard)
                        .unwrap_or_else(PoisonError::into_inner);
                }
                Some(deadline) => {
                    let now = Instant::now();
                    if now >= deadline {
                        return false;
                    }
                    guard = self
                        .changed
                        .wait_timeout(guard, deadline - now)
                        .unwrap_or_else(PoisonError::into_inner)
                        .0;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::time::Duration;

    #[test]
    fn waits_end_on_deadline_or_stop() {
        let signal = Arc::new(StopSignal::default());
        assert!(!signal.wait_until(Some(Instant::now() + Duration::from_millis(1))));
        let waiter = {
            let signal = Arc::clone(&signal);
            std::thread::spawn(move || signal.wait_until(None))
        };
        signal.stop();
        assert!(waiter.join().unwrap());
        assert!(signal.is_stopped());
    }
}
