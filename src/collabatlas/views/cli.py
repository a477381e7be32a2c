"""The ``collabatlas`` command: a thin Typer + Rich layer over :class:`collabatlas.Atlas`.

Shared options and output helpers live in ``cli_common``; commands of later areas (sources, views,
engines) live in ``commands/`` and are registered at the bottom of this module.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from collabatlas import settings as config
from collabatlas.atlas.inputs import parse_two_periods
from collabatlas.atlas.workflows import DAMAGED_EXIT_CODE
from collabatlas.counting.options import MetricOptions
from collabatlas.escaping import markup
from collabatlas.views.cli_common import (
    UNIT_HELP,
    CiOpt,
    CountryOpt,
    Engine,
    EngineChoice,
    EngineOpt,
    Format,
    FormatOpt,
    Level,
    LevelOpt,
    LimitOpt,
    OutOpt,
    ParquetOpt,
    ReportDualOpt,
    SortOpt,
    Source,
    SourceOpt,
    SparkMasterOpt,
    StoreOpt,
    YearsOpt,
    _emit,
    _fail,
    _guard,
    _metric,
    _open,
    _open_for_input,
    app,
    console,
    document_json,
    err_console,
    metric_options,
    print_provenance,
    print_table,
    provenance_of,
    refuse_csv,
    refuse_early,
)
from collabatlas.views.ingest_summary import print_report, unsaved_exit
from collabatlas.views.table_text import json_text

if TYPE_CHECKING:
    pass

# ---------------------------------------------------------------------------------------------


@app.command()
@_guard
def ingest(
    paths: Annotated[list[Path], typer.Argument(help="OpenAlex snapshot directories, JSONL(.gz) files, API pages, "
                                                     "entity JSON; WoS, Scopus or PubMed exports.")],
    store: StoreOpt = None,
    json_summary: Annotated[bool, typer.Option("--json", help="Print the ingest summary as JSON.")] = False,
    format: Annotated[str, typer.Option("--format", help="auto | openalex | wos | scopus | pubmed (auto: each file "
                                        "by its content).")] = "auto",
    engine: Annotated[Engine, typer.Option("--engine", help="duckdb (into the store) or spark (OpenAlex works "
                                           "JSON Lines into --parquet OUT; see docs/spark.md).")] = Engine.duckdb,
    spark_master: SparkMasterOpt = "local[*]",
    parquet: Annotated[Path | None, typer.Option("--parquet", help="With --engine spark: the folder (new or empty) "
                                                 "the interchange tables are written to.")] = None,
) -> None:
    """Read OpenAlex data or WoS / Scopus / PubMed exports into the store (idempotent: the newest
    updated_date of each work wins; the same paper from several sources is stored once).

    Examples:

      collabatlas ingest works_2023.jsonl.gz

      collabatlas ingest snapshot/works snapshot/institutions --store atlas.duckdb

      collabatlas ingest savedrecs.txt scopus.csv pubmed.xml     # WoS, Scopus, PubMed; duplicates merged

      collabatlas ingest exports/ --format wos

    Exit code 3 (after the summary) when records were lost to damaged files (malformed JSON,
    truncated or corrupt gzip); skipped records of valid files do not change the exit code.
    Paths are literal (works[1].jsonl is that file); only a quoted pattern that is no path, such as
    'exports/*.txt', is expanded. A snapshot folder's merged_ids/ is applied as sync applies it.
    With --engine spark, Spark reads OpenAlex works JSON Lines into the Parquet tables of --parquet OUT
    (what `collabatlas export` writes; docs/spark.md).
    """
    if engine is Engine.spark:
        from collabatlas.views.commands.spark_ingest import run

        code = run(paths, parquet, store, format, spark_master, json_summary)
        if code:
            raise typer.Exit(code)
        return
    if parquet is not None or spark_master != "local[*]":
        _fail("--parquet and --spark-master apply with --engine spark (the DuckDB ingest writes the store; "
              "see `collabatlas export`)")
    from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeElapsedColumn, TransferSpeedColumn

    from collabatlas.atlas import UnitSharesNotSaved

    atlas = _open_for_input(store, "ingest")
    with Progress(TextColumn("[bold]{task.description}"), BarColumn(), DownloadColumn(), TransferSpeedColumn(),
                  TimeElapsedColumn(), console=err_console, transient=True) as bar:
        task = bar.add_task("ingest", total=None)

        def progress(label: str, done: int, total: int) -> None:
            bar.update(task, description=markup(Path(label).name if "/" in label else label), completed=done,
                       total=total)

        try:
            report, unsaved = atlas.ingest(*paths, progress=progress, format=format), None
        except UnitSharesNotSaved as exc:  # committed; only the derived tables are missing
            report, unsaved = exc.report, exc
    if json_summary:
        print(json_text(report.to_dict(), indent=True))
    else:
        print_report(report, atlas)
    atlas.close()
    unsaved_exit(unsaved)
    if report.damaged:  # records lost to damaged files: the summary is printed, then exit 3 so scripts can tell
        err_console.print(f"{report.damaged:,} records lost to damaged files (exit code {DAMAGED_EXIT_CODE})",
                          markup=False)
        raise typer.Exit(DAMAGED_EXIT_CODE)


@app.command("ingest-pairs")
@_guard
def ingest_pairs(
    path: Annotated[Path, typer.Argument(help="CSV (or .csv.gz) with year,country_a,country_b,works.")],
    provider: Annotated[str | None, typer.Option(
        "--provider", help="Who built the table (e.g. OpenAlex); default: from the data folder's README.md "
                           "or the file name.")] = None,
    retrieved: Annotated[str | None, typer.Option(
        "--retrieved", help="When it was retrieved (e.g. 2024-08-27); default: the README.md's "
                            "\"retrieved on <date>\".")] = None,
    store: StoreOpt = None,
) -> None:
    """Load country-pair co-authorship counts (full counting) for world-scale partners, trend and
    group analyses with --source pairs. The years in the file replace those years in the store. The
    diagonal is each country's internationally co-authored works (never its total output). The
    provider and retrieval date are kept with the table and named in every caption.

    Example:

      collabatlas ingest-pairs openalex_country_coauthorship_pairs_1990_2023.csv.gz
    """
    with _open_for_input(store, "ingest-pairs") as atlas, err_console.status(f"loading {markup(path.name)}"):
        report = atlas.ingest_country_pairs(path, provider=provider, retrieved=retrieved)
    years = f"{report.years[0]}–{report.years[-1]}" if report.years else "none"
    console.print(f"{report.rows_read:,} rows read, {report.rows_stored:,} stored (years {years}), "
                  f"{sum(report.skipped.values()):,} skipped · {markup(report.provenance.label)}")
    for message in report.messages:
        err_console.print(f"[yellow]note:[/] {markup(message)}")


@app.command()
@_guard
@metric_options()
def scores(
    level: LevelOpt = Level.country, options: MetricOptions = None,
    by_year: Annotated[bool, typer.Option("--by-year", help="One row per unit and year.")] = False,
    base_year: Annotated[int | None, typer.Option("--base-year", help="Add adjusted_share relative to this year "
                                                                      "(implies --by-year).")] = None,
    ci: CiOpt = 0, country: CountryOpt = None, sort: SortOpt = None,
    format: FormatOpt = Format.table, out: OutOpt = None, limit: LimitOpt = None, store: StoreOpt = None,
    engine: EngineOpt = Engine.duckdb, spark_master: SparkMasterOpt = "local[*]", parquet: ParquetOpt = None,
) -> None:
    """Count and fractional Share per unit: columns unit,name,count,share.

    Examples:

      collabatlas scores --level country --years 2015-2021

      collabatlas scores --level institution --window 2022-08-01..2023-07-31 --format csv > inst.csv

      collabatlas scores --level country --base-year 2019 --years 2019-2020

      collabatlas scores --level institution --country JP --sort count

      collabatlas scores --level country --engine spark --spark-master local[2] --parquet atlas-parquet/
    """
    _metric("scores", store, format, out, limit, EngineChoice(engine, spark_master, parquet), options,
            level=level.value, by_year=by_year, base_year=base_year, ci=ci, country=country, sort=sort)


@app.command()
@_guard
@metric_options()
def pairs(
    level: LevelOpt = Level.country, options: MetricOptions = None,
    by_year: Annotated[bool, typer.Option("--by-year", help="One row per pair and year.")] = False,
    min_joint: Annotated[int, typer.Option("--min-joint", help="Only pairs with at least this many joint works.")] = 1,
    indices: Annotated[str | None, typer.Option(
        "--indices", help="Add normalised pair indices on full counts, comma-separated: salton, jaccard, "
                          "association, ric (ric adds ric_ba, the other direction); with n_a, n_b, t.")] = None,
    ci: CiOpt = 0, source: SourceOpt = Source.works,
    format: FormatOpt = Format.table, out: OutOpt = None, limit: LimitOpt = None, store: StoreOpt = None,
    engine: EngineOpt = Engine.duckdb, spark_master: SparkMasterOpt = "local[*]", parquet: ParquetOpt = None,
) -> None:
    """Bilateral collaboration score per pair: columns unit_a,unit_b,joint_count,cs (unit_a < unit_b).

    --indices adds salton = N_ab/sqrt(N_a N_b), jaccard = N_ab/(N_a+N_b-N_ab), association =
    N_ab T/(N_a N_b) and ric (relative intensity of collaboration, both directions) on full counts
    (docs/methodology.md, "Pair indices"); --ci N their bootstrap intervals.

    Examples:

      collabatlas pairs --level country --years 2020 --format csv

      collabatlas pairs --level institution --min-joint 2 --out pairs.parquet

      collabatlas pairs --level country --indices salton,jaccard,association,ric --ci 1000 --format csv
    """
    _metric("pairs", store, format, out, limit, EngineChoice(engine, spark_master, parquet), options,
            level=level.value, by_year=by_year, min_joint=min_joint, indices=indices, ci=ci, source=source.value)


@app.command()
@_guard
@metric_options()
def collaboration(
    level: LevelOpt = Level.institution, options: MetricOptions = None, country: CountryOpt = None,
    sort: SortOpt = None, source: SourceOpt = Source.works,
    format: FormatOpt = Format.table, out: OutOpt = None, limit: LimitOpt = None, store: StoreOpt = None,
    engine: EngineOpt = Engine.duckdb, spark_master: SparkMasterOpt = "local[*]", parquet: ParquetOpt = None,
) -> None:
    """Total CS per unit, split into domestic, international and industry collaboration.

    Columns: unit, count, share, collab_count, intl_count, cs_total, cs_domestic, cs_international,
    cs_unknown_country, cs_industry (institution level). With --source pairs (country level, full
    counting, the country-pair table): unit, name, intl_works (the diagonal: internationally
    co-authored works, not total output), partner_links, partner_countries; a country's international
    share is not computable from that table (domestic-only works are not in it).

    Examples:

      collabatlas collaboration --level institution --years 2018

      collabatlas collaboration --level institution --country DE --sort cs_international

      collabatlas collaboration --level country --source pairs --years 2020   # world scale, full counts
    """
    _metric("totals", store, format, out, limit, EngineChoice(engine, spark_master, parquet), options,
            level=level.value, country=country, sort=sort, source=source.value)


@app.command()
@_guard
@metric_options()
def partners(
    unit: Annotated[str, typer.Argument(help=UNIT_HELP)],
    level: Annotated[Level, typer.Option("--level", "-l", help="Unit of analysis.")] = Level.country,
    top: Annotated[int | None, typer.Option("--top", help="Only the N strongest partners.")] = 10,
    options: MetricOptions = None, report_dual: ReportDualOpt = False, ci: CiOpt = 0,
    source: SourceOpt = Source.works,
    format: FormatOpt = Format.table, out: OutOpt = None, limit: LimitOpt = None, store: StoreOpt = None,
    engine: EngineOpt = Engine.duckdb, spark_master: SparkMasterOpt = "local[*]", parquet: ParquetOpt = None,
) -> None:
    """Top partners of a country or institution by bilateral CS, with their % of its international
    CS and, for a year range, the CS of each year.

    Examples:

      collabatlas partners JP --years 2015-2021 --top 10

      collabatlas partners I27837315 --level institution --format csv
    """
    _metric("partners", store, format, out, limit, EngineChoice(engine, spark_master, parquet), options,
            unit=unit, level=level.value, top=top, report_dual=report_dual, ci=ci, source=source.value)


@app.command()
@_guard
@metric_options()
def profile(
    institution: Annotated[str, typer.Argument(help="OpenAlex id (I27837315), ROR id, or part of the name.")],
    top: Annotated[int, typer.Option("--top", help="Rows in each ranking.")] = 5,
    options: MetricOptions = None,
    format: FormatOpt = Format.table, store: StoreOpt = None,
    engine: EngineOpt = Engine.duckdb, spark_master: SparkMasterOpt = "local[*]", parquet: ParquetOpt = None,
) -> None:
    """An institution's collaboration profile: Count, Share, total CS (domestic / international /
    industry), hotspot countries, top partners with own vs partner contribution, corporate partners.

    Examples:

      collabatlas profile I27837315 --years 2019-2021

      collabatlas profile "University of Michigan" --format json

      collabatlas profile "University of California System" --rollup --journals nature-index
    """
    import pandas as pd

    refuse_csv(format, "profile", "headline, hotspots, partners, corporate partners")
    on = EngineChoice(engine, spark_master, parquet)
    refuse_early(on, "profile", options=options)
    with _open(store, on=on) as atlas, err_console.status("building the profile"):
        p = atlas.profile(institution, top=top, options=options)
        line = provenance_of(atlas.capabilities(), options, atlas.data_version)
    if format is not Format.table:
        print(document_json(p.to_dict(), line))
        return
    console.print(f"[bold]{markup(p.name)}[/] ({markup(p.institution_id)}, {markup(p.country or 'country unknown')})")
    print_table(pd.DataFrame([p.headline]), "Count, Share and collaboration score")
    print_table(p.hotspots, "International hotspot countries (CS with their institutions)")
    print_table(p.partners, f"Top {top} partner institutions: own vs partner contribution on joint works")
    print_table(p.top_domestic_partners, f"Top {top} domestic partners ({p.country or 'country unknown'})")
    print_table(p.top_international_partners, f"Top {top} international partners (another country)")
    print_table(p.corporate_partners, "Top corporate partners")
    console.print(f"distinct partner institutions: {p.n_domestic_partners:,} domestic, "
                  f"{p.n_international_partners:,} international")
    print_provenance(format, line)


@app.command()
@_guard
@metric_options("subject", "type", "journals", "renormalize", "exclude_dual_affiliations")
def group(
    country: Annotated[str, typer.Argument(help="Focus country: CN, CHN or China.")],
    group_name: Annotated[str, typer.Option("--group", "-g",
                                            help="Group: bri, income:high, eu, oecd, g7, g20, wb-region:…, "
                                                 "un-region:…, csv:FILE[#GROUP] (see `collabatlas groups`).")],
    periods: Annotated[str, typer.Option("--periods", "-p",
                                         help="Comma-separated years, year ranges or date windows, "
                                              "e.g. 2013-2015,2016-2018 or 2015,2022-08-01..2023-07-31.")],
    top: Annotated[int, typer.Option("--top", help="Top group partners to list.")] = 10,
    options: MetricOptions = None, report_dual: ReportDualOpt = False,
    source: SourceOpt = Source.works, ci: CiOpt = 0,
    format: FormatOpt = Format.table, store: StoreOpt = None,
    engine: EngineOpt = Engine.duckdb, spark_master: SparkMasterOpt = "local[*]", parquet: ParquetOpt = None,
) -> None:
    """A country's collaboration with a group of countries over periods: works with the group, the
    group's share of its international works and CS, growth vs all international and domestic-only
    works, and the top group partners with their growth.

    Examples:

      collabatlas group CN --group bri --periods 2013-2015,2016-2018

      collabatlas group DE --group income:low --periods 2015,2020 --format json
    """
    refuse_csv(format, "group", "periods, growth, partners")
    on = EngineChoice(engine, spark_master, parquet)
    periods_given = [p for p in periods.split(",") if p.strip()]
    refuse_early(on, "group", source=source.value, options=options, ci=ci, report_dual=report_dual,
                 window=",".join(p for p in periods_given if ".." in p))
    with _open(store, on=on) as atlas, err_console.status("computing the group analysis"):
        report = atlas.group(country, group_name, periods_given, top=top,
                             source=source.value, ci=ci, report_dual=report_dual, options=options)
        line = provenance_of(atlas.capabilities(source.value), options, atlas.data_version, group=group_name,
                             periods=",".join(periods_given))
    if format is not Format.table:
        print(document_json(report.to_dict(), line))
        return
    console.print(f"[bold]{markup(report.country)}[/] with [bold]{markup(report.group)}[/] "
                  f"({len(report.members)} countries) · {markup(report.source_label)}: {markup(report.counting)}")
    print_table(report.periods, "Per period")
    print_table(report.growth, "Growth from the first to the last period (%)")
    print_table(report.partners, f"Top {top} partners in the group ({report.counting})")
    print_provenance(format, line)
    for note in report.notes:
        err_console.print(f"[yellow]note:[/] {markup(note)}")


@app.command()
@_guard
@metric_options("years", "subject", "type", "journals", "renormalize", "rollup", "exclude_dual_affiliations",
                help={"years": "Publication years, or with --window-end-month the windows "
                               "(named by the year they end in), e.g. 2015-2021."})
def trend(
    unit_a: Annotated[str, typer.Argument(help="First unit, e.g. CN, China or an institution.")],
    unit_b: Annotated[str, typer.Argument(help="Second unit, e.g. US, USA or an institution.")],
    level: Annotated[Level, typer.Option("--level", "-l", help="Unit of analysis.")] = Level.country,
    options: MetricOptions = None,
    window_end_month: Annotated[int | None, typer.Option("--window-end-month",
                                                         help="Use 12-month windows ending with this month (1-12) "
                                                              "instead of calendar years.")] = None,
    compare: Annotated[str | None, typer.Option("--compare", help="Two periods P1,P2: print the % change of CS "
                                                                  "between them.")] = None,
    report_dual: ReportDualOpt = False, ci: CiOpt = 0,
    source: SourceOpt = Source.works,
    format: FormatOpt = Format.table, out: OutOpt = None, store: StoreOpt = None,
    engine: EngineOpt = Engine.duckdb, spark_master: SparkMasterOpt = "local[*]", parquet: ParquetOpt = None,
) -> None:
    """Bilateral CS of two units per year (or per 12-month window) with the change between periods.

    Examples:

      collabatlas trend CN US --years 2015-2021 --compare 2015,2021

      collabatlas trend JP DE --window-end-month 7 --subject Chemistry
    """
    from collabatlas.atlas import period_change

    on = EngineChoice(engine, spark_master, parquet)
    refuse_early(on, "trend", source=source.value, level=level.value, options=options,
                 window_end_month=window_end_month, report_dual=report_dual, ci=ci)
    with _open(store, on=on) as atlas:
        df = atlas.trend(unit_a, unit_b, level=level.value, window_end_month=window_end_month,
                         report_dual=report_dual, ci=ci, source=source.value, options=options)
        bounds = None
        capabilities = atlas.capabilities(source.value)
        line = provenance_of(capabilities, options, atlas.data_version, df, window_end_month=window_end_month)
        if compare:
            first, last = parse_two_periods(compare)
            said = period_change(df, first, last, value=capabilities.trend_value)
            change = said["change_pct"]
            if ci and change is not None and capabilities.supports("ci"):
                bounds = atlas.trend_change_interval(unit_a, unit_b, first, last, level=level.value,
                                                     window_end_month=window_end_month, ci=ci,
                                                     options=dataclasses.replace(options, years=None))
    what = capabilities.trend_label
    _emit(df, format, f"{what} {unit_a.upper()}–{unit_b.upper()}", out, None, provenance=line)
    if compare:
        text = f"not defined ({what} was 0 in the first period)" if change is None else f"{change:+.1f} %"
        if bounds:
            text += f" (95% interval {bounds[0]:+.1f} % to {bounds[1]:+.1f} %)"
        text += f"; n {said['n_first']:,} → {said['n_last']:,} joint works"
        if said["small_n"]:
            text += f" (fewer than {config.small_n()} at one end: the change says little)"
        err_console.print(f"change of {what} from {first} to {last}: {text}")


@app.command()
@_guard
@metric_options("years", "window", "subject", "type", "journals", "rollup")
def industry(
    options: MetricOptions = None,
    country: Annotated[str | None, typer.Option("--country", help="Only the companies of this country (JP); "
                                                                  "their academic partners may be anywhere.")] = None,
    format: FormatOpt = Format.table, out: OutOpt = None, limit: LimitOpt = None, store: StoreOpt = None,
    engine: EngineOpt = Engine.duckdb, spark_master: SparkMasterOpt = "local[*]", parquet: ParquetOpt = None,
) -> None:
    """Corporate institutions' collaboration with academia: joint works, own and academic Share on
    them, and the corporate contribution in % (Nature Index "Science Inc." tables).

    Examples:

      collabatlas industry --years 2016 --limit 20

      collabatlas industry --country JP
    """
    extra = {"country": country} if country is not None else {}
    _metric("industry", store, format, out, limit, EngineChoice(engine, spark_master, parquet), options, **extra)


@app.command()
@_guard
def demo(
    data: Annotated[Path | None, typer.Option("--data",
                                              help="Sample data directory [env COLLABATLAS_DATA; else the packaged "
                                                   "177-work OpenAlex sample].")] = None,
    store: StoreOpt = None,
    years: YearsOpt = None,
    report_dir: Annotated[Path | None, typer.Option("--report",
                                                    help="Also write the static report on the top country here "
                                                         "(e.g. out/demo-report).")] = None,
    openalex_only: Annotated[bool, typer.Option("--openalex-only",
                                                help="Ingest the OpenAlex samples only "
                                                     "(no ROR registry, no WoS / Scopus / PubMed exports).")] = False,
) -> None:
    """The main job on the embedded engine: load the ROR registry, ingest the OpenAlex samples and the
    WoS / Scopus / PubMed exports (duplicates merged), and print the headline tables.

    Without a sample data directory (no --data, no $COLLABATLAS_DATA) it ingests the packaged CC0
    sample of 177 OpenAlex works, so it runs anywhere.

    Example:

      collabatlas demo --data DIR --store demo.duckdb --report out/demo-report
    """
    from collabatlas.atlas import reference

    data_dir = config.data_dir(data)
    source = data_dir / "openalex" if data_dir is not None else None
    if data is not None and not source.is_dir():  # a named directory must hold the samples
        _fail(f"{source} not found: --data must be a sample data directory with an openalex/ folder")
    if source is None or not source.is_dir():
        source = reference.path("openalex-sample")
        err_console.print(f"no sample data directory ({data_dir or 'none given'}): using the packaged sample "
                          f"of {reference.dataset('openalex-sample').rows} OpenAlex works (CC0)", markup=False)
        openalex_only = True
    inputs = [source]
    if not openalex_only:
        ror_files = sorted((data_dir / "ror").glob("ror_v*_records.jsonl.gz"))
        if ror_files:
            with _open(store, read_only=False) as atlas, err_console.status("loading the ROR registry"):
                loaded = atlas.load_ror(ror_files)
            err_console.print(f"ROR registry: {loaded.loaded:,} organisations from {len(ror_files)} files")
        inputs += [data_dir / name for name in ("wos", "scopus", "pubmed") if (data_dir / name).is_dir()]
    ingest(inputs, store=store, json_summary=False, format="auto")
    with _open(store) as atlas:
        n = 10
        print_table(atlas.source_records(), f"Records per source ({atlas.work_count():,} works after dedupe)")
        countries = atlas.scores(level="country", years=years)
        print_table(countries.head(n), f"Top {n} countries by Share")
        print_table(atlas.scores(level="institution", years=years).head(n), f"Top {n} institutions by Share")
        print_table(atlas.pairs(level="country", years=years).head(n), f"Top {n} country pairs by bilateral CS")
        totals = atlas.totals(level="institution", years=years).head(n)
        print_table(totals[["unit", "name", "count", "share",
                            "cs_total", "cs_domestic", "cs_international", "cs_industry"]],
                    f"Top {n} institutions by total CS (domestic / international / industry)")
        print_table(atlas.scores(level="sector", years=years), "Share by sector")
        if report_dir is not None and not countries.empty:
            from collabatlas.views.report import build_report, write_report

            focus = countries["unit"].iloc[0]
            with err_console.status(f"writing the report on {markup(focus)}"):
                written = write_report(build_report(atlas, focus, years=years,
                                                    command=f"collabatlas report --focus {focus}"), report_dir)
            err_console.print(f"report on {markup(focus)}: {markup(report_dir / 'index.html')} "
                              f"(+ {len(written) - 1} chart files)")


from collabatlas.views.commands import register_all  # noqa: E402 - after the core commands, so --help lists them first

register_all(app)


def main() -> None:  # pragma: no cover - console entry point
    app()


if __name__ == "__main__":  # pragma: no cover
    app()
