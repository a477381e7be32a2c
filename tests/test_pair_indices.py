"""Normalised pair indices (issue 30): salton, jaccard, association, ric and ric_ba on full counts, worked
out by hand on the store of tests/test_impact.py; properties against a plain-Python oracle; the refusal on
the country-pair source; bootstrap intervals; the CLI.

Country level (every one of the 10 works has a country, so T = 10):
N_JP = 8 (W1 W2 W3 W4 W5 W7 W9 W10), N_US = 4 (W3 W6 W7 W10), N_DE = 2 (W7 W8);
joint: DE–JP 1 (W7), DE–US 1 (W7), JP–US 3 (W3 W7 W10).

    pair   salton        jaccard          association     ric (x = unit_a)            ric_ba
    DE–JP  1/√16 = 1/4   1/(2+8−1) = 1/9  1·10/16 = 5/8   (1/2)/((8−1)/(10−2)) = 4/7  (1/8)/((2−1)/(10−8)) = 1/4
    DE–US  1/√8          1/(2+4−1) = 1/5  10/8 = 5/4      (1/2)/((4−1)/(10−2)) = 4/3  (1/4)/((2−1)/(10−4)) = 3/2
    JP–US  3/√32         3/(8+4−3) = 1/3  30/32 = 15/16   (3/8)/((4−3)/(10−8)) = 3/4  (3/4)/((8−3)/(10−4)) = 9/10

Institution level: T = 9 (W5 has no institution). I1–I4 (W4 only): N_I1 = 5 (W1 W2 W3 W4 W7), N_I4 = 1:
ric = (1/5)/((1−1)/(9−5)): a division by zero, empty; ric_ba = (1/1)/((5−1)/(9−1)) = 2.
"""

from __future__ import annotations

import itertools
import math

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import collabatlas
from collabatlas.counting.pair_indices import INDICES, parse_indices
from collabatlas.counting.rules import CountingError
from tests.conftest import pair_store, work, write_jsonl
from tests.test_impact import HAND_WORKS

HAND = {
    ("DE", "JP"): (1 / 4, 1 / 9, 5 / 8, 4 / 7, 1 / 4),
    ("DE", "US"): (1 / math.sqrt(8), 1 / 5, 5 / 4, 4 / 3, 3 / 2),
    ("JP", "US"): (3 / math.sqrt(32), 1 / 3, 15 / 16, 3 / 4, 9 / 10),
}


@pytest.fixture
def hand(atlas_of):
    return atlas_of(HAND_WORKS)


def test_hand_oracle_country(hand):
    df = hand.pairs(indices="salton,jaccard,association,ric")
    assert list(df.columns)[-8:] == ["n_a", "n_b", "t", *INDICES]  # ric brings ric_ba
    got = {(r.unit_a, r.unit_b): (r.salton, r.jaccard, r.association, r.ric, r.ric_ba) for r in df.itertuples()}
    assert got.keys() == HAND.keys()
    for pair, want in HAND.items():
        assert got[pair] == pytest.approx(want, abs=1e-12), pair
    jp_us = df.set_index(["unit_a", "unit_b"]).loc[("JP", "US")]
    assert (jp_us.n_a, jp_us.n_b, jp_us.t, jp_us.joint_count) == (8, 4, 10, 3)
    # the pairs table itself is unchanged
    plain = hand.pairs()
    pd.testing.assert_frame_equal(df[plain.columns], plain)


def test_division_by_zero_is_empty(hand):
    df = hand.pairs(level="institution", indices=["ric"]).set_index(["unit_a", "unit_b"])
    row = df.loc[("I1", "I4")]
    assert (row.n_a, row.n_b, row.t) == (5, 1, 9)
    assert pd.isna(row.ric) and row.ric_ba == pytest.approx(2.0)


def test_years_and_by_year(hand):
    df = hand.pairs(indices="association", years="2021")
    # 2021: W10 only (JP, US): N = 1 each, T = 1
    assert df[["unit_a", "unit_b", "association"]].values.tolist() == [["JP", "US", 1.0]]
    per_year = hand.pairs(indices="jaccard", by_year=True).set_index(["unit_a", "unit_b", "year"])
    # 2020: JP 7 works, US 3, joint 2 (W3 W7): 2 / (7 + 3 − 2)
    assert per_year.loc[("JP", "US", 2020), "jaccard"] == pytest.approx(2 / 8)
    assert per_year.loc[("JP", "US", 2021), "jaccard"] == pytest.approx(1.0)


def test_parse_and_refusals(hand, tmp_path):
    assert parse_indices(" Jaccard , salton ") == ("salton", "jaccard")
    with pytest.raises(CountingError, match="cosine"):
        parse_indices("cosine")
    with pytest.raises(CountingError, match="--indices"):
        hand.pairs(ci=10)
    with pytest.raises(CountingError, match="whole period"):
        hand.pairs(indices="salton", ci=10, by_year=True)
    with collabatlas.open(pair_store(tmp_path, "year,country_a,country_b,works\n2020,JP,US,5\n2020,US,JP,5\n"
                                              "2020,JP,JP,9\n2020,US,US,7\n")) as atlas:
        with pytest.raises(CountingError, match="internationally co-authored works only"):
            atlas.pairs(indices="salton", source="pairs")
        links = atlas.pairs(source="pairs")
        assert links[["unit_a", "unit_b", "joint_count"]].values.tolist() == [["JP", "US", 5]]
        assert links["counting"].iloc[0].startswith("full count")
        with pytest.raises(CountingError, match="--by-year"):
            atlas.pairs(source="pairs", by_year=True)


