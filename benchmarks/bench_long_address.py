"""One very long address (a concatenation of thousands of affiliations, issue 25): matching time against the
number of comma components, with the ROR registry of the shared data.

    python -m benchmarks.bench_long_address                  # 100 … 40,000 components
    python -m benchmarks.bench_long_address --sizes 1000,40000

Before issue 25's fix a 40,000-component address took 29 s (each part rescanned the whole address: quadratic);
now the country rules read every component once and the institution is matched on at most
``matching.MAX_COMPONENTS`` of them (the first ones and the last two), so the time is linear and small.
No timing is asserted in the tests (tests/test_matching.py checks the work — parts looked up — instead).
"""

from __future__ import annotations

import argparse
import time

from benchmarks.eval_affiliations import default_data_dir, registry_store
from collabatlas.affiliations.matching import MAX_COMPONENTS, AffiliationMatcher

PARTS = ["Dept Phys", "Lab Struct Biol", "Sch Med", "Inst Solid State Phys", "Div Math", "Ctr Adv Study",
         "Grad Sch Engn", "Kyoto Univ", "Natl Inst Hlth", "Tokyo 1130033"]


def long_address(n: int, salt: str = "a") -> str:
    """``n`` distinct components (a number makes each one distinct; ``salt`` makes them differ from those of
    another call, so that no part comes from the matcher's cache), then the institution and country."""
    return ", ".join(f"{PARTS[i % len(PARTS)]} {i}{salt}" for i in range(n)) + ", Univ Tokyo, Japan"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100,1000,10000,40000")
    args = parser.parse_args()
    con = registry_store(default_data_dir())
    matcher = AffiliationMatcher.from_store(con)
    print(f"MAX_COMPONENTS = {MAX_COMPONENTS}")
    print("components | seconds | parts looked up | components not read for the institution | ror_id")
    for k, n in enumerate(int(s) for s in args.sizes.split(",")):
        before = matcher.parts_scored
        started = time.perf_counter()
        m = matcher.match(long_address(n, salt="abcdefghij"[k % 10] * (k // 10 + 1)))
        seconds = time.perf_counter() - started
        print(f"{n + 2:,} | {seconds:.3f} | {matcher.parts_scored - before:,} | {m.components_skipped:,} | {m.ror_id}")


if __name__ == "__main__":
    main()
