"""One rounding rule for every number collabatlas writes as text for machines: CSV (``--format csv``,
``--out FILE.csv``, a report's ``data/*.csv``, network ``nodes.csv`` / ``edges.csv``), JSON (``--format
json``, ``--out FILE.json``, ``ingest --json``, ``profile`` / ``group`` JSON, the web API, a chart's Vega-Lite
spec written by ``chart … --out FILE.json``), Excel
cells, the GEXF and GraphML network files (every numeric attribute), and the Pajek and VOSviewer text
files (there a whole number is written without its ``.0``, as those formats do).

The rule: a float is rounded to :data:`DECIMALS` (10) decimal places (NumPy's rounding, the same for
a table column and a single number), ``-0.0`` becomes ``0.0``, and it is written as the shortest text
that reads back as the same double (Python's ``repr``: ``0.6666666667``, ``1e-05``, ``1.0``). NaN and
infinities are not numbers: empty in CSV, ``null`` in JSON. Integers are written as they are.

Why: DuckDB sums in parallel, so the last binary digit of a sum may differ between runs
(``1.0000000000000002``); rounded, the same data gives byte-identical files on any run, and the same
figure reads the same in the CLI, a report and the API. Ten decimals keep every figure's precision
(shares are fractions of one work). Parquet keeps the full doubles: it is a typed binary format
(and the store's interchange), read back exactly.

Pandas and NumPy are imported on first use (the command line starts without them).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

DECIMALS = 10
"""Decimal places every float keeps in CSV, JSON, the API, Excel, Pajek and VOSviewer output."""


def numbers(values):
    """An array of floats rounded by the rule (NumPy ``round``, then ``-0.0`` → ``0.0``)."""
    import numpy as np

    return np.round(np.asarray(values, dtype="float64"), DECIMALS) + 0.0


def number(value) -> float:
    """One float rounded by the rule (the same result as in a rounded column)."""
    return float(numbers([float(value)])[0])


def text(value) -> str:
    """The canonical text of a number: an integer as it is, a float rounded and written as the
    shortest text that reads back as it (``repr``); ``""`` for NaN or an infinity."""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return str(value)
    value = float(value)
    if not math.isfinite(value):
        return ""
    return repr(number(value))


def frame(df: pd.DataFrame) -> pd.DataFrame:
    """``df`` with its float columns rounded by the rule (a copy; ``df`` itself when it has none)."""
    import pandas as pd

    floats = [c for c in df.columns if pd.api.types.is_float_dtype(df[c])]
    if not floats:
        return df
    out = df.round({c: DECIMALS for c in floats})
    for column in floats:  # -0.0 + 0.0 is 0.0; NaN stays NaN
        out[column] = out[column] + 0.0
    return out


def tree(value: Any, convert=None) -> Any:
    """``value`` (dicts, lists, tuples and NumPy arrays of any depth) with every float rounded by the
    rule, all of them at once; NaN and infinities become None. ``convert(rounded_float)`` may replace
    each rounded float (the JSON writer turns it into its text). Other values are returned as they are."""
    import numpy as np

    floats = (float, np.floating)
    found: list[float] = []

    def collect(v) -> None:
        if isinstance(v, dict):
            for item in v.values():
                collect(item)
        elif isinstance(v, list | tuple):
            for item in v:
                collect(item)
        elif isinstance(v, np.ndarray):
            collect(v.tolist())
        elif isinstance(v, floats):
            found.append(float(v))

    collect(value)
    if not found:
        return value
    rounded = iter(numbers(found).tolist())

    def rebuild(v):
        if isinstance(v, dict):
            return {k: rebuild(item) for k, item in v.items()}
        if isinstance(v, list):
            return [rebuild(item) for item in v]
        if isinstance(v, tuple):
            return tuple(rebuild(item) for item in v)
        if isinstance(v, np.ndarray):
            return rebuild(v.tolist())
        if isinstance(v, floats):
            x = next(rounded)
            if not math.isfinite(x):
                return None
            return convert(x) if convert else x
        return v

    return rebuild(value)
