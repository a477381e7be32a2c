"""The views for the seed stories (issue 27) and the landscape's impact axis (issue 30), on hand-built
stores and frames with every figure worked out by hand here: the landscape over pooled years and its
curved fits (LOESS, parabola), the profile's domestic / international top partners, ``industry
--country``, partner labels with their country and the ranking chart of one country's institutions."""

from __future__ import annotations

import json
import math
from fractions import Fraction as F

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from collabatlas.analyses import landscape_pool as lp
from collabatlas.counting.rules import CountingError
from collabatlas.views.cli import app
from tests.conftest import institution, work, write_jsonl


def cli_store(tmp_path, records) -> str:
    store = str(tmp_path / "s.duckdb")
    done = CliRunner().invoke(app, ["ingest", str(write_jsonl(tmp_path / "w.jsonl", records)), "--store", store])
    assert done.exit_code == 0, done.output
    return store


# ---------------------------------------------------------------------------------------------
# LOESS and the parabola: hand oracles


def test_loess_symmetric_neighbourhood_by_hand():
    # x 0..4, y = x², span 1: at x0 = 2 the 5 points, h = 2, tricube weights 0, (7/8)³, 1, (7/8)³, 0;
    # the weighted mean of x is 2 = x0, so the local line's value is the weighted mean of y
    w = F(7, 8) ** 3
    expected = (w * 1 + 1 * 4 + w * 9) / (1 + 2 * w)
    assert expected == F(2739, 599)
    got = lp.loess([0, 1, 2, 3, 4], [0, 1, 4, 9, 16], [2.0], span=1.0)
    assert got[0] == pytest.approx(float(expected), abs=1e-12)


def test_loess_reproduces_a_line_and_is_deterministic():
    x = [0.3, 1.0, 1.7, 2.2, 3.9, 4.0, 5.5]
    y = [1 + 2 * v for v in x]
    at = np.linspace(0.3, 5.5, 11)
    got = lp.loess(x, y, at, span=0.5)
    assert got == pytest.approx(1 + 2 * at, abs=1e-10)  # a local straight line fits a line exactly
    shuffled = lp.loess(x[::-1], y[::-1], at, span=0.5)
    assert shuffled.tolist() == got.tolist()  # the order of the points does not matter


def test_loess_refuses_too_few_points_and_a_bad_span():
    with pytest.raises(ValueError, match="at least 3 points"):
        lp.loess([1, 2], [1, 2], [1.5])
    with pytest.raises(ValueError, match="span"):
        lp.loess([1, 2, 3], [1, 2, 3], [1.5], span=0)


def points_frame(rows):
    """rows: (country, x, y, group) → a landscape table with log_gerd = x, intl_share = y."""
    df = pd.DataFrame(rows, columns=["country", "log_gerd", "intl_share", "income_group"])
    df["gerd_pct_gdp"] = 10.0 ** df["log_gerd"]
    return df


def test_quadratic_fit_recovers_a_parabola_and_draws_it():
    xs = [0.0, 0.5, 1.0, 1.5, 2.0, 2.5]
    table = points_frame([(f"C{i}", x, 0.1 + 0.2 * x - 0.05 * x * x, "high") for i, x in enumerate(xs)])
    fit = lp.curve_fit(table, kind="quadratic", min_n=5)
    overall = fit[fit.group == "all"].set_index("term")
    assert overall["coef"].to_dict() == pytest.approx({"intercept": 0.1, "log_gerd": 0.2, "log_gerd^2": -0.05})
    assert overall["r2"].iloc[0] == pytest.approx(1.0)
    assert fit.attrs["fit"] == "quadratic"
    curve = lp.fitted_lines(table, fit, grid=[1.2])  # the chart draws the curve
    row = curve[curve.group == "all"].iloc[0]
    assert row["mean"] == pytest.approx(0.1 + 0.2 * 1.2 - 0.05 * 1.44)
    assert math.isnan(row["ci_low"]) and row["gerd_pct_gdp"] == pytest.approx(10 ** 1.2)


