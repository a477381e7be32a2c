"""The dashboard's distance section (issue 17) and source switch (issue 14) through the API and the
page HTML, on hand-made stores (tests/webstores.py): distance values equal ``Atlas.distance``, a note
instead of a chart when no institution is geocoded, pair figures with ``source=pairs`` and 422 for
what pairs cannot apply, every answer naming its source and counting, names escaped."""

from __future__ import annotations

import html as html_lib
import re
import warnings

import pandas as pd
import pytest

import collabatlas
from collabatlas import rounding
from collabatlas.views.web import create_app, sources

from .webstores import HOSTILE, PAIR_TOTALS, hand_store

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    from fastapi.testclient import TestClient


@pytest.fixture(scope="module")
def stores(tmp_path_factory):
    root = tmp_path_factory.mktemp("web")
    return {"geo": hand_store(root / "geo.duckdb", pairs=True),
            "bare": hand_store(root / "bare.duckdb", geocoded=False)}


@pytest.fixture(scope="module")
def geo(stores):
    with TestClient(create_app(stores["geo"])) as c:
        yield c


@pytest.fixture(scope="module")
def bare(stores):
    with TestClient(create_app(stores["bare"])) as c:
        yield c


def frame(body: dict) -> pd.DataFrame:
    return pd.DataFrame(body["rows"], columns=body["columns"])


def same(api: pd.DataFrame, expected: pd.DataFrame) -> None:
    """Equal, after the one rounding rule of every output (collabatlas.rounding)."""
    expected = rounding.frame(expected.reset_index(drop=True))
    assert list(api.columns) == [str(c) for c in expected.columns]
    pd.testing.assert_frame_equal(api.astype({c: float for c in api.columns if api[c].isna().all()}),
                                  expected.set_axis([str(c) for c in expected.columns], axis=1),
                                  check_dtype=False, rtol=1e-12, atol=1e-12)


# -- distance (issue 17) --------------------------------------------------------------------------

@pytest.mark.parametrize("unit, params", [
    ("JP", {}), ("JP", {"years": "2019-2020"}), ("JP", {"partners": True}), ("jp", {"window_end_month": 7}),
    ("I1", {"level": "institution"}), ("US", {"fold_hk_mo": True, "subject": "Life Sciences"}),
])
def test_distance_equals_the_library(geo, stores, unit, params):
    body = geo.get(f"/api/distance/{unit}", params=params).json()
    with collabatlas.open(stores["geo"], read_only=True) as atlas:
        expected = atlas.distance(unit, **params)
    same(frame(body), expected)
    meta = body["meta"]
    assert meta["coverage"] == expected.attrs["coverage"] and meta["unit"] == expected.attrs["unit"]
    assert meta["measured"] is True and "note" not in meta
    assert meta["source"] == "works" and "band" in meta["counting"] and expected.attrs["caption"] in meta["notes"]


def test_distance_of_the_sample_store_has_measured_bands(geo):
    rows = {r["period"]: r for r in geo.get("/api/distance/JP").json()["rows"]}
    assert rows[2019]["ge_5000"] == 2 and rows[2020]["1000_3000"] == 1 and rows[2021]["measured_works"] == 1


def test_distance_institution_by_name_and_chart_share_the_result(geo):
    by_name = geo.get("/api/distance/Tokyo", params={"level": "institution"})
    assert by_name.status_code == 200 and by_name.json()["meta"]["unit"] == "I1"
    chart = geo.get("/api/chart/distance/I1", params={"level": "institution"}).json()
    assert chart["spec"] and chart["meta"].get("note") is None and chart["meta"]["source"] == "works"
    bands = next(rows for rows in chart["spec"]["datasets"].values() if rows and "band" in rows[0])
    assert {r["period"] for r in bands} == {2019, 2020, 2021}


def test_without_geocoded_institutions_a_note_replaces_the_chart(bare):
    table = bare.get("/api/distance/JP").json()
    assert table["meta"]["measured"] is False and table["rows"]
    assert table["meta"]["note"].startswith("no geocoded institutions: distance cannot be computed")
    assert "collabatlas ror load" in table["meta"]["note"]
    chart = bare.get("/api/chart/distance/JP").json()
    assert chart["spec"] is None and chart["meta"]["note"] == table["meta"]["note"].replace(" of JP", " of Japan")


