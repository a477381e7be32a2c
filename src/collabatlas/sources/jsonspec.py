"""One description of the JSON fields we read, rendered two ways.

A spec is a nested Python value: ``str``, ``int``, ``bool`` or :data:`JSON` for scalars, a ``dict``
of field → spec for objects, and a one-element ``list`` ``[spec]`` for arrays. From it we derive

- :func:`duckdb_columns`: the ``columns=`` argument of DuckDB's ``read_json`` (fast path), and
- :func:`find_type_error`: a validator that names the first offending field of a record (careful
  path), so a record DuckDB cannot cast is reported with its field instead of failing the file.

Fields not named in a spec are ignored; every field may be ``null``.

One rule for both readers: :func:`find_type_error` accepts exactly what DuckDB's ``read_json``
accepts for the same columns, so a record is stored the same whether its file went through the fast
or the careful reader. DuckDB renders any JSON value as text for a ``VARCHAR`` column (``5`` →
``'5'``, an object → its JSON text) and fails only when an object or array is of the wrong shape;
its casts to ``BIGINT`` and ``BOOLEAN`` are lenient in ways that are hard to mirror (``1.5`` → 2,
``"0x10"`` → 16, ``"yes"`` → true), so the specs use :data:`JSON` for such scalars (the raw JSON
value, never a read error) and the ingest SQL decides what is valid, the same SQL for both readers.
"""

from __future__ import annotations

from typing import Any

#: a scalar read as DuckDB ``JSON``: any value is accepted here; SQL checks it (``json_type``)
JSON = "json"

_SQL_SCALAR = {str: "VARCHAR", int: "BIGINT", bool: "BOOLEAN", JSON: "JSON"}
_NAMES = {str: "string", int: "integer", bool: "boolean", dict: "object", list: "array", JSON: "JSON value"}


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
    for py, name in ((bool, "boolean"), (int, "integer"), (float, "number"), (str, "string"), (dict, "object"),
                     (list, "array")):
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
    if spec is str or spec is JSON:  # DuckDB takes any JSON value as text / raw JSON
        ok = True
    elif spec is int:
        ok = isinstance(value, int) and not isinstance(value, bool) and -2**63 <= value < 2**63
    else:
        ok = isinstance(value, spec)
    return None if ok else f"{path}: expected {_NAMES[spec]}, got {_type_name(value)} {str(value)[:40]!r}"


def find_type_error(record: Any, spec: dict[str, Any]) -> str | None:
    """The first field of ``record`` whose value does not fit ``spec`` (``None`` when it fits)."""
    if not isinstance(record, dict):
        return f"record: expected object, got {_type_name(record)}"
    return _check(record, spec, "")
