"""Hostile strings in the data (names, titles, paths) reaching every output: standalone chart HTML and
the report (<script> break-out), the terminal (Rich markup, ANSI escapes), CSV files for people
(formula injection), GEXF/GraphML (XML-illegal characters) and SQL (paths with quotes).

Every input is generated here; see issue 12 (items 1, 10, 14, 15, 16)."""

from __future__ import annotations

import json
import re

import pandas as pd
import pytest

from collabatlas.views import charts
from collabatlas.views import report as report_lib
from collabatlas.views.charts import ChartContext

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
    # the names are kept, as data (an institution partner's label carries its country, issue 27)
    assert {f"{n} (US)" for n in (BREAKOUT, SWALLOW, "A & B \u2028 line")} <= labels
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
    from collabatlas.analyses import network as N

    pairs = pd.DataFrame({"unit_a": ["A", "A", "B"], "unit_b": ["B", "C", "C"], "joint_count": [2, 1, 1],
                          "cs": [2.0, 1.0, 1.0]})
    totals = pd.DataFrame({"unit": ["A", "B", "C"], "name": [CONTROL_NAME, "=HYPERLINK(\"http://x\")", "-5"],
                           "count": [3, 2, 2], "share": [1.0, 1.0, 1.0], "cs_total": [3.0, 3.0, 2.0]})
    return N.network_from_frames(pairs, totals, "institution").cluster(seed=1).layout(seed=1)


@pytest.mark.parametrize("fmt", ["gexf", "graphml"])
def test_network_xml_is_well_formed_with_control_characters_in_names(tmp_path, fmt):
    import xml.etree.ElementTree as ET

    from collabatlas.analyses import network as N

    [path] = N.write(hostile_network(), tmp_path / f"net.{fmt}")
    root = ET.parse(path).getroot()  # raises on a character XML 1.0 does not allow
    texts = [el.get("label") or el.text or "" for el in root.iter()]
    assert any(t.startswith("Ctl") and t.endswith(" Univ") for t in texts)
    assert not any("\x00" in t or "\x01" in t or "\x1b" in t for t in texts)


# -- item 14: CSV written for people ---------------------------------------------------------------

def test_csv_cell_neutralises_formulas_but_not_numbers():
    from collabatlas.escaping import csv_cell

    for formula in ("=1+1", "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)", "\t=1", "=HYPERLINK(\"x\")", "-"):
        assert csv_cell(formula) == "'" + formula
    assert csv_cell("\r=1") == "'\n=1"  # a bare CR becomes a newline, which every CSV writer quotes
    for number in ("-5", "-0.3", "+1", "-1,234.5", "-1e5", "5", "-.5"):
        assert csv_cell(number) == number
    assert csv_cell("Red\x1b[31m \x00Inst") == "Red Inst"
    assert csv_cell("=1", raw=True) == "=1" and csv_cell(-5) == -5


def test_network_csv_is_neutralised_unless_raw(tmp_path):
    from collabatlas.analyses import network as N

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
    from collabatlas.ingest.pipeline import export_tables

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
    from collabatlas.settings import EngineSettings
    from collabatlas.store.schema import connect

    temp = tmp_path / "it's temp"
    con = connect(":memory:", EngineSettings(temp_directory=str(temp)))
    try:
        assert con.execute("SELECT current_setting('temp_directory')").fetchone()[0] == str(temp)
    finally:
        con.close()


# -- items 10 and 14: the CLI on a store of hostile names ------------------------------------------

NAMES = {
    "I1": ("US", "Institute [of] Physics"),
    "I2": ("GB", "Evil [/bold] Lab [/]"),
    "I3": ("FR", "=HYPERLINK(\"http://evil.example\",\"x\")"),
    "I4": ("DE", "\x1b]0;pwned\x07\x1b[31mRed\x00 Inst\x1b[0m"),
    "I5": ("JP", "-2+3 Corp"),
    "I6": ("IT", "@SUM(A1) :fire: Univ"),
}


def invoke(*args):
    from typer.testing import CliRunner

    from collabatlas.views.cli import app

    return CliRunner().invoke(app, [str(a) for a in args], env={"COLUMNS": "240"})  # wide: every column shown


def hostile_records() -> list[dict]:
    from tests.conftest import institution, work

    insts = {}
    for iid, (country, name) in NAMES.items():
        insts[iid] = institution(iid, country)
        insts[iid]["display_name"] = name
    records = [work(f"W{n}", [[insts["I1"]], [insts[iid]]], year=2020) for n, iid in enumerate(NAMES, start=1)]
    records.append(work("W9", [[insts["I2"]], [insts["I3"]], [insts["I4"]]], year=2021))
    return records


@pytest.fixture(scope="module")
def _built_hostile_store(tmp_path_factory):
    import collabatlas
    from tests.conftest import write_jsonl

    folder = tmp_path_factory.mktemp("hostile")
    store = folder / "s.duckdb"
    with collabatlas.open(store) as atlas:
        atlas.ingest(write_jsonl(folder / "works.jsonl", hostile_records()))
    return store


@pytest.fixture
def hostile_store(_built_hostile_store, tmp_path):
    """The hostile records, ingested once per module; each test gets its own copy."""
    from tests.conftest import store_copy

    return store_copy(_built_hostile_store, tmp_path)


