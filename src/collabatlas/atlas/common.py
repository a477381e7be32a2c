"""What the facade's parts share: the source model, and the errors and defaults of the facade."""

from __future__ import annotations

import pandas as pd

from collabatlas.counting import rules as counting
from collabatlas.counting.source_choice import SOURCES
from collabatlas.engines.pairs import PAIRS_DUCKDB
from collabatlas.engines.works_duckdb import WORKS_DUCKDB
from collabatlas.sources.ingest_report import IngestReport
from collabatlas.store.schema import (
    StoreError,
)

#: how the figures of each source count (the declarations' counting labels)
COUNTING = {c.source: c.counting_label for c in (WORKS_DUCKDB, PAIRS_DUCKDB)}
#: the store summary's line on the country-pair table (named as the pair engine's declaration names it)
PAIR_DATA = f"country-pair data ({PAIRS_DUCKDB.called})"


def check_source(source: str) -> str:
    """``source`` when it is one of :data:`SOURCES`; an error naming them otherwise (never a silent default)."""
    if source not in SOURCES:
        raise counting.CountingError(f"source {source!r}: expected one of {', '.join(SOURCES)} "
                                     f"(works: {SOURCES['works']}; pairs: {SOURCES['pairs']})")
    return source


def with_country_names(df: pd.DataFrame, *columns: str) -> pd.DataFrame:
    """``df`` with each country-code column followed by the country's short name (``unit`` and
    ``partner`` → ``name``, ``unit_a`` → ``name_a``), as institution tables carry names:
    readers see "Japan" beside ``JP``. Codes without a name (``XK`` in some lists) keep an empty name."""
    from collabatlas.refdata.countries import short_names

    names = short_names()
    for column in columns:
        label = {"unit": "name", "partner": "name", "unit_a": "name_a",
                 "unit_b": "name_b"}.get(column, f"{column}_name")
        if column in df.columns and label not in df.columns:
            df.insert(df.columns.get_loc(column) + 1, label, df[column].map(names))
    return df


LANDSCAPE_MIN_WORKS = 10


"""Default ``--min-works`` of the landscape: countries with fewer works that year are not fitted."""


UnknownUnitError = counting.UnknownUnitError


"""A country, institution or sector that the store does not hold (defined with the counting rules)."""


class UnitSharesNotSaved(StoreError):
    """The data is committed, but saving the derived unit shares and aggregates failed (a full disk,
    an I/O error): the metrics stay right, computed from scratch, until ``collabatlas refresh``
    saves them. ``report`` is the committed ingest's report (when an ingest raised it)."""

    def __init__(self, message: str, report: IngestReport | None = None):
        super().__init__(message)
        self.report = report


#: the per-year aggregates saved with the unit shares: (kind, statement builder)
AGGREGATES = (("units", counting.aggregate_units_sql), ("partners", counting.aggregate_partners_sql))
