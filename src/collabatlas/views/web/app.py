"""The web app: ``create_app(store)`` → a FastAPI app with the JSON API, the dashboard pages and
the JavaScript assets. ``collabatlas serve`` runs it with uvicorn.

User errors from the library become JSON problems: an unknown unit is 404, a bad filter, range,
group or period is 422; both carry the library's message in ``detail``.

Every response carries a Content-Security-Policy (scripts and styles from this server only; Vega
needs ``'unsafe-eval'`` for its expressions and inline styles for its SVG), ``X-Content-Type-Options:
nosniff``, ``X-Frame-Options: DENY`` and ``Referrer-Policy: no-referrer``. A request whose ``Host``
header is not an IP address, ``localhost`` or a name in ``allowed_hosts`` is refused with 400: a
page on another site whose name is rebound to this machine's address (DNS rebinding) cannot read
the store.
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Iterable

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from starlette.datastructures import Headers, MutableHeaders

from collabatlas.atlas import Atlas, __version__
from collabatlas.atlas.reference import short_names
from collabatlas.errors import CollabatlasError, answer
from collabatlas.views.web import api, api_docs, api_indicators, assets, chart_specs, views
from collabatlas.views.web.service import DEFAULT_CACHE_BYTES, Service

#: the dashboard loads its scripts, styles and data from this server only; Vega compiles its
#: expressions with ``Function`` ('unsafe-eval') and vega-embed / the SVG renderer set inline styles
CONTENT_SECURITY_POLICY = ("default-src 'self'; script-src 'self' 'unsafe-eval'; style-src 'self' 'unsafe-inline'; "
                           "img-src 'self' data: blob:; connect-src 'self'; font-src 'self'; object-src 'none'; "
                           "base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
SECURITY_HEADERS = {"content-security-policy": CONTENT_SECURITY_POLICY, "x-content-type-options": "nosniff",
                    "x-frame-options": "DENY", "referrer-policy": "no-referrer"}
#: Host names accepted besides IP addresses when ``create_app`` is given none: ``localhost`` and
#: ``testserver``, the name in-process test clients (Starlette, schemathesis) send
DEFAULT_ALLOWED_HOSTS = ("localhost", "testserver")


def host_allowed(host: str | None, allowed: Iterable[str]) -> bool:
    """Whether a ``Host`` header value (``name[:port]``, ``[v6]:port``) may reach the app: any IP
    address (a browser only sends a name it resolved, and DNS rebinding needs such a name),
    ``localhost`` and ``*.localhost``, and the names in ``allowed`` (``"*"``: any host)."""
    allowed = {a.lower().rstrip(".") for a in allowed}
    if "*" in allowed:
        return True
    if not host:
        return False
    host = host.strip().lower()
    if host.startswith("["):  # [v6] or [v6]:port
        name = host[1:host.find("]")] if "]" in host else host
    else:
        name = host.rsplit(":", 1)[0] if host.count(":") == 1 else host
    name = name.rstrip(".")
    try:
        ipaddress.ip_address(name)
        return True
    except ValueError:
        pass
    return name == "localhost" or name.endswith(".localhost") or name in allowed


class SecurityMiddleware:
    """ASGI middleware: refuse unknown ``Host`` headers (400) and add :data:`SECURITY_HEADERS` to
    every response."""

    def __init__(self, app, allowed_hosts: Iterable[str]):
        self.app = app
        self.allowed_hosts = tuple(allowed_hosts)

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if not host_allowed(Headers(scope=scope).get("host"), self.allowed_hosts):
            response = JSONResponse({"detail": "invalid Host header: this server answers to its address, "
                                               "localhost or the names given to `collabatlas serve --allow-host`"},
                                    status_code=400, headers=SECURITY_HEADERS)
            await response(scope, receive, send)
            return

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS.items():
                    if name not in headers:
                        headers[name] = value
            await send(message)

        await self.app(scope, receive, send_with_headers)


class HeadMiddleware:
    """ASGI middleware: ``HEAD`` on any ``GET`` route answers as ``GET`` would (status, headers,
    ``content-length``) without the body, so link checkers and ``curl -I`` get 200, not 405."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def send_without_body(message):
            if message["type"] == "http.response.body":
                if message.get("more_body"):
                    return
                message = {"type": "http.response.body", "body": b"", "more_body": False}
            await send(message)

        await self.app(dict(scope, method="GET"), receive, send_without_body)


class StoreLeaseMiddleware:
    """ASGI middleware: the store may be open while a request is answered and is closed after the
    last one in flight (:meth:`Service.lease`), so other processes can write it between requests."""

    def __init__(self, app, service: Service):
        self.app = app
        self.service = service

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        with self.service.lease():
            await self.app(scope, receive, send)


def create_app(store: str | os.PathLike | Atlas, data_dir: str | os.PathLike | None = None,
               cache_bytes: int = DEFAULT_CACHE_BYTES, allowed_hosts: Iterable[str] | None = None) -> FastAPI:
    """The dashboard and API over ``store`` (a path, ``":memory:"``, or an open Atlas to share).

    ``allowed_hosts``: the host names (besides IP addresses and ``localhost``) that requests may name
    in their ``Host`` header, ``["*"]`` for any (default :data:`DEFAULT_ALLOWED_HOSTS`).

    ``data_dir`` is the indicator / group data directory (default ``$COLLABATLAS_DATA``). A store
    given by path is opened read-only while requests are answered and closed between them, so
    ``collabatlas ingest`` can write it while the server runs; the next request reads the new data
    (:mod:`collabatlas.views.web.connections`). ``":memory:"`` or an open Atlas stays open for the
    app's life; ``app.state.service.close()`` closes it."""
    service = Service(store, data_dir=data_dir, cache_bytes=cache_bytes)
    short_names()  # the country-name table (read once per process), so that no request waits for it
    # FastAPI's /docs and /redoc load Swagger UI and ReDoc from a CDN: /docs is our own page (api_docs)
    app = FastAPI(title="collabatlas", version=__version__, docs_url=None, redoc_url=None,
                  description="Exact Nature-Index-style research collaboration metrics (Count, Share, "
                              "bilateral collaboration score) as JSON, and an interactive dashboard.")
    app.state.service = service
    app.add_middleware(StoreLeaseMiddleware, service=service)
    app.add_middleware(HeadMiddleware)
    app.add_middleware(SecurityMiddleware,
                       allowed_hosts=DEFAULT_ALLOWED_HOSTS if allowed_hosts is None else allowed_hosts)

    @app.exception_handler(CollabatlasError)
    async def collabatlas_error(request: Request, exc: CollabatlasError) -> JSONResponse:
        # one table for the CLI and the web (collabatlas.errors.ANSWERS): 404, 422 or 503
        return JSONResponse({"detail": str(exc)}, status_code=answer(exc).http_status)

    app.include_router(api.router)
    app.include_router(api_indicators.router)
    app.include_router(chart_specs.router)
    app.include_router(assets.router)
    app.include_router(views.router)
    app.include_router(api_docs.router)
    return app
