"""The Python API: ``atlas = collabatlas.open(path)``; ``atlas.scores(...)``, ``atlas.pairs(...)``.

The Atlas runs the statements of :mod:`collabatlas.counting.rules` on a store and returns pandas
DataFrames. The CLI (and later the report and web views) are thin layers over these methods.
"""

from __future__ import annotations

import builtins
import dataclasses
import os
import time

import duckdb
import pandas as pd

from collabatlas import refdata
from collabatlas.analyses import uncertainty
from collabatlas.analyses.group import group_collaboration
from collabatlas.analyses.profile import InstitutionProfile, institution_profile
from collabatlas.analyses.tables import percent_change, ranked  # noqa: F401 - re-exported
from collabatlas.counting import rules as counting
from collabatlas.counting.filters import Filters, check_range
from collabatlas.counting.rules import Counting
from collabatlas.engines import ENGINES, EngineError
from collabatlas.ingest import maintenance
from collabatlas.ingest.pipeline import ProgressCallback, ingest, ingest_tables
from collabatlas.settings import EngineSettings, store_path
from collabatlas.sources.ingest_report import IngestReport
from collabatlas.sources.subject_crosswalk import coverage_line
from collabatlas.store import country_pairs
from collabatlas.store.schema import (
    DAMAGE_ERRORS,
    StoreError,
    connect,
    data_version,
    meta_get,
    meta_set,
    table_counts,
    transaction,
)
from collabatlas.store.schema import settings as duckdb_settings

#: what each source can do: the work-level store answers every filter and option; the country-pair
#: aggregates (``ingest-pairs``) hold full counts of joint works per country pair and year only
SOURCES = {
    "works": "every metric, filter and counting option (fractional Share and CS)",
    "pairs": "joint-work counts (full counting) per country pair and publication year: filter by --years only",
}
_PAIRS_REFUSE = {"window": "--window", "subject": "--subject", "type": "--type", "journals": "--journals",
                 "window_end_month": "--window-end-month", "report_dual": "--report-dual",
                 "exclude_dual_affiliations": "--exclude-dual-affiliations", "renormalize": "--renormalize",
                 "rollup": "--rollup", "ci": "--ci"}


def _pairs_only(level: str, **given) -> None:
    """Refuse, never ignore, what the country-pair aggregates cannot answer."""
    if level != "country":
        raise counting.CountingError("country-pair aggregates (--source pairs) exist at country level only; "
                                     "use --source works for institutions and sectors")
    refused = [flag for name, flag in _PAIRS_REFUSE.items() if given.get(name) not in (None, False, 0, "")]
    if refused:
        raise counting.CountingError(
            f"{', '.join(refused)}: not available with --source pairs, which holds {SOURCES['pairs']}; "
            "use --source works (the work-level store) for them")


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






def open(path: str | os.PathLike | None = None, read_only: bool = False,
         settings: EngineSettings | None = None) -> Atlas:
    """Open the store at ``path`` (default ``$COLLABATLAS_STORE`` or ``collabatlas.duckdb``)."""
    return Atlas(path, read_only=read_only, settings=settings)


def open_spark(parquet: str | os.PathLike, master: str | None = None) -> Atlas:
    """The metrics of the Parquet interchange directory ``parquet`` (``collabatlas export DIR``)
    computed on Apache Spark; ``master`` as for ``spark-submit`` (default ``local[*]``)."""
    return Atlas(engine="spark", parquet=parquet, spark_master=master)


