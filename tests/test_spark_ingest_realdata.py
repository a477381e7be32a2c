"""Parity of the Spark ingest with the DuckDB ingest on every real OpenAlex works file of
../shared/data (issue 31): `ingest FILE --engine spark --spark-master local[2] --parquet P` writes the
interchange tables `export` writes after a DuckDB ingest of the same file (row counts, keys, every
value), `pairs --level country --engine spark --parquet P --format csv` prints byte for byte what the
DuckDB store prints, the country Shares agree to 1e-9, and `profile` on Spark equals DuckDB's."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from typer.testing import CliRunner

import collabatlas
from collabatlas.views.cli import app
from tests.conftest import shared_data_dir
from tests.spark_support import (  # noqa: F401 - small_data_settings: autouse fixture
    MASTER,
    assert_same_tables,
    require_spark,
    small_data_settings,
)
from tests.test_spark_analyses import assert_close

require_spark()

pytestmark = [pytest.mark.spark, pytest.mark.realdata]

#: every real OpenAlex works file: the API sample, each extra file, the snapshot's works part
EXTRA = sorted(f"openalex_extra/{p.name}" for p in (shared_data_dir() / "openalex_extra").glob("*.jsonl.gz"))
REAL_FILES = ["openalex/works_api_sample.jsonl.gz",
              *(EXTRA or ["openalex_extra/works_api_sample_biodiversity_200.jsonl.gz"]),
              "openalex/snapshot_sample/works/updated_date=2023-05-16/part_000.gz"]
#: what the DuckDB ingest stores of each (a change here is a change of the data or of a rule); the
#: snapshot's works part holds 27 works, all without authorships (skipped by both engines)
WORKS = {"openalex/works_api_sample.jsonl.gz": 166,
         "openalex_extra/works_api_sample_biodiversity_200.jsonl.gz": 196,
         "openalex/snapshot_sample/works/updated_date=2023-05-16/part_000.gz": 0}


@pytest.mark.parametrize("name", REAL_FILES)
def test_spark_ingest_equals_duckdb_on_each_real_file(shared_data, tmp_path, name):
    source = shared_data / name
    assert source.is_file() and name in WORKS, source
    runner = CliRunner()
    store, spark_dir, duck_dir = str(tmp_path / "d.duckdb"), tmp_path / "spark", tmp_path / "duck"
    got = runner.invoke(app, ["ingest", str(source), "--engine", "spark", "--spark-master", MASTER,
                              "--parquet", str(spark_dir), "--json"])
    assert got.exit_code == 0, got.output
    assert runner.invoke(app, ["ingest", str(source), "--store", store]).exit_code == 0
    assert runner.invoke(app, ["export", str(duck_dir), "--store", store]).exit_code == 0
    rows = assert_same_tables(spark_dir, duck_dir)  # every table: columns, row counts, keys, values
    assert rows["works"] == WORKS[name] and rows["authorships"] >= rows["works"]
    duck_report = json.loads(runner.invoke(app, ["ingest", str(source), "--store", str(tmp_path / "e.duckdb"),
                                                 "--json"]).stdout)
    assert json.loads(got.stdout)["skipped"] == duck_report["skipped"]  # the same records skipped, same reasons
    if rows["works"] == 0:  # the snapshot's part: every work without authorships, nothing to count
        return
    spark = ["--engine", "spark", "--spark-master", MASTER, "--parquet", str(spark_dir)]
    expected = runner.invoke(app, ["pairs", "--level", "country", "--format", "csv", "--store", store])
    pairs = runner.invoke(app, ["pairs", "--level", "country", "--format", "csv", *spark])
    assert expected.exit_code == 0 and pairs.exit_code == 0, pairs.output
    assert pairs.stdout == expected.stdout  # byte for byte
    duck = collabatlas.open(store, read_only=True)
    copy = collabatlas.open(":memory:")
    try:
        assert copy.import_tables(spark_dir).works_inserted == rows["works"]
        a, b = duck.scores(level="country"), copy.scores(level="country")
        assert list(a["unit"]) == list(b["unit"])
        assert (abs(a["share"] - b["share"]) <= 1e-9).all()
        institution_pairs = duck.pairs(level="institution")
    finally:
        copy.close()
        duck.close()
    if len(institution_pairs):  # profile: the institution with the most partners
        counts = pd.concat([institution_pairs["unit_a"], institution_pairs["unit_b"]]).value_counts()
        command = ["profile", str(counts.index[0]), "--top", "3", "--format", "json"]
        a = runner.invoke(app, [*command, "--store", store])
        b = runner.invoke(app, [*command, *spark])
        assert a.exit_code == 0, a.output
        assert b.exit_code == 0, b.output
        assert_close(json.loads(a.stdout), json.loads(b.stdout), "profile")
