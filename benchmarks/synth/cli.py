"""Command line of the generator: ``jsonl``, ``parquet`` and ``check`` (``python -m benchmarks.synth``)."""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import orjson

import benchmarks.synth
from benchmarks.synth.profiles import DEFAULT_PROFILE, Profile, calibrated_profile
from benchmarks.synth.store_parquet import write_store_parquet
from benchmarks.synth.work_json import iter_work_dicts, write_jsonl_gz


def _check(n: int, seed: int, mega_share: float | None, profile: Profile | None = None) -> None:
    """Print the calibration (JSON size, authors, international share) and speeds."""
    t0 = time.perf_counter()
    sizes, n_auth, intl = [], [], 0
    for work in iter_work_dicts(n, seed, mega_share, profile=profile):
        sizes.append(len(orjson.dumps(work)))
        n_auth.append(len(work["authorships"]))
        intl += work["countries_distinct_count"] >= 2
    dt = time.perf_counter() - t0
    n_auth_a = np.array(n_auth)
    print(f"works               {n:,}")
    print(f"JSON bytes/work     mean {np.mean(sizes):,.0f}  median {np.median(sizes):,.0f}")
    print(f"authors/work        mean {n_auth_a.mean():.2f}  median {np.median(n_auth_a):.0f}  "
          f"mean<100 {n_auth_a[n_auth_a < 100].mean():.2f}  >=100: {(n_auth_a >= 100).sum()}")
    print(f"international       {intl / n:.1%}")
    print(f"render+orjson       {n / dt:,.0f} works/s (one process)")


def main(argv: list[str] | None = None) -> None:
    """Command line: ``jsonl``, ``parquet`` or ``check`` (see the :mod:`benchmarks.synth` docstring)."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.synth",
                                     description=benchmarks.synth.__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    for name in ("jsonl", "parquet", "check"):
        cmd = sub.add_parser(name)
        if name != "check":
            cmd.add_argument("out", type=Path)
        cmd.add_argument("--works", type=int, default=20_000 if name == "check" else None,
                         required=name != "check")
        cmd.add_argument("--seed", type=int, default=0)
        cmd.add_argument("--mega-share", type=float, default=None,
                         help="share of mega-author works (default: the profile's, 0.001 / 0.0003)")
        cmd.add_argument("--profile", choices=("default", "calibrated"), default="default",
                         help="calibrated: distributions measured by benchmarks.calibration")
        if name == "jsonl":
            cmd.add_argument("--parts", type=int, default=1)
        if name == "parquet":
            cmd.add_argument("--chunk", type=int, default=1_000_000)
    args = parser.parse_args(argv)
    profile = calibrated_profile() if args.profile == "calibrated" else DEFAULT_PROFILE

    if args.command == "check":
        _check(args.works, args.seed, args.mega_share, profile)
        return
    t0 = time.perf_counter()
    if args.command == "jsonl":
        files, n_bytes = write_jsonl_gz(args.out, args.works, args.seed, args.parts, args.mega_share,
                                        profile=profile)
    else:
        result = write_store_parquet(args.out, args.works, args.seed, args.mega_share, args.chunk,
                                     profile=profile)
        files, n_bytes = result["files"], result["bytes"]
    dt = time.perf_counter() - t0
    on_disk = sum(f.stat().st_size for f in files)
    for f in files:
        print(f)
    if args.command == "jsonl":
        what = (f"{n_bytes / 1e6:,.1f} MB of JSON ({n_bytes / max(args.works, 1):,.0f} B/work), "
                f"gzip {on_disk / 1e6:,.1f} MB")
    else:
        what = f"{on_disk / 1e6:,.1f} MB of Parquet, rows " + ", ".join(
            f"{k} {v:,}" for k, v in result["rows"].items())
    print(f"{args.works:,} works, {what}; {dt:.1f} s: {args.works / dt:,.0f} works/s, "
          f"{n_bytes / 1e6 / dt:,.1f} MB/s")
