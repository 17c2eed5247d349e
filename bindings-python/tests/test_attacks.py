"""Replays tests/attacks/*.rhai through Python: every attack ends as the error its
header names, and the interpreter and the policy keep working."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest

import kam

ROOT = Path(__file__).resolve().parents[2]
ATTACKS = sorted((ROOT / "tests" / "attacks").glob("*.rhai"))
GOOD = {"id": "C-2", "annual_revenue": 3_000_000, "credit_rating": "good", "long_term_intent": True}


def header(text: str, key: str) -> str | None:
    m = re.search(rf"^// {key}: (.*)$", text, re.M)
    return m.group(1) if m else None


def test_the_corpus_is_there() -> None:
    assert len(ATTACKS) >= 25


@pytest.mark.parametrize("path", ATTACKS, ids=[p.stem for p in ATTACKS])
def test_attack_is_contained(policy: kam.Policy, path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    expect, message, line = header(text, "expect"), header(text, "message"), header(text, "line")
    sources = dict(policy.sources)
    sources["customer.rhai"] = text
    start = time.monotonic()
    if expect == "policy":
        with pytest.raises(kam.PolicyError) as info:
            kam.Policy.from_sources(sources)
        err: kam.KamError = info.value
        assert info.value.file == "customer.rhai"
    else:
        attacked = kam.Policy.from_sources(sources)
        with pytest.raises(kam.RuleError) as rule:
            attacked.evaluate_customer({"id": "C-1", "annual_revenue": 1_200_000}, as_of="2026-11-01")
        err = rule.value
        assert rule.value.file == "customer.rhai" and rule.value.record_id == "C-1"
        kind = "rule.limit" if rule.value.limit else ("rule.shape" if rule.value.field else "rule.script")
        assert kind == expect, str(err)
        batch = attacked.evaluate_customers([{"id": "C-1", "annual_revenue": 1}] * 2, as_of="2026-11-01")
        assert [b["error"]["kind"] for b in batch] == ["rule", "rule"]
    assert time.monotonic() - start < 120  # a hang guard, not a speed check
    if message:
        assert message in str(err)
    if line:
        assert getattr(err, "line") == int(line)
    assert policy.evaluate_customer(GOOD, as_of="2026-11-01")["tier"] == "A"
