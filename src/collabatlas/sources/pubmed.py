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

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

from collabatlas.counting.issn import split_issns
from collabatlas.sources.exports import ByteCounter, ExportAuthor, ExportRecord, map_type
from collabatlas.sources.ingest_report import IngestReport
from collabatlas.sources.openalex import InputError
from collabatlas.sources.record import date_text
from collabatlas.sources.textread import Prefixed, text_lines, utf8_stream

_TAG = re.compile(r"^([A-Z][A-Z0-9 ]{1,3})- ?(.*)$")


def _date(year: str | None, month: str | None, day: str | None) -> str | None:
    """``YYYY-MM-DD`` of the parts, unchecked: the record contract stores a real date and counts one
    that is not (``Feb 30``), as for every reader (collabatlas.sources.record.date_text)."""
    return date_text(year, month, day)


def _yyyymmdd(value: str | None) -> str | None:
    """``20201345`` → ``2020-13-45`` (unchecked: the record contract counts it as no date)."""
    m = re.match(r"^(\d{4})(\d{2})(\d{2})", (value or "").strip())
    return f"{m.group(1)}-{m.group(2)}-{m.group(3)}" if m else None


def _pub_type(types: list[str]) -> str | None:
    """The OpenAlex type of a PubMed list of publication types (the one rule, ``exports.map_type``)."""
    return map_type(types)


