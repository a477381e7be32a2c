"""PubMed MEDLINE and XML: AD per author, record without PMID, malformed XML, real files."""

from __future__ import annotations

import pytest

from collabatlas.atlas import Atlas
from tests._export_fakes import FakeMatcher

MEDLINE = """PMID- 1
TI  - A title that is long enough for a key
DP  - 2019 Jan 15
FAU - Aa, Al
AU  - Aa A
AD  - Univ Oslo, Oslo, Norway.
AD  - Univ Lyon, Lyon,
      France. al@example.org
FAU - Bb, Bo
AU  - Bb B
AD  - Univ Lyon, Lyon, France.

TI  - Record without an identifier
FAU - Cc, Cy

PMID- 3
TI  - Third
DP  - 2019
FAU - Dd, Di
AD  - Univ Oslo, Oslo, Norway.
"""


def test_medline_ad_per_author_and_missing_pmid(tmp_path):
    f = tmp_path / "x.medline"
    f.write_text(MEDLINE)
    atlas = Atlas(":memory:")
    report = atlas.ingest(f, matcher=FakeMatcher())
    assert report.works_inserted == 2
    assert report.skipped == {"record without id": 1}  # the record contract's one reason (was MEDLINE-only wording)
    assert any("x.medline: record 2 (line 13)" in m for m in report.messages)
    s = {r.unit: r.share for r in atlas.scores(level="country").itertuples()}
    assert s == pytest.approx({"NO": 0.25 + 1.0, "FR": 0.25 + 0.5})
    assert (atlas.con.execute("SELECT pub_date::VARCHAR FROM works WHERE work_id = 'PMID:1'").fetchone()[0]
            == "2019-01-15")


def test_xml_and_malformed_xml(shared_data, tmp_path):
    text = (shared_data / "pubmed" / "pubmed-29768149.xml").read_text()
    atlas = Atlas(":memory:")
    report = atlas.ingest(shared_data / "pubmed" / "pubmed-29768149.xml", matcher=FakeMatcher())
    assert report.works_inserted == 1
    n = atlas.con.execute("SELECT n_authors FROM works WHERE work_id = 'PMID:29768149'").fetchone()[0]
    assert n == text.count("<Author ") + text.count("<Author>")
    bad = tmp_path / "bad.xml"
    bad.write_text(text.replace("</PubmedArticleSet>", "<PubmedArticle><oops></PubmedArticleSet>"))
    report = Atlas(":memory:").ingest(bad, matcher=FakeMatcher())
    assert report.works_inserted == 1 and list(report.skipped) == ["malformed or truncated XML record"]


# medline_test's last record (PMID 26153366) is cut off before its authors: skipped (record contract)
@pytest.mark.parametrize("name, n, authorless", [("medline_test.medline", 174, 1), ("pybibx_pubmed.medline", 335, 0)])
def test_real_files_ingest(shared_data, name, n, authorless):
    report = Atlas(":memory:").ingest(shared_data / "pubmed" / name, matcher=FakeMatcher())
    assert report.works_inserted == n and report.records_skipped == authorless
