"""OpenAlex input: find the files, read them, and stage normalised rows.

Accepted inputs (any mix, files or directories, in one call):

- a snapshot directory in OpenAlex layout: ``works/updated_date=*/part_*.gz`` (+ ``manifest``) and
  ``institutions/updated_date=*/part_*.gz``; other entity folders (authors, sources, ...) are
  listed in the summary as skipped files;
- JSON Lines of works or institutions, plain or gzip;
- API result pages ``{"meta": ..., "results": [...]}``, single entity JSON, or a JSON array.

Two readers feed the same SQL:

- **fast**: DuckDB ``read_json`` straight on the file with an explicit column list (no schema
  inference), used for every JSON Lines file first;
- **careful**: when the fast reader fails on a file (malformed line, truncated gzip, a field of the
  wrong type), the file is read again line by line; each bad line is reported with file, line and
  field and counted, and the good lines go through the same SQL as the fast path.

JSON documents (API pages, single entities) are small and always take the careful reader.

One rule for both readers (see :mod:`.jsonspec`): the careful reader accepts exactly what DuckDB
reads, and every check of a value (ids, years, dates, countries, booleans) is SQL that both readers
feed, so a record stores the same whichever reader took its file. Hive partitioning is off: a folder
named ``id=batch1`` or ``updated_date=…`` (the snapshot layout) never changes a record.
Every record read ends in exactly one bucket of the report (stored, replaced, unchanged, merged,
older copy, or skipped with a reason; see ``IngestReport.unaccounted``).

Records are staged in temporary tables; :mod:`collabatlas.ingest.pipeline` merges them into the store in one
transaction.
"""

from __future__ import annotations

import gzip
import json
import os
import tempfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb
import orjson

from collabatlas.errors import UserError
from collabatlas.refdata.countries import iso2_codes
from collabatlas.sources.ingest_report import FileStat, IngestReport
from collabatlas.sources.jsonspec import JSON, duckdb_columns, find_type_error

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
    "primary_location": {"source": dict(_ID_NAME)},
    "primary_topic": {**_ID_NAME, "subfield": _ID_NAME, "field": _ID_NAME, "domain": _ID_NAME},
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
#: an entity record's ``geo.latitude`` / ``geo.longitude`` (JSON numbers; anything else is no coordinate)
GEO_STAGING_SQL = """
    CREATE TEMP TABLE IF NOT EXISTS stage_institution_geo (rid BIGINT, institution_id VARCHAR, lat DOUBLE, lon DOUBLE,
                                                           updated_date TIMESTAMP);
    INSERT INTO stage_institution_geo
    SELECT rid, oa_id(id), CASE WHEN json_type(geo.latitude) IN ('DOUBLE', 'BIGINT', 'UBIGINT')
                                THEN CAST(geo.latitude AS DOUBLE) END,
           CASE WHEN json_type(geo.longitude) IN ('DOUBLE', 'BIGINT', 'UBIGINT') THEN CAST(geo.longitude AS DOUBLE) END,
           TRY_CAST(updated_date AS TIMESTAMP)
    FROM raw_input WHERE oa_id(id) IS NOT NULL
"""
#: publication years outside MIN_YEAR .. max_year() are not years (0, -5, 3000, 2**40): stored as empty
#: (or taken from a valid publication_date), with a counted warning; see docs/methodology.md
MIN_YEAR = 1000


def max_year() -> int:
    """The latest plausible publication year: next year (journals date issues ahead)."""
    import datetime

    return datetime.date.today().year + 1

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
        raise InputError(f"{path}: not OpenAlex JSON (it starts with {text[:20]!r}); collabatlas reads OpenAlex "
                         "snapshot files, JSON Lines, API pages and entity JSON")
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
        return _entity_from_id(str(head_rec.get("id", "")) if isinstance(head_rec, dict) else ""), "document"
    return _entity_from_id(str(first.get("id", "")) if isinstance(first, dict) else ""), layout


