"""Ingest: files → staging tables → one transaction that merges them into the store.

The entry points: :func:`ingest` (OpenAlex JSON and WoS / Scopus / PubMed exports, each file routed
by its content), :func:`ingest_tables` (the Parquet interchange tables) and :func:`export_tables`
(the store as those tables). The stages: the readers fill the temporary staging tables
(:mod:`.staging`; :mod:`collabatlas.sources.openalex_staging`, :mod:`.export_staging`), then
:mod:`.merge` clusters the records into works (:mod:`.dedupe`) and merges them into the store.

Every record read is accounted for: stored, replaced, unchanged, merged, an older copy, or skipped
with a reason (``IngestReport.unaccounted`` is 0).

Staging happens in temporary tables (never written to the store file); only the final merge
touches stored tables, inside ``BEGIN … COMMIT``. A process killed at any moment therefore leaves
the store exactly as it was before the ingest.
"""

from __future__ import annotations

import os
import time
import zlib
from collections.abc import Callable
from pathlib import Path

import duckdb

from collabatlas.affiliations.geo import export_geo
from collabatlas.escaping import sql_string
from collabatlas.ingest.export_staging import ExportStager
from collabatlas.ingest.merge import MergeHook, merge
from collabatlas.ingest.merged_ids import drop_merged_ids, merged_ids_hook
from collabatlas.ingest.routes import route
from collabatlas.ingest.scratch import clean_stale_tmpdirs, make_tmpdir
from collabatlas.ingest.staging import STAGING_SQL, drop_staging
from collabatlas.sources.exports import FORMATS, Matcher, detect_format
from collabatlas.sources.ingest_report import FileStat, IngestReport
from collabatlas.sources.openalex import SPECS, InputError, InputFile, discover, in_merged_ids, merged_id_files
from collabatlas.sources.openalex_staging import Stager
from collabatlas.sources.paths import duckdb_literal, expand_user_paths
from collabatlas.store.interchange import check_export_target, check_import_folder, table_files, write_manifest
from collabatlas.store.schema import data_version, settings

__all__ = ["ingest", "InputError", "IngestReport"]

ProgressCallback = Callable[[str, int, int], None]  # (file, bytes done, bytes total)


def ingest(con: duckdb.DuckDBPyConnection, paths: list[str | os.PathLike],
           progress: ProgressCallback | None = None, memory_limit: str | None = None,
           format: str = "auto", matcher: Matcher | None = None,
           within: MergeHook | None = None) -> IngestReport:
    """Read every file under ``paths`` and merge it into the store behind ``con``.

    ``format`` is ``auto`` (each file by its content), ``openalex``, ``wos``, ``scopus`` or ``pubmed``.
    ``matcher`` resolves export address strings (default: ``AffiliationMatcher.from_store(con)``).
    ``memory_limit`` (e.g. ``"2GB"``) caps DuckDB's memory for the duration of the ingest; staged
    rows beyond it spill to disk. The connection's own limit is restored afterwards.
    ``within(con, report)`` runs inside the merge transaction after the merge (``collabatlas sync``
    applies merged ids and its watermark there) and returns whether it changed the store.
    """
    if format not in FORMATS:
        raise InputError(f"format {format!r}: expected one of {', '.join(FORMATS)}")
    values = {"preserve_insertion_order": "true"}  # rowid = record order in the files
    if memory_limit is not None:
        values["memory_limit"] = memory_limit
    with settings(con, values):
        return _ingest(con, paths, progress, format, matcher, within)


def _detect(path: Path) -> str:
    try:
        return detect_format(path)
    except (zlib.error, OSError, EOFError):  # a damaged gzip: the OpenAlex reader reports it, counted
        return "openalex"


def split_exports(paths: list[str | os.PathLike], fmt: str,
                  report: IngestReport | None = None) -> tuple[list[str | os.PathLike], list[tuple[Path, str]]]:
    """(OpenAlex inputs, [(export file, format)]): with ``auto`` each file by its content; a directory
    holding no export file is passed whole to the OpenAlex reader (snapshot layout). Inside a
    directory, a file of no known format (a README, a stray file) is skipped and counted in ``report``."""
    if fmt == "openalex":
        return list(paths), []
    openalex: list[str | os.PathLike] = []
    exports: list[tuple[Path, str]] = []
    for raw in paths:
        path = Path(raw)
        if not path.exists():
            raise InputError(f"{path}: no such file or directory")
        files = [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file()
                                                     and not p.name.startswith(".") and not in_merged_ids(p, path))
        # each file's route by its format (collabatlas.ingest.routes): no branch per format here
        found = [(f, fmt if fmt != "auto" else _detect(f)) for f in files]
        for f, f_fmt in found:
            advice = route(f_fmt).advice(f)  # a file another command loads
            if advice is not None:
                if path.is_file():
                    raise InputError(advice)
                if report is not None:
                    report.note(advice)
        if path.is_dir() and fmt == "auto" and not any(route(f_fmt).reader == "export" for _f, f_fmt in found):
            openalex.append(raw)
            continue
        for f, f_fmt in found:
            if path.is_dir() and not route(_detect(f)).in_folder:
                if report is not None:
                    report.files_skipped["not a WoS, Scopus, PubMed or OpenAlex file"] += 1
                    report.note(f"{f}: skipped, not a WoS, Scopus, PubMed or OpenAlex file")
                continue
            (exports.append((f, f_fmt)) if route(f_fmt).reader == "export" else openalex.append(f))
    return openalex, exports


