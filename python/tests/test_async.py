"""asyncio: awaitables resolved from the core's thread, the loop never
blocked, cancellation reported honestly."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Coroutine
from typing import Any, TypeVar

import pytest

import concert_tpe
from concert_tpe import Status
from conftest import wait_readable

T = TypeVar("T")


def run(coroutine: Coroutine[Any, Any, T]) -> T:
    async def bounded() -> T:
        return await asyncio.wait_for(coroutine, 20)

    return asyncio.run(bounded())


def test_every_async_operation(v3_tcp: concert_tpe.Simulator) -> None:
    terminal = v3_tcp.terminal()

    async def main() -> list[concert_tpe.Outcome]:
        return [
            await terminal.pay_async("12.50"),
            await terminal.refund_async(100),
            await terminal.cancel_async(100),
            await terminal.preauthorize_async(100),
            await terminal.identify_async(),
            await terminal.status_async(),
            await terminal.settle_async(),
            await terminal.transact_async(concert_tpe.Request("pay", 300)),
        ]

    outcomes = run(main())
    assert [o.operation for o in outcomes] == [
        "pay",
        "refund",
        "cancel",
        "preauthorize",
        "identify",
        "status",
        "settle",
        "pay",
    ]
    assert outcomes[0].amount == 1250 and outcomes[0].status is Status.APPROVED


def test_v2_async_over_pty(v2_pty: concert_tpe.Simulator) -> None:
    outcome = run(v2_pty.terminal().pay_async(5510))
    assert outcome.status is Status.APPROVED and outcome.amount == 5510


def test_events_arrive_on_the_loop_thread(v3_tcp: concert_tpe.Simulator) -> None:
    seen: list[tuple[str, int]] = []

    async def main() -> concert_tpe.Outcome:
        return await v3_tcp.terminal().pay_async(
            100, on_event=lambda e: seen.append((e.kind, threading.get_ident()))
        )

    outcome = run(main())
    assert outcome.approved
    assert [name for name, _ in seen][0] == "connecting"
    assert [name for name, _ in seen][-1] == "done"
    assert {thread for _, thread in seen} == {threading.get_ident()}


def test_errors_are_raised_on_await(v3_tcp: concert_tpe.Simulator) -> None:
    with pytest.raises(TypeError, match="float"):
        run(v3_tcp.terminal().pay_async(1.5))  # type: ignore[arg-type]
    with concert_tpe.Simulator() as sim:
        port = sim.port
    assert port is not None
    terminal = concert_tpe.Terminal.tcp("127.0.0.1", port, connect_timeout=2)
    with pytest.raises(concert_tpe.ConnectionFailedError):
        run(terminal.pay_async(100))


def test_the_loop_keeps_running_during_a_payment() -> None:
    with concert_tpe.Simulator(answer_delay=1.0) as sim:
        terminal = sim.terminal()

        async def main() -> tuple[concert_tpe.Outcome, int]:
            ticks = 0

            async def ticker() -> None:
                nonlocal ticks
                while True:
                    await asyncio.sleep(0.01)
                    ticks += 1

            task = asyncio.create_task(ticker())
            outcome = await terminal.pay_async(100)
            task.cancel()
            return outcome, ticks

        outcome, ticks = run(main())
    assert outcome.approved
    assert ticks >= 20  # a second's payment: ~100 ticks unless blocked


def test_cancelled_after_sending_is_in_doubt() -> None:
    with concert_tpe.Simulator(never_answer=True) as sim:
        terminal = sim.terminal()

        async def main() -> concert_tpe.TransactionCancelled:
            task = asyncio.ensure_future(terminal.pay_async(100))
            arrived = await asyncio.get_running_loop().run_in_executor(
                None, sim.wait_for_requests, 1, 10.0
            )
            assert arrived
            task.cancel()
            try:
                await task
            except concert_tpe.TransactionCancelled as cancelled:
                return cancelled
            raise AssertionError("the task was not cancelled")

        cancelled = run(main())
        assert isinstance(cancelled, asyncio.CancelledError)
        assert cancelled.outcome is not None
        assert cancelled.outcome.status is Status.IN_DOUBT
        assert not terminal.busy
        # The honest next step: ask the terminal.
        assert terminal.status().operation == "status"


def test_cancelled_before_sending_is_safe(silent_line: tuple[int, str]) -> None:
    master, path = silent_line
    terminal = concert_tpe.Terminal.serial(path, "v2", ack_timeout=5)

    async def main() -> concert_tpe.TransactionCancelled:
        task = asyncio.ensure_future(terminal.pay_async(100))
        enq = await asyncio.get_running_loop().run_in_executor(
            None, wait_readable, master
        )
        assert enq == b"\x05"  # ENQ: asking to send; no ACK will come
        task.cancel()
        try:
            await task
        except concert_tpe.TransactionCancelled as cancelled:
            return cancelled
        raise AssertionError("the task was not cancelled")

    cancelled = run(main())
    assert cancelled.outcome is None  # nothing left: safe to retry


def test_a_task_cancelled_before_it_starts_sends_nothing(
    v3_tcp: concert_tpe.Simulator,
) -> None:
    async def main() -> None:
        task = asyncio.ensure_future(v3_tcp.terminal().pay_async(100))
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    run(main())
    assert v3_tcp.journal() == []
