"""Terminal tables keep ids and full numbers at any width; names give way first; COLUMNS is honoured
when piped; `groups` shows every row (views.terminal_table, cli_common.print_table)."""

from __future__ import annotations

import io
import re

import pandas as pd
import pytest
from typer.testing import CliRunner

from collabatlas.views.cli import app
from collabatlas.views.terminal_table import NAME_MIN, plan, total_width, wrap_header
from tests.conftest import store_copy, work, write_jsonl

runner = CliRunner()


@pytest.fixture(scope="module")
def _built(tmp_path_factory):
    folder = tmp_path_factory.mktemp("tables")
    long_name = {"id": "https://openalex.org/I123456789", "display_name": "Very Long Institution Name " * 3,
                 "ror": None, "country_code": "JP", "type": "education", "lineage": []}
    records = [work("W1", [[long_name], [("I987654321", "US")], [("I555555555", "CN")]], year=2019),
               work("W2", [[long_name], [("I987654321", "US")]], year=2020)]
    store = folder / "s.duckdb"
    result = runner.invoke(app, ["ingest", str(write_jsonl(folder / "w.jsonl", records)), "--store", str(store)])
    assert result.exit_code == 0, result.output
    return store


@pytest.fixture
def store(_built, tmp_path):
    return store_copy(_built, tmp_path)


def test_plan_keeps_ids_and_values_and_drops_names_last_resort():
    columns = [("unit", False, 10), ("name", False, 60), ("count", True, 3), ("cs_international", True, 7)]
    wide, dropped = plan(columns, 200)
    assert dropped == [] and [p.width for p in wide] == [10, 34, 5, 16]  # names capped at 34
    narrow, dropped = plan(columns, 52)
    widths = {p.name: p.width for p in narrow}
    assert widths["unit"] == 10 and widths["count"] >= 3 and widths["cs_international"] >= 7
    assert dropped == [] and widths["name"] == NAME_MIN and total_width(narrow) <= 52
    tiny, dropped = plan(columns, 30)
    assert dropped == ["name"] and {p.name: p.width for p in tiny}["unit"] == 10
    assert all(p.width >= p.value_width for p in tiny)  # never below a value, even when wider than 30


def test_plan_keep_makes_a_name_column_an_id():
    shown, dropped = plan([("name", False, 40), ("description", False, 80)], 60, keep=("name",))
    assert dropped == [] and shown[0].width == 40


def test_wrap_header_breaks_after_underscores():
    assert wrap_header("cs_international", 13) == "cs_\ninternational"
    assert wrap_header("cs_unknown_country", 10) == "cs_\nunknown_\ncountry"
    assert wrap_header("contribution", 5) == "contr\nibuti\non"
    assert wrap_header("unit", 10) == "unit"


def _full(store) -> pd.DataFrame:
    result = runner.invoke(app, ["collaboration", "--level", "institution", "--store", str(store), "-f", "csv"])
    return pd.read_csv(io.StringIO(result.stdout))


@pytest.mark.parametrize("columns", ["80", "120", "60"])
def test_collaboration_at_any_width_keeps_units_and_unclipped_numbers(store, columns):
    result = runner.invoke(app, ["collaboration", "--level", "institution", "--store", str(store)],
                           env={"COLUMNS": columns})
    assert result.exit_code == 0, result.output
    assert not re.search(r"[0-9]…", result.stdout)  # only a name may carry an ellipsis, never an id or a value
    for unit in _full(store)["unit"]:
        assert unit in result.stdout
    assert "0.833" in result.stdout and "2.333" in result.stdout  # I123456789: share 1/3 + 1/2, cs_total 2 1/3
    assert "0.8333" not in result.stdout  # the decimals of the report and the dashboard (3), one rule
    lines = result.stdout.splitlines()
    if columns != "60":
        assert max(len(line) for line in lines) <= int(columns)


def test_piped_output_follows_columns(store):
    narrow = runner.invoke(app, ["scores", "--level", "institution", "--store", str(store)], env={"COLUMNS": "50"})
    wide = runner.invoke(app, ["scores", "--level", "institution", "--store", str(store)], env={"COLUMNS": "200"})
    assert max(map(len, narrow.stdout.splitlines())) <= 50
    assert "Very Long Institution Name Very" in wide.stdout  # room for 34 characters of the name
    assert "Very Long Institution Name Very" not in narrow.stdout


def test_groups_shows_every_group_with_its_whole_name():
    csv = runner.invoke(app, ["groups", "--format", "csv"])
    names = pd.read_csv(io.StringIO(csv.stdout))["name"].tolist()
    assert len(names) > 25
    table = runner.invoke(app, ["groups"], env={"COLUMNS": "100"})
    assert table.exit_code == 0
    for name in names:
        assert name in table.stdout, name
    assert "of" not in table.stdout.splitlines()[-1] or "rows" not in table.stdout.splitlines()[-1]


def test_a_table_wider_than_the_terminal_comes_in_column_blocks_led_by_its_ids():
    from collabatlas.views.terminal_table import blocks

    columns = [("unit", False, 10), ("count", True, 3), ("share", True, 7), ("cs_total", True, 7),
               ("cs_domestic", True, 7), ("cs_international", True, 7), ("cs_unknown_country", True, 7)]
    shown, _ = plan(columns, 40)
    parts = blocks(shown, 40)
    assert len(parts) > 1
    assert all(part[0].name == "unit" for part in parts)  # every block is read beside its unit
    assert [p.name for part in parts for p in part[1:]] == [c[0] for c in columns[1:]]  # each value once, in order
    assert all(total_width(part) <= 40 for part in parts)
    longest_word = {p.name: max(len(w) for w in p.name.replace("_", "_ ").split()) for part in parts for p in part}
    assert all(p.width >= max(p.value_width, longest_word[p.name]) for part in parts for p in part)  # no header cut
    assert blocks(shown, 400) == [shown]


def test_a_narrow_terminal_never_cuts_a_header_inside_a_word(store):
    result = runner.invoke(app, ["collaboration", "--level", "institution", "--store", str(store)],
                           env={"COLUMNS": "50"})
    assert result.exit_code == 0, result.output
    assert "international" in result.stdout and "domestic" in result.stdout and "count" in result.stdout
    assert "part 1 of" in result.stdout.replace("\n", " ")
    assert max(len(line) for line in result.stdout.splitlines()) <= 50
