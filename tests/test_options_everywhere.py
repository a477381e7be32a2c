"""Counting options reach every view that names them: --journals and --rollup on profile, group,
chart and report; a view that cannot apply one refuses it or says so, never ignores it."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

import collabatlas
from collabatlas.counting.rules import CountingError
from collabatlas.views import report as report_lib
from collabatlas.views.cli import app

from .conftest import institution, work, write_jsonl

NATURE = {"source": {"id": "https://openalex.org/S1", "display_name": "Nature", "issn_l": "0028-0836"}}
OTHER = {"source": {"id": "https://openalex.org/S9", "display_name": "Scientific Reports", "issn_l": "2045-2322"}}
PARENT = institution("P1", "US")
CHILD = institution("C1", "US", lineage=["C1", "P1"])
JP, GB = ("I2", "JP"), ("I3", "GB")


def _works():
    return [work("W1", [[CHILD], [JP]], year=2019, primary_location=NATURE),
            work("W2", [[PARENT], [GB]], year=2020, primary_location=OTHER),
            work("W3", [[CHILD], [GB]], year=2020, primary_location=OTHER),
            work("W4", [[PARENT], [JP]], year=2020, primary_location=NATURE)]


@pytest.fixture
def store(tmp_path):
    path = tmp_path / "s.duckdb"
    with collabatlas.open(path) as atlas:
        atlas.ingest(write_jsonl(tmp_path / "w.jsonl", _works()))
    return path


def test_profile_takes_journals_and_rollup(store):
    with collabatlas.open(store, read_only=True) as atlas:
        plain = atlas.profile("P1")
        assert plain.headline["count"] == 2  # W2, W4
        rolled = atlas.profile("P1", rollup=True)
        assert rolled.headline["count"] == 4  # the child's works count for the parent
        assert set(rolled.hotspots["country"]) == {"JP", "GB"}
        nature = atlas.profile("P1", rollup=True, journals="nature-index")
        # Nature is in the list, Scientific Reports is not: W1 and W4
        assert nature.headline["count"] == 2 and nature.hotspots["country"].tolist() == ["JP"]
        with pytest.raises(CountingError, match="with --rollup"):
            atlas.profile("C1", rollup=True)


def test_group_takes_journals(store):
    with collabatlas.open(store, read_only=True) as atlas:
        every = atlas.group("US", "test", ["2019-2020"], members=frozenset({"JP"}))
        nature = atlas.group("US", "test", ["2019-2020"], members=frozenset({"JP"}), journals="nature-index")
    assert every.periods["works"].iloc[0] == 4 and nature.periods["works"].iloc[0] == 2
    assert nature.periods["group_pct_of_intl_works"].iloc[0] == pytest.approx(100.0)


def test_chart_and_report_apply_journals_and_rollup(store, tmp_path):
    with collabatlas.open(store, read_only=True) as atlas:
        spec = report_lib.make_chart(atlas, "partners", unit="US", journals="nature-index").to_dict()
        text = json.dumps(spec)
        assert "journal list nature-index" in text
        drawn = {r["partner"] for values in spec.get("datasets", {}).values() for r in values if "partner" in r}
        assert drawn == {"JP"}  # GB's joint works are all outside the list
        rolled = report_lib.make_chart(atlas, "partners", unit="P1", level="institution", rollup=True).to_dict()
        assert "top of their lineage" in json.dumps(rolled)
        with pytest.raises(CountingError, match="institution level only"):
            report_lib.make_chart(atlas, "partners", unit="US", rollup=True)
        with pytest.raises(CountingError, match="landscape chart"):
            report_lib.make_chart(atlas, "landscape", year=2020, journals="nature-index")
        built = report_lib.build_report(atlas, "US", journals="nature-index")
        notes = {s.key: s.notes for s in built.sections}
        assert any("--journals" in n for n in notes["landscape"]) and any("--journals" in n for n in notes["distance"])
        assert dict(built.headline)["Count (works)"] == "2"
        institution_report = report_lib.build_report(atlas, "P1", rollup=True)
        assert dict(institution_report.headline)["Count (works)"] == "4"
        with pytest.raises(CountingError, match="institution report"):
            report_lib.build_report(atlas, "US", rollup=True)


def test_cli_profile_group_chart_report_take_the_options(store, tmp_path):
    runner = CliRunner()
    profile = runner.invoke(app, ["profile", "P1", "--rollup", "--format", "json", "--store", str(store)])
    assert profile.exit_code == 0, profile.output
    assert json.loads(profile.output)["headline"]["count"] == 4
    group = runner.invoke(app, ["group", "US", "--group", "g7", "--periods", "2019-2020", "--journals", "nature-index",
                                "--format", "json", "--store", str(store)])
    assert group.exit_code == 0, group.output
    assert json.loads(group.output)["periods"][0]["works"] == 2
    chart = runner.invoke(app, ["chart", "partners", "--unit", "P1", "--level", "institution", "--rollup",
                                "--out", str(tmp_path / "c.json"), "--store", str(store)])
    assert chart.exit_code == 0, chart.output
    refused = runner.invoke(app, ["report", "--focus", "US", "--journals", "nature-index", "--pdf",
                                  "--out", str(tmp_path / "r"), "--store", str(store)])
    assert refused.exit_code == 2 and "--journals" in refused.output


def test_rankings_take_country_and_sort(store):
    with collabatlas.open(store, read_only=True) as atlas:
        us = atlas.scores(level="institution", country="us")
        assert set(us["unit"]) == {"P1", "C1"} and us["share"].is_monotonic_decreasing
        by_count = atlas.totals(level="institution", sort="count")
        assert by_count["count"].is_monotonic_decreasing
        gb = atlas.totals(level="institution", country="GB", sort="cs_international")
        assert gb["unit"].tolist() == ["I3"]
        with pytest.raises(CountingError, match="--level institution only"):
            atlas.scores(level="country", country="US")
        with pytest.raises(CountingError, match="--sort 'name'"):
            atlas.totals(level="institution", sort="name")
        with pytest.raises(CountingError, match="unknown country"):
            atlas.scores(level="institution", country="ZZ")
    runner = CliRunner()
    out = runner.invoke(app, ["collaboration", "--level", "institution", "--country", "US", "--sort", "count",
                              "--format", "csv", "--store", str(store)])
    assert out.exit_code == 0, out.output
    assert [line.split(",")[0] for line in out.stdout.splitlines()[1:]] == ["C1", "P1"]  # 2 works each: by id


def test_network_takes_journals(store):
    from collabatlas.analyses.network import build_network, describe

    with collabatlas.open(store, read_only=True) as atlas:
        every = build_network(atlas, "country")
        nature = build_network(atlas, "country", journals="nature-index")
    assert set(every.nodes["id"]) == {"US", "JP", "GB"}
    assert set(nature.nodes["id"]) == {"US", "JP"}  # GB's works are all outside the list
    assert "Nature Index" in describe(nature)


def test_network_route_names_the_journal_list_as_the_library_does(store):
    from fastapi.testclient import TestClient

    from collabatlas.analyses.network import build_network
    from collabatlas.views.web import create_app

    with collabatlas.open(store, read_only=True) as atlas:
        expected = build_network(atlas, "country", journals="nature-index", normalize_by="association",
                                 max_edges=10, top=100)
    with TestClient(create_app(store)) as client:
        body = client.get("/api/network", params={"journals": "nature-index"}).json()
    assert body["network"]["filters"] == expected.meta["filters"]
    assert "Nature Index" in body["network"]["filters"]
    assert sorted(n["id"] for n in body["nodes"]) == sorted(expected.nodes["id"]) == ["JP", "US"]