def test_ingest_into_a_path_with_markup_prints_its_summary(tmp_path):
    from tests.conftest import write_jsonl

    folder = tmp_path / "data [" / "] in [bold]brackets"  # the path holds "[/]" and "[bold]"
    folder.mkdir(parents=True)
    path = write_jsonl(folder / "works [red].jsonl", hostile_records())
    store = folder / "s.duckdb"
    result = invoke("ingest", path, "--store", store)
    assert result.exit_code == 0, result.output
    assert "ingest into " + str(store) in " ".join(result.output.split())


def assert_clean_terminal(text: str) -> None:
    assert "\x1b" not in text and "\x00" not in text and "\x07" not in text


def test_table_views_print_markup_in_names_literally(hostile_store):
    result = invoke("scores", "--level", "institution", "--store", hostile_store)
    assert result.exit_code == 0, result.output
    for needle in ("Institute [of] Physics", "Evil [/bold] Lab [/]", "-2+3 Corp", "@SUM(A1) :fire: Univ", "Red Inst"):
        assert needle in result.output
    assert_clean_terminal(result.output)
    pairs = invoke("partners", "I1", "--level", "institution", "--store", hostile_store)
    assert pairs.exit_code == 0, pairs.output
    assert "Evil [/bold] Lab [/]" in pairs.output and "-2+3 Corp" in pairs.output


def test_profile_and_errors_print_markup_literally(hostile_store):
    result = invoke("profile", "I2", "--store", hostile_store)
    assert result.exit_code == 0, result.output
    assert "Evil [/bold] Lab [/]" in result.output
    assert_clean_terminal(result.output)
    missing = invoke("profile", "[/]nowhere [bold]", "--store", hostile_store)
    assert missing.exit_code == 2 and "[/]nowhere [bold]" in missing.output, missing.output


def test_csv_output_is_neutralised_for_spreadsheets(hostile_store, tmp_path):
    result = invoke("scores", "--level", "institution", "--format", "csv", "--store", hostile_store)
    assert result.exit_code == 0, result.output
    assert_clean_terminal(result.stdout)
    names = set(pd.read_csv(__import__("io").StringIO(result.stdout), keep_default_na=False)["name"])
    assert "'=HYPERLINK(\"http://evil.example\",\"x\")" in names and "'-2+3 Corp" in names
    assert "'@SUM(A1) :fire: Univ" in names and "Red Inst" in names and "Institute [of] Physics" in names
    out = tmp_path / "scores.csv"
    assert invoke("scores", "--level", "institution", "--out", out, "--store", hostile_store).exit_code == 0
    written = pd.read_csv(out, keep_default_na=False)
    assert set(written["name"]) == names
    assert not written["name"].str.contains("\x1b|\x00").any()
    assert (written["share"] >= 0).all()  # numbers stay numbers


def test_raw_csv_option_writes_values_unchanged(hostile_store, tmp_path):
    out = tmp_path / "raw.csv"
    result = invoke("--raw-csv", "scores", "--level", "institution", "--out", out, "--store", hostile_store)
    assert result.exit_code == 0, result.output
    names = set(pd.read_csv(out, keep_default_na=False)["name"])
    assert "=HYPERLINK(\"http://evil.example\",\"x\")" in names and "-2+3 Corp" in names
    # control characters and escape sequences never reach the store (record contract): raw is what is stored
    assert "Red Inst" in names


def test_network_csv_from_the_cli_is_neutralised(hostile_store, tmp_path):
    result = invoke("network", "--level", "institution", "--format", "csv", "--out", tmp_path / "net",
                    "--store", hostile_store)
    assert result.exit_code == 0, result.output
    labels = set(pd.read_csv(tmp_path / "net" / "nodes.csv", keep_default_na=False)["label"])
    assert "'=HYPERLINK(\"http://evil.example\",\"x\")" in labels


def test_markup_helpers():
    from collabatlas.escaping import markup, terminal_text

    assert terminal_text("a\x1b[1;31mb\x1b]8;;http://x\x07c\x1b]8;;\x07\x00d\x9b2Je\tf\ng") == "abcde\tf\ng"
    from rich.console import Console

    console = Console(file=__import__("io").StringIO(), emoji=False, width=200)
    for text in ("Institute [of] Physics", "Evil [/bold] Lab [/]", "back\\", "[link=http://x]y[/link]"):
        console.print(f"[bold]{markup(text)}[/]")
    assert console.file.getvalue().splitlines() == [
        "Institute [of] Physics", "Evil [/bold] Lab [/]", "back\\", "[link=http://x]y[/link]"]


def test_print_table_shows_cells_exactly(capsys):
    from collabatlas.views.cli_common import print_table

    print_table(pd.DataFrame({"name": ["ends with \\", "[red]x[/red]", "Tab\x1b[2Jbed"], "n": [1, 2, 3]}), "[t]")
    out = capsys.readouterr().out
    assert "ends with \\ " in out and "ends with \\\\" not in out and "[red]x[/red]" in out and "[t]" in out
    assert "Tabbed" in out and "\x1b" not in out


def test_spinner_texts_with_markup_in_user_input_do_not_crash(hostile_store):
    from rich.errors import MarkupError

    result = invoke("works", "I2 [/]", "--level", "institution", "--store", hostile_store)
    assert not isinstance(result.exception, MarkupError), result.exception
    assert result.exit_code in (0, 1, 2) and "Traceback" not in result.output
