"""Issue 25, export readers: the BibTeX tokenizer (stray braces, top-level ``and``, ``@string`` and
``#``, ``@comment`` / ``@preamble``) and PubMed XML read record by record (damaged, truncated and
concatenated files; ``PubmedBookArticle``) — each on a small file made here."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from collabatlas.atlas import Atlas
from collabatlas.sources.bibtex import split_authors
from collabatlas.sources.ingest_report import DAMAGED_EXIT_CODE
from collabatlas.sources.pubmed import DAMAGED_XML
from collabatlas.views.cli import app
from tests._export_fakes import FakeMatcher
from tests._export_samples import SCOPUS_BIB, WOS_BIB, pubmed_article, pubmed_xml, read_export, summary

UNBALANCED = "BibTeX entry with unbalanced braces (read field by field from its lines)"


def _write(tmp_path, name: str, text: str):
    f = tmp_path / name
    f.write_text(text)
    return f


# -- BibTeX ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("title", ["{{A stray } brace in the title}}", "{{A stray }} brace in the title}}",
                                   "{{An unclosed { brace in the title}}"])
def test_a_stray_brace_keeps_doi_and_affiliation(tmp_path, title):
    broken = WOS_BIB.replace("{{A BibTeX title about collaboration}}", title, 1)
    records, report = read_export(_write(tmp_path, "wos.bib", broken))
    first = records[0]
    assert [r.record_id for r in records] == ["WOS:000000000000021", "WOS:000000000000022"]
    assert first.doi == "10.1/bib1" and first.year == 2021
    assert [a.addresses for a in first.authors] == [["Univ Tokyo, Tokyo, Japan"], ["Univ Utah, Salt Lake City, UT USA"]]
    assert "stray" in first.title or "unclosed" in first.title
    assert report.warnings == {UNBALANCED: 1} and report.records_skipped == 0
    assert any("wos.bib: record 1 (line 1)" in m for m in report.messages)


def test_a_stray_brace_in_the_last_entry_of_a_scopus_file(tmp_path):
    broken = SCOPUS_BIB.replace("title={Second Scopus BibTeX title}", "title={Second } Scopus BibTeX title}")
    records, report = read_export(_write(tmp_path, "scopus.bib", broken))
    assert [r.record_id for r in records] == ["2-s2.0-85000000031", "2-s2.0-85000000032"]
    assert records[1].authors[0].addresses == ["Univ Oslo, Oslo, Norway"]
    assert report.warnings == {UNBALANCED: 1}


def test_an_entry_cut_off_is_skipped_naming_its_line_never_stored_without_its_fields(tmp_path):
    cut = WOS_BIB[:WOS_BIB.index("Affiliation = {{Cy")]
    atlas = Atlas(":memory:")
    f = _write(tmp_path, "cut.bib", cut)
    report = atlas.ingest(f, matcher=FakeMatcher())
    assert [r[0] for r in atlas.con.execute("SELECT work_id FROM works").fetchall()] == ["WOS:000000000000021"]
    assert report.skipped == {"unterminated BibTeX entry (braces never close)": 1} and report.damaged == 1
    assert any("cut.bib: record 2 (line 12)" in m for m in report.messages)
    result = CliRunner().invoke(app, ["ingest", str(f), "--store", str(tmp_path / "s.duckdb")])
    assert result.exit_code == DAMAGED_EXIT_CODE


@pytest.mark.parametrize("value, names", [
    ("Smith, J. and Doe, A.", ["Smith, J.", "Doe, A."]),
    ("Smith, J. AND Doe, A. And Roe, R.", ["Smith, J.", "Doe, A.", "Roe, R."]),
    ("{Barnes and Noble Inc} and Doe, A.", ["Barnes and Noble Inc", "Doe, A."]),
    ("{The {ATLAS} and {CMS} Collaborations}", ["The ATLAS and CMS Collaborations"]),
    ("Andersen, K. and\n   Sandberg, L.", ["Andersen, K.", "Sandberg, L."]),
    ("M{\\\"u}ller, H. and Brand, A.", ["Müller, H.", "Brand, A."]),
])
def test_split_authors_only_on_top_level_and(value, names):
    assert split_authors(value) == names


def test_macros_concatenation_quotes_comment_and_preamble(tmp_path):
    text = """@preamble{ "\\newcommand{\\noop}[1]{}" }
