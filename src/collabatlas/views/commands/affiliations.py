"""``collabatlas ror load|info`` and ``collabatlas match``: the ROR registry and affiliation matching."""

from __future__ import annotations

import csv
import io
import time
from pathlib import Path
from typing import Annotated

import pandas as pd
import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from collabatlas import settings as config
from collabatlas.atlas.inputs import check_range
from collabatlas.atlas.registry import (
    DEFAULT_MIN_CONFIDENCE,
    DEFAULT_MIN_CONFIDENCE_LISTED,
    DEFAULT_THRESHOLD,
    MAX_COMPONENTS,
    AffiliationMatcher,
    allow_large_csv_fields,
    connect,
    excel_separator,
    load_ror,
    match_batch,
    read_text,
    ror_info,
    ror_loaded,
    ror_sources,
)
from collabatlas.errors import FilterError, RorError, StoreError, answer
from collabatlas.escaping import markup
from collabatlas.views.cli_common import (
    Format,
    FormatOpt,
    OutOpt,
    StoreOpt,
    _emit,
    _fail,
    _open,
    err_console,
    print_table,
)

MATCH_COLUMNS = ["input", "ror_id", "name", "country_code", "sector", "score", "confidence"]
#: where a user gets the ROR registry (the data dump, published on Zenodo)
ROR_DUMP_URL = "https://zenodo.org/communities/ror-data"

ror_app = typer.Typer(help="The ROR registry in the store (for affiliation matching).\n\n"
                           "Example: collabatlas ror load v1.55-2024-10-31-ror-data.json",
                      no_args_is_help=True)


def _connect(path: Path | None, read_only: bool):
    try:
        return connect(config.store_path(path), read_only=read_only)
    except StoreError as exc:
        _fail(str(exc), answer(exc).exit_code)  # by its class (errors.ANSWERS)


@ror_app.command("load")
def ror_load(
    files: Annotated[list[Path], typer.Argument(help="ROR dumps: v2 or v1 JSON (JSON Lines or the official array), "
                                                     "CSV; plain, .gz or the release .zip; and OpenAlex "
                                                     "institutions (entities, API pages, CSV with ror_id), "
                                                     "merged by ROR id.")],
    store_path: StoreOpt = None,
    show_skipped: Annotated[int, typer.Option("--show-skipped", help="Print at most N skipped records.")] = 20,
) -> None:
    """Load (replace) the store's ROR registry from one or more dumps; formats are detected.

    Examples:

      collabatlas ror load ror-data-v1.60-2025-01-01.zip

      collabatlas ror load ror/ror_v2_latest_records.jsonl.gz ror/ror_v1_only_latest_records.jsonl.gz

      collabatlas ror load ror_subset_flat.csv.gz --store atlas.duckdb

      collabatlas ror load ror_v2_latest_records.jsonl.gz openalex_institutions_top10k_2025-01.csv.gz
    """
    con = _connect(store_path, read_only=False)
    started = time.perf_counter()
    try:
        with Progress(TextColumn("[bold]reading ROR records"), TextColumn("{task.completed:,}"), TimeElapsedColumn(),
                      console=err_console, transient=True) as bar:
            task = bar.add_task("read", total=None)
            report = load_ror(con, files, progress=lambda n: bar.update(task, completed=n))
    except RorError as exc:
        _fail(f"{exc} (the registry in the store is unchanged)")
    finally:
        con.close()
    if report.addresses_moved:
        err_console.print(f"note: {report.addresses_moved:,} export addresses ingested before now match a ROR "
                          f"organisation: {report.works_moved:,} works re-attributed, no ingest needed")
    if report.addresses_unknown:
        err_console.print(f"note: {report.addresses_unknown:,} unmatched export addresses were ingested before "
                          "collabatlas kept address texts; they cannot be matched again until those exports are "
                          "ingested into a new store")
    if report.sector_types_changed or report.addresses_moved:  # counts changed: save what every metric reads
        with _open(store_path, read_only=False) as atlas, err_console.status("saving unit shares and aggregates"):
            atlas.store_unit_shares()
    for where, reason in report.skipped[:show_skipped]:
        err_console.print(f"note: {markup(where)}: {markup(reason)}")
    if len(report.skipped) > show_skipped:
        err_console.print(f"note: … and {len(report.skipped) - show_skipped:,} more skipped records")
    summary = report.summary().astype({"value": object})
    summary.loc[len(summary)] = ["seconds", round(time.perf_counter() - started, 1)]
    print_table(summary, title="ROR registry loaded (replaces the previous one)")
    sources = pd.DataFrame([(name, info["records_read"], info["skipped"], len(info["ids"]))
                            for name, info in report.sources.items()],
                           columns=["source", "records_read", "skipped", "organisations"])
    print_table(sources, title="sources (merged by ROR id; a ROR record wins over an OpenAlex one)")


