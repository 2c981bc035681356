"""Not a test to run: `mypy --strict` checks that a till written against the
stubs type-checks, and that what must be refused is (see the ignores)."""

from __future__ import annotations

import asyncio
from decimal import Decimal

import concert_tpe


def till(terminal: concert_tpe.Terminal) -> int:
    outcome = terminal.pay(Decimal("12.50"), "EUR", private_data="T1")
    if outcome.status is concert_tpe.Status.IN_DOUBT:
        outcome = terminal.status()
    records: list[tuple[str, str]] = outcome.records
    amount: int | None = outcome.amount
    terminal.pay(1.5)  # type: ignore[arg-type]
    return len(records) + (amount or 0)


async def async_till(terminal: concert_tpe.Terminal) -> concert_tpe.Outcome:
    try:
        return await terminal.pay_async("9.90", on_event=lambda e: print(e.kind))
    except concert_tpe.TransactionCancelled as cancelled:
        if cancelled.outcome is not None:
            return cancelled.outcome
        raise


def callback_till(terminal: concert_tpe.Terminal) -> concert_tpe.Transaction:
    def done(result: concert_tpe.Outcome | concert_tpe.Error) -> None:
        print(result)

    return terminal.submit(concert_tpe.Request("refund", 100), done)


def simulated() -> None:
    with concert_tpe.Simulator("v2", "pty", script="decline:05") as sim:
        terminal = sim.terminal()
        asyncio.run(async_till(terminal))
        for entry in sim.journal():
            request: bytes = entry["request"]
            print(request, concert_tpe.decode(request).kind)
