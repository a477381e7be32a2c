"""Fact sheets: a one-page PDF on a country, an institution or a pair of units, with the
headline numbers, the key charts and the methodology line (``collabatlas report --pdf``,
``collabatlas report --pair US JP --pdf`` and the dashboard's "Fact sheet (PDF)" button).

The sheet is an HTML page with the charts inlined as SVG (rendered offline by vl-convert, so the
page needs no JavaScript), printed to PDF by headless Chromium through Playwright (``page.pdf``):
the same engine the dashboard is tested in, so the sheet looks like the charts on screen. Playwright
is an optional extra (``pip install 'collabatlas[pdf]'``); the browser is Debian's ``chromium`` at
``/usr/bin/chromium`` or ``$COLLABATLAS_CHROMIUM`` (nothing is downloaded).
"""

from __future__ import annotations

import datetime as dt
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import altair as alt
import pandas as pd

from collabatlas import settings
from collabatlas.atlas import __version__, reference
from collabatlas.atlas.inputs import NI_SUBJECTS
from collabatlas.errors import CountingError, DataError
from collabatlas.views import charts
from collabatlas.views import report as report_lib
from collabatlas.views.bilateral import headline as pair_headline
from collabatlas.views.bilateral import institution_countries, institution_pairs
from collabatlas.views.chart_figures import map_figure, partners_figure, subjects_figure, trend_figure
from collabatlas.views.charts import ChartContext
from collabatlas.views.figures import Figure, figure, unit_colours

if TYPE_CHECKING:
    from collabatlas.atlas import Atlas

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ENV = settings.env_var("chromium")
TOP = 8

#: the methodology in one line (the full rules: docs/methodology.md and the HTML report)
METHODOLOGY_LINE = ("Fractional counting: each work is shared between its authors (1/n each, split over the "
                    "author's institutions); Share = Σ of a unit's parts; Count = works with a part > 0; "
                    "bilateral collaboration score (CS) = Σ (Share_A + Share_B) over the works A and B share.")


class FactSheetError(DataError):
    """No PDF renderer: Playwright (the ``pdf`` extra) or the Chromium browser is missing."""


