//! `/v1/journal/…` over HTTP: a payment whose answer is cut is in doubt,
//! listed, then resolved by asking the terminal or by hand; unknown
//! entries and a bridge without a journal get typed errors.

mod common;

use std::io::{Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use concert_core::sim::SimulatorConfig;
use concert_core::terminal::TerminalConfig;
use concert_journal::Journal;
use serde_json::{Value, json};

/// A journal file in a fresh temporary folder, removed on drop.
struct TempJournal {
    dir: PathBuf,
}

impl TempJournal {
    fn new(name: &str) -> TempJournal {
        static N: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "concert-bridge-journal-{}-{name}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::SeqCst)
        ));
        std::fs::create_dir_all(&dir).unwrap();
        TempJournal { dir }
    }

    fn open(&self) -> Arc<Journal> {
        Arc::new(Journal::open(self.dir.join("journal.sqlite3")).expect("journal opens"))
    }
}

impl Drop for TempJournal {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A loopback TCP relay to `upstream` that cuts the answer of the first
/// connection (half of what the terminal first writes, then closed) and
/// relays every later connection whole: a line that failed once.
fn cutting_relay(upstream: SocketAddr) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for (n, client) in listener.incoming().enumerate() {
            let Ok(client) = client else { return };
            std::thread::spawn(move || relay(client, upstream, n == 0));
        }
    });
    addr
}

fn relay(mut client: TcpStream, upstream: SocketAddr, cut: bool) {
    let Ok(mut server) = TcpStream::connect(upstream) else {
        return;
    };
    let bound = Some(common::BOUND);
    for s in [&client, &server] {
        let _ = s.set_read_timeout(bound);
    }
    let (Ok(mut c2), Ok(mut s2)) = (client.try_clone(), server.try_clone()) else {
        return;
    };
    let up = std::thread::spawn(move || {
        let _ = std::io::copy(&mut c2, &mut s2);
        let _ = s2.shutdown(Shutdown::Write);
    });
    if cut {
        let mut buf = [0u8; 4096];
        if let Ok(n) = server.read(&mut buf) {
            let _ = client.write_all(&buf[..n / 2]);
        }
        let _ = client.shutdown(Shutdown::Both);
        let _ = server.shutdown(Shutdown::Both);
    } else {
        let _ = std::io::copy(&mut server, &mut client);
        let _ = client.shutdown(Shutdown::Write);
    }
    let _ = up.join();
}

