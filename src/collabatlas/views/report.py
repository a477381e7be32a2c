"""The static report: one self-contained HTML file per focus (a country or an institution) with the
seed analyses as charts and tables, a methodology section, the data version and the command that
produced it; plus a PNG and an SVG of every chart.

The numbers come from :class:`collabatlas.Atlas` methods, the charts from :mod:`collabatlas.views.charts`.
The page is rendered by Jinja2 with autoescaping; the Vega JavaScript is inlined once from the
installed vl-convert package, so the file opens offline and loads nothing from the network.
"""

from __future__ import annotations

import datetime as dt
import numbers
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import altair as alt
import pandas as pd

from collabatlas import __version__, refdata
from collabatlas.atlas import COUNTING
from collabatlas.counting.options import accepts_options
from collabatlas.counting.rules import CountingError
from collabatlas.counting.subjects import NI_SUBJECTS
from collabatlas.refdata.country_names import country_code
from collabatlas.views import charts
from collabatlas.views.charts import ChartContext

if TYPE_CHECKING:
    from collabatlas.atlas import Atlas

TOP = 10
TREND_PARTNERS = 5
MAX_TREND_YEARS = 15


@dataclass
class Section:
    """One part of the report: a heading, a sentence saying what it shows, charts and tables."""

    key: str
    title: str
    intro: str
    charts: list[tuple[str, alt.TopLevelMixin]] = field(default_factory=list)  # (file stem, chart)
    tables: list[tuple[str, pd.DataFrame]] = field(default_factory=list)  # (caption, table)
    notes: list[str] = field(default_factory=list)


@dataclass
class Report:
    focus: str
    kind: str  # "country" or "institution"
    title: str
    headline: list[tuple[str, str]]  # (label, formatted value)
    sections: list[Section]
    ctx: ChartContext
    command: str
    store: str
    generated: str

    def all_charts(self) -> list[tuple[str, alt.TopLevelMixin]]:
        return [c for s in self.sections for c in s.charts]


# -- building ----------------------------------------------------------------------------------

