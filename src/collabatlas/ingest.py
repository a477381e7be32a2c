"""Ingest: files → staging tables → one transaction that merges them into the store.

Idempotent: each work is stored once; when the input or the store holds several versions of a
work, the newest ``updated_date`` wins (ties keep what is stored, so re-ingesting changes nothing).
Institutions: a record from an institution entity file beats one embedded in a work; within the
same origin the newest ``updated_date`` wins.

Staging happens in temporary tables (never written to the store file); only the final merge
touches stored tables, inside ``BEGIN … COMMIT``. A process killed at any moment therefore leaves
the store exactly as it was before the ingest.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from datetime import datetime, timezone

import duckdb

from .ingest_report import IngestReport
from .sources.openalex import SPECS, InputError, InputFile, Stager, discover, make_tmpdir
from .store import data_version, meta_set, transaction

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
"""

STAGING_TABLES = ("stage_works", "stage_authorships", "stage_affiliations", "stage_author_countries",
                  "stage_institutions", "stage_winners", "stage_decision", "stage_go")

ProgressCallback = Callable[[str, int, int], None]  # (file, bytes done, bytes total)


def ingest(con: duckdb.DuckDBPyConnection, paths: list[str | os.PathLike],
           progress: ProgressCallback | None = None, memory_limit: str | None = None) -> IngestReport:
    """Read every file under ``paths`` and merge it into the store behind ``con``.

    ``memory_limit`` (e.g. ``"2GB"``) caps DuckDB's memory for the duration of the ingest; staged
    rows beyond it spill to disk. The connection's own limit is restored afterwards.
    """
    settings = {"preserve_insertion_order": "true"}  # rowid = record order in the files
    if memory_limit is not None:
        settings["memory_limit"] = memory_limit
    previous = {k: con.execute(f"SELECT current_setting('{k}')").fetchone()[0] for k in settings}
    for key, value in settings.items():
        con.execute(f"SET {key} = '{value}'")
    try:
        return _ingest(con, paths, progress)
    finally:
        for key, value in previous.items():
            con.execute(f"SET {key} = '{value}'")


def _ingest(con: duckdb.DuckDBPyConnection, paths: list[str | os.PathLike],
            progress: ProgressCallback | None) -> IngestReport:
    started = time.perf_counter()
    report = IngestReport()
    files = discover(list(paths), report)
    if not files:
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
    total = sum(f.size for f in usable)
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
            Stager(con, report, tmp).stage(usable, done=batch_done)
            if progress:
                progress("merging into the store", total, total)
            _merge(con, report, started)
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
    folder = os.fspath(folder)
    os.makedirs(folder, exist_ok=True)
    rows = {}
    for table, sql in EXPORT_SQL.items():
        target = os.path.join(folder, table)
        if table == "institutions":
            os.makedirs(target, exist_ok=True)
            con.execute(f"COPY ({sql}) TO '{os.path.join(target, 'part_0.parquet')}' (FORMAT parquet, COMPRESSION zstd)")
        else:
            con.execute(f"COPY ({sql}) TO '{target}' (FORMAT parquet, COMPRESSION zstd, PARTITION_BY (year), "
                        f"OVERWRITE_OR_IGNORE true)")
        rows[table] = con.execute(f"SELECT count(*) FROM ({sql})").fetchone()[0]
    return rows


def ingest_tables(con: duckdb.DuckDBPyConnection, folder: str | os.PathLike) -> IngestReport:
    """Merge normalised tables with string ids (``folder/<table>/**/*.parquet`` for works,
    authorships, affiliations, author_countries, institutions; columns as in the store, minus the
    surrogate keys and the repeated facts, optionally partitioned ``year=YYYY`` as
    :func:`export_tables` writes them) into the store, through the same staging and merge as a JSON
    ingest."""
    started = time.perf_counter()
    report = IngestReport()
    con.execute(STAGING_SQL)

    def parquet(table: str) -> str:
        pattern = f"{os.fspath(folder)}/{table}/**/*.parquet"
        return f"(SELECT * FROM read_parquet({pattern!r}, hive_partitioning = true, union_by_name = true))"

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


def _merge(con: duckdb.DuckDBPyConnection, report: IngestReport, started: float) -> None:
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
    # compare with the store: insert new works, replace older ones, leave the rest
    con.execute("""
        CREATE OR REPLACE TEMP TABLE stage_decision AS
        SELECT s.work_id, s.rid,
               CASE WHEN w.work_id IS NULL THEN 'insert'
                    WHEN s.updated_date > w.updated_date OR (w.updated_date IS NULL AND s.updated_date IS NOT NULL)
                    THEN 'replace' ELSE 'keep' END AS action
        FROM stage_winners s LEFT JOIN works w USING (work_id)
    """)
    counts = dict(con.execute("SELECT action, count(*) FROM stage_decision GROUP BY action").fetchall())
    report.works_inserted = counts.get("insert", 0)
    report.works_replaced = counts.get("replace", 0)
    report.works_unchanged = counts.get("keep", 0)

    with transaction(con):
        _merge_institutions(con, report)  # first: affiliations refer to institution keys
        # works to write, with their key: a replaced work keeps its key, a new one gets the next free
        con.execute("""
            CREATE OR REPLACE TEMP TABLE stage_go AS
            SELECT d.rid, d.action, coalesce(w.wkey, (SELECT coalesce(max(wkey), 0) FROM works)
                       + row_number() OVER (PARTITION BY w.wkey IS NULL ORDER BY d.rid)) AS wkey
            FROM stage_decision d LEFT JOIN works w USING (work_id)
            WHERE d.action <> 'keep'
        """)
        if counts.get("replace"):
            for table in ("works", "authorships", "affiliations", "author_countries"):
                con.execute(f"DELETE FROM {table} WHERE wkey IN (SELECT wkey FROM stage_go WHERE action = 'replace')")
        con.execute("INSERT INTO works BY NAME SELECT g.wkey, s.* EXCLUDE (rid) FROM stage_works s JOIN stage_go g USING (rid)")
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
        report.data_version = data_version(con) + 1
        report.seconds = time.perf_counter() - started  # logged below; the commit adds a little
        meta_set(con, "data_version", str(report.data_version))
        ingest_id = con.execute("SELECT coalesce(max(ingest_id), 0) + 1 FROM ingest_log").fetchone()[0]
        con.execute("INSERT INTO ingest_log VALUES (?, ?, ?)",
                    [ingest_id, datetime.now(timezone.utc).replace(tzinfo=None), json.dumps(report.to_dict())])


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
