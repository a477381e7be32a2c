"""Which reader reads an export file: the dispatch over the WoS, Scopus and PubMed parsers, by format
(:func:`collabatlas.sources.formats.detect_format`) and by the file's content within the format."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

from collabatlas.sources import pubmed, scopus, wos
from collabatlas.sources.exports import ByteCounter, ExportRecord
from collabatlas.sources.ingest_report import IngestReport
from collabatlas.sources.textread import decoded_head


def reader_for(fmt: str, path: Path) -> Callable[[Path, IngestReport, ByteCounter], Iterator[ExportRecord]]:
    """The record reader of a format, chosen by the file's content within the format."""
    head = decoded_head(path).lstrip("\ufeff \r\n\t")
    if fmt == "wos":
        if head.startswith("@"):
            return wos.read_bibtex
        if head.startswith("PT\t") or "\t" in head.split("\n", 1)[0]:
            return wos.read_tab
        return wos.read_tagged
    if fmt == "scopus":
        return scopus.read_bibtex if head.startswith("@") else scopus.read_csv
    if fmt == "pubmed":
        return pubmed.read_xml if head.startswith("<") else pubmed.read_medline
    raise ValueError(f"{fmt}: not an export format")
