"""The figure model (issue 26): one table behind the CLI, the API and the report, written by one
writer; the editorial fields and the unit colours of issue 27."""

from __future__ import annotations

import io
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
