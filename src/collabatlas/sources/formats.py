"""Which reader reads an export file: the dispatch over the WoS, Scopus and PubMed parsers."""

from __future__ import annotations

import gzip
from collections.abc import Callable, Iterator
from pathlib import Path

from collabatlas.sources.exports import (
    ByteCounter,
    ExportRecord,
)
from collabatlas.sources.ingest_report import IngestReport


def reader_for(fmt: str, path: Path) -> Callable[[Path, IngestReport, ByteCounter], Iterator[ExportRecord]]:
    """The record reader of a format, chosen by the file's content within the format."""
    from collabatlas.sources import pubmed, scopus, wos

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
