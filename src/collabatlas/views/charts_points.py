"""The scatter charts of :mod:`collabatlas.views.charts`: the landscape (international share vs GERD or
trust) and the network map. Both label their points where the labels do not collide (greedy, largest
first: :func:`collabatlas.views.chart_text.place_point_labels`), on scales with fixed domains so that the
pixel positions used for the placement are those Vega draws.
"""

from __future__ import annotations

import math
from dataclasses import replace

import altair as alt
import pandas as pd

from collabatlas.views.chart_base import (
    INCOME_COLOURS,
    MUTED,
    WIDTH,
    ChartContext,
    _empty,
    _records,
    _tip,
    _title,
    country_name,
)
from collabatlas.views.chart_text import field_name, place_point_labels

LANDSCAPE_HEIGHT = 360
LANDSCAPE_LABELS = 24
NETWORK_SIZE = (720, 520)
NETWORK_LABELS = 25


def landscape_bands(table: pd.DataFrame, fit: pd.DataFrame) -> pd.DataFrame:
    """Regression lines with 95 % bands for :func:`landscape_scatter` (:func:`collabatlas.analyses.landscape.bands`),
    with ``x_value`` on the chart's axis scale (GERD % of GDP when the fit is on log GERD)."""
    from collabatlas.atlas.results import fitted_lines

    out = fitted_lines(table, fit)
    if out.empty:
        return out.assign(x_value=pd.Series(dtype=float))
    raw = LOG_AXES.get(out["term"].iloc[0], (None,))[0] if out["term"].nunique() == 1 else None
    out["x_value"] = out[raw] if raw in out.columns else out["x"]
    return out


#: a regressor that is a log10, drawn as its raw value on a log axis: (raw column, axis title)
LOG_AXES = {"log_gerd": ("gerd_pct_gdp", "GERD, % of GDP (log scale)"),
            "log_gerd_ppp": ("gerd_ppp_musd", "GERD, millions of PPP $ (log scale)")}


def _label_layers(points: pd.DataFrame, x: alt.X, y: alt.Y, font_px: float = 10.0) -> list[alt.Chart]:
    """Text layers for the placed labels (``label, align``): right of the point, or left of it."""
    layers = []
    for align, dx in (("left", 6), ("right", -6)):
        part = points[points["align"] == align]
        if len(part):
            layers.append(alt.Chart(_records(part[["label", *_xy(x, y)]])).mark_text(
                align=align, dx=dx, baseline="middle", fontSize=font_px, color="#333333").encode(
                x=x, y=y, text="label:N"))
    return layers


def _xy(x: alt.X, y: alt.Y) -> list[str]:
    return [x.shorthand.split(":")[0], y.shorthand.split(":")[0]]


