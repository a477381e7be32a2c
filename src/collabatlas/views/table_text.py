"""A result table as the text every output writes: ``--format csv`` / ``--out FILE.csv`` of a
command, a report's ``data/<figure-id>.csv`` and the figure model's :meth:`Figure.csv
<collabatlas.views.figures.Figure.csv>` all come from :func:`table_csv`, so the same table gives the
same bytes wherever it is written."""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

from collabatlas.escaping import csv_frame

if TYPE_CHECKING:  # pandas loads with the first table, not with the command line
    import pandas as pd

DECIMALS = 10
"""CSV and JSON carry numbers rounded to this many decimals: DuckDB sums in parallel, so the last
binary digit of a sum may differ between runs; rounded, the same data gives byte-identical files.
Parquet keeps the full doubles."""


def stable(df: pd.DataFrame) -> pd.DataFrame:
    """``df`` with its float columns rounded to :data:`DECIMALS`."""
    import pandas as pd

    floats = [c for c in df.columns if pd.api.types.is_float_dtype(df[c])]
    return df.round({c: DECIMALS for c in floats}) if floats else df


def table_csv(df: pd.DataFrame, raw: bool = False) -> str:
    """``df`` as CSV text: floats rounded (:func:`stable`), text cells neutralised for spreadsheets
    unless ``raw`` (:func:`collabatlas.escaping.csv_frame`), no index."""
    buffer = io.StringIO()
    csv_frame(stable(df), raw).to_csv(buffer, index=False)
    return buffer.getvalue()
