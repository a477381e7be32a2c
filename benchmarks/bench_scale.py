"""Scale benchmark: time and memory against the number of works and the share of mega-author works,
for DuckDB, Spark (local mode) and the pandas baseline side by side, and a projection to the full
OpenAlex snapshot from the measured per-stage rates.

    python -m benchmarks.bench_scale                                  # N = 100k, 1M; mega 0, 0.1 %, 1 %
    python -m benchmarks.bench_scale --sizes 1M,10M --mega-shares 0,0.0003,0.001,0.01
    python -m benchmarks.bench_scale --sizes 20k --mega-shares 0 --spark-max 20k   # a smoke run
    python -m benchmarks.bench_scale --project bench-out/scale/results.json         # projection only

For every N and mega-author share (works with 500-3,000 authors, see ``benchmarks.synth``), with the
calibrated generator profile (``benchmarks/calibration.json``):

1. generate N works as gzip JSON Lines and as the same works' store tables in Parquet (seeded,
   cached under ``--out``; generation is not measured);
2. ingest the JSON Lines into a fresh DuckDB store (works/s, MB/s of JSON and of gzip);
3. all country + institution metrics (unit shares, scores, pairs, totals) on DuckDB;
4. the same metrics on Spark ``--spark-master`` (default ``local[2]``) reading the store's Parquet
   export (export timed separately), when ``collabatlas.engines.spark`` and pyspark are importable;
5. country + institution scores and pairs with pandas (``benchmarks.pandas_baseline``).

Every stage runs in its own child process; the wall time and the peak resident memory of the child's
whole process tree (the Spark JVM included) are measured from outside. The pair workload is counted
too: Σ n(n-1)/2 author pairs against Σ k(k-1)/2 distinct-unit pairs per work, since pairs are built
from the distinct units of a work, never from its authors. Results: a Rich table and
``OUT/results.json``; the projection (:func:`projection`) is printed from that JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import psutil
from rich.console import Console
from rich.table import Table

from benchmarks import synth
from benchmarks.bench_spine import LEVELS, PeakRss

console = Console(width=140)
METRICS = ("scores", "pairs", "totals")
SNAPSHOT = {"works": 270e6, "gzip_gb": 330.0}
"""The full OpenAlex works snapshot the projection is for (about 270M works, 330 GB of gzip JSON)."""


# ---------------------------------------------------------------------------------------------
# Measuring a child process from outside
# ---------------------------------------------------------------------------------------------
class TreeRss(PeakRss):
    """Peak summed resident set size of process ``pid`` and all its descendants (a JVM included)."""

    def __init__(self, pid: int):
        super().__init__()
        self.proc = psutil.Process(pid)
        self.peak = 0

    def _tree_rss(self) -> int:
        total = 0
        try:
            procs = [self.proc, *self.proc.children(recursive=True)]
        except psutil.NoSuchProcess:
            return 0
        for p in procs:
            try:
                total += p.memory_info().rss
            except psutil.NoSuchProcess:
                pass
        return total

    def _run(self):
        while not self._stop.wait(0.02):
            self.peak = max(self.peak, self._tree_rss())

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()


def child_stage(module: str, spec: dict, timeout: float | None = None) -> dict:
    """Run one stage (``spec["stage"]``) of the benchmark ``module`` (``python -m module --stage SPEC``) in
    a child process: its result plus ``seconds`` (wall time of the whole child, interpreter start
    included) and ``peak_rss_gb`` of its process tree; a failed child gives ``error`` (its last line) and
    ``output`` instead of a result. The one way every benchmark here measures a stage from outside."""
    result_file = Path(spec["out"]) / f".stage-{os.getpid()}.json"
    result_file.unlink(missing_ok=True)
    cmd = [sys.executable, "-m", module, "--stage", json.dumps({**spec, "result": str(result_file)})]
    start = time.perf_counter()
    child = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    with TreeRss(child.pid) as rss:
        output, _ = child.communicate(timeout=timeout)
    seconds = time.perf_counter() - start
    if child.returncode != 0:
        return {"error": output.strip().splitlines()[-1] if output.strip() else f"exit {child.returncode}",
                "output": output, "seconds": seconds, "peak_rss_gb": rss.peak / 1e9}
    result = json.loads(result_file.read_text())
    result_file.unlink()
    return {**result, "seconds": seconds, "peak_rss_gb": rss.peak / 1e9}


def answer_stage(stage_arg: str, stages: dict) -> None:
    """The child side of :func:`child_stage`: run the stage ``--stage SPEC`` names (one of ``stages``)
    and write its result where the parent reads it."""
    spec = json.loads(stage_arg)
    Path(spec["result"]).write_text(json.dumps(stages[spec["stage"]](spec), default=str))


def run_stage(spec: dict, timeout: float | None = None) -> dict:
    """One stage of this benchmark in a child process (:func:`child_stage`); a failure is a row's error."""
    result = child_stage("benchmarks.bench_scale", spec, timeout)
    result.pop("output", None)
    return result


