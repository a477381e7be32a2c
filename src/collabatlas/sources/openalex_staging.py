"""Staging OpenAlex records: files read by DuckDB into temporary tables, then SQL turns each record
into the staging rows the merge reads (works; authorships → affiliations and author countries;
institutions from works and from entity files, with their coordinates).

Two readers feed the same SQL:

- **fast**: DuckDB ``read_json`` straight on the file with an explicit column list (no schema
  inference), used for every JSON Lines file first;
- **careful**: when the fast reader fails on a file (malformed line, truncated gzip, a field of the
  wrong type), the file is read again line by line (:mod:`.openalex_careful`); each bad line is
  reported with file, line and field and counted, and the good lines go through the same SQL as the
  fast path.

JSON documents (API pages, single entities) are small and always take the careful reader.

One rule for both readers (see :mod:`.jsonspec`): the careful reader accepts exactly what DuckDB
reads, and every check of a value (ids, years, dates, countries, booleans) is SQL that both readers
feed, so a record stores the same whichever reader took its file. Hive partitioning is off: a folder
named ``id=batch1`` or ``updated_date=…`` (the snapshot layout) never changes a record.
Every record read ends in exactly one bucket of the report (stored, replaced, unchanged, merged,
older copy, or skipped with a reason; see ``IngestReport.unaccounted``).

The works' staging and attribution statements are :mod:`.openalex_statements`, shared with the Spark
ingest (this module's part is the DuckDB reader, the counts and warnings, and the inserts).
Records are staged in temporary tables (created by :mod:`collabatlas.ingest.staging`);
:mod:`collabatlas.ingest.merge` merges them into the store in one transaction.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator

import duckdb
import orjson

from collabatlas.counting.issn import INVALID_ISSN_WARNING, issn_rows_sql
from collabatlas.sources.ingest_report import AccountingError, FileStat, IngestReport
from collabatlas.sources.jsonspec import duckdb_columns
from collabatlas.sources.openalex import MAX_RECORD_BYTES, SPECS, InputFile
from collabatlas.sources.openalex_careful import careful_records, line_numbers
from collabatlas.sources.openalex_statements import (
    AFFILIATION_ROWS_SQL,
    AUTHOR_COUNTRY_ROWS_SQL,
    AUTHORSHIP_ROWS_SQL,
    AUTHORSHIPS_PASS_DUCKDB_SQL,
    DUCKDB_SKIPS,
    DUCKDB_WORKS_READER,
    INSTITUTION_COPIES_DUCKDB_SQL,
    INSTITUTION_ROWS_SQL,
    KEPT_WORKS_DUCKDB_SQL,
    WORK_COLUMNS,
    WORK_ROWS_SQL,
    WORK_WARNINGS,
    skip_case,
)
from collabatlas.sources.paths import duckdb_literals
from collabatlas.sources.record import REASONS, install_macros

#: an entity record's ``geo.latitude`` / ``geo.longitude`` (JSON numbers; anything else is no coordinate)
GEO_STAGING_SQL = """
    CREATE TEMP TABLE IF NOT EXISTS stage_institution_geo (rid BIGINT, institution_id VARCHAR, lat DOUBLE, lon DOUBLE,
                                                           updated_date TIMESTAMP);
    INSERT INTO stage_institution_geo (rid, institution_id, lat, lon, updated_date)
    SELECT rid, ca_oa_id(id), CASE WHEN json_type(geo.latitude) IN ('DOUBLE', 'BIGINT', 'UBIGINT')
                                THEN CAST(geo.latitude AS DOUBLE) END,
           CASE WHEN json_type(geo.longitude) IN ('DOUBLE', 'BIGINT', 'UBIGINT') THEN CAST(geo.longitude AS DOUBLE) END,
           TRY_CAST(updated_date AS TIMESTAMP)
    FROM raw_input WHERE ca_oa_id(id) IS NOT NULL
