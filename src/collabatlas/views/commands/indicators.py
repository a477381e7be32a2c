"""``collabatlas indicators`` (CWTS-Leiden-Ranking-style collaboration indicators per unit) and
``collabatlas distance`` (how far a unit collaborates internationally, per period)."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from collabatlas.counting.options import MetricOptions
from collabatlas.escaping import markup
from collabatlas.views.cli_common import (
    UNIT_HELP,
    CiOpt,
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
    SparkMasterOpt,
    StoreOpt,
    _emit,
    _fail,
    _filters_text,
    _guard,
    _metric,
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


FoldOpt = Annotated[bool, typer.Option(
    "--fold-hk-mo", help="Count Hong Kong (HK) and Macao (MO) as China (CN), as the Leiden Ranking does "
                         "(default: apart); stated in the result's note.")]


#: the options of the indicators and distances: every work filter but the journal list
COUNTED = ("years", "window", "subject", "type", "renormalize", "rollup", "exclude_dual_affiliations")
DISTANCE = tuple(n for n in COUNTED if n != "window")  # the periods are years or windows (--window-end-month)
DISTANCE_YEARS = "Publication years, or with --window-end-month the windows (named by the year they end in)."


def register(app: typer.Typer) -> None:
    app.command("indicators")(_guard(metric_options(*COUNTED)(indicators)))
    app.command("distance")(_guard(metric_options(*DISTANCE, help={"years": DISTANCE_YEARS})(distance)))


def indicators(
    level: LevelOpt = Level.country, options: MetricOptions = None,
    counting: Annotated[CountingMode, typer.Option(
        "--counting", help="full: P counts works; "
                           "fractional: each work weighted by the unit's Share.")] = CountingMode.full,
    ci: CiOpt = 0, fold_hk_mo: FoldOpt = False,
    format: FormatOpt = Format.table, out: OutOpt = None, limit: LimitOpt = None, store: StoreOpt = None,
    engine: EngineOpt = Engine.duckdb, spark_master: SparkMasterOpt = "local[*]", parquet: ParquetOpt = None,
) -> None:
    """Collaboration indicators as in the CWTS Leiden Ranking Open Edition, per unit: columns
    unit,p,p_collab,pp_collab,p_int_collab,pp_int_collab,p_industry,pp_industry,p_short_dist,
    pp_short_dist,p_long_dist,pp_long_dist,p_dist_known,pp_dist_known,median_dist_km (+ name for
    institutions; + _lo/_hi with --ci). Short distance: collaborative and ≤ 100 km; long: ≥ 5,000 km (a
    work's distance is the largest great-circle distance between its geocoded institutions; unknown,
    neither short nor long, with fewer than two). The distance shares are over the works with a known
    distance (p_dist_known; empty when none of a unit's collaborations is measured). The note says how many
    institutions have no coordinates (load a ROR registry: `collabatlas ror load`).

    Examples:

      collabatlas indicators --level country --years 2015-2021

      collabatlas indicators --level institution --counting fractional --ci 1000 --format csv > inst.csv

      collabatlas indicators --level country --fold-hk-mo
    """
    _metric("indicators", store, format, out, limit, EngineChoice(engine, spark_master, parquet), options,
            level=level.value, counting=counting.value, ci=ci, fold_hk_mo=fold_hk_mo)


def distance(
    unit: Annotated[str, typer.Argument(help=UNIT_HELP)],
    level: Annotated[Level, typer.Option("--level", "-l", help="country or institution.")] = Level.country,
    options: MetricOptions = None,
    window_end_month: Annotated[int | None, typer.Option(
        "--window-end-month", min=1, max=12,
        help="12-month windows ending with this month (1-12) instead of publication years.")] = None,
    fold_hk_mo: FoldOpt = False,
    partners: Annotated[bool, typer.Option(
        "--partners", help="One row per international partner: joint works, CS and CS-weighted distance.")] = False,
    chart: Annotated[Path | None, typer.Option(
        "--chart", help="Also draw the distance bands per period: FILE.html, .svg, .png or .json.")] = None,
    format: FormatOpt = Format.table, out: OutOpt = None, limit: LimitOpt = None, store: StoreOpt = None,
) -> None:
    """How far a unit collaborates internationally, per year (or 12-month window): its international
    works by distance band (< 1,000, 1,000-3,000, 3,000-5,000, >= 5,000 km; works with at least two
    geocoded institutions), their median distance, and the CS-weighted mean distance to its partners
    (a partner's distance on a joint work: the largest distance between the two units' institutions;
    weight: the pair's Share_A + Share_B).

    Examples:

      collabatlas distance CN --years 2015-2021 --chart cn-distance.html

      collabatlas distance JP --years 2020-2023 --window-end-month 7

      collabatlas distance CN --partners --fold-hk-mo --format csv
    """
    if level is Level.sector:
        _fail("distance is computed at country or institution level")
    if chart is not None and partners:
        _fail("--chart draws the bands per period; leave out --partners")
    if chart is not None and chart.suffix.lower().lstrip(".") not in ("html", "svg", "png", "json"):
        _fail(f"--chart {chart}: unknown chart format {chart.suffix!r}; use .html, .svg, .png or .json")
    with _open(store) as atlas, err_console.status(f"measuring distances of {markup(unit)}"):
        df = atlas.distance(unit, level=level.value, window_end_month=window_end_month, fold_hk_mo=fold_hk_mo,
                            partners=partners, options=options)
        from collabatlas.views.charts_distance import DISTANCE_COUNTING, distance_meta

        said = distance_meta(df)  # the API's caveats, in its words: the definition, coverage, why none is measured
        df.attrs["notes"] = [*said["notes"], *([said["note"]] if said.get("note") else [])]
        line = provenance_of(atlas.capabilities(), options, atlas.data_version, df, counting=DISTANCE_COUNTING,
                             window_end_month=window_end_month, fold_hk_mo=fold_hk_mo)
        if chart is not None:
            from collabatlas.views import charts
            from collabatlas.views.charts_distance import distance_bands

            ctx = charts.ChartContext.from_atlas(atlas, **options.given())  # the counting: distance_bands
            figure = distance_bands(df, ctx, df.attrs["unit"])
    if chart is not None:
        prepare_out(chart)
        try:
            charts.save(figure, chart)
        except OSError as exc:
            write_failed(chart, exc)
        err_console.print(f"wrote {markup(chart)}")
    what = f"{'partner distances' if partners else 'distance'} of {df.attrs['unit']}"
    filters = _filters_text(options)
    _emit(df, format, what + (f" ({filters})" if filters else ""), out, limit, provenance=line)
