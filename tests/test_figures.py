"""The figure model (issue 26): one table behind the CLI, the API and the report, written by one
writer; the editorial fields and the unit colours of issue 27."""

from __future__ import annotations

import io
import json
import warnings

import pandas as pd
import pytest
from typer.testing import CliRunner

from collabatlas.views.cli import app

from .conftest import work, write_jsonl

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    from fastapi.testclient import TestClient

JP, US, CN, DE, GB = ("I1", "JP"), ("I2", "US"), ("I3", "CN"), ("I4", "DE"), ("I5", "GB")


def _works() -> list[dict]:
    """JP with US (5 works), CN (3), DE (2), GB (1) over 2015-2021, one JP-US work in 2022."""
    rows, n = [], 0
    for partner, count in ((US, 5), (CN, 3), (DE, 2), (GB, 1)):
        for i in range(count):
            n += 1
            rows.append(work(f"W{n}", [[JP], [partner]] + ([[JP]] if i % 2 else []), year=2015 + i))
    rows.append(work("W99", [[JP], [US]], year=2022))
    return rows


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    folder = tmp_path_factory.mktemp("figures")
    path = folder / "s.duckdb"
    result = CliRunner().invoke(app, ["ingest", str(write_jsonl(folder / "w.jsonl", _works())), "--store", str(path)])
    assert result.exit_code == 0, result.output
    return path


def test_cli_api_and_report_carry_the_same_partner_rows(store, tmp_path):
    from collabatlas.views.web import create_app

    runner = CliRunner()
    cli = runner.invoke(app, ["partners", "JP", "--years", "2015-2021", "--format", "csv", "--store", str(store)])
    assert cli.exit_code == 0, cli.output
    out = tmp_path / "report"
    made = runner.invoke(app, ["report", "--focus", "JP", "--years", "2015-2021", "--out", str(out), "--no-images",
                               "--store", str(store)])
    assert made.exit_code == 0, made.output
    written = (out / "data" / "partners.csv").read_text(encoding="utf-8")
    assert written == cli.stdout  # the same writer: byte for byte
    table = pd.read_csv(io.StringIO(written))
    assert list(table["partner"]) == ["US", "CN", "DE", "GB"]  # hand oracle: ranked by CS
    assert list(table["joint_count"]) == [5, 3, 2, 1]  # 2022's JP-US work is outside the years
    with TestClient(create_app(store)) as client:
        body = client.get("/api/partners/JP", params={"years": "2015-2021"}).json()
    api = pd.DataFrame(body["rows"], columns=body["columns"])
    assert list(api.columns) == list(table.columns)
    pd.testing.assert_frame_equal(api[["partner", "joint_count"]], table[["partner", "joint_count"]],
                                  check_dtype=False)
    for column in ("cs", "pct_of_international_cs"):
        assert api[column].tolist() == pytest.approx(table[column].tolist(), abs=1e-9)
    assert "data/partners.csv" in (out / "index.html").read_text(encoding="utf-8")


def _csv_texts(text: str, column: str) -> list[str]:
    import csv

    return [row[column] for row in csv.DictReader(io.StringIO(text))]


def _json_texts(text: str, column: str) -> list[str]:
    """The numbers of ``column`` as the JSON text writes them (not as a parser reads them back)."""
    import re

    return re.findall(rf'"{column}":\s*([^,}}\s]+)', text)


def test_every_machine_readable_output_writes_a_figure_with_the_same_characters(store, tmp_path):
    """One rounding rule (collabatlas.rounding): CLI CSV and JSON, a report's data CSV and the API
    write each number with the same characters: 10 decimals, the shortest text (issue 28)."""
    from collabatlas.views.web import create_app

    runner = CliRunner()
    args = ["partners", "JP", "--years", "2015-2021", "--store", str(store)]
    csv_out = runner.invoke(app, [*args, "--format", "csv"]).stdout
    json_out = runner.invoke(app, [*args, "--format", "json"]).stdout
    out = tmp_path / "report"
    assert runner.invoke(app, ["report", "--focus", "JP", "--years", "2015-2021", "--out", str(out), "--no-images",
                               "--store", str(store)]).exit_code == 0
    report_csv = (out / "data" / "partners.csv").read_text(encoding="utf-8")
    with TestClient(create_app(store)) as client:
        api = client.get("/api/partners/JP", params={"years": "2015-2021"}).text
    columns = [c for c in pd.read_csv(io.StringIO(csv_out)).select_dtypes("float").columns]
    assert {"cs", "pct_of_international_cs"} <= set(columns)
    seen = set()
    for column in columns:
        texts = _csv_texts(csv_out, column)
        assert len(texts) == 4 and texts == _csv_texts(report_csv, column) == _json_texts(json_out, column)
        assert texts == _json_texts(api, column), column
        seen |= set(texts)
    # hand oracle: CS 5, 3, 2, 1 (one per joint work here): CN's 3/11 and DE's 2/11 of the international
    # CS, in %, with 10 decimals (the API sent 27.27272727272727 before the one rule)
    assert {"27.2727272727", "18.1818181818"} <= seen, seen
    assert not any(len(t.split(".")[-1]) > 10 for t in seen if "e" not in t)


