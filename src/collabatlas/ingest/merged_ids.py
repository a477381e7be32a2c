"""OpenAlex merged ids in the store: works and institutions OpenAlex merged into others.

A snapshot's ``merged_ids/works/*.csv.gz`` and ``merged_ids/institutions/*.csv.gz`` (columns
``merge_date,id,merge_into_id``) are staged in temporary tables (:func:`stage_merged_ids`); every ingest
drops staged OpenAlex records whose id was merged away (:func:`skip_merged_away`), and inside the merge
transaction the staged ids are applied (:func:`apply_merged_ids`: stored works removed, their source
records kept in ``merged_work_sources``; an institution's affiliations moved). Used by ``collabatlas
sync`` (:mod:`collabatlas.ingest.sync`) and by ``collabatlas ingest`` of a snapshot folder holding
``merged_ids/`` (:func:`merged_ids_hook`).
"""

from __future__ import annotations

import csv
import gzip
import zlib
from pathlib import Path

import duckdb

from collabatlas.escaping import sql_string
from collabatlas.ingest import institution_merges, maintenance, merge_graph, source_lookup
from collabatlas.sources.ingest_report import IngestReport
from collabatlas.sources.openalex import InputError
from collabatlas.sources.paths import duckdb_literal
from collabatlas.store.schema import data_version

MERGED_IDS_SQL = """
CREATE TABLE IF NOT EXISTS merged_ids (      -- OpenAlex merged_ids: record_id no longer exists
    record_id VARCHAR NOT NULL,              -- W… (short id)
    merge_into_id VARCHAR,                   -- the work it was merged into
    merge_date DATE,
    entity VARCHAR NOT NULL                  -- works | institutions
);
CREATE TABLE IF NOT EXISTS merged_work_sources (  -- provenance of works removed by a merge
    wkey BIGINT NOT NULL, origin VARCHAR NOT NULL, record_id VARCHAR NOT NULL, doi VARCHAR,
    title_key VARCHAR, updated_date TIMESTAMP,
    merged_record_id VARCHAR NOT NULL,       -- the OpenAlex id listed in merged_ids
    merge_into_id VARCHAR, merge_date DATE, data_version BIGINT
);
"""
#: staged merged ids of the running sync (temporary; see :func:`skip_merged_away`)
NEW_MERGED = "sync_new_merged_ids"
SKIP_REASON = "merged into another work (OpenAlex merged_ids)"
_OPENALEX_URL = "https://openalex.org/"



class SyncError(InputError):
    """A snapshot folder that cannot be synced (not a snapshot, missing partition files)."""


# -- skipping merged-away records (every ingest) --------------------------------------------------------------------
def table_exists(con: duckdb.DuckDBPyConnection, name: str, temporary: bool = False) -> bool:
    return bool(con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = ? AND temporary = ?",
                            [name, temporary]).fetchone()[0])


def skip_merged_away(con: duckdb.DuckDBPyConnection, report: IngestReport) -> int:
    """Drop staged OpenAlex records whose id OpenAlex merged into another work (the store's
    ``merged_ids``, and the ids of a running sync): counted as skipped, never stored again."""
    institution_merges.remap_staged(con, report)  # affiliations naming a merged-away institution
    sources = [sql for table, temp, sql in (
        ("merged_ids", False, "SELECT record_id FROM merged_ids WHERE entity = 'works'"),
        (NEW_MERGED, True, f"SELECT record_id FROM {NEW_MERGED}")) if table_exists(con, table, temp)]
    if not sources:
        return 0
    con.execute(f"""CREATE OR REPLACE TEMP TABLE stage_merged_away AS SELECT rid FROM stage_works
                    WHERE origin = 'openalex' AND work_id IN ({' UNION ALL '.join(sources)})""")
    n = con.execute("SELECT count(*) FROM stage_merged_away").fetchone()[0]
    if n:
        for table in ("stage_works", "stage_authorships", "stage_affiliations", "stage_author_countries"):
            con.execute(f"DELETE FROM {table} WHERE rid IN (SELECT rid FROM stage_merged_away)")
        report.skip(SKIP_REASON, "input", n)
    con.execute("DROP TABLE stage_merged_away")
    return n


