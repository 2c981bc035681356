"""The native module (PyO3). Import from ``concert``, not from here."""

import os
from collections.abc import Coroutine
from decimal import Decimal
from typing import Any, Callable, Optional, Union, final

from typing_extensions import TypedDict, Unpack

from ._errors import Error
from ._types import Status

__version__: str
__all__ = [
    "Decoded",
    "Event",
    "Field",
    "Journal",
    "JournalEntry",
    "LateAnswer",
    "Outcome",
    "PortInfo",
    "Request",
    "Simulator",
    "Terminal",
    "Transaction",
    "__version__",
    "decode",
    "ports",
]

_Amount = Union[int, Decimal, str]
"""Integer minor units (1250), a Decimal or a decimal str ("12.50"); never a float."""
_CurrencyCode = Union[str, int]
"""ISO 4217 alphabetic ("EUR") or numeric ("978", 978) code."""
_EventCallback = Callable[["Event"], object]

class _RequestOptions(TypedDict, total=False):
    private_data: Optional[str]
    application: Optional[str]
    immediate_answer: bool
    force_authorization: bool
    receipt: Optional[str]
    receipt_format: str
    original_reference: Optional[str]
    partial_allowed: Optional[bool]
    customer_phone: Optional[str]
    customer_email: Optional[str]
    extra_tags: Union[dict[str, str], list[tuple[str, str]], None]
    full_answer: bool

@final
class Request:
    def __new__(
        cls,
        operation: str,
        amount: Optional[_Amount] = None,
        currency: _CurrencyCode = ...,
        **options: Unpack[_RequestOptions],
    ) -> Request: ...
    @property
    def operation(self) -> str: ...
    @property
    def amount(self) -> Optional[int]: ...
    @property
    def currency(self) -> Optional[str]: ...
    @property
    def private_data(self) -> Optional[str]: ...
    @property
    def immediate_answer(self) -> bool: ...
    @property
    def force_authorization(self) -> bool: ...

@final
class Outcome:
    @property
    def status(self) -> Status: ...
    @property
    def journal_entry(self) -> Optional[int]: ...
    @property
    def approved(self) -> bool: ...
    @property
    def in_doubt(self) -> bool: ...
    @property
    def operation(self) -> str: ...
    @property
    def protocol_version(self) -> Optional[str]: ...
    @property
    def reason_code(self) -> Optional[str]: ...
    @property
    def reason(self) -> str: ...
    @property
    def reason_detail(self) -> Optional[str]: ...
    @property
    def amount(self) -> Optional[int]: ...
    @property
    def requested_amount(self) -> Optional[int]: ...
    @property
    def partial(self) -> bool: ...
    @property
    def currency(self) -> Optional[str]: ...
    @property
    def card_number(self) -> Optional[str]: ...
    @property
    def expiry(self) -> Optional[str]: ...
    @property
    def aid(self) -> Optional[str]: ...
    @property
    def application(self) -> Optional[str]: ...
    @property
    def application_label(self) -> Optional[str]: ...
    @property
    def read_mode(self) -> Optional[str]: ...
    @property
    def authorization_number(self) -> Optional[str]: ...
    @property
    def contract(self) -> Optional[str]: ...
    @property
    def private_data(self) -> Optional[str]: ...
    @property
    def receipt(self) -> Optional[str]: ...
    @property
    def receipts(self) -> list[str]: ...
    @property
    def receipt_format(self) -> Optional[str]: ...
    @property
    def receipt_copy(self) -> Optional[str]: ...
    @property
    def echo_mismatches(self) -> list[tuple[str, str, str]]: ...
    @property
    def records(self) -> list[tuple[str, str]]: ...
    @property
    def raw_answer(self) -> Optional[bytes]: ...
    @property
    def in_doubt_cause(self) -> Optional[str]: ...
    @property
    def frames(self) -> list[tuple[str, bytes]]: ...
    @property
    def late_answers(self) -> list[LateAnswer]: ...
    def to_dict(self) -> dict[str, Any]: ...

@final
class LateAnswer:
    @property
    def outcome(self) -> Outcome: ...
    @property
    def operation(self) -> Optional[str]: ...
    @property
    def requested_amount(self) -> Optional[int]: ...
    @property
    def private_data(self) -> Optional[str]: ...
    @property
    def raw(self) -> bytes: ...
    @property
    def received_at(self) -> float: ...

@final
class Event:
    @property
    def kind(self) -> str: ...
    @property
    def status(self) -> Optional[Status]: ...

@final
class Transaction:
    def cancel(self) -> None: ...
    @property
    def cancelled(self) -> bool: ...
    @property
    def done(self) -> bool: ...
    @property
    def operation(self) -> str: ...