"""

#: each kept record's ISSNs (``raw_issns``: rid, issn_l, issns, invalid), checked once per distinct pair of
#: (ISSN list, linking ISSN) as given — a journal's pair repeats in every one of its works (≈ 5,000 pairs
#: among 200k works: 0.53 -> 0.13 CPU-s) — then given back to each record (the check is a function of the pair)
ISSNS_BY_DISTINCT_SQL = f"""
    CREATE OR REPLACE TEMP TABLE raw_issn_given AS
    SELECT rid, issn_given, primary_location.source.issn_l AS issn_l FROM raw_works
    WHERE primary_location.source IS NOT NULL;
    CREATE OR REPLACE TEMP TABLE raw_issn_keys AS
    SELECT row_number() OVER () AS kid, issn_given, issn_l
    FROM (SELECT DISTINCT issn_given, issn_l FROM raw_issn_given);
    CREATE OR REPLACE TEMP TABLE raw_issns AS
    SELECT g.rid, c.issn_l, c.issns, c.invalid
    FROM raw_issn_given g
    JOIN raw_issn_keys k ON g.issn_given IS NOT DISTINCT FROM k.issn_given AND g.issn_l IS NOT DISTINCT FROM k.issn_l
    JOIN ({issn_rows_sql("SELECT kid AS rid, issn_given, issn_l FROM raw_issn_keys", "issn_given", "issn_l")}) c
         ON c.rid = k.kid;
