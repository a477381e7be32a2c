"""The static report's HTML page: one self-contained document (Jinja2 with autoescaping) with the
charts as Vega-Lite specs drawn by the inlined Vega bundle, every table's cells formatted by
:mod:`collabatlas.views.numbers`, the methodology and the provenance of the reference data."""

from __future__ import annotations

from typing import Any

import pandas as pd

from collabatlas.atlas import __version__, reference
from collabatlas.views import charts
from collabatlas.views.figures import Figure, chart_of
from collabatlas.views.numbers import cell as number_cell

REFERENCE_DATASETS = ("wb-countries", "wb-income-history", "wdi", "trust", "country-codes", "bri")
"""The packaged reference data a report may draw on (map coordinates, groups, landscape indicators)."""

METHODOLOGY = [
    "Each work is shared between its authors: every authorship entry gets 1/n of the work, split equally over "
    "the author's distinct institutions; a country's part is the sum of its institutions' parts (authors "
    "without an institution are placed by the countries OpenAlex gives them).",
    "Share is the sum of a unit's parts over works; Count is the number of works with a part > 0. Counting is "
    "strict by default: parts that cannot be attributed are dropped, never spread silently.",
    "The bilateral collaboration score (CS) of two units is the sum, over the works they share, of both units' "
    "Shares. A unit's total CS is split into domestic, international and industry collaboration.",
    "Subjects are the Nature Index areas, mapped from the OpenAlex field of each work's primary topic. "
    "Country groups (Belt and Road, income groups, ...) come from maintained data files, not hand-typed lists.",
    "The landscape fits are ordinary least squares of the international share (works with two or more "
    "countries / works) on log10 GERD, overall and by World Bank income group, with 95% confidence bands.",
]

TEMPLATE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ report.title }}</title>
<style>
body { font-family: "Liberation Sans", Helvetica, Arial, sans-serif; color: #222; max-width: 1100px;
       margin: 2rem auto; padding: 0 1.5rem; line-height: 1.45; }
