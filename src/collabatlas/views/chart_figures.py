"""The figures of ``collabatlas chart KIND``: one :class:`~collabatlas.views.figures.Figure` per kind,
built from Atlas results (a source of full counts of joint works, ``source="pairs"``: from country-pair
aggregates, :mod:`.report_pairs`).
The report, the fact sheets and the dashboard build their figures with the same functions."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from collabatlas.atlas.inputs import NI_SUBJECTS, check_same_length
from collabatlas.counting.options import accepts_options
from collabatlas.errors import CountingError
from collabatlas.views import charts
from collabatlas.views.charts import ChartContext
from collabatlas.views.figures import Editorial, Figure, figure, unit_colours
from collabatlas.views.report_pairs import (
    full_counts_only,
    pair_context,
    pair_country,
    refuse_kind,
    refuse_options,
    refuse_pair_filters,
)

if TYPE_CHECKING:
    from collabatlas.atlas import Atlas

TOP = 10
TREND_PARTNERS = 5
KINDS = ("partners", "trend", "subjects", "group", "contribution", "hotspots", "map", "landscape", "industry",
         "ranking")


def options_given(journals: str | None, rollup: bool) -> dict:
    """The counting options given (the filters dict holds only what is set: each call it reaches takes them)."""
    return {k: v for k, v in (("journals", journals), ("rollup", rollup)) if v}


def but_years(filters: dict) -> dict:
    return {k: v for k, v in filters.items() if k != "years"}


def check_source(source: str) -> str:
    from collabatlas.atlas import SOURCES

    if source not in SOURCES:
        raise CountingError(f"source {source!r}: expected one of {', '.join(SOURCES)}")
    return source


def institution_name(atlas: Atlas, iid: str) -> str:
    names = atlas.institution_attributes()["name"]
    name = names.get(iid)
    return name if isinstance(name, str) and name else iid


def partner_names(ranked: pd.DataFrame) -> dict[str, str] | None:
    return dict(zip(ranked["partner"], ranked["name"], strict=True)) if "name" in ranked else None


# -- one figure per kind (the report and the fact sheets call these too) -------------------------

def partners_figure(partners: pd.DataFrame, ctx: ChartContext, label: str, top: int, colours=None,
                    editorial: Editorial | None = None) -> Figure:
    """Top partners: ``partners`` as :meth:`Atlas.partners` gives it (the table of ``collabatlas partners``)."""
    m = charts.measure_of(partners)
    return figure("partners", partners, charts.partner_bars, partners, ctx, label, top=top,
                  defines=m.definition, editorial=editorial,
                  colours=colours if colours is not None else unit_colours(partners["partner"]))


def trend_figure(trends: dict[str, pd.DataFrame], ctx: ChartContext, label: str, names=None, title=None,
                 colours=None, editorial: Editorial | None = None, id: str = "trend") -> Figure:
    """Partners' CS (or joint works) per period: one :meth:`Atlas.trend` frame per partner, stacked."""
    table = charts.trend_frame(trends, names)
    return figure(id, table, charts.trend_lines, trends, ctx, label, names, title=title, kind="trend",
                  defines=charts.measure_of(table).definition, editorial=editorial,
                  colours=colours if colours is not None else unit_colours(list(trends)),
                  n=len(trends))


def map_figure(values: pd.DataFrame, ctx: ChartContext, title: str, editorial: Editorial | None = None,
               **kw) -> Figure:
    return figure("map", values, charts.world_map, values, ctx, title, editorial=editorial,
                  defines=kw.get("definition", charts.CS_DEFINITION), **kw)


def group_figure(report, ctx: ChartContext, label: str, group: str, colours=None,
                 editorial: Editorial | None = None) -> Figure:
    m = charts.group_measure(report.partners)[0]
    return figure("group", report.partners, charts.two_period_circles, report.partners, ctx, label, group,
                  defines=m.definition, editorial=editorial,
                  colours=colours if colours is not None else unit_colours(report.partners["partner"]))


def subjects_figure(by_subject: dict[str, pd.DataFrame], ctx: ChartContext, label: str, top: int = 5,
                    title: str | None = None, editorial: Editorial | None = None) -> Figure:
    table = charts.subject_frame(by_subject, top)
    return figure("subjects", table, charts.subject_small_multiples, by_subject, ctx, label, top=top, title=title,
                  defines=charts.CS_DEFINITION, editorial=editorial)


def landscape_figure(table: pd.DataFrame, fit: pd.DataFrame, ctx: ChartContext,
                     editorial: Editorial | None = None) -> Figure:
    return figure("landscape", table, charts.landscape_scatter, table, fit, ctx, editorial=editorial,
                  defines="International share = works with ≥ 2 countries / works")