def test_a_chart_spec_from_the_cli_and_the_api_writes_its_numbers_alike(store, tmp_path):
    """`chart … --out x.json` is machine-readable output too: its data carry the numbers with the
    characters of /api/chart/… (the one rounding rule), not Python's 17 digits (0.2727272727272727)."""
    from collabatlas.views.web import create_app

    out = tmp_path / "p.json"
    result = CliRunner().invoke(app, ["chart", "partners", "--unit", "JP", "--years", "2015-2021", "--out", str(out),
                                      "--store", str(store)])
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    assert "27.2727272727," in text.replace(" ", "") and "27.272727272727" not in text
    with TestClient(web_app := create_app(store)) as client:
        api = client.get("/api/chart/partners/JP", params={"years": "2015-2021"}).json()["spec"]
    web_app.state.service.close()  # no DuckDB object left to the interpreter's exit

    def rows(spec):
        return sorted(json.dumps(r, sort_keys=True) for values in spec["datasets"].values() for r in values)

    assert rows(json.loads(text)) == rows(api)


def test_the_rounding_rule_is_one_function_for_columns_numbers_and_json():
    import numpy as np

    from collabatlas import rounding
    from collabatlas.views.table_text import json_text, table_csv, table_json

    values = [1.0000000000000002, 2 / 3, -1e-17, 1e-05, 12345678.123456789, 0.1 + 0.2, 2.675, float("nan")]
    df = pd.DataFrame({"x": values})
    csv_texts = _csv_texts(table_csv(df), "x")
    assert csv_texts == ["1.0", "0.6666666667", "0.0", "1e-05", "12345678.12345679", "0.3", "2.675", ""]
    assert _json_texts(table_json(df), "x") == [*csv_texts[:-1], "null"]
    assert _json_texts(json_text({"nested": [{"x": v} for v in values]}), "x") == [*csv_texts[:-1], "null"]
    assert [rounding.text(v) for v in values] == csv_texts
    rng = np.random.default_rng(7)  # the column and the single-number paths agree on any double
    many = np.concatenate([rng.random(2000) * 10.0 ** rng.integers(-12, 9, 2000), rng.normal(size=2000)])
    assert rounding.frame(pd.DataFrame({"x": many}))["x"].tolist() == [rounding.number(v) for v in many]
    assert rounding.tree({"a": list(many)})["a"] == rounding.numbers(many).tolist()


def _chart(store, out, *args) -> None:
    result = CliRunner().invoke(app, ["chart", *args, "--out", str(out), "--store", str(store)])
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("kind", [["partners"], ["trend", "--partner", "US,CN"], ["map"],
                                  ["group", "--periods", "2015-2017,2019-2021"], ["landscape", "--year", "2016"]])
def test_title_subtitle_and_note_are_in_the_svg_of_every_kind(store, tmp_path, kind):
    args = [*kind] + ([] if kind[0] == "landscape" else ["--unit", "JP"])
    _chart(store, tmp_path / "x.svg", *args, "--title", "My title T", "--subtitle", "My subtitle S",
           "--note", "My note N", "--highlight", "CN")
    text = (tmp_path / "x.svg").read_text(encoding="utf-8")
    assert "My title T" in text and "My subtitle S" in text and "Note: My note N" in text
    assert "Top collaborators" not in text  # the title replaces the generated one


def _bar_colours(spec: dict) -> dict[str, str]:
    rows = next(r for r in spec["datasets"].values() if r and "colour" in r[0])
    return {r["partner"]: r["colour"] for r in rows}


def _line_colours(spec: dict) -> dict[str, str]:
    line = next(layer for layer in spec["layer"] if layer["mark"] in ("line", {"type": "line"}))
    scale = line["encoding"]["color"]["scale"]
    rows = spec["datasets"][line["data"]["name"] if "data" in line else spec["data"]["name"]]
    by_label = dict(zip(scale["domain"], scale["range"], strict=True))
    return {r["partner"]: by_label[r["label"]] for r in rows}


