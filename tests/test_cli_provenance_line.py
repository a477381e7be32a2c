"""A metric's terminal table says where its numbers come from: source, counting, filters and data
version, under the table (the API's ``meta``); CSV and JSON on stdout stay data only."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

import collabatlas
from collabatlas.views.cli import app
from tests.conftest import work, write_jsonl


@pytest.fixture
def store(tmp_path):
    path = tmp_path / "s.duckdb"
    data = write_jsonl(tmp_path / "w.jsonl", [work("W1", [[("I1", "US")], [("I2", "JP")]], year=2020),
                                               work("W2", [[("I3", "US")]], year=2021)])
    atlas = collabatlas.open(path)
    atlas.ingest(data)
    atlas.close()
    return path


def test_the_table_ends_with_source_counting_filters_and_data_version(store):
    got = CliRunner().invoke(app, ["partners", "US", "--level", "country", "--years", "2020-2021",
                                   "--store", str(store)], env={"COLUMNS": "200"})
    assert got.exit_code == 0, got.output
    last = got.stdout.strip().splitlines()[-1]
    assert last == ("work-level store (source works) · fractional counting (Share and CS) · years 2020-2021 · "
                    "data version 1"), last
    plain = CliRunner().invoke(app, ["partners", "US", "--level", "country", "--store", str(store)],
                               env={"COLUMNS": "200"})
    assert plain.stdout.strip().splitlines()[-1].endswith("· no filter · data version 1")


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_csv_and_json_stay_data_only(store, fmt):
    got = CliRunner().invoke(app, ["partners", "US", "--level", "country", "--format", fmt, "--store", str(store)])
    assert got.exit_code == 0, got.output
    assert "data version" not in got.stdout
    if fmt == "json":
        assert json.loads(got.stdout)[0]["partner"] == "JP"


@pytest.mark.parametrize("args", [
    ["trend", "US", "JP", "--years", "2020-2021"],
    ["works", "US", "JP"],
    ["impact", "--level", "country", "--unit", "US"],
    ["distance", "US"],
    ["indicators", "--level", "country"],
    ["group", "US", "--group", "g7", "--periods", "2020,2021"],
    ["profile", "I1"],
])
def test_every_metric_table_ends_with_its_provenance(store, args):
    """Not only the `_metric` commands: trend, works, impact, distance, indicators, group and profile end
    their terminal output with source · counting · filters · data version too (they printed none)."""
    got = CliRunner().invoke(app, [*args, "--store", str(store)], env={"COLUMNS": "400"})
    assert got.exit_code == 0, got.output
    text = " ".join(got.stdout.split())  # a long line wraps at the terminal width
    assert text.endswith(" · data version 1"), text[-300:]
    assert "work-level store (source works) · " in text[-400:], text[-400:]


def test_a_result_with_its_own_counting_names_it_in_the_cli_and_the_api(store):
    """Indicators are counted in full by default: the provenance line and the API's meta.counting say
    so, never the engine's "fractional counting (Share and CS)" (which they said before)."""
    from fastapi.testclient import TestClient

    from collabatlas.views.web import create_app

    got = CliRunner().invoke(app, ["indicators", "--level", "country", "--store", str(store)], env={"COLUMNS": "400"})
    last = " ".join(got.stdout.split())[-200:]
    assert " · full counting (each work counts 1) · " in last and "fractional" not in last, last
    frac = CliRunner().invoke(app, ["indicators", "--level", "country", "--counting", "fractional",
                                    "--store", str(store)], env={"COLUMNS": "400"})
    assert " · fractional counting (P is the Share" in " ".join(frac.stdout.split())[-250:]
    with TestClient(web_app := create_app(store)) as client:
        meta = client.get("/api/indicators?level=country").json()["meta"]
        assert meta["counting"] == "full counting (each work counts 1)"
        assert meta["caption"].split(" · ")[1] == meta["counting"]
        pairs = client.get("/api/pairs?level=country&indices=salton").json()["meta"]
        assert pairs["counting"].startswith("pair indices on full counts")
        impact = client.get("/api/impact/US").json()["meta"]
        assert impact["counting"].startswith("OpenAlex normalisation")  # its own words, as before
    web_app.state.service.close()  # no DuckDB object left to the interpreter's exit


