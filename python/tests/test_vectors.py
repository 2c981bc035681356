"""The shared vectors (tests/vectors/*.json at the repository root) read by
concert_tpe.decode exactly as concert-core's tests read them."""

from __future__ import annotations

import json
from typing import Any

import pytest

import concert_tpe
from conftest import VECTORS


def load(name: str) -> list[dict[str, Any]]:
    with open(VECTORS / name, encoding="utf-8") as f:
        data: list[dict[str, Any]] = json.load(f)
    return data


def masked(pan_field: str) -> str:
    """The REP field with its card number masked as the core masks it."""
    digits = [i for i, c in enumerate(pan_field) if c.isdigit()]
    run: list[int] = []
    for i in digits:
        if run and i != run[-1] + 1:
            break
        run.append(i)
    keep = set(run[:6] + run[-4:]) if len(run) > 10 else set(run[-4:])
    return "".join(
        "#" if i in run and i not in keep else c for i, c in enumerate(pan_field)
    )


def test_v2_vectors() -> None:
    vectors = load("v2.json")
    assert len(vectors) >= 10
    for v in vectors:
        payload = v["payload"]
        for source in (payload, payload.encode(), v["frame_hex"]):
            decoded = concert_tpe.decode(source)
            assert decoded.protocol == "v2", v["name"]
            kind = v["kind"].lower().replace("request-e", "request-e")
            assert decoded.kind == "v2-" + kind, v["name"]
            assert decoded.serial_frame == (source == v["frame_hex"])
            got = {f.name: f.value for f in decoded.fields}
            for name, value in v["fields"].items():
                if name == "rep":
                    assert got["rep"] == masked(value), v["name"]
                else:
                    assert got[name] == value, (v["name"], name)
        framed = concert_tpe.decode(bytes.fromhex(v["frame_hex"]))
        assert framed.serial_frame and len(framed) == len(decoded)


def test_v3_vectors() -> None:
    for v in load("v3.json"):
        decoded = concert_tpe.decode(v["frame"])
        assert decoded.protocol == "v3" and decoded.kind == "v3"
        got = [[f.name, f.value] for f in decoded.fields]
        expected = [list(r) for r in v["records"]]
        card_tags = {"AA"}
        for (gn, gv), (en, ev) in zip(got, expected):
            assert gn == en, v["name"]
            if gn not in card_tags:
                assert gv == ev, (v["name"], gn)
        assert len(got) == len(expected), v["name"]
        assert concert_tpe.decode(v["frame"].encode(), "v3").to_dict()["fields"]


def test_v3_records_are_what_the_wire_says() -> None:
    # `records` gives (tag, value) pairs straight from the message, the same
    # for text, bytes and the explained fields; card numbers masked.
    for v in load("v3.json"):
        expected = [tuple(r) for r in v["records"]]
        for source in (v["frame"], v["frame"].encode("latin-1")):
            decoded = concert_tpe.decode(source)
            records = decoded.records
            assert len(decoded) == len(records) == len(expected), v["name"]
            assert [t for t, _ in records] == [t for t, _ in expected], v["name"]
            for (tag, got), (_, want) in zip(records, expected):
                if tag != "AA":
                    assert got == want, (v["name"], tag)
            assert records == [(f.name, f.value) for f in decoded.fields]
    clear = concert_tpe.decode("CZ0040300AE00210AA0164970101234567894")
    assert clear.records[2] == ("AA", "497010######7894")
    assert "4970101234567894" not in repr(clear) + str(clear.to_dict())
    assert clear["AA"] == "497010######7894" and "AE" in clear


@pytest.mark.parametrize(
    "message,offset",
    [
        ("CZ0040300CB0101", 11),  # length beyond the end
        ("CZ0040300ZT006CK0031", 16),  # nested record cut short
        ("CZ0040300cb0011", 9),  # not a tag
    ],
)
def test_malformed_v3_is_refused_at_decode_not_later(
    message: str, offset: int
) -> None:
    with pytest.raises(concert_tpe.DecodeError) as caught:
        concert_tpe.decode(message)
    assert caught.value.offset == offset, str(caught.value)


def test_v3_serial_vector() -> None:
    for v in load("v3-serial.json"):
        for source in (bytes.fromhex(v["frame_hex"]), v["frame_hex"]):
            decoded = concert_tpe.decode(source)
            assert decoded.serial_frame
            assert decoded["CB"] == "1234" and decoded["CC"] == "001"
            assert "ZZ" not in decoded


@pytest.mark.parametrize(
    "frame", [b"", b"\x02CZ0040300\x03\x00", "CZ9", b"\xff\xfe", "0100abc"]
)
def test_garbage_is_a_protocol_error(frame: Any) -> None:
    with pytest.raises(concert_tpe.DecodeError) as caught:
        concert_tpe.decode(frame)
    assert isinstance(caught.value.offset, int)
    assert isinstance(caught.value, ValueError)
    assert "at byte" in str(caught.value)


def test_decode_rejects_other_types() -> None:
    with pytest.raises(TypeError):
        concert_tpe.decode(1234)  # type: ignore[arg-type]
    with pytest.raises(concert_tpe.InvalidRequestError):
        concert_tpe.decode("CZ0040300", hint="v9")
