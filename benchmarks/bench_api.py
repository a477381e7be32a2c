"""API latency benchmark: p50 / p95 of typical dashboard requests on a store of N synthetic works.

    python -m benchmarks.bench_api                        # 1M works (store cached in bench-out/)
    python -m benchmarks.bench_api --works 10000000       # the 10M-work target: p95 < 150 ms
    python -m benchmarks.bench_api --works 200000 --repeat 20 --concurrency 4

The store comes from the seeded generator (:mod:`benchmarks.synth`, Parquet tables loaded into
DuckDB, as ``bench_spine`` does), with its unit shares saved. The app of ``collabatlas serve`` runs
under uvicorn on a free local port; requests go over real HTTP (httpx).

Measured, per request kind:

* **cold** — the first request, on an empty result cache (the Atlas aggregation runs);
* **warm** — ``--repeat`` more requests of the same kind (served from the cache), from
  ``--concurrency`` client threads at once; p50 / p95 / max over them;
* **all** — p50 / p95 over every request sent, first and repeated, as the server saw them.

Printed as a table, and written as JSON to ``OUT/bench_api-N.json``.
"""

from __future__ import annotations

import argparse
import json
import platform
import socket
import statistics
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
from rich.console import Console
from rich.table import Table

import collabatlas
from benchmarks import synth
from benchmarks.bench_spine import parquet_store
from collabatlas.views.web import create_app

console = Console(width=140)


def ensure_unit_shares(store: Path) -> None:
    """Save the per-level unit shares in the store (the server reads them instead of recomputing)."""
    with collabatlas.open(store) as atlas:
        if not atlas.unit_shares_saved:
            console.print("saving unit shares in the store")
            atlas.store_unit_shares()


def typical_requests(store: Path) -> list[tuple[str, str]]:
    """(kind, URL) of what the dashboard pages ask for, with units that exist in this store."""
    with collabatlas.open(store, read_only=True) as atlas:
        country = atlas.con.execute("SELECT country_code FROM institutions WHERE country_code IS NOT NULL "
                                    "GROUP BY 1 ORDER BY count(*) DESC LIMIT 2").fetchall()
        institution = atlas.con.execute("SELECT i.institution_id FROM affiliations f JOIN institutions i USING "
                                        "(ikey) GROUP BY 1 ORDER BY count(*) DESC LIMIT 1").fetchone()[0]
        first, last = atlas.con.execute("SELECT min(year), max(year) FROM works").fetchone()
    a, b = country[0][0], country[1][0]
    recent = f"{last - 4}-{last}"
    return [
        ("scores country", "/api/scores?level=country"),
        ("scores country, 5 years", f"/api/scores?level=country&years={recent}"),
        ("scores institution top 50", "/api/scores?level=institution&limit=50"),
        ("pairs country top 100", "/api/pairs?level=country&limit=100"),
        ("collaboration country", "/api/collaboration?level=country"),
        ("partners of a country", f"/api/partners/{a}?top=15"),
        ("partners, 5 years by year", f"/api/partners/{a}?top=15&years={recent}"),
        ("partners of an institution", f"/api/partners/{institution}?level=institution&top=15"),
        ("trend of a pair", f"/api/trend/{a}/{b}?years={first}-{last}"),
        ("trend, subject filter", f"/api/trend/{a}/{b}?subject=ni:life-sciences"),
        ("units search", "/api/units?level=institution&q=I1&limit=20"),
        ("profile of an institution", f"/api/profile/{institution}"),
        ("chart: partner bars", f"/api/chart/partners/{a}"),
        ("network country top 60", "/api/network?level=country&top=60"),
    ]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def measure(base: str, requests: list[tuple[str, str]], repeat: int, concurrency: int) -> list[dict]:
    rows = []
    with httpx.Client(base_url=base, timeout=3600) as client, ThreadPoolExecutor(concurrency) as pool:
        def timed(url: str) -> float:
            started = time.perf_counter()
            response = client.get(url)
            elapsed = (time.perf_counter() - started) * 1000
            if response.status_code != 200:
                raise RuntimeError(f"{url}: {response.status_code} {response.text[:200]}")
            return elapsed

        for kind, url in requests:
            cold = timed(url)
            warm = list(pool.map(timed, [url] * repeat))
            rows.append({"request": kind, "url": url, "cold_ms": round(cold, 1), "all_ms": [cold, *warm],
                         "warm_p50_ms": round(statistics.median(warm), 2),
                         "warm_p95_ms": round(_percentile(warm, 0.95), 2), "warm_max_ms": round(max(warm), 2)})
            console.print(f"  {kind}: cold {cold:,.0f} ms, warm p95 {rows[-1]['warm_p95_ms']} ms")
    return rows


