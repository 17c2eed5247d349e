"""bench/run.sh's driver: one seeded population, every path timed, every peer checked.

    python bench/driver.py [--quick] [--check] [--rounds R]

run.sh builds what this needs and calls it with bench/.venv's Python (or the
system's when the venv could not be made: the Python paths are then reported
as `not run`). Nothing here asserts a speed. A peer that disagrees with kam on
any record it covers makes the run fail (exit 1) after the table is printed; a
path that cannot run (a package missing, no WebAssembly build) is reported as
`not run: <why>` and the run still finishes.
"""

from __future__ import annotations

import argparse
import datetime
import gc
import itertools
import json
import os
import platform
import shutil
import subprocess
import sys
import time
import traceback
from decimal import Decimal
from pathlib import Path
from typing import Any, Callable, Iterator

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "bench"
OUT = BENCH / "out"
DATA = OUT / "data"
KAM = Path(os.environ.get("KAM_BENCH_KAM", ROOT / "target" / "release" / "kam"))  # another build, to compare
KAM_BENCH = ROOT / "target" / "release" / "kam-bench"
RULES = Path(os.environ.get("KAM_BENCH_RULES", ROOT / "rules"))
TIER_ONLY = BENCH / "policies" / "tier-only"
AS_OF = "2026-11-01"
AS_OF_DATE = datetime.date(2026, 11, 1)
NODE_PKG = ROOT / "bindings-wasm" / "pkg-node" / "kam_wasm.js"

sys.path.insert(0, str(BENCH / "peers"))
import agree  # noqa: E402

SIZES = {
    # customers, staff-months, dict/per-record subset, WebAssembly subset, streamed customers
    "full": dict(customers=1_000_000, staff=200_000, subset=100_000, wasm=(50_000, 10_000), stream=10_000_000),
    "quick": dict(customers=50_000, staff=10_000, subset=10_000, wasm=(5_000, 2_000), stream=100_000),
}

# Input fields that carry exact decimals (money, ratings, reviews): the Arrow
# tables get them as decimal128 so nothing is a float on the way in.
CUSTOMER_MONEY = ("annual_revenue", "cumulative_revenue", "largest_contract")
STAFF_MONEY = ("sales_target", "sales_actual", "sales_previous", "contracts_settled", "settlement_planned",
               "collected", "collectible", "expenses", "expense_budget")


class Run:
    """Collects measured paths, agreement checks and what did not run."""

    def __init__(self, quick: bool, check: bool, rounds: int) -> None:
        self.quick, self.check, self.rounds = quick, check, rounds
        self.paths: list[dict[str, Any]] = []
        self.agreement: list[dict[str, Any]] = []
        self.not_run: list[dict[str, str]] = []
        self.extra: dict[str, Any] = {}

    def path(self, name: str, records: int, threads: int, seconds: float, note: str = "") -> None:
        self.paths.append({"path": name, "records": records, "threads": threads, "seconds": seconds,
                           "ns_per_record": seconds / records * 1e9, "note": note})
        print(f"  {name:<34} {records:>9,} records  {threads} thr  {seconds / records * 1e9:>12,.0f} ns/record",
              flush=True)

    def agrees(self, name: str, compared: int, problems: list[str], covers: str) -> None:
        self.agreement.append({"peer": name, "compared": compared, "disagreements": problems, "covers": covers})
        status = "agrees" if not problems else "DISAGREES"
        print(f"  {name}: {status} on {compared:,} records ({covers})", flush=True)
        for p in problems:
            print(f"    {p}", flush=True)

    def skip(self, name: str, why: str) -> None:
        self.not_run.append({"path": name, "why": why})
        print(f"  {name}: not run: {why}", flush=True)

    def attempt(self, name: str, f: Callable[[], None]) -> None:
        """Runs one group of paths; an exception makes it `not run`, not a failed run."""
        try:
            f()
        except Exception as e:  # noqa: BLE001 - reported, the run goes on
            self.skip(name, f"{type(e).__name__}: {e}".splitlines()[0][:300])
            if os.environ.get("KAM_BENCH_DEBUG"):
                traceback.print_exc()


