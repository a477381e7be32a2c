"""`sync --engine spark` (issue 31): a Parquet interchange folder brought up to date on Spark local[2]
from a newer snapshot equals a fresh Spark build of the whole snapshot (every table: rows, keys,
values), reads only the partitions newer than the watermark kept in the folder, applies merged_ids,
rewrites only the year partitions touched, and never moves the watermark past a partition with a
damaged part file."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

import collabatlas
from collabatlas.ingest.pipeline import export_tables
from collabatlas.views.cli import app
from tests.conftest import work
from tests.spark_support import KEYS, MASTER, assert_same_tables, require_spark, small_data_settings  # noqa: F401 - autouse fixture

require_spark()

pytestmark = pytest.mark.spark


def partition(root: Path, day: str, records: list, extra_lines: tuple[str, ...] = ()) -> Path:
    folder = root / "works" / f"updated_date={day}"
    folder.mkdir(parents=True, exist_ok=True)
    lines = [json.dumps(r) for r in records] + list(extra_lines)
    path = folder / "part_000.gz"
    with gzip.open(path, "wt") as f:
        f.write("\n".join(lines) + "\n")
    return path


def merged(root: Path, day: str, rows: list[tuple[str, str]]) -> None:
    folder = root / "merged_ids" / "works"
    folder.mkdir(parents=True, exist_ok=True)
    with gzip.open(folder / f"{day}.csv.gz", "wt") as f:
        f.write("merge_date,id,merge_into_id\n" + "".join(f"{day},{a},{b}\n" for a, b in rows))


def first_snapshot(root: Path) -> None:
    partition(root, "2024-01-01", [
        work("W1", [[("I1", "JP")], [("I2", "US")]], year=2019, updated="2024-01-01T00:00:00"),
        work("W2", [[("I3", "CN")], [("I1", "JP")]], year=2020, updated="2024-01-01T00:00:00"),
        work("W3", [[("I1", "JP")]], year=2018, updated="2024-01-01T00:00:00"),
        work("W4", [[("I4", "DE")], [("I5", "FR")]], year=2017, updated="2024-01-01T00:00:00"),
        work("W9", [[("I2", "US")]], year=2016, updated="2024-01-01T00:00:00"),
    ])
    merged(root, "2024-01-01", [("W9", "W1")])  # a record of the input merged away


def second_partition(root: Path) -> None:
    newer_w1 = work("W1", [[("I1", "JP")], [("I2", "US")], [("I6", "GB")]], year=2021, updated="2024-02-01T00:00:00")
    newer_w1["authorships"][0]["institutions"][0]["display_name"] = "Renamed I1"
    partition(root, "2024-02-01", [
        newer_w1,  # replaces W1 and moves it from 2019 to 2021
        work("W2", [[("I3", "CN")]], year=2020, updated="2023-01-01T00:00:00"),  # older than stored: kept
        work("W5", [[("I3", "CN")], [("I2", "US")]], year=2020, updated="2024-02-01T00:00:00"),
        work("W9", [[("I2", "US")]], year=2016, updated="2024-02-01T00:00:00"),  # merged away earlier: skipped
        work("W8", [[("I5", "FR")], [("I1", "JP")]], year=None, updated="2024-02-01T00:00:00"),  # no year
    ])
    merged(root, "2024-02-01", [("W4", "W3"), ("W7", "W7")])  # a stored work merged away; a self-merge refused


def files_of(folder: Path) -> dict[str, float]:
    return {str(p.relative_to(folder)): p.stat().st_mtime_ns for p in folder.rglob("*") if p.is_file()}


def sync(snapshot: Path, out: Path):
    from collabatlas.engines.spark import SparkSettings
    from collabatlas.engines.spark_sync import sync_to_parquet

    return sync_to_parquet(snapshot, out, SparkSettings.from_env(MASTER))


def test_spark_sync_equals_a_fresh_spark_build(tmp_path):
    snapshot, grown, fresh = tmp_path / "snapshot", tmp_path / "grown", tmp_path / "fresh"
    first_snapshot(snapshot)
    first = sync(snapshot, grown)
    assert first.partitions == ["2024-01-01"] and first.records_merged_away == 1
    assert first.works_added == 4 and first.watermarks_after["works"] == "2024-01-01"
    assert sorted(first.years_rewritten) == ["2017", "2018", "2019", "2020"]
    untouched = files_of(grown / "works" / "year=2018")
    second_partition(snapshot)
    runner = CliRunner()  # the second sync through the CLI
    got = runner.invoke(app, ["sync", str(snapshot), "--engine", "spark", "--spark-master", MASTER,
                              "--parquet", str(grown), "--json"])
    assert got.exit_code == 0, got.output
    second = json.loads(got.stdout)
    assert second["partitions"] == ["2024-02-01"] and second["files"] == 1  # only the newer partition
    assert (second["works_added"], second["works_replaced"], second["works_kept"], second["works_merged_away"],
            second["records_merged_away"]) == (2, 1, 1, 1, 1)
    assert second["merged_ids_refused"] == {"merged into itself (refused: the work would vanish)": 1}
    assert sorted(second["years_rewritten"]) == ["2017", "2019", "2020", "2021", "none"]
    assert second["watermarks_after"]["works"] == "2024-02-01" and second["watermarks_after"]["merged"] == "2024-02-01"
    assert files_of(grown / "works" / "year=2018") == untouched  # a year not touched is not rewritten
    assert not (grown / "works" / "year=2019").exists() and not (grown / "works" / "year=2017").exists()

    rebuilt = sync(snapshot, fresh)  # the whole snapshot at once
    assert rebuilt.partitions == ["2024-01-01", "2024-02-01"]
    rows = assert_same_tables(grown, fresh)
    assert rows == {"works": 5, "authorships": 10, "affiliations": 10, "author_countries": 10, "institutions": 6}
    assert json.loads((grown / "_collabatlas_spark_sync.json").read_text()) == json.loads(
        (fresh / "_collabatlas_spark_sync.json").read_text())

    # the DuckDB sync of the same snapshot holds the same works (every partitioned table)
    duck = collabatlas.open(":memory:")
    duck.sync(snapshot)
    export_tables(duck.con, tmp_path / "duck")
    duck.close()
    assert_same_tables(grown, tmp_path / "duck", tables=[t for t in KEYS if t != "institutions"])

    # idempotent: nothing newer, nothing changes (and Spark is not started)
    before = files_of(grown)
    again = sync(snapshot, grown)
    assert not again.changed and again.files == 0 and files_of(grown) == before
    # import-tables reads the folder
    store = collabatlas.open(":memory:")
    assert store.import_tables(grown).works_inserted == 5
    store.close()


def test_spark_sync_watermark_stops_before_a_damaged_partition(tmp_path):
    snapshot, out = tmp_path / "snapshot", tmp_path / "out"
    first_snapshot(snapshot)
    good = work("W6", [[("I1", "JP")], [("I4", "DE")]], year=2022, updated="2024-03-01T00:00:00")
    part = partition(snapshot, "2024-03-01", [good], extra_lines=("{not json",))
    result = sync(snapshot, out)
    assert result.damaged_files == {str(part): 1}
    assert result.watermarks_after["works"] == "2024-01-01"  # not past the partition read with damage
    assert "watermark stops before" in result.summary()
    partition(snapshot, "2024-03-01", [good])  # repaired
    again = sync(snapshot, out)
    assert again.partitions == ["2024-03-01"] and not again.damaged_files
    assert again.watermarks_after["works"] == "2024-03-01" and again.works_replaced == 1
    assert sorted(again.years_rewritten) == ["2022"]
    runner = CliRunner()
    refused = runner.invoke(app, ["sync", str(snapshot), "--engine", "spark", "--store", str(tmp_path / "x.duckdb"),
                                  "--parquet", str(out)])
    assert refused.exit_code == 2 and "--store does not apply" in refused.output


def test_spark_sync_refusals_before_spark_starts(tmp_path):
    """Options that do not apply, and folders a sync must not touch, are refused (exit 2) before Spark starts."""
    snapshot = tmp_path / "snapshot"
    first_snapshot(snapshot)
    runner = CliRunner()
    for args, message in (([], "pass --parquet OUT"),
                          (["--parquet", str(tmp_path / "p")], None)):
        engine = ["--engine", "spark"] if message else []
        got = runner.invoke(app, ["sync", str(snapshot), *engine, *args])
        assert got.exit_code == 2, got.output
        assert (message or "apply with --engine spark") in got.output
    other = tmp_path / "other"
    other.mkdir()
    (other / "notes.txt").write_text("mine")
    interrupted = tmp_path / "interrupted"
    interrupted.mkdir()
    (interrupted / "_collabatlas_export.json").write_text(json.dumps({"complete": False, "rows": {}}))
    for folder, message in ((other, "not an interchange folder"), (interrupted, "did not finish")):
        got = runner.invoke(app, ["sync", str(snapshot), "--engine", "spark", "--parquet", str(folder)])
        assert got.exit_code == 2 and message in got.output, got.output
    assert (other / "notes.txt").read_text() == "mine" and not (other / "_sync_tmp").exists()
