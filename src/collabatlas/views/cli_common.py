"""What every ``collabatlas`` command shares: the Typer app, option types, output and error helpers.

Command modules (``cli.py`` and ``commands/*.py``) import from here, so each owns its commands only."""

from __future__ import annotations

import numbers
import sys
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from collabatlas import settings as config
from collabatlas.atlas.inputs import check_range
from collabatlas.counting.options import MetricOptions
from collabatlas.errors import CollabatlasError, FilterError, answer
from collabatlas.escaping import markup, terminal_text
from collabatlas.views.choices import Level, Source
from collabatlas.views.cli_group import GlobalOptionsGroup

if TYPE_CHECKING:
    import pandas as pd

    from collabatlas.atlas import Atlas
from collabatlas.views.cli_options import (  # noqa: F401 - the metric options' Typer types, for the commands
    DualOpt,
    JournalsOpt,
    RenormOpt,
    RollupOpt,
    SubjectOpt,
    TypeOpt,
    WindowOpt,
    YearsOpt,
    metric_options,
)
from collabatlas.views.numbers import cell as number_cell
from collabatlas.views.table_text import (  # noqa: F401 - DECIMALS re-exported
    DECIMALS,
    json_text,
    stable,
    table_csv,
    table_json,
)

app = typer.Typer(
    cls=GlobalOptionsGroup,
    help="Exact Nature-Index-style research collaboration metrics from publication metadata.\n\n"
         "Example: collabatlas ingest snapshot/works && collabatlas scores --level country",
    no_args_is_help=True,
    rich_markup_mode="rich",
    pretty_exceptions_enable=False,
)
# no emoji codes: ":fire:" in a name prints as it is (data shown through Rich goes through ``markup``)
console = Console(width=None if sys.stdout.isatty() else 160, emoji=False)
err_console = Console(stderr=True, soft_wrap=True, emoji=False)


class Output:
    """Output settings of this run, from the global options."""

    #: CSV cells as they are: no ``'`` before ``=``, ``+``, ``-``, ``@`` (``collabatlas --raw-csv``)
    raw_csv: bool = False
    #: JSON of a metric (``--format json``, ``--out FILE.json``) as the API answers it: ``{"meta", "columns",
    #: "rows"}`` (``collabatlas --with-meta``); without it, the bare list of rows users parse
    with_meta: bool = False


def _version(value: bool) -> None:
    if value:
        from importlib.metadata import PackageNotFoundError, version

        try:
            number = version("collabatlas")
        except PackageNotFoundError:  # pragma: no cover - run from a source tree without installing
            number = "unknown (not installed)"
        print(f"collabatlas {number}")
        raise typer.Exit()


@app.callback()
def _global_options(
    ctx: typer.Context,
    raw_csv: Annotated[bool, typer.Option(
        "--raw-csv", envvar=config.env_var("raw_csv"),
        help="Write CSV cells (--format csv, --out FILE.csv, network csv) as they are. By default a text cell "
             "starting with =, +, -, @, tab or CR gets a leading ' so spreadsheets do not run it as a formula "
             "(numbers such as -5 are left alone), and control characters are removed.")] = False,
    with_meta: Annotated[bool, typer.Option(
        "--with-meta", help="A metric's JSON (--format json, --out FILE.json) as the API gives it: "
                            '{"meta": {source, counting, filters, caption, data_version, notes, rows}, "columns", '
                            '"rows"} (and "meta" beside a profile or group document); without it, the list of '
                            "rows.")] = False,
    quiet: Annotated[bool, typer.Option(
        "--quiet", "-q", help="No notes, progress or summaries on stderr; errors still print (exit codes as "
                              "always).")] = False,
    store: Annotated[Path | None, typer.Option(
        "--store", help="DuckDB store file for the command (before or after its name) "
                        "[env COLLABATLAS_STORE; default collabatlas.duckdb]")] = None,
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                          help="Print the version and exit.")] = False,
) -> None:
    Output.raw_csv = raw_csv
    Output.with_meta = with_meta
    err_console.quiet = quiet
    try:
        config.check_environment()  # every numeric setting, once, before any work
    except config.SettingError as exc:
        _fail(str(exc))
    if store is not None:  # the command takes no --store (else it was handed to the command)
        _fail(f"--store does not apply to `{ctx.invoked_subcommand}`: it reads no store")


class Format(str, Enum):
    table = "table"
    csv = "csv"
    json = "json"


StoreOpt = Annotated[Path | None, typer.Option(
    "--store", help="DuckDB store file [env COLLABATLAS_STORE; default collabatlas.duckdb]")]
