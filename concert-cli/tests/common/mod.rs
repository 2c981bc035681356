//! Runs the built `concert` binary with every wait bounded: a child that
//! outlives its deadline, or a test that fails, gets it killed.

#![allow(dead_code)] // each test file uses its own part of this

use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

/// How long any one `concert` run may take.
pub const RUN_TIMEOUT: Duration = Duration::from_secs(30);

/// The binary under test. Its per-user data folder (where transactions
/// are journaled by default) is a scratch folder, never the real home.
pub fn concert() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_concert"));
    cmd.env_remove("RUST_LOG");
    let home = scratch_home();
    cmd.env("HOME", &home)
        .env("XDG_DATA_HOME", home.join("data"))
        .env("LOCALAPPDATA", home.join("data"));
    cmd
}

/// This test binary's stand-in home folder.
pub fn scratch_home() -> std::path::PathBuf {
    std::env::temp_dir().join(format!("concert-cli-test-home-{}", std::process::id()))
}

/// A child process killed when dropped.
pub struct Guard(pub Child);

impl Drop for Guard {
    fn drop(&mut self) {
        if matches!(self.0.try_wait(), Ok(None)) {
            let _ = self.0.kill();
        }
        let _ = self.0.wait();
    }
}

/// What a finished run left.
#[derive(Debug)]
pub struct Run {
    /// Exit code (None when killed by a signal).
    pub code: Option<i32>,
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
}

impl Run {
    /// Stdout as JSON.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not one JSON value ({e}): {self:?}"))
    }
}

fn drain(mut pipe: impl Read + Send + 'static, tx: mpsc::Sender<(bool, String)>, is_out: bool) {
    thread::spawn(move || {
        let mut text = String::new();
        let _ = pipe.read_to_string(&mut text);
        let _ = tx.send((is_out, text));
    });
}

/// Runs `concert args…` to completion within [`RUN_TIMEOUT`].
pub fn run(args: &[&str]) -> Run {
    run_with_stdin(args, None)
}

/// Same, with `input` on stdin.
pub fn run_with_stdin(args: &[&str], input: Option<&str>) -> Run {
    let mut child = Guard(
        concert()
            .args(args)
            .stdin(if input.is_some() {
                Stdio::piped()
            } else {
                Stdio::null()
            })
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn concert"),
    );
    if let Some(text) = input {
        use std::io::Write;
        let mut stdin = child.0.stdin.take().expect("stdin");
        stdin.write_all(text.as_bytes()).expect("write stdin");
    }
    let (tx, rx) = mpsc::channel();
    drain(child.0.stdout.take().expect("stdout"), tx.clone(), true);
    drain(child.0.stderr.take().expect("stderr"), tx, false);
    let (mut stdout, mut stderr) = (String::new(), String::new());
    for _ in 0..2 {
        // Both pipes close when the process ends.
        let (is_out, text) = rx
            .recv_timeout(RUN_TIMEOUT)
            .unwrap_or_else(|_| panic!("concert {args:?} did not finish in {RUN_TIMEOUT:?}"));
        if is_out {
            stdout = text;
        } else {
            stderr = text;
        }
    }
    let status: ExitStatus = child.0.wait().expect("wait");
    Run {
        code: status.code(),
        stdout,
        stderr,
    }
}

/// A long-running `concert` (the simulator) and its first stdout line.
pub struct Background {
    /// The process.
    pub child: Guard,
    /// The first line it printed.
    pub first_line: String,
    /// Fires when stdout closes, i.e. when the process has ended.
    closed: mpsc::Receiver<()>,
    stderr: mpsc::Receiver<String>,
}

impl Background {
    /// Starts `concert args…` and waits (bounded) for its first stdout line.
    pub fn start(args: &[&str]) -> Background {
        let mut child = Guard(
            concert()
                .args(args)
                .stdin(Stdio::null())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .expect("spawn concert"),
        );
        let stdout = child.0.stdout.take().expect("stdout");
        let (line_tx, line_rx) = mpsc::channel();
        let (closed_tx, closed) = mpsc::channel();
        thread::spawn(move || {
            let mut lines = BufReader::new(stdout).lines();
            let first = lines.next().and_then(Result::ok).unwrap_or_default();
            let _ = line_tx.send(first);
            for _ in lines {}
            let _ = closed_tx.send(());
        });
        let stderr = child.0.stderr.take().expect("stderr");
        let (err_tx, err_rx) = mpsc::channel();
        thread::spawn(move || {
            let mut text = String::new();
            let _ = BufReader::new(stderr).read_to_string(&mut text);
            let _ = err_tx.send(text);
        });
        let first_line = line_rx
            .recv_timeout(RUN_TIMEOUT)
            .unwrap_or_else(|_| panic!("concert {args:?} printed no first line"));
        assert!(
            !first_line.is_empty(),
            "concert {args:?} exited before serving"
        );
        Background {
            child,
            first_line,
            closed,
            stderr: err_rx,
        }
    }

    /// Sends `signal` (`INT`, `TERM`) and waits (bounded) for the exit code
    /// and what was logged. The guard kills the process if it hangs.
    pub fn stop_with(mut self, signal: &str) -> (Option<i32>, String) {
        let pid = self.child.0.id().to_string();
        let sent = Command::new("kill")
            .args([&format!("-{signal}"), &pid])
            .status()
            .expect("run kill");
        assert!(sent.success(), "kill -{signal} {pid}");
        self.closed
            .recv_timeout(RUN_TIMEOUT)
            .unwrap_or_else(|_| panic!("concert did not stop on SIG{signal}"));
        let status = self.child.0.wait().expect("wait");
        let log = self.stderr.recv_timeout(RUN_TIMEOUT).unwrap_or_default();
        (status.code(), log)
    }
}

/// Asserts a one-line usage error naming `flag`: exit 2, nothing on
/// stdout, no panic or backtrace.
pub fn assert_usage_error(args: &[&str], flag: &str) -> Run {
    let run = run(args);
    assert_eq!(run.code, Some(2), "{args:?}: {run:?}");
    assert!(run.stdout.is_empty(), "{args:?}: stdout {:?}", run.stdout);
    let lines: Vec<&str> = run.stderr.lines().collect();
    assert_eq!(lines.len(), 1, "{args:?}: not one line: {:?}", run.stderr);
    let expected = format!("concert: error: {flag}: ");
    assert!(
        lines[0].starts_with(&expected),
        "{args:?}: {:?} does not start with {expected:?}",
        lines[0]
    );
    assert!(!run.stderr.contains("panicked"), "{args:?}: {run:?}");
    run
}
