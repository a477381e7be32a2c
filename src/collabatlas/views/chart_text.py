"""Words and text layout of the charts, reports and dashboard tables.

- :func:`field_name`: the human name of a result column (``cs_total`` → ``total CS``), used for axis
  titles, tooltips and table headings; the raw name stays in the data (and the CSV download).
- :func:`group_title`: a country group's human name from :func:`collabatlas.refdata.groups.available_groups`
  (``bri`` → ``Belt and Road countries``, ``income:high`` → ``high income economies``).
- :func:`possessive`: ``companies`` → ``companies'``, ``Japan`` → ``Japan's``.
- :func:`wrap`: caption lines cut at word boundaries, so that no subtitle runs past the chart.
- :func:`place_point_labels`: greedy label placement in pixel space (largest first; a label that would
  overlap one already placed is left out), as :func:`collabatlas.views.world_map.place_labels` does on the map.
- :func:`source_text`: where the works of a store come from (``works from OpenAlex, WoS, Scopus``).
"""

from __future__ import annotations

import functools
import re
import textwrap
from collections.abc import Iterable

import pandas as pd

FIELD_NAMES = {
    "partner": "partner", "name": "name", "country": "country", "unit": "unit", "unit_a": "unit A",
    "unit_b": "unit B", "name_a": "name A", "name_b": "name B", "label": "label",
    "count": "Count (works)", "share": "Share", "collab_count": "works with a partner",
    "intl_count": "works with another country", "joint_count": "joint works", "joint_works": "joint works",
    "cs": "bilateral CS", "cs_low": "bilateral CS, 95% low", "cs_high": "bilateral CS, 95% high",
    "cs_total": "total CS", "cs_domestic": "domestic CS", "cs_international": "international CS",
    "cs_unknown_country": "CS, partner country unknown", "cs_industry": "industry CS",
    "pct_of_international_cs": "% of international CS", "pct_of_total_cs": "% of total CS",
    "own_share": "own Share", "partner_share": "partner's Share", "academic_share": "academia's Share",
    "own_pct": "own % of the bar", "partner_pct": "partner % of the bar", "academic_pct": "academia % of the bar",
    "period": "period", "year": "year", "change_pct": "change from the previous period, %",
    "works": "works", "n_works": "works", "intl_works": "international works", "group_works": "works with the group",
    "collab_works": "works with a partner", "domestic_works": "domestic works",
    "group_pct_of_intl_works": "group % of international works", "group_cs": "CS with the group",
    "intl_cs": "international CS", "group_pct_of_intl_cs": "group % of international CS", "measure": "measure",
    "first": "first period", "last": "last period", "growth_pct": "growth, %",
    "gerd_pct_gdp": "GERD, % of GDP", "log_gerd": "log10 GERD (% of GDP)",
    "log_gerd_ppp": "log10 GERD (millions of PPP $)", "gerd_ppp_musd": "GERD, millions of PPP $",
    "trust_pct": "people who trust others, %",
    "intl_share": "international share", "income_group": "income group", "group": "group", "term": "term",
    "coef": "coefficient", "std_err": "standard error", "ci_low": "95% CI, low", "ci_high": "95% CI, high",
    "p_value": "p value", "r2": "R²", "n": "countries", "n_gerd_nonpositive": "countries with GERD ≤ 0",
    "n_missing": "countries without data", "note": "note", "cluster": "cluster", "links": "links",
    "strength": "strength", "weight": "weight", "id": "id", "type": "type", "ror": "ROR id",
    "n_domestic_partners": "domestic partner institutions", "n_international_partners": "international partner "
    "institutions", "contribution": "contribution", "title": "title", "doi": "DOI", "work_id": "work",
    "origin": "source", "figure": "figure",
}


SOURCE_NAMES = {"openalex": "OpenAlex", "wos": "WoS", "scopus": "Scopus", "pubmed": "PubMed"}