LevelOpt = Annotated[Level, typer.Option("--level", "-l", help="Unit of analysis.")]
ReportDualOpt = Annotated[bool, typer.Option(
    "--report-dual/--no-report-dual", help="Add cs_without_dual and dual_cs: "
                          "the part of CS that comes from authors affiliated in two or more countries.")]
class Engine(str, Enum):
    duckdb = "duckdb"
    spark = "spark"


EngineOpt = Annotated[Engine, typer.Option(
    "--engine", help="Where the counting runs: duckdb (the store) or spark (the Parquet export; see docs/engines.md).")]
SparkMasterOpt = Annotated[str, typer.Option(
    "--spark-master", help="Spark master with --engine spark, e.g. local[2] or spark://host:7077.")]
ParquetOpt = Annotated[Path | None, typer.Option(
    "--parquet", help="With --engine spark: a `collabatlas export` directory (required on a cluster; "
                      "default: the store exported to a temporary directory).")]


@dataclass(frozen=True)
class EngineChoice:
    """The --engine, --spark-master and --parquet options of a metric command."""

    engine: Engine = Engine.duckdb
    spark_master: str = "local[*]"
    parquet: Path | None = None


UNIT_HELP = ("Country (JP, JPN or Japan) or institution (OpenAlex id, ROR id or URL, or name; "
             "see `collabatlas find`).")
CountryOpt = Annotated[str | None, typer.Option(
    "--country", help="Institution rankings: only the institutions of this country (code).")]
SortOpt = Annotated[str | None, typer.Option(
    "--sort", help="Rank by this column, largest first (e.g. count, share, cs_total, cs_international).")]
SourceOpt = Annotated[Source, typer.Option(
    "--source", help="works: exact fractional counting from work-level data; "
                     "pairs: the country-pair table (full counting; its diagonal is each country's "
                     "internationally co-authored works; see `ingest-pairs`).")]
CiOpt = Annotated[int, typer.Option(
    "--ci", help="Add 95% bootstrap intervals from this many replicates (resampling works, seeded), e.g. --ci 1000.")]
FormatOpt = Annotated[Format, typer.Option("--format", "-f", help="Output format on stdout.")]
OutOpt = Annotated[Path | None, typer.Option(
    "--out", "-o", help="Also write the result to FILE (.csv, .json, .parquet or .xlsx).")]
LimitOpt = Annotated[int | None, typer.Option(
    "--limit", "-n", help="Show at most N rows (table format only shows 25 by default).")]


def _fail(message: str, code: int = 2) -> None:
    """One red line on stderr (also under --quiet) and exit ``code``."""
    out = err_console if not err_console.quiet else Console(stderr=True, soft_wrap=True, emoji=False)
    out.print(f"[bold red]error:[/] {markup(message)}")
    raise typer.Exit(code)


#: the arguments of a metric command that are options of the engines' declarations (refused before opening)
DECLARED_ARGS = ("by_year", "ci", "report_dual", "window_end_month")


def refuse_early(on: EngineChoice | None, *what: str, source: str = "works", level: str | None = None,
                 options: MetricOptions | None = None, **given) -> None:
    """Refuse from the declaration of the engine ``on`` and ``source`` choose what it does not answer
    (``what``, ``level``, the options given), before any store is opened or Spark started: the
    refusal :meth:`Capabilities.require` words, answered with exit 2 by ``_guard``. The Atlas asks the
    same declaration again when it runs, so this only moves the refusal ahead of the start."""
    from collabatlas.atlas.inputs import declared

    engine = (on or EngineChoice()).engine.value
    declared(source, engine).require(*what, level=level, options=options, **given)


def refuse_csv(fmt: Format, command: str, parts: str) -> None:
    """A document of several tables (``profile``, ``group``) has no one CSV: ``--format csv`` is refused
    before any work (it printed JSON, an option silently not applied)."""
    if fmt is Format.csv:
        _fail(f"--format csv: `{command}` gives several tables ({parts}); use --format json, or the terminal "
              "tables (--format table)")