def test_bootstrap_intervals(hand):
    df = hand.pairs(indices="salton,association,ric", ci=300)
    assert df.equals(hand.pairs(indices="salton,association,ric", ci=300))  # seeded
    for name in ("salton", "association", "ric", "ric_ba"):
        assert list(df.columns).index(f"{name}_lo") == list(df.columns).index(name) + 1
        both = df[[f"{name}_lo", f"{name}_hi"]].dropna()
        assert (both[f"{name}_lo"] <= both[f"{name}_hi"] + 1e-12).all()
    assert (df["salton_hi"] <= 1 + 1e-12).all()
    inst = hand.pairs(level="institution", indices="jaccard", ci=50)
    assert inst["jaccard_hi"].notna().all()


# -- properties against a plain-Python oracle -------------------------------------------------------

INSTITUTIONS = {"I1": "JP", "I2": "JP", "I3": "US", "I4": "DE", "I5": "CN"}
authors = st.one_of(st.lists(st.sampled_from(sorted(INSTITUTIONS)), min_size=1, max_size=2, unique=True),
                    st.sampled_from([{"countries": ["JP"]}, {"countries": ["FR", "US"]}, {"countries": []}]))
works_strategy = st.lists(st.lists(authors, min_size=1, max_size=4), min_size=1, max_size=14)


def oracle(works) -> dict[tuple[str, str], tuple]:
    """(N_a, N_b, N_ab, T) per country pair, straight from the definitions."""
    sets = []
    for people in works:
        countries = set()
        for a in people:
            countries |= set(a["countries"]) if isinstance(a, dict) else {INSTITUTIONS[i] for i in a}
        sets.append(countries)
    t = sum(1 for s in sets if s)
    n = {c: sum(1 for s in sets if c in s) for c in set().union(*sets)}
    out = {}
    for a, b in itertools.combinations(sorted(n), 2):
        joint = sum(1 for s in sets if a in s and b in s)
        if joint:
            out[(a, b)] = (n[a], n[b], joint, t)
    return out


def _div(a: float, b: float) -> float | None:
    return None if a is None or b is None or b == 0 else a / b


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(works=works_strategy)
def test_properties_against_oracle(tmp_path_factory, works):
    records = [work(f"W{k}", [a if isinstance(a, dict) else [(i, INSTITUTIONS[i]) for i in a] for a in people])
               for k, people in enumerate(works, start=1)]
    folder = tmp_path_factory.mktemp("indices")
    with collabatlas.open(":memory:") as atlas:
        atlas.ingest(write_jsonl(folder / "w.jsonl", records))
        df = atlas.pairs(indices=",".join(INDICES))
    expected = oracle(works)
    assert set(zip(df["unit_a"], df["unit_b"], strict=True)) == set(expected)
    for r in df.itertuples():
        na, nb, nab, t = expected[(r.unit_a, r.unit_b)]
        assert (r.n_a, r.n_b, r.joint_count, r.t) == (na, nb, nab, t)
        assert r.salton == pytest.approx(nab / math.sqrt(na * nb), abs=1e-12)
        assert r.jaccard == pytest.approx(nab / (na + nb - nab), abs=1e-12)
        assert r.association == pytest.approx(nab * t / (na * nb), abs=1e-12)
        # symmetric: the same whichever unit is x
        assert r.association == pytest.approx(nab * t / (nb * na), abs=1e-12)
        for got, (x, y) in ((r.ric, (na, nb)), (r.ric_ba, (nb, na))):
            want = _div(_div(nab, x), _div(y - nab, t - x))
            assert (pd.isna(got) and want is None) or got == pytest.approx(want, abs=1e-12)
        assert r.salton <= 1 + 1e-12 and r.jaccard <= r.salton + 1e-12


def test_cli_indices_csv(tmp_path):
    from typer.testing import CliRunner

    from collabatlas.views.cli import app

    path = tmp_path / "s.duckdb"
    with collabatlas.open(path) as atlas:
        atlas.ingest(write_jsonl(tmp_path / "w.jsonl", HAND_WORKS))
    runner = CliRunner()
    result = runner.invoke(app, ["pairs", "--level", "country", "--indices", "salton,jaccard,association,ric",
                                 "--format", "csv", "--store", str(path)])
    assert result.exit_code == 0, result.output
    lines = [line for line in result.stdout.splitlines() if line]
    header = lines[0].split(",")
    assert header[-5:] == list(INDICES)
    row = dict(zip(header, next(line for line in lines if line.startswith("JP,")).split(","), strict=True))
    assert float(row["ric_ba"]) == pytest.approx(0.9) and float(row["association"]) == pytest.approx(15 / 16)
    bad = runner.invoke(app, ["pairs", "--indices", "cosine", "--store", str(path)])
    assert bad.exit_code == 2 and "cosine" in bad.output
