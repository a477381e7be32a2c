"""OpenAlex input: which files are read, and what a record may hold.

Accepted inputs (any mix, files or directories, in one call):

- a snapshot directory in OpenAlex layout: ``works/updated_date=*/part_*.gz`` (+ ``manifest``) and
  ``institutions/updated_date=*/part_*.gz``; other entity folders (authors, sources, ...) are
  listed in the summary as skipped files;
- JSON Lines of works or institutions, plain or gzip;
- API result pages ``{"meta": ..., "results": [...]}``, single entity JSON, or a JSON array.

:func:`discover` turns paths into :class:`InputFile` values (entity and layout read from the first
JSON value; manifests and fetch state files checked and noted). :data:`WORK_SPEC` and
:data:`INSTITUTION_SPEC` are the fields read (see :mod:`.jsonspec`); both readers take them:
:mod:`.openalex_staging` (DuckDB ``read_json``, then SQL into the staging rows) and
:mod:`.openalex_careful` (line by line, each bad record reported).
"""

from __future__ import annotations

import json
import os
import zlib
from dataclasses import dataclass
from pathlib import Path

import orjson

from collabatlas.errors import UserError
from collabatlas.sources.ingest_report import IngestReport
from collabatlas.sources.jsonspec import JSON

_ID_NAME = {"id": str, "display_name": str}

WORK_SPEC = {
    "id": str,
    "doi": str,
    "display_name": str,
    "publication_year": JSON,  # checked in SQL (_stage_works): a whole number in the plausible range
    "publication_date": str,
    "type": str,
    "updated_date": str,
    "is_authors_truncated": JSON,  # only JSON true counts
    # the journal: issn_l as text; issn as raw JSON (a list of strings), so a malformed value costs a
    # warning, not the work (SQL checks every ISSN: collabatlas.counting.issn)
    "primary_location": {"source": {**_ID_NAME, "issn_l": str, "issn": JSON}},
    "primary_topic": {**_ID_NAME, "subfield": _ID_NAME, "field": _ID_NAME, "domain": _ID_NAME},
    # citations and OpenAlex's world-normalised impact (collabatlas.counting.impact); checked in SQL
    "cited_by_count": JSON,
    "fwci": JSON,
    "citation_normalized_percentile": JSON,  # its is_in_top_10_percent, read in SQL
    "authorships": [
        {
            "author_position": str,
            "author": dict(_ID_NAME),
            "institutions": [
                {"id": str, "display_name": str, "ror": str, "country_code": str, "type": str, "lineage": [str]}
            ],
            "countries": [str],
        }
    ],
}

INSTITUTION_SPEC = {
    "id": str,
    "ror": str,
    "display_name": str,
    "country_code": str,
    "type": str,
    "lineage": [str],
    "updated_date": str,
    "geo": {"country_code": str, "latitude": JSON, "longitude": JSON},  # coordinates: collabatlas.affiliations.geo
}

SPECS = {"works": WORK_SPEC, "institutions": INSTITUTION_SPEC}
# the plausible publication years and every other value rule: collabatlas.sources.record (the record contract)


ENTITY_BY_PREFIX = {"W": "works", "I": "institutions", "A": "authors", "S": "sources", "P": "publishers",
                    "F": "funders", "T": "topics", "C": "concepts"}
SNAPSHOT_ENTITIES = ("works", "institutions", "authors", "sources", "publishers", "funders", "topics",
                     "concepts", "fields", "subfields", "domains")
#: DuckDB's ``maximum_object_size`` for the JSON reader. It sizes the read buffers (two per thread),
#: so it is kept modest: 256 MB buffers overflowed the 2 GB ingest memory limit. Larger records still
#: load (DuckDB grows the buffer for newline-delimited input; checked with a 40 MB record).
MAX_RECORD_BYTES = 32 * 1024 * 1024
JSONL_SUFFIXES = (".jsonl", ".ndjson", ".jsonl.gz", ".ndjson.gz", ".gz")
#: the state file ``collabatlas fetch openalex`` keeps next to its page files (see ``collabatlas.sources.openalex_api``)
FETCH_STATE_FILE = ".collabatlas-fetch.json"


