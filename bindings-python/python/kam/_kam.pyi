"""Type stubs for kam's native module (re-exported by ``kam``)."""

import datetime
from os import PathLike
from typing import Any, Dict, Iterable, List, Literal, Mapping, Optional, Tuple, TypedDict, Union

from typing_extensions import final

__all__ = ["DECIMAL_PRECISION", "DECIMAL_SCALE", "Policy", "ResultStream"]


DECIMAL_PRECISION: int
DECIMAL_SCALE: int

DateLike = Union[datetime.date, str]
ExtraColumns = Literal["error", "ignore", "attributes"]
ReasonsMode = Literal["none", "codes", "full"]
EngineName = Literal["compiled", "interpreted"]

class Limits(TypedDict, total=False):
    max_operations: int
    max_call_levels: int
    max_expr_depth: Union[int, Tuple[int, int]]
    max_string_size: int
    max_array_size: int
    max_map_size: int
    max_seconds: Optional[float]

class Diagnostic(TypedDict):
    file: str
    line: Optional[int]
    column: Optional[int]
    message: str

@final
class ResultStream:
    """A scored table exposing the Arrow PyCapsule interface (``pyarrow.table(s)``)."""

    def __arrow_c_stream__(self, requested_schema: Optional[object] = None) -> object: ...
    def __len__(self) -> int: ...
    @property
    def column_names(self) -> List[str]: ...

@final
class Policy:
    """A compiled key-account policy; immutable, thread-safe, picklable."""

    @staticmethod
    def from_dir(
        path: Union[str, "PathLike[str]"], *, limits: Optional[Limits] = None, engine: Optional[EngineName] = None
    ) -> "Policy": ...
    @staticmethod
    def from_sources(
        sources: Mapping[str, str], *, limits: Optional[Limits] = None, engine: Optional[EngineName] = None
    ) -> "Policy": ...
    @property
    def engine(self) -> EngineName: ...
    @property
    def compile_fallback(self) -> Optional[str]: ...
    @property
    def name(self) -> str: ...
    @property
    def version(self) -> str: ...
    @property
    def digest(self) -> str: ...
    @property
    def tiers(self) -> List[str]: ...
    @property
    def languages(self) -> List[str]: ...
    @property
    def sources(self) -> Dict[str, str]: ...
    @property
    def limits(self) -> Limits: ...
    def check(self) -> List[Diagnostic]: ...
    def evaluate_customer(
        self, record: Mapping[str, Any], as_of: Optional[DateLike] = None, *, lang: Optional[str] = None, reasons: ReasonsMode = "full"
    ) -> Dict[str, Any]: ...
    def evaluate_customers(
        self, records: Iterable[Mapping[str, Any]], as_of: Optional[DateLike] = None, *, lang: Optional[str] = None, reasons: ReasonsMode = "full"
    ) -> List[Dict[str, Any]]: ...
    def evaluate_staff(
        self, record: Mapping[str, Any], *, lang: Optional[str] = None, reasons: ReasonsMode = "full"
    ) -> Dict[str, Any]: ...
    def evaluate_staff_batch(
        self, records: Iterable[Mapping[str, Any]], *, lang: Optional[str] = None, reasons: ReasonsMode = "full"
    ) -> List[Dict[str, Any]]: ...
    def score_customers(
        self,
        table: Any,
        as_of: Optional[DateLike] = None,
        *,
        extra_columns: ExtraColumns = "error",
        lang: Optional[str] = None,
        reasons: ReasonsMode = "full",
    ) -> Any: ...
    def score_staff(
        self, table: Any, *, extra_columns: ExtraColumns = "error", lang: Optional[str] = None, reasons: ReasonsMode = "full"
    ) -> Any: ...
    def __reduce__(self) -> Tuple[Any, ...]: ...
