"""``collabatlas chart`` (one infographic chart) and ``collabatlas report`` (a static HTML report)."""

from __future__ import annotations

import shlex
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from collabatlas.atlas.inputs import DEFAULT_SOURCE, check_range, declared
from collabatlas.counting.options import MetricOptions
from collabatlas.escaping import markup
from collabatlas.views import charts
from collabatlas.views import report as report_lib
from collabatlas.views.cli_common import (
    Level,
    LevelOpt,
    Output,
    Source,
    SourceOpt,
    StoreOpt,
    _fail,
    _guard,
    _open,
    console,
    err_console,
    metric_options,
    prepare_out,
    write_failed,
)
from collabatlas.views.figures import Editorial
from collabatlas.views.report_folder import owned_files, report_folder

ChartKind = Enum("ChartKind", {k: k for k in report_lib.KINDS}, type=str)
TopOpt = Annotated[int, typer.Option("--top", help="Number of partners (bars, rows) to show.")]
TitleOpt = Annotated[str | None, typer.Option("--title", help="Your own title (replaces the generated one).")]
SubtitleOpt = Annotated[str | None, typer.Option("--subtitle", help="A subtitle, above the caption.")]
NoteOpt = Annotated[str | None, typer.Option("--note", help="A note, below the caption.")]
HighlightOpt = Annotated[str | None, typer.Option("--highlight", help="Units to highlight, comma-separated "
                                                                     "(CN,DE); the others are drawn muted.")]


def register(app: typer.Typer) -> None:
    app.command("chart")(_guard(metric_options(*DRAWN)(chart)))
    app.command("report")(_guard(metric_options(*DRAWN)(report)))


#: the metric options the charts and reports apply (the rest need work-level tables they do not draw)
DRAWN = ("years", "subject", "type", "journals", "rollup")


OUT_HELP = "FILE.html (offline, JavaScript inline), .svg, .png or .json (Vega-Lite spec)."
PARTNER_HELP = "trend: partners to draw, comma-separated (default: the top 5)."
X_HELP = ("landscape chart: regressor(s), log_gerd, log_gerd_ppp, trust_pct, mncs_international or mncs_national, "
          "comma-separated (log_gerd,trust_pct).")
LANDSCAPE_YEAR_HELP = "Country report: landscape year (default: the year with most works)."


def chart(
    kind: Annotated[ChartKind, typer.Argument(help="Which chart: " + ", ".join(report_lib.KINDS) + ".")],
    out: Annotated[Path, typer.Option("--out", "-o", help=OUT_HELP)],
    unit: Annotated[str | None, typer.Option("--unit", "-u",
                                             help="Country code or institution (id, ROR or name).")] = None,
    partner: Annotated[str | None, typer.Option("--partner", "-p", help=PARTNER_HELP)] = None,
    level: LevelOpt = Level.country,
    group: Annotated[str, typer.Option("--group", "-g",
                                       help="group chart: the country group (see `collabatlas groups`).")] = "bri",
    periods: Annotated[str | None, typer.Option("--periods",
                                                help="group chart: two periods, e.g. 2013-2015,2016-2018.")] = None,
    year: Annotated[int | None, typer.Option("--year", help="landscape chart: the study year.")] = None,
    x: Annotated[str, typer.Option("--x", help=X_HELP)] = "log_gerd",
    options: MetricOptions = None,
    country: Annotated[str | None, typer.Option("--country", help="ranking chart: the institutions of this "
                                                                 "country (with --level institution).")] = None,
    by: Annotated[str | None, typer.Option("--by", help="ranking chart: cs_total, cs_international, cs_domestic, "
                                                       "cs_industry, share or count (default cs_total).")] = None,
    window_end_month: Annotated[int | None, typer.Option(
        "--window-end-month", help="trend chart: 12-month windows ending with this month (1-12), each "
                                   "labelled with its months (2022-08..2023-07).")] = None,
    top: TopOpt = report_lib.TOP,
    scale: Annotated[float, typer.Option("--scale", help="PNG: pixels per chart unit.")] = 2.0,
    source: SourceOpt = Source.works,
    title: TitleOpt = None, subtitle: SubtitleOpt = None, note: NoteOpt = None, highlight: HighlightOpt = None,
    per: Annotated[str, typer.Option("--per", help="landscape chart with --years: country-year or "
                                                   "country-mean.")] = "country-year",
    fit: Annotated[str, typer.Option("--fit", help="landscape chart: linear, quadratic or loess.")] = "linear",
    store: StoreOpt = None,
) -> None:
    """Draw one infographic chart; its caption carries the definition, the filters and the data version.
    --title, --subtitle, --note and --highlight make it your own (every chart kind).

    Examples:

      collabatlas chart partners --unit US --years 2015-2021 --out us_partners.png

      collabatlas chart trend --unit CN --partner US,GB,DE --years 2015-2021 --out cn_trend.svg

      collabatlas chart group --unit CN --group bri --periods 2013-2015,2016-2018 --out cn_bri.html

      collabatlas chart hotspots --unit "Columbia University" --out columbia_hotspots.png

      collabatlas chart landscape --year 2018 --out landscape.json

      collabatlas chart partners --unit JP --source pairs --years 2021 --out jp_world.png

      collabatlas chart partners --unit JP --journals nature-index --out jp_ni.png

      collabatlas chart partners --unit JP --title "Japan's partners" --highlight CN --out jp.svg

      collabatlas chart ranking --level institution --country JP --by cs_international --out jp_ranking.svg

      collabatlas chart landscape --years 2014-2018 --fit loess --out landscape_pooled.svg
    """
    if out.suffix.lower().lstrip(".") not in charts.FORMATS:
        _fail(f"--out {out}: unknown extension {out.suffix!r}; use .html, .svg, .png or .json")
    check_range("--top", top, 1, allow_none=False)
    if window_end_month is not None and kind.value != "trend":
        _fail(f"--window-end-month: applies to the trend chart, not to {kind.value}")
    prepare_out(out)
    with _open(store) as atlas, err_console.status(f"drawing the {kind.value} chart"):
        drawn = report_lib.make_chart(
            atlas, kind.value, unit=unit, partners=[p.strip() for p in partner.split(",")] if partner else None,
            level=level.value, group=group, periods=[p.strip() for p in periods.split(",")] if periods else None,
            year=year, x=x, top=top, source=source.value, options=options,
            editorial=Editorial.of(title, subtitle, note, highlight), window_end_month=window_end_month,
            per=per, fit=fit, country=country, by=by)
        try:
            charts.save(drawn, out, scale=scale)
        except OSError as exc:
            write_failed(out, exc)
    err_console.print(f"wrote {markup(out)}")


