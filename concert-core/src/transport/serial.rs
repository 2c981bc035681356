//! A serial line (RS232, USB CDC-ACM, Bluetooth SPP) driving the link-layer
//! machines with real bytes and real time.

use std::io::{self, Write};
use std::time::{Duration, Instant, SystemTime};

use serialport::SerialPort;

use super::line::{Parity, SerialLine};
use super::{
    CANCEL_POLL, CancelToken, Channel, Error, Event, ExchangeSpec, Exchanged, Failure, MAX_KEPT,
    PushedFrame, is_wait_over,
};
use crate::duration::deadline;
use crate::frame::{ACK, ENQ, EOT, NAK};
use crate::link::{Exchange, LinkConfig, LinkError, LinkEvent, LinkQuirks, Receiver};

/// A terminal on a serial line. The port is opened on first use and kept
/// open; any I/O error closes it so the next request opens it afresh.
pub struct SerialChannel {
    line: SerialLine,
    link: LinkConfig,
    port: Option<Box<dyn SerialPort>>,
    pushed: Vec<PushedFrame>,
}

/// Received bytes, kept up to [`MAX_KEPT`] and counted beyond.
#[derive(Default)]
struct Kept {
    bytes: Vec<u8>,
    dropped: u64,
}

impl Kept {
    fn push(&mut self, bytes: &[u8]) {
        let room = MAX_KEPT.saturating_sub(self.bytes.len()).min(bytes.len());
        self.bytes.extend_from_slice(&bytes[..room]);
        self.dropped = self.dropped.saturating_add((bytes.len() - room) as u64);
    }

    /// `cause`, saying how much was not kept, if anything.
    fn explain(&self, cause: String) -> String {
        if self.dropped == 0 {
            cause
        } else {
            format!(
                "{cause}; {} bytes received beyond the first {MAX_KEPT} were not kept",
                self.dropped
            )
        }
    }
}

impl SerialChannel {
    /// A channel on `line` with link settings `link`.
    pub fn new(line: SerialLine, link: LinkConfig) -> SerialChannel {
        SerialChannel {
            line,
            link,
            port: None,
            pushed: Vec::new(),
        }
    }

    fn port(&mut self) -> Result<&mut Box<dyn SerialPort>, Error> {
        if self.port.is_none() {
            self.port = Some(open(&self.line)?);
        }
        let port = self.port.as_mut().ok_or_else(|| Error::PortOpen {
            path: self.line.path.clone(),
            reason: "port unavailable".into(),
        })?;
        // Stale bytes from an earlier session would be taken for this one.
        let _ = port.clear(serialport::ClearBuffer::Input);
        Ok(port)
    }
}

/// Opens a serial port with the line settings.
pub(crate) fn open(line: &SerialLine) -> Result<Box<dyn SerialPort>, Error> {
    let parity = match line.parity {
        Parity::None => serialport::Parity::None,
        Parity::Even => serialport::Parity::Even,
        Parity::Odd => serialport::Parity::Odd,
    };
    let data_bits = if line.data_bits == 7 {
        serialport::DataBits::Seven
    } else {
        serialport::DataBits::Eight
    };
    let stop_bits = if line.stop_bits == 2 {
        serialport::StopBits::Two
    } else {
        serialport::StopBits::One
    };
    serialport::new(&line.path, line.baud)
        .data_bits(data_bits)
        .parity(parity)
        .stop_bits(stop_bits)
        .flow_control(serialport::FlowControl::None)
        .timeout(CANCEL_POLL)
        .open()
        .map_err(|e| Error::PortOpen {
            path: line.path.clone(),
            reason: e.to_string(),
        })
}

/// Reads whatever arrives within `wait` (at most [`CANCEL_POLL`]).
fn read_some(port: &mut dyn SerialPort, buf: &mut [u8], wait: Duration) -> io::Result<usize> {
    let _ = port.set_timeout(wait.clamp(Duration::from_millis(1), CANCEL_POLL));
    match port.read(buf) {
        Ok(n) => Ok(n),
        Err(e) if is_wait_over(&e) => Ok(0),
        Err(e) => Err(e),
    }
}

