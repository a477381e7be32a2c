"""Identifiers people have: countries by ISO2, ISO3 or name; institutions by id, ROR id or URL, or name;
`collabatlas find` (analyses.units, refdata.country_names)."""

from __future__ import annotations

import io

import pandas as pd
import pytest
from typer.testing import CliRunner

import collabatlas
from collabatlas.analyses.units import AmbiguousUnitError
from collabatlas.counting.rules import UnknownUnitError
from collabatlas.refdata.country_names import country_code
from collabatlas.views.cli import app
from tests.conftest import institution, work, write_jsonl

runner = CliRunner()


def named(iid: str, name: str, country: str, ror: str | None = None) -> dict:
    inst = institution(iid, country)
    inst.update(display_name=name, ror=f"https://ror.org/{ror}" if ror else None)
    return inst


TOKYO = named("I74801974", "The University of Tokyo", "JP", "057zh3y96")
TOKYO_TECH = named("I114531698", "Tokyo Institute of Technology", "JP", "0112mx960")
MIT = named("I63966007", "Massachusetts Institute of Technology", "US", "042nb2s44")
OXFORD = named("I40120149", "University of Oxford", "GB", "052gg0110")


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    folder = tmp_path_factory.mktemp("ids")
    records = [
        work("W1", [[TOKYO], [MIT]], year=2020),
        work("W2", [[TOKYO], [OXFORD]], year=2020),
        work("W3", [[TOKYO_TECH], [MIT]], year=2020),
    ]
    path = folder / "s.duckdb"
    with collabatlas.open(path) as atlas:
        atlas.ingest(write_jsonl(folder / "w.jsonl", records))
    return path


def csv(*args) -> pd.DataFrame:
    result = runner.invoke(app, [*args, "--format", "csv"])
    assert result.exit_code == 0, result.output
    return pd.read_csv(io.StringIO(result.stdout), keep_default_na=False)


@pytest.mark.parametrize(("text", "code"), [
    ("JP", "JP"), ("jp", "JP"), ("JPN", "JP"), ("jpn", "JP"), ("Japan", "JP"), (" japan ", "JP"),
    ("UK", "GB"), ("GBR", "GB"), ("United Kingdom", "GB"), ("USA", "US"), ("Peoples R China", "CN"),
    ("Côte d'Ivoire", "CI"), ("cote divoire", None), ("XKX", "XK"), ("Narnia", None), ("", None),
])
def test_country_code_reads_iso2_iso3_and_names(text, code):
    assert country_code(text) == code


def test_the_address_rules_read_the_same_names():
    from collabatlas.affiliations.address_country import country_names, resolve_country
    from collabatlas.refdata import country_names as refnames

    assert set(refnames.country_names().items()) <= set(country_names().items())
    assert resolve_country("Dept Phys, Tokyo, Peoples R China") == "CN" == country_code("Peoples R China")


def test_partners_of_a_country_the_same_by_iso2_iso3_and_name(store):
    tables = [csv("partners", unit, "--store", str(store)) for unit in ("Japan", "JPN", "jp", "JP")]
    for df in tables[1:]:
        pd.testing.assert_frame_equal(df, tables[0])
    assert set(tables[0]["partner"]) == {"US", "GB"}


def test_an_unknown_country_says_so(store):
    result = runner.invoke(app, ["partners", "Narnia", "--store", str(store)])
    assert result.exit_code == 2
    assert "unknown country" in result.output and "not in this store" in result.output


@pytest.mark.parametrize("unit", ["I74801974", "i74801974", "https://openalex.org/I74801974", "057zh3y96",
                                  "https://ror.org/057zh3y96", "ror.org/057zh3y96", "University of Tokyo",
                                  "the university of tokyo"])
def test_partners_of_an_institution_by_id_ror_url_or_name(store, unit):
    df = csv("partners", unit, "--level", "institution", "--store", str(store))
    assert set(df["partner"]) == {"042nb2s44", "052gg0110"}  # shown by their ROR ids (MIT, Oxford)


def test_an_ambiguous_name_lists_the_candidates(store):
    result = runner.invoke(app, ["partners", "Tokyo", "--level", "institution", "--store", str(store)])
    assert result.exit_code == 2
    assert "matches several institutions" in result.output
    assert "057zh3y96" in result.output and "0112mx960" in result.output
    with collabatlas.open(store, read_only=True) as atlas, pytest.raises(AmbiguousUnitError, match="0112mx960"):
        atlas.resolve_unit("institution", "Tokyo")


@pytest.mark.parametrize("command", [["works", "{u}", "--level", "institution"],
                                     ["profile", "{u}"],
                                     ["trend", "{u}", "I63966007", "--level", "institution"]])
def test_every_unit_command_takes_a_ror_url(store, command):
    args = [a.replace("{u}", "https://ror.org/057zh3y96") for a in command]
    result = runner.invoke(app, [*args, "--store", str(store)])
    assert result.exit_code == 0, result.output


def test_group_and_trend_take_country_names(store):
    trend = csv("trend", "Japan", "usa", "--years", "2020", "--store", str(store))
    assert trend["cs"].tolist() == pytest.approx([2.0])  # W1 and W3: JP 1/2 + US 1/2 each


def test_an_unknown_institution_points_at_find(store):
    with collabatlas.open(store, read_only=True) as atlas, pytest.raises(UnknownUnitError, match="collabatlas find"):
        atlas.resolve_unit("institution", "https://ror.org/000000000")


def test_find_lists_candidates_with_names_countries_and_works(store):
    df = csv("find", "Tokyo", "--store", str(store))
    assert df.to_dict("records") == [
        {"level": "institution", "id": "057zh3y96", "name": "The University of Tokyo", "country": "JP", "works": 2},
        {"level": "institution", "id": "0112mx960", "name": "Tokyo Institute of Technology", "country": "JP",
         "works": 1}]
    countries = csv("find", "united", "--level", "country", "--store", str(store))
    assert countries["id"].tolist()[:2] == ["US", "GB"]  # most works first: US 2, GB 1
    assert countries["works"].tolist()[:2] == [2, 1]
    assert csv("find", "JPN", "--level", "country", "--store", str(store))["id"].tolist() == ["JP"]


def test_find_with_nothing_matching_exits_1(store):
    result = runner.invoke(app, ["find", "zzzz-nothing", "--store", str(store)])
    assert result.exit_code == 1 and "nothing in this store matches" in result.output


def test_fact_sheets_and_reports_read_country_names(store):
    from collabatlas.views.factsheet import _level_unit

    with collabatlas.open(store, read_only=True) as atlas:
        assert _level_unit(atlas, "Japan") == ("country", "JP") == _level_unit(atlas, "jpn")
        assert _level_unit(atlas, "https://ror.org/057zh3y96") == ("institution", "057zh3y96")
        assert _level_unit(atlas, "I74801974") == ("institution", "057zh3y96")  # the OpenAlex id is an alias