def _first_id_in(text: bytes) -> str:
    marker = text.find(b'"id"')
    if marker < 0:
        return ""
    rest = text[marker + 4:].lstrip().lstrip(b":").lstrip()
    return rest[1:].split(b'"', 1)[0].decode("utf-8", "replace") if rest[:1] == b'"' else ""


def _entity_from_id(openalex_id: str) -> str:
    short = openalex_id.strip().rstrip("/").rsplit("/", 1)[-1].upper()
    return ENTITY_BY_PREFIX.get(short[:1], "works") if short else "works"


def _is_gzip(path: Path) -> bool:
    with open(path, "rb") as fh:
        return fh.read(2) == b"\x1f\x8b"


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


def _discover_dir(root: Path, report: IngestReport) -> list[InputFile]:
    out: list[InputFile] = []
    for file in sorted(p for p in root.rglob("*") if p.is_file()):
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


# --------------------------------------------------------------------------------------------
# reading


def _open_lines(path: Path):
    return gzip.open(path, "rb") if _is_gzip(path) else open(path, "rb")


#: the reasons a careful read skips a record for, which mean the file is damaged (``IngestReport.damaged``)
MALFORMED_LINE = "malformed JSON line"
MALFORMED_RECORD = "malformed JSON record (over several lines)"
MALFORMED_DOCUMENT = "malformed JSON document"
BROKEN_GZIP = "truncated or corrupt gzip"
WRONG_TYPE = "field of the wrong type"
_BOM = b"\xef\xbb\xbf"


def _careful_records(file: InputFile, report: IngestReport) -> Iterator[tuple[int, dict]]:
    """Yield (line or record number, record) of valid records; report every bad one with file:line and
    field. Every record skipped here is also counted as read (so the report adds up)."""
    spec = SPECS[file.entity]

    def skip(reason: str, where: str) -> None:
        report.skip(reason, where, entity=file.entity)
        report.count_read(file.entity, 1)

    if file.layout == "document":
        try:
            doc = orjson.loads(_read_all(file.path).lstrip(_BOM))
        except orjson.JSONDecodeError as exc:
            skip(MALFORMED_DOCUMENT, f"{file.path}: {exc}")
            return
        except (EOFError, gzip.BadGzipFile, zlib.error, OSError) as exc:
            skip(BROKEN_GZIP, f"{file.path}: compressed stream broken ({exc}); the file is lost")
            return
        if isinstance(doc, dict) and "results" in doc:
            records, unit = doc.get("results") or [], "result"
            if not isinstance(records, list):
                records = [records]
        elif isinstance(doc, list):
            records, unit = doc, "element"
        else:
            records, unit = [doc], "record"
        for n, rec in enumerate(records, start=1):
            err = find_type_error(rec, spec)
            if err:
                skip(WRONG_TYPE, f"{file.path}: {unit} {n}: {err}")
                continue
            yield n, rec
        return
    line_no = 0
    with _open_lines(file.path) as fh:
        lines = _Lines(fh)
        try:
            for line_no, line in lines:
                if line_no == 1:
                    line = line.removeprefix(_BOM)  # DuckDB reads a first line with a byte-order mark too
                if not line.strip():
                    continue
                try:
                    rec = orjson.loads(line)
                except orjson.JSONDecodeError as exc:
                    joined = _joined_record(line, lines) if line.lstrip()[:1] in (b"{", b"[") else None
                    if joined is None:
                        skip(MALFORMED_LINE, f"{file.path}:{line_no}: {exc}")
                        continue
                    rec, last, ok = joined
                    if not ok:  # one broken record over several lines: one record lost, not one per line
                        skip(MALFORMED_RECORD, f"{file.path}:{line_no}-{last}: {exc}")
                        continue
                    report.warn("record spread over several lines (pretty-printed JSON, read as one record)")
                err = find_type_error(rec, spec)
                if err:
                    skip(WRONG_TYPE, f"{file.path}:{line_no}: {err}")
                    continue
                yield line_no, rec
        except (EOFError, gzip.BadGzipFile, zlib.error, OSError) as exc:
            skip(
                BROKEN_GZIP,
                f"{file.path}: compressed stream broken after line {lines.last} ({exc}); the rest of the file is lost",
            )


