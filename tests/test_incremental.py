"""Incremental maintenance of the saved unit shares and per-year aggregates (collabatlas.ingest.maintenance),
`collabatlas verify`, and `collabatlas sync` (collabatlas.ingest.sync): after any sequence of inserts,
replacements, cross-source merges, institution changes and OpenAlex merged ids, the saved tables
equal a full rebuild."""

from __future__ import annotations

import gzip
import json

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

import collabatlas
from collabatlas.ingest import institution_merges, maintenance
from collabatlas.views.cli import app
from tests._export_fakes import FakeMatcher
from tests.conftest import institution, work, write_jsonl
from tests.test_fetch import list_requests, served  # noqa: F401 - a fixture

COUNTRIES = ("JP", "NO", "US", None)
TYPES = ("education", "company", "funder", "government")
INSTITUTIONS = tuple(f"I{n}" for n in range(1, 7))
WOS_COUNTRY = {"JP": "Japan", "NO": "Norway", "US": "USA"}


def _equal_to_rebuild(atlas: collabatlas.Atlas) -> None:
    assert atlas.unit_shares_saved
    diffs = [d for d in atlas.verify() if d.differing]
    assert not diffs, diffs
    # the readers of the (append-only) partner aggregates give what the unit shares give
    for level in ("country", "institution", "sector"):
        from_aggregates = atlas.pairs(level=level, by_year=True)
        atlas.use_aggregates = False
        try:
            from_shares = atlas.pairs(level=level, by_year=True)
        finally:
            atlas.use_aggregates = True
        pd.testing.assert_frame_equal(from_aggregates, from_shares, check_exact=False, rtol=1e-9, atol=1e-12)


def _wos(uid: int, doi: str, countries: list[str], year: int = 2020) -> str:
    authors = [f"Author{k}, A" for k in range(len(countries))]
    c1 = "\n   ".join(f"[{a}] Univ {c}, City, {WOS_COUNTRY[c]}." for a, c in zip(authors, countries, strict=False))
    return (f"FN Clarivate Analytics Web of Science\nVR 1.0\nPT J\nAF {authors[0]}\n"
            + "".join(f"   {a}\n" for a in authors[1:])
            + f"TI A long enough title for the work number {uid}\nC1 {c1}\nPY {year}\nDI {doi}\n"
            f"UT WOS:{uid:015d}\nER\nEF\n")


author_st = st.lists(st.sampled_from(INSTITUTIONS), min_size=0, max_size=2, unique=True)
step_st = st.one_of(
    st.tuples(st.just("insert"), st.lists(author_st, min_size=1, max_size=4), st.integers(2018, 2021)),
    st.tuples(st.just("replace"), st.integers(0, 50), st.lists(author_st, min_size=1, max_size=4)),
    st.tuples(st.just("wos"), st.integers(0, 50),
              st.lists(st.sampled_from(("JP", "NO", "US")), min_size=1, max_size=3)),
    st.tuples(st.just("institution"), st.sampled_from(INSTITUTIONS), st.sampled_from(COUNTRIES),
              st.sampled_from(TYPES)),
    st.tuples(st.just("merge_away"), st.integers(0, 50)),
    st.tuples(st.just("merge_institution"), st.sampled_from(INSTITUTIONS), st.sampled_from(INSTITUTIONS)),
)


