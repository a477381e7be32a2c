"""The ROR registry (https://ror.org) in the store: load a dump, look institutions up.

Accepted dumps, detected from the content (not the file name), plain or gzip, or inside the
official ``.zip`` release:

- ROR schema v2 JSON: one record per line (JSON Lines) or the official dump's single JSON array;
- ROR schema v1 JSON: the same two layouts (``name``/``aliases``/``acronyms``/``labels``/``addresses``);
- CSV: a flat CSV of ROR records (``ror_id,name,status,types,country_code,city,aliases,
  labels,acronyms,parent,child,related,...``, ``|``-separated lists) and the official v2 CSV
  (``id,names.types.ror_display,locations.geonames_details.country_code,relationships,...``).

Three tables, created here and replaced as a whole by every load (one transaction):

- ``ror_institutions``: one row per organisation (id, name, status, types, country, city, established,
  coordinates of the first location: ``lat`` / ``lon``, which :mod:`collabatlas.affiliations.geo` gives institutions);
- ``ror_names``: every name with its kind (``ror_display``, ``label``, ``alias``, ``acronym``) and language;
- ``ror_relations``: ``parent`` / ``child`` / ``related`` / ``successor`` / ``predecessor`` links.

ROR ids are stored short (``03vek6s52``), as the store keeps OpenAlex's ``institutions.ror``.
"""

from __future__ import annotations

import csv
import gzip
import io
import re
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import orjson
import pandas as pd

from collabatlas.affiliations import registry_openalex
from collabatlas.affiliations.ror_lookup import (  # noqa: F401 - re-exported: the registry read back
    ancestors,
    institution_rows,
    primary_type,
    ror_loaded,
)
from collabatlas.affiliations.ror_record import RorRecord, coordinates, short_ror
from collabatlas.errors import RorError
from collabatlas.sources.textread import allow_large_csv_fields
from collabatlas.store import schema as store

ROR_SCHEMA_SQL = """
CREATE TABLE IF NOT EXISTS ror_institutions (
    ror_id VARCHAR NOT NULL,       -- short id, e.g. 03vek6s52
    name VARCHAR NOT NULL,         -- ror_display name (v2) / name (v1)
    status VARCHAR,
    types VARCHAR[],               -- lower case, in the registry's order
    country_code VARCHAR,
    country_name VARCHAR,
    city VARCHAR,
    established INTEGER,
    last_modified VARCHAR,
    schema VARCHAR,                -- v1 / v2 / csv
    source VARCHAR,                -- file:line the record was read from
    lat DOUBLE,                    -- the first location's coordinates (v2 geonames_details lat/lng, v1
    lon DOUBLE                     -- addresses[0].lat/lng, official CSV); NULL when absent or out of range
);
CREATE TABLE IF NOT EXISTS ror_names (
    ror_id VARCHAR NOT NULL,
    name VARCHAR NOT NULL,
    kind VARCHAR NOT NULL,         -- ror_display / label / alias / acronym
    lang VARCHAR
);
CREATE TABLE IF NOT EXISTS ror_relations (
    ror_id VARCHAR NOT NULL,
    relation VARCHAR NOT NULL,     -- parent / child / related / successor / predecessor
    target_id VARCHAR NOT NULL
);
CREATE TABLE IF NOT EXISTS ror_sources (
    source VARCHAR NOT NULL,       -- a file given to `ror load` (zip!member for a release zip)
    format VARCHAR NOT NULL,       -- ROR v2 / v1 JSON, ROR CSV, OpenAlex JSON / CSV
    records_read BIGINT NOT NULL,
    skipped BIGINT NOT NULL,
    organisations BIGINT NOT NULL, -- ids found in this file (valid records)
    kept BIGINT NOT NULL           -- ids whose stored record comes from this file
);
"""
ROR_TABLES = ("ror_institutions", "ror_names", "ror_relations", "ror_sources")
#: which record wins when several files hold the same ROR id: a ROR record over an OpenAlex one, then the
#: newest ``last_modified``, then the first seen
SCHEMA_RANK = {"openalex": 0}
RELATIONS = ("parent", "child", "related", "successor", "predecessor")
NAME_KINDS = ("ror_display", "label", "alias", "acronym")
_ROR_ID = re.compile(r"^0[a-hj-km-np-tv-z0-9]{6}[0-9]{2}$")


