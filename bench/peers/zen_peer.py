"""Peer: GoRules ZEN (`zen-engine`, the Python bindings of the Rust ZEN engine).

The rules are JDM decision graphs, written below as the JSON the JDM editor
saves (Python dicts, one table definition shared by both graphs):

- `tier`: request -> "Base tier" decision table (first hit) -> response.
- `full`: request -> "Base tier", "Key account" (first hit) and "Admission
  checks" (collect: every failing check, in rule order) side by side ->
  "Decision" expression node (failed, admitted, approvals) -> response.

How records are presented (`to_input`): ZEN's expression language computes in
exact decimals (rust_decimal), but the Python bindings take a context dict
through serde: a `Decimal` is refused (TypeError), and a `float` is converted
with `Decimal::from_f64`, which rounds (e.g. float 4403878612.52 does not
compare equal to 4403878612.52 in ZEN, and 0.1 + 0.2 == 0.3 is true). So money
is passed as its exact decimal text and the graph reads it with `number(...)`,
which parses the text exactly (the same as a JSON number read from JSON text).
Dates are ISO text compared through `date(...)`; counts are ints.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Iterable

import zen

# ── the decision graphs (JDM) ───────────────────────────────────────────────

def _table(id: str, name: str, hit_policy: str, inputs: list[tuple[str, str, str]],
           outputs: list[tuple[str, str, str]], rules: list[list[str]], output_path: str | None = None) -> dict:
    """A decisionTableNode. `inputs`/`outputs` are (id, name, field); each rule
    lists one cell per input, then one per output (an empty cell matches anything)."""
    columns = [c[0] for c in inputs] + [c[0] for c in outputs]
    return {
        "id": id, "type": "decisionTableNode", "name": name, "position": {"x": 0, "y": 0},
        "content": {
            "hitPolicy": hit_policy,
            "inputs": [{"id": i, "name": n, "field": f} for i, n, f in inputs],
            "outputs": [{"id": i, "name": n, "field": f} for i, n, f in outputs],
            "rules": [{"_id": f"{id}-{k}", **dict(zip(columns, cells, strict=True))} for k, cells in enumerate(rules)],
            "passThrough": False, "inputField": None, "outputPath": output_path, "executionMode": "single",
        },
    }


def _expression(id: str, name: str, expressions: list[tuple[str, str]], pass_through: bool) -> dict:
    return {
        "id": id, "type": "expressionNode", "name": name, "position": {"x": 0, "y": 0},
        "content": {
            "expressions": [{"id": f"{id}-{k}", "key": key, "value": value}
                            for k, (key, value) in enumerate(expressions)],
            "passThrough": pass_through, "inputField": None, "outputPath": None, "executionMode": "single",
        },
    }


def _node(id: str, type: str) -> dict:
    return {"id": id, "type": type, "name": id, "position": {"x": 0, "y": 0}, "content": {}}


def _graph(nodes: list[dict], edges: list[tuple[str, str]]) -> dict:
    """A decision graph from its nodes (besides request and response) and edges."""
    return {
        "contentType": "application/vnd.gorules.decision",
        "nodes": [_node("request", "inputNode"), *nodes, _node("response", "outputNode")],
        "edges": [{"id": f"{a}->{b}", "type": "edge", "sourceId": a, "targetId": b} for a, b in edges],
    }


# docs/policy.md §Customers, base tier.
# Good payment = no late payment, no overdue pickup, credit excellent/good.
BASE_TIER = _table(
    "base_tier", "Base tier", "first",
    inputs=[("revenue", "Annual revenue", "number(annual_revenue)"),
            ("late", "Late payments", "late_payments"),
            ("overdue", "Overdue pickups", "overdue_pickups"),
            ("credit", "Credit rating", "credit_rating"),
            ("intent", "Long-term intent", "long_term_intent"),
            ("disputes", "Legal disputes", "legal_disputes")],
    outputs=[("tier", "Tier", "tier")],
    rules=[
        [">= 3000000", "0", "0", "'excellent', 'good'", "true", "", "'A'"],
        [">= 1000000", "", "", "not in ['poor', 'bad']", "", "0", "'B'"],
        [">= 500000", "", "", "", "", "", "'C'"],
        ["", "", "", "", "", "", "'D'"],
    ],
)

# Step 8.
KEY_ACCOUNT = _table(
    "key_account", "Key account", "first",
    inputs=[("revenue", "Annual revenue", "number(annual_revenue)"),
            ("need", "Business need", "business_need"),
            ("intent", "Long-term intent", "long_term_intent"),
            ("influence", "Industry influence", "industry_influence")],
    outputs=[("key", "Key account", "key_account")],
    rules=[
        [">= 1000000", "", "", "", "true"],
        ["", "true", "true", "", "true"],
        ["", "", "", "true", "true"],
        ["", "", "", "", "false"],
    ],
)

# Step 9: every failing check, in order (collect keeps the rule order).
ADMISSION_CHECKS = _table(
    "admission_checks", "Admission checks", "collect",
    inputs=[("blacklisted", "Active blacklist", "blacklisted_until != null and date(blacklisted_until) > date(as_of)"),
            ("credit", "Credit problem",
             "credit_rating in ['poor', 'bad'] or legal_disputes > 0 or bad_credit_record"),
            ("need", "Business need", "business_need"),
            ("aligned", "Aligned", "aligned"),
            ("fit", "Strategic fit", "strategic_fit")],
    outputs=[("check", "Failed check", "check")],
    rules=[
        ["true", "", "", "", "", "'blacklisted'"],
        ["", "true", "", "", "", "'credit'"],
        ["", "", "false", "", "", "'need'"],
        ["", "", "", "false", "", "'alignment'"],
        ["", "", "", "", "false", "'strategic_fit'"],
    ],
    output_path="failed_checks",
)

DECISION = _expression("decision", "Decision", [
    ("tier", "tier"),
    ("key_account", "key_account"),
    ("admission.failed", "map(failed_checks, #.check)"),
    ("admission.admitted", "len($.admission.failed) == 0"),
    ("admission.approvals", "$.admission.admitted ? ['account_manager', 'department_head', 'company_leader'] : []"),
], pass_through=False)

# request -> base tier -> response
TIER_GRAPH = _graph([BASE_TIER], [("request", "base_tier"), ("base_tier", "response")])

# request -> {base tier, key account, admission checks} -> decision -> response:
# three independent tables on the request, joined by the expression node.
FULL_GRAPH = _graph(
    [BASE_TIER, KEY_ACCOUNT, ADMISSION_CHECKS, DECISION],
    [("request", "base_tier"), ("request", "key_account"), ("request", "admission_checks"),
     ("base_tier", "decision"), ("key_account", "decision"), ("admission_checks", "decision"),
     ("decision", "response")],
)


# ── the engine ──────────────────────────────────────────────────────────────

@dataclass(frozen=True)
class Graph:
    """A graph loaded in the engine, evaluated by key: `engine.evaluate(key, ...)`
    per record, `engine.evaluate_batch([{key, context}, ...])` for a batch.

    (Not `ZenDecision.evaluate`: in this binding it builds a new tokio runtime
    on every call, about 1 ms a record; `engine.evaluate` with the loader is
    the documented fast path, about 20 µs.)"""
    engine: zen.ZenEngine
    key: str


_ENGINE: zen.ZenEngine | None = None


def _engine() -> zen.ZenEngine:
    global _ENGINE
    if _ENGINE is None:
        _ENGINE = zen.ZenEngine({"loader": {"type": "static", "content": {"tier": TIER_GRAPH, "full": FULL_GRAPH}}})
    return _ENGINE


def _load(key: str) -> Graph:
    engine = _engine()
    engine.get_decision(key).validate()     # fails here, not on the first record, if the graph is wrong
    return Graph(engine, key)


def tier_decision() -> Graph:
    return _load("tier")


def full_decision() -> Graph:
    return _load("full")


# ── records ─────────────────────────────────────────────────────────────────

def to_input(rec: dict, as_of: datetime.date | str) -> dict:
    """The ZEN context for one customer record (record defaults filled in)."""
    def count(name: str) -> int:
        v = rec.get(name)
        return 0 if v is None else int(v)

    def flag(name: str) -> bool:
        return bool(rec.get(name) or False)

    return {
        "annual_revenue": str(rec["annual_revenue"]),   # exact decimal text, read by number()
        "late_payments": count("late_payments"),
        "overdue_pickups": count("overdue_pickups"),
        "credit_rating": rec.get("credit_rating") or "fair",
        "legal_disputes": count("legal_disputes"),
        "bad_credit_record": flag("bad_credit_record"),
        "business_need": flag("business_need"),
        "aligned": flag("aligned"),
        "strategic_fit": flag("strategic_fit"),
        "long_term_intent": flag("long_term_intent"),
        "industry_influence": flag("industry_influence"),
        "blacklisted_until": rec.get("blacklisted_until"),
        "as_of": as_of if isinstance(as_of, str) else as_of.isoformat(),
    }


# ── evaluation ──────────────────────────────────────────────────────────────

# Records per evaluate_batch call: the engine holds every request and response
# of a call at once (about 10 kB a record for the full graph), so a million
# records go in chunks; 10,000 a call is as fast as one call for all.
BATCH_SIZE = 10_000


def _batch(graph: Graph, inputs: Iterable[dict]) -> list[dict]:
    inputs = list(inputs)
    out = []
    for start in range(0, len(inputs), BATCH_SIZE):
        requests = [{"key": graph.key, "context": c} for c in inputs[start:start + BATCH_SIZE]]
        for r in graph.engine.evaluate_batch(requests):
            if not r["success"]:
                raise RuntimeError(f"zen: {r.get('error')!r}")
            out.append(r["data"]["result"])
    return out


def tier_batch(decision: Graph, inputs: Iterable[dict]) -> list[str]:
    return [r["tier"] for r in _batch(decision, inputs)]


def tier_each(decision: Graph, inputs: Iterable[dict]) -> list[str]:
    evaluate, key = decision.engine.evaluate, decision.key
    return [evaluate(key, c)["result"]["tier"] for c in inputs]


def full_batch(decision: Graph, inputs: Iterable[dict]) -> list[dict]:
    return _batch(decision, inputs)


def full_each(decision: Graph, inputs: Iterable[dict]) -> list[dict]:
    evaluate, key = decision.engine.evaluate, decision.key
    return [evaluate(key, c)["result"] for c in inputs]

