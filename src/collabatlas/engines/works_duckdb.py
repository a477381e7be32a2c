"""Works on DuckDB: the counting statements run as written on the work-level store (the default engine)."""

from __future__ import annotations

import duckdb
import pandas as pd

from collabatlas.counting.options import applied_by
from collabatlas.counting.rules import FRACTIONAL_LABEL
from collabatlas.engines.protocol import Capabilities

#: the Atlas metrics computed by the counting statements (any works engine)
COUNTING_METRICS = frozenset({"scores", "pairs", "totals", "partners", "partner_countries", "trend", "industry",
                              "collaboration_by_year", "works_per_year"})
#: the extra options of trends, partners and groups (not metric options) that a works engine applies
EXTRA_OPTIONS = frozenset({"window_end_month", "report_dual", "ci", "by_year"})
#: the extra options only the DuckDB store applies: the industry table of one country's companies
#: (``industry --country``)
STORE_OPTIONS = frozenset({"industry_country"})
#: every metric option (the options table's column of this engine) and the extra options
ALL_OPTIONS = applied_by("works-duckdb") | EXTRA_OPTIONS | STORE_OPTIONS

WORKS_DUCKDB = Capabilities(
    name="works-duckdb", source="works", engine="duckdb", called="--source works",
    levels=("country", "institution", "sector"),
    metrics=COUNTING_METRICS | {"works", "pair_indices", "impact"},
    analyses=frozenset({"store", "aggregates", "undated_note", "subject_coverage", "profile", "group", "landscape",
                        "indicators", "distance", "network", "report", "factsheet", "bilateral"}),
    options=ALL_OPTIONS, counting_modes=("fractional", "full"),
    holds="every work with its authors, institutions and countries",
    instead="see docs/engines.md",
    source_label="work-level store (source works)", counting_label=FRACTIONAL_LABEL,
)


class WorksDuckDB:
    """The work-level store on DuckDB (:data:`WORKS_DUCKDB`)."""

    capabilities = WORKS_DUCKDB

    def __init__(self, con: duckdb.DuckDBPyConnection):
        self.con = con

    def query(self, sql: str, params: dict | None = None) -> pd.DataFrame:
        return self.con.execute(sql, params or {}).df()

    def mapping(self, sql: str, params: dict | None = None) -> dict:
        """The first two columns as a dict (plain tuples: 20k rows in a few ms, where a frame takes 100)."""
        return {row[0]: row[1] for row in self.con.execute(sql, params or {}).fetchall()}

    def close(self) -> None:
        self.con.close()
