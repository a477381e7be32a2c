"""Property tests (hypothesis) for the invariants of the counting rules."""

from __future__ import annotations

import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import collabatlas
from collabatlas.counting import rules as counting
from collabatlas.counting.rules import Counting
from tests.conftest import work, write_jsonl

# a small pool so that works share units; X1 has no country, F1 is a company, P1 a funder (no sector)
POOL = [("J1", "JP", "education"), ("J2", "JP", "government"), ("U1", "US", "company"), ("U2", "US", "education"),
        ("C1", "CN", "healthcare"), ("X1", None, "education"), ("F1", "FR", "nonprofit"), ("P1", "GB", "funder")]
COUNTRIES = ["JP", "US", "CN", "FR", "GT"]

author_st = st.one_of(
    st.lists(st.sampled_from(POOL), min_size=1, max_size=3),
    st.builds(lambda cs: {"countries": cs}, st.lists(st.sampled_from(COUNTRIES), max_size=2, unique=True)),
)
works_st = st.lists(st.lists(author_st, min_size=1, max_size=6), min_size=1, max_size=6)

SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def build(tmp_path, authors_per_work, name="w.jsonl"):
    records = [work(f"W{i + 1}", authors, year=2018 + i % 3) for i, authors in enumerate(authors_per_work)]
    atlas = collabatlas.open(":memory:")
    atlas.ingest(write_jsonl(tmp_path / name, records))
    return atlas


def per_work_shares(atlas, level, renormalize=False):
    prefix, params = counting.unit_shares_sql(Counting(level=level, renormalize=renormalize))
    rows = atlas.con.execute(f"{prefix} SELECT w.work_id, sum(share), count(*) FROM wu JOIN works w USING (wkey) "
                             "GROUP BY w.work_id", params).fetchall()
    return {w: (s, k) for w, s, k in rows}


def fully_attributed(authors, level):
    for author in authors:
        if isinstance(author, dict):
            if level != "country" or not author["countries"]:
                return False
        elif level == "country" and any(country is None for _, country, _ in author):
            return False
        elif level == "sector" and any(type_ == "funder" for _, _, type_ in author):
            return False
    return True


@SETTINGS
@given(works_st)
def test_share_per_work_is_at_most_one_and_exactly_one_when_all_attributed(tmp_path, authors_per_work):
    atlas = build(tmp_path, authors_per_work)
    for level in counting.LEVELS:
        shares = per_work_shares(atlas, level)
        for i, authors in enumerate(authors_per_work):
            total = shares.get(f"W{i + 1}", (0.0, 0))[0]
            assert total <= 1 + 1e-12
            if fully_attributed(authors, level):
                assert total == pytest.approx(1.0, abs=1e-12)
        for total, _ in per_work_shares(atlas, level, renormalize=True).values():
            assert total == pytest.approx(1.0, abs=1e-12)


@SETTINGS
@given(works_st)
def test_collaboration_score_identities(tmp_path, authors_per_work):
    atlas = build(tmp_path, authors_per_work)
    for level in counting.LEVELS:
        scores = atlas.scores(level=level).set_index("unit")
        pairs = atlas.pairs(level=level)
        totals = atlas.totals(level=level).set_index("unit")
        # Count >= Share, and Count is a number of works
        assert (scores["count"] >= scores["share"] - 1e-12).all()
        assert (scores["count"] <= len(authors_per_work)).all()
        # total CS of A = sum over B of CS(A, B)
        from_pairs = pairs.groupby("unit_a")["cs"].sum().add(pairs.groupby("unit_b")["cs"].sum(), fill_value=0)
        for unit, cs in totals["cs_total"].items():
            assert cs == pytest.approx(from_pairs.get(unit, 0.0), abs=1e-9)
        # sum over all pairs = sum over works of (k - 1) * W
        shares = per_work_shares(atlas, level)
        assert pairs["cs"].sum() == pytest.approx(sum((k - 1) * w for w, k in shares.values()), abs=1e-9)
        # each pair: unit_a < unit_b, joint works <= each unit's Count, 0 < CS <= 2 * joint works
        assert (pairs["unit_a"] < pairs["unit_b"]).all()
        for a, b, joint, cs in pairs[["unit_a", "unit_b", "joint_count", "cs"]].itertuples(index=False):
            assert joint <= min(scores.loc[a, "count"], scores.loc[b, "count"])
            assert 0 < cs <= 2 * joint + 1e-12
        if level == "institution":
            parts = totals["cs_domestic"] + totals["cs_international"] + totals["cs_unknown_country"]
            assert parts.to_numpy() == pytest.approx(totals["cs_total"].to_numpy(), abs=1e-9)
            assert (totals["cs_industry"] <= totals["cs_total"] + 1e-9).all()


