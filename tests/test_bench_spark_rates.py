"""benchmarks/bench_spark_rates.py: its DuckDB stages ingest the generated file and compute the metrics
the Spark stages compute (the Spark stages themselves run in the benchmark, not here: a Spark start
costs tens of seconds)."""

from __future__ import annotations

from benchmarks.bench_scale import METRICS
from benchmarks.bench_spark_rates import MASTERS, STAGES, inputs
from benchmarks.bench_spine import LEVELS


def test_duckdb_stages_ingest_and_count_the_generated_works(tmp_path):
    data = inputs(tmp_path, 40, 2)
    assert len(data["files"]) == 2 and inputs(tmp_path, 40, 2) == data  # cached
    spec = {"files": data["files"], "store": str(tmp_path / "s.duckdb"), "parquet": str(tmp_path / "p")}
    ingest = STAGES["duckdb_ingest"](spec)
    assert ingest["works"] == 40 and ingest["inner_s"] > 0
    assert (tmp_path / "p" / "works").is_dir()  # the export the Spark metrics would read
    metrics = STAGES["duckdb_metrics"](spec)
    assert set(metrics["rows"]) == {f"{level} {metric}" for level in LEVELS for metric in METRICS}
    assert metrics["rows"]["country totals"] > 0
    assert MASTERS == ("local[1]", "local[2]")


def test_masters_other_than_local_n_are_refused(tmp_path, capsys):
    import pytest

    from benchmarks.bench_spark_rates import main

    with pytest.raises(SystemExit) as exc:
        main(["--masters", "yarn", "--out", str(tmp_path)])
    assert exc.value.code == 2 and "only local[N]" in capsys.readouterr().err
