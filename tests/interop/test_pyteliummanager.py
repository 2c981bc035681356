"""pyTeliumManager (PyPI `pyTeliumManager`, module `telium`) as a V2 E+
client of `concert simulate --pty`: its decoded answer must be what the
simulator was told to answer."""

import subprocess

import pytest
from conftest import CONCERT
from telium import LrcChecksumException, Telium, TeliumAsk

CARD = "4970101234567894"  # the simulator's default card (V2 REP is in clear)


def pay(path, amount, full, timeout=10):
    device = Telium(path, timeout=5)
    try:
        ask = TeliumAsk.new_payment(
            amount,
            payment_mode="debit",
            target_currency="EUR",
            wait_for_transaction_to_end=True,
            collect_payment_source_info=full,
        )
        assert device.ask(ask), "the terminal refused the request frame"
        answer = device.verify(ask, waiting_timeout=timeout)
        assert answer is not None, "no ENQ from the terminal"
        return answer
    finally:
        device.close()


def test_is_ok(simulator):
    sim = simulator("--pty", "--protocol", "v2e+")
    device = Telium(sim.where, timeout=5)
    try:
        assert device.is_ok()
    finally:
        device.close()


@pytest.mark.parametrize("full", [True, False], ids=["full-80", "short-25"])
def test_approved(simulator, full):
    sim = simulator("--pty", "--protocol", "v2e+", "--outcome", "approve")
    answer = pay(sim.where, 12.5, full)
    assert answer.has_succeeded
    assert answer.transaction_result == 0
    assert answer.amount == 12.5
    assert answer.currency_numeric == "978"
    assert answer.pos_number == "01"
    assert answer.payment_mode == "1"
    if full:
        # 83 bytes on the wire: REP (55) carries the card number.
        assert answer.repport.split(" ")[0] == CARD
        assert len(answer.repport) == 55
    else:
        assert answer.repport == ""


@pytest.mark.parametrize("full", [True, False], ids=["full-80", "short-25"])
def test_refused(simulator, full):
    sim = simulator("--pty", "--protocol", "v2e+", "--outcome", "decline:05")
    answer = pay(sim.where, 91.1, full)
    assert not answer.has_succeeded
    assert answer.transaction_result == 7
    assert answer.amount == 91.1


def test_the_v2_simulator_offers_no_partial_payment():
    # V2 has no partial payment (a lower amount is another transaction's
    # answer): the simulator refuses to play one rather than mislead a client.
    run = subprocess.run(
        [CONCERT, "simulate", "--pty", "--protocol", "v2e+", "--outcome", "partial:500"],
        capture_output=True,
        text=True,
        timeout=10,
    )
    assert run.returncode == 2, run
    assert "V3 only" in run.stderr


def test_outcomes_in_order(simulator):
    sim = simulator(
        "--pty", "--protocol", "v2", "--outcome", "decline", "--outcome", "approve"
    )
    assert pay(sim.where, 10.0, False).transaction_result == 7
    assert pay(sim.where, 10.0, False).transaction_result == 0
    assert pay(sim.where, 10.0, False).transaction_result == 0


def test_corrupt_lrc_is_caught_by_the_client(simulator):
    # A misbehaving terminal must be visible to a third-party client.
    sim = simulator("--pty", "--protocol", "v2e+", "--corrupt-lrc", "1")
    with pytest.raises(LrcChecksumException):
        pay(sim.where, 12.5, True)


def test_truncated_answer_is_caught_by_the_client(simulator):
    sim = simulator("--pty", "--protocol", "v2e+", "--close-mid-answer")
    with pytest.raises(Exception) as caught:
        pay(sim.where, 12.5, True, timeout=3)
    assert "size" in str(caught.value) or "ETX" in str(caught.value)
