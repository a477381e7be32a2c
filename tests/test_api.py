"""The JSON API and the dashboard pages (FastAPI TestClient) on a store built from the real sample:
every value equals the Atlas result, unknown units are 404, bad parameters 422, results are cached
per data version, the store is safe under concurrent requests, and no page loads a remote script."""

from __future__ import annotations

import re
import threading
import warnings
from concurrent.futures import ThreadPoolExecutor

import pandas as pd
import pytest

import collabatlas
from collabatlas import rounding
from collabatlas.views.web import create_app
from collabatlas.views.web.cache import ResultCache
from collabatlas.views.web.service import Service

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    from fastapi.testclient import TestClient

pytestmark = pytest.mark.realdata

PAGES = ["/", "/country", "/institution", "/pair", "/group", "/network", "/landscape"]


@pytest.fixture(scope="module")
def store(sample_store):
    return sample_store


@pytest.fixture(scope="module")
def atlas(store):
    with collabatlas.open(store, read_only=True) as opened:
        yield opened


@pytest.fixture(scope="module")
def client(store, shared_data):
    with TestClient(create_app(store, data_dir=shared_data)) as c:
        yield c


def frame(body: dict, key: str = "rows") -> pd.DataFrame:
    if key == "rows":
        return pd.DataFrame(body["rows"], columns=body["columns"])
    return pd.DataFrame(body[key])


def same(api: pd.DataFrame, expected: pd.DataFrame) -> None:
    """Equal values, columns and order (floats to 1e-12 after the one rounding rule of every output,
    collabatlas.rounding; JSON has no int/float distinction)."""
    expected = rounding.frame(expected.reset_index(drop=True))
    api = api.apply(lambda col: col.astype(float) if col.isna().all() else col)  # JSON null ↔ NaN
    expected = expected.apply(lambda col: col.astype(float) if col.isna().all() or (
        pd.api.types.is_extension_array_dtype(col) and pd.api.types.is_numeric_dtype(col)) else col)
    assert list(api.columns) == [str(c) for c in expected.columns]
    pd.testing.assert_frame_equal(api, expected.set_axis([str(c) for c in expected.columns], axis=1),
                                  check_dtype=False, rtol=1e-12, atol=1e-12)


def top_country(atlas) -> str:
    return atlas.scores(level="country")["unit"].iloc[0]


# -- values equal the Atlas --------------------------------------------------------------------

@pytest.mark.parametrize("level", ["country", "institution", "sector"])
def test_scores_pairs_totals_equal_atlas(client, atlas, level):
    options = {"level": level, "years": "2000-2009"}
    for endpoint, method in (("scores", "scores"), ("pairs", "pairs"), ("collaboration", "totals")):
        body = client.get(f"/api/{endpoint}", params={**options, "limit": 100_000}).json()
        expected = getattr(atlas, method)(**options)
        assert body["meta"]["rows"] == len(expected) > 0
        same(frame(body), expected)


def test_filters_and_options_are_passed_through(client, atlas):
    options = dict(level="country", subject="ni:life-sciences", type="article", renormalize=True)
    body = client.get("/api/scores", params=options).json()
    same(frame(body), atlas.scores(**options))
    body = client.get("/api/scores", params={"level": "country", "years": "2005-2009", "base_year": 2005}).json()
    same(frame(body), atlas.scores(level="country", years="2005-2009", base_year=2005))
    body = client.get("/api/pairs", params={"level": "institution", "min_joint": 2, "rollup": True}).json()
    same(frame(body), atlas.pairs(level="institution", min_joint=2, rollup=True))
    window = "2008-01-01..2009-06-30"
    body = client.get("/api/scores", params={"level": "institution", "window": window}).json()
    same(frame(body), atlas.scores(level="institution", window=window))
    body = client.get("/api/industry").json()
    assert body["meta"]["rows"] > 0
    same(frame(body), atlas.industry())


def test_limit_cuts_rows_but_reports_the_total(client, atlas):
    body = client.get("/api/scores", params={"level": "institution", "limit": 3}).json()
    expected = atlas.scores(level="institution")
    assert body["meta"]["rows"] == len(expected) and body["meta"]["returned"] == 3
    same(frame(body), expected.head(3))


