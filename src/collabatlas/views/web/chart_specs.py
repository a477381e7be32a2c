"""Vega-Lite specs of the dashboard's charts (``/api/chart/...``), made by :mod:`collabatlas.views.charts`.

Each route fetches its data through the same cached calls as the JSON API (so a chart and its
table share one computation), passes it to the chart function of :mod:`collabatlas.views.charts` and
returns ``chart.to_dict()``; the spec itself is cached too. The browser renders it with vega-embed.
No chart is defined here, except the network map, which :mod:`collabatlas.views.charts` does not have.
"""

from __future__ import annotations

from typing import Annotated

import pandas as pd
from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from collabatlas.atlas.inputs import NI_SUBJECTS, ni_subject
from collabatlas.errors import CountingError
from collabatlas.views import charts
from collabatlas.views.chart_figures import group_figure, landscape_figure, map_figure, partners_figure, trend_figure
from collabatlas.views.figures import Editorial, unit_colours
from collabatlas.views.web import sources
from collabatlas.views.web.api import (
    DistanceLevel,
    LandscapeXQ,
    Level,
    LevelQ,
    Source,
    SourceQ,
    SubjectQ,
    TypeQ,
    UnitP,
    WindowEndQ,
    WindowQ,
    YearsQ,
    distance_result,
    dumps,
    group_result,
    json_response,
    landscape_result,
    network_result,
    profile_result,
    service,
)
from collabatlas.views.web.api_models import CHART
from collabatlas.views.web.params import refuse_unknown_parameters
from collabatlas.views.web.service import Service

router = APIRouter(prefix="/api/chart", tags=["charts"], dependencies=[Depends(refuse_unknown_parameters)])

TopChartQ = Annotated[int, Query(ge=1, le=100, description="Bars to draw.")]


def editorial_query(title: Annotated[str | None, Query(max_length=200, description="Your own title.")] = None,
                    subtitle: Annotated[str | None, Query(max_length=300, description="A subtitle.")] = None,
                    note: Annotated[str | None, Query(max_length=500, description="A note below the caption.")] = None,
                    highlight: Annotated[str | None, Query(max_length=200, description="Units to highlight, "
                                                           "comma-separated; the others muted.")] = None
                    ) -> Editorial:
    """The editorial fields of a chart export (as ``collabatlas chart --title ... --highlight``)."""
    return Editorial.of(title, subtitle, note, highlight)


EditorialQ = Annotated[Editorial, Depends(editorial_query)]


def _look(editorial: Editorial) -> dict:
    """The editorial fields as cache-key parameters (only those given)."""
    return {k: v for k, v in (("title", editorial.title), ("subtitle", editorial.subtitle), ("note", editorial.note),
                              ("highlight", ",".join(editorial.highlight))) if v}


def _editorial(p: dict) -> Editorial:
    return Editorial.of(p.get("title"), p.get("subtitle"), p.get("note"), p.get("highlight"))


def _ranked(svc: Service, unit: str, **filters) -> list[str]:
    """The partners of ``unit``, strongest first (the order that gives each unit its colour)."""
    df, _, _ = svc.call("partners", unit=unit, top=None, **{k: v for k, v in filters.items() if v is not None})
    return list(df["partner"])
FILTERS = ("years", "window", "subject", "type")
#: what a caption names besides the filters: the group and periods of the group chart
CAPTIONED = (*FILTERS, "periods", "group")
#: the editorial parameters of a chart export (not passed to the Atlas)
LOOK = ("title", "subtitle", "note", "highlight")


def _source(svc: Service, version: int) -> str:
    """Where the store's works come from (``works from OpenAlex, WoS, ...``), once per data version."""
    from collabatlas.views.chart_text import source_text

    cached = getattr(svc, "_chart_source", None)
    if cached is None or cached[0] != version:
        cached = (version, source_text(svc.atlas()))
        svc._chart_source = cached
    return cached[1]


def _context(version: int, svc: Service | None = None, **filters) -> charts.ChartContext:
    """The chart caption's filters, data version, counting and source (``source=pairs``: the
    country-pair aggregates, full counts)."""
    kept = {k: v for k, v in filters.items() if k in CAPTIONED and v not in (None, "", False)}
    source = getattr(filters.get("source"), "value", filters.get("source")) or "works"
    capabilities = sources.capabilities(svc, source)
    if "fractional" not in capabilities.counting_modes:  # the engine's own caption words (provider, date)
        return charts.ChartContext(filters=kept, data_version=version, counting=capabilities.counting_label,
                                   source=capabilities.source_label)
    return charts.ChartContext(filters=kept, data_version=version,
                               source=_source(svc, version) if svc is not None else "works")


