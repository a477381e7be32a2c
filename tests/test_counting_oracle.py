"""Hand-computed oracles for every counting rule (expected values written as fractions)."""

from __future__ import annotations

from fractions import Fraction as F

import pytest

from collabatlas.counting.rules import CountingError
from tests.conftest import institution, work

# The worked example of docs/methodology.md: a1 JP (J1); a2 JP (J2) + US (U1); a3 CN (C1).
ORACLE = work("W1", [[("J1", "JP")], [("J2", "JP"), ("U1", "US", "company")], [("C1", "CN")]])


def as_dict(df, key="unit", value="share"):
    return dict(zip(df[key], df[value], strict=True))


def pair_dict(df, value="cs"):
    return {(a, b): v for a, b, v in zip(df["unit_a"], df["unit_b"], df[value], strict=True)}


def approx(expected: dict) -> dict:
    return {k: pytest.approx(float(v), abs=1e-12) for k, v in expected.items()}


def test_country_share_count_and_cs(atlas_of):
    atlas = atlas_of([ORACLE])
    s = atlas.scores(level="country")
    assert as_dict(s) == approx({"JP": F(1, 2), "US": F(1, 6), "CN": F(1, 3)})
    assert as_dict(s, value="count") == {"JP": 1, "US": 1, "CN": 1}
    p = atlas.pairs(level="country")
    assert pair_dict(p) == approx({("JP", "US"): F(2, 3), ("CN", "JP"): F(5, 6), ("CN", "US"): F(1, 2)})
    assert set(pair_dict(p, "joint_count").values()) == {1}
    totals = atlas.totals(level="country")
    assert as_dict(totals, value="cs_total") == approx({"JP": F(3, 2), "US": F(7, 6), "CN": F(4, 3)})
    # at country level every partner is another country
    assert as_dict(totals, value="cs_international") == as_dict(totals, value="cs_total")


def test_institution_share_and_domestic_international_industry(atlas_of):
    atlas = atlas_of([ORACLE])
    s = atlas.scores(level="institution")
    assert as_dict(s) == approx({"J1": F(1, 3), "J2": F(1, 6), "U1": F(1, 6), "C1": F(1, 3)})
    assert list(s.columns) == ["unit", "name", "count", "share"]
    assert pair_dict(atlas.pairs(level="institution"))[("J1", "J2")] == pytest.approx(0.5)
    t = atlas.totals(level="institution").set_index("unit")
    one = atlas.totals(level="institution", unit="J1")  # one unit's row only: the same figures
    assert one["unit"].tolist() == ["J1"]
    assert one.set_index("unit").loc["J1"].to_dict() == t.loc["J1"].to_dict()
    # J1 partners: J2 (JP, domestic) 1/2; U1 (US, corporate) 1/2; C1 (CN) 2/3
    assert t.loc["J1", "cs_total"] == pytest.approx(1 / 2 + 1 / 2 + 2 / 3)
    assert t.loc["J1", "cs_domestic"] == pytest.approx(1 / 2)
    assert t.loc["J1", "cs_international"] == pytest.approx(1 / 2 + 2 / 3)
    assert t.loc["J1", "cs_industry"] == pytest.approx(1 / 2)
    # U1 is the corporate unit: its industry CS has no corporate partner
    assert t.loc["U1", "cs_industry"] == 0
    assert t.loc["J1", "intl_count"] == 1 and t.loc["J1", "collab_count"] == 1


def test_sector_level(atlas_of):
    atlas = atlas_of([ORACLE])
    assert as_dict(atlas.scores(level="sector")) == approx({"academic": F(5, 6), "corporate": F(1, 6)})
    assert pair_dict(atlas.pairs(level="sector")) == approx({("academic", "corporate"): F(1)})


def test_country_fallback_and_unattributed_strict_vs_renormalized(atlas_of):
    records = [
        # a1: no institution, countries [GT]; a2: US institution; a3: nothing at all
        work("W2", [{"countries": ["GT"]}, [("U1", "US")], {"countries": []}]),
        # an author without institutions splits 1/n over several countries
        work("W3", [{"countries": ["FR", "DE"]}, [("U1", "US")]]),
    ]
    atlas = atlas_of(records)
    strict = atlas.scores(level="country")
    assert as_dict(strict) == approx({"GT": F(1, 3), "US": F(1, 3) + F(1, 2), "FR": F(1, 4), "DE": F(1, 4)})
    renorm = atlas.scores(level="country", renormalize=True)
    assert as_dict(renorm) == approx({"GT": F(1, 2), "US": F(1, 2) + F(1, 2), "FR": F(1, 4), "DE": F(1, 4)})
    # institution level: the fallback authors are unattributed
    assert as_dict(atlas.scores(level="institution")) == approx({"U1": F(1, 3) + F(1, 2)})
    assert pair_dict(atlas.pairs(level="country")) == approx(
        {("GT", "US"): F(2, 3), ("DE", "FR"): F(1, 2), ("DE", "US"): F(3, 4), ("FR", "US"): F(3, 4)})


def test_institution_without_country_is_unattributed_at_country_level(atlas_of):
    atlas = atlas_of([work("W4", [[("X1", None)], [("U1", "US")]])])
    assert as_dict(atlas.scores(level="country")) == approx({"US": F(1, 2)})
    t = atlas.totals(level="institution").set_index("unit")
    # X1 has no country: its CS with U1 is neither domestic nor international
    assert t.loc["U1", "cs_unknown_country"] == pytest.approx(1.0)
    assert t.loc["U1", "cs_domestic"] == 0 and t.loc["U1", "cs_international"] == 0


