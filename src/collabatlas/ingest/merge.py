"""The merge: the staged rows of one ingest into the store, in one transaction.

Idempotent: each work is stored once; when the input or the store holds several versions of a
work, the newest ``updated_date`` wins (ties keep what is stored, so re-ingesting changes nothing).
Records of several sources that are one work are clustered first (:mod:`.dedupe`). Institutions: a
record from an institution entity file beats one embedded in a work; within the same origin the
newest ``updated_date`` wins.

Only this step touches stored tables, inside ``BEGIN … COMMIT``. A re-ingest that changes nothing
commits nothing: no new ``data_version`` (caches stay valid) and no ingest log row
(``report.changed`` is False).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from datetime import UTC, datetime

import duckdb

from collabatlas.affiliations import reattribute
from collabatlas.affiliations.geo import apply_geo
from collabatlas.affiliations.ror import apply_ror_types
from collabatlas.counting.rules import MAX_PAIR_UNITS
from collabatlas.ingest import maintenance, source_lookup
from collabatlas.ingest.dedupe import cluster, count_records
from collabatlas.ingest.merged_ids import skip_merged_away
from collabatlas.sources.ingest_report import IngestReport
from collabatlas.sources.subject_crosswalk import fill_merged_subjects, keep_replaced_subjects, subject_origin_sql
from collabatlas.store.schema import data_version, meta_set, transaction

MergeHook = Callable[[duckdb.DuckDBPyConnection, IngestReport], bool]  # runs in the merge transaction


def merge(con: duckdb.DuckDBPyConnection, report: IngestReport, started: float,
           within: MergeHook | None = None) -> None:
    try:
        _merge(con, report, started, within)
    finally:
        source_lookup.drop(con)  # the rowids it holds are this merge's only


def _merge(con: duckdb.DuckDBPyConnection, report: IngestReport, started: float, within: MergeHook | None) -> None:
    skip_merged_away(con, report)  # records OpenAlex merged into another work (collabatlas.ingest.sync)
    # newest version of each work within this input (ties: the later record)
    con.execute("""
        CREATE OR REPLACE TEMP TABLE stage_winners AS
        SELECT work_id, rid, updated_date FROM (
            SELECT work_id, rid, updated_date,
                   row_number() OVER (PARTITION BY work_id ORDER BY updated_date DESC NULLS LAST, rid DESC) AS k
            FROM stage_works) WHERE k = 1
    """)
    staged, winners = con.execute("SELECT (SELECT count(*) FROM stage_works), "
                                  "(SELECT count(*) FROM stage_winners)").fetchone()
    report.works_superseded_in_input = staged - winners
    cluster(con, report)
    counts = dict(con.execute("SELECT action, count(*) FROM stage_decision GROUP BY action").fetchall())
    count_records(con, report)
    report.institution_records = con.execute(
        "SELECT count(*) FROM stage_institutions WHERE origin = 'entity'").fetchone()[0]
    # the accounting identity, on every run: records that do not add up stop the ingest before anything is written
    report.check_accounting()
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
        _count_over_pair_cap(con, report)
        # provenance: every record of this input, under the work it was merged into
        if not sources_same:  # the rows of the staged ids, by the rowids dedupe found them at (source_lookup)
            gone = f"{source_lookup.LOOKUP} WHERE record_id IN (SELECT work_id FROM stage_clustered)"
            con.execute(f"DELETE FROM work_sources WHERE rowid IN (SELECT ws_row FROM {gone})")
            con.execute(f"DELETE FROM {gone}")  # the lookup as the table is now (merged ids read it)
        con.execute(f"""
            INSERT INTO work_sources (wkey, origin, record_id, doi, title_key, updated_date)
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
        reattribute.save_staged(con)  # the texts of new address-only institutions (for `ror load`)
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
        con.execute("INSERT INTO ingest_log (ingest_id, finished_at, summary) VALUES (?, ?, ?)",
                    [ingest_id, datetime.now(UTC).replace(tzinfo=None), json.dumps(report.to_dict())])


def _count_over_pair_cap(con: duckdb.DuckDBPyConnection, report: IngestReport) -> None:
    """Count (and note) the works written by this ingest that name more institutions than the pair
    figures take (``counting.rules.MAX_PAIR_UNITS``): they stay out of the institution pair tables."""
    cap = MAX_PAIR_UNITS
    # the distinct count only for the records with more than ``cap`` affiliation rows (a plain count per
    # record first): counting distinct ids of every record cost 0.3 CPU-s at 200k works, this 0.05
    over = con.execute(f"""
        SELECT count(*) FROM (
            SELECT rid FROM stage_affiliations
            WHERE rid IN (SELECT rid FROM stage_affiliations GROUP BY rid HAVING count(*) > {cap})
              AND rid IN (SELECT rid FROM stage_go)
            GROUP BY rid HAVING count(DISTINCT institution_id) > {cap})
    """).fetchone()[0]
    report.works_over_pair_cap = over
    if over:
        report.note(f"{over:,} works name more than {MAX_PAIR_UNITS:,} institutions: they are left out of the "
                    "institution pair figures (pairs, partners, bilateral CS); their Count, Share and totals are "
                    "unchanged (docs/methodology.md, the pair cap)")


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
        maintenance.add_changed(con, "SELECT wkey FROM affiliations "
                                     "WHERE ikey IN (SELECT old_key FROM stage_ror_alias)")
        con.execute("UPDATE affiliations SET ikey = a.new_key FROM stage_ror_alias a "
                    "WHERE affiliations.ikey = a.old_key")
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
        -- a re-staged institution keeps the sector type ROR gave it (apply_ror_types recomputes it after the
        -- merge; resetting it here made every re-ingest look like a change: issue 25, a new data version each time)
        SELECT b.* REPLACE (coalesce(b.ror_type, i.ror_type) AS ror_type),
               coalesce(i.ikey, (SELECT coalesce(max(ikey), 0) FROM institutions)
                     + row_number() OVER (PARTITION BY i.ikey IS NULL ORDER BY b.institution_id)) AS ikey
        FROM stage_inst_best b LEFT JOIN institutions i USING (institution_id)
    """)
    con.execute("DELETE FROM institutions WHERE institution_id IN (SELECT institution_id FROM stage_inst_best)")
    con.execute("INSERT INTO institutions BY NAME SELECT * FROM stage_inst_keyed")
    con.execute("DROP TABLE stage_inst_keyed")
    con.execute("DROP TABLE stage_inst_best")
