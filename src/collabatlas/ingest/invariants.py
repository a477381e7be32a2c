"""The counting's invariants, checked by ``collabatlas verify`` on the saved unit shares of each level:

- **Σ Share per work ≤ 1**: a work's Share is split among its units (strict counting drops the
  unattributed part, never adds to it), so the Shares of one work sum to at most 1;
- **total CS = Σ pair CS**: a unit's total collaboration score (:func:`~collabatlas.counting.rules.totals_sql`)
  equals the sum of the bilateral scores of its pairs (:func:`~collabatlas.counting.rules.pairs_sql`):
  the two published statements, composed in SQL, must agree — over the works within the pair cap
  (:data:`~collabatlas.counting.rules.MAX_PAIR_UNITS`), as the pair figures count them.

Each check is a :class:`~collabatlas.ingest.maintenance.Difference` named ``invariant: …``: the units
(or works) checked, and how many break it (0: holds), with examples.
"""

from __future__ import annotations

import duckdb

from collabatlas.counting import rules as counting
from collabatlas.counting.rules import Counting
from collabatlas.ingest.maintenance import TOLERANCE, Difference


def _check(con: duckdb.DuckDBPyConnection, name: str, rows_sql: str, bad_sql: str, params: dict,
           examples: int = 5) -> Difference:
    checked = con.execute(f"SELECT count(*) FROM ({rows_sql})", params).fetchone()[0]
    bad = con.execute(f"SELECT count(*) FROM ({bad_sql})", params).fetchone()[0]
    shown = []
    if bad:
        shown = con.execute(f"SELECT * FROM ({bad_sql}) LIMIT {int(examples)}", params).df().to_dict("records")
    return Difference(name, checked, checked, bad, shown)


def check(con: duckdb.DuckDBPyConnection, levels: tuple[str, ...]) -> list[Difference]:
    """The invariants of the module docstring on ``unit_shares_<level>`` of each level."""
    out = []
    for level in levels:
        table = f"unit_shares_{level}"
        per_work = f"SELECT wkey, sum(share) AS share_sum FROM {table} GROUP BY wkey"
        out.append(_check(con, f"invariant: sum of Share per work <= 1 ({level})", per_work,
                          f"SELECT * FROM ({per_work}) WHERE share_sum > 1 + {TOLERANCE}", {}))
        # the works the pair figures count: a work over the pair cap is in the totals only
        c = Counting(level=level, source=f"(SELECT * FROM {table} WHERE k <= {counting.MAX_PAIR_UNITS})")
        totals, params = counting.totals_sql(c)
        pairs, pair_params = counting.pairs_sql(c)
        compared = f"""
            SELECT t.unit, t.cs_total, coalesce(s.cs, 0) AS sum_pair_cs
            FROM ({totals}) t LEFT JOIN (
                SELECT unit, sum(cs) AS cs FROM (SELECT unit_a AS unit, cs FROM ({pairs}) p
                                                 UNION ALL SELECT unit_b, cs FROM ({pairs}) q) GROUP BY unit) s
            ON s.unit = t.unit"""
        out.append(_check(con, f"invariant: total CS = sum of pair CS ({level})", compared,
                          f"SELECT * FROM ({compared}) WHERE abs(cs_total - sum_pair_cs) > "
                          f"{TOLERANCE} * greatest(1, abs(cs_total))", {**params, **pair_params}))
    return out
