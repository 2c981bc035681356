"""Python soak: COUNT payments against a simulator in another process, in
the three forms a till uses (blocking, submit with a callback, asyncio),
with RSS, threads and open handles reported at start and end.

    python soak.py [COUNT]      (default 30000; `make soak-python`)

Fails (exit 1) when a payment is not approved, when threads or handles grow
beyond the engine's few reused workers (a leak grows with COUNT), or when
RSS grows beyond SOAK_RSS_SLACK_MB (default 16) after the warm-up.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import threading
import time

import concert_tpe

SIMULATOR = """
import sys, concert_tpe
with concert_tpe.Simulator("v3") as sim:
    print(sim.port, flush=True)
    sys.stdin.read()
"""


def rss_kb() -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def figures() -> dict[str, int]:
    return {
        "rss_kb": rss_kb(),
        "threads": len(os.listdir("/proc/self/task")),
        "handles": len(os.listdir("/proc/self/fd")),
    }


def blocking(terminal: concert_tpe.Terminal, n: int) -> int:
    return sum(terminal.pay(100 + i % 50).approved for i in range(n))


def callbacks(terminal: concert_tpe.Terminal, n: int) -> int:
    approved = 0
    for i in range(n):
        done = threading.Event()
        results: list[object] = []

        def callback(result: object) -> None:
            results.append(result)
            done.set()

        terminal.submit(concert_tpe.Request("pay", 100 + i % 50), callback, lambda e: None)
        if not done.wait(10):
            raise SystemExit("soak: a submitted payment never called back")
        result = results[0]
        approved += isinstance(result, concert_tpe.Outcome) and result.approved
    return approved


def coroutines(terminal: concert_tpe.Terminal, n: int) -> int:
    async def run() -> int:
        count = 0
        for i in range(n):
            outcome = await terminal.pay_async(100 + i % 50, on_event=lambda e: None)
            count += outcome.approved
        return count

    return asyncio.run(run())


def main() -> int:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 30000
    slack_mb = int(os.environ.get("SOAK_RSS_SLACK_MB", "16"))
    sim = subprocess.Popen(
        [sys.executable, "-c", SIMULATOR],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert sim.stdout is not None
        port = int(sim.stdout.readline())
        terminal = concert_tpe.Terminal.tcp("127.0.0.1", port)
        forms = [("blocking", blocking), ("callback", callbacks), ("asyncio", coroutines)]
        # Warm-up: worker threads, the event loop, caches.
        for _, form in forms:
            form(terminal, 50)
        start = figures()
        started = time.monotonic()
        approved = 0
        per_form = count // len(forms)
        for name, form in forms:
            t0 = time.monotonic()
            approved += form(terminal, per_form)
            print(f"soak-python: {per_form} {name} payments in {time.monotonic() - t0:.1f} s, "
                  f"RSS {rss_kb() / 1024:.1f} MB")
        end = figures()
        total = per_form * len(forms)
        elapsed = time.monotonic() - started
    finally:
        if sim.stdin is not None:
            sim.stdin.close()
        sim.wait(10)
    print(f"soak-python: {total} payments in {elapsed:.1f} s, {approved} approved")
    for key in ("rss_kb", "threads", "handles"):
        print(f"soak-python: {key} {start[key]} -> {end[key]}")
    failures = []
    if approved != total:
        failures.append(f"{total - approved} payments not approved")
    # Idle workers of the engine come and go: a few, never one per payment.
    if end["threads"] > start["threads"] + 4:
        failures.append("threads grew")
    if end["handles"] > start["handles"] + 4:
        failures.append("handles grew")
    if end["rss_kb"] - start["rss_kb"] > slack_mb * 1024:
        failures.append(f"RSS grew by more than {slack_mb} MB")
    for failure in failures:
        print(f"soak-python: FAIL: {failure}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
