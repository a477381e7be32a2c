"""The landscape study: a country's international co-authorship rate against R&D spending and trust.

Input is a frame of country-years ``unit`` (ISO2), ``year``, ``works``, ``intl_works``,
``intl_share`` — what ``Atlas.collaboration_by_year(level="country")`` returns — and the tidy
indicator frame of :func:`collabatlas.refdata.indicators.load_indicators` (``iso2, year, indicator, value``).

Choices, each deliberate:

- **One row per country** (:func:`landscape_table`). Each indicator is taken from the study year or,
  failing that, from the nearest year within ±``nearest`` years (±``trust_nearest`` for trust, whose
  World Values Survey waves are years apart); on a tie the earlier year wins (no look-ahead). The
  year used is kept in ``<indicator>_year``.
- **Income group**: the historical World Bank group of the study year when there is one (the OWID
  series ends in 2016), else the current group; ``income_group_source`` says ``historical`` or
  ``current`` (missing when neither is known).
- **x is log10(GERD % of GDP)** (``log_gerd``): GERD spans two orders of magnitude and its effect on
  collaboration is closer to proportional than additive. Countries with GERD <= 0 have no logarithm:
  they are dropped from fits that use ``log_gerd`` and counted in ``n_gerd_nonpositive``. Countries
  missing y or any x are dropped and counted in ``n_missing``.
- **log_gerd_ppp** is log10(GERD in millions of PPP $) from the NSF NCSES tables
  (:func:`collabatlas.refdata.indicators.load_nsf_gerd`), an alternative or additional x: a size
  measure where ``log_gerd`` is an intensity. Its value is the country's NSF row whose stated year
  is nearest the study year within ±``nearest`` (the WDI rule), earlier on ties;
  ``gerd_ppp_musd_year`` keeps that year and ``gerd_ppp_musd_source`` the NSF table and file it came
  from. GERD <= 0 is counted in ``n_gerd_nonpositive`` as for ``log_gerd``. The fit names the NSF
  tables and years behind each fitted group in the ``note`` of its ``log_gerd_ppp`` row; a study year
  with no NSF value within tolerance is not fitted and its note says so (the tables end in 2019).
- **Ordinary least squares, unweighted** (statsmodels ``OLS``, classical standard errors, 95%
  intervals): each country counts once whatever its size. Weighted fits are not provided.
- **Groups**: ``all`` (every country, including those without an income group), then each income
  group. A group with fewer than ``min_n`` countries (or too few to estimate every coefficient,
  or with a constant regressor) is not fitted: it keeps one row with ``n`` and a ``note`` saying why.
- **Bands** (:func:`bands`): the fitted mean and its 95% confidence band on a grid of the first x;
  further regressors are held at their group mean.
- **Gaps** (:func:`data_gaps`) are exact years without a value, not filled by the nearest-year rule.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

from collabatlas.refdata.indicators import ANNUAL_INDICATORS, INCOME_GROUPS, INDICATORS

COLLAB_COLUMNS = ("unit", "year", "works", "intl_works", "intl_share")
FIT_COLUMNS = ["group", "n", "term", "coef", "std_err", "ci_low", "ci_high", "p_value", "r2",
               "n_gerd_nonpositive", "n_missing", "note"]
ALL = "all"
Y = "intl_share"
LOGS = {"log_gerd": "gerd_pct_gdp", "log_gerd_ppp": "gerd_ppp_musd"}
"""Each log10 regressor and the column it is the logarithm of."""
SOURCED = {"gerd_ppp_musd": "NSF GERD (millions of PPP $)"}
"""Indicators whose rows come from several tables: the table keeps ``<indicator>_source``."""


def _check_collab(collab: pd.DataFrame) -> None:
    missing = [c for c in COLLAB_COLUMNS if c not in collab.columns]
    if missing:
        raise ValueError(f"collab frame lacks columns {missing}; expected {list(COLLAB_COLUMNS)}")


def _check_indicators(indicators: pd.DataFrame) -> None:
    missing = [c for c in ("iso2", "year", "indicator", "value") if c not in indicators.columns]
    if missing:
        raise ValueError(f"indicator frame lacks columns {missing}; expected iso2, year, indicator, value")


def _nearest(values: pd.DataFrame, countries, year: int, window: int) -> pd.DataFrame:
    """iso2 → (value, year used, source): the value of ``year`` or the nearest within ±window, earlier on ties."""
    v = values[values["iso2"].isin(countries) & values["value"].notna()]
    v = v.assign(dist=(v["year"] - year).abs())
    if "source" not in v.columns:
        v = v.assign(source=pd.NA)
    v = v[v["dist"] <= window].sort_values(["iso2", "dist", "year"])
    return v.drop_duplicates("iso2").set_index("iso2")[["value", "year", "source"]]


def landscape_table(collab: pd.DataFrame, year: int, indicators: pd.DataFrame, nearest: int = 3,
                    trust_nearest: int = 10, income: pd.Series | None = None,
                    income_history: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per country of ``collab`` in ``year``.

    Columns: ``country, year, works, intl_works, intl_share``, then for each indicator its value and
    ``<indicator>_year`` (the year it was taken from; ``gerd_ppp_musd_source`` too: the NSF table),
    ``log_gerd`` and ``log_gerd_ppp`` (log10 of GERD % of GDP and of GERD in millions of PPP $,
    missing when GERD is missing or <= 0), ``income_group`` and ``income_group_source``.
    ``result.attrs["x_notes"]`` says, per log regressor with no value for any country, why.

    ``income`` is the current group per ISO2 (:func:`collabatlas.refdata.indicators.income_groups`) and
    ``income_history`` the frame ``iso2, year, group`` of
    :func:`collabatlas.refdata.indicators.historical_income`; without them ``income_group`` is missing.
    """
    _check_collab(collab)
    _check_indicators(indicators)
    year = int(year)
    rows = collab[collab["year"] == year]
    if rows["unit"].duplicated().any():
        dups = sorted(rows.loc[rows["unit"].duplicated(), "unit"].astype(str).unique())
        raise ValueError(f"collab has several rows for one country in {year}: {dups}")
    out = pd.DataFrame({
        "country": rows["unit"].astype(str).values,
        "year": year,
        "works": rows["works"].values,
        "intl_works": rows["intl_works"].values,
        "intl_share": rows["intl_share"].astype(float).values,
    }).sort_values("country", ignore_index=True)
    countries = set(out["country"])
    for name in INDICATORS:
        window = trust_nearest if name == "trust_pct" else nearest
        found = _nearest(indicators[indicators["indicator"] == name], countries, year, window)
        out[name] = out["country"].map(found["value"]).astype(float)
        out[f"{name}_year"] = out["country"].map(found["year"]).astype("Int64")
        if name in SOURCED:
            out[f"{name}_source"] = out["country"].map(found["source"]).astype("object")
    for log, col in LOGS.items():
        gerd = out[col]
        with np.errstate(divide="ignore", invalid="ignore"):
            out[log] = np.where(gerd > 0, np.log10(gerd.where(gerd > 0)), np.nan)
    out.attrs["x_notes"] = {"log_gerd_ppp": _no_value_note(indicators, "gerd_ppp_musd", year, nearest)} \
        if len(out) and out["gerd_ppp_musd"].isna().all() else {}

    group = pd.Series(pd.NA, index=out.index, dtype="object")
    source = pd.Series(pd.NA, index=out.index, dtype="object")
    if income_history is not None:
        h = income_history[income_history["year"] == year].drop_duplicates("iso2").set_index("iso2")["group"]
        hist = out["country"].map(h)
        group = group.where(hist.isna(), hist)
        source = source.where(hist.isna(), "historical")
    if income is not None:
        cur = out["country"].map(income)
        use = group.isna() & cur.notna()
        group = group.where(~use, cur)
        source = source.where(~use, "current")
    out["income_group"] = group
    out["income_group_source"] = source
    return out