impl Channel for SerialChannel {
    fn exchange(
        &mut self,
        spec: &ExchangeSpec<'_>,
        events: &mut dyn FnMut(Event),
    ) -> Result<Exchanged, Failure> {
        let link = LinkConfig {
            answer_timeout: spec.answer_timeout,
            ..self.link.clone()
        };
        let port = self.port().map_err(Failure::NotSent)?;
        let mut exchange = Exchange::new(spec.payload, &link, spec.expect_answer, Instant::now())
            .map_err(|e| Failure::NotSent(Error::NotDelivered(e.to_string())))?;
        let mut sent = Vec::new();
        let mut received = Kept::default();
        let mut pushed = Vec::new();
        let mut buf = [0u8; 512];
        let mut io_error: Option<io::Error> = None;
        let ended = loop {
            let now = Instant::now();
            while let Some(bytes) = exchange.poll_transmit(now) {
                if let Err(e) = port.write_all(&bytes) {
                    io_error = Some(e);
                    break;
                }
                sent.extend_from_slice(&bytes);
            }
            while let Some(event) = exchange.poll_event() {
                match event {
                    LinkEvent::FrameSent { attempt: 1 } => events(Event::Sent),
                    LinkEvent::FrameAcknowledged => {
                        events(Event::Acknowledged);
                        if spec.expect_answer {
                            events(Event::WaitingForAnswer);
                        }
                    }
                    LinkEvent::FrameReceived(_) => events(Event::AnswerReceived),
                    LinkEvent::UnsolicitedFrame(payload) => {
                        log::warn!(
                            "terminal pushed a frame of {} bytes before our request; kept as a late answer",
                            payload.len()
                        );
                        pushed.push(PushedFrame {
                            payload,
                            received_at: SystemTime::now(),
                        });
                    }
                    LinkEvent::BadFrame { reason } => {
                        log::warn!("damaged frame from the terminal: {reason}")
                    }
                    LinkEvent::Ignored(b) => log::debug!("ignored stray byte 0x{b:02x}"),
                    _ => {}
                }
            }
            if let Some(e) = io_error.take() {
                break Ended::Io(e);
            }
            if let Some(result) = exchange.result() {
                break Ended::Finished(result);
            }
            if spec.cancel.is_cancelled() {
                break Ended::Cancelled;
            }
            let wait = exchange
                .poll_timeout()
                .map_or(CANCEL_POLL, |d| d.saturating_duration_since(now));
            if wait.is_zero() {
                exchange.handle_timeout(now);
                continue;
            }
            match read_some(port.as_mut(), &mut buf, wait) {
                Ok(0) => {}
                Ok(n) => {
                    received.push(&buf[..n]);
                    exchange.handle_input(&buf[..n], Instant::now());
                }
                Err(e) => io_error = Some(e),
            }
            let now = Instant::now();
            if exchange.poll_timeout().is_some_and(|d| now >= d) {
                exchange.handle_timeout(now);
            }
        };
        self.pushed.append(&mut pushed);
        let (cause, may_have_arrived) = match ended {
            Ended::Finished(Ok(answer)) => {
                if received.dropped > 0 {
                    log::warn!("{}", received.explain("answer received".into()));
                }
                return Ok(Exchanged {
                    answer,
                    sent,
                    received: received.bytes,
                    dropped: received.dropped,
                });
            }
            // The link layer knows whether the frame could have been taken.
            Ended::Finished(Err(e)) => (e.to_string(), e.may_have_reached_peer()),
            Ended::Cancelled if !exchange.reached_peer() => {
                return Err(Failure::NotSent(Error::Cancelled));
            }
            Ended::Cancelled => ("cancelled while waiting for the answer".into(), true),
            Ended::Io(e) => {
                // The port is in an unknown state: reopen it next time.
                self.port = None;
                (format!("serial I/O failed: {e}"), exchange.reached_peer())
            }
        };
        let cause = received.explain(cause);
        if may_have_arrived {
            Err(Failure::InDoubt {
                cause,
                sent,
                received: received.bytes,
                dropped: received.dropped,
            })
        } else {
            Err(Failure::NotSent(Error::NotDelivered(cause)))
        }
    }

    fn take_pushed(&mut self) -> Vec<PushedFrame> {
        std::mem::take(&mut self.pushed)
    }
}

