"""Changes and ranks as SQL: change %, growth %, part % and the ranking order of a result table.

Like :mod:`.derived`, each function returns SQL text (no I/O); the statements read a table ``t``
(a result table the caller registers, e.g. :func:`collabatlas.analyses.tables.on_frame`). The
arithmetic is that of the numbers shown so far: ``100 * (last - first) / first`` in double
precision, NULL where the base is 0 or missing.

- :func:`change_pct_sql` — each row represents a period of a series: its value and its change from
  the previous period, % (``lag() OVER``);
- :func:`growth_pct_sql` — each row represents a row of ``t`` (a measure, a partner): the growth from
  its first to its last column, %;
- :func:`period_change_sql` — the one row of the change between two named periods of a series;
- :func:`part_pct_sql` — each row represents a row of ``t``: a count as % of a total column;
- :func:`small_n_sql` — each row represents a row of ``t``: whether the n at either end of its change is
  below ``$threshold`` (a growth that says little);
- :func:`ranked_sql` — each row represents a row of ``t``, in ranking order, with its ``rank``
  (``rank() OVER``: tied values share a rank).
"""

from __future__ import annotations

#: values closer than this tie in a ranking (sums differing only by summation order are equal)
RANK_DIGITS = 9


def _q(name: str) -> str:
    """A column name quoted as a SQL identifier."""
    return '"' + str(name).replace('"', '""') + '"'


def change_expr(first: str, last: str) -> str:
    """The SQL expression of the change from ``first`` to ``last``, %: NULL when ``first`` is 0,
    negative or NULL (a change from nothing is undefined)."""
    return (f"CASE WHEN {first} > 0 THEN 100 * (CAST({last} AS DOUBLE) - {first}) / {first} END")


def growth_expr(first: str, last: str) -> str:
    """As :func:`change_expr`, but a negative base is kept (a growth from −2 is computed): NULL only
    when ``first`` is 0 or NULL."""
    return f"100 * (CAST({last} AS DOUBLE) - {first}) / nullif({first}, 0)"


def change_pct_sql(value: str = "cs", period: str = "period", column: str = "change_pct",
                   source: str = "t") -> str:
    """Each row represents a period of ``source`` (table ``t`` or a parenthesised statement): every
    column and ``column``, the change of ``value`` from the previous period (by ``period`` order), %
    — NULL for the first period and where the previous value is 0."""
    previous = f"lag({_q(value)}) OVER (ORDER BY {_q(period)})"
    return (f"SELECT t.*, {change_expr(previous, _q(value))} AS {_q(column)} "
            f"FROM {source} t ORDER BY {_q(period)}")


def growth_pct_sql(first: str, last: str, column: str = "growth_pct") -> str:
    """Each row represents a row of ``t`` (in its order, by ``_row``): every column and ``column``,
    the growth from column ``first`` to column ``last``, % — NULL when ``first`` is 0 or NULL."""
    return (f"SELECT t.*, {growth_expr(_q(first), _q(last))} AS {_q(column)} FROM t ORDER BY _row")


def small_n_sql(first_n: str = "n_first", last_n: str = "n_last", column: str = "small_n") -> str:
    """Each row represents a row of ``t`` (in its order, by ``_row``): every column and ``column``, true
    when the smaller of ``first_n`` and ``last_n`` (the works behind the value at each end) is below
    ``$threshold``."""
    return (f"SELECT t.*, coalesce(least({_q(first_n)}, {_q(last_n)}) < $threshold, true) AS {_q(column)} "
            f"FROM t ORDER BY _row")


def period_change_sql(value: str = "cs", period: str = "period", n: str | None = None) -> tuple[str, str]:
    """The change of ``value`` between the periods ``$first`` and ``$last`` of ``t``, %: one row
    ``first_found, last_found, change_pct`` (NULL when the value starts at 0). The caller refuses
    periods that are not both found. ``n``: also ``n_first``, ``n_last`` (that column at each end: the
    works behind the value) and ``small_n``, true when either is below ``$threshold``."""
    v, p = _q(value), _q(period)
    start = f"(SELECT any_value({v}) FROM t WHERE {p} = $first)"
    end = f"(SELECT any_value({v}) FROM t WHERE {p} = $last)"
    counts = ""
    if n is not None:
        n_first = f"(SELECT any_value({_q(n)}) FROM t WHERE {p} = $first)"
        n_last = f"(SELECT any_value({_q(n)}) FROM t WHERE {p} = $last)"
        counts = (f", CAST({n_first} AS BIGINT) AS n_first, CAST({n_last} AS BIGINT) AS n_last, "
                  f"coalesce(least({n_first}, {n_last}) < $threshold, true) AS small_n")
    return (f"SELECT (SELECT count(*) FROM t WHERE {p} = $first) > 0 AS first_found, "
            f"(SELECT count(*) FROM t WHERE {p} = $last) > 0 AS last_found, "
            f"{growth_expr(start, end)} AS change_pct{counts}"), "change_pct"


def part_pct_sql(parts: list[str], total: str, prefix: str = "pct_") -> str:
    """Each row represents a row of ``t`` (in its order, by ``_row``): every column and, for each
    column of ``parts``, ``<prefix><part>`` = 100 · part / ``total`` (NULL where the total is 0)."""
    pct = ", ".join(f"100 * CAST({_q(p)} AS DOUBLE) / CASE WHEN {_q(total)} > 0 THEN {_q(total)} END "
                    f"AS {_q(prefix + p)}" for p in parts)
    return f"SELECT t.*, {pct} FROM t ORDER BY _row"


def ranked_sql(value: str, keys: list[str], groups: list[str] | None = None, digits: int | None = RANK_DIGITS) -> str:
    """Each row represents a row of ``t`` (``_row``: its position there), in ranking order: by
    ``groups`` ascending, then ``value`` descending (rounded half-to-even at 1e-9, missing values last), then
    ``keys`` ascending, then its position. ``rank`` (``rank() OVER``, within the groups): tied values
    share a rank, the next rank skips (1, 2, 2, 4). ``digits=None``: the values compared exactly."""
    groups = groups or []
    # half to even, as the tables were ordered
    rounded = _q(value) if digits is None else f"round_even({_q(value)}, {int(digits)})"
    partition = f"PARTITION BY {', '.join(_q(g) for g in groups)} " if groups else ""
    order = ", ".join([*(f"{_q(g)} ASC NULLS LAST" for g in groups), f"{rounded} DESC NULLS LAST",
                       *(f"{_q(k)} ASC NULLS LAST" for k in keys), "_row ASC"])
    return (f"SELECT _row, rank() OVER ({partition}ORDER BY {rounded} DESC NULLS LAST) AS rank "
            f"FROM t ORDER BY {order}")
