"""Partners and pair trends on a hand-built corpus with known answers."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from collabatlas.atlas import UnknownUnitError, percent_change
from collabatlas.views.cli import app
from tests.conftest import work, write_jsonl

CORPUS = [
    work("W1", [[("J1", "JP")], [("U1", "US")]], year=2019, date="2019-06-15"),  # JP 1/2, US 1/2
    work("W2", [[("J1", "JP")], [("C1", "CN")], [("C2", "CN")]], year=2020, date="2020-03-01"),  # JP 1/3, CN 2/3
    work("W3", [[("J1", "JP")], [("J2", "JP")], [("U1", "US")], [("D1", "DE")]], year=2021,
         date="2021-08-01"),  # JP 1/2, US 1/4, DE 1/4
]


@pytest.fixture
def atlas(copied_atlas_of):
    return copied_atlas_of(CORPUS)


def test_country_partners_with_share_of_international_cs(atlas):
    df = atlas.partners("jp").set_index("partner")
    assert list(df.index) == ["US", "CN", "DE"]
    assert df["cs"].to_dict() == pytest.approx({"US": 1.75, "CN": 1.0, "DE": 0.75})
    assert df["joint_count"].to_dict() == {"US": 2, "CN": 1, "DE": 1}
    assert df["pct_of_international_cs"].to_dict() == pytest.approx({"US": 50.0, "CN": 100 / 3.5, "DE": 75 / 3.5})
    assert atlas.partners("JP", top=1)["partner"].tolist() == ["US"]


def test_partners_per_year_columns(atlas):
    df = atlas.partners("JP", years="2019-2021").set_index("partner")
    assert [c for c in df.columns if c.startswith("cs_")] == ["cs_2019", "cs_2020", "cs_2021"]
    assert df.loc["US", ["cs_2019", "cs_2020", "cs_2021"]].tolist() == pytest.approx([1.0, 0.0, 0.75])
    assert df.loc["US", "cs"] == pytest.approx(df.loc["US", ["cs_2019", "cs_2020", "cs_2021"]].sum())


def test_institution_partners_separate_domestic_from_international(atlas):
    df = atlas.partners("J1", level="institution").set_index("partner")
    assert df["cs"].to_dict() == pytest.approx({"U1": 1.5, "C1": 2 / 3, "C2": 2 / 3, "J2": 0.5, "D1": 0.5})
    assert df.loc["J2", "country"] == "JP" and df["pct_of_international_cs"].isna()["J2"]
    assert df.loc["U1", "pct_of_international_cs"] == pytest.approx(100 * 1.5 / (1.5 + 4 / 3 + 0.5))
    assert df.loc["U1", "name"] == "Institution U1"


def test_trend_by_year_and_by_window(atlas):
    by_year = atlas.trend("JP", "US", years="2019-2021")
    assert by_year["period"].tolist() == [2019, 2020, 2021]
    assert by_year["cs"].tolist() == pytest.approx([1.0, 0.0, 0.75])
    assert by_year["joint_count"].tolist() == [1, 0, 1]
    assert percent_change(by_year, 2019, 2021) == pytest.approx(-25.0)
    assert percent_change(by_year, 2020, 2021) is None
    # windows ending in June: W1 (June 2019) ends 2019; W3 (August 2021) falls in the window ending 2022
    windows = atlas.trend("JP", "US", window_end_month=6)
    assert windows["period"].tolist() == [2019, 2020, 2021, 2022]
    assert windows["cs"].tolist() == pytest.approx([1.0, 0.0, 0.0, 0.75])


def test_unknown_units_and_bad_requests(atlas):
    with pytest.raises(UnknownUnitError, match="unknown country 'XX'"):
        atlas.partners("XX")
    with pytest.raises(UnknownUnitError, match="unknown institution"):
        atlas.partners("I999", level="institution")
    with pytest.raises(ValueError, match="two different units"):
        atlas.trend("JP", "jp")
    with pytest.raises(ValueError, match="1-12"):
        atlas.trend("JP", "US", window_end_month=13)


def test_cli_partners_and_trend(tmp_path):
    runner = CliRunner()
    store = str(tmp_path / "s.duckdb")
    assert runner.invoke(app, ["ingest", str(write_jsonl(tmp_path / "c.jsonl", CORPUS)),
                               "--store", store]).exit_code == 0
    out = runner.invoke(app, ["partners", "JP", "--format", "csv", "--store", store])
    assert out.exit_code == 0 and out.stdout.splitlines()[0] == "partner,name,joint_count,cs,pct_of_international_cs"
    out = runner.invoke(app, ["trend", "JP", "US", "--years", "2019-2021", "--compare", "2019,2021", "--store", store])
    assert out.exit_code == 0 and "-25.0 %" in out.output
    out = runner.invoke(app, ["partners", "XX", "--store", store])
    assert out.exit_code == 2 and "unknown country" in out.output


def test_collaboration_by_year(atlas):
    df = atlas.collaboration_by_year().set_index(["unit", "year"])
    assert df.loc[("JP", 2019), ["works", "intl_works"]].tolist() == [1, 1]
    assert df.loc[("JP", 2021), "intl_share"] == 1.0
    inst = atlas.collaboration_by_year(level="institution").set_index(["unit", "year"])
    # J2 on W3 (2021) has partners J1 (domestic) and U1, D1 (international)
    assert inst.loc[("J2", 2021), ["works", "collab_works", "intl_works"]].tolist() == [1, 1, 1]


def test_dual_affiliation_sensitivity(atlas_of):
    # a2 holds J2 (JP) and U1 (US): an author affiliated in two countries
    atlas = atlas_of([work("W9", [[("J1", "JP")], [("J2", "JP"), ("U1", "US")], [("C1", "CN")]], year=2020)])
    assert atlas.scores(level="country", exclude_dual_affiliations=True).set_index("unit")["share"].to_dict() == \
        pytest.approx({"JP": 1 / 3, "CN": 1 / 3})
    df = atlas.partners("JP", report_dual=True).set_index("partner")
    assert df["cs"].to_dict() == pytest.approx({"CN": 5 / 6, "US": 2 / 3})
    assert df["cs_without_dual"].to_dict() == pytest.approx({"CN": 2 / 3, "US": 0.0})
    assert df["dual_cs"].to_dict() == pytest.approx({"CN": 1 / 6, "US": 2 / 3})
    trend = atlas.trend("JP", "CN", years="2020", report_dual=True)
    assert trend[["cs", "cs_without_dual", "dual_cs"]].iloc[0].tolist() == pytest.approx([5 / 6, 2 / 3, 1 / 6])
    assert atlas.partners("JP", exclude_dual_affiliations=True)["partner"].tolist() == ["CN"]
