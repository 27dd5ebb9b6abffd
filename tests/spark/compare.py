"""Compare engine results across backends, allowing for float summation order."""

from __future__ import annotations

from typing import Any


def rounded(value: Any, digits: int = 9) -> Any:
    """Round every float to `digits` significant digits, recursively.

    Spark adds up a mean's values in a different order on each run, so the
    last bits of a float may differ from DuckDB's while every shown figure agrees.
    """
    if isinstance(value, float):
        return float(f"{value:.{digits}g}")
    if isinstance(value, dict):
        return {key: rounded(item, digits) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [rounded(item, digits) for item in value]
    return value
