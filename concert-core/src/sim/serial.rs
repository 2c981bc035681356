//! The simulator over a serial line (a pseudo-terminal): one thread serves
//! link sessions one after the other — a [`Receiver`] for the request, then
//! a [`Sender`] for the answer — driving the link machines with real time
//! and applying the serial faults.
//!
//! As a real terminal, it keeps the line when both sides send ENQ at once
//! (the cash register yields), and a V2 terminal busy with a transaction
//! does not acknowledge ENQ at all.

use std::io::{self, Read, Write};
use std::path::PathBuf;
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use serialport::TTYPort;

use super::answer_faults::COLLISION_FRAME;
use super::config::SimError;
use super::pty::Pty;
use super::stop::StopSignal;
use super::{JournalEntry, Reply, Shared, finish_exchange, journal_answer, process};
use crate::frame::{ENQ, NAK, STX};
use crate::link::{LinkConfig, LinkEvent, LinkMachine, LinkQuirks, Receiver, Sender};
use crate::transport::is_wait_over;

/// Longest read on the master: how often the stop signal is looked at.
const POLL: Duration = Duration::from_millis(20);
/// Longest a write may stay blocked (no client draining the line).
const WRITE_LIMIT: Duration = Duration::from_secs(2);
/// Raw bytes of a failed request kept for the journal.
const MAX_RAW: usize = 4096;

/// Creates the pty pair and starts the serving thread.
pub(super) fn start(
    link: LinkConfig,
    shared: Arc<Shared>,
) -> Result<(PathBuf, JoinHandle<()>), SimError> {
    let pty = Pty::create(POLL)?;
    let path = pty.path();
    let mut server = Server {
        peer: path.display().to_string(),
        faults: FaultBudget {
            naks_left: shared.faults.nak_first_frames,
            corrupt_left: shared.faults.corrupt_lrc_first,
            collisions_left: shared.answer_faults.enq_collision_first,
        },
        pty,
        link,
        shared,
    };
    let thread = std::thread::Builder::new()
        .name("concert-sim-pty".to_owned())
        .spawn(move || server.run())
        .map_err(|e| SimError::Pty(format!("cannot start the serving thread: {e}")))?;
    Ok((path, thread))
}

/// Fault counts that span the simulator's life, not one session.
#[derive(Debug)]
struct FaultBudget {
    naks_left: u32,
    corrupt_left: u32,
    collisions_left: u32,
}

/// How driving a machine ended.
#[derive(Debug)]
enum End {
    /// The machine has a result.
    Finished,
    /// The simulator is stopping.
    Stopped,
    /// `close_mid_answer`: half the frame went out, then silence.
    Cut,
    /// The line failed.
    Failed(io::Error),
}

/// What was seen while driving a machine.
#[derive(Debug, Default)]
struct Watch {
    /// Cut the frame in half and stop (`close_mid_answer`).
    cut_frame: bool,
    /// Journal entry and payload of the answer being sent: journaled when
    /// its frame first goes out.
    record: Option<(usize, Vec<u8>)>,
    /// Write one byte per write (`split_writes`).
    split_writes: bool,
    /// Sending: the peer's ENQ is not a reason to give up the line.
    keep_line: bool,
    /// Raw bytes received (bounded).
    received: Vec<u8>,
    saw_stx: bool,
    naks_sent: u32,
    bad_frames: u32,
    frames_sent: u32,
}

struct Server {
    peer: String,
    faults: FaultBudget,
    pty: Pty,
    link: LinkConfig,
    shared: Arc<Shared>,
}

impl Server {
    fn run(&mut self) {
        while !self.shared.stop.is_stopped() {
            // V2: whether the terminal is busy is decided when the ENQ
            // comes; a busy terminal leaves it unanswered.
            let after_enq = if self.shared.v2 && self.faults.collisions_left == 0 {
                let Some(at) = self.wait_for_enq() else {
                    continue;
                };
                if let Some(note) = self.v2_busy() {
                    self.ignore_a_session(note);
                    continue;
                }
                Some(at)
            } else {
                None
            };
            let Some(request) = self.receive(after_enq) else {
                continue;
            };
            // A client is connected now: let the next one open the path.
            self.pty.release_exclusive();
            self.answer(request);
        }
        log::debug!("sim: {}: serial simulator stopped", self.peer);
    }

