"""PubMed exports: MEDLINE text (``PMID- ``, ``FAU``/``AU``/``AD`` …) and PubMed XML (efetch
``PubmedArticleSet``, read streaming with ``xml.etree.ElementTree.iterparse``), into
:class:`~.exports.ExportRecord` values.

MEDLINE: an ``FAU`` starts an author (an ``AU`` directly after it is the same author; an ``AU``
without ``FAU`` starts one; ``CN`` is a collective author); each ``AD`` belongs to the author
before it. ``AD`` lines before the first author are record-level addresses: they go to every author
without an ``AD`` of their own (the address-level fallback). The record id is ``PMID:<n>``; a
record without ``PMID`` is skipped, named and counted. XML: ``AffiliationInfo/Affiliation`` per
``Author``; ``CollectiveName`` is an author.
"""

from __future__ import annotations

import datetime
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

from collabatlas.counting.issn import split_issns
from collabatlas.sources.exports import ByteCounter, ExportAuthor, ExportRecord, map_type, text_lines
from collabatlas.sources.ingest_report import IngestReport

_TAG = re.compile(r"^([A-Z][A-Z0-9 ]{1,3})- ?(.*)$")
_MONTHS = {m: i for i, m in enumerate(("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov",
                                        "dec"), start=1)}


def _date(year: str | None, month: str | None, day: str | None) -> str | None:
    try:
        mm = int(month) if month and month.isdigit() else _MONTHS.get((month or "")[:3].lower())
        return datetime.date(int(year), mm, int(day)).isoformat() if year and mm and day else None
    except (ValueError, TypeError):
        return None


def _yyyymmdd(value: str | None) -> str | None:
    m = re.match(r"^(\d{4})(\d{2})(\d{2})", (value or "").strip())
    return f"{m.group(1)}-{m.group(2)}-{m.group(3)}" if m else None


def _pub_type(types: list[str]) -> str | None:
    lowered = [t.lower() for t in types]
    for wanted in ("review", "published erratum", "editorial", "letter"):
        if wanted in lowered:
            return map_type(wanted)
    return map_type(types[0]) if types else None


def _record(fields: list[tuple[str, str]], report: IngestReport, where: str) -> ExportRecord | None:
    first = {}
    for tag, value in fields:
        first.setdefault(tag, value)
    pmid = (first.get("PMID") or "").split()
    if not pmid:
        report.skip("MEDLINE record without PMID", where)
        return None
    authors: list[ExportAuthor] = []
    record_level: list[str] = []
    last_tag = None
    for tag, value in fields:
        if tag == "FAU" or (tag == "AU" and last_tag != "FAU") or tag == "CN":
            authors.append(ExportAuthor(name=value.strip()))
        elif tag == "AD":
            (authors[-1].addresses if authors else record_level).append(value.strip())
        last_tag = tag
    for author in authors:
        if not author.addresses:
            author.addresses = list(record_level)
    doi = next((v.rsplit(" ", 1)[0] for t, v in fields if t in ("AID", "LID") and v.endswith("[doi]")), None)
    dp = (first.get("DP") or "").split()
    year = int(dp[0][:4]) if dp and dp[0][:4].isdigit() else None
    pub_date = _date(dp[0][:4], dp[1], dp[2]) if len(dp) >= 3 else None
    issns = [v for t, v in fields if t == "IS"]  # "1879-0038 (Electronic)", "0378-1119 (Linking)"
    linking = next((v for v in issns if "(linking)" in v.lower()), None)
    return ExportRecord(record_id="PMID:" + pmid[0], origin="pubmed", title=first.get("TI"), year=year,
                        pub_date=pub_date, doi=doi, type=_pub_type([v for t, v in fields if t == "PT"]),
                        source_name=first.get("JT") or first.get("TA"),
                        issns=[i for v in issns for i in split_issns(v)],
                        issn_l=next(iter(split_issns(linking)), None),
                        updated_date=_yyyymmdd(first.get("LR") or first.get("DCOM") or first.get("DA")),
                        authors=authors, mesh=[v for t, v in fields if t == "MH"])


