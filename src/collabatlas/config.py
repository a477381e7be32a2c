"""Settings as plain data: where the store lives, other reference data, engine limits.

Every setting has an environment variable so that the CLI, the tests and CI agree:

- ``COLLABATLAS_DATA``   a directory whose reference files (``indicators/…``, ``nature_index/…`` as in
  the shared data layout) are read before the packaged copies (default: none; :mod:`collabatlas.refdata`)
- ``COLLABATLAS_STORE``  DuckDB store file (default ``collabatlas.duckdb``)
- ``COLLABATLAS_MEMORY_LIMIT``  DuckDB memory limit (default ``75%`` of RAM, as DuckDB spells it)
- ``COLLABATLAS_THREADS``  DuckDB worker threads (default: all cores)
- ``COLLABATLAS_INGEST_MEMORY_LIMIT``  memory limit while ingesting (default ``2GB``; staged rows
  beyond it spill to DuckDB's temporary directory, so ingest memory stays bounded at any input size)
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_STORE = Path("collabatlas.duckdb")


def data_dir(override: str | os.PathLike | None = None) -> Path | None:
    """A reference/sample data directory: explicit value, else ``$COLLABATLAS_DATA``, else None.
    The library never defaults to a folder: without one it uses the packaged reference data."""
    if override:
        return Path(override)
    env = os.environ.get("COLLABATLAS_DATA")
    return Path(env) if env else None


def store_path(override: str | os.PathLike | None = None) -> Path:
    """The store file: explicit value, else ``$COLLABATLAS_STORE``, else ``collabatlas.duckdb``."""
    if override:
        return Path(override)
    env = os.environ.get("COLLABATLAS_STORE")
    return Path(env) if env else DEFAULT_STORE


@dataclass(frozen=True)
class EngineSettings:
    """Resource limits handed to DuckDB when a store is opened."""

    memory_limit: str | None = field(default_factory=lambda: os.environ.get("COLLABATLAS_MEMORY_LIMIT"))
    threads: int | None = field(
        default_factory=lambda: int(os.environ["COLLABATLAS_THREADS"]) if os.environ.get("COLLABATLAS_THREADS") else None
    )
    temp_directory: str | None = field(default_factory=lambda: os.environ.get("COLLABATLAS_TEMP_DIR"))
    ingest_memory_limit: str = field(default_factory=lambda: os.environ.get("COLLABATLAS_INGEST_MEMORY_LIMIT", "2GB"))