def run_stage_or_raise(module: str, spec: dict) -> dict:
    """:func:`child_stage`, a failed child raised with its output (benchmarks that stop on a failure)."""
    result = child_stage(module, spec)
    if "error" in result:
        raise RuntimeError(f"stage {spec['stage']} failed:\n{result['output']}")
    return result


def run_stage_with_code(module: str, spec: dict, src: str | None = None) -> dict:
    """:func:`run_stage_or_raise`; with ``src`` the child imports collabatlas from that folder (its
    ``PYTHONPATH`` starts with it), checked against the ``code`` the child reports (the before/after
    benchmarks' ``--baseline SRC``)."""
    if src is None:
        return run_stage_or_raise(module, spec)
    before = os.environ.get("PYTHONPATH")
    os.environ["PYTHONPATH"] = os.pathsep.join([src, *([before] if before else [])])
    try:
        result = run_stage_or_raise(module, spec)
    finally:
        if before is None:
            os.environ.pop("PYTHONPATH")
        else:
            os.environ["PYTHONPATH"] = before
    if "code" in result and Path(result["code"]).resolve() != Path(src).resolve():
        raise RuntimeError(f"the baseline child imported collabatlas from {result['code']}, not {src}")
    return result


# ---------------------------------------------------------------------------------------------
# Stages (run inside the child)
# ---------------------------------------------------------------------------------------------
def _stage_ingest(spec: dict) -> dict:
    from collabatlas.ingest.pipeline import ingest
    from collabatlas.settings import EngineSettings
    from collabatlas.store.schema import connect

    store = Path(spec["store"])
    store.unlink(missing_ok=True)
    con = connect(store)
    start = time.perf_counter()
    report = ingest(con, [Path(p) for p in spec["files"]], memory_limit=EngineSettings().ingest_memory_limit)
    seconds = time.perf_counter() - start
    con.close()
    if report.works_inserted != spec["works"]:
        raise RuntimeError(f"ingested {report.works_inserted} works, expected {spec['works']}")
    return {"inner_seconds": seconds}


def _stage_duckdb(spec: dict) -> dict:
    from benchmarks.bench_spine import duckdb_metrics

    timings: list[dict] = []
    rows = duckdb_metrics(timings, Path(spec["store"]), spec["works"], "duckdb")
    return {"inner_seconds": timings[0]["seconds"], "rows": rows,
            "per_metric_s": {k[:-2]: v for k, v in timings[0].items() if k.endswith("_s")}}


def _stage_export(spec: dict) -> dict:
    from collabatlas.engines.spark import export_store

    start = time.perf_counter()
    rows = export_store(spec["store"], spec["parquet"])
    return {"inner_seconds": time.perf_counter() - start, "rows": rows}


def _stage_spark(spec: dict) -> dict:
    import collabatlas

    start = time.perf_counter()
    atlas = collabatlas.open_spark(spec["parquet"], master=spec["master"])
    per_metric, rows = {"session": round(time.perf_counter() - start, 3)}, {}
    try:
        for level in LEVELS:
            for metric in METRICS:
                t = time.perf_counter()
                df = getattr(atlas, metric)(level=level)
                per_metric[f"{level}_{metric}"] = round(time.perf_counter() - t, 3)
                rows[f"{level} {metric}"] = len(df)
    finally:
        atlas.close()
    return {"inner_seconds": time.perf_counter() - start, "rows": rows, "per_metric_s": per_metric}


