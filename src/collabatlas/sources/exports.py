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
   temporary tables the OpenAlex reader fills, so :func:`collabatlas.ingest._merge` (dedupe, store
   merge, one transaction) and the counting rules apply unchanged.

See docs/sources.md for the field mapping per format and the rules.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import duckdb
import pyarrow as pa

from ..ingest_report import FileStat, IngestReport
from ..subject_crosswalk import subject_for

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
    updated_date: str | None = None
    authors: list[ExportAuthor] = field(default_factory=list)
    # what the subject crosswalk reads (collabatlas.subject_crosswalk): WoS WC categories and SC
    # research areas, Scopus ASJC codes, PubMed MeSH headings (``Descriptor/qualifier``)
    wos_categories: list[str] = field(default_factory=list)
    wos_areas: list[str] = field(default_factory=list)
    asjc: list[str] = field(default_factory=list)
    mesh: list[str] = field(default_factory=list)


class Matcher(Protocol):
    def match_many(self, addresses: Iterable[str]) -> list: ...


_DOI_PREFIX = re.compile(r"^(https?://(dx\.)?doi\.org/|doi:\s*)", re.I)


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
    """``openalex`` | ``wos`` | ``scopus`` | ``pubmed`` from the first bytes of a file (gzip is looked into),
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
    if {"authors with affiliations", "author full names", "eid"} & set(cells) or cells[0] == "authors":
        return "scopus"  # Scopus CSV, header in any case
    if "PMID-" in text[:2000]:
        return "pubmed"
    return "unknown"  # read as OpenAlex when named explicitly (its reader says "not OpenAlex JSON")


def reader_for(fmt: str, path: Path) -> Callable[[Path, IngestReport, ByteCounter], Iterator[ExportRecord]]:
    """The record reader of a format, chosen by the file's content within the format."""
    from . import pubmed, scopus, wos

    with open(path, "rb") as fh:
        head = fh.read(1 << 15)
    if head[:2] == b"\x1f\x8b":
        with gzip.open(path, "rb") as fh:
            head = fh.read(1 << 15)
    head = head.lstrip(b"\xef\xbb\xbf \r\n\t")
    if fmt == "wos":
        if head.startswith(b"@"):
            return wos.read_bibtex
        if head.startswith(b"PT\t") or b"\t" in head.split(b"\n", 1)[0]:
            return wos.read_tab
        return wos.read_tagged
    if fmt == "scopus":
        return scopus.read_bibtex if head.startswith(b"@") else scopus.read_csv
    if fmt == "pubmed":
        return pubmed.read_xml if head.startswith(b"<") else pubmed.read_medline
    raise ValueError(f"{fmt}: not an export format")


# --------------------------------------------------------------------------------------------
# addresses → institutions

_ORG_WORDS = re.compile(
    r"univ|institut|inst\b|hosp|college|coll\b|academ|acad\b|cent(er|re)|ctr\b|laborat|lab\b|school|sch\b|"
    r"company|corp|inc\b|ltd|gmbh|council|agency|ministry|foundation|found\b|clinic|museum|observ", re.I)
_EMAIL = re.compile(r"\s*(electronic address:)?\s*\S+@\S+", re.I)


def clean_address(address: str) -> str:
    """Whitespace collapsed, e-mail addresses and trailing punctuation removed."""
    text = _EMAIL.sub("", address)
    return re.sub(r"\s+", " ", text).strip(" .;,")


def address_key(address: str) -> str:
    """``addr:`` + 12 hex digits of the SHA-1 of the normalised (lower-case, cleaned) address."""
    return "addr:" + hashlib.sha1(clean_address(address).lower().encode("utf-8")).hexdigest()[:12]


def organisation_part(address: str) -> str:
    """The address segment that names the organisation: the first comma-separated segment with an
    organisation word (University, Inst, Hosp, Ctr, …), else the first segment."""
    parts = [p.strip() for p in clean_address(address).split(",") if p.strip()]
    for part in parts:
        if _ORG_WORDS.search(part):
            return part
    return parts[0] if parts else address


