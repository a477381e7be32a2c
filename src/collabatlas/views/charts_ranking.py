"""The ranking chart (``collabatlas chart ranking``): the institutions of one country (or every
unit of a level) ranked by a CS total — total, international or industry CS — as the seed's
institution profile shows them. The ranking itself comes from :meth:`Atlas.totals` (``sort``)."""

from __future__ import annotations

import altair as alt
import pandas as pd

from collabatlas.views.chart_base import (
    ACCENT,
    AXIS_FORMAT,
    BAR_ROW,
    MUTED,
    WIDTH,
    ChartContext,
    _empty,
    _labels,
    _records,
    _tip,
    _title,
)
from collabatlas.views.chart_text import field_name
from collabatlas.views.numbers import DECIMALS

#: what a ranking can be by, and its definition
BY = {
    "cs_total": "total CS = Σ of the bilateral CS with every partner",
    "cs_international": "international CS = the part of total CS with partners in other countries",
    "cs_domestic": "domestic CS = the part of total CS with partners in the same country",
    "cs_industry": "industry CS = the part of total CS with corporate partners",
    "share": "Share = Σ over works of the unit's fractional part",
    "count": "Count = works with a part > 0",
}


def ranking_bars(totals: pd.DataFrame, ctx: ChartContext, by: str, where: str, top: int = 15,
                 style=None) -> alt.LayerChart:
    """Bars of ``totals[by]`` (the :meth:`Atlas.totals` rows, already ranked by ``by``), the first ``top``;
    ``where`` names the set ranked (``institutions in Japan``); highlighted units keep the colour."""
    title = _title(f"{where[:1].upper()}{where[1:]} by {field_name(by)}", ctx, BY[by])
    data = totals.head(top).copy()
    if data.empty:
        return _empty(f"no {where} under these filters", title)
    data["label"] = _labels(data, "unit")
    data["colour"] = [MUTED if style is not None and style.editorial.highlights(u) is False else ACCENT
                      for u in data["unit"]]
    data = data[[c for c in ("unit", "name", "label", "count", by, "colour") if c in data.columns]]
    data = data.loc[:, ~data.columns.duplicated()]
    base = alt.Chart(_records(data)).encode(
        y=alt.Y("label:N", sort=list(data["label"]), title=None),
        x=alt.X(f"{by}:Q", title=field_name(by), axis=alt.Axis(format=AXIS_FORMAT)),
        tooltip=[alt.Tooltip("label:N", title="unit"), _tip(f"{by}:Q", format=",.3f")]
        + ([_tip("count:Q")] if "count" in data and by != "count" else []),
    )
    bars = base.mark_bar(cornerRadiusEnd=2).encode(color=alt.Color("colour:N", scale=None, legend=None))
    label = f",.{DECIMALS}f" if by != "count" else ",d"  # the decimals of every table (views.numbers)
    text = base.mark_text(align="left", dx=4).encode(text=alt.Text(f"{by}:Q", format=label))
    return (bars + text).properties(title=title, width=WIDTH, height=BAR_ROW * len(data))
