"""Times the Python API against the Rust batch on the same generated customers.

    python bindings-python/bench.py [--rows 1000000] [--dict-rows 10000] [--rounds 1]

Run from anywhere with `kam`, pyarrow installed (bindings-python/test.sh makes
such a virtualenv in bindings-python/.venv). Generates a deterministic population,
scores it with `score_customers` (Arrow, GIL released, all cores) and the dict API,
writes the same rows as JSON Lines and times the Rust batch on them
(`cargo run --release --example batch`), and prints per-record figures and ratios.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import random
import subprocess
import tempfile
import time
from decimal import Decimal
from pathlib import Path

import pyarrow as pa

import kam

ROOT = Path(__file__).resolve().parents[1]
AS_OF = "2026-11-01"
RATINGS = ["excellent", "good", "fair", "poor", "bad"]
KINDS = ["late_payment", "contract_breach", "operating_crisis", "major_loss", "reputation_damage"]


def population(n: int, seed: int = 7) -> list[dict]:
    """Customers spread around every threshold, with incidents, blacklists and visits."""
    rnd = random.Random(seed)
    base = datetime.date(2026, 11, 1)
    rows = []
    for i in range(n):
        revenue = rnd.choice([rnd.randrange(0, 500_000_00), rnd.randrange(500_000_00, 1_000_000_00),
                              rnd.randrange(1_000_000_00, 3_000_000_00), rnd.randrange(3_000_000_00, 9_000_000_00),
                              3_000_000_00, 2_999_999_99])
        incidents = [
            {"date": (base - datetime.timedelta(days=rnd.randrange(1, 500))).isoformat(), "kind": rnd.choice(KINDS)}
            for _ in range(rnd.choice([0, 0, 0, 1, 2]))
        ]
        rows.append({
            "id": f"C-{i:07d}",
            "annual_revenue": f"{revenue // 100}.{revenue % 100:02d}",
            "cumulative_revenue": f"{revenue * rnd.randrange(1, 6) // 100}",
            "largest_contract": f"{revenue // 300}",
            "late_payments": rnd.choice([0, 0, 0, 1, 3]),
            "overdue_pickups": rnd.choice([0, 0, 0, 0, 1]),
            "credit_rating": rnd.choice(RATINGS),
            "legal_disputes": rnd.choice([0, 0, 0, 0, 1]),
            "business_need": rnd.random() < 0.8,
            "aligned": rnd.random() < 0.8,
            "strategic_fit": rnd.random() < 0.7,
            "long_term_intent": rnd.random() < 0.7,
            "industry_influence": rnd.random() < 0.1,
            "referrals_closed": rnd.choice([0, 0, 0, 1]),
            "tier": rnd.choice(["A", "B", "C", "D", None]),
            "blacklisted_until": rnd.choice([None] * 9 + [(base + datetime.timedelta(days=rnd.randrange(-200, 200))).isoformat()]),
            "last_visit": rnd.choice([None, (base - datetime.timedelta(days=rnd.randrange(0, 120))).isoformat()]),
            "incidents": incidents,
        })
    return rows


def arrow_table(rows: list[dict]) -> pa.Table:
    money = pa.decimal128(14, 2)
    cols = {k: [r[k] for r in rows] for k in rows[0]}
    arrays = {}
    for k, v in cols.items():
        if k in ("annual_revenue", "cumulative_revenue", "largest_contract"):
            arrays[k] = pa.array([Decimal(x) for x in v], money)
        elif k in ("blacklisted_until", "last_visit"):
            arrays[k] = pa.array([datetime.date.fromisoformat(x) if x else None for x in v], pa.date32())
        elif k == "incidents":
            arrays[k] = pa.array(v, pa.list_(pa.struct([("date", pa.string()), ("kind", pa.string())])))
        else:
            arrays[k] = pa.array(v)
    return pa.table(arrays)


def best(times: list[float]) -> float:
    return min(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--dict-rows", type=int, default=10_000)
    ap.add_argument("--rounds", type=int, default=1)
    args = ap.parse_args()

    policy = kam.Policy.from_dir(ROOT / "rules")
    t = time.perf_counter()
    rows = population(args.rows)
    table = arrow_table(rows)
    print(f"generated {args.rows:,} customers in {time.perf_counter() - t:.1f} s")

    arrow_s = []
    for _ in range(args.rounds):
        t = time.perf_counter()
        out = policy.score_customers(table, as_of=AS_OF)
        arrow_s.append(time.perf_counter() - t)
    errors = out.column("error").null_count
    bad = out.num_rows - errors
    tiers = out.column("tier").value_counts().to_pylist()

    sample = rows[: args.dict_rows]
    dict_batch_s, dict_one_s = [], []
    for _ in range(max(args.rounds, 3)):
        t = time.perf_counter()
        policy.evaluate_customers(sample, as_of=AS_OF)
        dict_batch_s.append(time.perf_counter() - t)
        t = time.perf_counter()
        for r in sample[:2000]:
            policy.evaluate_customer(r, as_of=AS_OF)
        dict_one_s.append((time.perf_counter() - t) / 2000 * len(sample))

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "customers.jsonl"
        with path.open("w", encoding="utf-8") as f:
            for r in rows:
                f.write(json.dumps(r, ensure_ascii=False) + "\n")
        env = dict(os.environ, CARGO_TERM_COLOR="never")
        run = subprocess.run(
            ["cargo", "run", "--quiet", "--release", "-p", "kam-core", "--example", "batch", "--",
             str(ROOT / "rules"), str(path), AS_OF, str(args.rounds)],
            cwd=ROOT, capture_output=True, text=True, env=env, check=True,
        )
    rust = json.loads(run.stdout.strip().splitlines()[-1])
    assert rust["errors"] == bad, (rust["errors"], bad)

    us = lambda s, n: s / n * 1e6  # noqa: E731
    n, m = args.rows, len(sample)
    rust_records = us(best(rust["evaluate_records_s"]), n)
    rust_json = us(best(rust["evaluate_json_s"]), n)
    arrow = us(best(arrow_s), n)
    print(f"\nrows {n:,} (error rows {bad}), tiers {tiers}, threads: {os.cpu_count()} cores")
    print("| path | µs per record | vs Rust batch (records) | vs Rust batch (JSON values) |")
    print("|---|---|---|---|")
    for name, v in [
        (f"Rust `evaluate_customers` (parsed records), {n:,}", rust_records),
        (f"Rust `evaluate_customers_json` (JSON values), {n:,}", rust_json),
        (f"Python `score_customers` (Arrow table), {n:,}", arrow),
        (f"Python `evaluate_customers` (list of dicts), {m:,}", us(best(dict_batch_s), m)),
        (f"Python `evaluate_customer` one at a time, {m:,}", us(best(dict_one_s), m)),
    ]:
        print(f"| {name} | {v:.1f} | {v / rust_records:.2f}× | {v / rust_json:.2f}× |")
    print(f"\n(Rust JSON parse {us(rust['json_parse_s'], n):.2f} µs/record, record parse "
          f"{us(rust['record_parse_s'], n):.2f} µs/record, not in the Rust figures)")


if __name__ == "__main__":
    main()
