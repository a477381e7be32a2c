"""Cross-source dedupe: the staged records of one ingest grouped with each other and with the stored
works into clusters (one work each), each cluster's winning record chosen, and merged duplicates
counted (docs/sources.md). Set-based SQL on the staging tables.
"""

from __future__ import annotations

import duckdb

from collabatlas.escaping import sql_string
from collabatlas.ingest import source_lookup
from collabatlas.ingest.merged_ids import NEW_MERGED, table_exists
from collabatlas.sources.ingest_report import IngestReport
from collabatlas.sources.record import install_macros

#: Which record's authorships a deduplicated work keeps (docs/sources.md): structured institution ids
#: first, then per-author affiliations; ties: the newest updated_date, then what is stored.
SOURCE_PRIORITY_SQL = ("CASE {0} WHEN 'openalex' THEN 0 WHEN 'scopus' THEN 1 WHEN 'wos' THEN 2 WHEN 'pubmed' THEN 3 "
                       "ELSE 4 END")


def cluster(con: duckdb.DuckDBPyConnection, report: IngestReport) -> None:
    """Group this input's records with each other and with stored works into clusters (one work
    each), choose each cluster's winning record, and count merged duplicates. Set-based SQL.

    A record joins a stored work by its own record id (a re-load), else by DOI, else by title key when
    one side has no DOI — only across sources: within one source the source's record id is the
    identity (and a work holds at most one record per source). Staged records cluster the same way.
    Result: ``stage_clustered`` (record → cluster ``ck``) and ``stage_decision`` (cluster → target
    work key, winning staged rid, action insert | replace | keep), and the stored source records of
    the staged ids and staged merged ids (:mod:`collabatlas.ingest.source_lookup`, one scan).
    """
    prio = SOURCE_PRIORITY_SQL
    merged = NEW_MERGED if table_exists(con, NEW_MERGED, temporary=True) else None
    cross = _meets_other_source(con)
    if not cross:
        source_lookup.build(con, merged)
        _cluster_one_source(con, prio)
        report.duplicates_merged_by_doi = report.duplicates_merged_by_title = 0
        return
    # the title key and DOI key of the record contract (collabatlas.sources.record); only here: creating
    # the macros compiles their regular expressions, a fixed cost a one-source sync does not need
    install_macros(con)
    # another source meets this one: title keys of stored records that a one-source ingest left
    # uncomputed (NULL) are computed now, once ('' when too weak to match on)
    con.execute("""
        UPDATE work_sources ws SET title_key = coalesce(k.title_key, '')
        FROM (SELECT w.wkey, ca_title_key(w.title, w.year, ca_surname(a.author_name)) AS title_key
              FROM works w LEFT JOIN authorships a ON a.wkey = w.wkey AND a.author_position = 1
              WHERE w.wkey IN (SELECT wkey FROM work_sources WHERE title_key IS NULL)) k
        WHERE ws.wkey = k.wkey AND ws.title_key IS NULL
    """)
    source_lookup.build(con, merged)  # after the update above: the rows as the merge finds them
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE stage_keys AS
        SELECT s.rid, s.work_id, s.origin, s.updated_date, ca_doi(s.doi) AS doi,
               ca_title_key(s.title, s.year, ca_surname(a.author_name)) AS title_key, {prio.format('s.origin')} AS prio
        FROM stage_winners w JOIN stage_works s USING (rid)
        LEFT JOIN stage_authorships a ON a.rid = s.rid AND a.author_position = 1
    """)
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE stage_targets AS
        WITH c AS (
            SELECT k.rid, k.origin, ws.wkey, 0 AS how FROM stage_keys k JOIN {source_lookup.LOOKUP} ws
            ON ws.record_id = k.work_id
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


def _meets_other_source(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether the staged records come from more than one source, or the store holds another source.
    The staged sources are written into the statement as constants: DuckDB then skips every row group
    of ``work_sources`` whose ``origin`` statistics hold only them (no scan of the column, whose cost
    grew with the store), where a subquery made it read the whole column."""
    origins = [row[0] for row in con.execute("SELECT DISTINCT origin FROM stage_works").fetchall()]
    known = [o for o in origins if o is not None]
    if len(known) > 1:
        return True
    if None in origins:  # as `origin NOT IN (the staged origins)` with a NULL among them: never true
        return False
    other = f"WHERE origin <> {sql_string(known[0])}" if known else ""  # nothing staged: any stored record
    return bool(con.execute(f"SELECT EXISTS (SELECT 1 FROM work_sources {other})").fetchone()[0])


def count_records(con: duckdb.DuckDBPyConnection, report: IngestReport) -> None:
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
        LEFT JOIN {source_lookup.LOOKUP} ws ON ws.record_id = s.work_id
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
