"""asyncio support: a transaction runs on the core's thread and resolves a
future on the event loop through ``loop.call_soon_threadsafe``."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any, Callable, Optional, Union

if TYPE_CHECKING:
    from ._concert import Event, Journal, JournalEntry, Outcome, Request, Terminal


class TransactionCancelled(asyncio.CancelledError):
    """An awaited transaction whose task was cancelled.

    It is a ``CancelledError``, so asyncio's cancellation (timeouts, task
    groups) works as usual; it also says how the transaction ended:
    ``outcome`` is ``None`` when the request never left (safe to retry),
    otherwise an ``Outcome`` — in doubt when the terminal had the request but
    did not answer in time, or the terminal's own answer when it came first.
    """

    def __init__(self, outcome: Optional[Outcome]) -> None:
        super().__init__("transaction cancelled")
        self.outcome = outcome


def _settle(future: asyncio.Future[Any], result: object) -> None:
    if not future.done():
        future.set_result(result)


async def transact(
    terminal: Terminal,
    request: Request,
    on_event: Optional[Callable[[Event], object]] = None,
) -> Outcome:
    """Runs ``request`` without blocking the loop. Cancelling the task asks
    the core to stop, waits for its honest end, and raises
    ``TransactionCancelled`` carrying it."""
    loop = asyncio.get_running_loop()
    future: asyncio.Future[Union[Outcome, BaseException]] = loop.create_future()

    def done(result: Union[Outcome, BaseException]) -> None:
        try:
            loop.call_soon_threadsafe(_settle, future, result)
        except RuntimeError:
            pass  # the loop is closed: nobody is waiting any more

    events: Optional[Callable[[Event], None]] = None
    if on_event is not None:
        callback = on_event

        def events(event: Event) -> None:
            try:
                loop.call_soon_threadsafe(callback, event)
            except RuntimeError:
                pass

    transaction = terminal.submit(request, done, events)
    try:
        result = await asyncio.shield(future)
    except asyncio.CancelledError:
        transaction.cancel()
        # The core stops within a fraction of a second once asked; its
        # answer says whether the request had left.
        while not future.done():
            try:
                await asyncio.shield(future)
            except asyncio.CancelledError:
                continue
        ended = future.result()
        raise TransactionCancelled(
            None if isinstance(ended, BaseException) else ended
        ) from None
    if isinstance(result, BaseException):
        raise result
    return result


async def resolve(journal: Journal, id: int, terminal: Terminal) -> JournalEntry:
    """``journal.resolve`` on a worker thread (the GIL is released while it
    asks the terminal, for at most its query time-out)."""
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(None, journal.resolve, id, terminal)