def test_a_unit_has_one_colour_in_the_partner_bars_and_the_trend_lines(store, tmp_path):
    _chart(store, tmp_path / "a.json", "partners", "--unit", "JP")
    _chart(store, tmp_path / "b.json", "trend", "--unit", "JP", "--partner", "GB,DE,CN,US")  # not in rank order
    bars = _bar_colours(json.loads((tmp_path / "a.json").read_text()))
    lines = _line_colours(json.loads((tmp_path / "b.json").read_text()))
    assert set(lines) == {"US", "CN", "DE", "GB"}
    assert {u: bars[u] for u in lines} == lines
    assert len(set(lines.values())) == 4


def test_highlight_mutes_the_other_units(store, tmp_path):
    from collabatlas.views.charts import MUTED

    _chart(store, tmp_path / "a.json", "partners", "--unit", "JP", "--highlight", "cn")
    bars = _bar_colours(json.loads((tmp_path / "a.json").read_text()))
    assert bars["CN"] != MUTED and {bars[u] for u in ("US", "DE", "GB")} == {MUTED}


def test_trend_lines_are_named_at_their_ends_not_in_a_legend(store, tmp_path):
    _chart(store, tmp_path / "b.json", "trend", "--unit", "JP", "--partner", "US,CN")
    spec = json.loads((tmp_path / "b.json").read_text())
    line = next(layer for layer in spec["layer"] if layer["mark"] in ("line", {"type": "line"}))
    assert line["encoding"]["color"]["legend"] is None
    ends = [layer for layer in spec["layer"] if "text" in str(layer["mark"])]
    labels = {spec["datasets"][layer["data"]["name"]][0]["label"] for layer in ends}
    assert labels == {"United States", "China"}


# -- reports written atomically -----------------------------------------------------------------

def _report(store, out, *more):
    return CliRunner().invoke(app, ["report", "--focus", "JP", "--years", "2015-2021", "--out", str(out),
                                    "--store", str(store), *more])


def test_a_report_refuses_a_folder_that_is_not_a_report(store, tmp_path):
    out = tmp_path / "mine"
    out.mkdir()
    (out / "thesis.docx").write_text("mine")
    result = _report(store, out, "--no-images")
    assert result.exit_code == 2 and "not empty" in result.output
    assert [p.name for p in out.iterdir()] == ["thesis.docx"]


