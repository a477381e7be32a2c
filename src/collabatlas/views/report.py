"""The static report: one self-contained HTML file per focus (a country or an institution) with the
seed analyses as charts and tables, a methodology section, the data version and the command that
produced it; plus a PNG and an SVG of every chart.

The numbers come from :class:`collabatlas.Atlas` methods, the charts from :mod:`collabatlas.views.charts`.
The page is rendered by Jinja2 with autoescaping; the Vega JavaScript is inlined once from the
installed vl-convert package, so the file opens offline and loads nothing from the network.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import altair as alt
import pandas as pd

from collabatlas.atlas import reference
from collabatlas.atlas.inputs import NI_SUBJECTS, check_same_length, equal_halves, parse_years
from collabatlas.counting.options import accepts_options
from collabatlas.errors import CountingError
from collabatlas.settings import small_n
from collabatlas.views import charts, numbers
from collabatlas.views.chart_figures import (  # noqa: F401 - KINDS, make_chart and institution_name re-exported
    KINDS,
    TOP,
    TREND_PARTNERS,
    but_years,
    check_source,
    group_figure,
    institution_name,
    landscape_figure,
    make_chart,
    map_figure,
    options_given,
    pair_map_figure,
    partners_figure,
    subjects_figure,
    trend_figure,
)
from collabatlas.views.charts import ChartContext
from collabatlas.views.figures import Editorial, Figure, chart_of, figure, unit_colours
from collabatlas.views.report_folder import report_folder
from collabatlas.views.report_html import _table_rows, render_html  # noqa: F401 - re-exported (fact sheet, tests)
from collabatlas.views.report_impact import impact_parts
from collabatlas.views.report_pairs import (
    full_counts_only,
    not_available,
    pair_context,
    pair_country,
    refuse_options,
    refuse_pair_filters,
)

if TYPE_CHECKING:
    from collabatlas.atlas import Atlas

MAX_TREND_YEARS = 15


@dataclass
class Section:
    """One part of the report: a heading, a sentence saying what it shows, charts and tables."""

    key: str
    title: str
    intro: str
    charts: list[tuple[str, alt.TopLevelMixin | Figure]] = field(default_factory=list)  # (file stem, figure)
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

    editorial: Editorial = field(default_factory=Editorial)

    def all_charts(self) -> list[tuple[str, alt.TopLevelMixin | Figure]]:
        """(file stem, figure) of every chart, in order (a chart given as it is stays one)."""
        return [c for s in self.sections for c in s.charts]

    def figures(self) -> list[Figure]:
        return [item for _, item in self.all_charts() if isinstance(item, Figure)]


# -- building ----------------------------------------------------------------------------------

@accepts_options
def build_report(atlas: Atlas, focus: str, years: str | None = None, subject: str | None = None,
                 type: str | None = None, group: str = "bri", landscape_year: int | None = None,
                 top: int = TOP, command: str = "", progress: Callable[[str], None] | None = None,
                 source: str = "works", journals: str | None = None, rollup: bool = False,
                 editorial: Editorial | None = None, periods: list[str] | None = None) -> Report:
    """The report on ``focus``: a country (ISO2 code) or an institution (OpenAlex id, ROR or name).
    ``editorial``: the report's own title, subtitle and note, and units highlighted in every figure.
    ``journals`` restricts every section to a journal list (sections that cannot apply it say so);
    ``rollup`` counts institutions as the top of their lineage (institution reports).
    ``source="pairs"``: a country report from country-pair aggregates (:func:`build_pair_report`).
    ``periods``: the two periods (of the same length) of a country report's group comparison."""
    say = progress or (lambda _: None)
    if periods is not None:
        if len(periods) != 2:
            raise CountingError(f"--periods {','.join(periods)}: expected two periods, e.g. 2015-2017,2019-2021")
        check_same_length(periods)
    capabilities = atlas.capabilities(check_source(source))
    if full_counts_only(capabilities):  # joint works, full counting: the report its declaration allows
        refuse_options(capabilities, journals=journals, rollup=rollup)
        return styled(build_pair_report(atlas, focus, years, subject, type, group, top, command, say, periods,
                                        source=source),
                      atlas, "country", {"years": years, "source": source}, editorial)
    filters = {"years": years, "subject": subject, "type": type, **options_given(journals, rollup)}
    ctx = ChartContext.from_atlas(atlas, **filters)
    first, last = _year_span(atlas, years, subject, type)
    is_country = reference.country_code(focus) is not None  # JP, JPN or Japan; else an institution
    if is_country and rollup:
        raise CountingError("--rollup (parent roll-up via lineage) applies to an institution report, not a country")
    if is_country:
        unit = atlas.resolve_unit("country", focus)
        title = f"{charts.country_name(unit)} ({unit}): research collaboration"
        sections = _country_sections(atlas, unit, filters, ctx, first, last, group, landscape_year, top, say,
                                     periods)
        headline = _country_headline(atlas, unit, filters)
    else:
        if periods is not None:
            raise CountingError("--periods: the two-period group comparison is part of a country report; an "
                                "institution report has none")
        profile = atlas.profile(focus, top=top, **filters)
        unit = profile.institution_id
        title = f"{profile.name} ({unit}, {profile.country or 'country unknown'}): research collaboration"
        sections = _institution_sections(atlas, profile, filters, ctx, first, last, top, say)
        headline = _institution_headline(profile)
    built = Report(focus=unit, kind="country" if is_country else "institution", title=title, headline=headline,
                   sections=sections, ctx=ctx, command=command, store=str(atlas.path),
                   generated=dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"))
    return styled(built, atlas, "country" if is_country else "institution", filters, editorial)


def styled(report: Report, atlas: Atlas, level: str, filters: dict, editorial: Editorial | None) -> Report:
    """``report`` with one colour per unit across its figures (by rank in the focus unit's partner
    list, :func:`collabatlas.views.figures.unit_colours`) and the editorial fields: the title,
    subtitle and note on the report, the highlighted units in every figure."""
    editorial = editorial or Editorial()
    source = filters.get("source", "works")
    if level == "country" and full_counts_only(atlas.capabilities(source)):
        ranked = atlas.partners(report.focus, years=filters.get("years"), source=source)["partner"]
    else:
        ranked = atlas.partners(report.focus, level=level, **filters)["partner"]
    shown = [u for f in report.figures() for u in _units(f.table)]
    colours = unit_colours(ranked, shown)
    highlight = Editorial(highlight=editorial.highlight)
    for section in report.sections:
        section.charts = [(stem, dataclasses.replace(item, colours=colours, editorial=highlight, _drawn=None)
                           if isinstance(item, Figure) else item) for stem, item in section.charts]
    report.editorial = editorial
    if editorial.title:
        report.title = editorial.title
    return report


def _units(table: pd.DataFrame) -> list[str]:
    return [str(u) for u in table["partner"]] if "partner" in table.columns else []


def _year_span(atlas: Atlas, years, subject, type) -> tuple[int, int]:
    """The years the trend and group sections cover: ``years`` when given, else the store's last
    ``MAX_TREND_YEARS`` years with works under the filters."""
    if years:
        return parse_years(years)
    per_year = atlas.works_per_year(subject=subject, type=type)
    if per_year.empty:
        raise CountingError("the store has no works under these filters")
    last = int(per_year["year"].max())
    return max(int(per_year["year"].min()), last - MAX_TREND_YEARS + 1), last


def _fmt(value, column: str = "cs") -> str:
    """A headline figure written as ``column`` is in the tables (:func:`collabatlas.views.numbers.figure`:
    a count with separators, a Share or CS with the tables' decimals, a % with one); ``–`` when missing."""
    return numbers.figure(column, value)


def _country_headline(atlas: Atlas, unit: str, filters: dict) -> list[tuple[str, str]]:
    totals = atlas.totals(level="country", **filters)
    row = totals[totals["unit"] == unit]
    if row.empty:
        return [("works", "0")]
    r = row.iloc[0]
    return [("Count (works)", _fmt(int(r["count"]), "count")), ("Share", _fmt(r["share"], "share")),
            ("works with another country", _fmt(int(r["intl_count"]), "count")), *_country_cs(r)]


def _country_cs(r) -> list[tuple[str, str]]:
    """The CS of a country: every partner of a country is another country, so its domestic CS is 0 and
    its total CS is its international CS by definition - one figure, said so, not three."""
    if math.isclose(r["cs_domestic"], 0, abs_tol=1e-9) and math.isclose(r["cs_total"], r["cs_international"],
                                                                        rel_tol=1e-9, abs_tol=1e-9):
        return [("CS (total = international at country level)", _fmt(r["cs_total"]))]
    return [("total CS", _fmt(r["cs_total"])), ("international CS", _fmt(r["cs_international"])),
            ("domestic CS", _fmt(r["cs_domestic"]))]


def _institution_headline(profile) -> list[tuple[str, str]]:
    h = profile.headline
    return [("Count (works)", _fmt(int(h["count"]), "count")), ("Share", _fmt(h["share"], "share")),
            ("total CS", _fmt(h["cs_total"])), ("domestic CS", _fmt(h["cs_domestic"])),
            ("international CS", _fmt(h["cs_international"])), ("industry CS", _fmt(h["cs_industry"])),
            ("domestic partner institutions", _fmt(profile.n_domestic_partners, "count")),
            ("international partner institutions", _fmt(profile.n_international_partners, "count"))]


def _partners_and_trend(atlas: Atlas, unit: str, level: str, filters: dict, ctx: ChartContext, first: int,
                        last: int, top: int, label: str, say) -> list[Section]:
    say("partners")
    partners = atlas.partners(unit, level=level, top=top, **filters)
    shown = partners[[c for c in ("partner", "name", "country", "joint_count", "cs", "pct_of_international_cs")
                      if c in partners.columns]]
    top_section = Section("partners", "Top partners",
                          f"{label}'s partners ranked by bilateral collaboration score (CS).",
                          charts=[("partners", partners_figure(partners, ctx, label, top))],
                          tables=[(f"Top {top} partners of {label}", shown)])
    say("trend")
    if not filters["years"]:  # the years in which the top partners have joint works
        per_year = atlas.partners(unit, level=level, top=TREND_PARTNERS, **{**filters, "years": f"{first}-{last}"})
        active = [int(c[3:]) for c in per_year.columns if c[3:].isdigit() and (per_year[c] > 0).any()]
        first, last = (min(active), max(active)) if active else (first, last)
    span = f"{first}-{last}" if last > first else str(first)
    names = dict(zip(partners["partner"], partners["name"], strict=True)) if "name" in partners else None
    trends = {p: atlas.trend(unit, p, level=level, years=span, **but_years(filters))
              for p in partners["partner"].head(TREND_PARTNERS)}
    trend_ctx = ctx.with_filters(years=span)
    wide = charts.trend_frame(trends, names).pivot_table(index="label", columns="period", values="cs", sort=False)
    trend_section = Section("trend", f"Trend {span}",
                            f"Bilateral CS per year of {label} with its top {len(trends)} partners.",
                            charts=[("trend", trend_figure(trends, trend_ctx, label, names))],
                            tables=[(f"CS per year, {span}", wide.reset_index().rename(columns={"label": "partner"}))])
    return [top_section, trend_section]


def _subjects(atlas: Atlas, unit: str, level: str, filters: dict, ctx: ChartContext, label: str, say) -> Section:
    say("subjects")
    by_subject = {title: atlas.partners(unit, level=level, top=5, **{**filters, "subject": f"ni:{slug}"})
                  for slug, (title, _) in NI_SUBJECTS.items()}
    table = charts.subject_frame(by_subject, 5)[["subject", "partner", "label", "joint_count", "cs"]]
    return Section("subjects", "Subjects",
                   "Top partners within each Nature Index subject area (OpenAlex field mapped to a subject).",
                   charts=[("subjects", subjects_figure(by_subject, ctx.with_filters(subject=None), label))],
                   tables=[("Top 5 partners per subject", table)])


def _country_sections(atlas: Atlas, unit: str, filters: dict, ctx: ChartContext, first: int, last: int,
                      group: str, landscape_year: int | None, top: int, say,
                      periods: list[str] | None = None) -> list[Section]:
    label = charts.country_name(unit)
    sections = _partners_and_trend(atlas, unit, "country", filters, ctx, first, last, top, label, say)
    say("map")
    all_partners = atlas.partners(unit, **filters)
    sections.append(Section("map", "Partners on the map",
                            f"Bilateral CS of {label} with every partner country.",
                            charts=[("map", map_figure(all_partners, ctx, f"{label}'s partner countries",
                                                      focus=unit))]))
    sections.append(_subjects(atlas, unit, "country", filters, ctx, label, say))
    sections.append(_group_section(atlas, unit, label, filters, ctx, first, last, group, top, say, periods))
    sections.append(_landscape_section(atlas, unit, filters, ctx, first, last, landscape_year, say))
    sections.append(_distance_section(atlas, unit, label, filters, ctx, say))
    say("impact")
    intro, drawn, tables, notes = impact_parts(atlas, unit, "country", filters, ctx, label)
    sections.append(Section("impact", "Citation impact by collaboration type", intro, charts=drawn, tables=tables,
                            notes=notes))
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
                   charts=[("distance", figure("distance", distance, distance_bands, distance, ctx, label))] if measured
                   else [], notes=notes)


