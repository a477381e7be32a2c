"""The analysis commands end to end on a hand-built store: landscape (real indicators) and groups."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from collabatlas.views.cli import app
from tests.conftest import work, write_jsonl

# 2008: six countries, three of them with international works
CORPUS = [
    work("W1", [[("U1", "US")], [("G1", "GB")]], year=2008), work("W2", [[("U1", "US")]], year=2008),
    work("W3", [[("D1", "DE")], [("F1", "FR")]], year=2008), work("W4", [[("J1", "JP")]], year=2008),
    work("W5", [[("K1", "KR")]], year=2008), work("W6", [[("D1", "DE")]], year=2008),
]


def test_landscape_and_groups_commands(tmp_path, shared_data, monkeypatch):
    monkeypatch.setenv("COLLABATLAS_DATA", str(shared_data))
    runner = CliRunner()
    store = str(tmp_path / "s.duckdb")
    assert runner.invoke(app, ["ingest", str(write_jsonl(tmp_path / "c.jsonl", CORPUS)),
                               "--store", store]).exit_code == 0
    out = runner.invoke(app, ["landscape", "--year", "2008", "--min-n", "3", "--min-works", "1", "--format", "json",
                                "--store", store])
    assert out.exit_code == 0, out.output
    result = json.loads(out.stdout)
    shares = {row["country"]: row["intl_share"] for row in result["countries"]}
    assert shares == {"US": 0.5, "GB": 1.0, "DE": 0.5, "FR": 1.0, "JP": 0.0, "KR": 0.0}
    assert all(row["gerd_pct_gdp"] > 0 for row in result["countries"])  # all six report GERD for 2008
    overall = [row for row in result["fit"] if row["group"] == "all" and row["term"] == "log_gerd"]
    assert len(overall) == 1 and overall[0]["n"] == 6
    gaps = runner.invoke(app, ["landscape", "--year", "2008", "--gaps", "2014-2020", "--format", "json",
                               "--store", store])
    assert gaps.exit_code == 0, gaps.output
    trust_gaps = {(r["country"], r["indicator"]): r["missing_years"] for r in json.loads(gaps.stdout)}
    # trust (WVS) has a wave in 2014 only within 2014-2020
    assert trust_gaps[("US", "trust_pct")] == "2015-2020"
    listed = runner.invoke(app, ["groups", "--format", "csv"])
    assert listed.exit_code == 0 and "income:high" in listed.stdout and "g20" in listed.stdout


def test_landscape_leaves_out_countries_with_few_works(tmp_path, shared_data, monkeypatch):
    monkeypatch.setenv("COLLABATLAS_DATA", str(shared_data))
    runner = CliRunner()
    store = str(tmp_path / "s.duckdb")
    assert runner.invoke(app, ["ingest", str(write_jsonl(tmp_path / "c.jsonl", CORPUS)),
                               "--store", store]).exit_code == 0
    out = runner.invoke(app, ["landscape", "--year", "2008", "--min-works", "2", "--format", "json", "--store", store])
    assert out.exit_code == 0, out.output
    kept = {row["country"]: row["works"] for row in json.loads(out.stdout)["countries"]}
    assert kept and all(n >= 2 for n in kept.values())
    assert "fewer than 2 works in 2008 left out" in out.output
