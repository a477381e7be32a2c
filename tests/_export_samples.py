"""Small export samples written by the tests (never vendor files), one per reader, and a helper that
runs a reader directly on a file: (records, report)."""

from __future__ import annotations

from pathlib import Path

from collabatlas.sources.export_readers import reader_for
from collabatlas.sources.exports import ByteCounter
from collabatlas.sources.formats import detect_format
from collabatlas.sources.ingest_report import IngestReport

WOS_TAGGED = """FN Clarivate Analytics Web of Science
VR 1.0
PT J
AU Ann, A
   Bob, B
   Cy, C
AF Ann, Alice
   Bob, Bert
   Cy, Carl
TI A sufficiently long title about collaboration measurement
DI 10.1000/ABC
C1 [Ann, Alice; Bob, Bert] Univ Tokyo, Dept Phys, Tokyo, Japan.
   [Cy, Carl] Univ Utah, Salt Lake City, UT 84112 USA.
PY 2020
UT WOS:000000000000001
ER

PT J
AU Dee, D
   Eve, E
TI Old record without brackets in the addresses
C1 UNIV OSLO,INST PHYS,OSLO,NORWAY.
   UNIV LYON,LYON,FRANCE.
PY 1979
UT WOS:A1979000000002
ER

EF
"""

WOS_TAB_HEADER = ["PT", "AU", "AF", "TI", "SO", "DI", "PY", "C1", "UT"]
WOS_TAB_ROWS = [
    ["J", "Ann, A; Bob, B", "Ann, Alice; Bob, Bert", "Tab title one about collaboration", "J ONE", "10.1/one", "2021",
     "[Ann, Alice] Univ Tokyo, Tokyo, Japan; [Bob, Bert] Univ Utah, Salt Lake City, UT USA", "WOS:000000000000011"],
    ["J", "Cy, C", "Cy, Carl", "Tab title two about collaboration", "J TWO", "", "2022",
     "[Cy, Carl] Univ Oslo, Oslo, Norway", "WOS:000000000000012"],
    ["J", "Dee, D; Eve, E", "Dee, Dan; Eve, Eva", "Tab title three about collaboration", "J ONE", "10.1/three",
     "2019", "[Dee, Dan; Eve, Eva] Univ Lyon, Lyon, France", "WOS:000000000000013"],
]


def wos_tab(rows=WOS_TAB_ROWS, header=WOS_TAB_HEADER) -> str:
    return "\n".join("\t".join(r) for r in [header, *rows]) + "\n"


SCOPUS_HEADER = "Authors,Author full names,Title,Year,DOI,Affiliations,Authors with affiliations,EID"
SCOPUS_ROWS = [
    '"Ann A.; Bob B.","Ann, A. (1); Bob, B. (2)","A sufficiently long title about collaboration",2021,10.1/s1,'
    '"Univ Tokyo, Tokyo, Japan; Univ Utah, Salt Lake City, United States",'
    '"Ann, A., Univ Tokyo, Tokyo, Japan; Bob, B., Univ Utah, Salt Lake City, United States",2-s2.0-85000000001',
    '"Cy C.","Cy, C. (3)","Another long title, with a comma",2020,,"Univ Oslo, Oslo, Norway",'
    '"Cy, C., Univ Oslo, Oslo, Norway",2-s2.0-85000000002',
]


def scopus_csv(rows=SCOPUS_ROWS, header=SCOPUS_HEADER) -> str:
    return "\n".join([header, *rows]) + "\n"


WOS_BIB = """@article{ WOS:000000000000021,
Author = {Ann, Alice and Bob, Bert},
Title = {{A BibTeX title about collaboration}},
Journal = {{JOURNAL ONE}},
Year = {{2021}},
DOI = {{10.1/bib1}},
Affiliation = {{Ann, Alice, Univ Tokyo, Tokyo, Japan.
   Bob, Bert, Univ Utah, Salt Lake City, UT USA.}},
Unique-ID = {{WOS:000000000000021}},
}

@article{ WOS:000000000000022,
Author = {Cy, Carl},
Title = {{Second BibTeX title about collaboration}},
Year = {{2020}},
Affiliation = {{Cy, Carl, Univ Oslo, Oslo, Norway.}},
Unique-ID = {{WOS:000000000000022}},
}
"""

