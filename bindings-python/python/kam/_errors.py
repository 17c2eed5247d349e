"""kam's exceptions: every error kam raises is a ``KamError``, with the context to fix it."""

from __future__ import annotations

import copy
from typing import Any, Dict, List, Optional, TypedDict, cast


class _ErrorDictKeys(TypedDict):
    kind: str
    code: str
    record_id: Optional[str]
    field: Optional[str]
    message: str


class ErrorDict(_ErrorDictKeys, total=False):
    """An error's wire form (``KamError.to_dict()``, the ``error`` of a batch entry).

    ``file``/``line``/``column`` are present for rule and policy errors, ``errors``
    (every defect: ``{"code", "file", "line", "column", "message"}``) for policy errors.
    """

    file: Optional[str]
    line: Optional[int]
    column: Optional[int]
    errors: List[Dict[str, Any]]


class KamError(Exception):
    """Base of every error kam raises (never ``PanicException``).

    ``code`` is the error's stable machine code (``"invalid"``, ``"missing"``,
    ``"unknown_field"``, ``"malformed"`` for records; ``"script"``, ``"shape"``,
    ``"limit"`` for rules; ``"missing_entry"`` or ``"policy"`` for policies;
    ``"internal"`` for a kam bug), and ``to_dict()`` its wire form: the
    ``{"kind", "code", "record_id", "field", "message", …}`` object the CLI,
    batch results and the JS binding report (see ``kam::error``).
    """

    #: ``"policy"``, ``"record"``, ``"rule"`` or ``"internal"``.
    kind: str = "internal"
    #: The stable machine code (see the class docs).
    code: str = "internal"

    def __init__(self, message: str, *, code: Optional[str] = None, wire: Optional[Dict[str, Any]] = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        self._wire: Dict[str, Any] = dict(wire) if wire is not None else {}

    def to_dict(self) -> ErrorDict:
        """The error's wire form, a fresh copy: ``{"kind", "code", "record_id", "field", "message", …}``."""
        if self._wire:
            return cast(ErrorDict, copy.deepcopy(self._wire))
        return {"kind": self.kind, "code": self.code, "record_id": None, "field": None, "message": self.message}

    def __reduce__(self) -> Any:
        # Rebuilt from the message and the attributes, so errors cross process boundaries.
        return (self.__class__, (self.message,), self.__dict__)


class PolicyError(KamError):
    """The policy cannot be loaded (syntax, a missing file or function, a bad parameter),
    or lacks the entry point a call needs (``code == "missing_entry"``: a batch raises
    it once, before any record is evaluated).

    ``errors`` lists every defect (``{"file", "line", "column", "message"}``), what an
    editor needs to underline them; ``file``/``line``/``column`` are the first one's.
    """

    kind = "policy"
    code = "policy"

    def __init__(
        self,
        message: str,
        *,
        file: Optional[str] = None,
        line: Optional[int] = None,
        column: Optional[int] = None,
        errors: Optional[List[Dict[str, Any]]] = None,
        code: Optional[str] = None,
        wire: Optional[Dict[str, Any]] = None,
    ) -> None:
        super().__init__(message, code=code, wire=wire)
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
    code = "invalid"

    def __init__(
        self,
        message: str,
        *,
        record_id: Optional[str] = None,
        line: Optional[int] = None,
        field: Optional[str] = None,
        detail: Optional[str] = None,
        code: Optional[str] = None,
        wire: Optional[Dict[str, Any]] = None,
    ) -> None:
        super().__init__(message, code=code, wire=wire)
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
    code = "script"

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
        code: Optional[str] = None,
        wire: Optional[Dict[str, Any]] = None,
    ) -> None:
        super().__init__(message, code=code, wire=wire)
        self.record_id = record_id
        self.file = file
        self.line = line
        self.column = column
        self.field = field
        self.limit = limit
        self.detail = detail if detail is not None else message


def _rebuild_policy(sources: Dict[str, str], options: Dict[str, Any]) -> Any:
    """Unpickles a ``kam.Policy``: recompiles its sources with its limits and engine."""
    from kam._kam import Policy

    return Policy.from_sources(sources, limits=options.get("limits"), engine=options.get("engine"))
