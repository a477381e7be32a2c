"""Where the world map's country labels go, and in which ink.

- Projection: the Equal Earth projection Vega uses, fitted to the chart like Vega's ``fit`` to the
  sphere (:func:`to_pixels`), and its inverse (:func:`from_pixels`) so a label moved off its capital
  is drawn at a longitude/latitude like every other map layer.
- Placement (:func:`place_labels`): the highlighted countries and the :data:`ALWAYS` largest values
  are always labelled. Each is tried above its anchor, then below, right and left of it, then on
  rings further out; a label moved off its anchor gets a leader line back to it. The other countries
  are labelled, largest first, only where their box does not overlap a label already placed.
  No two labels overlap.
- Ink (:func:`ink_for`): a label on its own country is drawn in the colour (dark or light) with the
  higher WCAG contrast against that country's fill on the ``blues`` scale; a label moved off its
  country sits on an unknown fill and is drawn dark. Each has a halo in the other ink, as the
  ground just above a capital may not be its own country.
"""

from __future__ import annotations

import math

import pandas as pd

WIDTH, HEIGHT = 760, 400
LABELS = 14
ALWAYS = 5
DARK_INK, LIGHT_INK = "#1f2937", "#ffffff"
# Vega's continuous "blues" scheme, the stops it interpolates between (value 0 → first, max → last)
BLUES = ["#cfe1f2", "#bed8ec", "#a8cee5", "#8fc1de", "#74b2d7", "#5ba3cf", "#4592c6", "#3181bd",
         "#206fb2", "#125ca4", "#0a4a90"]
_RINGS = (0, 1, 2, 3, 4)
_DIRECTIONS = ((0, -1), (0, 1), (1, 0), (-1, 0), (1, -1), (-1, -1), (1, 1), (-1, 1))


# -- projection ------------------------------------------------------------------------------------

_A1, _A2, _A3, _A4 = 1.340264, -0.081106, 0.000893, 0.003796
_M = math.sqrt(3) / 2


def equal_earth(lon: float, lat: float) -> tuple[float, float]:
    """Equal Earth projection of a point (Šavrič, Patterson, Jenny 2018), unit sphere."""
    lam, phi = math.radians(lon), math.radians(lat)
    theta = math.asin(_M * math.sin(phi))
    t2, t6 = theta * theta, theta ** 6
    x = lam * math.cos(theta) / (_M * (_A1 + 3 * _A2 * t2 + t6 * (7 * _A3 + 9 * _A4 * t2)))
    y = theta * (_A1 + _A2 * t2 + t6 * (_A3 + _A4 * t2))
    return x, y


def _inverse_equal_earth(x: float, y: float) -> tuple[float, float]:
    theta = y
    for _ in range(30):  # Newton on y(theta)
        t2, t6 = theta * theta, theta ** 6
        f = theta * (_A1 + _A2 * t2 + t6 * (_A3 + _A4 * t2)) - y
        df = _A1 + 3 * _A2 * t2 + t6 * (7 * _A3 + 9 * _A4 * t2)
        step = f / df
        theta -= step
        if abs(step) < 1e-12:
            break
    t2, t6 = theta * theta, theta ** 6
    lam = _M * x * (_A1 + 3 * _A2 * t2 + t6 * (7 * _A3 + 9 * _A4 * t2)) / math.cos(theta)
    phi = math.asin(max(-1.0, min(1.0, math.sin(theta) / _M)))
    return math.degrees(lam), math.degrees(phi)


def _fit(width: int, height: int) -> float:
    x_max, y_max = equal_earth(180, 0)[0], equal_earth(0, 90)[1]
    return min(width / (2 * x_max), height / (2 * y_max))


def to_pixels(lon: float, lat: float, width: int = WIDTH, height: int = HEIGHT) -> tuple[float, float]:
    """Where Vega draws a point when the Equal Earth sphere is fitted to ``width`` × ``height``."""
    scale = _fit(width, height)
    x, y = equal_earth(lon, lat)
    return width / 2 + scale * x, height / 2 - scale * y


