"""GERD in PPP $ (NSF) reaches the views: the API's x parameter and the chart's log axis."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient

import collabatlas
from collabatlas.views import report as report_lib
from collabatlas.views.web.app import create_app

from .conftest import work, write_jsonl


@pytest.fixture
def store(tmp_path):
    # US, JP, CN, DE: each with works that year, some international
    works = [work(f"W{i}", [[(f"I{i}", a)], [(f"J{i}", b)]] if b else [[(f"I{i}", a)]], year=2017)
             for i, (a, b) in enumerate([("US", "JP"), ("US", None), ("JP", None), ("CN", "US"), ("CN", None),
                                         ("DE", "US"), ("DE", None), ("DE", None)])]
    path = tmp_path / "s.duckdb"
    with collabatlas.open(path) as atlas:
        atlas.ingest(write_jsonl(tmp_path / "w.jsonl", works))
    return path


def test_api_takes_x_and_refuses_it_with_trust(store):
    client = TestClient(create_app(store))
    ok = client.get("/api/landscape", params={"year": 2017, "x": "log_gerd_ppp", "min_works": 1, "min_n": 2})
    assert ok.status_code == 200, ok.text
    countries = {r["country"]: r for r in ok.json()["countries"]}
    assert countries["US"]["gerd_ppp_musd"] > countries["DE"]["gerd_ppp_musd"] > 0
    assert {r["term"] for r in ok.json()["fit"] if r["term"]} >= {"log_gerd_ppp"}
    assert client.get("/api/landscape", params={"year": 2017, "x": "log_gerd_ppp", "trust": True}).status_code == 422
    assert client.get("/api/landscape", params={"year": 2017, "x": "gdp"}).status_code == 422


def test_chart_draws_ppp_on_a_log_axis(store):
    with collabatlas.open(store, read_only=True) as atlas:
        spec = report_lib.make_chart(atlas, "landscape", year=2017, x="log_gerd_ppp").to_dict()
    text = json.dumps(spec)
    assert "GERD, millions of PPP $ (log scale)" in text and '"type": "log"' in text
