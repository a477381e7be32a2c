"""Incremental maintenance against a full rebuild, and ingest end to end against the bare DuckDB parse.

    python -m benchmarks.bench_incremental                         # N = 1M works, 1 % update, 0.1 % merged away
    python -m benchmarks.bench_incremental --works 200k --parse-works 0   # issue 31: sync of 1 % vs full sync build
    python -m benchmarks.bench_incremental --works 10M --build tables     # the full build from Parquet tables
    python -m benchmarks.bench_incremental --works 0 --parse-works 200k   # the ingest / parse part only
    python -m benchmarks.bench_incremental --works 1M --build tables --parse-works 0 --no-ranges \
        --baseline /work/main/src     # before / after: main's code built and synced in the same run

Part 1 (``--works N``), one run, every stage in its own child process (wall time and peak RSS of the
child measured from outside, as in ``benchmarks.bench_scale``):

1. the full build of the store of N synthetic works (calibrated profile): with ``--build sync`` (the
   default) ``Atlas.sync`` of a snapshot folder holding all N works as one ``updated_date`` partition
   of gzip JSON Lines (two part files, with a manifest) into an empty store — the build a user makes,
   unit shares and per-year aggregates included; with ``--build tables`` the generator's Parquet
   tables loaded (``ingest_tables``) and the unit shares + aggregates built (``Atlas.store_unit_shares``),
   cheaper to generate at 1M works and more (generation cached, never timed);
2. an update as an OpenAlex snapshot folder: 0.5 % new works, 0.5 % replaced (same ids, other content,
   newer ``updated_date``) in one ``updated_date`` partition with a manifest, and 0.1 % of the works
   merged away (``merged_ids/works/*.csv.gz``); ``Atlas.sync`` ingests it and updates the saved tables
   for the changed works only (timed apart: ingest + merge, then the incremental maintenance); run
   ``--repeat`` times (default 3), each on a fresh copy of the built store, the median reported and
   divided by the full build (issue 31: ≤ 0.10 at 200k works);
3. ``Atlas.verify``: everything recomputed from scratch and compared (must be equal);
4. the full rebuild of the saved tables on the same updated store, for comparison;
5. year ranges on the saved per-year aggregates (``--ranges``, on by default): scores, totals, pairs
   and one unit's partners at country and institution level, for all years, one year, 5 and 10
   years — each the best of 3 runs after a warm-up, with the rows of the aggregate table the range
   selects. A range sums the per-year rows of the years it spans, so it costs at most what all years
   cost; that is the measurement that decides whether cumulative per-year sums would pay.

With ``--baseline SRC`` (another checkout's ``src`` folder) stages 1 and 2 run with that code too, in
children whose ``PYTHONPATH`` starts with ``SRC`` (checked): its own full build, and its syncs alternating
with this code's, so both see the same load; the summary gives both ratios and this code's sync / the
baseline's, in wall and CPU seconds.

Part 2 (``--parse-works M``): M works as gzip JSON Lines; (a) the bare DuckDB parse of the file —
``read_json`` with the ingest's own column list into a table, nothing else — and (b) ``collabatlas
ingest`` into an empty store end to end (parse, checks, store, unit shares, aggregates); the ratio
parse / end to end is the issue's target (≥ 0.5).

Results: printed and written to ``OUT/incremental.json``.
"""

from __future__ import annotations

import argparse
import gzip
import json
import shutil
import sys
import time
from pathlib import Path

import orjson

from benchmarks import synth
from benchmarks.bench_scale import answer_stage, parse_size, run_stage_with_code

SEED = 20261201


# ---------------------------------------------------------------------------------------------
# stages (run in a child process by run_stage: spec["stage"] names the function)
# ---------------------------------------------------------------------------------------------
def _code() -> str:
    """The folder the running child imported collabatlas from (checked against ``--baseline``)."""
    import collabatlas

    return str(Path(collabatlas.__file__).parent.parent)


