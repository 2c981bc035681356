//! The simulator over TCP: one thread accepts connections (blocking, so a
//! connection is served the moment it arrives; a stop wakes it with a
//! connection of its own, see [`wake`]), one thread per connection reads a
//! request, answers it on the same socket, and closes. Connections served
//! at once are capped (`SimLimits::connections`); each has the idle limit
//! to deliver its whole request, however slowly its bytes drip.

use std::io::{self, Read, Write};
use std::net::{IpAddr, Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use super::config::{SimError, SimLimits};
use super::{JournalEntry, Reply, Shared, finish_exchange, journal_answer, process};
use crate::transport::is_wait_over;
use crate::v3::tlv::{DecodeOptions, StreamState, stream_records};

/// Pause after a failed accept (out of descriptors) before trying again.
const ACCEPT_RETRY: Duration = Duration::from_millis(20);
/// Bound on the connection that wakes the accept loop on stop.
const WAKE_TIMEOUT: Duration = Duration::from_secs(1);
/// Quiet time after complete records before the request is taken as whole.
const QUIET: Duration = Duration::from_millis(20);
/// Largest request read; beyond it the request is answered as malformed.
const MAX_REQUEST: usize = 64 * 1024;
/// Pause between the three segments of a split answer.
const SPLIT_PAUSE: Duration = Duration::from_millis(10);
/// Bound on a blocked write (a client that never reads).
const WRITE_TIMEOUT: Duration = Duration::from_secs(5);
/// How long to drain the peer's input after answering, so closing does not
/// reset the connection before the answer is read.
const LINGER: Duration = Duration::from_millis(200);

/// Binds `addr` and starts the accept thread.
pub(super) fn start(
    addr: SocketAddr,
    allow: Vec<IpAddr>,
    limits: SimLimits,
    shared: Arc<Shared>,
) -> Result<(SocketAddr, JoinHandle<()>), SimError> {
    let listener = TcpListener::bind(addr)?;
    let bound = listener.local_addr()?;
    let allow: Vec<IpAddr> = allow.iter().map(IpAddr::to_canonical).collect();
    let thread = std::thread::Builder::new()
        .name(format!("concert-sim-tcp-{}", bound.port()))
        .spawn(move || accept_loop(&listener, &allow, limits, &shared))?;
    Ok((bound, thread))
}

fn accept_loop(listener: &TcpListener, allow: &[IpAddr], limits: SimLimits, shared: &Arc<Shared>) {
    let mut connections: Vec<JoinHandle<()>> = Vec::new();
    while !shared.stop.is_stopped() {
        match listener.accept() {
            // The stop's own wake-up connection, or one racing it.
            Ok(_) if shared.stop.is_stopped() => break,
            Ok((stream, peer)) => {
                if !allow.is_empty() && !allow.contains(&peer.ip().to_canonical()) {
                    refuse(stream, peer, shared, "refused: not in whitelist");
                    continue;
                }
                connections.retain(|c| !c.is_finished());
                if connections.len() >= limits.connections {
                    refuse(stream, peer, shared, "refused: too many connections");
                    continue;
                }
                let idle = limits.idle;
                let shared = Arc::clone(shared);
                let spawned = std::thread::Builder::new()
                    .name(format!("concert-sim-conn-{}", peer.port()))
                    .spawn(move || serve_connection(stream, peer, idle, &shared));
                match spawned {
                    Ok(handle) => connections.push(handle),
                    Err(e) => log::warn!("sim: cannot serve {peer}: {e}"),
                }
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => {
                log::warn!("sim: accept failed: {e}");
                shared.stop.wait_until(Some(Instant::now() + ACCEPT_RETRY));
            }
        }
    }
    for connection in connections {
        if connection.join().is_err() {
            log::error!("sim: a connection thread panicked");
        }
    }
}

/// Wakes the accept loop listening on `bound` once the stop signal is set,
/// by connecting to it (an unspecified address through loopback). False if
/// that failed: the accept thread may then stay blocked.
pub(super) fn wake(bound: SocketAddr) -> bool {
    let mut target = bound;
    if target.ip().is_unspecified() {
        target.set_ip(match target.ip() {
            IpAddr::V4(_) => IpAddr::V4(std::net::Ipv4Addr::LOCALHOST),
            IpAddr::V6(_) => IpAddr::V6(std::net::Ipv6Addr::LOCALHOST),
        });
    }
    match TcpStream::connect_timeout(&target, WAKE_TIMEOUT) {
        Ok(_) => true,
        Err(e) => {
            log::warn!("sim: cannot wake the listener on {bound}: {e}");
            false
        }
    }
}

/// Closes a connection without reading from it (not in the whitelist, or
/// one too many).
fn refuse(stream: TcpStream, peer: SocketAddr, shared: &Shared, note: &str) {
    shared.journal.push(JournalEntry {
        peer: peer.to_string(),
        request: Vec::new(),
        answer: None,
        note: note.to_owned(),
    });
    log::info!("sim: {peer}: {note}");
    let _ = stream.shutdown(Shutdown::Both);
}

fn serve_connection(mut stream: TcpStream, peer: SocketAddr, idle: Duration, shared: &Shared) {
    let peer_name = peer.to_string();
    if let Err(e) = configure(&stream) {
        log::warn!("sim: {peer}: cannot set the socket up: {e}");
        return;
    }
    let Some(request) = read_request(&mut stream, idle, shared) else {
        log::debug!("sim: {peer}: closed without a request");
        return;
    };
    match process(shared, &peer_name, &request) {
        Reply::Send { answer, index } => {
            let written = write_answer(&mut stream, &answer, shared);
            // Journaled before the peer sees the connection close.
            journal_answer(shared, index, &answer[..written.sent]);
            finish_exchange(shared, &peer_name, index, &written.note);
            if written.cut {
                let _ = stream.shutdown(Shutdown::Both);
                return;
            }
        }
        Reply::Nothing => {}
        Reply::Never => {
            shared.stop.wait_until(None);
        }
    }
    if shared.answer_faults.keep_open_after_answer {
        hold_open(&mut stream, idle, shared);
    }
    let _ = stream.shutdown(Shutdown::Write);
    linger(&mut stream);
}

/// The `keep_open_after_answer` fault: reads (and drops) until the peer
/// closes, the idle limit passes or the simulator stops.
fn hold_open(stream: &mut TcpStream, idle: Duration, shared: &Shared) {
    let until = Instant::now().checked_add(idle);
    let mut sink = [0u8; 256];
    while !shared.stop.is_stopped() && until.is_none_or(|u| Instant::now() < u) {
        match stream.read(&mut sink) {
            Ok(0) => return,
            Ok(_) => {}
            Err(e) if is_wait_over(&e) => {}
            Err(_) => return,
        }
    }
}

fn configure(stream: &TcpStream) -> io::Result<()> {
    stream.set_nonblocking(false)?;
    stream.set_read_timeout(Some(QUIET))?;
    stream.set_write_timeout(Some(WRITE_TIMEOUT))?;
    Ok(())
}

/// Whether a request that arrived in a single read is whole: complete
/// records carrying every tag a request must have. Such a request is
/// answered at once, as terminals do; one that came in pieces waits for the
/// line to be quiet, in case more records follow.
fn whole_at_once(bytes: &[u8]) -> bool {
    use crate::v3::tags::{CA, CD, CE, CJ, CZ};
    match stream_records(bytes, DecodeOptions::STRUCTURE_ONLY) {
        StreamState::Complete(records) => [CZ, CJ, CA, CD, CE]
            .iter()
            .all(|tag| records.iter().any(|r| r.tag == *tag)),
        _ => false,
    }
}

/// Whether `bytes` are whole V3 records, or so broken that more bytes
/// cannot mend them (either way the request is over once the line is quiet).
fn complete_or_hopeless(bytes: &[u8]) -> bool {
    !matches!(
        stream_records(bytes, DecodeOptions::STRUCTURE_ONLY),
        StreamState::Partial
    )
}

/// Reads one request: until the bytes are complete records and the line
/// has been quiet for [`QUIET`], or the peer shuts its side down, or the
/// whole request came in one read ([`whole_at_once`]), or `idle` has
/// passed since the connection came (what came by then is answered, as
/// malformed if it is). `None` when nothing came (or the simulator stops).
fn read_request(stream: &mut TcpStream, idle: Duration, shared: &Shared) -> Option<Vec<u8>> {
    let mut request = Vec::new();
    let mut chunk = [0u8; 2048];
    let started = Instant::now();
    let mut last_data = started;
    loop {
        if shared.stop.is_stopped() {
            return None;
        }
        if started.elapsed() >= idle {
            log::info!(
                "sim: request still incomplete after {idle:?} ({} bytes): given up",
                request.len()
            );
            break;
        }
        match stream.read(&mut chunk) {
            Ok(0) => break,
            Ok(n) => {
                let first = request.is_empty();
                request.extend_from_slice(&chunk[..n]);
                last_data = Instant::now();
                if first && whole_at_once(&request) {
                    break;
                }
                if request.len() > MAX_REQUEST {
                    log::warn!("sim: request longer than {MAX_REQUEST} bytes: cut");
                    break;
                }
            }
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                ) =>
            {
                let quiet = last_data.elapsed();
                if !request.is_empty() && quiet >= QUIET && complete_or_hopeless(&request) {
                    break;
                }
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => {
                log::debug!("sim: read failed: {e}");
                break;
            }
        }
    }
    (!request.is_empty()).then_some(request)
}

/// What writing an answer did.
#[derive(Debug)]
struct Written {
    /// Bytes that went out.
    sent: usize,
    /// For the journal.
    note: String,
    /// `close_mid_answer`: close at once.
    cut: bool,
}

impl Written {
    fn new(sent: usize, note: impl Into<String>) -> Written {
        Written {
            sent,
            note: note.into(),
            cut: false,
        }
    }
}

/// Writes the answer as the faults say.
fn write_answer(stream: &mut TcpStream, answer: &[u8], shared: &Shared) -> Written {
    let faults = &shared.faults;
    if faults.close_mid_answer {
        let half = answer.len() / 2;
        return match stream.write_all(&answer[..half]) {
            Ok(()) => Written {
                cut: true,
                ..Written::new(half, "closed mid-answer (fault)")
            },
            Err(e) => Written::new(0, format!("write failed: {e}")),
        };
    }
    if shared.answer_faults.tcp_byte_writes {
        let _ = stream.set_nodelay(true);
        for (sent, byte) in answer.iter().enumerate() {
            if let Err(e) = stream.write_all(&[*byte]).and_then(|()| stream.flush()) {
                return Written::new(sent, format!("write failed: {e}"));
            }
        }
        return Written::new(answer.len(), "answered one byte per write (fault)");
    }
    if faults.split_writes {
        let _ = stream.set_nodelay(true);
        let size = answer.len().div_ceil(3).max(1);
        let mut sent = 0;
        for (i, segment) in answer.chunks(size).enumerate() {
            if i > 0 && shared.stop.wait_until(Some(Instant::now() + SPLIT_PAUSE)) {
                return Written::new(sent, "stopped mid-answer");
            }
            if let Err(e) = stream.write_all(segment).and_then(|()| stream.flush()) {
                return Written::new(sent, format!("write failed: {e}"));
            }
            sent += segment.len();
        }
        return Written::new(sent, "answered in 3 segments (fault)");
    }
    match stream.write_all(answer).and_then(|()| stream.flush()) {
        Ok(()) => Written::new(answer.len(), "answered"),
        Err(e) => Written::new(0, format!("write failed: {e}")),
    }
}

/// Reads (and drops) what the peer still sends until it closes or
/// [`LINGER`] passes, so that closing does not reset the connection.
fn linger(stream: &mut TcpStream) {
    let until = Instant::now() + LINGER;
    let mut sink = [0u8; 256];
    while Instant::now() < until {
        match stream.read(&mut sink) {
            Ok(0) => return,
            Ok(_) => {}
            Err(e) if is_wait_over(&e) => {}
            Err(_) => return,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn completeness() {
        assert!(complete_or_hopeless(b"CZ0040300CA00201"));
        assert!(!complete_or_hopeless(b"CZ0040300CA002"));
        assert!(!complete_or_hopeless(b"CZ0040300C"));
        assert!(complete_or_hopeless(b"hello world"));
    }

    #[test]
    fn a_request_with_every_mandatory_tag_is_whole() {
        assert!(whole_at_once(
            b"CZ0040300CJ012000000000001CA00201CB0041250CD0010CE003978"
        ));
        assert!(!whole_at_once(
            b"CZ0040300CJ012000000000001CA00201CB0041250CD0010"
        ));
        assert!(!whole_at_once(
            b"CZ0040300CJ012000000000001CA00201CD0010CE0039"
        ));
    }
}