class _Lines:
    """(line number, line) of a file, with lines pushed back to be read again."""

    def __init__(self, fh):
        self._it = enumerate(fh, start=1)
        self._back: list[tuple[int, bytes]] = []
        self.last = 0

    def __iter__(self):
        return self

    def __next__(self) -> tuple[int, bytes]:
        item = self._back.pop() if self._back else next(self._it)
        self.last = max(self.last, item[0])
        return item

    def push_back(self, items: list[tuple[int, bytes]]) -> None:
        self._back.extend(reversed(items))


def _joined_record(first: bytes, lines: _Lines) -> tuple[object, int, bool] | None:
    """A JSON value spread over several lines (pretty-printed), starting with ``first``.

    Following lines are taken up to the next line that starts a new record (``{`` or ``[`` in the
    first column) or the end of the file. Returns (value, last line, True) when they parse as one
    value, (None, last line, False) when they do not (one broken record), or None when there is no
    following line to join (``first`` alone is the broken record, lines pushed back untouched)."""
    taken: list[tuple[int, bytes]] = []
    size = len(first)
    for item in lines:
        line = item[1]
        if line[:1] in (b"{", b"["):  # the next record starts here
            lines.push_back([item])
            break
        taken.append(item)
        size += len(line)
        if line.strip()[:1] in (b"}", b"]"):
            try:
                return orjson.loads(first + b"".join(t[1] for t in taken)), item[0], True
            except orjson.JSONDecodeError:
                pass
        if size > MAX_RECORD_BYTES:
            break
    if not taken or all(not t[1].strip() for t in taken):
        lines.push_back(taken)
        return None
    return None, taken[-1][0], False


def _read_all(path: Path) -> bytes:
    with _open_lines(path) as fh:
        return fh.read()


