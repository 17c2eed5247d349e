"""Rust, Python and JS give byte-identical answers for the same records.

``cross-binding DIR`` (``tests/cross_binding.rs``, run by ``test.sh`` with a
fresh seed each run) writes generated customers and staff-months, about one in
ten with a broken field, and Rust's canonical answer for each. Here Python's
answers are written in the same canonical form (``tests/canonical.rs``:
compact JSON, keys sorted, decimals as exact strings, dates as ISO text) and
compared line by line.
"""

from __future__ import annotations

import datetime
import json
import os
import subprocess
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

import kam
from conftest import ROOT

AS_OF = datetime.date(2026, 11, 1)
CROSS = Path(os.environ.get("KAM_CROSS_DIR", ROOT / "target" / "cross"))


def _plain(value: Any) -> str:
    if isinstance(value, Decimal):
        return format(value, "f")  # the exact digits, never exponent notation
    if isinstance(value, datetime.date):
        return value.isoformat()
    raise TypeError(f"no canonical form for {type(value).__name__}: {value!r}")


def canonical(entry: dict[str, Any]) -> str:
    return json.dumps(entry, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=_plain)


def _read(name: str) -> list[str]:
    path = CROSS / name
    if not path.exists() and "KAM_CROSS_DIR" not in os.environ:
        # Run outside test.sh: generate a set (needs cargo, as the build does).
        subprocess.run(["cargo", "run", "-q", "-p", "kam-tests", "--bin", "cross-binding", "--", str(CROSS)], cwd=ROOT, check=True)
    if not path.exists():
        pytest.fail(f"{path} is missing: run `cargo run -p kam-tests --bin cross-binding -- {CROSS}` first")
    return path.read_text(encoding="utf-8").splitlines()


@pytest.mark.parametrize("kind", ["customers", "staff"])
def test_python_answers_are_byte_identical_to_rust(policy: kam.Policy, kind: str) -> None:
    lines = _read(f"{kind}.jsonl")
    # parse_float=Decimal: the numbers reach kam with the digits Rust read.
    records = [json.loads(line, parse_float=Decimal) for line in lines]
    expected = _read(f"{kind}.expected")
    if kind == "customers":
        results = policy.evaluate_customers(records, as_of=AS_OF)
    else:
        results = policy.evaluate_staff_batch(records)
    got = [canonical(r) for r in results]
    assert len(got) == len(expected) == len(records)
    differ = [i for i, (a, b) in enumerate(zip(got, expected)) if a != b]
    seed = (CROSS / "seed").read_text().strip()
    shown = "\n".join(f"record {lines[i]}\n  python {got[i]}\n  rust   {expected[i]}" for i in differ[:3])
    assert not differ, f"{len(differ)} of {len(got)} differ (KAM_CROSS_SEED={seed}):\n{shown}"
    # The comparison means something: good and bad records were both generated.
    assert any('"error":' in line for line in expected) and any('"policy":' in line for line in expected)