@SETTINGS
@given(works_st, st.booleans())
def test_total_cs_splits_equal_the_pairs_split_by_partner(tmp_path, authors_per_work, renormalize):
    """Domestic / international / unknown-country and industry CS, read from each unit's saved
    context on its works, equal the bilateral CS summed by the partner's country and sector."""
    atlas = build(tmp_path, authors_per_work)
    country = {unit: c for unit, c, _ in POOL}
    corporate = {unit: t == "company" for unit, _, t in POOL}
    for level in ("country", "institution"):
        pairs = atlas.pairs(level=level, renormalize=renormalize)
        totals = atlas.totals(level=level, renormalize=renormalize).set_index("unit")
        expected = {unit: dict.fromkeys(SPLITS, 0.0) for unit in totals.index}
        for a, b, cs in pairs[["unit_a", "unit_b", "cs"]].itertuples(index=False):
            for x, y in ((a, b), (b, a)):
                cx, cy = (x, y) if level == "country" else (country[x], country[y])
                side = ("cs_unknown_country" if cx is None or cy is None
                        else "cs_domestic" if cx == cy else "cs_international")
                expected[x][side] += cs
                expected[x]["cs_industry"] += cs if level == "institution" and corporate[y] else 0.0
        assert "cs_domestic" in totals.columns and (level == "country" or "cs_industry" in totals.columns)
        for unit, row in totals.iterrows():
            for column in (c for c in SPLITS if c in totals.columns):
                assert row[column] == pytest.approx(expected[unit][column], abs=1e-9), (level, unit, column)


SPLITS = ("cs_domestic", "cs_international", "cs_unknown_country", "cs_industry")


@SETTINGS
@given(works_st, st.randoms(use_true_random=False))
def test_metrics_do_not_depend_on_author_order(tmp_path, authors_per_work, rnd: random.Random):
    shuffled = [rnd.sample(authors, len(authors)) for authors in authors_per_work]
    first, second = build(tmp_path, authors_per_work, "a.jsonl"), build(tmp_path, shuffled, "b.jsonl")
    for level in counting.LEVELS:
        for metric in ("scores", "pairs", "totals"):
            x = getattr(first, metric)(level=level)
            y = getattr(second, metric)(level=level)
            key = ["unit"] if "unit" in x.columns else ["unit_a", "unit_b"]
            x, y = x.sort_values(key, ignore_index=True), y.sort_values(key, ignore_index=True)
            assert list(x[key[0]]) == list(y[key[0]])
            for col in x.columns:
                if x[col].dtype.kind == "f":
                    assert x[col].to_numpy() == pytest.approx(y[col].to_numpy(), abs=1e-12)
                else:
                    assert list(x[col]) == list(y[col])


@SETTINGS
@given(works_st, st.sampled_from([None, "2018", "2019-2020"]), st.booleans())
def test_cached_unit_shares_give_the_same_metrics_as_direct_sql(tmp_path, authors_per_work, years, renormalize):
    """The Atlas reads a per-connection cache of unit shares; the statements without it must agree."""
    atlas = build(tmp_path, authors_per_work)
    for level in counting.LEVELS:
        cached = atlas.counting_for(level, years=years, renormalize=renormalize)
        assert cached.source is not None
        direct = Counting(level=level, filters=cached.filters, renormalize=renormalize)
        for build_sql in (counting.scores_sql, counting.pairs_sql, counting.totals_sql):
            a, b = (sorted(tuple(round(v, 9) if isinstance(v, float) else v for v in row)
                           for row in atlas.con.execute(*build_sql(c)).fetchall()) for c in (cached, direct))
            assert a == b