def _group_section(atlas: Atlas, unit: str, label: str, filters: dict, ctx: ChartContext, first: int, last: int,
                   group: str, top: int, say, periods: list[str] | None = None) -> Section:
    """The two-period comparison with ``group``: the ``periods`` given (of the same length), else the
    first and last halves of the span (the middle year of an odd span left out, said in a note)."""
    say(f"group {group}")
    from collabatlas.views.chart_text import group_title, possessive

    named = group_title(group)
    capabilities = atlas.capabilities(filters.get("source", "works"))
    pairs = full_counts_only(capabilities)
    what = f"joint works ({capabilities.counting_label})" if pairs else "works and CS"
    section = Section("group", f"Collaboration with {named}",
                      f"{possessive(label)} {what} with {named} ({group}) in two periods of the same length, and "
                      "its top partners there.")
    if periods is None:
        if last <= first:
            section.notes.append("one year only: the two-period comparison needs a range of at least two years")
            return section
        periods, note = equal_halves(first, last)
        if note:
            section.notes.append(note)
    try:
        report = atlas.group(unit, group, periods, top=top, **but_years(filters))
    except CountingError as exc:
        section.notes.append(str(exc))
        return section
    gctx = ctx.with_filters(years=None, periods=" vs ".join(periods), group=group)
    section.charts.append(("group", group_figure(report, gctx, label, group)))
    growth, flagged = growth_with_n(report)
    if flagged:
        section.notes.append(f"flagged: {', '.join(flagged)} — fewer than {small_n()} works at one end, so the "
                             "growth says little")
    section.tables += [("Per period", report.periods), ("Growth from the first to the last period", growth),
                       (f"Top partners among {named}" + (", joint works" if pairs else ""), report.partners)]
    return section


