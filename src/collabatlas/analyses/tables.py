"""Result tables: a stable ranking order and the % change between two periods."""

from __future__ import annotations

import pandas as pd

from collabatlas.counting import rules as counting


def ranked(df: pd.DataFrame, value: str, keys: list[str], groups: list[str] | None = None) -> pd.DataFrame:
    """Sort by ``groups`` ascending, then ``value`` descending, then ``keys`` ascending. Values are
    compared at 1e-9 so that sums differing only by floating-point summation order tie, and ties
    are broken by the keys: the same data gives the same order whatever the store's history."""
    groups = groups or []
    order = df.assign(_rank=df[value].round(9)).sort_values(
        groups + ["_rank", *keys], ascending=[True] * len(groups) + [False] + [True] * len(keys))
    return order.drop(columns="_rank").reset_index(drop=True)


def percent_change(df: pd.DataFrame, first, last, value: str = "cs", period: str = "period") -> float | None:
    """Change of ``value`` from period ``first`` to period ``last`` in %, ``None`` when it starts at 0."""
    values = df.set_index(period)[value]
    start, end = values.get(first), values.get(last)
    if start is None or end is None:
        raise counting.CountingError(f"periods {first} and {last}: not both in {list(values.index)}")
    return None if start == 0 else 100 * (end - start) / start
