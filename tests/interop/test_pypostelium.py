"""pypostelium (PyPI, Akretion's driver used by Odoo's POS box) as a V2 E+
client of `concert simulate --pty`: a card payment and a cheque.

pypostelium always asks for an immediate answer (A011) and the short
(25-character) answer; `transaction_start` only says whether the terminal
took the request, so the answer it decoded is captured from its own
`get_answer_from_terminal`.
"""

import json
import logging

import pytest
from pypostelium import Driver


def start(path, amount, mode):
    driver = Driver({"telium_terminal_device_name": path})
    answers = []
    decode = driver.get_answer_from_terminal

    def capture(data):
        answer = decode(data)
        answers.append(answer)
        return answer

    driver.get_answer_from_terminal = capture
    took = driver.transaction_start(
        json.dumps({"amount": amount, "payment_mode": mode, "currency_iso": "EUR"})
    )
    return took, answers


@pytest.mark.parametrize("mode,code", [("card", "1"), ("check", "C")])
def test_payment_taken(simulator, mode, code):
    sim = simulator("--pty", "--protocol", "v2e+", "--outcome", "approve")
    took, answers = start(sim.where, 12.5, mode)
    assert took
    assert len(answers) == 1
    answer = answers[0]
    # A011: the terminal answers at once with status 9 (request taken).
    assert answer["transaction_result"] == "9"
    assert answer["amount_msg"] == "00001250"
    assert answer["payment_mode"] == code
    assert answer["currency_numeric"] == "978"
    assert answer["pos_number"] == "01"


def test_busy_terminal_leaves_enq_unanswered(simulator, caplog):
    # A busy V2 terminal does not answer at all: pypostelium gets no ACK
    # to its ENQ and gives up without sending the request.
    sim = simulator("--pty", "--protocol", "v2e+", "--outcome", "busy")
    with caplog.at_level(logging.WARNING, logger="pypostelium.pypostelium"):
        took, answers = start(sim.where, 7.0, "card")
    assert not took
    assert answers == []
    assert "SAME PLAYER TRY AGAIN" in caplog.text


def test_corrupt_lrc_is_reported(simulator, caplog):
    sim = simulator("--pty", "--protocol", "v2e+", "--corrupt-lrc", "1")
    with caplog.at_level(logging.ERROR, logger="pypostelium.pypostelium"):
        start(sim.where, 12.5, "card")
    assert "The LRC of the answer from terminal is wrong" in caplog.text