@pytest.mark.parametrize("url, status, needle", [
    ("/api/distance/ZZ", 404, "unknown country 'ZZ'"),
    ("/api/distance/academic?level=sector", 422, None),
    ("/api/distance/JP?window_end_month=13", 422, None),
    ("/api/distance/JP?years=2021-2019", 422, "after the last year"),
    ("/api/chart/distance/ZZ", 404, "unknown country"),
])
def test_distance_errors(geo, url, status, needle):
    response = geo.get(url)
    assert response.status_code == status, response.text
    if needle:
        assert needle in response.json()["detail"]


# -- source pairs (issue 14) ----------------------------------------------------------------------

def test_pairs_source_returns_pair_figures_and_names_its_counting(geo, stores):
    body = geo.get("/api/partners/JP", params={"source": "pairs"}).json()
    assert dict(zip(frame(body)["partner"], frame(body)["joint_works"], strict=True)) == PAIR_TOTALS
    assert body["meta"]["source"] == "pairs" and body["meta"]["counting"] == sources.COUNTING["pairs"]
    assert "country-pair table" in body["meta"]["caption"] and "all years" in body["meta"]["caption"]
    assert body["meta"]["source_label"] == "country-pair table (ingest-pairs), retrieval date not recorded"
    works = geo.get("/api/partners/JP").json()["meta"]
    assert works["source"] == "works" and "fractional" in works["counting"]
    with collabatlas.open(stores["geo"], read_only=True) as atlas:
        same(frame(geo.get("/api/trend/JP/US", params={"source": "pairs", "years": "2019-2021"}).json()),
             atlas.trend("JP", "US", source="pairs", years="2019-2021"))
    group = geo.get("/api/group/JP", params={"source": "pairs", "group": "income:high", "periods": "2019,2021"})
    assert group.status_code == 200 and group.json()["meta"]["source"] == "pairs"


def test_pair_charts_draw_joint_works(geo):
    for url in ("/api/chart/partners/JP?source=pairs", "/api/chart/map?unit=JP&source=pairs",
                "/api/chart/trend/JP?source=pairs"):
        body = geo.get(url).json()
        assert body["meta"]["source"] == "pairs", url
        text = str(body["spec"])
        assert "Joint works" in text and "'cs'" not in text and "Bilateral CS" not in text, url
        assert sources.COUNTING["pairs"] in text, url  # the subtitle names the counting
        # the chart's meta names the table as the table's meta does (it said "country-pair table (ingest-pairs)")
        assert body["meta"]["source_label"] == "country-pair table (ingest-pairs), retrieval date not recorded", url
        assert body["meta"]["caption"].startswith(body["meta"]["source_label"] + " · "), url


@pytest.mark.parametrize("url", [
    "/api/partners/JP?source=pairs&window=2020-01-01..2020-12-31",
    "/api/partners/JP?source=pairs&subject=Life%20Sciences",
    "/api/partners/JP?source=pairs&type=article",
    "/api/partners/I1?source=pairs&level=institution",
    "/api/trend/JP/US?source=pairs&window_end_month=7",
    "/api/chart/partners/JP?source=pairs&subject=Life%20Sciences",
    "/api/chart/trend/JP?source=pairs&type=article",
    "/api/chart/map?source=pairs",
    "/api/group/JP?source=pairs&group=income:high&periods=2019,2021&subject=Life%20Sciences",
])
def test_pairs_refuse_what_they_cannot_apply_with_422(geo, url):
    response = geo.get(url)
    assert response.status_code == 422, response.text
    assert "pairs" in response.json()["detail"]


def test_pairs_without_pair_data_is_422_saying_how_to_load(bare):
    response = bare.get("/api/partners/JP", params={"source": "pairs"})
    assert response.status_code == 422 and "ingest-pairs" in response.json()["detail"]


def _switch(html: str) -> str:
    return re.search(r'<select name="source"[^>]*>', html).group(0)


def test_the_source_switch_is_on_where_pairs_can_answer(geo, bare):
    for path in ("/country", "/pair", "/bilateral", "/group", "/network"):
        html = geo.get(path).text
        assert "disabled" not in _switch(html), path
        assert 'data-pairs-refused="not available with source pairs' in html, path
    html = geo.get("/country").text
    assert re.search(r'data-pairs="1"[^>]*>\s*<div class="panel-head">\s*<h2[^>]*>Partners<', html)
    assert "distances need work-level data" in html  # the distance panels say why they stay works-only
    off = {"/institution": sources.PAIRS_COUNTRY_ONLY, "/": sources.PAIRS_NOT_HERE}
    for path, reason in off.items():
        switch = html_lib.unescape(_switch(geo.get(path).text))
        assert "disabled" in switch and reason in switch, path
    switch = _switch(bare.get("/country").text)
    assert "disabled" in switch and "ingest-pairs" in switch
    asked = bare.get("/country", params={"source": "pairs"}).text
    assert "the address asked for source pairs" in asked