@ror_app.command("info")
def ror_info_cmd(store_path: StoreOpt = None, fmt: FormatOpt = Format.table, out: OutOpt = None,
                 by: Annotated[str | None, typer.Option(
                     "--by", help="type: organisations by type and status; source: the files loaded (format, "
                                  "records, organisations, kept). Default: both as tables; type for csv/json.")]
                 = None) -> None:
    """The store's ROR registry: the files it was loaded from, and its organisations by type and status.

    Examples:

      collabatlas ror info

      collabatlas ror info --by source --format csv
    """
    if by not in (None, "type", "source"):
        _fail(f"--by {by!r}: expected type or source")
    con = _connect(store_path, read_only=True)
    try:
        info, sources = ror_info(con), ror_sources(con)
    finally:
        con.close()
    if info.empty:
        _fail("no ROR registry in the store; run `collabatlas ror load FILE` first")
    if by is None and fmt is Format.table and out is None:
        print_table(sources, title="ROR registry sources (merged by ROR id)")
    if by == "source":
        _emit(sources, fmt, "ROR registry sources", out, None)
    else:
        _emit(info, fmt, "ROR registry", out, None)


def _read_inputs(path: Path, column: str | None) -> list[str]:
    """Addresses of ``--file``: one per line, or the column ``column`` of a CSV. Decoded as every export
    is (BOM, UTF-16, any line ends, Windows-1252 lines named; collabatlas.sources.textread); CSV cells of
    any length up to the bounded limit; an Excel ``sep=`` first line sets the delimiter."""
    try:
        text, messages = read_text(path)
    except (OSError, EOFError) as exc:
        _fail(f"{path}: cannot read ({exc})")
    for message in messages:
        err_console.print(markup(message), style="yellow")
    if column is None:
        return [line.strip() for line in text.split("\n") if line.strip()]
    allow_large_csv_fields()
    first, _, rest = text.partition("\n")
    delimiter = excel_separator(first)
    reader = csv.DictReader(io.StringIO(rest if delimiter else text, newline=""), delimiter=delimiter or ",")
    try:
        if column not in (reader.fieldnames or []):
            _fail(f"{path}: no column {column!r} (columns: {', '.join(reader.fieldnames or [])})")
        return [row[column] or "" for row in reader]
    except csv.Error as exc:
        _fail(f"{path}:{reader.line_num + (1 if delimiter else 0)}: not readable as CSV ({exc})")


def _matcher(store_path: Path | None, ror_files: list[Path] | None, threshold: float | None,
             fold_hk_mo: bool, min_confidence: float | None = None) -> AffiliationMatcher:
    if ror_files:
        con = connect(None)
        try:
            load_ror(con, ror_files)
        except RorError as exc:
            _fail(str(exc))
    else:
        path = config.store_path(store_path)
        con = _connect(path, read_only=True) if path.exists() else None
    try:
        if con is None or not ror_loaded(con):
            where = "no store" if con is None else "no ROR registry in the store"
            _fail(f"{where} {config.store_path(store_path)}: matching needs a ROR registry. Get the ROR data "
                  f"dump ({ROR_DUMP_URL}, CC0, monthly), then load it into the store: `collabatlas ror load "
                  "v1.xx-YYYY-MM-DD-ror-data.zip --store STORE` (or match against a dump in memory: --ror FILE)")
        with err_console.status("reading the ROR registry"):
            return AffiliationMatcher.from_store(con, threshold=threshold, fold_hk_mo=fold_hk_mo,
                                                 min_confidence=min_confidence)
    finally:
        if con is not None:
            con.close()