class Atlas:
    """A collabatlas store with its metrics.

    ``engine="spark"`` computes the metrics on Apache Spark (``spark_master``, default ``local[*]``)
    from the Parquet interchange directory ``parquet``, or, without one, from an export of the store
    at ``path`` into a temporary directory (one machine only: a cluster's executors must see the
    files). The statements are the same (:mod:`collabatlas.engines`); what needs the DuckDB store
    itself (ingest, country-pair aggregates, profiles, group analyses) raises :class:`EngineError`.
    """

    #: the DuckDB connection (``None`` under the Spark engine); see the ``con`` property
    _con: duckdb.DuckDBPyConnection | None = None
    #: the :class:`~collabatlas.engines.spark.SparkEngine` when ``engine="spark"``
    spark = None

    def __init__(self, path: str | os.PathLike | None = None, read_only: bool = False,
                 settings: EngineSettings | None = None, engine: str = "duckdb",
                 spark_master: str | None = None, parquet: str | os.PathLike | None = None):
        if engine not in ENGINES:
            raise EngineError(f"engine {engine!r}: expected one of {', '.join(ENGINES)}")
        self.path = ":memory:" if path == ":memory:" else store_path(path)
        self.settings = settings or EngineSettings()
        self._unit_share_versions: dict[str, int] = {}
        if engine == "spark":
            from collabatlas.engines.spark import open_engine

            self.spark = open_engine(parquet, store=self.path, master=spark_master)
        else:
            self.con = connect(self.path, settings=self.settings, read_only=read_only)
        #: a read-only store cannot change while open (DuckDB's file lock keeps writers out), so its
        #: data version is read once
        self._fixed_version = data_version(self.con) if read_only and self.spark is None else None

    @property
    def engine(self) -> str:
        """``"duckdb"`` or ``"spark"``."""
        return "duckdb" if self.spark is None else "spark"

    @property
    def con(self) -> duckdb.DuckDBPyConnection:
        """The DuckDB connection to the store (not available under the Spark engine)."""
        if self._con is None:
            raise EngineError("this needs the DuckDB store; the Spark engine computes the counting metrics "
                              "(scores, pairs, totals, partners, trend, collaboration, industry) only")
        return self._con

    @con.setter
    def con(self, value: duckdb.DuckDBPyConnection) -> None:
        self._con = value

    # -- lifecycle ---------------------------------------------------------------------------
    #: answer strict, year-filtered requests from the saved per-year aggregates when the store has
    #: them (False on an instance: always from the unit shares; the tests compare both)
    use_aggregates: bool = True

    def cursor(self) -> Atlas:
        """An Atlas over a new cursor of this store's DuckDB connection, for another thread: DuckDB
        runs the cursors of one database concurrently; a cursor must not be shared between threads."""
        other = object.__new__(type(self))
        other.path, other.settings, other._unit_share_versions = self.path, self.settings, {}
        other._fixed_version = self._fixed_version
        other._institution_attributes = getattr(self, "_institution_attributes", None)  # read-only, shared
        other.con = self.con.cursor()
        return other

    def close(self) -> None:
        if self.spark is not None:
            self.spark.close()
        else:
            self.con.close()

    def __enter__(self) -> Atlas:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __repr__(self) -> str:
        if self.spark is not None:
            return f"<Atlas on Spark {self.spark.settings.master} reading {self.spark.parquet_dir}>"
        return f"<Atlas {self.path} data_version={self.data_version}>"

    @property
    def data_version(self) -> int:
        return self._fixed_version if self._fixed_version is not None else data_version(self.con)

    # -- input -------------------------------------------------------------------------------
    def ingest(self, *paths: str | os.PathLike, progress: ProgressCallback | None = None,
               format: str = "auto", matcher=None) -> IngestReport:
        """Read OpenAlex files or directories, or WoS / Scopus / PubMed exports, into the store
        (idempotent, one transaction; the same paper from several sources is stored once, see
        docs/sources.md). ``format``: auto | openalex | wos | scopus | pubmed; ``matcher`` resolves
        export addresses (default ``AffiliationMatcher.from_store``)."""
        flat: list[str | os.PathLike] = []
        for p in paths:
            flat.extend(p if isinstance(p, list | tuple) else [p])
        report = ingest(self.con, flat, progress=progress, memory_limit=self._ingest_memory_limit, format=format,
                        matcher=matcher)
        return self._saved_after(report)

    @property
    def _ingest_memory_limit(self) -> str | None:
        """DuckDB's memory cap while ingesting (and saving what every ingest saves): the ingest
        limit, unless the user set a memory limit for everything."""
        return None if self.settings.memory_limit else self.settings.ingest_memory_limit

    def import_tables(self, folder: str | os.PathLike) -> IngestReport:
        """Merge Parquet interchange tables (``collabatlas export``'s layout) into the store, with the
        same rules as an ingest; see :func:`collabatlas.ingest.pipeline.ingest_tables`."""
        return self._saved_after(ingest_tables(self.con, folder))

    def _saved_after(self, report: IngestReport) -> IngestReport:
        """What ends every ingest: the unit shares and per-year aggregates saved, timed in ``report``
        (not again after a no-op ingest when they are current)."""
        if not report.changed and self.unit_shares_saved:
            maintenance.drop_changed(self.con)
            return report
        try:
            timings = self.update_unit_shares(report)
        except UnitSharesNotSaved as exc:
            raise UnitSharesNotSaved(
                f"the ingest is committed ({report.works_inserted:,} works new, {report.works_replaced:,} replaced, "
                f"{report.records_skipped:,} records skipped; data version {self.data_version}), but {exc}",
                report) from exc
        report.unit_shares_seconds, report.aggregates_seconds = timings["unit_shares"], timings["aggregates"]
        return report

    PERSISTED_LEVELS = ("country", "institution", "sector")

    def update_unit_shares(self, report: IngestReport) -> dict[str, float]:
        """After the ingest ``report``: update the saved unit shares and aggregates for the works it
        changed (:mod:`collabatlas.ingest.maintenance`) when they were current before it and the change is at
        most ``maintenance.MAX_SHARE`` of the works; otherwise rebuild them (:meth:`store_unit_shares`).
        ``report.derived_update`` says which."""
        changed = maintenance.changed_count(self.con)
        try:
            version = self.data_version
            saved_before = meta_get(self.con, "unit_shares_version") == self._unit_shares_stamp(report.data_version - 1)
            works = self.con.execute("SELECT count(*) FROM works").fetchone()[0]
            if (changed is not None and saved_before and report.data_version == version
                    and changed <= maintenance.MAX_SHARE * max(works, 1)):
                report.derived_update = "incremental"
                return self._guarded_save(lambda timings, limit: self._update_incremental(version, timings, limit))
            report.derived_update = "full rebuild"
            return self.store_unit_shares()
        finally:
            maintenance.drop_changed(self.con)

    def _update_incremental(self, version: int, timings: dict[str, float], limit: str | None) -> None:
        with duckdb_settings(self.con, {"memory_limit": limit} if limit else {}), transaction(self.con):
            for key, seconds in maintenance.update_incremental(self.con, self.PERSISTED_LEVELS).items():
                timings[key] += seconds
            meta_set(self.con, "unit_shares_version", self._unit_shares_stamp(version))

    def verify(self) -> list:
        """Recompute the saved unit shares and aggregates from scratch and compare them with the saved
        ones (relative 1e-9): a ``maintenance.Difference`` per table; all ``differing == 0`` when equal."""
        return maintenance.verify(self.con, self.PERSISTED_LEVELS)

    def sync(self, snapshot: str | os.PathLike, progress: ProgressCallback | None = None,
             allow_missing: bool = False):
        """Ingest the partitions of an OpenAlex snapshot folder newer than the store's watermark and
        apply its merged ids, in one transaction (:func:`collabatlas.ingest.sync.sync`); then update the
        saved unit shares for the changed works. Returns the ``SyncReport``."""
        from collabatlas.ingest.sync import sync

        report = sync(self.con, snapshot, memory_limit=self._ingest_memory_limit, progress=progress,
                      allow_missing=allow_missing)
        if report.ingest is not None:
            self._saved_after(report.ingest)
        return report

    def refresh(self) -> dict[str, float]:
        """Bring the derived data up to date: institutions' ROR sector types and coordinates (a new data
        version when any changes), then the saved unit shares and aggregates (:meth:`store_unit_shares`)."""
        from collabatlas.affiliations.geo import apply_geo
        from collabatlas.affiliations.ror import apply_ror_types

        with transaction(self.con):
            if apply_ror_types(self.con) | apply_geo(self.con):  # both run; coordinates: collabatlas.affiliations.geo
                meta_set(self.con, "data_version", str(data_version(self.con) + 1))
        return self.store_unit_shares()

    def store_unit_shares(self) -> dict[str, float]:
        """Save every work's unit shares per level (strict, no roll-up) in the store, and the per-year
        aggregates built from them (:func:`counting.aggregate_units_sql`, :func:`counting.aggregate_partners_sql`),
        tagged with the data version, so that later connections — each CLI command is one — start
        from them instead of recomputing the attribution. Done after each ingest; a stale copy is
        ignored. Memory is capped as for an ingest (larger work spills to disk). Returns the seconds
        spent on each part."""
        version = self.data_version
        return self._guarded_save(lambda timings, limit: self._save_unit_shares(version, timings, limit))

    def _guarded_save(self, save) -> dict[str, float]:
        """Run ``save(timings, memory limit)``; a full disk or an I/O error raises UnitSharesNotSaved."""
        timings = {"unit_shares": 0.0, "aggregates": 0.0}
        limit = self._ingest_memory_limit
        try:
            save(timings, limit)
        except (OSError, *DAMAGE_ERRORS) as exc:  # a full disk, an I/O error: nothing of it is kept
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise UnitSharesNotSaved(
                f"saving the unit shares and per-year aggregates failed ({first}); the metrics are right but "
                f"computed from scratch until `collabatlas refresh --store {self.path}` saves them (free disk "
                f"space first)") from exc
        return timings

    def _save_unit_shares(self, version: int, timings: dict[str, float], limit: str | None) -> None:
        with duckdb_settings(self.con, {"memory_limit": limit} if limit else {}), transaction(self.con):
            for level in self.PERSISTED_LEVELS:
                started = time.perf_counter()
                source = f"unit_shares_{level}"
                shares = counting.base_unit_shares_sql(Counting(level=level))
                self.con.execute(f"CREATE OR REPLACE TABLE {source} AS {shares}")
                timings["unit_shares"] += time.perf_counter() - started
                started = time.perf_counter()
                for kind, build in AGGREGATES:
                    self.con.execute(f"CREATE OR REPLACE TABLE {counting.aggregate_table(kind, level)} AS "
                                     f"{build(level, source)}")
                timings["aggregates"] += time.perf_counter() - started
            meta_set(self.con, "unit_shares_version", self._unit_shares_stamp(version))

    def ingest_country_pairs(self, path: str | os.PathLike) -> country_pairs.PairLoadReport:
        """Load country-pair co-authorship counts (full counting); see :mod:`collabatlas.store.country_pairs`."""
        return country_pairs.load(self.con, path)

    def summary(self) -> dict:
        """Row counts per table, the year span, and the data version."""
        first, last = self.con.execute("SELECT min(year), max(year) FROM works").fetchone()
        sources = dict(self.con.execute(
            "SELECT origin, count(*) FROM work_sources GROUP BY origin ORDER BY origin").fetchall())
        from collabatlas.affiliations.ror import ror_loaded

        ror = self.con.execute("SELECT count(*) FROM ror_institutions").fetchone()[0] if ror_loaded(self.con) else 0
        return {"store": str(self.path), "data_version": self.data_version, **table_counts(self.con),
                **{f"source records: {origin}": n for origin, n in sources.items()},
                "ror organisations": ror, "first_year": first, "last_year": last,
                "subjects": coverage_line(self.subject_coverage()),
                "saved unit shares and aggregates": "current" if self.unit_shares_saved
                else "stale (metrics start from scratch; `collabatlas refresh` saves them)",
                "reference data": refdata.versions_line(), **self._pair_data_summary()}

    def subject_coverage(self) -> dict:
        """How many works have a known subject (a domain, from OpenAlex or the export crosswalk of
        :mod:`collabatlas.sources.subject_crosswalk`): ``{"works", "known", "with_field", "by_origin"}``, the
        last ``{subject_origin: works}``. A ``--subject`` filter sees only the known ones."""
        total, known, with_field = self.con.execute(
            "SELECT count(*), count(domain_id), count(field_id) FROM works").fetchone()
        by_origin = dict(self.con.execute(
            "SELECT coalesce(subject_origin, 'unrecorded'), count(*) FROM works WHERE domain_id IS NOT NULL "
            "GROUP BY ALL ORDER BY 2 DESC, 1").fetchall())
        return {"works": total, "known": known, "with_field": with_field, "by_origin": by_origin}

    def _pair_data_summary(self) -> dict:
        """The country-pair aggregates loaded with ``ingest-pairs`` (``--source pairs``), if any."""
        exists = self.con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = 'country_pair_works'"
                                  ).fetchone()[0]
        if not exists:
            return {"country-pair data (--source pairs)": "none (`collabatlas ingest-pairs FILE` loads it)"}
        rows, first, last, countries = self.con.execute(
            "SELECT count(*), min(year), max(year), count(DISTINCT country_a) FROM country_pair_works").fetchone()
        return {"country-pair data (--source pairs)": f"{rows:,} rows, {countries:,} countries, years {first}–{last}"}

    # -- metrics -----------------------------------------------------------------------------
    def counting_for(self, level: str, years, window, subject, type, renormalize: bool,
                     rollup: bool, exclude_dual: bool = False, journals: str | None = None) -> Counting:
        """The :class:`Counting` for these options, reading this connection's unit-share cache."""
        filters = self._known_subjects(Filters.of(years=years, window=window, subject=subject, type=type))
        if journals:
            filters = self.journal_filter(journals, filters)
        c = Counting(level=level, filters=filters, renormalize=renormalize, rollup=rollup, exclude_dual=exclude_dual)
        aggregated = (self.use_aggregates and self.spark is None and level in self.PERSISTED_LEVELS
                      and self.unit_shares_saved)
        return dataclasses.replace(c, source=self.unit_shares_table(c), aggregated=aggregated)

    def journals(self, spec: str) -> pd.DataFrame:
        """Which entries of the journal list ``spec`` (``nature-index``, ``nature-index-82`` or a file)
        match which sources of this store: ``line, entry, kind, source_id, source_name, matched_by,
        works`` (:func:`collabatlas.counting.journals.match_sources`); ``attrs["label"]`` names the list."""
        from collabatlas.counting import journals as journal_lists

        version = self.data_version
        cache = self.__dict__.setdefault("_journal_matches", {})
        if cache.get(spec, (None,))[0] != version:
            listing = journal_lists.load_list(spec)
            sources = self._df(("SELECT source_id, source_name, count(*) AS works FROM works "
                                "WHERE source_id IS NOT NULL OR source_name IS NOT NULL "
                                "GROUP BY source_id, source_name", {}))
            matches = journal_lists.match_sources(listing, sources)
            matches.attrs["label"] = listing.label
            cache[spec] = (version, matches)
        out = cache[spec][1].copy()
        out.attrs["label"] = cache[spec][1].attrs["label"]
        return out

    def journal_filter(self, spec: str, filters: Filters) -> Filters:
        """``filters`` restricted to the works of the journals of list ``spec`` (see :meth:`journals`)."""
        from collabatlas.counting.journals import NOT_APPLIED

        matched = self.journals(spec).dropna(subset=["source_name"])
        ids = tuple(sorted(set(matched["source_id"].dropna())))
        names = tuple(sorted(set(matched.loc[matched["source_id"].isna(), "source_name"])))
        label = f"{self.journals(spec).attrs['label']} ({NOT_APPLIED})"
        return dataclasses.replace(filters, journal_ids=ids, journal_names=names, journal_label=label)

    def _known_subjects(self, filters: Filters) -> Filters:
        """``filters``, once every subject given (other than ``ni:`` areas, checked by :mod:`.subjects`)
        names a domain, field or subfield (name or id) of some work in the store: a typo is an error,
        not an empty table. (DuckDB engine; the set is read once per data version.)"""
        if not filters.subjects or self.spark is not None:
            return filters
        from collabatlas.counting.subjects import ni_field_ids

        wanted = [s for s in filters.subjects if ni_field_ids(s) is None]
        if not wanted:
            return filters
        version = self.data_version
        cached = getattr(self, "_subjects_known", None)
        if cached is None or cached[0] != version:
            rows = self.con.execute(
                "SELECT DISTINCT lower(domain), lower(field), lower(subfield), 'domains/' || domain_id, "
                "'fields/' || field_id, 'subfields/' || subfield_id FROM works").fetchall()
            from collabatlas.sources.subject_crosswalk import DOMAINS, FIELDS

            # every OpenAlex domain and field is a subject even when no work of this store has it
            # (an empty result, not an error); subfields are known from the store's works
            taxonomy = {name.lower() for name in DOMAINS.values()} | {f"domains/{d}" for d in DOMAINS}
            taxonomy |= {field[0].lower() for field in FIELDS.values()} | {f"fields/{f}" for f in FIELDS}
            cached = self._subjects_known = (version, taxonomy | {v for row in rows for v in row if v})
        unknown = [s for s in wanted if s.lower() not in cached[1]]
        if unknown:
            from collabatlas.counting.filters import FilterError

            raise FilterError(f"subject {', '.join(map(repr, unknown))}: no work in this store has this OpenAlex "
                              f"domain, field or subfield (name or id such as fields/17, or ni:<area>)")
        return filters

    @staticmethod
    def _unit_shares_stamp(version: int) -> str:
        """What ``unit_shares_version`` holds: the data version, the saved table's columns and the
        aggregates saved with them (a copy saved by an older collabatlas is ignored like a stale one)."""
        return f"{version}:" + ",".join(counting.SHARE_COLUMNS + counting.CONTEXT_COLUMNS) + ":agg_units,agg_partners"

    @property
    def unit_shares_saved(self) -> bool:
        """Whether the store holds unit shares saved for its current data (see :meth:`store_unit_shares`)."""
        known = getattr(self, "_saved_known", None)
        if known is not None and self._fixed_version is not None:  # read-only: cannot change
            return known
        saved = meta_get(self.con, "unit_shares_version") == self._unit_shares_stamp(self.data_version)
        self._saved_known = saved
        return saved

    def unit_shares_table(self, c: Counting) -> str:
        """Name of a temporary table holding every work's unit shares at ``c``'s level (built on
        first use in this connection, rebuilt when the data version changes). Every metric of the
        level reads it, so the per-author attribution is computed once, not once per metric."""
        if self.spark is not None:
            return self.spark.unit_shares_table(c)
        version = self.data_version
        if c.level in self.PERSISTED_LEVELS and not c.rollup and not c.exclude_dual and self.unit_shares_saved:
            return f"unit_shares_{c.level}"
        name = f"wu_{c.level}" + ("_rollup" if c.rollup else "") + ("_nodual" if c.exclude_dual else "")
        if self._unit_share_versions.get(name) != version:
            self.con.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS {counting.base_unit_shares_sql(c)}")
            self._unit_share_versions[name] = version
        return name

    def _df(self, sql_params: tuple[str, dict]) -> pd.DataFrame:
        """Run a statement of :mod:`collabatlas.counting.rules` on this Atlas's engine."""
        sql, params = sql_params
        if self.spark is not None:
            return self.spark.query(sql, params)
        return self.con.execute(sql, params).df()

    def _mapping(self, sql: str, params: dict | None = None) -> dict:
        """The first two columns of a statement's result as a dict (any engine)."""
        if self.spark is None:  # plain tuples: 20k rows in a few ms, where iterating a frame takes 100
            return {row[0]: row[1] for row in self.con.execute(sql, params or {}).fetchall()}
        df = self._df((sql, params or {}))
        return dict(zip(df.iloc[:, 0], df.iloc[:, 1], strict=True))

    def scores(self, level: str = "country", years=None, window=None, subject=None, type=None,
               renormalize: bool = False, rollup: bool = False, by_year: bool = False,
               base_year: int | None = None, exclude_dual_affiliations: bool = False,
               ci: int = 0, journals: str | None = None) -> pd.DataFrame:
        """Count and Share per unit (columns ``unit[, name][, year], count, share``).

        ``by_year`` gives one row per unit and year; ``base_year`` adds ``adjusted_share`` =
        Share × N_base / N_year (N = works in the data set under the same filters), and implies
        ``by_year``.
        """
        ci = uncertainty.check_replicates(ci)
        c = self.counting_for(level, years, window, subject, type, renormalize, rollup, exclude_dual_affiliations, journals=journals)
        by_year = by_year or base_year is not None
        if base_year is not None:
            self._check_base_year(c.filters, int(base_year))
            df = self._df(counting.adjusted_scores_sql(c, int(base_year)))
        else:
            df = self._df(counting.scores_sql(c, by_year=by_year))
        df = ranked(df, "share", ["unit"], ["year"] if by_year else None)
        df["count"] = df["count"].astype("int64")
        if ci:
            if by_year:
                raise counting.CountingError("confidence intervals are given for a whole period, not --by-year")
            bounds = self._intervals(c, ci)
            df["share_low"], df["share_high"] = df["unit"].map(bounds["low"]), df["unit"].map(bounds["high"])
        return df

    def _check_base_year(self, filters: Filters, base_year: int) -> None:
        n = self._mapping(*counting.works_per_year_sql(filters.without_years()))
        if base_year not in n:
            raise counting.CountingError(f"base year {base_year} has no works under these filters")

    def pairs(self, level: str = "country", years=None, window=None, subject=None, type=None,
              renormalize: bool = False, rollup: bool = False, by_year: bool = False,
              min_joint: int = 1, exclude_dual_affiliations: bool = False, journals: str | None = None) -> pd.DataFrame:
        """Bilateral collaboration score per pair (columns ``unit_a, unit_b[, year], joint_count, cs``)."""
        check_range("min_joint", min_joint, 1)
        c = self.counting_for(level, years, window, subject, type, renormalize, rollup, exclude_dual_affiliations, journals=journals)
        df = self._df(counting.pairs_sql(c, by_year=by_year))
        if min_joint > 1:
            df = df[df["joint_count"] >= min_joint]
        df = ranked(df, "cs", ["unit_a", "unit_b"], ["year"] if by_year else None)
        df["joint_count"] = df["joint_count"].astype("int64")
        return df

    def totals(self, level: str = "country", years=None, window=None, subject=None, type=None,
               renormalize: bool = False, rollup: bool = False,
               exclude_dual_affiliations: bool = False, unit: str | None = None, journals: str | None = None) -> pd.DataFrame:
        """Count, Share and total CS per unit, split into domestic / international / industry.

        Columns: ``unit[, name], count, share, collab_count, intl_count, cs_total, cs_domestic,
        cs_international, cs_unknown_country, cs_industry`` (see :func:`counting.totals_sql`).
        ``unit`` restricts the table to that one unit (an id as in the output).
        """
        c = self.counting_for(level, years, window, subject, type, renormalize, rollup, exclude_dual_affiliations, journals=journals)
        df = self._df(counting.totals_sql(c, focus=unit))
        df = ranked(df, "cs_total", ["unit"])
        for col in ("count", "collab_count", "intl_count"):
            df[col] = df[col].astype("int64")
        if level != "institution":
            df = df.drop(columns=["cs_industry"] if level == "country" else ["cs_domestic", "cs_international", "cs_unknown_country"])
        return df

    def works(self, unit: str, partner: str | None = None, level: str = "country", figure: str | None = None,
              years=None, window=None, subject=None, type=None, renormalize: bool = False,
              rollup: bool = False, exclude_dual_affiliations: bool = False,
              limit: int | None = None, offset: int = 0, journals: str | None = None) -> pd.DataFrame:
        """The works behind a figure of ``unit`` (with ``partner``: their bilateral CS), one row each:
        ``work, doi, title, year, journal, sources, share, partner_share, contribution``, largest
        contribution first (see :func:`counting.works_sql`). ``contribution`` sums to the figure over
        all rows; ``attrs`` carries ``figure``, ``total`` (that sum) and ``rows`` (before paging)."""
        check_range("limit", limit, 1)
        check_range("offset", offset, 0)
        unit = self.resolve_unit(level, unit)
        if partner is not None:
            partner = self.resolve_unit(level, partner)
        c = self.counting_for(level, years, window, subject, type, renormalize, rollup, exclude_dual_affiliations, journals=journals)
        df = self._df(counting.works_sql(dataclasses.replace(c, aggregated=False), unit, partner, figure))
        total, rows = float(df["contribution"].sum()), len(df)
        if offset or limit:
            df = df.iloc[offset: offset + limit if limit else None].reset_index(drop=True)
        df.attrs.update(figure=figure or ("cs" if partner else "share"), total=total, rows=rows)
        return df

    # -- analyses over the counting statements -----------------------------------------------
    def resolve_unit(self, level: str, unit: str) -> str:
        """The canonical id of ``unit`` at ``level`` (country codes upper-cased, institution ids short);
        raises :class:`UnknownUnitError` when the store has no such unit."""
        unit = unit.strip() if isinstance(unit, str) else unit
        if not unit:
            raise counting.CountingError(f"{level} {unit!r}: a {level} id is needed (it is empty or blank)")
        if level == "country":
            unit = unit.upper()
            sql = ("SELECT 1 FROM author_countries WHERE country_code = $u "
                   "UNION ALL SELECT 1 FROM institutions WHERE country_code = $u LIMIT 1")
        elif level == "institution":
            unit = unit.rsplit("/", 1)[-1]
            unit = unit[0].upper() + unit[1:] if unit else unit
            sql = "SELECT 1 FROM institutions WHERE institution_id = $u"
        else:
            unit = unit.lower()
            if unit in counting.SECTORS:
                return unit
            raise UnknownUnitError(f"unknown sector {unit!r}: expected one of {', '.join(counting.SECTORS)}")
        if self._df((sql, {"u": unit})).empty:
            raise UnknownUnitError(f"unknown {level} {unit!r}: not in this store")
        return unit

    def partners(self, unit: str, level: str = "country", top: int | None = None, years=None, window=None,
                 subject=None, type=None, renormalize: bool = False, rollup: bool = False,
                 exclude_dual_affiliations: bool = False, report_dual: bool = False,
                 ci: int = 0, source: str = "works", journals: str | None = None) -> pd.DataFrame:
        """Partners of ``unit`` by bilateral CS (Nature Index "top collaborators").

        ``source="pairs"`` answers from country-pair aggregates instead (full counts of joint works,
        see :mod:`collabatlas.store.country_pairs`); filters other than ``years`` do not apply there.

        Columns: ``partner[, name, country], joint_count, cs, pct_of_international_cs`` and, when
        ``years`` spans several years, ``cs_<year>`` for each year. The percentage is the partner's
        part of the unit's CS with partners in other countries (empty for a domestic partner).
        """
        check_range("top", top, 1)  # None: every partner
        ci = uncertainty.check_replicates(ci)
        if source == "pairs":
            _pairs_only(level, window=window, subject=subject, type=type, journals=journals, renormalize=renormalize,
                        rollup=rollup, exclude_dual_affiliations=exclude_dual_affiliations, report_dual=report_dual,
                        ci=ci)
            df = country_pairs.partners(self.con, unit, years)
            return df.head(top) if top else df
        unit = self.resolve_unit(level, unit)
        c = self.counting_for(level, years, window, subject, type, renormalize, rollup, exclude_dual_affiliations, journals=journals)
        df = self.partner_detail(c, level, unit)
        df = df.drop(columns=["own_share", "partner_share"])
        if report_dual and not exclude_dual_affiliations:
            without = self._df(counting.partners_sql(dataclasses.replace(
                c, exclude_dual=True, source=self.unit_shares_table(dataclasses.replace(c, exclude_dual=True))), unit))
            df["cs_without_dual"] = df["partner"].map(without.set_index("partner")["cs"]).fillna(0.0)
            df["dual_cs"] = df["cs"] - df["cs_without_dual"]
        if ci:
            bounds = self._intervals(c, ci, focus=unit)
            df["cs_low"], df["cs_high"] = df["partner"].map(bounds["low"]), df["partner"].map(bounds["high"])
        if top:
            df = df.head(top)
        first_last = c.filters.years
        if first_last and first_last[1] > first_last[0] and not df.empty:
            per_year = self._df(counting.partners_sql(c, unit, by_year=True))
            wide = per_year.pivot_table(index="partner", columns="year", values="cs", aggfunc="sum", fill_value=0.0)
            for year in range(first_last[0], first_last[1] + 1):
                values = wide[year] if year in wide.columns else pd.Series(dtype=float)
                df[f"cs_{year}"] = df["partner"].map(values).fillna(0.0)
        return df

    def _intervals(self, c: Counting, ci: int, **which) -> pd.DataFrame:
        """key, low, high: bootstrap intervals (``ci`` replicates) of the sums behind a metric."""
        contrib = self._df(counting.contributions_sql(c, **which))
        out = uncertainty.intervals(contrib, replicates=ci)
        if c.level == "institution" and "unit_b" not in which:
            ids = self._mapping("SELECT ikey, institution_id FROM institutions")
            out["key"] = out["key"].map(ids)
        return out.set_index("key")

    def partner_detail(self, c: Counting, level: str, unit: str) -> pd.DataFrame:
        """All partners of ``unit`` (already resolved) under counting ``c``, by CS, with country
        (institutions), both sides' Shares on joint works and % of international CS."""
        df = self._df(counting.partner_detail_sql(c, unit))  # the international part is SQL too
        df["joint_count"] = df["joint_count"].astype("int64")
        return ranked(df, "cs", ["partner"])

    def institution_attributes(self) -> pd.DataFrame:
        """country_code and lower-case type (the one its sector comes from: OpenAlex's, else ROR's) of
        every institution, indexed by institution id
        (read once per data version: partner tables look thousands of partners up in it)."""
        version = self.data_version
        cached = getattr(self, "_institution_attributes", None)
        if cached is None or cached[0] != version:
            df = self._df(("SELECT institution_id, country_code, lower(coalesce(ror_type, type)) AS type "
                           "FROM institutions", {}))
            cached = self._institution_attributes = (version, df.set_index("institution_id"))
        return cached[1]

    def profile(self, institution: str, top: int = 5, years=None, window=None, subject=None,
                type=None) -> InstitutionProfile:
        """The collaboration profile of an institution (id, ROR id or name); see :mod:`collabatlas.analyses.profile`."""
        check_range("top", top, 1, allow_none=False)
        if not str(institution or "").strip():
            raise counting.CountingError("profile: an institution id, ROR id or name is needed (it is empty or blank)")
        return institution_profile(self, institution, top=top, years=years, window=window, subject=subject, type=type)

    def group(self, country: str, group: str, periods: list[str], members: frozenset[str] | None = None,
              top: int = 10, subject=None, type=None, source: str = "works", ci: int = 0):
        """A country's collaboration with a country group over periods; see :mod:`collabatlas.analyses.group`.

        ``group`` names a group of :mod:`collabatlas.refdata.groups` (``bri``, ``income:high``, ``eu``, ...);
        ``members`` gives the countries directly instead. ``source="pairs"`` returns the per-period
        table from country-pair aggregates (full-count links) instead of a :class:`GroupReport`."""
        from collabatlas.refdata.groups import GroupError

        check_range("top", top, 1, allow_none=False)
        ci = uncertainty.check_replicates(ci)
        if not str(country or "").strip():
            raise counting.CountingError("group analysis: a focus country is needed (it is empty or blank)")
        if members is None and not str(group or "").strip():
            raise GroupError("group: a group name is needed (it is empty or blank); see `collabatlas groups`")
        if not [p for p in periods if str(p).strip()]:
            raise counting.CountingError("group analysis: give at least one period, e.g. 2013-2015,2016-2018")
        if members is None:
            from collabatlas.refdata.groups import group_members

            members = group_members(group)
        if source == "pairs":
            _pairs_only("country", subject=subject, type=type, ci=ci,
                        window=",".join(p for p in periods if ".." in str(p)))
            return country_pairs.group(self.con, country, frozenset(members), periods)
        return group_collaboration(self, country, group, frozenset(members), periods, top=top, subject=subject,
                                   type=type, ci=ci)

    def trend(self, unit_a: str, unit_b: str, level: str = "country", years=None, subject=None, type=None,
              window_end_month: int | None = None, renormalize: bool = False, rollup: bool = False,
              exclude_dual_affiliations: bool = False, report_dual: bool = False,
              ci: int = 0, source: str = "works", journals: str | None = None) -> pd.DataFrame:
        """Bilateral CS of two units per year, or per 12-month window ending with ``window_end_month``.

        ``source="pairs"``: full counts of joint works per year from country-pair aggregates.

        Columns: ``period, joint_count, cs, change_pct`` (change of CS from the previous period, %).
        Use :func:`percent_change` for the change between any two periods.
        """
        ci = uncertainty.check_replicates(ci)
        if source == "pairs":
            _pairs_only(level, subject=subject, type=type, journals=journals, window_end_month=window_end_month,
                        renormalize=renormalize, rollup=rollup, exclude_dual_affiliations=exclude_dual_affiliations,
                        report_dual=report_dual, ci=ci)
            return country_pairs.trend(self.con, unit_a, unit_b, years)
        if window_end_month is not None and not 1 <= int(window_end_month) <= 12:
            raise counting.CountingError(f"window end month {window_end_month}: expected 1-12")
        a, b = self.resolve_unit(level, unit_a), self.resolve_unit(level, unit_b)
        if a == b:
            raise counting.CountingError(f"trend needs two different units, got {a} twice")
        # with windows, --years names the windows (the one ending in month M of each year), not the
        # publication years: the works are selected by their window, so the first and last are whole
        c = self.counting_for(level, years if window_end_month is None else None, None, subject, type,
                              renormalize, rollup, exclude_dual_affiliations, journals=journals)
        span = Filters.of(years=years).years
        df = self._df(counting.pair_trend_sql(c, a, b, window_end_month))
        if window_end_month is not None and span:
            df = df[df["period"].between(*span)]
        if report_dual and not exclude_dual_affiliations:
            c2 = dataclasses.replace(c, exclude_dual=True)
            without = self._df(counting.pair_trend_sql(dataclasses.replace(c2, source=self.unit_shares_table(c2)),
                                                       a, b, window_end_month))
            df["cs_without_dual"] = df["period"].map(without.set_index("period")["cs"]).fillna(0.0)
        # every period of the range, zero when there is no joint work
        if span:
            first, last = span
        else:
            first, last = (int(df["period"].min()), int(df["period"].max())) if len(df) else (0, -1)
        df = (df.set_index("period").reindex(range(first, last + 1), fill_value=0)
              .rename_axis("period").reset_index())
        df["joint_count"] = df["joint_count"].astype("int64")
        df["cs"] = df["cs"].astype(float)
        if ci:
            bounds = self._intervals(c, ci, focus=a, unit_b=b, window_end_month=window_end_month)
            df["cs_low"] = df["period"].map(bounds["low"]).fillna(0.0)
            df["cs_high"] = df["period"].map(bounds["high"]).fillna(0.0)
        if "cs_without_dual" in df:
            df["cs_without_dual"] = df["cs_without_dual"].astype(float)
            df["dual_cs"] = df["cs"] - df["cs_without_dual"]
        previous = df["cs"].shift(1)
        df["change_pct"] = (100 * (df["cs"] - previous) / previous).where(previous > 0)
        if window_end_month is not None and self.spark is None:  # provenance (work_sources) lives in the store
            note = self.undated_note(c.filters)
            if note:
                df.attrs["notes"] = [note]
        return df

    def undated_note(self, filters: Filters) -> str | None:
        """``"383 of 3,653 WoS records have no publication date: outside every window"`` (per source),
        or None when every selected work has a date. Said wherever a date window applies."""
        where, params = dataclasses.replace(filters, window=None).where("w")
        rows = self._df((f"""SELECT o.origin, count(*) FILTER (WHERE w.pub_date IS NULL) AS undated, count(*) AS works
            FROM works w JOIN (SELECT wkey, min(origin) AS origin FROM work_sources GROUP BY wkey) o USING (wkey)
            WHERE {where} GROUP BY o.origin ORDER BY o.origin""", params))
        rows = rows[rows["undated"] > 0]
        if rows.empty:
            return None
        names = {"openalex": "OpenAlex", "wos": "WoS", "scopus": "Scopus", "pubmed": "PubMed"}
        parts = [f"{int(r.undated):,} of {int(r.works):,} {names.get(r.origin, r.origin)} records"
                 for r in rows.itertuples()]
        return ", ".join(parts) + " have no publication date: outside every window"

    def industry(self, years=None, window=None, subject=None, type=None, rollup: bool = False, journals: str | None = None) -> pd.DataFrame:
        """Corporate institutions' collaboration with academia (columns ``unit, name, joint_works,
        own_share, academic_share, contribution_pct``), by their Share on joint works."""
        c = self.counting_for("institution", years, window, subject, type, False, rollup, journals=journals)
        df = self._df(counting.industry_academic_sql(c))
        df["joint_works"] = df["joint_works"].astype("int64")
        return ranked(df, "own_share", ["unit"])

    def collaboration_by_year(self, level: str = "country", years=None, window=None, subject=None,
                              type=None, rollup: bool = False, journals: str | None = None) -> pd.DataFrame:
        """Per unit and year: ``works`` (Count), ``collab_works`` (with another unit), ``intl_works``
        (with a unit of another country) and ``intl_share`` = intl_works / works."""
        c = self.counting_for(level, years, window, subject, type, False, rollup, journals=journals)
        df = self._df(counting.collaboration_by_year_sql(c))
        for col in ("works", "collab_works", "intl_works"):
            df[col] = df[col].astype("int64")
        return df.sort_values(["unit", "year"], ignore_index=True)

    def indicators(self, level: str = "country", years=None, window=None, subject=None, type=None,
                   renormalize: bool = False, rollup: bool = False, exclude_dual_affiliations: bool = False,
                   counting: str = "full", ci: int = 0, fold_hk_mo: bool = False) -> pd.DataFrame:
        """CWTS-Leiden-Ranking-style collaboration indicators per unit: ``unit[, name], p, p_collab,
        pp_collab, p_int_collab, pp_int_collab, p_industry, pp_industry, p_short_dist, pp_short_dist,
        p_long_dist, pp_long_dist, median_dist_km`` (``counting`` full or fractional; ``ci`` bootstrap
        replicates add ``_lo`` / ``_hi``; ``fold_hk_mo`` counts HK and MO as CN). See
        :mod:`collabatlas.analyses.collaboration`; ``attrs["coverage"]`` counts institutions without coordinates."""
        from collabatlas.analyses.collaboration import indicators

        return indicators(self, level, years, window, subject, type, renormalize, rollup, exclude_dual_affiliations,
                          counting=counting, ci=ci, fold_hk_mo=fold_hk_mo)

    def distance(self, unit: str, level: str = "country", years=None, window_end_month: int | None = None,
                 subject=None, type=None, renormalize: bool = False, rollup: bool = False,
                 exclude_dual_affiliations: bool = False, fold_hk_mo: bool = False,
                 partners: bool = False) -> pd.DataFrame:
        """Per period, ``unit``'s international works by distance band, their median distance and the
        CS-weighted mean distance to its partners (``partners``: per partner); see
        :func:`collabatlas.analyses.collaboration.distance`."""
        from collabatlas.analyses.collaboration import distance

        return distance(self, unit, level, years, window_end_month, subject, type, renormalize, rollup,
                        exclude_dual_affiliations, fold_hk_mo=fold_hk_mo, partners=partners)

    def trend_change_interval(self, unit_a: str, unit_b: str, first: int, last: int, level: str = "country",
                              subject=None, type=None, window_end_month: int | None = None,
                              ci: int = uncertainty.DEFAULT_REPLICATES) -> tuple[float, float] | None:
        """95 % bootstrap interval of the % change of CS(A, B) from period ``first`` to ``last``."""
        ci = uncertainty.check_replicates(ci, allow_zero=False)
        a, b = self.resolve_unit(level, unit_a), self.resolve_unit(level, unit_b)
        c = self.counting_for(level, None, None, subject, type, False, False)
        contrib = self._df(counting.contributions_sql(c, focus=a, unit_b=b, window_end_month=window_end_month))
        return uncertainty.growth_interval(contrib, first, last, replicates=ci)

    def landscape(self, year: int, x: str | list[str] = "log_gerd", by: str | None = "income_group",
                  nearest: int = 3, min_n: int = 5, data_dir=None, subject=None, type=None,
                  min_works: int = LANDSCAPE_MIN_WORKS, show_all_when_none: bool = False):
        """International co-authorship share vs R&D spending (and trust) for ``year``.

        Returns ``(table, fit)``: one row per country (works, intl_share, indicators, income group)
        and the OLS fits overall and by income group (:mod:`collabatlas.analyses.landscape`).
        Countries with fewer than ``min_works`` works that year are left out before fitting (a share
        of 1–5 works sits at 0 % or 100 %); ``table.attrs["notes"]`` says how many. Charts pass
        ``show_all_when_none``: when no country reaches the minimum (a small store), every country is
        kept and the note says the shares rest on few works."""
        check_range("min_works", min_works, 1, allow_none=False)
        from collabatlas.analyses import landscape
        from collabatlas.refdata import indicators

        collab = self.collaboration_by_year(level="country", years=year, subject=subject, type=type)
        table = landscape.landscape_table(collab, year, indicators.load_indicators(data_dir), nearest=nearest,
                                          income=indicators.income_groups(data_dir),
                                          income_history=indicators.historical_income(data_dir))
        small = table["works"] < min_works
        if show_all_when_none and small.all() and len(table):
            table.attrs["notes"] = [f"no country has {min_works} works in {year}: every country is shown, and "
                                    "shares of so few works are unreliable (a larger store fills this chart)"]
        elif small.any():
            dropped = table.loc[small, "country"].tolist()
            table = table[~small].reset_index(drop=True)
            table.attrs["notes"] = [f"{len(dropped)} countries with fewer than {min_works} works in {year} left out "
                                    f"(--min-works): {', '.join(dropped[:20])}{' …' if len(dropped) > 20 else ''}"]
        return table, landscape.fit(table, x=x, by=by, min_n=min_n)

    def data_gaps(self, years, data_dir=None) -> pd.DataFrame:
        """Which indicator is missing for which countries of the store and which of ``years``
        (``country, indicator, missing_years, n_missing``)."""
        from collabatlas.analyses import landscape
        from collabatlas.counting.filters import parse_years
        from collabatlas.refdata import indicators

        first, last = parse_years(years)
        collab = self.collaboration_by_year(level="country")  # every country of the store
        return landscape.data_gaps(collab, indicators.load_indicators(data_dir), range(first, last + 1))

    def works_per_year(self, years=None, window=None, subject=None, type=None) -> pd.DataFrame:
        """Number of works per year under the filters (the N of Adjusted Share)."""
        f = Filters.of(years=years, window=window, subject=subject, type=type)
        return self._df(counting.works_per_year_sql(f)).sort_values("year", ignore_index=True)

    def ingest_log(self) -> builtins.list[dict]:
        import json

        rows = self.con.execute("SELECT ingest_id, finished_at, summary FROM ingest_log ORDER BY ingest_id").fetchall()
        return [{"ingest_id": i, "finished_at": t, **json.loads(s)} for i, t, s in rows]
