"""The stored source records of one merge, found once.

A sync looks ``work_sources`` up by record id three times: the clustering of the staged records (a
stored record with the same id is the work they replace), the provenance delete (the stored rows of
the staged records, written again) and the merged ids (the stored works they name). Each was a scan
of the whole ``record_id`` column — text, one row per stored record — so the three made a cost that
grows with the store rather than with the change. :func:`build` scans the column once for every id
of the merge (the staged records' and the running sync's merged ids) into :data:`LOOKUP`: ``ws_row``
(the row's ``rowid``), ``wkey``, ``origin``, ``record_id``. The steps join that small table, and the
provenance delete removes the rows by ``rowid`` (stable within the merge: nothing else deletes
``work_sources`` rows before it). :func:`drop` ends it with the merge, so a later merge never reads
a stale copy; without it (a sync of merged ids only: no merge) the merged ids read ``work_sources``.
"""

from __future__ import annotations

import duckdb

#: temporary table: the ``work_sources`` rows of the ids of the running merge
LOOKUP = "stage_stored_sources"


def build(con: duckdb.DuckDBPyConnection, merged_ids: str | None = None) -> None:
    """:data:`LOOKUP` for the record ids of ``stage_works`` and of the table ``merged_ids`` (column
    ``record_id``; None: no merged ids staged)."""
    ids = ["SELECT work_id FROM stage_works"] + ([f"SELECT record_id FROM {merged_ids}"] if merged_ids else [])
    con.execute(f"CREATE OR REPLACE TEMP TABLE {LOOKUP} AS "
                "SELECT rowid AS ws_row, wkey, origin, record_id FROM work_sources "
                f"WHERE record_id IN ({' UNION ALL '.join(ids)})")


def exists(con: duckdb.DuckDBPyConnection) -> bool:
    return bool(con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = ? AND temporary",
                            [LOOKUP]).fetchone()[0])


def drop(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(f"DROP TABLE IF EXISTS temp.main.{LOOKUP}")
