"""The one lookup of work_sources per merge (collabatlas.ingest.source_lookup) and the constant-origin
check of dedupe: the same decisions and rows as the scans they replace."""

from __future__ import annotations

import gzip

import duckdb
import pytest

import collabatlas
from collabatlas.ingest import dedupe, source_lookup
from tests.conftest import work
from tests.test_incremental import _equal_to_rebuild, _partition


@pytest.mark.parametrize(("stored", "staged", "expected"), [
    (["openalex", "openalex"], ["openalex"], False),  # one source on both sides
    (["openalex"], ["scopus"], True),                 # the store holds another source
    ([], ["openalex", "wos"], True),                  # two staged sources
    ([], ["openalex"], False),                        # empty store
    (["wos"], [], True),                              # nothing staged: any stored record is another source
    ([], [], False),
    (["wos"], [None], False),                         # NOT IN with a NULL: never true, as the subquery form
])
def test_meets_other_source_as_the_subquery_did(stored, staged, expected):
    con = duckdb.connect()
    con.execute("CREATE TABLE work_sources (origin VARCHAR NOT NULL)")
    con.execute("CREATE TABLE stage_works (origin VARCHAR)")
    for table, rows in (("work_sources", stored), ("stage_works", staged)):
        for origin in rows:
            con.execute(f"INSERT INTO {table} VALUES (?)", [origin])
    subquery = con.execute("""
        SELECT (SELECT count(DISTINCT origin) FROM stage_works) > 1
            OR EXISTS (SELECT 1 FROM work_sources WHERE origin NOT IN (SELECT origin FROM stage_works))
    """).fetchone()[0]
    assert dedupe._meets_other_source(con) is expected is subquery


def test_sync_with_replaced_new_and_merged_works_through_the_lookup(tmp_path):
    """Replaced, new and merged-away works in one sync: provenance rows replaced (not doubled), the
    merged work's records moved to merged_work_sources, the lookup dropped, equal to a rebuild."""
    root, manifest = tmp_path / "snap", []
    jp_no = [[("I1", "JP")], [("I2", "NO")]]
    _partition(root, "2024-01-01", [work(f"W{i}", jp_no, updated="2024-01-01T00:00:00") for i in range(1, 7)],
               manifest)
    with collabatlas.open(tmp_path / "s.duckdb") as atlas:
        atlas.sync(root)
        _partition(root, "2024-02-01", [work("W2", [[("I2", "NO")]], updated="2024-02-01T00:00:00"),
                                        work("W5", [[("I1", "JP")]], updated="2024-02-01T00:00:00"),
                                        work("W9", jp_no, updated="2024-02-01T00:00:00")], manifest)
        merged = root / "merged_ids" / "works"
        merged.mkdir(parents=True)
        (merged / "2024-02-01.csv.gz").write_bytes(
            gzip.compress(b"merge_date,id,merge_into_id\n2024-02-01,W3,W1\n2024-02-01,W6,W5\n"))
        report = atlas.sync(root)
        assert (report.works_added, report.works_replaced, report.works_merged_away) == (1, 2, 2)
        con = atlas.con
        assert not source_lookup.exists(con)
        assert sorted(r[0] for r in con.execute("SELECT record_id FROM work_sources").fetchall()) == \
            ["W1", "W2", "W4", "W5", "W9"]
        assert con.execute("SELECT count(*), count(DISTINCT record_id) FROM work_sources").fetchone() == (5, 5)
        assert sorted(con.execute("SELECT record_id, merge_into_id FROM merged_work_sources").fetchall()) == \
            [("W3", "W1"), ("W6", "W5")]
        assert con.execute("SELECT updated_date::DATE::VARCHAR FROM work_sources WHERE record_id = 'W2'"
                           ).fetchone()[0] == "2024-02-01"
        _equal_to_rebuild(atlas)