class Stager:
    """Reads OpenAlex files into the ingest's temporary staging tables (see :mod:`collabatlas.ingest.pipeline`)."""

    def __init__(self, con: duckdb.DuckDBPyConnection, report: IngestReport, tmpdir: str):
        self.con = con
        self.report = report
        self.tmpdir = tmpdir
        self.next_rid = 1
        self._sources: dict[str, InputFile] = {}
        # skips and warnings of the batch being staged, reported once it is staged (a fast read that
        # fails half-way is read again by the careful reader, which reports its own)
        self._pending_skips: list[tuple[str, str, int]] = []
        self._pending_warnings: list[tuple[str, int]] = []
        self.con.execute(
            # plain replace() is several times faster than a regular expression here
            "CREATE OR REPLACE TEMP MACRO short_id(x) AS nullif(trim(replace(replace(replace(x, "
            "'https://openalex.org/', ''), 'https://ror.org/', ''), 'http://openalex.org/', '')), '')"
        )
        # OpenAlex ids in any spelling (W500, w500, https://openalex.org/W500, the API URL, a trailing
        # slash) → W500: the last path segment, upper case; a work id must be W + digits. The canonical
        # spelling (https://openalex.org/ + letter + digits, nearly every id) takes a fast path that
        # gives the same result without building a list per id (the split cost a third of the
        # authorship pass)
        self.con.execute(
            "CREATE OR REPLACE TEMP MACRO oa_id_any(x) AS nullif(upper(CASE WHEN contains(x, '/') "
            "THEN list_last(string_split(rtrim(trim(x), '/'), '/')) ELSE trim(x) END), '')"
        )
        self.con.execute(
            "CREATE OR REPLACE TEMP MACRO oa_id(x) AS CASE WHEN starts_with(x, 'https://openalex.org/') "
            "AND regexp_full_match(substr(x, 22), '[A-Za-z][0-9]+') THEN upper(substr(x, 22)) ELSE oa_id_any(x) END"
        )
        self.con.execute(
            "CREATE OR REPLACE TEMP MACRO work_id(x) AS "
            "CASE WHEN regexp_full_match(oa_id(x), 'W[0-9]+') THEN oa_id(x) END"
        )
        # ISO 3166-1 alpha-2 (and XK): anything else (XX, ZZ, 'USA') is an unknown country
        codes = "|".join(sorted(iso2_codes()))
        self.con.execute(
            "CREATE OR REPLACE TEMP MACRO iso2(x) AS CASE WHEN length(trim(x)) = 2 "
            f"AND regexp_full_match(upper(trim(x)), '(?:{codes})') THEN upper(trim(x)) END"
        )
        # publication_year (read as raw JSON): a whole number (integer, 2020.0 or "2020") in range
        self.con.execute(
            "CREATE OR REPLACE TEMP MACRO json_whole(j) AS CASE json_type(j) "
            "WHEN 'BIGINT' THEN TRY_CAST(j::VARCHAR AS BIGINT) WHEN 'UBIGINT' THEN TRY_CAST(j::VARCHAR AS BIGINT) "
            "WHEN 'DOUBLE' THEN CASE WHEN abs(TRY_CAST(j::VARCHAR AS DOUBLE)) < 1e15 "
            "AND TRY_CAST(j::VARCHAR AS DOUBLE) = floor(TRY_CAST(j::VARCHAR AS DOUBLE)) "
            "THEN TRY_CAST(TRY_CAST(j::VARCHAR AS DOUBLE) AS BIGINT) END "
            "WHEN 'VARCHAR' THEN CASE WHEN regexp_full_match(trim(j->>'$'), '-?[0-9]{1,18}') "
            "THEN TRY_CAST(trim(j->>'$') AS BIGINT) END END"
        )
        self.con.execute(
            f"CREATE OR REPLACE TEMP MACRO ok_year(y) AS CASE WHEN y BETWEEN {MIN_YEAR} AND {max_year()} THEN y END"
        )

    #: JSON Lines files of one entity are read together (DuckDB then parses several gzip files at
    #: once) up to this many compressed bytes per batch; the raw batch is dropped after staging.
    BATCH_BYTES = 512 * 1024 * 1024
    # UnicodeDecodeError: DuckDB's message quotes the bad line cut inside a UTF-8 character
    _READ_ERRORS = (duckdb.InvalidInputException, duckdb.ConversionException, duckdb.IOException,
                    duckdb.BinderException, UnicodeDecodeError)

    def stage(self, files: list[InputFile], done: Callable[[list[InputFile]], None] | None = None) -> None:
        """Stage ``files`` (works and institutions); ``done(batch)`` is called after each batch."""
        for entity in ("works", "institutions"):
            jsonl = [f for f in files if f.entity == entity and f.layout == "jsonl"]
            for batch in _batches(jsonl, self.BATCH_BYTES):
                self._stage_batch(entity, batch)
                if done:
                    done(batch)
            for f in files:
                if f.entity == entity and f.layout == "document":
                    self._stage_careful(f)
                    if done:
                        done([f])

    def _stage_batch(self, entity: str, batch: list[InputFile]) -> None:
        try:
            self._stage_from(entity, {str(f.path): f for f in batch}, careful=False)
        except self._READ_ERRORS as exc:
            self._drop_raw()
            self._pending_skips, self._pending_warnings = [], []
            if len(batch) > 1:  # find the bad file(s): one by one
                for f in batch:
                    self._stage_batch(entity, [f])
                return
            self.report.note(f"{batch[0].path}: fast reader stopped ({str(exc).splitlines()[0][:160]}); "
                             "reading it line by line")
            self._stage_careful(batch[0])

    def _stage_careful(self, file: InputFile) -> None:
        clean = os.path.join(self.tmpdir, f"clean_{len(self.report.files)}.jsonl")
        kept = 0
        with open(clean, "wb") as out:
            for rec_no, rec in _careful_records(file, self.report):
                rec["_rec"] = rec_no
                out.write(orjson.dumps(rec))
                out.write(b"\n")
                kept += 1
        try:
            self._stage_from(file.entity, {clean: file}, careful=True)
        except self._READ_ERRORS as exc:  # the careful reader let through what DuckDB cannot read: a bug
            self._drop_raw()
            self.report.files.append(FileStat(path=str(file.path), entity=file.entity, records=0, bytes=file.size,
                                              reader="careful"))
            self.report.count_read(file.entity, kept)
            self.report.skip("unreadable after validation (please report)",
                             f"{file.path}: {str(exc).splitlines()[0][:160]}", n=kept, entity=file.entity)
        finally:
            os.unlink(clean)

    def _drop_raw(self) -> None:
        self.con.execute("DROP VIEW IF EXISTS raw_input; DROP TABLE IF EXISTS raw_read")

    def _stage_from(self, entity: str, sources: dict[str, InputFile], careful: bool) -> None:
        columns = duckdb_columns({**SPECS[entity], "_rec": int})
        # hive_partitioning off: a folder named key=value (id=batch1, updated_date=...) never sets a field
        self.con.execute(
            f"""CREATE OR REPLACE TEMP TABLE raw_read AS
                SELECT * FROM read_json(?, format='newline_delimited', columns={columns}, filename=true,
                                        compression='auto_detect', maximum_object_size={MAX_RECORD_BYTES},
                                        hive_partitioning=false)""",
            [list(sources)],
        )
        # rowid follows insertion order: file order, then record order (much cheaper than row_number)
        # rid orders all records of this ingest, so "the later record wins" ties are deterministic
        self.con.execute(
            f"""CREATE OR REPLACE TEMP VIEW raw_input AS
                SELECT {self.next_rid}::BIGINT + rowid AS rid, * EXCLUDE (_rec) FROM raw_read"""
        )
        counts = dict(self.con.execute("SELECT filename, count(*) FROM raw_read GROUP BY filename").fetchall())
        self._sources = sources
        self._entity = entity
        if entity == "works":
            self._stage_works()
        else:
            self._stage_institutions()
        self._drop_raw()
        # counted once staging went through (a fast read that fails falls back to the careful one)
        self.next_rid += sum(counts.values()) + 1
        for name, file in sources.items():
            n = counts.get(name, 0)
            self.report.files.append(FileStat(path=str(file.path), entity=entity, records=n, bytes=file.size,
                                              reader="careful" if careful else "fast"))
            self.report.count_read(entity, n)
        for reason, where, n in self._pending_skips:
            self.report.skip(reason, where, n=n, entity=entity)
        for reason, n in self._pending_warnings:
            self.report.warn(reason, n)
        self._pending_skips, self._pending_warnings = [], []

    def _skip_where(self, condition: str, reason: str) -> None:
        """Count records matching ``condition`` as skipped, naming file and line (or record) number."""
        if not self.con.execute(f"SELECT count(*) FROM raw_input WHERE {condition}").fetchone()[0]:
            return
        rows = self.con.execute(f"""
            SELECT filename, count(*), list(r._rec ORDER BY r.rowid)[:10], list(r.rowid + 1 - f.first ORDER BY r.rowid)[:10]
            FROM raw_read r JOIN (SELECT filename, min(rowid) AS first FROM raw_read GROUP BY filename) f
                 USING (filename)
            WHERE {condition} GROUP BY filename ORDER BY filename""").fetchall()
        for name, n, recs, ordinals in rows:
            file = self._sources[name]
            if recs and recs[0] is None:  # fast reader: record ordinals → line numbers (blank lines between)
                recs = _line_numbers(file.path, ordinals) if file.layout == "jsonl" else ordinals
            shown = ", ".join(map(str, recs)) + (" ..." if n > 10 else "")
            unit = "line" if file.layout == "jsonl" else "record"
            where = f"{file.path}: {unit}{'s' if n > 1 else ''} {shown}"
            self._pending_skips = [*self._pending_skips, (reason, where, n)]

    def _warn(self, reason: str, n: int) -> None:
        if n:
            self._pending_warnings = [*self._pending_warnings, (reason, n)]

    def _count_warning(self, sql: str, reason: str) -> None:
        self._warn(reason, self.con.execute(sql).fetchone()[0])

    def _stage_works(self) -> None:
        con = self.con
        self._skip_where("work_id(id) IS NULL", "record without id")
        self._skip_where("work_id(id) IS NOT NULL AND coalesce(len(authorships), 0) = 0",
                         "record without authorships")
        con.execute("""
            CREATE OR REPLACE TEMP VIEW raw_works AS  -- columns named: a * here defeats column pruning
            SELECT rid, work_id(id) AS wid, json_whole(publication_year) AS py,
                   ok_year(json_whole(publication_year)) AS year_ok,
                   CASE WHEN ok_year(year(TRY_CAST(publication_date AS DATE))) IS NOT NULL
                        THEN TRY_CAST(publication_date AS DATE) END AS pd_ok,
                   TRY_CAST(updated_date AS TIMESTAMP) AS ud, publication_year, publication_date, updated_date,
                   is_authors_truncated, doi, display_name, type, primary_location, primary_topic, authorships
            FROM raw_input
            WHERE work_id(id) IS NOT NULL AND coalesce(len(authorships), 0) > 0
        """)
        # one pass for every value check; each becomes a counted warning (the record is kept)
        checks = {
            "publication_year not a whole number (stored as empty, or taken from publication_date)":
                "publication_year IS NOT NULL AND py IS NULL",
            f"publication_year outside {MIN_YEAR}..{max_year()} (stored as empty, or taken from publication_date)":
                "py IS NOT NULL AND year_ok IS NULL",
            "invalid publication_date (stored as empty)":
                "publication_date IS NOT NULL AND pd_ok IS NULL",
            "publication_year and publication_date disagree (--years uses publication_year, --window publication_date)":
                "year_ok IS NOT NULL AND pd_ok IS NOT NULL AND year(pd_ok) <> year_ok",
            "invalid updated_date (stored as empty: any dated copy wins over it)":
                "updated_date IS NOT NULL AND ud IS NULL",
            "is_authors_truncated not a boolean (taken as false)":
                "is_authors_truncated IS NOT NULL AND json_type(is_authors_truncated) <> 'BOOLEAN'",
            "authorships truncated at 100 by the API list endpoint (Share of those works is inexact)":
                "is_authors_truncated IS NOT NULL AND is_authors_truncated::VARCHAR = 'true'",
        }
        found = con.execute("SELECT " + ", ".join(f"count(*) FILTER (WHERE {c})" for c in checks.values())
                            + " FROM raw_works").fetchone()
        for reason, n in zip(checks, found, strict=False):
            self._warn(reason, n)
        con.execute(r"""
            INSERT INTO stage_works
            SELECT rid, wid, lower(regexp_replace(trim(doi), '^https?://(dx\.)?doi\.org/', '')),
                   display_name, coalesce(year_ok, year(pd_ok)), pd_ok, type,
                   oa_id(primary_location.source.id), primary_location.source.display_name,
                   nullif(regexp_extract(primary_topic.domain.id, '(\d+)$'), ''), primary_topic.domain.display_name,
                   nullif(regexp_extract(primary_topic.field.id, '(\d+)$'), ''), primary_topic.field.display_name,
                   nullif(regexp_extract(primary_topic.subfield.id, '(\d+)$'), ''), primary_topic.subfield.display_name,
                   len(authorships), ud, 'openalex',
                   coalesce(is_authors_truncated IS NOT NULL AND is_authors_truncated::VARCHAR = 'true', false)
            FROM raw_works
        """)
        # one pass over the nested authorships; the tables below are cheap projections of it. A null
        # authorship entry is an author with no known affiliation; null lists are empty lists.
        # each country is checked once (``mapped``); the ones that fail are the given minus the valid
        con.execute("""
            CREATE OR REPLACE TEMP TABLE raw_authorships AS
            SELECT rid, work_id, updated_date, author_position, author_id, author_name,
                   coalesce(list_distinct(institution_ids), []) AS institution_ids,
                   coalesce(list_distinct(mapped), []) AS countries,
                   coalesce(len(list_filter(a_countries, lambda c: c IS NOT NULL))
                            - len(list_filter(mapped, lambda c: c IS NOT NULL)), 0) AS bad_countries,
                   null_entry, institutions
            FROM (SELECT rid, work_id, updated_date, author_position, oa_id(a.author.id) AS author_id,
                         a.author.display_name AS author_name,
                         list_transform(a.institutions, lambda i: oa_id(i.id)) AS institution_ids,
                         a.countries AS a_countries, list_transform(a.countries, lambda c: iso2(c)) AS mapped,
                         a.author IS NULL AND a.institutions IS NULL AND a.countries IS NULL AS null_entry,
                         a.institutions AS institutions
                  FROM (SELECT rid, wid AS work_id, ud AS updated_date,
                               unnest(authorships) AS a, generate_subscripts(authorships, 1) AS author_position
                        FROM raw_works))
        """)
        found = con.execute("SELECT count(*) FILTER (WHERE null_entry), sum(bad_countries) FROM raw_authorships").fetchone()
        self._warn("null or empty authorship entry (kept as an author with no known affiliation)", found[0])
        self._warn("authorship country not ISO 3166-1 alpha-2 (treated as unknown; entries counted)", int(found[1] or 0))
        con.execute("""
            INSERT INTO stage_authorships
            SELECT rid, work_id, author_position, author_id, author_name, len(institution_ids), len(countries)
            FROM raw_authorships
        """)
        con.execute("""
            INSERT INTO stage_affiliations
            SELECT rid, work_id, author_position, unnest(institution_ids)
            FROM raw_authorships WHERE len(institution_ids) > 0
        """)
        con.execute("""
            INSERT INTO stage_author_countries
            SELECT rid, work_id, author_position, unnest(countries)
            FROM raw_authorships WHERE len(countries) > 0
        """)
        # one row per institution: the copy in the most recently updated (then latest) work
        con.execute("""
            CREATE OR REPLACE TEMP TABLE raw_institutions AS
            SELECT iid, max_by(rid, (updated_date, rid)) AS rid, max_by(i, (updated_date, rid)) AS i,
                   max(updated_date) AS updated_date, count(*) AS n
            FROM (SELECT oa_id(i.id) AS iid, rid, updated_date, i
                  FROM (SELECT rid, updated_date, unnest(institutions) AS i
                        FROM raw_authorships WHERE len(institutions) > 0))
            GROUP BY iid
        """)
        self._count_warning("SELECT coalesce(sum(n), 0) FROM raw_institutions WHERE iid IS NULL",
                            "institution without an id in an authorship (ignored)")
        self._count_warning(
            "SELECT count(*) FROM raw_institutions WHERE iid IS NOT NULL AND i.country_code IS NOT NULL "
            "AND iso2(i.country_code) IS NULL",
            "institution country_code not ISO 3166-1 alpha-2 (treated as unknown; institutions counted)",
        )
        con.execute("""
            INSERT INTO stage_institutions
            SELECT rid, iid, short_id(i.ror), i.display_name, iso2(i.country_code), i.type,
                   list_filter(list_transform(i.lineage, lambda x: oa_id(x)), lambda x: x IS NOT NULL),
                   updated_date, 'work'
            FROM raw_institutions WHERE iid IS NOT NULL
        """)
        con.execute("DROP VIEW raw_works; DROP TABLE raw_authorships; DROP TABLE raw_institutions")

    def _stage_institutions(self) -> None:
        self._skip_where("oa_id(id) IS NULL", "record without id")
        self._count_warning(
            "SELECT count(*) FROM raw_input WHERE oa_id(id) IS NOT NULL AND coalesce(country_code, geo.country_code) "
            "IS NOT NULL AND iso2(coalesce(country_code, geo.country_code)) IS NULL",
            "institution country_code not ISO 3166-1 alpha-2 (treated as unknown; institutions counted)",
        )
        self._count_warning(
            "SELECT count(*) FROM raw_input WHERE oa_id(id) IS NOT NULL AND updated_date IS NOT NULL "
            "AND TRY_CAST(updated_date AS TIMESTAMP) IS NULL",
            "invalid updated_date (stored as empty: any dated copy wins over it)",
        )
        self.con.execute("""
            INSERT INTO stage_institutions
            SELECT rid, oa_id(id), short_id(ror), display_name, iso2(coalesce(country_code, geo.country_code)), type,
                   list_filter(list_transform(lineage, lambda x: oa_id(x)), lambda x: x IS NOT NULL),
                   TRY_CAST(updated_date AS TIMESTAMP), 'entity'
            FROM raw_input WHERE oa_id(id) IS NOT NULL
        """)
        self.con.execute(GEO_STAGING_SQL)  # the record's coordinates (numbers only), merged by collabatlas.affiliations.geo


