"""The error wire form: the shared error vectors (tests/vectors/errors/wire.json),
which Rust (tests/vectors.rs, the CLI) and JS (e2e/node.test.js) replay too, give
byte-identical canonical JSON here, through the single call, the batch and Arrow."""

from __future__ import annotations

import json
import pickle
from decimal import Decimal
from typing import Any

import pyarrow as pa
import pytest

import kam
from conftest import ROOT, load_json

DOC = load_json(ROOT / "tests" / "vectors" / "errors" / "wire.json")
CASES = DOC["cases"]
IDS = [c["name"] for c in CASES]


def canonical(value: Any) -> str:
    """Keys sorted, compact, the exact digits of any Decimal: the form all three bindings compare."""

    def plain(v: Any) -> Any:
        if isinstance(v, Decimal):
            return int(v) if v == v.to_integral_value() else str(v)
        raise TypeError(type(v).__name__)

    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=plain)


def build(name: str) -> kam.Policy:
    spec = DOC["policies"][name]
    sources = {k: v for k, v in kam.Policy.from_dir(ROOT / "rules").sources.items() if not k.startswith("tests/")}
    for gone in spec.get("remove", []):
        del sources[gone]
    sources.update(spec.get("files", {}))
    return kam.Policy.from_sources(sources, limits=spec.get("limits"))


POLICIES = {name: build(name) for name in DOC["policies"]}


def expected(case: dict) -> Any:
    """The case's answer for the engine in use: the few answers that differ by
    design (a limit error's line) carry the interpreter's separately."""
    policy = POLICIES[case["policy"]]
    if policy.engine == "interpreted" and "expect_error_interpreted" in case:
        return case["expect_error_interpreted"]
    return case["expect_error"]


def single(policy: kam.Policy, entry: str, record: Any) -> Any:
    if entry == "customer":
        return policy.evaluate_customer(record, as_of=DOC["as_of"])
    return policy.evaluate_staff(record)


def batch(policy: kam.Policy, entry: str, record: Any) -> Any:
    if entry == "customer":
        return policy.evaluate_customers([record], as_of=DOC["as_of"])
    return policy.evaluate_staff_batch([record])


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_the_single_call_raises_the_recorded_wire_form(case: dict) -> None:
    want = expected(case)
    with pytest.raises(kam.KamError) as info:
        single(POLICIES[case["policy"]], case["entry"], case["record"])
    err = info.value
    assert canonical(err.to_dict()) == canonical(want)
    assert (err.kind, err.code) == (want["kind"], want["code"])
    assert getattr(err, "record_id", None) == want["record_id"]
    assert err.to_dict() is not err.to_dict()  # a fresh copy each time
    again = pickle.loads(pickle.dumps(err))
    assert (again.code, again.to_dict()) == (err.code, err.to_dict())


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_a_batch_reports_the_recorded_wire_form_with_the_id(case: dict) -> None:
    want = expected(case)
    policy = POLICIES[case["policy"]]
    if want["kind"] == "policy":
        # Raised once, before any record is read.
        with pytest.raises(kam.PolicyError) as info:
            batch(policy, case["entry"], case["record"])
        assert canonical(info.value.to_dict()) == canonical(want)
        return
    [entry] = batch(policy, case["entry"], case["record"])
    assert canonical(entry) == canonical({"id": want["record_id"], "error": want})


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_the_arrow_error_column_holds_the_wire_form(case: dict) -> None:
    want = expected(case)
    policy = POLICIES[case["policy"]]
    if not isinstance(case["record"], dict):
        pytest.skip("not a row of a table")
    if "" in case["record"].values():
        # docs/policy.md §Records: an empty table cell is missing.
        pytest.skip("in a table an empty cell is a missing value (docs/policy.md, Records), not an empty text")
    table = pa.Table.from_pylist([case["record"]])
    score = (
        (lambda: policy.score_customers(table, as_of=DOC["as_of"]))
        if case["entry"] == "customer"
        else (lambda: policy.score_staff(table))
    )
    if want["kind"] == "policy":
        with pytest.raises(kam.PolicyError) as info:
            score()
        assert canonical(info.value.to_dict()) == canonical(want)
        return
    try:
        out = score()
    except kam.RecordError as e:
        # A column no record accepts (an unknown field) refuses the whole table.
        assert (e.code, e.field) == (want["code"], want["field"])
        return
    error = out.column("error")[0].as_py()
    assert list(error) == ["kind", "code", "record_id", "field", "message", "file", "line", "column"]
    present = {k: v for k, v in error.items() if v is not None}
    assert canonical(present) == canonical({k: v for k, v in want.items() if v is not None})


def test_every_code_has_a_vector() -> None:
    codes = {(c["expect_error"]["kind"], c["expect_error"]["code"]) for c in CASES}
    assert codes == {
        ("record", "missing"),
        ("record", "invalid"),
        ("record", "unknown_field"),
        ("record", "malformed"),
        ("rule", "script"),
        ("rule", "shape"),
        ("rule", "limit"),
        ("policy", "missing_entry"),
    }


def test_a_value_python_alone_holds_keeps_the_record_id_in_a_batch(policy: kam.Policy) -> None:
    # The dict's id was lost when a value could not be converted ({"id": None}).
    record = {"id": "C-1", "annual_revenue": 1, "attributes": {"tags": {1, 2}}}
    [out] = policy.evaluate_customers([record], as_of="2026-11-01")
    assert out["id"] == "C-1"
    assert (out["error"]["record_id"], out["error"]["code"], out["error"]["field"]) == ("C-1", "invalid", "attributes.tags")
    with pytest.raises(kam.RecordError) as info:
        policy.evaluate_customer(record, as_of="2026-11-01")
    assert info.value.record_id == "C-1" and info.value.to_dict() == out["error"]


def test_a_non_dict_record_is_refused_as_every_binding_refuses_it(policy: kam.Policy) -> None:
    [out] = policy.evaluate_customers(["E-6"], as_of="2026-11-01")  # type: ignore[list-item]
    want = next(c for c in CASES if c["record"] == "E-6")["expect_error"]
    assert canonical(out) == canonical({"id": None, "error": want})
