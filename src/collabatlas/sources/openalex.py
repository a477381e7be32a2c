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
Records are staged in temporary tables; :mod:`collabatlas.ingest` merges them into the store in one
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

from ..ingest_report import FileStat, IngestReport
from .jsonspec import duckdb_columns, find_type_error

_ID_NAME = {"id": str, "display_name": str}

WORK_SPEC = {
    "id": str,
    "doi": str,
    "display_name": str,
    "publication_year": int,
    "publication_date": str,
    "type": str,
    "updated_date": str,
    "is_authors_truncated": bool,
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
    "geo": {"country_code": str},
}

SPECS = {"works": WORK_SPEC, "institutions": INSTITUTION_SPEC}
ENTITY_BY_PREFIX = {"W": "works", "I": "institutions", "A": "authors", "S": "sources", "P": "publishers",
                    "F": "funders", "T": "topics", "C": "concepts"}
SNAPSHOT_ENTITIES = ("works", "institutions", "authors", "sources", "publishers", "funders", "topics",
                     "concepts", "fields", "subfields", "domains")
#: DuckDB's ``maximum_object_size`` for the JSON reader. It sizes the read buffers (two per thread),
#: so it is kept modest: 256 MB buffers overflowed the 2 GB ingest memory limit. Larger records still
#: load (DuckDB grows the buffer for newline-delimited input; checked with a 40 MB record).
MAX_RECORD_BYTES = 32 * 1024 * 1024
JSONL_SUFFIXES = (".jsonl", ".ndjson", ".jsonl.gz", ".ndjson.gz", ".gz")
#: the state file ``collabatlas fetch openalex`` keeps next to its page files (see ``collabatlas.fetch``)
FETCH_STATE_FILE = ".collabatlas-fetch.json"


class InputError(ValueError):
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
        results = first.get("results") or [{}]
        return _entity_from_id(str(results[0].get("id", ""))), "document"
    return _entity_from_id(str(first.get("id", "")) if isinstance(first, dict) else ""), layout


def _first_id_in(text: bytes) -> str:
    marker = text.find(b'"id"')
    if marker < 0:
        return ""
    rest = text[marker + 4:].lstrip().lstrip(b":").lstrip()
    return rest[1:].split(b'"', 1)[0].decode("utf-8", "replace") if rest[:1] == b'"' else ""


def _entity_from_id(openalex_id: str) -> str:
    short = openalex_id.rsplit("/", 1)[-1]
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
        if file.name == "manifest" or file.name == "manifest.json":
            _check_manifest(file, report)
            continue
        if file.name == FETCH_STATE_FILE:
            _check_fetch_state(file, report)
            continue
        if file.suffix == ".parquet":
            # e.g. a flat one-row-per-work export: institutions and countries are listed per work, not
            # per author, so the author's 1/n cannot be split over the author's own institutions
            report.files_skipped["Parquet file (not an OpenAlex JSON input)"] += 1
            report.note(f"{file}: skipped, Parquet is not an OpenAlex JSON input; flat per-work tables carry no "
                        "author-to-institution links, which fractional Share needs")
            continue
        if file.name.startswith(".") or not (file.name.endswith(JSONL_SUFFIXES) or file.suffix == ".json"):
            report.files_skipped["not a JSON/JSONL file"] += 1
            report.note(f"{file}: skipped, not a JSON/JSONL file")
            continue
        hint = next((part for part in file.relative_to(root).parts[:-1] if part in SNAPSHOT_ENTITIES), None)
        if hint is None and root.name in SNAPSHOT_ENTITIES:
            hint = root.name
        try:
            out.append(_classify(file, hint))
        except InputError as exc:  # inside a directory: skip it, say so, go on
            report.files_skipped["not OpenAlex JSON"] += 1
            report.note(f"skipped: {exc}")
    return out


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
    except (ValueError, KeyError, OSError) as exc:
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
            missing_records += int(entry.get("meta", {}).get("record_count", 0))
    if missing:
        report.note(
            f"{path}: manifest lists {len(entries)} part files, {present} present, {missing} missing "
            f"({missing_records:,} records not in this input: a partial snapshot)"
        )


# --------------------------------------------------------------------------------------------
# reading


def _open_lines(path: Path):
    return gzip.open(path, "rb") if _is_gzip(path) else open(path, "rb")


