"""A year an export writes that is not a year (``20x9``, ``sometime``) is counted under the record
contract's reason ``year-not-number`` and named by file and record, in every export reader, as the
OpenAlex reader counts a ``publication_year`` that is not a number — never stored as an empty year
without a word (docs/record-contract.md)."""

from __future__ import annotations

from collabatlas import Atlas
from collabatlas.sources import record as R
from tests._export_fakes import FakeMatcher
from tests.test_record_contract import _wos, _wos_record

REASON = R.REASONS["year-not-number"]


def _ingest(*files):
    atlas = Atlas(":memory:")
    return atlas, atlas.ingest(*files, matcher=FakeMatcher())


def test_wos_scopus_and_pubmed_count_a_year_that_is_not_a_year(tmp_path):
    wos = tmp_path / "savedrecs.txt"
    wos.write_text(_wos(_wos_record("000000000000021", ["Ann, Alice"], ["Univ Oslo, Oslo, Norway."], py="19x5"),
                        _wos_record("000000000000022", ["Bob, Bert"], ["Univ Oslo, Oslo, Norway."])))
    scopus = tmp_path / "scopus.csv"
    scopus.write_text("Authors,Title,Year,DOI,Affiliations,Authors with affiliations,EID\n"
                      '"Ann A.","A title","20x9","","Univ Oslo, Oslo, Norway","Ann A., Univ Oslo, Oslo, Norway",'
                      '"2-s2.0-1"\n'
                      '"Bob B.","B title","","","Univ Oslo, Oslo, Norway","Bob B., Univ Oslo, Oslo, Norway",'
                      '"2-s2.0-2"\n')
    medline = tmp_path / "pubmed.txt"
    medline.write_text("PMID- 1\nDP  - sometime\nTI  - A title\nFAU - Ann, Alice\nAD  - Univ Oslo, Oslo, Norway.\n\n"
                       "PMID- 2\nDP  - 2020 Jan\nTI  - B title\nFAU - Bob, Bert\nAD  - Univ Oslo, Oslo, Norway.\n\n")
    xml = tmp_path / "pubmed.xml"
    xml.write_text('<?xml version="1.0"?>\n<PubmedArticleSet><PubmedArticle><MedlineCitation><PMID>3</PMID>'
                   "<Article><Journal><JournalIssue><PubDate><Year>2O19</Year></PubDate></JournalIssue></Journal>"
                   "<ArticleTitle>C title</ArticleTitle><AuthorList><Author><LastName>Cho</LastName>"
                   "<ForeName>Carl</ForeName><AffiliationInfo><Affiliation>Univ Oslo, Oslo, Norway."
                   "</Affiliation></AffiliationInfo></Author></AuthorList></Article></MedlineCitation>"
                   "</PubmedArticle></PubmedArticleSet>\n")
    atlas, report = _ingest(wos, scopus, medline, xml)
    assert report.warnings[REASON] == 4, report.warnings  # an empty Year (2-s2.0-2) is no year, not a bad one
    notes = "\n".join(report.messages)
    for where, value in (("savedrecs.txt", "19x5"), ("scopus.csv", "20x9"), ("pubmed.txt", "sometime"),
                         ("pubmed.xml", "2O19")):
        assert any(where in line and repr(value) in line for line in report.messages), notes
    years = dict(atlas.con.execute("SELECT work_id, year FROM works").fetchall())
    assert years == {"WOS:000000000000021": None, "WOS:000000000000022": 2020, "2-s2.0-1": None,
                     "2-s2.0-2": None, "PMID:1": None, "PMID:2": 2020, "PMID:3": None}
    assert report.unaccounted == 0