def _stage_build(spec: dict) -> dict:
    import collabatlas
    from collabatlas.ingest.pipeline import ingest_tables
    from collabatlas.store.schema import connect

    store = Path(spec["store"])
    store.unlink(missing_ok=True)
    con = connect(store)
    started = time.perf_counter()
    ingest_tables(con, spec["tables"])
    load = time.perf_counter() - started
    con.close()
    with collabatlas.open(store) as atlas:
        started = time.perf_counter()
        timings = atlas.store_unit_shares()
        derived = time.perf_counter() - started
        works = atlas.con.execute("SELECT count(*) FROM works").fetchone()[0]
        rows = {t: atlas.con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                for t in ("unit_shares_institution", "agg_units_institution", "agg_partners_institution")}
    return {"load_s": load, "derived_s": derived, **{f"{k}_s": v for k, v in timings.items()}, "works": works,
            "rows": rows, "code": _code()}


def _stage_build_sync(spec: dict) -> dict:
    """The full build as a user makes it: ``Atlas.sync`` of the whole snapshot into an empty store
    (parse, checks, merge, unit shares and per-year aggregates)."""
    import collabatlas

    store = Path(spec["store"])
    store.unlink(missing_ok=True)
    with collabatlas.open(store) as atlas:
        started, cpu = time.perf_counter(), time.process_time()
        report = atlas.sync(spec["snapshot"])
        total, cpu = time.perf_counter() - started, time.process_time() - cpu
        ing = report.ingest
        works = atlas.con.execute("SELECT count(*) FROM works").fetchone()[0]
        rows = {t: atlas.con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                for t in ("unit_shares_institution", "agg_units_institution", "agg_partners_institution")}
    return {"total_s": total, "cpu_s": cpu, "ingest_s": ing.seconds, "unit_shares_s": ing.unit_shares_seconds,
            "aggregates_s": ing.aggregates_seconds, "works": works, "rows": rows, "code": _code()}


def _stage_sync(spec: dict) -> dict:
    import collabatlas

    with collabatlas.open(spec["store"]) as atlas:
        before = atlas.data_version
        started, cpu = time.perf_counter(), time.process_time()
        report = atlas.sync(spec["snapshot"])
        total, cpu = time.perf_counter() - started, time.process_time() - cpu
        ing = report.ingest
        return {"total_s": total, "cpu_s": cpu, "ingest_s": ing.seconds,
                "maintenance_s": ing.unit_shares_seconds + ing.aggregates_seconds,
                "unit_shares_s": ing.unit_shares_seconds, "aggregates_s": ing.aggregates_seconds,
                "derived_update": ing.derived_update, "works_recounted": ing.works_recounted,
                "added": report.works_added, "replaced": report.works_replaced, "merged_away": report.works_merged_away,
                "data_version": [before, atlas.data_version], "summary": report.summary(),
                # seconds per step of the maintenance (collabatlas.ingest.maintenance.update_incremental) + commit
                "steps": {k: round(v, 3) for k, v in getattr(atlas, "last_update_timings", {}).items()},
                "code": _code()}


def _stage_verify(spec: dict) -> dict:
    import collabatlas

    with collabatlas.open(spec["store"]) as atlas:
        started = time.perf_counter()
        diffs = atlas.verify()
        return {"verify_s": time.perf_counter() - started,
                "differing": {d.table: d.differing for d in diffs}}


def _stage_rebuild(spec: dict) -> dict:
    import collabatlas

    with collabatlas.open(spec["store"]) as atlas:
        started = time.perf_counter()
        timings = atlas.store_unit_shares()
        return {"rebuild_s": time.perf_counter() - started, **{f"{k}_s": v for k, v in timings.items()}}


#: the year ranges of stage 5: None = all years (the synthetic works span 2000-2023)
RANGES = (None, "2023", "2019-2023", "2014-2023")


