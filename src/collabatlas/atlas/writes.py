"""The facade's write path: ingest, sync, the saved unit shares and aggregates, store information"""

from __future__ import annotations

import builtins
import os
import time
from typing import TYPE_CHECKING

from collabatlas import refdata
from collabatlas.atlas.common import (
    AGGREGATES,
    PAIR_DATA,
    UnitSharesNotSaved,
)
from collabatlas.counting import rules as counting
from collabatlas.counting.rules import Counting
from collabatlas.ingest import invariants, maintenance
from collabatlas.ingest.pipeline import ProgressCallback, ingest, ingest_tables
from collabatlas.sources.ingest_report import IngestReport
from collabatlas.sources.subject_crosswalk import coverage_line
from collabatlas.store import country_pairs, pair_provenance, records
from collabatlas.store.schema import (
    DAMAGE_ERRORS,
    data_version,
    meta_get,
    meta_set,
    table_counts,
    transaction,
)
from collabatlas.store.schema import settings as duckdb_settings

if TYPE_CHECKING:
    import pandas as pd


class StoreWrites:
    """The facade's write path: ingest, sync, the saved unit shares and aggregates, store information (a part of
    :class:`collabatlas.Atlas`)."""

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
                    and changed <= maintenance.MAX_SHARE * max(works, 1)
                    and maintenance.keyed(self.con, self.PERSISTED_LEVELS)):
                report.derived_update = "incremental"
                return self._guarded_save(lambda timings, limit: self._update_incremental(version, timings, limit))
            report.derived_update = "full rebuild"
            return self.store_unit_shares()
        finally:
            maintenance.drop_changed(self.con)

    def _update_incremental(self, version: int, timings: dict[str, float], limit: str | None) -> None:
        detail: dict[str, float] = {}
        with duckdb_settings(self.con, {"memory_limit": limit} if limit else {}), transaction(self.con):
            for key, seconds in maintenance.update_incremental(self.con, self.PERSISTED_LEVELS, detail=detail).items():
                timings[key] += seconds
            meta_set(self.con, "unit_shares_version", self._unit_shares_stamp(version))
            started = time.perf_counter()
        detail["commit"] = time.perf_counter() - started
        #: seconds per step of the last incremental update (benchmarks/bench_incremental.py prints them)
        self.last_update_timings = detail

    def verify(self) -> list:
        """Recompute the saved unit shares and aggregates from scratch and compare them with the saved
        ones (relative 1e-9): a ``maintenance.Difference`` per table; all ``differing == 0`` when equal;
        then the counting's invariants on the saved shares (:mod:`collabatlas.ingest.invariants`)."""
        return maintenance.verify(self.con, self.PERSISTED_LEVELS) + invariants.check(self.con, self.PERSISTED_LEVELS)

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
                for kind, build in AGGREGATES:  # with the key hash incremental maintenance finds rows by
                    table = counting.aggregate_table(kind, level)
                    self.con.execute(f"CREATE OR REPLACE TABLE {table} AS "
                                     f"{maintenance.keyed_sql(kind, build(level, source))}")
                    meta_set(self.con, maintenance.appended_meta(table), "0")  # nothing appended yet
                timings["aggregates"] += time.perf_counter() - started
            meta_set(self.con, maintenance.KEY_META, maintenance.key_fingerprint(self.con))
            meta_set(self.con, "unit_shares_version", self._unit_shares_stamp(version))

    def ingest_country_pairs(self, path: str | os.PathLike, provider: str | None = None,
                             retrieved: str | None = None) -> country_pairs.PairLoadReport:
        """Load country-pair co-authorship counts (full counting); see :mod:`collabatlas.store.country_pairs`.
        ``provider`` and ``retrieved`` name the table's source (default: from the data folder's README.md)."""
        return country_pairs.load(self.con, path, provider=provider, retrieved=retrieved)

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

    def source_records(self) -> pd.DataFrame:
        """Source records per origin (``source, records, same_work_in_another_source``: the records whose work
        another source holds too), most records first (:mod:`collabatlas.store.records`)."""
        return records.source_records(self.con)

    def origins(self) -> pd.DataFrame:
        """``origin, records``: where the store's records come from, most records first (``works.origin`` in
        a store older than ``work_sources``); no rows on an engine without the store (Spark)."""
        if not self.has_store:
            return records.no_origins()
        return records.origins(self.con)

    def work_count(self) -> int:
        """The works of the store, after duplicates across sources were merged."""
        return records.work_count(self.con)

    def load_ror(self, files: builtins.list[str | os.PathLike], progress=None):
        """Load (replace) the store's ROR registry from dumps (:func:`collabatlas.affiliations.ror.load_ror`;
        its report: organisations loaded, skipped records, addresses re-attributed)."""
        from collabatlas.affiliations.ror import load_ror

        return load_ror(self.con, files, progress=progress)

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
            return {PAIR_DATA: "none (`collabatlas ingest-pairs FILE` loads it)"}
        rows, first, last, countries = self.con.execute(
            "SELECT count(*), min(year), max(year), count(DISTINCT country_a) FROM country_pair_works").fetchone()
        label = pair_provenance.load(self.con).label
        return {PAIR_DATA: f"{rows:,} rows, {countries:,} countries, years {first}–{last} "
                                                       f"({label})"}

    def ingest_log(self) -> builtins.list[dict]:
        import json

        rows = self.con.execute("SELECT ingest_id, finished_at, summary FROM ingest_log ORDER BY ingest_id").fetchall()
        return [{"ingest_id": i, "finished_at": t, **json.loads(s)} for i, t, s in rows]
