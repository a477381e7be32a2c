"""The partner-aggregate delta of incremental maintenance (counting.rules.aggregate_partners_delta_sql):
new minus old per (unit, partner, year), both ways round, in one signed pass — against a hand-computed
oracle and against the two aggregates built and subtracted."""

from __future__ import annotations

import duckdb
import pytest

from collabatlas.counting import rules

COLUMNS = "wkey BIGINT, year INTEGER, unit BIGINT, share DOUBLE, k BIGINT"
OLD = [(1, 2020, 10, 0.5, 2), (1, 2020, 20, 0.5, 2),  # work 1, replaced below (partner 20 -> 30)
       (2, 2021, 10, 0.25, 2), (2, 2021, 30, 0.75, 2),  # work 2, removed
       (5, 2022, 40, 0.5, 2), (5, 2022, 50, 0.5, 2)]  # work 5, the same in both: its pair nets out at 0
NEW = [(1, 2020, 10, 0.5, 2), (1, 2020, 30, 0.5, 2),
       (3, 2021, 20, 0.4, 2), (3, 2021, 30, 0.6, 2),  # work 3, new
       (4, 2021, 10, 0.5, rules.MAX_PAIR_UNITS + 1), (4, 2021, 20, 0.5, rules.MAX_PAIR_UNITS + 1),  # over the cap
       (5, 2022, 40, 0.5, 2), (5, 2022, 50, 0.5, 2)]


@pytest.fixture
def con():
    con = duckdb.connect()
    for name, rows in (("inc_old", OLD), ("inc_new", NEW)):
        con.execute(f"CREATE TABLE {name} ({COLUMNS})")
        con.executemany(f"INSERT INTO {name} VALUES (?, ?, ?, ?, ?)", rows)
    yield con
    con.close()


def _rows(con, sql):
    return {(u, p, y): (n, round(a, 12), round(b, 12))
            for u, p, y, n, a, b in con.execute(f"SELECT unit, partner, year, joint_count, own_share, partner_share "
                                                f"FROM ({sql})").fetchall()}


def test_the_delta_is_new_minus_old_per_key_both_ways(con):
    got = _rows(con, rules.aggregate_partners_delta_sql("inc_new", "inc_old"))
    assert got == {
        (10, 20, 2020): (-1, -0.5, -0.5), (20, 10, 2020): (-1, -0.5, -0.5),  # work 1's old pair
        (10, 30, 2021): (-1, -0.25, -0.75), (30, 10, 2021): (-1, -0.75, -0.25),  # work 2 removed
        (10, 30, 2020): (1, 0.5, 0.5), (30, 10, 2020): (1, 0.5, 0.5),  # work 1's new pair
        (20, 30, 2021): (1, 0.4, 0.6), (30, 20, 2021): (1, 0.6, 0.4),  # work 3 new; work 4 over the cap: none
        (40, 50, 2022): (0, 0.0, 0.0), (50, 40, 2022): (0, 0.0, 0.0),  # work 5 unchanged: kept at 0
    }


def test_the_delta_equals_both_aggregates_subtracted(con):
    new = _rows(con, rules.aggregate_partners_sql("institution", "inc_new", ordered=False))
    old = _rows(con, rules.aggregate_partners_sql("institution", "inc_old"))
    expected = {key: tuple(round(a - b, 12) for a, b in zip(new.get(key, (0, 0.0, 0.0)), old.get(key, (0, 0.0, 0.0)),
                                                             strict=True))
                for key in new.keys() | old.keys()}
    got = _rows(con, rules.aggregate_partners_delta_sql("inc_new", "inc_old"))
    assert got == expected


def test_the_saved_aggregates_stay_ordered_unless_asked_not_to(con):
    assert rules.aggregate_partners_sql("institution", "inc_new").rstrip().endswith("ORDER BY unit, partner, year")
    assert "ORDER BY" not in rules.aggregate_partners_sql("institution", "inc_new", ordered=False)
    assert rules.aggregate_units_sql("country", "inc_new").endswith("ORDER BY unit, year")
    assert "ORDER BY" not in rules.aggregate_units_sql("country", "inc_new", ordered=False)
