"""A result table as the text every output writes: ``--format csv`` / ``--out FILE.csv`` of a
command, a report's ``data/<figure-id>.csv`` and the figure model's :meth:`Figure.csv
<collabatlas.views.figures.Figure.csv>` all come from :func:`table_csv`, so the same table gives the
same bytes wherever it is written. JSON (``--format json``, ``--out FILE.json``, the JSON summaries of
``ingest``, ``profile`` and ``group``, and every body of the web API) comes from :func:`json_bytes`.
Both write numbers by the one rule of :mod:`collabatlas.rounding` (10 decimals, shortest text), so a
figure reads byte for byte the same in a CSV, the CLI's JSON and the API."""

from __future__ import annotations

import io
from typing import TYPE_CHECKING, Any

from collabatlas.atlas.output import DECIMALS, frame, tree
from collabatlas.escaping import csv_frame

if TYPE_CHECKING:  # pandas loads with the first table, not with the command line
    import pandas as pd

__all__ = ["DECIMALS", "json_bytes", "json_default", "json_text", "stable", "table_csv", "table_json"]


def stable(df: pd.DataFrame) -> pd.DataFrame:
    """``df`` with its float columns rounded by the rule (:func:`collabatlas.rounding.frame`)."""
    return frame(df)


def table_csv(df: pd.DataFrame, raw: bool = False) -> str:
    """``df`` as CSV text: floats rounded (:func:`stable`), text cells neutralised for spreadsheets
    unless ``raw`` (:func:`collabatlas.escaping.csv_frame`), no index."""
    buffer = io.StringIO()
    csv_frame(stable(df), raw).to_csv(buffer, index=False)
    return buffer.getvalue()


def json_default(value: Any) -> Any:
    """What JSON cannot hold as it is: missing values → null, timestamps → ISO 8601, sets → sorted
    lists, NumPy scalars → Python numbers, anything else → its text."""
    import pandas as pd

    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    if isinstance(value, set | frozenset | tuple):
        return sorted(value) if isinstance(value, set | frozenset) else list(value)
    if hasattr(value, "item"):
        return value.item()
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def json_bytes(body: Any, indent: bool = False) -> bytes:
    """``body`` as JSON (UTF-8): every float rounded and written as in CSV (:mod:`collabatlas.rounding`:
    ``0.6666666667``, ``1e-05``), NaN as null, other values by :func:`json_default`."""
    import orjson

    rounded = tree(body, convert=lambda x: orjson.Fragment(repr(x)))
    option = orjson.OPT_SERIALIZE_NUMPY | orjson.OPT_NON_STR_KEYS | (orjson.OPT_INDENT_2 if indent else 0)
    return orjson.dumps(rounded, default=json_default, option=option)


def json_text(body: Any, indent: bool = False) -> str:
    """:func:`json_bytes` as text (what the commands print)."""
    return json_bytes(body, indent=indent).decode("utf-8")


def table_json(df: pd.DataFrame, indent: bool = False) -> str:
    """``df`` as a JSON list of records (one object per row, columns in order), numbers as in CSV."""
    return json_bytes(stable(df).to_dict(orient="records"), indent=indent).decode("utf-8")
