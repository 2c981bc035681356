"""Receipts come back exact, and decode() says what an answer means."""

from __future__ import annotations

import base64

import concert_tpe
from concert_tpe import Status

TEXT = "à bientôt\n12,50 €"


def _zt(copy: str, raw: bytes) -> str:
    b64 = base64.b64encode(raw).decode().rstrip("=")
    inner = f"CK003{copy}AK{len(b64):03}{b64}"
    return f"ZT{len(inner):03}{inner}"


ANSWER = (
    "CZ0040300CJ012247300123456CA00201CB0041250CD0010CE003978AE00210"
    "CC003001AC006123456AA016497010######7894"
    + _zt("100", "à bientôt\n12,50 €".encode("cp1252"))
    + _zt("110", "COMMERCANT\n12,50 €".encode("iso-8859-15"))
)


def test_decode_gives_the_outcome_of_an_answer() -> None:
    decoded = concert_tpe.decode(ANSWER)
    outcome = decoded.outcome
    assert outcome is not None
    assert outcome.status is Status.APPROVED
    assert outcome.amount == 1250
    assert outcome.card_number == "497010######7894"
    assert outcome.authorization_number == "123456"
    assert outcome.receipt == TEXT
    assert outcome.receipts == [TEXT, "COMMERCANT\n12,50 €"]
    assert concert_tpe.decode(ANSWER.encode()).outcome is not None
    plain = decoded.to_dict()
    assert plain["outcome"]["receipts"] == [TEXT, "COMMERCANT\n12,50 €"]
    assert plain["outcome"]["status"] == "approved"
    declined = concert_tpe.decode("CZ0040300CA00201CB0041250CD0010CE003978AE00201AF00204")
    assert declined.outcome is not None
    assert declined.outcome.status is Status.DECLINED
    assert declined.outcome.reason_code == "04"
    request = concert_tpe.decode("CZ0040300CA00201CB0041250CD0010CE003978")
    assert request.outcome is None
    assert request.to_dict()["outcome"] is None
    v2 = concert_tpe.decode("017000091101978          ")
    assert v2.outcome is not None and v2.outcome.status is Status.DECLINED


def test_a_payment_receipt_with_accents_and_the_euro() -> None:
    with concert_tpe.Simulator(
        receipt_text=TEXT, payment_type="cb-contactless", contract="424242"
    ) as sim:
        outcome = sim.terminal().pay(1250, receipt="customer")
    assert outcome.approved
    assert outcome.receipt == TEXT
    assert outcome.application == "00B"
    assert outcome.contract == "424242"
