"""What every environment's episode record shares: typed reading of its JSON fields.

An episode file is read field by field, and a wrong field is a one-line ``ValueError``
that names it (``field 'reward': expected a number, got 'x'``). The office record
(``office.record``) and the triage record (``triage.record``) both read through here.
"""

from __future__ import annotations

from typing import Any

__all__ = ["bool_field", "int_field", "names_field", "number_field", "numbers_field", "text_field"]


def _typed(value: Any, key: str, types: tuple[type, ...], what: str) -> Any:
    """``value`` (of record field ``key``) if it is one of ``types`` (a bool is not a number)."""
    if not isinstance(value, types) or (bool not in types and isinstance(value, bool)):
        raise ValueError(f"field {key!r}: expected {what}, got {value!r}")
    return value


def text_field(d: dict[str, Any], key: str) -> str:
    """``d[key]`` if it is a string (a record field)."""
    return str(_typed(d[key], key, (str,), "a string"))


def int_field(d: dict[str, Any], key: str) -> int:
    """``d[key]`` if it is an integer (a record field)."""
    return int(_typed(d[key], key, (int,), "an integer"))


def number_field(d: dict[str, Any], key: str) -> float:
    """``d[key]`` if it is a number (a record field)."""
    return float(_typed(d[key], key, (int, float), "a number"))


def bool_field(d: dict[str, Any], key: str) -> bool:
    """``d[key]`` if it is true or false (a record field)."""
    return bool(_typed(d[key], key, (bool,), "true or false"))


def numbers_field(d: dict[str, Any], key: str) -> tuple[float, ...]:
    """``d[key]`` if it is a list of numbers (a record field), as a tuple."""
    values = _typed(d[key], key, (list,), "a list of numbers")
    return tuple(float(_typed(v, key, (int, float), "a number")) for v in values)


def names_field(d: dict[str, Any]) -> tuple[str, ...]:
    """``d["component_names"]``: a list of strings."""
    names = _typed(d["component_names"], "component_names", (list,), "a list of names")
    return tuple(str(_typed(n, "component_names", (str,), "a string")) for n in names)
