"""The workflows around the metrics that the command line runs: fetching works from OpenAlex, the
Spark ingest into Parquet, exporting the store's tables, the store schema's documentation, the
Spark master check, and how a damaged store file and a lost-to-damage ingest are answered.

Light on purpose: the OpenAlex client is small; everything else is imported when called."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from collabatlas.sources.ingest_report import DAMAGED_EXIT_CODE, IngestReport
from collabatlas.sources.openalex_api import DEFAULT_BASE_URL, MAX_PER_PAGE, FetchReport, fetch_openalex

if TYPE_CHECKING:
    from collabatlas.atlas.core import Atlas
    from collabatlas.engines.spark_ingest import SparkIngestResult
    from collabatlas.engines.spark_sync import SparkSyncResult

__all__ = ["DAMAGED_EXIT_CODE", "DEFAULT_BASE_URL", "MAX_PER_PAGE", "FetchReport", "IngestReport", "check_spark_master",
           "damaged_store_message", "export_tables", "fetch_openalex", "schema_json", "schema_markdown",
           "spark_ingest", "spark_sync", "subject_coverage_line"]


def check_spark_master(master: str) -> None:
    """Refuse, in seconds, a Spark master that does not answer (before loading anything heavy)."""
    from collabatlas.engines.spark_master import check_reachable

    check_reachable(master)


def spark_ingest(paths: list[str | os.PathLike], parquet: str | os.PathLike, master: str) -> SparkIngestResult:
    """OpenAlex works JSON Lines read by Spark (``master``; settings from the environment) into the Parquet
    interchange tables of the new or empty folder ``parquet``."""
    from collabatlas.engines.spark import SparkSettings
    from collabatlas.engines.spark_ingest import ingest_to_parquet

    return ingest_to_parquet(paths, parquet, SparkSettings.from_env(master))


def spark_sync(snapshot: str | os.PathLike, parquet: str | os.PathLike, master: str,
               allow_missing: bool = False) -> SparkSyncResult:
    """The OpenAlex snapshot's partitions newer than the watermarks kept in ``parquet`` read by Spark
    (``master``) into the Parquet interchange tables there: merged ids applied, only the touched year
    partitions rewritten (:mod:`collabatlas.engines.spark_sync`)."""
    from collabatlas.engines.spark import SparkSettings
    from collabatlas.engines.spark_sync import sync_to_parquet

    return sync_to_parquet(snapshot, parquet, SparkSettings.from_env(master), allow_missing=allow_missing)


def export_tables(atlas: Atlas, folder: str | os.PathLike) -> dict[str, int]:
    """Write the store's tables as Parquet interchange tables into the new or empty ``folder``: rows per table."""
    from collabatlas.ingest.pipeline import export_tables as export

    return export(atlas.con, folder)


def schema_json() -> dict:
    """The store schema as data (tables, columns, what each holds)."""
    from collabatlas.store.schema_doc import schema_json as doc

    return doc()


def schema_markdown() -> str:
    """The store schema as the Markdown of docs/schema.md."""
    from collabatlas.store.schema_doc import schema_markdown as doc

    return doc()


def subject_coverage_line(coverage: dict) -> str:
    """One line on how many works have a known subject, by origin (``Atlas.subject_coverage()``)."""
    from collabatlas.sources.subject_crosswalk import coverage_line

    return coverage_line(coverage)


def coverage_notes(atlas, window: str | None = None, subject: str | None = None, source: str = "works") -> list[str]:
    """The caveats every view states beside a metric filtered by a date ``window`` or a ``subject``: the
    records without a publication date (outside every window, per source) and the works with a known
    subject. The CLI prints them, the API gives them as ``meta.notes``."""
    from collabatlas.atlas.inputs import Filters

    capabilities = atlas.capabilities(source)
    notes = []
    if window and capabilities.supports("undated_note"):
        notes.append(atlas.undated_note(Filters.of(window=window)))
    if subject and capabilities.supports("subject_coverage"):  # a subject filter sees the works with a known subject
        notes.append(f"--subject: {subject_coverage_line(atlas.subject_coverage())}")
    return [n for n in notes if n]


def damaged_store_message(target: str, exc: BaseException) -> str | None:
    """The one-line message for a store file DuckDB could not read or write (truncated, a corrupt block,
    a full disk), or None when ``exc`` is not such an error."""
    from collabatlas.store.schema import DAMAGE_ERRORS, damaged_message

    return damaged_message(target, exc) if isinstance(exc, DAMAGE_ERRORS) else None
