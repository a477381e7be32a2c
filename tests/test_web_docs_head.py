"""The server's /docs page (no CDN: drawn from /openapi.json) and HEAD on every page."""

from __future__ import annotations

import warnings

import pytest

from collabatlas.views.web import create_app
from collabatlas.views.web.api_docs import docs_html
from tests.conftest import work

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    from fastapi.testclient import TestClient


@pytest.fixture
def client(atlas_of):
    atlas = atlas_of([work("W1", [[("I1", "US")], [("I2", "GB")]])])
    return TestClient(create_app(atlas), base_url="http://127.0.0.1:8000")


def test_docs_lists_every_api_path_from_the_openapi_document(client):
    response = client.get("/docs")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    spec = client.get("/openapi.json").json()
    for path in spec["paths"]:
        assert f"<code>{path}</code>" in response.text or path.replace("{", "").replace("}", "") in response.text
    assert "/openapi.json" in response.text and "cdn" not in response.text.lower()
    assert "script" not in response.text  # a static page: nothing to run


def test_docs_escapes_what_the_schema_says():
    page = docs_html({"info": {"title": "<b>x</b>"}, "paths": {"/a/{u}": {"get": {
        "summary": "</h2><script>alert(1)</script>",
        "parameters": [{"name": "u", "in": "path", "required": True, "schema": {"type": "string"},
                        "description": "<img src=x onerror=alert(1)>"}]}}}})
    assert "<script>" not in page and "<img" not in page and "&lt;script&gt;" in page


@pytest.mark.parametrize("path", ["/", "/country", "/docs", "/api/scores?level=country", "/openapi.json",
                                  "/assets/dashboard.js"])
def test_head_answers_like_get_without_a_body(client, path):
    got = client.get(path)
    head = client.head(path)
    assert head.status_code == got.status_code == 200
    assert head.content == b""
    assert head.headers["content-type"] == got.headers["content-type"]
    assert head.headers.get("content-length") == got.headers.get("content-length")
    assert head.headers["x-frame-options"] == "DENY"  # the security headers too


def test_head_of_an_unknown_page_is_404(client):
    assert client.head("/no-such-page").status_code == 404
