"""Per-core rates of the Spark path beside DuckDB's, in the same run: `ingest --engine spark` and the
metrics on Spark ``local[1]`` and ``local[2]``, the DuckDB ingest and the same metrics on DuckDB.

    python -m benchmarks.bench_spark_rates                      # 10k works in 2 gzip parts
    python -m benchmarks.bench_spark_rates --works 40k --parts 4
    python -m benchmarks.bench_spark_rates --works 2500 --masters 'local[2]'   # a second size: the slope

The input: ``--works`` synthetic OpenAlex works (:mod:`benchmarks.synth`, default profile, seeded) as
``--parts`` gzip JSON Lines files (gzip does not split: one Spark read task per file, so use at least
as many parts as cores), cached in ``--out``. Each stage runs in its own child process, one after the
other (:func:`benchmarks.bench_scale.child_stage`):

* **duckdb ingest** — ``Atlas.ingest`` of the files into a new store (end to end), then ``export``
  of the interchange tables (the metrics' Spark input, so both engines compute the same data);
* **duckdb metrics** — scores, pairs and totals at every level on the store;
* **spark ingest local[N]** — :func:`collabatlas.engines.spark_ingest.ingest_to_parquet`; the Spark
  session is started first and timed apart (a fixed cost per run, not per work);
* **spark metrics local[N]** — the same metrics on Spark from that ingest's folder (session apart).

The rate of a stage is works / seconds, per core works / (seconds × cores). The machine may be
shared: the load average (``uptime``'s first figure) before and after each stage is printed with it.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import time
from pathlib import Path

from benchmarks import synth
from benchmarks.bench_scale import METRICS, answer_stage, parse_size, run_stage_or_raise
from benchmarks.bench_spine import LEVELS

SEED = 20261207
MASTERS = ("local[1]", "local[2]")


def _metrics(atlas) -> dict:
    rows = {}
    for level in LEVELS:
        for metric in METRICS:
            rows[f"{level} {metric}"] = len(getattr(atlas, metric)(level=level))
    return rows


def _stage_duckdb_ingest(spec: dict) -> dict:
    import collabatlas
    from collabatlas.ingest.pipeline import export_tables

    store = Path(spec["store"])
    store.unlink(missing_ok=True)
    with collabatlas.open(store) as atlas:
        started = time.perf_counter()
        report = atlas.ingest(*spec["files"])
        seconds = time.perf_counter() - started
        shutil.rmtree(spec["parquet"], ignore_errors=True)
        export_tables(atlas.con, spec["parquet"])
    return {"inner_s": seconds, "works": report.works_inserted}


def _stage_duckdb_metrics(spec: dict) -> dict:
    import collabatlas

    with collabatlas.open(spec["store"], read_only=True) as atlas:
        started = time.perf_counter()
        rows = _metrics(atlas)
        return {"inner_s": time.perf_counter() - started, "rows": rows}


def _settings(master: str):
    from collabatlas.engines.spark import SparkSettings

    return SparkSettings.from_env(master)


def _stage_spark_ingest(spec: dict) -> dict:
    from collabatlas.engines.spark import spark_session
    from collabatlas.engines.spark_ingest import ingest_to_parquet

    shutil.rmtree(spec["parquet"], ignore_errors=True)
    settings = _settings(spec["master"])
    started = time.perf_counter()
    spark_session(settings)  # the session, started apart: a fixed cost
    session = time.perf_counter() - started
    started = time.perf_counter()
    result = ingest_to_parquet(spec["files"], spec["parquet"], settings)
    return {"inner_s": time.perf_counter() - started, "session_s": session, "works": result.rows["works"]}


def _stage_spark_metrics(spec: dict) -> dict:
    import collabatlas

    started = time.perf_counter()
    atlas = collabatlas.open_spark(spec["parquet"], master=spec["master"])
    atlas.totals(level="country")  # the session and a first query: a fixed cost
    session = time.perf_counter() - started
    try:
        started = time.perf_counter()
        rows = _metrics(atlas)
        return {"inner_s": time.perf_counter() - started, "session_s": session, "rows": rows}
    finally:
        atlas.close()


STAGES = {"duckdb_ingest": _stage_duckdb_ingest, "duckdb_metrics": _stage_duckdb_metrics,
          "spark_ingest": _stage_spark_ingest, "spark_metrics": _stage_spark_metrics}


def inputs(out: Path, n: int, parts: int) -> dict:
    """``parts`` gzip files of ``n`` works in all (cached by size, parts and seed)."""
    folder = out / f"works-{n}-{parts}-{SEED}"
    meta = folder / "meta.json"
    if not meta.exists():
        print(f"generating {n:,} works as {parts} gzip JSON Lines files in {folder} (cached)", flush=True)
        files, raw = synth.write_jsonl_gz(folder / "works", n, SEED, parts=parts)
        meta.write_text(json.dumps({"files": [str(f) for f in files], "json_bytes": raw}))
    return json.loads(meta.read_text())


def _load() -> float:
    return os.getloadavg()[0]


def run(out: Path, n: int, parts: int, masters: tuple[str, ...] = MASTERS) -> list[dict]:
    data = inputs(out, n, parts)
    gz = sum(Path(f).stat().st_size for f in data["files"])
    print(f"{n:,} works, {data['json_bytes'] / n / 1e3:.1f} KB of JSON each, {parts} gzip files, "
          f"{gz / 1e6:.1f} MB in all; machine: {os.cpu_count()} cores", flush=True)
    plan = [("duckdb ingest", "duckdb_ingest", None, None), ("duckdb metrics", "duckdb_metrics", None, None)]
    for master in masters:
        plan += [(f"spark ingest {master}", "spark_ingest", master, int(master[6:-1])),
                 (f"spark metrics {master}", "spark_metrics", master, int(master[6:-1]))]
    rows = []
    for label, stage, master, cores in plan:
        before = _load()
        parquet = str(out / ("duckdb-parquet" if master is None else f"spark-parquet-{cores}"))
        spec = {"stage": stage, "out": str(out), "files": data["files"], "store": str(out / "rates.duckdb"),
                "parquet": parquet if stage != "spark_metrics" else str(out / f"spark-parquet-{cores}")}
        if master:
            spec["master"] = master
        result = run_stage_or_raise("benchmarks.bench_spark_rates", spec)
        cores = cores or os.cpu_count() or 1
        row = {"stage": label, "cores": cores, "works": n, "inner_s": result["inner_s"],
               "session_s": result.get("session_s"), "wall_s": result["seconds"],
               "works_per_s": n / result["inner_s"], "works_per_s_core": n / result["inner_s"] / cores,
               "load_before": before, "load_after": _load(), "rows": result.get("rows")}
        rows.append(row)
        session = f", session {row['session_s']:.1f} s apart" if row["session_s"] is not None else ""
        print(f"{label:24} {row['inner_s']:8.1f} s{session} ({row['wall_s']:.1f} s child wall): "
              f"{row['works_per_s']:9.0f} works/s, {row['works_per_s_core']:9.0f} works/s per core "
              f"[{cores} core{'s' if cores > 1 else ''}; load average {before:.1f} → {row['load_after']:.1f}]",
              flush=True)
    (out / f"spark_rates-{n}.json").write_text(json.dumps(rows, indent=1))
    return rows


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.bench_spark_rates", description=__doc__.split("\n")[0])
    ap.add_argument("--works", default="10k", help="works in all (default 10k)")
    ap.add_argument("--parts", type=int, default=2, help="gzip files (default 2: one read task per core)")
    ap.add_argument("--masters", default=",".join(MASTERS), help="Spark masters, comma-separated "
                    "(default local[1],local[2])")
    ap.add_argument("--out", type=Path, default=Path("bench-out/spark-rates"))
    ap.add_argument("--stage", help=argparse.SUPPRESS)  # internal: run one stage (a child process)
    args = ap.parse_args(argv)
    if args.stage:
        answer_stage(args.stage, STAGES)
        return
    args.out.mkdir(parents=True, exist_ok=True)
    masters = tuple(m.strip() for m in args.masters.split(",") if m.strip())
    bad = [m for m in masters if not (m.startswith("local[") and m[6:-1].isdigit() and m.endswith("]"))]
    if bad:
        ap.error(f"--masters: {', '.join(bad)}: only local[N] (the per-core rate needs the number of cores)")
    run(args.out, parse_size(args.works), args.parts, masters)


if __name__ == "__main__":
    main()
