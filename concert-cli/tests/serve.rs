//! `concert serve`: its flags, its config file, a request and a clean stop.

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use common::{Background, assert_usage_error};

/// A plain HTTP/1.1 request; the whole answer as text.
fn http(addr: &str, request: &str) -> String {
    let mut stream = TcpStream::connect(addr).expect("connect to the bridge");
    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    stream.write_all(request.as_bytes()).unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    answer
}

fn host_port(url: &str) -> String {
    url.trim_start_matches("http://")
        .trim_end_matches('/')
        .to_owned()
}

#[test]
fn terminal_specs_and_addresses_are_checked() {
    assert_usage_error(&["serve"], "--terminal");
    assert_usage_error(&["serve", "--terminal", "lane1"], "--terminal");
    assert_usage_error(
        &["serve", "--terminal", "lane 1=tcp://127.0.0.1:8888"],
        "--terminal",
    );
    assert_usage_error(
        &["serve", "--terminal", "lane1=http://127.0.0.1:8888"],
        "--terminal",
    );
    assert_usage_error(
        &["serve", "--terminal", "lane1=tcp://127.0.0.1:99999"],
        "--terminal",
    );
    assert_usage_error(
        &[
            "serve",
            "--terminal",
            "lane1=tcp://127.0.0.1:8888?protocol=v2",
        ],
        "--terminal",
    );
    assert_usage_error(
        &[
            "serve",
            "--terminal",
            "lane1=tcp://127.0.0.1:8888?colour=red",
        ],
        "--terminal",
    );
    assert_usage_error(
        &[
            "serve",
            "--terminal",
            "a=tcp://127.0.0.1:1",
            "--tcp",
            "127.0.0.1:2",
        ],
        "--tcp",
    );
    assert_usage_error(
        &["serve", "--tcp", "127.0.0.1:2", "--listen", "0.0.0.0:8069"],
        "--listen",
    );
    assert_usage_error(
        &[
            "serve",
            "--tcp",
            "127.0.0.1:2",
            "--listen",
            "0.0.0.0:8069",
            "--allow-remote",
        ],
        "--token-file",
    );
    assert_usage_error(
        &[
            "serve",
            "--tcp",
            "127.0.0.1:2",
            "--allow-origin",
            "odoo.example.com",
        ],
        "--allow-origin",
    );
    let dir = std::env::temp_dir().join(format!("concert-serve-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let short = dir.join("short-token");
    std::fs::write(&short, "abc\n").unwrap();
    assert_usage_error(
        &[
            "serve",
            "--tcp",
            "127.0.0.1:2",
            "--token-file",
            short.to_str().unwrap(),
        ],
        "--token-file",
    );
    let bad = dir.join("bad.toml");
    std::fs::write(&bad, "listen = \"127.0.0.1:0\"\ncolour = 1\n").unwrap();
    assert_usage_error(&["serve", "--config", bad.to_str().unwrap()], "--config");
    let _ = std::fs::remove_dir_all(&dir);
}

#[cfg(unix)]
#[test]
fn serves_from_a_config_file_and_stops_on_sigterm() {
    let sim = Background::start(&["simulate", "--tcp", "127.0.0.1:0"]);
    let dir = std::env::temp_dir().join(format!("concert-serve-ok-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let config = dir.join("bridge.toml");
    std::fs::write(
        &config,
        format!(
            "listen = \"127.0.0.1:0\"\nallow_origin = [\"https://odoo.example.com\"]\n\
             terminal = [\"lane1=tcp://{}?pos=2&timeout=120\"]\n",
            sim.first_line
        ),
    )
    .unwrap();
    let started = std::time::Instant::now();
    let bridge = Background::start(&["serve", "--config", config.to_str().unwrap(), "--json"]);
    let ready = started.elapsed();
    let line: serde_json::Value = serde_json::from_str(&bridge.first_line).unwrap();
    let url = line["url"].as_str().unwrap().to_owned();
    assert!(
        url.starts_with("http://127.0.0.1:") && !url.ends_with(":0/"),
        "{url}"
    );
    eprintln!("concert serve ready in {ready:?}");
    let addr = host_port(&url);
    let answer = http(
        &addr,
        &format!("GET /v1/terminals HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"),
    );
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(
        answer.contains("\"name\":\"lane1\"") && answer.contains("\"pos_number\":2"),
        "{answer}"
    );
    let body = r#"{"operation":"pay","amount":"3.20"}"#;
    let answer = http(
        &addr,
        &format!(
            "POST /v1/transactions HTTP/1.1\r\nHost: {addr}\r\nOrigin: https://odoo.example.com\r\n\
             Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        ),
    );
    assert!(answer.starts_with("HTTP/1.1 201"), "{answer}");
    let answer = http(
        &addr,
        &format!(
            "POST /v1/transactions HTTP/1.1\r\nHost: {addr}\r\nOrigin: https://evil.example\r\n\
             Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        ),
    );
    assert!(answer.starts_with("HTTP/1.1 403"), "{answer}");
    let (code, log) = bridge.stop_with("TERM");
    assert_eq!(code, Some(0), "{log}");
    assert!(log.contains("stopped"), "{log}");
    assert!(
        !log.contains("4970101234567894"),
        "a full card number in the log: {log}"
    );
    let (code, _) = sim.stop_with("TERM");
    assert_eq!(code, Some(0));
    let _ = std::fs::remove_dir_all(&dir);
}

#[cfg(unix)]
#[test]
fn serves_a_v2_terminal_on_a_serial_line() {
    let sim = Background::start(&["simulate", "--pty", "--protocol", "v2e+"]);
    let path = sim.first_line.clone();
    let bridge = Background::start(&[
        "serve",
        "--listen",
        "127.0.0.1:0",
        "--terminal",
        &format!("counter=serial://{path}?protocol=v2"),
    ]);
    let addr = host_port(&bridge.first_line);
    let body = r#"{"operation":"pay","amount":1999,"terminal":"counter"}"#;
    let answer = http(
        &addr,
        &format!(
            "POST /v1/transactions HTTP/1.1\r\nHost: {addr}\r\nContent-Length: {}\r\n\
             Connection: close\r\n\r\n{body}",
            body.len()
        ),
    );
    assert!(answer.starts_with("HTTP/1.1 201"), "{answer}");
    let id = answer
        .split("\"id\":\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("an id")
        .to_owned();
    let answer = http(
        &addr,
        &format!(
            "GET /v1/transactions/{id}?wait=20 HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
        ),
    );
    assert!(answer.contains("\"status\":\"approved\""), "{answer}");
    assert!(answer.contains("\"amount\":1999"), "{answer}");
    let (code, log) = bridge.stop_with("INT");
    assert_eq!(code, Some(0), "{log}");
    let (code, _) = sim.stop_with("TERM");
    assert_eq!(code, Some(0));
}
