"""Addresses per second: one process vs the batch runner (issue 29: >= 1,000 addresses/s on 2 cores).

    python -m benchmarks.bench_match              # writes bench_match.json
    COLLABATLAS_MATCH_WORKERS=2 python -m benchmarks.bench_match

The strings: every string of the Crossref gold set (ROR's own test set) and the S2AFF train + val splits
(``DATA/affiliations``), 4,720 in all; the registry: the union of the three files of ``DATA/ror``, as
``benchmarks.eval_ror_style`` loads it. One matcher is built (its build time is printed apart); the batch
runner (:func:`collabatlas.affiliations.match_batch.match_batch`;
workers = COLLABATLAS_MATCH_WORKERS, else the usable cores)
runs first, in forked workers whose caches never come back to the parent, then the single-process loop on
the same, still cold, matcher: both start with empty caches. The two result lists must be equal.
"""

from __future__ import annotations

import json
import os
import resource
import time
from pathlib import Path

from benchmarks.eval_ror_style import gold_sets, union_store
from collabatlas.affiliations.match_batch import match_batch, usable_cores
from collabatlas.affiliations.matching import AffiliationMatcher
from collabatlas.settings import match_workers


def strings(data_dir: Path) -> list[str]:
    return [text for items in gold_sets(data_dir).values() for text, _ in items]


def run(data_dir: Path, workers: int | None = None) -> dict:
    texts = strings(data_dir)
    con = union_store(data_dir)
    started = time.perf_counter()
    matcher = AffiliationMatcher.from_store(con)
    build = time.perf_counter() - started
    workers = (match_workers() or usable_cores()) if workers is None else workers
    started, cpu, children = time.perf_counter(), time.process_time(), _children_cpu()
    batch = match_batch(matcher, texts, workers=workers)
    batch_s = time.perf_counter() - started
    batch_cpu = time.process_time() - cpu + _children_cpu() - children
    started, cpu = time.perf_counter(), time.process_time()
    single = [matcher.match(t) for t in texts]
    single_s, single_cpu = time.perf_counter() - started, time.process_time() - cpu
    if batch != single:
        raise AssertionError("the batch runner's results differ from the single-process results")
    return {"strings": len(texts), "distinct": len(set(texts)), "matcher_build_s": round(build, 1),
            "workers": workers, "single_s": round(single_s, 2), "batch_s": round(batch_s, 2),
            "single_per_s": round(len(texts) / single_s), "batch_per_s": round(len(texts) / batch_s),
            "single_cpu_s": round(single_cpu, 2), "batch_cpu_s": round(batch_cpu, 2),
            "load_average_1min": round(os.getloadavg()[0], 1), "identical": True}


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    from benchmarks.eval_affiliations import default_data_dir

    result = run(default_data_dir())
    Path("bench_match.json").write_text(json.dumps(result, indent=2))
    print(f"{result['strings']:,} strings (Crossref + S2AFF), matcher built in {result['matcher_build_s']} s")
    print(f"single process      {result['single_per_s']:>7,} addresses/s  ({result['single_s']} s wall, "
          f"{result['single_cpu_s']} s CPU)")
    print(f"batch, {result['workers']} workers    {result['batch_per_s']:>7,} addresses/s  "
          f"({result['batch_s']} s wall, {result['batch_cpu_s']} s CPU)  — identical results")
    print(f"load average (1 min) {result['load_average_1min']}: on a busy machine the wall-clock rates say little")


if __name__ == "__main__":
    main()
