"""Country groups: checked against the files they come from and against facts about membership."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from collabatlas.refdata.groups import (
    BRI_FILE,
    INCOME_LEVELS,
    OWID_INCOME_FILE,
    WB_FILE,
    GroupError,
    available_groups,
    group_members,
    income_group,
)


def read_rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8-sig") as handle:
        return list(csv.DictReader(handle))


def test_bri_has_every_country_of_the_file(shared_data):
    in_file = {row["iso2"] for row in read_rows(shared_data / BRI_FILE) if row["iso2"]}
    bri = group_members("bri", shared_data)
    assert len(bri) == len(in_file) == 137
    assert {"RU", "PK", "IT", "NA"} <= bri  # Italy signed in 2019; NA is Namibia, not a missing value
    assert "US" not in bri
    # Greece's iso2 in the file is country_converter's regular expression "^GR$|^EL$".
    assert "GR" in bri
    assert all(len(code) == 2 and code.isupper() and code.isalpha() for code in bri)
    assert group_members("Belt-and-Road", shared_data) == bri


def test_current_high_income(shared_data):
    high = group_members("income:high", shared_data)
    assert {"US", "JP", "DE"} <= high
    assert "IN" not in high
    assert income_group("in", data_dir=shared_data) == "lower-middle"


def test_historical_income_follows_the_owid_file(shared_data):
    rows = read_rows(shared_data / OWID_INCOME_FILE)
    (code,) = [row["Income classification (World Bank 2017)"] for row in rows
               if row["Entity"] == "China" and row["Year"] == "1990"]
    expected = INCOME_LEVELS[int(code) - 1]
    assert expected in ("low", "lower-middle")
    assert income_group("CN", 1990, shared_data) == expected
    assert "CN" in group_members(f"income:{expected}", shared_data, year=1990)
    assert income_group("CN", data_dir=shared_data) != expected  # China has moved up since
    assert income_group("TL", 2010, shared_data) is not None  # OWID's "Timor" is Timor-Leste
    with pytest.raises(GroupError, match="1987"):
        income_group("CN", 1980, shared_data)


def test_g7_is_exact():
    assert group_members("G7") == {"US", "JP", "DE", "FR", "GB", "IT", "CA"}


def test_eu_now_and_by_year():
    eu = group_members("eu")
    assert {"DE", "FR"} <= eu
    assert "GB" not in eu
    assert len(eu) == 27
    assert {"GB", "HR"} <= group_members("eu", year=2015)  # Croatia joined in July 2013
    assert "HR" not in group_members("eu", year=2012)
    assert not {"PL", "HR"} & group_members("eu", year=2000)
    with pytest.raises(GroupError, match="1986"):
        group_members("eu", year=1980)


def test_oecd_now_and_by_year():
    oecd = group_members("oecd")
    assert "JP" in oecd
    assert "CN" not in oecd
    assert "KR" in oecd and "KR" not in group_members("oecd", year=1990)  # Korea joined in 1996


def test_regions(shared_data):
    economies = {row["iso2c"] for row in read_rows(shared_data / WB_FILE) if row["region"] != "Aggregates"}
    wb_regions = [info.name for info in available_groups(shared_data) if info.name.startswith("wb-region:")]
    assert set().union(*(group_members(name, shared_data) for name in wb_regions)) == economies
    assert "JP" in group_members("un-region:asia", shared_data)
    assert "FR" not in group_members("UN-Region:Asia", shared_data)
    assert {"CN", "JP"} <= group_members("wb-region:east-asia-pacific", shared_data)
    assert "BR" in group_members("continent:south-america")


def test_every_listed_group_has_members(shared_data):
    listed = {info.name: info for info in available_groups(shared_data)}
    assert {"bri", "income:high", "wb-region:east-asia-pacific", "un-subregion:eastern-asia", "g20"} <= set(listed)
    for name in listed:
        if not name.startswith("csv:"):
            assert group_members(name, shared_data), name
    assert listed["bri"].source == f"bri ({shared_data / BRI_FILE})"  # says which file it was read from


def test_user_csv_with_names_and_groups(tmp_path):
    path = tmp_path / "partners.csv"
    path.write_text("country,group\nGermany,Core\nPeople's Republic of China,Core\nNamibia,Other\n",
                    encoding="utf-8")
    assert group_members(f"csv:{path}") == {"DE", "CN", "NA"}
    assert group_members(f"CSV:{path}#CORE") == {"DE", "CN"}
    with pytest.raises(GroupError, match="no group 'none'"):
        group_members(f"csv:{path}#none")


def test_user_csv_with_codes(tmp_path):
    path = tmp_path / "codes.csv"
    path.write_text("iso2\nde\nJP\n", encoding="utf-8")
    assert group_members(f"csv:{path}") == {"DE", "JP"}


def test_user_csv_bad_name_names_file_and_line(tmp_path):
    path = tmp_path / "partners.csv"
    path.write_text("country,group\nFrance,a\nAtlantis,a\n", encoding="utf-8")
    with pytest.raises(GroupError, match=r"partners\.csv, line 3: 'Atlantis'"):
        group_members(f"csv:{path}")


def test_unknown_group_lists_the_available_ones(shared_data):
    with pytest.raises(GroupError) as caught:
        group_members("brics", shared_data)
    assert isinstance(caught.value, ValueError)
    for name in ("bri", "income:high", "un-region:asia", "g7"):
        assert name in str(caught.value)


def test_missing_data_names_path_and_variable(tmp_path):
    missing = tmp_path / "no-data"
    with pytest.raises(GroupError, match="COLLABATLAS_DATA") as caught:
        group_members("bri", missing)
    assert str(missing) in str(caught.value)


def test_a_directory_without_the_files_uses_the_packaged_copies(tmp_path, shared_data):
    # an existing folder holds only the datasets it has; the rest come from the package
    assert group_members("income:high", tmp_path) == group_members("income:high", shared_data)
    assert group_members("bri", tmp_path) == group_members("bri", shared_data)


def test_g20_is_the_19_member_countries(shared_data):
    g20 = group_members("g20", data_dir=shared_data)
    assert len(g20) == 19
    assert {"US", "CN", "IN", "BR", "ZA", "DE", "FR", "IT", "GB", "AR", "SA", "TR"} <= g20
    assert "NL" not in g20 and "ES" not in g20
    assert {"NL", "ES"} <= group_members("g20+eu", data_dir=shared_data)