def _line_numbers(path: Path, ordinals: list[int]) -> list[int]:
    """Line numbers of the given record ordinals (1-based) of a JSON Lines file: DuckDB skips blank
    lines, so the n-th record is not always on line n. Only run when a record is skipped."""
    wanted = set(ordinals)
    found: dict[int, int] = {}
    record = 0
    try:
        with _open_lines(path) as fh:
            for line_no, line in enumerate(fh, start=1):
                if line.strip():
                    record += 1
                    if record in wanted:
                        found[record] = line_no
                        if len(found) == len(wanted):
                            break
    except (EOFError, OSError, zlib.error):
        pass
    return [found.get(n, n) for n in ordinals]


def _batches(files: list[InputFile], max_bytes: int) -> Iterator[list[InputFile]]:
    batch: list[InputFile] = []
    size = 0
    for f in files:
        if batch and size + f.size > max_bytes:
            yield batch
            batch, size = [], 0
        batch.append(f)
        size += f.size
    if batch:
        yield batch


TMP_PREFIX = "collabatlas-ingest-"
#: a temporary folder without a live owner (its ``pid`` file names a process that is gone), or with no
#: ``pid`` file and untouched this long, is left over from a killed ingest: the next ingest removes it
STALE_TMP_SECONDS = 6 * 3600


