"""One source model: country-pair aggregates answer what they can and refuse the rest, never ignoring it."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

import collabatlas
from collabatlas.counting.rules import CountingError
from collabatlas.views.cli import app

from .conftest import pair_store, store_copy, work, write_jsonl

PAIRS = "year,country_a,country_b,works\n2020,JP,JP,100\n2020,JP,US,10\n2020,US,US,300\n2021,JP,US,12\n"


@pytest.fixture(scope="module")
def _built_store(tmp_path_factory):
    return pair_store(tmp_path_factory.mktemp("source-model"), PAIRS)


@pytest.fixture
def store(_built_store, tmp_path):
    """One work and the PAIRS country-pair aggregates (built once per module); each test its own copy."""
    return store_copy(_built_store, tmp_path)


REFUSED = [
    ("partners", {"window": "2020-01-01..2020-12-31"}, "--window"),
    ("partners", {"subject": "Life Sciences"}, "--subject"),
    ("partners", {"type": "article"}, "--type"),
    ("partners", {"journals": "nature-index"}, "--journals"),
    ("partners", {"report_dual": True}, "--report-dual"),
    ("partners", {"ci": 100}, "--ci"),
    ("trend", {"window_end_month": 7}, "--window-end-month"),
    ("trend", {"subject": "Life Sciences"}, "--subject"),
]


@pytest.mark.parametrize("method, options, flag", REFUSED)
def test_pairs_refuse_what_they_cannot_answer(store, method, options, flag):
    with collabatlas.open(store, read_only=True) as atlas:
        args = ("JP",) if method == "partners" else ("JP", "US")
        with pytest.raises(CountingError, match=f"{flag}: not available with --source pairs.*use --source works"):
            getattr(atlas, method)(*args, source="pairs", **options)


def test_pairs_answer_years(store):
    with collabatlas.open(store, read_only=True) as atlas:
        df = atlas.partners("JP", source="pairs", years="2020")
        assert dict(zip(df["partner"], df["joint_works"], strict=True)) == {"US": 10}
        assert list(atlas.trend("JP", "US", source="pairs", years="2020-2021")["joint_works"]) == [10, 12]


def test_cli_refuses_with_exit_2_and_titles_name_the_source(store):
    runner = CliRunner()
    refused = runner.invoke(app, ["partners", "JP", "--source", "pairs", "--window", "2020-01-01..2020-12-31",
                                  "--store", str(store)])
    assert refused.exit_code == 2 and "not available with --source pairs" in refused.output
    shown = runner.invoke(app, ["partners", "JP", "--source", "pairs", "--years", "2020", "--store", str(store)])
    assert shown.exit_code == 0 and "country-pair table" in shown.output and "full counting" in shown.output


def test_api_refuses_with_422(store):
    from fastapi.testclient import TestClient

    from collabatlas.views.web.app import create_app

    with TestClient(create_app(store)) as client:
        response = client.get("/api/partners/JP", params={"source": "pairs", "window": "2020-01-01..2020-12-31"})
        assert response.status_code == 422 and "--source pairs" in response.json()["detail"]


def test_journals_option_on_the_cli_filters_the_works(store):
    result = CliRunner().invoke(app, ["scores", "--journals", "nature-index", "--format", "csv", "--store", str(store)])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "unit,name,count,share"  # the one work has no journal: nothing is listed


def test_api_takes_a_journal_list(store):
    from fastapi.testclient import TestClient

    from collabatlas.views.web.app import create_app

    with TestClient(create_app(store)) as client:
        everything = client.get("/api/scores").json()
        listed = client.get("/api/scores", params={"journals": "nature-index"}).json()
        assert everything["meta"]["rows"] == 2 and listed["meta"]["rows"] == 0
        assert listed["meta"]["params"]["journals"] == "nature-index"
        assert client.get("/api/scores", params={"journals": "/etc/passwd"}).status_code == 422  # no server files


def test_ingest_names_ingest_pairs_for_a_country_pair_file(tmp_path, store):
    pairs = tmp_path / "pairs.csv"
    pairs.write_text(PAIRS)
    runner = CliRunner()
    result = runner.invoke(app, ["ingest", str(pairs), "--store", str(tmp_path / "other.duckdb")])
    assert result.exit_code == 2 and "collabatlas ingest-pairs" in result.output
    folder = tmp_path / "mixed"
    folder.mkdir()
    (folder / "pairs.csv").write_text(PAIRS)
    write_jsonl(folder / "w.jsonl", [work("W9", [[("I1", "JP")]])])
    result = runner.invoke(app, ["ingest", str(folder), "--store", str(tmp_path / "other.duckdb")])
    assert result.exit_code == 0 and "ingest-pairs" in result.output


def test_info_lists_the_pair_data(store):
    with collabatlas.open(store, read_only=True) as atlas:
        assert atlas.summary()["country-pair data (--source pairs)"] == ("4 rows, 2 countries, years 2020–2021 "
                                                                     "(country-pair table (ingest-pairs), retrieval "
                                                                     "date not recorded)")