def test_with_meta_gives_the_json_the_api_gives(store, tmp_path):
    """`--with-meta` (before or after the command): the JSON on stdout and in --out FILE.json is the
    API's table body ({meta, columns, rows}; the same rows, and meta with the API's source, counting,
    filters and caption); without it the list of rows stays as it was."""
    from fastapi.testclient import TestClient

    from collabatlas.views.web import create_app

    args = ["partners", "US", "--years", "2020-2021", "--format", "json", "--store", str(store)]
    plain = json.loads(CliRunner().invoke(app, args).stdout)
    assert isinstance(plain, list) and plain[0]["partner"] == "JP"
    out = tmp_path / "p.json"
    got = CliRunner().invoke(app, ["--with-meta", *args, "--out", str(out)])
    after = CliRunner().invoke(app, [*args, "--with-meta"])
    assert got.exit_code == 0 and after.exit_code == 0, got.output + after.output
    body, written = json.loads(got.stdout), json.loads(out.read_text(encoding="utf-8"))
    assert body == json.loads(after.stdout) == written
    with TestClient(web_app := create_app(store)) as client:
        api = client.get("/api/partners/US", params={"years": "2020-2021"}).json()
    web_app.state.service.close()  # no DuckDB object left to the interpreter's exit
    assert body["rows"] == api["rows"] == plain and body["columns"] == api["columns"]
    for key in ("source", "source_label", "counting", "filters", "caption", "data_version", "rows", "returned"):
        assert body["meta"][key] == api["meta"][key], key
    profile = CliRunner().invoke(app, ["--with-meta", "profile", "I1", "--format", "json", "--store", str(store)])
    assert json.loads(profile.stdout)["meta"]["source"] == "works"
    assert "meta" not in json.loads(CliRunner().invoke(app, ["profile", "I1", "--format", "json",
                                                             "--store", str(store)]).stdout)


@pytest.mark.parametrize("args", [["profile", "I1"], ["group", "US", "--group", "g7", "--periods", "2020,2021"]])
def test_csv_of_a_document_is_refused_not_answered_with_json(store, args):
    """`profile` and `group` hold several tables: --format csv printed JSON (an option not applied);
    now it is refused with exit 2, naming the formats that work."""
    got = CliRunner().invoke(app, [*args, "--format", "csv", "--store", str(store)])
    assert got.exit_code == 2 and "--format csv" in got.output and "--format json" in got.output, got.output
    assert "{" not in got.stdout


def test_an_export_names_the_data_version_it_was_written_at(store, tmp_path):
    """`collabatlas export` writes the store's data version into the manifest; the Spark engine reads
    it from there (tests/test_spark_analyses.py runs Spark on it)."""
    from collabatlas.store.interchange import manifest_data_version

    got = CliRunner().invoke(app, ["export", str(tmp_path / "pq"), "--store", str(store)])
    assert got.exit_code == 0, got.output
    assert json.loads((tmp_path / "pq" / "_collabatlas_export.json").read_text())["data_version"] == 1
    assert manifest_data_version(tmp_path / "pq") == 1 and manifest_data_version(tmp_path) == 0


def test_a_compared_change_says_its_n_in_the_cli_and_the_api(store):
    """`trend --compare` and the API's compare carry the works at both ends and the small-n flag."""
    from fastapi.testclient import TestClient

    from collabatlas.views.web import create_app

    got = CliRunner().invoke(app, ["trend", "US", "JP", "--years", "2020-2021", "--compare", "2020,2021",
                                   "--format", "csv", "--store", str(store)])
    assert got.exit_code == 0, got.output
    assert "-100.0 %; n 1 → 0 joint works (fewer than 10 at one end" in " ".join(got.stderr.split())
    with TestClient(web_app := create_app(store)) as client:
        body = client.get("/api/trend/US/JP", params={"years": "2020-2021", "compare": "2020,2021"}).json()
    web_app.state.service.close()  # no DuckDB object left to the interpreter's exit
    assert body["compare"] == {"first": 2020, "last": 2021, "change_pct": -100.0, "n_first": 1, "n_last": 0,
                               "small_n": True}


def test_the_works_title_writes_the_figure_as_its_table_does(store):
    """`works US JP`: the figure in the title has the decimals of every table (CS 1.000, not 1.0000)."""
    got = CliRunner().invoke(app, ["works", "US", "JP", "--store", str(store)], env={"COLUMNS": "300"})
    assert got.exit_code == 0, got.output
    assert "works behind cs of US with JP = 1.000 (1 works)" in got.stdout, got.stdout[:300]