def csv_dataset(spec: dict) -> str | None:
    """The name of the inline dataset a chart's CSV download holds: the largest table of units
    (rows with a partner, country, label or unit), else the largest table."""
    tables = {name: rows for name, rows in (spec.get("datasets") or {}).items()
              if isinstance(rows, list) and rows and isinstance(rows[0], dict)}
    if not tables:
        return None
    units = {n: r for n, r in tables.items() if {"partner", "country", "label", "unit"} & set(r[0])}
    pool = units or tables
    return max(pool, key=lambda n: (len(pool[n]), len(pool[n][0])))


def _spec(svc: Service, kind: str, params: dict, build, counting: str | None = None) -> Response:
    """The Vega-Lite spec of ``build(params)`` (an Altair chart), serialised once, then cached; its
    ``usermeta.csv`` names the dataset of the dashboard's CSV download. ``build`` may return a note
    (a string) instead: then ``spec`` is ``null`` and ``meta.note`` says why nothing is drawn."""
    def compute(atlas, p):
        built = build(p)
        described = sources.describe(p.get("source", "works"), p)
        # the engine's own words on this store (the pair table's provider and retrieval date), as tables say them
        described["source_label"] = atlas.capabilities(described["source"]).source_label
        if counting:
            described["counting"] = counting
        head = {"chart": kind, "data_version": svc.data_version(atlas), **described,
                "caption": sources.caption(described)}
        if isinstance(built, str):
            return dumps({"meta": {**head, "note": built}, "spec": None})
        spec = charts.spec(built)
        spec.setdefault("usermeta", {})["csv"] = csv_dataset(spec)
        return dumps({"meta": head, "spec": spec})

    body, cached, _ = svc.run(f"chart:{kind}", params, compute)
    return json_response(body, cached)


@router.get("/partners/{unit}", responses=CHART, summary="Partner bars (Vega-Lite)")
def partner_chart(request: Request, unit: UnitP, level: LevelQ = Level.country, years: YearsQ = None,
                  window: WindowQ = None, subject: SubjectQ = None, type_: TypeQ = None,
                  top: TopChartQ = 15, source: SourceQ = Source.works, editorial: EditorialQ = None) -> Response:
    svc = service(request)
    params = dict(unit=unit, level=level, years=years, window=window, subject=subject, type=type_, top=top,
                  source=source)

    def build(p):
        query = {k: v for k, v in p.items() if k not in LOOK}
        df, _, version = svc.call("partners", **query)
        return partners_figure(df, _context(version, svc, **params), _unit_label(svc, p["level"], p["unit"]),
                               p["top"], editorial=_editorial(p))

    params.update(_look(editorial))

    return _spec(svc, "partners", params, build)


def _label(df: pd.DataFrame, unit: str) -> str:
    return charts.country_name(unit.upper()) if len(unit.strip()) == 2 else unit


def _unit_label(svc: Service, level, unit: str) -> str:
    """A country's name, an institution's name (its id when unnamed), a sector as given."""
    level = getattr(level, "value", level) or "country"
    if level == "country" or (level is None and len(unit.strip()) == 2):
        return charts.country_name(unit.strip().upper())
    if level == "institution":
        from collabatlas.views.chart_figures import institution_name as _institution_name

        try:
            return _institution_name(svc.atlas(), svc.atlas().resolve_unit("institution", unit))
        except Exception:
            return unit
    return unit


@router.get("/map", responses=CHART, summary="World map of country Share, or of a country's partners (Vega-Lite)")
def map_chart(request: Request,
              unit: Annotated[str | None, Query(max_length=20, description="A country: map its partners' CS; "
                                                "none: every country's Share.")] = None,
              years: YearsQ = None, window: WindowQ = None, subject: SubjectQ = None, type_: TypeQ = None,
              source: SourceQ = Source.works, editorial: EditorialQ = None) -> Response:
    svc = service(request)
    params = dict(unit=unit, years=years, window=window, subject=subject, type=type_, source=source,
                  **_look(editorial))

    def build(p):
        filters = {k: p.get(k) for k in FILTERS}
        capabilities = sources.capabilities(svc, p.get("source") or "works")
        pairs = "fractional" not in capabilities.counting_modes
        if p.get("unit"):
            df, _, version = svc.call("partners", unit=p["unit"], level="country", top=None, source=p.get("source"),
                                      **filters)
            focus = p["unit"] if len(p["unit"]) == 2 else None
            if pairs:
                return map_figure(df, _context(version, svc, **params),
                                  f"Joint works of {_label(df, p['unit'])} with each country (full count)",
                                  _editorial(p), value="joint_works", country="partner", data_dir=svc.data_dir,
                                  definition=charts.PAIRS_DEFINITION, value_title="Joint works", focus=focus)
            title = f"Bilateral CS of {_label(df, p['unit'])} with each country"
            return map_figure(df, _context(version, svc, **params), title, _editorial(p), value="cs",
                              country="partner", data_dir=svc.data_dir, focus=focus)
        if pairs:
            raise CountingError(f"the map of every country's Share needs work-level data: not available with "
                                f"{capabilities.called}; give a country (unit=...) to map its partners' joint works")
        df, _, version = svc.call("scores", level="country", **filters)
        return map_figure(df, _context(version, svc, **params), "Share of each country", _editorial(p),
                          value="share", country="unit", data_dir=svc.data_dir, value_title="Share",
                          definition="Share = Σ over works of the country's fractional part "
                                     "(1/authors, split over each author's institutions)")

    return _spec(svc, "map", params, build)


