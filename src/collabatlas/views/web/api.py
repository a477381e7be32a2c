"""The JSON API (``/api/...``): one thin route per :class:`~collabatlas.atlas.Atlas` method.

Query parameters mirror the CLI options (``level``, ``years``, ``window``, ``subject``, ``type``,
``renormalize``, ``rollup``, ``limit``, ...). Every result is computed once per (method, normalised
parameters, data version) and then served from :class:`~collabatlas.views.web.cache.ResultCache`.

Errors: an unknown country / institution / sector is 404 with a message; a bad year range, window,
subject, group or period is 422 with a message (``{"detail": "..."}``). No input is ever formatted
into SQL: the Atlas passes every value as a query parameter.

Tables come as ``{"meta": {...}, "columns": [...], "rows": [{column: value}, ...]}``; ``meta.rows``
is the full row count, ``meta.returned`` the rows sent (``limit``). The same request always gets
the same body (serialised once, then served from the cache); the ``X-Cache`` header says ``hit`` or
``miss``.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import Enum
from typing import Annotated

import pandas as pd
from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import Response

from collabatlas.atlas import networks as netmod
from collabatlas.atlas import reference
from collabatlas.atlas.inputs import parse_two_periods
from collabatlas.atlas.reference import available_groups, group_members
from collabatlas.atlas.results import MAX_REPLICATES, find_institution
from collabatlas.counting.options import MetricOptions
from collabatlas.errors import CountingError, GroupError
from collabatlas.views.choices import DistanceLevel, Level, Source
from collabatlas.views.table_text import json_bytes
from collabatlas.views.web import sources
from collabatlas.views.web.api_models import DOCUMENT, TABLE
from collabatlas.views.web.params import (  # noqa: F401 - the option parameters, for the chart routes
    DualQ,
    JournalsQ,
    OptionsQ,
    RenormQ,
    RollupQ,
    SubjectQ,
    TypeQ,
    WindowQ,
    YearsQ,
    metric_query,
    refuse_unknown_parameters,
)
from collabatlas.views.web.service import Service

router = APIRouter(prefix="/api", tags=["api"], dependencies=[Depends(refuse_unknown_parameters)])


# -- parameters (the CLI's options) ------------------------------------------------------------

# the enums (Level, Source, DistanceLevel) are the CLI's: collabatlas.views.choices


LevelQ = Annotated[Level, Query(description="Unit of analysis.")]
LimitQ = Annotated[int, Query(ge=1, le=100_000, description="Rows to return (meta.rows gives the full count).")]
TopQ = Annotated[int, Query(ge=1, le=10_000, description="Only the N strongest.")]
CiQ = Annotated[int, Query(ge=0, le=MAX_REPLICATES, description="95% bootstrap intervals from this many replicates "
                                                                "(0: none).")]
SourceQ = Annotated[Source, Query(description="works: exact fractional counting; pairs: country-pair aggregates "
                                  "(full counts).")]
#: a required text parameter must hold a non-blank character (blank is 422, never "not given")
NOT_BLANK = r"\S"
UnitP = Annotated[str, Path(min_length=1, max_length=200, pattern=NOT_BLANK, description="Country code (JP), "
                            "institution id (I27837315) or sector (academic).")]


# -- serialisation -----------------------------------------------------------------------------

def dumps(body: dict) -> bytes:
    """The JSON of a response: floats rounded and written as in the CLI's CSV and JSON
    (:mod:`collabatlas.rounding`)."""
    return json_bytes(body)


def json_response(body: dict | bytes, cached: bool | None = None) -> Response:
    """A JSON response; ``X-Cache: hit|miss`` tells whether the body came from the result cache."""
    headers = {} if cached is None else {"X-Cache": "hit" if cached else "miss"}
    return Response(body if isinstance(body, bytes) else dumps(body), media_type="application/json",
                    headers=headers)


def records(df: pd.DataFrame) -> list[dict]:
    return df.to_dict(orient="records")


def meta(endpoint: str, params: dict, version: int, **extra) -> dict:
    """The ``meta`` of a response: the parameters as the cache key sees them (service.normalise:
    strings stripped, blank ones left out), the data version, and where the numbers come from —
    ``source``, ``counting``, ``filters`` and a one-line ``caption`` stating them (``extra`` may
    replace any, e.g. the counting of a distance table)."""
    shown = {k: v.value if isinstance(v, Enum) else v.strip() if isinstance(v, str) else v
             for k, v in params.items() if v not in (None, False) and not (isinstance(v, str) and not v.strip())}
    described = sources.describe(shown.get("source", "works"), shown)
    described.update({k: extra.pop(k) for k in ("counting", "source_label") if k in extra})
    described["caption"] = sources.caption(described)
    return {"endpoint": endpoint, "params": shown, "data_version": version,
            "reference_data": reference.versions_line(), **described, **extra}


def table(endpoint: str, result: tuple[pd.DataFrame, bool, int], params: dict, limit: int | None,
          meta_extra: dict | None = None, notes: list[str] | None = None, **extra) -> dict:
    """A table response; ``meta.notes``: the result's caveats (``attrs["notes"]``, as the CLI prints them)
    and ``notes`` (those of the filters: :func:`collabatlas.atlas.workflows.coverage_notes`)."""
    df, _, version = result
    shown = df if limit is None else df.head(limit)
    # the engine's own words for where the numbers come from (the pair table names provider and date)
    named = {"source_label": df.attrs["source_label"]} if df.attrs.get("source_label") else {}
    if df.attrs.get("counting_label"):  # a result with its own counting (indicators, pair indices, impact)
        named["counting"] = df.attrs["counting_label"]
    caveats = [*(df.attrs.get("notes") or []), *(notes or [])]
    if caveats and "notes" not in (meta_extra or {}):
        named["notes"] = caveats
    return {"meta": meta(endpoint, params, version, rows=len(df), returned=len(shown),
                         **{**named, **(meta_extra or {})}),
            "columns": [str(c) for c in df.columns], "rows": records(shown), **extra}


def service(request: Request) -> Service:
    return request.app.state.service


def respond(request: Request, endpoint: str, params: dict, build: Callable[[Service], dict]) -> Response:
    """The JSON body ``build(service)`` for these parameters, serialised once and then served from the
    cache (the Atlas results it reads are cached too, and shared with other endpoints and charts)."""
    svc = service(request)
    body, cached, _ = svc.run("response:" + endpoint, params, lambda atlas, p: dumps(build(svc)))
    return json_response(body, cached)


def _metric(request: Request, endpoint: str, method: str, params: dict, limit: int | None) -> Response:
    """A table-valued Atlas method called with ``params`` as keyword arguments."""
    from collabatlas.atlas.workflows import coverage_notes

    def build(svc: Service) -> dict:
        result = svc.call(method, **params)
        source = getattr(params.get("source"), "value", params.get("source")) or "works"
        notes = coverage_notes(svc.atlas(), params.get("window"), params.get("subject"), source) \
            if params.get("window") or params.get("subject") else []
        return table(endpoint, result, params, limit, notes=notes)

    return respond(request, endpoint, {**params, "limit": limit}, build)


# -- routes ------------------------------------------------------------------------------------

@router.get("/info", responses=DOCUMENT, summary="What the store holds")
def info(request: Request) -> Response:
    """Rows per table, year span and data version of the store, and the result cache's state."""
    svc = service(request)
    summary, cached, version = svc.run("info", {}, lambda atlas, p: atlas.summary())
    stats = vars(svc.cache.stats).copy()
    return json_response({"meta": meta("info", {}, version), "summary": summary, "cache": stats,
                          "threads": svc.atlases.threads}, cached)


