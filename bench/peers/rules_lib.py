"""Peer: rule-engine (PyPI `rule-engine`), the four-branch base tier only.

One `Rule` per tier, tried best first; a record that matches none is `D`.
rule-engine's FLOAT type is `decimal.Decimal` (number literals in rule text
parse to Decimal, and ints/Decimals from the record stay Decimal), so the money
thresholds compare exactly: 2999999.99 is below 3000000. Symbols are typed with
a type resolver, so a misspelt field fails when the rule is built; the symbol
resolver fills the record defaults (rules/CONTRACT.md) for absent/null optional
fields and reads money given as numeric text ("3000000.00") as a Decimal.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Iterable

import rule_engine
from rule_engine import DataType

TIER_RULES = [
    ("A", "annual_revenue >= 3000000 and late_payments == 0 and overdue_pickups == 0"
          " and credit_rating in ['excellent', 'good'] and long_term_intent"),
    ("B", "annual_revenue >= 1000000 and credit_rating not in ['poor', 'bad'] and legal_disputes == 0"),
    ("C", "annual_revenue >= 500000"),
]
OTHERWISE = "D"

TYPES = {
    "annual_revenue": DataType.FLOAT,
    "late_payments": DataType.FLOAT,
    "overdue_pickups": DataType.FLOAT,
    "legal_disputes": DataType.FLOAT,
    "credit_rating": DataType.STRING,
    "long_term_intent": DataType.BOOLEAN,
}

DEFAULTS: dict[str, Any] = {
    "late_payments": 0,
    "overdue_pickups": 0,
    "legal_disputes": 0,
    "credit_rating": "fair",
    "long_term_intent": False,
}


def _resolve(rec: dict, name: str) -> Any:
    value = rec.get(name)
    if value is None:
        return DEFAULTS[name]          # annual_revenue is required: a KeyError if missing
    if name == "annual_revenue":
        return Decimal(value)          # a JSON number (Decimal) or numeric text
    return value


def tier_rules() -> list[tuple[str, rule_engine.Rule]]:
    context = rule_engine.Context(type_resolver=TYPES, resolver=_resolve)
    return [(tier, rule_engine.Rule(text, context=context)) for tier, text in TIER_RULES]


def tier_of(rules: list[tuple[str, rule_engine.Rule]], rec: dict) -> str:
    for tier, rule in rules:
        if rule.matches(rec):
            return tier
    return OTHERWISE


def tier_each(rules: list[tuple[str, rule_engine.Rule]], recs: Iterable[dict]) -> list[str]:
    return [tier_of(rules, rec) for rec in recs]
