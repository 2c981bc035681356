//! V3 over TCP: a new connection per request; the answer is read until it
//! parses into complete records carrying `AE` and then either the terminal
//! closes or the line stays quiet — never a single `recv()`. Line ends and
//! padding after the last record are no part of the answer.

use std::io::{self, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream, ToSocketAddrs};
use std::time::{Duration, Instant};

use super::{Channel, ExchangeSpec, Exchanged, Failure, is_wait_over};
use crate::terminal::{Error, Event};
use crate::v3::tlv::{StreamState, stream_records};
use crate::v3::{DecodeOptions, tags::AE};

/// Answers larger than this are not answers.
const MAX_ANSWER: usize = super::MAX_KEPT;
/// Socket read time-outs end on a kernel tick (4 ms at 250 Hz, 10 ms at
/// 100 Hz), late by up to that much: the end of a quiet period is waited
/// for with sleeps and non-blocking reads instead, so the answer is handed
/// over when the quiet period ends, not a tick later.
const TICK_SLACK: Duration = Duration::from_millis(10);
/// Step of that precise wait: how late data in its last moments is seen.
const FINE_STEP: Duration = Duration::from_millis(1);
/// Longest single wait for the answer. A cancel shuts the socket down,
/// which ends a blocked read at once; this bound only backs that up where
/// a shutdown might not wake the reader.
const WAIT_BACKSTOP: Duration = Duration::from_secs(1);

/// A terminal reached over TCP/IP.
#[derive(Debug, Clone)]
pub struct TcpChannel {
    host: String,
    port: u16,
    connect_timeout: Duration,
    quiet_period: Duration,
    close_wait: Duration,
}

impl TcpChannel {
    /// A channel to `host:port`: after a complete answer on a socket the
    /// terminal keeps open, the line must be quiet for `quiet_period` and
    /// the terminal gets `close_wait` to close (a close ends the read at once).
    pub fn new(
        host: impl Into<String>,
        port: u16,
        connect_timeout: Duration,
        quiet_period: Duration,
        close_wait: Duration,
    ) -> TcpChannel {
        TcpChannel {
            host: host.into(),
            port,
            connect_timeout,
            quiet_period,
            close_wait,
        }
    }

    fn target(&self) -> String {
        if self.host.contains(':') {
            format!("[{}]:{}", self.host, self.port)
        } else {
            format!("{}:{}", self.host, self.port)
        }
    }

    fn connect(&self) -> Result<TcpStream, Error> {
        let target = self.target();
        let fail = |source| Error::Connect {
            target: target.clone(),
            source,
        };
        let addrs: Vec<SocketAddr> = (self.host.as_str(), self.port)
            .to_socket_addrs()
            .map_err(fail)?
            .collect();
        let mut last = io::Error::new(io::ErrorKind::NotFound, "host resolves to no address");
        for addr in addrs {
            match TcpStream::connect_timeout(&addr, self.connect_timeout) {
                Ok(stream) => return Ok(stream),
                Err(e) => last = e,
            }
        }
        Err(fail(last))
    }
}

/// Where a partial answer stands.
#[derive(Debug, PartialEq, Eq)]
enum Completeness {
    /// More bytes are needed.
    Partial,
    /// Whole records with `AE` in the first `len` bytes, then only filler:
    /// done once the terminal closes or the line has been quiet.
    Complete {
        /// Where the answer ends.
        len: usize,
    },
    /// Bytes that will never parse: stop once the line is quiet.
    Garbage,
}

/// Bytes terminals are seen to add after their last record (a line end,
/// padding). They are no record, so they must neither make a complete
/// answer look unfinished nor be read as part of it.
fn is_filler(byte: u8) -> bool {
    matches!(byte, b'\r' | b'\n' | b'\0' | b' ')
}

fn completeness(bytes: &[u8]) -> Completeness {
    let whole = records_state(bytes);
    if matches!(whole, Completeness::Complete { .. }) {
        return whole;
    }
    // A last record's value may itself end with a space: the bytes are
    // read whole first, and trimmed only when that does not parse.
    let len = bytes
        .iter()
        .rposition(|&b| !is_filler(b))
        .map_or(0, |p| p + 1);
    if len > 0 && len < bytes.len() {
        let trimmed = records_state(&bytes[..len]);
        if matches!(trimmed, Completeness::Complete { .. }) {
            return trimmed;
        }
    }
    whole
}

fn records_state(bytes: &[u8]) -> Completeness {
    match stream_records(bytes, DecodeOptions::TOLERANT) {
        StreamState::Complete(records) if records.iter().any(|r| r.tag == AE) => {
            Completeness::Complete { len: bytes.len() }
        }
        StreamState::Complete(_) | StreamState::Partial => Completeness::Partial,
        StreamState::Broken(_) => Completeness::Garbage,
    }
}

