"""What the Spark engine declares it answers (kept apart from :mod:`.spark`, which needs pyspark to run)."""

from __future__ import annotations

from collabatlas.counting.options import applied_by
from collabatlas.counting.rules import FRACTIONAL_LABEL
from collabatlas.engines.protocol import Capabilities
from collabatlas.engines.works_duckdb import COUNTING_METRICS, EXTRA_OPTIONS

SPARK_WORKS = Capabilities(
    name="works-spark", source="works", engine="spark", called="the Spark engine",
    levels=("country", "institution", "sector"),
    metrics=COUNTING_METRICS,
    analyses=frozenset({"indicators", "distance", "profile", "group"}),
    options=applied_by("works-spark") | EXTRA_OPTIONS, counting_modes=("fractional",),
    holds="the Parquet export of the work-level store (the counting metrics and the analyses built on them)",
    instead="this needs the DuckDB store (--engine duckdb)",
    source_label="Parquet export of the work-level store (source works, Spark)", counting_label=FRACTIONAL_LABEL,
)
