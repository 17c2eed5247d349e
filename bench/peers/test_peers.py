"""Checks the Python peers (ZEN, rule-engine, pandas) against kam's answers.

    bench/.venv/bin/python bench/peers/test_peers.py [RECORDS.jsonl KAM_OUTPUT.jsonl] [--as-of DATE] [--rounds N]

KAM_OUTPUT is `kam customers --policy rules --as-of DATE RECORDS` (default
DATE 2026-11-01). Without files, the records checked are data/customers.jsonl
and, when it exists, bench/out/data/customers.jsonl, with kam run here. The
base tier comes from kam with bench/policies/tier-only (or, without that
policy, from the `tier.base` reason of the full result). Records kam rejects
(an `error` line) are skipped.

Every run also checks a built-in set of edge records through kam and against
hand-written expectations: money exactly at and one cent below each threshold
(as a JSON number and as text, and with more decimals than cents), blacklist
expiry on and after as_of, incidents on the evaluation period's first
excluded and first included day (including a month-end clamp: as_of
2024-02-29), and each downgrade cap.

Prints microseconds per record for each peer path (on files of 1,000 records
or more; best of --rounds). Exits 1 on any disagreement.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path
from typing import Any, Callable

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
KAM = ROOT / "target" / "release" / "kam"
RULES = ROOT / "rules"
TIER_ONLY = ROOT / "bench" / "policies" / "tier-only"

sys.path.insert(0, str(HERE))    # as bench/driver.py imports the peers
import agree  # noqa: E402
import rules_lib  # noqa: E402
import vectorised  # noqa: E402
import zen_peer as zen  # noqa: E402

FULL_FIELDS = ["id", "status", "tier", "key_account", "admission.admitted", "admission.failed", "admission.approvals"]
ZEN_FIELDS = ["id", "key_account", "admission.admitted", "admission.failed", "admission.approvals"]


# ── kam ─────────────────────────────────────────────────────────────────────

def run_kam(policy: Path, records: Path, as_of: str) -> list[dict]:
    if not KAM.exists():
        sys.exit(f"{KAM} is missing: cargo build --release --bin kam")
    p = subprocess.run([str(KAM), "customers", "--policy", str(policy), "--as-of", as_of, str(records)],
                       capture_output=True, text=True)
    out = [agree.parse(line) for line in p.stdout.splitlines() if line.strip()]
    if len(out) != sum(1 for line in open(records, encoding="utf-8") if line.strip()):
        sys.exit(f"kam failed on {records}: {p.stderr.strip()}")
    return out


def base_tiers(records: Path, as_of: str, kam_full: list[dict]) -> list[dict | None]:
    """kam's base tier per record ({"id", "tier"}), None where not known."""
    if (TIER_ONLY / "policy.rhai").exists():
        return [None if "error" in k else {"id": k["id"], "tier": k["tier"]}
                for k in run_kam(TIER_ONLY, records, as_of)]
    out = []
    for k in kam_full:
        # The last tier.base reason names the tier ("C: annual revenue …"); earlier ones say "not A: …".
        reason = next((r["message"] for r in reversed(k.get("reasons", [])) if r["rule"] == "tier.base"), None)
        out.append(None if reason is None else {"id": k["id"], "tier": reason.split(":", 1)[0]})
    return out


# ── checking ────────────────────────────────────────────────────────────────

class Checker:
    def __init__(self, rounds: int = 1) -> None:
        self.rounds = max(rounds, 1)
        self.problems: list[str] = []
        self.timings: list[tuple[str, str, int, float]] = []

    def agree(self, label: str, peer: list[Any], kam: list[Any], fields: list[str]) -> None:
        n, problems = agree.compare(label, peer, kam, fields=fields)
        status = "ok" if not problems else "DISAGREE (first few shown)"
        print(f"  {label:<34} {n:>7} records  {status}")
        self.problems += problems
        for p in problems:
            print(f"    {p}")

    def timed(self, data: str, label: str, n: int, fn: Callable[[], Any]) -> Any:
        seconds = float("inf")
        for _ in range(self.rounds if n >= 1000 else 1):
            start = time.perf_counter()
            out = fn()
            seconds = min(seconds, time.perf_counter() - start)
        self.timings.append((data, label, n, seconds))
        return out


