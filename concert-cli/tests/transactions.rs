//! `concert pay|refund|cancel|preauth|identify|status|settle|transact`
//! against the core simulator, started here: JSON, human output, exit codes.

mod common;

use common::run;
use concert_core::sim::{
    DEFAULT_CARD_NUMBER, Faults, Script, SimProtocol, SimTransport, Simulator, SimulatorConfig,
};
use concert_core::v3::Reason;

fn v3_sim(configure: impl FnOnce(&mut SimulatorConfig)) -> (Simulator, String) {
    let mut config = SimulatorConfig::default();
    configure(&mut config);
    let sim = Simulator::start(config).expect("simulator");
    let addr = sim.tcp_addr().expect("tcp").to_string();
    (sim, addr)
}

fn v2_sim() -> (Simulator, String) {
    let config = {
        let mut v = SimulatorConfig::default();
        v.protocol = SimProtocol::V2;
        v.transport = SimTransport::Pty;
        v
    };
    let sim = Simulator::start(config).expect("simulator");
    let path = sim.pty_path().expect("pty").display().to_string();
    (sim, path)
}

#[test]
fn approved_payment_as_json() {
    let (_sim, addr) = v3_sim(|_| {});
    let r = run(&[
        "pay",
        "--amount",
        "12.50",
        "--tcp",
        &addr,
        "--private-data",
        "ORDER-42",
        "--json",
    ]);
    assert_eq!(r.code, Some(0), "{r:?}");
    let v = r.json();
    assert_eq!(v["status"], "approved");
    assert_eq!(v["amount"], 1250);
    assert_eq!(v["currency"], "EUR");
    assert_eq!(v["card_number"], "497010######7894");
    assert!(
        v["authorization_number"]
            .as_str()
            .is_some_and(|a| !a.is_empty())
    );
    assert_eq!(v["application"]["code"], "001");
    assert_eq!(v["records"]["CB"], "1250");
    assert_eq!(v["records"]["AE"], "10");
    assert_eq!(v["records"]["CF"], "ORDER-42");
    assert!(v.get("reason_code").is_some());
    assert!(v.get("receipt").is_some());
    let frames = v["frames"].as_array().expect("frames");
    assert_eq!(frames[0]["direction"], "sent");
    assert_eq!(frames[1]["direction"], "received");
    assert!(
        !r.stdout.contains(DEFAULT_CARD_NUMBER),
        "full card number printed"
    );
    // Exactly one JSON object: nothing else on stdout.
    assert_eq!(r.stdout.trim_start().chars().next(), Some('{'));
}

#[test]
fn human_output_with_receipt() {
    let (_sim, addr) = v3_sim(|_| {});
    let r = run(&[
        "pay",
        "--amount",
        "7",
        "--tcp",
        &addr,
        "--receipt",
        "customer",
    ]);
    assert_eq!(r.code, Some(0), "{r:?}");
    assert!(r.stdout.starts_with("pay APPROVED"), "{}", r.stdout);
    assert!(r.stdout.contains("7.00 EUR"), "{}", r.stdout);
    assert!(r.stdout.contains("497010######7894"), "{}", r.stdout);
    assert!(r.stdout.contains("receipt:"), "{}", r.stdout);
    assert!(!r.stdout.contains(DEFAULT_CARD_NUMBER));
    assert!(!r.stderr.contains(DEFAULT_CARD_NUMBER));
}

#[test]
fn declined_is_exit_1() {
    let (sim, addr) = v3_sim(|_| {});
    sim.push_script(Script::Decline(Reason::Forbidden));
    let r = run(&["pay", "--amount", "99.90", "--tcp", &addr, "--json"]);
    assert_eq!(r.code, Some(1), "{r:?}");
    let v = r.json();
    assert_eq!(v["status"], "declined");
    assert_eq!(v["reason_code"], "05");
    sim.push_script(Script::Abandon);
    let r = run(&["pay", "--amount", "1", "--tcp", &addr]);
    assert_eq!(r.code, Some(1), "{r:?}");
    assert!(r.stdout.contains("ABORTED"), "{}", r.stdout);
}

#[test]
fn in_doubt_is_exit_3_never_declined() {
    let (_sim, addr) = v3_sim(|c| {
        c.faults = {
            let mut v = Faults::default();
            v.close_mid_answer = true;
            v
        }
    });
    let r = run(&["pay", "--amount", "12.50", "--tcp", &addr, "--json"]);
    assert_eq!(r.code, Some(3), "{r:?}");
    let v = r.json();
    assert_eq!(v["status"], "in_doubt");
    assert!(v["in_doubt_cause"].as_str().is_some_and(|c| !c.is_empty()));
    let r = run(&["pay", "--amount", "12.50", "--tcp", &addr]);
    assert_eq!(r.code, Some(3));
    assert!(r.stdout.contains("IN DOUBT"), "{}", r.stdout);
}

