"""The transaction journal from Python: payments journaled with generated
references, an in-doubt payment found again after the fact and resolved by
the terminal or by hand (also awaited), export and prune, bad files and
arguments refused."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

import concert_tpe
from conftest import CARD


def terminal(sim: concert_tpe.Simulator, journal: concert_tpe.Journal) -> concert_tpe.Terminal:
    assert sim.port is not None
    return concert_tpe.Terminal.tcp("127.0.0.1", sim.port, journal=journal)


def test_payment_is_journaled(tmp_path: Path, v3_tcp: concert_tpe.Simulator) -> None:
    with concert_tpe.Journal.open(tmp_path / "j.sqlite3") as journal:
        outcome = terminal(v3_tcp, journal).pay("12.50")
        assert outcome.approved
        assert outcome.journal_entry is not None
        entry = journal.show(outcome.journal_entry)
        assert entry.state == "outcome"
        assert entry.status is concert_tpe.Status.APPROVED
        assert entry.amount == 1250 and entry.currency == "EUR"
        assert entry.reference_generated and entry.reference is not None
        assert len(entry.reference) == 10
        assert outcome.private_data == entry.reference
        assert entry.card_number is not None and CARD not in entry.card_number
        assert not entry.in_doubt and not entry.partial
        assert entry.authorized_amount == 1250
        assert journal.list_in_doubt() == []
        assert json.loads(entry.to_json())["status"] == "approved"
        assert "approved" in repr(entry)


def test_a_partial_approval_is_journaled_as_partial(tmp_path: Path) -> None:
    with concert_tpe.Journal.open(tmp_path / "j.sqlite3") as journal:
        with concert_tpe.Simulator(script="partial:1000") as sim:
            outcome = terminal(sim, journal).pay("12.50")
        assert outcome.partial and outcome.journal_entry is not None
        entry = journal.show(outcome.journal_entry)
        assert entry.status is concert_tpe.Status.APPROVED
        assert entry.partial
        assert entry.amount == 1250 and entry.authorized_amount == 1000


def test_in_doubt_resolved_by_terminal_then_by_hand(tmp_path: Path) -> None:
    journal = concert_tpe.Journal.open(tmp_path / "j.sqlite3")
    with concert_tpe.Simulator("v3", close_mid_answer=True) as sim:
        till = terminal(sim, journal)
        outcome = till.pay(990)
        assert outcome.in_doubt
        [entry] = journal.list_in_doubt()
        assert entry.id == outcome.journal_entry
        assert entry.in_doubt and entry.in_doubt_cause
        # The terminal's answer is cut again: still in doubt, with a trace.
        after = journal.resolve(entry.id, till)
        assert after.in_doubt
        assert after.resolutions[-1]["method"] == "status_request"
        assert after.resolutions[-1]["status"] is None
        again = asyncio.run(journal.resolve_async(entry.id, till))
        assert again.in_doubt and len(again.resolutions) == 2
    with pytest.raises(concert_tpe.InvalidRequestError):
        journal.resolve_by_hand(entry.id, "approved", "   ")
    with pytest.raises(ValueError):
        journal.resolve_by_hand(entry.id, "maybe", "x")
    settled = journal.resolve_by_hand(entry.id, "approved", "receipt 000042 seen")
    assert settled.state == "resolved"
    assert settled.status is concert_tpe.Status.APPROVED
    assert settled.resolutions[-1] == {
        "time_ms": settled.resolutions[-1]["time_ms"],
        "method": "by_hand",
        "status": concert_tpe.Status.APPROVED,
        "note": "receipt 000042 seen",
        "evidence": None,
    }
    with pytest.raises(concert_tpe.JournalError) as info:
        journal.show(424242)
    assert info.value.code == "CONCERT_JOURNAL_NO_SUCH_ENTRY"
    csv = journal.export("csv", since="2000-01-01")
    assert csv.startswith("id,created,") and "by_hand" in csv
    data = json.loads(journal.export("json"))
    assert data[0]["state"] == "resolved"
    assert journal.list(since=0)[0].id == entry.id
    assert journal.prune("2999-01-01") == 1
    assert journal.list() == []
    journal.close()
    with pytest.raises(concert_tpe.JournalError):
        journal.list_in_doubt()


def test_v2_needs_an_operator(tmp_path: Path, v2_pty: concert_tpe.Simulator) -> None:
    journal = concert_tpe.Journal.open(tmp_path / "j.sqlite3")
    assert v2_pty.path is not None
    till = concert_tpe.Terminal.serial(v2_pty.path, "v2", bytesize=8, parity="N", journal=journal)
    outcome = till.pay(100)
    assert outcome.approved and outcome.journal_entry is not None
    with pytest.raises(concert_tpe.JournalError) as info:
        journal.resolve(outcome.journal_entry, till)
    assert info.value.code == "CONCERT_JOURNAL_NOT_IN_DOUBT"


def test_bad_files_are_refused(tmp_path: Path, v3_tcp: concert_tpe.Simulator) -> None:
    corrupt = tmp_path / "corrupt.sqlite3"
    corrupt.write_bytes(b"not a journal " * 100)
    with pytest.raises(concert_tpe.JournalError) as info:
        concert_tpe.Journal.open(corrupt)
    assert info.value.code == "CONCERT_JOURNAL_CORRUPT"
    assert "corrupt.sqlite3" in str(info.value)
    assert info.value.safe_to_retry
    with pytest.raises(TypeError):
        concert_tpe.Journal.open(42)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        concert_tpe.Terminal.tcp("127.0.0.1", journal="j.sqlite3")  # type: ignore[arg-type]
