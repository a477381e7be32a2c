"""Ingest: files → staging tables → one transaction that merges them into the store.

Idempotent: each work is stored once; when the input or the store holds several versions of a
work, the newest ``updated_date`` wins (ties keep what is stored, so re-ingesting changes nothing).
Institutions: a record from an institution entity file beats one embedded in a work; within the
same origin the newest ``updated_date`` wins.

Every record read is accounted for: stored, replaced, unchanged, merged, an older copy, or skipped
with a reason (``IngestReport.unaccounted`` is 0). A re-ingest that changes nothing commits nothing:
no new ``data_version`` (caches stay valid) and no ingest log row (``report.changed`` is False).

Staging happens in temporary tables (never written to the store file); only the final merge
touches stored tables, inside ``BEGIN … COMMIT``. A process killed at any moment therefore leaves
the store exactly as it was before the ingest.
"""

from __future__ import annotations

import json
import os
import time
import zlib
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from collabatlas.affiliations.geo import apply_geo, export_geo
from collabatlas.affiliations.ror import apply_ror_types
from collabatlas.escaping import sql_string
from collabatlas.ingest import maintenance
from collabatlas.ingest.export_staging import ExportStager
from collabatlas.ingest.scratch import clean_stale_tmpdirs, make_tmpdir
from collabatlas.ingest.sync import skip_merged_away
from collabatlas.sources.exports import EXPORT_ORIGINS, FORMATS, Matcher, detect_format
from collabatlas.sources.ingest_report import IngestReport
from collabatlas.sources.openalex import SPECS, InputError, InputFile, discover
from collabatlas.sources.openalex_staging import Stager
from collabatlas.sources.subject_crosswalk import fill_merged_subjects, keep_replaced_subjects, subject_origin_sql
from collabatlas.store.interchange import check_export_target, check_import_folder, write_manifest
from collabatlas.store.schema import DEDUPE_MACROS_SQL, data_version, meta_set, settings, transaction

__all__ = ["ingest", "InputError", "IngestReport"]

STAGING_SQL = """
CREATE OR REPLACE TEMP TABLE stage_works (
    rid BIGINT, work_id VARCHAR, doi VARCHAR, title VARCHAR, year INTEGER, pub_date DATE, type VARCHAR,
    source_id VARCHAR, source_name VARCHAR, domain_id VARCHAR, domain VARCHAR, field_id VARCHAR, field VARCHAR,
    subfield_id VARCHAR, subfield VARCHAR, n_authors INTEGER, updated_date TIMESTAMP, origin VARCHAR,
    authors_truncated BOOLEAN);
CREATE OR REPLACE TEMP TABLE stage_authorships (
    rid BIGINT, work_id VARCHAR, author_position INTEGER, author_id VARCHAR, author_name VARCHAR,
    n_institutions INTEGER, n_countries INTEGER);
CREATE OR REPLACE TEMP TABLE stage_affiliations (
    rid BIGINT, work_id VARCHAR, author_position INTEGER, institution_id VARCHAR);
CREATE OR REPLACE TEMP TABLE stage_author_countries (
    rid BIGINT, work_id VARCHAR, author_position INTEGER, country_code VARCHAR);
CREATE OR REPLACE TEMP TABLE stage_institutions (
    rid BIGINT, institution_id VARCHAR, ror VARCHAR, name VARCHAR, country_code VARCHAR, type VARCHAR, lineage VARCHAR[],
    updated_date TIMESTAMP, origin VARCHAR);
CREATE OR REPLACE TEMP TABLE stage_institution_geo (
    rid BIGINT, institution_id VARCHAR, lat DOUBLE, lon DOUBLE, updated_date TIMESTAMP);
"""

STAGING_TABLES = ("stage_works", "stage_authorships", "stage_affiliations", "stage_author_countries",
                  "stage_institutions", "stage_winners", "stage_keys", "stage_targets", "stage_clustered",
                  "stage_decision", "stage_go", "stage_prev_subjects", "stage_institution_geo")