@accepts_options
def build_report(atlas: Atlas, focus: str, years: str | None = None, subject: str | None = None,
                 type: str | None = None, group: str = "bri", landscape_year: int | None = None,
                 top: int = TOP, command: str = "", progress: Callable[[str], None] | None = None,
                 source: str = "works", journals: str | None = None, rollup: bool = False) -> Report:
    """The report on ``focus``: a country (ISO2 code) or an institution (OpenAlex id, ROR or name).
    ``journals`` restricts every section to a journal list (sections that cannot apply it say so);
    ``rollup`` counts institutions as the top of their lineage (institution reports).
    ``source="pairs"``: a country report from country-pair aggregates (:mod:`.report_pairs`)."""
    say = progress or (lambda _: None)
    if _source(source) == "pairs":
        from collabatlas.views.report_pairs import build_pair_report

        if journals or rollup:
            raise CountingError(f"{'--journals' if journals else '--rollup'}: not available with --source pairs")
        return build_pair_report(atlas, focus, years, subject, type, group, top, command, say)
    filters = {"years": years, "subject": subject, "type": type, **_options(journals, rollup)}
    ctx = ChartContext.from_atlas(atlas, **filters)
    first, last = _year_span(atlas, years, subject, type)
    is_country = country_code(focus) is not None  # JP, JPN or Japan (refdata.country_names); else an institution
    if is_country and rollup:
        raise CountingError("--rollup (parent roll-up via lineage) applies to an institution report, not a country")
    if is_country:
        unit = atlas.resolve_unit("country", focus)
        title = f"{charts.country_name(unit)} ({unit}): research collaboration"
        sections = _country_sections(atlas, unit, filters, ctx, first, last, group, landscape_year, top, say)
        headline = _country_headline(atlas, unit, filters)
    else:
        profile = atlas.profile(focus, top=top, **filters)
        unit = profile.institution_id
        title = f"{profile.name} ({unit}, {profile.country or 'country unknown'}): research collaboration"
        sections = _institution_sections(atlas, profile, filters, ctx, first, last, top, say)
        headline = _institution_headline(profile)
    return Report(focus=unit, kind="country" if is_country else "institution", title=title, headline=headline,
                  sections=sections, ctx=ctx, command=command, store=str(atlas.path),
                  generated=dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"))


def _options(journals: str | None, rollup: bool) -> dict:
    """The counting options given (the filters dict holds only what is set: each call it reaches takes them)."""
    return {k: v for k, v in (("journals", journals), ("rollup", rollup)) if v}


def _but_years(filters: dict) -> dict:
    return {k: v for k, v in filters.items() if k != "years"}


def _source(source: str) -> str:
    from collabatlas.atlas import SOURCES

    if source not in SOURCES:
        raise CountingError(f"source {source!r}: expected one of {', '.join(SOURCES)}")
    return source


def _year_span(atlas: Atlas, years, subject, type) -> tuple[int, int]:
    """The years the trend and group sections cover: ``years`` when given, else the store's last
    ``MAX_TREND_YEARS`` years with works under the filters."""
    from collabatlas.counting.filters import parse_years

    if years:
        return parse_years(years)
    per_year = atlas.works_per_year(subject=subject, type=type)
    if per_year.empty:
        raise CountingError("the store has no works under these filters")
    last = int(per_year["year"].max())
    return max(int(per_year["year"].min()), last - MAX_TREND_YEARS + 1), last


def _fmt(value, digits: int = 2) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return "–"
    if isinstance(value, int | float) and float(value).is_integer() and digits == 0:
        return f"{int(value):,}"
    return f"{value:,.{digits}f}"


def _country_headline(atlas: Atlas, unit: str, filters: dict) -> list[tuple[str, str]]:
    totals = atlas.totals(level="country", **filters)
    row = totals[totals["unit"] == unit]
    if row.empty:
        return [("works", "0")]
    r = row.iloc[0]
    return [("Count (works)", _fmt(int(r["count"]), 0)), ("Share", _fmt(r["share"])),
            ("works with another country", _fmt(int(r["intl_count"]), 0)),
            ("total CS", _fmt(r["cs_total"])), ("international CS", _fmt(r["cs_international"])),
            ("domestic CS", _fmt(r["cs_domestic"]))]


def _institution_headline(profile) -> list[tuple[str, str]]:
    h = profile.headline
    return [("Count (works)", _fmt(int(h["count"]), 0)), ("Share", _fmt(h["share"])),
            ("total CS", _fmt(h["cs_total"])), ("domestic CS", _fmt(h["cs_domestic"])),
            ("international CS", _fmt(h["cs_international"])), ("industry CS", _fmt(h["cs_industry"])),
            ("domestic partner institutions", _fmt(profile.n_domestic_partners, 0)),
            ("international partner institutions", _fmt(profile.n_international_partners, 0))]


def _partners_and_trend(atlas: Atlas, unit: str, level: str, filters: dict, ctx: ChartContext, first: int,
                        last: int, top: int, label: str, say) -> list[Section]:
    say("partners")
    partners = atlas.partners(unit, level=level, top=top, **filters)
    shown = partners[[c for c in ("partner", "name", "country", "joint_count", "cs", "pct_of_international_cs")
                      if c in partners.columns]]
    top_section = Section("partners", "Top partners",
                          f"{label}'s partners ranked by bilateral collaboration score (CS).",
                          charts=[("partners", charts.partner_bars(partners, ctx, label, top=top))],
                          tables=[(f"Top {top} partners of {label}", shown)])
    say("trend")
    if not filters["years"]:  # the years in which the top partners have joint works
        per_year = atlas.partners(unit, level=level, top=TREND_PARTNERS, **{**filters, "years": f"{first}-{last}"})
        active = [int(c[3:]) for c in per_year.columns if c[3:].isdigit() and (per_year[c] > 0).any()]
        first, last = (min(active), max(active)) if active else (first, last)
    span = f"{first}-{last}" if last > first else str(first)
    names = dict(zip(partners["partner"], partners["name"], strict=True)) if "name" in partners else None
    trends = {p: atlas.trend(unit, p, level=level, years=span, **_but_years(filters))
              for p in partners["partner"].head(TREND_PARTNERS)}
    trend_ctx = ctx.with_filters(years=span)
    wide = charts.trend_frame(trends, names).pivot_table(index="label", columns="period", values="cs", sort=False)
    trend_section = Section("trend", f"Trend {span}",
                            f"Bilateral CS per year of {label} with its top {len(trends)} partners.",
                            charts=[("trend", charts.trend_lines(trends, trend_ctx, label, names))],
                            tables=[(f"CS per year, {span}", wide.reset_index().rename(columns={"label": "partner"}))])
    return [top_section, trend_section]


def _subjects(atlas: Atlas, unit: str, level: str, filters: dict, ctx: ChartContext, label: str, say) -> Section:
    say("subjects")
    by_subject = {title: atlas.partners(unit, level=level, top=5, **{**filters, "subject": f"ni:{slug}"})
                  for slug, (title, _) in NI_SUBJECTS.items()}
    table = charts.subject_frame(by_subject, 5)[["subject", "partner", "label", "joint_count", "cs"]]
    return Section("subjects", "Subjects",
                   "Top partners within each Nature Index subject area (OpenAlex field mapped to a subject).",
                   charts=[("subjects", charts.subject_small_multiples(
                       by_subject, ctx.with_filters(subject=None), label))],
                   tables=[("Top 5 partners per subject", table)])


def _country_sections(atlas: Atlas, unit: str, filters: dict, ctx: ChartContext, first: int, last: int,
                      group: str, landscape_year: int | None, top: int, say) -> list[Section]:
    label = charts.country_name(unit)
    sections = _partners_and_trend(atlas, unit, "country", filters, ctx, first, last, top, label, say)
    say("map")
    all_partners = atlas.partners(unit, **filters)
    sections.append(Section("map", "Partners on the map",
                            f"Bilateral CS of {label} with every partner country.",
                            charts=[("map", charts.world_map(all_partners, ctx, f"{label}'s partner countries",
                                                             focus=unit))]))
    sections.append(_subjects(atlas, unit, "country", filters, ctx, label, say))
    sections.append(_group_section(atlas, unit, label, filters, ctx, first, last, group, top, say))
    sections.append(_landscape_section(atlas, unit, filters, ctx, first, last, landscape_year, say))
    sections.append(_distance_section(atlas, unit, label, filters, ctx, say))
    return sections


def _distance_section(atlas: Atlas, unit: str, label: str, filters: dict, ctx: ChartContext, say) -> Section:
    """How far the country collaborates: its international works by distance band per year."""
    from collabatlas.views.charts_distance import distance_bands

    say("distance")
    if filters.get("journals"):
        return Section("distance", "Collaboration distance", "Distances are not computed for a journal list.",
                       notes=["--journals: the distance section is left out (it counts every work of the country)"])
    chosen = {k: filters[k] for k in ("years", "subject", "type", "rollup") if filters.get(k)}
    distance = atlas.distance(unit, **chosen)
    notes = [distance.attrs["caption"]] if distance.attrs.get("caption") else []
    measured = not distance.empty and int(distance["measured_works"].sum()) > 0
    if not measured:  # a note, not an empty chart
        notes.append(f"No international work of {label} has two geocoded institutions under these filters: "
                     "coordinates come from OpenAlex institution records and the ROR registry "
                     "(`collabatlas ror load`).")
    return Section("distance", "Collaboration distance",
                   f"{label}'s international works by the largest great-circle distance between their "
                   "institutions (bands < 1,000, 1,000–3,000, 3,000–5,000, ≥ 5,000 km), per year.",
                   charts=[("distance", distance_bands(distance, ctx, label))] if measured else [], notes=notes)


def _group_section(atlas: Atlas, unit: str, label: str, filters: dict, ctx: ChartContext, first: int, last: int,
                   group: str, top: int, say) -> Section:
    say(f"group {group}")
    from collabatlas.views.chart_text import group_title, possessive

    named = group_title(group)
    pairs = filters.get("source") == "pairs"
    what = f"joint works ({COUNTING['pairs']})" if pairs else "works and CS"
    section = Section("group", f"Collaboration with {named}",
                      f"{possessive(label)} {what} with {named} ({group}) in two periods, and its top "
                      "partners there.")
    if last <= first:
        section.notes.append("one year only: the two-period comparison needs a range of at least two years")
        return section
    mid = (first + last) // 2
    periods = [f"{first}-{mid}" if mid > first else str(first), f"{mid + 1}-{last}" if last > mid + 1 else str(last)]
    try:
        report = atlas.group(unit, group, periods, top=top, **_but_years(filters))
    except CountingError as exc:
        section.notes.append(str(exc))
        return section
    gctx = ctx.with_filters(years=None, periods=" vs ".join(periods), group=group)
    section.charts.append(("group", charts.two_period_circles(report.partners, gctx, label, group)))
    section.tables += [("Per period", report.periods), ("Growth from the first to the last period", report.growth),
                       (f"Top partners among {named}" + (", joint works" if pairs else ""), report.partners)]
    return section


def _landscape_section(atlas: Atlas, unit: str, filters: dict, ctx: ChartContext, first: int, last: int,
                       year: int | None, say) -> Section:
    say("landscape")
    if filters.get("journals"):
        return Section("landscape", "Landscape", "The landscape is drawn from every work of each country.",
                       notes=["--journals: the landscape section is left out (its international shares and R&D "
                              "spending are national, not per journal list)"])
    if year is None:  # the year of the span with most works
        per_year = atlas.works_per_year(years=f"{first}-{last}", subject=filters["subject"], type=filters["type"])
        year = int(per_year.sort_values(["n_works", "year"], ascending=[False, False])["year"].iloc[0])
    table, fit = atlas.landscape(int(year), subject=filters["subject"], type=filters["type"], show_all_when_none=True)
    lctx = ctx.with_filters(years=str(year))
    row = table[table["country"] == unit]
    focus = ("" if row.empty else f" {unit}: international share {row['intl_share'].iloc[0]:.1%}, "
             f"GERD {_fmt(row['gerd_pct_gdp'].iloc[0])} % of GDP.")
    shown = fit[["group", "n", "term", "coef", "ci_low", "ci_high", "p_value", "r2", "note"]]
    notes = list(table.attrs.get("notes", []))
    if table.empty:  # a note, not an empty chart
        notes.append(f"No country has enough works in {year} to be placed (--min-works); a larger store, "
                     "or the world-scale country totals, fill this section.")
    return Section("landscape", f"Landscape {year}",
                   "International share of each country's works against its R&D spending (GERD % of GDP), "
                   "with OLS fits overall and by World Bank income group." + focus,
                   charts=[] if table.empty else [("landscape", charts.landscape_scatter(table, fit, lctx))],
                   tables=[("OLS fits", shown)], notes=notes)


def _institution_sections(atlas: Atlas, profile, filters: dict, ctx: ChartContext, first: int, last: int,
                          top: int, say) -> list[Section]:
    iid, label = profile.institution_id, profile.name or profile.institution_id
    sections = [Section("hotspots", "International hotspots",
                        "Countries of the partner institutions, by their part of the international CS.",
                        charts=[("hotspots", charts.hotspot_bars(profile.hotspots, ctx, label))],
                        tables=[("Hotspot countries", profile.hotspots)]),
                Section("contribution", "Top partner institutions: who contributes what",
                        "Each side's Share on the joint works; together they make the bilateral CS.",
                        charts=[("contribution", charts.contribution_bars(profile.partners, ctx, label))],
                        tables=[("Top partner institutions", profile.partners)])]
    sections += _partners_and_trend(atlas, iid, "institution", filters, ctx, first, last, top, label, say)
    say("map")
    by_country = atlas.partner_countries(iid, **filters)
    sections.append(Section("map", "Partners on the map", "CS with partner institutions, summed per country.",
                            charts=[("map", charts.world_map(by_country, ctx, f"{label}: partners by country",
                                                             country="country"))]))
    sections.append(Section("industry", "Industry", "Corporate partner institutions and their contributions.",
                            charts=[("industry", charts.contribution_bars(
                                profile.corporate_partners, ctx, label,
                                title=f"Corporate partners of {label}"))],
                            tables=[("Corporate partners", profile.corporate_partners)]))
    sections.append(_subjects(atlas, iid, "institution", filters, ctx, label, say))
    return sections


# -- one chart from the command line ----------------------------------------------------------

KINDS = ("partners", "trend", "subjects", "group", "contribution", "hotspots", "map", "landscape", "industry")


@accepts_options
def make_chart(atlas: Atlas, kind: str, unit: str | None = None, partners: list[str] | None = None,
               level: str = "country", years: str | None = None, subject: str | None = None,
               type: str | None = None, group: str = "bri", periods: list[str] | None = None,
               year: int | None = None, x: str = "log_gerd", top: int = TOP, source: str = "works",
               journals: str | None = None, rollup: bool = False) -> alt.TopLevelMixin:
    """The chart ``kind`` (one of :data:`KINDS`) for ``unit`` under the filters, from Atlas results
    (``source="pairs"``: from country-pair aggregates, :mod:`.report_pairs`)."""
    if _source(source) == "pairs":
        from collabatlas.views.report_pairs import make_pair_chart

        if journals or rollup:
            raise CountingError(f"{'--journals' if journals else '--rollup'}: not available with --source pairs")
        return make_pair_chart(atlas, kind, unit, partners, level, years, subject, type, group, periods, top)
    filters = {"years": years, "subject": subject, "type": type, **_options(journals, rollup)}
    ctx = ChartContext.from_atlas(atlas, **filters)
    if kind not in KINDS:
        raise CountingError(f"unknown chart {kind!r}: expected one of {', '.join(KINDS)}")
    if kind == "landscape":
        if journals or rollup:
            raise CountingError(f"{'--journals' if journals else '--rollup'}: the landscape chart is drawn from every "
                                "work of each country and takes --subject and --type only")
        if year is None:
            raise CountingError("the landscape chart needs --year")
        table, fit = atlas.landscape(int(year), x=x.split(",") if "," in x else x, subject=subject, type=type,
                                     show_all_when_none=True)
        return charts.landscape_scatter(table, fit, ctx.with_filters(years=str(year)))
    if kind == "industry":
        df = atlas.industry(**filters).head(top)
        return charts.contribution_bars(df, ctx, "the company", own="own_share", other="academic_share", key="unit",
                                        labels=("company", "academia"), title="Companies and their academic partners")
    if not unit:
        raise CountingError(f"the {kind} chart needs --unit (a country code or an institution)")
    if kind in ("contribution", "hotspots"):
        profile = atlas.profile(unit, top=top, **filters)
        name = profile.name or profile.institution_id
        if kind == "hotspots":
            return charts.hotspot_bars(profile.hotspots, ctx, name)
        return charts.contribution_bars(profile.partners, ctx, name)
    if level == "institution":
        from collabatlas.analyses.profile import find_institution

        unit = find_institution(atlas, unit)
    else:
        unit = atlas.resolve_unit(level, unit)
    label = charts.country_name(unit) if level == "country" else _institution_name(atlas, unit)
    if kind == "partners":
        return charts.partner_bars(atlas.partners(unit, level=level, top=top, **filters), ctx, label, top=top)
    if kind == "map":
        if level == "institution":
            df = atlas.partner_countries(unit, **filters)
            return charts.world_map(df, ctx, f"{label}: partners by country", country="country")
        return charts.world_map(atlas.partners(unit, level=level, **filters), ctx, f"{label}'s partner countries",
                                focus=unit)
    if kind == "subjects":
        by_subject = {title: atlas.partners(unit, level=level, top=5, **{**filters, "subject": f"ni:{slug}"})
                      for slug, (title, _) in NI_SUBJECTS.items()}
        return charts.subject_small_multiples(by_subject, ctx.with_filters(subject=None), label)
    if kind == "trend":
        ranked = atlas.partners(unit, level=level, **filters)
        chosen = partners or list(ranked["partner"].head(TREND_PARTNERS))
        names = dict(zip(ranked["partner"], ranked["name"], strict=True)) if "name" in ranked else None
        trends = {p: atlas.trend(unit, p, level=level, **filters) for p in chosen}
        return charts.trend_lines(trends, ctx, label, names)
    # group
    if not periods:
        raise CountingError("the group chart needs --periods, e.g. 2013-2015,2016-2018")
    report = atlas.group(unit, group, periods, top=top, **_but_years(filters))
    return charts.two_period_circles(report.partners, ctx.with_filters(years=None, periods=" vs ".join(periods),
                                                                        group=group), label, group)


def _institution_name(atlas: Atlas, iid: str) -> str:
    row = atlas.con.execute("SELECT name FROM institutions WHERE institution_id = $i", {"i": iid}).fetchone()
    return row[0] if row and row[0] else iid


# -- writing -----------------------------------------------------------------------------------

REFERENCE_DATASETS = ("wb-countries", "wb-income-history", "wdi", "trust", "country-codes", "bri")
"""The packaged reference data a report may draw on (map coordinates, groups, landscape indicators)."""

METHODOLOGY = [
    "Each work is shared between its authors: every authorship entry gets 1/n of the work, split equally over "
    "the author's distinct institutions; a country's part is the sum of its institutions' parts (authors "
    "without an institution are placed by the countries OpenAlex gives them).",
    "Share is the sum of a unit's parts over works; Count is the number of works with a part > 0. Counting is "
    "strict by default: parts that cannot be attributed are dropped, never spread silently.",
    "The bilateral collaboration score (CS) of two units is the sum, over the works they share, of both units' "
    "Shares. A unit's total CS is split into domestic, international and industry collaboration.",
    "Subjects are the Nature Index areas, mapped from the OpenAlex field of each work's primary topic. "
    "Country groups (Belt and Road, income groups, ...) come from maintained data files, not hand-typed lists.",
    "The landscape fits are ordinary least squares of the international share (works with two or more "
    "countries / works) on log10 GERD, overall and by World Bank income group, with 95% confidence bands.",
]

TEMPLATE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ report.title }}</title>
<style>
body { font-family: "Liberation Sans", Helvetica, Arial, sans-serif; color: #222; max-width: 1100px;
       margin: 2rem auto; padding: 0 1.5rem; line-height: 1.45; }