h1 { font-size: 1.9rem; margin-bottom: .2rem; } h2 { border-bottom: 2px solid #0072B2; padding-bottom: .2rem;
       margin-top: 2.6rem; } .meta { color: #555; font-size: .9rem; }
.subtitle { font-size: 1.15rem; color: #444; margin: .2rem 0 .6rem; } .editorial-note { color: #444; }
.headline { display: flex; flex-wrap: wrap; gap: .8rem; margin: 1.2rem 0; }
.figure { background: #f4f7fb; border-radius: 6px; padding: .6rem 1rem; min-width: 8rem; }
.figure b { display: block; font-size: 1.5rem; color: #0072B2; } .figure span { font-size: .85rem; color: #444; }
figure { margin: 1rem 0; overflow-x: auto; }
table { border-collapse: collapse; font-size: .85rem; margin: .6rem 0 1.4rem; }
th, td { padding: .25rem .6rem; border-bottom: 1px solid #e3e3e3; } th { text-align: left; background: #f6f6f6; }
td.num { text-align: right; font-variant-numeric: tabular-nums; } caption { text-align: left; font-weight: 600;
       padding: .3rem 0; } code, pre { background: #f6f6f6; padding: .1rem .3rem; border-radius: 3px; }
pre { padding: .6rem; white-space: pre-wrap; } .note { color: #8a4b00; }
</style></head><body>
<h1>{{ report.title }}</h1>
{% if report.editorial.subtitle %}<p class="subtitle">{{ report.editorial.subtitle }}</p>{% endif %}
<p class="meta">Filters: {{ report.ctx.filters_text() }} · {{ report.ctx.counting }} · {{ report.ctx.source }} ·
data version {{ report.ctx.data_version }} · collabatlas {{ version }} · generated {{ report.generated }}</p>
<div class="headline">{% for label, value in report.headline %}
<div class="figure"><b>{{ value }}</b><span>{{ label }}</span></div>{% endfor %}</div>
{% if report.editorial.note %}<p class="editorial-note">Note: {{ report.editorial.note }}</p>{% endif %}
<nav><p>{% for s in report.sections %}<a href="#{{ s.key }}">{{ s.title }}</a>
{%- if not loop.last %} · {% endif %}{% endfor %}
 · <a href="#methodology">Methodology</a> · <a href="#provenance">Provenance</a></p></nav>
{% for s in report.sections %}
<section id="{{ s.key }}"><h2>{{ s.title }}</h2><p>{{ s.intro }}</p>
{% for note in s.notes %}<p class="note">{{ note }}</p>{% endfor %}
{% for c in s.charts %}<figure><div id="chart-{{ c.stem }}" class="chart" data-chart="{{ c.stem }}"></div>
<noscript><img src="{{ c.stem }}.svg" alt="{{ c.stem }} chart"></noscript>
<figcaption class="meta">Also as <a href="{{ c.stem }}.png">PNG</a> and <a href="{{ c.stem }}.svg">SVG</a>
{%- if c.data %}; its data: <a href="data/{{ c.stem }}.csv">data/{{ c.stem }}.csv</a>{% endif %}.</figcaption>
</figure>{% endfor %}
{% for caption, t in s.tables %}<table><caption>{{ caption }}</caption>
<thead><tr>{% for col in t.columns %}<th>{{ col }}</th>{% endfor %}</tr></thead><tbody>
{% for row in t.rows %}<tr>{% for cell, numeric in row -%}
<td{% if numeric %} class="num"{% endif %}>{{ cell }}</td>{% endfor %}</tr>
{% endfor %}</tbody></table>{% endfor %}
</section>{% endfor %}
<section id="methodology"><h2>Methodology</h2>
{% for p in methodology %}<p>{{ p }}</p>{% endfor %}
<p>The full rules and every choice behind them: docs/methodology.md in the collabatlas repository.</p></section>
<section id="provenance"><h2>Provenance</h2>
<p>Store <code>{{ report.store }}</code>, data version {{ report.ctx.data_version }}, collabatlas {{ version }},
generated {{ report.generated }}. {{ reference }}. Produced by:</p><pre>{{ report.command }}</pre></section>
{% for c in chart_specs %}<script type="application/json" id="spec-{{ c.stem }}">{{ c.spec }}</script>
{% endfor %}<script>{{ bundle }}</script>
<script>
document.querySelectorAll("div.chart").forEach(function (el) {
  var spec = JSON.parse(document.getElementById("spec-" + el.dataset.chart).textContent);
  vegaEmbed(el, spec, {renderer: "svg", actions: false}).catch(console.error);
});
</script>
</body></html>
"""


def _table_rows(df: pd.DataFrame, limit: int = 50) -> dict:
    """Columns and formatted cells (with a numeric flag for right alignment) of ``df``: numbers by
    :func:`collabatlas.views.numbers.cell` (counts as integers, % with one decimal, p < 0.001)."""
    from collabatlas.views.chart_text import field_name

    rows = [[number_cell(str(column), value) for column, value in zip(df.columns, record, strict=True)]
            for record in df.head(limit).itertuples(index=False)]
    return {"columns": [field_name(c) for c in df.columns], "rows": rows}


def _script_json(spec: dict) -> str:
    """JSON safe inside a <script> element: no "</script>" can close it and no "<!--" can make the
    parser swallow the elements after it (``<``, ``>``, ``&``, U+2028/9 escaped as ``\\u003c`` ...)."""
    from collabatlas.escaping import script_json

    return script_json(spec, default=str)


def render_html(report: Any) -> str:
    """The report (a :class:`collabatlas.views.report.Report`) as one HTML document: charts as Vega-Lite
    specs drawn by the inlined bundle."""
    import jinja2
    from markupsafe import Markup

    env = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)
    sections = [{"key": s.key, "title": s.title, "intro": s.intro, "notes": s.notes,
                 "charts": [{"stem": stem, "data": isinstance(item, Figure)} for stem, item in s.charts],
                 "tables": [(caption, _table_rows(t)) for caption, t in s.tables]} for s in report.sections]
    view = {"title": report.title, "ctx": report.ctx, "editorial": report.editorial, "generated": report.generated,
            "headline": report.headline,
            "sections": sections, "store": report.store, "command": report.command}
    specs = [{"stem": stem, "spec": Markup(_script_json(charts.spec(chart_of(chart))))}
             for stem, chart in report.all_charts()]
    provenance = reference.provenance(REFERENCE_DATASETS)
    return env.from_string(TEMPLATE).render(report=view, version=__version__, methodology=METHODOLOGY,
                                            reference=provenance, chart_specs=specs,
                                            bundle=Markup(charts.javascript_bundle()))