@dataclass
class RorLoadReport:
    files: list[str] = field(default_factory=list)
    formats: dict[str, str] = field(default_factory=dict)
    records_read: int = 0
    loaded: int = 0
    duplicates: int = 0          # same id seen again: the newest last_modified is kept
    skipped: list[tuple[str, str]] = field(default_factory=list)   # (file:line, reason)
    names: int = 0
    relations: int = 0
    #: institutions whose sector now comes from (or no longer comes from) their ROR type
    sector_types_changed: int = 0
    #: institutions whose coordinates changed (ROR fills those without OpenAlex ones; collabatlas.affiliations.geo)
    coordinates_changed: int = 0
    #: per file: format, records read, skipped, ids found, ids whose kept record comes from it
    sources: dict[str, dict] = field(default_factory=dict)
    #: export addresses re-attributed after the load (collabatlas.affiliations.reattribute)
    addresses_moved: int = 0
    works_moved: int = 0
    institutions_added: int = 0
    addresses_unknown: int = 0   # address-only institutions ingested before their addresses were kept

    def summary(self) -> pd.DataFrame:
        rows = [("files", len(self.files)), ("records read", self.records_read),
                ("organisations loaded", self.loaded), ("duplicate ids (newest kept)", self.duplicates),
                ("records skipped", len(self.skipped)), ("names", self.names), ("relations", self.relations),
                ("institutions whose sector comes from ROR (changed)", self.sector_types_changed),
                ("institutions whose coordinates come from ROR (changed)", self.coordinates_changed),
                ("export addresses now matched to an institution", self.addresses_moved),
                ("works whose institutions changed", self.works_moved),
                ("institutions added by those matches", self.institutions_added)]
        return pd.DataFrame(rows, columns=["item", "value"])


# ---------------------------------------------------------------- reading files

def _open_text(path: Path) -> Iterator[tuple[str, str]]:
    """(name, text) of a file, gunzipped; for a zip, its JSON member (v2 preferred) else its CSV."""
    data = path.read_bytes()
    if data[:2] == b"\x1f\x8b":
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError) as exc:
            raise RorError(f"{path}: broken gzip file ({exc})") from exc
    if data[:4] == b"PK\x03\x04":
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            members = [m for m in zf.namelist() if m.endswith((".json", ".csv"))]
            members.sort(key=lambda m: (not m.endswith(".json"), "v2" not in m, m))
            if not members:
                raise RorError(f"{path}: zip file without a .json or .csv member")
            yield f"{path}!{members[0]}", zf.read(members[0]).decode("utf-8-sig", errors="replace")
        return
    try:
        yield str(path), data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise RorError(f"{path}: not UTF-8 text (byte {exc.start})") from exc


def detect_format(text: str) -> str:
    """``json-array``, ``jsonl`` or ``csv`` from the first non-blank character."""
    head = text.lstrip()[:1]
    if head == "[":
        return "json-array"
    if head == "{":
        return "jsonl"
    return "csv"


def _validate(rec: RorRecord) -> str | None:
    if not _ROR_ID.match(rec.ror_id or ""):
        return f"id: not a ROR id: {rec.ror_id!r}"
    if not rec.name:
        return "name: missing"
    if rec.country_code is not None and not re.fullmatch(r"[A-Z]{2}", rec.country_code):
        return f"country_code: not an ISO 3166-1 alpha-2 code: {rec.country_code!r}"
    for relation, target in rec.relations:
        if not _ROR_ID.match(target or ""):
            return f"relationships: {relation} target is not a ROR id: {target!r}"
    return None


def _int_or_none(value, what: str) -> int | None:
    if value in (None, ""):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ValueError(f"{what}: not a year: {value!r}") from None


def _from_v2(obj: dict) -> RorRecord:
    names = [(n["value"], kind, n.get("lang")) for n in obj.get("names") or [] for kind in n.get("types") or []
             if kind in NAME_KINDS]
    display = next((n for n, kind, _ in names if kind == "ror_display"), None)
    geo = ((obj.get("locations") or [{}])[0] or {}).get("geonames_details") or {}
    return RorRecord(
        ror_id=short_ror(obj.get("id")), name=display, status=obj.get("status"),
        types=[str(t).lower() for t in obj.get("types") or []],
        country_code=geo.get("country_code"), country_name=geo.get("country_name"), city=geo.get("name"),
        established=_int_or_none(obj.get("established"), "established"),
        last_modified=((obj.get("admin") or {}).get("last_modified") or {}).get("date"), schema="v2",
        names=names, relations=[(r["type"].lower(), short_ror(r.get("id"))) for r in obj.get("relationships") or []],
        **coordinates(geo.get("lat"), geo.get("lng")))


