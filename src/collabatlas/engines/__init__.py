"""Engines: the sources of figures, each declaring what it can answer (:mod:`.protocol`).

- ``works-duckdb`` (default): the counting statements of :mod:`collabatlas.counting.rules` as written,
  on the DuckDB store (:mod:`.works_duckdb`);
- ``pairs-duckdb``: the country-pair table loaded by ``ingest-pairs`` (:mod:`.pairs`);
- ``works-spark``: the same statements rendered for Spark SQL by :mod:`.sql_dialect` (sqlglot), run by
  :class:`.spark.SparkEngine` over the Parquet interchange export. See docs/engines.md.
"""

from __future__ import annotations

from collabatlas.engines.errors import EngineError
from collabatlas.engines.pairs import PAIRS_DUCKDB
from collabatlas.engines.protocol import Capabilities, CapabilityError, Engine, markdown_table
from collabatlas.engines.spark_capabilities import SPARK_WORKS
from collabatlas.engines.works_duckdb import WORKS_DUCKDB

ENGINES = ("duckdb", "spark")

#: every engine's declaration, in the order docs/engines.md lists them
DECLARED = (WORKS_DUCKDB, PAIRS_DUCKDB, SPARK_WORKS)
#: (source, engine) → its declaration
BY_SOURCE = {(c.source, c.engine): c for c in DECLARED}

__all__ = ["BY_SOURCE", "DECLARED", "ENGINES", "Capabilities", "CapabilityError", "Engine", "EngineError",
           "declared", "markdown_table"]


def declared(source: str, engine: str = "duckdb") -> Capabilities:
    """The declaration of the engine answering ``source`` on ``engine`` (``CapabilityError`` naming the
    engines there are when there is none)."""
    try:
        return BY_SOURCE[(source, engine)]
    except KeyError:
        known = ", ".join(f"{s} on {e}" for s, e in BY_SOURCE)
        raise CapabilityError(f"source {source!r} on engine {engine!r}: no such engine ({known}; "
                              "see docs/engines.md)") from None
