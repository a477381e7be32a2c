"""The landscape answers with the same caveats in every view: the API gives the notes (countries left
out, groups not fitted), the caption (what a point is, which fit) and the counting the CLI's JSON gives,
and the counting named by the API's metadata and by the chart is the landscape's own — works and
internationally co-authored works counted whole — never the "fractional counting" of Shares and CS."""

from __future__ import annotations

import json

from fastapi.testclient import TestClient
from typer.testing import CliRunner

from collabatlas.views.cli import app
from collabatlas.views.web.app import create_app
from tests.webstores import hand_store


def test_cli_api_and_chart_give_the_same_landscape_caveats(tmp_path):
    store = hand_store(tmp_path / "s.duckdb")
    got = CliRunner().invoke(app, ["landscape", "--year", "2020", "--min-works", "2", "--format", "json",
                                   "--store", str(store)])
    assert got.exit_code == 0, got.output
    cli = json.loads(got.stdout)
    client = TestClient(create_app(store))
    api = client.get("/api/landscape?year=2020&min_works=2").json()
    for key in ("notes", "caption", "per", "fit_kind", "counting"):
        assert key in cli and api.get(key) == cli[key], (key, api.get(key), cli.get(key))
    assert cli["notes"], cli  # CN and US have one work in 2020: left out, and it says so
    assert api["meta"]["counting"] == cli["counting"] and "fractional" not in cli["counting"]
    spec = client.get("/api/chart/landscape?year=2020").json()["spec"]
    subtitle = " ".join(" ".join(spec["title"]["subtitle"]).split())
    assert " ".join(cli["counting"].split()) in subtitle and "fractional counting" not in subtitle, subtitle
