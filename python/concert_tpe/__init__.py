"""concert_tpe: the Concert V2/V3 protocol of French card payment terminals.

Amounts are integer minor units (``1250`` is 12.50 EUR), a ``Decimal`` or a
decimal ``str`` — never a ``float``. A payment either happened, did not, or
is in doubt (``Outcome.status is Status.IN_DOUBT``): errors (``concert_tpe.Error``)
always mean nothing reached the terminal and are safe to retry.

    import concert_tpe
    terminal = concert_tpe.Terminal.tcp("192.168.1.50")
    outcome = terminal.pay("12.50")            # blocks, GIL released
    outcome = await terminal.pay_async(1250)   # asyncio
"""

from __future__ import annotations

import logging as _logging

from ._concert import (
    Decoded,
    Event,
    Field,
    Journal,
    JournalEntry,
    LateAnswer,
    Outcome,
    PortInfo,
    Request,
    Simulator,
    Terminal,
    Transaction,
    __version__,
    decode,
    ports,
)
from ._errors import (
    BusyError,
    ClosedError,
    ConfigError,
    ConnectionFailedError,
    DecodeError,
    Error,
    InvalidRequestError,
    JournalError,
    PortsError,
    RequestCancelledError,
    SimulatorError,
)
from ._types import Status

WIRE = 5
"""The level of the wire trace (``concert_tpe.wire``: every byte sent and
received, hex and ASCII, card numbers masked), below ``logging.DEBUG``:
``logging.getLogger("concert_tpe.wire").setLevel(concert_tpe.WIRE)``."""
_logging.addLevelName(WIRE, "WIRE")
# Nothing printed until the application configures logging (not even
# Python's "last resort" handler for warnings).
_logging.getLogger("concert_tpe").addHandler(_logging.NullHandler())

# Not `typing.TYPE_CHECKING`: importing typing alone costs milliseconds.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from ._aio import TransactionCancelled


def __getattr__(name: str) -> Any:
    # asyncio costs as much to import as the rest together: only tills
    # that use it pay for it.
    if name == "TransactionCancelled":
        from ._aio import TransactionCancelled

        return TransactionCancelled
    raise AttributeError(f"module 'concert_tpe' has no attribute {name!r}")


__all__ = [
    "BusyError",
    "ClosedError",
    "ConfigError",
    "ConnectionFailedError",
    "DecodeError",
    "Decoded",
    "Error",
    "Event",
    "Field",
    "InvalidRequestError",
    "Journal",
    "JournalEntry",
    "JournalError",
    "LateAnswer",
    "Outcome",
    "PortInfo",
    "PortsError",
    "Request",
    "RequestCancelledError",
    "Simulator",
    "SimulatorError",
    "Status",
    "Terminal",
    "Transaction",
    "TransactionCancelled",
    "WIRE",
    "__version__",
    "decode",
    "ports",
]
