"""The chart of ``collabatlas distance``: a unit's international works per period by distance band
(stacked bars, % of the works whose distance is measured), with the median distance and the
CS-weighted mean distance to partners in the tooltip. Built with the helpers of :mod:`collabatlas.views.charts`."""

from __future__ import annotations

import altair as alt
import pandas as pd

from collabatlas.views.charts import AXIS_FORMAT, PALETTE, WIDTH, ChartContext, _empty, _records, _tip, _title

#: band column → label, nearest first
BAND_LABELS = {"lt_1000": "< 1,000 km", "1000_3000": "1,000–3,000 km", "3000_5000": "3,000–5,000 km",
               "ge_5000": "≥ 5,000 km"}
DISTANCE_DEFINITION = ("Work distance = largest great-circle distance between two of its geocoded institutions "
                       "(haversine, R = 6371.01 km)")


def band_frame(distance: pd.DataFrame) -> pd.DataFrame:
    """:meth:`Atlas.distance` per period → long rows ``period, band, order, works, pct, median_dist_km,
    cs_weighted_dist_km, measured_works, intl_works``."""
    rows = []
    for order, (column, label) in enumerate(BAND_LABELS.items()):
        part = distance[["period", "intl_works", "measured_works", "median_dist_km", "cs_weighted_dist_km"]].copy()
        part["band"], part["order"] = label, order
        part["works"], part["pct"] = distance[column].to_numpy(), distance[f"pct_{column}"].to_numpy()
        rows.append(part)
    return pd.concat(rows, ignore_index=True) if rows else pd.DataFrame()


def distance_bands(distance: pd.DataFrame, ctx: ChartContext, unit: str) -> alt.Chart:
    """Stacked bars: per period, the % of ``unit``'s international works (with a measured distance) in
    each distance band; ``distance`` is :meth:`Atlas.distance` (per period)."""
    notes = [distance.attrs.get("caption", "")] if distance.attrs.get("caption") else []
    title = _title(f"How far {unit} collaborates internationally, per year", ctx,
                   DISTANCE_DEFINITION + "; international works with at least two geocoded institutions", *notes)
    if distance.empty or int(distance["measured_works"].sum()) == 0:
        return _empty(f"{unit} has no international work with a measured distance under these filters", title)
    data = band_frame(distance)
    data = data[data["measured_works"] > 0]
    labels = list(BAND_LABELS.values())
    return alt.Chart(_records(data)).mark_bar().encode(
        x=alt.X("period:O", title=None, axis=alt.Axis(labelAngle=0, grid=False, labelOverlap=True)),
        y=alt.Y("pct:Q", title="% of international works (measured)", stack="zero",
                axis=alt.Axis(format=AXIS_FORMAT, grid=True), scale=alt.Scale(domain=[0, 100])),
        color=alt.Color("band:N", sort=labels, title="distance",
                        scale=alt.Scale(domain=labels, range=PALETTE[:len(labels)])),
        order=alt.Order("order:Q"),
        tooltip=[_tip("period:O"), alt.Tooltip("band:N", title="distance band"), _tip("works:Q", title="works"),
                 _tip("pct:Q", title="% of measured", format=".1f"),
                 _tip("measured_works:Q", title="international works, distance measured"),
                 _tip("median_dist_km:Q", title="median distance (km)", format=",.0f"),
                 _tip("cs_weighted_dist_km:Q", title="CS-weighted distance to partners (km)", format=",.0f")],
    ).properties(title=title, width=WIDTH, height=300)