/// Reads what is there without waiting (`WouldBlock` when nothing is).
fn read_now(stream: &mut TcpStream, buf: &mut [u8]) -> io::Result<usize> {
    stream.set_nonblocking(true)?;
    let read = stream.read(buf);
    stream.set_nonblocking(false)?;
    read
}

impl Channel for TcpChannel {
    fn exchange(
        &mut self,
        spec: &ExchangeSpec<'_>,
        events: &mut dyn FnMut(Event),
    ) -> Result<Exchanged, Failure> {
        let mut stream = self.connect().map_err(Failure::NotSent)?;
        if spec.cancel.is_cancelled() {
            return Err(Failure::NotSent(Error::Cancelled));
        }
        let _ = stream.set_nodelay(true);
        let sent = spec.payload.to_vec();
        let in_doubt = |cause: String, received: Vec<u8>| Failure::InDoubt {
            cause,
            sent: sent.clone(),
            received,
            dropped: 0,
        };
        let _ = stream.set_write_timeout(Some(self.connect_timeout));
        if let Err(e) = stream.write_all(spec.payload) {
            // Part of the request may have reached the terminal.
            return Err(in_doubt(
                format!("writing the request failed: {e}"),
                Vec::new(),
            ));
        }
        events(Event::Sent);
        if !spec.expect_answer {
            return Ok(Exchanged {
                answer: None,
                sent,
                received: Vec::new(),
                dropped: 0,
            });
        }
        events(Event::WaitingForAnswer);
        // A cancel wakes the read below by shutting the socket down, so the
        // wait needs no polling: a thousand waiting terminals stay asleep.
        let _wake = stream.try_clone().ok().map(|clone| {
            spec.cancel.on_cancel(Box::new(move || {
                let _ = clone.shutdown(Shutdown::Both);
            }))
        });
        let deadline = crate::duration::deadline(Instant::now(), spec.answer_timeout);
        let mut received = Vec::with_capacity(512);
        let mut buf = [0u8; 4096];
        // When the bytes last became a complete answer, and when the last
        // byte came: a complete answer on an open socket is taken once the
        // line has been quiet for the quiet period *and* the terminal had
        // `close_wait` to close (or to send a late record).
        let mut complete_since: Option<Instant> = None;
        let mut last_byte = Instant::now();
        loop {
            let now = Instant::now();
            let end_at = complete_since.map(|since| {
                crate::duration::deadline(last_byte, self.quiet_period)
                    .max(crate::duration::deadline(since, self.close_wait))
                    .min(deadline)
            });
            if end_at.is_some_and(|end| now >= end) {
                break;
            }
            if now >= deadline {
                let cause = format!(
                    "no complete answer within {} s",
                    spec.answer_timeout.as_secs()
                );
                return Err(in_doubt(cause, received));
            }
            if spec.cancel.is_cancelled() {
                return Err(in_doubt(
                    "cancelled while waiting for the answer".into(),
                    received,
                ));
            }
            let wake = end_at.unwrap_or(deadline);
            let wait = wake.saturating_duration_since(now).min(WAIT_BACKSTOP);
            let read = if end_at.is_some() && wait <= TICK_SLACK {
                std::thread::sleep(wait.min(FINE_STEP));
                read_now(&mut stream, &mut buf)
            } else {
                let coarse = if end_at.is_some() {
                    wait - TICK_SLACK
                } else {
                    wait
                };
                let _ = stream.set_read_timeout(Some(coarse.max(Duration::from_millis(1))));
                stream.read(&mut buf)
            };
            if spec.cancel.is_cancelled() {
                return Err(in_doubt(
                    "cancelled while waiting for the answer".into(),
                    received,
                ));
            }
            match read {
                Ok(0) => {
                    if completeness(&received) == Completeness::Partial {
                        let cause = if received.is_empty() {
                            "terminal closed the connection without answering".to_owned()
                        } else {
                            format!(
                                "connection closed after {} bytes of an incomplete answer",
                                received.len()
                            )
                        };
                        return Err(in_doubt(cause, received));
                    }
                    break;
                }
                Ok(n) => {
                    received.extend_from_slice(&buf[..n]);
                    if received.len() > MAX_ANSWER {
                        return Err(in_doubt(
                            format!("answer exceeds {MAX_ANSWER} bytes"),
                            received,
                        ));
                    }
                    last_byte = Instant::now();
                    complete_since = match completeness(&received) {
                        Completeness::Partial => None,
                        _ => complete_since.or(Some(last_byte)),
                    };
                }
                Err(e) if is_wait_over(&e) => {}
                Err(e) => {
                    if completeness(&received) != Completeness::Partial {
                        break;
                    }
                    return Err(in_doubt(format!("connection lost: {e}"), received));
                }
            }
        }
        let answer = match completeness(&received) {
            Completeness::Complete { len } => received[..len].to_vec(),
            _ => received.clone(),
        };
        events(Event::AnswerReceived);
        Ok(Exchanged {
            answer: Some(answer),
            sent,
            received,
            dropped: 0,
        })
    }
}
