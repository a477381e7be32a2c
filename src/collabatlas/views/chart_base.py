"""What every chart of collabatlas shares: the theme (type, Okabe–Ito palette, gridlines), the
caption (:class:`ChartContext`: definition, filters, counting, source, data version; long code lists
as footnotes), unit labels, and the small helpers the chart modules use (:mod:`.charts`,
:mod:`.charts_points`, :mod:`.charts_distance`, :mod:`.world_map` import from here, never from each
other, so no chart module imports another in a circle)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import altair as alt
import pandas as pd

from collabatlas.atlas import __version__, reference
from collabatlas.atlas.inputs import declared
from collabatlas.counting.options import as_typed, describe
from collabatlas.views.chart_text import field_name, group_title, wrap

# -- theme --------------------------------------------------------------------------------------

#: Okabe & Ito (2008) colour-blind-safe palette, strongest contrasts first.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#56B4E9", "#CC79A7", "#F0E442", "#000000"]
ACCENT = PALETTE[0]
MUTED = "#9a9a9a"
INK = "#222222"
FONT = "Liberation Sans, Helvetica, Arial, sans-serif"
THEME = "collabatlas"
#: income groups from high to low, each with a fixed colour (same in every chart)
INCOME_COLOURS = {"high": PALETTE[0], "upper-middle": PALETTE[2], "lower-middle": PALETTE[1], "low": PALETTE[3],
                  "all": INK}
BAR_ROW = 22  # pixels per bar
WIDTH = 520


@alt.theme.register(THEME, enable=True)
def _theme() -> alt.theme.ThemeConfig:
    """One look for every chart: type, colours, light horizontal gridlines only, left-aligned titles."""
    return {
        "config": {
            "font": FONT,
            "background": "white",
            "padding": 12,
            "view": {"stroke": None, "continuousWidth": WIDTH, "continuousHeight": 300},
            "title": {"anchor": "start", "fontSize": 17, "fontWeight": 700, "color": INK, "offset": 14,
                      "subtitleFontSize": 11, "subtitleColor": "#555555", "subtitlePadding": 6,
                      "subtitleLineHeight": 15},
            "axis": {"labelFontSize": 11, "titleFontSize": 12, "titleFontWeight": 600, "titleColor": INK,
                     "labelColor": "#333333", "domainColor": "#888888", "tickColor": "#888888",
                     "gridColor": "#e6e6e6", "labelLimit": 240},
            "axisX": {"grid": True}, "axisY": {"grid": False},
            "axisBand": {"ticks": False, "domain": False},
            "legend": {"labelFontSize": 11, "titleFontSize": 12, "titleFontWeight": 600, "orient": "bottom",
                       "direction": "horizontal", "symbolType": "circle"},
            "header": {"labelFontSize": 13, "labelFontWeight": 600, "titleFontSize": 13, "labelColor": INK},
            "range": {"category": PALETTE, "ordinal": PALETTE},
            "bar": {"color": ACCENT}, "line": {"color": ACCENT, "strokeWidth": 2.5},
            "point": {"color": ACCENT, "filled": True, "size": 50},
            "text": {"font": FONT, "fontSize": 11, "color": INK},
            "numberFormat": ",.2~f",
        }
    }


# -- caption ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ChartContext:
    """What a chart's caption says besides its definition: the filters, counting rules, source and
    data version of the numbers it shows.

    ``filters`` maps a filter name to its value as the user gave it (``{"years": "2015-2021",
    "subject": "ni:chemistry"}``); empty values are left out of the caption.
    """

    filters: Mapping[str, object] = field(default_factory=dict)
    data_version: int | None = None
    #: the words of the engine's declaration, as the API's ``meta.counting`` and the CLI's titles say them
    counting: str = field(default_factory=lambda: declared("works").counting_label)
    source: str = "works"

    @classmethod
    def from_atlas(cls, atlas, counting: str | None = None, source: str | None = None, **filters) -> ChartContext:
        """The context of results computed from ``atlas`` under ``filters`` (years, window, subject, type, ...);
        the source says where the store's works come from (``works from OpenAlex, WoS, Scopus, PubMed``)."""
        from collabatlas.views.chart_text import source_text

        kept = {k: v for k, v in filters.items() if v not in (None, "", False)}
        return cls(filters=kept, data_version=atlas.data_version,
                   counting=counting or declared("works").counting_label, source=source or source_text(atlas))

    def with_filters(self, **more) -> ChartContext:
        """A copy with ``more`` filters added (``None`` removes one)."""
        merged = {**self.filters, **more}
        return ChartContext({k: v for k, v in merged.items() if v not in (None, "", False)},
                            self.data_version, self.counting, self.source)

    def filters_text(self) -> str:
        """``"years 2015-2021, subject ni:chemistry"`` (empty filters left out), or ``"all works (no filter)"``;
        a group is named by its description (``group Belt and Road countries (bri)``)."""
        return describe(self.filters, value_text=self._value)

    @staticmethod
    def _value(key: str, value) -> str:
        if key == "group":
            named = group_title(str(value))
            return f"{named} ({value})" if named != str(value) else str(value)
        return as_typed(key, value)

    def caption(self, definition: str, *notes: str, width: int = 0) -> list[str]:
        """Subtitle lines: the definition, any notes, then filters · counting · source · data version ·
        collabatlas version; with ``width``, lines longer than that many characters are wrapped. A note
        listing many codes (``as points: HK, MO, SG, ...``) is shortened to its count, the list moved to
        a footnote after the last line (:func:`compact_notes`)."""
        version = "?" if self.data_version is None else self.data_version
        notes, footnotes = compact_notes(notes)
        lines = [definition, *notes, f"{self.filters_text()} · {self.counting} · {self.source} · "
                                     f"data version {version} · collabatlas {__version__}", *footnotes]
        return wrap(lines, width) if width else lines