def summary(rows: list[dict]) -> dict:
    """Percentiles of the first requests of each kind (cold), of the warm ones, and of every request
    sent (the first of each kind and its repeats together, as a server sees them)."""
    colds = [r["cold_ms"] for r in rows]
    every = [ms for r in rows for ms in r["all_ms"]]
    return {"all_requests": len(every), "all_p50_ms": round(statistics.median(every), 1),
            "all_p95_ms": round(_percentile(every, 0.95), 1),
            "cold_p50_ms": round(statistics.median(colds), 1), "cold_p95_ms": round(_percentile(colds, 0.95), 1),
            "cold_max_ms": round(max(colds), 1),
            "warm_p95_max_ms": round(max(r["warm_p95_ms"] for r in rows), 2),
            "warm_p50_median_ms": round(statistics.median(r["warm_p50_ms"] for r in rows), 2)}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--works", type=int, default=1_000_000, help="synthetic works in the store (default 1M)")
    parser.add_argument("--seed", type=int, default=20261122)
    parser.add_argument("--out", type=Path, default=Path("bench-out"))
    parser.add_argument("--repeat", type=int, default=50, help="warm requests per kind")
    parser.add_argument("--profile", choices=("calibrated", "default"), default="calibrated",
                        help="generator profile of the store's works (default calibrated)")
    parser.add_argument("--concurrency", type=int, default=4, help="client threads for the warm requests")
    args = parser.parse_args(argv)

    args.out.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    profile = synth.calibrated_profile() if args.profile == "calibrated" else synth.DEFAULT_PROFILE
    store = parquet_store([], args.out, args.works, args.seed, profile)
    ensure_unit_shares(store)
    console.print(f"store {store} ready in {time.perf_counter() - started:.1f} s")

    import uvicorn

    app = create_app(store)
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    try:
        rows = measure(f"http://127.0.0.1:{port}", typical_requests(store), args.repeat, args.concurrency)
    finally:
        server.should_exit = True
        thread.join(10)
        app.state.service.close()

    table = Table(title=f"API latency, {args.works:,} works ({args.repeat} warm requests per kind, "
                        f"{args.concurrency} client threads)")
    for col in ("request", "cold ms", "warm p50 ms", "warm p95 ms", "warm max ms"):
        table.add_column(col, justify="left" if col == "request" else "right")
    for r in rows:
        table.add_row(r["request"], f"{r['cold_ms']:,.1f}", f"{r['warm_p50_ms']:.2f}", f"{r['warm_p95_ms']:.2f}",
                      f"{r['warm_max_ms']:.2f}")
    console.print(table)
    result = {"works": args.works, "seed": args.seed, "repeat": args.repeat, "concurrency": args.concurrency,
              "machine": {"python": platform.python_version(), "cpus": __import__("os").cpu_count()},
              "summary": summary(rows), "requests": [{k: v for k, v in r.items() if k != "all_ms"} for r in rows]}
    path = args.out / f"bench_api-{args.works}.json"
    path.write_text(json.dumps(result, indent=1))
    print(json.dumps(result["summary"]))
    console.print(f"written to {path}")


if __name__ == "__main__":
    main()