def _from_v1(obj: dict) -> RorRecord:
    names = [(obj.get("name"), "ror_display", None)]
    names += [(a, "alias", None) for a in obj.get("aliases") or []]
    names += [(a, "acronym", None) for a in obj.get("acronyms") or []]
    names += [(lab.get("label"), "label", lab.get("iso639")) for lab in obj.get("labels") or []]
    address = (obj.get("addresses") or [{}])[0] or {}
    country = obj.get("country") or {}
    return RorRecord(
        ror_id=short_ror(obj.get("id")), name=obj.get("name"), status=obj.get("status"),
        types=[str(t).lower() for t in obj.get("types") or []],
        country_code=country.get("country_code"), country_name=country.get("country_name"),
        city=address.get("city") or (address.get("geonames_city") or {}).get("city"),
        established=_int_or_none(obj.get("established"), "established"), last_modified=None, schema="v1",
        names=[n for n in names if n[0]],
        relations=[(r["type"].lower(), short_ror(r.get("id"))) for r in obj.get("relationships") or []],
        **coordinates(address.get("lat"), address.get("lng")))


def _record_from_json(obj) -> RorRecord:
    if not isinstance(obj, dict):
        raise ValueError(f"record: expected a JSON object, got {type(obj).__name__}")
    if "id" not in obj:
        raise ValueError("id: missing")
    if isinstance(obj.get("names"), list):
        return _from_v2(obj)
    if "name" in obj:
        return _from_v1(obj)
    if registry_openalex.is_openalex_json(obj):
        return registry_openalex.from_json(obj)
    raise ValueError("names: neither a v2 'names' list nor a v1 'name' nor an OpenAlex institution")


def _split(value: str | None, sep: str = "|") -> list[str]:
    return [v.strip() for v in (value or "").split(sep) if v.strip()]


def _from_flat_csv(row: dict) -> RorRecord:
    names = [(row.get("name"), "ror_display", None)]
    for kind, column in (("alias", "aliases"), ("label", "labels"), ("acronym", "acronyms")):
        names += [(v, kind, None) for v in _split(row.get(column))]
    relations = [(rel, short_ror(v)) for rel in RELATIONS for v in _split(row.get(rel))]
    return RorRecord(
        ror_id=short_ror(row.get("ror_id")), name=row.get("name") or None, status=row.get("status") or None,
        types=[t.lower() for t in _split(row.get("types"))], country_code=row.get("country_code") or None,
        country_name=row.get("country_name") or None, city=row.get("city") or None,
        established=_int_or_none(row.get("established"), "established"),
        last_modified=row.get("last_modified") or None, schema="csv", names=[n for n in names if n[0]],
        relations=relations)


def _from_official_csv(row: dict) -> RorRecord:
    """The official v2 CSV: ``;``-separated lists, labels as ``lang: value``, relationships as ``type: url``."""
    names = [(row.get("names.types.ror_display"), "ror_display", row.get("ror_display_lang") or None)]
    for kind in ("alias", "acronym", "label"):
        for value in _split(row.get(f"names.types.{kind}"), ";"):
            lang, sep, text = value.partition(": ")
            names.append((text, kind, lang) if sep and len(lang) <= 3 else (value, kind, None))
    relations = []
    for value in _split(row.get("relationships"), ";"):
        relation, _, target = value.partition(": ")
        relations.append((relation.strip().lower(), short_ror(target)))
    return RorRecord(
        ror_id=short_ror(row.get("id")), name=row.get("names.types.ror_display") or None,
        status=row.get("status") or None, types=[t.lower() for t in _split(row.get("types"), ";")],
        country_code=(_split(row.get("locations.geonames_details.country_code"), ";") or [None])[0],
        country_name=(_split(row.get("locations.geonames_details.country_name"), ";") or [None])[0],
        city=(_split(row.get("locations.geonames_details.name"), ";") or [None])[0],
        established=_int_or_none(row.get("established"), "established"),
        last_modified=row.get("admin.last_modified.date") or None, schema="csv-v2",
        names=[n for n in names if n[0]], relations=relations,
        **coordinates((_split(row.get("locations.geonames_details.lat"), ";") or [None])[0],
                       (_split(row.get("locations.geonames_details.lng"), ";") or [None])[0]))


