"""One figure model behind every view: a :class:`Figure` is built once — its table, the inputs of its
chart, its caption parts, its n, its editorial fields and the colours of its units — and the CLI
``chart``, ``report`` (HTML, PNG/SVG and ``data/<figure-id>.csv``), the fact sheets and the
dashboard render that object (issue 26).

- :attr:`Figure.table` is the data of the figure as the matching command prints it with
  ``--format csv`` (:meth:`Figure.csv` uses the same writer, :func:`collabatlas.views.table_text.table_csv`);
- :meth:`Figure.chart` draws it once with the chart function of :mod:`collabatlas.views.charts` it
  was built with, then applies the :class:`Editorial` fields (title, subtitle, note; highlighted
  units, the others muted);
- :attr:`Figure.colours` maps each unit to its colour: one assignment per run
  (:func:`unit_colours`, by rank in the focus unit's partner list), so a unit has the same colour in
  every figure of a report, a fact sheet or two ``chart`` commands on the same focus and filters.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import ClassVar

import altair as alt
import pandas as pd

from collabatlas.views.chart_base import CAPTION_CHARS, MUTED, PALETTE, ChartContext
from collabatlas.views.chart_text import wrap
from collabatlas.views.table_text import table_csv

#: series colours by rank: the Okabe & Ito palette, then further colours distinct from it; ranks beyond
#: the list reuse it from the start (a figure draws at most ``top`` units; ≤ 8 series get direct labels)
SERIES_COLOURS = (*PALETTE, "#8C564B", "#6A3D9A", "#1B9E77", "#B15928", "#E7298A", "#66A61E", "#A6761D")


@dataclass(frozen=True)
class Editorial:
    """A figure's own words and emphasis (``--title``, ``--subtitle``, ``--note``, ``--highlight``):
    the title replaces the generated one; the subtitle is written above the caption, the note below
    it; highlighted units keep their colour and the others are drawn muted."""

    title: str | None = None
    subtitle: str | None = None
    note: str | None = None
    highlight: tuple[str, ...] = ()

    @classmethod
    def of(cls, title: str | None = None, subtitle: str | None = None, note: str | None = None,
           highlight: str | Sequence[str] | None = None) -> Editorial:
        """From the command-line values (``highlight="CN,DE"``); blank values are left out."""
        units = highlight.split(",") if isinstance(highlight, str) else list(highlight or ())
        clean = tuple(dict.fromkeys(u.strip() for u in units if u and u.strip()))
        return cls(*(v.strip() if isinstance(v, str) and v.strip() else None for v in (title, subtitle, note)),
                   highlight=clean)

    def given(self) -> bool:
        return bool(self.title or self.subtitle or self.note or self.highlight)

    def highlights(self, unit: str) -> bool | None:
        """Whether ``unit`` is highlighted; ``None`` when nothing is (every unit in full colour)."""
        if not self.highlight:
            return None
        return str(unit).casefold() in {h.casefold() for h in self.highlight}


@dataclass(frozen=True)
class Style:
    """What a chart function takes from the figure model besides its data: the unit colours and the
    highlighted units."""

    colours: Mapping[str, str] = field(default_factory=dict)
    editorial: Editorial = field(default_factory=Editorial)

    def colour(self, unit: str, default: str = PALETTE[0]) -> str:
        """The colour of ``unit``: muted when others are highlighted, else its assigned colour."""
        if self.editorial.highlights(unit) is False:
            return MUTED
        return self.colours.get(str(unit), default)


def unit_colours(ranked: Sequence[str], also: Sequence[str] = ()) -> dict[str, str]:
    """unit → colour: the units of ``ranked`` (the focus unit's partners, strongest first) by rank,
    then those of ``also`` not among them, in order. The same ranking gives the same colours."""
    units = list(dict.fromkeys([*map(str, ranked), *map(str, also)]))
    return {u: SERIES_COLOURS[i % len(SERIES_COLOURS)] for i, u in enumerate(units)}


@dataclass(eq=False)  # a figure is itself (its table is a DataFrame, which has no single truth value)
class Figure:
    """One figure: ``id`` (its file stem, ``data/<id>.csv``), ``kind`` (the chart kind), ``table``,
    the chart function ``draw`` with its inputs ``args`` / ``kwargs``, the caption context ``ctx``
    and ``definition``, ``n`` (the units drawn; each row's works are in the table), the editorial
    fields and the unit colours."""

    id: str
    kind: str
    table: pd.DataFrame
    draw: Callable[..., alt.TopLevelMixin]
    args: tuple = ()
    kwargs: dict = field(default_factory=dict)
    ctx: ChartContext = field(default_factory=ChartContext)
    definition: str = ""
    n: int | None = None
    editorial: Editorial = field(default_factory=Editorial)
    colours: Mapping[str, str] = field(default_factory=dict)
    _drawn: alt.TopLevelMixin | None = field(default=None, repr=False, compare=False)
    is_figure: ClassVar[bool] = True

    def with_editorial(self, editorial: Editorial) -> Figure:
        return replace(self, editorial=editorial, _drawn=None)

    def chart(self) -> alt.TopLevelMixin:
        """The chart (drawn once): the chart function on the figure's inputs, with the editorial fields
        and the unit colours; ``usermeta.colours`` carries the colour assignment."""
        if self._drawn is None:
            kwargs = dict(self.kwargs)
            if "style" in inspect.signature(self.draw).parameters:
                kwargs["style"] = Style(self.colours, self.editorial)
            drawn = apply_editorial(self.draw(*self.args, **kwargs), self.editorial)
            if self.colours:
                drawn = drawn.properties(usermeta={"colours": dict(self.colours), "figure": self.id})
            self._drawn = drawn
        return self._drawn

    def to_dict(self) -> dict:
        """The Vega-Lite spec (as ``alt.Chart.to_dict``)."""
        return self.chart().to_dict()

    def csv(self, raw: bool = False) -> str:
        """The table as CSV text, as ``--format csv`` of the matching command prints it."""
        return table_csv(self.table, raw)

    def caption_parts(self) -> dict[str, object]:
        """definition · source · counting · filters · period bounds · data version."""
        return {"definition": self.definition, "source": self.ctx.source, "counting": self.ctx.counting,
                "filters": self.ctx.filters_text(), "period": period_bounds(self.table),
                "data_version": self.ctx.data_version}


def period_bounds(table: pd.DataFrame) -> str | None:
    """``2022-08-01..2023-07-31``: the first start and last end of a table with ``period_start`` /
    ``period_end`` (12-month windows), else None."""
    if {"period_start", "period_end"} <= set(table.columns) and len(table):
        return f"{min(table['period_start'])}..{max(table['period_end'])}"
    return None


def apply_editorial(chart: alt.TopLevelMixin, editorial: Editorial) -> alt.TopLevelMixin:
    """``chart`` with the editorial title, the subtitle above the caption and the note below it."""
    if not (editorial.title or editorial.subtitle or editorial.note):
        return chart
    title = chart.title if chart.title is not alt.Undefined else alt.TitleParams(text="")
    if isinstance(title, str):
        title = alt.TitleParams(text=title)
    text = editorial.title or title.text
    caption = title.subtitle if title.subtitle is not alt.Undefined else []
    caption = [caption] if isinstance(caption, str) else list(caption)
    lines = [*wrap([editorial.subtitle], CAPTION_CHARS)] if editorial.subtitle else []
    lines += caption
    if editorial.note:
        lines += wrap([f"Note: {editorial.note}"], CAPTION_CHARS)
    return chart.properties(title=alt.TitleParams(text=text, subtitle=lines))


def figure(id: str, table: pd.DataFrame, draw: Callable[..., alt.TopLevelMixin], *args, kind: str | None = None,
           defines: str = "", editorial: Editorial | None = None, colours: Mapping[str, str] | None = None,
           n: int | None = None, **kwargs) -> Figure:
    """A :class:`Figure` of ``table`` drawn by ``draw(*args, **kwargs)``; the context is the ``ctx``
    among ``args`` / ``kwargs`` (its caption context); ``defines``: the definition its caption states."""
    ctx = kwargs.get("ctx") or next((a for a in args if isinstance(a, ChartContext)), ChartContext())
    return Figure(id=id, kind=kind or id, table=table, draw=draw, args=args, kwargs=kwargs, ctx=ctx,
                  definition=defines, n=len(table) if n is None else n, editorial=editorial or Editorial(),
                  colours=dict(colours or {}))


def chart_of(item) -> alt.TopLevelMixin:
    """The Altair chart of a :class:`Figure` or of a chart given as it is."""
    return item.chart() if isinstance(item, Figure) else item