@final
class Terminal:
    @staticmethod
    def tcp(
        host: str,
        port: int = 8888,
        *,
        protocol: str = "v3",
        pos_number: int = 1,
        cash_register_id: Optional[str] = None,
        connect_timeout: float = 10.0,
        answer_timeout: float = 180.0,
        query_timeout: float = 15.0,
        quiet_period: float = 0.2,
        keep_raw_card_data: bool = False,
        journal: Optional[Journal] = None,
    ) -> Terminal: ...
    @staticmethod
    def serial(
        path: str,
        protocol: str = "v2",
        baudrate: int = 9600,
        bytesize: int = 7,
        parity: str = "E",
        stopbits: int = 1,
        *,
        pos_number: int = 1,
        cash_register_id: Optional[str] = None,
        answer_timeout: float = 180.0,
        query_timeout: float = 15.0,
        ack_timeout: float = 3.0,
        enq_retry_pause: float = 1.0,
        keep_raw_card_data: bool = False,
        journal: Optional[Journal] = None,
    ) -> Terminal: ...
    @property
    def protocol(self) -> str: ...
    @property
    def busy(self) -> bool: ...
    def abort(self) -> None: ...
    def encode(self, request: Request) -> bytes: ...
    def close(self) -> None: ...
    def take_late_answers(self) -> list[LateAnswer]: ...
    def pay(
        self,
        amount: _Amount,
        currency: _CurrencyCode = "EUR",
        *,
        on_event: Optional[_EventCallback] = None,
        private_data: Optional[str] = None,
        application: Optional[str] = None,
        immediate_answer: Optional[bool] = None,
        force_authorization: Optional[bool] = None,
        receipt: Optional[str] = None,
        receipt_format: Optional[str] = None,
        original_reference: Optional[str] = None,
        partial_allowed: Optional[bool] = None,
        customer_phone: Optional[str] = None,
        customer_email: Optional[str] = None,
        extra_tags: Union[dict[str, str], list[tuple[str, str]], None] = None,
        full_answer: Optional[bool] = None,
    ) -> Outcome: ...
    def refund(
        self,
        amount: _Amount,
        currency: _CurrencyCode = "EUR",
        *,
        on_event: Optional[_EventCallback] = None,
        private_data: Optional[str] = None,
        application: Optional[str] = None,
        immediate_answer: Optional[bool] = None,
        force_authorization: Optional[bool] = None,
        receipt: Optional[str] = None,
        receipt_format: Optional[str] = None,
        original_reference: Optional[str] = None,
        partial_allowed: Optional[bool] = None,
        customer_phone: Optional[str] = None,
        customer_email: Optional[str] = None,
        extra_tags: Union[dict[str, str], list[tuple[str, str]], None] = None,
        full_answer: Optional[bool] = None,
    ) -> Outcome: ...
    def cancel(
        self,
        amount: _Amount,
        currency: _CurrencyCode = "EUR",
        *,
        on_event: Optional[_EventCallback] = None,
        private_data: Optional[str] = None,
        application: Optional[str] = None,
        immediate_answer: Optional[bool] = None,
        force_authorization: Optional[bool] = None,
        receipt: Optional[str] = None,
        receipt_format: Optional[str] = None,
        original_reference: Optional[str] = None,
        partial_allowed: Optional[bool] = None,
        customer_phone: Optional[str] = None,
        customer_email: Optional[str] = None,
        extra_tags: Union[dict[str, str], list[tuple[str, str]], None] = None,
        full_answer: Optional[bool] = None,
    ) -> Outcome: ...
    def preauthorize(
        self,
        amount: _Amount,
        currency: _CurrencyCode = "EUR",
        *,
        on_event: Optional[_EventCallback] = None,
        private_data: Optional[str] = None,
        application: Optional[str] = None,
        immediate_answer: Optional[bool] = None,
        force_authorization: Optional[bool] = None,
        receipt: Optional[str] = None,
        receipt_format: Optional[str] = None,
        original_reference: Optional[str] = None,
        partial_allowed: Optional[bool] = None,
        customer_phone: Optional[str] = None,
        customer_email: Optional[str] = None,
        extra_tags: Union[dict[str, str], list[tuple[str, str]], None] = None,
        full_answer: Optional[bool] = None,
    ) -> Outcome: ...
    def identify(self, *, on_event: Optional[_EventCallback] = None) -> Outcome: ...
    def status(self, *, on_event: Optional[_EventCallback] = None) -> Outcome: ...
    def settle(self, *, on_event: Optional[_EventCallback] = None) -> Outcome: ...
    def transact(
        self, request: Request, *, on_event: Optional[_EventCallback] = None
    ) -> Outcome: ...
    def submit(
        self,
        request: Request,
        callback: Callable[[Union[Outcome, Error]], object],
        on_event: Optional[_EventCallback] = None,
    ) -> Transaction: ...
    def pay_async(
        self,
        amount: _Amount,
        currency: _CurrencyCode = "EUR",
        *,
        on_event: Optional[_EventCallback] = None,
        private_data: Optional[str] = None,
        application: Optional[str] = None,
        immediate_answer: Optional[bool] = None,
        force_authorization: Optional[bool] = None,
        receipt: Optional[str] = None,
        receipt_format: Optional[str] = None,
        original_reference: Optional[str] = None,
        partial_allowed: Optional[bool] = None,
        customer_phone: Optional[str] = None,
        customer_email: Optional[str] = None,
        extra_tags: Union[dict[str, str], list[tuple[str, str]], None] = None,
        full_answer: Optional[bool] = None,
    ) -> Coroutine[Any, Any, Outcome]: ...
    def refund_async(
        self,
        amount: _Amount,
        currency: _CurrencyCode = "EUR",
        *,
        on_event: Optional[_EventCallback] = None,
        private_data: Optional[str] = None,
        application: Optional[str] = None,
        immediate_answer: Optional[bool] = None,
        force_authorization: Optional[bool] = None,
        receipt: Optional[str] = None,
        receipt_format: Optional[str] = None,
        original_reference: Optional[str] = None,
        partial_allowed: Optional[bool] = None,
        customer_phone: Optional[str] = None,
        customer_email: Optional[str] = None,
        extra_tags: Union[dict[str, str], list[tuple[str, str]], None] = None,
        full_answer: Optional[bool] = None,
    ) -> Coroutine[Any, Any, Outcome]: ...
    def cancel_async(
        self,
        amount: _Amount,
        currency: _CurrencyCode = "EUR",
        *,
        on_event: Optional[_EventCallback] = None,
        private_data: Optional[str] = None,
        application: Optional[str] = None,
        immediate_answer: Optional[bool] = None,
        force_authorization: Optional[bool] = None,
        receipt: Optional[str] = None,
        receipt_format: Optional[str] = None,
        original_reference: Optional[str] = None,
        partial_allowed: Optional[bool] = None,
        customer_phone: Optional[str] = None,
        customer_email: Optional[str] = None,
        extra_tags: Union[dict[str, str], list[tuple[str, str]], None] = None,
        full_answer: Optional[bool] = None,
    ) -> Coroutine[Any, Any, Outcome]: ...
    def preauthorize_async(
        self,
        amount: _Amount,
        currency: _CurrencyCode = "EUR",
        *,
        on_event: Optional[_EventCallback] = None,
        private_data: Optional[str] = None,
        application: Optional[str] = None,
        immediate_answer: Optional[bool] = None,
        force_authorization: Optional[bool] = None,
        receipt: Optional[str] = None,
        receipt_format: Optional[str] = None,
        original_reference: Optional[str] = None,
        partial_allowed: Optional[bool] = None,
        customer_phone: Optional[str] = None,
        customer_email: Optional[str] = None,
        extra_tags: Union[dict[str, str], list[tuple[str, str]], None] = None,
        full_answer: Optional[bool] = None,
    ) -> Coroutine[Any, Any, Outcome]: ...
    def identify_async(
        self, *, on_event: Optional[_EventCallback] = None
    ) -> Coroutine[Any, Any, Outcome]: ...
    def status_async(
        self, *, on_event: Optional[_EventCallback] = None
    ) -> Coroutine[Any, Any, Outcome]: ...
    def settle_async(
        self, *, on_event: Optional[_EventCallback] = None
    ) -> Coroutine[Any, Any, Outcome]: ...
    def transact_async(
        self, request: Request, *, on_event: Optional[_EventCallback] = None
    ) -> Coroutine[Any, Any, Outcome]: ...

