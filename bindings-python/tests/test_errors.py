"""Every exception type with its attributes; hostile rules end as errors, never hangs or panics."""

from __future__ import annotations

import pickle
import subprocess
import sys
import textwrap
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

import kam

AS_OF = "2026-11-01"
GOOD = {"id": "C-1", "annual_revenue": "3000000", "credit_rating": "good", "long_term_intent": True}


def edited(policy: kam.Policy, file: str, old: str, new: str, **kw: Any) -> kam.Policy:
    sources = dict(policy.sources)
    assert old in sources[file], f"{old!r} not in {file}"
    sources[file] = sources[file].replace(old, new, 1)
    return kam.Policy.from_sources(sources, **kw)


def test_policy_error_has_file_line_column_and_every_defect(policy: kam.Policy) -> None:
    sources = dict(policy.sources)
    sources["customer_visit.rhai"] = "fn broken( {\n"
    sources["extra.rhai"] = "fn ok() { 1 }\n\nlet x = ;\n"
    with pytest.raises(kam.PolicyError) as info:
        kam.Policy.from_sources(sources)
    err = info.value
    assert isinstance(err, kam.KamError) and err.kind == "policy"
    files = {e["file"] for e in err.errors}
    assert {"customer_visit.rhai", "extra.rhai"} <= files
    extra = next(e for e in err.errors if e["file"] == "extra.rhai")
    assert extra["line"] == 3 and extra["column"] is not None and extra["message"]
    assert err.file == err.errors[0]["file"] and err.line == err.errors[0]["line"]


def test_policy_error_from_a_missing_directory(tmp_path: Path) -> None:
    with pytest.raises(kam.PolicyError) as info:
        kam.Policy.from_dir(tmp_path / "nope")
    assert "nope" in str(info.value)


def test_record_error_attributes(policy: kam.Policy) -> None:
    with pytest.raises(kam.RecordError) as info:
        policy.evaluate_customer({**GOOD, "annual_revenue": "-1"}, as_of=AS_OF)
    err = info.value
    assert (err.kind, err.record_id, err.field) == ("record", "C-1", "annual_revenue")
    assert "-1" in err.detail and "C-1" in str(err)
    with pytest.raises(kam.RecordError) as info:
        policy.evaluate_customer({**GOOD, "anual_revenue": 5}, as_of=AS_OF)
    assert info.value.field == "anual_revenue" and "annual_revenue" in info.value.detail


def test_python_values_that_are_not_json_are_record_errors(policy: kam.Policy) -> None:
    with pytest.raises(kam.RecordError) as info:
        policy.evaluate_customer({**GOOD, "attributes": {"tags": {1, 2}}}, as_of=AS_OF)
    assert info.value.field == "attributes.tags" and "set" in info.value.detail
    with pytest.raises(kam.RecordError):
        policy.evaluate_customer(["not", "a", "dict"], as_of=AS_OF)  # type: ignore[arg-type]
    [out] = policy.evaluate_customers([42], as_of=AS_OF)  # type: ignore[list-item]
    assert out["error"]["kind"] == "record"


