"""``collabatlas chart ranking``: the institutions of one country ranked by total, international or
industry CS (seed 001's "leading institutions of Japan"), as horizontal bars from :meth:`Atlas.totals`."""

from __future__ import annotations

import altair as alt
import pandas as pd

from collabatlas.views.chart_base import (
    ACCENT,
    AXIS_FORMAT,
    BAR_ROW,
    WIDTH,
    ChartContext,
    _empty,
    _labels,
    _records,
    _tip,
    _title,
    country_name,
)
from collabatlas.views.chart_text import field_name

RANKING_BY = ("cs_total", "cs_international", "cs_industry")
DEFINITIONS = {
    "cs_total": "total CS = Σ over its partners B of the bilateral CS (Σ Share_A + Share_B over the works A and "
                "B share)",
    "cs_international": "international CS = the part of total CS with partner institutions of another country",
    "cs_industry": "industry CS = the part of total CS with corporate partner institutions",
}


def ranking_bars(ranking: pd.DataFrame, ctx: ChartContext, country: str, by: str = "cs_total", top: int = 10,
                 style=None) -> alt.LayerChart:
    """Horizontal bars of ``country``'s top ``top`` institutions by ``by`` (one of :data:`RANKING_BY`),
    largest first, each labelled with its value. ``ranking``: :meth:`Atlas.totals` at institution level
    cut to the country and sorted by ``by``; ``style``: highlighted institutions in full colour."""
    name = country_name(country)
    title = _title(f"Leading institutions of {name} by {field_name(by)}", ctx, DEFINITIONS[by])
    data = ranking.head(top).copy()
    if data.empty:
        return _empty(f"{name} has no institution under these filters", title)
    data["label"] = _labels(data, "unit")
    data = data[[c for c in ("label", "unit", "name", "count", "cs_total", "cs_international", "cs_industry")
                 if c in data.columns]]
    data["text"] = [format(v, ",.2f") for v in data[by]]
    marked = [style is not None and style.editorial.highlights(u) for u in data["unit"]]
    faded = style is not None and bool(style.editorial.highlight)
    data["colour"] = [ACCENT if (m or not faded) else "#c8ced6" for m in marked]
    order = list(data["label"])
    base = alt.Chart(_records(data)).encode(
        y=alt.Y("label:N", sort=order, title=None),
        x=alt.X(f"{by}:Q", title=field_name(by), axis=alt.Axis(format=AXIS_FORMAT)),
        tooltip=[alt.Tooltip("label:N", title="institution"), _tip(f"{by}:Q", format=",.3f"), _tip("count:Q")],
    )
    bars = base.mark_bar(cornerRadiusEnd=2).encode(color=alt.Color("colour:N", scale=None, legend=None))
    text = base.mark_text(align="left", dx=4).encode(text="text:N")
    return (bars + text).properties(title=title, width=WIDTH, height=BAR_ROW * len(data))
