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


# -- fair comparisons: two periods of the same length ------------------------------------------------

def period_months(text: str) -> int:
    """The length of a period in months: ``2015`` → 12, ``2015-2018`` → 48, a window
    ``2022-08-01..2023-07-31`` → 12 (whole months it touches)."""
    from collabatlas.counting.filters import parse_window, parse_years

    text = str(text).strip()
    if ".." in text and "-" in text.split("..")[0][4:]:
        start, end = parse_window(text)
        return (end.year - start.year) * 12 + end.month - start.month + 1
    first, last = parse_years(text)
    return 12 * (last - first + 1)


def check_same_length(periods: list[str], what: str = "--periods") -> None:
    """Refuse two periods of unequal length: their sums are not comparable (a 5-year period against a
    4-year one shows a spurious decline); compare periods of the same length instead."""
    from collabatlas.counting.rules import CountingError

    lengths = [period_months(p) for p in periods]
    if len(set(lengths)) > 1:
        said = ", ".join(f"{p} ({n // 12} years)" if n % 12 == 0 else f"{p} ({n} months)"
                         for p, n in zip(periods, lengths, strict=True))
        raise CountingError(f"{what}: {said} differ in length, so their totals are not comparable; give periods "
                            "of the same length, e.g. 2015-2017,2019-2021")


def equal_halves(first: int, last: int) -> tuple[list[str], str | None]:
    """The two periods of the same length that a span's comparison uses by default: its first and
    last ⌊n/2⌋ years; with an odd number of years the middle year is left out (said in the note)."""
    half = (last - first + 1) // 2

    def label(a: int, b: int) -> str:
        return str(a) if a == b else f"{a}-{b}"

    periods = [label(first, first + half - 1), label(last - half + 1, last)]
    middle = first + half if (last - first + 1) % 2 else None
    note = (f"{middle} is left out: the two periods are of the same length ({half} years each), so their "
            "totals compare" if middle is not None else None)
    return periods, note
