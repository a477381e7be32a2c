"""Result tables: a stable ranking order and the % change between two periods.

The numbers and the order are SQL (:mod:`collabatlas.counting.changes`), run here on the result
table itself (:func:`on_frame`): the same statements whatever engine produced the table.
"""

from __future__ import annotations

import threading

import duckdb
import pandas as pd

from collabatlas.counting import changes
from collabatlas.counting import rules as counting

_local = threading.local()


def _connection() -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB connection of this thread (opening one costs ~0.1 s; a connection is not
    shared between threads, e.g. the API's workers)."""
    con = getattr(_local, "con", None)
    if con is None:
        con = _local.con = duckdb.connect()
    return con


def on_frame(df: pd.DataFrame, sql: str, params: dict | None = None) -> pd.DataFrame:
    """Run ``sql`` on ``df`` registered as table ``t`` (with ``_row``, the position of each row)."""
    con = _connection()
    con.register("t", df.reset_index(drop=True).assign(_row=range(len(df))))
    try:
        return con.execute(sql, params or {}).df()
    finally:
        con.unregister("t")


def ranked(df: pd.DataFrame, value: str, keys: list[str], groups: list[str] | None = None,
           digits: int | None = changes.RANK_DIGITS) -> pd.DataFrame:
    """Sort by ``groups`` ascending, then ``value`` descending, then ``keys`` ascending. Values are
    compared at 1e-9 so that sums differing only by floating-point summation order tie, and ties
    are broken by the keys: the same data gives the same order whatever the store's history.
    ``digits=None`` compares the values exactly. The order is
    :func:`collabatlas.counting.changes.ranked_sql`; the columns are kept as they are."""
    columns = list(dict.fromkeys([*(groups or []), value, *keys]))
    order = on_frame(df[columns], changes.ranked_sql(value, keys, groups, digits))
    return df.iloc[order["_row"].to_numpy()].reset_index(drop=True)


def rank(df: pd.DataFrame, value: str, groups: list[str] | None = None) -> pd.Series:
    """The rank of each row of ``df`` by ``value`` descending (within ``groups``), tied values sharing
    a rank (1, 2, 2, 4), aligned with ``df``'s rows: :func:`collabatlas.counting.changes.ranked_sql`."""
    columns = list(dict.fromkeys([*(groups or []), value]))
    order = on_frame(df[columns], changes.ranked_sql(value, [], groups))
    return pd.Series(order.sort_values("_row")["rank"].to_numpy(dtype="int64"), index=df.index, name="rank")


def with_change(df: pd.DataFrame, value: str = "cs", period: str = "period",
                column: str = "change_pct") -> pd.DataFrame:
    """``df`` (one row per period) with ``column``: the change of ``value`` from the previous period, %
    (:func:`collabatlas.counting.changes.change_pct_sql`; NULL → NaN where the previous value is 0)."""
    out = df.copy()
    if out.empty:
        out[column] = pd.Series(dtype=float)
        return out
    change = on_frame(df[[period, value]], changes.change_pct_sql(value, period, column))
    out[column] = pd.Series(change.sort_values("_row")[column].to_numpy(dtype=float), index=out.index)
    return out


def with_growth(df: pd.DataFrame, first: str, last: str, column: str = "growth_pct") -> pd.DataFrame:
    """``df`` with ``column``: the growth from column ``first`` to column ``last``, % (None where
    ``first`` is 0): :func:`collabatlas.counting.changes.growth_pct_sql`."""
    out = df.copy()
    if out.empty:
        out[column] = pd.Series(dtype=object)
        return out
    growth = on_frame(df[list(dict.fromkeys([first, last]))], changes.growth_pct_sql(first, last, column))
    values = [None if pd.isna(v) else float(v) for v in growth[column]]  # None from 0, as the tables say
    out[column] = pd.Series(values, index=out.index)
    return out


def with_small_n(df: pd.DataFrame, threshold: int, first_n: str = "n_first", last_n: str = "n_last",
                 column: str = "small_n") -> pd.DataFrame:
    """``df`` with ``column``: true where fewer than ``threshold`` works stand behind the value at either
    end (``first_n``, ``last_n``): :func:`collabatlas.counting.changes.small_n_sql`."""
    out = df.copy()
    if out.empty:
        out[column] = pd.Series(dtype=bool)
        return out
    flags = on_frame(df[[first_n, last_n]], changes.small_n_sql(first_n, last_n, column), {"threshold": int(threshold)})
    out[column] = pd.Series(flags.sort_values("_row")[column].to_numpy(dtype=bool), index=out.index)
    return out


def with_part_pct(df: pd.DataFrame, parts: list[str], total: str, prefix: str = "pct_") -> pd.DataFrame:
    """``df`` with ``<prefix><part>`` = 100 · part / ``total`` for each of ``parts`` (NaN where the
    total is 0): :func:`collabatlas.counting.changes.part_pct_sql`."""
    out = df.copy()
    if out.empty:
        for p in parts:
            out[prefix + p] = pd.Series(dtype=float)
        return out
    pct = on_frame(df[list(dict.fromkeys([*parts, total]))], changes.part_pct_sql(parts, total, prefix))
    for p in parts:
        out[prefix + p] = pd.Series(pct[prefix + p].to_numpy(dtype=float), index=out.index)
    return out


def period_change(df: pd.DataFrame, first, last, value: str = "cs", n: str | None = None,
                  period: str = "period") -> dict:
    """The change of ``value`` from period ``first`` to ``last`` with the works behind it at each end:
    ``{"first", "last", "change_pct" (None from 0), "n_first", "n_last", "small_n"}`` — ``n`` the column of
    the works (default: a trend's ``joint_count``, else the value itself, which then counts works: the pair
    table's joint works), ``small_n`` true below
    :func:`collabatlas.settings.small_n`. The CLI's ``trend --compare`` and the API's ``compare`` both say
    it (:func:`collabatlas.counting.changes.period_change_sql`)."""
    from collabatlas import settings

    n = n or ("joint_count" if "joint_count" in df.columns else value)
    sql, column = changes.period_change_sql(value, period, n)
    row = on_frame(df[list(dict.fromkeys([period, value, n]))], sql,
                   {"first": first, "last": last, "threshold": settings.small_n()}).iloc[0]
    if not (row["first_found"] and row["last_found"]):
        raise counting.CountingError(f"periods {first} and {last}: not both in {list(df[period])}")
    return {"first": first, "last": last, "change_pct": None if pd.isna(row[column]) else float(row[column]),
            "n_first": int(row["n_first"]), "n_last": int(row["n_last"]), "small_n": bool(row["small_n"])}


def percent_change(df: pd.DataFrame, first, last, value: str = "cs", period: str = "period") -> float | None:
    """Change of ``value`` from period ``first`` to period ``last`` in %, ``None`` when it starts at 0
    (:func:`collabatlas.counting.changes.period_change_sql`)."""
    sql, column = changes.period_change_sql(value, period)
    row = on_frame(df[[period, value]], sql, {"first": first, "last": last}).iloc[0]
    if not (row["first_found"] and row["last_found"]):
        raise counting.CountingError(f"periods {first} and {last}: not both in {list(df[period])}")
    return None if pd.isna(row[column]) else float(row[column])
