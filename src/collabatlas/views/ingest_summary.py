"""The summary of an ingest, sync or import as a terminal table (what was read, stored, skipped and
why, and the accounting identity), and the exit after a committed ingest whose unit shares could
not be saved."""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer
from rich.table import Table

from collabatlas.escaping import markup
from collabatlas.views.cli_common import console, err_console

if TYPE_CHECKING:
    from collabatlas.atlas import Atlas, UnitSharesNotSaved
    from collabatlas.sources.ingest_report import IngestReport


def unsaved_exit(unsaved: UnitSharesNotSaved | None) -> None:
    """After the summary of a committed ingest whose unit shares could not be saved: say so, exit 1."""
    if unsaved is not None:
        from rich.markup import escape

        err_console.print(f"[bold red]error:[/] {escape(str(unsaved))}", highlight=False)
        raise typer.Exit(1)


def print_report(report: IngestReport, atlas: Atlas) -> None:
    mb = report.bytes_read / 1e6
    t = Table(title=f"ingest into {markup(atlas.path)}", show_header=False)
    t.add_column("what")
    t.add_column("n", justify="right")
    rows = [
        ("files read", len(report.files)),
        ("files skipped", sum(report.files_skipped.values())),
        ("records read", report.records_read),
        ("  works", report.works_read),
        ("  institutions", report.institutions_read),
        ("works stored (new)", report.works_inserted),
        ("works replaced (newer updated_date)", report.works_replaced),
        ("works unchanged (already stored)", report.works_unchanged),
        (report.merged_summary(), report.duplicates_merged),
        ("older copies in this input", report.works_superseded_in_input),
        ("institutions new / updated", f"{report.institutions_inserted:,} / {report.institutions_updated:,}"),
        ("records skipped", report.records_skipped),
    ]
    rows += [(f"  {reason}", n) for reason, n in sorted(report.skipped.items())]
    rows += report.detail_rows()  # damage by file, merged ids, works over the pair cap
    rows += [(f"warning: {reason}", n) for reason, n in sorted(report.warnings.items())]
    rows += [(f"file skipped: {reason}", n) for reason, n in sorted(report.files_skipped.items())]
    rows += [("time", f"{report.seconds:.2f} s ({report.works_read / max(report.seconds, 1e-9):,.0f} works/s, "
                      f"{mb / max(report.seconds, 1e-9):,.1f} MB/s of input files)")]
    if report.unit_shares_seconds:
        rows.append(("then unit shares saved for the metrics", f"{report.unit_shares_seconds:.2f} s"))
        rows.append(("and per-year aggregates built from them", f"{report.aggregates_seconds:.2f} s"))
    for what, n in rows:
        t.add_row(markup(what), f"{n:,}" if isinstance(n, int) else markup(n))
    t.caption = markup(report.accounting_line())  # the accounting identity, checked before the commit
    console.print(t)
    for message in report.messages:
        err_console.print(f"[yellow]note:[/] {markup(message)}")
