"""Answers that must not be misreported, late answers kept, absurd
durations refused: what the core guarantees, seen from Python."""

from __future__ import annotations

import threading
import time
from typing import Union

import pytest

import concert_tpe
from concert_tpe import Status

Result = Union[concert_tpe.Outcome, concert_tpe.Error]


def test_an_absurd_time_out_is_refused_before_anything_is_sent() -> None:
    with pytest.raises(concert_tpe.ConfigError, match="maximum"):
        concert_tpe.Terminal.tcp("127.0.0.1", 8888, answer_timeout=1e19)
    with pytest.raises(concert_tpe.ConfigError, match="maximum"):
        concert_tpe.Terminal.serial("/dev/null", "v2", ack_timeout=86_401)


def test_a_partial_approval_says_so() -> None:
    with concert_tpe.Simulator(script="partial:1000") as sim:
        outcome = sim.terminal().pay("12.50")
        assert outcome.status is Status.APPROVED
        assert outcome.partial and outcome.amount == 1000
        assert outcome.requested_amount == 1250


def test_a_late_serial_answer_is_kept_and_handed_over_once() -> None:
    with concert_tpe.Simulator("v2", answer_delay=0.5) as sim:
        terminal = sim.terminal()
        waiting = threading.Event()
        done = threading.Event()
        results: list[Result] = []

        def on_event(event: concert_tpe.Event) -> None:
            if event.kind == "waiting_for_answer":
                waiting.set()

        def callback(result: Result) -> None:
            results.append(result)
            done.set()

        transaction = terminal.submit(
            concert_tpe.Request("pay", "12.50", private_data="T42"), callback, on_event
        )
        assert waiting.wait(10)
        transaction.cancel()  # the caller's own time-out
        assert done.wait(10)
        first = results[0]
        assert isinstance(first, concert_tpe.Outcome) and first.in_doubt
        late: list[concert_tpe.LateAnswer] = []
        deadline = time.monotonic() + 10
        while not late and time.monotonic() < deadline:
            late = terminal.take_late_answers()
            time.sleep(0.02)
        assert len(late) == 1
        answer = late[0]
        assert answer.outcome.status is Status.APPROVED
        assert answer.outcome.amount == 1250
        assert answer.operation == "pay" and answer.requested_amount == 1250
        assert answer.private_data == "T42"
        assert answer.raw == answer.outcome.raw_answer
        assert abs(answer.received_at - time.time()) < 60
        assert "LateAnswer approved for pay" in repr(answer)
        assert terminal.take_late_answers() == []
        # The next payment gets its own answer, none handed over twice.
        nxt = terminal.pay("3.00")
        assert nxt.status is Status.APPROVED and nxt.amount == 300
        assert nxt.late_answers == []