# -- the chart command ---------------------------------------------------------------------------

def make_pair_chart(atlas: Atlas, kind: str, unit: str | None, partners: list[str] | None, level: str,
                    years: str | None, subject, type, group: str, periods: list[str] | None,
                    top: int, editorial: Editorial | None = None, *, source: str) -> Figure:
    """The chart ``kind`` (one of :data:`PAIR_KINDS`) of ``unit`` from country-pair aggregates (``source``:
    the source whose engine holds them)."""
    capabilities = atlas.capabilities(source)
    refuse_kind(capabilities, kind)
    refuse_pair_filters(capabilities, subject, type)
    unit = pair_country(capabilities, unit, level)
    first, last = atlas.pair_years()
    ctx = pair_context(atlas, source, years=years or f"{first}-{last} (every year of the pair data)")
    label = charts.country_name(unit)
    if kind == "partners":
        return partners_figure(atlas.partners(unit, top=top, years=years, source=source), ctx, label, top,
                               editorial=editorial)
    if kind == "map":
        return pair_map_figure(atlas, unit, label, years, ctx, editorial, source=source)
    ranked = atlas.partners(unit, years=years, source=source)["partner"]
    if kind == "trend":
        chosen = partners or list(ranked.head(5))
        trends = {p.strip().upper(): atlas.trend(unit, p, years=years, source=source) for p in chosen}
        return trend_figure(trends, ctx, label, colours=unit_colours(ranked, list(trends)), editorial=editorial)
    if not periods:
        raise CountingError("the group chart needs --periods, e.g. 2013-2015,2016-2018")
    check_same_length(periods)
    report = atlas.group(unit, group, periods, top=top, source=source)
    return group_figure(report, ctx.with_filters(years=None, periods=" vs ".join(periods), group=group), label, group,
                        colours=unit_colours(ranked, report.partners["partner"]), editorial=editorial)


def pair_map_figure(atlas: Atlas, unit: str, label: str, years, ctx: ChartContext,
                    editorial: Editorial | None = None, *, source: str) -> Figure:
    """The partner map of ``unit`` from country-pair aggregates."""
    df = atlas.partners(unit, years=years, source=source)
    return map_figure(df, ctx, f"{label}'s partner countries", editorial, value="joint_works",
                      definition=charts.PAIRS_DEFINITION, value_title="Joint works", focus=unit)


