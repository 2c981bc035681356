"""Writes bench/REPORT.md from what `make bench` measured: the JSON files
the Rust benches leave in target/bench-results, criterion's estimates, the
output of python/bench/compare.py and the release artifacts' sizes.

Usage: report.py RESULTS_DIR CRITERION_DIR ARTIFACTS_DIR OUT
Standard library only; missing inputs are reported as missing, not fatal.
"""

import datetime
import json
import platform
import re
import sys
from pathlib import Path

PASS, MISS, NONE = "pass", "**MISS**", ""


def cpu_model():
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def cores():
    try:
        return Path("/proc/cpuinfo").read_text().count("processor\t:")
    except OSError:
        return "?"


def fmt(value, unit):
    if value is None or value != value:  # NaN
        return "n/a"
    if isinstance(value, float) and value.is_integer() and unit not in ("x", "ms", "%"):
        text = f"{value:,.0f}"
    elif isinstance(value, float) and abs(value) >= 100:
        text = f"{value:,.0f}"
    elif isinstance(value, float):
        text = f"{value:.3g}" if abs(value) < 1 else f"{value:.2f}"
    else:
        text = str(value)
    return f"{text} {unit}".strip()


def verdict(passed):
    return {True: PASS, False: MISS, None: NONE}[passed]


def table(rows):
    out = ["| figure | measured | target | result |", "|---|---|---|---|"]
    for name, value, target, passed in rows:
        out.append(f"| {name} | {value} | {target} | {verdict(passed)} |")
    return out


def rust_section(results, name, tally):
    path = results / f"{name}.json"
    if not path.exists():
        tally.append((name, None))
        return [f"*Not measured: {path} is missing (the bench did not run).*", ""]
    data = json.loads(path.read_text())
    rows = []
    for f in data["figures"]:
        rows.append((f["name"], fmt(f["value"], f["unit"]), f["target"], f["pass"]))
        if f["pass"] is not None:
            tally.append((f["name"], f["pass"]))
    return [data.get("notes", ""), "", *table(rows), ""]


def criterion_section(criterion):
    rows = {}
    for bench in sorted(criterion.glob("*/*/new/benchmark.json")):
        meta = json.loads(bench.read_text())
        estimates = json.loads((bench.parent / "estimates.json").read_text())
        rows[(meta["group_id"], meta["function_id"])] = estimates["median"]["point_estimate"]
    if not rows:
        return ["*Not measured: no criterion results (run `make bench-core`).*", ""]
    out = ["| group | function | median |", "|---|---|---|"]
    for (group, function), ns in sorted(rows.items()):
        out.append(f"| {group} | {function} | {fmt(ns, 'ns')} |")
    for group, ours in (("v3", "decode+typed"), ("v2", "decode-answer-80")):
        base = rows.get((group, "baseline-hashmap-decode"))
        if base and rows.get((group, ours)):
            out.append("")
            out.append(
                f"{group} `{ours}` vs a string-map decode written as public tills do: "
                f"{base / rows[(group, ours)]:.1f}x faster."
            )
    return [*out, ""]


LINE = re.compile(
    r"^(?P<label>.+?)\s+concert\s+(?P<ours>[\d.]+) (?P<unit>\S+)\s+other\s+"
    r"(?P<theirs>[\d.]+) \S+\s+ratio\s+(?P<ratio>[\d.]+)x"
)
PYTHON_TARGETS = {
    "V2 answer frame, decode": (10.0, "pyTeliumManager TeliumResponse.decode / concert >= 10x"),
    # Judged where both sides hand back every record: a lazy decode alone
    # would flatter concert.
    "V3 message, decode + read every record": (
        3.0,
        "pure-Python TLV loop / concert, every record read >= 3x",
    ),
    "import (fresh interpreter)": (3.0, "telium import / concert import >= 3x (concert <= 1/3)"),
}


