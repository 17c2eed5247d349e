"""Checked with `mypy --strict`: the stubs describe the API as a user calls it."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any, Dict, List

import kam


def tiers(policy: kam.Policy, records: List[Dict[str, Any]]) -> List[str]:
    results = policy.evaluate_customers(records, as_of=datetime.date(2026, 11, 1))
    return [str(r.get("tier")) for r in results]


def total(policy: kam.Policy, record: Dict[str, Any]) -> Decimal:
    result = policy.evaluate_staff(record)
    value = result["scorecard"]["total"]
    assert isinstance(value, Decimal)
    return value


def load() -> kam.Policy:
    try:
        return kam.Policy.from_dir("rules", limits={"max_operations": 10_000, "max_seconds": 0.5})
    except kam.PolicyError as e:
        print(e.file, e.line, e.column, e.errors)
        raise


def report(policy: kam.Policy) -> List[str]:
    return [f"{d['file']}: {d['message']}" for d in policy.check()]


def describe(error: kam.KamError) -> str:
    wire: kam.ErrorDict = error.to_dict()
    where = wire.get("file")
    return f"{error.kind}/{error.code}: {wire['message']} ({where}, record {wire['record_id']})"