def test_deeply_nested_and_cyclic_values_are_record_errors_not_a_crash(root: Path) -> None:
    # Converting a dict recursed once per level with no limit: 100,000 levels
    # (or a list that contains itself) overflowed the native stack and killed
    # the interpreter (SIGSEGV). In a child, so a regression fails this test only.
    code = textwrap.dedent(
        f"""
        import kam
        policy = kam.Policy.from_dir({str(root / "rules")!r})
        deep = "x"
        for _ in range(100_000):
            deep = {{"a": deep}}
        cyclic = []
        cyclic.append(cyclic)
        for value in (deep, cyclic):
            record = {{"id": "C-1", "annual_revenue": 1, "attributes": {{"v": value}}}}
            try:
                policy.evaluate_customer(record, as_of="2026-11-01")
            except kam.RecordError as e:
                print(e.field[:20])
        """
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.split("\n")[:2] == ["attributes.v.a.a.a.a", "attributes.v[0][0][0"], out.stdout


def test_a_column_type_nested_thousands_deep_is_an_error_not_a_crash(root: Path) -> None:
    # arrow-rs imports a schema recursively: a struct column nested 5,000 levels
    # overflowed the stack (SIGSEGV). In a child, so a regression fails this test only.
    code = textwrap.dedent(
        f"""
        import pyarrow as pa, kam
        policy = kam.Policy.from_dir({str(root / "rules")!r})
        for depth in (60, 5_000):
            t = pa.int64()
            for _ in range(depth):
                t = pa.struct([("a", t)])
            table = pa.table({{"id": ["C-1"], "annual_revenue": ["1"], "attributes": pa.nulls(1, type=t)}})
            try:
                out = policy.score_customers(table, as_of="2026-11-01", extra_columns="attributes")
                print(depth, "scored", out.column("tier").to_pylist())
            except ValueError as e:
                print(depth, "refused", "more than 64 levels" in str(e))
        """
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.split("\n")[:2] == ["60 scored ['D']", "5000 refused True"], out.stdout


def test_values_python_alone_can_hold_are_record_errors_that_say_what_they_are(policy: kam.Policy) -> None:
    for value, field, says in [
        ("C-1\ud800", "id", "lone surrogate"),
        (10**5000, "annual_revenue", "4,300 digits"),
    ]:
        record = {"id": "C-1", "annual_revenue": 1, field: value}
        with pytest.raises(kam.RecordError, match=says) as info:
            policy.evaluate_customer(record, as_of="2026-11-01")
        assert info.value.field == field


def test_inputs_accept_dates_decimals_floats_and_numeric_strings(policy: kam.Policy) -> None:
    import datetime

    base = {**GOOD, "tier": "A", "last_visit": datetime.date(2026, 10, 1)}
    forms = [Decimal("3000000.00"), 3000000, 3000000.0, "3000000"]
    results = [policy.evaluate_customer({**base, "annual_revenue": v}, as_of=datetime.date(2026, 11, 1)) for v in forms]
    assert {r["tier"] for r in results} == {"A"}
    assert {r["visit"]["next_due"] for r in results} == {datetime.date(2026, 10, 31)}
    below = policy.evaluate_customer({**base, "annual_revenue": Decimal("2999999.99")}, as_of=AS_OF)
    assert below["tier"] == "B"
    nan = policy.evaluate_customer({**base, "late_payments": float("nan")}, as_of=AS_OF)
    assert nan["tier"] == "A"  # NaN is missing: the default 0 applies
    with pytest.raises(kam.RecordError) as info:
        policy.evaluate_customer({**base, "annual_revenue": float("inf")}, as_of=AS_OF)
    assert info.value.field == "annual_revenue"
    with pytest.raises(ValueError):
        policy.evaluate_customer(base, as_of="2026-02-30")
    with pytest.raises(TypeError):
        policy.evaluate_customer(base, as_of=20261101)  # type: ignore[arg-type]


def test_rule_error_has_file_line_and_record(policy: kam.Policy) -> None:
    marker = "fn customer(c, as_of, p) {"
    broken = edited(policy, "customer.rhai", marker, marker + '\n    if c.id == "C-bad" { throw "refused"; }')
    with pytest.raises(kam.RuleError) as info:
        broken.evaluate_customer({**GOOD, "id": "C-bad"}, as_of=AS_OF)
    err = info.value
    assert (err.kind, err.record_id, err.file, err.limit) == ("rule", "C-bad", "customer.rhai", False)
    line = broken.sources["customer.rhai"].splitlines().index(marker) + 2
    assert err.line == line and err.column is not None
    assert "refused" in err.detail
    # The same policy keeps serving other records.
    assert broken.evaluate_customer(GOOD, as_of=AS_OF)["tier"] == "A"


def test_an_infinite_loop_is_a_rule_error_not_a_hang(policy: kam.Policy) -> None:
    marker = "fn customer(c, as_of, p) {"
    looping = edited(policy, "customer.rhai", marker, marker + "\n    loop { }")
    start = time.monotonic()
    with pytest.raises(kam.RuleError) as info:
        looping.evaluate_customer(GOOD, as_of=AS_OF)
    assert info.value.limit
    assert time.monotonic() - start < 30  # bounded by the operation limit, not a hang
    [out] = looping.evaluate_customers([GOOD], as_of=AS_OF)
    assert out["error"]["kind"] == "rule" and out["id"] == "C-1"
    # A smaller operation budget from Python is honoured.
    tight = edited(policy, "customer.rhai", marker, marker + "\n    loop { }", limits={"max_operations": 1000})
    assert tight.limits["max_operations"] == 1000
    with pytest.raises(kam.RuleError, match="operations"):
        tight.evaluate_customer(GOOD, as_of=AS_OF)
    assert policy.evaluate_customer(GOOD, as_of=AS_OF)["tier"] == "A"


def test_unknown_limits_are_refused() -> None:
    with pytest.raises(ValueError, match="max_ops"):
        kam.Policy.from_dir(Path(__file__).resolve().parents[2] / "rules", limits={"max_ops": 1})  # type: ignore[typeddict-unknown-key]


@pytest.mark.parametrize(
    ("limits", "says"),
    [
        ({"max_operations": 0}, "max_operations: expected a whole number from 1"),  # rhai: 0 = unlimited
        ({"max_operations": -1}, "max_operations"),
        ({"max_operations": True}, "max_operations"),
        ({"max_operations": "1000"}, "max_operations"),
        ({"max_call_levels": 50}, "max_call_levels: .*1 MiB stack"),
        ({"max_expr_depth": (41, 32)}, "max_expr_depth"),
        ({"max_string_size": 1 << 30}, "max_string_size"),
        ({"max_seconds": 0}, "max_seconds"),
        ({"max_seconds": float("nan")}, "max_seconds: NaN"),
        ({"max_seconds": float("inf")}, "max_seconds"),
        ({"max_seconds": {1, 2}}, "max_seconds"),
    ],
)
def test_unsafe_or_mistyped_limits_are_refused_by_name(policy: kam.Policy, limits: dict[str, object], says: str) -> None:
    with pytest.raises(ValueError, match=says):
        kam.Policy.from_sources(policy.sources, limits=limits)  # type: ignore[arg-type]


def test_limits_read_one_depth_for_both_and_keep_the_rest(policy: kam.Policy) -> None:
    p = kam.Policy.from_sources(policy.sources, limits={"max_expr_depth": 30, "max_seconds": 0.25})
    assert p.limits["max_expr_depth"] == (30, 30)
    assert p.limits["max_seconds"] == 0.25
    assert p.limits["max_operations"] == policy.limits["max_operations"]


def test_exceptions_pickle_with_their_attributes(policy: kam.Policy) -> None:
    with pytest.raises(kam.RecordError) as info:
        policy.evaluate_customer({**GOOD, "credit_rating": "great"}, as_of=AS_OF)
    again = pickle.loads(pickle.dumps(info.value))
    assert type(again) is kam.RecordError
    assert (again.record_id, again.field, again.detail, str(again)) == (
        info.value.record_id,
        info.value.field,
        info.value.detail,
        str(info.value),
    )


def test_check_runs_the_policys_own_cases(policy: kam.Policy) -> None:
    assert sum(1 for k in policy.sources if k.startswith("tests/")) >= 2
    assert policy.check() == []
    wrong = edited(policy, "parameters.rhai", "a_min_revenue: 3_000_000", "a_min_revenue: 3_000_001")
    diagnostics = wrong.check()
    assert diagnostics and all(d["file"].startswith("tests/") and "failed" in d["message"] for d in diagnostics)
    assert any("exactly at the A threshold" in d["message"].lower() or "3,000,000" in d["message"] for d in diagnostics)
    broken = kam.Policy.from_sources({**policy.sources, "tests/bad.json": "{not json"})
    assert [d["file"] for d in broken.check()] == ["tests/bad.json"]
