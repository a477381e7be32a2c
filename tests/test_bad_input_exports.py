"""Bad input in WoS / Scopus / PubMed exports and country-pair files (issue 12, items 4, 7, 20, 21,
22): every record read is stored or skipped with a reason, never silently lost or split, and a
stray file in a folder of exports is skipped and reported instead of aborting the ingest."""

from __future__ import annotations

import pytest

from collabatlas.atlas import Atlas
from collabatlas.ingest.export_staging import ExportStager
from collabatlas.ingest.pipeline import InputError
from collabatlas.sources.exports import detect_format
from tests._export_fakes import FakeMatcher


def _medline(pmid: int, n_authors: int) -> str:
    lines = [f"PMID- {pmid}", "TI  - A sufficiently long title about collaboration number " + str(pmid),
             "DP  - 2020 Jan 05"]
    for i in range(n_authors):
        lines += [f"FAU - Author{pmid}, A{i}", f"AU  - Author{pmid} A{i}", "AD  - Univ Tokyo, Tokyo, Japan."]
    return "\n".join(lines)


def _authors(atlas: Atlas) -> dict[str, int]:
    return dict(atlas.con.execute("SELECT work_id, n_authors FROM works ORDER BY work_id").fetchall())


# -- item 4: concatenated MEDLINE files ---------------------------------------------------------------

def test_medline_record_starts_at_pmid_without_blank_line(tmp_path):
    # `cat a.txt b.txt` where a.txt does not end with a blank line: no PMID may vanish
    f = tmp_path / "concatenated.txt"
    f.write_text(_medline(1, 11) + "\n" + _medline(2, 10) + "\n\n" + _medline(3, 2) + "\n")
    atlas = Atlas(":memory:")
    report = atlas.ingest(f, matcher=FakeMatcher())
    assert _authors(atlas) == {"PMID:1": 11, "PMID:2": 10, "PMID:3": 2}
    assert report.records_read == 3 and report.records_skipped == 0


# -- item 7: Scopus CSV header case and required columns ---------------------------------------------

SCOPUS_ROW = ('"Ann A.; Bob B.","Ann, A.; Bob, B.","A sufficiently long title about collaboration",2021,'
              '"Univ Tokyo, Tokyo, Japan; Univ Utah, Salt Lake City, USA",'
              '"Ann, A., Univ Tokyo, Tokyo, Japan; Bob, B., Univ Utah, Salt Lake City, USA",2-s2.0-85000000001')
SCOPUS_HEADER = "Authors,Author full names,Title,Year,Affiliations,Authors with affiliations,EID"


def test_scopus_header_in_upper_case_is_read(tmp_path):
    f = tmp_path / "scopus.csv"
    f.write_text(SCOPUS_HEADER.upper() + "\n" + SCOPUS_ROW + "\n")
    assert detect_format(f) == "scopus"
    atlas = Atlas(":memory:")
    atlas.ingest(f, matcher=FakeMatcher())
    title, year, n = atlas.con.execute("SELECT title, year, n_authors FROM works").fetchone()
    assert (title, year, n) == ("A sufficiently long title about collaboration", 2021, 2)
    assert set(atlas.scores(level="country")["unit"]) == {"JP", "US"}


@pytest.mark.parametrize("dropped", [["Year"], ["Affiliations", "Authors with affiliations"], ["EID", "Title"]])
def test_scopus_missing_required_columns_is_an_error_naming_them(tmp_path, dropped):
    names = SCOPUS_HEADER.split(",")
    keep = [i for i, n in enumerate(names) if n not in dropped]
    import csv
    import io

    row = next(csv.reader(io.StringIO(SCOPUS_ROW)))
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([names[i] for i in keep])
    writer.writerow([row[i] for i in keep])
    f = tmp_path / "scopus.csv"
    f.write_text(out.getvalue())
    atlas = Atlas(":memory:")
    with pytest.raises(InputError) as err:
        atlas.ingest(f, format="scopus", matcher=FakeMatcher())
    message = str(err.value)
    assert f"{f}:1:" in message
    for name in dropped:
        assert name in message
    assert atlas.con.execute("SELECT count(*) FROM works").fetchone()[0] == 0


# -- item 20: accounting of WoS records --------------------------------------------------------------

WOS_RECORD = """AU Ann, A
   Bob, B
AF Ann, Alice
   Bob, Bert
TI A sufficiently long title about collaboration measurement {n}
C1 [Ann, Alice] Univ Tokyo, Tokyo, Japan.
   [Bob, Bert] Univ Utah, Salt Lake City, UT 84112 USA.
PY 2020
UT WOS:00000000000000{n}
ER
"""


