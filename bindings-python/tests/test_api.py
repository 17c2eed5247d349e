"""The public API is documented and typed as the stubs say."""

from __future__ import annotations

import inspect

import kam


def test_everything_public_has_a_docstring() -> None:
    missing = [name for name in kam.__all__ if not isinstance(getattr(kam, name), int) and not (getattr(kam, name).__doc__ or "").strip()]
    for cls in (kam.Policy, kam.ResultStream):
        for name, member in vars(cls).items():
            if not name.startswith("_") and not (getattr(member, "__doc__", "") or "").strip():
                missing.append(f"{cls.__name__}.{name}")
    assert missing == []


def test_signatures_match_the_documented_keywords() -> None:
    sig = inspect.signature(kam.Policy.score_customers)
    assert list(sig.parameters) == ["self", "table", "as_of", "extra_columns", "lang", "reasons"]
    for name, default in (("extra_columns", "error"), ("lang", None), ("reasons", "full")):
        assert sig.parameters[name].kind is inspect.Parameter.KEYWORD_ONLY
        assert sig.parameters[name].default == default
    assert list(inspect.signature(kam.Policy.from_dir).parameters) == ["path", "limits", "engine"]


def test_properties_identify_the_policy(policy: kam.Policy) -> None:
    assert policy.name == "default" and policy.version == "1"
    assert policy.digest.startswith("sha256:") and len(policy.digest) == len("sha256:") + 64
    assert policy.tiers == ["A", "B", "C", "D"]
    assert "policy.rhai" in policy.sources and any(k.startswith("tests/") for k in policy.sources)
    assert kam.Policy.from_sources(policy.sources).digest == policy.digest
    assert repr(policy).startswith('<kam.Policy "default"')
    assert kam.__version__ == "0.1.0"


def test_engine_chooses_what_runs_the_rules_and_not_the_answers(policy: kam.Policy) -> None:
    import os
    import pickle

    from conftest import ROOT

    default = os.environ.get("KAM_ENGINE", "compiled")
    assert policy.engine == default and policy.compile_fallback is None
    compiled = kam.Policy.from_dir(ROOT / "rules", engine="compiled")
    interpreted = kam.Policy.from_sources(policy.sources, engine="interpreted")
    assert (compiled.engine, interpreted.engine) == ("compiled", "interpreted")
    assert pickle.loads(pickle.dumps(interpreted)).engine == "interpreted"
    records = [{"id": f"C-{i}", "annual_revenue": 1_000_000 * i, "tier": "B"} for i in range(6)]
    assert compiled.evaluate_customers(records, as_of="2026-11-01") == interpreted.evaluate_customers(
        records, as_of="2026-11-01"
    )
    try:
        kam.Policy.from_dir(ROOT / "rules", engine="fast")  # type: ignore[arg-type]
    except ValueError as e:
        assert "fast" in str(e) and "interpreted" in str(e)
    else:
        raise AssertionError("an unknown engine must be refused")
    # A construct the compiler does not cover keeps the interpreter and says where.
    sources = dict(policy.sources)
    sources["customer_visit.rhai"] = "fn visit(c, tier, as_of, p) {\n    if tier == 'A' {\n        ()\n    }\n}\n"
    fallback = kam.Policy.from_sources(sources, engine="compiled")
    assert fallback.engine == "interpreted"
    assert fallback.compile_fallback is not None and "customer_visit.rhai:2:16" in fallback.compile_fallback