    /// Reads the line until an ENQ comes (what comes before is dropped, as
    /// a receiver drops it); when it came, `None` on a quiet poll, a line
    /// failure or a stop.
    fn wait_for_enq(&mut self) -> Option<Instant> {
        let mut buf = [0u8; 256];
        let _ = serialport::SerialPort::set_timeout(&mut self.pty.master, POLL);
        match self.pty.master.read(&mut buf) {
            Ok(n) if buf[..n].contains(&ENQ) => Some(Instant::now()),
            Ok(0) => {
                self.shared.stop.wait_until(Some(Instant::now() + POLL));
                None
            }
            Ok(_) => None,
            Err(e) if is_wait_over(&e) => None,
            Err(e) => {
                log::warn!("sim: {}: line failed: {e}", self.peer);
                self.shared.stop.wait_until(Some(Instant::now() + POLL));
                None
            }
        }
    }

    /// Why a V2 terminal is busy now, if it is: a transaction answered at
    /// once still runs, or the next script is [`Script::Busy`] (used up).
    fn v2_busy(&mut self) -> Option<&'static str> {
        let mut engine = self.shared.engine();
        if engine.busy(Instant::now()) {
            return Some("busy: ENQ not acknowledged");
        }
        if engine.next_is_busy() {
            engine.take_busy_script();
            return Some("busy (script): ENQ not acknowledged");
        }
        None
    }

    /// Leaves the cash register's ENQ attempts unanswered: journals `note`,
    /// then drops what comes until the line has been quiet for an ACK
    /// time-out and a retry pause (the cash register gave up).
    fn ignore_a_session(&mut self, note: &str) {
        log::info!("sim: {}: {note}", self.peer);
        self.shared.journal.push(JournalEntry {
            peer: self.peer.clone(),
            request: Vec::new(),
            answer: None,
            note: note.to_owned(),
        });
        let quiet = self
            .link
            .ack_timeout
            .saturating_add(self.link.enq_retry_pause);
        let mut buf = [0u8; 256];
        let mut last = Instant::now();
        while !self.shared.stop.is_stopped() && last.elapsed() < quiet {
            match self.pty.master.read(&mut buf) {
                Ok(n) if n > 0 => last = Instant::now(),
                Ok(_) => {
                    self.shared.stop.wait_until(Some(Instant::now() + POLL));
                }
                Err(e) if is_wait_over(&e) => {}
                Err(_) => return,
            }
        }
    }

    /// Runs one receiving session (`after_enq`: its ENQ was read already,
    /// at that time). A failed session is journaled when a frame was
    /// attempted.
    fn receive(&mut self, after_enq: Option<Instant>) -> Option<Vec<u8>> {
        if after_enq.is_none() && self.faults.collisions_left > 0 {
            if !self.collide() {
                return None;
            }
            self.faults.collisions_left -= 1;
        }
        let quirks = LinkQuirks {
            nak_first_frames: self.faults.naks_left,
            ..LinkQuirks::default()
        };
        let mut receiver = match after_enq {
            Some(at) => Receiver::after_enq(&self.link, quirks, at),
            None => Receiver::new(&self.link, quirks, None, Instant::now()),
        };
        let mut watch = Watch::default();
        let end = self.drive(&mut receiver, &mut watch);
        let quirk_naks = watch.naks_sent.saturating_sub(watch.bad_frames);
        self.faults.naks_left = self.faults.naks_left.saturating_sub(quirk_naks);
        match end {
            End::Finished => {}
            End::Stopped | End::Cut => return None,
            End::Failed(e) => {
                log::warn!("sim: {}: line failed: {e}", self.peer);
                self.shared.stop.wait_until(Some(Instant::now() + POLL));
                return None;
            }
        }
        match receiver.result() {
            Some(Ok(payload)) => Some(payload),
            Some(Err(e)) if watch.saw_stx => {
                let note = format!("link: {e}");
                log::info!("sim: {}: request not received: {note}", self.peer);
                self.shared.journal.push(JournalEntry {
                    peer: self.peer.clone(),
                    request: watch.received,
                    answer: None,
                    note,
                });
                None
            }
            Some(Err(e)) => {
                log::debug!("sim: {}: session without a frame: {e}", self.peer);
                None
            }
            None => None,
        }
    }

    /// The `enq_collision_first` fault: waits for the client's ENQ, answers
    /// with an ENQ of its own and pushes [`COLLISION_FRAME`]. False when the
    /// simulator stops or the line fails first.
    fn collide(&mut self) -> bool {
        let mut buf = [0u8; 64];
        loop {
            if self.shared.stop.is_stopped() {
                return false;
            }
            let _ = serialport::SerialPort::set_timeout(&mut self.pty.master, POLL);
            match self.pty.master.read(&mut buf) {
                Ok(n) if buf[..n].contains(&ENQ) => break,
                Ok(0) => {
                    self.shared.stop.wait_until(Some(Instant::now() + POLL));
                }
                Ok(_) => {}
                Err(e) if is_wait_over(&e) => {}
                Err(e) => {
                    log::warn!("sim: {}: line failed: {e}", self.peer);
                    return false;
                }
            }
        }
        log::info!("sim: {}: ENQ collision (fault)", self.peer);
        let Ok(mut sender) = Sender::new(
            COLLISION_FRAME,
            &self.link,
            LinkQuirks::default(),
            Instant::now(),
        ) else {
            return false;
        };
        let mut watch = Watch::default();
        matches!(self.drive(&mut sender, &mut watch), End::Finished)
    }

    /// Processes a request and sends its answer.
    fn answer(&mut self, request: Vec<u8>) {
        let (answer, index) = match process(&self.shared, &self.peer, &request) {
            Reply::Send { answer, index } => (answer, index),
            Reply::Nothing | Reply::Never => return,
        };
        if self.shared.stop.is_stopped() {
            return;
        }
        if let Some(note) = self.send(&answer, index) {
            finish_exchange(&self.shared, &self.peer, index, &note);
        }
    }

    /// Runs one sending session for `answer`, with the serial faults; the
    /// journal note, `None` when the simulator is stopping.
    fn send(&mut self, answer: &[u8], index: usize) -> Option<String> {
        let faults = self.shared.faults.clone();
        let quirks = LinkQuirks {
            nak_first_frames: 0,
            corrupt_lrc_first: self.faults.corrupt_left,
            skip_final_eot: faults.skip_final_eot,
        };
        // The terminal sends its answer as it is, even past the 512
        // characters of a serial frame: it does not edit its own answer to
        // fit, and the cash register is the one to refuse such a frame.
        let over_long = answer.len() > self.link.max_payload;
        let link = LinkConfig {
            max_payload: self.link.max_payload.max(answer.len()),
            ..self.link.clone()
        };
        let mut sender = match Sender::new(answer, &link, quirks, Instant::now()) {
            Ok(sender) => sender,
            Err(e) => {
                log::warn!("sim: {}: answer not sent: {e}", self.peer);
                return Some(format!("answer not sent: {e}"));
            }
        };
        if !faults.stray_bytes.is_empty()
            && let Err(e) = self.write(&faults.stray_bytes, faults.split_writes)
        {
            return Some(format!("line failed: {e}"));
        }
        let mut watch = Watch {
            cut_frame: faults.close_mid_answer,
            record: Some((index, answer.to_vec())),
            split_writes: faults.split_writes,
            keep_line: true,
            ..Watch::default()
        };
        let end = self.drive(&mut sender, &mut watch);
        self.faults.corrupt_left = self.faults.corrupt_left.saturating_sub(watch.frames_sent);
        let note = match end {
            End::Stopped => return None,
            End::Cut => "went silent mid-answer (fault)".to_owned(),
            End::Failed(e) => format!("line failed: {e}"),
            End::Finished => match sender.result() {
                Some(Ok(_)) => "answered".to_owned(),
                Some(Err(e)) => format!("answer not delivered: {e}"),
                None => "answer not delivered".to_owned(),
            },
        };
        Some(if over_long {
            format!(
                "{note}; answer of {} characters, over the {} of a serial frame",
                answer.len(),
                self.link.max_payload
            )
        } else {
            note
        })
    }

    /// Drives `machine` with the line and the clock until it has a result.
    fn drive<M: LinkMachine>(&mut self, machine: &mut M, watch: &mut Watch) -> End {
        let mut buf = [0u8; 1024];
        loop {
            if self.shared.stop.is_stopped() {
                return End::Stopped;
            }
            let now = Instant::now();
            let out = machine.poll_transmit(now);
            let mut frame_out = false;
            while let Some(event) = machine.poll_event() {
                match &event {
                    LinkEvent::FrameSent { .. } => {
                        watch.frames_sent += 1;
                        frame_out = true;
                    }
                    LinkEvent::BadFrame { .. } => watch.bad_frames += 1,
                    _ => {}
                }
                log::trace!("sim: {}: {event:?}", self.peer);
            }
            if let Some(bytes) = out {
                watch.naks_sent += bytes.iter().filter(|&&b| b == NAK).count() as u32;
                let stx = bytes.iter().position(|&b| b == STX).unwrap_or(0);
                let cut = stx + (bytes.len() - stx) / 2;
                if frame_out && let Some((index, payload)) = watch.record.take() {
                    // Journaled before the peer can have the whole frame.
                    let sent = if watch.cut_frame {
                        &payload[..(cut - stx).saturating_sub(1).min(payload.len())]
                    } else {
                        &payload[..]
                    };
                    journal_answer(&self.shared, index, sent);
                }
                if watch.cut_frame && frame_out {
                    return match self.write(&bytes[..cut], watch.split_writes) {
                        Ok(()) => End::Cut,
                        Err(e) => End::Failed(e),
                    };
                }
                if let Err(e) = self.write(&bytes, watch.split_writes) {
                    return End::Failed(e);
                }
                continue;
            }
            if machine.result().is_some() {
                return End::Finished;
            }
            let deadline = machine.poll_timeout();
            if deadline.is_some_and(|d| d <= now) {
                machine.handle_timeout(now);
                continue;
            }
            let wait = deadline.map_or(POLL, |d| (d - now).min(POLL));
            let _ = serialport::SerialPort::set_timeout(
                &mut self.pty.master,
                wait.max(Duration::from_millis(1)),
            );
            match self.pty.master.read(&mut buf) {
                Ok(0) => {
                    self.shared.stop.wait_until(Some(Instant::now() + POLL));
                }
                Ok(n) => {
                    let bytes = &buf[..n];
                    watch.saw_stx |= bytes.contains(&STX);
                    let room = MAX_RAW.saturating_sub(watch.received.len());
                    watch
                        .received
                        .extend_from_slice(&bytes[..bytes.len().min(room)]);
                    if watch.keep_line && bytes.contains(&ENQ) {
                        // Both sides want the line: the terminal keeps it
                        // and waits for the cash register to yield (ACK).
                        log::info!("sim: {}: ENQ collision: keeping the line", self.peer);
                        let kept: Vec<u8> = bytes.iter().copied().filter(|&b| b != ENQ).collect();
                        machine.handle_input(&kept, Instant::now());
                    } else {
                        machine.handle_input(bytes, Instant::now());
                    }
                }
                Err(e) if is_wait_over(&e) => {
                    let now = Instant::now();
                    if machine.poll_timeout().is_some_and(|d| d <= now) {
                        machine.handle_timeout(now);
                    }
                }
                Err(e) => return End::Failed(e),
            }
        }
    }

    /// Writes to the line, one byte per write when asked; bounded in time.
    fn write(&mut self, bytes: &[u8], one_by_one: bool) -> io::Result<()> {
        let chunk = if one_by_one { 1 } else { bytes.len().max(1) };
        for piece in bytes.chunks(chunk) {
            write_all(&mut self.pty.master, piece, &self.shared.stop)?;
        }
        Ok(())
    }
}

/// `write_all` that rides out the master's short timeouts for a while
/// (unless the simulator stops).
fn write_all(port: &mut TTYPort, mut bytes: &[u8], stop: &StopSignal) -> io::Result<()> {
    let until = Instant::now() + WRITE_LIMIT;
    while !bytes.is_empty() {
        match port.write(bytes) {
            Ok(0) => return Err(io::Error::new(io::ErrorKind::WriteZero, "line closed")),
            Ok(n) => bytes = &bytes[n..],
            Err(e) if is_wait_over(&e) && Instant::now() < until && !stop.is_stopped() => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}
