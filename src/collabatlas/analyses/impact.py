"""``Atlas.impact`` and the pair indices of ``Atlas.pairs``: the statements of
:mod:`collabatlas.counting.impact` and :mod:`collabatlas.counting.pair_indices` run on an Atlas, with
seeded bootstrap intervals over works (as :mod:`collabatlas.analyses.uncertainty`) and a caption that
names the normalisation, the counting and the coverage of citation data."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from collabatlas.analyses import uncertainty
from collabatlas.counting import impact as impact_sql
from collabatlas.counting import pair_indices, rules
from collabatlas.counting.options import MetricOptions
from collabatlas.counting.rules import CountingError

#: the per-work sums behind a row of the impact table (the bootstrap re-weights them)
_SUMS = ("p", "p_frac", "p_impact", "w_impact", "w_cit", "w_ncs", "w_top")
COUNTING_LABEL = {"full": "full counting (each work counts 1; plain means)",
                  "fractional": "fractional counting (Share-weighted means)"}


def _quantiles(values: np.ndarray, level: float) -> tuple[np.ndarray, np.ndarray]:
    alpha = (1 - level) / 2
    with warnings.catch_warnings():  # a row with no eligible work in any replicate: NaN, said as empty
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.nanquantile(values, alpha, axis=0), np.nanquantile(values, 1 - alpha, axis=0)


def _ratio(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(b > 0, a / np.where(b > 0, b, 1), np.nan)


def bootstrap_sums(wkeys, keys, values, n_keys: int, replicates: int,
                   seed: int = uncertainty.DEFAULT_SEED) -> np.ndarray:
    """``sums[r, k]``: replicate r's Σ weight(work) × value over the rows (wkeys, keys, values) with key
    k, each work weighted Poisson(1) per replicate (one weight shared by all its rows). The rows go into
    a sparse works × keys matrix, and each chunk of replicates is one sparse-dense product."""
    from scipy import sparse

    replicates = uncertainty.check_replicates(replicates, allow_zero=False)
    if replicates * n_keys > uncertainty.MAX_RESULT_CELLS:
        raise CountingError(f"ci {replicates:,} over {n_keys:,} values needs too much memory "
                            f"(limit {uncertainty.MAX_RESULT_CELLS:,} replicate values): use fewer replicates or "
                            "narrower filters")
    works, work_index = np.unique(np.asarray(wkeys), return_inverse=True)
    matrix = sparse.csc_matrix((np.asarray(values, dtype=float), (np.asarray(keys, dtype=np.int64), work_index)),
                               shape=(n_keys, len(works)))  # keys × works; repeated (key, work) cells add up
    rng = np.random.default_rng(seed)
    chunk = max(1, min(replicates, _CELLS_PER_CHUNK // max(len(works), 1)))
    out = np.empty((replicates, n_keys))
    for first in range(0, replicates, chunk):
        n = min(chunk, replicates - first)
        weights = rng.poisson(1.0, size=(len(works), n)).astype(float)
        out[first:first + n] = (matrix @ weights).T
    return out


_CELLS_PER_CHUNK = 20_000_000  # works × replicates of Poisson weights held at once


def impact_intervals(rows: pd.DataFrame, replicates: int, seed: int = uncertainty.DEFAULT_SEED,
                     level: float = 0.95) -> pd.DataFrame:
    """Percentile intervals of every indicator of every row type from the per-work rows of
    :func:`collabatlas.counting.impact.impact_rows_sql`: each replicate gives every work one Poisson(1)
    weight, shared by all rows, and the means of a replicate are its weighted sums over its weights.
    The normalisation (reference sets) is held fixed. Index: collab_type; columns ``<col>_lo`` / ``_hi``."""
    row_index = {name: k for k, name in enumerate(impact_sql.ROWS)}
    n_keys = len(impact_sql.ROWS) * len(_SUMS)
    wkeys, keys, values = [], [], []
    if len(rows):
        eligible = rows["eligible"].astype(bool).to_numpy()
        w = rows["w"].to_numpy(dtype=float)
        sums = {"p": np.ones(len(rows)), "p_frac": rows["share"].to_numpy(dtype=float),
                "p_impact": eligible.astype(float), "w_impact": np.where(eligible, w, 0.0)}
        for name, col in (("w_cit", "cit"), ("w_ncs", "ncs"), ("w_top", "top")):
            sums[name] = np.where(eligible, w * rows[col].fillna(0).to_numpy(dtype=float), 0.0)
        base = rows["collab_type"].map(row_index).to_numpy(dtype=np.int64) * len(_SUMS)
        for q, name in enumerate(_SUMS):
            wkeys.append(rows["wkey"].to_numpy())
            keys.append(base + q)
            values.append(sums[name])
    if wkeys:
        full = bootstrap_sums(np.concatenate(wkeys), np.concatenate(keys), np.concatenate(values), n_keys,
                              replicates, seed)
    else:
        full = np.zeros((uncertainty.check_replicates(replicates, allow_zero=False), n_keys))
    full = full.reshape(len(full), len(impact_sql.ROWS), len(_SUMS))
    s = {name: full[:, :, q] for q, name in enumerate(_SUMS)}
    derived = {"p": s["p"], "p_frac": s["p_frac"], "p_impact": s["p_impact"],
               "mcs": _ratio(s["w_cit"], s["w_impact"]), "mncs": _ratio(s["w_ncs"], s["w_impact"]),
               "pp_top10": _ratio(s["w_top"], s["w_impact"])}
    out = {}
    for name in impact_sql.INDICATORS:
        out[f"{name}_lo"], out[f"{name}_hi"] = _quantiles(derived[name], level)
    return pd.DataFrame(out, index=pd.Index(impact_sql.ROWS, name="collab_type"))


def caption(counting: str, normalisation: str, coverage: dict) -> str:
    return (f"{impact_sql.NORMALISATION_LABEL[normalisation]}; {COUNTING_LABEL[counting]}; "
            f"{coverage.get('eligible', 0):,} of {coverage.get('works', 0):,} works of the unit eligible "
            f"({coverage.get('with_citations', 0):,} with a citation count)")


def impacts_table(atlas, normalisation: str) -> str:
    """A temporary table of this connection holding every eligible work's impact under ``normalisation``
    (:func:`collabatlas.counting.impact.work_impact_sql`: the store's reference sets are computed once
    per data version, not once per unit)."""
    name = f"impact_{normalisation}"
    versions = atlas.__dict__.setdefault("_impact_versions", {})
    version = atlas.data_version
    if versions.get(name) != version:
        atlas.con.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS {impact_sql.work_impact_sql(normalisation)}")
        versions[name] = version
    return name


def impact(atlas, unit: str, level: str = "country", options: MetricOptions | None = None, counting: str = "full",
           normalisation: str = "openalex", ci: int = 0) -> pd.DataFrame:
    """The impact table of ``unit`` (see :func:`collabatlas.counting.impact.impact_sql`): columns
    ``unit[, name], collab_type, p, p_frac, p_impact, mcs, mncs, pp_top10`` (``_lo`` / ``_hi`` after each
    with ``ci``), ``normalisation, counting``; one row per :data:`~collabatlas.counting.impact.ROWS`.
    ``attrs``: normalisation, counting, coverage, caption (and notes), ``counting_label`` (the words every
    view gives as the result's counting: the normalisation and the counting, not the engine's Shares)."""
    impact_sql.check(counting, normalisation)
    ci = uncertainty.check_replicates(ci)
    options = options if options is not None else MetricOptions()
    atlas.capabilities().require("impact", level=level)  # the works engine declares whether it computes impact
    if options.rollup or options.exclude_dual_affiliations:
        raise CountingError("impact: --rollup and --exclude-dual-affiliations do not apply (the collaboration "
                            "type is a property of the work)")
    focus = atlas.resolve_unit(level, unit)
    c = atlas.counting_for(level, options)
    countries = atlas.unit_shares_table(atlas.counting_for("country"))
    impacts = impacts_table(atlas, normalisation)
    df = atlas._df(impact_sql.impact_sql(c, focus, counting, normalisation, countries, impacts))
    for col in ("p", "p_impact"):
        df[col] = df[col].astype("int64")
    for col in ("p_frac", "mcs", "mncs", "pp_top10"):
        df[col] = df[col].astype(float)
    if ci:
        rows = atlas._df(impact_sql.impact_rows_sql(c, focus, counting, normalisation, countries, impacts))
        bounds = impact_intervals(rows, ci)
        ordered = ["collab_type"]
        for col in impact_sql.INDICATORS:
            df[f"{col}_lo"] = df["collab_type"].map(bounds[f"{col}_lo"])
            df[f"{col}_hi"] = df["collab_type"].map(bounds[f"{col}_hi"])
            ordered += [col, f"{col}_lo", f"{col}_hi"]
        df = df[ordered]
    df.insert(0, "unit", focus)
    if level == "institution":
        name = atlas._mapping(f"SELECT unit_id, name FROM {rules.UNIT_IDS_SQL} u WHERE unit_id = $u", {"u": focus})
        df.insert(1, "name", df["unit"].map(name))
    df["normalisation"] = normalisation
    df["counting"] = counting
    coverage_row = atlas._df(impact_sql.coverage_sql(c, focus, normalisation, impacts))
    coverage = {k: int(v) for k, v in coverage_row.iloc[0].items()} if len(coverage_row) else {}
    text = caption(counting, normalisation, coverage)
    df.attrs.update(unit=focus, normalisation=normalisation, counting=counting, coverage=coverage, caption=text,
                    replicates=ci, notes=[text],
                    counting_label=f"{impact_sql.NORMALISATION_LABEL[normalisation]}; {COUNTING_LABEL[counting]}")
    return df


def index_intervals(atlas, c, pairs: pd.DataFrame, indices: tuple[str, ...], replicates: int,
                    seed: int = uncertainty.DEFAULT_SEED, level: float = 0.95) -> pd.DataFrame:
    """``pairs`` (unit_a, unit_b as in the output) with ``<index>_lo`` / ``_hi`` for each of ``indices``:
    each replicate gives every work one Poisson(1) weight and recomputes N_x, N_y, N_xy and T as the
    weighted counts of the same works."""
    replicates = uncertainty.check_replicates(replicates, allow_zero=False)
    units = atlas._df(pair_indices.unit_work_rows_sql(c))
    joint = atlas._df(pair_indices.pair_work_rows_sql(c))
    if c.level == "institution":  # keys → ids, as in the output
        ids = atlas._mapping(f"SELECT ikey, unit_id FROM {rules.UNIT_IDS_SQL} u")
        units["unit"] = units["unit"].map(ids)
        a, b = joint["unit_a"].map(ids), joint["unit_b"].map(ids)
        joint["unit_a"], joint["unit_b"] = a.where(a < b, b), b.where(a < b, a)
    unit_index = pd.Index(sorted(units["unit"].unique().tolist()))
    pair_index = pd.MultiIndex.from_frame(pairs[["unit_a", "unit_b"]])
    n_units = len(unit_index)
    joint_keys = pair_index.get_indexer(pd.MultiIndex.from_frame(joint[["unit_a", "unit_b"]])) \
        if len(joint) else np.array([], dtype=int)
    keep = joint_keys >= 0
    works = units["wkey"].drop_duplicates().to_numpy()
    n_keys = 1 + n_units + len(pairs)
    full = bootstrap_sums(
        np.concatenate([works, units["wkey"].to_numpy(), joint["wkey"].to_numpy()[keep]]),
        np.concatenate([np.zeros(len(works), dtype=np.int64), 1 + unit_index.get_indexer(units["unit"]),
                        1 + n_units + joint_keys[keep]]),
        np.ones(len(works) + len(units) + int(keep.sum())), n_keys, replicates, seed)
    t = full[:, [0]]
    n_x = full[:, 1 + unit_index.get_indexer(pairs["unit_a"])]
    n_y = full[:, 1 + unit_index.get_indexer(pairs["unit_b"])]
    n_xy = full[:, 1 + n_units: 1 + n_units + len(pairs)]
    with np.errstate(invalid="ignore", divide="ignore"):
        values = {
            "salton": _ratio(n_xy, np.sqrt(n_x * n_y)),
            "jaccard": _ratio(n_xy, n_x + n_y - n_xy),
            "association": _ratio(n_xy * t, n_x * n_y),
            "ric": _ratio(_ratio(n_xy, n_x), _ratio(n_y - n_xy, t - n_x)),
            "ric_ba": _ratio(_ratio(n_xy, n_y), _ratio(n_x - n_xy, t - n_y)),
        }
    out = pairs.copy()
    for name in indices:
        low, high = _quantiles(values[name], level) if len(pairs) else (np.array([]), np.array([]))
        out.insert(out.columns.get_loc(name) + 1, f"{name}_lo", low)
        out.insert(out.columns.get_loc(name) + 2, f"{name}_hi", high)
    return out
