"""OpenAlex institution merges (``merged_ids/institutions/*.csv.gz``, columns ``merge_date,id,merge_into_id``).

An institution OpenAlex merged into another stops existing: its affiliations count for the one it
was merged into. :func:`collabatlas.ingest.sync.sync` applies the merges of a snapshot inside its
transaction (:func:`apply`):

- the merged ids are listed in ``merged_ids`` (entity ``institutions``); chains (A into B, later B
  into C) resolve to the last one;
- every affiliation naming a merged-away institution moves to its target. An author who named both
  keeps one affiliation, and that author's ``n_institutions`` (in ``authorships``, ``affiliations``
  and ``author_countries``) drops by the duplicates removed, so the author's parts are split as if
  the input had named the target once;
- lineages naming a merged-away id name the target; the merged-away institution's row and
  coordinates go. A target the store does not know yet gets a stub row (no country or type, as an
  ingest does for any institution an affiliation names without describing it), filled in when its
  record arrives;
- the works touching a merged-away institution are recounted by the incremental maintenance, like
  works naming an institution whose attributes changed (:mod:`collabatlas.ingest.maintenance`).

Every later ingest does the same to its staged records (:func:`remap_staged`): an affiliation naming
a merged-away id names its target, and a record of the merged-away institution itself is skipped.
"""

from __future__ import annotations

import duckdb

from collabatlas.ingest import maintenance
from collabatlas.sources.ingest_report import IngestReport

#: staged institution merged ids of the running sync (temporary)
NEW_MERGED = "sync_new_merged_institutions"
SKIP_REASON = "merged into another institution (OpenAlex merged_ids)"
#: how many merges a chain may have (A into B into C ...); a longer one, or a cycle, stops there
MAX_CHAIN = 16


def _table_exists(con: duckdb.DuckDBPyConnection, name: str, temporary: bool) -> bool:
    return bool(con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = ? AND temporary = ?",
                            [name, temporary]).fetchone()[0])


_STORED = "SELECT record_id, merge_into_id FROM merged_ids WHERE entity = 'institutions'"


def _edges(con: duckdb.DuckDBPyConnection) -> str | None:
    """SELECT (record_id, merge_into_id) of the merges in force: the stored ones and the running sync's;
    a newer merge replaces a stored one of the same id, and an id the sync merges something into is
    no longer merged away itself. None when there is none."""
    stored = _STORED if _table_exists(con, "merged_ids", False) else None
    if not _table_exists(con, NEW_MERGED, True):
        return stored
    new = f"SELECT record_id, merge_into_id FROM {NEW_MERGED}"
    if stored is None:
        return new
    return (f"{stored} AND record_id NOT IN (SELECT record_id FROM {NEW_MERGED} UNION ALL "
            f"SELECT merge_into_id FROM {NEW_MERGED} WHERE merge_into_id IS NOT NULL) UNION {new}")