@router.get("/trend/{unit}", responses=CHART, summary="Bilateral CS per year with several partners (Vega-Lite)")
def trend_chart(request: Request, unit: UnitP, level: LevelQ = Level.country,
                partners: Annotated[str | None, Query(max_length=400, description="Comma-separated partners; "
                                                      "default: the 5 strongest.")] = None,
                years: YearsQ = None, subject: SubjectQ = None, type_: TypeQ = None,
                window_end_month: Annotated[int | None, Query(ge=1, le=12)] = None,
                source: SourceQ = Source.works, editorial: EditorialQ = None) -> Response:
    svc = service(request)
    params = dict(unit=unit, level=level, partners=partners, years=years, subject=subject, type=type_,
                  window_end_month=window_end_month, source=source, **_look(editorial))

    def build(p):
        filters = dict(level=p.get("level"), years=p.get("years"), subject=p.get("subject"), type=p.get("type"),
                       source=p.get("source"))
        names = [x.strip() for x in (p.get("partners") or "").split(",") if x.strip()]
        if not names:
            top, _, _ = svc.call("partners", unit=p["unit"], top=5, **filters)
            names = list(top["partner"])
        trends, version = {}, 0
        for name in names[:12]:
            trends[name], _, version = svc.call("trend", unit_a=p["unit"], unit_b=name,
                                                window_end_month=p.get("window_end_month"), **filters)
        label = _unit_label(svc, p.get("level"), p["unit"])
        title = (f"Collaboration of {label} and {_unit_label(svc, p.get('level'), names[0])}, per year"
                 if p.get("partners") and len(names) == 1 else None)  # the pair explorer
        colours = unit_colours(_ranked(svc, p["unit"], **filters), list(trends))
        return trend_figure(trends, _context(version, svc, **params), label, title=title, colours=colours,
                            editorial=_editorial(p))

    return _spec(svc, "trend", params, build)


@router.get("/subjects/{unit}", responses=CHART, summary="Top partners per Nature Index subject (Vega-Lite)")
def subject_chart(request: Request, unit: UnitP, level: LevelQ = Level.country,
                  partner: Annotated[str | None, Query(max_length=200, description="Only this partner (the pair "
                                                       "explorer).")] = None,
                  years: YearsQ = None, window: WindowQ = None, type_: TypeQ = None,
                  top: Annotated[int, Query(ge=1, le=20)] = 5) -> Response:
    svc = service(request)
    params = dict(unit=unit, level=level, partner=partner, years=years, window=window, type=type_, top=top)

    def build(p):
        by_subject, version = {}, 0
        wanted = svc.atlas().resolve_unit(p.get("level", "country"), p["partner"]) if p.get("partner") else None
        for slug, (title, _) in NI_SUBJECTS.items():
            df, _, version = svc.call("partners", unit=p["unit"], level=p.get("level"), years=p.get("years"),
                                      window=p.get("window"), type=p.get("type"), subject=ni_subject(slug))
            by_subject[title] = df[df["partner"] == wanted] if wanted else df
        label = _unit_label(svc, p.get("level"), p["unit"])
        title = (f"Collaboration of {label} and {_unit_label(svc, p.get('level'), wanted)} by subject"
                 if wanted else None)
        return charts.subject_small_multiples(by_subject, _context(version, svc, **params), label, top=p["top"],
                                              title=title)

    return _spec(svc, "subjects", params, build)


def _profile_chart(request: Request, kind: str, draw, institution: str, **filters) -> Response:
    """A chart of an institution's profile: ``draw(report, ctx)``."""
    svc = service(request)
    params = dict(institution=institution, **filters)

    def build(p):
        report, _, version = profile_result(svc, **{"top": 10, **p})
        return draw(report, _context(version, svc, **params))

    return _spec(svc, kind, params, build)


@router.get("/contribution/{institution}", responses=CHART, summary="Own vs partner contribution (Vega-Lite)")
def contribution_chart(request: Request, institution: UnitP, years: YearsQ = None, window: WindowQ = None,
                       subject: SubjectQ = None, type_: TypeQ = None, top: TopChartQ = 10) -> Response:
    return _profile_chart(request, "contribution",
                          lambda report, ctx: charts.contribution_bars(report.partners, ctx, report.name or ""),
                          institution, years=years, window=window, subject=subject, type=type_, top=top)