def _institution_rows(con: duckdb.DuckDBPyConnection, ror_ids: list[str]) -> dict[str, dict]:
    """Store institution rows for ROR ids and for their ROR ancestors (so ``--rollup`` finds every
    lineage member), keyed by short ROR id; see :func:`collabatlas.ror.institution_rows`."""
    from .. import ror

    return {str(row["ror"]).rsplit("/", 1)[-1]: row
            for row in ror.institution_rows(con, ror_ids, include_ancestors=True) if row.get("ror")}


class AddressResolver:
    """Resolves address strings once each (cached over the whole ingest) to institution rows."""

    def __init__(self, con: duckdb.DuckDBPyConnection, matcher: Matcher):
        self.con = con
        self.matcher = matcher
        self.resolved: dict[str, dict] = {}  # cleaned address -> institution row
        self.lineage_rows: dict[str, dict] = {}  # institution id -> row, for every ROR lineage member seen
        self.staged_institutions: set[str] = set()

    def resolve(self, addresses: Iterable[str]) -> None:
        todo = sorted({a for a in addresses if a not in self.resolved})
        if not todo:
            return
        matches = self.matcher.match_many(todo)
        ror_rows = _institution_rows(self.con, sorted({m.ror_id for m in matches if m.ror_id}))
        self.lineage_rows.update({row["institution_id"]: {**row, "origin": "ror"} for row in ror_rows.values()})
        for address, m in zip(todo, matches, strict=True):
            if m.ror_id:
                row = ror_rows.get(m.ror_id) or {"institution_id": "ror:" + m.ror_id, "ror": m.ror_id,
                                                 "name": m.name, "country_code": m.country_code,
                                                 "type": getattr(m, "ror_type", None), "lineage": None}
                row = {**row, "origin": "ror"}
            else:
                row = {"institution_id": address_key(address), "ror": None, "name": organisation_part(address),
                       "country_code": m.country_code, "type": None, "lineage": None, "origin": "address"}
            self.resolved[address] = row


# --------------------------------------------------------------------------------------------
# staging

_WORK_COLUMNS = ("rid", "work_id", "doi", "title", "year", "pub_date", "type", "source_name", "n_authors",
                 "updated_date", "origin", "authors_truncated")


