"""Derived metrics are SQL in the counting rules; each equals an independent computation here."""

from __future__ import annotations

import math

import pytest

from .conftest import work

JP, US, GB = ("I1", "JP"), ("I2", "US"), ("I3", "GB")
JP2 = ("I4", "JP")  # a second Japanese institution (a domestic partner of I1)


def _works():
    return [work("W1", [[JP], [US]], year=2019),
            work("W2", [[JP], [US], [GB]], year=2020),
            work("W3", [[JP], [JP2]], year=2020),
            work("W4", [[US]], year=2019),
            work("W5", [[GB], [US]], year=2020, type="review")]


def test_pct_of_international_cs_is_each_international_partners_part(copied_atlas_of):
    atlas = copied_atlas_of(_works())
    df = atlas.partners("I1", level="institution").set_index("partner")
    # I1's partners: I2 (US) on W1, W2; I3 (GB) on W2; I4 (JP, domestic) on W3
    cs = {"I2": (1 / 2 + 1 / 2) + (1 / 3 + 1 / 3), "I3": 1 / 3 + 1 / 3, "I4": 1 / 2 + 1 / 2}
    intl = cs["I2"] + cs["I3"]
    assert math.isclose(df.loc["I2", "pct_of_international_cs"], 100 * cs["I2"] / intl)
    assert math.isclose(df.loc["I3", "pct_of_international_cs"], 100 * cs["I3"] / intl)
    assert math.isnan(df.loc["I4", "pct_of_international_cs"])  # domestic
    assert df.loc["I2", "country"] == "US" and df.loc["I4", "country"] == "JP"
    countries = atlas.partners("JP").set_index("partner")
    total = countries["cs"].sum()
    for _partner, row in countries.iterrows():  # at country level every partner is international
        assert math.isclose(row["pct_of_international_cs"], 100 * row["cs"] / total)


def test_adjusted_share_scales_each_year_to_the_base_year(copied_atlas_of):
    atlas = copied_atlas_of(_works())
    n = {2019: 2, 2020: 3}  # works per year
    df = atlas.scores(base_year=2019).set_index(["unit", "year"])
    for (_unit, year), row in df.iterrows():
        assert math.isclose(row["adjusted_share"], row["share"] * n[2019] / n[year])
    typed = atlas.scores(base_year=2020, type="article").set_index(["unit", "year"])  # N under the same filters
    assert math.isclose(typed.loc[("GB", 2020), "adjusted_share"], typed.loc[("GB", 2020), "share"] * 2 / 2)


def test_international_share_is_intl_works_over_works(copied_atlas_of):
    atlas = copied_atlas_of(_works())
    df = atlas.collaboration_by_year(level="country").set_index(["unit", "year"])
    expected = {("JP", 2019): 1.0, ("JP", 2020): 0.5, ("US", 2019): 0.5, ("US", 2020): 1.0, ("GB", 2020): 1.0}
    for key, share in expected.items():
        assert math.isclose(df.loc[key, "intl_share"], share), key


def test_cs_by_partner_country_is_one_definition_for_the_map_and_the_hotspots(atlas_of):
    atlas = atlas_of(_works() + [work("W6", [[JP], [("I5", "GB")]], year=2020)])
    # I1's partner institutions: I2 (US) W1 1 + W2 2/3; I3 (GB) W2 2/3; I5 (GB) W6 1; I4 (JP) W3 1
    by_hand = {"US": 1 + 2 / 3, "GB": 2 / 3 + 1, "JP": 1.0}
    every = atlas.partner_countries("I1").set_index("country")
    assert every["cs"].to_dict() == pytest.approx(by_hand)
    assert every["joint_partners"].to_dict() == {"US": 1, "GB": 2, "JP": 1}
    assert every.loc["JP", "domestic"] and not every.loc["GB", "domestic"]
    intl = by_hand["US"] + by_hand["GB"]
    assert math.isclose(every.loc["GB", "pct_of_international_cs"], 100 * by_hand["GB"] / intl)
    assert math.isnan(every.loc["JP", "pct_of_international_cs"])
    # the profile's hotspots are the same table, international rows, top 1 + rest of world
    hot = atlas.profile("I1", top=1).hotspots
    assert hot["country"].tolist() == ["GB", "rest of world"]
    assert hot["cs"].tolist() == pytest.approx([by_hand["GB"], by_hand["US"]])
    assert hot["pct_of_international_cs"].sum() == pytest.approx(100.0)
    assert hot["joint_partners"].tolist() == [2, 1]