def growth_with_n(report) -> tuple[pd.DataFrame, list[str]]:
    """The growth table of a group report (with ``n_first``, ``n_last`` and ``small_n`` from the library,
    :func:`collabatlas.analyses.group._growth_table`: every view flags the same rows) and the measures
    flagged."""
    growth = report.growth
    if "small_n" not in growth.columns or growth.empty or len(report.periods) < 2:
        return growth, []
    return growth, list(growth.loc[growth["small_n"].astype(bool), "measure"].astype(str))


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
             f"GERD {_fmt(row['gerd_pct_gdp'].iloc[0], 'gerd_pct_gdp')} % of GDP.")
    shown = fit[["group", "n", "term", "coef", "ci_low", "ci_high", "p_value", "r2", "note"]]
    notes = list(table.attrs.get("notes", []))
    if table.empty:  # a note, not an empty chart
        notes.append(f"No country has enough works in {year} to be placed (--min-works); a larger store, "
                     "or the world-scale country totals, fill this section.")
    return Section("landscape", f"Landscape {year}",
                   "International share of each country's works against its R&D spending (GERD % of GDP), "
                   "with OLS fits overall and by World Bank income group." + focus,
                   charts=[] if table.empty else [("landscape", landscape_figure(table, fit, lctx))],
                   tables=[("OLS fits", shown)], notes=notes)


