"""The landscape over pooled years, its curved fits and its result object.

- **Pooled years** (:func:`country_years`): the one-year table of
  :func:`collabatlas.analyses.landscape.landscape_table` for every year of a range, stacked: one point
  per country-year (each indicator by the nearest-year rule of that year). ``per="country-mean"``
  (:func:`country_means`): one point per country, the mean of its country-years' shares and indicator
  values (SQL: :func:`collabatlas.counting.landscape_pool.country_means_sql`; each country-year weighs
  1); ``log_gerd`` / ``log_gerd_ppp`` are then log10 of the mean GERD, so that the point sits where its
  GERD is drawn; the income group is that of the country's latest year that has one.
- **Fits** (:func:`curve_fit`): ``linear`` is the OLS of :func:`collabatlas.analyses.landscape.fit`
  (coefficients, intervals, p-values); ``quadratic`` is a least-squares parabola
  (``numpy.polyfit``, degree 2: terms ``intercept``, x and ``x^2``, with R²; no intervals);
  ``loess`` is a local linear regression (:func:`loess`) with no coefficients: its row keeps ``n``,
  the R² of its fitted values and a note with its parameters. Curved fits take one regressor. A
  group is fitted as for OLS (at least ``min_n`` countries or points, enough distinct x values).
- **LOESS** (Cleveland 1979, without robustness iterations): at each x0, the ``q = ceil(span·n)``
  points nearest x0 (at least 3) are weighted by the tricube ``(1 − (d/h)³)³``, h = the distance of
  the q-th nearest point (times ``span`` when span > 1), and a straight line is fitted to them by
  weighted least squares; its value at x0 is the curve. Default span 0.75, degree 1. Deterministic:
  no random start, ties in distance taken in sorted order. The drawn curve joins the fitted values at
  the observed x values (as ``lowess`` reports them), so it never extrapolates a local line across a
  gap in the data.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import ClassVar

import numpy as np
import pandas as pd

from collabatlas.analyses import landscape as ls
from collabatlas.counting.landscape_pool import country_means_sql

FITS = ("linear", "quadratic", "loess")
PER = ("country-year", "country-mean")
SPAN = 0.75
GRID = 50


# ---------------------------------------------------------------------------------------------
# pooled points


def country_years(collab: pd.DataFrame, years, indicators: pd.DataFrame, **table_options) -> pd.DataFrame:
    """One row per country-year of ``collab`` in ``years`` (an iterable of years): the one-year tables
    stacked (their ``x_notes`` merged into ``attrs``)."""
    frames, notes = [], {}
    for year in sorted({int(y) for y in years}):
        if not (collab["year"] == year).any():
            continue
        table = ls.landscape_table(collab, year, indicators, **table_options)
        for k, v in (table.attrs.get("x_notes") or {}).items():
            notes.setdefault(k, v)
        frames.append(table)
    if not frames:
        out = ls.landscape_table(collab.iloc[0:0], int(min(years)), indicators, **table_options)
    else:
        out = pd.concat(frames, ignore_index=True).sort_values(["country", "year"], ignore_index=True)
    out.attrs["x_notes"] = notes if len(out) and notes else {}
    return out


def country_means(points: pd.DataFrame) -> pd.DataFrame:
    """One row per country: the mean of its country-years (:func:`country_means_sql`); ``log_gerd`` and
    ``log_gerd_ppp`` are log10 of the mean GERD; ``income_group`` that of the latest year with one."""
    import duckdb

    means = [c for c in ("gerd_pct_gdp", "gerd_ppp_musd", "trust_pct", "mncs_international", "mncs_national")
             if c in points.columns]
    others = [c for c in ls.INDICATORS if c in points.columns and c not in means]
    means += others
    frame = points[["country", "year", "works", "intl_works", "intl_share", *means]].copy()
    for col in means:
        frame[col] = frame[col].astype(float)
    con = duckdb.connect()
    try:
        con.register("points", frame)
        out = con.execute(country_means_sql(means)).df()
    finally:
        con.close()
    for col in ("n_years", "first_year", "last_year", "works", "intl_works"):
        out[col] = out[col].astype("int64")
    for log, col in ls.LOGS.items():
        if col in out.columns:
            gerd = out[col]
            with np.errstate(divide="ignore", invalid="ignore"):
                out[log] = np.where(gerd > 0, np.log10(gerd.where(gerd > 0)), np.nan)
    if "income_group" in points.columns:
        known = points[points["income_group"].notna()].sort_values(["country", "year"])
        latest = known.drop_duplicates("country", keep="last").set_index("country")
        out["income_group"] = out["country"].map(latest["income_group"]).astype("object")
        out["income_group_source"] = out["country"].map(latest["income_group_source"]).astype("object")
    out["years"] = [f"{a}-{b}" if a != b else str(a) for a, b in zip(out["first_year"], out["last_year"], strict=True)]
    out.attrs["x_notes"] = dict(points.attrs.get("x_notes") or {})
    return out


# ---------------------------------------------------------------------------------------------
# LOESS


def loess(x, y, at, span: float = SPAN) -> np.ndarray:
    """The local linear regression of ``y`` on ``x`` evaluated at ``at`` (see the module docstring).

    ``span`` > 0: the fraction of the points in each neighbourhood (at least 3 points)."""
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    at = np.atleast_1d(np.asarray(at, dtype=float))
    if not span > 0:
        raise ValueError(f"loess span {span}: expected a positive number")
    n = len(x)
    if n < 3 or len(np.unique(x)) < 2:
        raise ValueError("loess needs at least 3 points and 2 distinct x values")
    order = np.argsort(x, kind="stable")
    x, y = x[order], y[order]
    q = min(n, max(3, math.ceil(span * n)))
    out = np.empty(len(at))
    for i, x0 in enumerate(at):
        d = np.abs(x - x0)
        h = np.sort(d, kind="stable")[q - 1]
        if span > 1:
            h *= span
        if h <= 0:  # every neighbour at x0: the mean of their y
            out[i] = float(y[d == 0].mean())
            continue
        u = np.clip(d / h, 0.0, 1.0)
        w = (1 - u ** 3) ** 3
        if np.count_nonzero(w) < 2 or len(np.unique(x[w > 0])) < 2:
            out[i] = float(np.average(y, weights=w)) if w.sum() > 0 else float("nan")
            continue
        sw = w.sum()
        mx, my = (w * x).sum() / sw, (w * y).sum() / sw
        sxx = (w * (x - mx) ** 2).sum()
        slope = (w * (x - mx) * (y - my)).sum() / sxx
        out[i] = my + slope * (x0 - mx)
    return out


# ---------------------------------------------------------------------------------------------
# curved fits


def _r2(y: np.ndarray, fitted: np.ndarray) -> float:
    total = float(((y - y.mean()) ** 2).sum())
    return float("nan") if total == 0 else 1 - float(((y - fitted) ** 2).sum()) / total


def _why_not_curve(data: pd.DataFrame, x: str, kind: str, min_n: int, sub: pd.DataFrame, x_notes: dict) -> str | None:
    if len(sub) and sub[x].isna().all():
        return f"skipped: {x} missing for every point ({x_notes.get(x) or f'no point has {x}'})"
    n = len(data)
    if n < min_n:
        return f"skipped: {n} points < min_n={min_n}"
    distinct = data[x].astype(float).nunique()
    if kind == "quadratic" and (n <= 3 or distinct < 3):
        return f"skipped: {n} points ({distinct} distinct x) cannot fit a parabola with a residual"
    if kind == "loess" and (n < 3 or distinct < 2):
        return f"skipped: {n} points ({distinct} distinct x) are too few for loess"
    return None


def curve_fit(table: pd.DataFrame, x: str | list[str] = "log_gerd", kind: str = "linear",
              by: str | None = "income_group", min_n: int = 5, span: float = SPAN) -> pd.DataFrame:
    """The fit ``kind`` (one of :data:`FITS`) of ``intl_share`` on ``x``, overall and per ``by`` group,
    in the tidy form of :func:`collabatlas.analyses.landscape.fit` (``attrs["fit"]`` names the kind)."""
    if kind not in FITS:
        raise ValueError(f"fit {kind!r}: expected one of {', '.join(FITS)}")
    if kind == "linear":
        out = ls.fit(table, x=x, by=by, min_n=min_n)
        out.attrs["fit"] = "linear"
        return out
    xs = ls._xs(x)
    if len(xs) != 1:
        raise ValueError(f"a {kind} fit takes one regressor, got {', '.join(xs)}")
    x = xs[0]
    table = ls._with_log_gerd(table, xs)
    x_notes = table.attrs.get("x_notes") or {}
    rows = []
    for name, sub in ls._groups(table, by):
        data, nonpositive, missing = ls._prepare(sub, xs)
        base = {"group": name, "n": len(data), "n_gerd_nonpositive": nonpositive, "n_missing": missing}
        why = _why_not_curve(data, x, kind, min_n, sub, x_notes)
        if why:
            rows.append({**base, "term": None, "note": why})
            continue
        xv, yv = data[x].to_numpy(float), data[ls.Y].to_numpy(float)
        if kind == "quadratic":
            c2, c1, c0 = np.polyfit(xv, yv, 2)
            r2 = _r2(yv, np.polyval([c2, c1, c0], xv))
            for term, coef in (("intercept", c0), (x, c1), (f"{x}^2", c2)):
                rows.append({**base, "term": term, "coef": float(coef), "r2": r2, "note": "least-squares parabola"})
        else:
            r2 = _r2(yv, loess(xv, yv, xv, span=span))
            rows.append({**base, "term": x, "r2": r2,
                         "note": f"loess: local linear, tricube weights, span {span:g}"})
    out = pd.DataFrame(rows, columns=ls.FIT_COLUMNS)
    out["n"] = out["n"].astype("int64")
    out.attrs.update({"x": xs, "by": by, "y": ls.Y, "min_n": min_n, "fit": kind, "span": span,
                      "notes": [x_notes[x]] if x_notes.get(x) else []})
    return out


def curves(table: pd.DataFrame, fit_result: pd.DataFrame, grid=None) -> pd.DataFrame:
    """The fitted curve of each fitted group of a ``quadratic`` or ``loess`` ``fit_result``, on ``grid``
    (default: 50 points over the group's range; loess: the group's distinct x values): the columns of
    :func:`collabatlas.analyses.landscape.bands`, ``ci_low`` / ``ci_high`` empty (no band)."""
    kind = fit_result.attrs.get("fit")
    xs = list(fit_result.attrs.get("x") or ["log_gerd"])
    x = xs[0]
    by = fit_result.attrs.get("by", "income_group")
    span = float(fit_result.attrs.get("span", SPAN))
    table = ls._with_log_gerd(table, xs)
    fitted = fit_result[fit_result["term"].notna()]
    frames = []
    for name, sub in ls._groups(table, by):
        rows = fitted[fitted["group"] == name]
        if rows.empty:
            continue
        data, _, _ = ls._prepare(sub, xs)
        if grid is not None:
            values = np.asarray(list(grid), dtype=float)
        elif kind == "loess":  # the fitted values at the observed x (as lowess): no curve across a gap
            values = np.unique(data[x].to_numpy(float))
        else:
            values = np.linspace(data[x].min(), data[x].max(), GRID)
        if kind == "quadratic":
            coef = rows.set_index("term")["coef"]
            mean = np.polyval([coef[f"{x}^2"], coef[x], coef["intercept"]], values)
        else:
            mean = loess(data[x].to_numpy(float), data[ls.Y].to_numpy(float), values, span=span)
        frame = pd.DataFrame({"group": name, "term": x, "x": values, "mean": mean,
                              "ci_low": np.nan, "ci_high": np.nan})
        if x in ls.LOGS:
            frame[ls.LOGS[x]] = 10.0 ** values
        frames.append(frame)
    if not frames:
        return pd.DataFrame(columns=["group", "term", "x", "mean", "ci_low", "ci_high"])
    return pd.concat(frames, ignore_index=True)


# ---------------------------------------------------------------------------------------------
# the result


#: how a landscape counts: each country's works and internationally co-authored works, whole
COUNTING = "full counting (a country's works and internationally co-authored works, each counted once)"


@dataclass
class LandscapeResult:
    """What :meth:`Atlas.landscape` returns: the drawn ``table`` (one point per country-year, or per
    country), the ``fit``, and ``countries``, one row per country (its mean over the years; the same as
    ``table`` for one year or ``per="country-mean"``). ``table, fit = result`` still unpacks."""

    table: pd.DataFrame
    fit: pd.DataFrame
    countries: pd.DataFrame
    years: tuple[int, int]
    per: str = "country-year"
    fit_kind: str = "linear"
    notes: list[str] = field(default_factory=list)

    def __iter__(self):
        yield self.table
        yield self.fit

    #: how the points are counted (the caption's and the API's ``counting``): whole works, not Shares
    counting: ClassVar[str] = COUNTING

    @property
    def all_notes(self) -> list[str]:
        """The result's notes (countries left out, indicator gaps) and those of its fit."""
        return [*self.notes, *self.fit.attrs.get("notes", [])]

    def summary(self) -> dict:
        """What every view states beside the numbers: ``caption``, ``per``, ``fit_kind``, ``counting`` and
        ``notes`` (the CLI's JSON, the API, the dashboard)."""
        return {"notes": self.all_notes, "caption": self.caption, "per": self.per, "fit_kind": self.fit_kind,
                "counting": self.counting}

    @property
    def caption(self) -> str:
        """What a point is and how it is fitted, for the chart's caption and the CLI."""
        first, last = self.years
        span = str(first) if first == last else f"{first}-{last}"
        if first == last:
            point = f"one point per country, {span}"
        elif self.per == "country-mean":
            point = f"one point per country: its mean over {span}"
        else:
            point = f"one point per country-year, {span} pooled"
        how = {"linear": "OLS line", "quadratic": "least-squares parabola",
               "loess": f"loess (local linear, span {self.fit.attrs.get('span', SPAN):g})"}[self.fit_kind]
        return f"{point} · fit: {how}"

    def to_dict(self) -> dict:
        return {"years": list(self.years), "per": self.per, "fit_kind": self.fit_kind, "caption": self.caption,
                "countries": self.countries.to_dict(orient="records"), "points": self.table.to_dict(orient="records"),
                "fit": self.fit.to_dict(orient="records"), "notes": list(self.notes)}


def fitted_lines(table: pd.DataFrame, fit_result: pd.DataFrame, grid=None) -> pd.DataFrame:
    """What a landscape chart draws for ``fit_result``: the straight lines with their 95 % bands
    (:func:`collabatlas.analyses.landscape.bands`) for a linear fit, the curves (:func:`curves`, no band)
    for a ``quadratic`` or ``loess`` fit."""
    if fit_result.attrs.get("fit") in ("quadratic", "loess"):
        return curves(table, fit_result, grid)
    return ls.bands(table, fit_result, grid)