def _stage_ranges(spec: dict) -> dict:
    """Seconds per query (best of 3 after one warm-up) for each level, metric and year range."""
    import collabatlas
    from collabatlas.counting import rules as counting

    out: dict = {}
    with collabatlas.open(spec["store"]) as atlas:  # not read-only: the statements write temp tables
        assert atlas.unit_shares_saved
        for level in ("country", "institution"):
            focus = atlas.scores(level=level).iloc[0]["unit"]

            def sql(y, build, lv=level, **kw):  # the statement alone, materialised in DuckDB (no DataFrame)
                c = atlas.counting_for(lv, years=y)
                assert c.use_aggregates
                query, params = build(c, **kw)
                atlas.con.execute(f"CREATE OR REPLACE TEMP TABLE bench_range AS {query}", params)

            queries = {"scores": lambda y: sql(y, counting.scores_sql),
                       "totals": lambda y: sql(y, counting.totals_sql),
                       "pairs": lambda y: sql(y, counting.pairs_sql),
                       "partners": lambda y, f=focus: sql(y, counting.partners_sql, focus=f),
                       "pairs_api": lambda y, lv=level: atlas.pairs(level=lv, years=y)}
            if level == "institution":  # millions of pairs: the DataFrame costs 4-5x the statement, at every range
                del queries["pairs_api"]
            for years in RANGES:
                label = years or "all"
                where = "" if years is None else (
                    f" WHERE year BETWEEN {years.split('-')[0]} AND {years.split('-')[-1]}")
                rows = {kind: atlas.con.execute(f"SELECT count(*) FROM {counting.aggregate_table(kind, level)}{where}"
                                                ).fetchone()[0] for kind in ("units", "partners")}
                out[f"{level} {label} rows"] = rows
                for name, run in queries.items():
                    run(years)
                    best = float("inf")
                    for _ in range(3):
                        started = time.perf_counter()
                        run(years)
                        best = min(best, time.perf_counter() - started)
                    out[f"{level} {label} {name}"] = best
    return out


def _stage_parse(spec: dict) -> dict:
    """The bare DuckDB parse: read_json with the ingest's column list, materialised, nothing else."""
    import duckdb

    from collabatlas.sources.jsonspec import duckdb_columns
    from collabatlas.sources.openalex import MAX_RECORD_BYTES, SPECS

    con = duckdb.connect()
    columns = duckdb_columns({**SPECS["works"], "_rec": int})
    started = time.perf_counter()
    con.execute(f"""CREATE TABLE t AS SELECT * FROM read_json(?, format='newline_delimited', columns={columns},
                    compression='auto_detect', maximum_object_size={MAX_RECORD_BYTES}, hive_partitioning=false)""",
                [spec["files"]])
    seconds = time.perf_counter() - started
    return {"parse_s": seconds, "rows": con.execute("SELECT count(*) FROM t").fetchone()[0]}


def _stage_ingest(spec: dict) -> dict:
    import collabatlas

    store = Path(spec["store"])
    store.unlink(missing_ok=True)
    with collabatlas.open(store) as atlas:
        started = time.perf_counter()
        report = atlas.ingest(*spec["files"])
        total = time.perf_counter() - started
    return {"end_to_end_s": total, "ingest_s": report.seconds, "unit_shares_s": report.unit_shares_seconds,
            "aggregates_s": report.aggregates_seconds, "works": report.works_inserted}


STAGES = {"build": _stage_build, "build_sync": _stage_build_sync, "sync": _stage_sync,
           "verify": _stage_verify, "rebuild": _stage_rebuild,
          "ranges": _stage_ranges, "parse": _stage_parse, "ingest": _stage_ingest}


def run_stage(spec: dict, src: str | None = None) -> dict:
    """One stage in a child process (``seconds``, ``peak_rss_gb``); with ``src`` on that checkout's code."""
    return run_stage_with_code("benchmarks.bench_incremental", spec, src)


def stage(name: str, out: Path, src: str | None = None, **spec) -> dict:
    result = run_stage({"stage": name, "out": str(out), **spec}, src=src)
    print(f"  {name}{' (baseline)' if src else ''}: "
          f"{json.dumps({k: (round(v, 2) if isinstance(v, float) else v) for k, v in result.items()}, default=str)}",
          flush=True)
    return result


# ---------------------------------------------------------------------------------------------
# inputs
# ---------------------------------------------------------------------------------------------
BLOCK = synth.BLOCK  # works per block of the synthetic world (a block is drawn whole)
#: share of a block's works replaced in the blocks an update touches
REPLACED_PER_BLOCK = 0.10


