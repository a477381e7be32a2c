"""Small numpy helpers of the draws: cumulative weights, picks, CSR offsets, bounded Pareto."""

from __future__ import annotations

import numpy as np


def _cum(weights) -> np.ndarray:
    """Cumulative distribution of non-negative ``weights`` (ends exactly at 1)."""
    c = np.cumsum(np.asarray(weights, dtype=np.float64))
    return c / c[-1]


def _pick(rng: np.random.Generator, cum: np.ndarray, size: int) -> np.ndarray:
    """Draw ``size`` indices from the distribution whose cumulative is ``cum``."""
    return np.minimum(np.searchsorted(cum, rng.random(size), side="right"), len(cum) - 1)


def _offsets(counts: np.ndarray) -> np.ndarray:
    """``[0, cumsum(counts)]`` as int64: the CSR offsets of a ragged array."""
    out = np.zeros(len(counts) + 1, dtype=np.int64)
    np.cumsum(counts, out=out[1:])
    return out


def _duplicate_in_group(group: np.ndarray, value: np.ndarray, window: int) -> np.ndarray:
    """Rows whose ``value`` equals one of the ``window`` previous rows of the same ``group``."""
    dup = np.zeros(len(value), dtype=bool)
    for k in range(1, window + 1):
        dup[k:] |= (group[k:] == group[:-k]) & (value[k:] == value[:-k])
    return dup


def _unique_numbers(rng: np.random.Generator, n: int, low: int, span: int) -> np.ndarray:
    """``n`` distinct integers in ``[low, low + span)`` in random order."""
    width = span // n
    return low + rng.permutation(n).astype(np.int64) * width + rng.integers(0, width, n)


def _bounded_pareto(u: np.ndarray, low: float, high: float, alpha: float) -> np.ndarray:
    """Integers in ``[low, high]`` from uniforms ``u``, Pareto(``alpha``) between the bounds."""
    ratio = low / high
    return np.minimum((low / (1.0 - u * (1.0 - ratio**alpha)) ** (1.0 / alpha)).astype(np.int64), int(high))
