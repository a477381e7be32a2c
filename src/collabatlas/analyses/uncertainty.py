"""Bootstrap confidence intervals for Share, CS and growth, by resampling works (seeded).

Every metric here is a sum over works of per-work contributions (``counting.contributions_sql``), so
a replicate re-weights works instead of re-running SQL: each work gets a Poisson(1) weight — the
Poisson bootstrap, which approximates resampling N works with replacement and needs no N — and the
replicate's value for a key is Σ weight × contribution. Intervals are percentile intervals.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from collabatlas.counting.rules import CountingError

DEFAULT_REPLICATES = 1000
#: the most replicates any interval takes (library, CLI ``--ci`` and API ``ci`` alike)
MAX_REPLICATES = 10_000
DEFAULT_SEED = 20261122
_CELLS_PER_CHUNK = 20_000_000  # replicates × contribution rows held in memory at once
#: replicates × keys held as the result (8 bytes each): beyond it an interval is refused, not attempted
MAX_RESULT_CELLS = 200_000_000


def check_replicates(ci, allow_zero: bool = True) -> int:
    """``ci`` as an int: 0 (no intervals, when ``allow_zero``) or 1..:data:`MAX_REPLICATES`;
    anything else raises :class:`~collabatlas.counting.rules.CountingError`."""
    try:
        value = int(ci)
        if value != ci:
            raise ValueError
    except (TypeError, ValueError):
        raise CountingError(f"ci {ci!r}: expected a whole number of bootstrap replicates, e.g. 1000") from None
    low = 0 if allow_zero else 1
    if not low <= value <= MAX_REPLICATES:
        raise CountingError(f"ci {value}: the number of bootstrap replicates must be {low}..{MAX_REPLICATES:,}"
                            + (" (0: no intervals)" if allow_zero else ""))
    return value


def replicate_sums(contrib: pd.DataFrame, replicates: int = DEFAULT_REPLICATES,
                   seed: int = DEFAULT_SEED) -> tuple[np.ndarray, np.ndarray]:
    """(keys, sums): ``sums[r, k]`` is replicate r's Σ weight·value for ``keys[k]``.

    ``contrib`` has columns wkey, key, value (one row per work and key)."""
    replicates = check_replicates(replicates, allow_zero=False)
    if contrib.empty:
        return np.array([]), np.zeros((replicates, 0))
    contrib = contrib.sort_values("key", kind="stable")
    keys, starts = np.unique(contrib["key"].to_numpy(), return_index=True)
    if replicates * len(keys) > MAX_RESULT_CELLS:
        raise CountingError(f"ci {replicates:,} over {len(keys):,} units needs too much memory "
                            f"(limit {MAX_RESULT_CELLS:,} replicate values): use fewer replicates or narrower filters")
    works, work_index = np.unique(contrib["wkey"].to_numpy(), return_inverse=True)
    values = contrib["value"].to_numpy(dtype=float)
    rng = np.random.default_rng(seed)
    chunk = max(1, min(replicates, _CELLS_PER_CHUNK // max(len(values), 1)))
    out = np.empty((replicates, len(keys)))
    for first in range(0, replicates, chunk):
        n = min(chunk, replicates - first)
        weights = rng.poisson(1.0, size=(n, len(works)))
        out[first:first + n] = np.add.reduceat(weights[:, work_index] * values, starts, axis=1)
    return keys, out


def intervals(contrib: pd.DataFrame, replicates: int = DEFAULT_REPLICATES, seed: int = DEFAULT_SEED,
              level: float = 0.95) -> pd.DataFrame:
    """key, low, high: percentile interval of each key's sum."""
    keys, sums = replicate_sums(contrib, replicates, seed)
    alpha = (1 - level) / 2
    low, high = (np.quantile(sums, q, axis=0) if len(keys) else np.array([]) for q in (alpha, 1 - alpha))
    return pd.DataFrame({"key": keys, "low": low, "high": high})


def growth_interval(contrib: pd.DataFrame, first, last, replicates: int = DEFAULT_REPLICATES,
                    seed: int = DEFAULT_SEED, level: float = 0.95) -> tuple[float, float] | None:
    """Percentile interval of 100·(sum_last − sum_first)/sum_first, the keys being periods; ``None``
    when a replicate has nothing in the first period (growth undefined)."""
    keys, sums = replicate_sums(contrib, replicates, seed)
    index = {k: i for i, k in enumerate(keys.tolist())}
    if first not in index or last not in index:
        return None
    a, b = sums[:, index[first]], sums[:, index[last]]
    if (a == 0).any():
        return None
    growth = 100 * (b - a) / a
    alpha = (1 - level) / 2
    return float(np.quantile(growth, alpha)), float(np.quantile(growth, 1 - alpha))