def _careful_records(file: InputFile, report: IngestReport) -> Iterator[tuple[int, dict]]:
    """Yield (record number, record) of valid records; report every bad one with file:line and field."""
    spec = SPECS[file.entity]
    if file.layout == "document":
        try:
            doc = orjson.loads(_read_all(file.path))
        except orjson.JSONDecodeError as exc:
            report.skip("malformed JSON document", f"{file.path}: {exc}")
            return
        if isinstance(doc, dict) and "results" in doc:
            records, unit = doc.get("results") or [], "result"
        elif isinstance(doc, list):
            records, unit = doc, "element"
        else:
            records, unit = [doc], "record"
        for n, rec in enumerate(records, start=1):
            err = find_type_error(rec, spec)
            if err:
                report.skip("field of the wrong type", f"{file.path}: {unit} {n}: {err}")
                continue
            yield n, rec
        return
    line_no = 0
    with _open_lines(file.path) as fh:
        try:
            for line_no, line in enumerate(fh, start=1):
                if not line.strip():
                    continue
                try:
                    rec = orjson.loads(line)
                except orjson.JSONDecodeError as exc:
                    report.skip("malformed JSON line", f"{file.path}:{line_no}: {exc}")
                    continue
                err = find_type_error(rec, spec)
                if err:
                    report.skip("field of the wrong type", f"{file.path}:{line_no}: {err}")
                    continue
                yield line_no, rec
        except (EOFError, gzip.BadGzipFile, zlib.error, OSError) as exc:
            report.skip(
                "truncated or corrupt gzip",
                f"{file.path}: compressed stream broken after line {line_no} ({exc}); the rest of the file is lost",
            )


def _read_all(path: Path) -> bytes:
    with _open_lines(path) as fh:
        return fh.read()


