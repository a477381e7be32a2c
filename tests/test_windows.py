"""12-month windows: --years names the windows, every window of the span is listed, undated works are said."""

from __future__ import annotations

from typer.testing import CliRunner

from collabatlas.views.cli import app

from .conftest import work, write_jsonl

US_CN = [[("I1", "US")], [("I2", "CN")]]


def _works():
    # window ending in July: Aug Y-1 .. Jul Y
    return [work("W1", US_CN, year=2014, date="2014-09-01"),   # window 2015
            work("W2", US_CN, year=2016, date="2016-07-31"),   # window 2016
            work("W3", US_CN, year=2016, date="2016-08-01"),   # window 2017
            work("W4", US_CN, year=2023, date="2023-03-01"),   # window 2023
            work("W5", US_CN, year=2023, date="2023-09-01"),   # window 2024: outside 2015-2023
            work("W6", US_CN, year=2019, date=None, publication_date=None)]  # undated


def _ingested(tmp_path):
    """A store holding :func:`_works`, ingested through the CLI."""
    store = tmp_path / "s.duckdb"
    path = write_jsonl(tmp_path / "w.jsonl", _works())
    assert CliRunner().invoke(app, ["ingest", str(path), "--store", str(store)]).exit_code == 0
    return store


def test_every_window_of_the_span_is_listed_first_and_last_included(atlas_of):
    atlas = atlas_of(_works())
    df = atlas.trend("US", "CN", years="2015-2023", window_end_month=7)
    assert list(df["period"]) == list(range(2015, 2024))
    assert dict(zip(df["period"], df["joint_count"], strict=False)) == {2015: 1, 2016: 1, 2017: 1, 2018: 0,
                                                                        2019: 0, 2020: 0, 2021: 0, 2022: 0, 2023: 1}
    assert df.attrs["notes"] == ["1 of 6 OpenAlex records have no publication date: outside every window"]


def test_compare_takes_any_listed_window(tmp_path):
    store, runner = _ingested(tmp_path), CliRunner()
    result = runner.invoke(app, ["trend", "US", "CN", "--window-end-month", "7", "--years", "2015-2023",
                                 "--compare", "2015,2023", "--store", str(store)])
    assert result.exit_code == 0, result.output
    assert "no publication date" in result.output and "2023" in result.output


def test_a_window_filter_reports_undated_records(tmp_path):
    store, runner = _ingested(tmp_path), CliRunner()
    result = runner.invoke(app, ["scores", "--window", "2016-01-01..2016-12-31", "--store", str(store)])
    assert result.exit_code == 0, result.output
    assert "1 of 6 OpenAlex records have no publication date" in result.output


def test_group_periods_take_12_month_windows(atlas_of):
    """Hand oracle: China with Pakistan (a Belt and Road member), 2015 against the window ending July 2023."""
    cn_pk = [[("I1", "CN")], [("I2", "PK")]]
    cn_us = [[("I1", "CN")], [("I3", "US")]]
    atlas = atlas_of([work("W1", cn_pk, year=2015, date="2015-05-01"),
                      work("W2", cn_us, year=2015, date="2015-06-01"),
                      work("W3", cn_pk, year=2022, date="2022-09-01"),   # in the window
                      work("W4", cn_pk, year=2023, date="2023-07-31"),   # in the window (last day)
                      work("W5", cn_pk, year=2023, date="2023-08-01"),   # after it
                      work("W6", cn_us, year=2023, date="2023-01-15")])  # in the window
    report = atlas.group("CN", "bri", ["2015", "2022-08-01..2023-07-31"], members=frozenset({"PK"}))
    rows = report.periods.set_index("period")
    assert list(rows.index) == ["2015", "2022-08-01..2023-07-31"]
    assert rows.loc["2015", "group_works"] == 1 and rows.loc["2015", "intl_works"] == 2
    assert rows.loc["2022-08-01..2023-07-31", "group_works"] == 2
    assert rows.loc["2022-08-01..2023-07-31", "intl_works"] == 3
    assert rows.loc["2022-08-01..2023-07-31", "group_cs"] == 2.0  # two works, each CN 1/2 + PK 1/2
    growth = report.growth.set_index("measure")
    assert growth.loc["group_works", "growth_pct"] == 100.0


