"""``/api/collaboration`` answers from the source the CLI's ``collaboration --source`` takes: with
``source=pairs`` the country-pair table's intl_works and partner links, with its caption words — the
same rows as ``collaboration --level country --source pairs --format csv``."""

from __future__ import annotations

import csv
import io

from fastapi.testclient import TestClient
from typer.testing import CliRunner

from collabatlas.views.cli import app
from collabatlas.views.web.app import create_app
from tests.webstores import hand_store


def test_collaboration_from_the_pair_table_in_the_cli_and_the_api(tmp_path):
    store = hand_store(tmp_path / "s.duckdb", pairs=True)
    got = CliRunner().invoke(app, ["collaboration", "--level", "country", "--source", "pairs", "--years", "2021",
                                   "--format", "csv", "--store", str(store)])
    assert got.exit_code == 0, got.output
    cli = list(csv.DictReader(io.StringIO(got.stdout)))
    body = TestClient(create_app(store)).get("/api/collaboration?level=country&source=pairs&years=2021").json()
    assert body["meta"]["source"] == "pairs" and "country-pair table" in body["meta"]["counting"]
    assert body["columns"] == list(cli[0]) and "intl_works" in body["columns"]
    assert [{k: str(v) for k, v in row.items()} for row in body["rows"]] == cli
    refused = TestClient(create_app(store)).get("/api/collaboration?level=institution&source=pairs")
    assert refused.status_code == 422, refused.text
