"""The report and single charts from country-pair aggregates (``--source pairs``).

Country-pair data (``collabatlas ingest-pairs``) holds full counts of joint works per country pair
and year at world scale, where the work-level store is a sample. What it allows is drawn from it —
top partners, their trend, the partner map and the two-period group comparison — each chart and
table naming the source and its counting; what needs work-level data (Share, CS, subjects, the
landscape, distances, institutions) is said to be absent, never drawn from the sample silently.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from collabatlas.analyses.periods import check_same_length
from collabatlas.atlas import COUNTING
from collabatlas.counting.rules import CountingError
from collabatlas.views import charts
from collabatlas.views.chart_figures import group_figure, map_figure, partners_figure, trend_figure
from collabatlas.views.charts import ChartContext
from collabatlas.views.figures import Editorial, Figure, unit_colours

if TYPE_CHECKING:
    from collabatlas.atlas import Atlas
    from collabatlas.views.report import Report

#: the charts country-pair aggregates can draw (``collabatlas chart KIND --source pairs``)
PAIR_KINDS = ("partners", "trend", "map", "group")
SOURCE_TEXT = "country-pair aggregates (ingest-pairs)"
FULL_COUNT_LABEL = COUNTING["pairs"]
NOT_FROM_PAIRS = ("subjects, the landscape, collaboration distance, Share and CS need work-level data "
                  "(--source works); country-pair aggregates hold full counts of joint works per pair and year only")


def pair_context(atlas: Atlas, **filters) -> ChartContext:
    """The caption of a pair figure: the pair engine's words (the table's provider and retrieval date)."""
    capabilities = atlas.capabilities("pairs")
    return ChartContext.from_atlas(atlas, counting=capabilities.counting_label, source=capabilities.source_label,
                                   **filters)


def _country(atlas: Atlas, unit: str | None, level: str) -> str:
    if level != "country":
        raise CountingError("country-pair aggregates (--source pairs) exist at country level only; "
                            "use --source works for institutions")
    if not unit or len(unit.strip()) != 2 or not unit.strip().isalpha():
        raise CountingError(f"--source pairs needs a country code (two letters) as the unit, got {unit!r}")
    return unit.strip().upper()


def _refuse_filters(subject, type) -> None:
    given = [flag for flag, value in (("--subject", subject), ("--type", type)) if value]
    if given:
        raise CountingError(f"{', '.join(given)}: not available with --source pairs ({NOT_FROM_PAIRS})")


def make_pair_chart(atlas: Atlas, kind: str, unit: str | None, partners: list[str] | None, level: str,
                    years: str | None, subject, type, group: str, periods: list[str] | None,
                    top: int, editorial: Editorial | None = None) -> Figure:
    """The chart ``kind`` (one of :data:`PAIR_KINDS`) of ``unit`` from country-pair aggregates."""
    if kind not in PAIR_KINDS:
        raise CountingError(f"the {kind} chart needs work-level data (--source works); --source pairs draws "
                            f"{', '.join(PAIR_KINDS)}")
    _refuse_filters(subject, type)
    unit = _country(atlas, unit, level)
    first, last = atlas.pair_years()
    ctx = pair_context(atlas, years=years or f"{first}-{last} (every year of the pair data)")
    label = charts.country_name(unit)
    if kind == "partners":
        return partners_figure(atlas.partners(unit, top=top, years=years, source="pairs"), ctx, label, top,
                               editorial=editorial)
    if kind == "map":
        return _map(atlas, unit, label, years, ctx, editorial)
    ranked = atlas.partners(unit, years=years, source="pairs")["partner"]
    if kind == "trend":
        chosen = partners or list(ranked.head(5))
        trends = {p.strip().upper(): atlas.trend(unit, p, years=years, source="pairs") for p in chosen}
        return trend_figure(trends, ctx, label, colours=unit_colours(ranked, list(trends)), editorial=editorial)
    if not periods:
        raise CountingError("the group chart needs --periods, e.g. 2013-2015,2016-2018")
    check_same_length(periods)
    report = atlas.group(unit, group, periods, top=top, source="pairs")
    return group_figure(report, ctx.with_filters(years=None, periods=" vs ".join(periods), group=group), label, group,
                        colours=unit_colours(ranked, report.partners["partner"]), editorial=editorial)


def _map(atlas: Atlas, unit: str, label: str, years, ctx: ChartContext, editorial: Editorial | None = None) -> Figure:
    df = atlas.partners(unit, years=years, source="pairs")
    return map_figure(df, ctx, f"{label}'s partner countries", editorial, value="joint_works",
                      definition=charts.PAIRS_DEFINITION, value_title="Joint works", focus=unit)


def build_pair_report(atlas: Atlas, focus: str, years: str | None, subject, type, group: str, top: int,
                      command: str, say, periods: list[str] | None = None) -> Report:
    """The country report of ``focus`` from country-pair aggregates (module docstring)."""
    from collabatlas.views.report import MAX_TREND_YEARS, TREND_PARTNERS, Report, Section, _fmt, _group_section

    _refuse_filters(subject, type)
    unit = _country(atlas, focus, "country")
    if years:
        from collabatlas.counting.filters import parse_years

        first, last = parse_years(years)
    else:
        first, last = atlas.pair_years()
        first = max(first, last - MAX_TREND_YEARS + 1)
    span = f"{first}-{last}" if last > first else str(first)
    ctx = pair_context(atlas, years=span)
    label = charts.country_name(unit)
    say("partners")
    totals = atlas.totals(source="pairs", years=span, unit=unit)
    if totals.empty:
        raise CountingError(f"country {unit}: not in the country-pair data of this store for {span}")
    t = totals.iloc[0]
    # the diagonal counts internationally co-authored works only: never presented as total output
    headline = [("internationally co-authored works", _fmt(int(t["intl_works"]), 0)),
                ("joint-work links with other countries", _fmt(int(t["partner_links"]), 0)),
                ("partner countries", _fmt(int(t["partner_countries"]), 0))]
    partners = atlas.partners(unit, years=span, source="pairs")
    sections = [Section("partners", "Top partners",
                        f"{label}'s partner countries ranked by works co-authored with them ({FULL_COUNT_LABEL}).",
                        charts=[("partners", partners_figure(partners.head(top), ctx, label, top))],
                        tables=[(f"Top {top} partners of {label}, joint works", partners.head(top))])]
    say("trend")
    trends = {p: atlas.trend(unit, p, years=span, source="pairs") for p in partners["partner"].head(TREND_PARTNERS)}
    wide = charts.trend_frame(trends).pivot_table(index="label", columns="period", values="joint_works", sort=False)
    sections.append(Section("trend", f"Trend {span}", f"Joint works per year of {label} with its top "
                            f"{len(trends)} partners ({FULL_COUNT_LABEL}).",
                            charts=[("trend", trend_figure(trends, ctx, label))],
                            tables=[(f"Joint works per year, {span}",
                                     wide.reset_index().rename(columns={"label": "partner"}))]))
    say("map")
    sections.append(Section("map", "Partners on the map", f"Joint works of {label} with every partner country.",
                            charts=[("map", _map(atlas, unit, label, span, ctx))]))
    sections.append(_group_section(atlas, unit, label, {"source": "pairs"}, ctx, first, last, group, top, say,
                                   periods))
    sections.append(Section("absent", "Not in this report", "What country-pair aggregates cannot give.",
                            notes=[NOT_FROM_PAIRS + "."]))
    return Report(focus=unit, kind="country", title=f"{label} ({unit}): research collaboration, world scale",
                  headline=headline, sections=sections, ctx=ctx, command=command, store=str(atlas.path),
                  generated=dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"))
