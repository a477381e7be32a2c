"""Infographic charts of the collabatlas analyses (Altair / Vega-Lite), rendered offline.

Each chart function takes the DataFrame (or report object) that an :class:`collabatlas.Atlas`
method returns, plus a :class:`ChartContext` (filters, counting rules, data version), and returns an
``alt.Chart`` (or a layered / faceted chart). ``chart.to_dict()`` is the Vega-Lite spec used by the
web dashboard; :func:`save` writes ``.html`` (JavaScript bundled inline from vl-convert, no CDN),
``.svg``, ``.png`` or ``.json``.

Every chart carries its definition, filters, counting rules and data version in its subtitle
(:meth:`ChartContext.caption`). No Share or CS is computed here: the charts plot the columns of the
Atlas results as they are.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

import altair as alt
import pandas as pd

from collabatlas.settings import small_n
from collabatlas.views import numbers
from collabatlas.views.chart_base import (  # noqa: F401 - the shared parts, re-exported for the callers of charts
    ACCENT,
    AXIS_FORMAT,
    BAR_ROW,
    CAPTION_CHARS,
    CS_DEFINITION,
    FONT,
    FOOTNOTE_AFTER,
    FOOTNOTE_MARKS,
    INCOME_COLOURS,
    INK,
    MUTED,
    PAIRS_DEFINITION,
    PALETTE,
    THEME,
    WIDTH,
    ChartContext,
    _empty,
    _labels,
    _records,
    _tip,
    _title,
    _unit_label,
    capital_coordinates,
    compact_notes,
    country_name,
)
from collabatlas.views.chart_text import group_title, possessive

if TYPE_CHECKING:
    from collabatlas.views.figures import Style


# -- the charts ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Measure:
    """What a partner chart plots: bilateral CS (work-level data) or full-count joint works
    (country-pair aggregates). The frame says which: pair results carry ``joint_works``, not ``cs``."""

    column: str
    axis: str
    short: str
    definition: str
    tip_format: str
    #: the column whose rule (:func:`collabatlas.views.numbers.cell`) writes a bar's value label, as every table
    text_column: str
    #: the partner-table column with each partner's percentage, and what it is a percentage of
    pct: str
    pct_of: str
    axis_format: str = AXIS_FORMAT


CS = Measure("cs", "Bilateral collaboration score (CS)", "Bilateral CS", CS_DEFINITION, ",.3f", "cs",
             "pct_of_international_cs", "international CS")
JOINT_WORKS = Measure("joint_works", "Joint works (full count)", "Joint works", PAIRS_DEFINITION, ",d", "joint_works",
                      "pct_of_partner_links", "partner links", axis_format=",d")


def measure_of(df: pd.DataFrame) -> Measure:
    """:data:`JOINT_WORKS` for a frame of country-pair aggregates, else :data:`CS`."""
    return JOINT_WORKS if "joint_works" in df.columns and "cs" not in df.columns else CS


def partner_bars(partners: pd.DataFrame, ctx: ChartContext, unit: str, top: int = 15,
                 style: Style | None = None) -> alt.LayerChart:
    """Horizontal bars of a unit's top partners by bilateral CS, sorted, labelled with CS and % of
    international CS. ``partners``: :meth:`Atlas.partners` (``partner[, name], joint_count, cs,
    pct_of_international_cs``), or its country-pair form (``partner, joint_works,
    pct_of_partner_links``), drawn as full-count joint works. ``style``: each bar in its unit's
    colour, the units not highlighted muted (:class:`collabatlas.views.figures.Style`)."""
    m = measure_of(partners)
    title = _title(f"Top collaborators of {unit}", ctx,
                   f"{m.definition} · % = partner's part of {possessive(unit)} {m.pct_of}")
    data = partners.head(top).copy()
    if data.empty:
        return _empty(f"{unit} has no partner under these filters", title)
    data["label"] = _labels(data, "partner")
    data = data[[c for c in ("label", "partner", "name", "country", "joint_count", m.column, m.pct)
                 if c in data.columns]]
    data["text"] = [numbers.cell(m.text_column, v)[0] + (f"  ({numbers.pct(pct)}%)" if pd.notna(pct) else "")
                    for v, pct in zip(data[m.column], data[m.pct], strict=True)]
    data["colour"] = [style.colour(p, ACCENT) if style else ACCENT for p in data["partner"]]
    order = list(data["label"])  # already ranked by the measure (ties by id)
    tips = [alt.Tooltip("label:N", title="partner"), _tip(f"{m.column}:Q", format=m.tip_format)]
    tips += [_tip("joint_count:Q")] if "joint_count" in data else []
    base = alt.Chart(_records(data)).encode(
        y=alt.Y("label:N", sort=order, title=None),
        x=alt.X(f"{m.column}:Q", title=m.axis, axis=alt.Axis(format=m.axis_format)),
        tooltip=[*tips, _tip(f"{m.pct}:Q", format=".1f")],
    )
    bars = base.mark_bar(cornerRadiusEnd=2).encode(color=alt.Color("colour:N", scale=None, legend=None))
    text = base.mark_text(align="left", dx=4).encode(text="text:N")
    return (bars + text).properties(title=title, width=WIDTH, height=BAR_ROW * len(data))


def trend_frame(trends: Mapping[str, pd.DataFrame], names: Mapping[str, str] | None = None) -> pd.DataFrame:
    """partner → :meth:`Atlas.trend` frame, stacked: ``partner, label, period, joint_count, cs``
    (with 12-month windows also ``period_start, period_end`` and ``period_label``, ``2022-08..2023-07``)
    (``partner, label, period, joint_works`` for country-pair frames; label = ``names[partner]``
    when given, else the country name with its code)."""
    frames = []
    for partner, df in trends.items():
        part = df[[c for c in ("period", "period_start", "period_end", "joint_count", "cs", "joint_works")
                   if c in df.columns]].copy()
        part.insert(0, "partner", partner)
        frames.append(part)
    if not frames:
        return pd.DataFrame(columns=["partner", "label", "period", "joint_count", "cs"])
    out = pd.concat(frames, ignore_index=True)
    named = names or {}
    labels = {p: named.get(p) or _unit_label(pd.Series({"partner": p}), "partner") for p in out["partner"].unique()}
    out.insert(1, "label", out["partner"].map(labels))
    if "period_start" in out.columns:  # 12-month windows: named by their months, never by a bare year
        out["period_label"] = [f"{a[:7]}..{b[:7]}" if isinstance(a, str) and isinstance(b, str) else str(p)
                               for p, a, b in zip(out["period"], out["period_start"], out["period_end"], strict=True)]
    return out


def trend_lines(trends: Mapping[str, pd.DataFrame], ctx: ChartContext, unit: str,
                names: Mapping[str, str] | None = None, title: str | None = None,
                style: Style | None = None) -> alt.LayerChart:
    """Bilateral CS (or, from country-pair aggregates, full-count joint works) per period of ``unit``
    with several partners, one line per partner.
    ``trends``: partner → :meth:`Atlas.trend` frame (``period, joint_count, cs, change_pct``);
    ``names``: partner → label (institution names; countries are named by default); ``title``
    replaces the default (the pair explorer: "Collaboration of Japan and China, per year");
    ``style``: each line in its unit's colour, the others muted when some are highlighted. Up to
    :data:`DIRECT_LABELS` lines are named at their end instead of in a legend; 12-month windows are
    labelled with their bounds (``2022-08..2023-07``)."""
    data = trend_frame(trends, names)
    m = measure_of(data)
    windows = "period_label" in data.columns
    if windows:
        bounds = f"{data['period_start'].min()}..{data['period_end'].max()}"
        per = f"per 12-month window ({data['period_label'].iloc[0]} … {data['period_label'].iloc[-1]}; {bounds})"
    else:
        per = "per publication year"
    n_column = "joint_count" if "joint_count" in data else ("joint_works" if "joint_works" in data else None)
    few = small_n()
    small = data[n_column] < few if n_column else pd.Series(False, index=data.index)
    notes = [f"hollow points: fewer than {few} joint works in the period (n in the tooltip)"] if small.any() else []
    title = _title(title or f"Collaboration of {unit} with its top partners, {per.split(' (')[0]}", ctx,
                   f"{m.definition}, {per}", *notes)
    if data.empty:
        return _empty("no partner to show", title)
    order = list(dict.fromkeys(data["label"]))
    firsts = data.drop_duplicates("label")
    series = dict(zip(firsts["label"], firsts["partner"], strict=True))
    colours = [style.colour(series[lb]) if style else (PALETTE * 3)[i] for i, lb in enumerate(order)]
    direct = len(order) <= DIRECT_LABELS
    colour = alt.Color("label:N", sort=order, title="partner", scale=alt.Scale(domain=order, range=colours),
                       legend=None if direct else alt.Legend())
    x_field = "period_label" if "period_label" in data else "period"
    tips = [alt.Tooltip("label:N", title="partner"), _tip(f"{x_field}:O", title="period"),
            _tip(f"{m.column}:Q", format=m.tip_format)]
    base = alt.Chart(_records(data)).encode(
        x=alt.X(f"{x_field}:O", title=None, sort=list(dict.fromkeys(data[x_field])),
                axis=alt.Axis(labelAngle=0, grid=False, labelOverlap=True)),
        y=alt.Y(f"{m.column}:Q", title=m.short, axis=alt.Axis(format=m.axis_format, grid=True)),
        color=colour,
        tooltip=tips + ([_tip("joint_count:Q")] if "joint_count" in data else []),
    )
    data["small_n"] = small.astype(bool)
    base = base.properties(data=_records(data))
    layers = [base.mark_line()]
    if not small.all():  # no layer filtered to nothing: Vega warns of an infinite extent in the console
        layers.append(base.mark_point().transform_filter("!datum.small_n"))
    if small.any():
        layers.append(base.mark_point(filled=False, fill="white", strokeWidth=1.5).transform_filter("datum.small_n"))
    if direct:
        layers += _line_end_labels(data, x_field, m.column, order, colours)
    width = WIDTH - (max(len(lb) for lb in order) * 6 + 10 if direct else 0)
    return alt.layer(*layers).properties(title=title, width=max(width, 320), height=320)


#: a trend chart names up to this many lines at their ends (more: a legend)
DIRECT_LABELS = 8
LINE_LABEL_GAP = 13  # pixels between two line-end labels


def _line_end_labels(data: pd.DataFrame, x_field: str, column: str, order: list[str],
                     colours: list[str]) -> list[alt.Chart]:
    """One text layer per line: its name right of its last point, in its colour, nudged apart
    vertically (pixel offsets on the 320 px plot) so that no two labels overlap."""
    last = data.groupby("label", sort=False).tail(1).set_index("label")
    top = float(data[column].max() or 1.0)
    wanted = sorted(((320 * (1 - float(last[column].get(lb, 0) or 0) / top), lb) for lb in order), reverse=True)
    placed: dict[str, float] = {}
    floor = 10_000.0
    for y, lb in wanted:  # from the bottom up: each label at least a gap above the one below
        placed[lb] = min(y, floor - LINE_LABEL_GAP)
        floor = placed[lb]
    periods = list(dict.fromkeys(data[x_field]))  # the lines' x order: one sort for every layer (no warning)
    layers = []
    for lb, colour in zip(order, colours, strict=True):
        if lb not in last.index:
            continue
        wanted_y = next(v for v, name in wanted if name == lb)
        row = pd.DataFrame({"partner": [last.loc[lb, "partner"]], "period": [last.loc[lb, "period"]],
                            x_field: [last.loc[lb, x_field]], column: [last.loc[lb, column]], "label": [lb]})
        layers.append(alt.Chart(_records(row)).mark_text(align="left", dx=8, dy=placed[lb] - wanted_y, fontSize=11,
                                                          fontWeight=600, color=colour)
                      .encode(x=alt.X(f"{x_field}:O", sort=periods), y=alt.Y(f"{column}:Q"), text="label:N"))
    return layers


def subject_frame(by_subject: Mapping[str, pd.DataFrame], top: int = 5) -> pd.DataFrame:
    """subject → :meth:`Atlas.partners` frame, each cut to ``top``, stacked with a ``subject`` column."""
    frames = []
    for subject, df in by_subject.items():
        part = df.head(top).copy()
        if part.empty:
            continue
        part["label"] = _labels(part, "partner")
        part.insert(0, "subject", subject)
        frames.append(part[["subject", "partner", "label", "joint_count", "cs"]])
    if not frames:
        return pd.DataFrame(columns=["subject", "partner", "label", "joint_count", "cs"])
    return pd.concat(frames, ignore_index=True)


def subject_small_multiples(by_subject: Mapping[str, pd.DataFrame], ctx: ChartContext, unit: str,
                            top: int = 5, columns: int = 3, title: str | None = None) -> alt.ConcatChart:
    """One small bar chart per subject: ``unit``'s top ``top`` partners by CS in that subject.
    ``by_subject``: subject title → :meth:`Atlas.partners` frame computed with that subject filter.
    Subjects without a partner are named in the caption instead of drawn empty."""
    data = subject_frame(by_subject, top)
    without = [s for s, df in by_subject.items() if df.empty]
    definition = f"{CS_DEFINITION}, within each Nature Index subject area (OpenAlex field → subject)"
    if without:
        definition += " · no partner in: " + ", ".join(without)
    head = _title(title or f"Top partners of {unit} by subject", ctx, definition)
    if data.empty:
        return _empty("no joint work in any subject" if title else f"{unit} has no partner in any subject", head)
    subjects = list(dict.fromkeys(data["subject"]))
    # room right of the longest bar for its value, which would otherwise run into the next panel
    x_scale = alt.Scale(domain=[0, float(data["cs"].max()) * 1.3 or 1], nice=True)
    # one layered panel per subject, concatenated (not a facet): a facet of layers with independent y
    # scales makes Vega-Lite union domains from different sources and warn in the browser's console.
    # Each panel filters the one dataset; its bars are strongest first in row order (sort=None).
    ranked = data  # each subject's rows in the Atlas's ranking order (ties at 1e-9 by id): no second sort
    bars = alt.Chart().mark_bar(color=ACCENT, cornerRadiusEnd=2).encode(
        y=alt.Y("label:N", sort=None, title=None),
        x=alt.X("cs:Q", title="Bilateral CS", scale=x_scale, axis=alt.Axis(format=AXIS_FORMAT, tickCount=4)),
        tooltip=[_tip("subject:N"), alt.Tooltip("label:N", title="partner"), _tip("cs:Q", format=",.3f"),
                 _tip("joint_count:Q")],
    )
    text = alt.Chart().mark_text(align="left", dx=3, fontSize=10).encode(
        y=alt.Y("label:N", sort=None), x="cs:Q", text=alt.Text("cs:Q", format=f",.{numbers.DECIMALS}f"))
    panels = [alt.layer(bars, text).transform_filter(alt.FieldEqualPredicate(field="subject", equal=subject))
              .properties(width=170, height=alt.Step(BAR_ROW),
                          title=alt.TitleParams(subject, fontSize=12, anchor="middle", subtitle=""))
              for subject in subjects]
    return alt.concat(*panels, columns=columns, data=_records(ranked)).properties(title=head)


def group_measure(group_partners: pd.DataFrame) -> tuple[Measure, str]:
    """The measure of a ``GroupReport.partners`` frame and its column prefix: CS (``cs_<period>``)
    from works, full-count joint works (``joint_<period>`` only) from country-pair aggregates."""
    if any(c.startswith("cs_") for c in group_partners.columns):
        return CS, "cs_"
    return JOINT_WORKS, "joint_"


def period_columns(group_partners: pd.DataFrame) -> list[str]:
    """The period labels of a ``GroupReport.partners`` frame, in order (``cs_2013-2015`` → ``2013-2015``)."""
    prefix = group_measure(group_partners)[1]
    return [c[len(prefix):] for c in group_partners.columns if c.startswith(prefix)]


def circles_frame(group_partners: pd.DataFrame, periods: tuple[str, str] | None = None) -> pd.DataFrame:
    """``GroupReport.partners`` in long form for :func:`two_period_circles`:
    ``partner, label, period, cs, growth_pct`` (``joint_works`` instead of ``cs`` from pairs)."""
    m, prefix = group_measure(group_partners)
    labels = period_columns(group_partners)
    first, last = periods or (labels[0], labels[-1])
    data = group_partners.copy()
    data["label"] = _labels(data, "partner")
    long = data.melt(id_vars=["partner", "label", "growth_pct"], value_vars=[f"{prefix}{first}", f"{prefix}{last}"],
                     var_name="period", value_name=m.column)
    long["period"] = long["period"].str[len(prefix):]
    return long[["partner", "label", "period", m.column, "growth_pct"]]


def two_period_circles(group_partners: pd.DataFrame, ctx: ChartContext, country: str, group: str,
                       periods: tuple[str, str] | None = None, style: Style | None = None) -> alt.HConcatChart:
    """The Belt and Road infographic: for each partner (rows), a circle per period (two columns)
    whose *area* is proportional to CS, with the CS written beside it and the growth % in a third
    column. ``group_partners``: ``GroupReport.partners`` (``partner, cs_<period>..., growth_pct``);
    ``periods`` defaults to the first and last ``cs_<period>`` columns; ``style``: the partners not
    highlighted drawn muted."""
    named = country_name(country)
    m = group_measure(group_partners)[0]
    what = "CS" if m is CS else "joint works"
    title = _title(f"{named} and its partners among {group_title(group)}: {what} in two periods", ctx,
                   f"{m.definition} · circle area proportional to {what}",
                   f"growth = change of {what} from the first to the last period")
    if group_partners.empty:
        return _empty(f"{named} has no partner among {group_title(group)}", title)
    data = circles_frame(group_partners, periods)
    order = list(dict.fromkeys(data["label"]))  # GroupReport order: CS in the last period
    first, last = list(dict.fromkeys(data["period"]))
    height = 34 * len(order)
    y = alt.Y("label:N", sort=order, title=None, axis=alt.Axis(grid=False, domain=False, ticks=False,
                                                                labelFontSize=12, labelPadding=8))
    x = alt.X("period:N", sort=[first, last], title=None,
              axis=alt.Axis(orient="top", labelAngle=0, labelFontWeight=600, labelFontSize=12, domain=False,
                            ticks=False, grid=False))
    size = alt.Size(f"{m.column}:Q", title=m.short,
                    scale=alt.Scale(type="linear", zero=True, rangeMin=0, rangeMax=1100), legend=None)
    data["muted"] = [bool(style and style.editorial.highlights(p) is False) for p in data["partner"]]
    base = alt.Chart(_records(data)).encode(y=y, x=x)
    period_colour = alt.Color("period:N", sort=[first, last], scale=alt.Scale(range=[PALETTE[4], PALETTE[0]]),
                              legend=None)
    circles = base.mark_circle(opacity=0.85).encode(
        size=size, color=alt.condition("datum.muted", alt.value(MUTED), period_colour),
        tooltip=[alt.Tooltip("label:N", title="partner"), _tip("period:N"), _tip(f"{m.column}:Q", format=m.tip_format)])
    values = base.mark_text(align="left", dx=22, fontSize=11).encode(
        text=alt.Text(f"{m.column}:Q", format=",.1f" if m is CS else ",.0f"))
    panel = (circles + values).properties(width=260, height=height)
    growth = data[data["period"] == last].copy()
    growth["growth"] = [(("new" if cs > 0 else "–") if pd.isna(g) else f"{g:+.0f}%")
                        for g, cs in zip(growth["growth_pct"], growth[m.column], strict=True)]
    growth["direction"] = ["none" if pd.isna(g) else ("up" if g >= 0 else "down") for g in growth["growth_pct"]]
    growth["column"] = "growth"
    growth_text = alt.Chart(_records(growth)).mark_text(fontWeight=700, fontSize=12).encode(
        y=alt.Y("label:N", sort=order, axis=None), x=alt.X("column:N", title=None, axis=alt.Axis(
            orient="top", labelAngle=0, labelFontWeight=600, labelFontSize=12, domain=False, ticks=False, grid=False)),
        text="growth:N",
        color=alt.Color("direction:N", scale=alt.Scale(domain=["up", "down", "none"],
                                                       range=[PALETTE[2], PALETTE[3], MUTED]), legend=None),
    ).properties(width=70, height=height)
    return (alt.hconcat(panel, growth_text, spacing=0).resolve_scale(color="independent")
            .properties(title=title))


#: the columns holding the own side's % of a contribution bar (computed in SQL)
OWN_PCT_COLUMNS = ("own_pct", "contribution_pct")


def contribution_frame(partners: pd.DataFrame, own: str = "own_share", other: str = "partner_share",
                       labels: tuple[str, str] = ("own contribution", "partner contribution"),
                       key: str = "partner") -> pd.DataFrame:
    """Long form for :func:`contribution_bars`: ``partner, label, side, share, pct, pct_label``
    (pct = the side's % of the bar: the own side's % as computed in SQL — ``own_pct`` of
    :func:`collabatlas.counting.derived.partner_detail_sql`, ``contribution_pct`` of the industry
    table — and the other side the rest of 100)."""
    own_pct = next((c for c in OWN_PCT_COLUMNS if c in partners.columns), None)
    if own_pct is None:
        raise ValueError(f"contribution bars need the own side's % of the bar ({' or '.join(OWN_PCT_COLUMNS)}), "
                         "computed with the numbers in SQL")
    data = partners.copy()
    data["label"] = _labels(data, key)
    long = data.melt(id_vars=[key, "label", own_pct], value_vars=[own, other], var_name="side", value_name="share")
    long["pct"] = long[own_pct].where(long["side"] == own, 100 - long[own_pct])
    long = long.drop(columns=own_pct)
    long["side"] = long["side"].map({own: labels[0], other: labels[1]})
    long["pct_label"] = [None if pd.isna(v) else f"{v:.0f}%" for v in long["pct"]]
    return long.rename(columns={key: "partner"})


def contribution_bars(partners: pd.DataFrame, ctx: ChartContext, unit_name: str,
                      own: str = "own_share", other: str = "partner_share",
                      labels: tuple[str, str] = ("own contribution", "partner contribution"),
                      key: str = "partner", title: str | None = None) -> alt.LayerChart:
    """Stacked bars, one per partner: each side's Share on the joint works (own vs partner
    contribution); the bar's length is their sum, the bilateral CS. ``partners``:
    ``InstitutionProfile.partners`` (``own_share, partner_share``) or :meth:`Atlas.industry` with
    ``own="own_share", other="academic_share", key="unit"``."""
    head = _title(title or f"Who contributes what: {unit_name} and its top partners", ctx,
                  f"Bar = Σ Shares of both sides on their joint works (= bilateral CS) · "
                  f"{labels[0]} = {possessive(unit_name)} Share, {labels[1]} = the partner's Share · % of the bar")
    if partners.empty:
        return _empty("no partner under these filters", head)
    data = contribution_frame(partners, own, other, labels, key)
    order = list(dict.fromkeys(data["label"]))
    longest = float(data.groupby("partner")["share"].sum().max() or 1.0)
    # a % label is written only where its segment is wide enough for it (pixels on a fixed domain)
    from collabatlas.views.chart_text import text_width

    seg_px = data["share"].fillna(0) / longest * WIDTH
    fits = [isinstance(t, str) and px >= text_width(t, 11) + 10
            for t, px in zip(data["pct_label"], seg_px, strict=True)]
    data["pct_label"] = pd.Series([t if ok else None for t, ok in zip(data["pct_label"], fits, strict=True)],
                                  index=data.index, dtype=object)
    base = alt.Chart(_records(data)).encode(
        y=alt.Y("label:N", sort=order, title=None),
        x=alt.X("share:Q", stack="zero", title="Share on joint works", axis=alt.Axis(format=AXIS_FORMAT),
                scale=alt.Scale(domain=[0, longest], nice=False)),
        order=alt.Order("side_order:Q"),
        tooltip=[alt.Tooltip("label:N", title="partner"), alt.Tooltip("side:N", title="side"),
                 alt.Tooltip("share:Q", format=",.3f", title="Share"), alt.Tooltip("pct:Q", format=".0f",
                                                                                    title="% of the bar")],
    ).transform_calculate(side_order=f"datum.side === '{labels[0]}' ? 0 : 1")
    bars = base.mark_bar().encode(color=alt.Color("side:N", sort=list(labels), title=None,
                                                  scale=alt.Scale(domain=list(labels), range=[ACCENT, PALETTE[1]])))
    text = base.mark_text(align="right", dx=-4, color="white", fontWeight=600).encode(
        text="pct_label:N").transform_filter("isValid(datum.pct_label)")
    return (bars + text).properties(title=head, width=WIDTH, height=BAR_ROW * len(order))


def hotspot_bars(hotspots: pd.DataFrame, ctx: ChartContext, unit_name: str) -> alt.LayerChart:
    """Bars of the % of international CS per hotspot country, "rest of world" last and greyed.
    ``hotspots``: ``InstitutionProfile.hotspots`` (``country, cs, pct_of_international_cs``)."""
    from collabatlas.atlas.results import REST_OF_WORLD

    title = _title(f"International collaboration hotspots of {unit_name}", ctx,
                   "% of international CS = CS with partner institutions in the country / CS with all "
                   "partners abroad · top countries, then the rest of the world")
    if hotspots.empty:
        return _empty(f"{unit_name} has no international partner under these filters", title)
    data = hotspots.copy()
    data["label"] = [REST_OF_WORLD if c == REST_OF_WORLD else _unit_label(pd.Series({"partner": c}), "partner")
                     for c in data["country"]]
    data["rest"] = data["country"] == REST_OF_WORLD
    order = list(data.loc[~data["rest"], "label"]) + list(data.loc[data["rest"], "label"])
    base = alt.Chart(_records(data)).encode(
        y=alt.Y("label:N", sort=order, title=None),
        x=alt.X("pct_of_international_cs:Q", title="% of international CS", scale=alt.Scale(domain=[0, 100])),
        tooltip=[alt.Tooltip("label:N", title="country"), _tip("cs:Q", format=",.3f"),
                 _tip("pct_of_international_cs:Q", format=".1f")],
    )
    bars = base.mark_bar(cornerRadiusEnd=2).encode(
        color=alt.condition("datum.rest", alt.value(MUTED), alt.value(ACCENT)))
    text = base.mark_text(align="left", dx=4).encode(text=alt.Text("pct_of_international_cs:Q", format=".1f"))
    return (bars + text).properties(title=title, width=WIDTH, height=BAR_ROW * len(data))


def world_map(values: pd.DataFrame, ctx: ChartContext, title: str, value: str = "cs",
              country: str = "partner", data_dir=None, definition: str = CS_DEFINITION,
              value_title: str = "Bilateral CS", focus: str | None = None,
              style: Style | None = None) -> alt.LayerChart:
    """Choropleth over country outlines (:mod:`collabatlas.views.world_map`); the focus country marked."""
    from collabatlas.views.world_map import world_map as draw

    return draw(values, ctx, title, value=value, country=country, data_dir=data_dir, definition=definition,
                value_title=value_title, focus=focus, style=style)


# the scatter charts (landscape, network) live in charts_points; re-exported below


from collabatlas.views.chart_output import (  # noqa: E402,F401 - re-exported
    FORMATS,
    HTML_PAGE,
    _vl_version,
    javascript_bundle,
    save,
    spec,
    to_html,
    to_png,
    to_svg,
)
from collabatlas.views.charts_points import landscape_bands, landscape_scatter, network_map  # noqa: E402,F401 - re-exported
