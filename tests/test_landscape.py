"""Landscape study: hand oracles for the table, the OLS fits, the bands and the gaps; real indicator
files from ../shared/data checked against figures read straight from the files."""

from __future__ import annotations

import csv
import json
import math
from fractions import Fraction as F

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from collabatlas.analyses import landscape as ls
from collabatlas.refdata import indicators as ind
from tests.conftest import work, write_jsonl

T_975_DF2 = 4.302652729911275  # Student t, 97.5% quantile, 2 degrees of freedom (printed tables: 4.303)


def collab_frame(rows, year=2019):
    """rows: (iso2, works, intl_works) → the frame collaboration_by_year(level="country") returns."""
    df = pd.DataFrame(rows, columns=["unit", "works", "intl_works"])
    df.insert(1, "year", year)
    df["intl_share"] = df["intl_works"] / df["works"]
    return df


def indicator_frame(rows):
    """rows: (iso2, year, indicator, value)."""
    df = pd.DataFrame(rows, columns=["iso2", "year", "indicator", "value"])
    df["source"] = "hand"
    return df


# ---------------------------------------------------------------------------------------------
# hand oracles


A, B = 0.15, 0.2
EXACT_GERD = {"AA": 0.25, "BB": 0.5, "CC": 1.0, "DD": 2.0, "EE": 3.0, "FF": 4.0}


def exact_table():
    """Six countries with intl_share = A + B*log10(GERD) exactly (shares built from the formula,
    works = 1), one with GERD 0 and one without GERD; five are 'high', FF is 'low'."""
    rows = [(c, 1, A + B * math.log10(g)) for c, g in EXACT_GERD.items()]
    rows += [("GG", 1, 0.9), ("HH", 1, 0.1)]
    collab = collab_frame(rows)
    indicators = indicator_frame([(c, 2019, "gerd_pct_gdp", g) for c, g in EXACT_GERD.items()]
                                 + [("GG", 2019, "gerd_pct_gdp", 0.0)])
    income = pd.Series({"AA": "high", "BB": "high", "CC": "high", "DD": "high", "EE": "high", "FF": "low",
                        "GG": "high", "HH": "high"})
    return ls.landscape_table(collab, 2019, indicators, income=income)


def test_exact_line_is_recovered_overall_and_in_the_high_group():
    table = exact_table()
    assert table.loc[table.country == "GG", "log_gerd"].isna().all()  # GERD 0 has no logarithm
    result = ls.fit(table)
    overall = result[result.group == "all"].set_index("term")
    assert overall.loc["intercept", "coef"] == pytest.approx(A, abs=1e-9)
    assert overall.loc["log_gerd", "coef"] == pytest.approx(B, abs=1e-9)
    assert overall["r2"].iloc[0] == pytest.approx(1.0, abs=1e-9)
    assert overall["n"].iloc[0] == 6
    assert overall["n_gerd_nonpositive"].iloc[0] == 1  # GG dropped and counted
    assert overall["n_missing"].iloc[0] == 1  # HH has no GERD
    high = result[result.group == "high"].set_index("term")
    assert high["n"].iloc[0] == 5
    assert high.loc["log_gerd", "coef"] == pytest.approx(B, abs=1e-9)
    assert high.loc["intercept", "coef"] == pytest.approx(A, abs=1e-9)


def test_small_group_is_skipped_and_says_so():
    result = ls.fit(exact_table())
    low = result[result.group == "low"]
    assert len(low) == 1
    assert low["n"].iloc[0] == 1 and low["term"].isna().all() and low["coef"].isna().all()
    assert "min_n=5" in low["note"].iloc[0]
    assert list(result.group.unique()) == ["all", "high", "low"]
    # with min_n=7 even the overall fit (6 countries) is skipped
    assert ls.fit(exact_table(), min_n=7)["term"].isna().all()


# Noisy hand example: GERD 0.01, 0.1, 1, 10 → x = log10 GERD = -2, -1, 0, 1; y = .10, .25, .30, .55.
# x̄ = -1/2, ȳ = 3/10; Sxx = 9/4+1/4+1/4+9/4 = 5; Sxy = .3+.025+0+.375 = 7/10;
# b = Sxy/Sxx = 7/50 = 0.14, a = ȳ - b x̄ = 0.37; fitted .09 .23 .37 .51, residuals .01 .02 -.07 .04;
# SSR = 7/1000, SST = 21/200, R² = 1 - SSR/SST = 14/15; s² = SSR/(n-2) = 7/2000; se(b) = sqrt(s²/Sxx).
NOISY = [("PA", 0.01, 10), ("PB", 0.1, 25), ("PC", 1.0, 30), ("PD", 10.0, 55)]


def noisy_table():
    collab = collab_frame([(c, 100, w) for c, _, w in NOISY])
    indicators = indicator_frame([(c, 2019, "gerd_pct_gdp", g) for c, g, _ in NOISY])
    return ls.landscape_table(collab, 2019, indicators)


