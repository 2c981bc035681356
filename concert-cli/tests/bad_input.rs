//! Every bad flag value is a one-line error naming the flag, exit code 2,
//! no panic; nothing is sent anywhere.

mod common;

use common::{assert_usage_error, run};

const TCP: &str = "127.0.0.1:9"; // never reached: values are checked first

#[test]
fn amounts() {
    for amount in ["12.345", "-3", "abc", "", "12,50", "1e3", "0"] {
        let r = assert_usage_error(&["pay", "--amount", amount, "--tcp", TCP], "--amount");
        assert!(r.stderr.contains(amount), "{r:?}");
    }
    let r = assert_usage_error(&["pay", "--amount", "12.345", "--tcp", TCP], "--amount");
    assert!(r.stderr.contains("3 decimal places but EUR has 2"), "{r:?}");
    // The currency's own exponent decides: XPF has none.
    assert_usage_error(
        &[
            "refund",
            "--amount",
            "1.5",
            "--currency",
            "XPF",
            "--tcp",
            TCP,
        ],
        "--amount",
    );
}

#[test]
fn currencies() {
    for currency in ["ZZZ", "EURO", "12", "XAU"] {
        assert_usage_error(
            &["pay", "--amount", "1", "--currency", currency, "--tcp", TCP],
            "--currency",
        );
    }
}

#[test]
fn ports_and_targets() {
    for tcp in [
        "127.0.0.1:70000",
        "127.0.0.1:0",
        "127.0.0.1:abc",
        "127.0.0.1",
        ":8888",
    ] {
        assert_usage_error(&["pay", "--amount", "1", "--tcp", tcp], "--tcp");
    }
    let r = assert_usage_error(
        &["pay", "--amount", "1", "--tcp", "127.0.0.1:70000"],
        "--tcp",
    );
    assert!(r.stderr.contains("out of range"), "{r:?}");
    for path in ["/nonexistent/ttyACM9", "/"] {
        assert_usage_error(&["pay", "--amount", "1", "--serial", path], "--serial");
    }
    assert_usage_error(
        &["pay", "--amount", "1", "--tcp", TCP, "--protocol", "v2"],
        "--protocol",
    );
    assert_usage_error(
        &["identify", "--tcp", TCP, "--protocol", "v9"],
        "--protocol",
    );
}

#[test]
fn line_and_request_settings() {
    let null = "/dev/null"; // exists, so only the flag under test is wrong
    let base = ["pay", "--amount", "1", "--serial", null];
    let cases: [(&[&str], &str); 8] = [
        (&["--baud", "12"], "--baud"),
        (&["--baud", "fast"], "--baud"),
        (&["--parity", "X"], "--parity"),
        (&["--data-bits", "9"], "--data-bits"),
        (&["--stop-bits", "3"], "--stop-bits"),
        (&["--pos", "0"], "--pos"),
        (&["--pos", "100"], "--pos"),
        (&["--timeout", "5"], "--timeout"),
    ];
    for (extra, flag) in cases {
        let args: Vec<&str> = base.iter().chain(extra).copied().collect();
        assert_usage_error(&args, flag);
    }
    assert_usage_error(
        &[
            "pay",
            "--amount",
            "1",
            "--tcp",
            TCP,
            "--receipt",
            "everyone",
        ],
        "--receipt",
    );
    assert_usage_error(
        &[
            "pay",
            "--amount",
            "1",
            "--serial",
            null,
            "--receipt",
            "both",
        ],
        "--receipt",
    );
    assert_usage_error(&["transact", "--tcp", TCP, "--tag", "CB=1"], "--tag");
    assert_usage_error(&["transact", "--tcp", TCP, "--tag", "cd0"], "--tag");
    assert_usage_error(&["status", "--serial", null], "--protocol");
}

#[test]
fn simulator_settings() {
    let cases: [(&[&str], &str); 6] = [
        (&["--tcp", "127.0.0.1:99999"], "--tcp"),
        (&["--tcp", "localhost:0"], "--tcp"),
        (&["--pty", "--outcome", "maybe"], "--outcome"),
        (&["--pty", "--delay", "soon"], "--delay"),
        (&["--tcp", "127.0.0.1:0", "--allow", "everyone"], "--allow"),
        (&["--tcp", "127.0.0.1:0", "--protocol", "v2"], "--protocol"),
    ];
    for (extra, flag) in cases {
        let args: Vec<&str> = ["simulate"].iter().chain(extra).copied().collect();
        assert_usage_error(&args, flag);
    }
}

#[test]
fn frames_that_are_not_frames() {
    for frame in ["hello", "CZ0040300CB9", "0230313003ff", "CZ004030"] {
        let r = assert_usage_error(&["decode", frame], "FRAME");
        assert!(r.stderr.contains("at byte "), "{r:?}");
    }
}

#[test]
fn clap_errors_are_one_line_too() {
    for args in [
        &["pay", "--tcp", TCP][..],
        &["pay", "--amount", "1"],
        &[
            "pay",
            "--amount",
            "1",
            "--tcp",
            TCP,
            "--serial",
            "/dev/null",
        ],
        &["fly"],
        &["pay", "--amount", "1", "--tcp", TCP, "--bogus"],
    ] {
        let r = run(args);
        assert_eq!(r.code, Some(2), "{args:?}: {r:?}");
        assert_eq!(r.stderr.lines().count(), 1, "{args:?}: {r:?}");
        assert!(r.stderr.starts_with("concert: error: "), "{r:?}");
    }
}

#[test]
fn json_errors_are_one_object() {
    let r = run(&["pay", "--amount", "12.345", "--tcp", TCP, "--json"]);
    assert_eq!(r.code, Some(2));
    let v = r.json();
    assert_eq!(v["status"], "error");
    assert_eq!(v["error"]["flag"], "--amount");
    assert_eq!(v["error"]["code"], "CONCERT_USAGE");
}

#[test]
fn help_documents_exit_codes() {
    let r = run(&["--help"]);
    assert_eq!(r.code, Some(0));
    for line in [
        "Exit codes:",
        "0  approved",
        "1  declined",
        "2  usage",
        "3  in doubt",
        "4  connection",
        "6  pending",
    ] {
        assert!(r.stdout.contains(line), "--help lacks {line:?}");
    }
}
