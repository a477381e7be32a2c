"""The journal ISSNs of every input format, on the real samples in ../shared/data (issue 15): OpenAlex
``primary_location.source.issn_l`` / ``issn``, WoS ``SN`` / ``EI`` (tab-delimited, tagged, BibTeX),
Scopus ``ISSN`` (CSV, BibTeX), PubMed ``IS`` (MEDLINE) and ``ISSN`` / ``ISSNLinking`` (XML)."""

from __future__ import annotations

import pytest

from collabatlas.atlas import Atlas
from collabatlas.counting.issn import INVALID_ISSN_WARNING
from tests._export_fakes import FakeMatcher

ROWS = "SELECT work_id, source_name, issn_l, issns FROM works WHERE work_id = ?"


def _ingest(path, **kw):
    atlas = Atlas(":memory:")
    report = atlas.ingest(path, matcher=FakeMatcher(), **kw)
    return atlas, report


def _counts(atlas) -> tuple[int, int, int]:
    return atlas.con.execute("SELECT count(*), count(issn_l), count(issns) FROM works").fetchone()


def test_openalex_sample(shared_data):
    atlas, report = _ingest(shared_data / "openalex" / "works_api_sample.jsonl.gz")
    assert _counts(atlas) == (166, 113, 113)
    conservation = atlas.con.execute("SELECT DISTINCT issn_l, issns FROM works "
                                     "WHERE source_name = 'Conservation Biology'")
    assert conservation.fetchall() == [("0888-8892", ["0888-8892", "1523-1739"])]
    # W2135007107 (Natural Resources Forum) lists 0165-0209, whose check character does not fit (0165-0203 is the
    # journal's ISSN): not stored, one counted warning; the two valid ISSNs are kept
    assert atlas.con.execute(ROWS, ["W2135007107"]).fetchone() == (
        "W2135007107", "Natural Resources Forum", "0165-0203", ["0165-0203", "1477-8947"])
    assert report.warnings[INVALID_ISSN_WARNING] == 1


def test_wos_tab_delimited(shared_data):
    atlas, report = _ingest(shared_data / "wos" / "wos_2026_04_02_1000.txt.gz")
    # SN in 618 records, EI in 340 (258 with both); WoS names no linking ISSN
    assert _counts(atlas) == (1000, 0, 700)
    assert atlas.con.execute("SELECT sum(len(issns)) FROM works").fetchone()[0] == 958
    two = atlas.con.execute("SELECT source_name, issns FROM works WHERE list_contains(issns, '0926-5805')").fetchall()
    assert {(name, tuple(issns)) for name, issns in two} == {("AUTOMATION IN CONSTRUCTION", ("0926-5805", "1872-7891"))}
    assert INVALID_ISSN_WARNING not in report.warnings


@pytest.mark.parametrize(("name", "works", "with_issns", "example"), [
    ("testFile.isi", 33, 31, ("PHYSICS REPORTS-REVIEW SECTION OF PHYSICS LETTERS", ["0370-1573"])),
    ("biblium_wos_plaintext.txt", 500, 477, ("RAPID PROTOTYPING JOURNAL", ["1355-2546", "1758-7670"])),
    ("pybibx_wos.bib", 236, 215, ("EUROPEAN JOURNAL OF OPERATIONAL RESEARCH", ["0377-2217", "1872-6860"])),
])
def test_wos_tagged_and_bibtex(shared_data, name, works, with_issns, example):
    atlas, _report = _ingest(shared_data / "wos" / name)
    assert _counts(atlas) == (works, 0, with_issns)
    assert example in atlas.con.execute("SELECT source_name, issns FROM works WHERE issns IS NOT NULL").fetchall()


@pytest.mark.parametrize(("name", "works", "with_issns", "example"), [
    # CSV: "00489697; 18791026" (print; electronic, no hyphens)
    # works: the records with authors (1, 3 and 6 records without any are skipped: the record contract)
    ("biblium_scopus.csv", 199, 198, ("Science of the Total Environment", ["0048-9697", "1879-1026"])),
    ("metaknowledge_scopus.csv", 217, 199, ("IEEE Transactions on Applied Superconductivity", ["1051-8223"])),
    ("pybibx_scopus.bib", 257, 221, ("European Journal of Operational Research", ["0377-2217"])),
])
def test_scopus(shared_data, name, works, with_issns, example):
    atlas, report = _ingest(shared_data / "scopus" / name)
    assert _counts(atlas) == (works, 0, with_issns)
    assert example in atlas.con.execute("SELECT source_name, issns FROM works WHERE issns IS NOT NULL").fetchall()
    assert INVALID_ISSN_WARNING not in report.warnings


def test_pubmed_medline_names_the_linking_issn(shared_data):
    atlas, _report = _ingest(shared_data / "pubmed" / "medline_test.medline")
    assert _counts(atlas) == (174, 169, 174)  # the last record, cut off before its authors, is skipped
    # IS  - 1879-0038 (Electronic) / IS  - 0378-1119 (Linking)
    assert ("Gene", "0378-1119", ["0378-1119", "1879-0038"]) in (
        atlas.con.execute("SELECT source_name, issn_l, issns FROM works").fetchall())
    assert atlas.con.execute("SELECT count(*) FROM works WHERE NOT list_contains(issns, issn_l)").fetchone()[0] == 0


def test_pubmed_xml(shared_data):
    atlas, _report = _ingest(shared_data / "pubmed" / "pubmed-29768149.xml")
    # <ISSN IssnType="Electronic">1533-4406</ISSN> and <ISSNLinking>0028-4793</ISSNLinking>
    assert atlas.con.execute(ROWS, ["PMID:29768149"]).fetchone() == (
        "PMID:29768149", "The New England journal of medicine", "0028-4793", ["0028-4793", "1533-4406"])