def read_records(path: str | Path, report: RorLoadReport) -> Iterator[RorRecord]:
    """Valid records of one dump; each bad one is added to ``report.skipped`` as (file:line, reason)."""
    path = Path(path)
    if not path.exists():
        raise RorError(f"{path}: no such file")
    for name, text in _open_text(path):
        fmt = detect_format(text)
        report.files.append(name)
        report.formats[name] = fmt
        if fmt == "json-array":
            try:
                items = orjson.loads(text)
            except orjson.JSONDecodeError as exc:
                raise RorError(f"{name}: malformed JSON array: {exc}") from exc
            entries = ((f"{name}:record {i + 1}", lambda obj=obj: _record_from_json(obj))
                       for i, obj in enumerate(items))
        elif fmt == "jsonl" and (page := _api_page(text)) is not None:
            report.formats[name] = "json-page"  # an OpenAlex API page or entity file: one JSON object
            entries = ((f"{name}:result {i + 1}", lambda obj=obj: _record_from_json(obj))
                       for i, obj in enumerate(page))
        elif fmt == "jsonl":
            entries = ((f"{name}:{i + 1}", lambda line=line: _record_from_json(orjson.loads(line)))
                       for i, line in enumerate(text.splitlines()) if line.strip())
        else:
            entries = _csv_entries(name, text)
        read, skipped = report.records_read, len(report.skipped)
        yield from _checked(entries, report)
        report.sources[name] = {"format": report.formats[name], "records_read": report.records_read - read,
                                "skipped": len(report.skipped) - skipped, "schemas": set(), "ids": set()}


def _api_page(text: str) -> list | None:
    """The records of a file holding one JSON object spread over lines: an OpenAlex API page (its
    ``results``) or a single entity; None for JSON Lines."""
    first = next((line for line in text.splitlines() if line.strip()), "")
    try:
        orjson.loads(first)
        return None  # the first line is a whole record: JSON Lines
    except orjson.JSONDecodeError:
        pass
    try:
        obj = orjson.loads(text)
    except orjson.JSONDecodeError:
        return None  # reported line by line
    if isinstance(obj, dict) and isinstance(obj.get("results"), list):
        return obj["results"]
    return [obj]


def _csv_entries(name: str, text: str) -> Iterator[tuple[str, Callable[[], RorRecord]]]:
    allow_large_csv_fields()  # a long names/aliases cell must not abort the load (the readers' limit)
    reader = csv.reader(io.StringIO(text))
    header = next(reader, None)
    if not header:
        raise RorError(f"{name}: empty file")
    if registry_openalex.is_openalex_csv(header):
        convert = registry_openalex.from_csv_row
    elif "ror_id" in header:
        convert = _from_flat_csv
    elif "id" in header and "names.types.ror_display" in header:
        convert = _from_official_csv
    else:
        raise RorError(f"{name}: not a ROR dump (JSON, or CSV with a 'ror_id' or 'id' column) nor an OpenAlex "
                       f"institutions CSV ('openalex_id' and 'ror_id' columns); "
                       f"header starts {header[:4]}")
    for row in reader:
        where = f"{name}:{reader.line_num}"
        if len(row) != len(header):
            yield where, lambda message=f"row: {len(row)} columns, the header has {len(header)}": _reject(message)
            continue
        yield where, lambda row=row: convert(dict(zip(header, row, strict=False)))


def _reject(message: str) -> RorRecord:
    raise ValueError(message)


def _checked(entries: Iterable[tuple[str, Callable[[], RorRecord]]], report: RorLoadReport) -> Iterator[RorRecord]:
    for where, make in entries:
        report.records_read += 1
        try:
            rec = make()
        except orjson.JSONDecodeError as exc:
            report.skipped.append((where, f"malformed JSON: {exc}"))
            continue
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            report.skipped.append((where, str(exc)))
            continue
        problem = _validate(rec)
        if problem:
            report.skipped.append((where, problem))
            continue
        rec.source = where
        yield rec