def _default_matcher(con: duckdb.DuckDBPyConnection) -> Matcher:
    from collabatlas.affiliations.match_batch import BatchMatcher
    from collabatlas.affiliations.matching import AffiliationMatcher

    try:  # every distinct address of a batch matched on $COLLABATLAS_MATCH_WORKERS processes (match_batch)
        return BatchMatcher(AffiliationMatcher.from_store(con))
    except NotImplementedError as exc:
        raise InputError("address matching (collabatlas.affiliations.matching) is not available in this build, so WoS, "
                         "Scopus and PubMed exports cannot be resolved to institutions and countries") from exc


def _ingest(con: duckdb.DuckDBPyConnection, paths: list[str | os.PathLike],
            progress: ProgressCallback | None, fmt: str = "auto", matcher: Matcher | None = None,
            within: MergeHook | None = None) -> IngestReport:
    started = time.perf_counter()
    report = IngestReport()
    clean_stale_tmpdirs()
    paths = expand_user_paths(list(paths))  # literal paths; only a pattern that is no path is expanded
    openalex_paths, exports = split_exports(paths, fmt, report)
    files = discover(openalex_paths, report) if openalex_paths else []
    if exports and matcher is None:
        matcher = _default_matcher(con)
    # a snapshot folder's merged_ids/ (sync passes its own: within is its hook)
    merged = merged_id_files(paths) if within is None else {"works": [], "institutions": []}
    if not files and not exports and not any(merged.values()):
        raise InputError("no input files found in " + ", ".join(map(str, paths)))
    con.execute(STAGING_SQL)
    if any(merged.values()):  # applied as sync applies them (collabatlas.ingest.sync), in the same transaction
        within = merged_ids_hook(con, merged["works"], merged["institutions"], report)
    usable = []
    for file in files:
        if file.entity == "empty":
            report.files_skipped["empty file"] += 1
        elif file.entity not in SPECS:
            report.files_skipped[f"{file.entity} entity files are not used"] += 1
            report.note(f"{file.path}: skipped, holds {file.entity} (only works and institutions are read)")
        else:
            usable.append(file)
    total = sum(f.size for f in usable) + sum(f.stat().st_size for f, _fmt in exports)
    done = 0

    def batch_done(batch: list[InputFile]) -> None:
        nonlocal done
        done += sum(f.size for f in batch)
        if progress:
            progress(str(batch[-1].path), done, total)

    try:
        with make_tmpdir() as tmp:
            if progress:
                progress(str(usable[0].path) if usable else "", 0, total)
            stager = Stager(con, report, tmp)
            stager.stage(usable, done=batch_done)
            export_stager = ExportStager(con, report, matcher, first_rid=stager.next_rid) if exports else None
            for path, f_fmt in exports:
                base = done
                skipped_before, damaged_before = report.records_skipped, report.damaged
                export_stager.stage_file(
                    path, f_fmt,
                    progress=(lambda pos, p=path, b=base: progress(str(p), b + pos, total)) if progress else None)
                # records an export reader skipped were read too (the stager counts the ones it staged)
                report.count_read("works", report.records_skipped - skipped_before)
                report.lost_in(str(path), report.damaged - damaged_before)
                done += path.stat().st_size
            if progress:
                progress("merging into the store", total, total)
            merge(con, report, started, within)
    finally:
        drop_staging(con)
        if any(merged.values()):
            drop_merged_ids(con)
    if progress:
        progress("done", total, total)
    return report


#: The interchange tables: string ids, no surrogate keys, no repeated facts (see :func:`export_tables`).
EXPORT_SQL = {
    "works": "SELECT * EXCLUDE (wkey) FROM works",
    "authorships": "SELECT w.work_id, w.year, a.* EXCLUDE (wkey) FROM authorships a JOIN works w USING (wkey)",
    "affiliations": "SELECT w.work_id, w.year, f.author_position, i.institution_id "
                    "FROM affiliations f JOIN works w USING (wkey) JOIN institutions i USING (ikey)",
    "author_countries": "SELECT w.work_id, w.year, c.author_position, c.country_code "
                        "FROM author_countries c JOIN works w USING (wkey)",
    "institutions": "SELECT * EXCLUDE (ikey) FROM institutions",
}


