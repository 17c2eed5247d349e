"""Every shared vector gives, through the dict API and the Arrow API, exactly the
result Rust records in tests/vectors (the same files the Rust and WASM suites replay)."""

from __future__ import annotations

import datetime
import json
from decimal import Decimal
from typing import Any

import pyarrow as pa
import pytest

from conftest import no_floats, plain, vector_cases

CASES = vector_cases()
IDS = [f"{f}:{c['name']}" for f, _, _, c in CASES]


def test_there_are_vectors_of_both_kinds() -> None:
    entries = {e for _, e, _, _ in CASES}
    assert entries == {"customer", "staff"}
    assert len(CASES) >= 100


def evaluate_dict(policy: Any, entry: str, as_of: str, record: Any) -> Any:
    """The dict API's answer, as a vector stores it (result minus policy, or the error)."""
    if entry == "customer":
        [out] = policy.evaluate_customers([record], as_of=as_of)
    else:
        [out] = policy.evaluate_staff_batch([record])
    if "error" in out:
        return {"error": out["error"]}
    assert out.pop("policy")["digest"] == policy.digest
    return out


@pytest.mark.parametrize("file,entry,as_of,case", CASES, ids=IDS)
def test_dict_api_matches_the_vector(policy: Any, file: str, entry: str, as_of: str, case: dict) -> None:
    got = evaluate_dict(policy, entry, as_of, case["record"])
    assert no_floats(got), "decimals must come back as decimal.Decimal, never float"
    if "expect_error" in case:
        assert "error" in got, f"expected an error, got {got}"
        assert got["error"] == case["expect_error"]
    else:
        assert plain(got) == case["expect"]


def test_single_record_api_raises_what_the_batch_api_reports(policy: Any) -> None:
    import kam

    for _, entry, as_of, case in CASES:
        if "expect_error" not in case:
            continue
        expected = case["expect_error"]
        with pytest.raises(kam.KamError) as info:
            if entry == "customer":
                policy.evaluate_customer(case["record"], as_of=as_of)
            else:
                policy.evaluate_staff(case["record"])
        err = info.value
        assert (err.kind, err.code) == (expected["kind"], expected["code"])
        assert getattr(err, "field", None) == expected.get("field")
        assert err.detail == expected["message"]
        assert err.to_dict() == expected


# --- the Arrow API -------------------------------------------------------------------------


def unflatten_customer(row: dict) -> dict:
    if row["error"] is not None:
        return {"error": {k: v for k, v in row["error"].items() if v is not None}}
    proposal = None
    if row["blacklist_proposal.until"] is not None:
        proposal = {"until": row["blacklist_proposal.until"], "needs": row["blacklist_proposal.needs"]}
    visit = None
    if row["visit.interval_days"] is not None:
        visit = {
            "interval_days": row["visit.interval_days"],
            "next_due": row["visit.next_due"],
            "overdue": row["visit.overdue"],
        }
    return {
        "id": row["id"],
        "status": row["status"],
        "tier": row["tier"],
        "previous_tier": row["previous_tier"],
        "change": row["change"],
        "downgrade_deadline": row["downgrade_deadline"],
        "key_account": row["key_account"],
        "categories": row["categories"],
        "admission": {
            "admitted": row["admission.admitted"],
            "failed": row["admission.failed"],
            "approvals": row["admission.approvals"],
        },
        "blacklist_proposal": proposal,
        "visit": visit,
        "reasons": facts_parsed(row["reasons"]),
    }


def facts_parsed(items: list[dict]) -> list[dict]:
    """Reasons or adjustments with their facts read back: a table carries facts as JSON text."""
    return [{**x, "facts": json.loads(x["facts"], parse_float=Decimal)} for x in items]


def unflatten_staff(row: dict) -> dict:
    if row["error"] is not None:
        return {"error": {k: v for k, v in row["error"].items() if v is not None}}
    items = [{**i, "adjustments": facts_parsed(i["adjustments"])} for i in row["scorecard.items"]]
    for item in items:
        assert row[f"score.{item['id']}"] == item["score"]
    return {
        "id": row["id"],
        "period": row["period"],
        "kpis": {k[len("kpis.") :]: v for k, v in row.items() if k.startswith("kpis.")},
        "scorecard": {"total": row["scorecard.total"], "items": items},
        "grade": row["grade"],
        "actions": row["actions"],
        "composite": row["composite"],
        "reasons": facts_parsed(row["reasons"]),
    }


def one_row_table(record: Any) -> pa.Table | None:
    """The record as a one-row Arrow table, or None when Arrow cannot hold it at all."""
    if not isinstance(record, dict):
        return None
    try:
        return pa.Table.from_pylist([record])
    except (pa.ArrowInvalid, pa.ArrowTypeError, OverflowError):
        return None


def drop_none(error: dict) -> dict:
    return {k: v for k, v in error.items() if v is not None}


ARROW_SKIPPED: list[str] = []


@pytest.mark.parametrize("file,entry,as_of,case", CASES, ids=IDS)
def test_arrow_api_matches_the_vector(policy: Any, file: str, entry: str, as_of: str, case: dict) -> None:
    table = one_row_table(case["record"])
    if table is None:
        ARROW_SKIPPED.append(case["name"])
        pytest.skip("pyarrow cannot build a table from this record (not an Arrow-shaped input)")
    import kam

    try:
        if entry == "customer":
            out = policy.score_customers(table, as_of=as_of)
        else:
            out = policy.score_staff(table)
    except kam.RecordError as e:
        # A column Arrow typed in a way no record accepts (e.g. an unknown field) is
        # refused for the whole table; it must be the error the vector expects.
        assert "expect_error" in case, f"table refused: {e}"
        assert e.field == case["expect_error"]["field"]
        return
    assert out.num_rows == 1
    row = out.to_pylist()[0]
    got = unflatten_customer(row) if entry == "customer" else unflatten_staff(row)
    if "expect_error" in case:
        assert "error" in got, f"expected an error, got {got}"
        want = drop_none(case["expect_error"])
        assert got["error"] == want
    else:
        assert plain(got) == case["expect"]


def test_few_vectors_are_not_arrow_shaped() -> None:
    # Only inputs that are not tables at all (a list instead of a record, …) may skip.
    assert len(ARROW_SKIPPED) <= 5, ARROW_SKIPPED


def test_arrow_decimals_are_exact_decimal128(policy: Any) -> None:
    staff = [c for _, e, _, c in CASES if e == "staff" and "expect" in c]
    out = policy.score_staff(pa.Table.from_pylist([staff[0]["record"]]))
    assert out.schema.field("scorecard.total").type == pa.decimal128(38, 28)
    total = out.column("scorecard.total")[0].as_py()
    assert isinstance(total, Decimal)
    assert total == Decimal(str(staff[0]["expect"]["scorecard"]["total"]))
    assert out.schema.field("period").type == pa.string()
    cust = [c for _, e, a, c in CASES if e == "customer" and "expect" in c and c["expect"]["visit"]]
    out = policy.score_customers(pa.Table.from_pylist([cust[0]["record"]]), as_of="2026-11-01")
    assert out.schema.field("visit.next_due").type == pa.date32()
    assert isinstance(out.column("visit.next_due")[0].as_py(), datetime.date)