def test_noisy_slope_matches_closed_form():
    xs = [F(-2), F(-1), F(0), F(1)]
    ys = [F(w, 100) for _, _, w in NOISY]
    n = len(xs)
    xbar, ybar = sum(xs) / n, sum(ys) / n
    sxx = sum((x - xbar) ** 2 for x in xs)
    sxy = sum((x - xbar) * (y - ybar) for x, y in zip(xs, ys, strict=False))
    b = sxy / sxx
    a = ybar - b * xbar
    ssr = sum((y - a - b * x) ** 2 for x, y in zip(xs, ys, strict=False))
    sst = sum((y - ybar) ** 2 for y in ys)
    assert (b, a, 1 - ssr / sst) == (F(7, 50), F(37, 100), F(14, 15))  # the hand figures above
    se_b = math.sqrt(ssr / (n - 2) / sxx)

    result = ls.fit(noisy_table(), min_n=4).query("group == 'all'").set_index("term")
    assert result.loc["log_gerd", "coef"] == pytest.approx(float(b), abs=1e-12)
    assert result.loc["intercept", "coef"] == pytest.approx(float(a), abs=1e-12)
    assert result.loc["log_gerd", "r2"] == pytest.approx(14 / 15, abs=1e-12)
    assert result.loc["log_gerd", "std_err"] == pytest.approx(se_b, rel=1e-9)
    assert result.loc["log_gerd", "ci_low"] == pytest.approx(0.14 - T_975_DF2 * se_b, rel=1e-9)
    assert result.loc["log_gerd", "ci_high"] == pytest.approx(0.14 + T_975_DF2 * se_b, rel=1e-9)
    assert 0 < result.loc["log_gerd", "p_value"] < 1


def test_bands_by_hand():
    table = noisy_table()
    result = ls.fit(table, min_n=4)
    band = ls.bands(table, result, grid=[-0.5, 1.0]).set_index("x")
    assert set(band.group) == {"all"}  # no income groups given: only the overall fit
    # at x̄ = -0.5 the mean is ȳ and the half-width is t·s/√n
    half = T_975_DF2 * math.sqrt(7 / 2000 / 4)
    assert band.loc[-0.5, "mean"] == pytest.approx(0.30, abs=1e-12)
    assert band.loc[-0.5, "ci_high"] - band.loc[-0.5, "mean"] == pytest.approx(half, rel=1e-9)
    assert band.loc[-0.5, "mean"] - band.loc[-0.5, "ci_low"] == pytest.approx(half, rel=1e-9)
    # at x = 1: a + b = 0.51, half-width t·s·sqrt(1/n + (x-x̄)²/Sxx) = t·s·sqrt(1/4 + 2.25/5)
    half1 = T_975_DF2 * math.sqrt(7 / 2000 * (1 / 4 + 2.25 / 5))
    assert band.loc[1.0, "mean"] == pytest.approx(0.51, abs=1e-12)
    assert band.loc[1.0, "ci_high"] - band.loc[1.0, "mean"] == pytest.approx(half1, rel=1e-9)
    assert band.loc[1.0, "gerd_pct_gdp"] == pytest.approx(10.0)


def test_bands_exact_fit_and_refuses_a_foreign_fit():
    table = exact_table()
    result = ls.fit(table)
    band = ls.bands(table, result, grid=[0.0, 0.5])
    assert set(band.group) == {"all", "high"}  # 'low' was skipped, so it has no band
    for _, row in band.iterrows():
        assert row["mean"] == pytest.approx(A + B * row["x"], abs=1e-9)
        assert row["ci_high"] - row["ci_low"] == pytest.approx(0, abs=1e-9)
    with pytest.raises(ValueError, match="does not match"):
        ls.bands(noisy_table(), ls.fit(noisy_table().assign(intl_share=lambda d: d.intl_share * 2), min_n=4))


def test_two_regressors_recovered_exactly():
    # y = 0.1 + 0.2·log10 GERD + 0.003·trust on six countries with unrelated GERD and trust
    data = [("AA", 0.5, 10), ("BB", 1.0, 40), ("CC", 2.0, 20), ("DD", 3.0, 60), ("EE", 0.3, 35), ("FF", 1.5, 5)]
    collab = collab_frame([(c, 1, 0.1 + 0.2 * math.log10(g) + 0.003 * t) for c, g, t in data])
    indicators = indicator_frame([(c, 2019, "gerd_pct_gdp", g) for c, g, _ in data]
                                 + [(c, 2012, "trust_pct", t) for c, _, t in data])
    table = ls.landscape_table(collab, 2019, indicators)
    assert (table["trust_pct_year"] == 2012).all()  # 7 years away, inside the trust window of 10
    result = ls.fit(table, x=["log_gerd", "trust_pct"]).query("group == 'all'").set_index("term")
    assert list(result.index) == ["intercept", "log_gerd", "trust_pct"]
    assert result.loc["trust_pct", "coef"] == pytest.approx(0.003, abs=1e-9)
    assert result.loc["log_gerd", "coef"] == pytest.approx(0.2, abs=1e-9)
    assert result.loc["intercept", "coef"] == pytest.approx(0.1, abs=1e-9)
    band = ls.bands(table, ls.fit(table, x=["log_gerd", "trust_pct"]), grid=[0.0])
    mean_trust = sum(t for *_, t in data) / len(data)
    assert band["trust_pct"].iloc[0] == pytest.approx(mean_trust)
    assert band["mean"].iloc[0] == pytest.approx(0.1 + 0.003 * mean_trust, abs=1e-9)
    # trust within ±3 only: no country has trust, so the fit has no complete case
    narrow = ls.landscape_table(collab, 2019, indicators, trust_nearest=3)
    assert narrow["trust_pct"].isna().all()
    assert ls.fit(narrow, x=["log_gerd", "trust_pct"])["term"].isna().all()


