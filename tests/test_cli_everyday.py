"""Everyday CLI habits: --version, -q, global options before or after the command, --x/--no-x switches."""

from __future__ import annotations

import io

import pandas as pd
import pytest
from typer.testing import CliRunner

from collabatlas.views.cli import app
from tests.conftest import store_copy, work, write_jsonl

runner = CliRunner()


@pytest.fixture(scope="module")
def _built(tmp_path_factory):
    folder = tmp_path_factory.mktemp("everyday")
    records = [work("W1", [[("I1", "JP")], [("I2", "US")]], year=2020),
               work("W2", [[("I1", "JP")], [("I3", "JP")]], year=2021)]
    store = folder / "s.duckdb"
    result = runner.invoke(app, ["ingest", str(write_jsonl(folder / "w.jsonl", records)), "--store", str(store)])
    assert result.exit_code == 0, result.output
    return store


@pytest.fixture
def store(_built, tmp_path):
    return store_copy(_built, tmp_path)


def test_version():
    from importlib.metadata import version

    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0 and result.stdout.strip() == f"collabatlas {version('collabatlas')}"


def test_store_before_or_after_the_command_gives_the_same_table(store):
    after = runner.invoke(app, ["scores", "--store", str(store), "--format", "csv"])
    before = runner.invoke(app, ["--store", str(store), "scores", "--format", "csv"])
    equals = runner.invoke(app, [f"--store={store}", "scores", "--format", "csv"])
    assert after.exit_code == before.exit_code == equals.exit_code == 0, before.output
    assert after.stdout == before.stdout == equals.stdout
    assert "JP" in after.stdout


def test_store_before_a_group_command_goes_to_its_subcommand(store, tmp_path):
    result = runner.invoke(app, ["--store", str(store), "ror", "load", str(tmp_path / "missing.jsonl.gz")])
    assert result.exit_code == 2 and "missing.jsonl.gz" in result.output  # ror load read --store, then the file


def test_store_on_a_command_without_a_store_is_refused():
    result = runner.invoke(app, ["--store", "x.duckdb", "groups"])
    assert result.exit_code == 2 and "--store does not apply to `groups`" in result.output


def test_raw_csv_after_the_command(tmp_path):
    records = [work("W1", [[{"id": "https://openalex.org/I9", "display_name": "=cmd()", "ror": None,
                             "country_code": "JP", "type": "education", "lineage": []}]], year=2020)]
    store = tmp_path / "s.duckdb"
    assert runner.invoke(app, ["ingest", str(write_jsonl(tmp_path / "w.jsonl", records)),
                               "--store", str(store)]).exit_code == 0
    args = ["scores", "--level", "institution", "--format", "csv", "--store", str(store)]
    safe = runner.invoke(app, args).stdout
    raw_after = runner.invoke(app, [*args, "--raw-csv"]).stdout
    raw_before = runner.invoke(app, ["--raw-csv", *args]).stdout
    assert "'=cmd()" in safe and "'=cmd()" not in raw_after
    assert raw_after == raw_before


def test_quiet_drops_notes_but_not_errors(store):
    loud = runner.invoke(app, ["scores", "--subject", "Biochemistry", "--store", str(store), "-f", "csv"])
    quiet = runner.invoke(app, ["scores", "--subject", "Biochemistry", "--store", str(store), "-f", "csv",
                                "-q"])
    assert "note:" in loud.stderr and quiet.stderr == ""
    assert quiet.stdout == loud.stdout
    failed = runner.invoke(app, ["-q", "scores", "--years", "2021-2019", "--store", str(store)])
    assert failed.exit_code == 2 and "error:" in failed.stderr


def test_switches_read_both_ways(store):
    def share(*flags):
        result = runner.invoke(app, ["scores", *flags, "--store", str(store), "--format", "csv"])
        assert result.exit_code == 0, result.output
        return pd.read_csv(io.StringIO(result.stdout)).set_index("unit")["share"].to_dict()

    assert share("--no-renormalize") == share() == {"JP": 1.5, "US": 0.5}
    assert share("--renormalize") == share("--no-renormalize", "--renormalize")
    assert runner.invoke(app, ["partners", "JP", "--no-report-dual", "--store", str(store)]).exit_code == 0