def test_loess_fit_rows_and_groups_too_small():
    table = points_frame([("A", 0, 0.1, "high"), ("B", 1, 0.3, "high"), ("C", 2, 0.5, "low"),
                          ("D", 3, 0.7, "low"), ("E", 4, 0.9, "low")])
    fit = lp.curve_fit(table, kind="loess", min_n=3, span=0.8)
    rows = fit.set_index("group")
    assert rows.loc["all", "term"] == "log_gerd" and rows.loc["all", "n"] == 5
    assert rows.loc["all", "r2"] == pytest.approx(1.0)  # points on a line
    assert "span 0.8" in rows.loc["all", "note"]
    assert rows.loc["high", "note"] == "skipped: 2 points < min_n=3"
    assert rows.loc["low", "n"] == 3 and rows.loc["low", "term"] == "log_gerd"
    with pytest.raises(ValueError, match="one regressor"):
        lp.curve_fit(table.assign(trust_pct=1.0), x=["log_gerd", "trust_pct"], kind="loess")


# ---------------------------------------------------------------------------------------------
# pooled years: hand oracles on frames


def pooled_inputs():
    collab = pd.DataFrame([("AA", 2018, 10, 2), ("AA", 2019, 10, 4), ("BB", 2019, 20, 5)],
                          columns=["unit", "year", "works", "intl_works"])
    collab["intl_share"] = collab["intl_works"] / collab["works"]
    ind = pd.DataFrame([("AA", 2018, "gerd_pct_gdp", 1.0), ("AA", 2019, "gerd_pct_gdp", 3.0),
                        ("BB", 2019, "gerd_pct_gdp", 0.5)], columns=["iso2", "year", "indicator", "value"])
    ind["source"] = "hand"
    history = pd.DataFrame([("AA", 2018, "upper-middle"), ("AA", 2019, "high")], columns=["iso2", "year", "group"])
    return collab, ind, history


def test_country_years_and_country_means_by_hand():
    collab, ind, history = pooled_inputs()
    points = lp.country_years(collab, range(2018, 2020), ind, income_history=history)
    assert list(zip(points.country, points.year, points.intl_share, strict=True)) == [
        ("AA", 2018, 0.2), ("AA", 2019, 0.4), ("BB", 2019, 0.25)]
    assert points["gerd_pct_gdp"].tolist() == [1.0, 3.0, 0.5]
    means = lp.country_means(points).set_index("country")
    assert means.loc["AA", ["n_years", "works", "intl_works"]].tolist() == [2, 20, 6]
    assert means.loc["AA", "intl_share"] == pytest.approx(0.3)  # the mean of 0.2 and 0.4
    assert means.loc["AA", "gerd_pct_gdp"] == pytest.approx(2.0)
    assert means.loc["AA", "log_gerd"] == pytest.approx(math.log10(2.0))  # log10 of the mean GERD
    assert means.loc["AA", "income_group"] == "high"  # the latest year's group
    assert means.loc["AA", "years"] == "2018-2019" and means.loc["BB", "years"] == "2019"
    assert means.loc["BB", "intl_share"] == pytest.approx(0.25) and pd.isna(means.loc["BB", "income_group"])


# ---------------------------------------------------------------------------------------------
# the Atlas and the CLI on a hand-built store


def cited(wid, authors, year, fwci):
    return work(wid, authors, year=year, cited_by_count=3, fwci=fwci,
                citation_normalized_percentile={"value": 0.5, "is_in_top_10_percent": False})


STORY = [
    # 2018: JP single, national, international ×2; US national
    cited("W1", [[("J1", "JP")]], 2018, 1.0),
    cited("W2", [[("J1", "JP")], [("J2", "JP")]], 2018, 2.0),
    cited("W3", [[("J1", "JP")], [("U1", "US")]], 2018, 4.0),
    cited("W4", [[("J2", "JP")], [("U1", "US")]], 2019, 2.0),
    cited("W5", [[("U1", "US")], [("U2", "US")]], 2019, 6.0),
    cited("W6", [[("J1", "JP")], [("J3", "JP", "company")], [("U3", "US", "company")]], 2019, 1.0),
]


