"""Country pairs on DuckDB: the ``ingest-pairs`` table (:mod:`collabatlas.store.country_pairs`) as an engine.

It answers partners, trends, country totals (internationally co-authored works and pair links), the
group analysis (pair links and distinct-work bounds) and the pair network, at country level and
filtered by years only, in full counts; its captions name the table's provider and retrieval date
(:mod:`collabatlas.store.pair_provenance`). Everything else is refused by its declaration
(:data:`PAIRS_DUCKDB`)."""

from __future__ import annotations

import duckdb
import pandas as pd

from collabatlas.counting.options import applied_by
from collabatlas.counting.rules import FULL_COUNT_LABEL
from collabatlas.counting.source_choice import SOURCES
from collabatlas.engines.protocol import Capabilities
from collabatlas.store import country_pairs, pair_provenance

PAIRS_HOLD = SOURCES["pairs"]

#: why the pair table gives no international share (nor total output)
INTL_SHARE_NOT_COMPUTABLE = ("a country's international share is not computable from the country-pair table: its "
                             "diagonal counts internationally co-authored works only and domestic-only works are "
                             "not in it")

PAIRS_DUCKDB = Capabilities(
    name="pairs-duckdb", source="pairs", engine="duckdb", called="--source pairs",
    levels=("country",),
    metrics=frozenset({"totals", "partners", "trend", "pairs"}),
    analyses=frozenset({"group", "network", "report", "bilateral"}),
    options=applied_by("pairs-duckdb"), counting_modes=("full",),
    # what it answers from its own table (PairTable), in place of the counting statements
    answers=frozenset({"totals", "partners", "trend", "pairs", "group", "network"}),
    holds=PAIRS_HOLD, instead="use --source works (the work-level store) for them",
    source_label="country-pair table (ingest-pairs)", counting_label=FULL_COUNT_LABEL,
    trend_value="joint_works", trend_label="joint works (full counting)",
    level_reason="country-pair aggregates (--source pairs) exist at country level only; "
                 "use --source works for institutions and sectors",
    notes={"landscape": INTL_SHARE_NOT_COMPUTABLE,
           "pair_indices": "every index needs each country's total output N_x (association and ric also the "
                           "total works T), and the country-pair table holds internationally co-authored works "
                           "only (its diagonal is a country's international works, not its output)",
           "factsheet": "a fact sheet is drawn from work-level data (Share, CS, institutions, subjects)"},
)


class PairsDuckDB:
    """The country-pair table of a DuckDB store (:data:`PAIRS_DUCKDB`; the caption names its provenance)."""

    def __init__(self, con: duckdb.DuckDBPyConnection):
        self.con = con

    @property
    def provenance(self) -> pair_provenance.PairProvenance:
        return pair_provenance.load(self.con)

    @property
    def capabilities(self) -> Capabilities:
        return PAIRS_DUCKDB.with_source_label(self.provenance.label)

    def query(self, sql: str, params: dict | None = None) -> pd.DataFrame:
        return self.con.execute(sql, params or {}).df()

    def years(self) -> tuple[int, int]:
        return country_pairs.years(self.con)

    def totals(self, years=None) -> pd.DataFrame:
        return country_pairs.totals(self.con, years)

    def partners(self, country: str, years=None) -> pd.DataFrame:
        return country_pairs.partners(self.con, country, years)

    def trend(self, a: str, b: str, years=None) -> pd.DataFrame:
        return country_pairs.trend(self.con, a, b, years)

    def links(self, years=None) -> pd.DataFrame:
        return country_pairs.links(self.con, years)

    def pair_headline(self, a: str, b: str, years=None) -> dict:
        """Two countries' joint works, international works, shares and ranks (:func:`country_pairs.pair_headline`)."""
        return country_pairs.pair_headline(self.con, a, b, years)

    def group(self, country: str, members: frozenset[str], periods: list[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
        """The per-period table and the members' joint works per period (:func:`country_pairs.group`)."""
        return (country_pairs.group(self.con, country, members, periods),
                country_pairs.group_partners(self.con, country, members, periods))