class World:
    """The state a test sequence drives: institutions (id -> (country, type)), works written so far."""

    def __init__(self, tmp_path):
        self.tmp, self.n, self.day = tmp_path, 0, 1
        self.inst = {i: (COUNTRIES[k % 3], "education") for k, i in enumerate(INSTITUTIONS)}
        self.works: list[str] = []
        self.snapshot = tmp_path / "snapshot"

    def authors(self, spec: list[list[str]]) -> list:
        return [[institution(i, *self.inst[i]) for i in a] if a else {"countries": ["JP"]} for a in spec]

    def updated(self) -> str:
        self.day += 1
        return f"2024-{1 + self.day // 28:02d}-{1 + self.day % 28:02d}T00:00:00"

    def file(self, records: list) -> object:
        self.n += 1
        return write_jsonl(self.tmp / f"step{self.n}.jsonl", records)

    def apply(self, atlas: collabatlas.Atlas, step: tuple):
        kind = step[0]
        if kind == "insert":
            wid = f"W{1000 + len(self.works)}"
            self.works.append(wid)
            return atlas.ingest(self.file([work(wid, self.authors(step[1]), year=step[2], updated=self.updated())]))
        if kind == "replace" and self.works:
            wid = self.works[step[1] % len(self.works)]
            return atlas.ingest(self.file([work(wid, self.authors(step[2]), updated=self.updated())]))
        if kind == "wos":  # an export record with the DOI of a stored work (merged into it), or with the
            # DOI of the next OpenAlex work to come (which then merges into this one and replaces its content)
            doi = (f"10.1/{self.works[step[1] % len(self.works)].lower()}" if self.works and step[1] % 2
                   else f"10.1/w{1000 + len(self.works)}")
            self.n += 1
            path = self.tmp / f"step{self.n}.txt"
            path.write_text(_wos(self.n, doi, step[2]))
            return atlas.ingest(path, matcher=FakeMatcher())
        if kind == "institution":
            _, iid, country, type_ = step
            self.inst[iid] = (country, type_)
            record = {**institution(iid, country, type_), "updated_date": self.updated()}
            return atlas.ingest(self.file([record]))
        if kind == "merge_away" and self.works:
            wid = self.works[step[1] % len(self.works)]
            self.day += 1
            folder = self.snapshot / "merged_ids" / "works"
            folder.mkdir(parents=True, exist_ok=True)
            date = f"2025-{1 + self.day // 28:02d}-{1 + self.day % 28:02d}"
            (folder / f"{date}.csv.gz").write_bytes(gzip.compress(
                f"merge_date,id,merge_into_id\n{date},https://openalex.org/{wid},W1\n".encode()))
            return atlas.sync(self.snapshot).ingest
        if kind == "merge_institution" and step[1] != step[2]:
            self.day += 1
            _merge_institutions(self.snapshot, f"2025-{1 + self.day // 28:02d}-{1 + self.day % 28:02d}", [step[1:]])
            return atlas.sync(self.snapshot).ingest
        return None


@pytest.mark.slow  # dozens of ingests per example (~15 s): make test, not make test-fast
@pytest.mark.parametrize("compact_share", [maintenance.COMPACT_SHARE, 1e9], ids=["compacting", "append-only"])
@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(step_st, min_size=2, max_size=6))
def test_incremental_equals_full_rebuild(tmp_path_factory, monkeypatch, steps, compact_share):
    monkeypatch.setattr(maintenance, "MAX_SHARE", 1.0)  # tiny stores: every change is "large"
    # tiny stores compact the partner aggregates at nearly every change; 1e9: never, so the readers
    # (and verify) sum the appended delta rows
    monkeypatch.setattr(maintenance, "COMPACT_SHARE", compact_share)
    world = World(tmp_path_factory.mktemp("inc"))
    with collabatlas.open(":memory:") as atlas:
        world.apply(atlas, ("insert", [["I1"], ["I2", "I3"]], 2020))
        world.apply(atlas, ("insert", [["I4"], ["I5"], []], 2019))
        for step in steps:
            report = world.apply(atlas, step)
            if report is not None and report.changed:
                assert report.derived_update == "incremental", step
            _equal_to_rebuild(atlas)


def test_large_change_or_stale_tables_rebuild(tmp_path):
    world = World(tmp_path)
    with collabatlas.open(":memory:") as atlas:
        first = world.apply(atlas, ("insert", [["I1"], ["I2"]], 2020))
        assert first.derived_update == "full rebuild"  # nothing saved before
        for _ in range(8):
            world.apply(atlas, ("insert", [["I1"], ["I3"]], 2020))
        small = world.apply(atlas, ("replace", 0, [["I4"]]))
        assert small.derived_update == "incremental" and small.works_recounted == 1
        big = world.apply(atlas, ("institution", "I1", "US", "company"))  # 8 of 9 works name I1
        assert big.derived_update == "full rebuild" and big.works_recounted == 8
        _equal_to_rebuild(atlas)