def test_same_institution_twice_on_an_author_counts_once(atlas_of):
    dup = work("W5", [[("J1", "JP"), ("J1", "JP"), ("U1", "US")], [("U1", "US")]])
    atlas = atlas_of([dup])
    assert as_dict(atlas.scores(level="institution")) == approx({"J1": F(1, 4), "U1": F(3, 4)})


def test_rollup_to_lineage_root(atlas_of):
    # L1 and L2 are labs of P (lineage lists members in no particular order); P's own lineage is [P]
    lab1 = institution("L1", "DE", lineage=["P", "L1"])
    lab2 = institution("L2", "DE", lineage=["L2", "P"])
    parent = institution("P", "DE", lineage=["P"])
    atlas = atlas_of([work("W6", [[lab1], [lab2, ("U1", "US")], [parent]])])
    plain = as_dict(atlas.scores(level="institution"))
    assert plain == approx({"L1": F(1, 3), "L2": F(1, 6), "U1": F(1, 6), "P": F(1, 3)})
    rolled = atlas.scores(level="institution", rollup=True)
    assert as_dict(rolled) == approx({"P": F(5, 6), "U1": F(1, 6)})
    assert as_dict(rolled, value="count") == {"P": 1, "U1": 1}
    with pytest.raises(CountingError):
        atlas.scores(level="country", rollup=True)


def test_count_is_per_work_and_filters(atlas_of):
    records = [
        work("W10", [[("J1", "JP")], [("U1", "US")]], year=2019, date="2019-03-01"),
        work("W11", [[("J1", "JP")]], year=2020, date="2020-09-30", type="review"),
        work("W12", [[("J1", "JP")], [("J1", "JP")], [("C1", "CN")]], year=2021, date="2021-01-10"),
    ]
    atlas = atlas_of(records)
    s = atlas.scores(level="country").set_index("unit")
    assert s.loc["JP", "count"] == 3
    assert s.loc["JP", "share"] == pytest.approx(1 / 2 + 1 + 2 / 3)
    assert as_dict(atlas.scores(level="country", years="2020-2021")) == approx({"JP": F(5, 3), "CN": F(1, 3)})
    assert as_dict(atlas.scores(level="country", years=2019)) == approx({"JP": F(1, 2), "US": F(1, 2)})
    # a 12-month window across calendar years
    assert as_dict(atlas.scores(level="country", window="2020-08-01..2021-07-31")) == approx(
        {"JP": F(5, 3), "CN": F(1, 3)})
    assert as_dict(atlas.scores(level="country", type="review")) == approx({"JP": F(1)})
    assert as_dict(atlas.scores(level="country", subject="life sciences"))["JP"] == pytest.approx(13 / 6)
    assert atlas.scores(level="country", subject="Physics and Astronomy").empty
    by_year = atlas.scores(level="country", by_year=True)
    assert set(zip(by_year["unit"], by_year["year"], strict=False)) == {("JP", 2019), ("US", 2019), ("JP", 2020),
                                                                         ("JP", 2021), ("CN", 2021)}


def test_adjusted_share_matches_nature_index_formula(atlas_of):
    # 2019: 2 works, 2020: 4 works. Adjusted_y = Share_y * N_2019 / N_y
    records = [work(f"W2{i}", [[("J1", "JP")], [("U1", "US")]], year=2019) for i in range(2)]
    records += [work(f"W3{i}", [[("J1", "JP")], [("C1", "CN")]], year=2020) for i in range(4)]
    atlas = atlas_of(records)
    s = atlas.scores(level="country", base_year=2019)
    jp = s[s["unit"] == "JP"].set_index("year")
    assert jp.loc[2019, "adjusted_share"] == pytest.approx(1.0)
    assert jp.loc[2020, "share"] == pytest.approx(2.0)
    assert jp.loc[2020, "adjusted_share"] == pytest.approx(2.0 * 2 / 4)


def test_bad_level(atlas_of):
    atlas = atlas_of([ORACLE])
    with pytest.raises(CountingError):
        atlas.scores(level="continent")


def test_nature_index_subject_areas(atlas_of):
    chem = work("W40", [[("J1", "JP")], [("U1", "US")]])
    chem["primary_topic"]["field"] = {"id": "https://openalex.org/fields/16", "display_name": "Chemistry"}
    med = work("W41", [[("J1", "JP")]])
    med["primary_topic"]["field"] = {"id": "https://openalex.org/fields/27", "display_name": "Medicine"}
    econ = work("W42", [[("J1", "JP")]])
    econ["primary_topic"]["field"] = {"id": "https://openalex.org/fields/20", "display_name": "Economics"}
    atlas = atlas_of([chem, med, econ])
    assert as_dict(atlas.scores(level="country", subject="ni:chemistry")) == approx({"JP": F(1, 2), "US": F(1, 2)})
    assert as_dict(atlas.scores(level="country", subject="ni:health-sciences")) == approx({"JP": F(1)})
    assert as_dict(atlas.scores(level="country", subject="ni:chemistry,ni:health-sciences"))["JP"] == pytest.approx(1.5)
    assert atlas.scores(level="country", subject="ni:life-sciences").empty
    from collabatlas.counting.filters import FilterError
    with pytest.raises(FilterError, match="ni:chemistry"):
        atlas.scores(level="country", subject="ni:alchemy")