fn pay(amount: u64, reference: &str) -> Value {
    json!({"operation": "pay", "amount": amount, "currency": "EUR", "reference": reference})
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cut_payment_is_listed_in_doubt_and_resolved_over_v3() {
    let file = TempJournal::new("v3");
    let journal = file.open();
    let mut live = common::start(vec![SimulatorConfig::default()], |config| {
        let sim = config.terminals[0].config.clone();
        let relay = cutting_relay(sim.place().parse().expect("host:port"));
        config.terminals[0].config = TerminalConfig::tcp(relay.ip().to_string(), relay.port());
        config.journal = Some(journal.clone());
    })
    .await;

    let (status, empty) = live.get("/v1/journal/in-doubt").await;
    assert_eq!(status, 200, "{empty}");
    assert_eq!(empty["entries"], json!([]));

    let (status, tx) = live.post("/v1/transactions", pay(1250, "ORDER-42")).await;
    assert_eq!(status, 201, "{tx}");
    let done = live.wait(tx["id"].as_str().unwrap()).await;
    assert_eq!(done["outcome"]["status"], "in_doubt", "{done}");
    let entry_id = done["outcome"]["journal_entry"]
        .as_i64()
        .unwrap_or_else(|| panic!("the outcome names its journal entry: {done}"));

    let (status, list) = live.get("/v1/journal/in-doubt").await;
    assert_eq!(status, 200, "{list}");
    assert_eq!(list["total"], 1, "{list}");
    let listed = &list["entries"][0];
    assert_eq!(listed["id"], entry_id);
    assert_eq!(listed["state"], "in_doubt");
    assert_eq!(listed["amount"], 1250);
    assert_eq!(listed["currency"], "EUR");
    assert_eq!(listed["reference"], "ORDER-42");

    let (status, shown) = live.get(&format!("/v1/journal/{entry_id}")).await;
    assert_eq!(status, 200, "{shown}");
    assert_eq!(shown["id"], entry_id);

    // The simulator kept its last transaction: the status request finds it.
    let (status, resolved) = live
        .post(&format!("/v1/journal/{entry_id}/resolve"), json!({}))
        .await;
    assert_eq!(status, 200, "{resolved}");
    assert_eq!(resolved["settled"], true, "{resolved}");
    assert_eq!(resolved["terminal"], "lane0");
    assert_eq!(resolved["entry"]["state"], "resolved");
    assert_eq!(resolved["entry"]["status"], "approved");
    let history = resolved["entry"]["resolutions"].as_array().unwrap();
    assert_eq!(history.last().unwrap()["method"], "status_request");
    // Card numbers only masked, in the entry and its evidence.
    let text = resolved.to_string();
    let digits = concert_core::sim::DEFAULT_CARD_NUMBER;
    assert!(!text.contains(digits), "full card number in {text}");

    let (_, list) = live.get("/v1/journal/in-doubt").await;
    assert_eq!(list["entries"], json!([]), "{list}");
    // Settled: resolving again is a conflict, not a second answer.
    let (status, again) = live
        .post(&format!("/v1/journal/{entry_id}/resolve"), json!({}))
        .await;
    assert_eq!(status, 409, "{again}");
    assert_eq!(again["error"]["code"], "CONCERT_JOURNAL_NOT_IN_DOUBT");
    live.stopped().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_operator_resolves_by_hand_with_a_note() {
    let file = TempJournal::new("hand");
    let journal = file.open();
    let sim = {
        let mut v = SimulatorConfig::default();
        v.faults = {
            let mut v = concert_core::sim::Faults::default();
            v.close_mid_answer = true;
            v
        };
        v
    };
    let j = journal.clone();
    let mut live = common::start(vec![sim], move |config| config.journal = Some(j)).await;
    let (_, tx) = live.post("/v1/transactions", pay(800, "ORDER-7")).await;
    let done = live.wait(tx["id"].as_str().unwrap()).await;
    assert_eq!(done["outcome"]["status"], "in_doubt", "{done}");
    let id = done["outcome"]["journal_entry"].as_i64().unwrap();

    for (body, code) in [
        (json!({"as": "approved"}), "CONCERT_USAGE"),
        (json!({"as": "approved", "note": "  "}), "CONCERT_USAGE"),
        (json!({"as": "maybe", "note": "x"}), "CONCERT_USAGE"),
        (
            json!({"as": "approved", "note": "x", "extra": 1}),
            "CONCERT_USAGE",
        ),
    ] {
        let (status, e) = live
            .post(&format!("/v1/journal/{id}/resolve-by-hand"), body.clone())
            .await;
        assert_eq!(status, 400, "{body}: {e}");
        assert_eq!(e["error"]["code"], code, "{body}: {e}");
    }
    let (status, resolved) = live
        .post(
            &format!("/v1/journal/{id}/resolve-by-hand"),
            json!({"as": "declined", "note": "terminal journal shows no ORDER-7"}),
        )
        .await;
    assert_eq!(status, 200, "{resolved}");
    assert_eq!(resolved["entry"]["state"], "resolved");
    assert_eq!(resolved["entry"]["status"], "declined");
    let last = resolved["entry"]["resolutions"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert_eq!(last["method"], "by_hand");
    assert_eq!(last["note"], "terminal journal shows no ORDER-7");
    // The file says the same to anyone opening it.
    let entry = journal.show(id).unwrap();
    assert_eq!(entry.state, concert_journal::State::Resolved);
    live.stopped().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_entries_and_bad_ids_get_typed_errors() {
    let file = TempJournal::new("unknown");
    let journal = file.open();
    let mut live = common::start(vec![SimulatorConfig::default()], move |c| {
        c.journal = Some(journal)
    })
    .await;
    for (method, path) in [
        ("GET", "/v1/journal/999"),
        ("POST", "/v1/journal/999/resolve"),
        ("POST", "/v1/journal/999/resolve-by-hand"),
    ] {
        let (status, e) = if method == "GET" {
            live.get(path).await
        } else {
            live.post(path, json!({"as": "approved", "note": "checked"}))
                .await
        };
        // resolve refuses the by-hand fields before looking the entry up.
        if path.ends_with("/resolve") {
            assert_eq!(status, 400, "{path}: {e}");
            let (status, e) = live.post(path, json!({})).await;
            assert_eq!(status, 404, "{path}: {e}");
            assert_eq!(e["error"]["code"], "CONCERT_JOURNAL_NO_SUCH_ENTRY");
            continue;
        }
        assert_eq!(status, 404, "{path}: {e}");
        assert_eq!(e["error"]["code"], "CONCERT_JOURNAL_NO_SUCH_ENTRY", "{e}");
    }
    let (status, e) = live.get("/v1/journal/abc").await;
    assert_eq!(status, 400, "{e}");
    assert_eq!(e["error"]["code"], "CONCERT_USAGE");
    live.stopped().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_journal_the_routes_say_so() {
    let mut live = common::one(SimulatorConfig::default()).await;
    let (status, e) = live.get("/v1/journal/in-doubt").await;
    assert_eq!(status, 409, "{e}");
    assert_eq!(e["error"]["code"], "CONCERT_NO_JOURNAL");
    assert_eq!(e["error"]["safe_to_retry"], false);
    let (status, e) = live.post("/v1/journal/1/resolve", json!({})).await;
    assert_eq!(status, 409, "{e}");
    live.stopped().await;
}
