"""Bibliographic exports (Web of Science, Scopus, PubMed): the common record model, format
detection, address resolution and staging into the ingest's staging tables.

Each parser (:mod:`.wos`, :mod:`.scopus`, :mod:`.pubmed`) turns a file into :class:`ExportRecord`
values: a record id (``WOS:…``, ``2-s2.0-…``, ``PMID:…``), DOI, title, year, type and the ordered
authors, each with the address strings the format attributes to that author. This module then

1. resolves every distinct address once with an affiliation matcher (``match_many``): a matched
   address becomes its ROR institution; an unmatched one becomes an address pseudo-institution
   ``addr:<sha1[:12]>`` (origin ``address``) carrying the country the matcher resolved, or no
   country (the author's part for that address then stays unattributed at country level);
2. stages the rows (works, authorships, affiliations, author_countries, institutions) in the same
   temporary tables the OpenAlex reader fills, so :func:`collabatlas.ingest.merge.merge` (dedupe, store
   merge, one transaction) and the counting rules apply unchanged.

See docs/sources.md for the field mapping per format and the rules.
"""

from __future__ import annotations

import csv
import gzip
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from collabatlas.sources.ingest_report import IngestReport

FORMATS = ("auto", "openalex", "wos", "scopus", "pubmed")
EXPORT_ORIGINS = ("wos", "scopus", "pubmed")


# --------------------------------------------------------------------------------------------
# the record model


@dataclass
class ExportAuthor:
    name: str | None
    addresses: list[str] = field(default_factory=list)


@dataclass
class ExportRecord:
    record_id: str
    origin: str  # wos | scopus | pubmed
    title: str | None = None
    year: int | None = None
    pub_date: str | None = None  # ISO date when the export gives a full date
    doi: str | None = None
    type: str | None = None
    source_name: str | None = None
    # the journal's ISSNs as the export gives them (checked and normalised when staged, see
    # collabatlas.counting.issn): every print / electronic ISSN, and the linking ISSN when the format names it
    issns: list[str] = field(default_factory=list)
    issn_l: str | None = None
    #: times cited as the export gives them (WoS TC, Scopus "Cited by"): see :func:`citation_count`
    citations: int | None = None
    updated_date: str | None = None
    authors: list[ExportAuthor] = field(default_factory=list)
    # what the subject crosswalk reads (collabatlas.sources.subject_crosswalk): WoS WC categories and SC
    # research areas, Scopus ASJC codes, PubMed MeSH headings (``Descriptor/qualifier``)
    wos_categories: list[str] = field(default_factory=list)
    wos_areas: list[str] = field(default_factory=list)
    asjc: list[str] = field(default_factory=list)
    mesh: list[str] = field(default_factory=list)


class Matcher(Protocol):
    def match_many(self, addresses: Iterable[str]) -> list: ...


_DOI_PREFIX = re.compile(r"^(https?://(dx\.)?doi\.org/|doi:\s*)", re.I)


_CITED = re.compile(r"^\s*(\d{1,15})\s*$|\bcited\s+by:?\s*(\d{1,15})\b", re.I)


def citation_count(raw: str | None) -> int | None:
    """A citation count from an export field (``"12"``, Scopus BibTeX ``"cited By 12"``): a whole number
    >= 0, else None (not known; the work is then not eligible for citation impact)."""
    m = _CITED.search(raw or "")
    return int(m.group(1) or m.group(2)) if m else None


def normalise_doi(doi: str | None) -> str | None:
    """Lower case, without ``https://doi.org/`` or ``doi:`` (the same rule as the OpenAlex reader)."""
    if not doi:
        return None
    value = _DOI_PREFIX.sub("", doi.strip()).strip().lower()
    return value or None


_TYPE_MAP = {
    "article": "article", "journal article": "article", "proceedings paper": "article", "conference paper": "article",
    "review": "review", "editorial material": "editorial", "editorial": "editorial", "letter": "letter",
    "correction": "erratum", "erratum": "erratum", "published erratum": "erratum", "book chapter": "book-chapter",
    "book": "book", "note": "article", "meeting abstract": "article", "data paper": "dataset",
}


def map_type(raw: str | None) -> str | None:
    """Export document type → OpenAlex work type (first listed type; unknown types lower-cased)."""
    if not raw:
        return None
    first = raw.split(";")[0].strip().lower()
    return _TYPE_MAP.get(first, first or None)


