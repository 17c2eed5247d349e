"""The Arrow API on real table libraries: pandas, polars, pyarrow; bad rows; extra columns."""

from __future__ import annotations

import datetime
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pandas as pd
import polars as pl
import pyarrow as pa
import pytest

import kam

AS_OF = "2026-11-01"


def by_id(table: pa.Table, *columns: str) -> dict:
    rows = table.select(["id", *columns]).to_pylist()
    return {r["id"]: tuple(r[c] for c in columns) for r in rows}


def test_pandas_csv_gives_the_dict_api_answers(policy: kam.Policy, root: Path) -> None:
    df = pd.read_csv(root / "data" / "customers.csv")
    out = policy.score_customers(df, as_of=AS_OF)
    assert isinstance(out, pa.Table) and out.num_rows == len(df)
    assert out.column("error").null_count == len(df)
    # The same rows through the dict API (pandas' NaN is missing in both).
    records = df.to_dict("records")
    expected = {r["id"]: (r["tier"], r["change"], r["admission"]["admitted"]) for r in policy.evaluate_customers(records, as_of=AS_OF)}
    assert by_id(out, "tier", "change", "admission.admitted") == expected


def test_polars_and_pyarrow_give_the_pandas_answers(policy: kam.Policy, root: Path) -> None:
    csv = root / "data" / "customers.csv"
    want = by_id(policy.score_customers(pd.read_csv(csv), as_of=AS_OF), "tier", "reasons")
    got_polars = policy.score_customers(pl.read_csv(csv), as_of=AS_OF)
    assert by_id(got_polars, "tier", "reasons") == want
    import pyarrow.csv as pacsv

    table = pacsv.read_csv(csv)
    assert by_id(policy.score_customers(table, as_of=AS_OF), "tier", "reasons") == want
    reader = pa.RecordBatchReader.from_batches(table.schema, table.to_batches(max_chunksize=5))
    assert by_id(policy.score_customers(reader, as_of=AS_OF), "tier", "reasons") == want
    # The result imports into polars through the same capsule interface.
    frame = pl.DataFrame(got_polars)
    assert frame.height == len(want) and "admission.admitted" in frame.columns


def test_bad_rows_get_an_error_and_the_rest_are_scored(policy: kam.Policy) -> None:
    df = pd.DataFrame(
        {
            "id": ["C-1", "C-2", None, "C-4", "C-5"],
            "annual_revenue": [3_000_000, -5, 100, 2_999_999.99, float("nan")],
            "credit_rating": ["excellent", "good", "good", "platinum", "good"],
            "long_term_intent": [True, True, True, True, True],
            "late_payments": [0, 0, 0, 0, 0],
        }
    )
    out = policy.score_customers(df, as_of=AS_OF).to_pylist()
    assert [r["id"] for r in out] == ["C-1", "C-2", None, "C-4", "C-5"]
    assert out[0]["tier"] == "A" and out[0]["error"] is None
    errors = [r["error"] for r in out[1:]]
    assert [e["kind"] for e in errors] == ["record"] * 4
    assert [e["field"] for e in errors] == ["annual_revenue", "id", "credit_rating", "annual_revenue"]
    assert "missing" in errors[3]["message"]  # NaN in a numeric column is missing (docs/policy.md §Records)
    assert all(r["tier"] is None and r["status"] is None for r in out[1:])


def test_thresholds_exactly_and_one_cent_below(policy: kam.Policy) -> None:
    table = pa.table(
        {
            "id": ["at", "below"],
            "annual_revenue": pa.array([Decimal("3000000.00"), Decimal("2999999.99")], pa.decimal128(12, 2)),
            "credit_rating": ["good", "good"],
            "long_term_intent": [True, True],
        }
    )
    out = by_id(policy.score_customers(table, as_of=AS_OF), "tier")
    assert out == {"at": ("A",), "below": ("B",)}