def _institution_sections(atlas: Atlas, profile, filters: dict, ctx: ChartContext, first: int, last: int,
                          top: int, say) -> list[Section]:
    iid, label = profile.institution_id, profile.name or profile.institution_id
    sections = [Section("hotspots", "International hotspots",
                        "Countries of the partner institutions, by their part of the international CS.",
                        charts=[("hotspots", figure("hotspots", profile.hotspots, charts.hotspot_bars, profile.hotspots,
                                                         ctx, label))],
                        tables=[("Hotspot countries", profile.hotspots)]),
                Section("contribution", "Top partner institutions: who contributes what",
                        "Each side's Share on the joint works; together they make the bilateral CS.",
                        charts=[("contribution", figure("contribution", profile.partners, charts.contribution_bars,
                                                             profile.partners, ctx, label))],
                        tables=[("Top partner institutions", profile.partners)])]
    sections += _partners_and_trend(atlas, iid, "institution", filters, ctx, first, last, top, label, say)
    say("map")
    by_country = atlas.partner_countries(iid, **filters)
    sections.append(Section("map", "Partners on the map", "CS with partner institutions, summed per country.",
                            charts=[("map", map_figure(by_country, ctx, f"{label}: partners by country",
                                                      country="country"))]))
    sections.append(Section("industry", "Industry", "Corporate partner institutions and their contributions.",
                            charts=[("industry", figure(
                                "industry", profile.corporate_partners, charts.contribution_bars,
                                profile.corporate_partners, ctx, label, title=f"Corporate partners of {label}"))],
                            tables=[("Corporate partners", profile.corporate_partners)]))
    sections.append(_subjects(atlas, iid, "institution", filters, ctx, label, say))
    return sections


