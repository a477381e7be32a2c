"""One parameter object for the metric options (issue 13): MetricOptions gives the same figures as the
keywords in the library, the CLI and the API; an option a metric does not apply is refused there, never
ignored; the one description of filters reads the same everywhere."""

from __future__ import annotations

import inspect

import pandas as pd
import pytest
from fastapi.testclient import TestClient
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

import collabatlas
from collabatlas import rounding
from collabatlas.analyses import network as net_lib
from collabatlas.counting.filters import Filters
from collabatlas.counting.options import FILTER_NAMES, OPTION, OPTIONS, MetricOptions, OptionsError, describe
from collabatlas.views.cli import app
from collabatlas.views.web import create_app

from .conftest import institution, work, write_jsonl

US, US2, JP, GB = institution("I1", "US"), institution("I4", "US"), institution("I2", "JP"), institution("I3", "GB")
NATURE = {"source": {"id": "https://openalex.org/S1", "display_name": "Nature", "issn_l": "0028-0836"}}


@pytest.fixture
def store(tmp_path):
    works = [work("W1", [[US], [JP]], year=2019, primary_location=NATURE),
             work("W2", [[US, GB], [JP]], year=2020),
             work("W3", [[US], [US2], [GB]], year=2020, type="review"),
             work("W4", [[JP], [GB]], year=2021, primary_location=NATURE)]
    path = tmp_path / "s.duckdb"
    with collabatlas.open(path) as atlas:
        atlas.ingest(write_jsonl(tmp_path / "w.jsonl", works))
    return path


CASES = [MetricOptions(years="2020"), MetricOptions(renormalize=True, type="article"),
         MetricOptions(journals="nature-index"), MetricOptions(exclude_dual_affiliations=True, years="2019-2020")]


@pytest.mark.parametrize("opts", CASES, ids=lambda o: o.describe())
def test_options_object_equals_keywords(store, opts):
    with collabatlas.open(store, read_only=True) as atlas:
        for method, args in (("scores", {}), ("totals", {}), ("pairs", {}), ("partners", {"unit": "US"})):
            by_object = getattr(atlas, method)(**args, options=opts)
            by_keyword = getattr(atlas, method)(**args, **opts.given())
            pd.testing.assert_frame_equal(by_object, by_keyword)
        net = net_lib.build_network(atlas, "country", options=opts)
        assert net.meta["filters"] == opts.describe() or opts.journals  # the list is named by its label


def test_an_option_a_metric_does_not_apply_is_refused(store):
    with collabatlas.open(store, read_only=True) as atlas:
        with pytest.raises(OptionsError, match="industry does not apply --renormalize"):
            atlas.industry(options=MetricOptions(renormalize=True))
        with pytest.raises(OptionsError, match="given twice"):
            atlas.scores(years="2019", options=MetricOptions(years="2020"))
        # the same value both ways is one request
        assert atlas.scores(years="2020", options=MetricOptions(years="2020")).equals(atlas.scores(years="2020"))
    with pytest.raises(OptionsError, match="not a metric option: colour"):
        MetricOptions.of(colour="red")


def test_every_library_metric_takes_the_options_it_names():
    """Each metric method's option keywords are rows of the options table, and it takes options=."""
    for name in ("scores", "pairs", "totals", "partners", "works", "profile", "group", "trend", "industry",
                 "indicators", "distance", "collaboration_by_year", "partner_countries"):
        method = getattr(collabatlas.Atlas, name)
        assert "options" in inspect.signature(method).parameters, name
        assert set(method.option_names) <= set(OPTION) and method.option_names, name


def test_cli_and_api_take_the_options_from_the_table(store):
    runner = CliRunner()
    help_text = runner.invoke(app, ["scores", "--help"], env={"COLUMNS": "200"}).output
    for option in OPTIONS:  # every flag with the table's help
        assert option.flag in help_text and option.help.split(" (")[0][:30] in " ".join(help_text.split())
    industry = runner.invoke(app, ["industry", "--help"], env={"COLUMNS": "200"}).output
    assert "--rollup" in industry and "--renormalize" not in industry  # industry does not renormalise
    cli = runner.invoke(app, ["scores", "--store", str(store), "--years", "2020", "--renormalize", "--format", "csv"])
    assert cli.exit_code == 0, cli.output
    with collabatlas.open(store, read_only=True) as atlas:
        expected = atlas.scores(options=MetricOptions(years="2020", renormalize=True))
    got = pd.read_csv(pd.io.common.StringIO(cli.stdout))
    assert got["share"].tolist() == pytest.approx(expected["share"].tolist(), abs=1e-9)  # CSV keeps 10 digits
    with TestClient(create_app(store)) as client:
        body = client.get("/api/scores", params={"years": "2020", "renormalize": "true"}).json()
        # the API writes numbers by the one rounding rule of every output (collabatlas.rounding)
        assert [r["share"] for r in body["rows"]] == [rounding.number(x) for x in expected["share"]]
        assert "renormalized" in body["meta"]["caption"]
        # an option the route does not take is refused, never ignored
        refused = client.get("/api/industry", params={"renormalize": "true"})
        assert refused.status_code == 422 and "does not take renormalize" in refused.json()["detail"]
        assert client.get("/api/chart/partners/US", params={"rollup": "true"}).status_code == 422
        assert client.get("/api/industry", params={"rollup": "true"}).status_code == 200


def test_one_description_of_filters():
    assert describe({"years": "2015-2021", "subject": "ni:chemistry", "renormalize": True}) == \
        "years 2015-2021, subject ni:chemistry, renormalized"
    assert describe({"type": ["article", "review"], "rollup": True, "window": None}) == \
        "work type article,review, institutions counted as the top of their lineage"
    assert describe({}) == "all works (no filter)"
    parsed = Filters.of(years="2015-2021", window="2020-01-01..2020-12-31")
    assert parsed.describe() == "years 2015-2021, date window 2020-01-01..2020-12-31"


@given(st.dictionaries(st.sampled_from(["years", "subject", "type", "journals"]),
                       st.text("abc019-", min_size=1, max_size=8), max_size=4),
       st.sets(st.sampled_from(["renormalize", "rollup", "exclude_dual_affiliations"])))
def test_description_names_each_given_option_once(values, flags):
    text = describe({**values, **{f: True for f in flags}})
    for key, value in values.items():
        assert f"{FILTER_NAMES.get(key, key)} {value}" in text
    assert text.count("renormalized") == ("renormalize" in flags)
    assert (text == "all works (no filter)") == (not values and not flags)