"""


class Stager:
    """Reads OpenAlex files into the ingest's temporary staging tables (see :mod:`collabatlas.ingest.staging`)."""

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
        # the record contract's rules (ids, DOI, countries, years, text cleaning), the same ones the
        # export readers apply in Python: collabatlas.sources.record
        install_macros(self.con)
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
        # the journal's ISSNs (collabatlas.counting.issn): ``source.issn`` is raw JSON, normally a list of
        # strings; a single string is taken as a one-element list, any other value as one invalid ISSN
        self.con.execute(
            "CREATE OR REPLACE TEMP MACRO issn_json(j) AS CASE json_type(j) "
            "WHEN 'ARRAY' THEN json_extract_string(j, '$[*]') WHEN 'VARCHAR' THEN [j->>'$'] "
            "WHEN 'NULL' THEN NULL ELSE [j::VARCHAR] END"
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
            # keyed by the absolute name: what DuckDB's filename column gives back (collabatlas.sources.paths)
            self._stage_from(entity, {os.path.abspath(f.path): f for f in batch}, careful=False)
        except self._READ_ERRORS as exc:
            self._drop_raw()
            self._pending_skips, self._pending_warnings = [], []
            if len(batch) > 1:  # find the bad file(s): one by one
                for f in batch:
                    self._stage_batch(entity, [f])
                return
            self.report.note(f"{batch[0].path}: fast reader stopped ({_without_position(exc)}); "
                             "reading it line by line (the careful reader names each damaged line)")
            self._stage_careful(batch[0])

    def _stage_careful(self, file: InputFile) -> None:
        clean = os.path.join(self.tmpdir, f"clean_{len(self.report.files)}.jsonl")
        kept = 0
        damaged_before = self.report.damaged
        with open(clean, "wb") as out:
            for rec_no, rec in careful_records(file, self.report):
                rec["_rec"] = rec_no
                out.write(orjson.dumps(rec))
                out.write(b"\n")
                kept += 1
        self.report.lost_in(str(file.path), self.report.damaged - damaged_before)  # lost to damage, by file
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
        # works: the reader of the shared statements (collabatlas.sources.openalex_statements), which
        # checks the loosely typed values once; a work's authorship count is taken once here (len() of
        # a list column scans its whole nested data each time)
        select = f"filename, _rec, {DUCKDB_WORKS_READER}" if entity == "works" else "*"
        # hive_partitioning off: a folder named key=value (id=batch1, updated_date=...) never sets a field
        self.con.execute(
            f"""CREATE OR REPLACE TEMP TABLE raw_read AS
                SELECT {select} FROM read_json(?, format='newline_delimited', columns={columns}, filename=true,
                                        compression='auto_detect', maximum_object_size={MAX_RECORD_BYTES},
                                        hive_partitioning=false)""",
            # each name escaped: DuckDB takes file names as glob patterns (works[1].jsonl, star*.jsonl)
            [duckdb_literals(list(sources))],
        )
        # rowid follows insertion order: file order, then record order (much cheaper than row_number)
        # rid orders all records of this ingest, so "the later record wins" ties are deterministic
        self.con.execute(
            f"""CREATE OR REPLACE TEMP VIEW raw_input AS
                SELECT {self.next_rid}::BIGINT + rowid AS rid, * EXCLUDE (_rec) FROM raw_read"""
        )
        counts = dict(self.con.execute("SELECT filename, count(*) FROM raw_read GROUP BY filename").fetchall())
        strays = sorted(set(counts) - set(sources))
        if strays:  # a name DuckDB expanded into other files: never counted as this input (paths are literal)
            raise AccountingError(f"reading {', '.join(sorted(sources))[:300]}: DuckDB also read files that were not "
                                  f"named ({', '.join(strays[:3])}); nothing is stored; please report this")
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

    def _skip_where(self, *skips: tuple[str, str], found: tuple[int, ...] | None = None) -> None:
        """Count records matching each ``(condition, reason)`` as skipped, naming file and line (or
        record) number. One pass counts every condition (unless ``found`` gives the counts); the records
        are listed only for a condition some record meets."""
        if found is None:
            found = self.con.execute("SELECT " + ", ".join(f"count(*) FILTER (WHERE {c})" for c, _r in skips)
                                     + " FROM raw_input").fetchone()
        for (condition, reason), n in zip(skips, found, strict=True):
            if n:
                self._list_skipped(condition, reason)

    def _list_skipped(self, condition: str, reason: str) -> None:
        rows = self.con.execute(f"""
            SELECT filename, count(*), list(r._rec ORDER BY r.rowid)[:10],"""
                                f""" list(r.rowid + 1 - f.first ORDER BY r.rowid)[:10]
            FROM raw_read r JOIN (SELECT filename, min(rowid) AS first FROM raw_read GROUP BY filename) f
                 USING (filename)
            WHERE {condition} GROUP BY filename ORDER BY filename""").fetchall()
        for name, n, recs, ordinals in rows:
            file = self._sources[name]
            if recs and recs[0] is None:  # fast reader: record ordinals → line numbers (blank lines between)
                recs = line_numbers(file.path, ordinals) if file.layout == "jsonl" else ordinals
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
        # the contract's skips, in its order: id, authorships, year (collabatlas.sources.record.REASONS)
        earlier: list[str] = []
        skips = []
        for code, condition in DUCKDB_SKIPS.items():
            skips.append((" AND ".join([*(f"NOT ({c})" for c in earlier), f"({condition})"]), REASONS[code]))
            earlier.append(condition)
        # counted by each record's first skip (skip_case: each condition evaluated once per record, where
        # the conditions above repeat the earlier ones: 0.30 -> 0.11 CPU-s at 200k works)
        counts = ", ".join(f"count(*) FILTER (WHERE code = '{code}')" for code in DUCKDB_SKIPS)
        found = self.con.execute(f"SELECT {counts} FROM (SELECT {skip_case(DUCKDB_SKIPS)} AS code FROM raw_input)"
                                 ).fetchone()
        self._skip_where(*skips, found=found)
        con.execute(f"CREATE OR REPLACE TEMP VIEW raw_works AS {KEPT_WORKS_DUCKDB_SQL}")
        # one pass for every value check; each becomes a counted warning (the record is kept)
        found = con.execute("SELECT " + ", ".join(f"count(*) FILTER (WHERE {c})" for c in WORK_WARNINGS.values())
                            + " FROM raw_works").fetchone()
        for reason, n in zip(WORK_WARNINGS, found, strict=False):
            self._warn(reason, n)
        # each record's ISSNs (collabatlas.counting.issn); bad ones counted
        con.execute(ISSNS_BY_DISTINCT_SQL)
        self._count_warning("SELECT coalesce(sum(invalid), 0) FROM raw_issns", INVALID_ISSN_WARNING)
        con.execute(f"INSERT INTO stage_works ({WORK_COLUMNS}) {WORK_ROWS_SQL}")
        # one pass over the nested authorships; the tables below are cheap projections of it
        con.execute(f"CREATE OR REPLACE TEMP TABLE raw_authorships AS {AUTHORSHIPS_PASS_DUCKDB_SQL}")
        found = con.execute("SELECT count(*) FILTER (WHERE null_entry), sum(bad_countries), "
                            "count(*) FILTER (WHERE dirty_name) FROM raw_authorships").fetchone()
        self._warn(REASONS["null-authorship"], found[0])
        self._warn(REASONS["authorship-country"], int(found[1] or 0))
        self._warn(REASONS["text-cleaned"], found[2])
        con.execute("INSERT INTO stage_authorships (rid, work_id, author_position, author_id, author_name, "
                    f"n_institutions, n_countries) {AUTHORSHIP_ROWS_SQL}")
        con.execute(f"INSERT INTO stage_affiliations (rid, work_id, author_position, institution_id) "
                    f"{AFFILIATION_ROWS_SQL}")
        con.execute(f"INSERT INTO stage_author_countries (rid, work_id, author_position, country_code) "
                    f"{AUTHOR_COUNTRY_ROWS_SQL}")
        # one row per institution: the copy in the most recently updated (then latest) work
        con.execute(f"CREATE OR REPLACE TEMP TABLE raw_institutions AS {INSTITUTION_COPIES_DUCKDB_SQL}")
        self._count_institution_warnings("raw_institutions", "iid", "i.")
        con.execute("INSERT INTO stage_institutions (rid, institution_id, ror, name, country_code, type, lineage, "
                    f"updated_date, origin) {INSTITUTION_ROWS_SQL}")
        con.execute("DROP VIEW raw_works; DROP TABLE raw_authorships; DROP TABLE raw_institutions; "
                    "DROP TABLE raw_issns; DROP TABLE raw_issn_given; DROP TABLE raw_issn_keys")

    def _count_institution_warnings(self, table: str, iid: str, prefix: str) -> None:
        """The contract's warnings on institution rows (missing or malformed id, country, ROR id, name)."""
        p = prefix
        found = self.con.execute(f"""
            SELECT coalesce(sum(n - n_bad) FILTER (WHERE {iid} IS NULL), 0),
                   coalesce(sum(n_bad) FILTER (WHERE {iid} IS NULL), 0),
                   count(*) FILTER (WHERE {iid} IS NOT NULL AND {p}country_code IS NOT NULL
                                    AND ca_country({p}country_code) IS NULL),
                   count(*) FILTER (WHERE {iid} IS NOT NULL AND nullif(trim({p}ror, ' '), '') IS NOT NULL
                                    AND ca_ror({p}ror) IS NULL),
                   count(*) FILTER (WHERE {iid} IS NOT NULL AND ca_dirty({p}display_name))
            FROM {table}""").fetchone()
        for code, n in zip(("institution-no-id", "institution-bad-id", "institution-country", "ror-invalid",
                            "text-cleaned"), found, strict=True):
            self._warn(REASONS[code], n)

    def _stage_institutions(self) -> None:
        self._skip_where(("nullif(trim(id, ' '), '') IS NULL", REASONS["no-id"]),
                         ("nullif(trim(id, ' '), '') IS NOT NULL AND ca_oa_id(id) IS NULL", REASONS["bad-id"]))
        self.con.execute("""
            CREATE OR REPLACE TEMP VIEW raw_entities AS
            SELECT ca_oa_id(id) AS iid, 1 AS n, 0 AS n_bad, ror, display_name,
                   coalesce(country_code, geo.country_code) AS country_code
            FROM raw_input WHERE ca_oa_id(id) IS NOT NULL""")
        self._count_institution_warnings("raw_entities", "iid", "")
        self.con.execute("DROP VIEW raw_entities")
        self._count_warning(
            "SELECT count(*) FROM raw_input WHERE ca_oa_id(id) IS NOT NULL AND updated_date IS NOT NULL "
            "AND TRY_CAST(updated_date AS TIMESTAMP) IS NULL",
            REASONS["updated-invalid"],
        )
        self.con.execute("""
            INSERT INTO stage_institutions (rid, institution_id, ror, name, country_code, type, lineage,
                                            updated_date, origin)
            SELECT rid, ca_oa_id(id), ca_ror(ror), ca_clean(display_name),
                   ca_country(coalesce(country_code, geo.country_code)), type,
                   list_filter(list_transform(lineage, lambda x: ca_oa_id(x)), lambda x: x IS NOT NULL),
                   TRY_CAST(updated_date AS TIMESTAMP), 'entity'
            FROM raw_input WHERE ca_oa_id(id) IS NOT NULL
        """)
        # the record's coordinates (numbers only), merged by collabatlas.affiliations.geo
        self.con.execute(GEO_STAGING_SQL)


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


_POSITION = re.compile(r",?\s*(at byte \d+ )?in line \d+|\s*\(line \d+\)", re.IGNORECASE)


def _without_position(exc: BaseException) -> str:
    """DuckDB's first message line without its byte/line position: DuckDB counts the line after an
    unterminated string, so its number can differ from the careful reader's (which names the record's own
    line); only the careful reader's position is shown."""
    return _POSITION.sub("", str(exc).splitlines()[0])[:160].strip()