def make_tmpdir() -> tempfile.TemporaryDirectory:
    """The ingest's scratch folder, with a ``pid`` file naming its owner (see :func:`clean_stale_tmpdirs`)."""
    tmp = tempfile.TemporaryDirectory(prefix=TMP_PREFIX)
    with open(os.path.join(tmp.name, "pid"), "w") as fh:
        fh.write(str(os.getpid()))
    return tmp


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True  # exists (another user's) or cannot tell: keep it
    return True


def clean_stale_tmpdirs(base: str | None = None, now: float | None = None) -> list[str]:
    """Remove the scratch folders of ingests that were killed (owner process gone, or no owner named
    and older than STALE_TMP_SECONDS); folders in use are never touched. Returns the removed paths."""
    import shutil
    import time

    base = base or tempfile.gettempdir()
    now = time.time() if now is None else now
    removed = []
    try:
        entries = [e for e in os.scandir(base) if e.name.startswith(TMP_PREFIX) and e.is_dir(follow_symlinks=False)]
    except OSError:
        return removed
    for entry in entries:
        try:
            with open(os.path.join(entry.path, "pid")) as fh:
                pid = int(fh.read().strip() or 0)
        except (OSError, ValueError):
            pid = None
        try:
            if pid is not None:
                stale = pid != os.getpid() and not _pid_alive(pid)
            else:
                stale = now - entry.stat(follow_symlinks=False).st_mtime > STALE_TMP_SECONDS
        except OSError:
            continue
        if stale:
            shutil.rmtree(entry.path, ignore_errors=True)
            removed.append(entry.path)
    return removed