def read_medline(path: Path, report: IngestReport, counter: ByteCounter) -> Iterator[ExportRecord]:
    """MEDLINE text: records separated by blank lines, and a ``PMID-`` line always starts a new record
    (concatenated files need no blank line between them); 4-character tags, 6-space continuation lines."""
    fields: list[tuple[str, str]] = []
    number = start = 0

    def flush():
        return _record(fields, report, f"{path}: record {number} (line {start})") if fields else None

    for line_no, line in text_lines(path, report, counter):
        if not line.strip():
            if fields:
                rec = flush()
                if rec:
                    yield rec
                fields = []
            continue
        m = _TAG.match(line)
        if m and not line.startswith(" "):
            if fields and m.group(1).strip() == "PMID":  # a record always starts at PMID-, blank line or not
                rec = flush()              # (e.g. concatenated files, the first without a final blank line)
                if rec:
                    yield rec
                fields = []
            if not fields:
                number, start = number + 1, line_no
            fields.append((m.group(1).strip(), m.group(2).strip()))
        elif fields and line.startswith(" "):
            tag, value = fields[-1]
            fields[-1] = (tag, f"{value} {line.strip()}")
        else:
            report.warn("MEDLINE line that is neither a tag nor a continuation (ignored)")
            report.note(f"{path}:{line_no}: not a MEDLINE tag line: {line[:60]!r}")
    rec = flush()
    if rec:
        yield rec


def _text(el: ET.Element | None) -> str | None:
    if el is None:
        return None
    text = " ".join("".join(el.itertext()).split())
    return text or None


def _xml_record(art: ET.Element, report: IngestReport, where: str) -> ExportRecord | None:
    pmid = _text(art.find("MedlineCitation/PMID"))
    if not pmid:
        report.skip("PubMed record without PMID", where)
        return None
    article = art.find("MedlineCitation/Article")
    article = article if article is not None else ET.Element("Article")
    authors = []
    for a in article.findall("AuthorList/Author"):
        name = _text(a.find("CollectiveName"))
        if not name:
            last, fore = _text(a.find("LastName")), _text(a.find("ForeName")) or _text(a.find("Initials"))
            name = f"{last}, {fore}" if last and fore else last
        authors.append(ExportAuthor(name=name, addresses=[x for x in (_text(f) for f in
                                                          a.findall("AffiliationInfo/Affiliation")) if x]))
    doi = next((_text(i) for i in art.findall("PubmedData/ArticleIdList/ArticleId") if i.get("IdType") == "doi"),
               None) or next((_text(e) for e in article.findall("ELocationID") if e.get("EIdType") == "doi"), None)
    pd = article.find("Journal/JournalIssue/PubDate")
    year_text = _text(pd.find("Year")) if pd is not None else None
    if not year_text and pd is not None:
        year_text = (_text(pd.find("MedlineDate")) or "")[:4]
    year = int(year_text) if year_text and year_text.isdigit() else None
    pub_date = _date(year_text, _text(pd.find("Month")), _text(pd.find("Day"))) if pd is not None else None
    revised = art.find("MedlineCitation/DateRevised")
    updated = _date(_text(revised.find("Year")), _text(revised.find("Month")), _text(revised.find("Day"))) \
        if revised is not None else None
    return ExportRecord(record_id="PMID:" + pmid, origin="pubmed", title=_text(article.find("ArticleTitle")),
                        year=year, pub_date=pub_date, doi=doi,
                        type=_pub_type([_text(t) or ""
                                        for t in article.findall("PublicationTypeList/PublicationType")]),
                        source_name=_text(article.find("Journal/Title")), updated_date=updated, authors=authors,
                        issns=[i for e in article.findall("Journal/ISSN") for i in split_issns(_text(e))],
                        issn_l=_text(art.find("MedlineCitation/MedlineJournalInfo/ISSNLinking")),
                        mesh=["/".join(x for x in [_text(h.find("DescriptorName"))]
                                       + [_text(q) for q in h.findall("QualifierName")] if x)
                              for h in art.findall("MedlineCitation/MeshHeadingList/MeshHeading")])


def read_xml(path: Path, report: IngestReport, counter: ByteCounter) -> Iterator[ExportRecord]:
    """PubMed XML, streaming: each ``PubmedArticle`` is cleared once read. Malformed XML stops the
    file at that point (named and counted); the records before it are kept."""
    number = 0
    try:
        for _event, el in ET.iterparse(counter.stream, events=("end",)):
            if el.tag != "PubmedArticle":
                continue
            number += 1
            rec = _xml_record(el, report, f"{path}: record {number}")
            el.clear()
            if rec:
                yield rec
    except ET.ParseError as exc:
        line = exc.position[0] if exc.position else "?"
        report.skip("malformed XML (the rest of the file is not read)",
                    f"{path}:{line}: after record {number}: {exc}")