# ---------------------------------------------------------------- the store

def ensure_ror_schema(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(ROR_SCHEMA_SQL)
    for column in ("lat", "lon"):  # a registry loaded before coordinates were kept (store schema 6)
        con.execute(f"ALTER TABLE ror_institutions ADD COLUMN IF NOT EXISTS {column} DOUBLE")
    # the files each record was found in (issue 29: the registry as a union of sources)
    con.execute("ALTER TABLE ror_institutions ADD COLUMN IF NOT EXISTS sources VARCHAR[]")
    # the works an OpenAlex institutions file counts for the id (a size prior of the matcher; NULL without one)
    con.execute("ALTER TABLE ror_institutions ADD COLUMN IF NOT EXISTS works_count BIGINT")


def _file_of(where: str) -> str:
    """The file of a record's ``file:line`` (or ``file:record N``) source."""
    return where.rsplit(":", 1)[0]


def _rank(rec: RorRecord) -> tuple[int, str]:
    """The record kept for an id seen in several files: a ROR record over an OpenAlex one, then the newest."""
    return SCHEMA_RANK.get(rec.schema, 1), rec.last_modified or ""


_SCHEMA_LABELS = {"v2": "ROR v2 JSON", "v1": "ROR v1 JSON", "csv": "ROR flat CSV", "csv-v2": "ROR v2 CSV",
                  "openalex": "OpenAlex institutions"}


def _format_label(info: dict) -> str:
    schemas = sorted(info["schemas"]) or ["(no valid record)"]
    layout = {"json-array": "array", "jsonl": "lines", "json-page": "page", "csv": "csv"}.get(info["format"], "")
    return " + ".join(_SCHEMA_LABELS.get(s, s) for s in schemas) + f" ({layout})"


def load_ror(con: duckdb.DuckDBPyConnection, paths: Iterable[str | Path],
             progress: Callable[[int], None] | None = None, reattribute_addresses: bool = True) -> RorLoadReport:
    """Replace the store's ROR registry with the records of ``paths`` (one transaction).

    The same id in several files (or twice in one) is kept once: the newest ``last_modified`` wins,
    then the first seen. Bad records are skipped and listed in the report with file:line and field.
    """
    report = RorLoadReport()
    records: dict[str, RorRecord] = {}
    found: list[tuple[str, str, str]] = []  # (file, id, schema) of every valid record
    works: dict[str, int] = {}  # id → the largest works_count of its records (OpenAlex's), whichever record wins
    for path in paths:
        for rec in read_records(path, report):
            found.append((_file_of(rec.source), rec.ror_id, rec.schema))
            if rec.works_count is not None:
                works[rec.ror_id] = max(works.get(rec.ror_id, 0), rec.works_count)
            old = records.get(rec.ror_id)
            if old is not None:
                report.duplicates += 1
                if _rank(rec) <= _rank(old):
                    continue
            records[rec.ror_id] = rec
            if progress and report.records_read % 5000 == 0:
                progress(report.records_read)
    sources: dict[str, set[str]] = {}
    for file, rid, schema in found:
        report.sources[file]["schemas"].add(schema)
        report.sources[file]["ids"].add(rid)
        sources.setdefault(rid, set()).add(file)
    kept = {file: 0 for file in report.sources}
    for rec in records.values():
        kept[_file_of(rec.source)] += 1
    source_rows = pd.DataFrame(
        [(file, _format_label(info), info["records_read"], info["skipped"], len(info["ids"]), kept[file])
         for file, info in report.sources.items()],
        columns=["source", "format", "records_read", "skipped", "organisations", "kept"])
    inst = pd.DataFrame([(r.ror_id, r.name, r.status, r.types, r.country_code, r.country_name, r.city,
                          r.established, r.last_modified, r.schema, r.source, r.lat, r.lon,
                          sorted(sources[r.ror_id]), works.get(r.ror_id)) for r in records.values()],
                        columns=["ror_id", "name", "status", "types", "country_code", "country_name", "city",
                                 "established", "last_modified", "schema", "source", "lat", "lon", "sources",
                                 "works_count"])
    inst[["lat", "lon"]] = inst[["lat", "lon"]].astype("float64")
    inst["established"] = inst["established"].astype("Int64")
    inst["works_count"] = inst["works_count"].astype("Int64")
    names = pd.DataFrame(sorted({(r.ror_id, n, k, lang) for r in records.values() for n, k, lang in r.names},
                                key=lambda x: (x[0], NAME_KINDS.index(x[2]), x[1], x[3] or "")),
                         columns=["ror_id", "name", "kind", "lang"])
    rels = pd.DataFrame(sorted({(r.ror_id, rel, t) for r in records.values() for rel, t in r.relations}),
                        columns=["ror_id", "relation", "target_id"])
    with store.transaction(con):
        ensure_ror_schema(con)
        for table, frame in (("ror_institutions", inst), ("ror_names", names), ("ror_relations", rels),
                             ("ror_sources", source_rows)):
            con.execute(f"DELETE FROM {table}")
            if len(frame):
                con.register("_ror_frame", frame)
                con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM _ror_frame")
                con.unregister("_ror_frame")
        store.meta_set(con, "ror_files", "; ".join(report.files))
        if reattribute_addresses:  # export addresses ingested before: matched again (issue 28)
            from collabatlas.affiliations.reattribute import reattribute

            for key, value in reattribute(con).items():
                setattr(report, key, value)
        report.sector_types_changed = apply_ror_types(con)
        report.coordinates_changed = apply_geo(con)
        if report.sector_types_changed or report.coordinates_changed or report.addresses_moved:  # counts change
            store.meta_set(con, "data_version", str(store.data_version(con) + 1))
    report.loaded, report.names, report.relations = len(inst), len(names), len(rels)
    return report


def apply_geo(con: duckdb.DuckDBPyConnection) -> int:
    """Institution coordinates (:func:`collabatlas.affiliations.geo.apply_geo`); here for ``load_ror``."""
    from collabatlas.affiliations.geo import apply_geo as apply

    return apply(con)


def apply_ror_types(con: duckdb.DuckDBPyConnection) -> int:
    """Give each institution whose OpenAlex type yields no sector (``funder``, which OpenAlex uses for
    many universities, or no type) the first of its ROR types that does, in ``institutions.ror_type``;
    clear it where that no longer applies. Returns how many institutions changed (0 without a ROR
    registry). Called at the end of every ingest and by ``ror load`` (docs/methodology.md, "Sectors")."""
    from collabatlas.counting.rules import SECTOR_OF_TYPE

    if not ror_loaded(con):
        return 0
    row = con.execute("""
        UPDATE institutions SET ror_type = n.ror_type
        FROM (SELECT i.ikey,
                     CASE WHEN i.type IS NULL OR lower(i.type) = 'funder'
                          THEN list_filter(r.types, lambda t: list_contains($types, t))[1] END AS ror_type
              FROM institutions i LEFT JOIN ror_institutions r ON r.ror_id = i.ror) n
        WHERE institutions.ikey = n.ikey AND institutions.ror_type IS DISTINCT FROM n.ror_type
    """, {"types": sorted(SECTOR_OF_TYPE)}).fetchone()
    return int(row[0]) if row else 0


def ror_info(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Registry contents by type and status (empty frame when nothing is loaded)."""
    if not ror_loaded(con):
        return pd.DataFrame(columns=["type", "status", "organisations"])
    return con.execute("""
        WITH t AS (SELECT unnest(CASE WHEN len(types) = 0 THEN ['(none)'] ELSE types END) AS type, status
                   FROM ror_institutions)
        SELECT type, status, count(*) AS organisations FROM t GROUP BY ALL
        ORDER BY organisations DESC, type, status""").df()


def ror_sources(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """The files the registry was loaded from: format, records read and skipped, ids found, and ids whose
    stored record comes from the file (a ROR record wins over an OpenAlex one for the same id)."""
    columns = ["source", "format", "records_read", "skipped", "organisations", "kept"]
    exists = con.execute("SELECT count(*) FROM information_schema.tables WHERE table_name = 'ror_sources'"
                         ).fetchone()[0]
    if not ror_loaded(con) or not exists:
        return pd.DataFrame(columns=columns)
    return con.execute(f"SELECT {', '.join(columns)} FROM ror_sources ORDER BY rowid").df()