class _JournalEntry(TypedDict):
    peer: str
    request: bytes
    answer: Optional[bytes]
    note: str

@final
class Simulator:
    def __new__(
        cls,
        protocol: str = "v3",
        transport: Optional[str] = None,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        script: str = "approve",
        answer_delay: float = 0.0,
        card_number: Optional[str] = None,
        receipt_text: Optional[str] = None,
        currencies: Optional[list[int]] = None,
        allow: Optional[list[str]] = None,
        answer_version: Optional[str] = None,
        nak_first_frames: int = 0,
        corrupt_lrc_first: int = 0,
        stray_bytes: Optional[bytes] = None,
        split_writes: bool = False,
        skip_final_eot: bool = False,
        close_mid_answer: bool = False,
        never_answer: bool = False,
        payment_type: str = "cb-contact",
        contract: Optional[str] = None,
    ) -> Simulator: ...
    @property
    def protocol(self) -> str: ...
    @property
    def host(self) -> Optional[str]: ...
    @property
    def port(self) -> Optional[int]: ...
    @property
    def path(self) -> Optional[str]: ...
    @property
    def running(self) -> bool: ...
    def push_script(self, script: str) -> None: ...
    def set_default_script(self, script: str) -> None: ...
    def journal(self) -> list[_JournalEntry]: ...
    def wait_for_requests(self, n: int, timeout: float = 5.0) -> bool: ...
    def terminal(self, protocol: Optional[str] = None) -> Terminal: ...
    def stop(self) -> None: ...
    def __enter__(self) -> Simulator: ...
    def __exit__(self, *_exc: object) -> bool: ...

