"""Engines that run the counting statements of :mod:`collabatlas.counting.rules`.

- ``duckdb`` (default): the statements run as written, on the DuckDB store (:class:`collabatlas.Atlas`);
- ``spark``: the same statements rendered for Spark SQL by :mod:`.sql_dialect` (sqlglot), run by
  :class:`.spark.SparkEngine` over the Parquet interchange export. See docs/engines.md.
"""

from __future__ import annotations

from collabatlas.counting.rules import CountingError

ENGINES = ("duckdb", "spark")


class EngineError(CountingError):
    """An engine that cannot run a request (unknown engine, a store-only feature under Spark, ...)."""


__all__ = ["ENGINES", "EngineError"]
