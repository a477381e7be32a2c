"""The web app: ``create_app(store)`` → a FastAPI app with the JSON API, the dashboard pages and
the JavaScript assets. ``collabatlas serve`` runs it with uvicorn.

User errors from the library become JSON problems: an unknown unit is 404, a bad filter, range,
group or period is 422; both carry the library's message in ``detail``.
"""

from __future__ import annotations

import os

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from .. import __version__
from ..atlas import Atlas, UnknownUnitError
from ..counting import CountingError
from ..countries import short_names
from ..filters import FilterError
from ..groups import GroupError
from ..indicators import IndicatorError
from ..subjects import SubjectError
from . import api, assets, chart_specs, views
from .service import DEFAULT_CACHE_BYTES, Service

USER_ERRORS = (FilterError, CountingError, SubjectError, GroupError, IndicatorError)


def create_app(store: str | os.PathLike | Atlas, data_dir: str | os.PathLike | None = None,
               cache_bytes: int = DEFAULT_CACHE_BYTES) -> FastAPI:
    """The dashboard and API over ``store`` (a path, ``":memory:"``, or an open Atlas to share).

    ``data_dir`` is the indicator / group data directory (default ``$COLLABATLAS_DATA``). The store
    stays open for the app's life (not only one lifespan: test clients run a lifespan per request);
    ``app.state.service.close()`` closes it."""
    service = Service(store, data_dir=data_dir, cache_bytes=cache_bytes)
    short_names()  # the country-name table (read once per process), so that no request waits for it
    # no /docs or /redoc: FastAPI's pages load Swagger UI and ReDoc from a CDN; /openapi.json is served
    app = FastAPI(title="collabatlas", version=__version__, docs_url=None, redoc_url=None,
                  description="Exact Nature-Index-style research collaboration metrics (Count, Share, "
                              "bilateral collaboration score) as JSON, and an interactive dashboard.")
    app.state.service = service

    @app.exception_handler(UnknownUnitError)
    async def unknown_unit(request: Request, exc: UnknownUnitError) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=404)

    for error in USER_ERRORS:
        @app.exception_handler(error)
        async def bad_parameter(request: Request, exc: Exception) -> JSONResponse:
            return JSONResponse({"detail": str(exc)}, status_code=422)

    app.include_router(api.router)
    app.include_router(chart_specs.router)
    app.include_router(assets.router)
    app.include_router(views.router)
    return app
