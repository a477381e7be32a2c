"""Start-up time of the command line: ``collabatlas --help`` next to ``python -c "import typer, rich"``.

    python -m benchmarks.bench_cli_startup                # 7 rounds
    python -m benchmarks.bench_cli_startup --rounds 15

Both run in the same session, interleaved round by round (so a busy machine slows both alike), each
in a fresh interpreter; the medians and their ratio are printed (issue 28's target: the ratio at
most 3). Also printed: which heavy libraries ``import collabatlas.views.cli`` loads (none expected:
pandas, DuckDB, Altair, PyArrow load with the commands that use them).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time

BASELINE = [sys.executable, "-c", "import typer, rich"]
HELP = [sys.executable, "-c", "from collabatlas.views.cli import app; app()", "--help"]
HEAVY = ("pandas", "duckdb", "altair", "pyarrow", "numpy", "scipy", "sqlglot", "fastapi", "igraph")


def seconds(command: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def heavy_imports() -> list[str]:
    code = ("import sys, collabatlas.views.cli; "
            f"print(' '.join(m for m in {HEAVY!r} if m in sys.modules))")
    return subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout.split()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    seconds(HELP)  # compiled bytecode and warm file cache for both
    seconds(BASELINE)
    base, help_ = [], []
    for _ in range(args.rounds):
        base.append(seconds(BASELINE))
        help_.append(seconds(HELP))
    b, h = statistics.median(base), statistics.median(help_)
    print(f"python -c 'import typer, rich': median {b * 1000:7.1f} ms over {args.rounds} runs")
    print(f"collabatlas --help:             median {h * 1000:7.1f} ms over {args.rounds} runs")
    print(f"ratio: {h / b:.2f} (target <= 3)")
    print(f"heavy libraries imported by `import collabatlas.views.cli`: {', '.join(heavy_imports()) or 'none'}")


if __name__ == "__main__":
    main()