ProgressCallback = Callable[[str, int, int], None]  # (file, bytes done, bytes total)
MergeHook = Callable[[duckdb.DuckDBPyConnection, IngestReport], bool]  # runs in the merge transaction


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
                                                     and not p.name.startswith("."))
        found = [(f, fmt if fmt != "auto" else _detect(f)) for f in files]
        for f, f_fmt in found:
            if f_fmt == "pairs":
                advice = f"{f} holds country-pair aggregates: load it with `collabatlas ingest-pairs {f}`"
                if path.is_file():
                    raise InputError(advice)
                if report is not None:
                    report.note(advice)
        if path.is_dir() and fmt == "auto" and not any(f_fmt in EXPORT_ORIGINS for _f, f_fmt in found):
            openalex.append(raw)
            continue
        for f, f_fmt in found:
            if path.is_dir() and _detect(f) in ("unknown", "pairs"):
                if report is not None:
                    report.files_skipped["not a WoS, Scopus, PubMed or OpenAlex file"] += 1
                    report.note(f"{f}: skipped, not a WoS, Scopus, PubMed or OpenAlex file")
                continue
            (exports.append((f, f_fmt)) if f_fmt in EXPORT_ORIGINS else openalex.append(f))
    return openalex, exports


def _default_matcher(con: duckdb.DuckDBPyConnection) -> Matcher:
    from collabatlas.affiliations.matching import AffiliationMatcher

    try:
        return AffiliationMatcher.from_store(con)
    except NotImplementedError as exc:
        raise InputError("address matching (collabatlas.affiliations.matching) is not available in this build, so WoS, "
                         "Scopus and PubMed exports cannot be resolved to institutions and countries") from exc


