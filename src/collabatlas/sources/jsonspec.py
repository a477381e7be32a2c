"""One description of the JSON fields we read, rendered two ways.

A spec is a nested Python value: ``str``, ``int``, ``bool`` for scalars, a ``dict`` of field → spec
for objects, and a one-element ``list`` ``[spec]`` for arrays. From it we derive

- :func:`duckdb_columns`: the ``columns=`` argument of DuckDB's ``read_json`` (fast path), and
- :func:`find_type_error`: a validator that names the first offending field of a record (careful
  path), so a record DuckDB cannot cast is reported with its field instead of failing the file.

Fields not named in a spec are ignored; every field may be ``null``.
"""

from __future__ import annotations

from typing import Any

_SQL_SCALAR = {str: "VARCHAR", int: "BIGINT", bool: "BOOLEAN"}
_NAMES = {str: "string", int: "integer", bool: "boolean", dict: "object", list: "array"}


def _sql_type(spec: Any) -> str:
    if isinstance(spec, dict):
        inner = ", ".join(f'"{k}" {_sql_type(v)}' for k, v in spec.items())
        return f"STRUCT({inner})"
    if isinstance(spec, list):
        return f"{_sql_type(spec[0])}[]"
    return _SQL_SCALAR[spec]


def duckdb_columns(spec: dict[str, Any]) -> str:
    """The ``columns={...}`` literal for ``read_json`` describing the top-level fields of ``spec``."""
    items = ", ".join(f"'{k}': '{_sql_type(v)}'" for k, v in spec.items())
    return "{" + items + "}"


def _type_name(value: Any) -> str:
    for py, name in ((bool, "boolean"), (int, "integer"), (float, "number"), (str, "string"), (dict, "object"), (list, "array")):
        if isinstance(value, py):
            return name
    return type(value).__name__


def _check(value: Any, spec: Any, path: str) -> str | None:
    if value is None:
        return None
    if isinstance(spec, dict):
        if not isinstance(value, dict):
            return f"{path}: expected object, got {_type_name(value)}"
        for key, sub in spec.items():
            err = _check(value.get(key), sub, f"{path}.{key}" if path else key)
            if err:
                return err
        return None
    if isinstance(spec, list):
        if not isinstance(value, list):
            return f"{path}: expected array, got {_type_name(value)}"
        for i, item in enumerate(value):
            err = _check(item, spec[0], f"{path}[{i}]")
            if err:
                return err
        return None
    if spec is int:
        ok = isinstance(value, int) and not isinstance(value, bool)
        ok = ok or (isinstance(value, str) and value.strip().lstrip("-").isdigit())
    elif spec is str:
        ok = isinstance(value, str)
    else:
        ok = isinstance(value, spec)
    return None if ok else f"{path}: expected {_NAMES[spec]}, got {_type_name(value)} {str(value)[:40]!r}"


def find_type_error(record: Any, spec: dict[str, Any]) -> str | None:
    """The first field of ``record`` whose value does not fit ``spec`` (``None`` when it fits)."""
    if not isinstance(record, dict):
        return f"record: expected object, got {_type_name(record)}"
    return _check(record, spec, "")
