"""Spine benchmark: OpenAlex ingest throughput and metric times on DuckDB, next to a plain pandas
implementation run in the same process on the same data.

    python -m benchmarks.bench_spine                      # 1M works ingest + metrics, 10M works metrics
    python -m benchmarks.bench_spine --works 200000 --metric-works 2000000   # a quicker run

Stages (each prints wall time, throughput and the peak RSS of this process during the stage):

1. generate ``--works`` realistic OpenAlex works as gzip JSON Lines (about 7 KB of JSON each, with
   abstracts, references, topics, locations...; cached in ``--out`` by size and seed);
2. ingest them into a fresh DuckDB store with :func:`collabatlas.ingest.pipeline.ingest` (works/s, MB/s),
   then save the unit shares with their context and the per-year aggregates, as every ingest ends
   (``Atlas.store_unit_shares``; its own stage, as the ingest summary shows it apart);
3. all country + institution metrics (scores, pairs, totals) on that store with the counting SQL,
   twice: computed from the unit shares, and read from the per-year aggregates; and the same
   scores and pairs with pandas (``benchmarks.pandas_baseline``), checked to agree;
4. the same metrics on ``--metric-works`` works written straight into a store (no JSON), drawn with
   ``--metric-profile`` (default: the calibrated profile of ``benchmarks/calibration.json``).

Results are printed as a table and written to ``OUT/results.json``.
"""

from __future__ import annotations

import argparse
import json
import platform
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import duckdb
import pandas as pd
import psutil
from rich.console import Console
from rich.table import Table

import collabatlas
from benchmarks import pandas_baseline, synth
from collabatlas.counting import rules as counting
from collabatlas.ingest.pipeline import ingest, ingest_tables
from collabatlas.settings import EngineSettings
from collabatlas.store.schema import connect

DATA_TABLES = tuple(synth.STORE_SCHEMAS)

console = Console(width=120)


class PeakRss:
    """Samples this process's resident set size every 20 ms; ``peak`` is the maximum seen."""

    def __init__(self):
        self.proc = psutil.Process()
        self.peak = self.proc.memory_info().rss
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        while not self._stop.wait(0.02):
            self.peak = max(self.peak, self.proc.memory_info().rss)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self.proc.memory_info().rss)


@contextmanager
def measured(results: list, stage: str, **extra):
    row = {"stage": stage, **extra}
    with PeakRss() as rss:
        start = time.perf_counter()
        yield row
        row["seconds"] = time.perf_counter() - start
    row["peak_rss_gb"] = rss.peak / 1e9
    results.append(row)
    console.print(f"  {stage}: {row['seconds']:.2f} s, peak RSS {row['peak_rss_gb']:.2f} GB"
                  + "".join(f", {k} {v}" for k, v in row.items() if k in ("works_per_s", "mb_per_s")))


def jsonl_input(out: Path, n: int, seed: int, parts: int) -> tuple[list[Path], int]:
    """The generated input, reused when it exists (generation is not what we measure)."""
    folder = out / f"jsonl-{n}-{seed}"
    meta = folder / "meta.json"
    if meta.exists():
        info = json.loads(meta.read_text())
        return [Path(p) for p in info["files"]], info["bytes"]
    console.print(f"generating {n:,} works as JSON Lines in {folder} (cached for later runs)")
    files, raw_bytes = synth.write_jsonl_gz(folder, n, seed, parts=parts)
    meta.write_text(json.dumps({"files": [str(p) for p in files], "bytes": raw_bytes}))
    return files, raw_bytes


def parquet_store(results: list, out: Path, n: int, seed: int, profile: synth.Profile) -> Path:
    """A store holding ``n`` synthetic works, loaded from the generator's Parquet tables (cached by
    size, seed and profile), with its unit shares saved."""
    tag = "" if profile == synth.DEFAULT_PROFILE else f"-{profile.name}"
    store = out / f"store-{n}-{seed}{tag}.duckdb"
    if store.exists():
        connect(store).close()  # a writable open upgrades a store cached by an older collabatlas
        return store
    folder = out / f"parquet-{n}-{seed}{tag}"
    if not (folder / "works").exists():
        console.print(f"generating {n:,} works as Parquet tables in {folder}")
        synth.write_store_parquet(folder, n, seed, profile=profile)
    console.print(f"loading {folder} into {store}")
    con = connect(store)
    ingest_tables(con, folder)
    con.close()
    save_unit_shares(results, store, n)
    return store