def best(rounds: int, f: Callable[[], Any]) -> tuple[float, Any]:
    out, seconds = None, float("inf")
    for _ in range(max(rounds, 1)):
        out = None
        # The million loaded records are not the timed code's garbage: without
        # this, the cyclic GC rescans them during every Python path (plain
        # Python measured 95 µs per customer at 1,000,000 rows, 60 at 50,000).
        gc.collect()
        gc.freeze()
        t = time.perf_counter()
        out = f()
        seconds = min(seconds, time.perf_counter() - t)
    return seconds, out


def sh(*args: str | Path, **kw: Any) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(a) for a in args], check=True, text=True, **kw)


def timed_process(args: list[str | Path], stdin: Any = None, stdout: Any = subprocess.DEVNULL) -> tuple[float, int]:
    """Wall seconds and peak RSS (KiB) of one command.

    The peak is the process's own VmHWM, polled from /proc: wait4's ru_maxrss
    would include this driver's memory at fork time (Linux carries the forking
    process's high-water mark across exec), gigabytes once the population is loaded.
    """
    t = time.perf_counter()
    proc = subprocess.Popen([str(a) for a in args], stdin=stdin, stdout=stdout)
    peak = 0
    status = Path(f"/proc/{proc.pid}/status")
    while proc.poll() is None:
        try:
            for line in status.read_text().splitlines():
                if line.startswith("VmHWM:"):
                    peak = max(peak, int(line.split()[1]))
        except (OSError, ValueError):
            pass
        time.sleep(0.05)
    seconds = time.perf_counter() - t
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(map(str, args))} exited {proc.returncode}")
    return seconds, peak


# ── the population ──────────────────────────────────────────────────────────

def generate(run: Run, sizes: dict[str, Any]) -> None:
    DATA.mkdir(parents=True, exist_ok=True)
    for what, n in (("customers", sizes["customers"]), ("staff", sizes["staff"])):
        for ext, extra in (("jsonl", []), ("csv", ["--csv"])):
            with open(DATA / f"{what}.{ext}", "w") as f:
                sh(KAM_BENCH, "gen", what, str(n), "--seed", "2026", *extra, stdout=f)
    print(f"generated {sizes['customers']:,} customers and {sizes['staff']:,} staff-months in {DATA}", flush=True)


def read_records(path: Path, limit: int | None = None) -> list[dict[str, Any]]:
    rows = []
    with open(path, encoding="utf-8") as f:
        for i, line in enumerate(f):
            if limit is not None and i >= limit:
                break
            rows.append(json.loads(line, parse_float=Decimal, parse_int=Decimal))
    return rows


def answers(name: str, n: int | None = None) -> Iterator[Any]:
    """kam's answers from the command's run (the reference), streamed: the
    full run's million answers are not held in memory at once."""
    return itertools.islice(agree.read_jsonl(str(DATA / name)), n)


# ── kam: the command, end to end ────────────────────────────────────────────

def cli(run: Run, sizes: dict[str, Any]) -> None:
    nc, ns = sizes["customers"], sizes["staff"]
    threads = os.cpu_count() or 1
    for what, n, extra in (("customers", nc, ["--as-of", AS_OF]), ("staff", ns, [])):
        answers = DATA / f"{what}.kam.jsonl"
        with open(answers, "w") as out:
            s, _ = timed_process([KAM, what, "--policy", RULES, *extra, DATA / f"{what}.jsonl"], stdout=out)
        run.path(f"cli.kam.{what}.jsonl", n, threads, s, "JSON Lines in, JSON Lines out, to a file")
        with open(OUT / f"{what}.csv.kam.jsonl", "w") as out:
            s, _ = timed_process([KAM, what, "--policy", RULES, *extra, DATA / f"{what}.csv"], stdout=out)
        run.path(f"cli.kam.{what}.csv", n, threads, s, "CSV in, JSON Lines out, to a file")
        # The CSV export is the same records: the answers must be the same bytes.
        same = (OUT / f"{what}.csv.kam.jsonl").read_bytes() == answers.read_bytes()
        run.agrees(f"kam {what} CSV vs JSON Lines", n, [] if same else ["the answers differ"], "every byte")
        (OUT / f"{what}.csv.kam.jsonl").unlink()
    # The same customers without rendering messages, and without reasons at all:
    # decisions must be identical (reasons dropped from the comparison).
    for mode in ("codes", "none"):
        path = OUT / f"customers.{mode}.kam.jsonl"
        with open(path, "w") as out:
            s, _ = timed_process([KAM, "customers", "--policy", RULES, "--as-of", AS_OF, "--reasons", mode,
                                  DATA / "customers.jsonl"], stdout=out)
        run.path(f"cli.kam.customers.jsonl.reasons-{mode}", nc, threads, s,
                 f"JSON Lines in and out, --reasons {mode}")
        run.agrees(f"kam customers --reasons {mode}",
                   *agree.compare(f"reasons-{mode}", agree.read_jsonl(str(path)),
                                  agree.read_jsonl(str(DATA / "customers.kam.jsonl")),
                                  drop=("policy", "reasons")),
                   covers="every decision")
        path.unlink()
    with open(DATA / "customers.tier-only.kam.jsonl", "w") as out:
        s, _ = timed_process([KAM, "customers", "--policy", TIER_ONLY, "--as-of", AS_OF, DATA / "customers.jsonl"],
                             stdout=out)
    run.path("cli.kam.tier_only.jsonl", nc, threads, s, "one-rule policy")


