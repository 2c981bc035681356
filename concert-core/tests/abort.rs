//! `Terminal::abort`: whatever runs on a terminal stops, from any thread;
//! once the request left, the outcome is in doubt. (Before it left the
//! result is `Error::Cancelled`: Python's test_threads.py checks that on a
//! silent pty line.)

use std::time::{Duration, Instant};

use concert_core::currency::EUR;
use concert_core::terminal::Status;

mod common;

#[test]
fn abort_stops_a_blocking_payment_on_another_thread_in_doubt() {
    let sim = common::tcp_sim(|c| c.faults.never_answer = true);
    let terminal = common::tcp_terminal(&sim);
    let payer = {
        let terminal = terminal.clone();
        std::thread::spawn(move || terminal.pay(1250, EUR))
    };
    assert!(sim.wait_for_requests(1, Duration::from_secs(10)));
    let started = Instant::now();
    terminal.abort();
    let outcome = payer.join().unwrap().unwrap();
    assert_eq!(outcome.status, Status::InDoubt);
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
    assert!(!terminal.is_busy());
    // Nothing running: nothing happens, and the next payment is not stopped.
    terminal.abort();
    let sim2 = common::tcp_sim(|_| {});
    assert_eq!(
        common::tcp_terminal(&sim2).pay(100, EUR).unwrap().status,
        Status::Approved
    );
}
