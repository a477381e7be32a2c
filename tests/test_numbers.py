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
