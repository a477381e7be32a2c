"""The Parquet interchange folder (``collabatlas export`` / ``import-tables``): what makes one whole.

:func:`collabatlas.ingest.pipeline.export_tables` writes ``folder/<table>/...`` for the five tables
(:data:`TABLES`) and, around them, the manifest ``folder/_collabatlas_export.json``: first
``{"complete": false}``, then, once every table is written, the row count of each table. So:

- an export goes to a new or empty folder only (:func:`check_export_target`): a second export
  into a used folder would leave the first one's year partitions next to the new ones, and an
  import would then mix two stores;
- an import (:func:`check_import_folder`) refuses a folder that lacks a table, an export that did
  not finish (manifest ``complete: false``: interrupted), and one whose files hold other row
  counts than the manifest says (files added, removed or left from another export). A folder
  without a manifest (the same layout written by another tool) must hold all five tables.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import duckdb

from collabatlas.sources.openalex import InputError
from collabatlas.sources.paths import duckdb_literals

TABLES = ("works", "authorships", "affiliations", "author_countries", "institutions")
MANIFEST = "_collabatlas_export.json"


class InterchangeError(InputError):
    """An export target or an import folder that is not usable as it is."""


def check_export_target(folder: str | os.PathLike) -> Path:
    """``folder`` as a Path when it does not exist or is an empty directory; else InterchangeError."""
    path = Path(folder)
    if path.exists() and not path.is_dir():
        raise InterchangeError(f"{path}: not a directory; `collabatlas export` writes a folder of Parquet tables")
    if path.is_dir() and any(path.iterdir()):
        raise InterchangeError(f"{path}: the folder is not empty; export into a new or empty folder (an export over "
                               f"an older one would leave its year partitions behind, and `import-tables` would mix "
                               f"both stores): remove it first or choose another folder")
    return path


def write_manifest(folder: str | os.PathLike, rows: dict[str, int] | None, data_version: int | None = None) -> None:
    """The manifest: ``rows`` None marks an export in progress; a dict, the finished export.
    ``data_version``: the store's at export, which the Spark engine states with every result (as the store does)."""
    body = {"format": "collabatlas-interchange", "version": 1, "complete": rows is not None,
            "rows": rows or {}, **({"data_version": int(data_version)} if data_version is not None else {})}
    target = Path(folder) / MANIFEST
    temp = target.with_suffix(".tmp")
    temp.write_text(json.dumps(body, indent=1))
    os.replace(temp, target)


def manifest_data_version(folder: str | os.PathLike) -> int:
    """The data version of the store an export was written from (its manifest); 0 when it does not say
    (an export of an older collabatlas, or a folder written by another tool)."""
    try:
        body = json.loads((Path(folder) / MANIFEST).read_text())
        return int(body.get("data_version", 0))
    except (OSError, ValueError, TypeError, AttributeError):
        return 0


def table_files(folder: Path, table: str) -> list[str]:
    """The Parquet files of ``table`` under ``folder`` (sorted literal paths; see :mod:`collabatlas.sources.paths`)."""
    return sorted(str(p) for p in (folder / table).rglob("*.parquet") if p.is_file())


def check_import_folder(con: duckdb.DuckDBPyConnection, folder: str | os.PathLike) -> None:
    """Raise InterchangeError unless ``folder`` holds one whole export (see the module docstring)."""
    path = Path(folder)
    if not path.is_dir():
        raise InterchangeError(f"{path}: no such folder; expected the layout `collabatlas export` writes")
    files = {t: table_files(path, t) for t in TABLES}
    missing = [t for t in TABLES if not files[t]]
    if missing:
        raise InterchangeError(f"{path}: no Parquet files for {', '.join(missing)}; a partial folder is not imported "
                               f"(expected {', '.join(t + '/' for t in TABLES)} as `collabatlas export` writes them)")
    manifest = path / MANIFEST
    if not manifest.exists():
        return
    try:
        body = json.loads(manifest.read_text())
        complete, expected = (bool(body["complete"]),
                              {t: int(body["rows"][t]) for t in TABLES} if body["complete"] else {})
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise InterchangeError(f"{manifest}: unreadable export manifest ({exc}); export the store again") from exc
    if not complete:
        raise InterchangeError(f"{path}: the export that wrote this folder did not finish (interrupted?); "
                               f"export the store again into an empty folder")
    for table in TABLES:
        try:
            found = con.execute("SELECT count(*) FROM read_parquet(?, hive_partitioning = false)",
                                [duckdb_literals(files[table])]).fetchone()[0]
        except duckdb.Error as exc:
            raise InterchangeError(f"{path / table}: unreadable Parquet ({str(exc).splitlines()[0]})") from exc
        if found != expected[table]:
            raise InterchangeError(f"{path / table}: {found:,} rows in the files, "
                                   f"the export wrote {expected[table]:,}: "
                                   f"the folder holds files of another export or misses some; export the store "
                                   f"again into an empty folder")