def report(
    out: Annotated[Path, typer.Option("--out", "-o", help="Directory for index.html and the PNG/SVG of each chart.")],
    focus: Annotated[str | None, typer.Option("--focus", help="A country code (JP) or an institution (id, ROR or "
                                                               "name).")] = None,
    pair: Annotated[tuple[str, str] | None, typer.Option("--pair", help="Two units (US JP): a fact sheet on "
                                                                          "the pair instead of a report.")] = None,
    pdf: Annotated[bool, typer.Option("--pdf", help="Also write a one-page PDF fact sheet (needs the pdf "
                                                    "extra and Chromium).")] = False,
    options: MetricOptions = None,
    group: Annotated[str, typer.Option("--group", "-g",
                                       help="Country report: the group of the two-period section.")] = "bri",
    periods: Annotated[str | None, typer.Option(
        "--periods", help="Country report: the two periods of the group section, of the same length "
                          "(2015-2017,2019-2021; default: the first and last halves of the years).")] = None,
    landscape_year: Annotated[int | None, typer.Option("--landscape-year", help=LANDSCAPE_YEAR_HELP)] = None,
    top: TopOpt = report_lib.TOP,
    images: Annotated[bool, typer.Option("--images/--no-images", help="Also write each chart as PNG and SVG.")] = True,
    source: SourceOpt = Source.works,
    title: TitleOpt = None, subtitle: SubtitleOpt = None, note: NoteOpt = None, highlight: HighlightOpt = None,
    store: StoreOpt = None,
) -> None:
    """A static, self-contained HTML report on a country or an institution (works offline).

    Country: top partners and trend, partners on a map, subjects, the group comparison (Belt and
    Road by default), the landscape. Institution: hotspot countries, own vs partner contribution,
    top partners and trend, map, industry, subjects. Every report ends with the methodology, the
    data version and the command that produced it.

    Examples:

      collabatlas report --focus JP --years 2015-2021 --out reports/japan

      collabatlas report --focus "University of Michigan" --out reports/umich

      collabatlas report --focus CN --group income:high --landscape-year 2014 --out reports/china

      collabatlas report --focus JP --pdf --out reports/japan

      collabatlas report --pair US JP --pdf --out reports/us-jp

      collabatlas report --focus CN --source pairs --years 2013-2023 --out reports/china-world

      collabatlas report --focus "University of California System" --rollup --out reports/uc
    """
    years, subject, type, journals, rollup = (options.years, options.subject, options.type, options.journals,
                                              options.rollup)
    if (pair or pdf) and not declared(source.value).supports("factsheet"):
        _fail(f"{'--pair' if pair else '--pdf'}: fact sheets are drawn from work-level data (Share and CS); "
              f"not available with {declared(source.value).called}")
    if (pair or pdf) and (journals or rollup):
        _fail(f"{'--journals' if journals else '--rollup'}: the fact sheets (--pdf, --pair) are not drawn under it; "
              "leave it out, or write the HTML report without --pdf")
    editorial = Editorial.of(title, subtitle, note, highlight)
    if pair and editorial.given():
        _fail("--title, --subtitle, --note, --highlight: apply to the report (--focus) and to `collabatlas chart`, "
              "not to the pair fact sheet (--pair)")
    if pair and periods:
        _fail("--periods: applies to the report (--focus), not to the pair fact sheet (--pair)")
    if pair:
        _pair_report(pair, out, pdf, years, subject, type, store)
        return
    if not focus:
        _fail("give --focus (a country or an institution) or --pair A B")
    check_range("--top", top, 1, allow_none=False)
    owned_files(out)  # a folder that cannot take the report is refused before any work
    prepare_out(out, directory=True)
    given = {"--years": years, "--subject": subject, "--type": type, "--group": group if group != "bri" else None,
             "--periods": periods, "--landscape-year": landscape_year, "--top": top if top != report_lib.TOP else None,
             "--journals": journals, "--source": source.value if source.value != DEFAULT_SOURCE else None,
             "--title": editorial.title, "--subtitle": editorial.subtitle, "--note": editorial.note,
             "--highlight": ",".join(editorial.highlight) or None, "--store": store}
    command = shlex.join(["collabatlas", "report", "--focus", focus, "--out", str(out),
                          *[str(x) for k, v in given.items() if v is not None for x in (k, v)],
                          *([] if images else ["--no-images"]), *(["--pdf"] if pdf else []),
                          *(["--rollup"] if rollup else [])])
    with _open(store) as atlas, Progress(TextColumn("[bold]{task.description}"), BarColumn(), TimeElapsedColumn(),
                                         console=err_console, transient=True) as bar:
        task = bar.add_task("report", total=None)

        def say(step: str) -> None:
            bar.update(task, description=step, advance=1)

        built = report_lib.build_report(atlas, focus, group=group, landscape_year=landscape_year, top=top,
                                        command=command, progress=say, source=source.value, options=options,
                                        editorial=editorial,
                                        periods=[p.strip() for p in periods.split(",")] if periods else None)
        n_files = len(built.all_charts()) * (2 if images else 0) + 1
        bar.update(task, total=n_files + 8, completed=8)
        extra = {}
        if pdf:
            bar.update(task, description="fact sheet (PDF)")
            extra = dict([_sheet_pdf(atlas, focus, None, years, subject, type)])
        try:
            paths = report_lib.write_report(built, out, formats=("png", "svg") if images else (), progress=say,
                                            raw_csv=Output.raw_csv, extra=extra)
        except OSError as exc:
            write_failed(out, exc)
    console.print(f"wrote {markup(paths[0])} and {len(paths) - 1} chart, data and fact sheet files to {markup(out)}")


