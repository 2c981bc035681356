"""Starts `concert simulate` for the interop tests and stops it afterwards.

The simulator prints where it serves (pty path or TCP address) on its first
stdout line; every wait here is bounded, and the process is always stopped
(SIGTERM, then SIGKILL) even when a test fails.
"""

import os
import queue
import signal
import subprocess
import threading
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CONCERT = os.environ.get("CONCERT_BIN", str(ROOT / "target" / "debug" / "concert"))
START_TIMEOUT = 10
STOP_TIMEOUT = 5


class Simulator:
    """A running `concert simulate` process."""

    def __init__(self, *args):
        self.args = [CONCERT, "simulate", *args]
        self.proc = subprocess.Popen(
            self.args,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.stderr_lines = []
        first = queue.Queue()
        threading.Thread(target=self._read_stdout, args=(first,), daemon=True).start()
        threading.Thread(target=self._read_stderr, daemon=True).start()
        try:
            self.where = first.get(timeout=START_TIMEOUT)
        except queue.Empty:
            self.stop()
            raise AssertionError(f"{self.args} printed no address: {self.log()}")
        if not self.where:
            self.stop()
            raise AssertionError(f"{self.args} exited: {self.log()}")

    def _read_stdout(self, first):
        line = self.proc.stdout.readline()
        first.put(line.strip())
        for _ in self.proc.stdout:
            pass

    def _read_stderr(self):
        for line in self.proc.stderr:
            self.stderr_lines.append(line.rstrip("\n"))

    def log(self):
        return "\n".join(self.stderr_lines)

    @property
    def tcp(self):
        host, port = self.where.rsplit(":", 1)
        return host, int(port)

    def stop(self):
        """SIGTERM and wait; returns the exit code (SIGKILL if it hangs)."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=STOP_TIMEOUT)
                raise AssertionError("the simulator did not stop on SIGTERM")
        return self.proc.returncode


@pytest.fixture
def simulator():
    """simulator(*args) starts `concert simulate *args`; stopped at teardown,
    where a clean exit (code 0) is asserted."""
    started = []

    def start(*args):
        sim = Simulator(*args)
        started.append(sim)
        return sim

    yield start
    codes = [sim.stop() for sim in started]
    assert codes == [0] * len(started), f"simulator exit codes {codes}"