def stream(run: Run, sizes: dict[str, Any], shared: bool = False) -> None:
    """Peak memory of `kam customers` on a pipe fed by the generator: must not grow with the input."""
    peaks = {}
    for n in (sizes["stream"] // 10, sizes["stream"]):
        gen = subprocess.Popen([str(KAM_BENCH), "gen", "customers", str(n), "--seed", "7"], stdout=subprocess.PIPE)
        s, rss = timed_process([KAM, "customers", "--policy", RULES, "--as-of", AS_OF, "-"], stdin=gen.stdout)
        if gen.stdout:
            gen.stdout.close()
        if gen.wait() != 0:
            raise RuntimeError("the generator failed")
        peaks[n] = rss
        run.path(f"cli.kam.customers.stream.{n}", n, os.cpu_count() or 1, s,
                 f"generated into a pipe, output discarded; peak RSS {rss / 1024:.1f} MiB"
                 + ("; speed measured while the machine was shared" if shared else ""))
    small, big = sorted(peaks)
    run.extra["stream_peak_rss_kib"] = {str(k): v for k, v in peaks.items()}
    run.extra["stream_rss_growth"] = peaks[big] / peaks[small]
    print(f"  peak RSS {peaks[small] / 1024:.1f} MiB at {small:,} customers, {peaks[big] / 1024:.1f} MiB at {big:,}",
          flush=True)


# ── kam: the Rust batch and the hand-written limit ──────────────────────────

def rust(run: Run, sizes: dict[str, Any]) -> None:
    out = sh(KAM_BENCH, "batch", "--policy", RULES, "--tier-policy", TIER_ONLY,
             "--customers", DATA / "customers.jsonl", "--staff", DATA / "staff.jsonl",
             "--rounds", str(run.rounds), capture_output=True)
    report = json.loads(out.stdout)
    run.extra["compile_default_policy_ms"] = report["compile_default_policy_seconds"] * 1e3
    print(f"  compile the default policy (Rust): {report['compile_default_policy_seconds'] * 1e3:.2f} ms", flush=True)
    for p in report["paths"]:
        run.path(p["path"], p["records"], p["threads"], p["seconds"])
    for name, a in report["agreement"].items():
        problems = [] if a["disagree"] == 0 else [f"{a['disagree']} records differ; first: {a['first']}"]
        run.agrees(f"Rust {name}", a["compared"], problems, "whole result" if "tier" not in name else "tier")


# ── kam in Python ───────────────────────────────────────────────────────────

def to_arrow(rows: list[dict[str, Any]], money: tuple[str, ...]) -> Any:
    import pyarrow as pa

    def exact(row: dict[str, Any]) -> dict[str, Any]:
        row = dict(row)
        for k in money:
            if row.get(k) is not None:
                row[k] = Decimal(row[k])
        if isinstance(row.get("ratings"), dict):
            r = dict(row["ratings"])
            for k in ("market_info", "teamwork", "responsibility"):
                r[k] = Decimal(r[k])
            row["ratings"] = r
        if isinstance(row.get("reviews"), dict):
            row["reviews"] = {k: Decimal(v) for k, v in row["reviews"].items()}
        for k, v in row.items():
            if isinstance(v, Decimal) and k not in money and v == v.to_integral_value() and k != "reviews":
                row[k] = int(v)
        return row

    return pa.Table.from_pylist([exact(r) for r in rows])


def python_kam(run: Run, sizes: dict[str, Any], customers: list[dict], staff: list[dict]) -> None:
    import kam

    policy = kam.Policy.from_dir(str(RULES))
    tier_policy = kam.Policy.from_dir(str(TIER_ONLY))
    threads = os.cpu_count() or 1

    table = to_arrow(customers, CUSTOMER_MONEY)
    s, scored = best(run.rounds, lambda: policy.score_customers(table, as_of=AS_OF))
    run.path("py.kam.arrow.customers", len(customers), threads, s, "score_customers, Arrow table in and out")
    cols = ["id", "status", "tier", "change", "key_account", "admission.admitted"]
    got = [agree.nest(dict(zip(cols, row))) for row in zip(*(scored.column(c).to_pylist() for c in cols))]
    run.agrees("Python Arrow customers", *agree.compare("arrow", got, answers("customers.kam.jsonl"), fields=cols),
               covers=", ".join(cols))

    s, quiet = best(run.rounds, lambda: policy.score_customers(table, as_of=AS_OF, reasons="none"))
    run.path("py.kam.arrow.customers.reasons-none", len(customers), threads, s, "score_customers, reasons=\"none\"")
    same = quiet.drop_columns([]).equals(scored.drop_columns(["reasons"]))
    run.agrees("Python Arrow customers, reasons none", len(customers), [] if same else ["the decisions differ"],
               "every column but reasons")
    del quiet

    s, scored = best(run.rounds, lambda: tier_policy.score_customers(table, as_of=AS_OF))
    run.path("py.kam.arrow.tier_only", len(customers), threads, s, "one-rule policy")
    del scored

    stable = to_arrow(staff, STAFF_MONEY)
    s, scored = best(run.rounds, lambda: policy.score_staff(stable))
    run.path("py.kam.arrow.staff", len(staff), threads, s, "score_staff, Arrow table in and out")
    got = [{"grade": g, "scorecard": {"total": t}} for g, t in
           zip(scored.column("grade").to_pylist(), scored.column("scorecard.total").to_pylist())]
    run.agrees("Python Arrow staff", *agree.compare("arrow", got, answers("staff.kam.jsonl"),
                                                      fields=["grade", "scorecard.total"]),
               covers="grade, scorecard.total")

    n = sizes["subset"]
    s, out = best(run.rounds, lambda: policy.evaluate_customers(customers[:n], as_of=AS_OF))
    run.path("py.kam.dict.customers", n, threads, s, "evaluate_customers, list of dicts")
    run.agrees("Python dict customers", *agree.compare("dict", out, answers("customers.kam.jsonl", n)), covers="whole result")
    s, out = best(run.rounds, lambda: policy.evaluate_staff_batch(staff[:n]))
    run.path("py.kam.dict.staff", min(n, len(staff)), threads, s, "evaluate_staff_batch, list of dicts")
    run.agrees("Python dict staff", *agree.compare("dict", out, answers("staff.kam.jsonl", n)), covers="whole result")


# ── the Python peers ────────────────────────────────────────────────────────

def plain_python(run: Run, customers: list[dict], staff: list[dict]) -> None:
    import plain

    s, out = best(run.rounds, lambda: [plain.customer(r, AS_OF_DATE) for r in customers])
    run.path("py.plain.customers", len(customers), 1, s, "decimal.Decimal, per row, with reasons")
    run.agrees("plain Python customers", *agree.compare("plain", out, answers("customers.kam.jsonl"), messages_only=True),
               covers="whole result (reasons by rule and English message)")
    s, out = best(run.rounds, lambda: [plain.base_tier(r) for r in customers])
    run.path("py.plain.tier_only", len(customers), 1, s, "the four-branch rule")
    run.agrees("plain Python tier", *agree.compare("plain", ({"tier": t} for t in out),
                                                   answers("customers.tier-only.kam.jsonl"), fields=["tier"]),
               covers="tier")
    s, out = best(run.rounds, lambda: [plain.staff(r) for r in staff])
    run.path("py.plain.staff", len(staff), 1, s, "decimal.Decimal, per row, with reasons")
    run.agrees("plain Python staff", *agree.compare("plain", out, answers("staff.kam.jsonl"), messages_only=True),
               covers="whole result (reasons by rule and English message)")


FULL_FIELDS = ["status", "tier", "key_account", "admission.admitted", "admission.failed", "admission.approvals"]
ZEN_FIELDS = ["key_account", "admission.admitted", "admission.failed", "admission.approvals"]


def pandas_peer(run: Run, customers: list[dict]) -> None:
    import vectorised

    df = vectorised.frame(customers)
    s, out = best(run.rounds, lambda: vectorised.decide(df, AS_OF_DATE))
    run.path("py.pandas.customers", len(customers), 1, s, "status, tier, key account, admission; no reasons")
    rows = [{"status": r.status, "tier": r.tier, "key_account": bool(r.key_account),
             "admission": {"admitted": bool(r.admitted), "failed": list(r.failed),
                           "approvals": vectorised.APPROVALS if r.admitted else []}}
            for r in out.itertuples()]
    fields = FULL_FIELDS
    run.agrees("pandas", *agree.compare("pandas", rows, answers("customers.kam.jsonl"), fields=fields), covers=", ".join(fields))


def zen_peer(run: Run, sizes: dict[str, Any], customers: list[dict]) -> None:
    import zen_peer as zen

    inputs = [zen.to_input(r, AS_OF_DATE) for r in customers]
    tier, full = zen.tier_decision(), zen.full_decision()
    s, out = best(run.rounds, lambda: zen.tier_batch(tier, inputs))
    run.path("py.zen.tier_only.batch", len(inputs), os.cpu_count() or 1, s, "decision table, evaluate_batch")
    run.agrees("ZEN tier (batch)", *agree.compare("zen", ({"tier": t} for t in out),
                                                  answers("customers.tier-only.kam.jsonl"), fields=["tier"]),
               covers="tier")
    n = sizes["subset"]
    s, out = best(run.rounds, lambda: zen.tier_each(tier, inputs[:n]))
    run.path("py.zen.tier_only.each", n, 1, s, "decision table, evaluate per record")
    run.agrees("ZEN tier (each)", *agree.compare("zen", ({"tier": t} for t in out),
                                                 answers("customers.tier-only.kam.jsonl", n), fields=["tier"]),
               covers="tier")
    s, out = best(run.rounds, lambda: zen.full_batch(full, inputs))
    run.path("py.zen.customers.batch", len(inputs), os.cpu_count() or 1, s,
             "base tier, key account, admission; evaluate_batch")
    run.agrees("ZEN key account + admission (batch)", *agree.compare("zen", out, answers("customers.kam.jsonl"),
                                                                    fields=ZEN_FIELDS),
               covers=", ".join(ZEN_FIELDS))
    run.agrees("ZEN base tier in the graph", *agree.compare("zen", out, answers("customers.tier-only.kam.jsonl"),
                                                            fields=["tier"]), covers="tier")
    s, out = best(run.rounds, lambda: zen.full_each(full, inputs[:n]))
    run.path("py.zen.customers.each", n, 1, s, "base tier, key account, admission; evaluate per record")
    run.agrees("ZEN key account + admission (each)",
               *agree.compare("zen", out, answers("customers.kam.jsonl", n), fields=ZEN_FIELDS), covers=", ".join(ZEN_FIELDS))


def rule_engine_peer(run: Run, sizes: dict[str, Any], customers: list[dict]) -> None:
    import rules_lib

    rules = rules_lib.tier_rules()
    n = sizes["subset"]
    s, out = best(run.rounds, lambda: rules_lib.tier_each(rules, customers[:n]))
    run.path("py.rule_engine.tier_only", n, 1, s, "rule-engine, four rules")
    run.agrees("rule-engine tier", *agree.compare("rule-engine", ({"tier": t} for t in out),
                                                   answers("customers.tier-only.kam.jsonl", n),
                                                   fields=["tier"]), covers="tier")


# ── kam in WebAssembly (Node) ───────────────────────────────────────────────

def node(run: Run, sizes: dict[str, Any]) -> None:
    if not shutil.which("node"):
        raise RuntimeError("no node on PATH")
    if not NODE_PKG.exists():
        raise RuntimeError(f"{NODE_PKG.relative_to(ROOT)} is missing (bindings-wasm/build.sh did not run)")
    n, m = sizes["wasm"]
    out = sh("node", BENCH / "node.mjs", NODE_PKG, DATA / "customers.jsonl", str(n), DATA / "staff.jsonl", str(m),
             OUT, str(max(run.rounds, 2)), capture_output=True)
    report = json.loads(out.stdout)
    run.extra["compile_default_policy_ms_wasm"] = report["compile_default_policy_seconds"] * 1e3
    print(f"  compile the default policy (WebAssembly in Node): {run.extra['compile_default_policy_ms_wasm']:.2f} ms")
    for p in report["paths"]:
        run.path(p["path"], p["records"], p["threads"], p["seconds"], "Node, best of rounds after a warm-up")
    for what, k in (("customers", n), ("staff", m)):
        got = list(agree.read_jsonl(str(OUT / f"{what}.node.jsonl")))
        run.agrees(f"WebAssembly {what}", *agree.compare("wasm", got, answers(f"{what}.kam.jsonl", k)),
                   covers="whole result")


# ── the table ───────────────────────────────────────────────────────────────

# Which paths another is compared with: the limit (one thread), plain Python
# (one thread) and ZEN (the faster of its batch and per-record paths). ZEN's
# customer graph decides the base tier, key account and admission only.
BASELINES: dict[str, tuple[tuple[str, ...], ...]] = {
    "customers": (("rust.limit.customers",), ("py.plain.customers",),
                  ("py.zen.customers.batch", "py.zen.customers.each")),
    "tier_only": (("rust.limit.tier_only",), ("py.plain.tier_only",),
                  ("py.zen.tier_only.batch", "py.zen.tier_only.each")),
    "staff": (("rust.limit.staff",), ("py.plain.staff",), ()),
}


def workload(name: str) -> str:
    if "tier_only" in name:
        return "tier_only"
    return "staff" if ".staff" in name else "customers"


def machine() -> dict[str, Any]:
    def out(*cmd: str) -> str:
        try:
            return subprocess.run(cmd, capture_output=True, text=True, check=True).stdout.strip()
        except (OSError, subprocess.CalledProcessError):
            return "unknown"

    model = next((line.split(":", 1)[1].strip() for line in out("lscpu").splitlines()
                  if line.startswith("Model name")), "unknown")
    mem = next((line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines()
                if line.startswith("MemTotal")), "0")
    return {"cpu": model, "cores": os.cpu_count(), "memory_gib": round(int(mem) / 1024 / 1024, 1),
            "kernel": platform.release(), "rustc": out("rustc", "--version"),
            "python": platform.python_version(), "node": out("node", "--version"),
            "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")}