class InputError(UserError):
    """An input path that cannot be used at all (missing, unreadable, unknown format)."""


@dataclass
class InputFile:
    path: Path
    entity: str  # works | institutions | other entity name
    layout: str  # jsonl | document
    size: int


# --------------------------------------------------------------------------------------------
# discovery


def _peek_entity(path: Path) -> tuple[str, str]:
    """(entity, layout) of a file, from its first JSON value."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(1 << 16)
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc})") from exc
    if head[:2] == b"\x1f\x8b":  # gzip: decompress what is there; a broken stream is reported later
        try:
            head = zlib.decompressobj(wbits=31).decompress(head, 1 << 16)
        except zlib.error:
            return "works", "jsonl"
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if not text:
        return "empty", "jsonl"
    if text[:1] not in (b"{", b"["):
        from collabatlas.sources.formats import unrecognised

        raise InputError(unrecognised(path, expected="OpenAlex JSON"))
    if text[:1] == b"[":
        return _entity_from_id(_first_id_in(text)), "document"
    first_line = text.split(b"\n", 1)[0]
    try:
        first = orjson.loads(first_line)
        layout = "jsonl"
    except orjson.JSONDecodeError:
        # a pretty-printed document (single entity or API page), or a broken first line
        layout = "document" if path.suffix == ".json" else "jsonl"
        if layout == "jsonl":
            return "works", "jsonl"  # let the reader report the malformed line
        return _entity_from_id(_first_id_in(text)), layout
    if isinstance(first, dict) and "results" in first and "meta" in first:
        results = first.get("results")
        head_rec = results[0] if isinstance(results, list) and results else {}
        return _entity_of(head_rec), "document"
    return _entity_of(first), layout


#: fields only a work has: a record holding one is a work whatever its id says (a malformed id
#: such as "A1" must not turn a works file into an authors file that is skipped whole)
WORK_FIELDS = ("authorships", "publication_year", "publication_date", "primary_location")


def _entity_of(record) -> str:
    if not isinstance(record, dict):
        return "works"
    if any(key in record for key in WORK_FIELDS):
        return "works"
    return _entity_from_id(str(record.get("id", "")))


def _first_id_in(text: bytes) -> str:
    marker = text.find(b'"id"')
    if marker < 0:
        return ""
    rest = text[marker + 4:].lstrip().lstrip(b":").lstrip()
    return rest[1:].split(b'"', 1)[0].decode("utf-8", "replace") if rest[:1] == b'"' else ""


def _entity_from_id(openalex_id: str) -> str:
    short = openalex_id.strip().rstrip("/").rsplit("/", 1)[-1].upper()
    return ENTITY_BY_PREFIX.get(short[:1], "works") if short else "works"


def discover(paths: list[str | os.PathLike], report: IngestReport) -> list[InputFile]:
    """Expand files and directories into the list of input files, in a stable order."""
    found: list[InputFile] = []
    for raw in paths:
        path = Path(raw)
        if not path.exists():
            raise InputError(f"{path}: no such file or directory")
        if path.is_dir():
            found.extend(_discover_dir(path, report))
        else:
            found.append(_classify(path, entity_hint=None))
    return found


#: a snapshot's folder of merged ids (``merged_ids/works/*.csv.gz``, ``merged_ids/institutions/…``): not
#: records; ``collabatlas ingest`` applies them as ``sync`` does (:func:`merged_id_files`)
MERGED_IDS = "merged_ids"


def merged_ids_folder(path: Path) -> Path | None:
    """The merged-id folder of an input folder: itself when named ``merged_ids``, else its
    ``merged_ids/`` (a snapshot folder); None for a file or a folder without one."""
    if not path.is_dir():
        return None
    if path.name == MERGED_IDS:
        return path
    return path / MERGED_IDS if (path / MERGED_IDS).is_dir() else None


def merged_id_files(paths: list[str | os.PathLike]) -> dict[str, list[Path]]:
    """{works: [files], institutions: [files]}: the merged-id files (``*.csv``, ``*.csv.gz``) of the
    input folders (see :func:`merged_ids_folder`)."""
    out: dict[str, list[Path]] = {"works": [], "institutions": []}
    for raw in paths:
        folder = merged_ids_folder(Path(raw))
        if folder is not None:
            for entity in out:
                if (folder / entity).is_dir():
                    out[entity] += sorted(f for f in (folder / entity).iterdir()
                                          if f.is_file() and ".csv" in f.name and not f.name.startswith("."))
    return out


def in_merged_ids(file: Path, root: Path) -> bool:
    """Whether ``file`` (found under the input folder ``root``) is one of its merged-id files."""
    return root.name == MERGED_IDS or file.relative_to(root).parts[0] == MERGED_IDS


def _discover_dir(root: Path, report: IngestReport) -> list[InputFile]:
    out: list[InputFile] = []
    for file in sorted(p for p in root.rglob("*") if p.is_file()):
        if not in_merged_ids(file, root):  # merged ids are applied, not read as records (merged_id_files)
            out.extend(_discover_file(file, root, report))
    return out


def _discover_file(file: Path, root: Path, report: IngestReport) -> list[InputFile]:
    """The input file ``file`` found inside the folder ``root`` gives ([] when skipped, and said so)."""
    if file.name == "manifest" or file.name == "manifest.json":
        _check_manifest(file, report)
        return []
    if file.name == FETCH_STATE_FILE:
        _check_fetch_state(file, report)
        return []
    if file.suffix == ".parquet":
        # e.g. a flat one-row-per-work export: institutions and countries are listed per work, not
        # per author, so the author's 1/n cannot be split over the author's own institutions
        report.files_skipped["Parquet file (not an OpenAlex JSON input)"] += 1
        report.note(f"{file}: skipped, Parquet is not an OpenAlex JSON input; flat per-work tables carry no "
                    "author-to-institution links, which fractional Share needs")
        return []
    if file.name.startswith(".") or not (file.name.endswith(JSONL_SUFFIXES) or file.suffix == ".json"):
        report.files_skipped["not a JSON/JSONL file"] += 1
        report.note(f"{file}: skipped, not a JSON/JSONL file")
        return []
    hint = next((part for part in file.relative_to(root).parts[:-1] if part in SNAPSHOT_ENTITIES), None)
    if hint is None and root.name in SNAPSHOT_ENTITIES:
        hint = root.name
    try:
        return [_classify(file, hint)]
    except InputError as exc:  # inside a directory: skip it, say so, go on
        report.files_skipped["not OpenAlex JSON"] += 1
        report.note(f"skipped: {exc}")
        return []


def _check_fetch_state(path: Path, report: IngestReport) -> None:
    """Note when the API fetch that wrote this directory has not finished (its state file says so)."""
    try:
        state = json.loads(path.read_text())
    except (ValueError, OSError) as exc:
        report.note(f"{path}: unreadable fetch state ({exc})")
        return
    if not state.get("complete"):
        total = state.get("meta_count")
        report.note(f"{path.parent}: the API fetch is not finished ({state.get('works_done', 0):,} of "
                    f"{'?' if total is None else f'{total:,}'} works fetched); run the same fetch again to complete it")


def _classify(path: Path, entity_hint: str | None) -> InputFile:
    entity, layout = _peek_entity(path)
    return InputFile(path=path, entity=entity_hint or entity, layout=layout, size=path.stat().st_size)


def _check_manifest(path: Path, report: IngestReport) -> None:
    """Compare a snapshot manifest with the part files that are present; note what is missing."""
    try:
        entries = json.loads(path.read_text())["entries"]
        entries = [e for e in entries if isinstance(e, dict) and isinstance(e.get("url"), str)]
    except (ValueError, KeyError, TypeError, OSError) as exc:
        report.note(f"{path}: unreadable manifest ({exc})")
        return
    base = path.parent
    present = missing = 0
    missing_records = 0
    for entry in entries:
        rel = entry["url"].split(f"/{base.name}/", 1)[-1]
        if (base / rel).exists():
            present += 1
        else:
            missing += 1
            try:
                missing_records += int((entry.get("meta") or {}).get("record_count") or 0)
            except (TypeError, ValueError, AttributeError):
                pass
    if missing:
        report.note(
            f"{path}: manifest lists {len(entries)} part files, {present} present, {missing} missing "
            f"({missing_records:,} records not in this input: a partial snapshot)"
        )