def _ingest(con: duckdb.DuckDBPyConnection, paths: list[str | os.PathLike],
            progress: ProgressCallback | None, fmt: str = "auto", matcher: Matcher | None = None,
            within: MergeHook | None = None) -> IngestReport:
    started = time.perf_counter()
    report = IngestReport()
    clean_stale_tmpdirs()
    openalex_paths, exports = split_exports(list(paths), fmt, report)
    files = discover(openalex_paths, report) if openalex_paths else []
    if exports and matcher is None:
        matcher = _default_matcher(con)
    if not files and not exports:
        raise InputError("no input files found in " + ", ".join(map(str, paths)))
    con.execute(STAGING_SQL)
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
                skipped_before = report.records_skipped
                export_stager.stage_file(
                    path, f_fmt, progress=(lambda pos, p=path, b=base: progress(str(p), b + pos, total)) if progress else None)
                # records an export reader skipped were read too (the stager counts the ones it staged)
                report.count_read("works", report.records_skipped - skipped_before)
                done += path.stat().st_size
            if progress:
                progress("merging into the store", total, total)
            _merge(con, report, started, within)
    finally:
        _drop_staging(con)
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
    rows["institution_geo"] = export_geo(con, folder)  # coordinates, for the Spark engine (collabatlas.affiliations.geo)
    write_manifest(folder, rows)
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
        pattern = f"{os.fspath(folder)}/{table}/**/*.parquet"
        rows = (f"SELECT * FROM read_parquet({sql_string(pattern)}, hive_partitioning = false, union_by_name = true, "
                "filename = true)")
        names = [r[0] for r in con.execute(f"DESCRIBE {rows}").fetchall()]
        if table != "institutions" and "year" not in names:
            rows = (f"SELECT * EXCLUDE (filename), TRY_CAST(regexp_extract(filename, '[/\\\\]year=(-?[0-9]+)[/\\\\]', 1) "
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
    con.execute(f"INSERT INTO stage_institutions BY NAME SELECT {columns('institutions')} FROM {parquet('institutions')} t")
    report.works_read = report.records_read = con.execute("SELECT count(*) FROM stage_works").fetchone()[0]
    try:
        _merge(con, report, started)
    finally:
        _drop_staging(con)
    return report


def _drop_staging(con: duckdb.DuckDBPyConnection) -> None:
    for table in STAGING_TABLES:
        con.execute(f"DROP TABLE IF EXISTS {table}")


def _merge(con: duckdb.DuckDBPyConnection, report: IngestReport, started: float,
           within: MergeHook | None = None) -> None:
    skip_merged_away(con, report)  # records OpenAlex merged into another work (collabatlas.ingest.sync)
    # newest version of each work within this input (ties: the later record)
    con.execute("""
        CREATE OR REPLACE TEMP TABLE stage_winners AS
        SELECT work_id, rid, updated_date FROM (
            SELECT work_id, rid, updated_date,
                   row_number() OVER (PARTITION BY work_id ORDER BY updated_date DESC NULLS LAST, rid DESC) AS k
            FROM stage_works) WHERE k = 1
    """)
    staged, winners = con.execute("SELECT (SELECT count(*) FROM stage_works), (SELECT count(*) FROM stage_winners)").fetchone()
    report.works_superseded_in_input = staged - winners
    _cluster(con, report)
    counts = dict(con.execute("SELECT action, count(*) FROM stage_decision GROUP BY action").fetchall())
    _count_records(con, report)
    report.institution_records = con.execute(
        "SELECT count(*) FROM stage_institutions WHERE origin = 'entity'").fetchone()[0]
    # nothing new (every record already stored as it is, provenance too; title keys aside): nothing to write
    sources_same = not counts.get("insert") and not counts.get("replace") and con.execute("""
        SELECT NOT EXISTS (
            (SELECT d.target, c.origin, c.work_id, c.doi, c.updated_date
             FROM stage_clustered c JOIN stage_decision d USING (ck)
             EXCEPT
             SELECT wkey, origin, record_id, doi, updated_date FROM work_sources)
            UNION ALL
            (SELECT wkey, origin, record_id, doi, updated_date FROM work_sources
             WHERE record_id IN (SELECT work_id FROM stage_clustered)
             EXCEPT
             SELECT d.target, c.origin, c.work_id, c.doi, c.updated_date
             FROM stage_clustered c JOIN stage_decision d USING (ck)))
    """).fetchone()[0]

    with transaction(con):
        maintenance.start_collecting(con)  # the works whose saved unit shares change (collabatlas.ingest.maintenance)
        _merge_institutions(con, report)  # first: affiliations refer to institution keys
        # works to write, with their key: a replaced work keeps its key, a new one gets the next free
        con.execute("""
            CREATE OR REPLACE TEMP TABLE stage_go AS
            SELECT d.ck, d.rid, d.action, coalesce(d.target, (SELECT coalesce(max(wkey), 0) FROM works)
                       + row_number() OVER (PARTITION BY d.target IS NULL ORDER BY d.rid)) AS wkey
            FROM stage_decision d WHERE d.action <> 'keep'
        """)
        maintenance.add_changed(con, "SELECT wkey FROM stage_go")
        # provenance: every record of this input, under the work it was merged into
        if not sources_same:
            con.execute("DELETE FROM work_sources WHERE record_id IN (SELECT work_id FROM stage_clustered)")
        con.execute(f"""
            INSERT INTO work_sources
            SELECT coalesce(d.target, g.wkey), c.origin, c.work_id, c.doi, c.title_key, c.updated_date
            FROM stage_clustered c JOIN stage_decision d USING (ck) LEFT JOIN stage_go g USING (ck)
            WHERE {'false' if sources_same else 'true'}
        """)
        keep_replaced_subjects(con)  # a merged work keeps a subject any of its records has
        if counts.get("replace"):
            for table in ("works", "authorships", "affiliations", "author_countries"):
                con.execute(f"DELETE FROM {table} WHERE wkey IN (SELECT wkey FROM stage_go WHERE action = 'replace')")
        con.execute("INSERT INTO works BY NAME SELECT g.wkey, s.* EXCLUDE (rid), "
                    f"{subject_origin_sql('s')} AS subject_origin FROM stage_works s JOIN stage_go g USING (rid)")
        if not sources_same:
            fill_merged_subjects(con)
        con.execute("""INSERT INTO authorships BY NAME SELECT g.wkey, s.* EXCLUDE (rid, work_id)
                       FROM stage_authorships s JOIN stage_go g USING (rid)""")
        con.execute("""
            INSERT INTO affiliations BY NAME
            SELECT g.wkey, f.author_position, i.ikey, w.year, w.n_authors, a.n_institutions, a.n_countries
            FROM stage_affiliations f JOIN stage_go g USING (rid)
            JOIN stage_works w USING (rid)
            JOIN stage_authorships a USING (rid, author_position)
            JOIN institutions i ON i.institution_id = f.institution_id
        """)
        con.execute("""
            INSERT INTO author_countries BY NAME
            SELECT g.wkey, c.author_position, c.country_code, w.year, w.n_authors, a.n_institutions, a.n_countries
            FROM stage_author_countries c JOIN stage_go g USING (rid)
            JOIN stage_works w USING (rid)
            JOIN stage_authorships a USING (rid, author_position)
        """)
        unified = _unify_ror_institutions(con, report)
        sector_types = apply_ror_types(con)
        if sector_types:
            report.note(f"institutions: {sector_types:,} take their sector from their ROR type (OpenAlex "
                        "types them funder or not at all)")
        coordinates = apply_geo(con)  # OpenAlex entity coordinates, else ROR's (collabatlas.affiliations.geo)
        hooked = bool(within(con, report)) if within is not None else False
        report.works_recounted = maintenance.finish_collecting(con)
        report.changed = bool(not sources_same or report.institutions_inserted or report.institutions_updated
                              or unified or sector_types or coordinates or hooked)
        if not report.changed:  # a no-op re-ingest: no new data version (caches stay valid), no log row
            report.data_version = data_version(con)
            report.seconds = time.perf_counter() - started
            report.note(f"nothing new: the store already holds all of it (data version {report.data_version} "
                        "kept, no ingest log entry)")
            return
        report.data_version = data_version(con) + 1
        report.seconds = time.perf_counter() - started  # logged below; the commit adds a little
        meta_set(con, "data_version", str(report.data_version))
        ingest_id = con.execute("SELECT coalesce(max(ingest_id), 0) + 1 FROM ingest_log").fetchone()[0]
        con.execute("INSERT INTO ingest_log VALUES (?, ?, ?)",
                    [ingest_id, datetime.now(UTC).replace(tzinfo=None), json.dumps(report.to_dict())])


def _unify_ror_institutions(con: duckdb.DuckDBPyConnection, report: IngestReport) -> int:
    """One institution, one unit: an institution first known from an export address (id ``R`` + its
    ROR id, see ``ror.institution_rows``) and an OpenAlex institution with the same ROR id — loaded in
    the same ingest or later — become the OpenAlex one. Its affiliations move over, lineages naming
    it are rewritten, and the ``R`` row goes."""
    con.execute("""
        CREATE OR REPLACE TEMP TABLE stage_ror_alias AS
        SELECT r.ikey AS old_key, r.institution_id AS old_id, o.ikey AS new_key, o.institution_id AS new_id
        FROM institutions r
        JOIN (SELECT ror, min(institution_id) AS institution_id, arg_min(ikey, institution_id) AS ikey
              FROM institutions WHERE origin IN ('entity', 'work') AND ror IS NOT NULL GROUP BY ror) o
          ON o.ror = r.ror
        WHERE r.origin = 'ror' AND r.institution_id = 'R' || r.ror
    """)
    unified = con.execute("SELECT count(*) FROM stage_ror_alias").fetchone()[0]
    if unified:
        maintenance.add_changed(con, "SELECT wkey FROM affiliations WHERE ikey IN (SELECT old_key FROM stage_ror_alias)")
        con.execute("UPDATE affiliations SET ikey = a.new_key FROM stage_ror_alias a WHERE affiliations.ikey = a.old_key")
        con.execute("""
            UPDATE institutions SET lineage = m.lineage FROM (
                SELECT l.ikey, list(coalesce(a.new_id, l.member) ORDER BY l.pos) AS lineage
                FROM (SELECT ikey, unnest(lineage) AS member, generate_subscripts(lineage, 1) AS pos
                      FROM institutions WHERE origin = 'ror') l
                LEFT JOIN stage_ror_alias a ON a.old_id = l.member
                GROUP BY l.ikey) m
            WHERE institutions.ikey = m.ikey
        """)
        con.execute("DELETE FROM institutions WHERE ikey IN (SELECT old_key FROM stage_ror_alias)")
        report.note(f"institutions: {unified:,} known from export addresses are the same as OpenAlex institutions "
                    "(same ROR id) and now count as those")
    con.execute("DROP TABLE stage_ror_alias")
    return unified


#: Which record's authorships a deduplicated work keeps (docs/sources.md): structured institution ids
#: first, then per-author affiliations; ties: the newest updated_date, then what is stored.
SOURCE_PRIORITY_SQL = "CASE {0} WHEN 'openalex' THEN 0 WHEN 'scopus' THEN 1 WHEN 'wos' THEN 2 WHEN 'pubmed' THEN 3 ELSE 4 END"


def _cluster(con: duckdb.DuckDBPyConnection, report: IngestReport) -> None:
    """Group this input's records with each other and with stored works into clusters (one work
    each), choose each cluster's winning record, and count merged duplicates. Set-based SQL.

    A record joins a stored work by its own record id (a re-load), else by DOI, else by title key when
    one side has no DOI — only across sources: within one source the source's record id is the
    identity (and a work holds at most one record per source). Staged records cluster the same way.
    Result: ``stage_clustered`` (record → cluster ``ck``) and ``stage_decision`` (cluster → target
    work key, winning staged rid, action insert | replace | keep).
    """
    con.execute(DEDUPE_MACROS_SQL)
    prio = SOURCE_PRIORITY_SQL
    cross = con.execute("""
        SELECT (SELECT count(DISTINCT origin) FROM stage_works) > 1
            OR EXISTS (SELECT 1 FROM work_sources WHERE origin NOT IN (SELECT origin FROM stage_works))
    """).fetchone()[0]
    if not cross:
        _cluster_one_source(con, prio)
        report.duplicates_merged_by_doi = report.duplicates_merged_by_title = 0
        return
    # another source meets this one: title keys of stored records that a one-source ingest left
    # uncomputed (NULL) are computed now, once ('' when too weak to match on)
    con.execute("""
        UPDATE work_sources ws SET title_key = coalesce(k.title_key, '')
        FROM (SELECT w.wkey, ca_title_key(w.title, w.year, ca_surname(a.author_name)) AS title_key
              FROM works w LEFT JOIN authorships a ON a.wkey = w.wkey AND a.author_position = 1
              WHERE w.wkey IN (SELECT wkey FROM work_sources WHERE title_key IS NULL)) k
        WHERE ws.wkey = k.wkey AND ws.title_key IS NULL
    """)
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE stage_keys AS
        SELECT s.rid, s.work_id, s.origin, s.updated_date, s.doi,
               ca_title_key(s.title, s.year, ca_surname(a.author_name)) AS title_key, {prio.format('s.origin')} AS prio
        FROM stage_winners w JOIN stage_works s USING (rid)
        LEFT JOIN stage_authorships a ON a.rid = s.rid AND a.author_position = 1
    """)
    con.execute("""
        CREATE OR REPLACE TEMP TABLE stage_targets AS
        WITH c AS (
            SELECT k.rid, k.origin, ws.wkey, 0 AS how FROM stage_keys k JOIN work_sources ws ON ws.record_id = k.work_id
            UNION ALL
            SELECT k.rid, k.origin, ws.wkey, 1 FROM stage_keys k JOIN work_sources ws ON ws.doi = k.doi
            WHERE ws.origin <> k.origin
            UNION ALL
            SELECT k.rid, k.origin, ws.wkey, 2 FROM stage_keys k JOIN work_sources ws ON ws.title_key = k.title_key
            WHERE ws.origin <> k.origin AND (k.doi IS NULL OR ws.doi IS NULL)
        )
        SELECT c.rid, arg_min(c.wkey, (c.how, c.wkey)) AS target, min(c.how) AS how
        FROM c LEFT JOIN (SELECT DISTINCT wkey, origin FROM work_sources) x
             ON c.how > 0 AND x.wkey = c.wkey AND x.origin = c.origin
        WHERE x.wkey IS NULL
        GROUP BY c.rid
    """)
    con.execute("""
        CREATE OR REPLACE TEMP TABLE stage_clustered AS
        WITH b AS (  -- a record without DOI takes the DOI of a staged record from another source with its title key
            SELECT k.*, t.target, t.how,
                   coalesce(k.doi, (SELECT min(k2.doi) FROM stage_keys k2 WHERE k.doi IS NULL AND k2.doi IS NOT NULL
                                    AND k2.title_key = k.title_key AND k2.origin <> k.origin)) AS bdoi
            FROM stage_keys k LEFT JOIN stage_targets t USING (rid)
        ), g AS (  -- a stored target found by one record holds for the records clustered with it
            SELECT *, coalesce(target, CASE WHEN bdoi IS NOT NULL THEN min(target) OVER (PARTITION BY bdoi)
                                            ELSE min(target) OVER (PARTITION BY title_key) END) AS gtarget
            FROM b
        ), c0 AS (
            SELECT *, CASE WHEN gtarget IS NOT NULL THEN 'w:' || gtarget WHEN bdoi IS NOT NULL THEN 'd:' || bdoi
                           WHEN title_key IS NOT NULL THEN 't:' || title_key ELSE 'r:' || work_id END AS ck0
            FROM g
        )
        SELECT rid, work_id, origin, updated_date, doi, title_key, prio, how,
               CASE WHEN how = 0 OR row_number() OVER (PARTITION BY ck0, origin ORDER BY how NULLS LAST, rid) = 1
                    THEN ck0 ELSE 'r:' || work_id END AS ck
        FROM c0
    """)
    _decide(con, prio)
    _count_merged(con, report)


def _count_records(con: duckdb.DuckDBPyConnection, report: IngestReport) -> None:
    """Each staged record in one bucket: the winner of a new work is stored (inserted); the winner of
    a stored work, found by its own record id, replaced it; any other record found by its own record
    id is unchanged (already stored); every other record was merged into a work (``_count_merged``)."""
    inserted, replaced, unchanged = con.execute("""
        SELECT count(*) FILTER (WHERE d.action = 'insert' AND d.rid = c.rid),
               count(*) FILTER (WHERE d.action = 'replace' AND d.rid = c.rid AND c.how = 0),
               count(*) FILTER (WHERE c.how = 0 AND d.rid IS DISTINCT FROM c.rid)
        FROM stage_clustered c JOIN stage_decision d USING (ck)
    """).fetchone()
    report.works_inserted, report.works_replaced, report.works_unchanged = inserted, replaced, unchanged


def _count_merged(con: duckdb.DuckDBPyConnection, report: IngestReport) -> None:
    """Merged duplicates: records new to the store that did not become a new work; by DOI when
    another record of the work has the same DOI."""
    by_doi, by_title = con.execute("""
        WITH new AS (
            SELECT c.* FROM stage_clustered c JOIN stage_decision d USING (ck)
            WHERE c.how IS DISTINCT FROM 0 AND NOT (d.action = 'insert' AND d.rid = c.rid)
        ), others AS (
            SELECT ck, doi FROM stage_clustered
            UNION ALL
            SELECT 'w:' || wkey, doi FROM work_sources WHERE wkey IN (SELECT target FROM stage_decision)
        )
        SELECT count(*) FILTER (WHERE same_doi), count(*) FILTER (WHERE NOT same_doi) FROM (
            SELECT n.rid, coalesce(bool_or(o.doi = n.doi), false) AS same_doi
            FROM new n LEFT JOIN others o ON o.ck = n.ck GROUP BY n.rid, n.doi)
        WHERE rid IS NOT NULL
    """).fetchone()
    report.duplicates_merged_by_doi, report.duplicates_merged_by_title = by_doi, by_title


def _cluster_one_source(con: duckdb.DuckDBPyConnection, prio: str) -> None:
    """One source only, in this input and in the store: a record's identity is its record id, so no
    DOI or title matching is needed (an OpenAlex-only store pays nothing for dedupe). The title keys
    of these records are left NULL and computed when another source first arrives."""
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE stage_clustered AS
        SELECT s.rid, s.work_id, s.origin, s.updated_date, s.doi, NULL::VARCHAR AS title_key,
               {prio.format('s.origin')} AS prio, CASE WHEN ws.wkey IS NOT NULL THEN 0 END AS how,
               CASE WHEN ws.wkey IS NOT NULL THEN 'w:' || ws.wkey ELSE 'r:' || s.work_id END AS ck
        FROM stage_winners w JOIN stage_works s USING (rid)
        LEFT JOIN work_sources ws ON ws.record_id = s.work_id
    """)
    _decide(con, prio)


