"""Number formatting in one place (issue 27): the terminal, the report, the PDF and the dashboard."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from collabatlas.views import numbers


@pytest.mark.parametrize(("column", "value", "text"), [
    ("joint_works", 16102.0, "16,102"),          # a full count summed as a float: an integer
    ("count", 6733, "6,733"),                    # beside 11,446: the same separators
    ("intl_works", 11446, "11,446"),
    ("year", 2015, "2015"), ("period", 2023, "2023"),
    ("p_value", 0.0, "< 0.001"), ("p_value", 0.00049, "< 0.001"), ("p_value", 0.0234, "0.023"),
    ("growth_pct", 696.66666, "696.7"), ("pct_of_international_cs", 22.6319, "22.6"),
    ("cs", 1.8333333, "1.833"), ("share", 12.5, "12.500"), ("coef", -0.12345, "-0.123"),
    ("name", "Japan", "Japan"),
])
def test_one_rule_per_kind_of_number(column, value, text):
    assert numbers.cell(column, value)[0] == text


def test_changes_are_signed_and_missing_values_blank():
    assert numbers.change(12.345) == "+12.3 %" and numbers.change(-5) == "-5.0 %" and numbers.change(None) == "–"
    assert numbers.cell("cs", float("nan")) == ("", False)


def test_the_terminal_and_the_report_use_the_rules():
    from collabatlas.views.cli_common import _cell
    from collabatlas.views.report import _table_rows

    assert _cell(16102.0, "joint_works") == "16,102" and _cell(6733, "count") == "6,733"
    assert _cell(0.0, "p_value") == "< 0.001" and _cell(2015, "year") == "2015"
    assert _cell(0.94444444, "cs") == "0.944" == numbers.cell("cs", 0.94444444)[0]  # as in the report
    assert _cell(1.5, "share") == "1.500" == _table_rows(pd.DataFrame({"share": [1.5]}))["rows"][0][0][0]
    rows = _table_rows(pd.DataFrame({"partner": ["US"], "joint_works": [16102.0], "p_value": [0.0]}))["rows"]
    assert rows == [[("US", False), ("16,102", True), ("< 0.001", True)]]


def test_the_dashboard_reads_the_same_patterns():
    rules = numbers.rules()
    for key in ("plain", "count", "pct", "p"):
        re.compile(rules[key])  # JavaScript takes them as they are (no Python-only syntax)
        assert "(?" not in rules[key]


@pytest.mark.parametrize(("column", "value", "text"), [
    ("p", 21, "21"), ("p", 1234, "1,234"),       # indicators / impact: P is the number of works (Leiden)
    ("p", 0.0004, "0.000"), ("p", 18.375, "18.375"),  # under fractional counting: a Share sum, not "< 0.001"
    ("p_impact", 18, "18"), ("p_collab", 3, "3"),
])
def test_p_is_the_number_of_works_not_a_p_value(column, value, text):
    """``p`` (indicators, impact) counts works as in the Leiden Ranking: written as a count (or a Share
    sum), never as a p-value (``21.000``, ``< 0.001``) in the terminal, the report or the dashboard."""
    assert numbers.cell(column, value)[0] == text
    assert not re.search(numbers.rules()["p"], column)


@pytest.mark.parametrize(("column", "value", "text"), [
    ("first", 30475, "30,475"), ("last", 109459.0, "109,459"),  # a growth table's counts: separators, not a year
    ("first", 5.8142857, "5.814"), ("last", 0.9444444, "0.944"),  # its CS: a measure
])
def test_growth_first_and_last_are_counts_or_measures_never_years(column, value, text):
    assert numbers.cell(column, value)[0] == text
    assert re.search(numbers.rules()["auto"], column) and not re.search(numbers.rules()["plain"], column)


def _dashboard_cells(rows: list[dict]) -> list[list[str]]:
    """The dashboard's table cells for ``rows`` (its formatCell and columnsWhole run by node)."""
    import json
    import shutil
    import subprocess
    from pathlib import Path

    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed")
    source = (Path(numbers.__file__).parent / "web" / "pages" / "dashboard.js").read_text(encoding="utf-8")
    start, end = source.index("const PLAIN_INTEGER"), source.index("// A DOI as a link")
    middle = source[start:end]
    helpers = middle[:middle.index("function fieldName")] + middle[middle.index("// JSON cannot say"):]
    script = (f"const NUMBER_RULES = {json.dumps(numbers.rules())};\nconst fieldName = c => c;\n{helpers}\n"
              f"const rows = {json.dumps(rows)}; const columns = Object.keys(rows[0]);\n"
              "const whole = columnsWhole(rows, columns);\n"
              "console.log(JSON.stringify(rows.map(r => columns.map(c => formatCell(r[c], c, whole[c])[0]))));")
    done = subprocess.run([node, "-e", script], capture_output=True, text=True, check=True)
    return json.loads(done.stdout)


def test_the_dashboard_writes_a_table_as_the_report_does():
    """JSON cannot tell 1.0 from 1: the dashboard wrote a CS of exactly 1 as a count ("1") beside
    "1.500" in the same column, where the report writes 1.000. A column is a count only when all its
    numbers are whole; a growth table's first/last stay a count or a measure per row."""
    from collabatlas.views.report import _table_rows

    frame = pd.DataFrame({"partner": ["GB", "IT"], "joint_count": [4, 2], "cs": [1.5, 1.0],
                          "pct_of_international_cs": [60.0, 40.0], "p": [21, 3], "first": [8.0, 5.8142857]})
    report = [[text for text, _ in row] for row in _table_rows(frame)["rows"]]
    dashboard = _dashboard_cells(frame.to_dict(orient="records"))
    assert dashboard == report == [["GB", "4", "1.500", "60.0", "21", "8"], ["IT", "2", "1.000", "40.0", "3", "5.814"]]


def test_institution_pairs_of_two_countries_rank_as_every_table_ranks():
    """The bilateral page's institution pairs are ranked by the one ranking rule (SQL: CS compared at
    1e-9, ties by id), not a pandas sort of raw floats: sums equal but for the summation order tie."""
    from collabatlas.views.bilateral import institution_pairs

    pairs = pd.DataFrame({"unit_a": ["I1", "I2", "I0"], "unit_b": ["I9", "I8", "I7"], "name_a": ["a", "b", "c"],
                          "name_b": ["x", "y", "z"], "joint_count": [1, 1, 1],
                          "cs": [0.3, 0.1 + 0.2, 0.30000000001]})  # 0.3 and 0.30000000000000004: a tie
    countries = pd.DataFrame({"institution_id": ["I0", "I1", "I2", "I7", "I8", "I9"],
                              "country": ["JP", "JP", "JP", "US", "US", "US"]})
    out = institution_pairs(pairs, countries, "JP", "US")
    assert list(out["institution_a"]) == ["I0", "I1", "I2"]  # 0.30000000001 first; then the tie by id


def test_a_whole_share_reads_as_a_share_in_a_one_row_table():
    """An institution headline is one row: JSON's 1.0 arrives as 1, and the dashboard wrote Share "1"
    where the report writes 1.000. Shares and CS are measures by their column's name, whole or not."""
    from collabatlas.views.report import _table_rows

    frame = pd.DataFrame({"count": [2], "share": [1.0], "cs_total": [2.0], "own_share": [0.5], "links": [3]})
    report = [[text for text, _ in row] for row in _table_rows(frame)["rows"]]
    assert _dashboard_cells(frame.to_dict(orient="records")) == report == [["2", "1.000", "2.000", "0.500", "3"]]
    assert numbers.cell("cs", 1)[0] == "1.000" and numbers.kind("joint_count") == "count"
