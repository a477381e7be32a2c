"""The analyses built on the counting statements run on Spark too (issue 31): an institution's
`profile` and a country's `group` analysis on Spark local[2] equal DuckDB's on the same data (the
real sample ingested into DuckDB, exported, read by Spark), through the API and the CLI.

One Spark session for the module (starting one costs tens of seconds on a 2-core machine)."""

from __future__ import annotations

import json
import math
import re

import pandas as pd
import pytest

import collabatlas
from collabatlas.counting.rules import CountingError
from collabatlas.ingest.pipeline import export_tables
from tests.spark_support import MASTER, require_spark, small_data_settings  # noqa: F401 - autouse fixture

require_spark()

pytestmark = pytest.mark.spark


@pytest.fixture(scope="module")
def engines(shared_data, tmp_path_factory):
    """(DuckDB atlas, Spark atlas, store path, Parquet folder) over the same real sample."""
    folder = tmp_path_factory.mktemp("analyses")
    store = folder / "atlas.duckdb"
    duck = collabatlas.open(store)
    duck.ingest(shared_data / "openalex")
    export_tables(duck.con, folder / "parquet")
    duck.close()
    duck = collabatlas.open(store, read_only=True)
    spark = collabatlas.Atlas(engine="spark", parquet=folder / "parquet", spark_master=MASTER)
    yield duck, spark, store, folder / "parquet"
    spark.close()
    duck.close()


def assert_same(a: pd.DataFrame, b: pd.DataFrame, what: str) -> None:
    """Same rows in the same order, same counts and dtypes; floats within 1e-9."""
    pd.testing.assert_frame_equal(a, b, check_exact=False, rtol=0, atol=1e-9, obj=what)


def assert_same_dict(a: dict, b: dict, what: str) -> None:
    assert a.keys() == b.keys(), what
    for key in a:
        if isinstance(a[key], float) and isinstance(b[key], float):
            assert abs(a[key] - b[key]) <= 1e-9 or (a[key] != a[key] and b[key] != b[key]), f"{what}: {key}"
        else:
            assert a[key] == b[key], f"{what}: {key}"


def busiest_institution(duck) -> str:
    """The institution with the most partners in the sample (so every part of a profile has rows)."""
    pairs = duck.pairs(level="institution")
    counts = pd.concat([pairs["unit_a"], pairs["unit_b"]]).value_counts()
    return str(counts.index[0])


def test_profile_on_spark_equals_duckdb(engines):
    """MUST SHOW (issue 31): `profile` on Spark equals DuckDB's (headline, hotspots, partners,
    domestic / international / corporate partners, partner counts), plain and with options."""
    duck, spark, _store, _parquet = engines
    inst = busiest_institution(duck)
    for options in ({}, {"years": "2001-2010"}, {"years": "2015-2020"}, {"rollup": True}):
        try:
            a = duck.profile(inst, top=3, **options)
        except CountingError as exc:  # no works under the filters: the same refusal
            with pytest.raises(type(exc), match=re.escape(str(exc))):
                spark.profile(inst, top=3, **options)
            continue
        b = spark.profile(inst, top=3, **options)
        what = f"profile {inst} {options}"
        assert (a.institution_id, a.name, a.country) == (b.institution_id, b.name, b.country), what
        assert_same_dict(a.headline, b.headline, what)
        for part in ("hotspots", "partners", "corporate_partners", "top_domestic_partners",
                     "top_international_partners"):
            assert_same(getattr(a, part), getattr(b, part), f"{what} {part}")
        assert (a.n_domestic_partners, a.n_international_partners) == (b.n_domestic_partners,
                                                                      b.n_international_partners), what
    plain = duck.profile(inst, top=3)
    assert len(plain.partners) > 0 and len(plain.hotspots) > 0 and plain.headline["count"] > 0
    assert duck.profile(inst, top=3, years="2001-2010").headline != plain.headline  # the option is not vacuous


