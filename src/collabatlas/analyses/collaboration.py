"""``Atlas.indicators`` and ``Atlas.distance``: the statements of :mod:`collabatlas.counting.collab_indicators`
run on an Atlas's engine, with stability intervals (a seeded bootstrap over works, as
:mod:`collabatlas.analyses.uncertainty`) and the coordinate coverage every result reports."""

from __future__ import annotations

import numpy as np
import pandas as pd

from collabatlas.analyses import uncertainty
from collabatlas.analyses.tables import with_part_pct
from collabatlas.counting import collab_indicators as ci_sql
from collabatlas.counting import rules
from collabatlas.counting.options import MetricOptions
from collabatlas.counting.rules import CountingError

FOLD_NOTE = {False: "Hong Kong and Macao apart from China", True: "Hong Kong and Macao counted as China"}


def _coverage(atlas, c, fold_hk_mo: bool) -> dict:
    row = atlas.query(*ci_sql.coverage_sql(c, fold_hk_mo))
    out = {k: int(v) if pd.notna(v) else 0 for k, v in row.iloc[0].items()} if len(row) else {}
    return out


#: how a view names the counting of the indicators (its provenance line, the API's ``meta.counting``)
COUNTING_LABEL = {"full": "full counting (each work counts 1)",
                  "fractional": "fractional counting (P is the Share; PP a Share-weighted proportion)"}


def _caption(counting: str, fold_hk_mo: bool, coverage: dict) -> str:
    return (f"{counting} counting; {FOLD_NOTE[fold_hk_mo]}; {coverage.get('institutions_without_coordinates', 0):,} "
            f"of {coverage.get('institutions', 0):,} institutions without coordinates; "
            f"{coverage.get('collab_works_without_distance', 0):,} of {coverage.get('collab_works', 0):,} "
            f"collaborative works with fewer than two geocoded institutions (distance unknown: neither short "
            f"nor long, and left out of the distance shares)")


def interval_columns(rows: pd.DataFrame, replicates: int, seed: int = uncertainty.DEFAULT_SEED,
                     level: float = 0.95) -> pd.DataFrame:
    """Percentile stability intervals of P, P(x) and PP(x) per unit from the per-work rows (unit,
    wkey, wt and the indicator flags of :func:`collab_indicators.indicator_rows_sql`): each replicate
    gives every work one Poisson(1) weight, shared by all units and indicators, so PP(x) of a
    replicate is its P(x) over its P. Index: unit; columns ``<col>_lo`` / ``<col>_hi``."""
    replicates = uncertainty.check_replicates(replicates, allow_zero=False)
    names = ("p", *(f"p_{name}" for name in ci_sql.INDICATORS), "p_dist_known")
    units = pd.Index(sorted(rows["unit"].unique().tolist())) if len(rows) else pd.Index([])
    parts = []
    for k, name in enumerate(names):
        flag = rows["wt"] if name == "p" else rows["wt"] * rows[name[2:]].astype(float)
        part = pd.DataFrame({"wkey": rows["wkey"].to_numpy(), "key": units.get_indexer(rows["unit"]) * len(names) + k,
                             "value": flag.to_numpy(dtype=float)})
        parts.append(part if name == "p" else part[part["value"] != 0])
    contrib = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=["wkey", "key", "value"])
    keys, sums = uncertainty.replicate_sums(contrib, replicates, seed)
    full = np.zeros((replicates, len(units) * len(names)))
    if len(keys):
        full[:, keys.astype(int)] = sums
    full = full.reshape(replicates, len(units), len(names))
    alpha = (1 - level) / 2
    out = {}
    p = full[:, :, 0]
    known = full[:, :, names.index("p_dist_known")]  # the distance shares are over the works with a known distance
    for k, name in enumerate(names):
        values = full[:, :, k]
        base = known if name[2:] in ci_sql.DISTANCE_INDICATORS else p
        for col, v in ((name, values), *((("pp" + name[1:], _ratio(values, base)),) if k else ())):
            out[f"{col}_lo"] = np.nanquantile(v, alpha, axis=0) if len(units) else []
            out[f"{col}_hi"] = np.nanquantile(v, 1 - alpha, axis=0) if len(units) else []
    return pd.DataFrame(out, index=units)