def check(c: Checker, data: str, recs: list[dict], kam_full: list[dict], kam_base: list[dict | None],
          as_of: str) -> None:
    keep = [i for i, (k, b) in enumerate(zip(kam_full, kam_base, strict=True)) if "error" not in k and b is not None]
    skipped = len(recs) - len(keep)
    recs = [recs[i] for i in keep]
    kam_full = [kam_full[i] for i in keep]
    kam_base = [kam_base[i] for i in keep]
    n = len(recs)
    print(f"{data}: {n} records, as_of {as_of} ({skipped} skipped: rejected by kam)")
    as_of_date = datetime.date.fromisoformat(as_of)

    # ZEN
    tier, full = zen.tier_decision(), zen.full_decision()
    inputs = c.timed(data, "zen to_input", n, lambda: [zen.to_input(r, as_of_date) for r in recs])
    ids = [{"id": r["id"]} for r in recs]
    for label, fn in [("zen tier_batch", zen.tier_batch), ("zen tier_each", zen.tier_each)]:
        out = c.timed(data, label, n, lambda: fn(tier, inputs))
        c.agree(label, [{**i, "tier": t} for i, t in zip(ids, out, strict=True)], kam_base, ["id", "tier"])
    for label, fn in [("zen full_batch", zen.full_batch), ("zen full_each", zen.full_each)]:
        out = c.timed(data, label, n, lambda: fn(full, inputs))
        out = [{**i, **r} for i, r in zip(ids, out, strict=True)]
        c.agree(label, out, kam_full, ZEN_FIELDS)
        c.agree(label + " (base tier)", out, kam_base, ["id", "tier"])

    # rule-engine
    rules = rules_lib.tier_rules()
    out = c.timed(data, "rule-engine tier_each", n, lambda: rules_lib.tier_each(rules, recs))
    c.agree("rule-engine tier_each", [{**i, "tier": t} for i, t in zip(ids, out, strict=True)], kam_base, ["id", "tier"])

    # pandas
    df = vectorised.frame(recs)
    out = c.timed(data, "pandas decide", n, lambda: vectorised.decide(df, as_of_date))
    c.agree("pandas decide", vectorised.answers(out), kam_full, FULL_FIELDS)


def check_file(c: Checker, data: str, records: Path, kam_output: Path | None, as_of: str) -> None:
    recs = list(agree.read_jsonl(str(records)))
    kam_full = list(agree.read_jsonl(str(kam_output))) if kam_output else run_kam(RULES, records, as_of)
    if len(kam_full) != len(recs):
        sys.exit(f"{kam_output}: {len(kam_full)} answers for {len(recs)} records")
    check(c, data, recs, kam_full, base_tiers(records, as_of, kam_full), as_of)


# ── edge records ────────────────────────────────────────────────────────────

GOOD = dict(credit_rating="excellent", late_payments=0, overdue_pickups=0, long_term_intent=True,
            legal_disputes=0, business_need=True, aligned=True, strategic_fit=True)


def edge_records() -> list[tuple[dict, str, str | None, bool | None, str]]:
    """(record, as_of, expected final tier, expected key_account, expected base tier)."""
    cases: list[tuple[dict, str, str | None, bool | None, str]] = []
    n = 0

    def add(as_of: str, final: str | None, key: bool | None, base: str, **fields: Any) -> None:
        nonlocal n
        n += 1
        cases.append(({"id": f"E-{n}", **fields}, as_of, final, key, base))

    d = "2026-11-01"
    # Money at and one cent below each threshold, as a JSON number and as text.
    # GOOD has need and intent, so is a key account at any revenue; PLAIN has neither.
    plain: dict[str, Any] = {}
    for profile, amount, tier, key in [(GOOD, "3000000", "A", True), (GOOD, "2999999.99", "B", True),
                                       (GOOD, "1000000", "B", True), (GOOD, "999999.99", "C", True),
                                       (GOOD, "500000", "C", True), (GOOD, "499999.99", "D", True),
                                       (plain, "1000000", "B", True), (plain, "999999.99", "C", False)]:
        padded = amount + "0" if "." in amount else amount + ".00"
        for value in (Decimal(amount), amount, padded):     # a JSON number, text, text with trailing zeros
            add(d, tier, key, tier, **profile, annual_revenue=value)
    # More decimals than cents: exact below and at the threshold.
    add(d, "B", True, "B", **GOOD, annual_revenue="2999999.999")
    add(d, "B", True, "B", **GOOD, annual_revenue="2999999.9999999999999")
    add(d, "B", True, "B", **GOOD, annual_revenue="2999999.9999999999999999999999")   # 29 digits
    add(d, "A", True, "A", **GOOD, annual_revenue="3000000.0000000000000")
    add(d, "C", True, "C", **GOOD, annual_revenue=Decimal("999999.999999999999"))
    add(d, "C", False, "C", annual_revenue=Decimal("999999.999999999999"))
    # B blocked by credit or a dispute; key account by need + intent or influence.
    add(d, "C", True, "C", annual_revenue=2000000, credit_rating="poor")
    add(d, "C", True, "C", annual_revenue=2000000, legal_disputes=1)
    add(d, "D", True, "D", annual_revenue=1, business_need=True, long_term_intent=True)
    add(d, "D", True, "D", annual_revenue=1, industry_influence=True)
    add(d, "D", False, "D", annual_revenue=1, business_need=True)
    # Blacklist expiry: on as_of it has ended (re-entry cap C), a day later it is active.
    add(d, "C", True, "A", **GOOD, annual_revenue=5000000, blacklisted_until="2026-11-01")
    add(d, None, True, "A", **GOOD, annual_revenue=5000000, blacklisted_until="2026-11-02")
    add(d, "A", True, "A", **GOOD, annual_revenue=5000000, blacklisted_until="2026-11-01", tier="B")
    # A-customer downgrades at the period's edges (as_of - 12 months < date <= as_of).
    inc = lambda *pairs: [{"date": a, "kind": b} for a, b in pairs]  # noqa: E731
    a = dict(**GOOD, annual_revenue=5000000, tier="A")
    add(d, "A", True, "A", **a, incidents=inc(("2025-11-01", "late_payment")))
    add(d, "B", True, "A", **a, incidents=inc(("2025-11-02", "late_payment")))
    add(d, "B", True, "A", **a, incidents=inc(("2026-11-01", "contract_breach")))
    add(d, "A", True, "A", **a, incidents=inc(("2026-11-02", "late_payment")))
    add(d, "C", True, "A", **a, incidents=inc(("2026-01-01", "operating_crisis")))
    add(d, "C", True, "A", **a, incidents=inc(("2026-01-01", "late_payment"), ("2026-02-01", "contract_breach")))
    add(d, "B", True, "A", **a, incidents=inc(("2026-01-01", "late_payment"), ("2025-01-01", "operating_crisis")))
    add(d, "A", True, "A", **a, incidents=inc(("2026-01-01", "major_loss"), ("2026-02-01", "reputation_damage")))
    add(d, "C", True, "C", **{**a, "annual_revenue": 600000}, incidents=inc(("2026-01-01", "late_payment")))
    add(d, "A", True, "A", **{**a, "tier": "B"}, incidents=inc(("2026-01-01", "operating_crisis")))
    # Month-end clamp: 2024-02-29 - 12 months = 2023-02-28.
    m = "2024-02-29"
    add(m, "A", True, "A", **a, incidents=inc(("2023-02-28", "late_payment")))
    add(m, "B", True, "A", **a, incidents=inc(("2023-03-01", "late_payment")))
    # Defaults: everything optional absent or null.
    add(d, "B", True, "B", annual_revenue="1000000.00")
    add(d, "B", True, "B", annual_revenue=1000000, credit_rating=None, late_payments=None, legal_disputes=None,
        tier=None, blacklisted_until=None, incidents=None, long_term_intent=None)
    return cases


