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

import gzip
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from collabatlas.sources.formats import detect_format  # noqa: F401 (re-exported)
from collabatlas.sources.textread import read_csv_rows, text_lines  # noqa: F401 (re-exported)

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
    #: the year as the export wrote it (PY, Year, DP, PubDate): the validator counts one that gives no year
    year_text: str | None = None
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
    #: where the reader found the record, ``file: record N (line L)`` in the reader's own numbering (the
    #: numbering of its skip notes): the record contract names a record it skips or repairs by it
    where: str | None = None


def missing_columns(header: list[str], required: tuple[tuple[str, ...], ...]) -> list[str]:
    """The required columns a header lacks (each entry: one of these names), worded ``A or B``: one check
    for every export with a header row (Scopus CSV, WoS tab-delimited), so a file without the year or
    address column is an error naming them in both, never works stored without years or countries."""
    return [" or ".join(alts) for alts in required if not any(a in header for a in alts)]


def header_error(path: object, line: int, kind: str, missing: list[str], header: list[str]) -> str:
    """The message for a header lacking required columns: file, line, the columns and the header."""
    return (f"{path}:{line}: {kind} header lacks the required column{'s' if len(missing) > 1 else ''} "
            f"{', '.join(missing)} (header: {', '.join(header)[:300]})")


class Matcher(Protocol):
    def match_many(self, addresses: Iterable[str]) -> list: ...


_CITED = re.compile(r"^\s*(\d{1,15})\s*$|\bcited\s+by:?\s*(\d{1,15})\b", re.I)


def citation_count(raw: str | None) -> int | None:
    """A citation count from an export field (``"12"``, Scopus BibTeX ``"cited By 12"``): a whole number
    >= 0, else None (not known; the work is then not eligible for citation impact)."""
    m = _CITED.search(raw or "")
    return int(m.group(1) or m.group(2)) if m else None


# normalise_doi: the record contract, collabatlas.sources.record (which reads ExportRecord from here)


_TYPE_MAP = {
    "article": "article", "journal article": "article", "proceedings paper": "article", "conference paper": "article",
    "article in press": "article", "note": "article", "meeting abstract": "article",
    "review": "review", "systematic review": "review", "short survey": "review",
    "editorial material": "editorial", "editorial": "editorial", "letter": "letter",
    "correction": "erratum", "erratum": "erratum", "published erratum": "erratum",
    "retraction": "retraction", "retraction of publication": "retraction",
    "book chapter": "book-chapter", "book": "book", "data paper": "dataset", "preprint": "preprint",
}
#: types that say what a work is even when the list also says it is an article (PubMed lists a
#: review as ``Journal Article`` + ``Review``, in either order); the first of these listed wins
_DISTINCTIVE = ("review", "erratum", "retraction", "editorial", "letter")


def map_type(raw: str | list[str] | None) -> str | None:
    """Export document type(s) → one OpenAlex work type, by one rule for every reader: WoS ``DT`` and
    Scopus ``Document Type`` (``;``-separated) and PubMed's list of publication types alike. A
    distinctive type anywhere in the list wins (review, erratum, retraction, editorial, letter), else
    the first type that maps to an OpenAlex type, else — a list of only study designs such as
    PubMed's ``Comparative Study`` or ``Case Reports``, each also a ``Journal Article`` — the first
    listed type lower-cased. So the same paper is an ``article`` whether PubMed lists
    ``Comparative Study`` before or after ``Journal Article``."""
    items = raw.split(";") if isinstance(raw, str) else list(raw or [])
    names = [" ".join(t.split()).lower() for t in items if t and t.strip()]
    if not names:
        return None
    mapped = [_TYPE_MAP.get(n) for n in names]
    for wanted in _DISTINCTIVE:
        if wanted in mapped:
            return wanted
    return next((m for m in mapped if m), names[0])


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


# decoding, line ends and the CSV field limit: collabatlas.sources.textread (text_lines, read_csv_rows)


# --------------------------------------------------------------------------------------------
# format detection


# detect_format: collabatlas.sources.formats (imported above)


# --------------------------------------------------------------------------------------------
# addresses → institutions