def test_group_on_spark_equals_duckdb(engines):
    duck, spark, _store, _parquet = engines
    top = duck.pairs(level="country").iloc[0]
    country = top.unit_a
    partners = duck.partners(country)
    members = frozenset(partners["partner"].head(4))
    for periods, options in ((["1990-2010", "2011-2024"], {}), (["2000-2015", "2016-2024"], {"report_dual": True}),
                             (["1990-2010", "2011-2024"], {"renormalize": True})):
        a = duck.group(country, "mine", periods, members=members, **options)
        b = spark.group(country, "mine", periods, members=members, **options)
        what = f"group {country} {periods} {options}"
        assert (a.members, a.counting, a.notes) == (b.members, b.counting, b.notes), what
        for part in ("periods", "growth", "partners"):
            assert_same(getattr(a, part), getattr(b, part), f"{what} {part}")
        assert a.periods["group_works"].sum() > 0 and len(a.partners) > 0, what


def test_profile_and_group_cli_on_spark_print_what_duckdb_prints(engines):
    from typer.testing import CliRunner

    from collabatlas.views.cli import app

    duck, _spark, store, parquet = engines
    inst = busiest_institution(duck)
    country = duck.pairs(level="country").iloc[0].unit_a
    runner = CliRunner()
    spark = ["--engine", "spark", "--spark-master", MASTER, "--parquet", str(parquet)]
    for command in (["profile", inst, "--top", "3", "--format", "json"],
                    ["group", country, "--group", "oecd", "--periods", "2000-2010,2011-2024", "--format", "json"]):
        expected = runner.invoke(app, [*command, "--store", str(store)])
        got = runner.invoke(app, [*command, "--store", str(store), *spark])
        assert expected.exit_code == 0, expected.output
        assert got.exit_code == 0, got.output
        a, b = json.loads(expected.stdout), json.loads(got.stdout)
        if command[0] == "group":  # the caption names the engine's source
            assert a.pop("source_label") != b.pop("source_label")
        assert_close(a, b, command[0])
        assert len(expected.stdout) > 200


def assert_close(a, b, where: str) -> None:
    """JSON values equal, numbers within 1e-9."""
    if isinstance(a, dict):
        assert isinstance(b, dict) and a.keys() == b.keys(), where
        for key in a:
            assert_close(a[key], b[key], f"{where}.{key}")
    elif isinstance(a, list):
        assert isinstance(b, list) and len(a) == len(b), where
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            assert_close(x, y, f"{where}[{i}]")
    elif isinstance(a, float) and isinstance(b, float | int):
        assert abs(a - b) <= 1e-9 or (math.isnan(a) and math.isnan(b)), where
    else:
        assert a == b, where


def test_spark_states_the_data_version_of_the_store_it_was_exported_from(engines):
    """The same data gives the same provenance on both engines: the export's manifest carries the
    store's data version and the Spark engine states it (it said "data version 0")."""
    from typer.testing import CliRunner

    from collabatlas.views.cli import app

    duck, spark, store, parquet = engines
    assert duck.data_version > 0 and spark.data_version == duck.data_version
    args = ["scores", "--level", "country", "--store", str(store)]
    lines = [" ".join(CliRunner().invoke(app, [*args, *more], env={"COLUMNS": "300"}).stdout.split())
             for more in ([], ["--engine", "spark", "--spark-master", MASTER, "--parquet", str(parquet)])]
    assert all(text.endswith(f"· data version {duck.data_version}") for text in lines), [t[-120:] for t in lines]


def test_industry_of_one_country_is_refused_by_the_spark_engines_declaration(engines):
    """``industry --country`` is declared by the DuckDB store only: on Spark the refusal is the one every
    option gets (Capabilities.require), from the CLI (exit 2, the flag and the engine named) and the API."""
    from typer.testing import CliRunner

    from collabatlas.engines import CapabilityError
    from collabatlas.views.cli import app

    duck, spark, store, parquet = engines
    country = duck.pairs(level="country").iloc[0].unit_a
    with pytest.raises(CapabilityError, match=r"^--country: not available with the Spark engine"):
        spark.industry(country=country)
    duck.industry(country=country)  # the DuckDB store declares it: answered
    assert list(spark.industry().columns) == list(duck.industry().columns)  # without --country: answered
    got = CliRunner().invoke(app, ["industry", "--country", country, "--store", str(store), "--engine", "spark",
                                   "--spark-master", MASTER, "--parquet", str(parquet)])
    assert got.exit_code == 2, got.output
    assert "--country: not available with the Spark engine" in " ".join(got.output.split())