def _stage_pandas(spec: dict) -> dict:
    import pandas as pd

    from benchmarks import pandas_baseline
    from benchmarks.bench_spine import DATA_TABLES

    tables = {t: pd.read_parquet(Path(spec["parquet"]) / t) for t in DATA_TABLES}
    start = time.perf_counter()
    frames = pandas_baseline.run_all(tables)
    return {"inner_seconds": time.perf_counter() - start, "rows": {k: len(v) for k, v in frames.items()}}


STAGES = {"ingest": _stage_ingest, "duckdb": _stage_duckdb, "export": _stage_export,
          "spark": _stage_spark, "pandas": _stage_pandas}


def spark_available() -> str | None:
    """None when the Spark engine can run here, else the reason it cannot."""
    try:
        import pyspark  # noqa: F401

        from collabatlas import open_spark  # noqa: F401
        from collabatlas.engines.spark import export_store  # noqa: F401
    except ImportError as exc:
        return str(exc)
    return None


# ---------------------------------------------------------------------------------------------
# Inputs and workload
# ---------------------------------------------------------------------------------------------
def parse_size(text: str) -> int:
    """``100k`` -> 100000, ``1M`` -> 1000000, ``2500`` -> 2500."""
    text = text.strip().lower().replace("_", "")
    scale = {"k": 1_000, "m": 1_000_000, "g": 1_000_000_000}.get(text[-1:], 1)
    return int(float(text[:-1] if scale > 1 else text) * scale)


def inputs(out: Path, n: int, seed: int, mega: float, parts: int) -> dict:
    """The cached JSON Lines and Parquet store tables of ``n`` calibrated works (generated once)."""
    profile = synth.calibrated_profile()
    folder = out / f"works-{n}-{seed}-mega{mega:g}"
    meta = folder / "meta.json"
    if not meta.exists():
        console.print(f"generating {n:,} works (mega share {mega:g}) in {folder} (cached for later runs)")
        files, raw = synth.write_jsonl_gz(folder / "jsonl", n, seed, parts=parts, mega_share=mega, profile=profile)
        synth.write_store_parquet(folder / "tables", n, seed, mega_share=mega, profile=profile)
        meta.write_text(json.dumps({"files": [str(f) for f in files], "json_bytes": raw,
                                    "gzip_bytes": sum(f.stat().st_size for f in files)}))
    return {**json.loads(meta.read_text()), "folder": str(folder), "tables": str(folder / "tables")}


def workload(tables: str | Path) -> dict:
    """Rows and pair counts the metrics face: authorships, affiliation rows, Σ n(n-1)/2 author pairs
    and Σ k(k-1)/2 distinct-institution and distinct-country pairs per work."""
    t = Path(tables)
    con = duckdb.connect()
    sql = f"""
    WITH inst AS (SELECT work_id, count(DISTINCT institution_id) AS k FROM '{t}/affiliations/*.parquet' GROUP BY 1),
         ctry AS (SELECT work_id, count(DISTINCT country_code) AS k FROM '{t}/author_countries/*.parquet' GROUP BY 1)
    SELECT (SELECT sum(n_authors) FROM '{t}/works/*.parquet'),
           (SELECT count(*) FROM '{t}/affiliations/*.parquet'),
           (SELECT sum(n_authors::HUGEINT * (n_authors - 1) / 2) FROM '{t}/works/*.parquet'),
           (SELECT sum(k::HUGEINT * (k - 1) / 2) FROM inst),
           (SELECT sum(k::HUGEINT * (k - 1) / 2) FROM ctry),
           (SELECT max(n_authors) FROM '{t}/works/*.parquet')"""
    names = ("authorships", "affiliation_rows", "author_pairs", "institution_pairs", "country_pairs", "max_authors")
    return dict(zip(names, (int(v) for v in con.execute(sql).fetchone()), strict=True))


