"""kam's exceptions: every error kam raises is a ``KamError``, with the context to fix it."""

from __future__ import annotations

from typing import Any, Dict, List, Optional


class KamError(Exception):
    """Base of every error kam raises (never ``PanicException``)."""

    #: ``"policy"``, ``"record"``, ``"rule"`` or ``"internal"``.
    kind: str = "internal"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __reduce__(self) -> Any:
        # Rebuilt from the message and the attributes, so errors cross process boundaries.
        return (self.__class__, (self.message,), self.__dict__)


class PolicyError(KamError):
    """The policy cannot be loaded: syntax, a missing file or function, a bad parameter.

    ``errors`` lists every defect (``{"file", "line", "column", "message"}``), what an
    editor needs to underline them; ``file``/``line``/``column`` are the first one's.
    """

    kind = "policy"

    def __init__(
        self,
        message: str,
        *,
        file: Optional[str] = None,
        line: Optional[int] = None,
        column: Optional[int] = None,
        errors: Optional[List[Dict[str, Any]]] = None,
    ) -> None:
        super().__init__(message)
        self.file = file
        self.line = line
        self.column = column
        self.errors = errors or []


class RecordError(KamError):
    """One record is invalid: a missing, mistyped or unknown field.

    ``record_id`` is the record's id when it has a readable one, ``field`` the
    offending field (dotted for nested ones: ``incidents[0].date``), ``line`` the
    input line when read from a file, ``detail`` the message without the prefix.
    """

    kind = "record"

    def __init__(
        self,
        message: str,
        *,
        record_id: Optional[str] = None,
        line: Optional[int] = None,
        field: Optional[str] = None,
        detail: Optional[str] = None,
    ) -> None:
        super().__init__(message)
        self.record_id = record_id
        self.line = line
        self.field = field
        self.detail = detail if detail is not None else message


class RuleError(KamError):
    """A rule failed on one record: it threw, returned a wrong shape, or hit a sandbox limit.

    ``file``/``line``/``column`` locate it in the policy; ``field`` names the result
    field of a wrong shape; ``limit`` is true when a sandbox limit stopped it.
    """

    kind = "rule"

    def __init__(
        self,
        message: str,
        *,
        record_id: Optional[str] = None,
        file: Optional[str] = None,
        line: Optional[int] = None,
        column: Optional[int] = None,
        field: Optional[str] = None,
        limit: bool = False,
        detail: Optional[str] = None,
    ) -> None:
        super().__init__(message)
        self.record_id = record_id
        self.file = file
        self.line = line
        self.column = column
        self.field = field
        self.limit = limit
        self.detail = detail if detail is not None else message


def _rebuild_policy(sources: Dict[str, str], options: Dict[str, Any]) -> Any:
    """Unpickles a ``kam.Policy``: recompiles its sources with its limits."""
    from kam._kam import Policy

    return Policy.from_sources(sources, limits=options.get("limits"))