SCOPUS_BIB = """@ARTICLE{Ann2021,
author={Ann, A. and Bob, B.},
title={A Scopus BibTeX title about collaboration},
year={2021},
doi={10.1/sb1},
url={https://www.scopus.com/inward/record.uri?eid=2-s2.0-85000000031&partnerID=40},
affiliation={Univ Tokyo, Tokyo, Japan; Univ Utah, Salt Lake City, United States},
source={Scopus},
}

@ARTICLE{Cy2020,
author={Cy, C.},
title={Second Scopus BibTeX title},
year={2020},
url={https://www.scopus.com/inward/record.uri?eid=2-s2.0-85000000032&partnerID=40},
affiliation={Univ Oslo, Oslo, Norway},
source={Scopus},
}
"""


def medline_record(pmid: int, n_authors: int = 2) -> str:
    lines = [f"PMID- {pmid}", f"TI  - A sufficiently long title about collaboration {pmid}", "DP  - 2020 Jan 05"]
    for i in range(n_authors):
        lines += [f"FAU - Author{pmid}, A{i}", f"AU  - Author{pmid} A{i}", "AD  - Univ Tokyo, Tokyo, Japan."]
    return "\n".join(lines) + "\n"


MEDLINE = medline_record(1) + "\n" + medline_record(2, 3) + "\n" + medline_record(3, 1)


def pubmed_article(pmid: int, n_authors: int = 2) -> str:
    authors = "".join(f"<Author><LastName>Last{pmid}x{i}</LastName><ForeName>F</ForeName><AffiliationInfo>"
                      f"<Affiliation>Univ Tokyo, Tokyo, Japan.</Affiliation></AffiliationInfo></Author>"
                      for i in range(n_authors))
    return (f"<PubmedArticle>\n<MedlineCitation Status=\"MEDLINE\">\n<PMID Version=\"1\">{pmid}</PMID>\n"
            f"<Article><Journal><JournalIssue><PubDate><Year>2020</Year></PubDate></JournalIssue>"
            f"<Title>J</Title></Journal>\n<ArticleTitle>Title of {pmid} about collaboration</ArticleTitle>\n"
            f"<AuthorList>{authors}</AuthorList>\n</Article>\n</MedlineCitation>\n"
            f"<PubmedData><ArticleIdList><ArticleId IdType=\"doi\">10.1/pm{pmid}</ArticleId></ArticleIdList>"
            f"</PubmedData>\n</PubmedArticle>\n")


def pubmed_xml(pmids=(1, 2, 3)) -> str:
    return ('<?xml version="1.0" ?>\n<!DOCTYPE PubmedArticleSet PUBLIC "-//NLM//DTD PubMedArticle, 1st January '
            '2019//EN" "https://dtd.nlm.nih.gov/ncbi/pubmed/out/pubmed_190101.dtd">\n<PubmedArticleSet>\n'
            + "".join(pubmed_article(p) for p in pmids) + "</PubmedArticleSet>\n")


#: (name, file suffix, text, records in it, the format ``ingest --format`` would name)
SAMPLES = [
    ("wos-tagged", ".txt", WOS_TAGGED, 2, "wos"),
    ("wos-tab", ".txt", wos_tab(), 3, "wos"),
    ("wos-bibtex", ".bib", WOS_BIB, 2, "wos"),
    ("scopus-csv", ".csv", scopus_csv(), 2, "scopus"),
    ("scopus-bibtex", ".bib", SCOPUS_BIB, 2, "scopus"),
    ("medline", ".nbib", MEDLINE, 3, "pubmed"),
    ("pubmed-xml", ".xml", pubmed_xml(), 3, "pubmed"),
]


def read_export(path: Path, fmt: str | None = None):
    """(records, report) of one export file read by the reader ``ingest`` would choose."""
    fmt = fmt or detect_format(path)
    report = IngestReport()
    counter = ByteCounter(path)
    try:
        records = list(reader_for(fmt, path)(path, report, counter))
    finally:
        counter.close()
    return records, report


def summary(records) -> list[tuple]:
    """What a record carries that the tests compare: id, title, year, DOI, authors with addresses."""
    return [(r.record_id, r.title, r.year, r.doi, [(a.name, tuple(a.addresses)) for a in r.authors])
            for r in records]
