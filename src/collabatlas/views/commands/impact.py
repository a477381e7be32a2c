"""``collabatlas impact``: the citation impact of a unit's works by collaboration type (single,
national, international, industry, all), under the OpenAlex or the store normalisation."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from collabatlas.counting.options import MetricOptions
from collabatlas.escaping import markup
from collabatlas.views.cli_common import (
    CiOpt,
    Format,
    FormatOpt,
    Level,
    LimitOpt,
    OutOpt,
    StoreOpt,
    _emit,
    _fail,
    _filters_text,
    _guard,
    _open,
    err_console,
    metric_options,
    prepare_out,
    provenance_of,
    write_failed,
)


class CountingMode(str, Enum):
    full = "full"
    fractional = "fractional"


class Normalisation(str, Enum):
    openalex = "openalex"
    store = "store"


#: the options of the impact table: the work filters and renormalisation (the collaboration type is a
#: property of the work, so --rollup and --exclude-dual-affiliations do not apply)
OPTIONS = ("years", "window", "subject", "type", "journals", "renormalize")


def register(app: typer.Typer) -> None:
    app.command("impact")(_guard(metric_options(*OPTIONS)(impact)))


def impact(
    unit: Annotated[str, typer.Option("--unit", "-u", help="Country code (US), institution id (I27837315) or "
                                                           "sector (academic).")],
    level: Annotated[Level, typer.Option("--level", "-l", help="Unit of analysis.")] = Level.country,
    options: MetricOptions = None,
    counting: Annotated[CountingMode, typer.Option(
        "--counting", help="full: each work counts 1 (plain means); fractional: means weighted by the "
                           "unit's Share.")] = CountingMode.full,
    normalisation: Annotated[Normalisation, typer.Option(
        "--normalisation", help="openalex: cited_by_count, fwci and is_in_top_10_percent (against all of "
                                "OpenAlex); store: against the store's works of the same year, field and type "
                                "(meaningful for a whole corpus only).")] = Normalisation.openalex,
    ci: CiOpt = 0,
    chart: Annotated[Path | None, typer.Option(
        "--chart", help="Also draw MNCS by collaboration type (with intervals under --ci): FILE.html, .svg, "
                        ".png or .json.")] = None,
    format: FormatOpt = Format.table, out: OutOpt = None, limit: LimitOpt = None, store: StoreOpt = None,
) -> None:
    """Citation impact of a unit's works by collaboration type: one row each for single (one
    institution), national (several institutions, one country), international (two or more
    countries), industry (a company among the institutions) and all. Columns unit, collab_type, p
    (works), p_frac (Share), p_impact (works with impact data), mcs (mean citations), mncs (mean
    normalised citation score), pp_top10 (proportion in the top 10 %), normalisation, counting
    (+ _lo/_hi with --ci). Definitions: docs/methodology.md, "Collaboration impact".

    Examples:

      collabatlas impact --level country --unit US --format csv

      collabatlas impact --level country --unit JP --years 2015-2021 --counting fractional --ci 1000

      collabatlas impact --level institution --unit I27837315 --normalisation store --format csv
    """
    if chart is not None and chart.suffix.lower().lstrip(".") not in ("html", "svg", "png", "json"):
        _fail(f"--chart {chart}: unknown chart format {chart.suffix!r}; use .html, .svg, .png or .json")
    with _open(store) as atlas, err_console.status(f"computing the impact of {markup(unit)}"):
        df = atlas.impact(unit, level=level.value, counting=counting.value, normalisation=normalisation.value,
                          ci=ci, options=options)
        line = provenance_of(atlas.capabilities(), options, atlas.data_version, df)
        if chart is not None:
            from collabatlas.views import charts
            from collabatlas.views.charts_impact import impact_figure

            figure = impact_figure(df, charts.ChartContext.from_atlas(atlas, **options.given())).chart()
    if chart is not None:
        prepare_out(chart)
        try:
            charts.save(figure, chart)
        except OSError as exc:
            write_failed(chart, exc)
        err_console.print(f"wrote {markup(chart)}")
    filters = _filters_text(options)
    title = (f"impact of {df.attrs['unit']} by collaboration type · {normalisation.value} normalisation · "
             f"{counting.value} counting" + (f" ({filters})" if filters else ""))
    _emit(df, format, title, out, limit, provenance=line)
