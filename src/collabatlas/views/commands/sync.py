"""``collabatlas sync`` (bring a store up to date with a newer OpenAlex snapshot) and ``collabatlas
verify`` (recompute the saved unit shares and aggregates from scratch and compare)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from collabatlas.atlas.workflows import DAMAGED_EXIT_CODE
from collabatlas.escaping import markup
from collabatlas.views.cli_common import (
    Engine,
    EngineOpt,
    SparkMasterOpt,
    StoreOpt,
    _fail,
    _guard,
    _open,
    _open_for_input,
    console,
    err_console,
)


def register(app: typer.Typer) -> None:
    app.command("sync")(_guard(sync))
    app.command("verify")(_guard(verify))


def sync(
    snapshot: Annotated[Path, typer.Argument(help="OpenAlex snapshot folder (works/updated_date=…/, "
                                                  "manifest, merged_ids/).")],
    store: StoreOpt = None,
    json_summary: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
    allow_missing: Annotated[bool, typer.Option(
        "--allow-missing", help="Sync a partial copy: leave out part files the manifest lists but the folder "
                                "lacks (the watermark passes them).")] = False,
    engine: EngineOpt = Engine.duckdb, spark_master: SparkMasterOpt = "local[*]",
    parquet: Annotated[Path | None, typer.Option("--parquet", help="With --engine spark: the Parquet interchange "
                                                 "folder to update (new or empty: built whole).")] = None,
) -> None:
    """Ingest only the updated_date partitions newer than the store's watermark, apply
    merged_ids/works (merged-away works leave the counting; their records stay in provenance) and
    merged_ids/institutions (a merged-away institution's affiliations count for the one it went into), record
    the new watermark: one transaction, idempotent (a second run changes nothing). The saved unit
    shares and aggregates are then updated for the changed works only.

    Exit code 3 (after the summary) when a part file is damaged (truncated gzip, malformed JSON): the
    watermark then stops before its partition, so a sync after the repair reads it. A partition whose
    name is not updated_date=YYYY-MM-DD (a real date), or that is a file, stops the sync (exit 2).

    Example:

      collabatlas sync /data/openalex-snapshot --store atlas.duckdb

      collabatlas sync /data/openalex-snapshot --engine spark --spark-master local[2] --parquet atlas-parquet/
    """
    if engine is Engine.spark:  # the Parquet folder on Spark (docs/spark.md)
        from collabatlas.views.commands.spark_sync import run

        run(snapshot, parquet, store, spark_master, allow_missing, json_summary)
        return
    if parquet is not None or spark_master != "local[*]":
        _fail("--parquet and --spark-master apply with --engine spark (the DuckDB sync updates the store)")
    with _open_for_input(store, "sync") as atlas, err_console.status(f"syncing {markup(str(snapshot))}"):
        report = atlas.sync(snapshot, allow_missing=allow_missing)
    if json_summary:
        print(json.dumps(report.to_dict(), default=str))
    else:
        console.print(report.summary(), markup=False)
        if report.ingest is not None and report.ingest.records_read:  # the identity checked before the commit
            console.print(report.ingest.accounting_line(), markup=False)
        if report.ingest is not None and report.ingest.derived_update:
            ing = report.ingest
            console.print(f"saved unit shares and aggregates: {ing.derived_update} ({ing.works_recounted:,} works "
                          f"recounted; {ing.unit_shares_seconds:.2f} s unit shares, {ing.aggregates_seconds:.2f} s "
                          "aggregates)", markup=False)
        ingest_notes = report.ingest.messages if report.ingest is not None else []
        for note in [*report.notes, *ingest_notes]:  # refused merges; skipped records, works over the pair cap
            err_console.print(f"note: {note}", markup=False)
    if report.damaged:  # as ingest: the summary, then exit 3; the watermark stopped before the damaged partition
        err_console.print(f"{report.damaged:,} records lost to damaged files: "
                          f"{', '.join(sorted(report.damaged_files))} (exit code {DAMAGED_EXIT_CODE})", markup=False)
        raise typer.Exit(DAMAGED_EXIT_CODE)


def verify(
    store: StoreOpt = None,
    json_out: Annotated[bool, typer.Option("--json", help="Print the comparison as JSON.")] = False,
) -> None:
    """Recompute the unit shares and per-year aggregates from scratch into temporary tables and
    compare them with the saved ones (relative tolerance 1e-9), then check the counting's invariants
    (sum of Share per work <= 1; total CS = sum of pair CS). Exit code 1 when any differs or breaks.

    Example:

      collabatlas verify --store atlas.duckdb
    """
    # read-only: verify only reads (its recomputation goes to temporary tables), so a write-protected
    # store, or one a server has open read-only, can be verified
    with _open(store, read_only=True) as atlas, err_console.status("recomputing from scratch"):
        current = atlas.unit_shares_saved
        diffs = atlas.verify() if current else []
    if json_out:
        print(json.dumps({"saved_current": current, "tables": [d.__dict__ for d in diffs]}, default=str))
    elif not current:
        console.print("the saved unit shares are stale (older data version): nothing to compare; "
                      "`collabatlas refresh` rebuilds them", markup=False)
    else:
        for d in diffs:
            if d.table.startswith("invariant"):  # collabatlas.ingest.invariants
                state = "holds" if not d.differing else f"broken by {d.differing:,} rows"
                console.print(f"{d.table}: {d.rows_saved:,} rows checked: {state}", markup=False)
            else:
                state = "equal" if not d.differing else f"{d.differing:,} rows differ"
                console.print(f"{d.table}: {d.rows_saved:,} rows saved, {d.rows_recomputed:,} recomputed: {state}",
                              markup=False)
            for example in d.examples:
                console.print(f"  {example}", markup=False)
    if not current or any(d.differing for d in diffs):
        raise typer.Exit(1)