def _record(fields: list[tuple[str, str]], report: IngestReport, where: str) -> ExportRecord | None:
    first = {}
    for tag, value in fields:
        first.setdefault(tag, value)
    pmid = (first.get("PMID") or "").split()  # none: the record contract counts the record without id
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
    pub_date = _date(dp[0], dp[1], dp[2]) if len(dp) >= 3 else None
    issns = [v for t, v in fields if t == "IS"]  # "1879-0038 (Electronic)", "0378-1119 (Linking)"
    linking = next((v for v in issns if "(linking)" in v.lower()), None)
    # the year: the record contract's one rule reads year_text (collabatlas.sources.record.parse_year)
    return ExportRecord(record_id="PMID:" + pmid[0] if pmid else "", origin="pubmed", where=where,
                        title=first.get("TI"),
                        year_text=first.get("DP"),
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
    content: tuple[int, str] | None = None

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
        content = content or (line_no, line)
        m = None if line[:1].isspace() else _TAG.match(line)
        if m:
            if fields and m.group(1).strip() == "PMID":  # a record always starts at PMID-, blank line or not
                rec = flush()              # (e.g. concatenated files, the first without a final blank line)
                if rec:
                    yield rec
                fields = []
            if not fields:
                number, start = number + 1, line_no
            fields.append((m.group(1).strip(), m.group(2).strip()))
        elif fields and line[:1].isspace():
            tag, value = fields[-1]
            fields[-1] = (tag, f"{value} {line.strip()}")
        else:
            report.warn("MEDLINE line that is neither a tag nor a continuation (ignored)")
            report.note(f"{path}:{line_no}: not a MEDLINE tag line: {line[:60]!r}")
    rec = flush()
    if rec:
        yield rec
    if number == 0 and content is not None:
        raise InputError(f"{path}: no MEDLINE record found (no PMID- or tag line), though line {content[0]} has "
                         f"content: {content[1][:60]!r}")


def _text(el: ET.Element | None) -> str | None:
    if el is None:
        return None
    text = " ".join("".join(el.itertext()).split())
    return text or None


def _authors(elements: list[ET.Element]) -> list[ExportAuthor]:
    authors = []
    for a in elements:
        name = _text(a.find("CollectiveName"))
        if not name:
            last, fore = _text(a.find("LastName")), _text(a.find("ForeName")) or _text(a.find("Initials"))
            name = f"{last}, {fore}" if last and fore else last
        authors.append(ExportAuthor(name=name, addresses=[x for x in (_text(f) for f in
                                                          a.findall("AffiliationInfo/Affiliation")) if x]))
    return authors


def _element_date(el: ET.Element | None) -> str | None:
    return _date(_text(el.find("Year")), _text(el.find("Month")), _text(el.find("Day"))) if el is not None else None


def _xml_record(art: ET.Element, report: IngestReport, where: str) -> ExportRecord | None:
    pmid = _text(art.find("MedlineCitation/PMID"))  # none: the record contract counts the record without id
    article = art.find("MedlineCitation/Article")
    article = article if article is not None else ET.Element("Article")
    authors = _authors(article.findall("AuthorList/Author"))
    doi = next((_text(i) for i in art.findall("PubmedData/ArticleIdList/ArticleId") if i.get("IdType") == "doi"),
               None) or next((_text(e) for e in article.findall("ELocationID") if e.get("EIdType") == "doi"), None)
    pd = article.find("Journal/JournalIssue/PubDate")
    year_text = _text(pd.find("Year")) if pd is not None else None
    if not year_text and pd is not None:
        year_text = _text(pd.find("MedlineDate"))  # "1998 Dec-1999 Jan", "2000 Spring": parse_year reads it
    pub_date = _date(year_text, _text(pd.find("Month")), _text(pd.find("Day"))) if pd is not None else None
    updated = _element_date(art.find("MedlineCitation/DateRevised"))
    return ExportRecord(record_id="PMID:" + pmid if pmid else "", origin="pubmed", where=where,
                        title=_text(article.find("ArticleTitle")),
                        year_text=year_text, pub_date=pub_date, doi=doi,
                        type=_pub_type([_text(t) or ""
                                        for t in article.findall("PublicationTypeList/PublicationType")]),
                        source_name=_text(article.find("Journal/Title")), updated_date=updated, authors=authors,
                        issns=[i for e in article.findall("Journal/ISSN") for i in split_issns(_text(e))],
                        issn_l=_text(art.find("MedlineCitation/MedlineJournalInfo/ISSNLinking")),
                        mesh=["/".join(x for x in [_text(h.find("DescriptorName"))]
                                       + [_text(q) for q in h.findall("QualifierName")] if x)
                              for h in art.findall("MedlineCitation/MeshHeadingList/MeshHeading")])


def _book_record(art: ET.Element, report: IngestReport, where: str) -> ExportRecord | None:
    """A ``PubmedBookArticle`` (NCBI Bookshelf): a chapter (``ArticleTitle``) or a whole book."""
    doc = art.find("BookDocument")
    doc = doc if doc is not None else ET.Element("BookDocument")
    pmid = _text(doc.find("PMID"))  # none: the record contract counts the record without id
    book = doc.find("Book")
    book = book if book is not None else ET.Element("Book")
    lists = [x for x in doc.findall("AuthorList") + book.findall("AuthorList") if x.get("Type", "authors") == "authors"]
    chapter = _text(doc.find("ArticleTitle"))
    year_text = _text(book.find("PubDate/Year"))
    doi = next((_text(i) for i in doc.findall("ArticleIdList/ArticleId") + art.findall(
        "PubmedBookData/ArticleIdList/ArticleId") if i.get("IdType") == "doi"), None)
    return ExportRecord(record_id="PMID:" + pmid if pmid else "", origin="pubmed", where=where,
                        title=chapter or _text(book.find("BookTitle")),
                        year_text=year_text,
                        pub_date=_element_date(book.find("PubDate")), doi=doi,
                        type="book-chapter" if chapter else "book",
                        source_name=_text(book.find("BookTitle")) if chapter else None,
                        updated_date=_element_date(doc.find("DateRevised")),
                        authors=_authors(lists[0].findall("Author")) if lists else [],
                        issns=[i for e in book.findall("Isbn") for i in split_issns(_text(e))])


_ARTICLE_START = re.compile(rb"<(PubmedArticle|PubmedBookArticle)[\s>]")
_XML_ENCODING = re.compile(rb"""<\?xml[^>]*encoding\s*=\s*["']([\w.\-]+)["']""")
#: a record lost to damage: the file goes on at the next record (``collabatlas ingest`` then exits 3)
DAMAGED_XML = "malformed or truncated XML record"


def _article_chunks(stream, block_size: int = 1 << 20) -> Iterator[tuple[str, int, int, bytes, bool]]:
    """(element name, byte offset, line, bytes, complete) of every ``PubmedArticle`` and
    ``PubmedBookArticle`` element, found by its start and end tags: a record whose end tag is missing
    (a truncated file, or a second document joined to the first with ``cat``) ends where the next
    record starts, or at the end of the file, and comes back with ``complete`` False. Linear in the
    file: the buffer is compacted only when a block is read, line ends are counted once."""
    buf = b""
    base = 0  # offset in the stream of buf[0]
    pos = 0  # where the search goes on in buf
    counted, line = 0, 1  # line is the line of buf[counted]
    eof = False

    def read_more(drop: int) -> int:
        """Drop ``buf[:drop]`` (consumed), append a block; returns how far indexes moved."""
        nonlocal buf, base, counted, line, eof
        line += buf.count(b"\n", counted, drop) if drop > counted else 0
        counted = max(counted, drop) - drop
        base += drop
        block = stream.read(block_size)
        eof = not block
        buf = buf[drop:] + block
        return drop

    while True:
        m = _ARTICLE_START.search(buf, pos)
        if m is None:
            if eof:
                return
            pos -= read_more(max(pos, len(buf) - 32))  # a start tag may straddle two blocks
            pos = max(pos, 0)
            continue
        name = m.group(1)
        end_tag = b"</" + name + b">"
        start, body, scan = m.start(), m.end(), m.end()
        while True:  # scan only what was not scanned yet (a record without its end tag may run long)
            end = buf.find(end_tag, scan)
            nxt = _ARTICLE_START.search(buf, scan, end if end >= 0 else len(buf))
            if nxt is not None or end >= 0 or eof:
                break
            scan = max(body, len(buf) - 64)
            moved = read_more(start if start >= block_size else 0)
            start, body, scan = start - moved, body - moved, scan - moved
        line += buf.count(b"\n", counted, start)
        counted = start
        if nxt is not None:
            stop = nxt.start()
            yield name.decode(), base + start, line, buf[start:stop], False
        elif end >= 0:
            stop = end + len(end_tag)
            yield name.decode(), base + start, line, buf[start:stop], True
        else:
            yield name.decode(), base + start, line, buf[start:], False
            return
        pos = stop


def read_xml(path: Path, report: IngestReport, counter: ByteCounter) -> Iterator[ExportRecord]:
    """PubMed XML, record by record: each ``PubmedArticle`` (and ``PubmedBookArticle``, a Bookshelf
    book or chapter) is cut out by its tags and parsed on its own, so a damaged record (malformed,
    or truncated: a cut file, files joined with ``cat``) is skipped, named with its line and byte
    offset and counted (as many records as it holds ``MedlineCitation``s), and the file goes on with
    the next record. A file with no record and no ``PubmedArticleSet`` is an :class:`InputError`."""
    stream, _encoding = utf8_stream(counter.stream, path, report)
    head = stream.read(4096)
    declared = _XML_ENCODING.search(head)
    declared_encoding = declared.group(1).decode().lower() if declared else "utf-8"
    if declared_encoding.replace("_", "-") in ("utf-8", "utf8", "utf-16", "utf-32", "us-ascii", "ascii"):
        declared_encoding = "utf-8"  # UTF-16 and UTF-32 files were transcoded to UTF-8 above
    number = 0
    for name, offset, line, chunk, complete in _article_chunks(Prefixed(head, stream)):
        number += 1
        where = f"{path}: record {number} (line {line}, byte {offset})"
        lost = max(1, chunk.count(b"<MedlineCitation") + chunk.count(b"<BookDocument"))
        if not complete:
            report.skip(DAMAGED_XML, f"{where}: no </{name}> before the next record or the end of the file", lost)
            continue
        try:
            el = _parse_chunk(chunk, declared_encoding, report, where)
        except ET.ParseError as exc:
            row = exc.position[0] + line - 1 if exc.position else line
            report.skip(DAMAGED_XML, f"{where}: {exc} (file line {row})", lost)
            continue
        rec = _xml_record(el, report, where) if name == "PubmedArticle" else _book_record(el, report, where)
        if rec:
            yield rec
    if number == 0 and b"<PubmedArticleSet" not in head and head.strip():
        raise InputError(f"{path}: no PubmedArticle or PubmedArticleSet found in this XML")


def _parse_chunk(chunk: bytes, encoding: str, report: IngestReport, where: str) -> ET.Element:
    if encoding != "utf-8":
        return ET.fromstring(chunk.decode(encoding, errors="replace").encode("utf-8"))
    try:
        return ET.fromstring(chunk)
    except ET.ParseError:
        try:
            chunk.decode("utf-8")
        except UnicodeDecodeError:
            report.warn("XML record not valid UTF-8 (decoded as Windows-1252, record kept)")
            report.note(f"{where}: not valid UTF-8; decoded as Windows-1252")
            return ET.fromstring(chunk.decode("cp1252", errors="replace").encode("utf-8"))
        raise