def _decide(con: duckdb.DuckDBPyConnection, prio: str) -> None:
    """``stage_decision``: each cluster's winning record (source priority, then newest) and action."""
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE stage_decision AS
        WITH m AS (
            SELECT ck, rid, prio, updated_date, 0 AS stored FROM stage_clustered
            UNION ALL
            SELECT c.ck, NULL, {prio.format('w.origin')}, w.updated_date, 1
            FROM (SELECT DISTINCT ck FROM stage_clustered WHERE ck LIKE 'w:%') c
            JOIN works w ON w.wkey = CAST(substr(c.ck, 3) AS BIGINT)
        ), best AS (
            SELECT *, row_number() OVER (PARTITION BY ck ORDER BY prio, updated_date DESC NULLS LAST, stored DESC,
                                                              rid DESC) AS k
            FROM m
        )
        SELECT ck, rid, CASE WHEN ck LIKE 'w:%' THEN CAST(substr(ck, 3) AS BIGINT) END AS target,
               CASE WHEN ck NOT LIKE 'w:%' THEN 'insert' WHEN stored = 1 THEN 'keep' ELSE 'replace' END AS action
        FROM best WHERE k = 1
    """)


def _merge_institutions(con: duckdb.DuckDBPyConnection, report: IngestReport) -> None:
    # an institution named by an affiliation but described nowhere still needs a row (and a key)
    con.execute("""
        INSERT INTO stage_institutions (rid, institution_id, origin)
        SELECT DISTINCT NULL::BIGINT, f.institution_id, 'stub' FROM stage_affiliations f
        WHERE f.institution_id NOT IN (SELECT institution_id FROM stage_institutions)
          AND f.institution_id NOT IN (SELECT institution_id FROM institutions)
    """)
    con.execute("""
        CREATE OR REPLACE TEMP TABLE stage_inst_best AS
        SELECT * EXCLUDE (k, rid) FROM (
            SELECT *, row_number() OVER (PARTITION BY institution_id
                       ORDER BY CASE origin WHEN 'entity' THEN 0 WHEN 'work' THEN 1 ELSE 2 END,
                                updated_date DESC NULLS LAST, rid DESC NULLS LAST) AS k
            FROM (SELECT * FROM stage_institutions
                  UNION ALL BY NAME
                  SELECT i.* EXCLUDE (ikey), NULL::BIGINT AS rid
                  FROM institutions i SEMI JOIN stage_institutions s USING (institution_id)))
        WHERE k = 1
    """)
    inserted, updated = con.execute("""
        SELECT count(*) FILTER (WHERE i.institution_id IS NULL),
               count(*) FILTER (WHERE i.institution_id IS NOT NULL AND
                   (b.updated_date IS DISTINCT FROM i.updated_date OR b.origin <> i.origin
                    OR b.name IS DISTINCT FROM i.name OR b.country_code IS DISTINCT FROM i.country_code
                    OR b.type IS DISTINCT FROM i.type OR b.lineage IS DISTINCT FROM i.lineage))
        FROM stage_inst_best b LEFT JOIN institutions i USING (institution_id)
    """).fetchone()
    report.institutions_inserted, report.institutions_updated = inserted, updated
    # an updated institution keeps its key; a new one gets the next free key
    con.execute("""
        CREATE OR REPLACE TEMP TABLE stage_inst_keyed AS
        SELECT b.*, coalesce(i.ikey, (SELECT coalesce(max(ikey), 0) FROM institutions)
                     + row_number() OVER (PARTITION BY i.ikey IS NULL ORDER BY b.institution_id)) AS ikey
        FROM stage_inst_best b LEFT JOIN institutions i USING (institution_id)
    """)
    con.execute("DELETE FROM institutions WHERE institution_id IN (SELECT institution_id FROM stage_inst_best)")
    con.execute("INSERT INTO institutions BY NAME SELECT * FROM stage_inst_keyed")
    con.execute("DROP TABLE stage_inst_keyed")
    con.execute("DROP TABLE stage_inst_best")
