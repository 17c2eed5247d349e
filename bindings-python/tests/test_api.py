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
    assert list(inspect.signature(kam.Policy.from_dir).parameters) == ["path", "limits"]


def test_properties_identify_the_policy(policy: kam.Policy) -> None:
    assert policy.name == "default" and policy.version == "1"
    assert policy.digest.startswith("sha256:") and len(policy.digest) == len("sha256:") + 64
    assert policy.tiers == ["A", "B", "C", "D"]
    assert "policy.rhai" in policy.sources and any(k.startswith("tests/") for k in policy.sources)
    assert kam.Policy.from_sources(policy.sources).digest == policy.digest
    assert repr(policy).startswith('<kam.Policy "default"')
    assert kam.__version__ == "0.1.0"