def test_atlas_landscape_pooled_points_means_and_impact(atlas_of):
    atlas = atlas_of(STORY)
    result = atlas.landscape(years="2018-2019", min_works=1, min_n=1, fit="loess", impact=True)
    table, fit = result  # still unpacks
    assert table is result.table and fit is result.fit and fit.attrs["fit"] == "loess"
    got = {(r.country, r.year): (r.works, r.intl_works) for r in table.itertuples()}
    assert got == {("JP", 2018): (3, 1), ("JP", 2019): (2, 2), ("US", 2018): (1, 1), ("US", 2019): (3, 2)}
    c = result.countries.set_index("country")
    assert c.loc["JP", "intl_share"] == pytest.approx((1 / 3 + 1) / 2)
    assert c.loc["US", "intl_share"] == pytest.approx((1 + 2 / 3) / 2)
    assert c.loc["JP", "n_years"] == 2 and c.loc["JP", "works"] == 5
    # MNCS (OpenAlex fwci, full counting) over 2018-2019: JP international W3, W4, W6 = (4+2+1)/3,
    # national W2 = 2; US international W3, W4, W6, national W5 = 6
    assert c.loc["JP", "mncs_international"] == pytest.approx(7 / 3)
    assert c.loc["JP", "mncs_national"] == pytest.approx(2.0)
    assert c.loc["US", "mncs_national"] == pytest.approx(6.0)
    assert result.caption == ("one point per country-year, 2018-2019 pooled · fit: loess (local linear, "
                              "span 0.75)")
    mean = atlas.landscape(years="2018-2019", per="country-mean", min_works=1, min_n=1, x="mncs_international",
                           fit="linear", impact=True)
    assert len(mean.table) == 2 and mean.table is mean.countries
    assert mean.caption.startswith("one point per country: its mean over 2018-2019")
    with pytest.raises(CountingError, match="one of the two"):
        atlas.landscape(2018, years="2018-2019")
    with pytest.raises(CountingError, match="several years"):
        atlas.landscape(2018, per="country-mean")


def test_cli_landscape_pooled_csv_and_refusals(tmp_path):
    runner, store = CliRunner(), cli_store(tmp_path, STORY)
    base = ["landscape", "--store", store, "--min-works", "1"]
    out = runner.invoke(app, [*base, "--years", "2018-2019", "--fit", "loess", "--format", "csv"])
    assert out.exit_code == 0, out.output
    lines = out.stdout.splitlines()
    assert lines[0].startswith("country,n_years,first_year,last_year,works,intl_works,intl_share")
    assert lines[1].startswith("JP,2,2018,2019,5,3,0.66666")
    assert "one point per country-year, 2018-2019 pooled" in out.stderr
    js = runner.invoke(app, [*base, "--years", "2018-2019", "--x", "mncs_national", "--fit", "quadratic",
                             "--format", "json"])
    assert js.exit_code == 0, js.output
    body = json.loads(js.stdout)
    assert len(body["points"]) == 4 and body["fit_kind"] == "quadratic"
    assert {r["country"]: r["mncs_national"] for r in body["countries"]} == pytest.approx({"JP": 2.0, "US": 6.0})
    for args, message in [(["--year", "2018", "--years", "2018-2019"], "one of the two"),
                          (["--year", "2018", "--per", "country-mean"], "--per applies to --years"),
                          (["--year", "2018", "--span", "0.5"], "--span applies to --fit loess"),
                          (["--year", "2018", "--fit", "cubic"], "--fit 'cubic'"),
                          (["--year", "2018", "--fit", "loess", "--trust"], "takes one regressor"),
                          (["--gaps", "2018-2019", "--years", "2018-2019"], "--years")]:
        bad = runner.invoke(app, [*base, *args])
        assert bad.exit_code == 2, (args, bad.output)
        assert message in bad.output, (args, bad.output)


