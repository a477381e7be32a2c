"""Scopus exports: CSV and BibTeX, into :class:`~.exports.ExportRecord` values.

CSV: the record id is ``EID``; authors come from ``Author full names`` (without the ``(id)``), else
``Authors``. Per-author addresses come from ``Authors with affiliations`` (``Name, Address[, Address
…]`` entries separated by ``;``): the addresses of an entry are found by peeling the record's
``Affiliations`` (``;``-separated) off the end of the entry, longest first; what is left is the name.
An entry none of whose text is a listed affiliation keeps everything after the first two comma
parts as one address. Entries go to authors by position.

BibTeX carries only the record's ``affiliation`` list, not who is where: every author gets every
address (the address-level fallback, see docs/sources.md). The record id is the ``eid`` in ``url``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path

from collabatlas.counting.issn import split_issns
from collabatlas.sources import bibtex
from collabatlas.sources.exports import (
    ByteCounter,
    ExportAuthor,
    ExportRecord,
    citation_count,
    header_error,
    map_type,
    missing_columns,
)
from collabatlas.sources.ingest_report import IngestReport
from collabatlas.sources.openalex import InputError
from collabatlas.sources.record import parse_year
from collabatlas.sources.textread import read_csv_rows, skip_wrong_width, with_last

_EID = re.compile(r"2-s2\.0-\d+")


def _year(value: str | None) -> int | None:
    return parse_year(value)


def _split(value: str | None) -> list[str]:
    return [p.strip() for p in (value or "").split(";") if p.strip()]


#: columns that may hold ASJC codes (Scopus CSV exports normally have none; API-built files may)
ASJC_COLUMNS = ("ASJC", "ASJC codes", "ASJC Codes", "asjc")


def asjc_codes(row: dict[str, str]) -> list[str]:
    """The 4-digit ASJC codes of a row (``;`` or ``,`` separated), in listed order."""
    value = next((row[c] for c in ASJC_COLUMNS if row.get(c)), "")
    return re.findall(r"\b\d{4}\b", value)


def author_names(row: dict[str, str]) -> list[str]:
    full = _split(row.get("Author full names"))
    if full:
        return [re.sub(r"\s*\(\d+\)\s*$", "", n) for n in full]
    authors = row.get("Authors", "") or ""
    if authors.strip() in ("[No author name available]", ""):
        return []
    if ";" in authors:
        return _split(authors)
    return [a.strip() for a in re.split(r"(?<=\.),\s+", authors) if a.strip()]  # old style "Yagai T., Kimura Y."


def split_entry(entry: str, known: list[str] | set[str]) -> tuple[str, list[str]]:
    """(name, addresses) of one ``Authors with affiliations`` entry: the longest listed affiliation
    that ends the entry after a ``, `` is peeled off, again and again. Linear in the entry's length
    (suffixes looked up in a set), so a 5,000-author record with 5,000 affiliations costs no more
    than 5,000 short ones."""
    listed = known if isinstance(known, set) else set(known)
    rest, found = entry.strip(), []
    while True:
        hit = rest if found and rest in listed else None
        i = rest.find(", ")
        while hit is None and i >= 0:  # the leftmost boundary gives the longest suffix
            if rest[i + 2:] in listed:
                hit = rest[i + 2:]
            i = rest.find(", ", i + 1)
        if hit is None:
            break
        found.insert(0, hit)
        rest = rest[: -len(hit)].rstrip(", ").strip()
        if not rest:
            break
    if found:
        return rest, found
    parts = [p.strip() for p in entry.split(",")]
    return ", ".join(parts[:2]), ([", ".join(parts[2:])] if len(parts) > 2 else [])


#: the Scopus CSV columns read (header names match in any case and spacing)
COLUMNS = ("Authors", "Author full names", "Title", "Year", "Source title", "DOI", "Affiliations",
           "Authors with affiliations", "Document Type", "EID", "ISSN", "E-ISSN", "EISSN")
#: each entry: one of these columns must be in the header (without them works would be stored with
#: no id, title, year, authors or addresses)
REQUIRED = (("EID",), ("Title",), ("Year",), ("Author full names", "Authors"),
            ("Authors with affiliations", "Affiliations"))


def canonical_header(path: Path) -> Callable[[list[str], int], list[str]]:
    """The header check of a Scopus CSV: names made canonical (``AUTHORS`` → ``Authors``); a header
    lacking a required column is an :class:`InputError` naming the columns, the file and the line."""
    known = {" ".join(c.lower().split()): c for c in COLUMNS}

    def check(header: list[str], line: int) -> list[str]:
        names = [known.get(" ".join(h.lower().split()), h) for h in header]
        missing = missing_columns(names, REQUIRED)
        if missing:
            raise InputError(header_error(path, line, "Scopus CSV", missing, header))
        return names
    return check


def read_csv(path: Path, report: IngestReport, counter: ByteCounter) -> Iterator[ExportRecord]:
    """Scopus CSV (header names in any case; the :data:`REQUIRED` columns must be present). A row
    whose column count differs from the header's is skipped, named and counted."""
    rows = read_csv_rows(path, report, counter, check_header=canonical_header(path))
    for (number, line_no, header, values), last in with_last(rows):
        where = f"{path}: record {number} (line {line_no})"
        if len(values) != len(header):
            skip_wrong_width(report, where, len(values), len(header), last)
            continue
        row = dict(zip(header, values, strict=False))
        eid = _EID.search(row.get("EID", "") or "")  # none: the record contract counts the record without id
        names = author_names(row)
        known = _split(row.get("Affiliations"))
        listed = set(known)
        entries = _split(row.get("Authors with affiliations"))
        authors = [ExportAuthor(name=n) for n in names]
        if entries and len(entries) != len(names):
            report.warn("Authors with affiliations lists a different number of authors (matched by position)")
            report.note(f"{where}: {len(entries)} entries in Authors with affiliations, {len(names)} authors")
        for author, entry in zip(authors, entries, strict=False):
            author.addresses = split_entry(entry, listed)[1]
        if not entries and known:  # no per-author list: address-level fallback
            for author in authors:
                author.addresses = list(known)
        yield ExportRecord(record_id=eid.group(0) if eid else (row.get("EID") or "").strip(), origin="scopus",
                           where=where, title=row.get("Title") or None,
                           year=_year(row.get("Year")), year_text=row.get("Year"), doi=row.get("DOI") or None,
                           type=map_type(row.get("Document Type")), source_name=row.get("Source title") or None,
                           issns=[i for c in ("ISSN", "E-ISSN", "EISSN") for i in split_issns(row.get(c))],
                           citations=citation_count(row.get("Cited by")), authors=authors, asjc=asjc_codes(row))


def read_bibtex(path: Path, report: IngestReport, counter: ByteCounter) -> Iterator[ExportRecord]:
    for entry in bibtex.entries(path, report, counter):
        f = entry.fields
        eid = _EID.search(f.get("url", "") or "") or _EID.search(f.get("eid", "") or "")
        addresses = _split(f.get("affiliation") or f.get("affiliations"))
        authors = [ExportAuthor(name=n, addresses=list(addresses)) for n in entry.authors()]
        yield ExportRecord(record_id=eid.group(0) if eid else (f.get("eid") or "").strip(), origin="scopus",
                           where=entry.where, title=f.get("title") or None,
                           year=_year(f.get("year")), year_text=f.get("year"), doi=f.get("doi") or None,
                           type=map_type(f.get("document_type")),
                           source_name=f.get("journal") or None,
                           issns=split_issns(f.get("issn")) + split_issns(f.get("eissn")), authors=authors,
                           citations=citation_count(f.get("note")))
