"""Shared fixtures: the bundled policy, the shared vectors (decimals parsed exactly)."""

from __future__ import annotations

import datetime
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

import kam

ROOT = Path(__file__).resolve().parents[2]


def load_json(path: Path) -> Any:
    # parse_float=Decimal: vector numbers have up to 28 digits; floats would round them.
    return json.loads(path.read_text(encoding="utf-8"), parse_float=Decimal)


def vector_cases() -> list[tuple[str, str, str, dict]]:
    """(file, entry, as_of, case) for every shared vector."""
    out = []
    for path in sorted((ROOT / "tests" / "vectors").glob("*.json")):
        doc = load_json(path)
        for case in doc["cases"]:
            out.append((path.name, doc["entry"], case.get("as_of", doc.get("as_of")), case))
    return out


def plain(value: Any) -> Any:
    """A result as JSON-like data: dates as ISO text, everything else kept (Decimals exact)."""
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def no_floats(value: Any) -> bool:
    if isinstance(value, float):
        return False
    if isinstance(value, dict):
        return all(no_floats(v) for v in value.values())
    if isinstance(value, list):
        return all(no_floats(v) for v in value)
    return True


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def policy() -> kam.Policy:
    return kam.Policy.from_dir(ROOT / "rules")
