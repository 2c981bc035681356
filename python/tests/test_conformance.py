"""tests/conformance/*.json, read and checked by Python itself: every
spelling, request payload and answer's outcome as the core defines them."""

from __future__ import annotations

import json
import socket
import threading
from pathlib import Path
from typing import Any, Callable

import pytest

import concert_tpe

CASES = Path(__file__).resolve().parents[2] / "tests" / "conformance"


def load(name: str) -> list[dict[str, Any]]:
    cases: list[dict[str, Any]] = json.loads((CASES / f"{name}.json").read_text())
    return cases


def terminal(spec: dict[str, Any], port: int = 8888) -> concert_tpe.Terminal:
    protocol = spec["protocol"]
    settings: dict[str, Any] = {}
    if "pos_number" in spec:
        settings["pos_number"] = spec["pos_number"]
    if "cash_register_id" in spec:
        settings["cash_register_id"] = spec["cash_register_id"]
    if protocol.startswith("v2"):
        return concert_tpe.Terminal.serial("/dev/null", protocol, **settings)
    return concert_tpe.Terminal.tcp("127.0.0.1", port, protocol=protocol, **settings)


def request(spec: dict[str, Any]) -> concert_tpe.Request:
    options = {k: v for k, v in spec.items() if k not in ("operation", "amount", "currency")}
    if "currency" in spec:
        options["currency"] = spec["currency"]
    return concert_tpe.Request(spec["operation"], spec.get("amount"), **options)


def decode_with_hint(hint: str) -> None:
    """The hint is read first; a frame that is not of that protocol is
    another matter (DecodeError)."""
    try:
        concert_tpe.decode("CZ0040300", hint=hint)
    except concert_tpe.DecodeError:
        pass


SPELLERS: dict[str, Callable[[str], object]] = {
    "protocol": lambda w: concert_tpe.Terminal.serial("/dev/null", w),
    "parity": lambda w: concert_tpe.Terminal.serial("/dev/null", "v2", parity=w),
    "application": lambda w: concert_tpe.Request("pay", 100, application=w),
    "operation": lambda w: concert_tpe.Request(w, 100),
    "receipt_copy": lambda w: concert_tpe.Request("pay", 100, receipt=w),
    "receipt_format": lambda w: concert_tpe.Request(
        "pay", 100, receipt="customer", receipt_format=w
    ),
    "hint": decode_with_hint,
    "currency": lambda w: concert_tpe.Request("pay", 100, w),
}


@pytest.mark.parametrize("case", load("spellings"), ids=lambda c: f"{c['kind']}:{c['given']}")
def test_spelling(case: dict[str, Any]) -> None:
    speller = SPELLERS[case["kind"]]
    if case["accepted"]:
        speller(case["given"])
    else:
        with pytest.raises(concert_tpe.Error) as caught:
            speller(case["given"])
        assert caught.value.code == case["error"]


@pytest.mark.parametrize("case", load("requests"), ids=lambda c: str(c["name"]))
def test_request_wire(case: dict[str, Any]) -> None:
    term = terminal(case["terminal"])
    if "wire" in case:
        assert term.encode(request(case["request"])) == case["wire"].encode()
    else:
        with pytest.raises(concert_tpe.Error) as caught:
            term.encode(request(case["request"]))
        assert caught.value.code == case["error"]


def outcome_of(outcome: concert_tpe.Outcome) -> dict[str, Any]:
    plain = outcome.to_dict()
    return {
        "status": plain["status"],
        "operation": plain["operation"],
        "reason_code": plain["reason_code"],
        "amount": plain["amount"],
        "requested_amount": plain["requested_amount"],
        "partial": plain["partial"],
        "currency": plain["currency"],
        "card_number": plain["card_number"],
        "authorization_number": plain["authorization_number"],
        "private_data": plain["private_data"],
        "records": plain["records"],
    }


@pytest.mark.parametrize("case", load("answers"), ids=lambda c: str(c["name"]))
def test_answer_outcome(case: dict[str, Any]) -> None:
    server = socket.create_server(("127.0.0.1", 0))
    port = server.getsockname()[1]
    sent: list[bytes] = []

    def answer_once() -> None:
        connection, _ = server.accept()
        with connection:
            connection.settimeout(5)
            data = b""
            while len(data) < len(case["wire"]):
                chunk = connection.recv(4096)
                if not chunk:
                    break
                data += chunk
            sent.append(data)
            connection.sendall(case["answer"].encode("latin-1"))

    thread = threading.Thread(target=answer_once)
    thread.start()
    try:
        outcome = terminal({"protocol": "v3"}, port).transact(request(case["request"]))
    finally:
        thread.join(10)
        server.close()
    assert sent == [case["wire"].encode()]
    assert outcome_of(outcome) == case["outcome"]


def test_error_classes_carry_the_table_code() -> None:
    """Each error class raised for a code says the code and its flag."""
    with pytest.raises(concert_tpe.InvalidRequestError) as caught:
        concert_tpe.Request("sell", 100)
    assert (caught.value.code, caught.value.safe_to_retry) == ("CONCERT_INVALID_REQUEST", True)
    with pytest.raises(concert_tpe.ConfigError) as config:
        concert_tpe.Terminal.tcp("127.0.0.1", protocol="v9")
    assert config.value.code == "CONCERT_CONFIG"
    with pytest.raises(concert_tpe.DecodeError) as decoding:
        concert_tpe.decode(b"\x00\x01")
    assert decoding.value.code == "CONCERT_DECODE" and decoding.value.offset >= 0
