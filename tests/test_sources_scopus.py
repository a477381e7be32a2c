"""Scopus CSV and BibTeX: per-author affiliations, wrong column count, real files."""

from __future__ import annotations

import pytest

from collabatlas.atlas import Atlas
from collabatlas.sources.scopus import split_entry
from tests._export_fakes import FakeMatcher

HEADER = "Authors,Author full names,Title,Year,DOI,Affiliations,Authors with affiliations,EID\n"
ROW = ('"A A.; B B.","Aa, Al (1); Bb, Bo (2)","A title that is long enough",2021,,'
       '"Univ Oslo, Oslo, Norway; Univ Lyon, Lyon, France",'
       '"Aa, Al, Univ Oslo, Oslo, Norway, Univ Lyon, Lyon, France; Bb, Bo, Univ Lyon, Lyon, France",2-s2.0-{n}\n')


def test_split_entry_peels_known_affiliations():
    known = ["Univ Oslo, Oslo, Norway", "Univ Lyon, Lyon, France"]
    assert split_entry("Aa, Al, Univ Oslo, Oslo, Norway, Univ Lyon, Lyon, France", known) == ("Aa, Al", known)


def test_csv_per_author_and_wrong_column_count(tmp_path):
    f = tmp_path / "scopus.csv"
    f.write_text(HEADER + ROW.format(n=1) + '"X",only,three\n' + ROW.format(n=2))
    atlas = Atlas(":memory:")
    report = atlas.ingest(f, matcher=FakeMatcher())
    assert report.works_inserted == 2
    assert report.skipped == {"row with a wrong number of columns": 1}
    assert any("scopus.csv: record 2 (line 3)" in m for m in report.messages)
    s = {r.unit: r.share for r in atlas.scores(level="country").itertuples()}
    # per work: Aa 1/4 NO + 1/4 FR, Bb 1/2 FR
    assert s == pytest.approx({"NO": 0.5, "FR": 1.5})


# records without authors ("[No author name available]") are skipped and counted (record contract)
@pytest.mark.parametrize("name, n, authorless", [("biblium_scopus.csv", 199, 1), ("metaknowledge_scopus.csv", 217, 3),
                                                 ("pybibx_scopus.bib", 257, 6)])
def test_real_files_ingest(shared_data, name, n, authorless):
    atlas = Atlas(":memory:")
    report = atlas.ingest(shared_data / "scopus" / name, matcher=FakeMatcher())
    assert report.works_inserted == n and report.skipped == {"record without authorships": authorless}
    assert report.unaccounted == 0


def test_real_record_hand_checked(shared_data):
    # metaknowledge_scopus.csv record 1 (2-s2.0-84963944162): 11 authors, all at Japanese addresses
    atlas = Atlas(":memory:")
    atlas.ingest(shared_data / "scopus" / "metaknowledge_scopus.csv", matcher=FakeMatcher())
    shares = dict(atlas.con.execute("""SELECT unit, share FROM unit_shares_country JOIN works USING (wkey)
                                       WHERE work_id = '2-s2.0-84963944162'""").fetchall())
    assert shares == pytest.approx({"JP": 1.0})