def test_rewriting_a_report_removes_its_stale_files_and_keeps_others(store, tmp_path):
    out = tmp_path / "rep"
    assert _report(store, out).exit_code == 0
    assert (out / "partners.png").is_file() and (out / "data" / "trend.csv").is_file()
    (out / "my-notes.txt").write_text("kept")
    result = _report(store, out, "--no-images", "--title", "Japan, again")
    assert result.exit_code == 0, result.output
    assert not list(out.glob("*.png")) and not list(out.glob("*.svg"))  # the first report's images: gone
    assert (out / "my-notes.txt").read_text() == "kept"
    assert "Japan, again" in (out / "index.html").read_text(encoding="utf-8")
    manifest = json.loads((out / ".collabatlas-report.json").read_text())
    assert "index.html" in manifest["files"] and "data/partners.csv" in manifest["files"]
    assert "my-notes.txt" not in manifest["files"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["rep"]  # no temporary folder left


def test_a_failed_report_leaves_the_earlier_one_whole(store, tmp_path, monkeypatch):
    from collabatlas.views import charts

    out = tmp_path / "rep"
    assert _report(store, out, "--no-images").exit_code == 0
    before = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}

    def broken(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(charts, "save", broken)
    result = _report(store, out)
    assert result.exit_code != 0 and "No space left" in result.output
    assert {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["rep"]


# -- fair comparisons ---------------------------------------------------------------------------

def test_periods_of_unequal_length_are_refused(store, tmp_path):
    result = _report(store, tmp_path / "r", "--no-images", "--periods", "2015-2018,2019-2021")
    assert result.exit_code == 2 and "differ in length" in result.output
    assert not (tmp_path / "r" / "index.html").exists()
    chart = CliRunner().invoke(app, ["chart", "group", "--unit", "JP", "--periods", "2015-2019,2020-2021",
                                     "--out", str(tmp_path / "g.json"), "--store", str(store)])
    assert chart.exit_code == 2 and "differ in length" in chart.output


def test_the_default_periods_are_halves_of_the_same_length_and_growth_carries_its_n(store, tmp_path, monkeypatch):
    import re

    monkeypatch.setenv("COLLABATLAS_SMALL_N", "10")
    out = tmp_path / "r"
    result = _report(store, out, "--no-images")  # 2015-2021: 2015-2017 against 2019-2021, 2018 left out
    assert result.exit_code == 0, result.output
    html = (out / "index.html").read_text(encoding="utf-8")
    assert "2018 is left out" in html and "2015-2017 vs 2019-2021" in html
    assert "n first" in html and "n last" in html and re.search(r"flagged: .*fewer than 10 works", html)
    chosen = _report(store, tmp_path / "r2", "--no-images", "--periods", "2015-2016,2020-2021")
    assert chosen.exit_code == 0 and "2015-2016 vs 2020-2021" in (tmp_path / "r2" / "index.html").read_text()
    assert "--periods 2015-2016,2020-2021" in (tmp_path / "r2" / "index.html").read_text()


def test_trend_points_with_few_works_are_hollow_and_said(store, tmp_path, monkeypatch):
    monkeypatch.setenv("COLLABATLAS_SMALL_N", "2")
    _chart(store, tmp_path / "t.json", "trend", "--unit", "JP", "--partner", "US")
    spec = json.loads((tmp_path / "t.json").read_text())
    assert "hollow points: fewer than 2 joint works" in json.dumps(spec["title"])
    hollow = [layer for layer in spec["layer"]
              if isinstance(layer["mark"], dict) and layer["mark"].get("filled") is False]
    assert hollow and hollow[0]["transform"] == [{"filter": "datum.small_n"}]
    rows = {r["period"]: r["small_n"] for values in spec["datasets"].values() for r in values if "small_n" in r}
    assert rows[2015] is True and rows[2016] is True  # one JP-US work a year: n = 1 < 2


def test_long_code_lists_move_to_a_footnote():
    from collabatlas.views.charts import ChartContext, compact_notes
    from collabatlas.views.world_map import reference_line

    notes, foot = compact_notes(["as points (no outline at 1:110m): HK, MO, SG, XK, MT, BH, MV, LI", "short: A, B"])
    assert notes == ["as points (no outline at 1:110m): 8 (listed below¹)", "short: A, B"]
    assert foot == ["¹ as points (no outline at 1:110m): HK, MO, SG, XK, MT, BH, MV, LI"]
    lines = ChartContext(data_version=3).caption("definition", *notes[:1], "as points: " + ", ".join("ABCDEFGH"))
    assert lines[-1].startswith("¹ as points: A, B") and "data version 3" in lines[-2]
    assert "packaged" in reference_line(["wb-countries"])


def test_a_reference_file_from_a_data_folder_is_named_without_its_path(tmp_path, monkeypatch):
    from collabatlas import refdata
    from collabatlas.views.world_map import reference_line

    real = refdata.locate("wb-countries")
    secret = tmp_path / "srv" / "private" / "wb.csv"
    monkeypatch.setattr(refdata, "locate", lambda name, data_dir=None: type(real)(
        real.dataset, secret, "directory", real.version, real.sha256))
    line = reference_line(["wb-countries"], tmp_path)
    assert line == f"reference data: wb-countries {real.version} (data folder)" and "srv" not in line


def test_ranking_chart_of_a_countrys_institutions(store, tmp_path):
    """Hand oracle: every JP work 2015-2021 (11) gives Institution I1 a CS of 1 with its foreign partner."""
    _chart(store, tmp_path / "r.json", "ranking", "--level", "institution", "--country", "JP", "--by",
           "cs_international", "--years", "2015-2021")
    spec = json.loads((tmp_path / "r.json").read_text())
    rows = next(r for r in spec["datasets"].values() if r and "cs_international" in r[0])
    assert [(r["unit"], r["cs_international"]) for r in rows] == [("I1", pytest.approx(11.0))]
    assert "Institutions in Japan by international CS" in json.dumps(spec["title"])
    _chart(store, tmp_path / "all.json", "ranking", "--level", "institution", "--by", "cs_total",
           "--years", "2015-2021")
    ranked = next(r for r in json.loads((tmp_path / "all.json").read_text())["datasets"].values()
                  if r and "cs_total" in r[0])
    assert [(r["unit"], r["cs_total"]) for r in ranked][:2] == [("I1", pytest.approx(11.0)), ("I2", pytest.approx(5.0))]
    refused = CliRunner().invoke(app, ["chart", "partners", "--unit", "JP", "--country", "JP",
                                       "--out", str(tmp_path / "p.json"), "--store", str(store)])
    assert refused.exit_code == 2 and "--country: applies to the ranking chart" in refused.output
