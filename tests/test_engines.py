"""Issue 26: engines declare what they answer, and every refusal comes from the declaration through
one function (Capabilities.require)."""

from __future__ import annotations

import pytest

import collabatlas
from collabatlas import errors
from collabatlas.engines import DECLARED, CapabilityError, EngineError
from collabatlas.engines.pairs import PAIRS_DUCKDB
from collabatlas.engines.spark_capabilities import SPARK_WORKS
from collabatlas.engines.works_duckdb import WORKS_DUCKDB

from .conftest import pair_store


def test_three_engines_are_declared():
    assert [c.name for c in DECLARED] == ["works-duckdb", "pairs-duckdb", "works-spark"]
    assert {(c.source, c.engine) for c in DECLARED} == {("works", "duckdb"), ("pairs", "duckdb"), ("works", "spark")}


def test_require_refuses_from_the_declaration_naming_engine_what_and_why():
    PAIRS_DUCKDB.require("partners", level="country", years="2020", subject=None, rollup=False, ci=0)  # all fine
    with pytest.raises(CapabilityError, match=r"^--subject, --ci: not available with --source pairs, which holds "
                                              r"joint-work counts .*; use --source works"):
        PAIRS_DUCKDB.require("partners", subject="Chemistry", ci=100)
    with pytest.raises(CapabilityError, match="country level only"):
        PAIRS_DUCKDB.require("partners", level="institution")
    with pytest.raises(CapabilityError, match="landscape: not available with --source pairs, because a country's "
                                              "international share is not computable"):
        PAIRS_DUCKDB.require("landscape")
    with pytest.raises(CapabilityError, match="impact: not available with the Spark engine.*DuckDB store"):
        SPARK_WORKS.require("impact")
    SPARK_WORKS.require("profile")  # issue 31: profiles and group analyses run on Spark
    SPARK_WORKS.require("group")
    WORKS_DUCKDB.require("profile", "group", level="sector", window="2020-01-01..2020-12-31", report_dual=True)


def test_a_refusal_is_an_engine_error_answered_as_a_user_error():
    refusal = CapabilityError("x")
    assert isinstance(refusal, EngineError) and isinstance(refusal, errors.UserError)
    assert errors.answer(refusal).exit_code == 2 and errors.answer(EngineError("x")).exit_code == 1


def test_the_atlas_answers_each_source_with_its_engine(tmp_path):
    store = pair_store(tmp_path, "year,country_a,country_b,works\n2020,JP,JP,3\n2020,JP,US,2\n2020,US,JP,2\n")
    with collabatlas.open(store, read_only=True) as atlas:
        assert atlas.capabilities().name == "works-duckdb" and atlas.capabilities("pairs").name == "pairs-duckdb"
        assert atlas.engine == "duckdb" and atlas.has_store
        with pytest.raises(CapabilityError, match="--rollup: not available with --source pairs"):
            atlas.partners("JP", source="pairs", rollup=True)
        with pytest.raises(CapabilityError, match="country level only"):
            atlas.totals(level="institution", source="pairs")
        # analyses take the narrow interface: statements run on the works engine
        assert atlas.query("SELECT 1 AS one")["one"].tolist() == [1]


def test_industry_of_one_country_is_a_declared_option_refused_by_the_spark_engine():
    """``industry --country`` is the option ``industry_country`` of the DuckDB store's declaration; the
    Spark engine does not declare it, so the refusal comes from Capabilities.require like any other."""
    assert WORKS_DUCKDB.supports("industry_country") and not SPARK_WORKS.supports("industry_country")
    WORKS_DUCKDB.require("industry", industry_country="JP")
    SPARK_WORKS.require("industry", industry_country=None)  # not given: passes
    with pytest.raises(CapabilityError, match=r"^--country: not available with the Spark engine, which holds the "
                                              r"Parquet export .*; this needs the DuckDB store \(--engine duckdb\)$"):
        SPARK_WORKS.require("industry", industry_country="JP")


class _SparkDeclared:
    """The store's works engine declaring what the Spark engine declares (the refusal, without a Spark session)."""

    capabilities = SPARK_WORKS

    def __init__(self, engine):
        self.engine = engine

    def query(self, sql, params=None):
        return self.engine.query(sql, params)

    def mapping(self, sql, params=None):
        return self.engine.mapping(sql, params)

    def close(self):
        self.engine.close()


def test_the_atlas_refuses_industry_of_one_country_where_the_engine_does_not_declare_it(tmp_path):
    with collabatlas.open(tmp_path / "s.duckdb") as atlas:
        with pytest.raises(collabatlas.atlas.UnknownUnitError):  # declared by the DuckDB store: on to the country
            atlas.industry(country="JP")
        atlas.works_engine = _SparkDeclared(atlas.works_engine)
        with pytest.raises(CapabilityError, match=r"^--country: not available with the Spark engine"):
            atlas.industry(country="JP")
        atlas.works_engine = atlas.works_engine.engine