def from_pixels(px: float, py: float, width: int = WIDTH, height: int = HEIGHT) -> tuple[float, float]:
    """The longitude/latitude that :func:`to_pixels` puts at ``(px, py)``."""
    scale = _fit(width, height)
    return _inverse_equal_earth((px - width / 2) / scale, (height / 2 - py) / scale)


# -- placement -------------------------------------------------------------------------------------

def label_box(cx: float, cy: float, label: str, font_px: float = 10.0) -> tuple[float, float, float, float]:
    """The box (left, top, right, bottom) of ``label`` centred at ``(cx, cy)``."""
    half_w, half_h = 0.31 * font_px * len(str(label)) + 2, font_px / 2 + 1
    return cx - half_w, cy - half_h, cx + half_w, cy + half_h


def _overlaps(box, boxes) -> bool:
    return any(box[0] < b[2] and b[0] < box[2] and box[1] < b[3] and b[1] < box[3] for b in boxes)


def _candidates(x: float, y: float, label: str, font_px: float):
    """Label centres around the anchor ``(x, y)``: above it first, then further out."""
    half_w, gap = 0.31 * font_px * len(str(label)) + 2, 8 + font_px / 2
    for ring in _RINGS:
        for dx, dy in _DIRECTIONS if ring else _DIRECTIONS[:4]:
            reach = ring * (font_px + 4)
            yield (x + dx * (half_w + 4 + reach) if dx else x,
                   y + dy * (gap + reach) if dy else y)


def place_labels(points: pd.DataFrame, limit: int = LABELS, font_px: float = 10.0,
                 always: int = ALWAYS) -> pd.DataFrame:
    """The rows of ``points`` (``label, lon, lat, value[, first]``) to label, with where: ``label_lon``,
    ``label_lat`` (the label's centre), ``leader`` (moved off its anchor: draw a line back).

    The rows with ``first`` (highlighted) and the ``always`` largest are always kept (moved if crowded);
    the others are kept, largest first up to ``limit`` in all, only where they fit above their anchor."""
    first = points["first"] if "first" in points else pd.Series(False, index=points.index)
    order = points.assign(_first=first.astype(bool)).sort_values(["_first", "value"], ascending=False)
    must = set(order.index[order["_first"]]) | set(order[~order["_first"]].index[:always])
    boxes: list[tuple[float, float, float, float]] = []
    kept, where = [], []
    for index, row in order.iterrows():
        required = index in must
        if not required and len(kept) >= limit:
            continue
        x, y = to_pixels(row["lon"], row["lat"])
        options = list(_candidates(x, y, row["label"], font_px)) if required else [(x, y - 8 - font_px / 2)]
        for cx, cy in options:
            box = label_box(cx, cy, row["label"], font_px)
            if not _overlaps(box, boxes):
                boxes.append(box)
                kept.append(index)
                lon, lat = from_pixels(cx, cy)
                where.append((lon, lat, (cx, cy) != options[0] if required else False))
                break
    out = points.loc[kept].copy()
    out["label_lon"] = [w[0] for w in where]
    out["label_lat"] = [w[1] for w in where]
    out["leader"] = [w[2] for w in where]
    return out


# -- ink -------------------------------------------------------------------------------------------

def _luminance(hex_colour: str) -> float:
    channels = [int(hex_colour.lstrip("#")[i:i + 2], 16) / 255 for i in (0, 2, 4)]
    r, g, b = ((c / 12.92) if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def _contrast(a: str, b: str) -> float:
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def blues(t: float) -> str:
    """The fill of the ``blues`` scale at ``t`` in [0, 1] (linear between :data:`BLUES` stops)."""
    t = min(1.0, max(0.0, t)) * (len(BLUES) - 1)
    i = min(int(t), len(BLUES) - 2)
    a, b = BLUES[i], BLUES[i + 1]
    mix = [round(int(a[k:k + 2], 16) + (t - i) * (int(b[k:k + 2], 16) - int(a[k:k + 2], 16))) for k in (1, 3, 5)]
    return "#" + "".join(f"{c:02x}" for c in mix)


def ink_for(fill: str) -> str:
    """Dark or light text, whichever contrasts more with ``fill``."""
    return LIGHT_INK if _contrast(LIGHT_INK, fill) > _contrast(DARK_INK, fill) else DARK_INK
