"""The world map: country outlines from the packaged Natural Earth TopoJSON, values as a choropleth.

- Outlines are ``world-110m`` (world-atlas, Natural Earth 1:110m; ids are ISO 3166-1 numeric codes,
  joined to ISO alpha-2 through pycountry). A country with a value is filled on a sequential scale;
  the focus country is drawn in the accent colour with a dark outline and named in the legend note.
- A country with a value but no outline at this scale (Hong Kong, Macao, Singapore, Kosovo, small
  island states) is a point at its capital (World Bank coordinates), filled on the same scale, so
  every country with a value is placed; any left without either is listed in the caption. Labels
  sit at the capital, or at the centroid of the largest outline polygon where the World Bank table
  has no capital (Taiwan).
- Labels (:mod:`collabatlas.views.map_labels`): the highlighted countries and the five largest values
  are always labelled (moved off their capital with a leader line where crowded); the others, largest
  first, only where they do not overlap a label already placed. Each label is dark or light, whichever
  contrasts more with the fill under it.
"""

from __future__ import annotations

import json
from functools import lru_cache

import altair as alt
import pandas as pd

from collabatlas.atlas import reference
from collabatlas.views.chart_base import CS_DEFINITION, _empty, _records, _title, capital_coordinates, country_name
from collabatlas.views.map_labels import (  # noqa: F401 (re-exported: the map's projection and labels)
    DARK_INK,
    HEIGHT,
    LABELS,
    LIGHT_INK,
    WIDTH,
    blues,
    equal_earth,
    from_pixels,
    ink_for,
    place_labels,
    to_pixels,
)

OUTLINES = "world-110m"
NO_VALUE = "#eef1f5"
BORDER = "#ffffff"
FOCUS_FILL = "#D55E00"
POINT_MIN_AREA = 40


# -- geometry --------------------------------------------------------------------------------------

@lru_cache(maxsize=2)
def _topology(name: str, _generation: int) -> dict:
    return json.loads(reference.read_text(name))


def topology(name: str = OUTLINES) -> dict:
    """The TopoJSON of ``name`` (verified packaged data), parsed once."""
    return _topology(name, reference.generation())


def _arcs(topo: dict) -> list[list[tuple[float, float]]]:
    """Absolute lon/lat coordinates of every arc (delta-decoded, transform applied)."""
    (kx, ky), (dx, dy) = topo["transform"]["scale"], topo["transform"]["translate"]
    out = []
    for arc in topo["arcs"]:
        x = y = 0
        points = []
        for px, py in arc:
            x, y = x + px, y + py
            points.append((x * kx + dx, y * ky + dy))
        out.append(points)
    return out


def _ring(arcs: list, indices: list[int]) -> list[tuple[float, float]]:
    ring: list[tuple[float, float]] = []
    for index in indices:
        points = arcs[index] if index >= 0 else arcs[~index][::-1]
        ring.extend(points if not ring else points[1:])
    return ring


def _area_centroid(ring: list[tuple[float, float]]) -> tuple[float, float, float]:
    area = cx = cy = 0.0
    for (x0, y0), (x1, y1) in zip(ring, ring[1:] + ring[:1], strict=False):
        cross = x0 * y1 - x1 * y0
        area += cross
        cx += (x0 + x1) * cross
        cy += (y0 + y1) * cross
    if abs(area) < 1e-12:
        xs, ys = zip(*ring, strict=False)
        return 0.0, sum(xs) / len(xs), sum(ys) / len(ys)
    return abs(area) / 2, cx / (3 * area), cy / (3 * area)


@lru_cache(maxsize=2)
def _outline_centroids(name: str, _generation: int) -> dict[str, tuple[float, float]]:
    topo = topology(name)
    arcs = _arcs(topo)
    to_iso2 = reference.numeric_to_iso2()
    out = {}
    for geometry in topo["objects"]["countries"]["geometries"]:
        code = to_iso2.get(str(geometry.get("id")))
        if code is None or not geometry.get("arcs"):
            continue
        polygons = geometry["arcs"] if geometry["type"] == "MultiPolygon" else [geometry["arcs"]]
        best = max((_area_centroid(_ring(arcs, polygon[0])) for polygon in polygons), key=lambda c: c[0])
        out[code] = (best[1], best[2])
    return out


def outline_centroids(name: str = OUTLINES) -> dict[str, tuple[float, float]]:
    """ISO2 → (lon, lat) of the centroid of each country's largest polygon."""
    return _outline_centroids(name, reference.generation())


def outline_codes(name: str = OUTLINES) -> frozenset[str]:
    """ISO2 codes of the countries that have an outline at this scale."""
    return frozenset(outline_centroids(name))


def reference_line(names: list[str], data_dir=None) -> str:
    """``reference data: world-110m 2.0.2 (packaged); ...`` — as :func:`collabatlas.refdata.provenance`,
    but a file read from a data folder is named by its dataset and version, never by its path (a
    caption is published; the server's folders are not)."""
    parts = []
    for name in names:
        found = reference.locate(name, data_dir)
        where = "data folder" if found.origin in ("directory", "env") else found.label.rsplit("(", 1)[-1].rstrip(")")
        parts.append(f"{name} {found.version} ({where})")
    return "reference data: " + "; ".join(parts)


# -- the chart -------------------------------------------------------------------------------------

