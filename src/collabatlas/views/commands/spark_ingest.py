"""``collabatlas ingest … --engine spark --parquet OUT``: OpenAlex works JSON read by Spark into the
Parquet interchange tables (:mod:`collabatlas.engines.spark_ingest`; docs/spark.md)."""

from __future__ import annotations

import json
from pathlib import Path

from rich.table import Table

from collabatlas.atlas.workflows import DAMAGED_EXIT_CODE, spark_ingest
from collabatlas.escaping import markup
from collabatlas.views.cli_common import _fail, console, err_console


def run(paths: list[Path], parquet: Path | None, store: Path | None, format: str, master: str,
        json_summary: bool) -> int:
    """Run the Spark ingest; the exit code (0, or 3 when lines were lost to damage)."""
    if parquet is None:
        _fail("--engine spark writes Parquet interchange tables: pass --parquet OUT (a new or empty folder); "
              "the DuckDB store is not written by Spark")
    if store is not None:
        _fail("--store does not apply with --engine spark (it writes --parquet OUT); load the tables into a "
              "store afterwards with `collabatlas import-tables OUT --store FILE`")
    if format not in ("auto", "openalex"):
        _fail(f"--format {format}: the Spark ingest reads OpenAlex works JSON Lines only")
    with err_console.status(f"Spark ingest ({markup(master)}) into {markup(str(parquet))}"):
        result = spark_ingest(paths, parquet, master)
    if json_summary:
        print(json.dumps(result.to_dict(), indent=1))
    else:
        t = Table(title=f"Spark ingest into {markup(str(parquet))}", show_header=False)
        t.add_column("what")
        t.add_column("n", justify="right")
        rows = [("files read", len(result.files)), ("records read", result.records_read),
                ("older copies in this input", result.superseded),
                ("records skipped", sum(result.skipped.values()))]
        rows += [(f"  {reason}", n) for reason, n in sorted(result.skipped.items())]
        rows += [("lost to damage (not JSON)", result.damaged)]
        rows += [(f"rows {table}", n) for table, n in result.rows.items()]
        rows += [("time", f"{result.seconds:.2f} s ({result.records_read / max(result.seconds, 1e-9):,.0f} "
                          f"records/s)")]
        for what, n in rows:
            t.add_row(markup(what), f"{n:,}" if isinstance(n, int) else markup(n))
        console.print(t)
    for note in result.notes:
        err_console.print(f"[yellow]note:[/] {markup(note)}")
    if result.damaged:
        err_console.print(f"{result.damaged:,} lines lost to damaged input (exit code {DAMAGED_EXIT_CODE})",
                          markup=False)
        return DAMAGED_EXIT_CODE
    return 0
