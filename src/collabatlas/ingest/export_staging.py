"""Export records into the store: addresses cleaned and matched to ROR institutions (or kept as an address-only
pseudo-institution with its country), rows staged for the one-transaction merge."""

from __future__ import annotations

import gzip
import hashlib
import re
from collections.abc import Callable, Iterable
from pathlib import Path

import duckdb
import pyarrow as pa

from collabatlas.affiliations import reattribute
from collabatlas.counting.issn import INVALID_ISSN_WARNING, issn_values
from collabatlas.sources.export_readers import reader_for
from collabatlas.sources.exports import (
    ByteCounter,
    ExportRecord,
    Matcher,
)
from collabatlas.sources.ingest_report import FileStat, IngestReport
from collabatlas.sources.record import REASONS, check_export_record, country_code, normalise_doi
from collabatlas.sources.subject_crosswalk import subject_for

_ORG_WORDS = re.compile(
    r"univ|institut|inst\b|hosp|college|coll\b|academ|acad\b|cent(er|re)|ctr\b|laborat|lab\b|school|sch\b|"
    r"company|corp|inc\b|ltd|gmbh|council|agency|ministry|foundation|found\b|clinic|museum|observ", re.I)
_EMAIL = re.compile(r"\s*(electronic address:)?\s*\S+@\S+", re.I)


def clean_address(address: str) -> str:
    """Whitespace collapsed, e-mail addresses and trailing punctuation removed."""
    text = _EMAIL.sub("", address)
    return re.sub(r"\s+", " ", text).strip(" .;,")


def address_key(address: str) -> str:
    """``addr:`` + 12 hex digits of the SHA-1 of the normalised (lower-case, cleaned) address."""
    return "addr:" + hashlib.sha1(clean_address(address).lower().encode("utf-8")).hexdigest()[:12]


def organisation_part(address: str) -> str:
    """The address segment that names the organisation: the first comma-separated segment with an
    organisation word (University, Inst, Hosp, Ctr, …), else the first segment."""
    parts = [p.strip() for p in clean_address(address).split(",") if p.strip()]
    for part in parts:
        if _ORG_WORDS.search(part):
            return part
    return parts[0] if parts else address


def _institution_rows(con: duckdb.DuckDBPyConnection, ror_ids: list[str]) -> dict[str, dict]:
    """Store institution rows for ROR ids and for their ROR ancestors (so ``--rollup`` finds every
    lineage member), keyed by short ROR id; see :func:`collabatlas.affiliations.ror.institution_rows`."""
    from collabatlas.affiliations import ror

    return {str(row["ror"]).rsplit("/", 1)[-1]: row
            for row in ror.institution_rows(con, ror_ids, include_ancestors=True) if row.get("ror")}


class AddressResolver:
    """Resolves address strings once each (cached over the whole ingest) to institution rows."""

    def __init__(self, con: duckdb.DuckDBPyConnection, matcher: Matcher):
        self.con = con
        self.matcher = matcher
        self.resolved: dict[str, dict] = {}  # cleaned address -> institution row
        self.lineage_rows: dict[str, dict] = {}  # institution id -> row, for every ROR lineage member seen
        self.staged_institutions: set[str] = set()
        self.invalid_countries = 0  # matcher countries that are not ISO 3166-1 alpha-2 (treated as unknown)
        self.staged_addresses: set[tuple[str, str]] = set()  # (address-only institution id, address) kept
        # cleaned address -> rows of the further organisations it names (AffiliationMatch.others, issue 29): the
        # author is affiliated with each, so the author's part is split over them as over several addresses
        self.others: dict[str, list[dict]] = {}

    def resolve(self, addresses: Iterable[str]) -> None:
        todo = sorted({a for a in addresses if a not in self.resolved})
        if not todo:
            return
        matches = self.matcher.match_many(todo)
        ror_rows = _institution_rows(self.con, sorted({rid for m in matches
                                                       for rid in getattr(m, "ror_ids", (m.ror_id,)) if rid}))
        self.lineage_rows.update({row["institution_id"]: {**row, "origin": "ror"} for row in ror_rows.values()})
        for address, m in zip(todo, matches, strict=True):
            cc = country_code(m.country_code)
            if m.country_code is not None and cc is None:
                self.invalid_countries += 1
            if m.ror_id:
                row = ror_rows.get(m.ror_id) or {"institution_id": "ror:" + m.ror_id, "ror": m.ror_id,
                                                 "name": m.name, "country_code": cc,
                                                 "type": getattr(m, "ror_type", None), "lineage": None}
                row = {**row, "origin": "ror"}
            else:
                row = {"institution_id": address_key(address), "ror": None, "name": organisation_part(address),
                       "country_code": cc, "type": None, "lineage": None, "origin": "address"}
            self.resolved[address] = row
            others = [ror_rows[rid] for rid in getattr(m, "ror_ids", ())[1:] if rid in ror_rows]
            if others:
                self.others[address] = [{**r, "origin": "ror"} for r in others]