#: a note listing more codes than this keeps only their number; the list goes to a footnote
FOOTNOTE_AFTER = 6
FOOTNOTE_MARKS = "¹²³⁴⁵⁶⁷⁸⁹"


def compact_notes(notes) -> tuple[list[str], list[str]]:
    """(notes, footnotes): a note ``what: A, B, C, ...`` with more than :data:`FOOTNOTE_AFTER` short
    codes becomes ``what: 12 (list¹)`` and ``¹ A, B, C, ...`` a footnote."""
    kept, footnotes = [], []
    for note in notes:
        what, sep, rest = str(note).partition(": ")
        items = [x.strip() for x in rest.split(",")] if sep else []
        if len(items) > FOOTNOTE_AFTER and all(0 < len(x) <= 4 for x in items):
            mark = FOOTNOTE_MARKS[len(footnotes) % len(FOOTNOTE_MARKS)]
            kept.append(f"{what}: {len(items)} (listed below{mark})")
            footnotes.append(f"{mark} {what}: {', '.join(items)}")
        else:
            kept.append(note)
    return kept, footnotes


#: caption lines are wrapped to this many characters (11 px type: about 560 px), so none is cut
CAPTION_CHARS = 96


def _title(text: str, ctx: ChartContext, definition: str, *notes: str, width: int = CAPTION_CHARS) -> alt.TitleParams:
    return alt.TitleParams(text=text, subtitle=ctx.caption(definition, *notes, width=width))


def _tip(column: str, **kw) -> alt.Tooltip:
    """A tooltip row titled with the column's human name."""
    return alt.Tooltip(column, title=kw.pop("title", None) or field_name(column.split(":")[0]), **kw)


#: axis number format: as many significant digits as the ticks need, so no two ticks read the same
#: (0.05, 0.1, 0.15) and round numbers stay plain (90, 100, 110 — never "1e+2")
AXIS_FORMAT = ",~r"


# -- labels ------------------------------------------------------------------------------------

def country_name(code: str) -> str:
    """``"IT"`` → ``"Italy"`` (the code itself when unknown)."""
    if not isinstance(code, str) or len(code) != 2:
        return str(code)
    return reference.short_names().get(code, code)


def _unit_label(row: pd.Series, key: str) -> str:
    """Readable label of a unit row: institution name (with its ``country`` code when the row has
    one: "Kyoto University (JP)"), else country name with code."""
    name = row.get("name")
    code = str(row[key])
    if isinstance(name, str) and name:
        is_country = len(code) == 2 and code.isalpha() and code.isupper()
        if is_country:
            return f"{name} ({code})" if name != code else name  # a country keeps its code
        where = row.get("country")
        return f"{name} ({where})" if isinstance(where, str) and where and key != "country" else name
    named = country_name(code)
    return f"{named} ({code})" if named != code else code


def _labels(df: pd.DataFrame, key: str) -> pd.Series:
    labels = df.apply(lambda r: _unit_label(r, key), axis=1) if len(df) else pd.Series(dtype=str)
    # two institutions may share a name: keep labels distinct
    dup = labels.duplicated(keep=False)
    return labels.where(~dup, labels + " (" + df[key].astype(str) + ")")


def _records(df: pd.DataFrame) -> pd.DataFrame:
    """``df`` with NaN/NA turned into None so that the JSON data carries nulls, not strings."""
    out = df.reset_index(drop=True).copy()
    for col in out.columns:
        if out[col].dtype == object or str(out[col].dtype) in ("string", "str"):
            out[col] = out[col].astype(object).where(out[col].notna(), None)
    return out


def _empty(message: str, title: alt.TitleParams) -> alt.Chart:
    """A chart that says there is nothing to show (keeps reports and pages whole)."""
    return (alt.Chart(pd.DataFrame({"message": [message]})).mark_text(fontSize=14, color=MUTED)
            .encode(text="message:N").properties(title=title, width=WIDTH, height=60))


CS_DEFINITION = "Bilateral CS = Σ (Share_A + Share_B) over the works A and B share"
PAIRS_DEFINITION = ("Joint works = works co-authored by both countries, full counting (a work counts once "
                    "for each pair of its countries), from country-pair aggregates")


def capital_coordinates(data_dir=None) -> pd.DataFrame:
    """``country, lon, lat``: each country's capital (:func:`collabatlas.atlas.reference.capital_coordinates`)."""
    return reference.capital_coordinates(data_dir)
