"""Reasons as data: `reasons="none"|"codes"|"full"` and `lang=` on every entry point.

Decisions never depend on either; only how much of each reason a result carries.
"""

from __future__ import annotations

import datetime
import json
import re
from decimal import Decimal
from typing import Any

import pyarrow as pa
import pytest

import kam

from conftest import ROOT

AS_OF = datetime.date(2026, 11, 1)
CJK = re.compile(r"[\u4e00-\u9fff]")


def sample(name: str) -> list[dict[str, Any]]:
    lines = (ROOT / "data" / name).read_text(encoding="utf-8").splitlines()
    return [json.loads(line, parse_float=Decimal) for line in lines if line.strip()]


def decisions(result: dict[str, Any]) -> dict[str, Any]:
    """A result without its reasons and without the messages of its adjustments."""
    out = {k: v for k, v in result.items() if k != "reasons"}
    card = out.get("scorecard")
    if card:
        out["scorecard"] = {
            **card,
            "items": [
                {**i, "adjustments": [{k: v for k, v in a.items() if k != "message"} for a in i["adjustments"]]}
                for i in card["items"]
            ],
        }
    return out


def test_the_policy_lists_its_languages_default_first(policy: kam.Policy) -> None:
    assert policy.languages[0] == "en" and "zh" in policy.languages


@pytest.mark.parametrize("entry", ["customers", "staff"])
def test_decisions_are_the_same_whatever_is_rendered(policy: kam.Policy, entry: str) -> None:
    if entry == "customers":
        records = sample("customers.jsonl")
        run = lambda **kw: policy.evaluate_customers(records, AS_OF, **kw)  # noqa: E731
    else:
        records = sample("staff.jsonl")
        run = lambda **kw: policy.evaluate_staff_batch(records, **kw)  # noqa: E731
    full = run()
    for kw in ({"reasons": "codes"}, {"reasons": "none"}, {"lang": "zh"}, {"lang": "zh", "reasons": "codes"}):
        other = run(**kw)
        assert [decisions(r) for r in other] == [decisions(r) for r in full], kw
    codes = run(reasons="codes")
    for f, c in zip(full, codes):
        assert [(r["rule"], r["code"], r["facts"]) for r in f["reasons"]] == [
            (r["rule"], r["code"], r["facts"]) for r in c["reasons"]
        ]
        assert all(r["message"] is None for r in c["reasons"])
        assert all(isinstance(r["message"], str) and r["message"] for r in f["reasons"])
    assert all(r["reasons"] == [] for r in run(reasons="none"))


def test_chinese_messages_are_chinese_and_facts_keep_their_types(policy: kam.Policy) -> None:
    records = sample("customers.jsonl")
    en = policy.evaluate_customers(records, AS_OF)
    zh = policy.evaluate_customers(records, AS_OF, lang="zh")
    messages = [r["message"] for res in zh for r in res["reasons"]]
    assert messages and all(CJK.search(m) for m in messages), [m for m in messages if not CJK.search(m)][:3]
    assert [r["message"] for res in en for r in res["reasons"]] != messages
    facts = [v for res in en for r in res["reasons"] for v in r["facts"].values()]
    # Money is exact (Decimal or int), dates are dates: never floats, never date text.
    assert not any(isinstance(v, float) for v in facts)
    assert any(isinstance(v, datetime.date) for v in facts)
    assert not any(isinstance(v, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", v) for v in facts)


def test_an_unknown_language_or_mode_names_what_there_is(policy: kam.Policy) -> None:
    with pytest.raises(ValueError, match=r"no language `fr`; it has en, zh"):
        policy.evaluate_customer({"id": "C-1", "annual_revenue": 1}, AS_OF, lang="fr")
    with pytest.raises(ValueError, match=r"none, codes, full"):
        policy.evaluate_staff_batch([], reasons="some")


def test_arrow_none_drops_the_column_and_codes_drops_the_messages(policy: kam.Policy) -> None:
    table = pa.table({"id": ["C-1", "C-2"], "annual_revenue": [5_000_000, 100]})
    full = pa.table(policy.score_customers(table, AS_OF))
    none = pa.table(policy.score_customers(table, AS_OF, reasons="none"))
    codes = pa.table(policy.score_customers(table, AS_OF, reasons="codes"))
    assert "reasons" in full.column_names and "reasons" not in none.column_names
    assert none.column("tier").to_pylist() == full.column("tier").to_pylist() == codes.column("tier").to_pylist()
    for row in codes.column("reasons").to_pylist():
        assert row and all(r["message"] is None and r["code"] for r in row)
        # Facts travel as JSON text in a table.
        assert all(isinstance(json.loads(r["facts"]), dict) for r in row)
    zh = pa.table(policy.score_customers(table, AS_OF, lang="zh"))
    assert all(CJK.search(r["message"]) for row in zh.column("reasons").to_pylist() for r in row)
