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


# -- item 15: GEXF and GraphML with control characters in names ------------------------------------

CONTROL_NAME = "Ctl\x00\x01\x08\x0b\x0c\x1b[31m\x7f\ufffe Univ"


def hostile_network():
    from collabatlas import network as N

    pairs = pd.DataFrame({"unit_a": ["A", "A", "B"], "unit_b": ["B", "C", "C"], "joint_count": [2, 1, 1],
                          "cs": [2.0, 1.0, 1.0]})
    totals = pd.DataFrame({"unit": ["A", "B", "C"], "name": [CONTROL_NAME, "=HYPERLINK(\"http://x\")", "-5"],
                           "count": [3, 2, 2], "share": [1.0, 1.0, 1.0], "cs_total": [3.0, 3.0, 2.0]})
    return N.network_from_frames(pairs, totals, "institution").cluster(seed=1).layout(seed=1)


@pytest.mark.parametrize("fmt", ["gexf", "graphml"])
def test_network_xml_is_well_formed_with_control_characters_in_names(tmp_path, fmt):
    import xml.etree.ElementTree as ET

    from collabatlas import network as N

    [path] = N.write(hostile_network(), tmp_path / f"net.{fmt}")
    root = ET.parse(path).getroot()  # raises on a character XML 1.0 does not allow
    texts = [el.get("label") or el.text or "" for el in root.iter()]
    assert any(t.startswith("Ctl") and t.endswith(" Univ") for t in texts)
    assert not any("\x00" in t or "\x01" in t or "\x1b" in t for t in texts)


# -- item 14: CSV written for people ---------------------------------------------------------------

def test_csv_cell_neutralises_formulas_but_not_numbers():
    from collabatlas.escaping import csv_cell

    for formula in ("=1+1", "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)", "\t=1", "\r=1", "=HYPERLINK(\"x\")", "-"):
        assert csv_cell(formula) == "'" + formula
    for number in ("-5", "-0.3", "+1", "-1,234.5", "-1e5", "5", "-.5"):
        assert csv_cell(number) == number
    assert csv_cell("Red\x1b[31m \x00Inst") == "Red Inst"
    assert csv_cell("=1", raw=True) == "=1" and csv_cell(-5) == -5


def test_network_csv_is_neutralised_unless_raw(tmp_path):
    from collabatlas import network as N

    net = hostile_network()
    nodes = pd.read_csv(N.write(net, tmp_path / "safe", "csv")[0], keep_default_na=False, dtype=str)
    labels = set(nodes["label"])
    assert "'=HYPERLINK(\"http://x\")" in labels and "-5" in labels
    assert not any("\x00" in v or "\x1b" in v for v in labels)
    raw = pd.read_csv(N.write(net, tmp_path / "raw", "csv", raw_csv=True)[0], keep_default_na=False, dtype=str)
    assert "=HYPERLINK(\"http://x\")" in set(raw["label"])


# -- item 16: paths in SQL -------------------------------------------------------------------------

def two_country_works():
    from tests.conftest import work

    return [work("W1", [[("I1", "US")], [("I2", "GB")]]), work("W2", [[("I1", "US")]], year=2021)]


INJECTION = "x' (FORMAT csv); COPY (SELECT 42 AS pwned) TO 'pwned.csv' (FORMAT csv); --"


@pytest.mark.parametrize("name", ["O'Brien's exports", INJECTION])
def test_export_and_import_tables_with_quotes_in_the_path(atlas_of, tmp_path, monkeypatch, name):
    import collabatlas
    from collabatlas.ingest import export_tables

    monkeypatch.chdir(tmp_path)
    atlas = atlas_of(two_country_works())
    folder = tmp_path / name
    rows = export_tables(atlas.con, folder)
    assert rows["works"] == 2
    assert (folder / "institutions" / "part_0.parquet").is_file()
    with collabatlas.open(":memory:") as copy:
        report = copy.import_tables(folder)
        assert report.works_read == 2
        assert copy.scores(level="country").set_index("unit")["share"].to_dict() == pytest.approx(
            atlas.scores(level="country").set_index("unit")["share"].to_dict())
    assert not list(tmp_path.rglob("pwned*"))  # the crafted path ran no extra statement


def test_temp_directory_with_a_quote(tmp_path):
    from collabatlas.config import EngineSettings
    from collabatlas.store import connect

    temp = tmp_path / "it's temp"
    con = connect(":memory:", EngineSettings(temp_directory=str(temp)))
    try:
        assert con.execute("SELECT current_setting('temp_directory')").fetchone()[0] == str(temp)
    finally:
        con.close()