def test_partners_trend_equal_atlas(client, atlas):
    unit = top_country(atlas)
    body = client.get(f"/api/partners/{unit.lower()}", params={"years": "2005-2009", "top": 5}).json()
    same(frame(body), atlas.partners(unit, years="2005-2009", top=5))
    assert "cs_2007" in body["columns"]
    partner = body["rows"][0]["partner"]
    body = client.get(f"/api/trend/{unit}/{partner}", params={"years": "2005-2009", "compare": "2005,2009"}).json()
    expected = atlas.trend(unit, partner, years="2005-2009")
    same(frame(body), expected)
    assert body["compare"]["change_pct"] == rounding.number(collabatlas.atlas.percent_change(expected, 2005, 2009))


def test_profile_group_landscape_network_equal_library(client, atlas, shared_data):
    inst = atlas.scores(level="institution")["unit"].iloc[0]
    body = client.get(f"/api/profile/{inst}", params={"top": 3}).json()
    expected = atlas.profile(inst, top=3)
    assert body["institution_id"] == inst and body["headline"] == pytest.approx(expected.headline)
    same(frame(body, "partners"), expected.partners)
    same(frame(body, "hotspots"), expected.hotspots)

    from collabatlas.refdata.groups import group_members

    unit = top_country(atlas)
    params = {"group": "income:high", "periods": "2000-2004,2005-2009", "top": 5}
    body = client.get(f"/api/group/{unit}", params=params).json()
    report = atlas.group(unit, "income:high", ["2000-2004", "2005-2009"], top=5,
                         members=group_members("income:high", shared_data))
    same(frame(body, "periods"), report.periods)
    same(frame(body, "partners"), report.partners)

    body = client.get("/api/landscape", params={"year": 2009, "min_works": 1}).json()
    countries, fit = atlas.landscape(2009, data_dir=shared_data, min_works=1)
    same(frame(body, "countries"), countries)
    same(frame(body, "fit"), fit)

    from collabatlas.analyses.network import build_network

    body = client.get("/api/network", params={"top": 20, "normalize": "association", "seed": 7}).json()
    net = build_network(atlas, "country", top=20, normalize_by="association", max_edges=10, seed=7)
    same(frame(body, "nodes"), net.nodes)
    same(frame(body, "edges"), net.edges)
    assert body["network"] == rounding.tree(net.to_dict()["meta"])  # one assembly: build_network's, rounded


def test_distance_equals_library_and_says_why_nothing_is_measured(client, atlas):
    """The sample has no coordinates (no ROR registry loaded): every value still equals the library,
    and the table and chart say that the distance cannot be computed instead of drawing nothing."""
    unit = top_country(atlas)
    inst = atlas.scores(level="institution")["unit"].iloc[0]
    for path, params, expected in (
            (f"/api/distance/{unit}", {"years": "2000-2009"}, atlas.distance(unit, years="2000-2009")),
            (f"/api/distance/{inst}", {"level": "institution"}, atlas.distance(inst, level="institution")),
            (f"/api/distance/{unit}", {"partners": "true"}, atlas.distance(unit, partners=True))):
        body = client.get(path, params=params).json()
        same(frame(body), expected)
        assert body["meta"]["coverage"] == expected.attrs["coverage"]
        assert body["meta"]["coverage"]["institutions_without_coordinates"] == body["meta"]["coverage"]["institutions"]
        assert body["meta"]["note"].startswith("no geocoded institutions: distance cannot be computed")
    chart = client.get(f"/api/chart/distance/{unit}").json()
    assert chart["spec"] is None and "no geocoded institutions" in chart["meta"]["note"]


def test_units_search_and_info(client, atlas):
    body = client.get("/api/units", params={"level": "institution", "q": "UNIV", "limit": 500}).json()
    names = atlas.scores(level="institution")
    match = names["name"].fillna("").str.contains("univ", case=False) | names["unit"].str.contains("univ", case=False)
    expected = names[match]
    assert [r["unit"] for r in body["rows"]] == list(expected["unit"])
    info = client.get("/api/info").json()
    assert info["summary"]["works"] == atlas.summary()["works"]
    assert info["meta"]["data_version"] == atlas.data_version


def test_chart_specs_are_vega_lite(client, atlas):
    unit = top_country(atlas)
    inst = atlas.scores(level="institution")["unit"].iloc[0]
    partner = atlas.partners(unit, top=1)["partner"].iloc[0]
    for url in (f"/api/chart/partners/{unit}", "/api/chart/map", f"/api/chart/map?unit={unit}",
                f"/api/chart/trend/{unit}?partners={partner}", f"/api/chart/subjects/{unit}?partner={partner}",
                f"/api/chart/contribution/{inst}", f"/api/chart/hotspots/{inst}",
                f"/api/chart/group/{unit}?group=income:high&periods=2000-2004,2005-2009",
                "/api/chart/landscape?year=2009", "/api/chart/network?top=20"):
        response = client.get(url)
        assert response.status_code == 200, (url, response.text)
        spec = response.json()["spec"]
        assert "vega-lite" in spec["$schema"], url