def _ratio(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(b > 0, a / np.where(b > 0, b, 1), np.nan)


def indicators(atlas, level: str = "country", options: MetricOptions | None = None, counting: str = "full",
               ci: int = 0, fold_hk_mo: bool = False) -> pd.DataFrame:
    """The collaboration indicators of every unit (columns :data:`collab_indicators.COLUMNS`, ``name``
    after ``unit`` for institutions, ``<col>_lo`` / ``<col>_hi`` after each P and PP column with ``ci``),
    by P. ``attrs``: counting, fold_hk_mo, coverage (institutions without coordinates, collaborative
    works without a measured distance), a caption stating them and ``counting_label`` (what every view
    names as the result's counting, never the engine's fractional Share and CS under full counting)."""
    ci_sql._check(counting)
    ci = uncertainty.check_replicates(ci)
    c = atlas.counting_for(level, options)
    df = atlas.query(*ci_sql.indicators_sql(c, counting, fold_hk_mo))
    if counting == "full":
        for col in ("p", *(f"p_{name}" for name in ci_sql.INDICATORS), "p_dist_known"):
            df[col] = df[col].round().astype("int64")
    if ci:
        rows = atlas.query(*ci_sql.indicator_rows_sql(c, counting, fold_hk_mo))
        bounds = interval_columns(rows, ci)
        if level == "institution":
            bounds.index = bounds.index.map(atlas.mapping(f"SELECT ikey, unit_id FROM {rules.UNIT_IDS_SQL} u"))
        ordered = [col for col in df.columns if col in ("unit", "name")]
        for col in df.columns:
            if col in ("unit", "name"):
                continue
            ordered.append(col)
            if f"{col}_lo" in bounds:
                df[f"{col}_lo"] = df["unit"].map(bounds[f"{col}_lo"])
                df[f"{col}_hi"] = df["unit"].map(bounds[f"{col}_hi"])
                ordered += [f"{col}_lo", f"{col}_hi"]
        df = df[ordered]
    from collabatlas.analyses.tables import ranked

    df = ranked(df, "p", ["unit"])
    coverage = _coverage(atlas, c, fold_hk_mo)
    caption = _caption(counting, fold_hk_mo, coverage)
    df.attrs.update(counting=counting, fold_hk_mo=fold_hk_mo, coverage=coverage, caption=caption, replicates=ci,
                    notes=[caption], counting_label=COUNTING_LABEL[counting])
    return df


DISTANCE_COLUMNS = ("period", "intl_works", "measured_works", *(name for name, _, _ in ci_sql.BANDS),
                    *(f"pct_{name}" for name, _, _ in ci_sql.BANDS), "median_dist_km", "partner_cs_measured",
                    "cs_weighted_dist_km")


def focus_unit(atlas, level: str, unit: str, fold_hk_mo: bool) -> str:
    """The unit resolved, HK / MO read as CN under folding."""
    unit = atlas.resolve_unit(level, unit)
    return "CN" if fold_hk_mo and level == "country" and unit in ("HK", "MO") else unit


def distance(atlas, unit: str, level: str = "country", options: MetricOptions | None = None,
             window_end_month: int | None = None, fold_hk_mo: bool = False, partners: bool = False) -> pd.DataFrame:
    """The geography of ``unit``'s international collaboration per period (publication year, or the
    12-month window ending with ``window_end_month``): columns :data:`DISTANCE_COLUMNS` — its
    international works, those with a measured distance, their count and % per distance band, their
    median distance, and the CS-weighted mean distance to its partners
    (:func:`collab_indicators.partner_distance_sql`). ``partners`` gives one row per partner instead:
    ``partner[, name], joint_works, cs, distance_km``. ``attrs`` as for :func:`indicators`."""
    if window_end_month is not None and not 1 <= int(window_end_month) <= 12:
        raise CountingError(f"window end month {window_end_month}: expected 1-12")
    if level not in ("country", "institution"):
        raise CountingError("distance is computed at country or institution level")
    if partners and window_end_month is not None:  # refused, never ignored: the partner table has no periods
        raise CountingError("--window-end-month does not apply with --partners: the per-partner table sums the "
                            "works of the whole span (by publication year); leave out one of them")
    focus = focus_unit(atlas, level, unit, fold_hk_mo)
    c = atlas.counting_for(level, options)
    coverage = _coverage(atlas, c, fold_hk_mo)
    attrs = dict(unit=focus, fold_hk_mo=fold_hk_mo, coverage=coverage,
                 caption=f"{FOLD_NOTE[fold_hk_mo]}; {coverage.get('institutions_without_coordinates', 0):,} of "
                         f"{coverage.get('institutions', 0):,} institutions without coordinates")
    attrs["notes"] = [attrs["caption"]]
    if partners:
        df = atlas.query(*ci_sql.partner_distance_sql(c, focus, fold_hk_mo=fold_hk_mo, by_partner=True))
        df = df.rename(columns={"unit": "partner"})
        df["joint_works"] = df["joint_works"].astype("int64")
        from collabatlas.analyses.tables import ranked

        df = ranked(df, "cs", ["partner"])
        df.attrs.update(attrs)
        return df
    bands = atlas.query(*ci_sql.distance_bands_sql(c, focus, window_end_month, fold_hk_mo))
    weighted = atlas.query(*ci_sql.partner_distance_sql(c, focus, window_end_month, fold_hk_mo))
    df = bands.merge(weighted, on="period", how="outer")
    if c.filters.years and window_end_month is None:
        first, last = c.filters.years
    else:
        first, last = (int(df["period"].min()), int(df["period"].max())) if len(df) else (0, -1)
    df = df.set_index("period").reindex(range(first, last + 1)).rename_axis("period").reset_index()
    counts = ["intl_works", "measured_works", *(name for name, _, _ in ci_sql.BANDS)]
    df[counts] = df[counts].fillna(0).astype("int64")
    df = with_part_pct(df, [name for name, _, _ in ci_sql.BANDS], "measured_works")  # % per band: SQL
    df["partner_cs_measured"] = df["partner_cs_measured"].fillna(0.0).astype(float)
    df["median_dist_km"] = df["median_dist_km"].astype(float)
    df["cs_weighted_dist_km"] = df["cs_weighted_dist_km"].astype(float)
    df = df[list(DISTANCE_COLUMNS)]
    if window_end_month is not None and atlas.capabilities().supports("undated_note"):  # as trend says it
        note = atlas.undated_note(c.filters)
        if note:
            attrs["notes"] = [*attrs["notes"], note]
    df.attrs.update(attrs)
    return df
