"""One extreme work: the store size it makes, and the rows of the pair tables.

    python -m benchmarks.bench_extreme_work                               # 20,000 authors, 5,000 institutions
    python -m benchmarks.bench_extreme_work --authors 5154 --institutions 1000

Writes one OpenAlex work (every author at one institution, institutions spread over 100 countries)
as gzip JSON Lines beside one ordinary two-country work, ingests both into a new store (which saves
the unit shares and per-year aggregates, as every ingest does) and prints the input size, the store
file size, the rows of each saved pair table (``agg_partners_<level>``) and the works left out of the
pair tables by the cap (``collabatlas.counting.rules.MAX_PAIR_UNITS``; see docs/methodology.md).
"""

from __future__ import annotations

import argparse
import gzip
import os
import tempfile
import time
from pathlib import Path

import orjson

import collabatlas
from collabatlas.refdata.countries import iso2_codes


def extreme_work(authors: int, institutions: int, countries: int = 100) -> dict:
    codes = sorted(iso2_codes())[:countries]
    authorships = []
    for a in range(authors):
        i = a % institutions
        country = codes[i % len(codes)]
        authorships.append({
            "author_position": "middle",
            "author": {"id": f"https://openalex.org/A{a + 1}", "display_name": f"Author {a + 1}"},
            "institutions": [{"id": f"https://openalex.org/I{i + 1}", "display_name": f"Institution {i + 1}",
                              "ror": None, "country_code": country, "type": "education",
                              "lineage": [f"https://openalex.org/I{i + 1}"]}],
            "countries": [country],
        })
    return {"id": "https://openalex.org/W1", "doi": "https://doi.org/10.1/extreme", "display_name": "Extreme",
            "publication_year": 2020, "publication_date": "2020-06-15", "type": "article",
            "updated_date": "2024-01-01T00:00:00", "authorships": authorships}


def ordinary_work() -> dict:
    return {"id": "https://openalex.org/W2", "display_name": "Ordinary", "publication_year": 2020,
            "type": "article", "updated_date": "2024-01-01T00:00:00",
            "authorships": [{"author": {"id": "https://openalex.org/A0"}, "countries": ["JP"],
                             "institutions": [{"id": "https://openalex.org/I1", "country_code": "JP"}]},
                            {"author": {"id": "https://openalex.org/A00"}, "countries": ["NO"],
                             "institutions": [{"id": "https://openalex.org/I99999", "country_code": "NO"}]}]}


def measure(authors: int, institutions: int, folder: Path) -> dict:
    source = folder / "extreme.jsonl.gz"
    source.write_bytes(gzip.compress(orjson.dumps(extreme_work(authors, institutions)) + b"\n"
                                     + orjson.dumps(ordinary_work()) + b"\n"))
    store = folder / "extreme.duckdb"
    started = time.perf_counter()
    with collabatlas.open(store) as atlas:
        report = atlas.ingest(source)
        pairs = {level: atlas.con.execute(f"SELECT count(*) FROM agg_partners_{level}").fetchone()[0]
                 for level in atlas.PERSISTED_LEVELS}
        atlas.con.execute("CHECKPOINT")
    return {"authors": authors, "institutions": institutions, "input_bytes": source.stat().st_size,
            "store_bytes": os.path.getsize(store), "pair_rows": pairs,
            "works_over_the_pair_cap": report.works_over_pair_cap,
            "seconds": round(time.perf_counter() - started, 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--authors", type=int, default=20_000)
    parser.add_argument("--institutions", type=int, default=5_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-extreme-") as tmp:
        result = measure(args.authors, args.institutions, Path(tmp))
    print(f"{result['authors']:,} authors, {result['institutions']:,} institutions: input "
          f"{result['input_bytes'] / 1e6:.2f} MB gzip, store {result['store_bytes'] / 1e6:.1f} MB, "
          f"pair rows {result['pair_rows']}, works over the pair cap {result['works_over_the_pair_cap']}, "
          f"{result['seconds']} s")


if __name__ == "__main__":
    main()
