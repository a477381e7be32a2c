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

__all__ = ["DECLARED", "ENGINES", "Capabilities", "CapabilityError", "Engine", "EngineError", "markdown_table"]