def dumps(rec: dict) -> str:
    """A record as a JSON line, a Decimal written as the JSON number it is."""
    return re.sub(r'"@(-?[0-9.]+)@"', r"\1", json.dumps(rec, default=lambda d: f"@{d}@"))


def check_edges(c: Checker) -> None:
    cases = edge_records()
    by_as_of: dict[str, list[int]] = {}
    for i, (_, as_of, *_rest) in enumerate(cases):
        by_as_of.setdefault(as_of, []).append(i)
    with tempfile.TemporaryDirectory() as tmp:
        for as_of, idx in by_as_of.items():
            path = Path(tmp) / f"edges-{as_of}.jsonl"
            path.write_text("".join(dumps(cases[i][0]) + "\n" for i in idx), encoding="utf-8")
            recs = list(agree.read_jsonl(str(path)))       # exact Decimals, as the peers get records
            kam_full = run_kam(RULES, path, as_of)
            kam_base = base_tiers(path, as_of, kam_full)
            for i, k, b in zip(idx, kam_full, kam_base, strict=True):
                rec, _, final, key, base = cases[i]
                got = (None if "error" in k else k.get("tier"), k.get("key_account"), b and b["tier"])
                if got != (final, key, base):
                    c.problems.append(f"edge {rec['id']} {dumps(rec)}: kam says (tier, key_account, base) "
                                      f"{got}, expected {(final, key, base)}")
                    print(f"  {c.problems[-1]}")
            check(c, f"edge records, as_of {as_of}", recs, kam_full, kam_base, as_of)


# ── main ────────────────────────────────────────────────────────────────────

def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("records", nargs="?", type=Path)
    ap.add_argument("kam_output", nargs="?", type=Path)
    ap.add_argument("--as-of", default="2026-11-01")
    ap.add_argument("--rounds", type=int, default=1, help="time each path this many times, keep the best")
    args = ap.parse_args()
    if (args.records is None) != (args.kam_output is None):
        ap.error("give both RECORDS and KAM_OUTPUT, or neither")

    c = Checker(args.rounds)
    check_edges(c)
    if args.records:
        check_file(c, str(args.records), args.records, args.kam_output, args.as_of)
    else:
        for path in (ROOT / "data" / "customers.jsonl", ROOT / "bench" / "out" / "data" / "customers.jsonl"):
            if path.exists():
                check_file(c, str(path.relative_to(ROOT)), path, None, args.as_of)

    print(f"\nµs per record (best of {c.rounds}; ZEN batch uses "
          f"{os.cpu_count()} CPU(s) through the engine's worker pool, the others one):")
    for data, label, n, seconds in c.timings:
        if n >= 1000:
            print(f"  {data:<40} {label:<24} {n:>8}  {seconds / n * 1e6:9.2f} µs")
    if c.problems:
        print(f"\nFAILED: {len(c.problems)} disagreement(s) shown above")
        return 1
    print("\nall peers agree with kam")
    return 0


if __name__ == "__main__":
    sys.exit(main())