def test_floats_are_read_as_the_decimal_that_was_typed(policy: kam.Policy) -> None:
    # 2999999.99 as a float is 2999999.9899999998…; read as typed it stays below 3,000,000.
    out = policy.score_customers(
        pd.DataFrame({"id": ["f"], "annual_revenue": [2999999.99], "credit_rating": ["good"], "long_term_intent": [True]}),
        as_of=AS_OF,
    )
    assert out.column("tier")[0].as_py() == "B"
    assert "2,999,999.99" in out.column("reasons")[0].as_py()[0]["message"]


def test_dates_from_date_and_midnight_timestamp_columns(policy: kam.Policy) -> None:
    base = {"id": ["d"], "annual_revenue": [5_000_000], "credit_rating": ["good"], "long_term_intent": [True], "tier": ["A"]}
    as_date = pa.table({**base, "last_visit": pa.array([datetime.date(2026, 10, 1)], pa.date32())})
    as_ts = pd.DataFrame({**base, "last_visit": pd.to_datetime(["2026-10-01"])})
    as_text = pd.DataFrame({**base, "last_visit": ["2026-10-01"]})
    results = [policy.score_customers(t, as_of=AS_OF).column("visit.next_due")[0].as_py() for t in (as_date, as_ts, as_text)]
    assert results == [datetime.date(2026, 10, 31)] * 3
    with_time = pd.DataFrame({**base, "last_visit": pd.to_datetime(["2026-10-01 09:30"])})
    err = policy.score_customers(with_time, as_of=AS_OF).column("error")[0].as_py()
    assert err["field"] == "last_visit"


def homogenize(records: list[dict]) -> list[dict]:
    """Money given as text in some records and as numbers in others (as the sample
    data does on purpose) becomes text everywhere, so Arrow can type the column."""
    out = [dict(r) for r in records]
    for key in {k for r in records for k in r}:
        values = [r.get(key) for r in records]
        if all(isinstance(v, dict) for v in values if v is not None):
            nested = iter(homogenize([v for v in values if v is not None]))
            for r in out:
                if r.get(key) is not None:
                    r[key] = next(nested)
            continue
        if any(isinstance(v, str) for v in values) and any(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values):
            for r in out:
                if isinstance(r.get(key), (int, float)):
                    r[key] = str(r[key])
    return out


def test_nested_columns_struct_list_and_dotted(policy: kam.Policy, root: Path) -> None:
    lines = [json.loads(l) for l in (root / "data" / "staff.jsonl").read_text(encoding="utf-8").splitlines() if l.strip()]
    want = {r["id"] + r["period"]: r["scorecard"]["total"] for r in policy.evaluate_staff_batch(lines)}
    lines = homogenize(lines)
    flat = pd.json_normalize(lines)  # ratings.market_info, reviews.self, … as dotted columns
    out = policy.score_staff(flat)
    got = {r["id"] + r["period"]: r["scorecard.total"] for r in out.select(["id", "period", "scorecard.total"]).to_pylist()}
    assert got == want
    assert out.column("error").null_count == len(lines)
    # from_pylist takes its columns from the first row: give every row every key.
    keys = sorted({k for r in lines for k in r} - {"attributes"})
    nested = pa.Table.from_pylist([{k: r.get(k) for k in keys} for r in lines])
    got_nested = policy.score_staff(nested).column("scorecard.total").to_pylist()
    assert got_nested == [want[r["id"] + r["period"]] for r in lines]


def test_unknown_columns_are_refused_ignored_or_passed_on(policy: kam.Policy, root: Path) -> None:
    df = pd.DataFrame({"id": ["x"], "annual_revenue": [1], "late_payment": [3], "region": ["north"]})
    with pytest.raises(kam.RecordError) as info:
        policy.score_customers(df, as_of=AS_OF)
    assert info.value.field == "late_payment" and "late_payments" in str(info.value)
    out = policy.score_customers(df, as_of=AS_OF, extra_columns="ignore")
    assert out.column("error")[0].as_py() is None
    # With "attributes", extra columns reach the rules as c.attributes.
    sources = dict(policy.sources)
    marker = "fn customer(c, as_of, p) {"
    assert marker in sources["customer.rhai"]
    sources["customer.rhai"] = sources["customer.rhai"].replace(
        marker, marker + '\n    if "region" in c.attributes { throw "region " + c.attributes.region; }'
    )
    edited = kam.Policy.from_sources(sources)
    err = edited.score_customers(df[["id", "annual_revenue", "region"]], as_of=AS_OF, extra_columns="attributes")
    assert "region north" in err.column("error")[0].as_py()["message"]
    with pytest.raises(ValueError):
        policy.score_customers(df, extra_columns="keep")