@router.get("/hotspots/{institution}", responses=CHART, summary="Hotspot countries of an institution (Vega-Lite)")
def hotspot_chart(request: Request, institution: UnitP, years: YearsQ = None, window: WindowQ = None,
                  subject: SubjectQ = None, type_: TypeQ = None, top: TopChartQ = 10) -> Response:
    return _profile_chart(request, "hotspots",
                          lambda report, ctx: charts.hotspot_bars(report.hotspots, ctx, report.name or ""),
                          institution, years=years, window=window, subject=subject, type=type_, top=top)


@router.get("/group/{country}", responses=CHART, summary="Two-period circles of a country group (Vega-Lite)")
def group_chart(request: Request, country: UnitP,
                group: Annotated[str, Query(min_length=1, max_length=100, pattern=r"\S", examples=["bri"])],
                periods: Annotated[str, Query(min_length=1, max_length=200, pattern=r"\d",
                                              examples=["2010-2013,2014-2018"])],
                top: TopChartQ = 10, subject: SubjectQ = None, type_: TypeQ = None,
                source: SourceQ = Source.works, editorial: EditorialQ = None) -> Response:
    svc = service(request)
    params = dict(country=country, group=group, periods=periods, top=top, subject=subject, type=type_, source=source)

    def build(p):
        query = {k: v for k, v in p.items() if k not in LOOK}
        report, _, version = group_result(svc, **{**query, "source": p.get("source", "works"), "ci": 0})
        if len([x for x in p["periods"].split(",") if x.strip()]) < 2:
            raise CountingError("the circles compare two periods: give at least two, e.g. 2010-2013,2014-2018")
        return group_figure(report, _context(version, svc, **params), report.country, p["group"],
                            editorial=_editorial(p))

    params.update(_look(editorial))

    return _spec(svc, "group", params, build)


@router.get("/distance/{unit}", responses=CHART, summary="International works by distance band, per year (Vega-Lite)")
def distance_chart(request: Request, unit: UnitP,
                   level: Annotated[DistanceLevel,
                                    Query(description="country or institution.")] = DistanceLevel.country,
                   years: YearsQ = None, subject: SubjectQ = None, type_: TypeQ = None,
                   window_end_month: WindowEndQ = None) -> Response:
    """The distance bands of ``/api/distance/{unit}`` (the same cached result); when no distance can
    be measured (no geocoded institution), ``spec`` is ``null`` and ``meta.note`` says why."""
    from collabatlas.views.charts_distance import distance_bands, distance_note

    svc = service(request)
    params = dict(unit=unit, level=level, years=years, subject=subject, type=type_, window_end_month=window_end_month)

    def build(p):
        df, _, version = distance_result(svc, **p)
        label = _unit_label(svc, p.get("level"), str(df.attrs.get("unit") or p["unit"]))
        return distance_note(df, label) or distance_bands(df, _context(version, svc, **params), label)

    from collabatlas.views.charts_distance import DISTANCE_COUNTING

    return _spec(svc, "distance", params, build, counting=DISTANCE_COUNTING)


@router.get("/landscape", responses=CHART, summary="International share vs GERD / trust (Vega-Lite)")
def landscape_chart(request: Request, year: Annotated[int, Query(ge=1900, le=2100, examples=[2009])],
                    trust: bool = False, x: LandscapeXQ = None, min_n: Annotated[int, Query(ge=2, le=1000)] = 5,
                    subject: SubjectQ = None, type_: TypeQ = None, editorial: EditorialQ = None) -> Response:
    svc = service(request)
    params = dict(year=year, trust=trust, x=x, min_n=min_n, subject=subject, type=type_)

    def build(p):
        (countries, fit), _, version = landscape_result(svc, **{k: v for k, v in p.items() if k not in LOOK})
        return landscape_figure(countries, fit, _context(version, svc, **params), _editorial(p))

    params.update(_look(editorial))

    return _spec(svc, "landscape", params, build)


@router.get("/network", responses=CHART, summary="Network map (Vega-Lite)")
def network_chart(request: Request, level: LevelQ = Level.country, years: YearsQ = None, window: WindowQ = None,
                  subject: SubjectQ = None, type_: TypeQ = None,
                  top: Annotated[int, Query(ge=2, le=500, description="Nodes to draw.")] = 60,
                  source: SourceQ = Source.works) -> Response:
    svc = service(request)
    params = dict(level=level, years=years, window=window, subject=subject, type=type_, top=top, source=source)

    def build(p):
        net, _, version = network_result(svc, **{**p, "normalize": "association", "max_edges": 10, "seed": 42})
        return charts.network_map(net, _context(version, svc, **params))

    return _spec(svc, "network", params, build)