# ---------------------------------------------------------------------------------------------
# Projection
# ---------------------------------------------------------------------------------------------
def _rate_rows(results: list[dict], engine: str, mega: float | None) -> list[dict]:
    rows = [r for r in results if r.get("engine") == engine and "error" not in r]
    if mega is not None:
        near = min({r["mega_share"] for r in rows}, key=lambda m: abs(m - mega), default=None)
        rows = [r for r in rows if r["mega_share"] == near]
    return sorted(rows, key=lambda r: r["works"])


#: the Spark ingest's marginal rate per core measured by ``python -m benchmarks.bench_spark_rates`` (10k works,
#: ``local[2]``, load 11-21: a lower bound; docs/spark.md)
SPARK_INGEST_WORKS_PER_CORE_S = 34.0


def projection(results: list[dict], works: float = SNAPSHOT["works"], gzip_gb: float = SNAPSHOT["gzip_gb"],
               mega_share: float = 0.0003, cores: tuple[int, ...] = (2, 16), spark_nodes: tuple[int, ...] = (4, 16),
               cores_per_node: int = 16, efficiency: float = 0.7,
               spark_ingest_works_per_core_s: float = SPARK_INGEST_WORKS_PER_CORE_S) -> dict:
    """Projected hours for ``works`` (``gzip_gb`` of gzip JSON) from the measured rates in ``results``.

    Assumptions (stated in docs/performance.md): rates are taken from the largest N measured at the
    mega share nearest ``mega_share``; ingest scales with the gzip bytes (the synthetic works are
    smaller than the real ones on disk) and, as a check, with works; metric time grows linearly with
    works (run per year partition, so the pair hash tables stay the size of one year); going from
    the measured cores to more cores, or to a Spark cluster of ``nodes x cores_per_node``, keeps
    ``efficiency`` of the ideal speed-up; Spark's fixed start-up time is paid once. The Spark ingest is
    projected from its own per-core rate (``spark_ingest_works_per_core_s``: measured by
    ``benchmarks.bench_spark_rates``, docs/spark.md), never from DuckDB's, which reads 7-14x faster per core."""
    measured_cores = max(1, results[0].get("cores", 2)) if results else 2
    out: dict = {"assumptions": {"works": works, "gzip_gb": gzip_gb, "mega_share": mega_share,
                                 "measured_cores": measured_cores, "efficiency": efficiency,
                                 "cores_per_node": cores_per_node,
                                 "spark_ingest_works_per_core_s": spark_ingest_works_per_core_s}}
    ingest = _rate_rows(results, "ingest", mega_share)
    duck = _rate_rows(results, "duckdb", mega_share)
    if not ingest or not duck:
        return {**out, "error": "no ingest or DuckDB result to project from"}
    i, d = ingest[-1], duck[-1]
    ingest_h = {"by_gzip_mb_s": gzip_gb * 1e3 / i["gz_mb_per_s"] / 3600, "by_works_s": works / i["works_per_s"] / 3600}
    metric_h = d["inner_seconds"] / d["works"] * works / 3600
    single = {}
    for c in cores:
        speedup = 1.0 if c == measured_cores else c / measured_cores * efficiency
        single[f"{c}_cores"] = {"ingest_h": round(ingest_h["by_gzip_mb_s"] / speedup, 2),
                                "ingest_h_by_works": round(ingest_h["by_works_s"] / speedup, 2),
                                "metrics_h": round(metric_h / speedup, 2)}
    out["rates"] = {"ingest_works_per_s": i["works_per_s"], "ingest_gz_mb_per_s": i["gz_mb_per_s"],
                    "ingest_from_works": i["works"], "duckdb_metric_s_per_million_works":
                    round(d["inner_seconds"] / d["works"] * 1e6, 3), "duckdb_from_works": d["works"]}
    out["single_machine"] = single
    spark = _rate_rows(results, "spark", mega_share)
    if len(spark) >= 1:
        s = spark[-1]
        fixed = s["per_metric_s"].get("session", 0.0)
        per_work = max(s["inner_seconds"] - fixed, 1e-9) / s["works"]
        out["rates"].update(spark_metric_s_per_million_works=round(per_work * 1e6, 3), spark_from_works=s["works"],
                            spark_session_s=fixed)
        out["spark_cluster"] = {
            f"{n}_nodes": {"metrics_h": round((fixed + per_work * works * measured_cores
                                               / (n * cores_per_node * efficiency)) / 3600, 2),
                           "ingest_h": round(works / (spark_ingest_works_per_core_s * n * cores_per_node * efficiency)
                                             / 3600, 2)}
            for n in spark_nodes}
    return out