def field_name(column: str) -> str:
    """The human name of a result column; ``cs_2013-2015`` → ``CS 2013-2015``; unknown: underscores → spaces."""
    column = str(column)
    if column in FIELD_NAMES:
        return FIELD_NAMES[column]
    if column.startswith("cs_") and column[3:4].isdigit():
        return "CS " + column[3:]
    if column.startswith("count_") and column[6:7].isdigit():
        return "Count " + column[6:]
    return column.replace("_", " ")


def field_names(columns: Iterable[str]) -> dict[str, str]:
    return {str(c): field_name(c) for c in columns}


@functools.lru_cache(maxsize=1)
def _group_descriptions() -> dict[str, str]:
    from collabatlas.atlas.reference import available_groups

    try:
        return {g.name: g.description for g in available_groups()}
    except Exception:
        return {}


def group_title(name: str) -> str:
    """``bri`` → ``Belt and Road countries``; ``income:high`` → ``high income economies``; the
    description of :func:`collabatlas.refdata.groups.available_groups` up to its first comma or bracket."""
    text = str(name or "").strip()
    key = text.lower()
    if key in ("belt-and-road", "belt_and_road"):
        key = "bri"
    described = _group_descriptions().get(key)
    if not described:
        return text
    return re.split(r",| \(", described, maxsplit=1)[0].strip()


def possessive(name: str) -> str:
    name = str(name)
    return name + ("'" if name.endswith("s") else "'s")


def wrap(lines: Iterable[str], width: int = 100) -> list[str]:
    """Each line cut into lines of at most ``width`` characters: at its `` · `` separators first
    (a part stays whole when it fits), else at spaces (a word is never split)."""
    out: list[str] = []
    for line in lines:
        current = ""
        for part in str(line).split(" · "):
            joined = f"{current} · {part}" if current else part
            if len(joined) <= width:
                current = joined
                continue
            if current:
                out.append(current + " ·")
            pieces = textwrap.wrap(part, width=width, break_long_words=False, break_on_hyphens=False) or [""]
            out += pieces[:-1]
            current = pieces[-1]
        out.append(current)
    return out


def text_width(text: str, font_px: float = 10.0) -> float:
    """Approximate pixel width of ``text`` in the charts' sans-serif font."""
    return 0.58 * font_px * len(str(text))


def place_point_labels(points: pd.DataFrame, limit: int = 20, font_px: float = 10.0, width: float | None = None,
                       dx: float = 6.0, obstacles: Iterable[tuple[float, float]] = (),
                       radius: float = 3.5) -> pd.DataFrame:
    """The rows of ``points`` (``label, px, py, value``: pixel position of the point) whose label,
    written ``dx`` pixels right of the point (left when it would leave ``width``), overlaps no label
    placed before it and no point of ``obstacles`` (pixel centres, ``radius``), largest ``value``
    first; adds ``align`` ("left" / "right")."""
    boxes: list[tuple[float, float, float, float]] = [(ox - radius, oy - radius, ox + radius, oy + radius)
                                                      for ox, oy in obstacles]
    kept, aligns = [], []
    for index, row in points.sort_values("value", ascending=False).iterrows():
        if len(kept) >= limit:
            break
        w = text_width(row["label"], font_px) + 2
        x, y = float(row["px"]), float(row["py"])
        top, bottom = y - font_px / 2 - 1, y + font_px / 2 + 1
        candidates = [("left", (x + dx - 1, top, x + dx + w, bottom)), ("right", (x - dx - w, top, x - dx + 1, bottom))]
        for align, box in candidates:
            if (width is not None and (box[2] > width or box[0] < 0)) or any(
                    box[0] < b[2] and b[0] < box[2] and box[1] < b[3] and b[1] < box[3] for b in boxes):
                continue
            boxes.append(box)
            kept.append(index)
            aligns.append(align)
            break
    return points.loc[kept].assign(align=aligns)


def source_text(atlas) -> str:
    """``works from OpenAlex, WoS, Scopus, PubMed``: the origins of the store's source records
    (:meth:`collabatlas.atlas.Atlas.origins`), most source records first; ``works`` when there are none."""
    names = [SOURCE_NAMES.get(str(r.origin).lower(), str(r.origin))
             for r in atlas.origins().itertuples() if r.origin and r.records]
    return "works from " + ", ".join(names) if names else "works"
