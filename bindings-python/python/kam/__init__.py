"""kam: key-account management rules (tiers, admission, scorecards) from editable Rhai policies.

From the repository root:

>>> import kam
>>> policy = kam.Policy.from_dir("rules")
>>> result = policy.evaluate_customer({"id": "C-1", "annual_revenue": "3000000"}, as_of="2026-11-01")
>>> result["tier"]  # not A: the credit rating defaults to fair, so the payment record is not good
'B'

See ``help(kam.Policy)`` for the API and the package README for the Arrow column types.
"""

from kam._errors import ErrorDict, KamError, PolicyError, RecordError, RuleError
from kam._kam import DECIMAL_PRECISION, DECIMAL_SCALE, Policy, ResultStream

try:
    from importlib.metadata import version as _version

    __version__: str = _version("kam")
except Exception:  # pragma: no cover - running from a source tree without metadata
    __version__ = "0.0.0"

__all__ = [
    "DECIMAL_PRECISION",
    "DECIMAL_SCALE",
    "ErrorDict",
    "KamError",
    "Policy",
    "PolicyError",
    "RecordError",
    "ResultStream",
    "RuleError",
]