def test_chart_landscape_pooled_caption(atlas_of):
    from collabatlas.views.report import make_chart

    spec = json.dumps(make_chart(atlas_of(STORY), "landscape", years="2018-2019", fit="loess").to_dict())
    assert "one point per country-year, 2018-2019 pooled" in spec and "slope" not in spec
    impact = make_chart(atlas_of(STORY), "landscape", years="2018-2019", x="mncs_national")
    assert impact.table.set_index(["country", "year"]).loc[("US", 2019), "mncs_national"] == pytest.approx(6.0)
    assert "MNCS" in json.dumps(impact.to_dict()) or "mncs_national" in json.dumps(impact.to_dict())


# ---------------------------------------------------------------------------------------------
# profile, industry, partner labels, ranking

X = institution("X1", "JP")
X["display_name"] = "Example University"
PROFILE = [
    work("W1", [[X], [("U1", "US")]]),
    work("W2", [[X], [("U1", "US")], [("U2", "US")]]),
    work("W3", [[X], [("C1", "CN")]]),
    work("W4", [[X], [("J2", "JP")]]),
    work("W5", [[X], [("K1", "KR", "company")]]),
    work("W6", [[X], [("G1", "GB")], [("F1", "FR")], [("D1", "DE")]]),
    work("W7", [[("J2", "JP")], [("J3", "JP", "company")]]),
]


def test_profile_top_partners_split_domestic_international(atlas_of):
    p = atlas_of(PROFILE).profile("X1", top=3)
    # CS with X1: U1 1/2+1/2 + 1/3+1/3 = 5/3; C1, J2, K1 1 each; U2 2/3; D1, F1, G1 1/2 each
    assert p.top_domestic_partners["partner"].tolist() == ["J2"]
    assert p.top_international_partners["partner"].tolist() == ["U1", "C1", "K1"]
    assert p.top_international_partners["cs"].tolist() == pytest.approx([5 / 3, 1, 1])
    assert p.top_international_partners["country"].tolist() == ["US", "CN", "KR"]
    d = p.to_dict()
    assert [r["partner"] for r in d["top_domestic_partners"]] == ["J2"]
    assert [r["partner"] for r in d["top_international_partners"]] == ["U1", "C1", "K1"]


def test_profile_cli_prints_and_serialises_the_split(tmp_path):
    runner, store = CliRunner(), cli_store(tmp_path, PROFILE)
    out = runner.invoke(app, ["profile", "X1", "--format", "json", "--store", store])
    assert out.exit_code == 0, out.output
    body = json.loads(out.stdout)
    assert [r["partner"] for r in body["top_domestic_partners"]] == ["J2"]
    table = runner.invoke(app, ["profile", "X1", "--top", "2", "--store", store])
    assert table.exit_code == 0 and "Top 2 domestic partners (JP)" in table.stdout
    assert "Top 2 international partners" in table.stdout


INDUSTRY = [
    work("W1", [[("K1", "KR", "company")], [("A1", "US", "education")]]),
    work("W2", [[("K1", "KR", "company")], [("A1", "US", "education")], [("A2", "US", "education")]]),
    work("W4", [[("K2", "JP", "company")], [("A1", "US", "education")], [("A1", "US", "education")],
                [("A2", "US", "education")]]),
]


def test_industry_of_one_country(atlas_of, tmp_path):
    atlas = atlas_of(INDUSTRY)
    assert atlas.industry(country="kr")["unit"].tolist() == ["K1"]
    jp = atlas.industry(country="JP").set_index("unit")
    assert list(jp.index) == ["K2"] and jp.loc["K2", "contribution_pct"] == pytest.approx(25.0)
    assert atlas.industry(country="US").empty  # US has academic institutions, no company
    runner, store = CliRunner(), cli_store(tmp_path, INDUSTRY)
    out = runner.invoke(app, ["industry", "--country", "JP", "--format", "csv", "--store", store])
    assert out.exit_code == 0, out.output
    assert [line.split(",")[0] for line in out.stdout.splitlines()] == ["unit", "K2"]
    bad = runner.invoke(app, ["industry", "--country", "XX", "--store", store])
    assert bad.exit_code == 2 and "XX" in bad.output


