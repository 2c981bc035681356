#!/usr/bin/env python3
"""Compares the external declarations of bindings/delphi/Concert.pas with
the functions of include/concert.h: the same names, each with as many
parameters, a procedure exactly where C returns void, and cdecl. Prints
what differs and exits 1, so the unit cannot drift from the header.

Usage: declarations.py [HEADER [UNIT]]
"""

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def header_functions(text: str) -> dict[str, tuple[int, bool]]:
    """name -> (parameter count, returns void)."""
    found = {}
    pattern = re.compile(r"^([A-Za-z_][\w ]*?[\w*]\s*\**)\s*(concert_\w+)\(([^)]*)\);", re.M)
    for ret, name, params in pattern.findall(text):
        params = " ".join(params.split())
        count = 0 if params in ("", "void") else params.count(",") + 1
        found[name] = (count, ret.strip() == "void")
    return found


def unit_functions(text: str) -> tuple[dict[str, tuple[int, bool]], list[str]]:
    """name -> (parameter count, is a procedure), and declaration problems."""
    found, problems = {}, []
    pattern = re.compile(
        r"^(function|procedure)\s+(concert_\w+)\s*(\(([^)]*)\))?\s*(:\s*\w+)?\s*;([^;\n]*;)*?[^\n]*external\b[^\n]*$",
        re.M,
    )
    for match in pattern.finditer(text):
        kind, name, _, params, _, _ = match.groups()
        line = match.group(0)
        count = 0
        for group in filter(None, (p.strip() for p in (params or "").split(";"))):
            names = group.split(":")[0]
            names = re.sub(r"^(out|var|const)\s+", "", names.strip())
            count += len([n for n in names.split(",") if n.strip()])
        if "cdecl" not in line:
            problems.append(f"{name}: not cdecl")
        if "ConcertLib" not in line or "delayed" not in line:
            problems.append(f"{name}: not `external ConcertLib delayed`")
        if name in found:
            problems.append(f"{name}: declared twice")
        found[name] = (count, kind == "procedure")
    return found, problems


def main() -> int:
    header = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "include/concert.h"
    unit = Path(sys.argv[2]) if len(sys.argv) > 2 else ROOT / "bindings/delphi/Concert.pas"
    c = header_functions(header.read_text(encoding="utf-8"))
    pas, problems = unit_functions(unit.read_text(encoding="utf-8"))
    for name in sorted(c.keys() - pas.keys()):
        problems.append(f"{name}: in concert.h, not declared in Concert.pas")
    for name in sorted(pas.keys() - c.keys()):
        problems.append(f"{name}: declared in Concert.pas, not in concert.h")
    for name in sorted(c.keys() & pas.keys()):
        (c_count, void), (p_count, procedure) = c[name], pas[name]
        if c_count != p_count:
            problems.append(f"{name}: {c_count} parameters in C, {p_count} in Pascal")
        if void != procedure:
            problems.append(f"{name}: {'void' if void else 'returns a value'} in C, "
                            f"{'procedure' if procedure else 'function'} in Pascal")
    for problem in problems:
        print(problem)
    print(f"{len(c)} functions in concert.h, {len(pas)} declared in Concert.pas, "
          f"{len(problems)} differences")
    return 1 if problems or not c else 0


if __name__ == "__main__":
    sys.exit(main())
