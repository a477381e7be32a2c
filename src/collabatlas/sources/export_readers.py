"""Which reader reads an export file: the dispatch over the WoS, Scopus and PubMed parsers, by format
(:func:`collabatlas.sources.formats.detect_format`) and by the file's content within the format."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

from collabatlas.sources import pubmed, scopus, wos
from collabatlas.sources.exports import ByteCounter, ExportRecord
from collabatlas.sources.formats import detect_format
from collabatlas.sources.ingest_report import IngestReport
from collabatlas.sources.openalex import InputError
from collabatlas.sources.textread import decoded_head

_FORMAT_NAMES = {"wos": "a Web of Science export", "scopus": "a Scopus export", "pubmed": "a PubMed export",
                 "openalex": "OpenAlex JSON", "pairs": "country-pair aggregates (`collabatlas ingest-pairs`)"}


def reader_for(fmt: str, path: Path) -> Callable[[Path, IngestReport, ByteCounter], Iterator[ExportRecord]]:
    """The record reader of a format, chosen by the file's content within the format. A format the
    user named (``--format pubmed``) that the content plainly contradicts (the file is a WoS export)
    is refused with an :class:`InputError` naming the file, both formats and the fix — never read as
    something it is not (a WoS file read as MEDLINE gave 43 bogus records skipped and 50,622 warnings,
    exit 0)."""
    detected = detect_format(path)
    if detected != fmt and detected in _FORMAT_NAMES:
        fix = f"--format {detected} or --format auto" if detected in ("wos", "scopus", "pubmed") else "--format auto"
        raise InputError(f"{path}: --format {fmt} does not apply: the file is {_FORMAT_NAMES[detected]} (read from "
                         f"its content); use {fix}")
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
