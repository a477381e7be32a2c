"""An option, metric, level or source an engine does not declare is refused from the declaration before
the engine is started (exit 2, the flag and the engine named): the Spark engine is never started, and
no store is opened, to be told that it cannot answer (docs/engines.md)."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from collabatlas.views.cli import app

SPARK = ["--engine", "spark", "--spark-master", "local[1]"]

# (command line, words of the refusal); each asks the Spark engine something it does not declare
REFUSED_ON_SPARK = [
    (["industry", "--country", "JP"], "--country: not available with the Spark engine"),
    (["pairs", "--indices", "salton"], "pair_indices: not available with the Spark engine"),
    (["pairs", "--source", "pairs"], "source 'pairs' on engine 'spark'"),
    (["partners", "JP", "--source", "pairs"], "source 'pairs' on engine 'spark'"),
    (["collaboration", "--level", "country", "--source", "pairs"], "source 'pairs' on engine 'spark'"),
    (["trend", "JP", "US", "--source", "pairs"], "source 'pairs' on engine 'spark'"),
    (["group", "CN", "--group", "bri", "--periods", "2015,2016", "--source", "pairs"],
     "source 'pairs' on engine 'spark'"),
]

# and the pair table on DuckDB, asked what it does not hold: refused before the store is opened
REFUSED_ON_PAIRS = [
    (["partners", "JP", "--source", "pairs", "--subject", "Chemistry"], "--subject: not available with --source pairs"),
    (["partners", "JP", "--source", "pairs", "--report-dual"], "--report-dual: not available with --source pairs"),
    (["pairs", "--source", "pairs", "--by-year"], "--by-year: not available with --source pairs"),
    (["pairs", "--source", "pairs", "--indices", "salton"], "pair_indices: not available with --source pairs"),
    (["trend", "JP", "US", "--source", "pairs", "--window-end-month", "7"],
     "--window-end-month: not available with --source pairs"),
    (["collaboration", "--level", "institution", "--source", "pairs"], "level"),
    (["group", "CN", "--group", "bri", "--periods", "2015,2016", "--source", "pairs", "--ci", "10"],
     "--ci: not available with --source pairs"),
]


@pytest.fixture
def no_engine(monkeypatch):
    """Starting Spark or opening a store fails the test: the refusal must come first."""
    import collabatlas.atlas
    import collabatlas.atlas.workflows

    def started(*args, **kwargs):
        raise AssertionError("the engine was started before the refusal")

    monkeypatch.setattr(collabatlas.atlas.workflows, "check_spark_master", started)
    monkeypatch.setattr(collabatlas.atlas.Atlas, "__init__", started)


@pytest.mark.parametrize(("argv", "words"), REFUSED_ON_SPARK + REFUSED_ON_PAIRS)
def test_refused_from_the_declaration_before_the_engine_starts(argv, words, no_engine, tmp_path):
    engine = SPARK + ["--parquet", str(tmp_path / "p")] if (argv, words) in REFUSED_ON_SPARK else []
    got = CliRunner().invoke(app, [*argv, *engine, "--store", str(tmp_path / "s.duckdb")])
    text = " ".join(got.output.split())
    assert got.exit_code == 2, text
    assert words in text, text
    assert "engine was started" not in text


def test_distance_per_partner_refuses_window_end_month(tmp_path):
    """``distance --partners`` sums every work of the span: a 12-month window end would be ignored, so it
    is refused (CLI exit 2, API 422), never applied to one table and not the other."""
    from fastapi.testclient import TestClient

    from collabatlas.views.web.app import create_app
    from tests.webstores import hand_store

    store = hand_store(tmp_path / "s.duckdb")
    got = CliRunner().invoke(app, ["distance", "JP", "--partners", "--window-end-month", "7", "--store", str(store)])
    text = " ".join(got.output.split())
    assert got.exit_code == 2 and "--window-end-month" in text and "--partners" in text, text
    assert CliRunner().invoke(app, ["distance", "JP", "--partners", "--store", str(store)]).exit_code == 0
    api = TestClient(create_app(store)).get("/api/distance/JP?partners=true&window_end_month=7")
    assert api.status_code == 422 and "--window-end-month" in api.text, api.text