def save_unit_shares(results: list, store: Path, n: int) -> None:
    """What ends every ingest: each work's unit shares and their context saved per level."""
    with collabatlas.open(store) as atlas, \
            measured(results, f"{n:,} works: save unit shares + per-year aggregates (end of ingest)", works=n) as row:
        timings = atlas.store_unit_shares()
    row.update(unit_shares_s=round(timings["unit_shares"], 2), aggregates_s=round(timings["aggregates"], 2))
    console.print(f"  unit shares {timings['unit_shares']:.2f} s, per-year aggregates {timings['aggregates']:.2f} s")


LEVELS = ("country", "institution")
SQL = {"scores": counting.scores_sql, "pairs": counting.pairs_sql, "totals": counting.totals_sql}


def duckdb_metrics(results: list, store: Path, n: int, label: str, aggregates: bool = False) -> dict[str, int]:
    """Every country and institution metric through the library, materialised in DuckDB; returns
    rows per output. ``aggregates``: from the per-year aggregates saved at ingest; otherwise from
    the saved unit shares (each level's attribution; every pair and total computed here)."""
    rows = {}
    source = "from the saved per-year aggregates" if aggregates else "from the unit shares"
    with collabatlas.open(store, read_only=True) as atlas, \
            measured(results, f"{label}: all country+institution metrics (DuckDB), {source}", works=n) as total:
        atlas.use_aggregates = aggregates
        for level in LEVELS:
            start = time.perf_counter()
            c = atlas.counting_for(level)
            total[f"{level}_unit_shares_s"] = round(time.perf_counter() - start, 3)
            for metric, build in SQL.items():
                sql, params = build(c)
                start = time.perf_counter()
                atlas.con.execute(f"CREATE OR REPLACE TEMP TABLE out_{level}_{metric} AS {sql}", params)
                count = atlas.con.execute(f"SELECT count(*) FROM out_{level}_{metric}").fetchone()[0]
                rows[f"{level} {metric}"] = count
                total[f"{level}_{metric}_s"] = round(time.perf_counter() - start, 3)
    console.print("  " + ", ".join(f"{k[:-2]} {v:.2f} s" for k, v in total.items() if k.endswith("_s")))
    return rows


def pandas_metrics(results: list, folder: Path, n: int, label: str) -> dict[str, pd.DataFrame]:
    tables = {t: pd.read_parquet(folder / t) for t in DATA_TABLES}
    with measured(results, f"{label}: country+institution scores and pairs (pandas baseline)", works=n):
        frames = pandas_baseline.run_all(tables)
    del tables
    return frames