def _resolve(con: duckdb.DuckDBPyConnection, edges: str, table: str) -> int:
    """``table`` (old_id, new_id): every merged-away institution id and the institution its chain of
    merges ends at (an id merged into itself, or without a target, is left out; so are the ids of a
    cycle, which OpenAlex's own list would not hold)."""
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE {table} AS
        WITH RECURSIVE e AS (SELECT DISTINCT record_id AS old_id, merge_into_id AS new_id FROM ({edges})
                             WHERE merge_into_id IS NOT NULL AND merge_into_id <> record_id),
        chain(old_id, new_id, depth) AS (
            SELECT old_id, new_id, 1 FROM e
            UNION ALL
            SELECT c.old_id, e.new_id, c.depth + 1 FROM chain c JOIN e ON e.old_id = c.new_id
            WHERE c.depth < {MAX_CHAIN} AND e.new_id <> c.old_id)
        SELECT * FROM (SELECT old_id, arg_max(new_id, depth) AS new_id FROM chain GROUP BY old_id) r
        WHERE r.new_id NOT IN (SELECT old_id FROM e)
    """)
    return con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


def remap_staged(con: duckdb.DuckDBPyConnection, report: IngestReport) -> int:
    """Staged records of an ingest: an affiliation naming a merged-away institution names its target
    (an author naming both keeps one, with ``n_institutions`` lowered to match), lineages likewise,
    and records of the merged-away institutions themselves are skipped (counted). Returns the
    affiliations moved."""
    edges = _edges(con)
    if edges is None:
        return 0
    staged = "SELECT institution_id FROM stage_affiliations UNION ALL SELECT institution_id FROM stage_institutions"
    if not con.execute(f"SELECT count(*) FROM ({edges}) m WHERE m.record_id IN ({staged})").fetchone()[0]:
        return 0
    _resolve(con, edges, "stage_inst_alias")
    moved = con.execute("SELECT count(*) FROM stage_affiliations WHERE institution_id IN "
                        "(SELECT old_id FROM stage_inst_alias)").fetchone()[0]
    if moved:
        con.execute("""
            CREATE OR REPLACE TEMP TABLE stage_inst_dups AS
            SELECT rid, author_position, count(*) - count(DISTINCT coalesce(a.new_id, f.institution_id)) AS dups
            FROM stage_affiliations f LEFT JOIN stage_inst_alias a ON a.old_id = f.institution_id
            SEMI JOIN (SELECT DISTINCT rid, author_position FROM stage_affiliations
                       WHERE institution_id IN (SELECT old_id FROM stage_inst_alias)) s USING (rid, author_position)
            GROUP BY rid, author_position HAVING count(*) > count(DISTINCT coalesce(a.new_id, f.institution_id))
        """)
        con.execute("UPDATE stage_affiliations SET institution_id = a.new_id FROM stage_inst_alias a "
                    "WHERE stage_affiliations.institution_id = a.old_id")
        if con.execute("SELECT count(*) FROM stage_inst_dups").fetchone()[0]:
            rows = con.execute("SELECT * FROM stage_affiliations").description
            cols = ", ".join(r[0] for r in rows)
            con.execute(f"CREATE OR REPLACE TEMP TABLE stage_inst_kept AS SELECT DISTINCT {cols} "
                        "FROM stage_affiliations")
            con.execute("DELETE FROM stage_affiliations")
            con.execute("INSERT INTO stage_affiliations BY NAME SELECT * FROM stage_inst_kept")
            con.execute("DROP TABLE stage_inst_kept")
            con.execute("UPDATE stage_authorships SET n_institutions = n_institutions - d.dups FROM stage_inst_dups d "
                        "WHERE stage_authorships.rid = d.rid AND stage_authorships.author_position = d.author_position")
        con.execute("DROP TABLE stage_inst_dups")
        report.note(f"institutions: {moved:,} affiliations name an institution OpenAlex merged into another "
                    "(merged_ids) and count for the one it was merged into")
    entity = con.execute("SELECT count(*) FROM stage_institutions WHERE origin = 'entity' AND institution_id IN "
                         "(SELECT old_id FROM stage_inst_alias)").fetchone()[0]
    if entity:
        report.skip(SKIP_REASON, "input", entity, entity="institutions")
    con.execute("DELETE FROM stage_institutions WHERE institution_id IN (SELECT old_id FROM stage_inst_alias)")
    if _table_exists(con, "stage_institution_geo", True):
        con.execute("DELETE FROM stage_institution_geo WHERE institution_id IN (SELECT old_id FROM stage_inst_alias)")
    con.execute("""
        UPDATE stage_institutions SET lineage = m.lineage FROM (
            SELECT rowid_, list(member ORDER BY pos) AS lineage FROM (
                SELECT rowid_, coalesce(a.new_id, l.member) AS member, min(l.pos) AS pos
                FROM (SELECT rowid AS rowid_, unnest(lineage) AS member, generate_subscripts(lineage, 1) AS pos
                      FROM stage_institutions """
                """WHERE list_has_any(lineage, (SELECT list(old_id) FROM stage_inst_alias))) l
                LEFT JOIN stage_inst_alias a ON a.old_id = l.member GROUP BY ALL)
            GROUP BY rowid_) m
        WHERE stage_institutions.rowid = m.rowid_
    """)
    con.execute("DROP TABLE stage_inst_alias")
    return moved


def apply(con: duckdb.DuckDBPyConnection) -> int:
    """Inside the sync's transaction: list the staged merged ids (:data:`NEW_MERGED`) in
    ``merged_ids`` and apply every institution merge to the stored institutions and affiliations
    (see the module docstring). Returns the stored institutions merged away."""
    if not _table_exists(con, NEW_MERGED, True):
        return 0
    # a newer merge of an id replaces the stored one; an id something is merged into exists again
    con.execute(f"""DELETE FROM merged_ids WHERE entity = 'institutions' AND record_id IN (
                        SELECT record_id FROM {NEW_MERGED} UNION ALL
                        SELECT merge_into_id FROM {NEW_MERGED} WHERE merge_into_id IS NOT NULL)""")
    con.execute(f"""INSERT INTO merged_ids
                    SELECT record_id, arg_max(merge_into_id, coalesce(merge_date, DATE '0001-01-01')), max(merge_date),
                           'institutions'
                    FROM {NEW_MERGED} GROUP BY record_id""")
    if not con.execute("SELECT count(*) FROM institutions WHERE institution_id IN "
                       "(SELECT record_id FROM merged_ids WHERE entity = 'institutions')").fetchone()[0]:
        return 0
    _resolve(con, _STORED, "sync_inst_alias")
    # the target of every stored merged-away institution, with a stub row when the store lacks it
    con.execute("""
        INSERT INTO institutions (ikey, institution_id, origin)
        SELECT (SELECT coalesce(max(ikey), 0) FROM institutions) + row_number() OVER (ORDER BY new_id), new_id, 'stub'
        FROM (SELECT DISTINCT a.new_id FROM sync_inst_alias a JOIN institutions o ON o.institution_id = a.old_id
              WHERE a.new_id NOT IN (SELECT institution_id FROM institutions))
    """)
    con.execute("""
        CREATE OR REPLACE TEMP TABLE sync_inst_moves AS
        SELECT o.ikey AS old_key, n.ikey AS new_key, a.old_id, a.new_id
        FROM sync_inst_alias a JOIN institutions o ON o.institution_id = a.old_id
        JOIN institutions n ON n.institution_id = a.new_id
    """)
    gone = con.execute("SELECT count(*) FROM sync_inst_moves").fetchone()[0]
    con.execute("""CREATE OR REPLACE TEMP TABLE sync_inst_authors AS SELECT DISTINCT wkey, author_position
                   FROM affiliations WHERE ikey IN (SELECT old_key FROM sync_inst_moves)""")
    maintenance.add_changed(con, "SELECT DISTINCT wkey FROM sync_inst_authors")
    # the affected authors' affiliations, moved and made distinct; dups = the affiliations that went
    con.execute("""
        CREATE OR REPLACE TEMP TABLE sync_inst_rows AS
        SELECT f.wkey, f.author_position, coalesce(m.new_key, f.ikey) AS ikey, f.year, f.n_authors,
               f.n_institutions, f.n_countries
        FROM affiliations f SEMI JOIN sync_inst_authors s USING (wkey, author_position)
        LEFT JOIN sync_inst_moves m ON m.old_key = f.ikey
    """)
    con.execute("""
        CREATE OR REPLACE TEMP TABLE sync_inst_dups AS
        SELECT wkey, author_position, count(*) - count(DISTINCT ikey) AS dups FROM sync_inst_rows
        GROUP BY ALL HAVING count(*) > count(DISTINCT ikey)
    """)
    con.execute("DELETE FROM affiliations f USING sync_inst_authors s "
                "WHERE f.wkey = s.wkey AND f.author_position = s.author_position")
    con.execute("""
        INSERT INTO affiliations BY NAME
        SELECT r.wkey, r.author_position, r.ikey, any_value(r.year) AS year, any_value(r.n_authors) AS n_authors,
               any_value(r.n_institutions) - coalesce(any_value(d.dups), 0) AS n_institutions,
               any_value(r.n_countries) AS n_countries
        FROM sync_inst_rows r LEFT JOIN sync_inst_dups d USING (wkey, author_position)
        GROUP BY r.wkey, r.author_position, r.ikey
    """)
    if con.execute("SELECT count(*) FROM sync_inst_dups").fetchone()[0]:
        for table in ("authorships", "author_countries"):
            con.execute(f"UPDATE {table} SET n_institutions = n_institutions - d.dups FROM sync_inst_dups d "
                        f"WHERE {table}.wkey = d.wkey AND {table}.author_position = d.author_position")
    con.execute("""
        UPDATE institutions SET lineage = m.lineage FROM (
            SELECT ikey, list(member ORDER BY pos) AS lineage FROM (
                SELECT l.ikey, coalesce(a.new_id, l.member) AS member, min(l.pos) AS pos
                FROM (SELECT ikey, unnest(lineage) AS member, generate_subscripts(lineage, 1) AS pos
                      FROM institutions WHERE list_has_any(lineage, (SELECT list(old_id) FROM sync_inst_alias))) l
                LEFT JOIN sync_inst_alias a ON a.old_id = l.member GROUP BY ALL)
            GROUP BY ikey) m
        WHERE institutions.ikey = m.ikey
    """)
    con.execute("DELETE FROM institution_geo WHERE ikey IN (SELECT old_key FROM sync_inst_moves)")
    con.execute("DELETE FROM institutions WHERE ikey IN (SELECT old_key FROM sync_inst_moves)")
    for table in ("sync_inst_alias", "sync_inst_moves", "sync_inst_authors", "sync_inst_rows", "sync_inst_dups"):
        con.execute(f"DROP TABLE {table}")
    return gone