def test_landscape_table_nearest_years_and_income_source():
    collab = pd.concat([collab_frame([("AA", 10, 5), ("BB", 20, 5), ("CC", 4, 1)]),
                        collab_frame([("AA", 99, 1)], year=2018)], ignore_index=True)
    indicators = indicator_frame([
        ("AA", 2021, "gerd_pct_gdp", 2.1), ("AA", 2017, "gerd_pct_gdp", 1.7),  # tie at distance 2: earlier
        ("BB", 2023, "gerd_pct_gdp", 9.9),  # 4 years away: outside ±3
        ("BB", 2019, "gerd_pct_gdp", None),  # a missing value does not count
        ("BB", 2020, "population", 5e6), ("BB", 2019, "population", 4e6),  # exact year wins
        ("CC", 2016, "researchers_per_million", 800.0),
        ("AA", 2009, "trust_pct", 30.0), ("AA", 2014, "trust_pct", 33.0),  # nearest survey
        ("BB", 2008, "trust_pct", 50.0),  # 11 years away: outside ±10
    ])
    history = pd.DataFrame({"iso2": ["AA", "BB"], "year": [2019, 2016], "group": ["lower-middle", "low"]})
    income = pd.Series({"AA": "high", "BB": "upper-middle"})
    t = ls.landscape_table(collab, 2019, indicators, income=income, income_history=history).set_index("country")
    assert list(t.index) == ["AA", "BB", "CC"]
    assert t.loc["AA", "works"] == 10 and t.loc["AA", "intl_share"] == 0.5
    assert (t.loc["AA", "gerd_pct_gdp"], t.loc["AA", "gerd_pct_gdp_year"]) == (1.7, 2017)
    assert t.loc["AA", "log_gerd"] == pytest.approx(math.log10(1.7))
    assert pd.isna(t.loc["BB", "gerd_pct_gdp"]) and pd.isna(t.loc["BB", "gerd_pct_gdp_year"])
    assert (t.loc["BB", "population"], t.loc["BB", "population_year"]) == (4e6, 2019)
    assert (t.loc["CC", "researchers_per_million"], t.loc["CC", "researchers_per_million_year"]) == (800.0, 2016)
    assert (t.loc["AA", "trust_pct"], t.loc["AA", "trust_pct_year"]) == (33.0, 2014)
    assert pd.isna(t.loc["BB", "trust_pct"])
    assert (t.loc["AA", "income_group"], t.loc["AA", "income_group_source"]) == ("lower-middle", "historical")
    assert (t.loc["BB", "income_group"], t.loc["BB", "income_group_source"]) == ("upper-middle", "current")
    assert pd.isna(t.loc["CC", "income_group"]) and pd.isna(t.loc["CC", "income_group_source"])
    t1 = ls.landscape_table(collab, 2019, indicators, nearest=1).set_index("country")
    assert pd.isna(t1.loc["AA", "gerd_pct_gdp"]) and pd.isna(t1.loc["CC", "researchers_per_million"])


def test_landscape_table_rejects_bad_input():
    with pytest.raises(ValueError, match="intl_share"):
        ls.landscape_table(pd.DataFrame({"unit": ["AA"], "year": [2019]}), 2019, indicator_frame([]))
    twice = collab_frame([("AA", 1, 1), ("AA", 2, 1)])
    with pytest.raises(ValueError, match="AA"):
        ls.landscape_table(twice, 2019, indicator_frame([]))


def test_compact_years():
    assert ls.compact_years([2005, 1996, 1997, 1998, 1999, 2000, 2001]) == "1996-2001, 2005"
    assert ls.compact_years([2003]) == "2003"
    assert ls.compact_years([2001, 2003, 2004]) == "2001, 2003-2004"
    assert ls.compact_years([]) == ""


def test_data_gaps_by_hand():
    collab = collab_frame([("AA", 1, 1), ("BB", 1, 1)])
    indicators = indicator_frame(
        [("AA", y, "gerd_pct_gdp", 1.0) for y in (2002, 2003, 2004)]
        + [("AA", 2001, "gerd_pct_gdp", None)]  # a missing value is a gap
        + [("BB", y, "gerd_pct_gdp", 1.0) for y in range(2000, 2006)]
        + [("ZZ", 2000, "gerd_pct_gdp", 1.0)]  # not in collab: not reported
    )
    gaps = ls.data_gaps(collab, indicators, range(2000, 2006), names=["gerd_pct_gdp", "trust_pct"])
    assert gaps.to_dict("records") == [
        {"country": "AA", "indicator": "gerd_pct_gdp", "missing_years": "2000-2001, 2005", "n_missing": 3},
        {"country": "AA", "indicator": "trust_pct", "missing_years": "2000-2005", "n_missing": 6},
        {"country": "BB", "indicator": "trust_pct", "missing_years": "2000-2005", "n_missing": 6},
    ]


