"""The chart of ``collabatlas impact``: a unit's mean normalised citation score (MNCS) by collaboration
type, with bootstrap intervals when the table has them (``--ci``). Built with the helpers of
:mod:`collabatlas.views.charts`."""

from __future__ import annotations

from dataclasses import replace

import altair as alt
import pandas as pd

from collabatlas.views.charts import PALETTE, WIDTH, ChartContext, _empty, _records, _tip, _title

IMPACT_DEFINITION = ("MNCS = mean normalised citation score of the unit's eligible works of each collaboration "
                     "type (1 = world or store average); bars: 95 % bootstrap interval over works")


def impact_by_type(impact: pd.DataFrame, ctx: ChartContext) -> alt.Chart:
    """Bars of ``mncs`` per ``collab_type`` (rows of :meth:`Atlas.impact`), with error bars from
    ``mncs_lo`` / ``mncs_hi`` when present.

    ``ctx``'s counting is replaced by the table's own caption (its normalisation, counting and eligible
    works): the impact counts works or Shares as the table says, whatever the report or command around it
    counts, and the caption says it once."""
    unit = str(impact.attrs.get("unit", ""))
    if impact.attrs.get("caption"):
        ctx = replace(ctx, counting=str(impact.attrs["caption"]))
    title = _title(f"Citation impact of {unit} by collaboration type", ctx, IMPACT_DEFINITION)
    data = impact[impact["p_impact"] > 0] if "p_impact" in impact else impact.iloc[0:0]
    if data.empty:
        return _empty(f"{unit} has no work with citation data under these filters", title)
    order = list(data["collab_type"])
    x = alt.X("collab_type:N", sort=order, title=None, axis=alt.Axis(labelAngle=0))
    tips = [alt.Tooltip("collab_type:N", title="collaboration type"), _tip("p:Q", title="works"),
            _tip("p_impact:Q", title="works with impact data"), _tip("mcs:Q", title="mean citations", format=".2f"),
            _tip("mncs:Q", title="MNCS", format=".3f"), _tip("pp_top10:Q", title="PP(top 10 %)", format=".1%")]
    bars = alt.Chart(_records(data)).mark_bar(color=PALETTE[0]).encode(
        x=x, y=alt.Y("mncs:Q", title="MNCS"), tooltip=tips)
    layers = [bars]
    if "mncs_lo" in data:
        layers.append(alt.Chart(_records(data)).mark_rule(color="black").encode(
            x=x, y="mncs_lo:Q", y2="mncs_hi:Q"))
    return alt.layer(*layers).properties(title=title, width=WIDTH, height=300)


def impact_figure(impact: pd.DataFrame, ctx: ChartContext):
    """The impact chart as a figure of the figure model (:mod:`collabatlas.views.figures`): its table is
    the rows of :meth:`Atlas.impact` as ``collabatlas impact --format csv`` prints them (the report's
    ``data/impact.csv``)."""
    from collabatlas.views.figures import figure

    return figure("impact", impact, impact_by_type, impact, ctx, defines=IMPACT_DEFINITION)
