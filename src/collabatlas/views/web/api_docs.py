"""``/docs``: the API reference as one self-contained page, drawn from the app's own OpenAPI document.

FastAPI's own ``/docs`` loads Swagger UI from a CDN, which the dashboard's Content-Security-Policy
(and an offline machine) refuses; this page needs nothing but the server: every path with its
methods, summary, parameters (name, where, type, required, description) and a link to
``/openapi.json`` for tools. Every text from the schema is HTML-escaped.
"""

from __future__ import annotations

from html import escape

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

router = APIRouter()

STYLE = ("body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222}"
         "code{background:#f3f3f3;padding:0 .2rem}table{border-collapse:collapse;margin:.3rem 0 1.2rem}"
         "td,th{border-bottom:1px solid #ddd;padding:.2rem .6rem;text-align:left;vertical-align:top}"
         "h2{font-size:1.05rem;margin-top:1.6rem}.m{font-weight:600;color:#1f77b4}")


def _type(schema: dict) -> str:
    if "enum" in schema:
        return " | ".join(str(v) for v in schema["enum"])
    if "anyOf" in schema:
        return " or ".join(_type(s) for s in schema["anyOf"] if s.get("type") != "null")
    return str(schema.get("type", schema.get("$ref", "").rsplit("/", 1)[-1] or "value"))


def docs_html(spec: dict) -> str:
    """The page for the OpenAPI document ``spec``."""
    info = spec.get("info", {})
    parts = [f"<!doctype html><html lang=en><head><meta charset=utf-8><title>{escape(info.get('title', 'API'))} "
             f"API</title><style>{STYLE}</style></head><body>",
             f"<h1>{escape(info.get('title', 'API'))} API <small>{escape(str(info.get('version', '')))}</small></h1>",
             f"<p>{escape(info.get('description', ''))}</p>",
             '<p>Every answer is JSON; errors carry the message in <code>detail</code> (404 unknown unit, 422 bad '
             'request, 503 store or engine failure). Machine-readable: <a href="/openapi.json">/openapi.json</a>. '
             'The dashboard: <a href="/">/</a>.</p>']
    for path, operations in sorted(spec.get("paths", {}).items()):
        for method, op in operations.items():
            parts.append(f"<h2><span class=m>{escape(method.upper())}</span> <code>{escape(path)}</code></h2>")
            text = op.get("summary") or ""
            if op.get("description"):
                text = f"{text}. {op['description']}" if text else op["description"]
            if text:
                parts.append(f"<p>{escape(text)}</p>")
            params = op.get("parameters", [])
            if params:
                parts.append("<table><tr><th>parameter</th><th>in</th><th>type</th><th>required</th>"
                             "<th>what it sets</th></tr>")
                for p in params:
                    schema = p.get("schema", {})
                    what = p.get("description") or schema.get("description") or ""
                    parts.append(f"<tr><td><code>{escape(p.get('name', ''))}</code></td><td>{escape(p.get('in', ''))}"
                                 f"</td><td>{escape(_type(schema))}</td><td>{'yes' if p.get('required') else ''}"
                                 f"</td><td>{escape(what)}</td></tr>")
                parts.append("</table>")
    parts.append("</body></html>")
    return "".join(parts)


@router.get("/docs", response_class=HTMLResponse, include_in_schema=False)
def api_docs(request: Request) -> HTMLResponse:
    return HTMLResponse(docs_html(request.app.openapi()))
