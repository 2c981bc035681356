"""Every call path against the simulator: TCP and pty, V3 and V2."""

from __future__ import annotations

import json
import logging

import pytest

import concert_tpe
from concert_tpe import Status

from conftest import CARD


def test_v3_tcp_pay_approved_and_masked(v3_tcp: concert_tpe.Simulator) -> None:
    terminal = v3_tcp.terminal()
    outcome = terminal.pay("12.50", "EUR", private_data="TICKET42")
    assert outcome.status is Status.APPROVED
    assert outcome.approved and not outcome.in_doubt
    assert outcome.amount == 1250 and outcome.requested_amount == 1250
    assert outcome.currency == "EUR"
    assert outcome.card_number == "497010######7894"
    assert outcome.private_data == "TICKET42"
    assert ("CB", "1250") in outcome.records
    assert [d for d, _ in outcome.frames] == ["sent", "received"]
    everything = repr(outcome) + json.dumps(outcome.to_dict())
    everything += repr(outcome.frames) + repr(outcome.raw_answer)
    assert CARD not in everything
    request = v3_tcp.journal()[0]["request"]
    assert b"CB0041250" in request and b"CE003978" in request


def test_every_v3_operation(v3_tcp: concert_tpe.Simulator) -> None:
    terminal = v3_tcp.terminal()
    assert terminal.refund(990).status is Status.APPROVED
    assert terminal.cancel(990).status is Status.APPROVED
    assert terminal.preauthorize(5000).status is Status.APPROVED
    assert terminal.identify().status is Status.APPROVED
    assert terminal.settle().status is Status.APPROVED
    status = terminal.status()
    assert status.operation == "status"
    request = concert_tpe.Request("pay", 4200, "978", receipt="customer")
    outcome = terminal.transact(request)
    assert outcome.status is Status.APPROVED
    assert outcome.receipt and "42,00 EUR" in outcome.receipt
    assert outcome.receipt_copy == "customer"
    actions = [e["request"].split(b"CD001")[1][:1] for e in v3_tcp.journal()]
    assert actions == [b"1", b"2", b"4", b"I", b"B", b"T", b"0"]


def test_scripted_outcomes(v3_tcp: concert_tpe.Simulator) -> None:
    terminal = v3_tcp.terminal()
    v3_tcp.push_script("decline:05")
    declined = terminal.pay(990)
    assert declined.status is Status.DECLINED and declined.reason_code == "05"
    v3_tcp.push_script("abandon")
    assert terminal.pay(990).status is Status.ABORTED
    v3_tcp.push_script("partial:500")
    partial = terminal.pay(990)
    assert partial.status is Status.APPROVED and partial.partial
    assert partial.amount == 500 and partial.requested_amount == 990


def test_v3_over_pty(v3_pty: concert_tpe.Simulator) -> None:
    assert v3_pty.path and v3_pty.port is None
    terminal = v3_pty.terminal()
    outcome = terminal.pay(1234)
    assert outcome.status is Status.APPROVED and outcome.amount == 1234
    assert terminal.identify().status is Status.APPROVED
    terminal.close()


def test_v2_eplus_and_e_over_pty(v2_pty: concert_tpe.Simulator) -> None:
    assert v2_pty.path is not None
    terminal = concert_tpe.Terminal.serial(
        v2_pty.path, "v2", baudrate=9600, bytesize=8, parity="N"
    )
    assert terminal.protocol == "v2e+"
    outcome = terminal.pay(5510, private_data="TICKET0042")
    assert outcome.status is Status.APPROVED
    assert outcome.card_number == "497010######7894"
    assert CARD not in repr(outcome.to_dict())
    assert terminal.identify().reason == "terminal acknowledged ENQ"
    terminal.close()
    short = v2_pty.terminal("v2e")
    v2_pty.push_script("decline")
    refused = short.refund("26.90", full_answer=False)
    assert refused.status is Status.DECLINED and refused.reason_code == "7"
    assert len(v2_pty.journal()[-1]["request"]) == 26
    short.close()  # one client at a time on a serial line
    pending = terminal.pay(1242, immediate_answer=True)
    assert pending.status is Status.PENDING


def test_in_doubt_is_an_outcome_not_an_error() -> None:
    with concert_tpe.Simulator(close_mid_answer=True) as sim:
        outcome = sim.terminal().pay(1250)
    assert outcome.status is Status.IN_DOUBT and outcome.in_doubt
    assert not outcome.approved
    assert outcome.in_doubt_cause
    assert outcome.frames[0][0] == "sent"