# -- one chart from the command line: views.chart_figures (re-exported for the callers of this module) --

# -- writing -----------------------------------------------------------------------------------

def write_report(report: Report, out_dir: str | Path, formats: Iterable[str] = ("png", "svg"),
                 progress: Callable[[str], None] | None = None, raw_csv: bool = False,
                 extra: Mapping[str, bytes] | None = None) -> list[Path]:
    """Write ``index.html``, each chart as ``<stem>.<format>``, each figure's table as
    ``data/<stem>.csv`` (as ``--format csv`` of the matching command prints it; ``raw_csv`` as
    ``collabatlas --raw-csv``) and the ``extra`` files (name → bytes: the fact sheet PDF) into
    ``out_dir``, atomically (:mod:`.report_folder`); returns the paths, ``index.html`` first."""
    say = progress or (lambda _: None)
    out = Path(out_dir)
    names = []
    with report_folder(out) as tmp:
        for stem, chart in report.all_charts():
            for fmt in formats:
                say(f"{stem}.{fmt}")
                charts.save(chart_of(chart), tmp / f"{stem}.{fmt}")
                names.append(f"{stem}.{fmt}")
        figures = report.figures()
        if figures:
            (tmp / DATA_DIR).mkdir()
        for fig in figures:
            (tmp / DATA_DIR / f"{fig.id}.csv").write_text(fig.csv(raw_csv), encoding="utf-8")
            names.append(f"{DATA_DIR}/{fig.id}.csv")
        for name, content in (extra or {}).items():
            (tmp / name).write_bytes(content)
            names.append(name)
        say("index.html")
        (tmp / "index.html").write_text(render_html(report), encoding="utf-8")
    return [out / "index.html", *(out / n for n in names)]


