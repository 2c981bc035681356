"""Times, in one run, concert's decoding against what Python tills use today:

- V2 answers: concert_tpe.decode vs pyTeliumManager's TeliumResponse.decode,
  both given the same whole serial frames (STX ... ETX LRC, LRC checked);
- V3 messages: concert_tpe.decode vs a straightforward pure-Python TLV loop;
- import time of ``concert_tpe`` vs ``telium``.

Not a test: it prints figures and ratios (>1 means concert is faster).
Run it with ``make bench-python`` (which installs pyTeliumManager).
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import timeit
from pathlib import Path
from typing import Callable

import concert_tpe

try:
    from telium import TeliumResponse
except ImportError:  # pragma: no cover - the bench target installs it
    sys.exit("pyTeliumManager is missing: pip install pyteliummanager")

VECTORS = Path(__file__).resolve().parents[2] / "tests" / "vectors"


def v2_answer_frames() -> list[bytes]:
    vectors = json.loads((VECTORS / "v2.json").read_text(encoding="utf-8"))
    return [
        bytes.fromhex(v["frame_hex"])
        for v in vectors
        if v["kind"].startswith("answer")
    ]


def v3_messages() -> list[bytes]:
    vectors = json.loads((VECTORS / "v3.json").read_text(encoding="utf-8"))
    return [v["frame"].encode("ascii") for v in vectors]


def python_tlv(message: bytes) -> list[tuple[str, str]]:
    """How public tills read V3: tag (2), length (3 digits), value."""
    records = []
    i, end = 0, len(message)
    while i < end:
        tag = message[i : i + 2].decode("ascii")
        length = int(message[i + 2 : i + 5])
        value = message[i + 5 : i + 5 + length].decode("latin-1")
        records.append((tag, value))
        i += 5 + length
    return records


def per_call(fn: Callable[[], object], calls_per_run: int) -> float:
    """Seconds per decoded frame: the best of 5 runs of about 0.2 s."""
    timer = timeit.Timer(fn)
    number, _ = timer.autorange()
    best = min(timer.repeat(repeat=5, number=number))
    return best / (number * calls_per_run)


def import_time(module: str, runs: int = 9) -> float:
    """Median seconds to import `module` in a fresh interpreter, less the
    interpreter's own start-up."""

    def run(code: str) -> float:
        script = (
            "import time; t = time.perf_counter(); "
            f"{code}; print(time.perf_counter() - t)"
        )
        out = subprocess.run(
            [sys.executable, "-c", script], capture_output=True, check=True, text=True
        )
        return float(out.stdout)

    return statistics.median(run(f"import {module}") for _ in range(runs))


def line(label: str, ours: float, theirs: float, unit: str = "µs") -> None:
    scale = 1e6 if unit == "µs" else 1e3
    print(
        f"{label:<46} concert {ours * scale:9.2f} {unit}   "
        f"other {theirs * scale:9.2f} {unit}   ratio {theirs / ours:6.2f}x"
    )


def main() -> None:
    print(f"concert {concert_tpe.__version__}, Python {sys.version.split()[0]}")
    v2 = v2_answer_frames()
    for frame in v2:  # same input, both accept it
        concert_tpe.decode(frame)
        TeliumResponse.decode(frame)
    ours = per_call(lambda: [concert_tpe.decode(f) for f in v2], len(v2))
    ours_fields = per_call(
        lambda: [[(x.name, x.value) for x in concert_tpe.decode(f).fields] for f in v2],
        len(v2),
    )
    theirs = per_call(lambda: [TeliumResponse.decode(f) for f in v2], len(v2))
    line("V2 answer frame, decode", ours, theirs)
    line("V2 answer frame, decode + read every field", ours_fields, theirs)

    v3 = v3_messages()
    for message in v3:  # both read the same records
        assert len(concert_tpe.decode(message)) == len(python_tlv(message))
    ours = per_call(lambda: [concert_tpe.decode(m) for m in v3], len(v3))
    # The same (tag, value) pairs the pure-Python loop returns.
    ours_records = per_call(lambda: [concert_tpe.decode(m).records for m in v3], len(v3))
    # More than the loop does: every field labelled and explained.
    ours_fields = per_call(
        lambda: [[(x.name, x.value) for x in concert_tpe.decode(m).fields] for m in v3],
        len(v3),
    )
    theirs = per_call(lambda: [python_tlv(m) for m in v3], len(v3))
    line("V3 message, decode", ours, theirs)
    line("V3 message, decode + read every record", ours_records, theirs)
    line("V3 message, decode + explain every field", ours_fields, theirs)

    line("import (fresh interpreter)", import_time("concert_tpe"), import_time("telium"), "ms")


if __name__ == "__main__":
    main()