def test_own_pct_is_the_units_part_of_each_bilateral_cs(copied_atlas_of):
    atlas = copied_atlas_of(_works())
    partners = atlas.profile("I1", top=5).partners.set_index("partner")
    # I1 with I2: own Share 1/2 (W1) + 1/3 (W2) of CS 1 + 2/3
    assert math.isclose(partners.loc["I2", "own_pct"], 100 * (1 / 2 + 1 / 3) / (1 + 2 / 3))
    assert math.isclose(partners.loc["I3", "own_pct"], 50.0)


def test_group_shares_are_group_over_international(copied_atlas_of):
    atlas = copied_atlas_of(_works())
    report = atlas.group("JP", "test", ["2019-2020"], members=frozenset({"GB"}))
    row = report.periods.iloc[0]
    # JP works: W1 (US), W2 (US, GB), W3 (domestic): intl 2, with GB 1; CS JP-US 1 + 2/3, JP-GB 2/3
    assert (row["works"], row["intl_works"], row["group_works"], row["domestic_works"]) == (3, 2, 1, 1)
    assert math.isclose(row["group_pct_of_intl_works"], 50.0)
    assert math.isclose(row["group_cs"], 2 / 3) and math.isclose(row["intl_cs"], 1 + 2 / 3 + 2 / 3)
    assert math.isclose(row["group_pct_of_intl_cs"], 100 * (2 / 3) / (1 + 4 / 3))


def test_dual_affiliation_part_is_cs_minus_cs_without_dual_authors(atlas_of):
    # W1: author 1 in JP and US (dual), author 2 in GB; W2: JP and GB, one country each
    atlas = atlas_of([work("W1", [[JP, US], [GB]], year=2020), work("W2", [[JP], [GB]], year=2020)])
    df = atlas.partners("GB", report_dual=True).set_index("partner")
    without = atlas.partners("GB", exclude_dual_affiliations=True).set_index("partner")["cs"]
    for partner, row in df.iterrows():
        assert math.isclose(row["cs_without_dual"], without.get(partner, 0.0))
        assert math.isclose(row["dual_cs"], row["cs"] - without.get(partner, 0.0))
    assert df.loc["US", "dual_cs"] > 0 and math.isclose(df.loc["US", "cs_without_dual"], 0.0)
    trend = atlas.trend("GB", "JP", years="2020", report_dual=True).iloc[0]
    alone = atlas.trend("GB", "JP", years="2020", exclude_dual_affiliations=True).iloc[0]
    assert math.isclose(trend["cs_without_dual"], alone["cs"])
    assert math.isclose(trend["dual_cs"], trend["cs"] - alone["cs"])


def test_group_dual_split_is_group_cs_minus_group_cs_without_dual_authors(atlas_of):
    atlas = atlas_of([work("W1", [[JP, US], [GB]], year=2020), work("W2", [[JP], [GB]], year=2020)])
    row = atlas.group("GB", "test", ["2020"], members=frozenset({"US"}), report_dual=True).periods.iloc[0]
    alone = atlas.group("GB", "test", ["2020"], members=frozenset({"US"}),
                        exclude_dual_affiliations=True).periods.iloc[0]
    assert math.isclose(row["group_cs_without_dual"], alone["group_cs"])
    assert math.isclose(row["group_dual_cs"], row["group_cs"] - alone["group_cs"]) and row["group_dual_cs"] > 0
    assert math.isclose(row["intl_dual_cs"], row["intl_cs"] - alone["intl_cs"])