def _open(store: Path | None, read_only: bool = True, on: EngineChoice | None = None) -> Atlas:
    on = on or EngineChoice()
    # an absent master: one line in seconds, before loading anything heavy (a cluster without --parquet is
    # refused first, by the engine: that is the user's to fix whether or not the master is there)
    if on.engine is Engine.spark and (on.parquet is not None or on.spark_master.startswith("local")):
        from collabatlas.atlas.workflows import check_spark_master

        check_spark_master(on.spark_master)
    from collabatlas.atlas import Atlas

    try:
        if on.engine is Engine.spark:
            with err_console.status(f"starting Spark ({markup(on.spark_master)})"):
                return Atlas(config.store_path(store), engine="spark", spark_master=on.spark_master,
                             parquet=on.parquet)
        if on.parquet is not None:
            _fail("--parquet applies with --engine spark; DuckDB reads the store (see `collabatlas import-tables`)")
        return Atlas(config.store_path(store), read_only=read_only)
    except CollabatlasError as exc:  # a store or engine that cannot open: answered by its class (errors.ANSWERS)
        _fail(str(exc), answer(exc).exit_code)


def _open_for_input(store: Path | None, command: str) -> Atlas:
    """The store an input command (ingest, sync, import-tables, ingest-pairs) writes into; an in-memory
    store (``--store :memory:`` or ``COLLABATLAS_STORE=:memory:``) is refused: nothing read would be kept."""
    if str(config.store_path(store)) == ":memory:":
        _fail(f"{command}: the store is :memory: (from --store or COLLABATLAS_STORE), so nothing read would be "
              "kept; give a store file, e.g. --store atlas.duckdb")
    return _open(store, read_only=False)


def prepare_out(out: Path, directory: bool = False) -> Path:
    """The rule of every ``--out``: missing parent folders are created (``directory``: the folder
    itself too); a folder that cannot be created is a one-line error, never a traceback."""
    folder = out if directory else out.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        _fail(f"--out {out}: cannot create the folder {folder}: {exc.strerror or exc}")
    return out


def write_failed(out: Path, exc: OSError) -> None:
    """The one-line error for an ``--out`` that could not be written (permission, full disk, ...)."""
    _fail(f"--out {out}: cannot write: {exc.strerror or exc}")


_stable = stable  # floats rounded to DECIMALS (views.table_text): the same data, the same bytes


OUT_SUFFIXES = (".csv", ".json", ".parquet", ".xlsx")


def check_out(out: Path) -> str:
    """The suffix of ``--out`` when collabatlas writes it, else a one-line error (before any work)."""
    suffix = out.suffix.lower()
    if suffix not in OUT_SUFFIXES:
        _fail(f"--out {out}: unknown extension {suffix!r}; use .csv, .json, .parquet or .xlsx")
    return suffix


def _write(df: pd.DataFrame, out: Path, provenance: Provenance | None = None) -> None:
    suffix = check_out(out)
    prepare_out(out)
    try:
        if suffix == ".csv":
            out.write_text(table_csv(df, Output.raw_csv), encoding="utf-8")
        elif suffix == ".xlsx":
            from collabatlas.views.xlsx import write_xlsx

            write_xlsx(_stable(df), out)
        elif suffix == ".json":
            out.write_text(_json(df, provenance, indent=True), encoding="utf-8")
        else:
            df.to_parquet(out, index=False)
    except OSError as exc:
        write_failed(out, exc)
    err_console.print(f"wrote {len(df):,} rows to {markup(out)}")


def _json(df: pd.DataFrame, provenance: Provenance | None, indent: bool = False, total: int | None = None) -> str:
    """A table as JSON: the list of its rows, or with ``--with-meta`` (and a ``provenance``) the API's
    ``{"meta", "columns", "rows"}``."""
    if not (Output.with_meta and provenance is not None):
        return table_json(df, indent=indent)
    body = {"meta": provenance.meta(df, total if total is not None else len(df)),
            "columns": [str(c) for c in df.columns], "rows": stable(df).to_dict(orient="records")}
    return json_text(body, indent=indent)


def _emit(df: pd.DataFrame, fmt: Format, title: str, out: Path | None, limit: int | None,
          ids: tuple[str, ...] = (), provenance: Provenance | None = None) -> None:
    """Print (and with ``out`` write) a result table; ``provenance``: its line under a terminal table,
    its ``meta`` in JSON under ``--with-meta``."""
    for note in df.attrs.get("notes") or []:  # coverage notes: what the result leaves out and why
        if note:
            err_console.print(f"note: {note}", markup=False, highlight=False)
    try:
        check_range("--limit", limit, 1)  # None: every row (table format: the first 25)
    except FilterError as exc:
        _fail(str(exc))
    if out is not None:
        _write(df, out, provenance)
    shown = df if limit is None else df.head(limit)
    if fmt is Format.csv:
        sys.stdout.write(table_csv(shown, Output.raw_csv))
    elif fmt is Format.json:
        sys.stdout.write(_json(shown, provenance, total=len(df)))
        sys.stdout.write("\n")
    else:
        print_table(shown if limit is not None else df.head(25), title=title, total=len(df), ids=ids)
        if provenance is not None:
            print_provenance(fmt, provenance.line())


