"""The ROR registry and affiliation matching for the views: a store's connection for them, loading and
describing the registry, the matcher and its defaults, and reading a file of addresses as every export
is read (BOM, UTF-16, any line ends; long CSV cells; an Excel ``sep=`` line)."""

from __future__ import annotations

import os
from pathlib import Path

from collabatlas.affiliations.match_batch import match_batch
from collabatlas.affiliations.matching import (
    DEFAULT_MIN_CONFIDENCE,
    DEFAULT_MIN_CONFIDENCE_LISTED,
    DEFAULT_THRESHOLD,
    MAX_COMPONENTS,
    AffiliationMatcher,
)
from collabatlas.affiliations.ror import load_ror, ror_info, ror_loaded, ror_sources
from collabatlas.sources.ingest_report import IngestReport
from collabatlas.sources.textread import allow_large_csv_fields, excel_separator
from collabatlas.sources.textread import read_text as _read_text
from collabatlas.store import schema as _store

__all__ = ["DEFAULT_MIN_CONFIDENCE", "DEFAULT_MIN_CONFIDENCE_LISTED", "DEFAULT_THRESHOLD", "MAX_COMPONENTS",
           "AffiliationMatcher", "allow_large_csv_fields", "connect", "excel_separator", "load_ror", "match_batch",
           "read_text", "ror_info", "ror_loaded", "ror_sources"]


def connect(path: str | os.PathLike | None, read_only: bool = False):
    """A DuckDB connection to the store at ``path`` (``None``: in memory) for the registry's functions;
    :class:`collabatlas.errors.StoreError` when it cannot be opened."""
    return _store.connect(path, read_only=read_only)


def read_text(path: Path) -> tuple[str, list[str]]:
    """The text of ``path`` decoded as every export is, and the messages on how it was read (a Windows-1252
    line named, ...). ``OSError``/``EOFError`` when it cannot be read."""
    report = IngestReport()
    text = _read_text(path, report)
    return text, list(report.messages)
