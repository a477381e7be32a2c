"""Institution profile on a hand-built corpus with known answers."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from collabatlas.counting.rules import CountingError
from collabatlas.views.cli import app
from tests.conftest import institution, work, write_jsonl

X = institution("X1", "JP")
X["display_name"] = "Example University"
CORPUS = [
    work("W1", [[X], [("U1", "US")]]),
    work("W2", [[X], [("U1", "US")], [("U2", "US")]]),
    work("W3", [[X], [("C1", "CN")]]),
    work("W4", [[X], [("J2", "JP")]]),
    work("W5", [[X], [("K1", "KR", "company")]]),
    work("W6", [[X], [("G1", "GB")], [("F1", "FR")], [("D1", "DE")]]),
    work("W7", [[("U1", "US")], [("C1", "CN")]]),  # does not involve X
]


def test_profile_headline_hotspots_partners(atlas_of):
    p = atlas_of(CORPUS).profile("X1", top=3)
    assert (p.name, p.country) == ("Example University", "JP")
    assert p.headline["count"] == 6
    assert p.headline["cs_total"] == pytest.approx(5 / 3 + 2 / 3 + 1 + 1 + 1 + 1.5)
    assert p.headline["cs_domestic"] == pytest.approx(1.0)
    assert p.headline["cs_international"] == pytest.approx(35 / 6)
    assert p.headline["cs_industry"] == pytest.approx(1.0)
    hot = p.hotspots.set_index("country")
    assert list(hot.index) == ["US", "CN", "KR", "rest of world"]
    assert hot["cs"].to_dict() == pytest.approx({"US": 7 / 3, "CN": 1, "KR": 1, "rest of world": 1.5})
    assert hot["pct_of_international_cs"].to_dict() == pytest.approx(
        {"US": 40.0, "CN": 600 / 35, "KR": 600 / 35, "rest of world": 900 / 35})
    assert hot["pct_of_international_cs"].sum() == pytest.approx(100.0)
    top = p.partners.set_index("partner")
    assert top.loc["U1", ["joint_count", "cs", "own_share", "partner_share"]].tolist() == pytest.approx(
        [2, 5 / 3, 1 / 2 + 1 / 3, 1 / 2 + 1 / 3])
    assert top.loc["U1", "own_pct"] == pytest.approx(50.0)
    assert (p.n_domestic_partners, p.n_international_partners) == (1, 7)
    assert p.corporate_partners["partner"].tolist() == ["K1"]


def test_profile_finds_by_name_and_reports_ambiguity(atlas_of):
    atlas = atlas_of(CORPUS)
    assert atlas.profile("example univ").institution_id == "X1"
    with pytest.raises(CountingError, match="several institutions"):
        atlas.profile("Institution")
    with pytest.raises(CountingError, match="no institution matches"):
        atlas.profile("Nowhere College")


def test_profile_cli_json(tmp_path):
    runner = CliRunner()
    store = str(tmp_path / "s.duckdb")
    assert runner.invoke(app, ["ingest", str(write_jsonl(tmp_path / "c.jsonl", CORPUS)),
                               "--store", store]).exit_code == 0
    out = runner.invoke(app, ["profile", "X1", "--format", "json", "--store", store])
    assert out.exit_code == 0, out.output
    assert '"n_international_partners":7' in out.stdout  # compact JSON, numbers by the one rounding rule
    table = runner.invoke(app, ["profile", "X1", "--store", store])
    assert table.exit_code == 0 and "rest of world" in table.stdout and "Example University" in table.stdout


def test_industry_academia_contribution(atlas_of, tmp_path):
    corpus = [
        work("W1", [[("K1", "KR", "company")], [("A1", "US", "education")]]),
        work("W2", [[("K1", "KR", "company")], [("A1", "US", "education")], [("A2", "US", "education")]]),
        work("W3", [[("K1", "KR", "company")], [("G1", "KR", "government")]]),  # no academic partner
        work("W4", [[("K2", "JP", "company")], [("A1", "US", "education")], [("A1", "US", "education")],
                    [("A2", "US", "education")]]),
    ]
    df = atlas_of(corpus).industry().set_index("unit")
    assert list(df.index) == ["K1", "K2"]
    assert df.loc["K1", ["joint_works", "own_share", "academic_share"]].tolist() == pytest.approx([2, 5 / 6, 7 / 6])
    assert df.loc["K1", "contribution_pct"] == pytest.approx(100 * (5 / 6) / 2)
    assert df.loc["K2", "contribution_pct"] == pytest.approx(25.0)
    runner = CliRunner()
    store = str(tmp_path / "s.duckdb")
    assert runner.invoke(app, ["ingest", str(write_jsonl(tmp_path / "c.jsonl", corpus)),
                               "--store", store]).exit_code == 0
    out = runner.invoke(app, ["industry", "--format", "csv", "--store", store])
    assert out.exit_code == 0 and (out.stdout.splitlines()[0]
                                   == "unit,name,joint_works,own_share,academic_share,contribution_pct")
