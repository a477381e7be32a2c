"""The counting statements on Spark (local[2]) give what DuckDB gives: the real sample exported as
Parquet interchange and read by both engines, and the hand oracle of issue #2 on Spark alone.

One Spark session for the module (starting one costs ~10-20 s); each test opens its own engine
(an isolated Spark session over the shared context)."""

from __future__ import annotations

from fractions import Fraction as F

import pandas as pd
import pytest

import collabatlas
from collabatlas.engines import CapabilityError, EngineError
from collabatlas.errors import answer
from collabatlas.ingest.pipeline import export_tables
from tests.conftest import write_jsonl
from tests.spark_support import MASTER, require_spark, small_data_settings  # noqa: F401 - autouse fixture
from tests.test_counting_oracle import ORACLE, approx, as_dict, pair_dict

require_spark()

METRICS = ("scores", "pairs", "totals")
#: every level plain and with one option (the filter and renormalisation SQL is the same at every
#: level, so each option is compared at one level; a Spark query costs about a second)
CASES = [("country", {}), ("country", {"years": "2000-2010"}), ("institution", {}),
         ("institution", {"subject": "Life Sciences"}), ("sector", {}), ("sector", {"renormalize": True})]


@pytest.fixture(scope="module")
def engines(shared_data, tmp_path_factory):
    """(DuckDB atlas, Spark atlas) over the same real sample."""
    duck = collabatlas.open(":memory:")
    duck.ingest(shared_data / "openalex")
    folder = tmp_path_factory.mktemp("parquet")
    export_tables(duck.con, folder)
    spark = collabatlas.Atlas(engine="spark", parquet=folder, spark_master=MASTER)
    yield duck, spark
    spark.close()
    duck.close()


def assert_same(a: pd.DataFrame, b: pd.DataFrame, what: str) -> None:
    """Same units in the same order, same counts and dtypes; floats within 1e-9."""
    assert len(a) > 0, f"{what}: nothing to compare"
    pd.testing.assert_frame_equal(a, b, check_exact=False, rtol=0, atol=1e-9, obj=what)


@pytest.mark.parametrize(("level", "options"), CASES)
def test_scores_pairs_totals_match_duckdb(engines, level, options):
    duck, spark = engines
    for metric in METRICS:
        a = getattr(duck, metric)(level=level, **options)
        b = getattr(spark, metric)(level=level, **options)
        assert_same(a, b, f"{level} {metric} {options}")
    if options:  # the option changes the numbers, so the comparison is not vacuous
        plain, changed = duck.scores(level=level), duck.scores(level=level, **options)
        assert len(changed) != len(plain) or (changed["share"] - plain["share"]).abs().max() > 1e-9


def test_rollup_partners_trend_collaboration_match_duckdb(engines):
    duck, spark = engines
    for metric in ("scores", "pairs"):
        rolled = getattr(duck, metric)(level="institution", rollup=True)
        assert_same(rolled, getattr(spark, metric)(level="institution", rollup=True), f"rollup {metric}")
    assert len(duck.scores(level="institution", rollup=True)) < len(duck.scores(level="institution"))
    top = duck.pairs(level="country").iloc[0]
    assert_same(duck.partners(top.unit_a, years="2000-2010"), spark.partners(top.unit_a, years="2000-2010"),
                "partners")
    assert_same(duck.trend(top.unit_a, top.unit_b), spark.trend(top.unit_a, top.unit_b), "trend")
    assert_same(duck.trend(top.unit_a, top.unit_b, window_end_month=6),
                spark.trend(top.unit_a, top.unit_b, window_end_month=6), "trend by window")
    assert_same(duck.collaboration_by_year(), spark.collaboration_by_year(), "collaboration")


