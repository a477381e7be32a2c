"""`--out FILE.xlsx`: a valid one-sheet workbook (views.xlsx), read back here with the standard library."""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET
import zipfile

import pandas as pd
import pytest
from typer.testing import CliRunner

from collabatlas.views.cli import app
from collabatlas.views.xlsx import column_name, write_xlsx
from tests.conftest import work, write_jsonl

NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
runner = CliRunner()


def read_xlsx(path) -> list[list]:
    """Rows of the first sheet: numbers as floats, text as str, booleans as bool, gaps as None."""
    with zipfile.ZipFile(path) as book:
        names = set(book.namelist())
        assert {"[Content_Types].xml", "_rels/.rels", "xl/workbook.xml", "xl/_rels/workbook.xml.rels",
                "xl/worksheets/sheet1.xml", "xl/styles.xml"} <= names
        for name in names:  # every part is well-formed XML
            ET.fromstring(book.read(name))
        sheet = ET.fromstring(book.read("xl/worksheets/sheet1.xml"))
    rows = []
    for r, row in enumerate(sheet.find("m:sheetData", NS), start=1):
        assert row.get("r") == str(r)
        values = {}
        for cell in row:
            ref = cell.get("r")
            column, number = re.fullmatch(r"([A-Z]+)(\d+)", ref).groups()
            assert number == str(r)
            kind = cell.get("t")
            if kind == "inlineStr":
                values[column] = cell.find("m:is/m:t", NS).text or ""
            elif kind == "b":
                values[column] = cell.find("m:v", NS).text == "1"
            else:
                values[column] = float(cell.find("m:v", NS).text)
        width = max((_index(c) for c in values), default=-1) + 1
        rows.append([values.get(column_name(i)) for i in range(width)])
    return rows


def _index(column: str) -> int:
    n = 0
    for ch in column:
        n = n * 26 + ord(ch) - 64
    return n - 1


def test_column_names():
    assert [column_name(i) for i in (0, 25, 26, 27, 701, 702)] == ["A", "Z", "AA", "AB", "ZZ", "AAA"]


def test_values_text_and_gaps(tmp_path):
    df = pd.DataFrame({"unit": ["=cmd()", "a<b & \"c\"", "x\x01y"], "n": [1, 2, 3], "v": [0.5, float("nan"), -2.25],
                       "ok": [True, False, True]})
    rows = read_xlsx(write_xlsx(df, tmp_path / "t.xlsx"))
    assert rows[0] == ["unit", "n", "v", "ok"]
    assert rows[1] == ["=cmd()", 1.0, 0.5, True]  # text stays text: an inline string is never a formula
    assert rows[2] == ['a<b & "c"', 2.0, None, False]
    assert rows[3] == ["xy", 3.0, -2.25, True]  # characters XML cannot hold are dropped


def test_too_big_for_one_sheet(tmp_path, monkeypatch):
    from collabatlas.views import xlsx

    monkeypatch.setattr(xlsx, "MAX_ROWS", 3)
    with pytest.raises(ValueError, match="do not fit one Excel sheet"):
        write_xlsx(pd.DataFrame({"a": range(5)}), tmp_path / "t.xlsx")


def test_scores_out_xlsx_equals_the_csv(tmp_path):
    store = tmp_path / "s.duckdb"
    records = [work("W1", [[("I1", "JP")], [("I2", "US")], [("I3", "CN")]], year=2020)]
    assert runner.invoke(app, ["ingest", str(write_jsonl(tmp_path / "w.jsonl", records)),
                               "--store", str(store)]).exit_code == 0
    out = tmp_path / "deep" / "s.xlsx"
    result = runner.invoke(app, ["scores", "--level", "country", "--out", str(out), "--format", "csv",
                                 "--store", str(store)])
    assert result.exit_code == 0, result.output
    expected = pd.read_csv(io.StringIO(result.stdout), keep_default_na=False)
    rows = read_xlsx(out)
    assert rows[0] == list(expected.columns)
    got = pd.DataFrame(rows[1:], columns=rows[0])
    assert got["unit"].tolist() == expected["unit"].tolist()
    assert got["share"].tolist() == pytest.approx(expected["share"].tolist())  # 1/3 each
    assert got["count"].tolist() == [1.0, 1.0, 1.0]


def test_unknown_extension_names_xlsx(tmp_path):
    result = runner.invoke(app, ["scores", "--out", str(tmp_path / "x.ods"), "--store", str(tmp_path / "s.duckdb")])
    assert result.exit_code == 2 and ".xlsx" in result.output