def test_wos_record_without_pt_is_one_record_not_one_per_line(tmp_path):
    f = tmp_path / "savedrecs.txt"
    f.write_text("FN Clarivate Analytics Web of Science\nVR 1.0\nPT J\n" + WOS_RECORD.format(n=1)
                 + "\n" + WOS_RECORD.format(n=2) + "\nPT J\n" + WOS_RECORD.format(n=3) + "\nEF\n")
    atlas = Atlas(":memory:")
    report = atlas.ingest(f, matcher=FakeMatcher())
    assert report.records_read == 3
    assert report.records_skipped == 0
    assert set(_authors(atlas)) == {"WOS:000000000000001", "WOS:000000000000002", "WOS:000000000000003"}
    assert any("without PT" in w for w in report.warnings)


TAB_HEADER = ["PT", "AU", "AF", "TI", "C1", "PY", "UT"]


def _tab_row(n: int, title: str) -> str:
    return "\t".join(["J", "Ann, A; Bob, B", "Ann, Alice; Bob, Bert", title,
                      "[Ann, Alice] Univ Tokyo, Tokyo, Japan.; [Bob, Bert] Univ Oslo, Oslo, Norway.", "2019",
                      f"WOS:00000000000010{n}"])


def test_wos_tab_row_with_embedded_newline_is_one_record(tmp_path):
    f = tmp_path / "savedrecs.txt"
    rows = [_tab_row(1, "A first title"), _tab_row(2, "A title broken\nover two lines"), _tab_row(3, "A third"),
            "J\tCy, C\tCy, Carl\tShort row"]  # a row that cannot be completed: skipped once
    f.write_text("\t".join(TAB_HEADER) + "\n" + "\n".join(rows) + "\n")
    atlas = Atlas(":memory:")
    report = atlas.ingest(f, format="wos", matcher=FakeMatcher())
    assert report.records_read == 4  # every row in = stored + skipped
    assert report.records_skipped == 1 and report.unaccounted == 0
    assert atlas.con.execute("SELECT title FROM works WHERE work_id = 'WOS:000000000000102'").fetchone()[0] \
        == "A title broken over two lines"
    assert len(_authors(atlas)) == 3


def test_wos_tab_short_row_then_full_row_keeps_the_full_row(tmp_path):
    f = tmp_path / "savedrecs.txt"
    f.write_text("\t".join(TAB_HEADER) + "\n" + "J\tCy, C\n" + _tab_row(1, "Kept") + "\n")
    atlas = Atlas(":memory:")
    report = atlas.ingest(f, format="wos", matcher=FakeMatcher())
    assert report.records_read == 2 and report.records_skipped == 1 and report.unaccounted == 0
    assert list(_authors(atlas)) == ["WOS:000000000000101"]


def test_ingest_pairs_counts_a_row_with_an_empty_country(tmp_path):
    f = tmp_path / "pairs.csv"
    f.write_text("year,country_a,country_b,works\n2020,US,GB,5\n2020,,GB,3\n2020,US,,2\n,US,GB,1\n"
                 "2020,GB,US,\nxx,,GB,-1\n")
    atlas = Atlas(":memory:")
    report = atlas.ingest_country_pairs(f)
    assert report.rows_read == 6
    assert report.rows_stored == 1
    assert report.rows_read == report.rows_stored + sum(report.skipped.values())
    assert report.skipped["country code is not two letters"] == 2


# -- item 21: stray files in a folder of exports -----------------------------------------------------

def test_readme_in_a_folder_of_exports_is_skipped_and_reported(tmp_path):
    folder = tmp_path / "exports"
    folder.mkdir()
    (folder / "savedrecs.txt").write_text("FN Clarivate Analytics Web of Science\nVR 1.0\nPT J\n"
                                          + WOS_RECORD.format(n=1) + "\nEF\n")
    (folder / "pubmed.txt").write_text(_medline(7, 2) + "\n")
    (folder / "README.md").write_text("# Exports\n\nDownloaded on 2024-05-01 from WoS and PubMed.\n")
    (folder / "notes.csv").write_text("what,when\nexport,2024\n")
    (folder / "empty.txt").write_text("")
    atlas = Atlas(":memory:")
    report = atlas.ingest(folder, matcher=FakeMatcher())
    assert set(_authors(atlas)) == {"WOS:000000000000001", "PMID:7"}
    assert sum(report.files_skipped.values()) == 3
    assert any("README.md" in m and "skipped" in m for m in report.messages)


# -- item 22: no ROR registry ------------------------------------------------------------------------

def test_exports_without_ror_registry_warn_naming_ror_load(tmp_path):
    f = tmp_path / "pubmed.txt"
    f.write_text(_medline(1, 2) + "\n\n" + _medline(2, 1) + "\n")
    atlas = Atlas(":memory:")
    report = atlas.ingest(f, matcher=FakeMatcher())
    assert report.warnings[ExportStager.NO_ROR_WARNING] == 2
    assert "collabatlas ror load" in ExportStager.NO_ROR_WARNING
    assert any("collabatlas ror load" in m for m in report.messages)
