"""concert_tpe.Simulator as a till's own test fixture, and concert_tpe.ports()."""

from __future__ import annotations

import concert_tpe
from concert_tpe import Status


def test_simulator_in_a_with_block() -> None:
    with concert_tpe.Simulator(script="decline:05") as sim:
        assert sim.running and sim.protocol == "v3"
        assert sim.host == "127.0.0.1" and sim.port and sim.path is None
        terminal = concert_tpe.Terminal.tcp(sim.host, sim.port)
        outcome = terminal.pay(1250, private_data="ORDER-17")
        assert outcome.status is Status.DECLINED
        sim.set_default_script("approve")
        assert terminal.pay(1250).approved
        assert sim.wait_for_requests(2, 5)
        journal = sim.journal()
        assert len(journal) == 2
        assert b"ORDER-17" in journal[0]["request"]
        assert journal[0]["answer"] and b"AE00201" in journal[0]["answer"]
        assert "decline" in journal[0]["note"]
        assert "127.0.0.1" in journal[0]["peer"]
    assert not sim.running
    assert "stopped" in repr(sim)
    sim.stop()  # stopping twice is harmless


def test_queued_scripts_then_default() -> None:
    with concert_tpe.Simulator() as sim:
        for script in ("timeout", "busy", "abandon"):
            sim.push_script(script)
        terminal = sim.terminal()
        statuses = [terminal.pay(100).status for _ in range(4)]
    assert statuses[-1] is Status.APPROVED
    assert Status.APPROVED not in statuses[:3]


def test_whitelist_refuses_others() -> None:
    with concert_tpe.Simulator(allow=["10.1.2.3"]) as sim:
        outcome = sim.terminal().pay(100)
        assert sim.wait_for_requests(1, 5)
        assert "refused" in sim.journal()[0]["note"]
    # The request was written before the terminal hung up: nobody knows.
    assert outcome.status is Status.IN_DOUBT


def test_a_forgotten_simulator_is_collected() -> None:
    sim = concert_tpe.Simulator()
    assert sim.terminal().pay(100).approved
    del sim  # stopped by the garbage collector, off the calling thread


def test_faults_over_pty_still_approve() -> None:
    with concert_tpe.Simulator(
        "v2", nak_first_frames=1, corrupt_lrc_first=1, stray_bytes=b"\x00\xff"
    ) as sim:
        outcome = sim.terminal().pay(100)
    assert outcome.approved


def test_ports_lists_without_failing() -> None:
    ports = concert_tpe.ports()
    assert isinstance(ports, list)
    for port in ports:
        assert isinstance(port, concert_tpe.PortInfo) and port.path