# -- errors ------------------------------------------------------------------------------------

@pytest.mark.parametrize("url, needle", [
    ("/api/partners/XX", "unknown country 'XX'"),
    ("/api/partners/I1?level=institution", "unknown institution"),
    ("/api/partners/martian?level=sector", "unknown sector"),
    ("/api/trend/US/XX", "unknown country 'XX'"),
    ("/api/profile/no-such-institution-anywhere", "no institution matches"),
    ("/api/group/XX?group=bri&periods=2005", "unknown country"),
    ("/api/chart/subjects/US?partner=XX", "unknown country 'XX'"),
])
def test_unknown_unit_is_404_with_a_message(client, url, needle):
    response = client.get(url)
    assert response.status_code == 404
    assert needle in response.json()["detail"]


@pytest.mark.parametrize("url, needle", [
    ("/api/scores?years=2020-2010", "after the last year"),
    ("/api/scores?years=twenty", "expected YYYY"),
    ("/api/pairs?window=2020-01-01..2019-01-01", "starts after it ends"),
    ("/api/scores?subject=ni:astrology", "expected one of"),
    ("/api/scores?level=planet", None),
    ("/api/scores?limit=0", None),
    ("/api/trend/US/GB?window_end_month=13", None),
    ("/api/trend/US/US", "two different units"),
    ("/api/trend/US/GB?compare=2005", "expected two periods"),
    ("/api/group/US?group=atlantis&periods=2005", "unknown country group"),
    ("/api/group/US?group=csv:/etc/passwd&periods=2005", "not offered by the API"),
    ("/api/group/US?group=bri&periods=2009-2005", "after the last year"),
    ("/api/network?years=1900", "no collaboration pairs"),
    ("/api/scores?years=2005;DROP TABLE works", "expected YYYY"),
])
def test_bad_parameter_is_422_with_a_message(client, url, needle):
    response = client.get(url)
    assert response.status_code == 422, response.text
    if needle:
        assert needle in response.json()["detail"]


@pytest.mark.parametrize("params", [{"min_weight": 1e9, "max_edges": 3}, {"top": 1}])
def test_network_without_edges_is_not_a_server_error(client, params):
    """Found by fuzzing: a network left without edges (one node, or every edge under min_weight)."""
    response = client.get("/api/network", params=params)
    assert response.status_code == 200 and response.json()["edges"] == []


def test_sql_looking_input_is_data(client, atlas):
    """Names go to the library as parameters: a quote or a statement is an unknown unit, and the
    store is intact afterwards."""
    for unit in ("US' OR '1'='1", "US'; DROP TABLE works; --"):
        assert client.get("/api/partners/" + unit).status_code == 404
    response = client.get("/api/units", params={"level": "institution", "q": "' OR 1=1 --"})
    assert response.status_code == 200 and response.json()["rows"] == []
    assert client.get("/api/info").json()["summary"]["works"] == atlas.summary()["works"]


# -- caching and concurrency -------------------------------------------------------------------

def test_results_are_cached_per_normalised_parameters(client):
    first = client.get("/api/pairs", params={"level": "country", "years": "2001-2008", "limit": 5})
    again = client.get("/api/pairs", params={"level": "country", "years": " 2001..2008 ", "limit": 5})
    assert (first.headers["x-cache"], again.headers["x-cache"]) == ("miss", "hit")
    assert again.content == first.content
    other_limit = client.get("/api/pairs", params={"level": "country", "years": "2001-2008", "limit": 2})
    assert other_limit.headers["x-cache"] == "miss" and other_limit.json()["rows"] == first.json()["rows"][:2]
    stats = client.get("/api/info").json()["cache"]
    assert stats["hits"] >= 1 and stats["entries"] >= 1


