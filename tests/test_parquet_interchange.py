"""Parquet interchange: export the store by year, import it into a new store, same metrics."""

from __future__ import annotations

import pandas as pd

import collabatlas
from collabatlas.ingest.pipeline import export_tables, ingest_tables


def test_round_trip_on_the_real_sample(shared_data, tmp_path):
    source = collabatlas.open(":memory:")
    source.ingest(shared_data / "openalex")
    rows = export_tables(source.con, tmp_path / "export")
    assert rows["works"] == source.summary()["works"] == 166
    assert any(p.name.startswith("year=") for p in (tmp_path / "export" / "works").iterdir())
    copy = collabatlas.open(":memory:")
    report = ingest_tables(copy.con, tmp_path / "export")
    assert report.works_inserted == 166
    for level in ("country", "institution", "sector"):
        for metric in ("scores", "pairs", "totals"):
            a, b = getattr(source, metric)(level=level), getattr(copy, metric)(level=level)
            pd.testing.assert_frame_equal(a, b, check_exact=False, rtol=1e-12)
    # importing the same export again changes nothing (same updated_date)
    again = ingest_tables(copy.con, tmp_path / "export")
    assert (again.works_inserted, again.works_unchanged) == (0, 166)


def test_export_and_import_commands(tmp_path):
    from typer.testing import CliRunner

    from collabatlas.views.cli import app
    from tests.conftest import work, write_jsonl

    runner = CliRunner()
    first, second = str(tmp_path / "a.duckdb"), str(tmp_path / "b.duckdb")
    records = [work("W1", [[("J1", "JP")], [("U1", "US")]], year=2019), work("W2", [[("C1", "CN")]], year=2020)]
    assert runner.invoke(app, ["ingest", str(write_jsonl(tmp_path / "w.jsonl", records)),
                               "--store", first]).exit_code == 0
    out = runner.invoke(app, ["export", str(tmp_path / "x"), "--store", first])
    assert out.exit_code == 0 and "works 2" in out.stdout
    assert sorted(p.name for p in (tmp_path / "x" / "works").iterdir()) == ["year=2019", "year=2020"]
    assert runner.invoke(app, ["import-tables", str(tmp_path / "x"), "--store", second]).exit_code == 0
    scores = runner.invoke(app, ["scores", "--format", "csv", "--store", second])
    assert scores.stdout.splitlines() == ["unit,name,count,share", "CN,China,1,1.0", "JP,Japan,1,0.5",
                                          "US,United States,1,0.5"]
