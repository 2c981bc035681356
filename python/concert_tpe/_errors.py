"""The exceptions of concert_tpe.

Every error carries ``code``, a stable string from the library's one table
(``CONCERT_BUSY`` …, the same in C, Node and the command line), and
``safe_to_retry``. A transaction's error always means nothing reached the
terminal (``safe_to_retry`` is true): a payment whose fate is unknown is not
an exception but an ``Outcome`` whose status is ``Status.IN_DOUBT``.
"""

from __future__ import annotations


class Error(Exception):
    """Base of concert_tpe's errors."""

    code: str
    safe_to_retry: bool

    def __init__(self, message: str, code: str, safe_to_retry: bool) -> None:
        super().__init__(message)
        self.code = code
        self.safe_to_retry = safe_to_retry


class InvalidRequestError(Error, ValueError):
    """The request cannot be sent as it is (amount, currency, option)."""


class ConfigError(Error, ValueError):
    """A terminal or simulator setting that cannot work."""


class BusyError(Error):
    """Another transaction is running on this terminal."""


class ConnectionFailedError(Error, ConnectionError):
    """The terminal could not be reached, or never took the request
    (``CONCERT_CONNECT``, ``CONCERT_PORT``, ``CONCERT_NOT_DELIVERED``)."""


class RequestCancelledError(Error):
    """Cancelled before the request left this machine."""


class ClosedError(Error):
    """A call on a simulator that was stopped."""


class DecodeError(Error, ValueError):
    """Bytes that are not a Concert message; ``offset`` is where reading stopped."""

    offset: int = 0


class PortsError(Error, OSError):
    """The serial ports of this machine could not be listed."""


class JournalError(Error):
    """The journal cannot be used (corrupt, read-only, disk full: for a
    transaction nothing was sent, safe to retry), or refused a request on
    it (no such entry, not in doubt, V2 needs an operator). ``code`` says
    which: ``CONCERT_JOURNAL_CORRUPT``, ``CONCERT_JOURNAL_READ_ONLY``,
    ``CONCERT_JOURNAL_DISK_FULL``, ``CONCERT_JOURNAL``,
    ``CONCERT_JOURNAL_NO_SUCH_ENTRY``, ``CONCERT_JOURNAL_NOT_IN_DOUBT``,
    ``CONCERT_JOURNAL_NEEDS_OPERATOR``."""


class SimulatorError(Error):
    """The simulator could not start."""