def test_a_subject_filter_states_the_subject_coverage(tmp_path):
    store, runner = _ingested(tmp_path), CliRunner()
    result = runner.invoke(app, ["scores", "--subject", "Life Sciences", "--store", str(store)])
    assert result.exit_code == 0, result.output
    assert "--subject: subject known for 6 of 6 works (openalex 6)" in result.output


def test_group_with_a_window_period_says_the_undated_records(tmp_path, atlas_of):
    """A date-window period drops undated records: `group` says so as `scores --window` does."""
    cn_pk = [[("I1", "CN")], [("I2", "PK")]]
    works = [work("W1", cn_pk, year=2023, date="2023-03-01"),
             work("W2", cn_pk, year=2023, date=None, publication_date=None)]  # undated: outside every window
    atlas = atlas_of(works)
    report = atlas.group("CN", "bri", ["2022-08-01..2023-07-31"])
    assert report.notes == ["1 of 2 OpenAlex records have no publication date: outside every window"]
    assert report.to_dict()["notes"] == report.notes
    assert atlas.group("CN", "bri", ["2023"]).notes == []  # a calendar year keeps undated works
    store = tmp_path / "g.duckdb"
    assert CliRunner().invoke(app, ["ingest", str(write_jsonl(tmp_path / "g.jsonl", works)),
                                    "--store", str(store)]).exit_code == 0
    result = CliRunner().invoke(app, ["group", "CN", "--group", "bri", "--periods", "2015,2022-08-01..2023-07-31",
                                      "--store", str(store)])
    assert result.exit_code == 0, result.output
    assert "1 of 2 OpenAlex records have no publication date" in result.output


def test_a_window_is_labelled_with_its_bounds_in_csv_and_in_the_chart(tmp_path):
    import io
    import json

    import pandas as pd

    store, runner = _ingested(tmp_path), CliRunner()
    result = runner.invoke(app, ["trend", "CN", "US", "--window-end-month", "7", "--years", "2015-2023",
                                 "--format", "csv", "--store", str(store)])
    assert result.exit_code == 0, result.output
    df = pd.read_csv(io.StringIO(result.stdout))
    assert list(df.columns[:3]) == ["period", "period_start", "period_end"]
    assert (df["period_start"].iloc[0], df["period_end"].iloc[0]) == ("2014-08-01", "2015-07-31")
    assert (df["period_start"].iloc[-1], df["period_end"].iloc[-1]) == ("2022-08-01", "2023-07-31")
    by_year = runner.invoke(app, ["trend", "CN", "US", "--years", "2015-2023", "--format", "csv",
                                  "--store", str(store)])
    assert "period_start" not in by_year.stdout  # a calendar year is its own bound
    out = tmp_path / "t.json"
    drawn = runner.invoke(app, ["chart", "trend", "--unit", "CN", "--partner", "US", "--window-end-month", "7",
                                "--years", "2015-2023", "--out", str(out), "--store", str(store)])
    assert drawn.exit_code == 0, drawn.output
    spec = json.loads(out.read_text())
    rows = [r for values in spec["datasets"].values() for r in values if "period_label" in r]
    assert rows[-1]["period_label"] == "2022-08..2023-07" and rows[0]["period_label"] == "2014-08..2015-07"
    assert "2014-08-01..2023-07-31" in json.dumps(spec["title"])
    refused = runner.invoke(app, ["chart", "partners", "--unit", "CN", "--window-end-month", "7",
                                  "--out", str(tmp_path / "p.json"), "--store", str(store)])
    assert refused.exit_code == 2 and "--window-end-month" in refused.output