def terminal_width() -> int:
    """The width tables are drawn at: ``$COLUMNS`` when set (also when piped), else the console's
    (the terminal's; piped without ``COLUMNS``: 160)."""
    import os

    columns = os.environ.get("COLUMNS", "")
    if columns.strip().isdigit() and int(columns) > 0:
        return int(columns)
    return console.width


def print_table(df: pd.DataFrame, title: str, total: int | None = None, ids: tuple[str, ...] = ()) -> None:
    """``df`` as a Rich table that keeps ids and values whole at any width (names give way first,
    :mod:`collabatlas.views.terminal_table`); ``ids``: more columns to keep whole (a group's name)."""
    import pandas as pd

    from collabatlas.views.terminal_table import blocks, plan, total_width, wrap_header

    cells = {col: [_cell(v, str(col)) for v in df[col]] for col in df.columns}
    numeric = {col: pd.api.types.is_numeric_dtype(df[col]) and not pd.api.types.is_bool_dtype(df[col])
               for col in df.columns}
    width = terminal_width()
    plans, dropped = plan([(str(col), numeric[col], max([len(str(c)) for c in cells[col]] or [0]))
                           for col in df.columns], width, keep=ids)
    notes = []
    if total is not None and total > len(df):
        notes.append(f"{len(df)} of {total:,} rows (--format csv or --out FILE for all)")
    if dropped:
        notes.append(f"not shown at this width: {', '.join(dropped)} (wider terminal, --format csv or --out FILE)")
    parts = blocks(plans, width)
    by_name = {str(col): col for col in df.columns}
    for number, part in enumerate(parts, 1):
        caption = list(notes) if number == len(parts) else []
        if len(parts) > 1:
            caption.insert(0, f"columns part {number} of {len(parts)}: wider than the terminal, the leading id "
                              "column repeats (--format csv: one table)")
        table = Table(title=markup(title) if number == 1 else None,
                      caption=markup("; ".join(caption)) if caption else None, show_lines=False,
                      header_style="bold")
        for p in part:
            if p.kind == "name":
                table.add_column(markup(p.name), width=p.width, overflow="ellipsis", no_wrap=True)
            elif p.kind == "text":
                table.add_column(markup(p.name), width=p.width, overflow="fold")
            else:  # ids and values: whole, on one line; a longer header wraps after its underscores
                header = markup(wrap_header(p.name, p.width))
                table.add_column(header, justify="right" if numeric[by_name[p.name]] else "left",
                                 min_width=p.width, max_width=p.width, overflow="fold")
        for i in range(len(df)):
            table.add_row(*(cells[by_name[p.name]][i] for p in part))
        console.print(table, width=max(width, total_width(part)))


def _cell(value, column: str = "") -> str:
    """A terminal cell: numbers by :func:`collabatlas.views.numbers.cell`, with the decimals of the report,
    the fact sheet and the dashboard (a CS reads ``0.944`` in each, never ``0.9444`` here and ``0.944``
    there); text as it is (no markup, no control characters)."""
    if value is None or (isinstance(value, float) and value != value):  # None, NaN
        return ""
    if isinstance(value, numbers.Real) and not isinstance(value, bool):
        return number_cell(str(column), value)[0]
    return Text(terminal_text(value))


def _guard(fn):
    """Turn user errors into one red line and exit code 2 instead of a traceback."""
    import functools

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except CollabatlasError as exc:  # every error collabatlas raises on purpose: errors.ANSWERS decides
            _fail(str(exc), answer(exc).exit_code)
        except Exception as exc:
            if "duckdb" not in sys.modules:  # no store was opened: not a damaged store
                raise
            from collabatlas.atlas.workflows import damaged_store_message

            message = damaged_store_message(str(config.store_path(kwargs.get("store"))), exc)
            if message is None:
                raise
            _fail(message)  # a truncated or corrupt store file, a full disk: a message, no traceback
    return wrapper


