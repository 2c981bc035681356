"""A plain V3 TCP client written the way public tills write it: connect,
one send, read until the terminal closes, split the TLV records. Run
against `concert simulate --tcp 127.0.0.1:0`."""

import socket

import pytest

TIMEOUT = 10


def message(*records):
    return "".join(f"{tag}{len(value):03d}{value}" for tag, value in records).encode()


def records(data):
    out, i = {}, 0
    text = data.decode("latin-1")
    while i < len(text):
        header = text[i : i + 5]
        if len(header) < 5 or not header[2:].isdigit():
            raise ValueError(f"record header cut short at byte {i}: {header!r}")
        tag, size = header[:2], int(header[2:])
        value = text[i + 5 : i + 5 + size]
        if len(value) != size:
            raise ValueError(f"record {tag} cut short at byte {i}")
        out[tag] = value
        i += 5 + size
    return out


def exchange(addr, payload):
    with socket.create_connection(addr, timeout=TIMEOUT) as s:
        s.settimeout(TIMEOUT)
        s.sendall(payload)
        data = b""
        while True:
            chunk = s.recv(4096)
            if not chunk:
                return data
            data += chunk


def debit(amount):
    return message(
        ("CZ", "0300"),
        ("CJ", "247300123456"),
        ("CA", "01"),
        ("CB", str(amount)),
        ("CD", "0"),
        ("CE", "978"),
    )


def test_approved(simulator):
    sim = simulator("--tcp", "127.0.0.1:0")
    answer = records(exchange(sim.tcp, debit(12345)))
    assert answer["AE"] == "10"
    assert answer["CB"] == "12345"
    assert answer["CE"] == "978"
    assert answer["CA"] == "01"
    assert answer["AA"] == "497010######7894"  # masked, as terminals send it
    assert answer["AC"]


@pytest.mark.parametrize("outcome,af", [("decline:05", "05"), ("abandon", "06"), ("busy", "07")])
def test_not_done(simulator, outcome, af):
    sim = simulator("--tcp", "127.0.0.1:0", "--outcome", outcome)
    answer = records(exchange(sim.tcp, debit(990)))
    assert answer["AE"] == "01"
    assert answer["AF"][:2] == af


def test_partial(simulator):
    sim = simulator("--tcp", "127.0.0.1:0", "--outcome", "partial:500")
    answer = records(exchange(sim.tcp, debit(1250)))
    assert answer["AE"] == "10"
    assert int(answer["CB"]) == 500


def test_cut_answer_is_seen(simulator):
    # The client reads until close: a terminal that hangs up mid-answer
    # leaves a record cut short, which the client must notice (the half
    # received may already say AE=10: taking it as approved would be wrong).
    sim = simulator("--tcp", "127.0.0.1:0", "--close-mid-answer")
    data = exchange(sim.tcp, debit(1250))
    assert data, "the simulator sent nothing at all"
    with pytest.raises(ValueError):
        records(data)


def test_whitelist_closes_others(simulator):
    sim = simulator("--tcp", "127.0.0.1:0", "--allow", "192.0.2.1")
    try:
        assert exchange(sim.tcp, debit(1250)) == b""
    except ConnectionResetError:
        pass