@dataclass
class FactSheet:
    focus: str
    kind: str  # country | institution | pair
    title: str
    headline: list[tuple[str, str]]
    charts: list[tuple[str, alt.TopLevelMixin | Figure]]  # (file stem, figure)
    ctx: ChartContext
    tables: list[tuple[str, pd.DataFrame]] = field(default_factory=list)
    generated: str = field(default_factory=lambda: dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"))


def _label(atlas: Atlas, level: str, unit: str) -> str:
    return charts.country_name(unit) if level == "country" else report_lib.institution_name(atlas, unit)


def _level_unit(atlas: Atlas, unit: str) -> tuple[str, str]:
    unit = unit.strip()
    if reference.country_code(unit) is not None:  # JP, JPN or Japan (refdata.country_names); else an institution
        return "country", atlas.resolve_unit("country", unit)
    from collabatlas.atlas.results import find_institution

    return "institution", find_institution(atlas, unit)


def build_factsheet(atlas: Atlas, focus: str, partner: str | None = None, years: str | None = None,
                    subject: str | None = None, type: str | None = None, top: int = TOP) -> FactSheet:
    """The fact sheet on ``focus`` (a country code or an institution), or on the pair ``focus``–``partner``."""
    filters = {"years": years, "subject": subject, "type": type}
    ctx = ChartContext.from_atlas(atlas, **filters)
    level, unit = _level_unit(atlas, focus)
    label = _label(atlas, level, unit)
    if partner:
        return _pair_sheet(atlas, level, unit, label, partner, filters, ctx, top)
    if level == "country":
        everyone = atlas.partners(unit, **filters)
        colours = unit_colours(everyone["partner"])  # one colour per unit on the sheet, as in the report
        partners = atlas.partners(unit, top=top, **filters)
        trends = {p: atlas.trend(unit, p, years=years, subject=subject, type=type)
                  for p in partners["partner"].head(report_lib.TREND_PARTNERS)}
        drawn = [("partners", partners_figure(partners, ctx, label, top, colours=colours)),
                 ("trend", trend_figure(trends, ctx, label, colours=colours)),
                 ("map", map_figure(everyone, ctx, f"{charts.possessive(label)} partner countries", focus=unit))]
        return FactSheet(unit, "country", f"{label} ({unit}): research collaboration",
                         report_lib._country_headline(atlas, unit, filters), drawn, ctx)
    profile = atlas.profile(unit, top=top, **filters)
    name = profile.name or unit
    drawn = [("hotspots", figure("hotspots", profile.hotspots, charts.hotspot_bars, profile.hotspots, ctx, name)),
             ("contribution", figure("contribution", profile.partners, charts.contribution_bars, profile.partners,
                                     ctx, name))]
    return FactSheet(unit, "institution", f"{name} ({profile.country or 'country unknown'}): research collaboration",
                     report_lib._institution_headline(profile), drawn, ctx)


def _pair_sheet(atlas: Atlas, level: str, a: str, label_a: str, partner: str, filters: dict, ctx: ChartContext,
                top: int) -> FactSheet:
    b = atlas.resolve_unit(level, partner) if level == "country" else _level_unit(atlas, partner)[1]
    if a == b:
        raise CountingError(f"a pair needs two different units, got {a} twice")
    label_b = _label(atlas, level, b)
    partners_a = atlas.partners(a, level=level, **filters)
    partners_b = atlas.partners(b, level=level, **filters)
    trend = {b: atlas.trend(a, b, level=level, years=filters["years"], subject=filters["subject"],
                            type=filters["type"])}
    pair = f"{label_a} and {label_b}"
    by_subject = {}
    for slug, (title, _) in NI_SUBJECTS.items():
        df = atlas.partners(a, level=level, **{**filters, "subject": f"ni:{slug}"})
        by_subject[title] = df[df["partner"] == b]
    colours = unit_colours(partners_a["partner"], [b])
    drawn = [("trend", trend_figure(trend, ctx, label_a, {b: label_b}, title=f"Collaboration of {pair}, per year",
                                    colours=colours))]
    if any(len(df) for df in by_subject.values()):  # no joint work in a subject: no empty panel on the sheet
        drawn.append(("subjects", subjects_figure(by_subject, ctx.with_filters(subject=None), label_a,
                                                  title=f"Collaboration of {pair} by subject")))
    tables = []
    if level == "country":
        inst = institution_pairs(atlas.pairs(level="institution", **filters), institution_countries(atlas), a, b,
                                 top=top)
        tables.append((f"Top institution pairs, {pair}", inst))
    return FactSheet(f"{a}-{b}", "pair", f"{pair}: research collaboration",
                     pair_headline(partners_a, partners_b, a, b, label_a, label_b), drawn, ctx, tables)


# -- HTML and PDF ------------------------------------------------------------------------------

TEMPLATE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{ sheet.title }}</title>
<style>
@page { size: A4; margin: 12mm 12mm 14mm; }
body { font-family: "Liberation Sans", Helvetica, Arial, sans-serif; color: #222; margin: 0; font-size: 10pt; }
h1 { font-size: 17pt; margin: 0 0 2mm; color: #0b3d6b; }
.meta { color: #555; font-size: 8pt; margin: 0 0 3mm; }
.headline { display: flex; flex-wrap: wrap; gap: 2mm; margin: 0 0 3mm; }
.figure { background: #eef4fa; border-radius: 2mm; padding: 1.5mm 3mm; min-width: 28mm; }
.figure b { display: block; font-size: 13pt; color: #0072B2; } .figure span { font-size: 7.5pt; color: #444; }
.chart { margin: 0 0 3mm; break-inside: avoid; }
.chart svg { max-width: 100%; height: auto; overflow: visible; }
@media print { .chart svg { max-width: none; } }
table { border-collapse: collapse; font-size: 8pt; margin: 1mm 0 3mm; break-inside: avoid; }
caption { text-align: left; font-weight: 700; padding: 1mm 0; }
th, td { padding: .6mm 2mm; border-bottom: 1px solid #ddd; text-align: left; } td.num { text-align: right; }
footer { color: #555; font-size: 7.5pt; border-top: 1px solid #ccc; padding-top: 2mm; margin-top: 2mm; }
.pdf-link { font-size: 9pt; margin: 0 0 3mm; }
@media screen { body { max-width: 186mm; margin: 12mm auto; padding: 0 6mm; } }
@media print { .pdf-link { display: none; } }
</style></head><body>
{% if pdf_name %}<p class="pdf-link"><a href="{{ pdf_name }}">This fact sheet as PDF</a></p>
{% endif %}<h1>{{ sheet.title }}</h1>
<p class="meta">{{ sheet.ctx.filters_text() }} · {{ sheet.ctx.counting }} · {{ sheet.ctx.source }} ·
data version {{ sheet.ctx.data_version }} · collabatlas {{ version }} · {{ sheet.generated }}</p>
<div class="headline">{% for label, value in sheet.headline %}
<div class="figure"><b>{{ value }}</b><span>{{ label }}</span></div>{% endfor %}</div>
{% for stem, svg in svgs %}<div class="chart" data-chart="{{ stem }}">{{ svg }}</div>
{% endfor %}
{% for caption, t in tables %}<table><caption>{{ caption }}</caption>
<thead><tr>{% for col in t.columns %}<th>{{ col }}</th>{% endfor %}</tr></thead><tbody>
{% for row in t.rows %}<tr>{% for cell, numeric in row %}<td{% if numeric %} class="num"{% endif %}>{{ cell }}</td>\
{% endfor %}</tr>
{% endfor %}</tbody></table>{% endfor %}
<footer><b>Methodology.</b> {{ methodology }} Full rules: docs/methodology.md.</footer>
</body></html>
"""


def render_html(sheet: FactSheet, pdf_name: str | None = None) -> str:
    """The sheet as a self-contained HTML page (charts as inline SVG, no script); on screen it has page
    margins and, given ``pdf_name`` (a file beside it), a link to the PDF that is left out when printed."""
    import jinja2
    from markupsafe import Markup

    env = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)
    svgs = [(stem, Markup(_strip_xml_header(charts.to_svg(chart)))) for stem, chart in sheet.charts]
    tables = [(caption, report_lib._table_rows(t)) for caption, t in sheet.tables]
    return env.from_string(TEMPLATE).render(sheet=sheet, svgs=svgs, tables=tables, version=__version__,
                                            methodology=METHODOLOGY_LINE, pdf_name=pdf_name)


def _strip_xml_header(svg: str) -> str:
    return svg.split("?>", 1)[1] if svg.startswith("<?xml") else svg


def chromium_path() -> Path:
    """The Chromium that prints the PDF: ``$COLLABATLAS_CHROMIUM``, else ``/usr/bin/chromium``, else
    ``chromium`` on the PATH."""
    given = settings.raw("chromium")
    if given:
        return Path(given)
    if CHROMIUM.exists():
        return CHROMIUM
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    return Path(found) if found else CHROMIUM


def html_to_pdf(html: str) -> bytes:
    """Print ``html`` to A4 PDF bytes with headless Chromium (Playwright's ``page.pdf``)."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as exc:
        raise FactSheetError("PDF fact sheets need Playwright: pip install 'collabatlas[pdf]' "
                             "(and a Chromium browser, e.g. apt-get install chromium)") from exc
    browser_path = chromium_path()
    if not browser_path.exists():
        raise FactSheetError(f"PDF fact sheets need Chromium: none at {browser_path} (apt-get install chromium, "
                             f"or set ${CHROMIUM_ENV} to the browser's path)")
    import asyncio

    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return _print(sync_playwright, browser_path, html)
    # Playwright's sync API refuses a thread with a running event loop (a notebook, an async app):
    # print from a thread of its own
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(_print, sync_playwright, browser_path, html).result()


#: the printable area of an A4 page under the sheet's ``@page`` margins, in CSS px (96 per inch)
PAGE_WIDTH_PX = (210 - 24) / 25.4 * 96
PAGE_HEIGHT_PX = (297 - 26) / 25.4 * 96

#: one zoom for the whole sheet, so every chart is printed at the same scale (the same type size) and the
#: sheet fills one page: no wider than the page (the widest chart at its own size), no taller than it
FIT_SCRIPT = """([pageW, pageH, shrink]) => {
  const body = document.body;
  const widest = Math.max(1, ...Array.from(document.querySelectorAll('.chart > svg'))
                                .map(s => Number(s.getAttribute('width')) || 0));
  let zoom = Math.min(1, pageW / widest) * shrink;
  for (let i = 0; i < 6; i++) {
    body.style.zoom = String(zoom);
    const height = body.getBoundingClientRect().height * (body.currentCSSZoom ? 1 : zoom);
    if (height <= pageH) break;
    zoom *= pageH / height * 0.99;
  }
  return zoom;
}"""


def pdf_page_count(data: bytes) -> int:
    """Pages of a PDF (its ``/Type /Page`` objects, not ``/Pages``)."""
    import re

    return len(re.findall(rb"/Type\s*/Page(?![s\w])", data))


def _print(sync_playwright, browser_path: Path, html: str) -> bytes:
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(browser_path),
                                    args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        try:
            page = browser.new_page(viewport={"width": round(PAGE_WIDTH_PX), "height": round(PAGE_HEIGHT_PX)})
            page.emulate_media(media="print")
            page.set_content(html, wait_until="load")
            shrink = 1.0
            for _ in range(4):  # the measured layout and the printed one can differ by a line: shrink again
                page.evaluate(FIT_SCRIPT, [PAGE_WIDTH_PX, PAGE_HEIGHT_PX, shrink])
                data = page.pdf(format="A4", print_background=True, prefer_css_page_size=True)
                if pdf_page_count(data) <= 1:
                    break
                shrink *= 0.93
            return data
        finally:
            browser.close()


def write_factsheet(sheet: FactSheet, path: str | Path) -> Path:
    """Write the sheet's PDF to ``path`` (and nothing else); returns the path."""
    path = Path(path)
    path.write_bytes(html_to_pdf(render_html(sheet)))
    return path


def file_stem(sheet: FactSheet) -> str:
    return "factsheet-" + "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in sheet.focus)
