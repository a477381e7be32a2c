"""``/api/indicators``: the collaboration indicators of ``collabatlas indicators`` (CWTS Leiden Ranking
style, :meth:`collabatlas.atlas.Atlas.indicators`), a route of the JSON API kept beside
:mod:`collabatlas.views.web.api` (which is near the line limit); the app includes both routers."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from collabatlas.counting.options import MetricOptions
from collabatlas.views.choices import Level
from collabatlas.views.web.api import CiQ, ImpactCounting, LevelQ, LimitQ, _metric
from collabatlas.views.web.api_models import TABLE
from collabatlas.views.web.params import metric_query, refuse_unknown_parameters

router = APIRouter(prefix="/api", tags=["api"], dependencies=[Depends(refuse_unknown_parameters)])

#: the options ``collabatlas indicators`` takes (views.commands.indicators.COUNTED)
COUNTED = ("years", "window", "subject", "type", "renormalize", "rollup", "exclude_dual_affiliations")
IndicatorsQ = Annotated[MetricOptions, Depends(metric_query(*COUNTED))]


@router.get("/indicators", responses=TABLE, summary="Collaboration indicators per unit (Leiden Ranking style)")
def indicators(request: Request, options: IndicatorsQ, level: LevelQ = Level.country,
               counting: Annotated[ImpactCounting, Query(description="full: P counts works; fractional: each "
                                                         "work weighted by the unit's Share.")] = ImpactCounting.full,
               ci: CiQ = 0,
               fold_hk_mo: Annotated[bool, Query(description="Count Hong Kong and Macao as China.")] = False,
               limit: LimitQ = 1000) -> Response:
    """p, p_collab, pp_collab, p_int_collab, p_industry, short / long distance shares and the median
    distance per unit (``collabatlas indicators``); ``meta.notes`` says how many institutions have no
    coordinates and how many works have an unknown distance. Example: ``/api/indicators?level=country``"""
    return _metric(request, "indicators", "indicators",
                   dict(level=level, **options.given(), counting=counting.value, ci=ci, fold_hk_mo=fold_hk_mo), limit)
