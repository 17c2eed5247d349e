"""The comparison every agreement figure rests on must itself be right.

    python3 bench/peers/test_agree.py      (stdlib only; exits 1 on a failure)
"""

from __future__ import annotations

import datetime
import sys
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import agree  # noqa: E402


def check(name: str, ok: bool) -> bool:
    print(("ok   " if ok else "FAIL ") + name)
    return ok


def main() -> int:
    kam = [agree.parse('{"id":"C-1","tier":"B","kpis":{"rate":1.1749996157243816254416961131},'
                       '"admission":{"admitted":false,"failed":["need"]},"visit":{"next_due":"2026-12-01"},'
                       '"policy":{"digest":"x"}}')]
    same = {"id": "C-1", "tier": "B", "kpis": {"rate": Decimal("1.17499961572438162544169611310")},
            "admission": {"admitted": False, "failed": ["need"]}, "visit": {"next_due": datetime.date(2026, 12, 1)}}
    last_digit = {**same, "kpis": {"rate": Decimal("1.174999615724381625441696113")}}
    results = [
        check("equal answers agree (trailing zeros, a date, policy left out)",
              agree.compare("t", [same], kam) == (1, [])),
        check("a difference in the 29th significant digit is a disagreement",
              bool(agree.compare("t", [last_digit], kam)[1])),
        check("a missing item is a disagreement",
              bool(agree.compare("t", [{**same, "admission": {"admitted": False, "failed": []}}], kam)[1])),
        check("True is not 1", bool(agree.compare("t", [{**same, "tier": True}], [{**kam[0], "tier": Decimal(1)}])[1])),
        check("selected dotted fields compare", agree.compare(
            "t", [agree.nest({"tier": "B", "admission.admitted": False})], kam,
            fields=["tier", "admission.admitted"]) == (1, [])),
        check("a dotted field differing is found", bool(agree.compare(
            "t", [agree.nest({"tier": "B", "admission.admitted": True})], kam,
            fields=["tier", "admission.admitted"])[1])),
    ]
    explained_kam = [agree.parse(
        '{"id":"S-1","reasons":[{"rule":"grade","code":"grade.band","facts":{"total":80,"min":75},'
        '"message":"total 80 is at least 75: good"}],"scorecard":{"items":[{"id":"attendance","adjustments":'
        '[{"points":-1,"code":"scorecard.attendance.late","facts":{"late":2,"per":3},'
        '"message":"2 late arrival(s): −1 per 3 or part of 3"}]}]}}')]
    peer = {"id": "S-1", "reasons": [{"rule": "grade", "message": "total 80 is at least 75: good"}],
            "scorecard": {"items": [{"id": "attendance", "adjustments": [
                {"points": -1, "message": "2 late arrival(s): −1 per 3 or part of 3"}]}]}}
    reworded = {**peer, "reasons": [{"rule": "grade", "message": "total 80 is at least 75: Good"}]}
    results += [
        check("messages_only: a peer without codes and facts agrees on rule, points and message",
              agree.compare("t", [peer], explained_kam, messages_only=True) == (1, [])),
        check("messages_only: a message differing is still a disagreement",
              bool(agree.compare("t", [reworded], explained_kam, messages_only=True)[1])),
        check("without messages_only, kam's codes and facts are compared",
              bool(agree.compare("t", [peer], explained_kam)[1])),
    ]
    try:
        agree.compare("t", [same], kam, fields=["admission.admited"])
        results.append(check("a field kam lacks raises (never vacuous agreement)", False))
    except KeyError:
        results.append(check("a field kam lacks raises (never vacuous agreement)", True))
    try:
        agree.canon(0.1)
        results.append(check("a float in an answer is refused", False))
    except TypeError:
        results.append(check("a float in an answer is refused", True))
    try:
        agree.compare("t", [same, same], kam)
        results.append(check("answer counts must match", False))
    except ValueError:
        results.append(check("answer counts must match", True))
    failed = results.count(False)
    print(f"{len(results) - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
