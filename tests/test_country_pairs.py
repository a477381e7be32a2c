"""Country-pair aggregates (full counts): loading with bad rows reported, and the real OpenAlex file."""

from __future__ import annotations

import csv
import gzip

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import collabatlas
from collabatlas.counting.rules import CountingError
from collabatlas.store.country_pairs import FULL_COUNT_LABEL

HAND = """year,country_a,country_b,works
2019,CN,CN,100
2019,CN,US,10
2019,US,CN,10
2019,CN,PK,5
2019,PK,CN,5
2020,CN,CN,120
2020,CN,US,12
2020,CN,PK,9
2020,CN,RU,3
20x0,CN,US,1
2020,C1,US,1
2020,CN,JP,-4
"""


def test_load_reports_bad_rows_and_answers_in_full_counts(tmp_path):
    path = tmp_path / "pairs.csv"
    path.write_text(HAND)
    atlas = collabatlas.open(":memory:")
    report = atlas.ingest_country_pairs(path)
    assert (report.rows_read, report.rows_stored, report.years) == (12, 9, [2019, 2020])
    assert report.skipped == {"year is not an integer": 1, "country code is not two letters": 1,
                              "works is not a count >= 0": 1}
    assert any("line 11" in m for m in report.messages) and any("line 13" in m for m in report.messages)
    partners = atlas.partners("CN", source="pairs", years="2019-2020").set_index("partner")
    assert partners["joint_works"].to_dict() == {"US": 22, "PK": 14, "RU": 3}
    assert partners["pct_of_partner_links"].sum() == pytest.approx(100)
    assert set(partners["counting"]) == {FULL_COUNT_LABEL}
    trend = atlas.trend("CN", "US", source="pairs")
    assert trend["joint_works"].tolist() == [10, 12] and trend["change_pct"].iloc[1] == pytest.approx(20.0)
    group = atlas.group("CN", "test", ["2019", "2020"], members=frozenset({"PK", "RU"}), source="pairs")
    assert group.periods["group_pair_links"].tolist() == [5, 12] and group.periods["intl_works"].tolist() == [100, 120]
    # distinct works with the group: 2019 exactly 5 (one partner); 2020 at least 9 (PK), at most 12 (9 + 3)
    assert group.periods["group_works_min"].tolist() == [5, 9] and group.periods["group_works_max"].tolist() == [5, 12]
    assert (group.source, group.counting) == ("pairs", FULL_COUNT_LABEL)
    # by hand: PK 5 -> 9 (+80 %), RU 0 -> 3 (new: no growth %), ordered by the last period
    assert group.partners[["partner", "joint_2019", "joint_2020"]].values.tolist() == [["PK", 5, 9], ["RU", 0, 3]]
    assert group.partners["growth_pct"].iloc[0] == pytest.approx(80.0) and group.partners["growth_pct"].isna().iloc[1]
    growth = group.growth.set_index("measure")["growth_pct"]
    assert growth["group_pair_links"] == pytest.approx(140.0) and growth["intl_works"] == pytest.approx(20.0)
    assert growth["all_pair_links"] == pytest.approx(100 * (24 - 15) / 15)
    assert len(atlas.group("CN", "test", ["2019", "2020"], members=frozenset({"PK", "RU"}), source="pairs",
                           top=1).partners) == 1
    # loading again replaces those years: nothing doubles
    atlas.ingest_country_pairs(path)
    assert atlas.trend("CN", "US", source="pairs")["joint_works"].tolist() == [10, 12]
    with pytest.raises(CountingError, match="country level only"):
        atlas.partners("I1", level="institution", source="pairs")


def test_without_aggregates_the_error_says_how_to_load_them():
    with pytest.raises(CountingError, match="ingest-pairs"):
        collabatlas.open(":memory:").partners("CN", source="pairs")


def test_real_openalex_country_pairs(shared_data):
    path = shared_data / "country_pairs" / "openalex_country_coauthorship_pairs_1990_2023.csv.gz"
    with gzip.open(path, "rt") as fh:  # an independent reading of the file
        rows = [r for r in csv.DictReader(fh) if r["year"] == "2020" and r["country_a"] == "CN"]
    expected_us = next(int(r["works"]) for r in rows if r["country_b"] == "US")
    expected_links = sum(int(r["works"]) for r in rows if r["country_b"] != "CN")
    atlas = collabatlas.open(":memory:")
    report = atlas.ingest_country_pairs(path)
    assert report.rows_read == 538_297 and report.skipped == {}
    partners = atlas.partners("CN", source="pairs", years=2020).set_index("partner")
    assert partners.loc["US", "joint_works"] == expected_us
    assert partners["joint_works"].sum() == expected_links
    assert partners.index[0] == "US"


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.sampled_from([2020, 2021]),
                          st.sets(st.sampled_from(["JP", "US", "CN", "DE", "PK"]), min_size=2, max_size=5)),
                min_size=1, max_size=25),
       st.sets(st.sampled_from(["US", "CN", "DE", "PK"]), min_size=1))
def test_pair_bounds_hold_the_distinct_group_works(works, members):
    """Pair counts built from internationally co-authored works (full counting, both directions, the
    diagonal each country's international works): JP's distinct works with the group lie between
    group_works_min and group_works_max, and intl_works is exactly its international works."""
    import duckdb

    from collabatlas.store import country_pairs

    counts: dict = {}
    for year, countries in works:
        for a in countries:
            for b in countries:
                counts[(year, a, b)] = counts.get((year, a, b), 0) + 1
    con = duckdb.connect()
    con.execute("CREATE TABLE country_pair_works (year INTEGER, country_a VARCHAR, country_b VARCHAR, works BIGINT)")
    con.executemany("INSERT INTO country_pair_works VALUES (?, ?, ?, ?)", [(*k, v) for k, v in counts.items()])
    row = country_pairs.group(con, "JP", frozenset(members), ["2020-2021"]).iloc[0]
    mine = [c for _, c in works if "JP" in c]
    exact = sum(bool(c & members) for c in mine)
    assert row["intl_works"] == len(mine)
    assert row["group_works_min"] <= exact <= row["group_works_max"] <= row["group_pair_links"]
    assert row["group_works_max"] <= row["intl_works"]
    totals = country_pairs.totals(con).set_index("unit")
    assert "intl_share_max" not in totals.columns and "count" not in totals.columns
    if mine:
        assert totals.loc["JP", "intl_works"] == len(mine)
        assert totals.loc["JP", "partner_links"] >= totals.loc["JP", "intl_works"]
