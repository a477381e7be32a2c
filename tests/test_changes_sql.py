"""Change %, growth %, part % and ranks are SQL (collabatlas.counting.changes): hand oracles on small
tables, and properties (a rank is a permutation consistent with ties; a change has the sign of the
difference)."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from collabatlas.analyses.tables import on_frame, percent_change, rank, ranked, with_change, with_growth, with_part_pct
from collabatlas.counting import changes
from collabatlas.counting.rules import CountingError


def test_change_from_the_previous_period_by_hand():
    df = pd.DataFrame({"period": [2018, 2019, 2020, 2021], "cs": [2.0, 3.0, 0.0, 1.5]})
    out = with_change(df.sample(frac=1, random_state=1).sort_values("period"), "cs")
    got = out["change_pct"].tolist()
    assert math.isnan(got[0])  # no previous period
    assert got[1] == pytest.approx(50.0)  # 2 → 3
    assert got[2] == pytest.approx(-100.0)  # 3 → 0
    assert math.isnan(got[3])  # from 0: undefined, not +inf


def test_change_follows_the_period_order_not_the_row_order():
    df = pd.DataFrame({"period": [2021, 2020], "cs": [4.0, 2.0]})
    out = with_change(df, "cs")
    assert out["change_pct"].iloc[0] == pytest.approx(100.0) and math.isnan(out["change_pct"].iloc[1])


def test_change_of_an_empty_series_is_an_empty_column():
    out = with_change(pd.DataFrame({"period": [], "cs": []}), "cs")
    assert list(out.columns) == ["period", "cs", "change_pct"] and out.empty


def test_percent_change_between_two_periods_by_hand():
    df = pd.DataFrame({"period": [2015, 2016, 2017], "cs": [4.0, 0.0, 5.0]})
    assert percent_change(df, 2015, 2017) == pytest.approx(25.0)
    assert percent_change(df, 2017, 2015) == pytest.approx(-20.0)
    assert percent_change(df, 2016, 2017) is None  # starts at 0
    with pytest.raises(CountingError, match="2014 and 2017: not both in"):
        percent_change(df, 2014, 2017)


def test_growth_by_hand_none_from_zero():
    df = pd.DataFrame({"partner": ["PK", "RU", "IR"], "cs_2014": [5 / 3, 0.0, 2.0], "cs_2017": [1.0, 2.0, 3.0]})
    out = with_growth(df, "cs_2014", "cs_2017")
    assert out["growth_pct"].iloc[0] == pytest.approx(-40.0)
    assert pd.isna(out["growth_pct"].iloc[1])
    assert out["growth_pct"].iloc[2] == pytest.approx(50.0)
    assert list(out["partner"]) == ["PK", "RU", "IR"]  # the rows keep their order


def test_growth_of_integer_counts_is_true_division():
    out = with_growth(pd.DataFrame({"first": [3], "last": [4]}), "first", "last")
    assert out["growth_pct"].iloc[0] == 100 * (4 - 3) / 3


def test_part_pct_by_hand():
    df = pd.DataFrame({"near": [1, 0], "far": [3, 0], "measured": [4, 0]})
    out = with_part_pct(df, ["near", "far"], "measured")
    assert out["pct_near"].iloc[0] == 25.0 and out["pct_far"].iloc[0] == 75.0
    assert math.isnan(out["pct_near"].iloc[1])  # nothing measured


def test_ranked_and_rank_by_hand():
    df = pd.DataFrame({"unit": ["B", "A", "C", "D"], "cs": [2.0, 2.0 + 1e-12, 5.0, float("nan")]})
    order = ranked(df, "cs", ["unit"])
    assert list(order["unit"]) == ["C", "A", "B", "D"]  # 2.0 and 2.0+1e-12 tie → by key; missing last
    assert rank(df, "cs").tolist() == [2, 2, 1, 4]


def test_ranked_within_groups():
    df = pd.DataFrame({"g": ["y", "x", "x", "y"], "unit": ["a", "b", "c", "d"], "v": [1.0, 1.0, 3.0, 2.0]})
    assert list(ranked(df, "v", ["unit"], groups=["g"])["unit"]) == ["c", "b", "d", "a"]
    assert rank(df, "v", groups=["g"]).tolist() == [2, 2, 1, 1]


def test_column_names_are_quoted():
    df = pd.DataFrame({"period": [1, 2], 'c"s': [1.0, 2.0]})
    assert on_frame(df, changes.change_pct_sql('c"s'))["change_pct"].iloc[1] == pytest.approx(100.0)


values = st.lists(st.integers(min_value=0, max_value=50).map(lambda v: v / 4), min_size=1, max_size=12)


@settings(max_examples=60, deadline=None)
@given(values)
def test_rank_is_a_permutation_consistent_with_ties(xs):
    df = pd.DataFrame({"unit": [f"u{i:02d}" for i in range(len(xs))], "v": xs})
    order = ranked(df, "v", ["unit"])
    assert sorted(order["unit"]) == sorted(df["unit"])  # a permutation
    assert list(order["v"]) == sorted(xs, reverse=True)
    ranks = rank(df, "v")
    for i in range(len(xs)):
        assert ranks.iloc[i] == 1 + sum(x > xs[i] for x in xs)  # competition rank
        for j in range(len(xs)):
            assert (ranks.iloc[i] == ranks.iloc[j]) == (xs[i] == xs[j])


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(min_value=0, max_value=1e6, allow_nan=False), min_size=2, max_size=10))
def test_change_sign_matches_the_difference(xs):
    out = with_change(pd.DataFrame({"period": range(len(xs)), "cs": xs}), "cs")
    for prev, cur, change in zip(xs[:-1], xs[1:], out["change_pct"].iloc[1:], strict=True):
        if prev > 0:
            assert math.copysign(1, change) == math.copysign(1, cur - prev) or (cur == prev and change == 0)
            assert change == 100 * (cur - prev) / prev  # the very number the pandas formula gave
        else:
            assert math.isnan(change)


def test_values_tie_as_they_round_half_to_even():
    # 976562.5e-9 rounds (half to even) to 0.000976562, as does 0.0009765624: they tie, the key decides
    df = pd.DataFrame({"unit": ["b", "a"], "v": [1 / 1024, 0.0009765624]})
    assert list(ranked(df, "v", ["unit"])["unit"]) == ["a", "b"]


def test_exact_ranking_does_not_round():
    df = pd.DataFrame({"unit": ["a", "b"], "v": [2.0, 2.0 + 1e-12]})
    assert list(ranked(df, "v", ["unit"], digits=None)["unit"]) == ["b", "a"]
    assert list(ranked(df, "v", ["unit"])["unit"]) == ["a", "b"]


def test_period_change_carries_the_n_at_both_ends_and_the_small_n_flag(monkeypatch):
    """The seed's "+696.7 % from 1 to 10 works": the change comes with the works behind it at each end
    and a flag below COLLABATLAS_SMALL_N (default 10), for `trend --compare` and the API alike."""
    from collabatlas.analyses.tables import period_change

    trend = pd.DataFrame({"period": [2015, 2016, 2017], "joint_count": [1, 4, 10], "cs": [0.375, 1.5, 2.9875]})
    said = period_change(trend, 2015, 2017)
    assert said == {"first": 2015, "last": 2017, "change_pct": pytest.approx(696.6666666666667), "n_first": 1,
                    "n_last": 10, "small_n": True}
    assert period_change(trend, 2016, 2017)["small_n"] is True
    monkeypatch.setenv("COLLABATLAS_SMALL_N", "4")
    assert period_change(trend, 2016, 2017)["small_n"] is False
    pairs = pd.DataFrame({"period": [2015, 2016], "joint_works": [16186, 23922]})  # the pair table: its own n
    assert period_change(pairs, 2015, 2016, value="joint_works")["n_first"] == 16186
    with pytest.raises(ValueError, match="not both"):
        period_change(trend, 2015, 2020)
