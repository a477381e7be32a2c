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