def python_section(results, tally):
    path = results / "python-compare.txt"
    if not path.exists():
        tally.append(("Python codecs", None))
        return ["*Not measured: the Python package or its bench was not available.*", ""]
    text = path.read_text()
    rows = []
    for line in text.splitlines():
        m = LINE.match(line.strip())
        if not m:
            continue
        label, ratio = m["label"].strip(), float(m["ratio"])
        shown = f"concert {m['ours']} {m['unit']}, other {m['theirs']} {m['unit']}: {ratio:.1f}x"
        target = PYTHON_TARGETS.get(label)
        passed = None if target is None else ratio >= target[0]
        rows.append((label, shown, target[1] if target else "", passed))
        if passed is not None:
            tally.append((f"Python: {label}", passed))
    return [
        "From `python/bench/compare.py` (the wheel profile the shipped wheels use, same run):",
        "",
        *table(rows),
        "",
        "```",
        text.strip(),
        "```",
        "",
    ]


def sizes_section(artifacts, tally):
    wanted = [
        ("libconcert.so (C ABI, stripped release)", "libconcert.so"),
        ("Python wheel (abi3, wheel profile, rustup's std: `make dist` ships a smaller one)", "*.whl"),
        ("Node addon .node (stripped release)", "*.node"),
    ]
    rows = []
    for label, pattern in wanted:
        found = sorted(artifacts.glob(pattern)) if artifacts.exists() else []
        if found:
            size = found[0].stat().st_size
            rows.append((f"{label}: `{found[0].name}`", fmt(size / 1024, "KiB"), "", None))
        else:
            rows.append((label, "not built (component not landed or build failed)", "", None))
    return [*table(rows), ""]


def main():
    if sys.argv[1:2] == ["--section"]:
        # One bench's section alone, for a bench run on its own.
        name, results = sys.argv[2], Path(sys.argv[3])
        print("\n".join(rust_section(results, name, [])))
        return
    results, criterion, artifacts, out = map(Path, sys.argv[1:5])
    tally = []
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        "# concert: performance report",
        "",
        "Regenerated by `make bench` (do not edit by hand). Figures are ratios",
        "measured side by side in one run; absolute times depend on the machine.",
        "",
        f"- Date: {now}",
        f"- CPU: {cpu_model()} ({cores()} logical CPUs)",
        f"- Kernel: {platform.system()} {platform.release()}",
        "",
        "## 1. V3 answer detection over loopback TCP",
        "",
        *rust_section(results, "detection", tally),
        "## 2. V3 full transaction vs a raw TCP round trip",
        "",
        *rust_section(results, "roundtrip", tally),
        "## 3. V2 E+ over a pty pair: concert vs pyTeliumManager",
        "",
        *rust_section(results, "serial", tally),
        "## 4. Codecs",
        "",
        "Rust (criterion, `cargo bench -p concert-core --bench codecs`):",
        "",
        *criterion_section(criterion),
        *python_section(results, tally),
        "## 5. Scale: N terminals from one process",
        "",
        *rust_section(results, "scale", tally),
        "## 6. Sizes",
        "",
        "Memory per idle Terminal and per running transaction: see section 5.",
        "",
        *sizes_section(artifacts, tally),
        "## 7. Transaction journal",
        "",
        *rust_section(results, "journal", tally),
        "## 8. Browser tills: `concert serve`",
        "",
        *rust_section(results, "bridge", tally),
    ]
    judged = [(n, p) for n, p in tally if p is not None]
    missing = [n for n, p in tally if p is None]
    misses = [n for n, p in judged if not p]
    summary = [
        "## Summary",
        "",
        f"{len(judged) - len(misses)} of {len(judged)} targets met.",
        "",
    ]
    summary += [f"- missed: {n}" for n in misses]
    summary += [f"- not measured: {n}" for n in missing]
    lines[9:9] = [*summary, ""]
    out.write_text("\n".join(lines).rstrip() + "\n", encoding="utf-8")
    print(f"wrote {out}: {len(judged) - len(misses)}/{len(judged)} targets met")
    for line in summary[2:]:
        print(line)


if __name__ == "__main__":
    main()
