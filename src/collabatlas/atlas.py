"""The Python API: ``atlas = collabatlas.open(path)``; ``atlas.scores(...)``, ``atlas.pairs(...)``.

The Atlas runs the statements of :mod:`collabatlas.counting` on a store and returns pandas
DataFrames. The CLI (and later the report and web views) are thin layers over these methods.
"""

from __future__ import annotations

import builtins
import dataclasses
import os

import duckdb
import pandas as pd

from . import counting
from .config import EngineSettings, store_path
from .counting import Counting
from .filters import Filters
from .ingest import ProgressCallback, ingest
from .ingest_report import IngestReport
from .store import connect, data_version, table_counts


def open(path: str | os.PathLike | None = None, read_only: bool = False,  # noqa: A001
         settings: EngineSettings | None = None) -> Atlas:
    """Open the store at ``path`` (default ``$COLLABATLAS_STORE`` or ``collabatlas.duckdb``)."""
    return Atlas(path, read_only=read_only, settings=settings)


class Atlas:
    """A collabatlas store with its metrics."""

    def __init__(self, path: str | os.PathLike | None = None, read_only: bool = False,
                 settings: EngineSettings | None = None):
        self.path = ":memory:" if path == ":memory:" else store_path(path)
        self.settings = settings or EngineSettings()
        self.con: duckdb.DuckDBPyConnection = connect(self.path, settings=self.settings, read_only=read_only)
        self._unit_share_versions: dict[str, int] = {}

    # -- lifecycle ---------------------------------------------------------------------------
    def close(self) -> None:
        self.con.close()

    def __enter__(self) -> Atlas:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<Atlas {self.path} data_version={self.data_version}>"

    @property
    def data_version(self) -> int:
        return data_version(self.con)

    # -- input -------------------------------------------------------------------------------
    def ingest(self, *paths: str | os.PathLike, progress: ProgressCallback | None = None) -> IngestReport:
        """Read OpenAlex files or directories into the store (idempotent, one transaction)."""
        flat: list[str | os.PathLike] = []
        for p in paths:
            flat.extend(p if isinstance(p, list | tuple) else [p])
        limit = None if self.settings.memory_limit else self.settings.ingest_memory_limit
        return ingest(self.con, flat, progress=progress, memory_limit=limit)

    def summary(self) -> dict:
        """Row counts per table, the year span, and the data version."""
        first, last = self.con.execute("SELECT min(year), max(year) FROM works").fetchone()
        return {"store": str(self.path), "data_version": self.data_version, **table_counts(self.con),
                "first_year": first, "last_year": last}

    # -- metrics -----------------------------------------------------------------------------
    def counting_for(self, level: str, years, window, subject, type, renormalize: bool,  # noqa: A002
                  rollup: bool) -> Counting:
        """The :class:`Counting` for these options, reading this connection's unit-share cache."""
        c = Counting(level=level, filters=Filters.of(years=years, window=window, subject=subject, type=type),
                     renormalize=renormalize, rollup=rollup)
        return dataclasses.replace(c, source=self.unit_shares_table(c))

    def unit_shares_table(self, c: Counting) -> str:
        """Name of a temporary table holding every work's unit shares at ``c``'s level (built on
        first use in this connection, rebuilt when the data version changes). Every metric of the
        level reads it, so the per-author attribution is computed once, not once per metric."""
        name = f"wu_{c.level}" + ("_rollup" if c.rollup else "")
        version = self.data_version
        if self._unit_share_versions.get(name) != version:
            self.con.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS {counting.base_unit_shares_sql(c)}")
            self._unit_share_versions[name] = version
        return name

    def _df(self, sql_params: tuple[str, dict]) -> pd.DataFrame:
        sql, params = sql_params
        return self.con.execute(sql, params).df()

    def scores(self, level: str = "country", years=None, window=None, subject=None, type=None,  # noqa: A002
               renormalize: bool = False, rollup: bool = False, by_year: bool = False,
               base_year: int | None = None) -> pd.DataFrame:
        """Count and Share per unit (columns ``unit[, name][, year], count, share``).

        ``by_year`` gives one row per unit and year; ``base_year`` adds ``adjusted_share`` =
        Share × N_base / N_year (N = works in the data set under the same filters), and implies
        ``by_year``.
        """
        c = self.counting_for(level, years, window, subject, type, renormalize, rollup)
        by_year = by_year or base_year is not None
        df = self._df(counting.scores_sql(c, by_year=by_year))
        if base_year is not None:
            df = self._adjust(df, c.filters, int(base_year))
        sort = ["year", "share", "unit"] if by_year else ["share", "unit"]
        df = df.sort_values(sort, ascending=[True, False, True] if by_year else [False, True], ignore_index=True)
        df["count"] = df["count"].astype("int64")
        return df

    def _adjust(self, df: pd.DataFrame, filters: Filters, base_year: int) -> pd.DataFrame:
        n = dict(self.con.execute(*counting.works_per_year_sql(filters.without_years())).fetchall())
        if base_year not in n:
            raise counting.CountingError(f"base year {base_year} has no works under these filters")
        df["adjusted_share"] = df["share"] * n[base_year] / df["year"].map(n)
        return df

    def pairs(self, level: str = "country", years=None, window=None, subject=None, type=None,  # noqa: A002
              renormalize: bool = False, rollup: bool = False, by_year: bool = False,
              min_joint: int = 1) -> pd.DataFrame:
        """Bilateral collaboration score per pair (columns ``unit_a, unit_b[, year], joint_count, cs``)."""
        c = self.counting_for(level, years, window, subject, type, renormalize, rollup)
        df = self._df(counting.pairs_sql(c, by_year=by_year))
        if min_joint > 1:
            df = df[df["joint_count"] >= min_joint]
        df = df.sort_values((["year"] if by_year else []) + ["cs", "unit_a", "unit_b"],
                            ascending=([True] if by_year else []) + [False, True, True], ignore_index=True)
        df["joint_count"] = df["joint_count"].astype("int64")
        return df

    def totals(self, level: str = "country", years=None, window=None, subject=None, type=None,  # noqa: A002
               renormalize: bool = False, rollup: bool = False) -> pd.DataFrame:
        """Count, Share and total CS per unit, split into domestic / international / industry.

        Columns: ``unit[, name], count, share, collab_count, intl_count, cs_total, cs_domestic,
        cs_international, cs_unknown_country, cs_industry`` (see :func:`counting.totals_sql`).
        """
        c = self.counting_for(level, years, window, subject, type, renormalize, rollup)
        df = self._df(counting.totals_sql(c))
        df = df.sort_values(["cs_total", "unit"], ascending=[False, True], ignore_index=True)
        for col in ("count", "collab_count", "intl_count"):
            df[col] = df[col].astype("int64")
        if level != "institution":
            df = df.drop(columns=["cs_industry"] if level == "country" else ["cs_domestic", "cs_international", "cs_unknown_country"])
        return df

    def works_per_year(self, years=None, window=None, subject=None, type=None) -> pd.DataFrame:  # noqa: A002
        """Number of works per year under the filters (the N of Adjusted Share)."""
        f = Filters.of(years=years, window=window, subject=subject, type=type)
        return self._df(counting.works_per_year_sql(f)).sort_values("year", ignore_index=True)

    def ingest_log(self) -> builtins.list[dict]:
        import json

        rows = self.con.execute("SELECT ingest_id, finished_at, summary FROM ingest_log ORDER BY ingest_id").fetchall()
        return [{"ingest_id": i, "finished_at": t, **json.loads(s)} for i, t, s in rows]