h1 { font-size: 1.9rem; margin-bottom: .2rem; } h2 { border-bottom: 2px solid #0072B2; padding-bottom: .2rem;
       margin-top: 2.6rem; } .meta { color: #555; font-size: .9rem; }
.headline { display: flex; flex-wrap: wrap; gap: .8rem; margin: 1.2rem 0; }
.figure { background: #f4f7fb; border-radius: 6px; padding: .6rem 1rem; min-width: 8rem; }
.figure b { display: block; font-size: 1.5rem; color: #0072B2; } .figure span { font-size: .85rem; color: #444; }
figure { margin: 1rem 0; overflow-x: auto; }
table { border-collapse: collapse; font-size: .85rem; margin: .6rem 0 1.4rem; }
th, td { padding: .25rem .6rem; border-bottom: 1px solid #e3e3e3; } th { text-align: left; background: #f6f6f6; }
td.num { text-align: right; font-variant-numeric: tabular-nums; } caption { text-align: left; font-weight: 600;
       padding: .3rem 0; } code, pre { background: #f6f6f6; padding: .1rem .3rem; border-radius: 3px; }
pre { padding: .6rem; white-space: pre-wrap; } .note { color: #8a4b00; }
</style></head><body>
<h1>{{ report.title }}</h1>
<p class="meta">Filters: {{ report.ctx.filters_text() }} · {{ report.ctx.counting }} · {{ report.ctx.source }} ·
data version {{ report.ctx.data_version }} · collabatlas {{ version }} · generated {{ report.generated }}</p>
<div class="headline">{% for label, value in report.headline %}
<div class="figure"><b>{{ value }}</b><span>{{ label }}</span></div>{% endfor %}</div>
<nav><p>{% for s in report.sections %}<a href="#{{ s.key }}">{{ s.title }}</a>
{%- if not loop.last %} · {% endif %}{% endfor %}
 · <a href="#methodology">Methodology</a> · <a href="#provenance">Provenance</a></p></nav>
{% for s in report.sections %}
<section id="{{ s.key }}"><h2>{{ s.title }}</h2><p>{{ s.intro }}</p>
{% for note in s.notes %}<p class="note">{{ note }}</p>{% endfor %}
{% for c in s.charts %}<figure><div id="chart-{{ c.stem }}" class="chart" data-chart="{{ c.stem }}"></div>
<noscript><img src="{{ c.stem }}.svg" alt="{{ c.stem }} chart"></noscript>
<figcaption class="meta">Also as <a href="{{ c.stem }}.png">PNG</a> and <a href="{{ c.stem }}.svg">SVG</a>.</figcaption>
</figure>{% endfor %}
{% for caption, t in s.tables %}<table><caption>{{ caption }}</caption>
<thead><tr>{% for col in t.columns %}<th>{{ col }}</th>{% endfor %}</tr></thead><tbody>
{% for row in t.rows %}<tr>{% for cell, numeric in row -%}
<td{% if numeric %} class="num"{% endif %}>{{ cell }}</td>{% endfor %}</tr>
{% endfor %}</tbody></table>{% endfor %}
</section>{% endfor %}
<section id="methodology"><h2>Methodology</h2>
{% for p in methodology %}<p>{{ p }}</p>{% endfor %}
<p>The full rules and every choice behind them: docs/methodology.md in the collabatlas repository.</p></section>
<section id="provenance"><h2>Provenance</h2>
<p>Store <code>{{ report.store }}</code>, data version {{ report.ctx.data_version }}, collabatlas {{ version }},
generated {{ report.generated }}. {{ reference }}. Produced by:</p><pre>{{ report.command }}</pre></section>
{% for c in chart_specs %}<script type="application/json" id="spec-{{ c.stem }}">{{ c.spec }}</script>
{% endfor %}<script>{{ bundle }}</script>
<script>
document.querySelectorAll("div.chart").forEach(function (el) {
  var spec = JSON.parse(document.getElementById("spec-" + el.dataset.chart).textContent);
  vegaEmbed(el, spec, {renderer: "svg", actions: false}).catch(console.error);
});
</script>
</body></html>
"""


def _table_rows(df: pd.DataFrame, limit: int = 50) -> dict:
    """Columns and formatted cells (with a numeric flag for right alignment) of ``df``."""
    from collabatlas.views.chart_text import field_name

    plain = [str(c).lower() in ("year", "period", "first", "last") for c in df.columns]  # 2015, not 2,015
    rows = []
    for record in df.head(limit).itertuples(index=False):
        cells = []
        for value in record:
            numeric = isinstance(value, numbers.Real) and not isinstance(value, bool)
            if value is None or (numeric and pd.isna(value)):
                cells.append(("", False))
            elif isinstance(value, numbers.Integral):
                cells.append((str(int(value)) if plain[len(cells)] else f"{int(value):,}", True))
            elif numeric:
                cells.append((f"{value:,.3f}", True))
            else:
                cells.append((str(value), False))
        rows.append(cells)
    return {"columns": [field_name(c) for c in df.columns], "rows": rows}


def _script_json(spec: dict) -> str:
    """JSON safe inside a <script> element: no "</script>" can close it and no "<!--" can make the
    parser swallow the elements after it (``<``, ``>``, ``&``, U+2028/9 escaped as ``\\u003c`` ...)."""
    from collabatlas.escaping import script_json

    return script_json(spec, default=str)


def render_html(report: Report) -> str:
    """The report as one HTML document: charts as Vega-Lite specs drawn by the inlined bundle."""
    import jinja2
    from markupsafe import Markup

    env = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)
    sections = [{"key": s.key, "title": s.title, "intro": s.intro, "notes": s.notes,
                 "charts": [{"stem": stem} for stem, _ in s.charts],
                 "tables": [(caption, _table_rows(t)) for caption, t in s.tables]} for s in report.sections]
    view = {"title": report.title, "ctx": report.ctx, "generated": report.generated, "headline": report.headline,
            "sections": sections, "store": report.store, "command": report.command}
    specs = [{"stem": stem, "spec": Markup(_script_json(charts.spec(chart)))} for stem, chart in report.all_charts()]
    reference = refdata.provenance(REFERENCE_DATASETS)
    return env.from_string(TEMPLATE).render(report=view, version=__version__, methodology=METHODOLOGY,
                                            reference=reference, chart_specs=specs,
                                            bundle=Markup(charts.javascript_bundle()))


def write_report(report: Report, out_dir: str | Path, formats: Iterable[str] = ("png", "svg"),
                 progress: Callable[[str], None] | None = None) -> list[Path]:
    """Write ``index.html`` and each chart as ``<stem>.<format>`` into ``out_dir``; returns the paths."""
    say = progress or (lambda _: None)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for stem, chart in report.all_charts():
        for fmt in formats:
            say(f"{stem}.{fmt}")
            written.append(charts.save(chart, out / f"{stem}.{fmt}"))
    say("index.html")
    page = out / "index.html"
    page.write_text(render_html(report), encoding="utf-8")
    return [page, *written]
