"""The exceptions of concert.

Every ``concert_tpe.Error`` means nothing reached the terminal: the request can
be retried safely. A payment whose fate is unknown is not an exception but an
``Outcome`` whose status is ``Status.IN_DOUBT``.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Optional


class Error(Exception):
    """Base of concert's errors. Nothing reached the terminal: safe to retry."""

    code: str = "CONCERT_ERROR"
    safe_to_retry: bool = True

    def __init__(self, message: str, code: Optional[str] = None) -> None:
        super().__init__(message)
        if code is not None:
            self.code = code


class InvalidRequestError(Error, ValueError):
    """The request cannot be sent as it is (amount, currency, option)."""

    code = "CONCERT_INVALID_REQUEST"


class ConfigError(Error, ValueError):
    """A terminal or simulator setting that cannot work."""

    code = "CONCERT_CONFIG"


class BusyError(Error):
    """Another transaction is running on this terminal."""

    code = "CONCERT_BUSY"


class ConnectionFailedError(Error, ConnectionError):
    """The terminal could not be reached, or never took the request
    (``CONCERT_CONNECT``, ``CONCERT_PORT``, ``CONCERT_NOT_DELIVERED``)."""

    code = "CONCERT_CONNECT"


class RequestCancelledError(Error):
    """Cancelled before the request left this machine."""

    code = "CONCERT_CANCELLED"


class ProtocolError(Error, ValueError):
    """Bytes that are not a Concert frame; ``offset`` is where reading stopped."""

    code = "CONCERT_PROTOCOL"
    offset: int = 0


class JournalError(Error):
    """The journal cannot be used (corrupt, read-only, disk full: for a
    transaction nothing was sent, safe to retry), or refused a request on
    it (no such entry, not in doubt, V2 needs an operator). ``code`` says
    which: ``CONCERT_JOURNAL_CORRUPT``, ``CONCERT_JOURNAL_READ_ONLY``,
    ``CONCERT_JOURNAL_DISK_FULL``, ``CONCERT_JOURNAL``,
    ``CONCERT_JOURNAL_NO_SUCH_ENTRY``, ``CONCERT_JOURNAL_NOT_IN_DOUBT``,
    ``CONCERT_JOURNAL_NEEDS_OPERATOR``."""

    code = "CONCERT_JOURNAL"


class SimulatorError(Error):
    """The simulator could not start, or is stopped."""

    code = "CONCERT_SIMULATOR"