class ExportStager:
    """Stages export records into ``stage_*`` (see :mod:`collabatlas.ingest`), in chunks."""

    CHUNK = 5000

    #: the warning an ingest of exports into a store without a ROR registry carries
    NO_ROR_WARNING = ("no ROR registry in the store: export addresses cannot be matched to institutions, so "
                      "their institution and sector levels stay empty (run `collabatlas ror load FILE`, then "
                      "ingest again)")

    def __init__(self, con: duckdb.DuckDBPyConnection, report: IngestReport, matcher: Matcher, first_rid: int):
        from ..ror import ror_loaded

        self.con = con
        self.report = report
        self.resolver = AddressResolver(con, matcher)
        self.next_rid = first_rid
        self.no_ror = not ror_loaded(con)

    def _warn_no_ror(self, records: int) -> None:
        """Warn (once per ingest, counting records) when no address could reach a ROR institution."""
        if self.no_ror and records and not any(r["origin"] == "ror" for r in self.resolver.resolved.values()):
            if not self.report.warnings.get(self.NO_ROR_WARNING):
                self.report.note(self.NO_ROR_WARNING)
            self.report.warn(self.NO_ROR_WARNING, records)

    def stage_file(self, path: Path, fmt: str, progress: Callable[[int], None] | None = None) -> None:
        read = reader_for(fmt, path)
        counter = ByteCounter(path)
        stat = FileStat(path=str(path), entity=f"works ({fmt})", bytes=path.stat().st_size, reader=read.__name__)
        self.report.files.append(stat)
        chunk: list[ExportRecord] = []
        try:
            for record in read(path, self.report, counter):
                stat.records += 1
                chunk.append(record)
                if len(chunk) >= self.CHUNK:
                    self._stage_chunk(chunk)
                    chunk = []
                    if progress:
                        progress(counter.pos)
            self._stage_chunk(chunk)
        except (OSError, EOFError, gzip.BadGzipFile) as exc:
            self._stage_chunk(chunk)
            self.report.skip("truncated or corrupt file", f"{path}: reading stopped after record {stat.records} "
                             f"({exc}); the rest of the file is lost")
        finally:
            counter.close()
        self.report.records_read += stat.records
        self.report.works_read += stat.records
        self._warn_no_ror(stat.records)
        if progress:
            progress(stat.bytes)

    def _stage_chunk(self, records: list[ExportRecord]) -> None:
        if not records:
            return
        self.resolver.resolve(clean_address(a) for r in records for au in r.authors for a in au.addresses
                              if clean_address(a))
        works, authorships, affiliations, countries = [], [], [], []
        used: dict[str, dict] = {}
        for rec in records:
            rid = self.next_rid
            self.next_rid += 1
            subject = subject_for(rec.origin, rec.wos_categories, rec.wos_areas, rec.asjc, rec.mesh)
            works.append({"rid": rid, "work_id": rec.record_id, "doi": normalise_doi(rec.doi), "title": rec.title,
                          "year": rec.year, "pub_date": rec.pub_date, "type": rec.type,
                          "source_name": rec.source_name, "n_authors": len(rec.authors),
                          "updated_date": rec.updated_date, "origin": rec.origin, "authors_truncated": False,
                          "domain_id": subject.domain_id, "domain": subject.domain,
                          "field_id": subject.field_id, "field": subject.field})
            for pos, author in enumerate(rec.authors, start=1):
                insts = {}
                for address in author.addresses:
                    key = clean_address(address)
                    if key:
                        row = self.resolver.resolved[key]
                        insts[row["institution_id"]] = row
                ccs = sorted({r["country_code"] for r in insts.values() if r["country_code"]})
                authorships.append({"rid": rid, "work_id": rec.record_id, "author_position": pos,
                                    "author_id": None, "author_name": author.name,
                                    "n_institutions": len(insts), "n_countries": len(ccs)})
                for iid, row in insts.items():
                    affiliations.append({"rid": rid, "work_id": rec.record_id, "author_position": pos,
                                         "institution_id": iid})
                    used[iid] = row
                for cc in ccs:
                    countries.append({"rid": rid, "work_id": rec.record_id, "author_position": pos,
                                      "country_code": cc})
        for row in list(used.values()):  # the ancestors too, so a roll-up reaches the top of each lineage
            for ancestor in row.get("lineage") or ():
                if ancestor in self.resolver.lineage_rows:
                    used.setdefault(ancestor, self.resolver.lineage_rows[ancestor])
        fresh = [r for iid, r in used.items() if iid not in self.resolver.staged_institutions]
        if fresh:
            known = {row[0] for row in self.con.execute(
                "SELECT institution_id FROM institutions WHERE institution_id IN (SELECT unnest($ids))",
                {"ids": [r["institution_id"] for r in fresh]}).fetchall()}
            fresh = [r for r in fresh if r["institution_id"] not in known]
            self.resolver.staged_institutions.update(used)
        self._insert("stage_works", works)
        self._insert("stage_authorships", authorships)
        self._insert("stage_affiliations", affiliations)
        self._insert("stage_author_countries", countries)
        self._insert("stage_institutions", [{**r, "rid": None, "updated_date": None} for r in fresh])

    def _insert(self, table: str, rows: list[dict]) -> None:
        if not rows:
            return
        columns = [r[0] for r in self.con.execute(f"DESCRIBE {table}").fetchall()]
        names = [c for c in columns if c in rows[0]]
        data = pa.table({c: [r.get(c) for r in rows] for c in names})  # noqa: F841 (read by DuckDB)
        casts = ", ".join(f"CAST(data.{c} AS {t})" for c, t in self._types(table) if c in names)
        self.con.execute(f"INSERT INTO {table} ({', '.join(names)}) SELECT {casts} FROM data")

    def _types(self, table: str) -> list[tuple[str, str]]:
        return [(r[0], r[1]) for r in self.con.execute(f"DESCRIBE {table}").fetchall()]
