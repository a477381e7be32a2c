"""Bad options, bad stores and faults give a message, never a traceback, and nothing is silently lost
(issue 12, items 3, 5, 12, 13, 17, 18, 26): one rule in the library, shared by the CLI and the API."""

from __future__ import annotations

import json
import shutil
import warnings

import duckdb
import pytest
from typer.testing import CliRunner

import collabatlas
from collabatlas.analyses import uncertainty
from collabatlas.atlas import Atlas, UnitSharesNotSaved
from collabatlas.counting.filters import FilterError
from collabatlas.ingest.pipeline import InputError
from collabatlas.store.schema import StoreError
from collabatlas.views.cli import app
from tests.conftest import store_copy, work, write_jsonl

runner = CliRunner()

RECORDS = [
    work("W1", [[("J1", "JP")], [("U1", "US")], [("G1", "GB")]], year=2019, date="2019-03-01"),
    work("W2", [[("J1", "JP")], [("U1", "US")]], year=2020, date="2020-09-01"),
    work("W3", [[("J1", "JP")], [("G1", "GB")]], year=2020, date="2020-10-01"),
]


@pytest.fixture
def inputs(tmp_path):
    return write_jsonl(tmp_path / "w.jsonl", RECORDS)


@pytest.fixture(scope="module")
def _built_store(tmp_path_factory):
    folder = tmp_path_factory.mktemp("cli-validation")
    path = folder / "s.duckdb"
    result = runner.invoke(app, ["ingest", str(write_jsonl(folder / "w.jsonl", RECORDS)), "--store", str(path)])
    assert result.exit_code == 0, result.output
    return path


@pytest.fixture
def store(_built_store, tmp_path):
    """The RECORDS ingested by the CLI (once per module); each test gets its own copy."""
    return store_copy(_built_store, tmp_path)


def fails_cleanly(result, *needles: str, code: int = 2) -> str:
    """A one-line error with exit ``code``, no traceback; every needle in the output."""
    text = result.output + (result.stderr if result.stderr_bytes is not None else "")
    assert result.exit_code == code, text
    assert not isinstance(result.exception, Exception) or isinstance(result.exception, SystemExit), \
        repr(result.exception)
    assert "Traceback" not in text
    for needle in needles:
        assert needle in text, text
    return text


# -- item 3: a store that is not a DuckDB file ----------------------------------------------------------

@pytest.mark.parametrize("name,content", [("works.csv", b"id,year\nW1,2020\n"), ("works.json", b'[{"id": "W1"}]'),
                                          ("data.parquet", b"PAR1\x00\x00\x00\x00PAR1"),
                                          ("other.duckdb", b"not a database at all, but long enough")])
def test_existing_non_duckdb_store_is_refused_and_left_untouched(tmp_path, inputs, name, content):
    target = tmp_path / name
    target.write_bytes(content)
    result = runner.invoke(app, ["ingest", str(inputs), "--store", str(target)])
    fails_cleanly(result, "not a DuckDB database")
    assert target.read_bytes() == content
    with pytest.raises(StoreError):
        collabatlas.open(target)


@pytest.mark.parametrize("name", ["new.csv", "new.json", "new.parquet", "new.txt"])
def test_new_store_needs_a_duckdb_extension(tmp_path, inputs, name):
    result = runner.invoke(app, ["ingest", str(inputs), "--store", str(tmp_path / name)])
    fails_cleanly(result, ".duckdb")
    assert not (tmp_path / name).exists()


def test_new_store_with_db_extension_is_created(tmp_path, inputs):
    with collabatlas.open(tmp_path / "fresh.db") as atlas:
        atlas.ingest(inputs)
    with collabatlas.open(tmp_path / "fresh.db", read_only=True) as atlas:
        assert atlas.summary()["works"] == 3


# -- item 17: a damaged store ---------------------------------------------------------------------------

def _big_store(tmp_path) -> Path:  # noqa: F821 - annotation only
    path = tmp_path / "big.duckdb"
    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE works AS SELECT range AS wkey, 'W' || range AS work_id FROM range(300000)")
    con.close()
    return path


