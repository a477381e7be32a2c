"""Writing the charts of :mod:`collabatlas.views.charts`: Vega-Lite specs, SVG and PNG rendered
offline by vl-convert, standalone HTML with the JavaScript inlined (no CDN), and the bundle for pages
that embed several charts. Re-exported by :mod:`collabatlas.views.charts`.
"""

from __future__ import annotations

import functools
from pathlib import Path

import altair as alt

FORMATS = ("html", "svg", "png", "json")


def _vl_version() -> str | None:
    import vl_convert as vlc

    wanted = ".".join(alt.SCHEMA_VERSION.lstrip("v").split(".")[:2])
    return wanted if wanted in vlc.get_vegalite_versions() else None


def spec(chart: alt.TopLevelMixin) -> dict:
    """The Vega-Lite spec of ``chart`` (data inline), as the dashboard and :func:`save` use it; a
    :class:`~collabatlas.views.figures.Figure` gives its chart's."""
    if getattr(type(chart), "is_figure", False):
        chart = chart.chart()
    return chart.to_dict()


def to_svg(chart: alt.TopLevelMixin) -> str:
    """The chart as SVG text (rendered by vl-convert, offline)."""
    import vl_convert as vlc

    return vlc.vegalite_to_svg(spec(chart), vl_version=_vl_version())


def to_png(chart: alt.TopLevelMixin, scale: float = 2.0) -> bytes:
    """The chart as PNG bytes (rendered by vl-convert, offline)."""
    import vl_convert as vlc

    return vlc.vegalite_to_png(spec(chart), vl_version=_vl_version(), scale=scale)


HTML_PAGE = """<!DOCTYPE html>
<html>
<head>
<meta charset="utf-8">
<style>vega-chart.vega-embed, #vega-chart.vega-embed {{ width: 100%; display: flex; }}</style>
<script>{bundle}</script>
</head>
<body>
<div id="vega-chart"></div>
<script type="application/json" id="vega-spec">{spec}</script>
<script>
vegaEmbed("#vega-chart", JSON.parse(document.getElementById("vega-spec").textContent), {{renderer: "svg"}})
  .catch(console.error);
</script>
</body>
</html>
"""


def to_html(chart: alt.TopLevelMixin) -> str:
    """A self-contained HTML page: the Vega, Vega-Lite and vega-embed JavaScript is inlined from the
    installed vl-convert package (no CDN), so the page works offline. The spec sits in a JSON
    ``<script>`` element, escaped by :func:`collabatlas.escaping.script_json` (names holding
    ``</script>`` or ``<!--`` stay data)."""
    from collabatlas.escaping import script_json

    return HTML_PAGE.format(bundle=javascript_bundle(), spec=script_json(spec(chart), default=str))


def save(chart: alt.TopLevelMixin, path: str | Path, scale: float = 2.0) -> Path:
    """Write ``chart`` to ``path`` by its extension: .html (self-contained, JavaScript inline from
    vl-convert), .svg, .png (``scale`` × pixels) or .json (the Vega-Lite spec, its numbers rounded by the
    rule of every machine-readable output, as ``/api/chart/...`` serves the same spec)."""

    path = Path(path)
    kind = path.suffix.lower().lstrip(".")
    if kind not in FORMATS:
        raise ValueError(f"{path}: unknown chart format {path.suffix!r}; use one of .{', .'.join(FORMATS)}")
    if kind == "png":
        path.write_bytes(to_png(chart, scale=scale))
    elif kind == "svg":
        path.write_text(to_svg(chart), encoding="utf-8")
    elif kind == "html":
        path.write_text(to_html(chart), encoding="utf-8")
    else:
        from collabatlas.views.table_text import json_text

        path.write_text(json_text(spec(chart), indent=True), encoding="utf-8")
    return path


@functools.lru_cache(maxsize=4)
def javascript_bundle(snippet: str | None = None) -> str:
    """Vega, Vega-Lite and vega-embed from the installed vl-convert package, for pages embedding
    several charts. Without ``snippet`` the bundle sets ``window.vegaEmbed`` (and ``vega``,
    ``vegaLite``); with one, it runs ``snippet`` (code that may call ``vegaEmbed``) instead."""
    import vl_convert as vlc

    version = _vl_version()
    return vlc.javascript_bundle(snippet, vl_version=f"v{version}" if version else None)