#[test]
fn immediate_answer_is_pending_exit_6() {
    let (_sim, addr) = v3_sim(|_| {});
    let r = run(&[
        "pay",
        "--amount",
        "3",
        "--tcp",
        &addr,
        "--immediate",
        "--json",
    ]);
    assert_eq!(r.code, Some(6), "{r:?}");
    assert_eq!(r.json()["status"], "pending");
    let r = run(&["status", "--tcp", &addr, "--json"]);
    assert_eq!(r.code, Some(0), "{r:?}");
}

#[test]
fn refused_connection_is_exit_4() {
    // A port nobody listens on: bind one, note it, free it.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port();
    let target = format!("127.0.0.1:{port}");
    let r = run(&["pay", "--amount", "1", "--tcp", &target]);
    assert_eq!(r.code, Some(4), "{r:?}");
    assert_eq!(r.stderr.lines().count(), 1, "{r:?}");
    assert!(
        r.stderr
            .starts_with("concert: error: --tcp: cannot connect"),
        "{r:?}"
    );
    let r = run(&["pay", "--amount", "1", "--tcp", &target, "--json"]);
    assert_eq!(r.code, Some(4));
    let v = r.json();
    assert_eq!(v["error"]["code"], "CONCERT_CONNECT");
    assert_eq!(v["error"]["safe_to_retry"], true);
    // A path that exists but is no serial line: nothing sent, retryable.
    let r = run(&["pay", "--amount", "1", "--serial", "/dev/null"]);
    assert_eq!(r.code, Some(4), "{r:?}");
    assert!(r.stderr.starts_with("concert: error: --serial: "), "{r:?}");
}

#[test]
fn every_operation() {
    let (sim, addr) = v3_sim(|_| {});
    for (op, cd) in [("refund", "1"), ("cancel", "2"), ("preauth", "4")] {
        let r = run(&[op, "--amount", "5", "--tcp", &addr, "--json"]);
        assert_eq!(r.code, Some(0), "{op}: {r:?}");
        assert_eq!(r.json()["records"]["CD"], cd, "{op}");
    }
    for op in ["identify", "status", "settle"] {
        let r = run(&[op, "--tcp", &addr, "--json"]);
        assert_eq!(r.code, Some(0), "{op}: {r:?}");
    }
    let r = run(&[
        "transact", "--tcp", &addr, "--tag", "CD=0", "--tag", "CB=1250", "--tag", "CC=00C",
        "--json",
    ]);
    assert_eq!(r.code, Some(0), "{r:?}");
    let v = r.json();
    assert_eq!(v["amount"], 1250);
    let journal = sim.journal();
    let sent = String::from_utf8_lossy(&journal.last().expect("journal").request);
    assert!(
        sent.contains("CB0041250") && sent.contains("CC00300C"),
        "{sent}"
    );
}

#[test]
fn cheque_and_options_reach_the_terminal() {
    let (sim, addr) = v3_sim(|_| {});
    let r = run(&[
        "pay",
        "--amount",
        "10",
        "--tcp",
        &addr,
        "--cheque",
        "--force-authorization",
        "--pos",
        "7",
    ]);
    assert_eq!(r.code, Some(0), "{r:?}");
    let sent = String::from_utf8_lossy(&sim.journal()[0].request).into_owned();
    for record in ["CC00300C", "BB0011", "CA00207", "CB0041000"] {
        assert!(sent.contains(record), "{record} not in {sent}");
    }
}

#[test]
fn v2_over_a_pty() {
    let (sim, path) = v2_sim();
    let r = run(&[
        "pay",
        "--amount",
        "55.10",
        "--serial",
        &path,
        "--protocol",
        "v2",
        "--json",
    ]);
    assert_eq!(r.code, Some(0), "{r:?}");
    let v = r.json();
    assert_eq!(v["status"], "approved");
    assert_eq!(v["amount"], 5510);
    assert_eq!(v["card_number"], "497010######7894");
    assert!(
        !r.stdout.contains(DEFAULT_CARD_NUMBER),
        "full card number printed"
    );
    sim.push_script(Script::Decline(Reason::Refused));
    let r = run(&[
        "pay",
        "--amount",
        "1",
        "--serial",
        &path,
        "--short-answer",
        "--json",
    ]);
    assert_eq!(r.code, Some(1), "{r:?}");
    assert_eq!(r.json()["reason_code"], "7");
    let r = run(&["identify", "--serial", &path]);
    assert_eq!(r.code, Some(0), "{r:?}");
}