@accepts_options
def make_chart(atlas: Atlas, kind: str, unit: str | None = None, partners: list[str] | None = None,
               level: str = "country", years: str | None = None, subject: str | None = None,
               type: str | None = None, group: str = "bri", periods: list[str] | None = None,
               year: int | None = None, x: str = "log_gerd", top: int = TOP, source: str = "works",
               journals: str | None = None, rollup: bool = False,
               editorial: Editorial | None = None, window_end_month: int | None = None,
               per: str = "country-year", fit: str = "linear", country: str | None = None,
               by: str | None = None) -> Figure:
    """The figure ``kind`` (one of :data:`KINDS`) for ``unit`` under the filters, from Atlas results
    (``source="pairs"``: from country-pair aggregates, :mod:`.report_pairs`); ``window_end_month``:
    the trend in 12-month windows; ``country`` and ``by``: the ranking's set (the institutions of a
    country) and measure (``cs_total``, ``cs_international``, ``cs_industry``, ...)."""
    editorial = editorial or Editorial()
    if (per != "country-year" or fit != "linear") and kind != "landscape":
        raise CountingError(f"--per and --fit apply to the landscape chart, not to {kind}")
    if kind != "ranking" and (country is not None or by is not None):
        raise CountingError(f"{'--country' if country is not None else '--by'}: applies to the ranking chart, "
                            f"not to {kind}")
    capabilities = atlas.capabilities(check_source(source))
    if window_end_month is not None and kind != "trend":
        raise CountingError(f"--window-end-month: applies to the trend chart, not to {kind}")
    capabilities.require(window_end_month=window_end_month)  # 12-month windows: the engine's declaration
    if full_counts_only(capabilities):  # joint works, full counting: the charts its declaration allows
        refuse_options(capabilities, journals=journals, rollup=rollup)
        return make_pair_chart(atlas, kind, unit, partners, level, years, subject, type, group, periods, top,
                               editorial, source=source)
    filters = {"years": years, "subject": subject, "type": type, **options_given(journals, rollup)}
    ctx = ChartContext.from_atlas(atlas, **filters)
    if kind not in KINDS:
        raise CountingError(f"unknown chart {kind!r}: expected one of {', '.join(KINDS)}")
    if kind == "landscape":
        if journals or rollup:
            raise CountingError(f"{'--journals' if journals else '--rollup'}: the landscape chart is drawn from every "
                                "work of each country and takes --subject and --type only")
        if (year is None) == (years is None):
            raise CountingError("the landscape chart needs --year, or --years for several years pooled")
        table, fit = atlas.landscape(None if year is None else int(year), years=years, per=per, fit=fit,
                                     x=x.split(",") if "," in x else x, subject=subject, type=type,
                                     show_all_when_none=True)
        return landscape_figure(table, fit, ctx.with_filters(years=str(year or years)), editorial)
    if kind == "ranking":
        if unit or partners:
            raise CountingError("the ranking chart ranks the institutions of --country: --unit and --partner do "
                                "not apply")
        return ranking_figure(atlas, level, country, by or "cs_total", top, filters, ctx, editorial)
    if kind == "industry":
        df = atlas.industry(**filters).head(top)
        return figure("industry", df, charts.contribution_bars, df, ctx, "the company", own="own_share",
                      other="academic_share", key="unit", labels=("company", "academia"),
                      title="Companies and their academic partners", editorial=editorial)
    if not unit:
        raise CountingError(f"the {kind} chart needs --unit (a country code or an institution)")
    if kind in ("contribution", "hotspots"):
        profile = atlas.profile(unit, top=top, **filters)
        name = profile.name or profile.institution_id
        if kind == "hotspots":
            return figure("hotspots", profile.hotspots, charts.hotspot_bars, profile.hotspots, ctx, name,
                          editorial=editorial)
        return figure("contribution", profile.partners, charts.contribution_bars, profile.partners, ctx, name,
                      editorial=editorial)
    if level == "institution":
        from collabatlas.atlas.results import find_institution

        unit = find_institution(atlas, unit)
    else:
        unit = atlas.resolve_unit(level, unit)
    label = charts.country_name(unit) if level == "country" else institution_name(atlas, unit)
    if kind == "partners":
        return partners_figure(atlas.partners(unit, level=level, top=top, **filters), ctx, label, top,
                               editorial=editorial)
    if kind == "map":
        if level == "institution":
            df = atlas.partner_countries(unit, **filters)
            return map_figure(df, ctx, f"{label}: partners by country", editorial, country="country")
        return map_figure(atlas.partners(unit, level=level, **filters), ctx, f"{label}'s partner countries",
                          editorial, focus=unit)
    if kind == "subjects":
        by_subject = {title: atlas.partners(unit, level=level, top=5, **{**filters, "subject": f"ni:{slug}"})
                      for slug, (title, _) in NI_SUBJECTS.items()}
        return subjects_figure(by_subject, ctx.with_filters(subject=None), label, editorial=editorial)
    if kind == "trend":
        ranked = atlas.partners(unit, level=level, **filters)
        chosen = ([p.strip().upper() if level == "country" else p.strip() for p in partners] if partners
                  else list(ranked["partner"].head(TREND_PARTNERS)))
        trends = {p: atlas.trend(unit, p, level=level, window_end_month=window_end_month, **filters)
                  for p in chosen}
        return trend_figure(trends, ctx, label, partner_names(ranked), editorial=editorial,
                            colours=unit_colours(ranked["partner"], list(trends)))
    # group
    if not periods:
        raise CountingError("the group chart needs --periods, e.g. 2013-2015,2016-2018")
    check_same_length(periods)
    report = atlas.group(unit, group, periods, top=top, **but_years(filters))
    ranked = atlas.partners(unit, level=level, **filters)["partner"]
    return group_figure(report, ctx.with_filters(years=None, periods=" vs ".join(periods), group=group), label,
                        group, colours=unit_colours(ranked, report.partners["partner"]), editorial=editorial)


def ranking_figure(atlas: Atlas, level: str, country: str | None, by: str, top: int, filters: dict,
                   ctx: ChartContext, editorial: Editorial | None = None) -> Figure:
    """The units of ``level`` (of ``country``) ranked by ``by`` (:data:`.charts_ranking.BY`), from
    :meth:`Atlas.totals` (which ranks them): the table of ``collabatlas totals --sort BY``."""
    from collabatlas.views.charts_ranking import BY, ranking_bars

    if by not in BY:
        raise CountingError(f"--by {by!r}: expected one of {', '.join(BY)}")
    totals = atlas.totals(level=level, country=country, sort=by, **filters).head(top)
    where = (f"institutions in {charts.country_name(atlas.resolve_unit('country', country))}" if country
             else f"{level} units" if level != "country" else "countries")
    return figure("ranking", totals, ranking_bars, totals, ctx.with_filters(country=country), by, where, top=top,
                  editorial=editorial, defines=BY[by])