def test_institution_partner_labels_carry_the_country(atlas_of):
    from collabatlas.views.report import make_chart

    atlas = atlas_of(PROFILE)
    partners = atlas.partners("X1", level="institution")
    assert partners.set_index("partner").loc["U1", "country"] == "US"
    spec = make_chart(atlas, "partners", unit="X1", level="institution").to_dict()
    labels = {v["partner"]: v["label"] for v in next(iter(spec["datasets"].values()))}
    assert labels["U1"] == "Institution U1 (US)" and labels["J2"] == "Institution J2 (JP)"
    country = make_chart(atlas, "partners", unit="JP").to_dict()
    assert "Japan" in json.dumps(country["title"]) and "United States (US)" in json.dumps(country["datasets"])


def test_ranking_chart_of_one_country(atlas_of, tmp_path):
    from collabatlas.views.report import make_chart

    atlas = atlas_of(PROFILE)
    # JP institutions: X1 total CS 5/3+2/3+1+1+1+3/2 = 41/6, international 35/6;
    # J2 total 1 (W4) + 1 (W7) = 2, international 0; J3 (company) total 1
    fig = make_chart(atlas, "ranking", level="institution", country="JP", by="cs_international")
    assert fig.table["unit"].tolist()[0] == "X1"
    assert fig.table.set_index("unit").loc["X1", "cs_international"] == pytest.approx(35 / 6)
    total = make_chart(atlas, "ranking", level="institution", country="JP", by="cs_total", top=2)
    assert total.table["unit"].tolist() == ["X1", "J2"]
    assert total.table["cs_total"].tolist() == pytest.approx([41 / 6, 2.0])
    spec = json.dumps(total.to_dict())
    assert "Institutions in Japan by total CS" in spec and "Example University" in spec
    industry = make_chart(atlas, "ranking", level="institution", country="JP", by="cs_industry")
    assert industry.table.set_index("unit").loc["J2", "cs_industry"] == pytest.approx(1.0)
    for kw, message in [({"level": "institution", "country": "JP", "by": "bogus"}, "--by 'bogus'")]:
        with pytest.raises(CountingError, match=message):
            make_chart(atlas, "ranking", **kw)
    with pytest.raises(CountingError, match="appl(y|ies) to the ranking chart"):
        make_chart(atlas, "partners", unit="JP", country="JP")
    with pytest.raises(CountingError, match="appl(y|ies) to the ranking chart"):
        make_chart(atlas, "partners", unit="JP", by="cs_total", country="JP", source="pairs")
    with pytest.raises(CountingError, match="--unit and --partner do not apply"):
        make_chart(atlas, "ranking", level="institution", country="JP", unit="X1")
    with pytest.raises(CountingError, match="apply to the landscape chart"):
        make_chart(atlas, "partners", unit="JP", fit="loess")
    runner, store = CliRunner(), cli_store(tmp_path, PROFILE)
    out = tmp_path / "r.svg"
    done = runner.invoke(app, ["chart", "ranking", "--level", "institution", "--country", "JP", "--by",
                               "cs_international", "--out", str(out), "--store", store])
    assert done.exit_code == 0, done.output
    assert "Example University" in out.read_text()


def test_loess_curve_is_drawn_at_the_observed_x_values():
    table = points_frame([("A", -0.6, 0.2, "x"), ("B", 0.05, 0.5, "x"), ("C", 0.06, 0.2, "x"),
                          ("D", 0.3, 0.3, "x"), ("E", 0.31, 0.4, "x")])
    fit = lp.curve_fit(table, kind="loess", by=None, min_n=3)
    curve = lp.fitted_lines(table, fit)
    assert curve["x"].tolist() == [-0.6, 0.05, 0.06, 0.3, 0.31]  # no point inside the gap -0.6..0.05
    assert curve["mean"].tolist() == pytest.approx(lp.loess(table.log_gerd, table.intl_share, curve["x"]).tolist())
