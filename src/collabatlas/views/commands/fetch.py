"""``collabatlas fetch openalex``: download works from the OpenAlex API as files ``ingest`` reads."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn
from rich.table import Table

from collabatlas import settings
from collabatlas.atlas.workflows import DEFAULT_BASE_URL, MAX_PER_PAGE, FetchReport, fetch_openalex
from collabatlas.errors import FetchError, FetchNetworkError
from collabatlas.escaping import markup
from collabatlas.views.cli_common import _fail, console, err_console

fetch_app = typer.Typer(no_args_is_help=True,
                        help="Download publication metadata from an API into files `collabatlas ingest` reads.")


@fetch_app.command("openalex")
def openalex(
    out: Annotated[Path, typer.Option("--out", "-o", help="Directory for the page files and the resume state.")],
    filter: Annotated[str, typer.Option(
        "--filter", help="OpenAlex works filter, e.g. 'authorships.countries:jp,publication_year:2015-2021'.")] = "",
    since: Annotated[str | None, typer.Option(
        "--since", help="Only works changed on or after DATE (YYYY-MM-DD; the API's from_updated_date filter, "
                        "which OpenAlex may reserve to API keys): an update for a store built earlier.")] = None,
    api_key: Annotated[str | None, typer.Option(
        "--api-key", envvar=settings.env_var("openalex_api_key"), show_envvar=True,
        help="OpenAlex API key (sent as api_key; never printed).")] = None,
    email: Annotated[str | None, typer.Option(
        "--email", envvar="OPENALEX_EMAIL", show_envvar=True,
        help="Your e-mail, sent as mailto (OpenAlex's polite pool).")] = None,
    base_url: Annotated[str, typer.Option(
        "--base-url", help="API root (change it for a mirror or a test server).")] = DEFAULT_BASE_URL,
    per_page: Annotated[int, typer.Option(
        "--per-page", min=1, max=MAX_PER_PAGE, help="Works per request.")] = MAX_PER_PAGE,
    max_works: Annotated[int | None, typer.Option(
        "--max-works", min=1,
        help="Stop after this many works in total (a later run with a larger limit continues).")] = None,
    select: Annotated[str | None, typer.Option(
        "--select", help="Fields to keep (comma-separated), or 'minimal' for the fields ingest reads.")] = None,
    retries: Annotated[int, typer.Option(
        "--retries", min=0, help="Retries per request on 429, 5xx and connection errors.")] = 7,
    backoff: Annotated[float, typer.Option(
        "--backoff", min=0.0,
        help="First retry wait in seconds (doubles each retry, with jitter) unless Retry-After says otherwise.")] = 1.0,
    json_summary: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
) -> None:
    """Fetch works matching an OpenAlex filter into DIR as works-NNNNNN.jsonl.gz (200 works each).

    Interrupted? Run the same command again: it continues after the last complete page.

    Works whose authorships the API list cut at 100 are fetched again singly, so Share stays exact.

    With --since DATE only the works changed since then are fetched; `collabatlas ingest DIR` merges
    them (newest updated_date wins) and updates the saved aggregates for the changed works only.

    Examples:

      collabatlas fetch openalex --filter "authorships.countries:jp,publication_year:2015-2021" --out jp/

      OPENALEX_EMAIL=me@example.org collabatlas fetch openalex --filter "institutions.id:I27837315" --out um/

      collabatlas fetch openalex --since 2025-01-01 --filter "authorships.countries:jp" --out jp-2025-01/

      collabatlas ingest jp/ --store jp.duckdb
    """
    filter = since_filter(filter, since)
    with Progress(TextColumn("[bold]fetch openalex"), BarColumn(), MofNCompleteColumn(), TextColumn("works"),
                  TimeElapsedColumn(), TimeRemainingColumn(), console=err_console, transient=True) as bar:
        task = bar.add_task("fetch", total=None)

        def progress(done: int, total: int | None) -> None:
            bar.update(task, completed=done, total=min(total, max_works) if total and max_works else total)

        try:
            report = fetch_openalex(filter, out, api_key=api_key, email=email, base_url=base_url,
                                    per_page=per_page, max_works=max_works, select=select, attempts=retries + 1,
                                    backoff_base=backoff, progress=progress)
        except FetchError as exc:  # the network (exit 1) or the request and its folder (exit 2)
            bar.stop()
            _fail(str(exc), 1 if isinstance(exc, FetchNetworkError) else 2)
        except KeyboardInterrupt:
            bar.stop()
            err_console.print(f"[yellow]interrupted:[/] the complete pages are kept in {markup(out)}; "
                              "run the same command again to resume")
            raise typer.Exit(130) from None
    if json_summary:
        print(json.dumps(report.to_dict(), indent=1))
        return
    print_fetch_report(report)


def since_filter(filter: str, since: str | None) -> str:
    """``filter`` with ``from_updated_date:SINCE`` added (a filter or --since is needed)."""
    from datetime import date

    if since is not None:
        try:
            date.fromisoformat(since)
        except ValueError:
            _fail(f"--since {since!r}: expected a date YYYY-MM-DD")
        filter = ",".join(part for part in (filter.strip(), f"from_updated_date:{since}") if part)
    if not filter.strip():
        _fail("give --filter, --since or both (e.g. --since 2025-01-01 for the works changed since then)")
    return filter


def print_fetch_report(report: FetchReport) -> None:
    """The end-of-fetch summary as a table, then any notes."""
    t = Table(title=f"fetch openalex → {markup(report.out_dir)}", show_header=False)
    t.add_column("what")
    t.add_column("n", justify="right")
    status = ("complete" if report.complete else "stopped at --max-works" if report.stopped_at_max_works
              else "not complete")
    rows = [
        ("filter", report.filter),
        ("works matching (API meta.count)", "?" if report.meta_count is None else f"{report.meta_count:,}"),
        ("pages / works written now", f"{report.pages:,} / {report.works:,}"),
        ("pages / works in the directory", f"{report.pages_total:,} / {report.works_total:,}"),
        ("truncated works re-fetched whole", f"{report.truncated_refetched:,}"),
        ("requests / retries", f"{report.requests:,} / {report.retries:,}"),
        ("time", f"{report.seconds:,.1f} s"),
        ("status", status),
    ]
    if report.resumed_from_page:
        rows.insert(3, ("resumed at page", f"{report.resumed_from_page:,}"))
    if report.still_truncated:
        rows.insert(-2, ("works left truncated (Share inexact)", f"{report.still_truncated:,}"))
    for what, value in rows:
        t.add_row(markup(what), markup(value))
    console.print(t)
    for message in report.messages:
        err_console.print(f"[yellow]note:[/] {markup(message)}")


def register(app: typer.Typer) -> None:
    app.add_typer(fetch_app, name="fetch")