def test_pages_offer_the_distance_section(geo):
    for path, level in (("/country", "country"), ("/institution", "institution")):
        html = geo.get(path).text
        assert 'data-url="/api/chart/distance/{unit}"' in html and 'data-url="/api/distance/{unit}"' in html
        assert f'data-extra="level={level}"' in html


# -- escaping --------------------------------------------------------------------------------------

def test_hostile_names_and_values_are_escaped(geo):
    html = geo.get("/institution", params={"unit": '"><script>window.pwned=3</script>'}).text
    assert "<script>window.pwned" not in html and "&lt;script&gt;window.pwned=3" in html
    partners = geo.get("/api/distance/JP", params={"partners": True}).json()
    assert partners["rows"]  # names travel as JSON data; the page writes them with textContent
    profile = geo.get("/api/profile/I1").json()
    assert profile["name"] == HOSTILE["I1"]
    chart = geo.get("/api/chart/distance/I3", params={"level": "institution"})
    assert chart.status_code == 200 and "window.pwned=1" in chart.text  # inside JSON strings only
    assert chart.headers["content-type"].startswith("application/json")


# -- the dashboard follows the engines' declarations (issue 26) ------------------------------------

def test_the_fact_sheet_follows_the_source_or_is_refused_with_the_reason(geo):
    refused = geo.get("/factsheet.pdf", params={"focus": "JP", "source": "pairs"})
    assert refused.status_code == 422
    assert "factsheet: not available with --source pairs" in refused.json()["detail"]
    assert "work-level data" in refused.json()["detail"]
    html = html_lib.unescape(geo.get("/country").text)
    assert re.search(r'id="factsheet"[^>]*data-pairs-refused="factsheet: not available with --source pairs', html)


def test_the_network_page_and_api_take_pairs(geo):
    body = geo.get("/api/network", params={"source": "pairs", "level": "country"}).json()
    assert body["meta"]["source"] == "pairs" and "full counts" in body["network"]["counting"]
    ids = {n["id"] for n in body["nodes"]}
    assert {"JP", "US"} <= ids
    assert geo.get("/api/network", params={"source": "pairs", "weight": "cs"}).status_code == 422
    assert geo.get("/api/network", params={"source": "pairs", "subject": "Life Sciences"}).status_code == 422
    chart = geo.get("/api/chart/network", params={"source": "pairs"}).json()
    assert chart["meta"]["source"] == "pairs" and "full counting" in str(chart["spec"])
    html = geo.get("/network").text
    assert 'data-url="/api/network"' in html and "disabled" not in _switch(html)


def test_bilateral_step_1_from_pairs(geo):
    """The headline from the pair table: joint works, each country's international works, the exact
    % of those with the other, the ranks; by hand from PAIR_TOTALS (JP's partners)."""
    body = geo.get("/api/pair/JP/US", params={"source": "pairs"})
    assert body.status_code == 200, body.text
    rows = {r["figure"]: r["value"] for r in body.json()["rows"]}
    # each figure written by the rule of its quantity, as the work-level headline writes its figures (a %
    # with one decimal, counts with separators): the same page reads the same from either source
    joint = next(v for k, v in rows.items() if k.startswith("joint works"))
    assert joint == f"{PAIR_TOTALS['US']:,}"
    assert rows["rank of United States among Japan's partners"] == "1"  # US has the most joint works with JP
    assert rows["Japan: internationally co-authored works"] == f"{5000 + 5200 + 5300:,}"
    assert rows["% of Japan's international works with United States"] == f"{100 * 1295 / 15500:.1f}"
    assert rows["United States: internationally co-authored works"] == "0"  # no US diagonal in the table
    assert rows["% of United States's international works with Japan"] == "–"
    assert rows["rank of Japan among United States's partners"] == "1"
    assert body.json()["meta"]["source"] == "pairs"
    works = geo.get("/api/pair/JP/US").json()
    assert works["meta"]["source"] == "works" and works["meta"]["counting"] == "fractional counting (Share and CS)"
    assert all(isinstance(r["value"], str) for r in works["rows"])
    assert geo.get("/api/pair/JP/US", params={"source": "pairs", "subject": "Life Sciences"}).status_code == 422
    html = geo.get("/bilateral").text
    assert re.search(r'data-pairs="1"[^>]*>\s*<div class="panel-head">\s*<h2[^>]*>1 · Headline', html)
