"""Normalised collaboration indices of unit pairs, on full counts, as SQL on top of the counting rules.
See docs/methodology.md, "Pair indices".

For a level and scope (the works the filters select): N_x = works with Share_x > 0 (the unit's
Count), N_xy = works where both are > 0 (``joint_count``), T = works with at least one unit of the
level with Share > 0. With x = ``unit_a`` and y = ``unit_b`` of the row:

- ``salton`` = N_xy / √(N_x·N_y) (Salton's cosine);
- ``jaccard`` = N_xy / (N_x + N_y − N_xy);
- ``association`` = N_xy·T / (N_x·N_y) (association strength, observed / expected: van Eck & Waltman
  2009; the probabilistic affinity index of Zitt et al. 2000);
- ``ric`` = (N_xy / N_x) / ((N_y − N_xy) / (T − N_x)), the relative intensity of collaboration of x
  with y (Fuchs, Sivertsen & Rousseau 2021), and ``ric_ba`` the other direction (RIC is asymmetric).

A division by zero gives NULL (empty), never infinity.
"""

from __future__ import annotations

from collabatlas.counting.rules import Counting, CountingError, pairs_sql, scores_sql, unit_shares_sql

INDICES = ("salton", "jaccard", "association", "ric", "ric_ba")
#: the indices that need T (all works of the scope); every index needs the units' own output N_x
NEEDS_TOTAL = ("association", "ric", "ric_ba")

_NX, _NY, _NXY, _T = "CAST(na.count AS DOUBLE)", "CAST(nb.count AS DOUBLE)", "CAST(r.joint_count AS DOUBLE)", \
    "CAST(t.t AS DOUBLE)"

#: index → SQL over the pair row ``r`` (joint_count), the unit counts ``na`` / ``nb`` and the total ``t``
EXPRESSIONS = {
    "salton": f"{_NXY} / nullif(sqrt({_NX} * {_NY}), 0)",
    "jaccard": f"{_NXY} / nullif({_NX} + {_NY} - {_NXY}, 0)",
    "association": f"{_NXY} * {_T} / nullif({_NX} * {_NY}, 0)",
    "ric": f"({_NXY} / nullif({_NX}, 0)) / nullif(({_NY} - {_NXY}) / nullif({_T} - {_NX}, 0), 0)",
    "ric_ba": f"({_NXY} / nullif({_NY}, 0)) / nullif(({_NX} - {_NXY}) / nullif({_T} - {_NY}, 0), 0)",
}


def parse_indices(value) -> tuple[str, ...]:
    """``"salton,jaccard"`` or a list → the indices in :data:`INDICES` order; an unknown name is an error."""
    if value is None:
        return ()
    names = [v.strip().lower() for v in (value.split(",") if isinstance(value, str) else value)]
    names = [n for n in names if n]
    unknown = [n for n in names if n not in INDICES]
    if unknown:
        raise CountingError(f"index {', '.join(map(repr, unknown))}: expected one of {', '.join(INDICES)}")
    return tuple(n for n in INDICES if n in names)


def total_works_sql(c: Counting, by_year: bool = False) -> tuple[str, dict]:
    """[year,] t: T, the works with at least one unit of the level (Share > 0) under ``c``."""
    prefix, params = unit_shares_sql(c)
    if by_year:
        return f"{prefix} SELECT year, count(DISTINCT wkey) AS t FROM wu GROUP BY year", params
    return f"{prefix} SELECT count(DISTINCT wkey) AS t FROM wu", params


def pair_indices_sql(c: Counting, indices: tuple[str, ...] = INDICES, by_year: bool = False) -> tuple[str, dict]:
    """The :func:`pairs_sql` rows (unit_a, unit_b[, year], joint_count, cs[, name_a, name_b]) with
    n_a, n_b, t and one column per index of ``indices``."""
    unknown = [i for i in indices if i not in EXPRESSIONS]
    if unknown:
        raise CountingError(f"index {', '.join(map(repr, unknown))}: expected one of {', '.join(INDICES)}")
    pairs, p1 = pairs_sql(c, by_year=by_year)
    counts, p2 = scores_sql(c, by_year=by_year)
    total, p3 = total_works_sql(c, by_year=by_year)
    year = " AND {a}.year = r.year" if by_year else ""
    columns = ", ".join(f"{EXPRESSIONS[i]} AS {i}" for i in indices)
    sql = (f"SELECT r.*, na.count AS n_a, nb.count AS n_b, t.t{', ' if columns else ''}{columns} "
           f"FROM ({pairs}) r JOIN ({counts}) na ON na.unit = r.unit_a{year.format(a='na')} "
           f"JOIN ({counts}) nb ON nb.unit = r.unit_b{year.format(a='nb')} "
           f"JOIN ({total}) t ON {'t.year = r.year' if by_year else 'TRUE'}")
    return sql, {**p1, **p2, **p3}


def pair_work_rows_sql(c: Counting) -> tuple[str, dict]:
    """wkey, unit_a, unit_b: one row per joint work of each pair (unit keys, ``unit_a < unit_b`` by
    key), for the bootstrap of the indices."""
    prefix, params = unit_shares_sql(c)
    return (f"{prefix} SELECT a.wkey, a.unit AS unit_a, b.unit AS unit_b FROM wu a "
            f"JOIN wu b ON a.wkey = b.wkey AND a.unit < b.unit"), params


def unit_work_rows_sql(c: Counting) -> tuple[str, dict]:
    """wkey, unit: one row per work and unit with Share > 0 (unit keys), for the bootstrap."""
    prefix, params = unit_shares_sql(c)
    return f"{prefix} SELECT wkey, unit FROM wu", params