/// Why the drive loop stopped.
enum Ended {
    /// The link layer finished, well or not.
    Finished(Result<Option<Vec<u8>>, LinkError>),
    /// The caller cancelled.
    Cancelled,
    /// Reading or writing the port failed.
    Io(io::Error),
}

impl SerialChannel {
    /// After an exchange that ended in doubt, keeps the line open to a late
    /// answer until `until` or `stop`: the terminal's session is received
    /// as usual (ACK, frame, ACK) and its payload kept for
    /// [`Channel::take_pushed`]. Returns whether a frame came.
    pub fn listen_late(&mut self, until: Instant, stop: &CancelToken) -> bool {
        let link = self.link.clone();
        let Some(port) = self.port.as_mut() else {
            return false;
        };
        let mut receiver = Receiver::new(&link, LinkQuirks::default(), Some(until), Instant::now())
            .with_hard_deadline(until);
        let mut buf = [0u8; 512];
        let mut payload = None;
        loop {
            let now = Instant::now();
            while let Some(bytes) = receiver.poll_transmit(now) {
                if port.write_all(&bytes).is_err() {
                    self.port = None;
                    return self.keep_late(payload);
                }
            }
            while let Some(event) = receiver.poll_event() {
                if let LinkEvent::FrameReceived(frame) = event {
                    payload = Some(frame);
                }
            }
            if receiver.result().is_some() || stop.is_cancelled() {
                return self.keep_late(payload);
            }
            let wait = receiver
                .poll_timeout()
                .map_or(CANCEL_POLL, |d| d.saturating_duration_since(now));
            if wait.is_zero() {
                receiver.handle_timeout(now);
                continue;
            }
            match read_some(port.as_mut(), &mut buf, wait) {
                Ok(0) => {}
                Ok(n) => receiver.handle_input(&buf[..n], Instant::now()),
                Err(_) => {
                    self.port = None;
                    return self.keep_late(payload);
                }
            }
            let now = Instant::now();
            if receiver.poll_timeout().is_some_and(|d| now >= d) {
                receiver.handle_timeout(now);
            }
        }
    }

    fn keep_late(&mut self, payload: Option<Vec<u8>>) -> bool {
        let Some(payload) = payload else {
            return false;
        };
        log::warn!(
            "terminal sent a late answer of {} bytes; kept for the caller",
            payload.len()
        );
        self.pushed.push(PushedFrame {
            payload,
            received_at: SystemTime::now(),
        });
        true
    }

    /// Checks the terminal is there without a transaction: ENQ → ACK → EOT,
    /// with the configured attempts and pauses.
    pub fn probe(&mut self, cancel: &CancelToken) -> Result<(), Error> {
        let ack_timeout = self.link.ack_timeout;
        let attempts = self.link.enq_attempts.max(1);
        let pause = self.link.enq_retry_pause;
        let port = self.port()?;
        let mut buf = [0u8; 64];
        for attempt in 1..=attempts {
            if cancel.is_cancelled() {
                return Err(Error::Cancelled);
            }
            port.write_all(&[ENQ])
                .map_err(|e| Error::NotDelivered(format!("writing ENQ failed: {e}")))?;
            let deadline = deadline(Instant::now(), ack_timeout);
            let mut answer = None;
            while answer.is_none() && Instant::now() < deadline && !cancel.is_cancelled() {
                let wait = deadline.saturating_duration_since(Instant::now());
                let n = read_some(port.as_mut(), &mut buf, wait)
                    .map_err(|e| Error::NotDelivered(format!("reading failed: {e}")))?;
                answer = buf[..n].iter().copied().find(|b| matches!(*b, ACK | NAK));
            }
            let _ = port.write_all(&[EOT]);
            if answer == Some(ACK) {
                return Ok(());
            }
            if attempt < attempts {
                // Give the terminal the documented pause before asking again,
                // still watching the cancel token.
                let until = crate::duration::deadline(Instant::now(), pause);
                while Instant::now() < until && !cancel.is_cancelled() {
                    let _ = read_some(port.as_mut(), &mut buf, until - Instant::now());
                }
            }
        }
        Err(Error::NotDelivered(format!(
            "terminal did not acknowledge ENQ ({attempts} attempts)"
        )))
    }
}
