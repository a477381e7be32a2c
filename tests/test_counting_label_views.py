"""One label for one counting: the work-level store's fractional counting is named with the words of its
engine's declaration in the API's ``meta.counting``, the dashboard's and the ``chart`` command's chart
captions and the report's header — not "fractional counting, strict" in some views and "fractional
counting (Share and CS)" in others."""

from __future__ import annotations

import json

import collabatlas
from collabatlas.atlas.inputs import declared
from tests.webstores import hand_store


def test_the_works_counting_has_one_label_in_every_view(tmp_path):
    from fastapi.testclient import TestClient
    from typer.testing import CliRunner

    from collabatlas.views.cli import app
    from collabatlas.views.report import build_report, render_html
    from collabatlas.views.web.app import create_app

    label = declared("works").counting_label
    store = hand_store(tmp_path / "s.duckdb")
    client = TestClient(create_app(store))
    assert client.get("/api/partners/JP").json()["meta"]["counting"] == label
    dashboard = " ".join(client.get("/api/chart/partners/JP").json()["spec"]["title"]["subtitle"])
    out = tmp_path / "jp.json"
    got = CliRunner().invoke(app, ["chart", "partners", "--unit", "JP", "--out", str(out), "--store", str(store)])
    assert got.exit_code == 0, got.output
    command = " ".join(json.loads(out.read_text())["title"]["subtitle"])
    with collabatlas.open(store, read_only=True) as atlas:
        report = build_report(atlas, "JP")
        header = render_html(report)
        in_report = " ".join(dict(report.all_charts())["partners"].chart().to_dict()["title"]["subtitle"])
    for text in (dashboard, command, in_report, header):
        text = " ".join(text.split())
        assert label in text and "counting, strict" not in text, text[:400]
