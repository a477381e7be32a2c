"""``/api/indicators`` gives the collaboration indicators of ``collabatlas indicators`` (Leiden Ranking
style): the same rows as ``--format csv`` and, as ``meta.notes``, the caveat the CLI prints (counting,
institutions without coordinates, works whose distance is unknown)."""

from __future__ import annotations

import csv
import io

from fastapi.testclient import TestClient
from typer.testing import CliRunner

from collabatlas.views.cli import app
from collabatlas.views.web.app import create_app
from tests.webstores import hand_store


def test_indicators_in_the_cli_and_the_api(tmp_path):
    store = hand_store(tmp_path / "s.duckdb")
    for counting in ("full", "fractional"):
        got = CliRunner().invoke(app, ["indicators", "--level", "country", "--counting", counting, "--years",
                                       "2019-2021", "--format", "csv", "--store", str(store)])
        assert got.exit_code == 0, got.output
        cli = list(csv.DictReader(io.StringIO(got.stdout)))
        body = TestClient(create_app(store)).get(
            f"/api/indicators?level=country&counting={counting}&years=2019-2021").json()
        assert body["columns"] == list(cli[0])
        assert [{k: "" if v is None else str(v) for k, v in row.items()} for row in body["rows"]] == cli
        assert any("without coordinates" in note for note in body["meta"]["notes"]), body["meta"]
    bad = TestClient(create_app(store)).get("/api/indicators?level=country&counting=half")
    assert bad.status_code == 422
