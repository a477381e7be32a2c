"""The caveats of a result reach every view: a date window (``window``, ``window_end_month``) leaves out
the records without a publication date, and the CLI says how many; the API says it too (``meta.notes``),
for every table endpoint and for the distance table, and so does ``distance --window-end-month``."""

from __future__ import annotations

from fastapi.testclient import TestClient
from typer.testing import CliRunner

import collabatlas
from collabatlas.views.cli import app
from collabatlas.views.web.app import create_app
from tests.conftest import work, write_jsonl

UNDATED = "1 of 3 OpenAlex records have no publication date: outside every window"


def _store(tmp_path):
    jp, us = ("I1", "JP"), ("I2", "US")
    records = [work("W1", [[jp], [us]], year=2020, date="2020-03-01"),
               work("W2", [[jp], [us]], year=2020, date="2020-09-01"),
               work("W3", [[jp], [us]], year=2020)]
    del records[2]["publication_date"]
    path = tmp_path / "s.duckdb"
    with collabatlas.open(path) as atlas:
        atlas.ingest(write_jsonl(tmp_path / "w.jsonl", records))
    return path


def _notes(body: dict) -> str:
    return " ".join(body["meta"].get("notes") or [])


def test_the_undated_caveat_in_the_cli_and_the_api(tmp_path):
    store = _store(tmp_path)
    client = TestClient(create_app(store))
    window = "2020-01-01..2020-12-31"
    for url in (f"/api/scores?level=country&window={window}", f"/api/partners/JP?window={window}",
                f"/api/pairs?level=country&window={window}", "/api/trend/JP/US?window_end_month=7",
                "/api/distance/JP?window_end_month=7"):
        body = client.get(url).json()
        assert UNDATED in _notes(body), (url, body.get("meta"))
    assert UNDATED not in _notes(client.get("/api/scores?level=country&years=2020").json())  # no window: no caveat
    for argv in (["scores", "--window", window], ["trend", "JP", "US", "--window-end-month", "7"],
                 ["distance", "JP", "--window-end-month", "7"]):
        got = CliRunner().invoke(app, [*argv, "--format", "csv", "--store", str(store)])
        assert got.exit_code == 0 and UNDATED in " ".join(got.output.split()), (argv, got.output)


def test_distance_says_in_the_cli_what_the_api_says(tmp_path):
    """With no geocoded institution, the API said why no distance can be measured (and the definition);
    the CLI printed rows of zeros without a word. Now both give the same caveats."""
    store = _store(tmp_path)
    client = TestClient(create_app(store))
    for args, url in ((["distance", "JP"], "/api/distance/JP"),
                      (["distance", "JP", "--partners"], "/api/distance/JP?partners=true")):
        meta = client.get(url).json()["meta"]
        said = [*meta["notes"], meta["note"]]
        assert any("cannot be computed" in n for n in said)
        got = CliRunner().invoke(app, [*args, "--format", "csv", "--store", str(store)])
        notes = [line[len("note: "):] for line in got.stderr.splitlines() if line.startswith("note: ")]
        assert got.exit_code == 0 and notes == said, (notes, said)