def landscape_scatter(table: pd.DataFrame, fit: pd.DataFrame, ctx: ChartContext, style=None) -> alt.LayerChart:
    """International share vs the fit's first regressor (GERD % of GDP, or in PPP $, on a log axis for
    ``log_gerd`` and ``log_gerd_ppp``,
    else the regressor itself, e.g. trust %) per country, coloured by income group, with each fitted
    group's regression line and 95 % confidence band; countries labelled where the labels fit.
    ``table, fit``: what :meth:`Atlas.landscape` returns; ``style``
    (:class:`collabatlas.views.figures.Style`): highlighted countries labelled first, the others faded."""
    if table.attrs.get("counting"):  # the landscape's own counting (whole works), not the page's Shares
        ctx = replace(ctx, counting=str(table.attrs["counting"]))
    xs = list(fit.attrs.get("x") or ["log_gerd"])
    on_gerd = xs[0] in LOG_AXES  # GERD as % of GDP or in PPP $: its raw value on a log axis
    x_col, x_title = LOG_AXES[xs[0]] if on_gerd else (xs[0], field_name(xs[0]))
    fitted = fit[fit["term"] == xs[0]]
    kind = fit.attrs.get("fit", "linear")  # linear (OLS), quadratic or loess: collabatlas.analyses.landscape_pool
    fits_text = "; ".join((f"{r.group}: slope {r.coef:.3f}, " if kind == "linear" else f"{r.group}: ")
                          + f"R² {r.r2:.2f}, n {r.n}" for r in fitted.itertuples())
    skipped = fit[fit["term"].isna()]
    if len(skipped):
        fits_text += " · not fitted: " + ", ".join(f"{r.group} (n {r.n})" for r in skipped.itertuples())
    pooled = table.attrs.get("caption")  # what a point is and the fit (Atlas.landscape over pooled years)
    year = (table.attrs.get("years") or (int(table["year"].iloc[0]) if len(table) else "")) if "year" in table \
        else table.attrs.get("years", "")
    held = f", {', '.join(field_name(x) for x in xs[1:])} held at the group mean" if len(xs) > 1 else ""
    how = (f"OLS of the share on {' + '.join(field_name(x) for x in xs)} with 95% confidence bands{held}"
           if kind == "linear" else pooled or f"{kind} fit of the share on {field_name(xs[0])}")
    title = _title(f"International co-authorship vs {'R&D spending' if on_gerd else x_title}, {year}", ctx,
                   f"International share = works with ≥ 2 countries / works · {how}"
                   + (f" · {pooled}" if pooled and kind == "linear" else ""),
                   fits_text or "no group fitted")
    points = table.dropna(subset=["intl_share", x_col]).copy()
    per_year = "year" in points and points["country"].duplicated().any()  # pooled country-years: "Japan 2016"
    if on_gerd:
        points = points[points[x_col] > 0]
    if points.empty:
        return _empty("no country has both values", title)
    points["label"] = [country_name(c) + (f" {y}" if per_year else "") for c, y in
                       zip(points["country"], points["year"] if per_year else points["country"], strict=True)]
    points["income_group"] = points["income_group"].astype(object).where(points["income_group"].notna(), "unknown")
    groups = [g for g in INCOME_COLOURS if g in set(points["income_group"]) or g == "all"]
    domain = groups + (["unknown"] if (points["income_group"] == "unknown").any() else [])
    colours = [INCOME_COLOURS.get(g, MUTED) for g in domain]
    legend_title = field_name("income_group")
    band_data = landscape_bands(table, fit) if len(fitted) else pd.DataFrame()
    # a fixed x domain (points and bands), so that label placement knows each point's pixel
    xs_all = pd.concat([points[x_col], band_data["x_value"] if len(band_data) else pd.Series(dtype=float)])
    lo, hi = float(xs_all.min()), float(xs_all.max())
    if on_gerd:
        lo, hi = lo / 1.15, hi * 1.15
        x_scale = alt.Scale(type="log", domain=[lo, hi], nice=False)
        def to_px(v, lo=lo, hi=hi):
            return (math.log(v) - math.log(lo)) / (math.log(hi) - math.log(lo)) * WIDTH
    else:
        pad = (hi - lo) * 0.05 or 1.0
        lo, hi = lo - pad, hi + pad
        x_scale = alt.Scale(domain=[lo, hi], nice=False, zero=False)
        def to_px(v, lo=lo, hi=hi):
            return (v - lo) / (hi - lo) * WIDTH
    x = alt.X(f"{x_col}:Q", title=x_title, scale=x_scale)
    y_scale = alt.Scale(domain=[0, 1])
    y = alt.Y("intl_share:Q", title="International share of works", axis=alt.Axis(format=".0%", grid=True),
              scale=y_scale)
    # the legend is the dots' (full colour), not the pale band fills
    colour = alt.Color("income_group:N", title=legend_title, scale=alt.Scale(domain=domain, range=colours),
                       legend=alt.Legend(symbolOpacity=1, symbolType="circle"))
    marked = [bool(style is not None and style.editorial.highlights(c)) for c in points["country"]]
    points["faded"] = [bool(style is not None and style.editorial.highlight) and not m for m in marked]
    dots = alt.Chart(_records(points)).mark_circle(size=55).encode(
        x=x, y=y, color=colour, opacity=alt.condition("datum.faded", alt.value(0.25), alt.value(0.8)),
        tooltip=[alt.Tooltip("label:N", title="country"), _tip("intl_share:Q", format=".1%"),
                 _tip(f"{x_col}:Q", format=",.2f"), _tip("works:Q"), _tip("income_group:N")])
    layers = []
    if len(band_data):
        lines = alt.Chart(_records(band_data)).encode(x=alt.X("x_value:Q", scale=x_scale, title=x_title))
        band_colour = alt.Color("group:N", title=legend_title, scale=alt.Scale(domain=domain, range=colours),
                                legend=None)
        layers += [lines.mark_area(opacity=0.12, clip=True).encode(y=alt.Y("ci_low:Q", scale=y_scale), y2="ci_high:Q",
                                                                   color=band_colour),
                   lines.mark_line(strokeWidth=2, clip=True).encode(
                       y=alt.Y("mean:Q", scale=y_scale), color=band_colour,
                       strokeDash=alt.condition("datum.group === 'all'", alt.value([5, 3]), alt.value([1, 0])))]
    points["px"] = [to_px(v) for v in points[x_col]]
    points["py"] = (1 - points["intl_share"].clip(0, 1)) * LANDSCAPE_HEIGHT
    points["value"] = points["works"] if "works" in points else 1
    points["value"] = points["value"].astype(float).where(~pd.Series(marked, index=points.index), float("inf"))
    named = place_point_labels(points, limit=LANDSCAPE_LABELS, width=WIDTH,
                               obstacles=list(zip(points["px"], points["py"], strict=False)))
    return (alt.layer(*layers, dots, *_label_layers(named, x, y)).resolve_legend(color="independent")
            .properties(title=title, width=WIDTH, height=LANDSCAPE_HEIGHT))