def test_unsupported_column_types_name_the_column(policy: kam.Policy) -> None:
    table = pa.table({"id": ["x"], "annual_revenue": [1], "name": pa.array([b"bytes"], pa.binary())})
    with pytest.raises(kam.RecordError) as info:
        policy.score_customers(table, as_of=AS_OF)
    assert info.value.field == "name" and "binary" in str(info.value).lower()


def test_not_a_table_is_a_type_error(policy: kam.Policy) -> None:
    with pytest.raises(TypeError, match="__arrow_c_stream__"):
        policy.score_customers([{"id": "x"}], as_of=AS_OF)
    with pytest.raises(TypeError, match="score_customers"):
        policy.evaluate_customers(pd.DataFrame({"id": ["x"]}), as_of=AS_OF)


def test_a_table_arrow_cannot_type_is_a_record_error(policy: kam.Policy) -> None:
    mixed = pd.DataFrame({"id": ["a", "b"], "annual_revenue": pd.Series(["1000.50", 7], dtype=object)})
    with pytest.raises(kam.RecordError, match="annual_revenue") as info:
        policy.score_customers(mixed, as_of=AS_OF)
    assert isinstance(info.value.__cause__, Exception)


def test_empty_table_keeps_the_schema(policy: kam.Policy) -> None:
    empty = pa.table({"id": pa.array([], pa.string()), "annual_revenue": pa.array([], pa.int64())})
    out = policy.score_customers(empty, as_of=AS_OF)
    assert out.num_rows == 0 and "tier" in out.column_names
    assert out.schema.metadata[b"kam.policy.digest"] == policy.digest.encode()


def test_integer_ids_are_refused_as_in_a_dict_and_categorical_columns_read(policy: kam.Policy) -> None:
    df = pd.DataFrame({"id": [7, 8], "annual_revenue": [600_000, 100], "credit_rating": pd.Categorical(["good", "bad"])})
    rows = policy.score_customers(df, as_of=AS_OF).to_pylist()
    # An id is a string (docs/policy.md §Records): an integer id column is the error {"id": 7} is.
    with pytest.raises(kam.RecordError) as want:
        policy.evaluate_customer({"id": 7, "annual_revenue": 600_000, "credit_rating": "good"}, as_of=AS_OF)
    assert [(r["id"], r["tier"]) for r in rows] == [("7", None), ("8", None)]
    assert [(r["error"]["kind"], r["error"]["field"]) for r in rows] == [("record", "id")] * 2
    assert want.value.field == "id" and rows[0]["error"]["message"] == want.value.detail
    out = policy.score_customers(df.assign(id=["C-7", "C-8"]), as_of=AS_OF)
    assert by_id(out, "tier") == {"C-7": ("C",), "C-8": ("D",)}


def test_without_pyarrow_the_result_is_a_stream_polars_reads(root: Path) -> None:
    import subprocess
    import sys

    code = f"""
import sys
sys.modules["pyarrow"] = None  # as if pyarrow were not installed
import kam, polars as pl
policy = kam.Policy.from_dir({str(root / "rules")!r})
out = policy.score_customers(pl.read_csv({str(root / "data" / "customers.csv")!r}), as_of="2026-11-01")
assert type(out).__name__ == "ResultStream", type(out)
assert len(out) == 12 and "tier" in out.column_names
frame = pl.DataFrame(out)
print(frame["tier"].to_list()[:3])
"""
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "['A', 'A', 'B']"