def _replaced_indices(n: int, replaced: int) -> set[int]:
    """Which of the first ``n`` works an update replaces: every tenth work of evenly spaced blocks (a
    block of the synthetic world is drawn whole, so drawing only the blocks that hold replaced works
    keeps the update's cost in proportion to it; the works' units are drawn independently of their
    ids, so the touched units and aggregate rows are spread over the whole store all the same)."""
    per_block = max(int(BLOCK * REPLACED_PER_BLOCK), 1)
    blocks = max(-(-replaced // per_block), 1)
    n_blocks = max(n // BLOCK, 1)
    chosen = sorted({b * n_blocks // blocks for b in range(blocks)})
    picked = [lo * BLOCK + k * (BLOCK // per_block) for lo in chosen for k in range(per_block)]
    return {i for i in picked[:replaced] if i < n}


#: part files of the update's partition: as the base snapshot (and an OpenAlex partition, which holds many
#: parts), so both cores parse; one part file is the one-core worst case (2026-12-02 figures)
UPDATE_PARTS = 2


def write_update(folder: Path, n: int, new: int, replaced: int, merged: int, profile,
                 parts: int = UPDATE_PARTS) -> dict:
    """The update snapshot: ``new`` works after the first n, ``replaced`` of the first n redrawn (other
    seed, same ids, newer updated_date), ``merged`` others merged into work 0; the works dealt over
    ``parts`` part files of one partition, listed in the manifest."""
    if folder.exists():
        shutil.rmtree(folder)
    partition = folder / "works" / "updated_date=2031-01-01"
    partition.mkdir(parents=True)
    step = max(n // max(replaced + merged, 1), 1)
    replaced_idx = _replaced_indices(n, replaced)
    merged_idx = [i for i in range(step // 2, n, step) if i not in replaced_idx][:merged]

    def works():
        yield from synth.iter_work_dicts(new, SEED, start=n, profile=profile)
        # other content for the same ids: the same works of another seed (each block drawn once)
        for lo in sorted({i - i % BLOCK for i in replaced_idx}):
            for i, work in enumerate(synth.iter_work_dicts(BLOCK, SEED + 1, start=lo, profile=profile), start=lo):
                if i in replaced_idx:
                    yield work

    files = [partition / f"part_{k:03d}.gz" for k in range(max(parts, 1))]
    counts = [0] * len(files)
    outs = [gzip.open(f, "wb", compresslevel=1) for f in files]
    try:
        for k, work in enumerate(works()):
            outs[k % len(outs)].write(orjson.dumps({**work, "updated_date": "2031-01-01T00:00:00"}) + b"\n")
            counts[k % len(outs)] += 1
    finally:
        for out in outs:
            out.close()
    (folder / "works" / "manifest").write_text(json.dumps({"entries": [
        {"url": f"s3://openalex/data/works/updated_date=2031-01-01/{f.name}",
         "meta": {"content_length": f.stat().st_size, "record_count": c}}
        for f, c in zip(files, counts, strict=True)]}))
    merged_dir = folder / "merged_ids" / "works"
    merged_dir.mkdir(parents=True)
    rows = "".join(f"2031-01-01,W{synth.W_BASE + i},W{synth.W_BASE}\n" for i in merged_idx)
    (merged_dir / "2031-01-01.csv.gz").write_bytes(gzip.compress(("merge_date,id,merge_into_id\n" + rows).encode()))
    return {"new": new, "replaced": len(replaced_idx), "merged": len(merged_idx), "parts": len(files),
            "gzip_bytes": sum(f.stat().st_size for f in files)}


def write_snapshot(folder: Path, n: int, profile) -> dict:
    """The base snapshot: works 0 .. n-1 (seed SEED) as one ``updated_date`` partition of gzip JSON
    Lines (two part files, so both cores parse) with a manifest; cached in ``folder``."""
    meta = folder / "meta.json"
    if meta.exists():
        return json.loads(meta.read_text())
    if folder.exists():
        shutil.rmtree(folder)
    partition = folder / "works" / f"updated_date={BASE_DATE}"
    files, raw = synth.write_jsonl_gz(partition, n, SEED, parts=2, profile=profile)
    (folder / "works" / "manifest").write_text(json.dumps({"entries": [
        {"url": f"s3://openalex/data/works/updated_date={BASE_DATE}/{f.name}",
         "meta": {"content_length": f.stat().st_size}} for f in files]}))
    info = {"works": n, "json_bytes": raw, "gzip_bytes": sum(f.stat().st_size for f in files)}
    meta.write_text(json.dumps(info))
    return info


#: the partition date of the base snapshot (the update's partition is newer: 2031-01-01)
BASE_DATE = "2030-01-01"


def _median(values: list[float]) -> float:
    ordered = sorted(values)
    mid = len(ordered) // 2
    return ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2


def _build(out: Path, n: int, build: str, built: Path, src: str | None = None) -> tuple[dict, float]:
    """The full build into ``built`` (with the code in ``src`` when given): its stage result and seconds."""
    profile = synth.calibrated_profile()
    label = f"[{n:,} works{' baseline ' + src if src else ''}]"
    if build == "sync":
        snapshot = out / f"snapshot-{n}-{SEED}"
        if not (snapshot / "meta.json").exists():
            print(f"generating {n:,} works as a snapshot partition of gzip JSON Lines in {snapshot} (cached)",
                  flush=True)
        base = write_snapshot(snapshot, n, profile)
        print(f"{label} full build: sync of the whole snapshot ({base['gzip_bytes'] / 1e6:.0f} MB gzip) "
              "into an empty store", flush=True)
        full = stage("build_sync", out, src=src, store=str(built), snapshot=str(snapshot))
        return full, full["total_s"]
    tables = out / f"tables-{n}-{SEED}"
    if not (tables / "works").exists():
        print(f"generating {n:,} works as Parquet tables in {tables} (cached)", flush=True)
        synth.write_store_parquet(tables, n, SEED, profile=profile)
    print(f"{label} full build: the generator's Parquet tables loaded", flush=True)
    full = stage("build", out, src=src, store=str(built), tables=str(tables))
    return full, full["load_s"] + full["derived_s"]


def run_incremental(out: Path, n: int, ranges: bool = True, build: str = "sync", repeat: int = 3,
                    baseline: str | None = None) -> dict:
    """The full build (``build``: ``sync`` of the whole snapshot as JSON, or ``tables``: the generator's
    Parquet tables loaded), then the update synced ``repeat`` times, each on a fresh copy of the built
    store (the sync figure is the median), then verify and the rebuild on the last copy. With
    ``baseline`` (another checkout's src folder) the same build and syncs with that code too, in the same
    run: its own built store, its syncs alternating with this code's (each on a fresh copy)."""
    profile = synth.calibrated_profile()
    store = out / f"inc-{n}.duckdb"
    built = out / f"inc-{n}-built.duckdb"
    full, full_s = _build(out, n, build, built)
    base_built = out / f"inc-{n}-built-baseline.duckdb"
    base_full, base_full_s = _build(out, n, build, base_built, src=baseline) if baseline else (None, None)
    update = write_update(out / f"update-{n}", n, new=n // 200, replaced=n // 200, merged=n // 1000, profile=profile)
    print(f"[{n:,} works] update: {update}", flush=True)
    syncs, base_syncs = [], []
    for _ in range(max(repeat, 1)):  # baseline first: the store left is this code's last sync (verified below)
        for src, source, runs in ((baseline, base_built, base_syncs), (None, built, syncs)):
            if runs is base_syncs and not baseline:
                continue
            shutil.copyfile(source, store)  # the same built store each time (a checkpointed file: no WAL)
            runs.append(stage("sync", out, src=src, store=str(store), snapshot=str(out / f"update-{n}")))
    built.unlink(missing_ok=True)
    base_built.unlink(missing_ok=True)
    sync = dict(syncs[-1])
    sync_s = _median([s["total_s"] for s in syncs])
    sync["runs_total_s"] = [s["total_s"] for s in syncs]
    sync_cpu_s = _median([s["cpu_s"] for s in syncs])
    verify = stage("verify", out, store=str(store))
    rebuild = stage("rebuild", out, store=str(store))
    years = stage("ranges", out, store=str(store)) if ranges else None
    store.unlink(missing_ok=True)
    result = {"works": n, "build_kind": build, "build": full, "full_build_s": full_s, "update": update, "sync": sync,
              "sync_s": sync_s, "ratio": sync_s / full_s,
              # CPU seconds of the process (every DuckDB thread): what a loaded machine changes least
              "cpu_ratio": sync_cpu_s / full["cpu_s"] if "cpu_s" in full else None,
              "verify": verify, "rebuild": rebuild, "ranges": years,
              "equal": not any(verify["differing"].values())}
    if baseline:
        base = dict(base_syncs[-1])
        base["runs_total_s"] = [s["total_s"] for s in base_syncs]
        base_s = _median(base["runs_total_s"])
        result["baseline"] = {"src": baseline, "build": base_full, "full_build_s": base_full_s, "sync": base,
                              "sync_s": base_s, "sync_cpu_s": _median([s["cpu_s"] for s in base_syncs]),
                              "ratio": base_s / base_full_s}
        result["sync_cpu_s"] = sync_cpu_s
    return result


def run_parse(out: Path, m: int) -> dict:
    profile = synth.calibrated_profile()
    folder = out / f"jsonl-{m}-{SEED}"
    meta = folder / "meta.json"
    if not meta.exists():
        print(f"generating {m:,} works as gzip JSON Lines in {folder} (cached)", flush=True)
        files, raw = synth.write_jsonl_gz(folder / "jsonl", m, SEED, parts=2, profile=profile)
        meta.write_text(json.dumps({"files": [str(f) for f in files], "json_bytes": raw}))
    files = json.loads(meta.read_text())
    print(f"[{m:,} works as JSON] bare parse, then ingest end to end", flush=True)
    parse = stage("parse", out, files=files["files"])
    ingest = stage("ingest", out, files=files["files"], store=str(out / "parse-ingest.duckdb"))
    (out / "parse-ingest.duckdb").unlink(missing_ok=True)
    return {"works": m, "json_bytes": files["json_bytes"], "parse": parse, "ingest": ingest,
            "ratio": parse["seconds"] / ingest["seconds"],
            "ratio_inner": parse["parse_s"] / ingest["end_to_end_s"]}


def summary(result: dict) -> list[str]:
    lines = []
    inc = result.get("incremental")
    if inc:
        b, s, r, v = inc["build"], inc["sync"], inc["rebuild"], inc["verify"]
        full = inc["full_build_s"]
        if inc["build_kind"] == "sync":
            lines.append(f"full build of {inc['works']:,} works by `sync` of the whole snapshot (gzip JSON) into an "
                         f"empty store: {full:.1f} s (ingest {b['ingest_s']:.1f} + unit shares "
                         f"{b['unit_shares_s']:.1f} + aggregates {b['aggregates_s']:.1f}; peak RSS "
                         f"{b['peak_rss_gb']:.2f} GB)")
        else:
            lines.append(f"store of {inc['works']:,} works: load {b['load_s']:.1f} s + unit shares/aggregates "
                         f"{b['derived_s']:.1f} s = full build {full:.1f} s (peak RSS {b['peak_rss_gb']:.2f} GB)")
        runs = ", ".join(f"{t:.2f}" for t in s.get("runs_total_s", [s["total_s"]]))
        lines += [
            f"update {inc['update']['new']:,} new + {inc['update']['replaced']:,} replaced + "
            f"{inc['update']['merged']:,} merged away: sync {inc['sync_s']:.2f} s (median of {runs}); last run: "
            f"ingest+merge {s['ingest_s']:.2f} s + incremental maintenance {s['maintenance_s']:.2f} s "
            f"({s['derived_update']}, {s['works_recounted']:,} works recounted; peak RSS {s['peak_rss_gb']:.2f} GB)",
            "maintenance steps (s, 3 levels): " + ", ".join(f"{k} {v:.2f}" for k, v in s.get("steps", {}).items()),
            f"1 % update / full build = {inc['sync_s']:.2f} / {full:.1f} s = {inc['ratio']:.3f} (target <= 0.10); "
            f"equal to a fresh build: {inc['equal']}"
            + (f"; in CPU seconds (all threads) {inc['cpu_ratio']:.3f}" if inc.get("cpu_ratio") else ""),
            f"full rebuild of the saved tables on the same store: {r['rebuild_s']:.1f} s "
            f"(maintenance = {s['maintenance_s'] / r['rebuild_s']:.1%} of it)",
            f"verify (recompute + compare): {v['verify_s']:.1f} s, equal: {inc['equal']}",
        ]
        base = inc.get("baseline")
        if base:
            bs = base["sync"]
            runs = ", ".join(f"{t:.2f}" for t in bs["runs_total_s"])
            lines += [
                f"baseline ({base['src']}), same run: full build {base['full_build_s']:.1f} s; "
                f"sync {base['sync_s']:.2f} s (median of {runs}; CPU {base['sync_cpu_s']:.2f} s); "
                f"ratio {base['ratio']:.3f}",
                "baseline maintenance steps (s): " + ", ".join(f"{k} {v:.2f}" for k, v in bs.get("steps", {}).items()),
                f"this code / baseline, sync: {inc['sync_s'] / base['sync_s']:.2f} (wall), "
                f"{inc['sync_cpu_s'] / base['sync_cpu_s']:.2f} (CPU)"]
        years = inc.get("ranges")
        for level in ("country", "institution") if years else ():
            cells = []
            for label in (y or "all" for y in RANGES):
                rows = years[f"{level} {label} rows"]
                cells.append(f"{label} ({rows['partners']:,} pair rows): " + ", ".join(
                    f"{m} {years[f'{level} {label} {m}'] * 1e3:.0f}"
                    for m in ("scores", "totals", "pairs", "partners", "pairs_api") if f"{level} {label} {m}" in years))
            lines.append(f"year ranges, {level} level (ms, best of 3; SQL alone, pairs_api = Atlas.pairs with its "
                         "DataFrame): " + "; ".join(cells))
    par = result.get("parse")
    if par:
        i = par["ingest"]
        lines.append(f"{par['works']:,} works JSON ({par['json_bytes'] / par['works'] / 1e3:.1f} KB each): bare parse "
                     f"{par['parse']['parse_s']:.2f} s; ingest end to end {i['end_to_end_s']:.2f} s (ingest "
                     f"{i['ingest_s']:.2f} + unit shares {i['unit_shares_s']:.2f} + aggregates "
                     f"{i['aggregates_s']:.2f}); "
                     f"parse / end to end = {par['ratio_inner']:.2f} (child wall times {par['ratio']:.2f}); "
                     f"peak RSS {i['peak_rss_gb']:.2f} GB")
    return lines


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--works", default="1M", help="store size for the incremental part (0: skip)")
    ap.add_argument("--parse-works", default="35k", help="works for ingest vs bare parse (0: skip)")
    ap.add_argument("--out", default="bench-out/incremental")
    ap.add_argument("--no-ranges", action="store_true", help="skip the year-range queries (stage 5)")
    ap.add_argument("--build", choices=("sync", "tables"), default="sync",
                    help="the full build: sync of the whole snapshot as gzip JSON (default), or the generator's "
                         "Parquet tables loaded (cheaper to generate at 1M+)")
    ap.add_argument("--repeat", type=int, default=3,
                    help="syncs of the update, each on a fresh copy of the built store (the median is reported)")
    ap.add_argument("--baseline", metavar="SRC", help="also build and sync with the collabatlas package in SRC "
                    "(another checkout's src folder, e.g. /work/main/src), its syncs alternating with this code's: "
                    "before / after in the same run")
    ap.add_argument("--stage", help=argparse.SUPPRESS)  # internal: run one stage (a child process)
    args = ap.parse_args(argv)
    if args.stage:
        answer_stage(args.stage, STAGES)
        return
    if args.baseline and not (Path(args.baseline) / "collabatlas" / "__init__.py").is_file():
        ap.error(f"--baseline {args.baseline}: no collabatlas package there (give a checkout's src folder)")
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    result: dict = {"command": " ".join(["python -m benchmarks.bench_incremental", *(argv or sys.argv[1:])])}
    if parse_size(args.works):
        result["incremental"] = run_incremental(out, parse_size(args.works), ranges=not args.no_ranges,
                                                  build=args.build, repeat=args.repeat, baseline=args.baseline)
    if parse_size(args.parse_works):
        result["parse"] = run_parse(out, parse_size(args.parse_works))
    result["summary"] = summary(result)
    (out / "incremental.json").write_text(json.dumps(result, indent=1, default=str))
    print("\n".join(result["summary"]))


if __name__ == "__main__":
    main()
