"""One policy shared by 8 Python threads gives what one thread gives; pickling ships it to processes."""

from __future__ import annotations

import json
import pickle
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pyarrow as pa

import kam

AS_OF = "2026-11-01"


def customers(root: Path) -> list[dict]:
    lines = (root / "data" / "customers.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(l) for l in lines if l.strip()]


def population(root: Path, copies: int) -> pa.Table:
    base = customers(root)
    rows = []
    for i in range(copies):
        for r in base:
            r = {k: (str(v) if k in ("annual_revenue", "cumulative_revenue", "largest_contract") else v) for k, v in r.items() if k not in ("attributes", "incidents")}
            r["id"] = f"{r['id']}-{i}"
            rows.append(r)
    keys = sorted({k for r in rows for k in r})
    return pa.Table.from_pylist([{k: r.get(k) for k in keys} for r in rows])


def test_eight_threads_give_the_serial_answers(policy: kam.Policy, root: Path) -> None:
    records = customers(root)
    table = population(root, 20)
    serial_dicts = policy.evaluate_customers(records, as_of=AS_OF)
    serial_table = policy.score_customers(table, as_of=AS_OF)

    def work(i: int) -> tuple[Any, Any]:
        if i % 2:
            return policy.evaluate_customers(records, as_of=AS_OF), None
        return None, policy.score_customers(table, as_of=AS_OF)

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(work, range(16)))
    for dicts, scored in results:
        if dicts is not None:
            assert dicts == serial_dicts
        else:
            assert scored.equals(serial_table)


def test_pickle_round_trip_keeps_digest_limits_and_answers(policy: kam.Policy, root: Path) -> None:
    tight = kam.Policy.from_sources(policy.sources, limits={"max_operations": 500_000, "max_seconds": None})
    again = pickle.loads(pickle.dumps(tight))
    assert again.digest == policy.digest
    assert again.limits == tight.limits and again.limits["max_seconds"] is None
    assert again.check() == policy.check()
    records = customers(root)
    assert again.evaluate_customers(records, as_of=AS_OF) == policy.evaluate_customers(records, as_of=AS_OF)


def score_in_worker(policy: kam.Policy, records: list[dict]) -> list[Any]:
    return [r.get("tier") for r in policy.evaluate_customers(records, as_of=AS_OF)]


def test_a_policy_ships_to_worker_processes(policy: kam.Policy, root: Path) -> None:
    records = customers(root)
    want = score_in_worker(policy, records)
    halves = [records[: len(records) // 2], records[len(records) // 2 :]]
    import multiprocessing

    with ProcessPoolExecutor(max_workers=2, mp_context=multiprocessing.get_context("spawn")) as pool:
        got = list(pool.map(score_in_worker, [policy, policy], halves))
    assert got[0] + got[1] == want


def test_a_thread_stuck_on_an_attack_leaves_the_others_serving(policy: kam.Policy, root: Path) -> None:
    """One thread keeps hitting the operation limit; 7 others keep giving the serial answers.

    The timings are printed (``pytest -s``) for RELIABILITY.md, not asserted.
    """
    import threading
    import time

    attack = (root / "tests" / "attacks" / "infinite_loop.rhai").read_text(encoding="utf-8")
    attacked = kam.Policy.from_sources({**policy.sources, "customer.rhai": attack})
    records = customers(root)
    serial = policy.evaluate_customers(records, as_of=AS_OF)

    def serve(_: int) -> float:
        start = time.perf_counter()
        for _ in range(10):
            assert policy.evaluate_customers(records, as_of=AS_OF) == serial
        return time.perf_counter() - start

    def round_(attack_on: bool) -> tuple[float, int]:
        stop = threading.Event()
        contained = [0]

        def attacker() -> None:
            while attack_on and not stop.is_set():
                try:
                    attacked.evaluate_customer(records[0], as_of=AS_OF)
                except kam.RuleError as e:
                    assert e.limit
                    contained[0] += 1

        t = threading.Thread(target=attacker)
        t.start()
        with ThreadPoolExecutor(max_workers=7) as pool:
            slowest = max(pool.map(serve, range(7)))
        stop.set()
        t.join()
        return slowest, contained[0]

    quiet, _ = round_(False)
    busy, contained = round_(True)
    assert contained >= 1
    print(f"\n7 threads x 10 batches of {len(records)}: slowest {quiet:.3f}s beside an idle thread, "
          f"{busy:.3f}s beside 1 attacker ({contained} attacks contained): {busy / quiet:.2f}x")