def test_institution_change_recounts_the_works_naming_it(tmp_path, monkeypatch):
    monkeypatch.setattr(maintenance, "MAX_SHARE", 1.0)
    world = World(tmp_path)
    with collabatlas.open(":memory:") as atlas:
        world.apply(atlas, ("insert", [["I1"], ["I2"]], 2020))
        world.apply(atlas, ("insert", [["I3"]], 2020))
        report = world.apply(atlas, ("institution", "I2", "US", "company"))
        assert report.works_recounted == 1 and report.derived_update == "incremental"
        _equal_to_rebuild(atlas)
        countries = set(atlas.scores(level="country")["unit"])
        assert "US" in countries


def test_verify_reports_a_difference_and_the_cli_exits_1(tmp_path):
    store = tmp_path / "s.duckdb"
    with collabatlas.open(store) as atlas:
        atlas.ingest(write_jsonl(tmp_path / "w.jsonl", [work("W1", [[("I1", "JP")], [("I2", "NO")]])]))
    runner = CliRunner()
    ok = runner.invoke(app, ["verify", "--store", str(store)])
    assert ok.exit_code == 0, ok.output
    with collabatlas.open(store) as atlas:
        atlas.con.execute("UPDATE agg_units_country SET share = share + 1e-6 WHERE unit = 'JP'")
        diffs = [d for d in atlas.verify() if d.differing]
        assert [d.table for d in diffs] == ["agg_units_country"]
    bad = runner.invoke(app, ["verify", "--store", str(store), "--json"])
    assert bad.exit_code == 1
    assert any(t["differing"] for t in json.loads(bad.output)["tables"])


# -- sync ----------------------------------------------------------------------------------------
def _partition(root, date: str, records: list, manifest: list) -> None:
    folder = root / "works" / f"updated_date={date}"
    folder.mkdir(parents=True, exist_ok=True)
    write_jsonl(folder / "part_000.gz", records, gz=True)
    manifest.append({"url": f"s3://openalex/data/works/updated_date={date}/part_000.gz",
                     "meta": {"content_length": (folder / "part_000.gz").stat().st_size, "record_count": len(records)}})
    (root / "works" / "manifest").write_text(json.dumps({"entries": manifest}))


def test_sync_reads_newer_partitions_applies_merged_ids_and_is_idempotent(tmp_path):
    root, manifest = tmp_path / "snap", []
    jp_no = [[("I1", "JP")], [("I2", "NO")]]
    _partition(root, "2024-01-01", [work("W1", jp_no, updated="2024-01-01T00:00:00"),
                                    work("W2", jp_no, updated="2024-01-01T00:00:00"),
                                    work("W3", [[("I1", "JP")]], updated="2024-01-01T00:00:00")], manifest)
    store = tmp_path / "s.duckdb"
    runner = CliRunner()
    first = runner.invoke(app, ["sync", str(root), "--store", str(store), "--json"])
    assert first.exit_code == 0, first.output
    summary = json.loads(first.output)
    assert summary["works_added"] == 3 and summary["partitions"]["works"] == ["2024-01-01"]
    assert summary["watermarks_after"]["works"] == "2024-01-01"

    # a newer partition replaces W1, adds W4; W2 is merged into W1
    _partition(root, "2024-02-01", [work("W1", [[("I2", "NO")]], updated="2024-02-01T00:00:00"),
                                    work("W4", jp_no, updated="2024-02-01T00:00:00")], manifest)
    merged = root / "merged_ids" / "works"
    merged.mkdir(parents=True)
    (merged / "2024-02-01.csv.gz").write_bytes(gzip.compress(b"merge_date,id,merge_into_id\n2024-02-01,W2,W1\n"))
    with collabatlas.open(store) as atlas:
        before = atlas.data_version
        report = atlas.sync(root)
        assert report.partitions["works"] == ["2024-02-01"]  # only the newer partition
        assert (report.works_added, report.works_replaced, report.works_merged_away) == (1, 1, 1)
        assert report.ingest.derived_update == "incremental" or report.ingest.works_recounted > 0.2 * 3
        assert atlas.data_version == before + 1
        assert sorted(r[0] for r in atlas.con.execute("SELECT work_id FROM works").fetchall()) == ["W1", "W3", "W4"]
        # provenance kept
        assert atlas.con.execute("SELECT record_id, merge_into_id "
                                 "FROM merged_work_sources").fetchall() == [("W2", "W1")]
        _equal_to_rebuild(atlas)
        scores = atlas.scores(level="country").set_index("unit")
        assert scores.loc["JP", "count"] == 2  # W3, W4 (W2 merged away, W1 now NO only)

        # idempotent: nothing newer, nothing changes
        again = atlas.sync(root)
        assert not again.changed and atlas.data_version == before + 1
        assert "up to date" in again.summary()

        # an old input holding the merged-away record does not bring it back
        old = atlas.ingest(write_jsonl(tmp_path / "old.jsonl", [work("W2", jp_no, updated="2024-03-01T00:00:00")]))
        assert old.skipped["merged into another work (OpenAlex merged_ids)"] == 1 and old.unaccounted == 0
        assert atlas.con.execute("SELECT count(*) FROM works WHERE work_id = 'W2'").fetchone()[0] == 0


