"""Derived metrics are SQL in the counting rules; each equals an independent computation here."""

from __future__ import annotations

import math

from .conftest import work

JP, US, GB = ("I1", "JP"), ("I2", "US"), ("I3", "GB")
JP2 = ("I4", "JP")  # a second Japanese institution (a domestic partner of I1)


def _works():
    return [work("W1", [[JP], [US]], year=2019),
            work("W2", [[JP], [US], [GB]], year=2020),
            work("W3", [[JP], [JP2]], year=2020),
            work("W4", [[US]], year=2019),
            work("W5", [[GB], [US]], year=2020, type="review")]


def test_pct_of_international_cs_is_each_international_partners_part(atlas_of):
    atlas = atlas_of(_works())
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


def test_adjusted_share_scales_each_year_to_the_base_year(atlas_of):
    atlas = atlas_of(_works())
    n = {2019: 2, 2020: 3}  # works per year
    df = atlas.scores(base_year=2019).set_index(["unit", "year"])
    for (_unit, year), row in df.iterrows():
        assert math.isclose(row["adjusted_share"], row["share"] * n[2019] / n[year])
    typed = atlas.scores(base_year=2020, type="article").set_index(["unit", "year"])  # N under the same filters
    assert math.isclose(typed.loc[("GB", 2020), "adjusted_share"], typed.loc[("GB", 2020), "share"] * 2 / 2)


def test_international_share_is_intl_works_over_works(atlas_of):
    atlas = atlas_of(_works())
    df = atlas.collaboration_by_year(level="country").set_index(["unit", "year"])
    expected = {("JP", 2019): 1.0, ("JP", 2020): 0.5, ("US", 2019): 0.5, ("US", 2020): 1.0, ("GB", 2020): 1.0}
    for key, share in expected.items():
        assert math.isclose(df.loc[key, "intl_share"], share), key
