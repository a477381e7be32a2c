"""Which format a file is: detection from the first bytes (decoded as :mod:`.textread` decodes: BOM,
UTF-16, any line ends); the reader of each format is chosen by :func:`.export_readers.reader_for`. A
file of no known format gets :func:`unrecognised`, a message that lists every accepted format and shows
at most a short escaped preview of the file."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

from collabatlas.sources.textread import decoded_head, excel_separator, preview

#: every input ``collabatlas ingest`` reads (for messages)
ACCEPTED_FORMATS = ("OpenAlex JSON or JSON Lines (snapshot files, API pages, entity JSON)",
                    "Web of Science plain text, tab-delimited or BibTeX", "Scopus CSV or BibTeX",
                    "PubMed MEDLINE (.nbib/.txt) or PubMed XML",
                    "any of them gzipped, in UTF-8, UTF-16 or UTF-32 (with byte-order mark) or Windows-1252")

_WOS_TAG = re.compile(r"[A-Z][A-Z0-9]")
_BIBTEX_ENTRY = re.compile(r"@[ \t]*[A-Za-z][\w\-]*[ \t]*[{(]")
#: column names (lower case, single spaces) that only a Scopus CSV header has
_SCOPUS_MARKERS = {"authors with affiliations", "author full names", "eid", "author(s) id", "authors id",
                   "link", "source title", "document type"}


def unrecognised(path: Path | str, text: str | None = None, expected: str = "a format collabatlas reads") -> str:
    """The message for a file of no accepted format (or not of the ``expected`` one): every accepted
    format, and a short escaped preview of the file's start (never raw bytes)."""
    if text is None:
        try:
            text = decoded_head(Path(path), 256)
        except (OSError, EOFError):
            text = ""
    start = text.lstrip("\ufeff \t\r\n")
    shown = f"it starts with {preview(start)}" if start else "it holds only white space"
    if _BIBTEX_ENTRY.match(start):
        expected = ("a Web of Science or Scopus BibTeX export: a BibTeX file without their marks (a `WOS:` "
                    "key or `Unique-ID` field, a Scopus `source`/`url` field); BibTeX from other tools holds "
                    "no affiliations, so no country or institution could be counted from it")
    return (f"{path}: not {expected} ({shown}); accepted: " + "; ".join(ACCEPTED_FORMATS)
            + ". Country-pair aggregates are loaded with `collabatlas ingest-pairs`.")


def wos_tab_header(cells: list[str]) -> bool:
    """True for a WoS tab-delimited header row (``PT``, ``AU``, … ``UT``: two-character tags)."""
    tags = [c.strip().lstrip("\ufeff") for c in cells]
    named = [t for t in tags if t]
    return (len(named) >= 3 and tags[0] in ("PT", "FN", "AU") and ("UT" in named or "AU" in named)
            and all(_WOS_TAG.fullmatch(t) for t in named))


def _csv_header(lines: list[str]) -> list[str]:
    """The header cells of a CSV (after an Excel ``sep=`` line), lower case, single spaces."""
    if not lines:
        return []
    sep = excel_separator(lines[0])
    if sep is not None:
        lines = lines[1:]
    if not lines:
        return []
    delimiter = sep or max((",", ";", "\t"), key=lines[0].count)
    try:
        cells = next(csv.reader(io.StringIO(lines[0]), delimiter=delimiter), [])
    except csv.Error:
        cells = lines[0].split(delimiter)
    return [" ".join(c.strip().strip('"').lower().split()) for c in cells]


def detect_format(path: Path) -> str:
    """``openalex`` | ``wos`` | ``scopus`` | ``pubmed`` | ``pairs`` (country-pair aggregates) from the first
    bytes of a file (gzip is looked into; any BOM or UTF-16; any line ends), ``unknown`` when none fits
    (a README or stray file: skipped inside a folder, see ``ingest.split_exports``; named, an error with
    :func:`unrecognised`)."""
    text = decoded_head(path)
    stripped = text.lstrip("\ufeff \t\n")
    lines = stripped.split("\n", 3)
    first_line = lines[0]
    if stripped[:1] in ("{", "["):
        return "openalex"
    if re.match(r"(FN[ \t]|VR[ \t]|PT[ \t]+[A-Z]\s)", stripped) or wos_tab_header(first_line.split("\t")):
        return "wos"
    if (first_line.startswith("PMID-") or re.match(r"PMID\s*-", first_line) or "<PubmedArticle" in text
            or "<PubmedBookArticle" in text or "<!DOCTYPE PubmedArticleSet" in text):
        return "pubmed"
    if stripped.startswith("@"):
        if re.search(r"@\w+\s*[{(]\s*WOS:", text) or re.search(r"unique-id\s*=", text, re.I):
            return "wos"
        if "scopus" in text.lower():
            return "scopus"
    cells = _csv_header(lines[:2])
    if cells[:4] == ["year", "country_a", "country_b", "works"]:
        return "pairs"  # OpenAlex country-pair aggregates: `collabatlas ingest-pairs`, not `ingest`
    if {"authors with affiliations", "author full names", "eid"} & set(cells) or (cells and cells[0] == "authors") \
            or len(_SCOPUS_MARKERS & set(cells)) >= 2:
        return "scopus"  # Scopus CSV, header in any case
    if "PMID-" in text[:2000]:
        return "pubmed"
    return "unknown"  # read as OpenAlex when named explicitly (its reader names every accepted format)