def export_tables(con: duckdb.DuckDBPyConnection, folder: str | os.PathLike) -> dict[str, int]:
    """Write the store as Parquet interchange tables, ``folder/<table>/year=YYYY/*.parquet`` (the
    institutions in one file), readable by Spark, pandas or :func:`ingest_tables`. Returns rows per table."""
    folder = os.fspath(check_export_target(folder))  # a new or empty folder only (collabatlas.store.interchange)
    os.makedirs(folder, exist_ok=True)
    write_manifest(folder, None)  # in progress; the row counts replace it at the end
    rows = {}
    for table, sql in EXPORT_SQL.items():
        target = os.path.join(folder, table)
        if table == "institutions":
            os.makedirs(target, exist_ok=True)
            con.execute(f"COPY ({sql}) TO {sql_string(os.path.join(target, 'part_0.parquet'))} "
                        "(FORMAT parquet, COMPRESSION zstd)")
        else:
            con.execute(f"COPY ({sql}) TO {sql_string(target)} (FORMAT parquet, COMPRESSION zstd, PARTITION_BY (year), "
                        f"OVERWRITE_OR_IGNORE true)")
        rows[table] = con.execute(f"SELECT count(*) FROM ({sql})").fetchone()[0]
    # coordinates, for the Spark engine (collabatlas.affiliations.geo)
    rows["institution_geo"] = export_geo(con, folder)
    write_manifest(folder, rows, data_version(con))  # the Spark engine names it, as the store does
    return rows


def ingest_tables(con: duckdb.DuckDBPyConnection, folder: str | os.PathLike) -> IngestReport:
    """Merge normalised tables with string ids (``folder/<table>/**/*.parquet`` for works,
    authorships, affiliations, author_countries, institutions; columns as in the store, minus the
    surrogate keys and the repeated facts, optionally partitioned ``year=YYYY`` as
    :func:`export_tables` writes them) into the store, through the same staging and merge as a JSON
    ingest."""
    started = time.perf_counter()
    check_import_folder(con, folder)  # one whole export, not a partial or mixed folder (collabatlas.store.interchange)
    report = IngestReport()
    con.execute(STAGING_SQL)

    def parquet(table: str) -> str:
        # hive partitioning off: only the year=YYYY partition of export_tables is read from the path,
        # and only for files without a year column, so no other key=value folder changes a row
        # the files listed literally (a folder named data[1] is no pattern: collabatlas.sources.paths)
        files = "[" + ", ".join(sql_string(duckdb_literal(f)) for f in table_files(Path(folder), table)) + "]"
        rows = (f"SELECT * FROM read_parquet({files}, hive_partitioning = false, union_by_name = true, "
                "filename = true)")
        names = [r[0] for r in con.execute(f"DESCRIBE {rows}").fetchall()]
        if table != "institutions" and "year" not in names:
            rows = ("SELECT * EXCLUDE (filename), "
                    "TRY_CAST(regexp_extract(filename, '[/\\\\]year=(-?[0-9]+)[/\\\\]', 1) "
                    f"AS INTEGER) AS year FROM ({rows})")
        else:
            rows = f"SELECT * EXCLUDE (filename) FROM ({rows})"
        return f"({rows})"

    def columns(table: str) -> str:  # the staging columns present in the files (a partition year is extra)
        staged = {r[0] for r in con.execute(f"DESCRIBE stage_{table}").fetchall()}
        found = [r[0] for r in con.execute(f"DESCRIBE SELECT * FROM {parquet(table)}").fetchall()]
        return ", ".join(f"t.{c}" for c in found if c in staged and c != "rid")

    con.execute(f"INSERT INTO stage_works BY NAME SELECT row_number() OVER () AS rid, {columns('works')} "
                f"FROM {parquet('works')} t")
    for table in ("authorships", "affiliations", "author_countries"):
        con.execute(f"INSERT INTO stage_{table} BY NAME SELECT w.rid, {columns(table)} FROM {parquet(table)} t "
                    f"JOIN stage_works w USING (work_id)")
    con.execute(f"INSERT INTO stage_institutions BY NAME SELECT {columns('institutions')} "
                f"FROM {parquet('institutions')} t")
    works = con.execute("SELECT count(*) FROM stage_works").fetchone()[0]
    report.count_read("works", works)
    report.files.append(FileStat(path=os.fspath(folder), entity="works", records=works, reader="parquet"))
    # institution entity records are records read too (the merge counts them in institution_records)
    report.count_read("institutions", con.execute(
        "SELECT count(*) FROM stage_institutions WHERE origin = 'entity'").fetchone()[0])
    try:
        merge(con, report, started)
    finally:
        drop_staging(con)
    return report
