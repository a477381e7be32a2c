"""OpenAlex institution records as registry records (``collabatlas ror load``, issue 29).

A user who has OpenAlex institutions — a snapshot's ``institutions/`` entities, API pages, single entity
files or a flat CSV (``openalex_id, display_name, country_code, type, …, ror_id``, as
the OpenAlex top-10k export ``openalex_institutions_top10k_2025-01.csv.gz``) — can load them beside ROR
dumps. The
registry is the union of the files, merged by ROR id (:func:`collabatlas.affiliations.ror.load_ror`): a
ROR record wins over an OpenAlex one for the same id (it carries aliases, acronyms and relations); an
OpenAlex record adds the organisations the ROR files lack. Each record keeps the files it was found in.

An OpenAlex institution without a ROR id is skipped (counted, with its line): the registry is keyed by
ROR id. Types are OpenAlex's, which are ROR's vocabulary (education, healthcare, company, …).
OpenAlex's ``works_count`` is kept (``ror_institutions.works_count``) even when a ROR record of the same id
wins: the matcher's abstain rule uses it as a size prior (docs/affiliations.md).
"""

from __future__ import annotations

from collabatlas.affiliations.ror_record import RorRecord, coordinates, short_ror

#: the header columns that mark an OpenAlex institutions CSV
CSV_COLUMNS = ("openalex_id", "ror_id")


def is_openalex_csv(header: list[str]) -> bool:
    return all(column in header for column in CSV_COLUMNS)


def is_openalex_json(obj: dict) -> bool:
    """An OpenAlex institution entity (``https://openalex.org/I…`` id)."""
    return "openalex.org/" in str(obj.get("id") or "") or str(obj.get("id") or "").startswith("I")


def _record(ror: str | None, name: str | None, country: str | None, type_: str | None, city: str | None,
            names: list[tuple[str, str, str | None]], lat=None, lon=None, works=None) -> RorRecord:
    if not ror:
        raise ValueError("ror_id: missing (an OpenAlex institution without a ROR id)")
    return RorRecord(ror_id=short_ror(ror), name=name or None, status="active",
                     types=[type_.strip().lower()] if type_ and type_.strip() else [],
                     country_code=(country or "").strip().upper() or None, country_name=None, city=city or None,
                     established=None, last_modified=None, schema="openalex",
                     names=[n for n in names if n[0]], relations=[], works_count=works_count(works),
                     **coordinates(lat, lon))


def works_count(value) -> int | None:
    """OpenAlex's ``works_count`` as a count (a whole number ≥ 0), else None (absent or not a count)."""
    if value is None or isinstance(value, bool):
        return None
    try:
        number = float(str(value).strip())
        return int(number) if number >= 0 and number == int(number) else None
    except (ValueError, OverflowError):  # not a number, infinite
        return None


def from_csv_row(row: dict) -> RorRecord:
    """One row of an OpenAlex institutions CSV."""
    name = (row.get("display_name") or "").strip()
    return _record(row.get("ror_id"), name, row.get("country_code"), row.get("type"), None,
                   [(name, "ror_display", None)], works=row.get("works_count"))


def from_json(obj: dict) -> RorRecord:
    """One OpenAlex institution entity (snapshot line, API result or entity file)."""
    name = (obj.get("display_name") or "").strip()
    geo = obj.get("geo") or {}
    names = [(name, "ror_display", None)]
    names += [(a, "alias", None) for a in obj.get("display_name_alternatives") or [] if isinstance(a, str)]
    names += [(a, "acronym", None) for a in obj.get("display_name_acronyms") or [] if isinstance(a, str)]
    return _record(obj.get("ror"), name, obj.get("country_code") or geo.get("country_code"), obj.get("type"),
                   geo.get("city"), names, geo.get("latitude"), geo.get("longitude"), obj.get("works_count"))