# --------------------------------------------------------------------------------------------
# staging

_WORK_COLUMNS = ("rid", "work_id", "doi", "title", "year", "pub_date", "type", "source_name", "n_authors",
                 "updated_date", "origin", "authors_truncated")


class ExportStager:
    """Stages export records into ``stage_*`` (see :mod:`collabatlas.ingest.staging`), in chunks."""

    CHUNK = 5000

    #: the warning an ingest of exports into a store without a ROR registry carries
    NO_ROR_WARNING = ("no ROR registry in the store: export addresses cannot be matched to institutions yet, so "
                      "their institution and sector levels are empty until `collabatlas ror load FILE` into this "
                      "store (it re-attributes the works already ingested; the ROR data dump: "
                      "https://zenodo.org/communities/ror-data)")

    def __init__(self, con: duckdb.DuckDBPyConnection, report: IngestReport, matcher: Matcher, first_rid: int):
        from collabatlas.affiliations.ror import ror_loaded

        self.con = con
        self.report = report
        self.resolver = AddressResolver(con, matcher)
        self.next_rid = first_rid
        self.no_ror = not ror_loaded(con)

    def _warn_no_ror(self, records: int) -> None:
        """Warn (once per ingest, counting records) when no address could reach a ROR institution."""
        if self.no_ror and records and not any(r["origin"] == "ror" for r in self.resolver.resolved.values()):
            if not self.report.warnings.get(self.NO_ROR_WARNING):
                self.report.note(self.NO_ROR_WARNING)
            self.report.warn(self.NO_ROR_WARNING, records)

    def stage_file(self, path: Path, fmt: str, progress: Callable[[int], None] | None = None) -> None:
        read = reader_for(fmt, path)
        counter = ByteCounter(path)
        stat = FileStat(path=str(path), entity=f"works ({fmt})", bytes=path.stat().st_size, reader=read.__name__)
        self.report.files.append(stat)
        chunk: list[ExportRecord] = []
        number = 0
        try:
            for record in read(path, self.report, counter):
                number += 1
                # the record contract (collabatlas.sources.record): a record it skips is counted there, and
                # like a record the parser skips it is not one of the file's staged records
                where = record.where or f"{path}: record {number}"
                if record.record_id:
                    where += f" ({record.record_id})"
                if not check_export_record(record, self.report, where):
                    continue
                stat.records += 1
                chunk.append(record)
                if len(chunk) >= self.CHUNK:
                    self._stage_chunk(chunk)
                    chunk = []
                    if progress:
                        progress(counter.pos)
            self._stage_chunk(chunk)
        except (OSError, EOFError, gzip.BadGzipFile) as exc:
            self._stage_chunk(chunk)
            self.report.skip("truncated or corrupt file", f"{path}: reading stopped after record {stat.records} "
                             f"({exc}); the rest of the file is lost")
        finally:
            counter.close()
        self.report.records_read += stat.records
        self.report.works_read += stat.records
        self._warn_no_ror(stat.records)
        if self.resolver.invalid_countries:
            self.report.warn(REASONS["address-country"], self.resolver.invalid_countries)
            self.resolver.invalid_countries = 0
        if progress:
            progress(stat.bytes)

    def _stage_chunk(self, records: list[ExportRecord]) -> None:
        if not records:
            return
        self.resolver.resolve(clean_address(a) for r in records for au in r.authors for a in au.addresses
                              if clean_address(a))
        # the text of every address-only institution, so that `ror load` can match it later (issue 28)
        reattribute.stage(self.con, sorted({(row["institution_id"], address) for address, row
                                            in self.resolver.resolved.items() if row["origin"] == "address"}
                                           - self.resolver.staged_addresses))
        self.resolver.staged_addresses.update((row["institution_id"], address) for address, row
                                              in self.resolver.resolved.items() if row["origin"] == "address")
        works, authorships, affiliations, countries = [], [], [], []
        used: dict[str, dict] = {}
        for rec in records:
            rid = self.next_rid
            self.next_rid += 1
            subject = subject_for(rec.origin, rec.wos_categories, rec.wos_areas, rec.asjc, rec.mesh)
            issn_l, issns, bad_issns = issn_values(rec.issns, rec.issn_l)
            if bad_issns:
                self.report.warn(INVALID_ISSN_WARNING, bad_issns)
            works.append({"rid": rid, "work_id": rec.record_id, "doi": normalise_doi(rec.doi), "title": rec.title,
                          "year": rec.year, "pub_date": rec.pub_date, "type": rec.type,
                          "source_name": rec.source_name, "n_authors": len(rec.authors),
                          "updated_date": rec.updated_date, "origin": rec.origin, "authors_truncated": False,
                          "domain_id": subject.domain_id, "domain": subject.domain,
                          "field_id": subject.field_id, "field": subject.field, "issn_l": issn_l, "issns": issns,
                          "citations": rec.citations})
            for pos, author in enumerate(rec.authors, start=1):
                insts = {}
                for address in author.addresses:
                    key = clean_address(address)
                    if key:
                        for row in (self.resolver.resolved[key], *self.resolver.others.get(key, ())):
                            insts[row["institution_id"]] = row
                ccs = sorted({r["country_code"] for r in insts.values() if r["country_code"]})
                authorships.append({"rid": rid, "work_id": rec.record_id, "author_position": pos,
                                    "author_id": None, "author_name": author.name,
                                    "n_institutions": len(insts), "n_countries": len(ccs)})
                for iid, row in insts.items():
                    affiliations.append({"rid": rid, "work_id": rec.record_id, "author_position": pos,
                                         "institution_id": iid})
                    used[iid] = row
                for cc in ccs:
                    countries.append({"rid": rid, "work_id": rec.record_id, "author_position": pos,
                                      "country_code": cc})
        for row in list(used.values()):  # the ancestors too, so a roll-up reaches the top of each lineage
            for ancestor in row.get("lineage") or ():
                if ancestor in self.resolver.lineage_rows:
                    used.setdefault(ancestor, self.resolver.lineage_rows[ancestor])
        fresh = [r for iid, r in used.items() if iid not in self.resolver.staged_institutions]
        if fresh:
            known = {row[0] for row in self.con.execute(
                "SELECT institution_id FROM institutions WHERE institution_id IN (SELECT unnest($ids))",
                {"ids": [r["institution_id"] for r in fresh]}).fetchall()}
            fresh = [r for r in fresh if r["institution_id"] not in known]
            self.resolver.staged_institutions.update(used)
        self._insert("stage_works", works)
        self._insert("stage_authorships", authorships)
        self._insert("stage_affiliations", affiliations)
        self._insert("stage_author_countries", countries)
        self._insert("stage_institutions", [{**r, "rid": None, "updated_date": None} for r in fresh])

    def _insert(self, table: str, rows: list[dict]) -> None:
        if not rows:
            return
        columns = [r[0] for r in self.con.execute(f"DESCRIBE {table}").fetchall()]
        names = [c for c in columns if c in rows[0]]
        data = pa.table({c: [r.get(c) for r in rows] for c in names})  # noqa: F841 (read by DuckDB)
        casts = ", ".join(f"CAST(data.{c} AS {t})" for c, t in self._types(table) if c in names)
        self.con.execute(f"INSERT INTO {table} ({', '.join(names)}) SELECT {casts} FROM data")

    def _types(self, table: str) -> list[tuple[str, str]]:
        return [(r[0], r[1]) for r in self.con.execute(f"DESCRIBE {table}").fetchall()]