def world_map(values: pd.DataFrame, ctx, title: str, value: str = "cs", country: str = "partner",
              data_dir=None, definition: str | None = None, value_title: str = "Bilateral CS",
              focus: str | None = None, style=None) -> alt.LayerChart:
    """Choropleth of ``values[value]`` by ``values[country]`` over country outlines (module docstring);
    ``style`` (:class:`collabatlas.views.figures.Style`): highlighted countries outlined and labelled first."""
    definition = definition or CS_DEFINITION
    data = pd.DataFrame({"country": values[country].astype(str).values,
                         "value": pd.to_numeric(values[value], errors="coerce").astype(float).values})
    data = data[data["value"].notna()]
    data["label"] = [country_name(c) for c in data["country"]]
    centroids = outline_centroids()
    capitals = capital_coordinates(data_dir).set_index("country")
    has_outline = data["country"].isin(list(centroids))
    # a label or point sits at the capital; a country without one (Taiwan) at its outline's centroid
    data["lon"] = [capitals["lon"].get(c, centroids.get(c, (None, None))[0]) for c in data["country"]]
    data["lat"] = [capitals["lat"].get(c, centroids.get(c, (None, None))[1]) for c in data["country"]]
    points = data[~has_outline & data["lon"].notna()]
    unplaced = sorted(data.loc[data["lon"].isna(), "country"])
    notes = []
    if len(points):
        notes.append("as points (no outline at 1:110m): " + ", ".join(points["country"]))
    if unplaced:
        notes.append("not placed (no outline or coordinates): " + ", ".join(unplaced))
    if focus:
        notes.append(f"{country_name(focus)} ({focus}) is the focus, in orange")
    head = _title(title, ctx, definition, *notes, reference_line([OUTLINES, "wb-countries"], data_dir))
    if data.empty:
        return _empty("no country to show on the map", head)

    to_numeric = {iso2: numeric for numeric, iso2 in reference.numeric_to_iso2().items()}
    data["id"] = [to_numeric.get(c, "") for c in data["country"]]
    color = alt.Color("value:Q", title=value_title, scale=alt.Scale(scheme="blues", zero=True),
                      legend=alt.Legend(format=",.3~f", orient="bottom-left", gradientLength=160))
    tooltip = [alt.Tooltip("label:N", title="country"), alt.Tooltip("value:Q", format=",.3f", title=value_title)]
    outlines = alt.InlineData(values=topology(), format=alt.DataFormat(type="topojson", feature="countries"))
    sphere = alt.Chart(alt.sphere()).mark_geoshape(fill="#f8fafc", stroke="#c8d3e0", strokeWidth=0.6)
    land = alt.Chart(outlines).mark_geoshape(fill=NO_VALUE, stroke=BORDER, strokeWidth=0.4)
    lookup = _records(data[data["id"] != ""][["id", "country", "label", "value"]])
    filled = (alt.Chart(outlines).mark_geoshape(stroke=BORDER, strokeWidth=0.4)
              .transform_lookup(lookup="id", from_=alt.LookupData(lookup, "id", ["country", "label", "value"]))
              .transform_filter("isValid(datum.value)")
              .encode(color=color, tooltip=tooltip))
    layers = [sphere, land, filled]
    if focus and focus in centroids:
        focus_id = to_numeric.get(focus, "")
        layers.append(alt.Chart(outlines).mark_geoshape(fill=FOCUS_FILL, stroke="#222222", strokeWidth=1.2)
                      .transform_filter(alt.datum.id == focus_id))
    if len(points):
        layers.append(alt.Chart(_records(points)).mark_circle(size=POINT_MIN_AREA * 2, stroke="#334155",
                                                              strokeWidth=0.6, opacity=1)
                      .encode(longitude="lon:Q", latitude="lat:Q", color=color, tooltip=tooltip))
    marked = [c for c in data["country"] if style is not None and style.editorial.highlights(c)]
    if marked:
        ids = [to_numeric.get(c, "") for c in marked]
        layers.append(alt.Chart(outlines).mark_geoshape(fill=None, stroke="#111111", strokeWidth=1.6)
                      .transform_filter(alt.FieldOneOfPredicate(field="id", oneOf=ids)))
    labelled = place_labels(data[data["lon"].notna()].assign(first=data["country"].isin(marked)))
    if len(labelled):
        top = float(data["value"].max()) or 1.0
        fills = [FOCUS_FILL if c == focus and c in centroids else blues(v / top) if c in centroids else NO_VALUE
                 for c, v in zip(labelled["country"], labelled["value"], strict=True)]
        labelled = labelled.assign(ink=[DARK_INK if moved else ink_for(fill)
                                        for moved, fill in zip(labelled["leader"], fills, strict=True)])
        rows = _records(labelled[["country", "label", "lon", "lat", "label_lon", "label_lat", "leader", "ink"]])
        leaders = labelled[labelled["leader"]]
        if len(leaders):
            layers.append(alt.Chart(_records(leaders[["lon", "lat", "label_lon", "label_lat"]]))
                          .mark_rule(color="#475569", strokeWidth=0.7)
                          .encode(longitude="lon:Q", latitude="lat:Q", longitude2="label_lon:Q",
                                  latitude2="label_lat:Q"))
        text = dict(fontSize=10, fontWeight=600, baseline="middle", align="center")
        place = dict(longitude="label_lon:Q", latitude="label_lat:Q", text="label:N")
        for ink, halo in ((DARK_INK, "#ffffff"), (LIGHT_INK, DARK_INK)):
            # a halo in the other ink keeps the label readable where it leaves its country's fill; one
            # layer per ink, as the map's colour scale is shared by its layers
            inked = alt.Chart(rows).transform_filter(alt.datum.ink == ink)
            layers.append(inked.mark_text(**text, fillOpacity=0, stroke=halo, strokeWidth=2.5, strokeOpacity=0.8)
                          .encode(**place))  # the halo: an outline only, the label drawn over it
            layers.append(inked.mark_text(**text, color=ink).encode(**place))
    return alt.layer(*layers).project(type="equalEarth").properties(title=head, width=WIDTH, height=HEIGHT)