def test_concurrent_requests_share_one_store_safely(store, atlas, shared_data):
    svc = Service(store, data_dir=shared_data)
    unit = top_country(atlas)
    jobs = [("scores", {"level": lvl, "years": y}) for lvl in ("country", "institution") for y in (None, "2005-2009")]
    jobs += [("pairs", {"level": "institution", "years": "2000-2009"}), ("partners", {"unit": unit})]
    jobs += [("totals", {"level": "institution", "rollup": True})]
    try:
        with ThreadPoolExecutor(8) as pool:
            results = list(pool.map(lambda job: svc.call(job[0], **job[1])[0], jobs * 3))
        for (method, params), got in zip(jobs * 3, results, strict=True):
            same(rounding.frame(got), getattr(atlas, method)(**params))  # same() rounds the expected
        assert svc.atlases.threads >= 2
    finally:
        svc.close()


def test_cache_evicts_least_recently_used_by_size_and_computes_once():
    cache = ResultCache(max_bytes=3000)
    small = pd.DataFrame({"x": range(100)})  # ~928 bytes with its index
    for key in "abc":
        cache.get_or_compute(key, lambda: small)
    cache.get_or_compute("a", lambda: small)  # a is now the most recent
    cache.get_or_compute("d", lambda: small)  # evicts b
    assert cache.get_or_compute("a", lambda: None)[1] and not cache.get_or_compute("b", lambda: small)[1]
    assert cache.stats.bytes <= 3000 and cache.stats.evictions >= 1

    calls = []
    gate = threading.Event()

    def slow():
        calls.append(1)
        gate.wait(2)
        return small

    with ThreadPoolExecutor(4) as pool:
        futures = [pool.submit(cache.get_or_compute, "slow", slow) for _ in range(4)]
        gate.set()
        assert all(f.result()[0] is small for f in futures)
    assert len(calls) == 1

    def broken():
        raise ValueError("boom")

    for _ in range(2):
        with pytest.raises(ValueError):
            cache.get_or_compute("broken", broken)
    assert "broken" not in cache._items


# -- OpenAPI, pages, assets --------------------------------------------------------------------

def test_openapi_document_is_valid_and_complete(client):
    from jsonschema.validators import Draft202012Validator

    doc = client.get("/openapi.json").json()
    assert doc["openapi"].startswith("3.")
    for path in ("/api/scores", "/api/pairs", "/api/collaboration", "/api/partners/{unit}",
                 "/api/trend/{unit_a}/{unit_b}", "/api/profile/{institution}", "/api/group/{country}",
                 "/api/landscape", "/api/network", "/api/industry", "/api/info", "/api/units",
                 "/api/distance/{unit}", "/api/chart/distance/{unit}"):
        operation = doc["paths"][path]["get"]
        assert {"200", "422"} <= set(operation["responses"]), path
    for _name, schema in doc["components"]["schemas"].items():
        Draft202012Validator.check_schema(schema)
    import schemathesis

    schemathesis.openapi.from_dict(doc).validate()


@pytest.mark.parametrize("path", PAGES)
def test_pages_render_without_remote_scripts(client, path):
    response = client.get(path)
    assert response.status_code == 200
    html = response.text
    assert 'class="panel' in html and 'id="controls"' in html
    scripts = re.findall(r"<script[^>]*src=\"([^\"]+)\"", html)
    assert scripts and all(s.startswith("/assets/") for s in scripts)
    assert not re.search(r"(src|href)=\"(https?:)?//", html)
    for url in re.findall(r"(?:src|href)=\"(/assets/[^\"]+)\"", html):
        assert client.get(url).status_code == 200


def test_pages_take_their_controls_from_the_query(client):
    html = client.get("/pair", params={"a": "GB", "b": "US", "years": "2005-2009"}).text
    assert 'name="a" value="GB"' in html and 'name="years" value="2005-2009"' in html


def test_javascript_bundle_is_served_from_the_installed_package(client):
    first = client.get("/assets/vega.js")
    assert first.status_code == 200 and "vegaEmbed" in first.text
    assert not re.search(r"<script[^>]+src=[\"']https?://", first.text)
    again = client.get("/assets/vega.js", headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304
    assert client.get("/assets/nothing.js").status_code == 404
    docs = client.get("/docs")  # our own page (views.web.api_docs), not Swagger UI from a CDN
    assert docs.status_code == 200 and "<script" not in docs.text


def test_serve_command_refuses_a_missing_store(tmp_path):
    from typer.testing import CliRunner

    from collabatlas.views.cli import app
    from collabatlas.views.commands.serve import _is_loopback

    result = CliRunner().invoke(app, ["serve", "--store", str(tmp_path / "none.duckdb")])
    assert result.exit_code == 2 and "does not exist" in result.output
    assert _is_loopback("127.0.0.1") and _is_loopback("localhost") and _is_loopback("::1")
    assert not _is_loopback("0.0.0.0")