@router.get("/scores", responses=TABLE, summary="Count and Share per unit")
def scores(request: Request, options: OptionsQ, level: LevelQ = Level.country,
           by_year: Annotated[bool, Query(description="One row per unit and year.")] = False,
           base_year: Annotated[int | None, Query(ge=1000, le=3000, description="Add adjusted_share relative "
                                                  "to this year (implies by_year).")] = None,
           limit: LimitQ = 1000) -> Response:
    """Count and fractional Share per unit (``collabatlas scores``).
    Example: ``/api/scores?level=country&years=2015-2021``"""
    return _metric(request, "scores", "scores", dict(level=level, **options.given(), by_year=by_year,
                                                     base_year=base_year), limit)


@router.get("/pairs", responses=TABLE, summary="Bilateral collaboration score per pair")
def pairs(request: Request, options: OptionsQ, level: LevelQ = Level.country,
          by_year: Annotated[bool, Query(description="One row per pair and year.")] = False,
          min_joint: Annotated[int, Query(ge=1, le=1_000_000, description="Only pairs with at least this many "
                                          "joint works.")] = 1,
          indices: Annotated[str | None, Query(max_length=100, description="Normalised pair indices on full "
                                               "counts, comma-separated: salton, jaccard, association, ric (with "
                                               "ric_ba).", examples=["salton,jaccard,association,ric"])] = None,
          ci: CiQ = 0, source: SourceQ = Source.works, limit: LimitQ = 1000) -> Response:
    """Bilateral CS per pair, strongest first (``collabatlas pairs``); ``indices`` adds the normalised
    pair indices (``ci``: their bootstrap intervals).
    Example: ``/api/pairs?level=country&years=2020&indices=salton,ric``"""
    return _metric(request, "pairs", "pairs", dict(level=level, **options.given(), by_year=by_year,
                                                   min_joint=min_joint, indices=indices, ci=ci, source=source), limit)