# ---------------------------------------------------------------------------------------------
# Driver
# ---------------------------------------------------------------------------------------------
def _row(n: int, mega: float, engine: str, result: dict, **extra) -> dict:
    return {"works": n, "mega_share": mega, "engine": engine, **extra, **result}


def run(args) -> list[dict]:
    results: list[dict] = []
    no_spark = None if args.no_spark else spark_available()
    if args.no_spark or no_spark:
        console.print(f"spark: not available ({'--no-spark' if args.no_spark else no_spark})")
    cores = psutil.cpu_count()
    for n in args.sizes:
        for mega in args.mega_shares:
            console.rule(f"{n:,} works, mega-author share {mega:g}")
            data = inputs(args.out, n, args.seed, mega, args.parts)
            load = workload(data["tables"])
            console.print("  workload: " + ", ".join(f"{k} {v:,}" for k, v in load.items()))
            store = Path(data["folder"]) / "store.duckdb"
            base = {"out": str(args.out), "works": n, "store": str(store)}
            common = {"cores": cores, "workload": load}

            r = run_stage({**base, "stage": "ingest", "files": data["files"]})
            if "error" not in r:
                r.update(works_per_s=round(n / r["inner_seconds"]),
                         mb_per_s=round(data["json_bytes"] / 1e6 / r["inner_seconds"], 1),
                         gz_mb_per_s=round(data["gzip_bytes"] / 1e6 / r["inner_seconds"], 2),
                         json_bytes_per_work=round(data["json_bytes"] / n))
            results.append(_row(n, mega, "ingest", r, **common))
            if "error" in r:
                console.print(f"  ingest failed: {r['error']}")
                continue
            results.append(_row(n, mega, "duckdb", run_stage({**base, "stage": "duckdb"}), **common))
            if not (args.no_spark or no_spark) and n <= args.spark_max:
                parquet = Path(data["folder"]) / "export"
                results.append(_row(n, mega, "export", run_stage({**base, "stage": "export", "parquet": str(parquet)}),
                                    **common))
                results.append(_row(n, mega, "spark", run_stage({**base, "stage": "spark", "parquet": str(parquet),
                                                                 "master": args.spark_master}), **common))
            if n <= args.pandas_max:
                results.append(_row(n, mega, "pandas", run_stage({**base, "stage": "pandas",
                                                                  "parquet": data["tables"]}), **common))
            for r in results[-5:]:
                if r["works"] == n and r["mega_share"] == mega:
                    console.print(f"  {r['engine']}: " + (r["error"] if "error" in r else
                                  f"{r['inner_seconds']:.2f} s inside, {r['seconds']:.2f} s wall, "
                                  f"peak RSS {r['peak_rss_gb']:.2f} GB"))
    return results