def test_derived_metrics_match_duckdb(engines):
    """The derived statements (counting/derived.py) run on Spark too: the dual-affiliation split of
    partners and trend, and the CS by partner country of an institution."""
    duck, spark = engines
    top = duck.pairs(level="country").iloc[0]
    assert_same(duck.partners(top.unit_a, report_dual=True), spark.partners(top.unit_a, report_dual=True),
                "partners report_dual")
    assert_same(duck.trend(top.unit_a, top.unit_b, report_dual=True),
                spark.trend(top.unit_a, top.unit_b, report_dual=True), "trend report_dual")
    inst = duck.totals(level="institution").sort_values("intl_count", ascending=False)["unit"].iloc[0]
    assert_same(duck.partner_countries(inst), spark.partner_countries(inst), "partner countries")
    assert_same(duck.partner_countries(inst, top=2), spark.partner_countries(inst, top=2), "hotspots")


def test_store_only_features_say_so(engines):
    _, spark = engines
    with pytest.raises(EngineError, match="DuckDB store"):
        spark.summary()
    # refusals come from the Spark engine's declaration (issue 26), answered as user errors
    assert spark.capabilities().name == "works-spark" and not spark.capabilities().supports("store")
    assert spark.capabilities().supports("group") and spark.capabilities().supports("profile")  # test_spark_analyses
    for call, what in ((lambda: spark.partners("JP", source="pairs"), "country-pair table"),
                       (lambda: spark.group("JP", "bri", ["2020"], source="pairs"), "country-pair table"),
                       (lambda: spark.impact("JP"), "impact")):
        with pytest.raises(CapabilityError, match=f"{what}: not available with the Spark engine") as raised:
            call()
        assert answer(raised.value).exit_code == 2


def test_hand_oracle_on_spark(tmp_path):
    """Issue #2: authors JP; JP+US (one author, two affiliations); CN."""
    duck = collabatlas.open(":memory:")
    duck.ingest(write_jsonl(tmp_path / "oracle.jsonl", [ORACLE]))
    export_tables(duck.con, tmp_path / "parquet")
    duck.close()
    spark = collabatlas.open_spark(tmp_path / "parquet", master=MASTER)
    try:
        assert as_dict(spark.scores(level="country")) == approx({"JP": F(1, 2), "US": F(1, 6), "CN": F(1, 3)})
        assert pair_dict(spark.pairs(level="country")) == approx(
            {("JP", "US"): F(2, 3), ("CN", "JP"): F(5, 6), ("CN", "US"): F(1, 2)})
        totals = spark.totals(level="country")
        assert as_dict(totals, value="cs_total") == approx({"JP": F(3, 2), "US": F(7, 6), "CN": F(4, 3)})
        assert as_dict(spark.scores(level="institution")) == approx(
            {"J1": F(1, 3), "J2": F(1, 6), "U1": F(1, 6), "C1": F(1, 3)})
    finally:
        spark.close()


def test_cli_engine_spark_prints_what_duckdb_prints(tmp_path):
    """--engine spark with --parquet, and without it (the store exported to a temporary directory)."""
    from typer.testing import CliRunner

    from collabatlas.views.cli import app

    store = str(tmp_path / "oracle.duckdb")
    runner = CliRunner()
    source = str(write_jsonl(tmp_path / "oracle.jsonl", [ORACLE]))
    assert runner.invoke(app, ["ingest", source, "--store", store]).exit_code == 0
    assert runner.invoke(app, ["export", str(tmp_path / "pq"), "--store", store]).exit_code == 0
    spark = ["--engine", "spark", "--spark-master", MASTER]
    for command, extra in ((["scores", "--level", "institution"], ["--parquet", str(tmp_path / "pq")]),
                           (["partners", "JP"], [])):
        base = [*command, "--format", "csv", "--store", store]
        expected = runner.invoke(app, base)
        assert expected.exit_code == 0 and len(expected.stdout.splitlines()) >= 3
        got = runner.invoke(app, base + spark + extra)
        assert got.exit_code == 0, got.output
        assert got.stdout == expected.stdout, command + extra
    refused = runner.invoke(app, ["scores", "--store", store, "--engine", "spark", "--spark-master", "spark://h:7077"])
    assert refused.exit_code == 2 and "shared storage" in refused.output