def check_agreement(store: Path, frames: dict[str, pd.DataFrame]) -> float:
    """Largest |difference| between the library and pandas over every Share and CS value."""
    worst = 0.0
    with collabatlas.open(store, read_only=True) as atlas:
        for level in LEVELS:
            for metric, keys, value in (("scores", ["unit"], "share"), ("pairs", ["unit_a", "unit_b"], "cs")):
                ours = getattr(atlas, metric)(level=level).set_index(keys)[value]
                theirs = frames[f"{level}_{metric}"].set_index(keys)[value]
                if len(ours) != len(theirs):
                    raise AssertionError(f"{level} {metric}: {len(ours)} rows in DuckDB, {len(theirs)} in pandas")
                worst = max(worst, float((ours - theirs.reindex(ours.index)).abs().max()))
    return worst


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--works", type=int, default=1_000_000, help="works to ingest from JSON (default 1M)")
    parser.add_argument("--metric-works", type=int, default=10_000_000, help="works for the large metric run (0: skip)")
    parser.add_argument("--parts", type=int, default=8, help="JSON Lines files to split the input into")
    parser.add_argument("--seed", type=int, default=20261122)
    parser.add_argument("--out", type=Path, default=Path("bench-out"))
    parser.add_argument("--no-pandas", action="store_true", help="skip the pandas baseline")
    parser.add_argument("--metric-profile", choices=("calibrated", "default"), default="calibrated",
                        help="generator profile of the large metric run (default calibrated)")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    results: list[dict] = []

    console.rule(f"ingest {args.works:,} works")
    files, raw_bytes = jsonl_input(args.out, args.works, args.seed, args.parts)
    gz_bytes = sum(f.stat().st_size for f in files)
    store = args.out / f"ingested-{args.works}.duckdb"
    store.unlink(missing_ok=True)
    con = connect(store)
    with measured(results, "ingest JSON Lines (DuckDB store)", works=args.works) as row:
        report = ingest(con, files, memory_limit=EngineSettings().ingest_memory_limit)
    con.close()
    assert report.works_inserted == args.works, report.to_dict()
    save_unit_shares(results, store, args.works)
    row.update(works_per_s=round(args.works / row["seconds"]), mb_per_s=round(raw_bytes / 1e6 / row["seconds"], 1),
               gz_mb_per_s=round(gz_bytes / 1e6 / row["seconds"], 1), json_bytes_per_work=round(raw_bytes / args.works))
    console.print(f"  {row['works_per_s']:,} works/s, {row['mb_per_s']} MB/s of JSON "
                  f"({row['json_bytes_per_work']:,} B/work), {row['gz_mb_per_s']} MB/s gzip")

    console.rule(f"metrics on {args.works:,} works")
    rows = duckdb_metrics(results, store, args.works, f"{args.works:,} works")
    duckdb_metrics(results, store, args.works, f"{args.works:,} works", aggregates=True)
    if not args.no_pandas:
        folder = args.out / f"parquet-{args.works}-{args.seed}"
        if not (folder / "works").exists():
            synth.write_store_parquet(folder, args.works, args.seed)  # the same works as the JSON input
        frames = pandas_metrics(results, folder, args.works, f"{args.works:,} works")
        worst = check_agreement(store, frames)
        console.print(f"  DuckDB and pandas agree: max |difference| {worst:.2e} over every Share and CS")
        results.append({"stage": "agreement", "max_abs_difference": worst})

    if args.metric_works:
        console.rule(f"metrics on {args.metric_works:,} works")
        profile = synth.calibrated_profile() if args.metric_profile == "calibrated" else synth.DEFAULT_PROFILE
        console.print(f"profile {profile.name}: mega-author share {profile.mega_share:.2%} "
                      f"({profile.mega_min:,}-{profile.mega_max:,} authors)")
        big = parquet_store(results, args.out, args.metric_works, args.seed, profile)
        rows_big = duckdb_metrics(results, big, args.metric_works, f"{args.metric_works:,} works")
        duckdb_metrics(results, big, args.metric_works, f"{args.metric_works:,} works", aggregates=True)
        console.print(f"  output rows: {rows_big}")

    table = Table(title="collabatlas spine benchmark")
    for col in ("stage", "seconds", "peak RSS GB", "works/s"):
        table.add_column(col, justify="left" if col == "stage" else "right")
    for r in results:
        if "seconds" in r:
            table.add_row(r["stage"], f"{r['seconds']:.2f}", f"{r['peak_rss_gb']:.2f}",
                          f"{r['works_per_s']:,}" if "works_per_s" in r else "")
    duck = [r for r in results
            if r["stage"].endswith("(DuckDB), from the unit shares") and r.get("works") == args.works]
    pand = [r for r in results if "pandas" in r["stage"]]
    saved = [r["unit_shares_s"] for r in results if "save unit shares" in r["stage"] and r.get("works") == args.works]
    if duck and pand:
        scores_pairs = sum(v for k, v in duck[0].items() if k.endswith(("_scores_s", "_pairs_s")))
        table.caption = (f"at {args.works:,} works, pandas scores+pairs take {pand[0]['seconds'] / scores_pairs:.1f}x "
                         f"the time of DuckDB scores+pairs from the saved unit shares, and "
                         f"{pand[0]['seconds'] / (scores_pairs + sum(saved)):.1f}x counting the whole saving of the "
                         "unit shares too (3 levels, with the context the totals read)")
    console.print(table)
    console.print(f"output rows at {args.works:,} works: {rows}")
    meta = {"machine": {"cores": psutil.cpu_count(), "ram_gb": round(psutil.virtual_memory().total / 1e9, 1),
                        "python": platform.python_version(), "duckdb": duckdb.__version__, "pandas": pd.__version__},
            "args": {k: str(v) for k, v in vars(args).items()}, "results": results}
    (args.out / "results.json").write_text(json.dumps(meta, indent=1))
    console.print(f"wrote {args.out / 'results.json'}")


if __name__ == "__main__":
    main()
