"""Peer: pandas (pyarrow-backed columns), the customer decisions of
docs/policy.md §Customers that fix the tier, key account and admission (its
numbered comments follow the original contract's order) as column operations.

`frame(recs)` loads parsed records into a DataFrame (record defaults filled
in; not part of the timed work). Money is a pyarrow `decimal128` column whose
scale is the largest number of decimal places in the input, so every amount is
held exactly (pyarrow refuses to round one) and `>= Decimal("3000000")`
compares exactly: 2999999.99 stays below. Dates are `date32`, incidents a
`list<struct<date, kind>>` column.

`decide(df, as_of)` returns id, status, tier (the final tier, None when
blacklisted), key_account, admitted and failed (a list column); approvals are
`APPROVALS` when admitted, else []. It is vectorised: boolean masks, `case_when` for the base
tier, `explode` + `groupby` for the incidents of the evaluation period, and
list columns built from a mask with pyarrow (no Python function per row).
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

TIERS = np.array(["A", "B", "C", "D"], dtype=object)
A, B, C, D = range(4)   # a tier's rank: larger is worse

A_MIN, B_MIN, C_MIN = Decimal("3000000"), Decimal("1000000"), Decimal("500000")
KEY_ACCOUNT_MIN = Decimal("1000000")
GOOD_PAYMENT_RATINGS = ["excellent", "good"]
POOR_RATINGS = ["poor", "bad"]                     # rule out B; fail the admission credit check
PERIOD_MONTHS = 12
DOWNGRADE_KINDS = ["late_payment", "contract_breach", "operating_crisis"]
SEVERE_KINDS = ["operating_crisis"]
SEVERE_COUNT = 2
DOWNGRADE_CAP, SEVERE_CAP, REENTRY_CAP = B, C, C
CHECKS = ["blacklisted", "credit", "need", "alignment", "strategic_fit"]
APPROVALS = ["account_manager", "department_head", "company_leader"]

COUNTS = ["late_payments", "overdue_pickups", "legal_disputes"]
FLAGS = ["bad_credit_record", "business_need", "aligned", "strategic_fit", "long_term_intent", "industry_influence"]
INCIDENT = pa.struct([("date", pa.date32()), ("kind", pa.string())])


# ── loading (not timed) ─────────────────────────────────────────────────────

def _places(d: Decimal) -> int:
    exponent = d.as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def _date(v: Any) -> datetime.date | None:
    return None if v is None else datetime.date.fromisoformat(v)


def frame(recs: list[dict]) -> pd.DataFrame:
    """Parsed records (numbers as Decimal, money possibly numeric text) as a
    pyarrow-backed DataFrame with the fields these decisions read."""
    revenue = [Decimal(r["annual_revenue"]) for r in recs]
    scale = max([2, *map(_places, revenue)])
    cols: dict[str, pa.Array] = {
        "id": pa.array([r["id"] for r in recs], pa.string()),
        "annual_revenue": pa.array(revenue, pa.decimal128(38, scale)),
        "credit_rating": pa.array([r.get("credit_rating") or "fair" for r in recs], pa.string()),
        "tier": pa.array([r.get("tier") for r in recs], pa.string()),
        "blacklisted_until": pa.array([_date(r.get("blacklisted_until")) for r in recs], pa.date32()),
        "incidents": pa.array([[{"date": _date(i["date"]), "kind": i["kind"]} for i in r.get("incidents") or []]
                               for r in recs], pa.list_(INCIDENT)),
    }
    for name in COUNTS:
        cols[name] = pa.array([int(r.get(name) or 0) for r in recs], pa.int64())
    for name in FLAGS:
        cols[name] = pa.array([bool(r.get(name) or False) for r in recs], pa.bool_())
    return pa.table(cols).to_pandas(types_mapper=pd.ArrowDtype)


# ── the decisions ───────────────────────────────────────────────────────────

def _list_column(mask: np.ndarray, labels: list[str], index: pd.Index) -> pd.Series:
    """Per row, the labels whose mask column is true, in label order."""
    values = np.broadcast_to(np.array(labels, dtype=object), mask.shape)[mask]
    offsets = np.concatenate([[0], mask.sum(axis=1).cumsum()]).astype(np.int32)
    lists = pa.ListArray.from_arrays(pa.array(offsets), pa.array(values, pa.string()))
    return pd.Series(pd.arrays.ArrowExtensionArray(lists), index=index)


def decide(df: pd.DataFrame, as_of: datetime.date | str) -> pd.DataFrame:
    as_of = pd.Timestamp(as_of).date()
    period_start = (pd.Timestamp(as_of) - pd.DateOffset(months=PERIOD_MONTHS)).date()   # clamps to month end
    revenue = df["annual_revenue"]
    credit = df["credit_rating"]

    # 1. Active blacklist.
    blacklisted = (df["blacklisted_until"] > as_of).fillna(False).astype(bool)

    # 2. Base tier.
    good_payment = (df["late_payments"] == 0) & (df["overdue_pickups"] == 0) & credit.isin(GOOD_PAYMENT_RATINGS)
    rank = pd.Series(D, index=df.index).case_when([
        ((revenue >= A_MIN) & good_payment & df["long_term_intent"], A),
        ((revenue >= B_MIN) & ~credit.isin(POOR_RATINGS) & (df["legal_disputes"] == 0), B),
        (revenue >= C_MIN, C),
    ])

    # 3. A-customer downgrade: downgrade incidents in the evaluation period.
    incidents = df["incidents"].explode().dropna()
    date, kind = incidents.struct.field("date"), incidents.struct.field("kind")
    counted = (date > period_start) & (date <= as_of) & kind.isin(DOWNGRADE_KINDS)
    by_row = kind[counted].isin(SEVERE_KINDS).groupby(level=0).agg(["size", "any"])
    found = by_row["size"].reindex(df.index, fill_value=0)
    severe = by_row["any"].reindex(df.index, fill_value=False).astype(bool) | (found >= SEVERE_COUNT)
    cap = pd.Series(DOWNGRADE_CAP, index=df.index).where(~severe, SEVERE_CAP)
    downgraded = (df["tier"] == "A").fillna(False).astype(bool) & (found > 0)
    rank = rank.where(~downgraded, np.maximum(rank, cap))

    # 5. Re-entry after a blacklist.
    reentry = (df["blacklisted_until"] <= as_of).fillna(False).astype(bool) & df["tier"].isna()
    rank = rank.where(~reentry, np.maximum(rank, REENTRY_CAP))

    tier = pd.Series(TIERS[rank.to_numpy()], index=df.index, dtype=object).where(~blacklisted, None)

    # 8. Key account.
    key_account = (revenue >= KEY_ACCOUNT_MIN) | (df["business_need"] & df["long_term_intent"]) | df["industry_influence"]

    # 9. Admission: the failing checks, in order.
    credit_problem = credit.isin(POOR_RATINGS) | (df["legal_disputes"] > 0) | df["bad_credit_record"]
    failing = np.column_stack([
        blacklisted.to_numpy(bool),
        credit_problem.to_numpy(bool),
        ~df["business_need"].to_numpy(bool),
        ~df["aligned"].to_numpy(bool),
        ~df["strategic_fit"].to_numpy(bool),
    ])
    admitted = ~failing.any(axis=1)

    return pd.DataFrame({
        "id": df["id"],
        "status": pd.Series(np.where(blacklisted, "blacklisted", "active"), index=df.index, dtype=pd.ArrowDtype(pa.string())),
        "tier": tier,                       # object: a label, or None when blacklisted
        "key_account": key_account,
        "admitted": pd.Series(admitted, index=df.index, dtype=pd.ArrowDtype(pa.bool_())),
        "failed": _list_column(failing, CHECKS, df.index),
    })


def answers(out: pd.DataFrame) -> list[dict]:
    """`decide`'s rows in the shape of kam's results (approvals follow from `admitted`)."""
    return [{"id": r.id, "status": r.status, "tier": r.tier, "key_account": bool(r.key_account),
             "admission": {"admitted": bool(r.admitted), "failed": list(r.failed),
                           "approvals": APPROVALS if r.admitted else []}}
            for r in out.itertuples(index=False)]