def _short(column: str) -> str:
    return f"nullif(trim(replace({column}, '{_OPENALEX_URL}', '')), '')"


#: the columns of an OpenAlex merged-id file
MERGED_COLUMNS = ("merge_date", "id", "merge_into_id")


def _plain_header(path: Path) -> tuple[str, ...] | None:
    """The header of a merged-id file when it is plain comma-separated text naming exactly
    :data:`MERGED_COLUMNS` (in any order), else None (the file is then read with DuckDB's sniffer)."""
    try:
        with (gzip.open(path, "rt", encoding="utf-8", newline="") if path.name.endswith(".gz")
              else open(path, encoding="utf-8", newline="")) as f:
            first = f.readline()
    except (OSError, EOFError, UnicodeDecodeError, zlib.error):
        return None
    names = tuple(next(csv.reader([first.lstrip("\ufeff")]), []))
    return names if sorted(names) == sorted(MERGED_COLUMNS) else None


def _merged_files_sql(files: list[Path]) -> list[str]:
    """``read_csv`` expressions over ``files``: files whose header is plain (:func:`_plain_header`)
    grouped by it and read with their columns given (DuckDB's sniffer costs tens of ms per read,
    most of a small sync's merged ids), any other file with the sniffer, all columns as text."""
    groups: dict[tuple[str, ...] | None, list[Path]] = {}
    for f in files:
        groups.setdefault(_plain_header(f), []).append(f)
    out = []
    for header, group in groups.items():
        names = "[" + ", ".join(sql_string(duckdb_literal(f)) for f in group) + "]"  # literal names (no globs)
        if header is None:
            out.append(f"read_csv({names}, header = true, all_varchar = true, hive_partitioning = false, "
                       "union_by_name = true)")
        else:
            columns = "{" + ", ".join(f"{sql_string(c)}: 'VARCHAR'" for c in header) + "}"
            out.append(f"read_csv({names}, header = true, auto_detect = false, delim = ',', quote = '\"', "
                       f"escape = '\"', columns = {columns}, hive_partitioning = false)")
    return out


def _stage_merged_ids(con: duckdb.DuckDBPyConnection, files: list[Path], table: str = NEW_MERGED) -> int:
    con.execute(f"CREATE OR REPLACE TEMP TABLE {table} (record_id VARCHAR, merge_into_id VARCHAR, merge_date DATE)")
    if not files:
        return 0
    try:
        for source in _merged_files_sql(files):
            con.execute(f"""
                INSERT INTO {table}
                SELECT {_short('id')}, {_short('merge_into_id')}, TRY_CAST(merge_date AS DATE)
                FROM {source}
                WHERE {_short('id')} IS NOT NULL
            """)
    except duckdb.Error as exc:
        first = str(exc).strip().splitlines()[0]
        raise SyncError(f"merged ids ({files[0].parent}): cannot read as CSV with columns merge_date,id,"
                        f"merge_into_id ({first})") from exc
    return con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


def stage_merged_ids(con: duckdb.DuckDBPyConnection, works: list[Path], institutions: list[Path],
                     notes: list[str]) -> tuple[int, int, dict[str, int]]:
    """Stage the merged-id files of a sync (or of an ingest of a snapshot folder): (work ids read,
    institution ids read, {reason: work ids refused}); self-merges and cycles are refused
    (:mod:`collabatlas.ingest.merge_graph`), their ids added to ``notes``."""
    n_works = _stage_merged_ids(con, works)
    refused = merge_graph.refuse_bad_merges(con, NEW_MERGED)
    notes.extend(merge_graph.describe(refused))
    n_institutions = _stage_merged_ids(con, institutions, institution_merges.NEW_MERGED)
    return n_works, n_institutions, {reason: len(ids) for reason, ids in refused.items()}


