"""Checks on OpenAlex merged ids before they are applied: a merge that would remove a work without
leaving the one it went into is refused.

- a self-merge (``W1`` merged into ``W1``) would remove the work itself;
- a cycle (``W1`` into ``W2`` and ``W2`` into ``W1``, directly or through a chain, also with merges
  stored by an earlier sync) would remove every work on it.

Both are left out of the merges and counted by reason, with their ids in the notes
(:func:`refuse_bad_merges`); the works stay. Works only: institution merges resolve chains and
merge-backs on their own (:mod:`collabatlas.ingest.institution_merges`, where a stored ``A`` into
``B`` followed by ``B`` into ``A`` is a merge back, not a cycle).
"""

from __future__ import annotations

import duckdb

SELF_MERGE = "merged into itself (refused: the work would vanish)"
CYCLE = "part of a cycle of merges (refused: every work on it would vanish)"
#: how far a chain of merges is followed to find a cycle
MAX_CHAIN = 64
SHOWN = 10


def _stored_edges(con: duckdb.DuckDBPyConnection, entity: str) -> str:
    exists = con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = 'merged_ids' "
                         "AND NOT temporary").fetchone()[0]
    if not exists:
        return ""
    return (f" UNION SELECT record_id, merge_into_id FROM merged_ids WHERE entity = '{entity}' "
            "AND merge_into_id IS NOT NULL")


def refuse_bad_merges(con: duckdb.DuckDBPyConnection, table: str, entity: str = "works") -> dict[str, list[str]]:
    """Delete from the staged merged ids ``table`` (record_id, merge_into_id, merge_date) the
    self-merges and the merges on a cycle (with the stored ``merged_ids`` of ``entity``); returns
    {reason: sorted ids refused} for the reasons that occurred."""
    refused: dict[str, list[str]] = {}
    selfs = [r[0] for r in con.execute(f"SELECT DISTINCT record_id FROM {table} WHERE record_id = merge_into_id "
                                       "ORDER BY record_id").fetchall()]
    if selfs:
        con.execute(f"DELETE FROM {table} WHERE record_id = merge_into_id")
        refused[SELF_MERGE] = selfs
    cycle = [r[0] for r in con.execute(f"""
        WITH RECURSIVE e AS (SELECT DISTINCT record_id AS a, merge_into_id AS b FROM {table}
                             WHERE merge_into_id IS NOT NULL{_stored_edges(con, entity)}),
        walk(start, node, depth) AS (
            SELECT DISTINCT record_id, merge_into_id, 1 FROM {table} WHERE merge_into_id IS NOT NULL
            UNION ALL
            SELECT w.start, e.b, w.depth + 1 FROM walk w JOIN e ON e.a = w.node
            WHERE w.node <> w.start AND w.depth < {MAX_CHAIN})
        SELECT DISTINCT start FROM walk WHERE node = start ORDER BY start""").fetchall()]
    if cycle:
        con.execute(f"DELETE FROM {table} WHERE list_contains($ids, record_id)", {"ids": cycle})
        refused[CYCLE] = cycle
    return refused


def describe(refused: dict[str, list[str]]) -> list[str]:
    """One note per reason: ``merged ids refused, merged into itself (...): W1, W2``."""
    return [f"merged ids refused, {reason}: {', '.join(ids[:SHOWN])}" + (f" ... ({len(ids):,} ids)"
                                                                         if len(ids) > SHOWN else "")
            for reason, ids in refused.items()]
