"""The dashboard's JavaScript and CSS, served from installed packages and this package only.

``/assets/vega.js`` is the bundle of Vega, Vega-Lite and Vega-Embed that vl-convert-python ships
(:func:`vl_convert.javascript_bundle`); it is built once per process (about 3 s), kept in memory and
served with an ETag, so the dashboard works offline and nothing is fetched from a CDN or copied into
the repository. ``/assets/dashboard.js`` and ``/assets/dashboard.css`` are this package's own files
(``web/pages/``).
"""

from __future__ import annotations

import functools
import hashlib
import threading
from pathlib import Path

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response

PAGES = Path(__file__).parent / "pages"
OWN_FILES = {"dashboard.js": "text/javascript", "dashboard.css": "text/css", "favicon.svg": "image/svg+xml"}

router = APIRouter(prefix="/assets", include_in_schema=False)


@functools.cache
def vega_bundle() -> tuple[bytes, str]:
    """The Vega + Vega-Lite + Vega-Embed bundle from vl-convert and its ETag."""
    import vl_convert

    body = vl_convert.javascript_bundle().encode()
    return body, '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def warm_in_background() -> threading.Thread:
    """Build the bundle in a background thread so that the first page load does not wait for it."""
    thread = threading.Thread(target=vega_bundle, name="vega-bundle", daemon=True)
    thread.start()
    return thread


def _send(request: Request, body: bytes, etag: str, media_type: str) -> Response:
    headers = {"ETag": etag, "Cache-Control": "public, max-age=3600"}
    if request.headers.get("if-none-match") == etag:
        return Response(status_code=304, headers=headers)
    return Response(body, media_type=media_type, headers=headers)


@router.get("/vega.js")
def vega_js(request: Request) -> Response:
    body, etag = vega_bundle()
    return _send(request, body, etag, "text/javascript")


@router.get("/{name}")
def own_file(request: Request, name: str) -> Response:
    if name not in OWN_FILES:
        raise HTTPException(404, f"no asset {name!r}")
    body = (PAGES / name).read_bytes()
    return _send(request, body, '"' + hashlib.sha256(body).hexdigest()[:32] + '"', OWN_FILES[name])
