"""The chart of ``collabatlas distance``: a unit's international works per period by distance band
(stacked bars, % of the works whose distance is measured), with the median distance and the
CS-weighted mean distance to partners in the tooltip. Built with the helpers of :mod:`collabatlas.views.charts`."""

from __future__ import annotations

from dataclasses import replace

import altair as alt
import pandas as pd

from collabatlas.views.chart_base import PALETTE, WIDTH, ChartContext, _empty, _records, _tip, _title

#: band column → label, nearest first
BAND_LABELS = {"lt_1000": "< 1,000 km", "1000_3000": "1,000–3,000 km", "3000_5000": "3,000–5,000 km",
               "ge_5000": "≥ 5,000 km"}
DISTANCE_DEFINITION = ("Work distance = largest great-circle distance between two of its geocoded institutions "
                       "(haversine, R = 6371.01 km)")


#: the human names of the columns of :meth:`Atlas.distance` (table headers)
DISTANCE_FIELD_NAMES = {
    "measured_works": "international works, distance measured", "partner_cs_measured": "partner CS, distance measured",
    "median_dist_km": "median distance (km)", "cs_weighted_dist_km": "CS-weighted distance to partners (km)",
    "distance_km": "CS-weighted distance (km)",
    **{column: f"works {label}" for column, label in BAND_LABELS.items()},
    **{f"pct_{column}": f"% {label}" for column, label in BAND_LABELS.items()},
}

#: how a distance table is counted (the ``counting`` of its API metadata)
DISTANCE_COUNTING = ("each international work counted once, in the band of its largest distance; partner "
                     "distance weighted by bilateral CS (fractional counting)")


def measured(distance: pd.DataFrame) -> bool:
    """Whether any work of :meth:`Atlas.distance` has a measured distance (two geocoded institutions)."""
    if distance.empty:
        return False
    column = "measured_works" if "measured_works" in distance else "joint_works"
    return int(distance[column].sum()) > 0


def distance_note(distance: pd.DataFrame, unit: str) -> str | None:
    """Why no distance can be shown (``None`` when one can), from the coverage in ``distance.attrs``:
    no geocoded institution at all, or none of ``unit``'s international works with two."""
    if measured(distance):
        return None
    coverage = distance.attrs.get("coverage") or {}
    missing, institutions = coverage.get("institutions_without_coordinates", 0), coverage.get("institutions", 0)
    load = ("coordinates come from OpenAlex institution records and the ROR registry: load the ROR registry "
            "with coordinates (`collabatlas ror load FILE`)")
    if institutions and missing >= institutions:
        return (f"no geocoded institutions: distance cannot be computed — none of the {institutions:,} "
                f"institutions of the selected works has coordinates; {load}")
    return (f"no international work of {unit} has two geocoded institutions under these filters "
            f"({missing:,} of {institutions:,} institutions of the selected works without coordinates); {load}")


def distance_meta(distance: pd.DataFrame, unit: str | None = None) -> dict:
    """The API metadata of a distance table: counting, coverage, the library's caption and notes,
    whether any distance is measured and, when none is, the note saying why."""
    unit = unit or str(distance.attrs.get("unit", "the unit"))
    out = {"counting": DISTANCE_COUNTING, "coverage": distance.attrs.get("coverage") or {},
           "notes": [DISTANCE_DEFINITION, *(distance.attrs.get("notes") or [])], "unit": distance.attrs.get("unit"),
           "measured": measured(distance)}
    note = distance_note(distance, unit)
    if note:
        out["note"] = note
    return out


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
    each distance band; ``distance`` is :meth:`Atlas.distance` (per period). The caption's counting is
    :data:`DISTANCE_COUNTING` whatever ``ctx`` says (the report's or page's Shares and CS): the one wording
    of the command's chart, the report, the dashboard and the API's ``meta.counting``."""
    ctx = replace(ctx, counting=DISTANCE_COUNTING)
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
                axis=alt.Axis(format=".0f", grid=True), scale=alt.Scale(domain=[0, 100])),
        color=alt.Color("band:N", sort=labels, title="distance",
                        scale=alt.Scale(domain=labels, range=PALETTE[:len(labels)])),
        order=alt.Order("order:Q"),
        tooltip=[_tip("period:O"), alt.Tooltip("band:N", title="distance band"), _tip("works:Q", title="works"),
                 _tip("pct:Q", title="% of measured", format=".1f"),
                 _tip("measured_works:Q", title="international works, distance measured"),
                 _tip("median_dist_km:Q", title="median distance (km)", format=",.0f"),
                 _tip("cs_weighted_dist_km:Q", title="CS-weighted distance to partners (km)", format=",.0f")],
    ).properties(title=title, width=WIDTH, height=300)