def table(run: Run) -> str:
    by = {(p["path"], p["threads"]): p for p in run.paths}
    single = {p["path"]: p for p in run.paths if p["threads"] == 1}
    allt = {p["path"]: p for p in run.paths}

    def ns(names: tuple[str, ...]) -> float | None:
        found = [p["ns_per_record"] for p in (single.get(n) or allt.get(n) for n in names) if p]
        return min(found) if found else None

    lines = ["| path | records | threads | ns per record | × limit | × plain Python | × ZEN | note |",
             "|---|---|---|---|---|---|---|---|"]
    for (name, threads), p in by.items():
        limit, plain, zen = (ns(b) for b in BASELINES[workload(name)])
        v = p["ns_per_record"]
        ratio = (lambda b: f"{v / b:.2f}" if b else "–")  # noqa: E731
        lines.append(f"| `{name}` | {p['records']:,} | {threads} | {v:,.0f} | {ratio(limit)} | {ratio(plain)} | "
                     f"{ratio(zen)} | {p['note']} |")
    for s in run.not_run:
        lines.append(f"| `{s['path']}` | | | not run: {s['why']} | | | | |")
    return "\n".join(lines)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="50,000 customers and 10,000 staff-months")
    ap.add_argument("--check", action="store_true", help="agreement only: one round, no stream")
    ap.add_argument("--rounds", type=int, default=1, help="best of R rounds per path (default 1)")
    ap.add_argument("--skip", action="append", default=[], help="a group to leave out (reported as not run)")
    ap.add_argument("--stream", type=int, metavar="N", help="customers in the memory stream (and N/10 beside it)")
    ap.add_argument("--only-stream", action="store_true", help="the memory stream alone (needs a previous build)")
    ap.add_argument("--signal", metavar="FILE", help="touch FILE when only the memory stream is left (its speed is "
                    "then marked as measured on a shared machine)")
    args = ap.parse_args()
    sizes = dict(SIZES["quick" if args.quick else "full"])
    if args.stream:
        sizes["stream"] = args.stream
    rounds = 1 if args.check else max(args.rounds, 1)
    run = Run(args.quick, args.check, rounds)
    started = time.perf_counter()
    for why in os.environ.get("KAM_BENCH_NOT_RUN", "").split(";"):
        if "=" in why:
            group, reason = why.split("=", 1)
            args.skip.append(group)
            run.skip(group, reason)

    if args.only_stream:
        print("== memory: a stream through `kam customers`")
        stream(run, sizes)
        print(json.dumps({"paths": run.paths, **run.extra}, indent=1))
        return 0
    print("== population")
    generate(run, sizes)
    print("== kam command, end to end")
    cli(run, sizes)  # its answers are the reference every other path is checked against
    print("== Rust batch and the hand-written limit")
    run.attempt("rust", lambda: rust(run, sizes))
    groups: list[tuple[str, Callable[[], None]]] = []
    if "python" not in args.skip:
        customers = read_records(DATA / "customers.jsonl")
        staff = read_records(DATA / "staff.jsonl")
        groups += [
            ("python.kam", lambda: python_kam(run, sizes, customers, staff)),
            ("python.plain", lambda: plain_python(run, customers, staff)),
            ("python.pandas", lambda: pandas_peer(run, customers)),
            ("python.zen", lambda: zen_peer(run, sizes, customers)),
            ("python.rule_engine", lambda: rule_engine_peer(run, sizes, customers)),
        ]
    groups.append(("wasm", lambda: node(run, sizes)))
    for name, f in groups:
        if name in args.skip:
            continue
        print(f"== {name}")
        run.attempt(name, f)

    if not args.check:
        # Last, so that --signal can free the machine first: peak memory does
        # not depend on what else runs, the stream's speed does (noted).
        if args.signal:
            Path(args.signal).touch()
        print("== memory: a stream through `kam customers`")
        run.attempt("stream", lambda: stream(run, sizes, shared=bool(args.signal)))

    disagreements = [a for a in run.agreement if a["disagreements"]]
    report = {"machine": machine(), "mode": "quick" if args.quick else "full", "check": args.check,
              "rounds": rounds, "sizes": {k: v for k, v in sizes.items()}, "paths": run.paths,
              "agreement": run.agreement, "not_run": run.not_run, **run.extra,
              "seconds": time.perf_counter() - started}
    OUT.mkdir(exist_ok=True)
    name = f"results-{'quick' if args.quick else 'full'}{'-check' if args.check else ''}.json"
    (OUT / name).write_text(json.dumps(report, indent=1, default=str))
    m = report["machine"]
    print(f"\n{m['cpu']}, {m['cores']} cores, {m['memory_gib']} GiB; {m['rustc']}; Python {m['python']}; "
          f"Node {m['node']}; {m['date']}; best of {rounds} round(s)\n")
    print(table(run))
    print(f"\nwritten to {(OUT / name).relative_to(ROOT)}; {time.perf_counter() - started:.0f} s")
    if disagreements:
        print(f"\nFAILED: {len(disagreements)} peer(s) disagree with kam: "
              + ", ".join(a["peer"] for a in disagreements))
        return 1
    if args.check and run.not_run and not os.environ.get("KAM_BENCH_ALLOW_NOT_RUN"):
        # With --check (CI) a path that did not run is a yardstick that rotted.
        print(f"\nFAILED: --check needs every path; not run: {', '.join(s['path'] for s in run.not_run)} "
              "(KAM_BENCH_ALLOW_NOT_RUN=1 accepts that)")
        return 1
    print(f"\nagreement: {len(run.agreement)} checks, all agree "
          f"({sum(a['compared'] for a in run.agreement):,} record comparisons)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
