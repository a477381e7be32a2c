"""The per-year aggregates saved at the end of every ingest answer exactly what the unit shares answer.

Each test opens the same store twice: once reading the aggregates (the default) and once with
``use_aggregates = False`` (every statement from the unit shares), and compares the results.
"""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

import collabatlas
from collabatlas.counting import rules as counting
from tests.test_counting_properties import SETTINGS, build, works_st


def _pair(atlas: collabatlas.Atlas) -> tuple[collabatlas.Atlas, collabatlas.Atlas]:
    direct = atlas.cursor()
    direct.use_aggregates = False
    return atlas, direct


def _same(a: pd.DataFrame, b: pd.DataFrame) -> None:
    assert list(a.columns) == list(b.columns)
    pd.testing.assert_frame_equal(a.reset_index(drop=True), b.reset_index(drop=True), check_exact=False,
                                  rtol=0, atol=1e-9)


def _compare_everything(agg: collabatlas.Atlas, direct: collabatlas.Atlas, years) -> int:
    """Compare every metric that reads the aggregates; returns how many frames were compared."""
    compared = 0
    for level in counting.LEVELS:
        for method, kwargs in (("scores", {}), ("scores", {"by_year": True}), ("pairs", {}),
                               ("pairs", {"by_year": True}), ("totals", {}),
                               ("collaboration_by_year", {})):
            _same(getattr(agg, method)(level=level, years=years, **kwargs),
                  getattr(direct, method)(level=level, years=years, **kwargs))
            compared += 1
        units = direct.scores(level=level, years=years)["unit"].tolist()[:3]
        for unit in units:
            _same(agg.totals(level=level, years=years, unit=unit), direct.totals(level=level, years=years, unit=unit))
            _same(agg.partners(unit, level=level, years=years), direct.partners(unit, level=level, years=years))
            compared += 2
        if len(units) >= 2:
            _same(agg.trend(units[0], units[1], level=level, years=years),
                  direct.trend(units[0], units[1], level=level, years=years))
            compared += 1
    return compared


def test_aggregates_are_saved_and_used(sample_store):
    with collabatlas.open(sample_store, read_only=True) as atlas:
        assert atlas.unit_shares_saved
        c = atlas.counting_for("country", years="2015-2020")
        assert c.use_aggregates
        sql, _ = counting.partners_sql(c, "US")
        assert counting.aggregate_table("partners", "country") in sql
        # anything the per-year sums cannot answer reads the unit shares
        for other in (dict(renormalize=True), dict(subject="ni:life-sciences"), dict(window="2019-03-01..2020-02-29")):
            c2 = atlas.counting_for("country", **other)
            assert not c2.use_aggregates
            assert "agg_partners" not in counting.partners_sql(c2, "US")[0]
        assert not atlas.counting_for("institution", rollup=True).use_aggregates


@pytest.mark.parametrize("years", [None, "2018-2021", "2020"])
def test_real_sample_aggregates_equal_unit_shares(sample_store, years):
    with collabatlas.open(sample_store, read_only=True) as atlas:
        agg, direct = _pair(atlas)
        assert _compare_everything(agg, direct, years) >= 18


def test_profile_from_aggregates_equals_unit_shares(sample_store):
    with collabatlas.open(sample_store, read_only=True) as atlas:
        agg, direct = _pair(atlas)
        top = direct.scores(level="institution")["unit"].iloc[0]
        assert agg.profile(top).to_dict() == direct.profile(top).to_dict()


def test_stale_aggregates_are_not_read(shared_data, tmp_path):
    path = tmp_path / "stale.duckdb"
    with collabatlas.open(path) as atlas:
        atlas.ingest(shared_data / "openalex" / "works_api_sample.jsonl.gz")
        assert atlas.counting_for("country").aggregated
        atlas.con.execute("UPDATE store_meta SET value = 'old' WHERE key = 'unit_shares_version'")
        assert not atlas.counting_for("country").aggregated


@SETTINGS
@given(works_st, st.sampled_from([None, "2018-2019", "2019-2020", "2020"]))
def test_aggregates_equal_unit_shares_on_generated_works(tmp_path, authors_per_work, years):
    atlas = build(tmp_path, authors_per_work)
    agg, direct = _pair(atlas)
    _compare_everything(agg, direct, years)


def test_refresh_command_saves_a_stale_store_again(shared_data, tmp_path):
    import json

    from typer.testing import CliRunner

    from collabatlas.views.cli import app

    path = tmp_path / "refresh.duckdb"
    with collabatlas.open(path) as atlas:
        atlas.ingest(shared_data / "openalex" / "works_api_sample.jsonl.gz")
        expected = atlas.partners("US", level="country")
        atlas.con.execute("UPDATE store_meta SET value = 'old' WHERE key = 'unit_shares_version'")
    runner = CliRunner()
    info = json.loads(runner.invoke(app, ["info", "--store", str(path), "--format", "json"]).stdout)
    assert info["summary"]["saved unit shares and aggregates"].startswith("stale")
    result = runner.invoke(app, ["refresh", "--store", str(path)])
    assert result.exit_code == 0, result.output
    assert "per-year aggregates" in result.stdout
    info = json.loads(runner.invoke(app, ["info", "--store", str(path), "--format", "json"]).stdout)
    assert info["summary"]["saved unit shares and aggregates"] == "current"
    with collabatlas.open(path, read_only=True) as atlas:
        assert atlas.counting_for("country").use_aggregates
        _same(atlas.partners("US", level="country"), expected)


def test_import_tables_saves_the_aggregates(sample_store, tmp_path):
    from collabatlas.ingest.pipeline import export_tables

    with collabatlas.open(sample_store, read_only=True) as atlas:
        export_tables(atlas.con, tmp_path / "tables")
        expected = atlas.totals(level="institution", years="2015-2023")
    with collabatlas.open(tmp_path / "imported.duckdb") as atlas:
        report = atlas.import_tables(tmp_path / "tables")
        assert report.works_inserted > 0 and atlas.unit_shares_saved
        _same(atlas.totals(level="institution", years="2015-2023"), expected)
