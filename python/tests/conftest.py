"""Fixtures: simulated terminals over TCP and pseudo-terminals."""

from __future__ import annotations

import os
import select
from collections.abc import Iterator
from pathlib import Path

import pytest

import concert_tpe

VECTORS = Path(__file__).resolve().parents[2] / "tests" / "vectors"
CARD = "4970101234567894"  # the simulator's default (test) card number



@pytest.fixture
def v3_tcp() -> Iterator[concert_tpe.Simulator]:
    with concert_tpe.Simulator("v3") as sim:
        yield sim


@pytest.fixture
def v3_pty() -> Iterator[concert_tpe.Simulator]:
    with concert_tpe.Simulator("v3", "pty") as sim:
        yield sim


@pytest.fixture
def v2_pty() -> Iterator[concert_tpe.Simulator]:
    with concert_tpe.Simulator("v2") as sim:
        yield sim


@pytest.fixture
def silent_line() -> Iterator[tuple[int, str]]:
    """A pty pair nobody answers on: (master fd, slave path). The slave
    stays open here too, so the master reads what a client writes."""
    master, slave = os.openpty()
    try:
        yield master, os.ttyname(slave)
    finally:
        os.close(slave)
        os.close(master)


def wait_readable(fd: int, timeout: float = 10.0) -> bytes:
    """The first bytes written to the other side of `fd` (bounded wait)."""
    readable, _, _ = select.select([fd], [], [], timeout)
    assert readable, "nothing written on the line"
    return os.read(fd, 64)