def test_sync_refuses_a_snapshot_missing_listed_parts(tmp_path):
    root, manifest = tmp_path / "snap", []
    _partition(root, "2024-01-01", [work("W1", [[("I1", "JP")]])], manifest)
    manifest.append({"url": "s3://openalex/data/works/updated_date=2024-01-02/part_000.gz", "meta": {}})
    (root / "works" / "manifest").write_text(json.dumps({"entries": manifest}))
    result = CliRunner().invoke(app, ["sync", str(root), "--store", str(tmp_path / "s.duckdb")])
    assert result.exit_code == 2 and "not here" in result.output
    ok = CliRunner().invoke(app, ["sync", str(root), "--allow-missing", "--store", str(tmp_path / "s.duckdb")])
    assert ok.exit_code == 0, ok.output


def test_an_openalex_record_replacing_an_export_work_is_recounted(tmp_path, monkeypatch):
    monkeypatch.setattr(maintenance, "MAX_SHARE", 1.0)
    world = World(tmp_path)
    with collabatlas.open(":memory:") as atlas:
        world.apply(atlas, ("insert", [["I1"]], 2020))
        world.apply(atlas, ("wos", 0, ["JP", "NO"]))  # DOI of the next OpenAlex work
        report = world.apply(atlas, ("insert", [["I3"], ["I2"]], 2020))
        assert report.duplicates_merged_by_doi == 1 and report.works_recounted == 1
        assert report.derived_update == "incremental"
        _equal_to_rebuild(atlas)


def test_fetch_since_asks_for_the_works_changed_since(served, tmp_path):  # noqa: F811 - the fixture
    api, base, _full = served
    runner = CliRunner()
    result = runner.invoke(app, ["fetch", "openalex", "--since", "2024-01-01", "--filter", "publication_year:1900-2100",
                                 "--out", str(tmp_path / "o"), "--base-url", base, "--max-works", "10"])
    assert result.exit_code == 0, result.output
    assert {q["filter"] for q in list_requests(api)} == {"publication_year:1900-2100,from_updated_date:2024-01-01"}
    bad = runner.invoke(app, ["fetch", "openalex", "--since", "January", "--out", str(tmp_path / "p")])
    assert bad.exit_code == 2 and "YYYY-MM-DD" in bad.output
    none = runner.invoke(app, ["fetch", "openalex", "--out", str(tmp_path / "q")])
    assert none.exit_code == 2 and "--since" in none.output


def test_a_key_value_folder_never_changes_country_pair_rows(tmp_path):
    """Hive partitioning is off for every read (issue 16): a folder named year=1999 sets no field."""
    from tests.test_country_pairs import HAND

    folder = tmp_path / "year=1999"
    folder.mkdir()
    (folder / "pairs.csv").write_text(HAND)
    with collabatlas.open(":memory:") as atlas:
        report = atlas.ingest_country_pairs(folder / "pairs.csv")
    assert report.years == [2019, 2020] and report.rows_stored == 9