def test_missing_directory_names_path_and_env_var(tmp_path):
    with pytest.raises(ind.IndicatorError) as err:
        ind.load_indicators(tmp_path / "absent")
    message = str(err.value)
    assert str(tmp_path / "absent") in message and "COLLABATLAS_DATA" in message
    assert isinstance(err.value, ValueError)


def test_packaged_indicators_equal_the_shared_files(tmp_path, shared_data):
    packaged = ind.load_indicators(tmp_path)  # an empty folder: every file from the package
    pd.testing.assert_frame_equal(packaged, ind.load_indicators(shared_data))


# ---------------------------------------------------------------------------------------------
# real data


def wdi_wide_value(path, iso3, year):
    """A value read straight from a WDI wide API_*.csv file (4 header lines, then a header row)."""
    with open(path, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    header = next(r for r in rows if r[:2] == ["Country Name", "Country Code"])
    row = next(r for r in rows if len(r) > 1 and r[1] == iso3)
    cell = row[header.index(str(year))]
    return float(cell) if cell else None


@pytest.mark.realdata
def test_real_gerd_japan_2019(shared_data):
    df = ind.load_indicators(shared_data)
    got = df.query("iso2 == 'JP' and year == 2019 and indicator == 'gerd_pct_gdp'")
    assert len(got) == 1 and got["source"].iloc[0] == "WDI GB.XPD.RSDV.GD.ZS"
    value = got["value"].iloc[0]
    # the published WDI figure, read from the wide API file (not the long file load_indicators reads)
    wide = wdi_wide_value(next((shared_data / "indicators").glob("API_GB.XPD.RSDV.GD.ZS_*.csv")), "JPN", 2019)
    assert value == pytest.approx(wide, abs=1e-9)
    assert 3.0 < value < 3.5
    # NSF table 6304 (OECD/UNESCO sources) prints 3.2 for Japan (2019)
    with open(shared_data / "indicators" / "table_6304_data.csv", encoding="utf-8", newline="") as fh:
        nsf = [r for r in csv.DictReader(fh) if r["time_period"].startswith("East and Southeast Asia -> Japan (2019)")]
    assert float(nsf[1]["value"]) == pytest.approx(value, abs=0.05)


@pytest.mark.realdata
def test_real_income_groups(shared_data):
    groups = ind.income_groups(shared_data)
    assert groups["US"] == "high"
    assert groups["NA"] == "lower-middle"  # Namibia: ISO2 "NA" must not be read as missing
    assert set(groups.dropna()) == set(ind.INCOME_GROUPS)
    history = ind.historical_income(shared_data)
    us = history[history.iso2 == "US"]
    assert (us.year.min(), us.year.max()) == (1987, 2016) and set(us.group) == {"high"}
    cn = history[history.iso2 == "CN"].set_index("year")["group"]
    assert (cn[1990], cn[2005], cn[2016]) == ("low", "lower-middle", "upper-middle")


@pytest.mark.realdata
def test_real_trust_sweden(shared_data):
    df = ind.load_indicators(shared_data)
    se = df.query("iso2 == 'SE' and indicator == 'trust_pct'").set_index("year")["value"]
    with open(shared_data / "indicators" / "Trust_World_Value_Survey.csv", encoding="utf-8", newline="") as fh:
        rows = [r for r in csv.reader(fh) if r[0] == "Sweden"]
    assert len(se) == len(rows) > 0
    assert {int(r[1]): float(r[2]) for r in rows} == se.to_dict()
    assert 50 < se[2009] < 80  # Sweden is among the high-trust countries


@pytest.mark.realdata
def test_real_unmapped_names_are_reported_and_aggregates_are_not_countries(shared_data):
    names = ind.unmapped_names(shared_data)
    assert isinstance(names, list) and all(isinstance(n, str) for n in names)
    assert "Czechoslovakia" in names  # dissolved state in the historical income file: no ISO2, reported
    report = ind.unmapped(shared_data)
    assert set(report["name"]) == set(names) and (report["rows"] > 0).all()
    assert ind.historical_income(shared_data).attrs["unmapped"] == sorted(
        report.loc[report.source.str.startswith("Country_Income"), "name"])
    aggregates_file = pd.read_csv(shared_data / "indicators" / "WDI_R_package_country_income_region.csv",
                                  keep_default_na=False, na_values=[""])
    aggregates = aggregates_file[aggregates_file.region == "Aggregates"]
    assert {"World", "High income"} <= set(aggregates.country)
    assert not set(names) & set(aggregates.country)  # aggregates are not unmapped countries
    df = ind.load_indicators(shared_data)
    assert not set(df.iso2) & set(aggregates.iso2c.dropna())  # 1W (World), XD (High income), EU, ...
    # nothing dropped silently: every non-aggregate code of the long WDI file is either mapped or reported
    long = pd.read_csv(shared_data / "indicators" / "wdi_gerd_researchers_gdppc_long.csv",
                       keep_default_na=False, na_values=[""])
    countries = set(long["Country Code"]) - set(aggregates.iso3c)
    wdi = df[df.source.str.startswith("WDI")]
    assert wdi.iso2.nunique() + (report.source == "wdi_gerd_researchers_gdppc_long.csv").sum() == len(countries)
    mapping, missing = ind.names_to_iso2(["Japan", "South Korea", "Narnia", "World", "Czechoslovakia"], shared_data)
    assert mapping == {"Japan": "JP", "South Korea": "KR"}
    assert missing == ["Czechoslovakia", "Narnia"]


@pytest.mark.realdata
def test_real_data_gaps_known_gerd_gaps(shared_data):
    df = ind.load_indicators(shared_data)
    collab = collab_frame([("CH", 100, 50), ("NG", 10, 5), ("JP", 1000, 300)], year=2014)
    gaps = ls.data_gaps(collab, df, range(2014, 2021), names=["gerd_pct_gdp"]).set_index("country")
    # Switzerland reports GERD every other year (2015, 2017, 2019 here); Nigeria only 2007 and 2019
    assert gaps.loc["CH", "missing_years"] == "2014, 2016, 2018, 2020"
    assert gaps.loc["NG", "missing_years"] == "2014-2018, 2020"
    assert "JP" not in gaps.index  # Japan has every year
    long = pd.read_csv(shared_data / "indicators" / "wdi_gerd_researchers_gdppc_long.csv")
    ch = set(long[(long["Country Code"] == "CHE") & (long["Indicator Code"] == "GB.XPD.RSDV.GD.ZS")].year)
    assert gaps.loc["CH", "n_missing"] == len(set(range(2014, 2021)) - ch)


@pytest.mark.realdata
def test_real_landscape_end_to_end(shared_data):
    df = ind.load_indicators(shared_data)
    income, history = ind.income_groups(shared_data), ind.historical_income(shared_data)
    rows = [("JP", 1000, 300), ("US", 5000, 2000), ("CH", 800, 600), ("NG", 100, 40), ("SE", 700, 450)]
    t16 = ls.landscape_table(collab_frame(rows, 2016), 2016, df, income=income, income_history=history)
    assert set(t16.income_group_source) == {"historical"}  # the OWID series ends in 2016
    t19 = ls.landscape_table(collab_frame(rows, 2019), 2019, df, income=income, income_history=history)
    t19 = t19.set_index("country")
    assert set(t19.income_group_source) == {"current"}
    assert (t19.loc["CH", "gerd_pct_gdp_year"], t19.loc["NG", "gerd_pct_gdp_year"]) == (2019, 2019)
    assert t19.loc["JP", "gerd_pct_gdp"] == pytest.approx(3.21824, abs=1e-6)
    assert t19.loc["SE", "trust_pct_year"] == 2014 and t19.loc["SE", "income_group"] == "high"
    result = ls.fit(t19.reset_index(), min_n=3)
    assert set(result.group) == {"all", "high", "lower-middle"}
    assert result.query("group == 'all'")["n"].iloc[0] == 5
    assert result.query("group == 'lower-middle'")["note"].iloc[0].startswith("skipped")


# ---------------------------------------------------------------------------------------------
# NSF GERD in millions of PPP $ (tables 6304 and 1875) and x = log_gerd_ppp

# hand-copied from src/collabatlas/refdata/files/table_6304_data.csv (2019 or latest year) and
# table_1875_data.csv (2017 or latest year): the first row of each country's pair, millions of PPP $
NSF_6304 = {"US": (2019, 668351.2), "CN": (2019, 525693.4), "JP": (2019, 173267.1), "GB": (2019, 56935.7),
            "DE": (2019, 148149.8), "FR": (2019, 73286.5), "KR": (2019, 102521.4), "IN": (2018, 58721.4),
            "CH": (2017, 18565.6)}
NSF_1875 = {"US": (2017, 548984.0), "CN": (2017, 495980.9), "JP": (2017, 170900.7), "GB": (2017, 49345.3),
            "IN": (2015, 49746.1), "CH": (2017, 18900.0)}
SRC_6304 = "NSF NCSES table 6304 (2019 or latest year; table_6304_data.csv)"
SRC_1875 = "NSF NCSES table 1875 (2017 or latest year; table_1875_data.csv)"


def test_nsf_reader_hand_values_and_stated_years():
    df = ind.load_nsf_gerd()
    assert set(df.indicator) == {"gerd_ppp_musd"}
    got = {(r.iso2, r.year): (r.value, r.source) for r in df.itertuples()}
    for iso2, (year, value) in NSF_6304.items():
        assert got[(iso2, year)] == (value, SRC_6304), iso2
    for iso2, (year, value) in NSF_1875.items():
        if iso2 != "CH":
            assert got[(iso2, year)] == (value, SRC_1875), iso2
    # Switzerland: 2017 in both editions; the newer (6304) figure is kept, once
    assert df[df.iso2 == "CH"][["year", "value", "source"]].values.tolist() == [[2017, 18565.6, SRC_6304]]
    # the year is the one the table prints for the country, not the edition's: India 2018 and 2015
    assert sorted(df[df.iso2 == "IN"].year) == [2015, 2018]
    assert df.attrs["unmapped"] == []
    # aggregates (EU, OECD, G20) are not countries; 71 countries in 6304, 68 in 1875
    assert not {"EU", "OE", "G2"} & set(df.iso2)
    assert df[df.source == SRC_6304].iso2.nunique() == 71
    assert not df.duplicated(["iso2", "year"]).any()
    assert ind.unmapped().query("source.str.startswith('table_')", engine="python").empty
    # the same rows are in load_indicators
    mine = ind.load_indicators().query("indicator == 'gerd_ppp_musd'").reset_index(drop=True)
    pd.testing.assert_frame_equal(mine, df.reset_index(drop=True), check_like=True)


def write_nsf(tmp_path, rows, name="table_6304_data.csv", table_id="6304"):
    folder = tmp_path / "indicators"
    folder.mkdir(exist_ok=True)
    lines = ["table_id,row_id,time_period,value"]
    lines += [f"{table_id},r{i + 1:03d},{label},{value}" for i, (label, value) in enumerate(rows)]
    (folder / name).write_text("\n".join(lines) + "\n", encoding="utf-8")
    return tmp_path


def test_nsf_reader_reports_unmapped_names_and_skips_aggregates(tmp_path):
    data = write_nsf(tmp_path, [("Europe -> Narnia (2019)", 900.0), ("Europe -> Narnia (2019)", 1.5),
                                ("Europe -> Germany (2018)<sup>c</sup>", 1000.0),
                                ("Europe -> Germany (2018)<sup>c</sup>", 3.0),
                                ("Selected country groups -> OECD (2019)", 5e5),
                                ("Selected country groups -> OECD (2019)", 2.4)])
    df = ind.load_nsf_gerd(data)
    assert df[df.source == SRC_6304][["iso2", "year", "value"]].values.tolist() == [["DE", 2018, 1000.0]]
    assert df.attrs["unmapped"] == ["Narnia"]
    report = ind.unmapped(data)
    assert report[report.source == "table_6304_data.csv"][["name", "rows"]].values.tolist() == [["Narnia", 1]]


@pytest.mark.parametrize("rows, match", [
    ([("Europe -> Germany (2019)", 1000.0), ("Europe -> France (2019)", 2.0)], "labels differ"),
    ([("Europe -> Germany (2019)", 1000.0)], "expected pairs"),
    ([("Europe -> Germany", 1000.0), ("Europe -> Germany", 2.0)], "Region -> Country"),
    ([("Europe -> Germany (2019)", "D"), ("Europe -> Germany (2019)", 2.0)], "not a number"),
    ([("Europe -> Germany (2019)", 3.1), ("Europe -> Germany (2019)", 148149.8)], "do not look like"),
])
def test_nsf_reader_refuses_a_damaged_table_naming_file_and_rows(tmp_path, rows, match):
    data = write_nsf(tmp_path, rows)
    with pytest.raises(ind.IndicatorError, match=match) as err:
        ind.load_nsf_gerd(data)
    assert "table_6304_data.csv" in str(err.value)
    assert "r001" in str(err.value) or "pairs" in str(err.value)


def test_landscape_table_takes_the_nsf_row_nearest_the_study_year():
    nsf = ind.load_nsf_gerd()
    collab = collab_frame([("US", 10, 5), ("IN", 10, 2), ("CH", 10, 8), ("UY", 10, 3)], year=2016)
    t = ls.landscape_table(collab, 2016, nsf).set_index("country")
    assert (t.loc["US", "gerd_ppp_musd"], t.loc["US", "gerd_ppp_musd_year"]) == (548984.0, 2017)
    assert t.loc["US", "gerd_ppp_musd_source"] == SRC_1875
    assert t.loc["US", "log_gerd_ppp"] == pytest.approx(math.log10(548984.0))
    assert (t.loc["IN", "gerd_ppp_musd"], t.loc["IN", "gerd_ppp_musd_year"]) == (49746.1, 2015)  # 1 year off
    assert (t.loc["CH", "gerd_ppp_musd"], t.loc["CH", "gerd_ppp_musd_source"]) == (18565.6, SRC_6304)
    assert pd.isna(t.loc["UY", "gerd_ppp_musd"]) and pd.isna(t.loc["UY", "gerd_ppp_musd_source"])
    # 2018: US 2017 and 2019 are both one year away; the earlier wins (no look-ahead); India 2018 exactly
    t18 = ls.landscape_table(collab.assign(year=2018), 2018, nsf).set_index("country")
    assert (t18.loc["US", "gerd_ppp_musd_year"], t18.loc["US", "gerd_ppp_musd_source"]) == (2017, SRC_1875)
    assert (t18.loc["IN", "gerd_ppp_musd"], t18.loc["IN", "gerd_ppp_musd_source"]) == (58721.4, SRC_6304)
    # 2022 is within ±3 of 2019; 2023 is not (and nearest=4 reaches it again)
    assert ls.landscape_table(collab.assign(year=2022), 2022, nsf).set_index("country").loc["US", "gerd_ppp_musd"] \
        == 668351.2
    t23 = ls.landscape_table(collab.assign(year=2023), 2023, nsf)
    assert t23["gerd_ppp_musd"].isna().all()
    assert ls.landscape_table(collab.assign(year=2023), 2023, nsf, nearest=4)["gerd_ppp_musd"].notna().any()
    fit = ls.fit(t23, x="log_gerd_ppp", min_n=2)
    assert len(fit) == 1 and fit["term"].isna().all()
    note = fit["note"].iloc[0]
    assert "log_gerd_ppp missing for every country" in note and "±3 years of 2023" in note
    assert "years 2007-2019" in note and "table_6304_data.csv" in note and "table_1875_data.csv" in note
    assert any("±3 years of 2023" in n for n in fit.attrs["notes"])


# 2019: every country but UY has an NSF 2019 value (table 6304); UY is the partner without one
LANDSCAPE_2019 = {"US": (3, 1), "GB": (1, 1), "DE": (2, 1), "FR": (1, 2), "JP": (4, 0), "KR": (3, 1), "CN": (5, 1)}


def nsf_corpus():
    """(domestic, international with UY) works per country, all in 2019."""
    works, n = [], 0
    for country, (domestic, intl) in LANDSCAPE_2019.items():
        for _ in range(domestic):
            n += 1
            works.append(work(f"W{n}", [[(f"I{country}", country)]], year=2019))
        for _ in range(intl):
            n += 1
            works.append(work(f"W{n}", [[(f"I{country}", country)], [("IUY", "UY")]], year=2019))
    return works


def independent_ols(rows):
    """rows: (y, x1, x2, ...) → coefficients (intercept, b1, ...) by numpy least squares."""
    data = np.asarray(rows, dtype=float)
    design = np.column_stack([np.ones(len(data)), data[:, 1:]])
    return np.linalg.lstsq(design, data[:, 0], rcond=None)[0]


def expected_ppp_fit():
    rows = [(intl / (dom + intl), math.log10(NSF_6304[c][1])) for c, (dom, intl) in LANDSCAPE_2019.items()]
    return independent_ols(rows)


def test_atlas_landscape_log_gerd_ppp_matches_an_independent_ols(atlas_of, monkeypatch):
    monkeypatch.delenv("COLLABATLAS_DATA", raising=False)
    atlas = atlas_of(nsf_corpus())
    table, fit = atlas.landscape(2019, x="log_gerd_ppp", min_n=3, min_works=1)
    t = table.set_index("country")
    assert t.loc["FR", "intl_share"] == pytest.approx(2 / 3) and t.loc["UY", "intl_share"] == 1.0
    for c in LANDSCAPE_2019:
        assert (t.loc[c, "gerd_ppp_musd"], t.loc[c, "gerd_ppp_musd_year"]) == (NSF_6304[c][1], 2019)
        assert t.loc[c, "gerd_ppp_musd_source"] == SRC_6304
    overall = fit[fit.group == "all"].set_index("term")
    a, b = expected_ppp_fit()
    assert overall.loc["log_gerd_ppp", "coef"] == pytest.approx(b, abs=1e-10)
    assert overall.loc["intercept", "coef"] == pytest.approx(a, abs=1e-10)
    assert overall["n"].iloc[0] == 7 and overall["n_missing"].iloc[0] == 1  # UY: no NSF value
    assert b < 0  # the hand shares fall with size: a real slope, not zero
    # provenance: the packaged file named in the fit row and in the fit's notes
    assert overall.loc["log_gerd_ppp", "note"] == (f"NSF GERD (millions of PPP $): 7 countries from {SRC_6304}, "
                                                   "years 2019")
    assert fit.attrs["notes"] == [f"log_gerd_ppp: NSF GERD (millions of PPP $): 7 countries from {SRC_6304}, "
                                  "years 2019"]
    # with the other regressors: log_gerd (WDI) and trust (WVS) next to log_gerd_ppp
    _, both = atlas.landscape(2019, x=["log_gerd_ppp", "trust_pct"], min_n=3, min_works=1)
    used = table.dropna(subset=["trust_pct", "gerd_ppp_musd"])
    coefs = independent_ols([(r.intl_share, math.log10(NSF_6304[r.country][1]), r.trust_pct)
                             for r in used.itertuples()])
    got = both[both.group == "all"].set_index("term")["coef"]
    assert list(got.index) == ["intercept", "log_gerd_ppp", "trust_pct"]
    assert got.to_numpy() == pytest.approx(coefs, abs=1e-9)
    # the regressors as typed on the command line: the same fit
    _, typed = atlas.landscape(2019, x="log_gerd_ppp,trust_pct", min_n=3, min_works=1)
    pd.testing.assert_frame_equal(typed, both)
    # bands on log_gerd_ppp give GERD in PPP $ back
    band = ls.bands(table, fit, grid=[5.0])
    assert band.loc[band.group == "all", "gerd_ppp_musd"].iloc[0] == pytest.approx(1e5)
    assert band.loc[band.group == "all", "mean"].iloc[0] == pytest.approx(a + 5 * b, abs=1e-10)


def test_chart_landscape_takes_log_gerd_ppp(atlas_of, monkeypatch):
    from collabatlas.views.report import make_chart

    monkeypatch.delenv("COLLABATLAS_DATA", raising=False)
    spec = make_chart(atlas_of(nsf_corpus()), "landscape", year=2019, x="log_gerd_ppp").to_dict()
    text = str(spec)
    assert "log_gerd_ppp" in text and "slope" in text


def cli_store(tmp_path):
    from collabatlas.views.cli import app

    store = str(tmp_path / "s.duckdb")
    result = CliRunner().invoke(app, ["ingest", str(write_jsonl(tmp_path / "c.jsonl", nsf_corpus())), "--store", store])
    assert result.exit_code == 0, result.output
    return app, store


def test_cli_landscape_x_log_gerd_ppp(tmp_path, monkeypatch):
    monkeypatch.delenv("COLLABATLAS_DATA", raising=False)
    app, store = cli_store(tmp_path)
    base = ["landscape", "--year", "2019", "--min-n", "3", "--min-works", "1", "--store", store]
    out = CliRunner().invoke(app, [*base, "--x", "log_gerd_ppp", "--format", "json"])
    assert out.exit_code == 0, out.output
    result = json.loads(out.stdout)
    overall = {r["term"]: r for r in result["fit"] if r["group"] == "all"}
    a, b = expected_ppp_fit()
    assert overall["log_gerd_ppp"]["coef"] == pytest.approx(b, abs=1e-10)
    assert overall["intercept"]["coef"] == pytest.approx(a, abs=1e-10)
    assert any("table_6304_data.csv" in n for n in result["notes"])
    assert "note: log_gerd_ppp: NSF GERD" in out.stderr
    us = next(r for r in result["countries"] if r["country"] == "US")
    assert (us["gerd_ppp_musd"], us["gerd_ppp_musd_year"], us["gerd_ppp_musd_source"]) == (668351.2, 2019, SRC_6304)
    # combinations; --trust still means log_gerd + trust_pct
    for args, terms in ((["--x", "log_gerd, log_gerd_ppp"], ["log_gerd", "log_gerd_ppp"]),
                        (["--trust"], ["log_gerd", "trust_pct"])):
        done = CliRunner().invoke(app, [*base, *args, "--format", "json"])
        assert done.exit_code == 0, done.output
        assert [r["term"] for r in json.loads(done.stdout)["fit"] if r["group"] == "all"] == ["intercept", *terms]
    # a wide terminal: at 80 columns the value columns that do not fit are left out (and named)
    assert "gerd_ppp_musd" in CliRunner().invoke(app, [*base, "--x", "log_gerd_ppp"], env={"COLUMNS": "240"}).stdout


def test_cli_landscape_writes_out_in_every_format(tmp_path, monkeypatch):
    """--out FILE is written whatever --format (with --format json it was skipped, silently)."""
    monkeypatch.delenv("COLLABATLAS_DATA", raising=False)
    app, store = cli_store(tmp_path)
    base = ["landscape", "--year", "2019", "--min-n", "3", "--min-works", "1", "--store", store]
    for fmt in ("json", "csv", "table"):
        out = tmp_path / f"c-{fmt}.csv"
        done = CliRunner().invoke(app, [*base, "--format", fmt, "--out", str(out)], env={"COLUMNS": "240"})
        assert done.exit_code == 0, done.output
        assert out.read_text(encoding="utf-8").splitlines()[0].startswith("country,"), fmt
    assert (tmp_path / "c-json.csv").read_text() == (tmp_path / "c-csv.csv").read_text()


@pytest.mark.parametrize("args, message", [
    (["--x", "log_gerd_ppp", "--trust"], "--trust is a shorthand for --x log_gerd,trust_pct"),
    (["--x", "log_gerd,gdp"], "unknown regressor 'gdp'"),
    (["--x", "trust_pct,trust_pct"], "trust_pct given more than once"),
    (["--x", ""], "unknown regressor"),
    (["--gaps", "2014-2016", "--x", "log_gerd_ppp"], "--gaps lists the indicator gaps"),
    (["--gaps", "2014-2016", "--trust"], "--trust do not apply"),
])
def test_cli_landscape_refuses_contradictory_x(tmp_path, args, message):
    from collabatlas.views.cli import app

    out = CliRunner().invoke(app, ["landscape", "--year", "2019", *args, "--store", str(tmp_path / "none.duckdb")])
    assert out.exit_code == 2, out.output
    assert message in " ".join(out.output.split())


def test_cli_landscape_year_without_nsf_value_says_so(tmp_path, monkeypatch):
    monkeypatch.delenv("COLLABATLAS_DATA", raising=False)
    app, store = cli_store(tmp_path)
    corpus = [work(f"W90{i}", [[("IUS", "US")]], year=2023) for i in range(3)]
    assert CliRunner().invoke(app, ["ingest", str(write_jsonl(tmp_path / "late.jsonl", corpus)),
                                    "--store", store]).exit_code == 0
    out = CliRunner().invoke(app, ["landscape", "--year", "2023", "--min-works", "1", "--x", "log_gerd_ppp",
                                   "--format", "json", "--store", store])
    assert out.exit_code == 0, out.output
    fit = json.loads(out.stdout)["fit"]
    assert [r["group"] for r in fit] == ["all", "high"] and all(r["term"] is None for r in fit)  # US: high income
    assert all("no NSF GERD (millions of PPP $) value within ±3 years of 2023" in r["note"] for r in fit)
    assert "within ±3 years of 2023" in " ".join(out.stderr.split())
    # --nearest 4 reaches table 6304's 2019
    wide = CliRunner().invoke(app, ["landscape", "--year", "2023", "--min-works", "1", "--min-n", "1", "--nearest", "4",
                                    "--x", "log_gerd_ppp", "--format", "json", "--store", store])
    assert json.loads(wide.stdout)["countries"][0]["gerd_ppp_musd_year"] == 2019