class Stager:
    """Reads OpenAlex files into the ingest's temporary staging tables (see :mod:`collabatlas.ingest`)."""

    def __init__(self, con: duckdb.DuckDBPyConnection, report: IngestReport, tmpdir: str):
        self.con = con
        self.report = report
        self.tmpdir = tmpdir
        self.next_rid = 1
        self._sources: dict[str, InputFile] = {}
        self.con.execute(
            # plain replace() is several times faster than a regular expression here
            "CREATE OR REPLACE TEMP MACRO short_id(x) AS nullif(trim(replace(replace(replace(x, "
            "'https://openalex.org/', ''), 'https://ror.org/', ''), 'http://openalex.org/', '')), '')"
        )
        self.con.execute(
            "CREATE OR REPLACE TEMP MACRO iso2(x) AS CASE WHEN length(trim(x)) = 2 "
            "AND regexp_full_match(upper(trim(x)), '[A-Z]{2}') THEN upper(trim(x)) END"
        )

    #: JSON Lines files of one entity are read together (DuckDB then parses several gzip files at
    #: once) up to this many compressed bytes per batch; the raw batch is dropped after staging.
    BATCH_BYTES = 512 * 1024 * 1024
    _READ_ERRORS = (duckdb.InvalidInputException, duckdb.ConversionException, duckdb.IOException,
                    duckdb.BinderException)

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
            if len(batch) > 1:  # find the bad file(s): one by one
                for f in batch:
                    self._stage_batch(entity, [f])
                return
            self.report.note(f"{batch[0].path}: fast reader stopped ({str(exc).splitlines()[0][:160]}); "
                             "reading it line by line")
            self._stage_careful(batch[0])

    def _stage_careful(self, file: InputFile) -> None:
        clean = os.path.join(self.tmpdir, f"clean_{len(self.report.files)}.jsonl")
        with open(clean, "wb") as out:
            for rec_no, rec in _careful_records(file, self.report):
                rec["_rec"] = rec_no
                out.write(orjson.dumps(rec))
                out.write(b"\n")
        self._stage_from(file.entity, {clean: file}, careful=True)
        os.unlink(clean)

    def _drop_raw(self) -> None:
        self.con.execute("DROP VIEW IF EXISTS raw_input; DROP TABLE IF EXISTS raw_read")

    def _stage_from(self, entity: str, sources: dict[str, InputFile], careful: bool) -> None:
        columns = duckdb_columns({**SPECS[entity], "_rec": int})
        self.con.execute(
            f"""CREATE OR REPLACE TEMP TABLE raw_read AS
                SELECT * FROM read_json(?, format='newline_delimited', columns={columns}, filename=true,
                                        compression='auto_detect', maximum_object_size={MAX_RECORD_BYTES})""",
            [list(sources)],
        )
        # rowid follows insertion order: file order, then record order (much cheaper than row_number)
        # rid orders all records of this ingest, so "the later record wins" ties are deterministic
        self.con.execute(
            f"""CREATE OR REPLACE TEMP VIEW raw_input AS
                SELECT {self.next_rid}::BIGINT + rowid AS rid, * EXCLUDE (_rec) FROM raw_read"""
        )
        counts = dict(self.con.execute("SELECT filename, count(*) FROM raw_read GROUP BY filename").fetchall())
        self.next_rid += sum(counts.values()) + 1
        for name, file in sources.items():
            n = counts.get(name, 0)
            self.report.files.append(FileStat(path=str(file.path), entity=entity, records=n, bytes=file.size,
                                              reader="careful" if careful else "fast"))
            self.report.records_read += n
            if entity == "works":
                self.report.works_read += n
            else:
                self.report.institutions_read += n
        self._sources = sources
        if entity == "works":
            self._stage_works()
        else:
            self._stage_institutions()
        self._drop_raw()

    def _skip_where(self, condition: str, reason: str) -> None:
        """Count records matching ``condition`` as skipped, naming file and record number."""
        if not self.con.execute(f"SELECT count(*) FROM raw_input WHERE {condition}").fetchone()[0]:
            return
        rows = self.con.execute(f"""
            SELECT filename, list(coalesce(r._rec, r.rowid + 1 - f.first) ORDER BY r.rowid)
            FROM raw_read r JOIN (SELECT filename, min(rowid) AS first FROM raw_read GROUP BY filename) f
                 USING (filename)
            WHERE {condition} GROUP BY filename ORDER BY filename""").fetchall()
        for name, recs in rows:
            file = self._sources[name]
            shown = ", ".join(map(str, recs[:10])) + (" ..." if len(recs) > 10 else "")
            unit = "line" if file.layout == "jsonl" else "record"
            where = f"{file.path}: {unit}{'s' if len(recs) > 1 else ''} {shown}"
            self.report.skip(reason, where, n=len(recs))

    def _count_warning(self, sql: str, reason: str) -> None:
        n = self.con.execute(sql).fetchone()[0]
        if n:
            self.report.warn(reason, n)

    def _stage_works(self) -> None:
        con = self.con
        self._skip_where("short_id(id) IS NULL", "record without id")
        self._skip_where("short_id(id) IS NOT NULL AND coalesce(len(authorships), 0) = 0",
                         "record without authorships")
        self._count_warning(
            "SELECT count(*) FROM raw_input WHERE publication_date IS NOT NULL "
            "AND TRY_CAST(publication_date AS DATE) IS NULL",
            "invalid publication_date (stored as empty)",
        )
        self._count_warning(
            "SELECT count(*) FROM raw_input WHERE coalesce(is_authors_truncated, false)",
            "authorships truncated at 100 by the API list endpoint (Share of those works is inexact)",
        )
        con.execute("""
            CREATE OR REPLACE TEMP VIEW raw_works AS
            SELECT * FROM raw_input
            WHERE short_id(id) IS NOT NULL AND coalesce(len(authorships), 0) > 0
        """)
        con.execute(r"""
            INSERT INTO stage_works
            SELECT rid, short_id(id), lower(regexp_replace(trim(doi), '^https?://(dx\.)?doi\.org/', '')),
                   display_name, publication_year, TRY_CAST(publication_date AS DATE), type,
                   short_id(primary_location.source.id), primary_location.source.display_name,
                   nullif(regexp_extract(primary_topic.domain.id, '(\d+)$'), ''), primary_topic.domain.display_name,
                   nullif(regexp_extract(primary_topic.field.id, '(\d+)$'), ''), primary_topic.field.display_name,
                   nullif(regexp_extract(primary_topic.subfield.id, '(\d+)$'), ''), primary_topic.subfield.display_name,
                   len(authorships), TRY_CAST(updated_date AS TIMESTAMP), 'openalex',
                   coalesce(is_authors_truncated, false)
            FROM raw_works
        """)
        # one pass over the nested authorships; the tables below are cheap projections of it
        con.execute("""
            CREATE OR REPLACE TEMP TABLE raw_authorships AS
            SELECT rid, work_id, updated_date, author_position, short_id(a.author.id) AS author_id,
                   a.author.display_name AS author_name,
                   list_distinct(list_transform(a.institutions, lambda i: short_id(i.id))) AS institution_ids,
                   list_distinct(list_transform(a.countries, lambda c: iso2(c))) AS countries,
                   a.institutions AS institutions
            FROM (SELECT rid, short_id(id) AS work_id, TRY_CAST(updated_date AS TIMESTAMP) AS updated_date,
                         unnest(authorships) AS a, generate_subscripts(authorships, 1) AS author_position
                  FROM raw_works)
        """)
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
                   max(updated_date) AS updated_date
            FROM (SELECT short_id(i.id) AS iid, rid, updated_date, i
                  FROM (SELECT rid, updated_date, unnest(institutions) AS i
                        FROM raw_authorships WHERE len(institutions) > 0))
            GROUP BY iid HAVING iid IS NOT NULL
        """)
        self._count_warning(
            "SELECT count(*) FROM raw_institutions WHERE i.country_code IS NOT NULL AND iso2(i.country_code) IS NULL",
            "institution country_code not ISO 3166-1 alpha-2 (treated as unknown; institutions counted)",
        )
        con.execute("""
            INSERT INTO stage_institutions
            SELECT rid, iid, short_id(i.ror), i.display_name, iso2(i.country_code), i.type,
                   list_transform(i.lineage, lambda x: short_id(x)), updated_date, 'work'
            FROM raw_institutions
        """)
        con.execute("DROP VIEW raw_works; DROP TABLE raw_authorships; DROP TABLE raw_institutions")

    def _stage_institutions(self) -> None:
        self._skip_where("short_id(id) IS NULL", "record without id")
        self.con.execute("""
            INSERT INTO stage_institutions
            SELECT rid, short_id(id), short_id(ror), display_name, iso2(coalesce(country_code, geo.country_code)), type,
                   list_transform(lineage, lambda x: short_id(x)), TRY_CAST(updated_date AS TIMESTAMP), 'entity'
            FROM raw_input WHERE short_id(id) IS NOT NULL
        """)


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


def make_tmpdir() -> tempfile.TemporaryDirectory:
    return tempfile.TemporaryDirectory(prefix="collabatlas-ingest-")