# -- institution merges (merged_ids/institutions) ------------------------------------------------------
def _merge_institutions(root, date: str, pairs: list[tuple[str, str]]) -> None:
    folder = root / "merged_ids" / "institutions"
    folder.mkdir(parents=True, exist_ok=True)
    rows = "".join(f"{date},https://openalex.org/{a},https://openalex.org/{b}\n" for a, b in pairs)
    (folder / f"{date}.csv.gz").write_bytes(gzip.compress(f"merge_date,id,merge_into_id\n{rows}".encode()))


def _n_institutions(atlas) -> list:
    return atlas.con.execute("""SELECT w.work_id, a.author_position, a.n_institutions FROM authorships a
                                JOIN works w USING (wkey) ORDER BY 1, 2""").fetchall()


def _metrics(atlas) -> dict:
    out = {}
    for level in ("institution", "country", "sector"):
        for name, frame in (("scores", atlas.scores(level=level)), ("totals", atlas.totals(level=level)),
                            ("pairs", atlas.pairs(level=level))):
            out[(level, name)] = frame.sort_values(list(frame.columns[:2])).round(12).reset_index(drop=True)
    return out


def test_an_institution_merge_moves_its_affiliations_and_equals_ingesting_the_target(tmp_path, monkeypatch):
    monkeypatch.setattr(maintenance, "MAX_SHARE", 1.0)
    i1, i2, i3, i4 = (institution("I1", "JP"), institution("I2", "NO", "company"), institution("I3", "US"),
                      institution("I4", "NO", lineage=["I4", "I2"]))
    before = [work("W1", [[i1, i2], [i3]]), work("W2", [[i2], [i4]]), work("W3", [[i3]])]
    after = [work("W1", [[i1], [i3]]), work("W2", [[i1], [i4]]), work("W3", [[i3]])]  # I2 merged into I1
    root = tmp_path / "snap"
    _partition(root, "2024-01-01", before, [])
    with collabatlas.open(":memory:") as atlas:
        atlas.sync(root)
        _merge_institutions(root, "2024-02-01", [("I2", "I1")])
        report = atlas.sync(root)
        assert report.institutions_merged_away == 1 and report.merged_institution_ids_read == 1
        assert report.ingest.derived_update == "incremental" and report.ingest.works_recounted == 2
        assert "institutions merged away 1" in report.summary()
        _equal_to_rebuild(atlas)
        ids = {r[0] for r in atlas.con.execute("SELECT institution_id FROM institutions").fetchall()}
        assert "I2" not in ids
        # the lineage naming I2 now names I1
        assert atlas.con.execute("SELECT lineage FROM institutions "
                                 "WHERE institution_id = 'I4'").fetchone()[0] == ["I4", "I1"]
        merged_state, merged_n = _metrics(atlas), _n_institutions(atlas)
        # a later input naming I2 counts it as I1; I2's own record is skipped
        late = atlas.ingest(write_jsonl(tmp_path / "late.jsonl",
                                        [work("W5", [[i1, i2]], updated="2024-03-01T00:00:00")]),
                            write_jsonl(tmp_path / "inst.jsonl", [{**i2, "updated_date": "2024-03-01T00:00:00"}]))
        assert late.skipped[institution_merges.SKIP_REASON] == 1 and late.unaccounted == 0
        assert atlas.con.execute("""SELECT i.institution_id, f.n_institutions FROM affiliations f JOIN institutions i
                                    USING (ikey) JOIN works w USING (wkey) """
                                 "WHERE w.work_id = 'W5'").fetchall() == [("I1", 1)]
        _equal_to_rebuild(atlas)
        again = atlas.sync(root)
        assert not again.changed
    with collabatlas.open(":memory:") as oracle:
        oracle.ingest(write_jsonl(tmp_path / "after.jsonl", after))
        oracle.con.execute("UPDATE institutions SET lineage = ['I4', 'I1'] WHERE institution_id = 'I4'")
        oracle.refresh()
        assert _n_institutions(oracle) == merged_n
        expected = _metrics(oracle)
    for key, frame in expected.items():
        assert frame.equals(merged_state[key]), (key, frame, merged_state[key])


