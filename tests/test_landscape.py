"""Landscape study: hand oracles for the table, the OLS fits, the bands and the gaps; real indicator
files from ../shared/data checked against figures read straight from the files."""

from __future__ import annotations

import csv
import math
from fractions import Fraction as F

import pandas as pd
import pytest

from collabatlas.analyses import landscape as ls
from collabatlas.refdata import indicators as ind

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