def _metric(method: str, store: Path | None, fmt: Format, out: Path | None, limit: int | None,
            on: EngineChoice | None = None, options: MetricOptions | None = None, **args) -> None:
    """Run one Atlas metric (on the engine ``on`` chooses) with ``options`` and the other ``args``, with a
    spinner on stderr, and print or write its table, titled with what it counts."""
    options = options or MetricOptions()
    level = args.get("level", "institution")
    check_range("--limit", limit, 1)  # before the work, not after it
    what = (method, "pair_indices") if args.get("indices") else (method,)
    early = {"industry_country": args.get("country")} if method == "industry" else {}
    refuse_early(on, *what, source=args.get("source", "works"), level=args.get("level"), options=options,
                 **{k: args[k] for k in DECLARED_ARGS if k in args}, **early)
    if out is not None:
        check_out(out)
    with _open(store, on=on) as atlas, err_console.status(f"computing {level} {method}"):
        capabilities = atlas.capabilities(args.get("source", "works"))
        if "unit" in args and "fractional" in capabilities.counting_modes:  # work-level data: the id, for the title
            args["unit"] = atlas.resolve_unit(level, args["unit"])
        df = getattr(atlas, method)(options=options, **args)
        version = atlas.data_version
        if options.window or options.subject:  # the caveats of the filters (the API's meta.notes too)
            from collabatlas.atlas.workflows import coverage_notes

            df.attrs["notes"] = [*(df.attrs.get("notes") or []),
                                 *coverage_notes(atlas, options.window, options.subject, args.get("source", "works"))]
    subject = f"partners of {args['unit']}" if "unit" in args else f"{level} {method}"
    title = subject + (f" ({_filters_text(options)})" if _filters_text(options) else "")
    if "fractional" not in capabilities.counting_modes:  # another source and counting: part of every title
        title += f" · {capabilities.source_label} · {capabilities.counting_label}"
    _emit(df, fmt, title, out, limit, provenance=provenance_of(capabilities, options, version, df))


def provenance_line(source_label: str, counting_label: str, filters: str, version: int) -> str:
    """The line under a metric's table: source, counting, filters and data version (as plain text)."""
    return f"{source_label} · {counting_label} · {filters or 'no filter'} · data version {version}"


@dataclass(frozen=True)
class Provenance:
    """Where a result comes from: what its terminal table ends with (:meth:`line`) and, with
    ``--with-meta``, its JSON's ``meta`` (the API's words: source, counting, filters, caption)."""

    source: str
    source_label: str
    counting: str
    filters: str  # empty: no filter
    data_version: int
    no_filter: str = "all works (no filter)"

    def line(self) -> str:
        return provenance_line(self.source_label, self.counting, self.filters, self.data_version)

    def meta(self, df: pd.DataFrame | None = None, rows: int | None = None) -> dict:
        filters = self.filters or self.no_filter
        out = {"source": self.source, "source_label": self.source_label, "counting": self.counting,
               "filters": filters, "caption": f"{self.source_label} · {self.counting} · {filters}",
               "data_version": self.data_version}
        if df is not None:  # as the API: rows in the result, rows written here (--limit)
            out["rows"], out["returned"] = (len(df) if rows is None else rows), len(df)
            if df.attrs.get("notes"):
                out["notes"] = [str(n) for n in df.attrs["notes"] if n]
        return out


def provenance_of(capabilities, options: MetricOptions, version: int, df: pd.DataFrame | None = None,
                  counting: str | None = None, **more) -> Provenance:
    """The provenance of a result: the engine's source, the result's own counting where it has one
    (``df.attrs["counting_label"]``: indicators, pair indices, impact; or ``counting``), else the
    engine's, the filters (``more``: e.g. ``window_end_month=7``) and the data version — the words the
    API gives as ``meta``, so every metric command ends its table with them (:meth:`Provenance.line`)."""
    own = (df.attrs.get("counting_label") if df is not None else None) or counting
    filters = options.describe(**more) if (options.given() or any(v not in (None, False) for v in more.values())) \
        else ""
    return Provenance(capabilities.source, capabilities.source_label, own or capabilities.counting_label, filters,
                      version, "all works (no filter)" if capabilities.supports("subject") else "all years (no filter)")


def print_provenance(fmt: Format, provenance: Provenance | str) -> None:
    """Under a terminal table, the provenance line (dim); CSV and JSON on stdout stay data only."""
    if fmt is Format.table:
        line = provenance if isinstance(provenance, str) else provenance.line()
        console.print(Text(line, style="dim"), width=terminal_width())


def document_json(body: dict, provenance: Provenance) -> str:
    """A document's JSON (profile, group): as it is, or with ``--with-meta`` its ``meta`` first."""
    return json_text({"meta": provenance.meta(), **body} if Output.with_meta else body)


def _filters_text(options: MetricOptions) -> str:
    """The filters and options of a title (empty when none): :func:`collabatlas.counting.options.describe`."""
    return options.describe() if options.given() else ""
