"""Issue 26, one options object: each metric option is one row of the options table (name, flag, parser,
SQL, description, engines); the engines' declarations apply exactly the options the table gives them;
metrics take one MetricOptions (keywords still accepted, as strings or as Python lists); the facade and the
analyses never test which engine they have."""

from __future__ import annotations

import inspect
import re
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

import collabatlas
from collabatlas.analyses import network as net_lib
from collabatlas.counting import rules
from collabatlas.counting.filters import FilterError, Filters
from collabatlas.counting.options import OPTION, OPTIONS, MetricOptions, OptionsError, applied_by, takes_options
from collabatlas.engines import DECLARED, CapabilityError
from collabatlas.engines.pairs import PAIRS_DUCKDB, PairsDuckDB
from collabatlas.engines.protocol import PairTable
from collabatlas.engines.works_duckdb import EXTRA_OPTIONS, STORE_OPTIONS, WORKS_DUCKDB

from .conftest import institution, work, write_jsonl

SRC = Path(collabatlas.__file__).parent
US, US2, JP, GB = institution("I1", "US"), institution("I4", "US"), institution("I2", "JP"), institution("I3", "GB")

#: the public metrics that take the options object (each once took up to eight option keywords)
METRICS = ("scores", "pairs", "totals", "partners", "works", "partner_countries", "profile", "group", "trend",
           "industry", "collaboration_by_year", "indicators", "impact", "distance", "trend_change_interval",
           "landscape", "works_per_year")


@pytest.fixture
def store(tmp_path):
    works = [work("W1", [[US], [JP]], year=2019, type="review"),
             work("W2", [[US, GB], [JP]], year=2020),
             work("W3", [[US], [US2], [GB]], year=2020, type="review"),
             work("W4", [[JP], [GB]], year=2021),
             work("W5", [[JP], [US]], year=2021)]
    path = tmp_path / "s.duckdb"
    with collabatlas.open(path) as atlas:
        atlas.ingest(write_jsonl(tmp_path / "w.jsonl", works))
    return path


# -- the table -----------------------------------------------------------------------------------

def test_every_option_is_one_complete_row():
    for row in OPTIONS:
        assert row.flag == "--" + row.name.replace("_", "-")
        assert row.kind in ("filter", "attribution") and row.description == row.help and row.help
        assert callable(row.parser) and row.sql and row.engines, row.name
        assert row.engines <= {c.name for c in DECLARED}, row.name


def test_the_table_and_the_engine_declarations_agree():
    """The per-engine column of the table is what each engine's Capabilities apply (both ways)."""
    for caps in DECLARED:
        assert {name for name in OPTION if name in caps.options} == applied_by(caps.name), caps.name
        assert caps.options - set(OPTION) <= EXTRA_OPTIONS | STORE_OPTIONS, caps.name  # the rest: non-metric options
    assert applied_by("pairs-duckdb") == {"years"}  # the pair table is filtered by years only
    assert applied_by("works-duckdb") == set(OPTION)


EXAMPLES = {"years": "2015-2021", "window": "2022-08-01..2023-07-31", "subject": "Chemistry", "type": "article"}


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_the_sql_column_is_the_predicate_the_filter_renders(name):
    where, _ = Filters.of(**{name: EXAMPLES[name]}).where("w")
    assert OPTION[name].sql in where
    assert OPTION[name].sql not in Filters().where("w")[0]


def test_the_sql_column_of_the_journal_list_and_the_attribution_options():
    resolved = Filters(journal_ids=("S1",), journal_label="a list")
    assert OPTION["journals"].sql in resolved.where("w")[0]
    for name in ("renormalize", "rollup", "exclude_dual_affiliations"):
        field = re.search(r"Counting\.(\w+)", OPTION[name].sql).group(1)
        assert field in rules.Counting.__dataclass_fields__, name
        for builder in re.findall(r"rules\.(\w+)|/ (\w+)", OPTION[name].sql):
            assert callable(getattr(rules, next(b for b in builder if b))), name


def test_each_parser_reads_strings_and_python_values():
    years = OPTION["years"].parse
    assert years("2015-2021") == years((2015, 2021)) == years([2015, 2021]) == years(["2015", "2021"]) == (2015, 2021)
    assert years(2020) == years("2020") == years([2020]) == (2020, 2020)
    window = OPTION["window"].parse
    span = (date(2022, 8, 1), date(2023, 7, 31))
    assert window("2022-08-01..2023-07-31") == window(("2022-08-01", "2023-07-31")) == window(list(span)) == span
    assert OPTION["subject"].parse("Chemistry, fields/17") == OPTION["subject"].parse(["Chemistry", "fields/17"])
    types = OPTION["type"].parse
    assert types("article,review") == types(["article", "review"]) == ("article", "review")
    assert OPTION["renormalize"].parse(True) is True and OPTION["rollup"].parse(None) is False
    for name, bad in (("years", "2021-2015"), ("years", True), ("years", [2015, 2016, 2017]),
                      ("window", ("2023-01-01",)), ("window", "2023..2022"), ("subject", "ni:no-such-area"),
                      ("renormalize", "yes"), ("journals", ["nature-index"])):
        with pytest.raises((FilterError, OptionsError)):
            OPTION[name].parse(bad)


def test_options_object_parses_and_merges():
    opts = MetricOptions(years=[2015, 2021], type=["article"])
    assert opts.parsed() == {"years": (2015, 2021), "type": ("article",)}
    assert MetricOptions.of_call(opts, renormalize=True) == MetricOptions(years=[2015, 2021], type=["article"],
                                                                         renormalize=True)
    assert MetricOptions.of_call(None, years="2020") == MetricOptions(years="2020")
    with pytest.raises(OptionsError, match="given twice"):
        MetricOptions.of_call(opts, type="review")
    with pytest.raises(OptionsError, match="not a metric option: colour"):
        MetricOptions.of_call(opts, colour="red")
    with pytest.raises(OptionsError, match="expected a MetricOptions"):
        MetricOptions.of_call({"years": "2020"})