# -- the rendering alone (no Spark needed) ------------------------------------------------------
def test_rendering_binds_parameters_as_literals_and_drops_duckdb_only_syntax():
    from datetime import date

    from collabatlas.engines.sql_dialect import RenderError, to_spark

    sql = ("WITH wu AS MATERIALIZED (SELECT 1 AS x) SELECT * FROM wu WHERE a IN (SELECT unnest($names)) "
           "AND b IN (SELECT unnest($none)) AND c = $n AND d BETWEEN $start AND $start AND list_contains($m, e)")
    out = to_spark(sql, {"names": ["o'brien", "x"], "none": [], "n": 3, "start": date(2020, 1, 2), "m": ["US"]})
    assert "MATERIALIZED" not in out and "$" not in out and ":" not in out.replace("'", "")
    assert "a IN ('o\\'brien', 'x')" in out and "AND FALSE AND c = 3" in out
    assert "CAST('2020-01-02' AS DATE)" in out and "ARRAY_CONTAINS(ARRAY('US'), e)" in out
    with pytest.raises(RenderError, match="only str, int"):
        to_spark("SELECT $x", {"x": 0.5})  # Spark would read 0.5 as DECIMAL
    with pytest.raises(RenderError, match=r"\$y has no value"):
        to_spark("SELECT $y", {})


def test_nested_ctes_of_the_same_name_are_renamed_for_spark():
    from collabatlas.engines.sql_dialect import to_spark

    out = to_spark("SELECT a.x FROM (WITH wu AS (SELECT 1 AS x) SELECT wu.x FROM wu) a "
                   "JOIN (WITH wu AS (SELECT 2 AS x) SELECT wu.x FROM wu) b ON a.x = b.x")
    assert out.count("wu AS") == 1 and "wu_1 AS (SELECT 2 AS x)" in out and "SELECT wu_1.x FROM wu_1" in out


def test_every_counting_statement_renders_with_double_arithmetic():
    from collabatlas.counting import rules as counting
    from collabatlas.counting.filters import Filters
    from collabatlas.counting.rules import Counting
    from collabatlas.engines.sql_dialect import to_spark

    f = Filters.of(years="2015-2020", window="2016-01-01..2019-12-31", subject="Life Sciences", type="article")
    for level in ("country", "institution", "sector"):
        c = Counting(level=level, filters=f, renormalize=True, rollup=level == "institution")
        for sql, params in (counting.scores_sql(c, by_year=True), counting.pairs_sql(c), counting.totals_sql(c),
                            counting.partners_sql(c, "X"), counting.pair_trend_sql(c, "A", "B", 6),
                            counting.collaboration_by_year_sql(c)):
            out = to_spark(sql, params)
            assert "$" not in out and "MATERIALIZED" not in out
            assert "1.0" not in out and "CAST(1 AS DOUBLE) /" in out  # no DECIMAL literal


def test_collab_indicators_and_distance_match_duckdb(shared_data, tmp_path):
    """The Leiden-style indicators and distances (issue 17) on Spark: the coordinates (OpenAlex
    entities and the ROR registry) travel in the export's institution_geo/ folder; the haversine,
    median and FILTER aggregates render through sqlglot."""
    from collabatlas.affiliations.ror import load_ror

    duck = collabatlas.open(":memory:")
    duck.ingest(shared_data / "openalex")
    load_ror(duck.con, sorted((shared_data / "ror").glob("ror_v*_records.jsonl.gz")))
    export_tables(duck.con, tmp_path / "parquet")
    spark = collabatlas.Atlas(engine="spark", parquet=tmp_path / "parquet", spark_master=MASTER)
    try:
        assert duck.con.execute("SELECT count(*) FROM institution_geo").fetchone()[0] > 0
        for level, options in (("country", {}), ("country", {"counting": "fractional", "fold_hk_mo": True}),
                               ("institution", {"counting": "fractional"})):
            a, b = duck.indicators(level, **options), spark.indicators(level, **options)
            assert_same(a, b, f"{level} indicators {options}")
            assert a.attrs["coverage"] == b.attrs["coverage"]
            assert a["p_long_dist"].sum() > 0 and a["median_dist_km"].notna().any()
        assert_same(duck.distance("US"), spark.distance("US"), "distance US")
        assert_same(duck.distance("US", partners=True), spark.distance("US", partners=True), "partner distances US")
    finally:
        spark.close()
        duck.close()