def _no_value_note(indicators: pd.DataFrame, name: str, year: int, window: int) -> str:
    """Why no country of the study year has ``name``: the years and tables that do exist."""
    have = indicators[(indicators["indicator"] == name) & indicators["value"].notna()]
    label = SOURCED.get(name, name)
    if have.empty:
        return f"no {label} value at all in the indicator data"
    sources = sorted(have["source"].dropna().astype(str).unique()) if "source" in have.columns else []
    return (f"no {label} value within ±{window} years of {year} for these countries (nearest={window}): the data "
            f"give years {int(have['year'].min())}-{int(have['year'].max())}"
            + (f" ({'; '.join(sources)})" if sources else ""))


# ---------------------------------------------------------------------------------------------
# fits


def _xs(x) -> list[str]:
    xs = [x] if isinstance(x, str) else list(x)
    if not xs:
        raise ValueError("x names no regressor")
    return xs


def _with_log_gerd(table: pd.DataFrame, xs: Sequence[str]) -> pd.DataFrame:
    for log, col in LOGS.items():
        if log in xs and log not in table.columns and col in table.columns:
            gerd = table[col].astype(float)
            table = table.assign(**{log: np.log10(gerd.where(gerd > 0))})
    missing = [c for c in [Y, *xs] if c not in table.columns]
    if missing:
        raise ValueError(f"table lacks columns {missing}")
    return table