# -- the metrics take the object -------------------------------------------------------------------

def test_no_metric_spells_the_options_out():
    for name in METRICS:
        method = getattr(collabatlas.Atlas, name)
        params = inspect.signature(method).parameters
        assert "options" in params and "option_values" in params, name
        assert not set(OPTION) & set(params), (name, set(OPTION) & set(params))
        assert method.option_names and set(method.option_names) <= set(OPTION), name
    params = inspect.signature(net_lib.build_network).parameters
    assert "options" in params and not set(OPTION) & set(params)


def test_takes_options_refuses_what_the_metric_does_not_apply():
    @takes_options("years")
    def metric(unit, *, options):
        return options

    assert metric("x", years=[2015, 2016]) == MetricOptions(years=[2015, 2016])
    assert metric("x", options=MetricOptions(years="2015")) == MetricOptions(years="2015")
    assert metric("x") == MetricOptions()
    with pytest.raises(OptionsError, match="metric does not apply --subject"):
        metric("x", subject="Chemistry")
    with pytest.raises(TypeError, match="needs an `options` parameter"):
        takes_options()(lambda unit: unit)


def test_python_values_and_typed_strings_give_the_same_figures(store):
    with collabatlas.open(store, read_only=True) as atlas:
        pd.testing.assert_frame_equal(atlas.scores(years=[2019, 2020]), atlas.scores(years="2019-2020"))
        pd.testing.assert_frame_equal(atlas.scores(years=(2019, 2020)), atlas.scores(years="2019-2020"))
        pd.testing.assert_frame_equal(atlas.totals(type=["article", "review"]), atlas.totals(type="article,review"))
        pd.testing.assert_frame_equal(atlas.partners("US", years=[2019, 2021], type=["review"]),
                                      atlas.partners("US", options=MetricOptions(years="2019-2021", type="review")))
        pd.testing.assert_frame_equal(atlas.pairs(indices=["salton", "jaccard"]), atlas.pairs(indices="salton,jaccard"))
        pd.testing.assert_frame_equal(atlas.trend("US", "JP", years=[2019, 2021]), atlas.trend("US", "JP",
                                                                                               years="2019-2021"))
        listed = atlas.group("US", "g", [2019, "2020-2021"], members=frozenset({"JP", "GB"}))
        typed = atlas.group("US", "g", "2019,2020-2021", members=frozenset({"JP", "GB"}))
        pd.testing.assert_frame_equal(listed.periods, typed.periods)
        assert listed.periods["period"].tolist() == ["2019", "2020-2021"]
        by_name = atlas.group("US", "g", "2019,2020-2021", members="JP, GB")
        pd.testing.assert_frame_equal(by_name.periods, typed.periods)
        # the figures under a list of types are those of the works of those types (hand-counted: W1, W3 reviews)
        assert atlas.scores(type=["review"]).set_index("unit")["count"].to_dict() == {"US": 2, "JP": 1, "GB": 1}


def test_an_option_a_metric_does_not_apply_is_refused_as_a_keyword_too(store):
    with collabatlas.open(store, read_only=True) as atlas:
        with pytest.raises(OptionsError, match="industry does not apply --renormalize"):
            atlas.industry(renormalize=True)
        with pytest.raises(OptionsError, match="trend does not apply --window"):
            atlas.trend("US", "JP", window="2020-01-01..2020-12-31")
        with pytest.raises(TypeError):
            atlas.scores(colour="red")


def test_the_capability_check_reads_the_options_object():
    PAIRS_DUCKDB.require("partners", level="country", options=MetricOptions(years=[2015, 2020]))
    with pytest.raises(CapabilityError, match="--subject, --renormalize: not available with --source pairs"):
        PAIRS_DUCKDB.require("partners", options=MetricOptions(subject="Chemistry", renormalize=True))
    with pytest.raises(CapabilityError, match="--ci"):
        PAIRS_DUCKDB.require("partners", options=MetricOptions(years="2020"), ci=100)
    WORKS_DUCKDB.require("partners", options=MetricOptions(subject="Chemistry", rollup=True), ci=100)


# -- no engine tests outside the engines -------------------------------------------------------------

def test_engines_declare_what_they_answer_themselves():
    """The pair engine answers its declared metrics from its own table (the PairTable protocol); works
    engines answer nothing themselves (the counting statements run through query)."""
    assert PAIRS_DUCKDB.answers <= PAIRS_DUCKDB.metrics | PAIRS_DUCKDB.analyses
    for method in ("years", "totals", "partners", "trend", "links", "group", "query"):
        assert method in {m for m in dir(PairTable) if not m.startswith("_")}
        assert callable(getattr(PairsDuckDB, method)), method
    assert all(not c.answers for c in DECLARED if c.source == "works")


def test_the_facade_and_the_analyses_never_test_which_engine_they_have():
    banned = re.compile(r"hasattr\(\s*engine|spark is (not )?None|(?<!engines)\.spark\b|source\s*==|==\s*\"pairs\"")
    offenders = []
    for folder in ("atlas", "analyses"):
        for path in sorted((SRC / folder).glob("*.py")):
            for number, line in enumerate(path.read_text().splitlines(), 1):
                if banned.search(line):
                    offenders.append(f"{path.relative_to(SRC)}:{number}: {line.strip()}")
    assert offenders == []
