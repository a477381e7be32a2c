"""``collabatlas sync SNAPSHOT --engine spark --parquet OUT``: a Parquet interchange folder brought up to
date on Spark (:mod:`collabatlas.engines.spark_sync`; docs/spark.md)."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from collabatlas.atlas.workflows import DAMAGED_EXIT_CODE
from collabatlas.escaping import markup
from collabatlas.views.cli_common import _fail, console, err_console


def run(snapshot: Path, parquet: Path | None, store: Path | None, master: str, allow_missing: bool,
        json_summary: bool) -> None:
    """Run the Spark sync and print its summary; exit 3 when part files held damaged lines."""
    if parquet is None:
        _fail("--engine spark updates Parquet interchange tables: pass --parquet OUT (the folder an earlier "
              "`sync --engine spark` wrote, or a new or empty one)")
    if store is not None:
        _fail("--store does not apply with --engine spark (it updates --parquet OUT); load the tables into a store "
              "with `collabatlas import-tables OUT --store FILE`")
    from collabatlas.atlas.workflows import spark_sync

    with err_console.status(f"Spark sync ({markup(master)}) of {markup(str(parquet))}"):
        result = spark_sync(snapshot, parquet, master, allow_missing=allow_missing)
    if json_summary:
        print(json.dumps(result.to_dict(), default=str))
    else:
        console.print(result.summary(), markup=False)
        for table, n in result.rows.items():
            console.print(f"rows {table}: {n:,}", markup=False)
    for note in result.notes:
        err_console.print(f"note: {note}", markup=False)
    if result.damaged:
        err_console.print(f"{result.damaged:,} lines lost to damaged files: {', '.join(sorted(result.damaged_files))} "
                          f"(exit code {DAMAGED_EXIT_CODE})", markup=False)
        raise typer.Exit(DAMAGED_EXIT_CODE)
