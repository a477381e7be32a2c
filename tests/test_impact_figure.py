"""The impact chart is a figure of the figure model (issue 26): the report writes its table as
``data/impact.csv``, equal to what ``impact --format csv`` prints, and every view that draws it (the
report, ``impact --chart``) states the impact's own normalisation and counting once — never the
report's "fractional counting" of Shares and CS beside a full-counting table."""

from __future__ import annotations

import json

import collabatlas
from tests.conftest import write_jsonl
from tests.test_impact import HAND_WORKS


def _store(tmp_path):
    path = tmp_path / "s.duckdb"
    with collabatlas.open(path) as atlas:
        atlas.ingest(write_jsonl(tmp_path / "w.jsonl", HAND_WORKS))
    return path


def _subtitle(spec: dict) -> list[str]:
    title = spec["title"]
    return [title["subtitle"]] if isinstance(title["subtitle"], str) else title["subtitle"]


def test_report_writes_the_impact_table_as_impact_prints_it(tmp_path):
    from typer.testing import CliRunner

    from collabatlas.views.cli import app

    store = _store(tmp_path)
    runner = CliRunner()
    got = runner.invoke(app, ["report", "--focus", "JP", "--out", str(tmp_path / "r"), "--store", str(store)])
    assert got.exit_code == 0, got.output
    csv = runner.invoke(app, ["impact", "--level", "country", "--unit", "JP", "--format", "csv", "--store", str(store)])
    assert csv.exit_code == 0, csv.output
    assert (tmp_path / "r" / "data" / "impact.csv").read_text(encoding="utf-8") == csv.stdout


def test_every_impact_chart_states_its_counting_once(tmp_path):
    from typer.testing import CliRunner

    from collabatlas.views.cli import app
    from collabatlas.views.report import build_report

    store = _store(tmp_path)
    chart = tmp_path / "impact.json"
    got = CliRunner().invoke(app, ["impact", "--unit", "JP", "--chart", str(chart), "--store", str(store)])
    assert got.exit_code == 0, got.output
    with collabatlas.open(store, read_only=True) as atlas:
        report = build_report(atlas, "JP")
        drawn = next(c for stem, c in report.all_charts() if stem == "impact")
        in_report = drawn.chart().to_dict()
    for spec in (json.loads(chart.read_text()), in_report):
        text = " ".join(_subtitle(spec))
        assert "full counting (each work counts 1; plain means)" in text, text
        assert text.count("OpenAlex normalisation") == 1, text
        assert "fractional counting" not in text, text


def test_every_distance_chart_states_the_distance_counting(tmp_path):
    """The distance bands count international works once each (and weight partner distance by CS): the
    CLI's ``distance --chart``, the report and the dashboard's chart say so with one wording, the
    ``counting`` the API's metadata gives, never the report's or the page's fractional counting."""
    from fastapi.testclient import TestClient
    from typer.testing import CliRunner

    from collabatlas.views.charts_distance import DISTANCE_COUNTING
    from collabatlas.views.cli import app
    from collabatlas.views.report import build_report
    from collabatlas.views.web.app import create_app
    from tests.webstores import hand_store

    store = hand_store(tmp_path / "geo.duckdb")
    chart = tmp_path / "distance.json"
    got = CliRunner().invoke(app, ["distance", "JP", "--chart", str(chart), "--store", str(store)])
    assert got.exit_code == 0, got.output
    with collabatlas.open(store, read_only=True) as atlas:
        drawn = next(c for stem, c in build_report(atlas, "JP").all_charts() if stem == "distance")
        in_report = drawn.chart().to_dict()
    body = TestClient(create_app(store)).get("/api/chart/distance/JP").json()
    assert body["meta"].get("counting", DISTANCE_COUNTING) == DISTANCE_COUNTING
    words = " ".join(DISTANCE_COUNTING.split())
    for spec in (json.loads(chart.read_text()), in_report, body["spec"]):
        text = " ".join(" ".join(_subtitle(spec)).split())
        assert words in text, text
        assert "fractional counting, strict" not in text and "full counting of works; CS fractional" not in text
