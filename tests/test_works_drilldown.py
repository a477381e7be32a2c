"""The works behind a figure: their contributions add up to the figure exactly, in every counting mode."""

from __future__ import annotations

import json
import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

import collabatlas
from collabatlas.views.cli import app

from .conftest import work

TOTAL_FIGURES = ("cs_total", "cs_domestic", "cs_international", "cs_unknown_country", "cs_industry")


@pytest.fixture(scope="module")
def atlas(sample_store):
    with collabatlas.open(sample_store, read_only=True) as a:
        yield a


def _close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)


@pytest.mark.parametrize("options", [{}, {"renormalize": True}, {"years": "2005-2009"}])
def test_share_and_count_of_every_country_add_up(atlas, options):
    scores = atlas.scores(level="country", **options)
    for row in scores.head(15).itertuples():
        behind = atlas.works(row.unit, **options)
        assert _close(behind.attrs["total"], row.share) and _close(behind["contribution"].sum(), row.share)
        assert behind.attrs["rows"] == row.count == len(behind)
        assert _close(atlas.works(row.unit, figure="count", **options).attrs["total"], row.count)


@pytest.mark.parametrize("options", [{}, {"renormalize": True}])
def test_bilateral_cs_of_every_top_pair_adds_up(atlas, options):
    pairs = atlas.pairs(level="country", **options).head(20)
    for row in pairs.itertuples():
        behind = atlas.works(row.unit_a, row.unit_b, **options)
        assert _close(behind["contribution"].sum(), row.cs) and len(behind) == row.joint_count
        assert _close((behind["share"] + behind["partner_share"]).sum(), row.cs)


@pytest.mark.parametrize("options", [{}, {"renormalize": True}, {"rollup": True}])
def test_total_cs_and_its_splits_add_up_for_institutions(atlas, options):
    totals = atlas.totals(level="institution", **options).head(10)
    for row in totals.itertuples():
        for figure in TOTAL_FIGURES:
            behind = atlas.works(row.unit, level="institution", figure=figure, **options)
            assert _close(behind.attrs["total"], getattr(row, figure)), (row.unit, figure)


def test_rows_carry_the_work_and_sort_by_contribution(atlas):
    behind = atlas.works("US")
    assert list(behind.columns) == ["work", "doi", "title", "year", "journal", "sources", "share",
                                    "partner_share", "contribution"]
    assert behind["work"].str.match(r"^W\d+$").all() and set(behind["sources"]) == {"openalex"}
    assert behind["contribution"].is_monotonic_decreasing
    page = atlas.works("US", limit=5, offset=5)
    assert list(page["work"]) == list(behind["work"].iloc[5:10]) and page.attrs["rows"] == len(behind)


def test_a_figure_needs_the_right_arguments(atlas):
    with pytest.raises(ValueError, match="needs a partner"):
        atlas.works("US", figure="cs")
    with pytest.raises(ValueError, match="give no partner"):
        atlas.works("US", "GB", figure="share")
    with pytest.raises(ValueError, match="expected one of"):
        atlas.works("US", figure="impact")


def test_cli_and_api_show_the_works(sample_store):
    from fastapi.testclient import TestClient

    from collabatlas.views.web.app import create_app

    result = CliRunner().invoke(app, ["works", "US", "--format", "json", "--store", str(sample_store)])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    with TestClient(create_app(sample_store)) as client:
        first = client.get("/api/works/US", params={"page_size": 10}).json()
        second = client.get("/api/works/US", params={"page_size": 10, "page": 2}).json()
        assert first["meta"]["rows"] == len(rows) and _close(first["meta"]["total"],
                                                             sum(r["contribution"] for r in rows))
        assert [r["work"] for r in first["rows"] + second["rows"]] == [r["work"] for r in rows[:20]]
        assert client.get("/api/works/US", params={"figure": "cs"}).status_code == 422


# -- by hypothesis: random small data sets -------------------------------------------------------

COUNTRIES = ("US", "GB", "JP", "CN")
TYPES = ("education", "company", "government")
author = st.lists(st.tuples(st.integers(1, 6), st.sampled_from(COUNTRIES), st.sampled_from(TYPES)),
                  min_size=0, max_size=2)
works = st.lists(st.lists(author, min_size=1, max_size=4), min_size=1, max_size=12)


def _records(data):
    out = []
    for n, authors in enumerate(data):
        people = []
        for insts in authors:
            people.append([(f"I{i}", c if i % 3 else None, t) for i, c, t in insts] if insts else {"countries": ["JP"]})
        out.append(work(f"W{n + 1}", people, year=2015 + n % 3))
    return out


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=works, renormalize=st.booleans())
def test_contributions_add_up_on_random_data(atlas_of, data, renormalize):
    a = atlas_of(_records(data))
    for level in ("country", "institution"):
        totals = a.totals(level=level, renormalize=renormalize)
        for row in totals.itertuples():
            assert _close(a.works(row.unit, level=level, renormalize=renormalize).attrs["total"], row.share)
            for figure in ("cs_total", "cs_domestic", "cs_international", "cs_unknown_country"):
                if hasattr(row, figure):
                    got = a.works(row.unit, level=level, figure=figure, renormalize=renormalize).attrs["total"]
                    assert _close(got, getattr(row, figure)), (level, row.unit, figure)
        for row in a.pairs(level=level, renormalize=renormalize).itertuples():
            assert _close(a.works(row.unit_a, row.unit_b, level=level, renormalize=renormalize).attrs["total"], row.cs)
