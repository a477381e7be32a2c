"""The ingest on Spark (issue 31): OpenAlex works JSON read by Spark local[2] into the Parquet
interchange tables equal the tables `collabatlas export` writes after a DuckDB ingest of the same
files, and the metrics read from them are DuckDB's. Two Spark ingests in all (a Spark start and a
five-table write cost tens of seconds on a 2-core machine)."""

from __future__ import annotations

import gzip
import json

import duckdb
import pytest
from typer.testing import CliRunner

import collabatlas
from collabatlas.ingest.pipeline import export_tables
from collabatlas.sources.record import REASONS
from collabatlas.views.cli import app
from tests.conftest import work
from tests.spark_support import (  # noqa: F401 - small_data_settings: autouse fixture
    MASTER,
    assert_same_tables,
    require_spark,
    small_data_settings,
    table,
)

require_spark()

pytestmark = pytest.mark.spark


@pytest.mark.realdata
def test_spark_ingest_of_the_real_sample_equals_the_duckdb_export(shared_data, tmp_path):
    """MUST SHOW (issue 31): `ingest --engine spark --parquet P` then `pairs --level country --engine
    spark --parquet P --format csv` prints what DuckDB prints after an ingest of the same files."""
    sources = [str(shared_data / "openalex" / "works_api_sample.jsonl.gz"),
               str(shared_data / "openalex" / "snapshot_sample" / "works")]
    runner = CliRunner()
    store, spark_dir, duck_dir = str(tmp_path / "d.duckdb"), tmp_path / "spark", tmp_path / "duck"
    got = runner.invoke(app, ["ingest", *sources, "--engine", "spark", "--spark-master", MASTER,
                              "--parquet", str(spark_dir), "--json"])
    assert got.exit_code == 0, got.output
    assert runner.invoke(app, ["ingest", *sources, "--store", store]).exit_code == 0
    assert runner.invoke(app, ["export", str(duck_dir), "--store", store]).exit_code == 0
    rows = assert_same_tables(spark_dir, duck_dir)
    assert rows["works"] == 166 and rows["authorships"] == 404
    assert any(p.name.startswith("year=") for p in (spark_dir / "works").iterdir())
    for level in ("country", "institution"):
        expected = runner.invoke(app, ["pairs", "--level", level, "--format", "csv", "--store", store])
        spark = runner.invoke(app, ["pairs", "--level", level, "--format", "csv", "--engine", "spark",
                                    "--spark-master", MASTER, "--parquet", str(spark_dir)])
        assert expected.exit_code == 0 and len(expected.stdout.splitlines()) > 10
        assert spark.exit_code == 0, spark.output
        assert spark.stdout == expected.stdout, level
    # Shares to 1e-9 on the country scores, and import-tables reads the Spark folder into a store
    duck = collabatlas.open(store, read_only=True)
    copy = collabatlas.open(":memory:")
    try:
        assert copy.import_tables(spark_dir).works_inserted == 166
        a, b = duck.scores(level="country"), copy.scores(level="country")
        assert list(a["unit"]) == list(b["unit"])
        assert (abs(a["share"] - b["share"]) <= 1e-9).all()
    finally:
        copy.close()
        duck.close()


def test_spark_ingest_rules_on_a_hand_built_file(tmp_path):
    """Dedupe (newest updated_date wins), the contract's skips in order, a damaged line counted, an
    author without institutions keeps the countries; the same tables as the DuckDB path writes."""
    older = work("W1", [[("I1", "JP")]], year=2019, updated="2023-01-01T00:00:00")
    older["authorships"][0]["institutions"][0]["display_name"] = "Old name"
    newer = work("W1", [[("I1", "JP")], [("I2", "US")]], year=2019, updated="2024-01-01T00:00:00")
    records = [older, work("W2", [], year=2020), {**work("W3", [[("I3", "CN")]]), "id": None},
               {**work("W4", [[("I3", "CN")]]), "id": "not an id"}, work("W5", [[("I3", "CN")]], year=3000,
                                                                           date="3000-01-01"),
               work("W6", [{"countries": ["fr", "XX"]}, [("I3", "cn")]], year=2021, doi="doi:10.5/ABC"), newer]
    lines = [json.dumps(r) for r in records]
    lines.insert(3, "{not json")
    source = tmp_path / "w.jsonl.gz"
    with gzip.open(source, "wt") as f:
        f.write("\n".join(lines) + "\n")
    from collabatlas.engines.spark import SparkSettings
    from collabatlas.engines.spark_ingest import ingest_to_parquet

    result = ingest_to_parquet([source], tmp_path / "spark", SparkSettings.from_env(MASTER))
    assert result.records_read == 8 and result.damaged == 1 and result.superseded == 1
    assert result.skipped == {REASONS["no-authors"]: 1, REASONS["no-id"]: 1, REASONS["bad-id"]: 1,
                              REASONS["year-range"]: 1}
    assert result.rows == {"works": 2, "authorships": 4, "affiliations": 3, "author_countries": 4,
                           "institutions": 3}
    con = duckdb.connect()
    name = con.execute(f"SELECT name FROM {table(con, tmp_path / 'spark', 'institutions')} "
                       "WHERE institution_id = 'I1'").fetchone()[0]
    assert name == "Institution I1"  # the copy in the newest work
    countries = con.execute(f"SELECT list(country_code ORDER BY author_position) FROM "
                            f"{table(con, tmp_path / 'spark', 'author_countries')} WHERE work_id = 'W6'").fetchone()[0]
    assert countries == ["FR", "CN"]
    # the DuckDB path on the good lines writes the same tables
    good = tmp_path / "good.jsonl"
    good.write_text("\n".join(line for line in lines if line != "{not json") + "\n")
    duck = collabatlas.open(":memory:")
    duck.ingest(good)
    export_tables(duck.con, tmp_path / "duck")
    duck.close()
    assert_same_tables(tmp_path / "spark", tmp_path / "duck")
