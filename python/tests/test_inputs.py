"""Bad input from Python gets the documented exception, before anything is
sent, and never crashes the interpreter."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

import concert_tpe


def test_amount_forms(v3_tcp: concert_tpe.Simulator) -> None:
    terminal = v3_tcp.terminal()
    for amount in (1250, Decimal("12.50"), "12.50", "12.5", Decimal("1.25E+1")):
        assert terminal.pay(amount).amount == 1250, amount
    assert terminal.pay("1500", "XPF").amount == 1500
    assert concert_tpe.Request("pay", "1.5", "JOD").amount == 1500


def test_float_is_refused_with_the_reason(v3_tcp: concert_tpe.Simulator) -> None:
    terminal = v3_tcp.terminal()
    with pytest.raises(TypeError, match="float") as caught:
        terminal.pay(12.5)  # type: ignore[arg-type]
    assert "Decimal" in str(caught.value) and "minor units" in str(caught.value)
    assert v3_tcp.journal() == []


@pytest.mark.parametrize("amount", [True, None, [1250], b"12.50", object()])
def test_wrong_types_are_type_errors(v3_tcp: concert_tpe.Simulator, amount: Any) -> None:
    with pytest.raises(TypeError):
        v3_tcp.terminal().pay(amount)
    assert v3_tcp.journal() == []


@pytest.mark.parametrize(
    "amount",
    [
        -1,
        0,
        "0.00",
        -(10**40),
        10**12,
        10**40,
        2**64,
        "12.345",
        "12,50",
        "-5",
        " 12",
        "",
        Decimal("-1"),
        Decimal("NaN"),
        Decimal("Infinity"),
        Decimal("0.001"),
        "99999999999999999999999999",
    ],
)
def test_bad_amounts_are_invalid_requests(
    v3_tcp: concert_tpe.Simulator, amount: Any
) -> None:
    with pytest.raises(concert_tpe.InvalidRequestError) as caught:
        v3_tcp.terminal().pay(amount)
    assert isinstance(caught.value, ValueError)
    assert caught.value.code == "CONCERT_INVALID_REQUEST"
    assert caught.value.safe_to_retry
    assert v3_tcp.journal() == []


def test_explicit_none_currency_is_refused_not_taken_as_euros(
    v3_tcp: concert_tpe.Simulator,
) -> None:
    # Left out, the currency is EUR; given as None (a missing value
    # upstream), it is an error rather than a payment in euros.
    terminal = v3_tcp.terminal()
    with pytest.raises(TypeError, match="None"):
        terminal.pay(1250, None)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="None"):
        terminal.refund(1250, currency=None)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="None"):
        concert_tpe.Request("pay", 1250, None)  # type: ignore[arg-type]
    assert v3_tcp.journal() == []
    assert concert_tpe.Request("pay", 1250).currency == "EUR"
    assert concert_tpe.Request("identify").currency is None


def test_bad_request_fields(v3_tcp: concert_tpe.Simulator) -> None:
    terminal = v3_tcp.terminal()
    with pytest.raises(concert_tpe.InvalidRequestError, match="ASCII"):
        terminal.pay(100, private_data="café")
    with pytest.raises(concert_tpe.InvalidRequestError, match="ASCII"):
        terminal.pay(100, private_data="ticket\u20ac")
    with pytest.raises(concert_tpe.InvalidRequestError, match="currency"):
        terminal.pay(100, "ZZZ")
    with pytest.raises(concert_tpe.InvalidRequestError):
        terminal.pay(100, 99999)
    with pytest.raises(TypeError):
        terminal.pay(100, 9.78)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="unexpected keyword"):
        terminal.pay(100, tip=5)  # type: ignore[call-arg]
    with pytest.raises(TypeError, match="bool"):
        terminal.pay(100, force_authorization="yes")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="str"):
        terminal.pay(100, private_data=42)  # type: ignore[arg-type]
    with pytest.raises(concert_tpe.InvalidRequestError, match="application"):
        terminal.pay(100, application="bitcoin")
    with pytest.raises(concert_tpe.InvalidRequestError, match="receipt"):
        terminal.pay(100, receipt="everyone")
    with pytest.raises(concert_tpe.InvalidRequestError, match="operation"):
        concert_tpe.Request("sell", 100)
    with pytest.raises(concert_tpe.InvalidRequestError, match="too long|at most"):
        terminal.pay(100, private_data="x" * 200)
    assert v3_tcp.journal() == []


def test_bad_terminal_settings_are_config_errors() -> None:
    bad: list[Any] = [
        lambda: concert_tpe.Terminal.tcp("127.0.0.1", 70000),
        lambda: concert_tpe.Terminal.tcp("127.0.0.1", 0),
        lambda: concert_tpe.Terminal.tcp("", 8888),
        lambda: concert_tpe.Terminal.tcp("127.0.0.1", protocol="v2"),
        lambda: concert_tpe.Terminal.tcp("127.0.0.1", protocol="v4"),
        lambda: concert_tpe.Terminal.tcp("127.0.0.1", pos_number=100),
        lambda: concert_tpe.Terminal.tcp("127.0.0.1", answer_timeout=5),
        lambda: concert_tpe.Terminal.tcp("127.0.0.1", connect_timeout=-1),
        lambda: concert_tpe.Terminal.tcp("127.0.0.1", connect_timeout=float("nan")),
        lambda: concert_tpe.Terminal.tcp("127.0.0.1", cash_register_id="short"),
        lambda: concert_tpe.Terminal.serial("/dev/ttyACM0", parity="X"),
        lambda: concert_tpe.Terminal.serial("/dev/ttyACM0", bytesize=9),
        lambda: concert_tpe.Terminal.serial("/dev/ttyACM0", baudrate=10**20),
        lambda: concert_tpe.Terminal.serial("", "v2"),
    ]
    for make in bad:
        with pytest.raises(concert_tpe.ConfigError) as caught:
            make()
        assert isinstance(caught.value, ValueError)
        assert caught.value.code == "CONCERT_CONFIG"


def test_windows_port_names_are_serial_paths() -> None:
    # Names, not files: nothing is opened before the first request.
    for path in ["COM3", "COM10", r"\\.\COM10"]:
        terminal = concert_tpe.Terminal.serial(path, "v2")
        assert not terminal.busy


def test_missing_serial_port_is_safe_to_retry(tmp_path: Any) -> None:
    terminal = concert_tpe.Terminal.serial(str(tmp_path / "ttyNONE"), "v2")
    with pytest.raises(concert_tpe.ConnectionFailedError) as caught:
        terminal.pay(100)
    assert caught.value.code == "CONCERT_PORT"


def test_bad_simulator_settings() -> None:
    with pytest.raises(concert_tpe.ConfigError, match="script"):
        concert_tpe.Simulator(script="explode")
    with pytest.raises((concert_tpe.ConfigError, concert_tpe.SimulatorError)):
        concert_tpe.Simulator("v2", "tcp")
    with pytest.raises(concert_tpe.ConfigError):
        concert_tpe.Simulator("v4")
    with concert_tpe.Simulator() as sim:
        with pytest.raises(concert_tpe.ConfigError, match="decline"):
            sim.push_script("decline:5")
    assert not sim.running
    with pytest.raises(concert_tpe.ClosedError, match="stopped") as closed:
        sim.push_script("approve")
    assert closed.value.code == "CONCERT_CLOSED" and closed.value.safe_to_retry


def test_help_shows_the_real_options() -> None:
    import inspect

    for method in (concert_tpe.Terminal.pay, concert_tpe.Terminal.cancel_async):
        signature = inspect.signature(method)
        assert signature.parameters["currency"].default == "EUR"
        assert "private_data" in signature.parameters
        assert "full_answer" in signature.parameters
        assert not any(p.kind is p.VAR_KEYWORD for p in signature.parameters.values())


def test_the_library_prints_nothing_unless_logging_is_configured() -> None:
    import logging

    handlers = logging.getLogger("concert_tpe").handlers
    assert any(isinstance(h, logging.NullHandler) for h in handlers)
    assert logging.getLevelName(concert_tpe.WIRE) == "WIRE"