def _groups(table: pd.DataFrame, by: str | None) -> list[tuple[str, pd.DataFrame]]:
    groups = [(ALL, table)]
    if by:
        if by not in table.columns:
            raise ValueError(f"table has no column {by!r} to group by")
        present = [g for g in table[by].dropna().unique()]
        order = [g for g in INCOME_GROUPS if g in present] + sorted(str(g) for g in present if g not in INCOME_GROUPS)
        groups += [(g, table[table[by].astype(str) == str(g)]) for g in order]
    return groups


def _prepare(sub: pd.DataFrame, xs: Sequence[str]):
    """Complete cases of one group, with the counts of rows dropped and why."""
    nonpositive = pd.Series(False, index=sub.index)
    for log, col in LOGS.items():
        if log in xs and col in sub.columns:
            nonpositive |= sub[col].astype(float) <= 0
    data = sub[~nonpositive]
    complete = data[[Y, *xs]].astype(float).notna().all(axis=1) & np.isfinite(data[[Y, *xs]].astype(float)).all(axis=1)
    return data[complete], int(nonpositive.sum()), int((~complete).sum())


def _ols(data: pd.DataFrame, xs: Sequence[str]):
    import statsmodels.api as sm

    exog = sm.add_constant(data[list(xs)].astype(float), has_constant="add").rename(columns={"const": "intercept"})
    with warnings.catch_warnings(), np.errstate(divide="ignore", invalid="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)
        return sm.OLS(data[Y].astype(float), exog).fit()


def _why_not(data: pd.DataFrame, xs: Sequence[str], min_n: int, sub: pd.DataFrame | None = None,
             x_notes: dict | None = None) -> str | None:
    n, k = len(data), len(xs) + 1
    if sub is not None:
        absent = [x for x in xs if len(sub) and sub[x].isna().all()]
        if absent:
            why = "; ".join((x_notes or {}).get(x) or f"no country has {x}" for x in absent)
            return f"skipped: {', '.join(absent)} missing for every country ({why})"
    if n < min_n:
        return f"skipped: {n} countries < min_n={min_n}"
    if n <= k:
        return f"skipped: {n} countries cannot estimate {k} coefficients with a residual"
    constant = [x for x in xs if data[x].astype(float).nunique() < 2]
    if constant:
        return f"skipped: {', '.join(constant)} constant in this group"
    design = np.column_stack([np.ones(n), data[list(xs)].astype(float).to_numpy()])
    if np.linalg.matrix_rank(design) < k:
        return "skipped: regressors collinear in this group"
    return None


def fit(table: pd.DataFrame, x: str | Sequence[str] = "log_gerd", by: str | None = "income_group",
        min_n: int = 5) -> pd.DataFrame:
    """OLS of ``intl_share`` on ``x`` (default ``log_gerd``; e.g. ``["log_gerd", "trust_pct"]``),
    for all countries and per ``by`` group.

    Tidy result, one row per group and term (``intercept`` and each x): ``group, n, term, coef,
    std_err, ci_low, ci_high, p_value, r2, n_gerd_nonpositive, n_missing, note``. A group that is
    not fitted has one row with ``term`` and the estimates missing and ``note`` saying why (also
    when an x has no value for any country, e.g. no NSF GERD near the study year). The ``note`` of a
    fitted ``log_gerd_ppp`` row names the NSF tables and years its countries' values come from.
    ``result.attrs`` keeps ``x`` and ``by`` for :func:`bands`, and ``notes`` (provenance lines).
    """
    xs = _xs(x)
    table = _with_log_gerd(table, xs)
    x_notes = table.attrs.get("x_notes") or {}
    rows = []
    for name, sub in _groups(table, by):
        data, nonpositive, missing = _prepare(sub, xs)
        base = {"group": name, "n": len(data), "n_gerd_nonpositive": nonpositive, "n_missing": missing}
        why = _why_not(data, xs, min_n, sub, x_notes)
        if why:
            rows.append({**base, "term": None, "note": why})
            continue
        res = _ols(data, xs)
        ci = res.conf_int(alpha=0.05)
        for term in ["intercept", *xs]:
            rows.append({**base, "term": term, "coef": res.params[term], "std_err": res.bse[term],
                         "ci_low": ci.loc[term, 0], "ci_high": ci.loc[term, 1], "p_value": res.pvalues[term],
                         "r2": res.rsquared, "note": _provenance(data, term)})
    out = pd.DataFrame(rows, columns=FIT_COLUMNS)
    out["n"] = out["n"].astype("int64")
    notes = [x_notes[x] for x in xs if x_notes.get(x)]
    used = _prepare(table, xs)[0]  # the countries of the overall fit
    notes += [f"{x}: {_provenance(used, x)}" for x in xs if _provenance(used, x)]
    out.attrs.update({"x": xs, "by": by, "y": Y, "min_n": min_n, "notes": notes})
    return out


def _provenance(data: pd.DataFrame, term: str) -> str:
    """For a sourced regressor (``log_gerd_ppp``): which tables and years the rows' values come from."""
    col = LOGS.get(term, term)
    if col not in SOURCED or f"{col}_source" not in data.columns:
        return ""
    have = data[data[col].notna()]
    if have.empty:
        return ""
    parts = []
    for source, rows in have.groupby(f"{col}_source", sort=True, dropna=False):
        years = compact_years(rows[f"{col}_year"].dropna().astype(int))
        parts.append(f"{len(rows)} countries from {source if pd.notna(source) else 'an unnamed source'}, "
                     f"years {years}")
    return f"{SOURCED[col]}: " + "; ".join(parts)


def bands(table: pd.DataFrame, fit_result: pd.DataFrame, grid: Iterable[float] | None = None,
          alpha: float = 0.05, by: str | None = None) -> pd.DataFrame:
    """Predicted mean ``intl_share`` with its (1-alpha) confidence band, per fitted group of
    ``fit_result``, on ``grid`` (values of the first x; default 50 points over the group's range).

    Columns: ``group, term, x, mean, ci_low, ci_high`` (plus ``gerd_pct_gdp`` = 10**x when x is
    ``log_gerd``, ``gerd_ppp_musd`` = 10**x when it is ``log_gerd_ppp``, and the value each further
    regressor is held at). The groups are refitted from ``table``; a ``ValueError`` is raised when
    that does not reproduce ``fit_result``.
    """
    if fit_result.attrs.get("fit") in ("quadratic", "loess"):  # curves have no band: landscape_pool.fitted_lines
        raise ValueError("a quadratic or loess fit has no confidence band: draw it with "
                         "collabatlas.analyses.landscape_pool.fitted_lines")
    fitted = fit_result[fit_result["term"].notna()]
    xs = list(fit_result.attrs.get("x") or [t for t in dict.fromkeys(fitted["term"]) if t != "intercept"])
    by = by if by is not None else fit_result.attrs.get("by", "income_group")
    table = _with_log_gerd(table, xs)
    wanted = list(dict.fromkeys(fitted["group"]))
    grid_values = None if grid is None else np.asarray(list(grid), dtype=float)
    frames = []
    for name, sub in _groups(table, by):
        if name not in wanted:
            continue
        data, _, _ = _prepare(sub, xs)
        res = _ols(data, xs)
        expected = fitted[fitted["group"] == name].set_index("term")["coef"]
        got = res.params.reindex(expected.index)
        if len(data) != int(fitted.loc[fitted["group"] == name, "n"].iloc[0]) or not np.allclose(
                got.to_numpy(float), expected.to_numpy(float), rtol=1e-9, atol=1e-12):
            raise ValueError(f"fit_result does not match this table for group {name!r}; refit with fit(table)")
        first = xs[0]
        values = grid_values if grid_values is not None else np.linspace(data[first].min(), data[first].max(), 50)
        exog = pd.DataFrame({"intercept": 1.0, first: values})
        held = {x: float(data[x].astype(float).mean()) for x in xs[1:]}
        for col, v in held.items():
            exog[col] = v
        pred = res.get_prediction(exog[["intercept", *xs]]).summary_frame(alpha=alpha)
        frame = pd.DataFrame({"group": name, "term": first, "x": values, "mean": pred["mean"].to_numpy(),
                              "ci_low": pred["mean_ci_lower"].to_numpy(), "ci_high": pred["mean_ci_upper"].to_numpy()})
        if first in LOGS:
            frame[LOGS[first]] = 10.0 ** values
        for col, v in held.items():
            frame[col] = v
        frames.append(frame)
    missing = [g for g in wanted if g not in {f["group"].iloc[0] for f in frames}]
    if missing:
        raise ValueError(f"groups {missing} of fit_result are not in this table")
    if not frames:
        return pd.DataFrame(columns=["group", "term", "x", "mean", "ci_low", "ci_high"])
    return pd.concat(frames, ignore_index=True)


# ---------------------------------------------------------------------------------------------
# gaps


def compact_years(years: Iterable[int]) -> str:
    """``[1996, 1997, ..., 2001, 2005]`` → ``"1996-2001, 2005"``."""
    ys = sorted({int(y) for y in years})
    parts, start = [], None
    for i, y in enumerate(ys):
        if start is None:
            start = y
        if i + 1 == len(ys) or ys[i + 1] != y + 1:
            parts.append(str(y) if y == start else f"{start}-{y}")
            start = None
    return ", ".join(parts)


def data_gaps(collab: pd.DataFrame, indicators: pd.DataFrame, years: Iterable[int],
              names: Sequence[str] = ANNUAL_INDICATORS) -> pd.DataFrame:
    """For every country of ``collab`` and every indicator in ``names``, the ``years`` without a value.
    The default is the annual series: the NSF GERD tables are snapshots (a year or two per country,
    taken by the nearest-year rule), so they are listed only when ``names`` asks for ``gerd_ppp_musd``.

    ``country, indicator, missing_years`` (compact, e.g. ``"1996-2001, 2005"``), ``n_missing``.
    Pairs with no gap are not listed; an indicator absent from ``indicators`` is missing everywhere."""
    _check_collab(collab)
    _check_indicators(indicators)
    years = sorted({int(y) for y in years})
    countries = sorted(collab["unit"].dropna().astype(str).unique())
    have = indicators[indicators["value"].notna() & indicators["iso2"].isin(countries)
                      & indicators["indicator"].isin(names) & indicators["year"].isin(years)]
    present = set(zip(have["iso2"], have["indicator"], have["year"].astype(int), strict=False))
    rows = []
    for country in countries:
        for name in names:
            missing = [y for y in years if (country, name, y) not in present]
            if missing:
                rows.append({"country": country, "indicator": name, "missing_years": compact_years(missing),
                             "n_missing": len(missing)})
    return pd.DataFrame(rows, columns=["country", "indicator", "missing_years", "n_missing"])
