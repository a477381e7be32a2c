"""A country's collaboration with a group of countries, on a hand-built corpus with known answers."""

from __future__ import annotations

import pytest

from collabatlas.counting.rules import CountingError
from tests.conftest import work

CN, US, PK, RU = ("C1", "CN"), ("U1", "US"), ("P1", "PK"), ("R1", "RU")
CORPUS = [
    work("W1", [[CN], [US]], year=2014), work("W2", [[CN], [PK]], year=2014), work("W3", [[CN]], year=2014),
    work("W4", [[CN], [PK], [US]], year=2014),
    work("W5", [[CN], [PK]], year=2017), work("W6", [[CN], [RU]], year=2017), work("W7", [[CN], [RU], [US]], year=2017),
    work("W8", [[CN]], year=2017), work("W9", [[CN]], year=2017), work("W10", [[CN], [US]], year=2017),
]
GROUP = frozenset({"PK", "RU", "CN"})  # the focus country itself is left out of its group


def test_periods_growth_and_partners(atlas_of):
    report = atlas_of(CORPUS).group("cn", "test", ["2014", "2017"], members=GROUP)
    periods = report.periods.set_index("period")
    assert periods.loc["2014", ["works", "intl_works", "group_works", "domestic_works"]].tolist() == [4, 3, 2, 1]
    assert periods.loc["2017", ["works", "intl_works", "group_works", "domestic_works"]].tolist() == [6, 4, 3, 2]
    assert periods.loc["2014", "group_pct_of_intl_works"] == pytest.approx(200 / 3)
    assert periods.loc["2014", "group_pct_of_intl_cs"] == pytest.approx(50.0)
    assert periods.loc["2017", "group_cs"] == pytest.approx(8 / 3)
    assert periods.loc["2017", "group_pct_of_intl_cs"] == pytest.approx(100 * 8 / 13)
    growth = report.growth.set_index("measure")["growth_pct"].to_dict()
    assert growth == pytest.approx({"group_works": 50.0, "intl_works": 100 / 3, "domestic_works": 100.0,
                                    "group_cs": 60.0, "intl_cs": 30.0})
    partners = report.partners.set_index("partner")
    assert list(partners.index) == ["RU", "PK"]
    assert partners.loc["PK", ["cs_2014", "cs_2017", "growth_pct"]].tolist() == pytest.approx([5 / 3, 1.0, -40.0])
    assert partners.loc["RU", "cs_2014"] == 0 and pd_isna(partners.loc["RU", "growth_pct"])
    assert report.members == frozenset({"PK", "RU"})


def test_growth_carries_the_n_of_each_measure_and_the_small_n_flag(atlas_of, monkeypatch):
    """Every growth row says how many works stand behind it at each end (a count its own n, a CS the
    works it sums over) and is flagged below COLLABATLAS_SMALL_N, in the library: the CLI, the API, the
    report and the dashboard show the same flags. Counts are whole numbers (JSON 4, not 4.0)."""
    report = atlas_of(CORPUS).group("CN", "test", ["2014", "2017"], members=GROUP)
    growth = report.growth.set_index("measure")
    assert growth[["n_first", "n_last"]].to_dict("index") == {
        "group_works": {"n_first": 2, "n_last": 3}, "intl_works": {"n_first": 3, "n_last": 4},
        "domestic_works": {"n_first": 1, "n_last": 2}, "group_cs": {"n_first": 2, "n_last": 3},
        "intl_cs": {"n_first": 3, "n_last": 4}}
    assert growth["small_n"].tolist() == [True] * 5  # fewer than 10 works at one end
    monkeypatch.setenv("COLLABATLAS_SMALL_N", "3")
    flagged = atlas_of(CORPUS).group("CN", "test", ["2014", "2017"], members=GROUP).growth
    assert dict(zip(flagged["measure"], flagged["small_n"], strict=True)) == {
        "group_works": True, "intl_works": False, "domestic_works": True, "group_cs": True, "intl_cs": False}
    assert str(report.periods["works"].dtype) == "int64"
    assert report.to_dict()["periods"][0]["works"] == 4 and isinstance(report.to_dict()["periods"][0]["works"], int)


def pd_isna(value) -> bool:
    return value is None or value != value


def test_year_range_periods_and_errors(atlas_of):
    atlas = atlas_of(CORPUS)
    report = atlas.group("CN", "test", ["2014-2016", "2017-2019"], members=GROUP)
    assert report.periods["period"].tolist() == ["2014-2016", "2017-2019"]
    assert report.periods["group_works"].tolist() == [2, 3]
    with pytest.raises(CountingError, match="no member other than CN"):
        atlas.group("CN", "only-me", ["2014"], members=frozenset({"CN"}))
    with pytest.raises(ValueError, match="unknown country"):
        atlas.group("ZZ", "test", ["2014"], members=GROUP)


def test_group_cli_with_a_user_csv_and_a_maintained_group(tmp_path, shared_data, monkeypatch):
    import json

    from typer.testing import CliRunner

    from collabatlas.views.cli import app
    from tests.conftest import write_jsonl

    monkeypatch.setenv("COLLABATLAS_DATA", str(shared_data))
    runner = CliRunner()
    store = str(tmp_path / "s.duckdb")
    assert runner.invoke(app, ["ingest", str(write_jsonl(tmp_path / "c.jsonl", CORPUS)),
                               "--store", store]).exit_code == 0
    groups_csv = tmp_path / "groups.csv"
    groups_csv.write_text("country,group\nPakistan,neighbours\nRussia,neighbours\nJapan,other\n")
    out = runner.invoke(app, ["group", "CN", "--group", f"csv:{groups_csv}#neighbours", "--periods", "2014,2017",
                              "--format", "json", "--store", store])
    assert out.exit_code == 0, out.output
    report = json.loads(out.stdout)
    assert report["members"] == ["PK", "RU"] and [p["group_works"] for p in report["periods"]] == [2, 3]
    # Belt and Road (maintained list): PK and RU are members, US is not
    bri = runner.invoke(app, ["group", "CN", "--group", "bri", "--periods", "2014,2017", "--format", "json",
                              "--store", store])
    assert [p["group_works"] for p in json.loads(bri.stdout)["periods"]] == [2, 3]
    bad = runner.invoke(app, ["group", "CN", "--group", "nonsense", "--periods", "2014", "--store", store])
    assert bad.exit_code == 2 and "bri" in bad.output


def test_growth_intervals(atlas_of):
    # 30 works with PK in 2014, 45 in 2017 (+50 %), plus domestic works
    corpus = [work(f"W{i}", [[CN], [PK]], year=2014) for i in range(30)]
    corpus += [work(f"W{100 + i}", [[CN], [PK]], year=2017) for i in range(45)]
    corpus += [work(f"W{200 + i}", [[CN]], year=2017) for i in range(5)]
    report = atlas_of(corpus).group("CN", "test", ["2014", "2017"], members=GROUP, ci=800)
    growth = report.growth.set_index("measure")
    assert growth.loc["group_works", "growth_pct"] == pytest.approx(50.0)
    low, high = growth.loc["group_works", ["growth_low", "growth_high"]]
    assert low < 50 < high and high - low < 150
    assert (growth.loc["group_cs", "growth_low"] < growth.loc["group_cs", "growth_pct"]
            < growth.loc["group_cs", "growth_high"])
    assert growth.loc["domestic_works", ["growth_low", "growth_high"]].isna().all()
