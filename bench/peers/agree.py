"""How the benchmark decides that a peer agrees with kam.

A peer's answer and kam's are compared after `canon`: numbers (Decimal, int)
become their exact normalised decimal text, so `24`, `24.0` and
`Decimal("24.00")` are one value while `0.9499` and `0.95` stay two; dates
become ISO text; maps compare without regard to key order. Nothing is rounded
and nothing is compared as a float: a float anywhere in an answer is itself a
disagreement (kam never answers with one).

kam's reasons are `{rule, code, facts, message}` and its scorecard adjustments
`{points, code, facts, message}`. A peer that writes the policy by hand
(plain.py) produces the English sentence only, not the code and facts kam
renders it from: `compare(..., messages_only=True)` projects kam's reasons to
`{rule, message}` and adjustments to `{points, message}` before comparing, so
the rule, the points and every English message must still match byte for
byte. kam against kam (the Python dict, WebAssembly) compares everything.
"""

from __future__ import annotations

import datetime
import json
from decimal import Context, Decimal
from typing import Any, Iterable, Iterator


_EXACT = Context(prec=100)


def canon(value: Any) -> Any:
    """The comparable form of a JSON-like answer."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, float):
        raise TypeError(f"a float in an answer: {value!r}")
    if isinstance(value, (int, Decimal)):
        # normalize() rounds to its context's precision: 28 digits by default,
        # which would hide a difference in kam's 29th significant digit.
        d = Decimal(value)
        text = format(d.normalize(_EXACT), "f")
        return "0" if text in ("-0", "0") else text
    if isinstance(value, (datetime.date,)):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): canon(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [canon(v) for v in value]
    raise TypeError(f"not a JSON-like value: {type(value).__name__}")


def parse(line: str) -> Any:
    """A JSON line with exact numbers (every number a Decimal)."""
    return json.loads(line, parse_float=Decimal, parse_int=Decimal)


def read_jsonl(path: str) -> Iterator[Any]:
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.strip():
                yield parse(line)


def first_difference(a: Any, b: Any, path: str = "") -> str | None:
    """Where two canonical values first differ, as `path: a != b`, or None."""
    if isinstance(a, dict) and isinstance(b, dict):
        for k in sorted(set(a) | set(b)):
            if k not in a or k not in b:
                return f"{path}.{k}: {'missing' if k not in a else a[k]!r} != {'missing' if k not in b else b[k]!r}"
            d = first_difference(a[k], b[k], f"{path}.{k}")
            if d:
                return d
        return None
    if isinstance(a, list) and isinstance(b, list):
        for i, (x, y) in enumerate(zip(a, b)):
            d = first_difference(x, y, f"{path}[{i}]")
            if d:
                return d
        if len(a) != len(b):
            return f"{path}: {len(a)} items != {len(b)} items"
        return None
    return None if a == b else f"{path}: {a!r} != {b!r}"


def explained(answer: Any) -> Any:
    """kam's answer with each reason as `{rule, message}` and each adjustment as
    `{points, message}` (what a hand-written peer computes; see the module docs)."""
    if isinstance(answer, list):
        return [explained(v) for v in answer]
    if not isinstance(answer, dict):
        return answer
    out = {}
    for key, value in answer.items():
        if key == "reasons" and isinstance(value, list):
            out[key] = [_only(r, ("rule", "message")) for r in value]
        elif key == "adjustments" and isinstance(value, list):
            out[key] = [_only(a, ("points", "message")) for a in value]
        else:
            out[key] = explained(value)
    return out


def _only(item: Any, keys: tuple[str, ...]) -> Any:
    return {k: item[k] for k in keys if k in item} if isinstance(item, dict) else item


def compare(name: str, peer: Iterable[Any], kam: Iterable[Any], fields: list[str] | None = None,
            drop: tuple[str, ...] = ("policy",), messages_only: bool = False) -> tuple[int, list[str]]:
    """Compares answers record by record: (records compared, the first few disagreements).

    `fields` restricts the comparison to those keys of kam's answer (dotted for
    nested ones, e.g. `admission.failed`), for a peer that covers part of the policy.
    `messages_only` compares kam's reasons and adjustments by their rule, points
    and message only, for a peer that writes the sentences itself.
    """
    count, problems = 0, []
    for i, (p, k) in enumerate(zip(peer, kam, strict=True)):
        count += 1
        if messages_only:
            k = explained(k)
        if fields is not None:
            missing = [f for f in fields if _get(k, f) is _MISSING]
            if missing:
                # A field kam's answer lacks is a mistake in the comparison, never agreement.
                raise KeyError(f"{name}: kam's answer {i + 1} has no {missing}")
            k = {f: _get(k, f) for f in fields}
            p = {f: _get(p, f) for f in fields}
        else:
            k = {key: v for key, v in k.items() if key not in drop}
            p = {key: v for key, v in p.items() if key not in drop}
        d = first_difference(canon(p), canon(k))
        if d and len(problems) < 5:
            problems.append(f"{name}: record {i + 1} ({k.get('id', '?') if isinstance(k, dict) else '?'}){d}")
    return count, problems


_MISSING = "<missing>"


def _get(obj: Any, dotted: str) -> Any:
    for part in dotted.split("."):
        if not isinstance(obj, dict) or part not in obj:
            return _MISSING
        obj = obj[part]
    return obj


def nest(flat: dict[str, Any]) -> dict[str, Any]:
    """`{"admission.admitted": True}` as `{"admission": {"admitted": True}}` (Arrow's dotted columns)."""
    out: dict[str, Any] = {}
    for key, value in flat.items():
        *parents, last = key.split(".")
        node = out
        for p in parents:
            node = node.setdefault(p, {})
        node[last] = value
    return out