#: the options of the impact table: the work filters and renormalisation
ImpactQ = Annotated[MetricOptions, Depends(metric_query("years", "window", "subject", "type", "journals",
                                                        "renormalize"))]


class ImpactCounting(str, Enum):
    full = "full"
    fractional = "fractional"


class ImpactNormalisation(str, Enum):
    openalex = "openalex"
    store = "store"


@router.get("/impact/{unit}", responses=TABLE, summary="Citation impact of a unit's works by collaboration type")
def impact(request: Request, unit: UnitP, options: ImpactQ, level: LevelQ = Level.country,
           counting: Annotated[ImpactCounting, Query(description="full (plain means) or fractional (Share-weighted "
                                                     "means).")] = ImpactCounting.full,
           normalisation: Annotated[ImpactNormalisation, Query(description="openalex (fwci, is_in_top_10_percent) "
                                                               "or store (same year, field and type in the "
                                                               "store).")] = ImpactNormalisation.openalex,
           ci: CiQ = 0) -> Response:
    """Rows single, national, international, industry and all: p, p_frac, p_impact, mcs, mncs, pp_top10
    (``collabatlas impact``); ``meta.counting`` names the normalisation and counting, ``meta.coverage``
    how many of the unit's works are eligible. Example: ``/api/impact/US?normalisation=store``"""
    params = dict(unit=unit, level=level, **options.given(), counting=counting.value,
                  normalisation=normalisation.value, ci=ci)

    def build(svc: Service) -> dict:
        result = svc.call("impact", **params)
        df = result[0]
        return table("impact", result, params, None, {"counting": df.attrs.get("caption"),
                                                      "coverage": df.attrs.get("coverage") or {}})

    return respond(request, "impact", params, build)


@router.get("/collaboration", responses=TABLE, summary="Total CS per unit: domestic, international, industry")
def collaboration(request: Request, options: OptionsQ, level: LevelQ = Level.institution,
                  source: SourceQ = Source.works, limit: LimitQ = 1000) -> Response:
    """Count, Share and total CS split into domestic / international / industry (``collabatlas collaboration``);
    ``source=pairs``: the country-pair table's intl_works and partner links (country level, full counts)."""
    return _metric(request, "collaboration", "totals", dict(level=level, **options.given(), source=source), limit)


IndustryQ = Annotated[MetricOptions, Depends(metric_query("years", "window", "subject", "type", "journals", "rollup"))]


@router.get("/industry", responses=TABLE, summary="Corporate institutions' collaboration with academia")
def industry(request: Request, options: IndustryQ, limit: LimitQ = 1000) -> Response:
    """Joint works with academia, own and academic Share on them, contribution % (``collabatlas industry``)."""
    return _metric(request, "industry", "industry", options.given(), limit)


@router.get("/units", responses=TABLE, summary="Units of a level, for pickers (search by id or name)")
def units(request: Request, level: LevelQ = Level.country,
          q: Annotated[str | None, Query(max_length=200, description="Part of the id or name (any case).")] = None,
          limit: LimitQ = 50) -> Response:
    """The units of ``level`` that have works, by Share (``unit[, name], count``), optionally matching ``q``."""
    def build(svc: Service) -> dict:
        df, cached, version = svc.call("scores", level=level)
        found = df[[c for c in ("unit", "name", "count") if c in df.columns]]
        if q and q.strip():
            needle = q.strip().lower()
            match = found["unit"].str.lower().str.contains(needle, regex=False)
            if "name" in found:
                match |= found["name"].fillna("").str.lower().str.contains(needle, regex=False)
            found = found[match]
        return table("units", (found, cached, version), {"level": level, "q": q}, limit)

    return respond(request, "units", {"level": level, "q": q, "limit": limit}, build)


