"""Commands on the store's tables: ``export`` (Parquet interchange tables), ``import-tables`` (read
them back), ``refresh`` (save the unit shares and aggregates again) and ``info`` (what the store holds)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from collabatlas.escaping import markup
from collabatlas.views.cli_common import (
    Format,
    FormatOpt,
    StoreOpt,
    _emit,
    _fail,
    _guard,
    _open,
    _open_for_input,
    console,
    err_console,
)
from collabatlas.views.ingest_summary import print_report, unsaved_exit


def register(app: typer.Typer) -> None:
    app.command("export")(_guard(export))
    app.command("import-tables")(_guard(import_tables))
    app.command("refresh")(_guard(refresh))
    app.command("info")(_guard(info))


def export(
    folder: Annotated[Path, typer.Argument(help="Directory for the Parquet tables.")],
    store: StoreOpt = None,
) -> None:
    """Write the store as Parquet interchange tables partitioned by year (string ids), for Spark,
    pandas or another store: `collabatlas import-tables FOLDER` reads them back.

    Example:

      collabatlas export atlas-parquet/
    """
    from collabatlas.atlas.workflows import export_tables

    with _open(store) as atlas, err_console.status(f"writing {markup(folder)}"):
        rows = export_tables(atlas, folder)
    console.print(", ".join(f"{table} {n:,}" for table, n in rows.items()) + f" rows written to {markup(folder)}")


def import_tables(
    folder: Annotated[Path, typer.Argument(help="Directory written by `collabatlas export` (or the same layout).")],
    store: StoreOpt = None,
) -> None:
    """Merge Parquet interchange tables into the store (same rules as ingest: newest updated_date wins).

    Example:

      collabatlas import-tables atlas-parquet/ --store other.duckdb
    """
    if not (folder / "works").is_dir():
        _fail(f"{folder}: no works/ table directory; expected the layout `collabatlas export` writes")
    from collabatlas.atlas import UnitSharesNotSaved

    with _open_for_input(store, "import-tables") as atlas, err_console.status(f"reading {markup(folder)}"):
        try:
            report, unsaved = atlas.import_tables(folder), None
        except UnitSharesNotSaved as exc:
            report, unsaved = exc.report, exc
    print_report(report, atlas)
    unsaved_exit(unsaved)


def refresh(store: StoreOpt = None) -> None:
    """Save the unit shares and per-year aggregates again (after taking institutions' sectors from
    the ROR registry where OpenAlex gives none). Every ingest, `import-tables` and `ror load` does it;
    run it on a store written by an older collabatlas (`collabatlas info` then says "stale"): until
    then the metrics are right but computed from scratch, which takes longer on a large store.

    Example:

      collabatlas refresh --store big.duckdb
    """
    with _open(store, read_only=False) as atlas, err_console.status("saving unit shares and per-year aggregates"):
        timings = atlas.refresh()
    console.print(f"unit shares saved in {timings['unit_shares']:.2f} s, "
                  f"per-year aggregates in {timings['aggregates']:.2f} s")


def info(store: StoreOpt = None, format: FormatOpt = Format.table) -> None:
    """What the store holds: rows per table, year span, data version and past ingests.

    Example:

      collabatlas info --format json
    """
    import pandas as pd

    with _open(store) as atlas:
        summary = atlas.summary()
        log = atlas.ingest_log()
    if format is Format.json:
        print(json.dumps({"summary": summary, "ingests": log}, default=str))
        return
    _emit(pd.DataFrame([summary]).T.reset_index().set_axis(["what", "value"], axis=1).astype(str), format,
          "store", None, None)