@string{ jn = "Journal of" }
@STRING(aff = {Univ Oslo, Oslo, Norway})
@comment{ an old copy:
@ARTICLE{Old2019,
author={Old, O.},
title={Must not be read},
url={https://www.scopus.com/inward/record.uri?eid=2-s2.0-85000000099},
source={Scopus},
}
}
@ARTICLE{Corp2022,
author = "{Barnes and Noble Inc} AND Cy, C.",
title = "A title with {"}quotes{"} and {braces}",
journal = jn # " Collaboration " # {Studies},
year = 2022,
month = mar,
affiliation = aff # "; Univ Tokyo, Tokyo, Japan",
url = {https://www.scopus.com/inward/record.uri?eid=2-s2.0-85000000041},
source = {Scopus}
}
"""
    records, report = read_export(_write(tmp_path, "macros.bib", text))
    assert [r.record_id for r in records] == ["2-s2.0-85000000041"]
    rec = records[0]
    assert [a.name for a in rec.authors] == ["Barnes and Noble Inc", "Cy, C."]
    assert rec.authors[0].addresses == ["Univ Oslo, Oslo, Norway", "Univ Tokyo, Tokyo, Japan"]
    assert rec.source_name == "Journal of Collaboration Studies" and rec.year == 2022
    assert rec.title == 'A title with "quotes" and braces'
    assert report.records_skipped == 0 and not report.warnings


def test_an_undefined_macro_is_kept_as_text_and_warned(tmp_path):
    text = SCOPUS_BIB.replace("title={Second Scopus BibTeX title}", "title=nowhere")
    records, report = read_export(_write(tmp_path, "undef.bib", text))
    assert records[1].title == "nowhere"
    assert report.warnings == {"undefined BibTeX @string macro (its name kept as the value)": 1}


def test_entries_on_one_line_and_an_at_sign_inside_a_value(tmp_path):
    text = (" ".join(SCOPUS_BIB.split("\n")).replace("title={Second", "note={mail a@b{c}}, title={Second"))
    records, report = read_export(_write(tmp_path, "oneline.bib", text), "scopus")
    assert [r.record_id for r in records] == ["2-s2.0-85000000031", "2-s2.0-85000000032"]
    assert records[1].title == "Second Scopus BibTeX title" and report.records_skipped == 0


def test_parenthesised_and_keyless_entries(tmp_path):
    text = """@ARTICLE(Paren2021,
author = "Ann, A.",
title = "A (parenthesised) title)",
url = {https://www.scopus.com/inward/record.uri?eid=2-s2.0-85000000051},
affiliation = {Univ Oslo, Oslo, Norway},
source = {Scopus}
)
@ARTICLE{title = {Keyless, but read},
url = {https://www.scopus.com/inward/record.uri?eid=2-s2.0-85000000052},
source = {Scopus}
}
"""
    records, report = read_export(_write(tmp_path, "paren.bib", text))
    assert [(r.record_id, r.title) for r in records] == [("2-s2.0-85000000051", "A (parenthesised) title)"),
                                                         ("2-s2.0-85000000052", "Keyless, but read")]
    assert records[0].authors[0].addresses == ["Univ Oslo, Oslo, Norway"]
    assert report.records_skipped == 0 and not report.warnings


def test_bibtex_entries_read_identically_when_well_formed(tmp_path):
    records, report = read_export(_write(tmp_path, "wos.bib", WOS_BIB))
    assert summary(records) == [
        ("WOS:000000000000021", "A BibTeX title about collaboration", 2021, "10.1/bib1",
         [("Ann, Alice", ("Univ Tokyo, Tokyo, Japan",)), ("Bob, Bert", ("Univ Utah, Salt Lake City, UT USA",))]),
        ("WOS:000000000000022", "Second BibTeX title about collaboration", 2020, None,
         [("Cy, Carl", ("Univ Oslo, Oslo, Norway",))])]
    assert report.records_skipped == 0 and not report.warnings


# -- PubMed XML -----------------------------------------------------------------------------------------

def _pmids(atlas: Atlas) -> list[str]:
    return [r[0] for r in atlas.con.execute("SELECT work_id FROM works ORDER BY year, work_id").fetchall()]


def test_truncated_then_concatenated_pubmed_xml_loses_only_the_cut_record(tmp_path):
    first = pubmed_xml(range(1, 6))
    cut = first[:first.index("<ArticleTitle>Title of 4")]  # file 1 cut inside record 4
    f = _write(tmp_path, "joined.xml", cut + pubmed_xml(range(10, 60)))
    atlas = Atlas(":memory:")
    report = atlas.ingest(f, matcher=FakeMatcher())
    assert report.works_inserted == 3 + 50 and report.records_read == 54
    assert report.skipped == {DAMAGED_XML: 1} and report.damaged == 1
    line = cut.count("\n") - cut[cut.rindex("<PubmedArticle>"):].count("\n") + 1
    offset = len(cut[:cut.rindex("<PubmedArticle>")].encode())
    assert any(f"joined.xml: record 4 (line {line}, byte {offset}): no </PubmedArticle>" in m for m in report.messages)


def test_a_malformed_record_in_the_middle_is_skipped_and_the_rest_read(tmp_path):
    text = pubmed_xml(range(1, 6)).replace("<ArticleTitle>Title of 3", "<ArticleTitle><b>Title of 3")
    records, report = read_export(_write(tmp_path, "bad.xml", text))
    assert [r.record_id for r in records] == ["PMID:1", "PMID:2", "PMID:4", "PMID:5"]
    assert report.skipped == {DAMAGED_XML: 1}
    assert any("mismatched tag" in m and "bad.xml: record 3" in m for m in report.messages)


def test_two_records_fused_by_a_lost_end_tag_count_as_two(tmp_path):
    text = pubmed_xml(range(1, 5))
    start3 = '<MedlineCitation Status="MEDLINE">\n<PMID Version="1">3'
    text = text.replace("</PubmedArticle>\n<PubmedArticle>\n" + start3, "</PubmedArt\n" + start3)
    records, report = read_export(_write(tmp_path, "fused.xml", text))
    assert [r.record_id for r in records] == ["PMID:1", "PMID:4"]
    assert report.skipped == {DAMAGED_XML: 2}


def test_pubmed_book_articles_are_read_not_lost(tmp_path):
    book = """<PubmedBookArticle>
<BookDocument>
<PMID Version="1">20301295</PMID>
<ArticleIdList><ArticleId IdType="bookaccession">NBK1116</ArticleId></ArticleIdList>
<Book><Publisher><PublisherName>Univ Washington</PublisherName></Publisher>
<BookTitle book="gene">GeneReviews</BookTitle><PubDate><Year>1993</Year></PubDate>
<AuthorList Type="editors"><Author><LastName>Editor</LastName><ForeName>E</ForeName></Author></AuthorList>
</Book>
<ArticleTitle book="gene" part="alport">Alport Syndrome</ArticleTitle>
<AuthorList Type="authors">
<Author><LastName>Kashtan</LastName><ForeName>Clifford E</ForeName>
<AffiliationInfo><Affiliation>Univ Minnesota, Minneapolis, USA</Affiliation></AffiliationInfo></Author>
<Author><LastName>Gross</LastName><ForeName>Oliver</ForeName>
<AffiliationInfo><Affiliation>Univ Gottingen, Gottingen, Germany</Affiliation></AffiliationInfo></Author>
</AuthorList>
</BookDocument>
<PubmedBookData><ArticleIdList><ArticleId IdType="pubmed">20301295</ArticleId></ArticleIdList></PubmedBookData>
</PubmedBookArticle>
"""
    text = pubmed_xml((1, 2)).replace("</PubmedArticleSet>", book + "</PubmedArticleSet>")
    atlas = Atlas(":memory:")
    report = atlas.ingest(_write(tmp_path, "books.xml", text), matcher=FakeMatcher())
    assert report.records_read == 3 and report.works_inserted == 3 and report.records_skipped == 0
    row = atlas.con.execute("SELECT title, type, year, n_authors FROM works WHERE work_id = 'PMID:20301295'").fetchone()
    assert row == ("Alport Syndrome", "book-chapter", 1993, 2)
    shares = {r.unit: r.share for r in atlas.scores(level="country").itertuples() if r.unit in ("US", "DE")}
    assert shares == pytest.approx({"US": 0.5, "DE": 0.5})


def test_an_empty_pubmed_article_set_is_no_error_and_html_is(tmp_path):
    records, report = read_export(_write(tmp_path, "empty.xml", pubmed_xml(())))
    assert records == [] and report.records_skipped == 0
    from collabatlas.ingest.pipeline import InputError

    with pytest.raises(InputError, match="no PubmedArticle"):
        read_export(_write(tmp_path, "page.xml", "<html><body>Error 429</body></html>\n"), "pubmed")


def test_a_single_article_document(tmp_path):
    records, _ = read_export(_write(tmp_path, "one.xml", pubmed_article(7)))
    assert [r.record_id for r in records] == ["PMID:7"] and records[0].doi == "10.1/pm7"


def test_a_truncated_gzip_bibtex_keeps_the_entries_before_the_damage(tmp_path):
    import gzip
    import hashlib

    entry = SCOPUS_BIB.split("\n\n")[0] + "\n\n"
    text = "".join(entry.replace("85000000031", f"85{n:09d}").replace("collaboration", hashlib.sha256(
        str(n).encode()).hexdigest() * 4) for n in range(60))  # little repetition: a cut loses the tail only
    data = gzip.compress(text.encode())
    f = tmp_path / "cut.bib.gz"
    f.write_bytes(data[:len(data) * 2 // 3])
    atlas = Atlas(":memory:")
    report = atlas.ingest(f, format="scopus", matcher=FakeMatcher())
    assert 20 <= report.works_inserted < 60
    assert report.skipped == {"truncated or corrupt file": 1} and report.unaccounted == 0


@pytest.mark.parametrize("block", [1, 7, 64, 1000, 1 << 20])
def test_xml_record_cutting_does_not_depend_on_block_boundaries(block):
    import io

    from collabatlas.sources.pubmed import _article_chunks

    first = pubmed_xml(range(1, 6))
    text = (first[:first.index("<ArticleTitle>Title of 4")] + pubmed_xml(range(10, 14))
            + "<PubmedBookArticle><BookDocument><PMID>9</PMID></BookDocument></PubmedBookArticle>\n"
            + pubmed_article(99)[:-40]).encode()
    chunks = list(_article_chunks(io.BytesIO(text), block_size=block))
    assert [(n, c) for n, _o, _l, _b, c in chunks] == [("PubmedArticle", True)] * 3 + [("PubmedArticle", False)] + [
        ("PubmedArticle", True)] * 4 + [("PubmedBookArticle", True), ("PubmedArticle", False)]
    for _name, offset, line, data, _complete in chunks:
        assert text[offset:offset + len(data)] == data
        assert text[:offset].count(b"\n") + 1 == line