# --------------------------------------------------------------------------------------------
# reading text: BOM, CRLF, undecodable bytes, byte progress


class ByteCounter:
    """Wraps a binary file; ``pos`` is how many (compressed) bytes were read — drives the progress bar."""

    def __init__(self, path: Path):
        self.raw = open(path, "rb")
        self.stream = gzip.GzipFile(fileobj=self.raw) if self.raw.read(2) == b"\x1f\x8b" else self.raw
        self.raw.seek(0)

    @property
    def pos(self) -> int:
        return self.raw.tell()

    def close(self) -> None:
        self.stream.close()
        self.raw.close()


def text_lines(path: Path, report: IngestReport, counter: ByteCounter) -> Iterator[tuple[int, str]]:
    """(line number, text without line end) for each line. The BOM is dropped. A line that is not valid
    UTF-8 is decoded as Windows-1252 (the usual encoding of older exports), counted as a warning and
    named in the notes: the record is kept, with its text as close to the original as can be known."""
    for n, raw in enumerate(counter.stream, start=1):
        if n == 1 and raw.startswith(b"\xef\xbb\xbf"):
            raw = raw[3:]
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            text = raw.decode("cp1252", errors="replace")
            report.warn("line not valid UTF-8 (decoded as Windows-1252, record kept)")
            report.note(f"{path}:{n}: not valid UTF-8 ({exc.reason} at byte {exc.start}); decoded as Windows-1252")
        yield n, text.rstrip("\r\n")


def read_csv_rows(path: Path, report: IngestReport, counter: ByteCounter, delimiter: str = ",",
                  check_header: Callable[[list[str], int], list[str]] | None = None):
    """(record number, first line number, header, row) of a delimited file read with the csv module.
    ``check_header(header, line)`` may return the header with canonical names, or raise."""
    lines = text_lines(path, report, counter)
    line_nos: list[int] = []

    def feed():
        for n, text in lines:
            line_nos.append(n)
            yield text + "\n"

    reader = csv.reader(feed(), delimiter=delimiter)
    header = None
    record = end = 0
    for row in reader:
        start, end = end + 1, (line_nos[-1] if line_nos else 0)
        if header is None:
            header = [h.strip() for h in row]
            if check_header is not None:
                header = check_header(header, end)
            continue
        if not any(c.strip() for c in row):
            continue
        record += 1
        yield record, start, header, row


# --------------------------------------------------------------------------------------------
# format detection


def detect_format(path: Path) -> str:
    """``openalex`` | ``wos`` | ``scopus`` | ``pubmed`` | ``pairs`` (country-pair aggregates) from the first
    bytes of a file (gzip is looked into),
    ``unknown`` when none fits (a README or stray file: skipped inside a folder, see ``ingest.split_exports``)."""
    with open(path, "rb") as fh:
        head = fh.read(1 << 15)
    if head[:2] == b"\x1f\x8b":
        try:
            with gzip.open(path, "rb") as fh:
                head = fh.read(1 << 15)
        except (OSError, EOFError):
            return "openalex"
    text = head.lstrip(b"\xef\xbb\xbf").decode("utf-8", "replace")
    stripped = text.lstrip()
    first_line = stripped.split("\n", 1)[0]
    if stripped[:1] in ("{", "["):
        return "openalex"
    if re.match(r"(FN |VR |PT [A-Z]\s)", stripped) or first_line.startswith("PT\tAU\t"):
        return "wos"
    if first_line.startswith("PMID-") or "<PubmedArticle" in text or "<!DOCTYPE PubmedArticleSet" in text:
        return "pubmed"
    if stripped.startswith("@"):
        if re.search(r"@\w+\{\s*WOS:", text) or "Unique-ID = " in text:
            return "wos"
        if "scopus" in text.lower():
            return "scopus"
    cells = [c.strip().strip('"').strip().lower() for c in first_line.split(",")]
    if cells[:4] == ["year", "country_a", "country_b", "works"]:
        return "pairs"  # OpenAlex country-pair aggregates: `collabatlas ingest-pairs`, not `ingest`
    if {"authors with affiliations", "author full names", "eid"} & set(cells) or cells[0] == "authors":
        return "scopus"  # Scopus CSV, header in any case
    if "PMID-" in text[:2000]:
        return "pubmed"
    return "unknown"  # read as OpenAlex when named explicitly (its reader says "not OpenAlex JSON")




# --------------------------------------------------------------------------------------------
# addresses → institutions
