"""Bootstrap intervals: hand-computed Poisson quantiles, seeding, and the CLI/API wiring."""

from __future__ import annotations

import pandas as pd
import pytest

from collabatlas.analyses import uncertainty
from tests.conftest import work


def test_single_work_interval_is_poisson_quantiles():
    # one work contributing 0.5: replicate sums are 0.5·k with k ~ Poisson(1); the 2.5 % and 97.5 %
    # quantiles of Poisson(1) are 0 and 3 (P(k<=2) = 0.920, P(k<=3) = 0.981)
    out = uncertainty.intervals(pd.DataFrame({"wkey": [1], "key": ["JP"], "value": [0.5]}), replicates=4000)
    assert out.set_index("key").loc["JP"].tolist() == [0.0, 1.5]


def test_many_equal_works_give_a_normal_width_and_seeds_repeat():
    contrib = pd.DataFrame({"wkey": range(400), "key": "A", "value": 1.0})
    low, high = uncertainty.intervals(contrib, replicates=3000).iloc[0][["low", "high"]]
    # Σ of 400 Poisson(1) weights ~ Poisson(400): 400 ± 1.96·20
    assert low == pytest.approx(400 - 39.2, abs=4) and high == pytest.approx(400 + 39.2, abs=4)
    again = uncertainty.intervals(contrib, replicates=3000).iloc[0][["low", "high"]]
    assert (low, high) == tuple(again)
    other = uncertainty.intervals(contrib, replicates=3000, seed=1).iloc[0][["low", "high"]]
    assert (low, high) != tuple(other)


def test_growth_interval():
    contrib = pd.DataFrame({"wkey": list(range(100)) + list(range(100, 250)),
                            "key": [2015] * 100 + [2021] * 150, "value": 1.0})
    low, high = uncertainty.growth_interval(contrib, 2015, 2021, replicates=2000)
    assert low < 50 < high and high - low < 80
    assert uncertainty.growth_interval(contrib, 2015, 2030) is None


def test_intervals_through_the_atlas(atlas_of):
    records = [work(f"W{i}", [[("J1", "JP")], [("U1", "US")]], year=2019 + i % 2) for i in range(40)]
    atlas = atlas_of(records)
    scores = atlas.scores(level="country", ci=500).set_index("unit")
    assert scores.loc["JP", "share_low"] < scores.loc["JP", "share"] == 20 < scores.loc["JP", "share_high"]
    partners = atlas.partners("JP", ci=500).set_index("partner")
    assert partners.loc["US", "cs_low"] < 40 < partners.loc["US", "cs_high"]
    trend = atlas.trend("JP", "US", years="2019-2020", ci=500)
    assert (trend["cs_low"] < trend["cs"]).all() and (trend["cs"] < trend["cs_high"]).all()
    low, high = atlas.trend_change_interval("JP", "US", 2019, 2020, ci=500)
    assert low < 0 < high
    inst = atlas.scores(level="institution", ci=200).set_index("unit")
    assert inst.loc["J1", "share_low"] < 20 < inst.loc["J1", "share_high"]