#: the folder of a report holding each figure's table (``data/<figure-id>.csv``)
DATA_DIR = "data"


def build_pair_report(atlas: Atlas, focus: str, years: str | None, subject, type, group: str, top: int,
                      command: str, say, periods: list[str] | None = None, *, source: str) -> Report:
    """The country report of ``focus`` from country-pair aggregates (module docstring; ``source``: the source
    whose engine holds them)."""
    capabilities = atlas.capabilities(source)
    refuse_pair_filters(capabilities, subject, type)
    unit = pair_country(capabilities, focus, "country")
    if years:
        first, last = parse_years(years)
    else:
        first, last = atlas.pair_years()
        first = max(first, last - MAX_TREND_YEARS + 1)
    span = f"{first}-{last}" if last > first else str(first)
    ctx = pair_context(atlas, source, years=span)
    counting = atlas.capabilities(source).counting_label
    label = charts.country_name(unit)
    say("partners")
    totals = atlas.totals(source=source, years=span, unit=unit)
    if totals.empty:
        raise CountingError(f"country {unit}: not in the country-pair data of this store for {span}")
    t = totals.iloc[0]
    # the diagonal counts internationally co-authored works only: never presented as total output
    headline = [("internationally co-authored works", _fmt(int(t["intl_works"]), "intl_works")),
                ("joint-work links with other countries", _fmt(int(t["partner_links"]), "partner_links")),
                ("partner countries", _fmt(int(t["partner_countries"]), "partner_countries"))]
    partners = atlas.partners(unit, years=span, source=source)
    sections = [Section("partners", "Top partners",
                        f"{label}'s partner countries ranked by works co-authored with them ({counting}).",
                        charts=[("partners", partners_figure(partners.head(top), ctx, label, top))],
                        tables=[(f"Top {top} partners of {label}, joint works", partners.head(top))])]
    say("trend")
    trends = {p: atlas.trend(unit, p, years=span, source=source) for p in partners["partner"].head(TREND_PARTNERS)}
    wide = charts.trend_frame(trends).pivot_table(index="label", columns="period", values="joint_works", sort=False)
    wide = wide.fillna(0).round().astype("int64")  # counts stay counts (a pivot makes floats: "16,102.000")
    sections.append(Section("trend", f"Trend {span}", f"Joint works per year of {label} with its top "
                            f"{len(trends)} partners ({counting}).",
                            charts=[("trend", trend_figure(trends, ctx, label))],
                            tables=[(f"Joint works per year, {span}",
                                     wide.reset_index().rename(columns={"label": "partner"}))]))
    say("map")
    sections.append(Section("map", "Partners on the map", f"Joint works of {label} with every partner country.",
                            charts=[("map", pair_map_figure(atlas, unit, label, span, ctx, source=source))]))
    sections.append(_group_section(atlas, unit, label, {"source": source}, ctx, first, last, group, top, say,
                                   periods))
    sections.append(Section("absent", "Not in this report", "What country-pair aggregates cannot give.",
                            notes=[not_available(capabilities) + "."]))
    return Report(focus=unit, kind="country", title=f"{label} ({unit}): research collaboration, world scale",
                  headline=headline, sections=sections, ctx=ctx, command=command, store=str(atlas.path),
                  generated=dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"))