#[test]
fn ctrl_c_while_waiting_is_in_doubt() {
    use std::process::Stdio;
    use std::time::Duration;
    let (sim, addr) = v3_sim(|c| {
        c.faults = {
            let mut v = Faults::default();
            v.never_answer = true;
            v
        }
    });
    let mut child = common::Guard(
        common::concert()
            .args(["pay", "--amount", "1", "--tcp", &addr, "--json"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn"),
    );
    assert!(
        sim.wait_for_requests(1, Duration::from_secs(20)),
        "the request never reached the simulator"
    );
    let pid = child.0.id().to_string();
    let killed = std::process::Command::new("kill")
        .args(["-INT", &pid])
        .status()
        .expect("kill");
    assert!(killed.success());
    let stdout = child.0.stdout.take().expect("stdout");
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut text = String::new();
        let _ = std::io::Read::read_to_string(&mut { stdout }, &mut text);
        let _ = tx.send(text);
    });
    let text = rx
        .recv_timeout(common::RUN_TIMEOUT)
        .expect("pay did not stop on Ctrl-C");
    let code = child.0.wait().expect("wait").code();
    assert_eq!(code, Some(3), "{text}");
    let v: serde_json::Value = serde_json::from_str(&text).expect("JSON");
    assert_eq!(v["status"], "in_doubt");
}

#[test]
fn a_partial_approval_has_its_own_exit_code() {
    let (_sim, addr) = v3_sim(|c| c.default_script = Script::Partial(100));
    let r = run(&["pay", "--amount", "12.50", "--tcp", &addr, "--json"]);
    assert_eq!(r.code, Some(5), "{r:?}");
    let v = r.json();
    assert_eq!(v["status"], "approved");
    assert_eq!(v["partial"], true);
    assert_eq!(v["amount"], 100);
    let r = run(&["pay", "--amount", "12.50", "--tcp", &addr]);
    assert_eq!(r.code, Some(5), "{r:?}");
    assert!(r.stdout.contains("APPROVED FOR LESS"), "{r:?}");
    assert!(
        r.stdout.contains("1.00 EUR (partial: 12.50 asked)"),
        "{r:?}"
    );
    let help = run(&["--help"]);
    assert!(
        help.stdout.contains("5  approved for less than asked"),
        "{help:?}"
    );
}

#[test]
fn absurd_durations_and_duplicate_tags_are_refused_before_anything_is_sent() {
    let (sim, addr) = v3_sim(|_| {});
    common::assert_usage_error(
        &[
            "pay",
            "--amount",
            "12.50",
            "--tcp",
            &addr,
            "--timeout",
            "10000000000000000000",
        ],
        "--timeout",
    );
    common::assert_usage_error(
        &["pay", "--amount", "1", "--tcp", &addr, "--timeout", "86401"],
        "--timeout",
    );
    common::assert_usage_error(
        &["transact", "--tcp", &addr, "--tag", "CD=0", "--tag", "CD=1"],
        "--tag",
    );
    common::assert_usage_error(
        &[
            "transact", "--tcp", &addr, "--tag", "CD=0", "--tag", "CF=A", "--tag", "CF=B",
        ],
        "--tag",
    );
    assert!(sim.journal().is_empty(), "nothing reached the terminal");
}

#[test]
fn v2_pending_does_not_send_the_user_to_status() {
    let (_sim, path) = v2_sim();
    let r = run(&[
        "pay",
        "--amount",
        "12.50",
        "--serial",
        &path,
        "--protocol",
        "v2",
        "--immediate",
    ]);
    assert_eq!(r.code, Some(6), "{r:?}");
    assert!(!r.stdout.contains("concert status"), "{r:?}");
    assert!(r.stdout.contains("V2"), "{r:?}");
}

#[test]
fn the_v2_simulator_offers_no_partial_payment() {
    common::assert_usage_error(
        &[
            "simulate",
            "--pty",
            "--protocol",
            "v2",
            "--outcome",
            "partial:500",
        ],
        "--outcome",
    );
}

#[test]
fn a_frame_pushed_on_an_enq_collision_is_in_the_json() {
    let config = {
        let mut v = SimulatorConfig::default();
        v.protocol = SimProtocol::V2;
        v.transport = SimTransport::Pty;
        v.answer_faults.enq_collision_first = 1;
        v
    };
    let sim = Simulator::start(config).expect("simulator");
    let path = sim.pty_path().expect("pty").display().to_string();
    let r = run(&[
        "pay",
        "--amount",
        "12.50",
        "--serial",
        &path,
        "--protocol",
        "v2",
        "--json",
    ]);
    assert_eq!(r.code, Some(0), "{r:?}");
    let v = r.json();
    let late = v["late_answers"].as_array().expect("late_answers");
    assert_eq!(late.len(), 1, "{v}");
    assert!(late[0]["received_at_ms"].as_u64().is_some_and(|t| t > 0));
    assert!(late[0]["outcome"]["status"].is_string());
    assert!(late[0]["raw_hex"].as_str().is_some_and(|h| !h.is_empty()));
}