def test_institution_merge_chains_unknown_targets_and_merges_back(tmp_path, monkeypatch):
    monkeypatch.setattr(maintenance, "MAX_SHARE", 1.0)
    root = tmp_path / "snap"
    _partition(root, "2024-01-01", [work("W1", [[("I5", "JP")], [("I6", "NO")]]), work("W2", [[("I7", "US")]])], [])
    with collabatlas.open(":memory:") as atlas:
        atlas.sync(root)
        _merge_institutions(root, "2024-02-01", [("I5", "I6"), ("I7", "I9")])  # I9: not in the store
        atlas.sync(root)
        _equal_to_rebuild(atlas)
        rows = dict(atlas.con.execute("SELECT institution_id, origin FROM institutions").fetchall())
        assert set(rows) == {"I6", "I9"} and rows["I9"] == "stub"
        assert _n_institutions(atlas) == [("W1", 1, 1), ("W1", 2, 1), ("W2", 1, 1)]
        _merge_institutions(root, "2024-03-01", [("I6", "I5")])  # merged back the other way: I5 exists again
        report = atlas.sync(root)
        assert report.institutions_merged_away == 1
        _equal_to_rebuild(atlas)
        named = atlas.con.execute("""SELECT DISTINCT i.institution_id FROM affiliations f JOIN institutions i """
                                  """USING (ikey)
                                     JOIN works w USING (wkey) WHERE w.work_id = 'W1'""").fetchall()
        assert named == [("I5",)]
        stored = dict(atlas.con.execute("SELECT record_id, merge_into_id FROM merged_ids WHERE entity = 'institutions'"
                                        ).fetchall())
        assert stored == {"I6": "I5", "I7": "I9"}


def test_aggregates_without_the_key_hash_of_this_duckdb_are_rebuilt(tmp_path):
    world = World(tmp_path)
    with collabatlas.open(":memory:") as atlas:
        for _ in range(6):
            world.apply(atlas, ("insert", [["I1"], ["I2"]], 2020))
        assert maintenance.keyed(atlas.con)
        atlas.con.execute("UPDATE store_meta SET value = 'another hash function' WHERE key = ?", [maintenance.KEY_META])
        assert not maintenance.keyed(atlas.con)
        report = world.apply(atlas, ("replace", 0, [["I4"]]))
        assert report.derived_update == "full rebuild" and maintenance.keyed(atlas.con)
        assert world.apply(atlas, ("replace", 1, [["I3"]])).derived_update == "incremental"
        _equal_to_rebuild(atlas)
        atlas.con.execute("UPDATE agg_partners_institution SET rkey = rkey + 1 "  # a wrong key hash: caught by verify
                          "WHERE unit = (SELECT min(unit) FROM agg_partners_institution)")
        assert [d.table for d in atlas.verify() if d.differing] == ["agg_partners_institution"]


def test_verify_checks_the_counting_invariants(tmp_path):
    """Σ Share per work ≤ 1 and total CS = Σ pair CS, per level, on the saved unit shares: they hold on a
    real ingest (hand oracle: W1 JP+US+CN), and a broken saved share is reported as the invariant it breaks."""
    store = tmp_path / "s.duckdb"
    with collabatlas.open(store) as atlas:
        atlas.ingest(write_jsonl(tmp_path / "w.jsonl", [work("W1", [[("I1", "JP")], [("I2", "US")], [("I3", "CN")]]),
                                                        work("W2", [[("I1", "JP")], [("I2", "US")]])]))
        checks = {d.table: d for d in atlas.verify() if d.table.startswith("invariant")}
        assert len(checks) == 6 and not any(d.differing for d in checks.values())
        assert checks["invariant: total CS = sum of pair CS (country)"].rows_saved == 3  # JP, US, CN
        assert checks["invariant: sum of Share per work <= 1 (country)"].rows_saved == 2  # W1, W2
        atlas.con.execute("UPDATE unit_shares_country SET share = share + 0.5 WHERE unit = 'JP'")
        broken = {d.table for d in atlas.verify() if d.differing}
        assert {"invariant: sum of Share per work <= 1 (country)", "invariant: total CS = sum of pair CS (country)",
                "unit_shares_country"} <= broken