def test_unreachable_terminal_is_safe_to_retry() -> None:
    with concert_tpe.Simulator() as sim:
        port = sim.port
    assert port is not None
    terminal = concert_tpe.Terminal.tcp("127.0.0.1", port, connect_timeout=2)
    with pytest.raises(concert_tpe.ConnectionFailedError) as caught:
        terminal.pay(100)
    assert caught.value.safe_to_retry
    assert caught.value.code == "CONCERT_CONNECT"
    assert isinstance(caught.value, (concert_tpe.Error, ConnectionError))


def test_busy_while_a_transaction_runs() -> None:
    with concert_tpe.Simulator(answer_delay=1.0) as sim:
        terminal = sim.terminal()
        results: list[object] = []
        import threading

        done = threading.Event()

        def callback(result: object) -> None:
            results.append(result)
            done.set()

        terminal.submit(concert_tpe.Request("pay", 100), callback)
        assert terminal.busy
        with pytest.raises(concert_tpe.BusyError) as caught:
            terminal.pay(200)
        assert caught.value.code == "CONCERT_BUSY"
        assert done.wait(10)
        assert isinstance(results[0], concert_tpe.Outcome)
        assert results[0].status is Status.APPROVED


def test_outcome_is_frozen(v3_tcp: concert_tpe.Simulator) -> None:
    outcome = v3_tcp.terminal().pay(100)
    with pytest.raises(AttributeError):
        outcome.amount = 5  # type: ignore[misc]
    assert "approved" in repr(outcome) and "497010######7894" in repr(outcome)
    assert str(outcome.status) == "approved" and outcome.status == "approved"


def test_core_logs_reach_python_logging_masked(
    v3_tcp: concert_tpe.Simulator, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(5, logger="concert_tpe"):
        v3_tcp.terminal().pay(100)
    names = {r.name for r in caplog.records}
    assert "concert_tpe.terminal.client" in names
    assert "concert_tpe.wire" in names  # the wire trace, at level 5
    assert all(n.startswith("concert_tpe") for n in names)
    assert not any(CARD in r.getMessage() for r in caplog.records)
    assert any("497010######7894" in r.getMessage() for r in caplog.records)


def test_logging_level_changes_apply_after_first_record(
    v3_tcp: concert_tpe.Simulator, caplog: pytest.LogCaptureFixture
) -> None:
    terminal = v3_tcp.terminal()
    with caplog.at_level(logging.WARNING, logger="concert_tpe"):
        terminal.pay(100)
    assert not [r for r in caplog.records if r.name.startswith("concert_tpe")]
    with caplog.at_level(logging.INFO, logger="concert_tpe"):
        terminal.pay(100)
    assert [r for r in caplog.records if r.name == "concert_tpe.terminal.client"]


def test_reprs_and_plain_values(v3_tcp: concert_tpe.Simulator) -> None:
    request = concert_tpe.Request("preauth", "12.50", "EUR", private_data="R1")
    assert (request.operation, request.amount, request.currency) == (
        "preauthorize",
        1250,
        "EUR",
    )
    assert request.private_data == "R1" and not request.immediate_answer
    assert repr(request) == 'Request("preauthorize", 1250, "EUR", private_data="R1")'
    assert concert_tpe.Request("identify").amount is None
    terminal = v3_tcp.terminal()
    assert repr(terminal) == f"<Terminal tcp 127.0.0.1:{v3_tcp.port} v3>"
    events: list[concert_tpe.Event] = []
    outcome = terminal.transact(request, on_event=events.append)
    assert repr(events[-1]) == "<Event done approved>"
    assert events[-1].status is Status.APPROVED and events[0].status is None
    plain = outcome.to_dict()
    assert plain["status"] == "approved" and plain["operation"] == "preauthorize"
    assert plain["frames"][0]["direction"] == "sent"
    assert json.loads(json.dumps(plain)) == plain


def test_request_options_reach_the_wire(v3_tcp: concert_tpe.Simulator) -> None:
    outcome = v3_tcp.terminal().pay(
        100,
        extra_tags={"BX": "42"},
        receipt="merchant",
        receipt_format="html",
        application="card",
        force_authorization=True,
        partial_allowed=True,
        customer_email="till@example.fr",
    )
    assert outcome.approved
    assert (outcome.receipt_format, outcome.receipt_copy) == ("html", "merchant")
    sent = v3_tcp.journal()[0]["request"]
    for record in (b"CC003001", b"BB0011", b"BF0011", b"BI015till@example.fr", b"BX00242"):
        assert record in sent, record
    with pytest.raises(concert_tpe.InvalidRequestError, match="tag"):
        v3_tcp.terminal().pay(100, extra_tags=[("b", "1")])
    with pytest.raises(TypeError, match="extra_tags"):
        v3_tcp.terminal().pay(100, extra_tags="BX42")  # type: ignore[arg-type]