def print_results(results: list[dict]) -> None:
    table = Table(title="collabatlas scale benchmark: all country + institution metrics",
                  caption="time = inside the stage (wall time of the child process incl. start-up in brackets); "
                          "RSS = peak of the child's process tree")
    for col in ("works", "mega", "stage / engine", "time s", "peak RSS GB", "throughput",
                "author pairs", "inst. pairs", "inst. pairs s"):
        table.add_column(col, justify="left" if col == "stage / engine" else "right")
    for r in results:
        load = r.get("workload", {})
        if "error" in r:
            table.add_row(f"{r['works']:,}", f"{r['mega_share']:g}", r["engine"], "failed", "", r["error"][:40])
            continue
        throughput = (f"{r['works_per_s']:,} w/s, {r['mb_per_s']} MB/s" if r["engine"] == "ingest"
                      else f"{r['works'] / r['inner_seconds'] / 1e6:.2f} Mw/s")
        pairs_s = r.get("per_metric_s", {}).get("institution_pairs")
        table.add_row(f"{r['works']:,}", f"{r['mega_share']:g}", r["engine"],
                      f"{r['inner_seconds']:.2f} ({r['seconds']:.1f})", f"{r['peak_rss_gb']:.2f}", throughput,
                      f"{load.get('author_pairs', 0):,}", f"{load.get('institution_pairs', 0):,}",
                      "" if pairs_s is None else f"{pairs_s:.2f}")
    console.print(table)


def print_projection(proj: dict) -> None:
    if "error" in proj:
        console.print(f"projection: {proj['error']}")
        return
    table = Table(title=f"projection: {proj['assumptions']['works'] / 1e6:,.0f}M works, "
                        f"{proj['assumptions']['gzip_gb']:,.0f} GB gzip JSON (hours)")
    for col in ("setting", "ingest h (by gzip MB/s)", "ingest h (by works/s)", "metrics h"):
        table.add_column(col, justify="left" if col == "setting" else "right")
    for name, v in proj["single_machine"].items():
        table.add_row(f"one machine, {name.replace('_', ' ')} (DuckDB)", f"{v['ingest_h']:.2f}",
                      f"{v['ingest_h_by_works']:.2f}", f"{v['metrics_h']:.2f}")
    for name, v in proj.get("spark_cluster", {}).items():
        table.add_row(f"Spark, {name.replace('_', ' ')} x {proj['assumptions']['cores_per_node']} cores (ingest at "
                      f"{proj['assumptions']['spark_ingest_works_per_core_s']:g} works/s per core)",
                      "", f"{v['ingest_h']:.2f}", f"{v['metrics_h']:.2f}")
    console.print(table)
    console.print(f"rates: {proj['rates']}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench_scale", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="100k,1M", help="works per run, comma-separated (default 100k,1M)")
    parser.add_argument("--mega-shares", default="0,0.001,0.01",
                        help="shares of 500-3,000-author works, comma-separated (default 0,0.001,0.01)")
    parser.add_argument("--seed", type=int, default=20261122)
    parser.add_argument("--parts", type=int, default=8, help="JSON Lines files per input")
    parser.add_argument("--out", type=Path, default=Path("bench-out/scale"))
    parser.add_argument("--spark-master", default="local[2]")
    parser.add_argument("--spark-max", default="1M", help="largest N run on Spark (default 1M)")
    parser.add_argument("--pandas-max", default="1M", help="largest N run with pandas (default 1M)")
    parser.add_argument("--no-spark", action="store_true")
    parser.add_argument("--project", type=Path, help="only print the projection from this results.json")
    parser.add_argument("--stage", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.stage:  # inside a child process
        answer_stage(args.stage, STAGES)
        return
    if args.project:
        print_projection(projection(json.loads(args.project.read_text())["results"]))
        return
    args.sizes = [parse_size(s) for s in args.sizes.split(",")]
    args.mega_shares = [float(s) for s in args.mega_shares.split(",")]
    args.spark_max, args.pandas_max = parse_size(args.spark_max), parse_size(args.pandas_max)
    args.out.mkdir(parents=True, exist_ok=True)
    results = run(args)
    print_results(results)
    proj = projection(results)
    print_projection(proj)
    meta = {"machine": {"cores": psutil.cpu_count(), "ram_gb": round(psutil.virtual_memory().total / 1e9, 1),
                        "python": platform.python_version(), "duckdb": duckdb.__version__},
            "args": {k: str(v) for k, v in vars(args).items()}, "results": results, "projection": proj}
    (args.out / "results.json").write_text(json.dumps(meta, indent=1))
    console.print(f"wrote {args.out / 'results.json'}")


if __name__ == "__main__":
    main()
