"""Web of Science exports: plain-text tagged (``FN``/``VR``/``PT``…``ER``/``EF``), tab-delimited and
BibTeX, into :class:`~.exports.ExportRecord` values.

Authors come from ``AF`` (full names; ``AU`` when ``AF`` is missing). Addresses from ``C1``:

- ``[Author A; Author B] Address`` gives the address to the named authors (names as in ``AF``, or
  ``AU``);
- an address without brackets (older records) goes to every author who has no bracketed address
  — when no address of the record has brackets, every author gets every address (see
  docs/sources.md, "address-level fallback").

BibTeX ``Affiliation`` lines are ``Name, Address.`` per author (``(Corresponding Author)`` lines
are left out); lines without a known author name follow the same fallback.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
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
from collabatlas.sources.formats import wos_tab_header
from collabatlas.sources.ingest_report import IngestReport
from collabatlas.sources.openalex import InputError
from collabatlas.sources.record import author_key, date_text, parse_year
from collabatlas.sources.subject_crosswalk import split_categories
from collabatlas.sources.textread import REPEATED_HEADER, skip_wrong_width, text_lines, with_last

_TAG = re.compile(r"^([A-Z][A-Z0-9])(?:[ \t](.*)|)$")
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")


def _name_key(name: str) -> str:
    return author_key(name)


def split_c1(text: str) -> list[str]:
    """Split a one-line C1 (tab-delimited export) into address entries: ``; `` separates entries
    except inside ``[...]`` author lists."""
    out, depth, start = [], 0, 0
    for i, ch in enumerate(text):
        if ch == "[":
            depth += 1
        elif ch == "]":
            depth = max(0, depth - 1)
        elif ch == ";" and depth == 0:
            out.append(text[start:i])
            start = i + 1
    out.append(text[start:])
    return [e.strip() for e in out if e.strip()]


def attribute_addresses(names: list[str], short: list[str], entries: list[tuple[list[str] | None, str]],
                        report: IngestReport, where: str) -> list[ExportAuthor]:
    """Authors with their addresses from (named authors or None, address) entries; the fallback rule
    for entries without names is in the module docstring."""
    authors = [ExportAuthor(name=n, addresses=[]) for n in names]
    index: dict[str, list[int]] = {}
    for i, n in enumerate(names):
        index.setdefault(_name_key(n), []).append(i)
    for i, n in enumerate(short):
        if i < len(names):
            index.setdefault(_name_key(n), []).append(i)
    unnamed = []
    for who, address in entries:
        if who is None:
            unnamed.append(address)
            continue
        for name in who:
            hits = index.get(_name_key(name))
            if not hits:
                report.warn("address names an author not in the author list (that part ignored)")
                report.note(f"{where}: address author {name!r} not in the author list")
                continue
            for i in dict.fromkeys(hits):
                if address not in authors[i].addresses:
                    authors[i].addresses.append(address)
    if unnamed:
        bare = [a for a in authors if not a.addresses]
        for author in bare:
            author.addresses.extend(unnamed)
    return authors


def _c1_entries(lines: list[str]) -> list[tuple[list[str] | None, str]]:
    out = []
    for line in lines:
        m = re.match(r"^\s*\[([^\]]*)\]\s*(.*)$", line)
        if m:
            out.append(([n.strip() for n in m.group(1).split(";") if n.strip()], m.group(2).strip()))
        elif line.strip():
            out.append((None, line.strip()))
    return out


def _pub_date(year: int | None, pd: str | None) -> str | None:
    """``PD MAR 15`` with the year: ``YYYY-03-15``, unchecked (the record contract counts ``FEB 30``)."""
    m = re.match(r"^([A-Z]{3})\s+(\d{1,2})$", (pd or "").strip().upper())
    if not year or not m or m.group(1).lower() not in _MONTHS:
        return None
    return date_text(f"{year:04d}", m.group(1), m.group(2))


def _year(value: str | None) -> int | None:
    return parse_year(value)


def record_from_fields(fields: dict[str, list[str]], report: IngestReport, where: str) -> ExportRecord | None:
    """A WoS record from its tags (each tag: list of lines or values); without UT its record id is empty
    (the record contract counts it as a record without id, named by ``where``)."""
    def one(tag: str) -> str | None:
        values = fields.get(tag)
        return " ".join(v.strip() for v in values if v.strip()) or None if values else None

    ut = (one("UT") or "").split()
    # no UT: the record contract skips it as a record without id, under the one reason of every reader
    record_id = "" if not ut else ut[0] if ut[0].upper().startswith("WOS:") else "WOS:" + ut[0]
    names = [n.strip() for n in fields.get("AF") or fields.get("AU") or [] if n.strip()]
    short = [n.strip() for n in fields.get("AU") or [] if n.strip()]
    authors = attribute_addresses(names, short, _c1_entries(fields.get("C1", [])), report, where)
    year = next((y for y in (_year(one("PY")), _year(one("EA"))) if y is not None), None)
    return ExportRecord(record_id=record_id, origin="wos", title=one("TI"), year=year,
                        year_text=one("PY") or one("EA"),
                        pub_date=_pub_date(year, one("PD")), doi=one("DI"), type=map_type(one("DT")),
                        source_name=one("SO"), issns=split_issns(one("SN")) + split_issns(one("EI")),
                        citations=citation_count(one("TC")), updated_date=_iso_date(one("DA")), authors=authors,
                        wos_categories=split_categories(fields.get("WC")), wos_areas=split_categories(fields.get("SC")),
                        where=where)


def _iso_date(value: str | None) -> str | None:
    m = re.match(r"^(\d{4})-?(\d{2})-?(\d{2})", (value or "").strip())
    return f"{m.group(1)}-{m.group(2)}-{m.group(3)}" if m else None


def read_tagged(path: Path, report: IngestReport, counter: ByteCounter) -> Iterator[ExportRecord]:
    """Plain-text tagged export. A record is ``PT`` … ``ER`` (a record lacking its ``PT`` starts at its
    first field, with a warning); a record still open at the next ``PT`` or at the end of the file is
    unterminated: skipped, named and counted once. A line indented with any white space (spaces or
    a tab) continues the field above; an unindented line that is no tag does too (warned). A file
    with content but no record at all is an :class:`InputError` naming it."""
    fields: dict[str, list[str]] | None = None
    tag = None
    number = start = 0
    content: tuple[int, str] | None = None  # the first line that is not blank, FN, VR or EF
    for line_no, line in text_lines(path, report, counter):
        if not line.strip():
            continue
        m = None if line[:1].isspace() else _TAG.match(line)
        if m:
            tag, value = m.group(1), m.group(2) or ""
            if tag in ("FN", "VR", "EF"):
                continue
            content = content or (line_no, line)
            if tag == "PT":
                if fields is not None:
                    report.skip("unterminated WoS record (no ER before the next PT)",
                                f"{path}: record {number} (line {start})")
                number += 1
                start = line_no
                fields = {}
            if fields is None:  # a record without its PT line: it starts here (PT is not needed)
                if tag == "ER":
                    report.warn("WoS ER without a record before it (ignored)")
                    report.note(f"{path}:{line_no}: ER without a record before it")
                    continue
                number += 1
                start = line_no
                fields = {}
                report.warn("WoS record without PT (read from its first field)")
                report.note(f"{path}: record {number} (line {start}): no PT line; the record starts at {tag}")
            if tag == "ER":
                record = record_from_fields(fields, report, f"{path}: record {number} (line {start})")
                fields = None
                if record:
                    yield record
                continue
            fields.setdefault(tag, []).append(value.strip() if value[:1].isspace() else value)
            continue
        content = content or (line_no, line)
        if fields is not None and tag:
            if not line[:1].isspace():
                report.warn("WoS line that is neither a tag nor indented (read as a continuation line)")
                report.note(f"{path}:{line_no}: not a tag line, read as a continuation of {tag}: {line[:60]!r}")
            fields.setdefault(tag, []).append(line.strip())
        else:
            report.warn("WoS line outside a record (ignored)")
            report.note(f"{path}:{line_no}: outside a PT … ER record, ignored: {line[:60]!r}")
    if fields is not None:
        report.skip("unterminated WoS record (file ends before ER)", f"{path}: record {number} (line {start})")
    if number == 0 and content is not None:
        raise InputError(f"{path}: no Web of Science record found (no PT … ER record), though line {content[0]} "
                         f"has content: {content[1][:60]!r}")


#: each entry: one of these tags must be a column of a tab-delimited export (as Scopus's REQUIRED)
TAB_REQUIRED = (("UT",), ("TI",), ("PY",), ("AF", "AU"), ("C1",))


def _check_tab_header(path: Path, line: int, header: list[str]) -> None:
    missing = missing_columns(header, TAB_REQUIRED)
    if missing:
        raise InputError(header_error(path, line, "WoS tab-delimited", missing, header))


def read_tab(path: Path, report: IngestReport, counter: ByteCounter) -> Iterator[ExportRecord]:
    """Tab-delimited export (header row of tags; no quoting). A row split by a line break inside a
    value is joined again (see :func:`_tab_rows`); a row with a different number of columns than the
    header is skipped, named and counted once. A header row again further down (exports joined with
    ``cat``) is no record: it is recognised, counted as a warning, and its columns are used from there."""
    lines = text_lines(path, report, counter)
    header = None
    for first_line, line in lines:
        if line.strip():
            header = [h.strip().lstrip("\ufeff") for h in line.split("\t")]
            _check_tab_header(path, first_line, header)
            break
    if header is None:
        return
    if not wos_tab_header(header):
        report.warn("WoS tab-delimited header without the usual tags (read as it is)")
        report.note(f"{path}: header {chr(9).join(header)[:80]!r} is not a row of WoS tags")
    state = {"width": len(header)}
    for (record, line_no, values, joined), last in with_last(_tab_rows(lines, state)):
        if record == 0:  # a header row again: exports joined with `cat`
            header = [h.strip() for h in values]
            _check_tab_header(path, line_no, header)
            state["width"] = len(header)
            report.warn(REPEATED_HEADER)
            report.note(f"{path}:{line_no}: header row again (files joined with cat?); its columns are read from here")
            continue
        where = f"{path}: record {record} (line {line_no})"
        if len(values) != len(header):
            skip_wrong_width(report, where, len(values), len(header), last)
            continue
        if joined:
            report.warn("tab-delimited row continued over several lines (embedded line break, joined)")
            report.note(f"{where}: a value holds a line break; the row's {joined + 1} lines were joined")
        row = dict(zip(header, values, strict=False))
        fields = {k: [v] for k, v in row.items() if v.strip()}
        for tag in ("AF", "AU"):
            if tag in row:
                fields[tag] = [n for n in row[tag].split(";") if n.strip()]
        fields["C1"] = split_c1(row.get("C1", ""))
        rec = record_from_fields(fields, report, where)
        if rec:
            yield rec


def _tab_rows(lines: Iterator[tuple[int, str]], state: dict[str, int]) -> Iterator[tuple[int, int, list[str], int]]:
    """(record number, first line, values, lines joined) of a tab-delimited body; record number 0 is a
    header row (:func:`~.formats.wos_tab_header`), whose width the caller puts in ``state["width"]``.
    The format has no quoting, so a value holding a line break splits its row: a row with fewer
    columns than the header is joined with the next lines while the columns still fit; one that
    cannot be completed is yielded as it is (the caller skips it, counted once)."""
    record, pending, start, joined = 0, None, 0, 0

    def done(values: list[str]) -> list[str]:
        while len(values) > state["width"] and values[-1] == "":
            values.pop()  # trailing tab
        return values

    for line_no, line in lines:
        more = line.split("\t")
        if wos_tab_header(more):
            if pending is not None:
                record += 1
                yield record, start, done(pending), joined
                pending = None
            yield 0, line_no, more, 0
            continue
        if pending is None:
            if not line.strip():
                continue
            pending, start, joined = more, line_no, 0
        else:
            if len(pending) + len(more) - 1 <= state["width"]:
                pending[-1] += " " + more[0]
                pending.extend(more[1:])
                joined += 1
            else:  # the short row cannot be completed by this line: it is a bad row of its own
                record += 1
                yield record, start, done(pending), joined
                if not line.strip():
                    pending = None
                    continue
                pending, start, joined = more, line_no, 0
        if len(pending) >= state["width"]:
            record += 1
            yield record, start, done(pending), joined
            pending = None
    if pending is not None:
        record += 1
        yield record, start, done(pending), joined


def _author_prefix(line: str, by_lower: dict[str, str]) -> str | None:
    """The longest author name (``by_lower``: lower-case name → name) that starts ``line`` followed by a
    comma: the line's text before each of its commas looked up once, so an affiliation list of a
    5,000-author record costs its length, not authors × lines (2.7 s for 3,000 authors before)."""
    lowered, best, i = line.lower(), None, line.find(",")
    while i >= 0:
        if lowered[:i] in by_lower:
            best = by_lower[lowered[:i]]
        i = line.find(",", i + 1)
    return best


def read_bibtex(path: Path, report: IngestReport, counter: ByteCounter) -> Iterator[ExportRecord]:
    """WoS BibTeX (``Unique-ID``, ``Author``, ``Affiliation``, ``DOI``, ``Year``, ``Type``, ``DA``)."""
    for entry in bibtex.entries(path, report, counter):
        f = entry.fields
        ut = f.get("unique-id") or (entry.key if entry.key.upper().startswith("WOS:") else None)
        names = entry.authors()
        by_lower = {}
        for n in sorted(names, key=len):
            by_lower.setdefault(n.lower(), n)
        entries = []
        for line in re.split(r"\.\s*\n", f.get("affiliation", "") + "\n"):
            line = " ".join(line.split())
            if not line or "(Corresponding Author)" in line:
                continue
            hit = _author_prefix(line, by_lower)
            entries.append(([hit], line[len(hit) + 1:].strip()) if hit else (None, line))
        fields = {"UT": [ut] if ut else [], "AF": names, "TI": [f.get("title", "")], "PY": [f.get("year", "")],
                  "DI": [f.get("doi", "")], "DT": [f.get("type", "")], "SO": [f.get("journal", "")],
                  "SN": [f.get("issn", "")], "EI": [f.get("eissn", "")], "TC": [f.get("times-cited", "")],
                  "DA": [f.get("da", "")], "PD": [f.get("month", "")],
                  "WC": [f.get("web-of-science-categories", "")], "SC": [f.get("research-areas", "")]}
        authors_fields = {k: v for k, v in fields.items() if any(x.strip() for x in v)}
        rec = record_from_fields(authors_fields, report, entry.where)
        if rec:
            rec.authors = attribute_addresses(names, [], entries, report, entry.where)
            yield rec