def test_truncated_store_is_a_message(tmp_path, store):
    data = store.read_bytes()
    cut = tmp_path / "cut.duckdb"
    shutil.copy(store, cut)
    cut.write_bytes(data[: len(data) // 2])
    result = runner.invoke(app, ["scores", "--store", str(cut)])
    fails_cleanly(result, "cut.duckdb")


def test_truncated_store_read_error_during_a_query_is_a_message(tmp_path, store, monkeypatch):
    def broken(self, *a, **k):
        raise duckdb.IOException('IO Error: Could not read enough bytes from file "x.duckdb"')

    monkeypatch.setattr(Atlas, "scores", broken)
    result = runner.invoke(app, ["scores", "--store", str(store)])
    fails_cleanly(result, "could not read or write", "s.duckdb")


# -- item 5: export into a used folder, import of a partial or mixed folder ------------------------------

def test_second_export_into_a_used_folder_is_refused(tmp_path, store):
    folder = tmp_path / "x"
    assert runner.invoke(app, ["export", str(folder), "--store", str(store)]).exit_code == 0
    before = sorted(p.relative_to(folder) for p in folder.rglob("*"))
    result = runner.invoke(app, ["export", str(folder), "--store", str(store)])
    fails_cleanly(result, "not empty")
    assert sorted(p.relative_to(folder) for p in folder.rglob("*")) == before


def test_export_into_an_empty_or_new_nested_folder(tmp_path, store):
    (tmp_path / "empty").mkdir()
    assert runner.invoke(app, ["export", str(tmp_path / "empty"), "--store", str(store)]).exit_code == 0
    result = runner.invoke(app, ["export", str(tmp_path / "a" / "b" / "c"), "--store", str(store)])
    assert result.exit_code == 0, result.output
    manifest = json.loads((tmp_path / "a" / "b" / "c" / "_collabatlas_export.json").read_text())
    assert manifest["complete"] and manifest["rows"]["works"] == 3


def test_import_refuses_a_partial_folder(tmp_path, store):
    folder = tmp_path / "x"
    assert runner.invoke(app, ["export", str(folder), "--store", str(store)]).exit_code == 0
    shutil.rmtree(folder / "authorships")
    target = tmp_path / "t.duckdb"
    result = runner.invoke(app, ["import-tables", str(folder), "--store", str(target)])
    fails_cleanly(result, "authorships", "partial")
    with pytest.raises(InputError):
        with collabatlas.open(tmp_path / "t2.duckdb") as atlas:
            atlas.import_tables(folder)


def test_import_refuses_a_mixed_folder(tmp_path, store, inputs):
    # the files of another export copied in (the year partitions an older export left behind)
    other = tmp_path / "other.duckdb"
    with collabatlas.open(other) as atlas:
        atlas.ingest(write_jsonl(tmp_path / "o.jsonl", [work("W9", [[("F1", "FR")], [("D1", "DE")]], year=2011)]))
    a, b = tmp_path / "a", tmp_path / "b"
    assert runner.invoke(app, ["export", str(a), "--store", str(store)]).exit_code == 0
    assert runner.invoke(app, ["export", str(b), "--store", str(other)]).exit_code == 0
    shutil.copytree(b / "works" / "year=2011", a / "works" / "year=2011")
    result = runner.invoke(app, ["import-tables", str(a), "--store", str(tmp_path / "t.duckdb")])
    fails_cleanly(result, "works", "another export")


def test_import_refuses_an_unfinished_export(tmp_path, store):
    folder = tmp_path / "x"
    assert runner.invoke(app, ["export", str(folder), "--store", str(store)]).exit_code == 0
    (folder / "_collabatlas_export.json").write_text(json.dumps({"complete": False, "rows": {}}))
    result = runner.invoke(app, ["import-tables", str(folder), "--store", str(tmp_path / "t.duckdb")])
    fails_cleanly(result, "did not finish")


def test_import_of_a_whole_export_still_works(tmp_path, store):
    folder = tmp_path / "x"
    assert runner.invoke(app, ["export", str(folder), "--store", str(store)]).exit_code == 0
    result = runner.invoke(app, ["import-tables", str(folder), "--store", str(tmp_path / "t.duckdb")])
    assert result.exit_code == 0, result.output
    with collabatlas.open(tmp_path / "t.duckdb", read_only=True) as atlas:
        assert atlas.summary()["works"] == 3


# -- item 17: --out into a missing folder; trend --compare -----------------------------------------------

@pytest.mark.parametrize("args,out", [
    (["scores"], "deep/er/scores.csv"),
    (["pairs"], "deep/er/pairs.json"),
    (["partners", "JP"], "deep/er/p.parquet"),
    (["network"], "deep/er/net.gexf"),
    (["network"], "deep/er/csvdir"),
])
def test_out_into_a_missing_folder_creates_it(tmp_path, store, args, out):
    target = tmp_path / out
    result = runner.invoke(app, [*args, "--store", str(store), "--out", str(target)])
    assert result.exit_code == 0, result.output
    assert target.exists()


def test_out_that_cannot_be_created_is_a_message(tmp_path, store):
    (tmp_path / "file").write_text("x")
    result = runner.invoke(app, ["scores", "--store", str(store), "--out", str(tmp_path / "file" / "s.csv")])
    fails_cleanly(result, "--out")


@pytest.mark.parametrize("compare", ["abc", "2019", "2019,2019", "2019,x", "2019,2020,2021"])
def test_trend_compare_bad_periods_is_a_message(store, compare):
    result = runner.invoke(app, ["trend", "JP", "US", "--store", str(store), "--compare", compare])
    fails_cleanly(result, "compare")


# -- item 13: bootstrap replicates bounded everywhere ----------------------------------------------------

@pytest.mark.parametrize("ci", ["-5", "100000000", str(uncertainty.MAX_REPLICATES + 1)])
def test_ci_out_of_range_is_refused_by_cli(store, ci):
    for args in (["scores"], ["partners", "JP"], ["trend", "JP", "US"]):
        result = runner.invoke(app, [*args, "--store", str(store), "--ci", ci])
        fails_cleanly(result, "ci", str(uncertainty.MAX_REPLICATES)[:2])


def test_ci_bound_is_in_the_library(store):
    with collabatlas.open(store, read_only=True) as atlas:
        for ci in (-5, 10**8, 2.5):
            with pytest.raises(collabatlas.counting.rules.CountingError):
                atlas.scores(ci=ci)
            with pytest.raises(collabatlas.counting.rules.CountingError):
                atlas.partners("JP", ci=ci)
        with pytest.raises(collabatlas.counting.rules.CountingError):
            uncertainty.intervals(atlas._df(("SELECT 1 AS wkey, 'a' AS key, 1.0 AS value", {})), replicates=0)
        assert not atlas.scores(ci=5)["share_low"].isna().all()


# -- item 26: ranges of count-like options ---------------------------------------------------------------

@pytest.mark.parametrize("args", [
    ["scores", "--limit", "-1"], ["scores", "--limit", "0"], ["partners", "JP", "--top", "-1"],
    ["partners", "JP", "--top", "0"], ["pairs", "--min-joint", "0"], ["profile", "J1", "--top", "0"],
    ["network", "--top", "0"], ["network", "--max-edges", "-1"],
])
def test_counts_below_one_are_refused(store, args):
    fails_cleanly(runner.invoke(app, [*args, "--store", str(store)]), args[-2].lstrip("-").split("-")[0], "must be")


def test_limit_and_top_keep_what_they_say(store):
    result = runner.invoke(app, ["scores", "--store", str(store), "--limit", "2", "--format", "csv"])
    assert result.exit_code == 0 and len(result.stdout.strip().splitlines()) == 3
    with collabatlas.open(store, read_only=True) as atlas:
        assert len(atlas.partners("JP", top=1)) == 1
        with pytest.raises(FilterError):
            atlas.partners("JP", top=0)
        with pytest.raises(FilterError):
            atlas.partners("JP", top=-1)


@pytest.mark.parametrize("args", [["scores"], ["partners", "JP"], ["trend", "JP", "US"], ["collaboration"],
                                  ["pairs"], ["industry"]])
def test_subject_typo_is_an_error_not_an_empty_table(store, args):
    fails_cleanly(runner.invoke(app, [*args, "--store", str(store), "--subject", "Phisics"]), "Phisics")


def test_known_subject_still_filters(tmp_path):
    records = [work("W1", [[("J1", "JP")], [("U1", "US")]], year=2020,
                    primary_topic={
                        "domain": {"id": "https://openalex.org/domains/3", "display_name": "Physical Sciences"},
                        "field": {"id": "https://openalex.org/fields/31", "display_name": "Physics and Astronomy"},
                        "subfield": {"id": "https://openalex.org/subfields/3107", "display_name": "Atomic Physics"}})]
    atlas = Atlas(":memory:")
    atlas.ingest(write_jsonl(tmp_path / "w.jsonl", records))
    for subject in ("Physical Sciences", "physics and astronomy", "fields/31"):
        assert len(atlas.scores(subject=subject)) == 2


def test_match_threshold_out_of_range_is_refused(tmp_path):
    from collabatlas.affiliations.matching import AffiliationMatcher

    for bad in (500, -1):
        with pytest.raises(FilterError):
            AffiliationMatcher([], [], threshold=bad)
    result = runner.invoke(app, ["match", "Univ Tokyo, Japan", "--threshold", "500",
                                 "--store", str(tmp_path / "m.duckdb")])
    fails_cleanly(result, "threshold")


# -- item 18: disk full while saving the unit shares ------------------------------------------------------

@pytest.mark.parametrize("error", [OSError(28, "No space left on device"),
                                   duckdb.IOException("IO Error: Could not write file: No space left on device")])
def test_disk_full_after_commit_says_what_was_committed(tmp_path, inputs, monkeypatch, error):
    def full(*a, **k):
        raise error

    monkeypatch.setattr(collabatlas.atlas.counting, "base_unit_shares_sql", full)
    target = tmp_path / "full.duckdb"
    result = runner.invoke(app, ["ingest", str(inputs), "--store", str(target)])
    text = fails_cleanly(result, "committed", "3 works new", "collabatlas refresh", code=1)
    assert "works stored (new)" in text  # the summary is printed first
    monkeypatch.undo()
    with collabatlas.open(target) as atlas:
        assert atlas.summary()["works"] == 3 and not atlas.unit_shares_saved
        with pytest.raises(UnitSharesNotSaved) as err:
            monkeypatch.setattr(collabatlas.atlas.counting, "base_unit_shares_sql", full)
            atlas.ingest(write_jsonl(tmp_path / "more.jsonl", [work("W7", [[("F1", "FR")]], year=2018)]))
        assert err.value.report.works_inserted == 1
        monkeypatch.undo()
        atlas.refresh()
        assert atlas.unit_shares_saved


# -- item 12: blank values in the API ----------------------------------------------------------------------

def test_api_blank_required_values_are_422(store):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        from fastapi.testclient import TestClient
    from collabatlas.views.web import create_app

    blank = "%20%20"
    urls = [f"/api/partners/{blank}", f"/api/partners/{blank}?level=institution", "/api/partners/%09?level=sector",
            f"/api/trend/{blank}/US", f"/api/trend/JP/{blank}?level=institution", f"/api/profile/{blank}",
            f"/api/group/{blank}?group=eu&periods=2019", f"/api/group/US?group={blank}&periods=2019",
            f"/api/group/US?group=eu&periods={blank}", "/api/group/US?group=eu&periods=,",
            f"/api/chart/partners/{blank}", f"/api/chart/trend/{blank}", f"/api/chart/subjects/{blank}",
            f"/api/chart/contribution/{blank}", f"/api/chart/hotspots/{blank}",
            f"/api/chart/group/{blank}?group=eu&periods=2019,2020",
            f"/api/chart/group/US?group={blank}&periods=2019,2020",
            f"/api/chart/group/US?group=eu&periods={blank}", "/api/trend/JP/US?compare=2019",
            "/api/trend/JP/US?compare=abc", "/api/partners/JP?ci=10001", "/api/scores?subject=Phisics"]
    with TestClient(create_app(store), raise_server_exceptions=False) as client:
        for url in urls:
            r = client.get(url)
            assert r.status_code == 422, (url, r.status_code, r.text)
            assert r.json()["detail"], url
        assert client.get(f"/api/partners/JP?ci={uncertainty.MAX_REPLICATES}").status_code == 200
        # a blank optional value is "not given", and the meta says so
        body = client.get(f"/api/scores?years={blank}").json()
        assert "years" not in body["meta"]["params"]