@router.get("/partners/{unit}", responses=TABLE, summary="Top partners of a unit by bilateral CS")
def partners(request: Request, unit: UnitP, options: OptionsQ, level: LevelQ = Level.country, top: TopQ = 10,
             report_dual: Annotated[bool, Query(description="Add cs_without_dual and dual_cs.")] = False,
             ci: CiQ = 0, source: SourceQ = Source.works) -> Response:
    """Partners with joint_count, cs, % of international CS and CS per year (``collabatlas partners``).
    Example: ``/api/partners/US?years=2015-2018&top=5``"""
    return _metric(request, "partners", "partners", dict(unit=unit, level=level, top=top, **options.given(),
                                                         report_dual=report_dual, ci=ci, source=source), None)


@router.get("/works/{unit}", responses=TABLE, summary="The works behind a figure, with their contributions")
def works(request: Request, unit: UnitP, options: OptionsQ, level: LevelQ = Level.country,
          partner: Annotated[str | None, Query(min_length=1, max_length=200, pattern=r"\S",
                                               description="A partner: the works behind the bilateral CS.")] = None,
          figure: Annotated[str | None, Query(max_length=40, description="share, count, cs, cs_total, cs_domestic, "
                                              "cs_international, cs_unknown_country or cs_industry.")] = None,
          partner_country: Annotated[str | None, Query(min_length=1, max_length=200, pattern=r"\S", description=
              "Institution level: its works with the institutions of this country (a hotspot).")] = None,
          page: Annotated[int, Query(ge=1, le=100_000, description="Page number (1-based).")] = 1,
          page_size: Annotated[int, Query(ge=1, le=1000, description="Works per page.")] = 100) -> Response:
    """One row per work behind a figure (``collabatlas works``), largest contribution first, paged;
    ``meta.total`` is the figure (the sum over all pages) and ``meta.rows`` the number of works.
    Example: ``/api/works/US?partner=GB&years=2005-2009&page=1``;
    ``/api/works/I1?level=institution&partner_country=FR``: an institution's works with a country."""
    params = dict(unit=unit, partner=partner, level=level, figure=figure, partner_country=partner_country,
                  **options.given())

    def build(svc: Service) -> dict:
        df, _, version = svc.call("works", **params)
        start = (page - 1) * page_size
        shown = df.iloc[start:start + page_size]
        return {"meta": meta("works", {**params, "page": page, "page_size": page_size}, version,
                             figure=df.attrs.get("figure"), total=df.attrs.get("total"), rows=len(df),
                             returned=len(shown), pages=max(1, -(-len(df) // page_size))),
                "columns": [str(c) for c in df.columns], "rows": records(shown)}

    return respond(request, "works", {**params, "page": page, "page_size": page_size}, build)


#: a trend's periods are years or windows (window_end_month): every option but the window
TrendQ = Annotated[MetricOptions, Depends(metric_query("years", "subject", "type", "journals", "renormalize", "rollup",
                                                       "exclude_dual_affiliations"))]


@router.get("/trend/{unit_a}/{unit_b}", responses=TABLE, summary="Bilateral CS of two units per period")
def trend(request: Request, unit_a: UnitP, unit_b: UnitP, options: TrendQ, level: LevelQ = Level.country,
          window_end_month: Annotated[int | None, Query(ge=1, le=12, description="12-month windows ending with "
                                                        "this month instead of calendar years.")] = None,
          compare: Annotated[str | None, Query(max_length=40, description="Two periods P1,P2: add the % change "
                                               "of CS between them.", examples=["2015,2018"])] = None,
          report_dual: Annotated[bool, Query(description="Add cs_without_dual and dual_cs.")] = False,
          ci: CiQ = 0, source: SourceQ = Source.works) -> Response:
    """CS and joint works per year (or window) with the change from the previous period (``collabatlas trend``).
    Example: ``/api/trend/GB/US?years=2010-2018&compare=2010,2018``"""
    from collabatlas.atlas.results import period_change

    params = dict(unit_a=unit_a, unit_b=unit_b, level=level, **options.given(), window_end_month=window_end_month,
                  report_dual=report_dual, ci=ci, source=source)
    def build(svc: Service) -> dict:
        result = svc.call("trend", **params)
        extra = {}
        if compare:
            first, last = _two_periods(compare)
            capabilities = svc.atlas().capabilities(source.value)
            # the change with the works at each end and the small-n flag, as `trend --compare` says it
            extra["compare"] = period_change(result[0], first, last, value=capabilities.trend_value)
        return table("trend", result, {**params, "compare": compare}, None, **extra)

    return respond(request, "trend", {**params, "compare": compare}, build)


def _two_periods(compare: str) -> tuple[int, int]:
    return parse_two_periods(compare)  # the library's rule, as for `collabatlas trend --compare`


WindowEndQ = Annotated[int | None, Query(ge=1, le=12, description="12-month windows ending with this month "
                                         "instead of calendar years.")]
DistanceQ = Annotated[MetricOptions, Depends(metric_query("years", "subject", "type", "renormalize", "rollup",
                                                          "exclude_dual_affiliations"))]
FoldQ = Annotated[bool, Query(description="Count Hong Kong and Macao as China.")]


@router.get("/distance/{unit}", responses=TABLE, summary="How far a unit collaborates internationally, per period")
def distance(request: Request, unit: UnitP, options: DistanceQ,
             level: Annotated[DistanceLevel, Query(description="country or institution.")] = DistanceLevel.country,
             window_end_month: WindowEndQ = None, fold_hk_mo: FoldQ = False,
             partners: Annotated[bool, Query(description="One row per partner: joint works, CS and CS-weighted "
                                             "distance.")] = False) -> Response:
    """Per period, the unit's international works by distance band (< 1,000, 1,000-3,000, 3,000-5,000,
    >= 5,000 km), their median distance and the CS-weighted mean distance to its partners
    (``collabatlas distance``). ``meta.coverage`` counts the institutions without coordinates;
    ``meta.note`` says why when no distance can be measured. Example: ``/api/distance/US?years=2000-2009``"""
    params = dict(unit=unit, level=level, **options.given(), window_end_month=window_end_month,
                  fold_hk_mo=fold_hk_mo, partners=partners)

    def build(svc: Service) -> dict:
        from collabatlas.views.charts_distance import distance_meta

        result = distance_result(svc, **params)
        return table("distance", result, params, None, distance_meta(result[0]))

    return respond(request, "distance", params, build)


def distance_result(svc: Service, **params):
    """``(Atlas.distance frame, cached, data_version)``; an institution may be given by id, ROR id or
    part of its name, as on the profile route. Also used by the chart."""
    def compute(atlas, p):
        if p.get("level") == "institution":
            p = dict(p, unit=_find_institution(atlas, p["unit"]))
        return atlas.distance(**p)

    return svc.run("distance", params, compute)


@router.get("/profile/{institution}", responses=DOCUMENT, summary="An institution's collaboration profile")
def profile(request: Request,
            institution: Annotated[str, Path(min_length=1, max_length=200, pattern=NOT_BLANK,
                                             description="OpenAlex id, ROR id or part of the name.")],
            options: OptionsQ, top: Annotated[int, Query(ge=1, le=1000, description="Rows in each ranking.")] = 5,
            ) -> Response:
    """Headline Count / Share / CS, hotspot countries, top partners (own vs partner contribution), corporate
    partners (``collabatlas profile``). Example: ``/api/profile/I78577930``"""
    params = dict(institution=institution, top=top, **options.given())

    def build(svc: Service) -> dict:
        report, _, version = profile_result(svc, **params)
        return {"meta": meta("profile", params, version), **report.to_dict()}

    return respond(request, "profile", params, build)


def profile_result(svc: Service, **params):
    """``(InstitutionProfile, cached, data_version)``; also used by the charts."""
    def compute(atlas, p):
        return atlas.profile(**dict(p, institution=_find_institution(atlas, p["institution"])))

    return svc.run("profile", params, compute)


def _find_institution(atlas, query: str) -> str:
    """The institution id for ``query``; no match is an unknown unit (404), several matches a 422."""
    return find_institution(atlas, query)


@router.get("/groups", responses=TABLE, summary="Country groups for /api/group")
def groups(request: Request) -> Response:
    """Every country group (``bri``, ``income:high``, ``eu``, ``wb-region:...``) and where its members come from."""
    svc = service(request)
    df = pd.DataFrame([g.__dict__ for g in available_groups(svc.data_dir)])
    return json_response(table("groups", (df, False, svc.data_version(svc.atlas())), {}, None))


#: a group's periods are its years or windows: every option but years, window and roll-up (country level)
GroupQ = Annotated[MetricOptions, Depends(metric_query("subject", "type", "journals", "renormalize",
                                                       "exclude_dual_affiliations"))]


@router.get("/group/{country}", responses=DOCUMENT, summary="A country with a country group over periods")
def group(request: Request,
          country: Annotated[str, Path(min_length=1, max_length=20, pattern=NOT_BLANK,
                                       description="Focus country, e.g. CN.")],
          group: Annotated[str, Query(min_length=1, max_length=100, pattern=NOT_BLANK,
                                      description="Group name (see /api/groups).", examples=["bri"])],
          periods: Annotated[str, Query(min_length=1, max_length=200, pattern=r"\d", description="Comma-separated "
                                        "years or year ranges.", examples=["2010-2013,2014-2018"])],
          options: GroupQ, top: Annotated[int, Query(ge=1, le=1000, description="Top group partners to list.")] = 10,
          source: SourceQ = Source.works, ci: CiQ = 0) -> Response:
    """Works and CS with the group per period, growth, top group partners (``collabatlas group``).
    Example: ``/api/group/US?group=income:high&periods=2010-2013,2014-2018``"""
    if group.strip().lower().startswith("csv:"):
        raise GroupError("csv: groups read files on the server and are not offered by the API; "
                         "use the CLI or Atlas.group(members=...)")
    params = dict(country=country, group=group, periods=periods, top=top, **options.given(), source=source, ci=ci)
    def build(svc: Service) -> dict:
        result, _, version = group_result(svc, **params)
        body = {"periods": records(result)} if isinstance(result, pd.DataFrame) else result.to_dict()
        named = {"source_label": body.pop("source_label")} if "source_label" in body else {}
        return {"meta": meta("group", params, version, **named), **body}

    return respond(request, "group", params, build)


def group_result(svc: Service, **params):
    """``(GroupReport or full-count table, cached, data_version)``; also used by the charts."""
    if str(params.get("group", "")).strip().lower().startswith("csv:"):
        raise GroupError("csv: groups read files on the server and are not offered by the API; "
                         "use the CLI or Atlas.group(members=...)")

    def compute(atlas, p):
        # a blank value is left out by the normalised parameters: the library says what is missing
        period_list = [x.strip() for x in p.get("periods", "").split(",") if x.strip()]
        if not period_list:
            raise CountingError("give at least one period, e.g. periods=2013-2015,2016-2018")
        if not p.get("group"):
            raise GroupError("group: a group name is needed (see /api/groups)")
        members = group_members(p["group"], svc.data_dir)
        return atlas.group(p.get("country", ""), p["group"], period_list, members=members,
                           **{k: v for k, v in p.items() if k not in ("country", "group", "periods")})

    return svc.run("group", params, compute)


LandscapeXQ = Annotated[str | None, Query(pattern=r"^(log_gerd|log_gerd_ppp|trust_pct)"
                                                  r"(,(log_gerd|log_gerd_ppp|trust_pct))*$",
                                          description="Regressors, comma-separated: log_gerd (GERD % of GDP), "
                                          "log_gerd_ppp (GERD, PPP $, NSF), trust_pct.",
                                          examples=["log_gerd_ppp"])]


@router.get("/landscape", responses=DOCUMENT, summary="International share vs R&D spending and trust")
def landscape(request: Request,
              year: Annotated[int, Query(ge=1900, le=2100, description="Publication year.", examples=[2018])],
              trust: Annotated[bool, Query(description="Also regress on trust (WVS), not only log10 GERD.")] = False,
              x: LandscapeXQ = None,
              min_n: Annotated[int, Query(ge=2, le=1000, description="Fit a group only with at least this many "
                                          "countries.")] = 5,
              min_works: Annotated[int, Query(ge=1, le=1_000_000, description="Leave out countries with fewer works "
                                              "that year.")] = 10,
              subject: SubjectQ = None, type_: TypeQ = None) -> Response:
    """Per country: works, international share, GERD, trust, income group; OLS fits overall and by income group
    (``collabatlas landscape``). Example: ``/api/landscape?year=2016``"""
    params = dict(year=year, trust=trust, x=x, min_n=min_n, min_works=min_works, subject=subject, type=type_)
    def build(svc: Service) -> dict:
        result, _, version = landscape_result(svc, **params)
        (countries, fit), summary = result, result.summary()
        return {"meta": meta("landscape", params, version, counting=summary["counting"]),
                "countries": records(countries), "fit": records(fit), **summary}

    return respond(request, "landscape", params, build)


def landscape_result(svc: Service, **params):
    """``((countries, fit), cached, data_version)``; also used by the charts."""
    def compute(atlas, p):
        p = dict(p)
        trust, chosen = p.pop("trust", False), p.pop("x", None)
        if trust and chosen:
            raise CountingError("x and trust: give one (trust=true is x=log_gerd,trust_pct)")
        x = chosen.split(",") if chosen else (["log_gerd", "trust_pct"] if trust else "log_gerd")
        return atlas.landscape(p.pop("year"), x=x, data_dir=svc.data_dir, show_all_when_none=True, **p)

    return svc.run("landscape", params, compute)


Weight, Normalization, NodeMeasure = netmod.Weight, netmod.Normalization, netmod.NodeMeasure  # the library's
Quality, Layout = netmod.Quality, netmod.Layout


@router.get("/network", responses=DOCUMENT, summary="Clustered, laid-out collaboration network")
def network(request: Request, options: OptionsQ, level: LevelQ = Level.country,
            weight: Annotated[Weight | None, Query(description="Edge weight (default cs; joint_count with "
                                                   "source=pairs).")] = None,
            normalize: Annotated[Normalization, Query(description="Edge normalisation.")] = Normalization.association,
            min_weight: Annotated[float, Query(ge=0, le=1e12, description="Drop edges whose raw weight is "
                                               "below.")] = 0.0,
            top: Annotated[int, Query(ge=1, le=5000, description="Keep the N largest nodes.")] = 100,
            top_by: Annotated[NodeMeasure | None, Query(description="Node size measure for top (default cs_total; "
                                                         "count with source=pairs).")] = None,
            max_edges: Annotated[int | None, Query(ge=1, le=1000, description="Each node keeps its N strongest "
                                                   "edges.")] = 10,
            resolution: Annotated[float, Query(gt=0, le=100, description="Leiden resolution.")] = 1.0,
            quality: Annotated[Quality, Query(description="Leiden quality function.")] = Quality.modularity,
            layout: Annotated[Layout, Query(description="Layout algorithm.")] = Layout.fr,
            seed: Annotated[int, Query(ge=0, le=2**31 - 1,
                                       description="Seed of clustering and layout.")] = netmod.DEFAULT_SEED,
            source: SourceQ = Source.works) -> Response:
    """Nodes (id, label, count, share, cs_total, links, cluster, x, y) and edges (source, target, joint_count,
    cs, weight) from pairs and totals (``collabatlas network``). Example: ``/api/network?level=country&top=50``"""
    params = dict(level=level, **options.given(), weight=weight,
                  normalize=normalize, min_weight=min_weight, top=top, top_by=top_by, max_edges=max_edges,
                  resolution=resolution, quality=quality, layout=layout, seed=seed, source=source)
    def build(svc: Service) -> dict:
        net, _, version = network_result(svc, **params)
        return {"meta": meta("network", params, version), "network": net["meta"], "nodes": net["nodes"],
                "edges": net["edges"]}

    return respond(request, "network", params, build)


#: the parameters of a network that are the library's metric options (and its level)
FILTER_KEYS = ("level", *MetricOptions().kwargs())
#: the network route's parameter names that differ from build_network's keywords
NETWORK_KEYWORDS = {"normalize": "normalize_by"}


def network_result(svc: Service, **params):
    """``(network dict with meta / nodes / edges, cached, data_version)``: :func:`build_network
    <collabatlas.analyses.network.build_network>` on the pairs and totals of the cache shared with
    /api/pairs and /api/collaboration."""
    def compute(atlas, p):
        keywords = {NETWORK_KEYWORDS.get(k, k): v for k, v in p.items()}
        capabilities = atlas.capabilities(p.get("source", "works"))
        capabilities.require("network")
        keywords = {k: v for k, v in keywords.items() if v is not None}
        if "fractional" not in capabilities.counting_modes:  # full counts: the library's defaults (joint works)
            return netmod.build_network(atlas, **keywords).to_dict()
        options = {k: p[k] for k in FILTER_KEYS if k in p}
        pairs, _, _ = svc.call("pairs", **options)
        totals, _, _ = svc.call("totals", **options)
        keywords.pop("source", None)
        return netmod.build_network(atlas, frames=(pairs, totals), **keywords).to_dict()

    return svc.run("network", params, compute)