def match(
    text: Annotated[str | None, typer.Argument(help="One address string (or use --file).")] = None,
    file: Annotated[Path | None, typer.Option("--file", help="Addresses: one per line, or a CSV with --column.")]
    = None,
    column: Annotated[str | None, typer.Option("--column", help="CSV column holding the address.")] = None,
    threshold: Annotated[float, typer.Option("--threshold", help="Lowest score (0-100) that counts as a match.")]
    = DEFAULT_THRESHOLD,
    min_confidence: Annotated[float | None, typer.Option(
        "--min-confidence", help=f"Lowest calibrated probability (0-1) that the match is right; below it the "
        f"matcher abstains (0: score threshold only). Default {DEFAULT_MIN_CONFIDENCE:g}, or "
        f"{DEFAULT_MIN_CONFIDENCE_LISTED:g} when the registry includes an OpenAlex institutions file (another "
        "abstain rule, docs/affiliations.md).")] = None,
    fold_hk_mo: Annotated[bool, typer.Option("--fold-hk-mo", help="Count Hong Kong and Macao as China (CN), "
                                                                    "as CWTS does.")] = False,
    explode: Annotated[bool, typer.Option("--explode", help="One row per organisation an address names "
                                                            "(default: one row per input, ';'-joined).")] = False,
    ror: Annotated[list[Path] | None, typer.Option("--ror", help="Match against this ROR dump (in memory) "
                                                                  "instead of the store's registry.")] = None,
    store_path: StoreOpt = None,
    fmt: FormatOpt = Format.table,
    out: OutOpt = None,
) -> None:
    """Match affiliation strings to ROR institutions; give ROR id, name, country, sector and score.

    Columns: input,ror_id,name,country_code,sector,score,confidence (empty ror_id when unmatched; the
    country then comes from the address text). An address naming several organisations gives them
    ';'-joined in one row (country_code: their distinct countries), or one row each with --explode.
    confidence is the calibrated probability that the match is right (--min-confidence filters on it).
    Rules and measured quality: docs/affiliations.md.

    Examples:

      collabatlas match "Univ Tokyo, Dept Phys, Tokyo 1130033, Japan"

      collabatlas match --file addresses.txt --format csv > matched.csv

      collabatlas match --file wos_c1.csv --column address --format json --fold-hk-mo

      collabatlas match "Beth Israel Deaconess Med Ctr, Boston, MA 02215 USA" --ror ror-v2.json.gz
    """
    if (text is None) == (file is None):
        _fail("give one address string or --file FILE (not both)")
    try:
        check_range("--threshold", threshold, 0, 100)  # the matcher's own rule, before any work
    except FilterError as exc:
        _fail(str(exc))
    inputs = [text] if text is not None else _read_inputs(file, column)
    matcher = _matcher(store_path, ror, threshold, fold_hk_mo, min_confidence)
    started = time.perf_counter()
    with Progress(TextColumn("[bold]matching"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=err_console, transient=True, disable=len(inputs) < 200) as bar:
        task = bar.add_task("match", total=len(set(inputs)))
        # distinct strings on $COLLABATLAS_MATCH_WORKERS processes (default 1: this one), in input order
        results = match_batch(matcher, inputs, progress=lambda done, total: bar.update(task, completed=done))
    df = pd.DataFrame(_rows(results, explode), columns=MATCH_COLUMNS)
    long_inputs = sum(m.components_skipped > 0 for m in results)
    if long_inputs:
        err_console.print(f"note: {long_inputs:,} address(es) have more than {MAX_COMPONENTS} components; only the "
                          f"first {MAX_COMPONENTS - 2} and the last two were read for the institution "
                          "(every component for the country)")
    if len(inputs) >= 200:
        seconds = time.perf_counter() - started
        err_console.print(f"matched {sum(m.ror_id is not None for m in results):,} of {len(inputs):,} "
                          f"addresses in {seconds:.1f} s")
    _emit(df, fmt, "affiliation matches", out, None)


def _rows(results: list, explode: bool) -> list[list]:
    """Output rows: one per input with the organisations ';'-joined (ror_id, name, sector, score, confidence in
    the same order; country_code the distinct countries), or with ``explode`` one per organisation."""
    rows = []
    for m in results:
        orgs = ([(m.ror_id, m.name, m.country_code, m.sector, m.score, m.confidence)] if m.ror_id else []) + list(
            m.others)
        if not orgs:
            rows.append([m.input, "", "", m.country_code or "", "", 0.0, 0.0])
        elif explode:
            rows += [[m.input, rid, name, country or "", sector or "", score, conf]
                     for rid, name, country, sector, score, conf in orgs]
        elif len(orgs) == 1:
            rows.append([m.input, m.ror_id, m.name, m.country_code or "", m.sector or "", m.score, m.confidence])
        else:
            rows.append([m.input, ";".join(o[0] for o in orgs), ";".join(o[1] for o in orgs),
                         ";".join(m.country_codes), ";".join(o[3] or "" for o in orgs),
                         ";".join(f"{o[4]:g}" for o in orgs), ";".join(f"{o[5]:g}" for o in orgs)])
    return rows


def register(app: typer.Typer) -> None:
    app.add_typer(ror_app, name="ror")
    app.command("match")(match)