def network_map(net: dict, ctx: ChartContext) -> alt.LayerChart:
    """Nodes at their layout position (size ∝ total CS, colour = Leiden cluster) and edges as lines
    (width ∝ normalised weight); the largest nodes labelled where the labels fit.
    ``net``: :meth:`collabatlas.analyses.network.Network.to_dict`."""
    nodes = pd.DataFrame(net["nodes"])
    edges = pd.DataFrame(net["edges"])
    m = net["meta"]
    title = _title(f"Collaboration network of {m.get('n_nodes', len(nodes))} {m.get('level', '')} units", ctx,
                   f"edges: {m.get('normalize')} of {m.get('weight')}; Leiden clusters ({m.get('n_clusters', '?')}), "
                   f"{m.get('layout')} layout, seed {m.get('layout_seed')}")
    width, height = NETWORK_SIZE
    if nodes.empty:
        return _empty("no node under these filters", title)
    where = nodes.set_index("id")[["x", "y"]]
    pad_x = (nodes["x"].max() - nodes["x"].min()) * 0.05 or 1.0
    pad_y = (nodes["y"].max() - nodes["y"].min()) * 0.05 or 1.0
    x_dom = [float(nodes["x"].min() - pad_x), float(nodes["x"].max() + pad_x)]
    y_dom = [float(nodes["y"].min() - pad_y), float(nodes["y"].max() + pad_y)]
    axis = alt.Axis(labels=False, ticks=False, grid=False, domain=False, title=None)
    x = alt.X("x:Q", axis=axis, scale=alt.Scale(domain=x_dom, nice=False, zero=False))
    y = alt.Y("y:Q", axis=axis, scale=alt.Scale(domain=y_dom, nice=False, zero=False))
    layers = []
    if len(edges):
        lines = edges.assign(x=edges["source"].map(where["x"]), y=edges["source"].map(where["y"]),
                             x2=edges["target"].map(where["x"]), y2=edges["target"].map(where["y"]))
        layers.append(alt.Chart(lines[["x", "y", "x2", "y2", "weight"]]).mark_rule(color="#9aa7b5", opacity=0.5)
                      .encode(x=x, y=y, x2="x2:Q", y2="y2:Q",
                              strokeWidth=alt.StrokeWidth("weight:Q", legend=None, scale=alt.Scale(range=[0.3, 3]))))
    points = nodes[["id", "label", "x", "y", "cluster", "cs_total", "count", "links"]]
    layers.append(alt.Chart(points).mark_circle(opacity=0.85, stroke="white", strokeWidth=0.6).encode(
        x=x, y=y, size=alt.Size("cs_total:Q", title=field_name("cs_total"), scale=alt.Scale(range=[30, 900])),
        color=alt.Color("cluster:N", title="cluster"),
        tooltip=["label:N", "id:N", "cluster:N", _tip("cs_total:Q", format=",.2f"), _tip("count:Q"),
                 _tip("links:Q")]))
    placed = points.assign(px=(points["x"] - x_dom[0]) / (x_dom[1] - x_dom[0]) * width,
                           py=(y_dom[1] - points["y"]) / (y_dom[1] - y_dom[0]) * height,
                           value=points["cs_total"], label=points["label"].astype(str))
    named = place_point_labels(placed, limit=NETWORK_LABELS, width=width, dx=8,
                               obstacles=list(zip(placed["px"], placed["py"], strict=False)))
    layers += _label_layers(named, x, y)
    return alt.layer(*layers).properties(title=title, width=width, height=height)
