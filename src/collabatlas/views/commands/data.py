"""``collabatlas data``: the packaged reference data — what it is, where it loads from, fresh copies."""

from __future__ import annotations

import json
from enum import Enum
from pathlib import Path
from typing import Annotated

import pandas as pd
import typer

from collabatlas.atlas import reference
from collabatlas.errors import DownloadError
from collabatlas.views.cli_common import Format, _emit, _fail, _guard, console, err_console

data_app = typer.Typer(help="Reference data packaged with collabatlas: provenance, location, updates.",
                       no_args_is_help=True)
DataDirOpt = Annotated[Path | None, typer.Option(
    "--data", help="A directory whose files (shared-data layout) are read first [env COLLABATLAS_DATA].")]
NamesArg = Annotated[list[str] | None, typer.Argument(help="Dataset names (default: all); see `data info`.")]


class InfoColumns(str, Enum):
    short = "short"
    full = "full"


def register(app: typer.Typer) -> None:
    app.add_typer(data_app, name="data")


@data_app.command("info")
@_guard
def info(
    data: DataDirOpt = None,
    format: Annotated[Format, typer.Option("--format", "-f", help="Output format.")] = Format.table,
    columns: Annotated[InfoColumns, typer.Option("--columns",
                                                 help="short: name, version, rows, licence, origin; "
                                                      "full: all.")] = InfoColumns.short,
) -> None:
    """Every reference dataset: version, rows, source, licence and where it is loaded from.

    Example:

      collabatlas data info --format json
    """
    table = pd.DataFrame(reference.info(data))
    if columns is InfoColumns.short and format is Format.table:
        table = table[["name", "version", "rows", "licence", "origin", "status"]]
    _emit(table, format, "reference data (packaged; `data info --columns full` for sources and paths)", None, None)
    if (table["status"] != "ok").any():
        raise typer.Exit(1)


@data_app.command("path")
@_guard
def path(
    names: NamesArg = None,
    data: DataDirOpt = None,
) -> None:
    """The file each dataset is read from (and the user cache for updated copies).

    Example:

      collabatlas data path world-110m
    """
    chosen = names or sorted(reference.datasets())
    for name in chosen:
        print(f"{name}\t{reference.path(name, data)}")
    if not names:
        print(f"cache\t{reference.cache_dir()}")


@data_app.command("update")
@_guard
def update(
    names: NamesArg = None,
    reset: Annotated[bool, typer.Option("--reset", help="Drop updated copies instead; "
                                                        "the packaged ones are used again.")] = False,
    timeout: Annotated[float, typer.Option("--timeout", min=1, help="Seconds per request.")] = 60.0,
    json_out: Annotated[bool, typer.Option("--json", help="Results as JSON.")] = False,
) -> None:
    """Fetch fresh copies from the original publishers into the user cache (checked, then used).

    Example:

      collabatlas data update world-110m country-codes
    """
    if reset:
        removed = reference.reset(names)
        err_console.print(f"dropped {len(removed)} updated copies: {', '.join(removed) or 'none'}", markup=False)
        return
    with err_console.status("downloading reference data"):
        try:
            results = reference.update(names, timeout=timeout)
        except DownloadError as exc:  # offline or the publisher down: nothing was written (exit 1)
            _fail(f"{exc} (nothing updated)", 1)
    if json_out:
        print(json.dumps([r.__dict__ for r in results]))
        return
    for r in results:
        console.print(f"{r.name}: {r.status} — {r.detail}", markup=False)
