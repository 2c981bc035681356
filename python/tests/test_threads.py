"""Threads: the GIL is released while a transaction waits; callbacks come
from the core's thread; Ctrl-C during a blocking call is honest too."""

from __future__ import annotations

import _thread
import sys
import threading
from typing import Any, Union

import pytest

import concert_tpe
from concert_tpe import Status
from conftest import wait_readable

Result = Union[concert_tpe.Outcome, concert_tpe.Error]


def test_blocking_pay_releases_the_gil() -> None:
    with concert_tpe.Simulator(answer_delay=1.0) as sim:
        terminal = sim.terminal()
        count = 0
        stop = threading.Event()
        started = threading.Event()

        def counter() -> None:
            nonlocal count
            started.set()
            while not stop.is_set():
                count += 1

        thread = threading.Thread(target=counter)
        thread.start()
        try:
            assert started.wait(5)
            before = count
            outcome = terminal.pay(100)
            during = count - before
        finally:
            stop.set()
            thread.join(5)
    assert outcome.approved
    # A second of waiting: millions of increments if the GIL is free,
    # next to none if the payment held it.
    assert during > 50_000, during


def test_submit_calls_back_from_the_core_thread(v3_tcp: concert_tpe.Simulator) -> None:
    terminal = v3_tcp.terminal()
    done = threading.Event()
    results: list[tuple[Result, int]] = []
    events: list[tuple[str, int]] = []

    def callback(result: Result) -> None:
        results.append((result, threading.get_ident()))
        done.set()

    transaction = terminal.submit(
        concert_tpe.Request("pay", "9.90"),
        callback,
        lambda e: events.append((e.kind, threading.get_ident())),
    )
    assert transaction.operation == "pay"
    assert done.wait(10)
    result, thread = results[0]
    assert isinstance(result, concert_tpe.Outcome) and result.amount == 990
    assert thread != threading.get_ident()
    assert events[0][0] == "connecting" and events[-1][0] == "done"
    assert {t for _, t in events} == {thread}


def test_a_failing_callback_goes_to_unraisablehook(
    v3_tcp: concert_tpe.Simulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    caught: list[Any] = []
    reported = threading.Event()

    def hook(unraisable: Any) -> None:
        caught.append(unraisable.exc_value)
        reported.set()

    monkeypatch.setattr(sys, "unraisablehook", hook)

    def callback(result: Result) -> None:
        raise RuntimeError("a bug in the till")

    terminal = v3_tcp.terminal()
    terminal.submit(concert_tpe.Request("pay", 100), callback)
    assert reported.wait(10)
    assert isinstance(caught[0], RuntimeError)
    assert terminal.pay(100).approved  # nothing broken


def test_submit_cancelled_before_sending(silent_line: tuple[int, str]) -> None:
    master, path = silent_line
    terminal = concert_tpe.Terminal.serial(path, "v2", ack_timeout=5)
    done = threading.Event()
    results: list[Result] = []

    def callback(result: Result) -> None:
        results.append(result)
        done.set()

    transaction = terminal.submit(concert_tpe.Request("pay", 100), callback)
    assert wait_readable(master) == b"\x05"
    transaction.cancel()
    assert transaction.cancelled
    assert done.wait(10)
    assert isinstance(results[0], concert_tpe.RequestCancelledError)
    assert results[0].safe_to_retry and results[0].code == "CONCERT_CANCELLED"


def test_ctrl_c_during_a_blocking_payment_is_honest() -> None:
    with concert_tpe.Simulator(never_answer=True) as sim:
        terminal = sim.terminal()

        def interrupt_once_sent() -> None:
            if sim.wait_for_requests(1, 10):
                _thread.interrupt_main()

        helper = threading.Thread(target=interrupt_once_sent)
        helper.start()
        try:
            with pytest.raises(KeyboardInterrupt) as caught:
                terminal.pay(100)
        finally:
            helper.join(10)
    outcome = getattr(caught.value, "outcome", None)
    assert isinstance(outcome, concert_tpe.Outcome)
    assert outcome.status is Status.IN_DOUBT


def test_abort_from_another_thread_stops_a_blocking_payment() -> None:
    with concert_tpe.Simulator(never_answer=True) as sim:
        terminal = sim.terminal()

        def abort_once_sent() -> None:
            if sim.wait_for_requests(1, 10):
                terminal.abort()

        helper = threading.Thread(target=abort_once_sent)
        helper.start()
        try:
            outcome = terminal.pay(100)  # answer time-out: 180 s
        finally:
            helper.join(10)
    assert outcome.status is Status.IN_DOUBT
    assert not terminal.busy


def test_abort_before_sending_is_safe_to_retry(silent_line: tuple[int, str]) -> None:
    master, path = silent_line
    terminal = concert_tpe.Terminal.serial(path, "v2", ack_timeout=5)
    results: list[Result] = []
    done = threading.Event()

    def callback(result: Result) -> None:
        results.append(result)
        done.set()

    terminal.submit(concert_tpe.Request("pay", 100), callback)
    assert wait_readable(master) == b"\x05"  # ENQ: nothing of the request yet
    terminal.abort()
    assert done.wait(10)
    assert isinstance(results[0], concert_tpe.RequestCancelledError)
    assert results[0].safe_to_retry and results[0].code == "CONCERT_CANCELLED"
    terminal.abort()  # nothing running: nothing happens


def test_done_is_true_when_the_callback_runs(v3_tcp: concert_tpe.Simulator) -> None:
    seen: list[bool] = []
    called = threading.Event()
    holder: list[concert_tpe.Transaction] = []
    ready = threading.Event()

    def callback(result: Result) -> None:
        ready.wait(10)
        seen.append(holder[0].done)
        called.set()

    holder.append(v3_tcp.terminal().submit(concert_tpe.Request("pay", 100), callback))
    ready.set()
    assert called.wait(10)
    assert seen == [True]
