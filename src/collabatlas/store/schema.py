"""The normalised store: one DuckDB file holding works, authorships, affiliations and institutions.

Tables (identifiers are short OpenAlex ids such as ``W2741809807`` / ``I27837315``; countries are
ISO 3166-1 alpha-2, upper case; the fact tables refer to works and institutions by integer
surrogate keys ``wkey`` / ``ikey``, which make the counting joins several times faster than
string ids):

- ``works``            one row per work (the newest ``updated_date`` seen wins)
- ``authorships``      one row per authorship entry; ``author_position`` is the 1-based ordinal in the
                       work's authorship list, ``n_institutions`` / ``n_countries`` are distinct counts
- ``affiliations``     one row per distinct (work, authorship, institution)
- ``author_countries`` the authorship-level ``countries`` list (fallback for authors without institutions)
- ``institutions``     one row per institution, from institution entity files or from works
- ``institution_geo``  coordinates of geocoded institutions: OpenAlex entity ``geo``, else ROR
                       (``collabatlas.affiliations.geo``)
- ``work_sources``     every source record (OpenAlex, WoS, Scopus, PubMed) merged into a work: provenance
                       and the keys cross-source dedupe matches on (docs/sources.md)
- ``ingest_log``       one row per committed ingest, with its summary as JSON
- ``store_meta``       key/value: schema version and ``data_version`` (bumped on every committed change)
- ``unit_shares_<level>`` every work's unit shares per level, with each unit's context on the work
  (units, summed share, per country, corporate), saved after each ingest
- ``agg_units_<level>`` / ``agg_partners_<level>`` per-year aggregates built from them: totals per
  (unit, year), and pair sums per (unit, partner, year) both ways round, ordered by unit
  (``counting.aggregate_units_sql`` / ``aggregate_partners_sql``)

The last two groups are derived: valid while ``store_meta.unit_shares_version`` names the current
``data_version`` and their columns (``Atlas.store_unit_shares``); otherwise they are ignored.

Each ingest is one transaction: a process killed half-way leaves the file as it was before.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from collabatlas.errors import DataError, NotFoundError, StoreBusyError, StoreError, UserError  # noqa: F401 - re-exported
from collabatlas.settings import EngineSettings
from collabatlas.sources.record import install_macros
from collabatlas.store.busy import busy_message, retry_delays, waited_message

SCHEMA_VERSION = "9"

SCHEMA_SQL = """
CREATE TABLE IF NOT EXISTS works (
    wkey BIGINT NOT NULL,          -- surrogate key used by the fact tables; stable across re-ingests
    work_id VARCHAR NOT NULL,
    doi VARCHAR,
    title VARCHAR,
    year INTEGER,
    pub_date DATE,
    type VARCHAR,
    source_id VARCHAR,
    source_name VARCHAR,
    domain_id VARCHAR,
    domain VARCHAR,
    field_id VARCHAR,
    field VARCHAR,
    subfield_id VARCHAR,
    subfield VARCHAR,
    n_authors INTEGER NOT NULL,
    updated_date TIMESTAMP,
    origin VARCHAR NOT NULL,
    authors_truncated BOOLEAN,
    subject_origin VARCHAR,        -- how domain/field were found: openalex | wos-category | asjc | mesh
                                   -- (collabatlas.sources.subject_crosswalk); NULL: no subject
    issn_l VARCHAR,                -- the journal's linking ISSN, NNNN-NNNC (OpenAlex issn_l, PubMed Linking); schema 8
    issns VARCHAR[],               -- every valid ISSN the record gives for its journal, sorted, issn_l included;
                                   -- NULL: none (collabatlas.counting.issn, docs/sources.md)
    citations BIGINT,              -- times cited: OpenAlex cited_by_count, WoS TC, Scopus "Cited by"; schema 9
    fwci DOUBLE,                   -- OpenAlex field-weighted citation impact (world-normalised)
    top10 BOOLEAN                  -- OpenAlex citation_normalized_percentile.is_in_top_10_percent
                                   -- (collabatlas.counting.impact, docs/methodology.md "Collaboration impact")
);
CREATE TABLE IF NOT EXISTS authorships (
    wkey BIGINT NOT NULL,
    author_position INTEGER NOT NULL,
    author_id VARCHAR,
    author_name VARCHAR,
    n_institutions INTEGER NOT NULL,
    n_countries INTEGER NOT NULL
);
-- affiliations and author_countries repeat the few facts of their work and authorship that
-- counting needs (year, n_authors, n_institutions, n_countries), so that counting reads one table;
-- n_countries >= 2 marks an author affiliated in several countries
CREATE TABLE IF NOT EXISTS affiliations (
    wkey BIGINT NOT NULL,
    author_position INTEGER NOT NULL,
    ikey INTEGER NOT NULL,
    year INTEGER,
    n_authors INTEGER NOT NULL,
    n_institutions INTEGER NOT NULL,
    n_countries INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS author_countries (
    wkey BIGINT NOT NULL,
    author_position INTEGER NOT NULL,
    country_code VARCHAR NOT NULL,
    year INTEGER,
    n_authors INTEGER NOT NULL,
    n_institutions INTEGER NOT NULL,
    n_countries INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS institutions (
    ikey INTEGER NOT NULL,         -- surrogate key used by affiliations; stable across re-ingests
    institution_id VARCHAR NOT NULL,
    ror VARCHAR,
    name VARCHAR,
    country_code VARCHAR,
    type VARCHAR,
    lineage VARCHAR[],
    updated_date TIMESTAMP,
    origin VARCHAR NOT NULL,
    ror_type VARCHAR               -- the ROR type the sector comes from when `type` gives none (ror.apply_ror_types)
);
-- provenance and dedupe: every source record merged into a work (see docs/sources.md)
CREATE TABLE IF NOT EXISTS work_sources (
    wkey BIGINT NOT NULL,
    origin VARCHAR NOT NULL,       -- openalex | wos | scopus | pubmed
    record_id VARCHAR NOT NULL,    -- W…, WOS:…, 2-s2.0-…, PMID:…
    doi VARCHAR,                   -- normalised: lower case, no https://doi.org/
    title_key VARCHAR,             -- normalised title | year | first-author surname ('' when too weak to match
                                   -- on; NULL: not computed yet, see ingest.dedupe._cluster_one_source)
    updated_date TIMESTAMP
);
CREATE TABLE IF NOT EXISTS ingest_log (
    ingest_id INTEGER NOT NULL,
    finished_at TIMESTAMP NOT NULL,
    summary JSON NOT NULL
);
CREATE TABLE IF NOT EXISTS store_meta (
    key VARCHAR NOT NULL,
    value VARCHAR
);
-- institution coordinates (schema 6; collabatlas.affiliations.geo): one row per geocoded institution, from its
-- OpenAlex entity record (`geo.latitude/longitude`, origin 'openalex'), else from its ROR record
-- (origin 'ror', refilled by every ingest, `ror load` and `refresh`)
CREATE TABLE IF NOT EXISTS institution_geo (
    ikey INTEGER NOT NULL,
    lat DOUBLE NOT NULL,
    lon DOUBLE NOT NULL,
    origin VARCHAR NOT NULL
);
"""

#: Dedupe keys (docs/sources.md): the first author's surname (part before the comma, else the last
#: word; letters only) and the title key (title letters and digits | year | surname), NULL when the
#: title has fewer than 20 letters and digits (too generic: "Editorial", "Reply") or a part is missing.
#: the dedupe keys (``ca_title_key``, ``ca_surname``, ``ca_doi``) are the record contract's macros:
#: collabatlas.sources.record.install_macros
WORK_SOURCES_FROM_WORKS_SQL = """
INSERT INTO work_sources (wkey, origin, record_id, doi, title_key, updated_date)
SELECT w.wkey, w.origin, w.work_id, w.doi, coalesce(ca_title_key(w.title, w.year, ca_surname(a.author_name)), ''),
       w.updated_date
FROM works w LEFT JOIN authorships a ON a.wkey = w.wkey AND a.author_position = 1
"""

DATA_TABLES = ("works", "authorships", "affiliations", "author_countries", "institutions")


class StorePathError(StoreError, UserError):
    """A ``--store`` path that is not a store (a directory, another kind of file, a wrong suffix): the
    user's to fix (exit 2)."""


class StoreMissingError(StoreError, NotFoundError):
    """A store file that does not exist (exit 2, HTTP 404)."""




#: the extensions a new store file may have (an existing store is recognised by its header instead)
STORE_SUFFIXES = (".duckdb", ".db", ".ddb")
#: a DuckDB database file holds these bytes at offset 8
DUCKDB_MAGIC = b"DUCK"


def check_store_path(target: str) -> None:
    """Refuse a store path that would not be a DuckDB database: DuckDB opens any other existing file
    (a CSV, JSON or Parquet file given to ``--store`` by mistake) as an in-memory database, so an
    ingest would "succeed" and save nothing. An existing file must carry the DuckDB header (``DUCK``
    at offset 8); a file that does not exist yet must end in .duckdb, .db or .ddb."""
    path = Path(target)
    if path.is_dir():
        raise StorePathError(f"store {target} is a directory; give a DuckDB file, e.g. --store {path / 'atlas.duckdb'}")
    if path.exists():
        try:
            with open(path, "rb") as fh:
                head = fh.read(12)
        except OSError as exc:
            raise StoreError(f"cannot open store {target}: {exc.strerror or exc}") from exc
        if len(head) < 12 or head[8:12] != DUCKDB_MAGIC:
            raise StorePathError(f"store {target} is not a DuckDB database (no DuckDB header; empty, truncated or "
                             f"another kind of file); it is left untouched: give a .duckdb store, "
                             f"e.g. --store atlas.duckdb")
    elif path.suffix.lower() not in STORE_SUFFIXES:
        raise StorePathError(f"store {target}: a new store file must end in {', '.join(STORE_SUFFIXES)} "
                         f"(e.g. {path.with_suffix('.duckdb')}); is {path.name} an input file given to --store?")


def connect(path: str | os.PathLike | None, settings: EngineSettings | None = None,
            read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open (and if needed create) a store; ``None`` or ``":memory:"`` gives an in-memory store.
    A path that is not a DuckDB database is refused (:func:`check_store_path`). While another process
    holds the store's lock the open is tried again for up to ``settings.store_wait`` seconds
    (``$COLLABATLAS_STORE_WAIT``), then :class:`StoreBusyError` names that process."""
    settings = settings or EngineSettings()
    target = ":memory:" if path in (None, ":memory:") else str(Path(path))
    if read_only and target != ":memory:" and not Path(target).exists():
        raise StoreMissingError(f"store {target} does not exist; run `collabatlas ingest PATH --store {target}` first")
    if target != ":memory:":
        check_store_path(target)
    con = _open(target, read_only, settings.store_wait)
    con.execute("SET enable_progress_bar = false")  # the CLI draws its own
    # metrics never rely on row order (results are sorted at the end); about 20% faster on large
    # outputs. Ingest turns it back on while it reads files (record numbers come from row order).
    con.execute("SET preserve_insertion_order = false")
    if settings.memory_limit:
        con.execute(f"SET memory_limit = '{settings.memory_limit}'")
    if settings.threads:
        con.execute(f"SET threads = {int(settings.threads)}")
    if settings.temp_directory:
        from collabatlas.escaping import sql_string

        con.execute(f"SET temp_directory = {sql_string(settings.temp_directory)}")
    try:
        if not read_only:
            ensure_schema(con)
        elif target != ":memory:":
            _check_schema(con, target)
    except DAMAGE_ERRORS as exc:  # a truncated file or a corrupt block
        con.close()
        raise StoreError(damaged_message(target, exc)) from exc
    return con


def _open(target: str, read_only: bool, wait: float) -> duckdb.DuckDBPyConnection:
    """``duckdb.connect``; while another process holds the store's lock, tried again for up to
    ``wait`` seconds (:func:`~collabatlas.store.busy.retry_delays`), then :class:`StoreBusyError`."""
    delays = retry_delays(wait)
    while True:
        try:
            return duckdb.connect(target, read_only=read_only)
        except duckdb.Error as exc:  # locked by another process, not a DuckDB file, ...
            busy = busy_message(target, exc)
            if not busy:
                raise StoreError(f"cannot open store {target}: {exc}") from exc
            pause = next(delays, None)
            if pause is None:
                raise StoreBusyError(waited_message(busy, wait) if wait else busy) from exc
            time.sleep(pause)


#: what DuckDB raises on a store file it cannot read or write (truncated, corrupt block, disk full)
DAMAGE_ERRORS = (duckdb.IOException, duckdb.SerializationException)


def damaged_message(target: str, exc: BaseException) -> str:
    """The one-line message for a :data:`DAMAGE_ERRORS` exception on store ``target``."""
    first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return (f"store {target}: DuckDB could not read or write the file ({first}); it may be truncated or "
            f"damaged, or the disk full: free space, or restore the file from a copy or rebuild it with "
            f"`collabatlas ingest`")


def _check_schema(con: duckdb.DuckDBPyConnection, target: str) -> None:
    """A store opened read-only cannot be upgraded: an older schema is an error that says what to do."""
    try:
        version = meta_get(con, "schema_version")
    except duckdb.Error:  # no store_meta: not a collabatlas store (queries will say so)
        return
    if version is not None and version != SCHEMA_VERSION:
        con.close()
        raise StoreError(f"store {target} has schema version {version}, this collabatlas uses {SCHEMA_VERSION}: "
                         f"open it once for writing to upgrade it, e.g. `collabatlas refresh --store {target}`")


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """BEGIN … COMMIT, or ROLLBACK when anything (including KeyboardInterrupt) escapes."""
    con.execute("BEGIN TRANSACTION")
    try:
        yield
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise


@contextmanager
def settings(con: duckdb.DuckDBPyConnection, values: dict[str, str]) -> Iterator[None]:
    """DuckDB settings (``SET key = value``) for the block; the previous values are restored after."""
    previous = {k: con.execute(f"SELECT current_setting('{k}')").fetchone()[0] for k in values}
    for key, value in values.items():
        con.execute(f"SET {key} = '{value}'")
    try:
        yield
    finally:
        for key, value in previous.items():
            con.execute(f"SET {key} = '{value}'")


def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(SCHEMA_SQL)
    version = meta_get(con, "schema_version")
    if version is None:
        meta_set(con, "schema_version", SCHEMA_VERSION)
        meta_set(con, "data_version", "0")
    elif version in ("3", "4", "5", "6", "7", "8"):
        if version == "3":  # version 4 added work_sources: fill it from the stored works
            install_macros(con)
            con.execute(WORK_SOURCES_FROM_WORKS_SQL)
        # version 5 added institutions.ror_type (filled by the next ingest, `ror load` or `refresh`)
        con.execute("ALTER TABLE institutions ADD COLUMN IF NOT EXISTS ror_type VARCHAR")
        # version 6 added institution_geo (created by SCHEMA_SQL above): ROR coordinates come with the
        # next `ror load`, OpenAlex ones with the next ingest of institution entity records
        # version 7 added works.subject_origin: 'openalex' for the stored OpenAlex works with a subject;
        # export works get their crosswalk subject when their files are ingested into a new store
        con.execute("ALTER TABLE works ADD COLUMN IF NOT EXISTS subject_origin VARCHAR")
        con.execute("UPDATE works SET subject_origin = 'openalex' "
                    "WHERE origin = 'openalex' AND domain_id IS NOT NULL AND subject_origin IS NULL")
        # version 8 added works.issn_l and works.issns (empty for the works stored before: an ingest
        # into a new store reads them; a re-ingest into this one keeps the stored rows as they are)
        con.execute("ALTER TABLE works ADD COLUMN IF NOT EXISTS issn_l VARCHAR")
        con.execute("ALTER TABLE works ADD COLUMN IF NOT EXISTS issns VARCHAR[]")
        # version 9 added works.citations, fwci and top10 (empty for the works stored before, like the
        # ISSNs: no counted figure changes; `impact` says how many works have them)
        con.execute("ALTER TABLE works ADD COLUMN IF NOT EXISTS citations BIGINT")
        con.execute("ALTER TABLE works ADD COLUMN IF NOT EXISTS fwci DOUBLE")
        con.execute("ALTER TABLE works ADD COLUMN IF NOT EXISTS top10 BOOLEAN")
        meta_set(con, "schema_version", SCHEMA_VERSION)
    elif version != SCHEMA_VERSION:
        raise StoreError(f"store schema version {version}, this collabatlas expects {SCHEMA_VERSION}")


def meta_get(con: duckdb.DuckDBPyConnection, key: str) -> str | None:
    row = con.execute("SELECT value FROM store_meta WHERE key = ?", [key]).fetchone()
    return None if row is None else row[0]


def meta_set(con: duckdb.DuckDBPyConnection, key: str, value: str) -> None:
    con.execute("DELETE FROM store_meta WHERE key = ?", [key])
    con.execute("INSERT INTO store_meta (key, value) VALUES (?, ?)", [key, value])


def data_version(con: duckdb.DuckDBPyConnection) -> int:
    """A counter bumped by every committed change; caches key on it."""
    value = meta_get(con, "data_version")
    return int(value) if value is not None else 0


def table_counts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    return {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in DATA_TABLES}
