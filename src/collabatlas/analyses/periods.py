"""The bounds of a period: a 12-month window is named by the year it ends in (the window ending in
July 2023 is period 2023) and labelled with its first and last day, so that it is never mistaken for
the calendar year: ``period_start`` 2022-08-01, ``period_end`` 2023-07-31, label ``2022-08..2023-07``."""

from __future__ import annotations

import calendar
import datetime as dt

import pandas as pd


def window_bounds(period: int, end_month: int) -> tuple[dt.date, dt.date]:
    """First and last day of the 12-month window that ends with month ``end_month`` of year ``period``."""
    end = dt.date(int(period), int(end_month), calendar.monthrange(int(period), int(end_month))[1])
    start = dt.date(int(period), int(end_month) + 1, 1) if end_month < 12 else dt.date(int(period), 1, 1)
    return (start.replace(year=int(period) - 1) if end_month < 12 else start), end


def window_label(period: int, end_month: int) -> str:
    """``2022-08..2023-07``: the months a window covers."""
    start, end = window_bounds(period, end_month)
    return f"{start:%Y-%m}..{end:%Y-%m}"


def with_bounds(df: pd.DataFrame, window_end_month: int | None, period: str = "period") -> pd.DataFrame:
    """``df`` with ``period_start`` and ``period_end`` (ISO dates, text) right after ``period`` when the
    periods are 12-month windows ending with ``window_end_month``; unchanged for calendar years."""
    if window_end_month is None or period not in df.columns:
        return df
    bounds = [window_bounds(p, window_end_month) for p in df[period]]
    out = df.copy()
    at = list(out.columns).index(period) + 1
    out.insert(at, "period_start", pd.Series([b[0].isoformat() for b in bounds], index=out.index, dtype=object))
    out.insert(at + 1, "period_end", pd.Series([b[1].isoformat() for b in bounds], index=out.index, dtype=object))
    out.attrs = dict(df.attrs)
    return out