@final
class Field:
    @property
    def name(self) -> str: ...
    @property
    def value(self) -> str: ...
    @property
    def meaning(self) -> Optional[str]: ...
    @property
    def children(self) -> list[Field]: ...
    def to_dict(self) -> dict[str, Any]: ...

@final
class Decoded:
    @property
    def protocol(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def serial_frame(self) -> bool: ...
    @property
    def fields(self) -> list[Field]: ...
    @property
    def records(self) -> list[tuple[str, str]]: ...
    @property
    def outcome(self) -> Optional[Outcome]: ...
    def __getitem__(self, key: str, /) -> str: ...
    def __contains__(self, key: str, /) -> bool: ...
    def __len__(self) -> int: ...
    def to_dict(self) -> dict[str, Any]: ...

@final
class PortInfo:
    @property
    def path(self) -> str: ...
    @property
    def vid(self) -> Optional[int]: ...
    @property
    def pid(self) -> Optional[int]: ...
    @property
    def manufacturer(self) -> Optional[str]: ...
    @property
    def product(self) -> Optional[str]: ...
    @property
    def serial_number(self) -> Optional[str]: ...
    @property
    def kind(self) -> str: ...
    @property
    def known_terminal(self) -> Optional[str]: ...

def decode(frame: Union[bytes, bytearray, str], hint: str = "auto") -> Decoded: ...
def ports() -> list[PortInfo]: ...

class _Resolution(TypedDict):
    time_ms: int
    method: str
    status: Optional[Status]
    note: str
    evidence: Optional[str]

_When = Union[str, int]
"""A date ("2026-11-30", midnight UTC), an RFC 3339 time, or ms since the epoch."""

@final
class Journal:
    @staticmethod
    def open(path: Union[str, os.PathLike[str]]) -> Journal: ...
    def close(self) -> None: ...
    def __enter__(self) -> Journal: ...
    def __exit__(self, *_args: object) -> None: ...
    @property
    def path(self) -> str: ...
    def list_in_doubt(self) -> list[JournalEntry]: ...
    def list(self, since: Optional[_When] = None) -> list[JournalEntry]: ...
    def show(self, id: int) -> JournalEntry: ...
    def resolve(self, id: int, terminal: Terminal) -> JournalEntry: ...
    def resolve_async(
        self, id: int, terminal: Terminal
    ) -> Coroutine[Any, Any, JournalEntry]: ...
    def resolve_by_hand(self, id: int, decision: str, note: str) -> JournalEntry: ...
    def export(self, format: str = "csv", since: Optional[_When] = None) -> str: ...
    def prune(self, before: _When) -> int: ...

@final
class JournalEntry:
    @property
    def id(self) -> int: ...
    @property
    def created_ms(self) -> int: ...
    @property
    def created(self) -> str: ...
    @property
    def terminal(self) -> str: ...
    @property
    def protocol(self) -> str: ...
    @property
    def pos_number(self) -> int: ...
    @property
    def operation(self) -> str: ...
    @property
    def amount(self) -> Optional[int]: ...
    @property
    def currency(self) -> Optional[str]: ...
    @property
    def reference(self) -> Optional[str]: ...
    @property
    def reference_generated(self) -> bool: ...
    @property
    def state(self) -> str: ...
    @property
    def in_doubt(self) -> bool: ...
    @property
    def partial(self) -> bool: ...
    @property
    def status(self) -> Optional[Status]: ...
    @property
    def reason(self) -> Optional[str]: ...
    @property
    def authorized_amount(self) -> Optional[int]: ...
    @property
    def card_number(self) -> Optional[str]: ...
    @property
    def authorization_number(self) -> Optional[str]: ...
    @property
    def in_doubt_cause(self) -> Optional[str]: ...
    @property
    def resolutions(self) -> list[_Resolution]: ...
    def to_json(self) -> str: ...
