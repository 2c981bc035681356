"""pyTeliumManager's client (PyPI `pyTeliumManager`, module `telium`) paying
in a loop against a concert V2 simulator on a pty, for
concert-core/benches/serial.rs. Prints one JSON object: time per exchange
and this process's CPU time per exchange.

Usage: telium_client.py PTY_PATH RUNS
"""

import json
import statistics
import sys
import time

from telium import Telium, TeliumAsk


def pay(device):
    ask = TeliumAsk.new_payment(
        12.5,
        payment_mode="debit",
        target_currency="EUR",
        wait_for_transaction_to_end=True,
        collect_payment_source_info=True,
    )
    if not device.ask(ask):
        raise SystemExit("the simulator refused the request frame")
    answer = device.verify(ask, waiting_timeout=10)
    if answer is None or not answer.has_succeeded:
        raise SystemExit(f"payment not approved: {answer!r}")


def main():
    path, runs = sys.argv[1], int(sys.argv[2])
    device = Telium(path, timeout=5)
    try:
        pay(device)  # opens the line; not timed
        times = []
        cpu = time.process_time()
        for _ in range(runs):
            start = time.perf_counter()
            pay(device)
            times.append(time.perf_counter() - start)
        cpu = time.process_time() - cpu
    finally:
        device.close()
    times.sort()
    print(
        json.dumps(
            {
                "runs": runs,
                "p50_us": statistics.median(times) * 1e6,
                "p99_us": times[min(len(times) - 1, int(len(times) * 0.99))] * 1e6,
                "cpu_us": cpu / runs * 1e6,
            }
        )
    )


if __name__ == "__main__":
    main()