def _sheet_pdf(atlas, focus: str, partner: str | None, years, subject, type) -> tuple[str, bytes]:
    """(file name, PDF bytes) of the fact sheet on ``focus`` (and ``partner``)."""
    from collabatlas.views import factsheet

    sheet = factsheet.build_factsheet(atlas, focus, partner=partner, years=years, subject=subject, type=type)
    try:
        return f"{factsheet.file_stem(sheet)}.pdf", factsheet.html_to_pdf(factsheet.render_html(sheet))
    except factsheet.FactSheetError as exc:
        _fail(str(exc))


def _pair_report(pair: tuple[str, str], out: Path, pdf: bool, years, subject, type, store) -> None:
    """``report --pair A B``: the pair's fact sheet as HTML (index.html) and, with --pdf, as PDF."""
    from collabatlas.views import factsheet

    owned_files(out)  # a folder that cannot take the sheet is refused before any work
    prepare_out(out, directory=True)
    with _open(store) as atlas, err_console.status(f"fact sheet {pair[0]}–{pair[1]}"):
        sheet = factsheet.build_factsheet(atlas, pair[0], partner=pair[1], years=years, subject=subject, type=type)
        pdf_name = f"{factsheet.file_stem(sheet)}.pdf" if pdf else None
        html = factsheet.render_html(sheet, pdf_name=pdf_name)  # links its PDF; the link is not printed
        names = ["index.html"]
        try:
            pdf_bytes = factsheet.html_to_pdf(html) if pdf_name else None
            with report_folder(out) as tmp:  # atomically, like the report
                (tmp / "index.html").write_text(html, encoding="utf-8")
                if pdf_bytes is not None:
                    names.append(pdf_name)
                    (tmp / names[-1]).write_bytes(pdf_bytes)
        except factsheet.FactSheetError as exc:
            _fail(str(exc))
        except OSError as exc:
            write_failed(out, exc)
    console.print("wrote " + " and ".join(markup(out / n) for n in names))