def drop_merged_ids(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(f"DROP TABLE IF EXISTS {NEW_MERGED}")
    con.execute(f"DROP TABLE IF EXISTS {institution_merges.NEW_MERGED}")


def apply_merged_ids(con: duckdb.DuckDBPyConnection, ingest_report: IngestReport) -> tuple[int, int]:
    """Inside the merge transaction: apply the staged merged ids (stored works removed, institutions'
    affiliations moved); (works removed, institutions merged away)."""
    gone = _apply_merged(con, data_version(con) + 1)
    ingest_report.works_merged_away = gone
    ingest_report.records_merged_away = ingest_report.skipped.get(SKIP_REASON, 0)
    return gone, institution_merges.apply(con)


def merged_ids_hook(con: duckdb.DuckDBPyConnection, works: list[Path], institutions: list[Path],
                    report: IngestReport):
    """``collabatlas ingest`` of a snapshot folder holding ``merged_ids/``: stage its merged ids (so the
    input's merged-away records are skipped, counted once) and return the merge hook that applies them
    as a sync does (no watermark). The caller drops the staged ids afterwards (:func:`drop_merged_ids`)."""
    notes: list[str] = []
    n_works, n_institutions, refused = stage_merged_ids(con, works, institutions, notes)
    for message in notes:
        report.note(message)
    report.merged_ids_refused.update(refused)
    report.note(f"merged ids: {n_works:,} work ids and {n_institutions:,} institution ids read from "
                f"{len(works) + len(institutions)} files of merged_ids/")
    before = con.execute("SELECT count(*) FROM merged_ids").fetchone()[0] if table_exists(con, "merged_ids") else 0

    def within(con: duckdb.DuckDBPyConnection, ingest_report: IngestReport) -> bool:
        gone, institutions_gone = apply_merged_ids(con, ingest_report)
        after = con.execute("SELECT count(*) FROM merged_ids").fetchone()[0]
        return bool(gone or institutions_gone or after != before)
    return within


# -- applying them ---------------------------------------------------------------------------
def _apply_merged(con: duckdb.DuckDBPyConnection, version: int) -> int:
    """Inside the transaction: list the new merged ids, remove the stored works they name (their
    source records go to ``merged_work_sources``); returns the works removed."""
    con.execute(MERGED_IDS_SQL)
    con.execute(f"""INSERT INTO merged_ids
                    SELECT DISTINCT n.record_id, n.merge_into_id, n.merge_date, 'works' FROM {NEW_MERGED} n
                    WHERE n.record_id NOT IN (SELECT record_id FROM merged_ids WHERE entity = 'works')""")
    # only this sync's merged ids: the earlier ones were applied by earlier syncs, and no ingest stores
    # a record they name again (skip_merged_away); joining them all would cost the whole list every time.
    # Within a merge, the stored rows of these ids were found with the staged ids' (source_lookup: one
    # scan of work_sources, kept current by the merge's provenance delete); the merge writes no openalex
    # row of them (its records with these ids are skipped)
    stored = source_lookup.LOOKUP if source_lookup.exists(con) else "work_sources"
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE sync_gone AS
        SELECT ws.wkey, any_value(m.record_id) AS merged_record_id, any_value(m.merge_into_id) AS merge_into_id,
               any_value(m.merge_date) AS merge_date
        FROM {stored} ws JOIN {NEW_MERGED} m ON m.record_id = ws.record_id
        WHERE ws.origin = 'openalex' GROUP BY ws.wkey
    """)
    gone = con.execute("SELECT count(*) FROM sync_gone").fetchone()[0]
    if gone:
        con.execute(f"""INSERT INTO merged_work_sources
                        SELECT ws.*, g.merged_record_id, g.merge_into_id, g.merge_date, {int(version)}
                        FROM work_sources ws JOIN sync_gone g USING (wkey)""")
        maintenance.add_changed(con, "SELECT wkey FROM sync_gone")
        for table in ("work_sources", "works", "authorships", "affiliations", "author_countries"):
            con.execute(f"DELETE FROM {table} WHERE wkey IN (SELECT wkey FROM sync_gone)")
    con.execute("DROP TABLE sync_gone")
    return gone
