"""Hostile strings in the data (names, titles, paths) reaching every output: standalone chart HTML and
the report (<script> break-out), the terminal (Rich markup, ANSI escapes), CSV files for people
(formula injection), GEXF/GraphML (XML-illegal characters) and SQL (paths with quotes).

Every input is generated here; see issue 12 (items 1, 10, 14, 15, 16)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest

from collabatlas import charts
from collabatlas import report as report_lib
from collabatlas.charts import ChartContext

BREAKOUT = "</script><script>alert(3)</script>"
SWALLOW = "Alpha <!--<script> University"
SCRIPT_BODY = re.compile(r"<script([^>]*)>(.*?)</script", re.S | re.I)


def hostile_partners(*names: str) -> pd.DataFrame:
    n = len(names)
    return pd.DataFrame({"partner": [f"I{i}" for i in range(n)], "name": list(names), "country": ["US"] * n,
                         "joint_count": list(range(n, 0, -1)), "cs": [float(n - i) for i in range(n)],
                         "pct_of_international_cs": [10.0] * n})


def script_elements(html: str) -> list[tuple[str, str]]:
    """(attributes, text) of each <script> element as an HTML parser ends it: at the first "</script"."""
    return SCRIPT_BODY.findall(html)


def assert_data_stays_data(html: str, n_json: int) -> list[dict]:
    """No <script> element's text can open a comment or a script (the parser's "double escaped"
    state) or close the element early; the JSON elements parse back to specs."""
    specs = []
    for attrs, text in script_elements(html):
        if "application/json" in attrs:
            assert "<" not in text, text[:200]
            specs.append(json.loads(text))
        else:
            assert "<!--" not in text and "alert(3)" not in text
    assert len(specs) == n_json
    return specs


# -- item 1: <script> break-out ----------------------------------------------------------------------

def test_standalone_chart_html_keeps_hostile_names_inside_the_spec(tmp_path):
    chart = charts.partner_bars(hostile_partners(BREAKOUT, SWALLOW, "A & B \u2028 line"), ChartContext(), "US")
    html = charts.save(chart, tmp_path / "x.html").read_text(encoding="utf-8")
    assert BREAKOUT not in html and "<!--<script>" not in html
    [spec] = assert_data_stays_data(html, 1)
    labels = {row["label"] for data in spec["datasets"].values() for row in data}
    assert {BREAKOUT, SWALLOW, "A & B \u2028 line"} <= labels  # the names are kept, as data
    assert "vegaEmbed" in html and "<script src" not in html


def test_report_with_a_comment_opener_in_a_name_keeps_every_chart_spec():
    ctx = ChartContext(filters={"years": BREAKOUT})
    section = report_lib.Section(key="partners", title="Partners", intro=SWALLOW)
    for i in range(7):
        names = (SWALLOW, BREAKOUT) if i == 0 else (f"Partner {i}", "Other")
        section.charts.append((f"c{i}", charts.partner_bars(hostile_partners(*names), ctx, "US")))
    built = report_lib.Report(focus="US", kind="country", title=SWALLOW, headline=[("Count", "1")],
                              sections=[section], ctx=ctx, command=f"collabatlas report --focus '{BREAKOUT}'",
                              store="x.duckdb", generated="today")
    html = report_lib.render_html(built)
    specs = assert_data_stays_data(html, 7)
    assert [s["title"]["text"] for s in specs] == ["Top collaborators of US"] * 7
