"""The package's names and version, as a till vendor sees them: the
distribution ``concert-tpe``, the import package ``concert_tpe``, and the
version written once in the workspace ``Cargo.toml``."""

from __future__ import annotations

import importlib.metadata
import re
from pathlib import Path

import concert_tpe

ROOT = Path(__file__).resolve().parents[2]


def workspace_version() -> str:
    cargo = (ROOT / "Cargo.toml").read_text(encoding="utf-8")
    section = cargo.split("[workspace.package]", 1)[1].split("\n[", 1)[0]
    found = re.search(r'^version = "([^"]+)"$', section, re.M)
    assert found, "no version in [workspace.package]"
    return found.group(1)


def test_version_is_the_workspace_version() -> None:
    assert concert_tpe.__version__ == workspace_version()
    assert importlib.metadata.version("concert-tpe") == concert_tpe.__version__


def test_names() -> None:
    assert concert_tpe.__name__ == "concert_tpe"
    assert concert_tpe.Terminal.__module__ == "concert_tpe"
    assert importlib.metadata.metadata("concert-tpe")["Name"] == "concert-tpe"
