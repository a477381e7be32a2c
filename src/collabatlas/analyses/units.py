"""From the identifier a user has to the unit id the store counts: one resolver for the CLI, the API,
the report and the dashboard (:meth:`collabatlas.Atlas.resolve_unit`, :meth:`collabatlas.Atlas.find`).

- country: an ISO 3166-1 alpha-2 or alpha-3 code or a country name, any case (``JP``, ``jp``,
  ``JPN``, ``Japan``; :func:`collabatlas.refdata.country_names.country_code`);
- institution: the store's id (OpenAlex ``I27837315``, ``R`` + ROR id, ``addr:…``), an OpenAlex
  URL, a ROR id or ROR URL (``057zh3y96``, ``https://ror.org/057zh3y96``), or a name: an exact name
  (case-insensitive) when only one institution has it, else the only institution whose name contains
  the text; several: :class:`AmbiguousUnitError` lists them (id, name, country, works);
- sector: one of :data:`collabatlas.counting.rules.SECTORS`.

Every statement binds its parameters; ``run`` is the engine's ``(sql, params) -> DataFrame``.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pandas as pd

from collabatlas.counting import rules as counting
from collabatlas.counting.rules import CountingError, UnknownUnitError
from collabatlas.escaping import like_contains
from collabatlas.refdata.country_names import country_code

Run = Callable[[tuple[str, dict]], pd.DataFrame]

ROR_ID = re.compile(r"^0[a-z0-9]{6}[0-9]{2}$", re.IGNORECASE)
"""A ROR id: ``0``, six characters of Crockford base 32, two check digits."""
OPENALEX_ID = re.compile(r"^i[0-9]+$", re.IGNORECASE)
CANDIDATES = 10
"""Candidates listed when a name matches several institutions."""


class AmbiguousUnitError(CountingError):
    """A name matches several units; the message lists them so the user can pick an id."""


def _short(text: str) -> str:
    """The last path segment of a URL (``https://ror.org/057zh3y96`` → ``057zh3y96``), else the text."""
    if "://" in text or text.lower().startswith(("ror.org/", "openalex.org/")):
        return text.rstrip("/").rsplit("/", 1)[-1]
    return text


def resolve(run: Run, level: str, unit: str) -> str:
    """The store's id of ``unit`` at ``level``; raises :class:`UnknownUnitError` (nothing matches) or
    :class:`AmbiguousUnitError` (a name matches several institutions)."""
    unit = unit.strip() if isinstance(unit, str) else unit
    if not unit:
        raise CountingError(f"{level} {unit!r}: a {level} id is needed (it is empty or blank)")
    if level == "country":
        return resolve_country(run, unit)
    if level == "institution":
        return resolve_institution(run, unit)
    if unit.lower() in counting.SECTORS:
        return unit.lower()
    raise UnknownUnitError(f"unknown sector {unit!r}: expected one of {', '.join(counting.SECTORS)}")


def resolve_country(run: Run, text: str) -> str:
    code = country_code(text) or text.strip().upper()
    sql = ("SELECT 1 FROM author_countries WHERE country_code = $u "
           "UNION ALL SELECT 1 FROM institutions WHERE country_code = $u LIMIT 1")
    if run((sql, {"u": code})).empty:
        known = "" if country_code(text) else " (not a country code, ISO3 code or country name either)"
        shown = text.strip() if code == text.strip().upper() else f"{text.strip()} ({code})"
        raise UnknownUnitError(f"unknown country {shown!r}: not in this store{known}")
    return code


def _by_id(run: Run, text: str) -> str | None:
    short = _short(text)
    ids = {text, short}
    if OPENALEX_ID.match(short):
        ids.add(short.upper())
    if ROR_ID.match(short):
        ids.add(f"R{short.lower()}")
    params = {f"i{n}": value for n, value in enumerate(sorted(ids))}
    params["ror"] = short if ROR_ID.match(short) else ""
    found = run((f"SELECT unit_id FROM {counting.UNIT_IDS_SQL} u WHERE institution_id IN ({_marks(params, 'i')}) "
                 "OR unit_id IN (" + _marks(params, 'i') + ") OR lower(ror) = lower($ror) "
                 "ORDER BY institution_id LIMIT 1", params))
    return None if found.empty else str(found.iloc[0, 0])


def _marks(params: dict, prefix: str) -> str:
    """``$i0, $i1, …``: the placeholders of the parameters named ``prefix`` + a number."""
    return ", ".join(f"${name}" for name in params if name[len(prefix):].isdigit() and name.startswith(prefix))


def resolve_institution(run: Run, text: str) -> str:
    iid = _by_id(run, text)
    if iid is not None:
        return iid
    short = _short(text.strip())
    looks_like_id = bool(OPENALEX_ID.match(short) or ROR_ID.match(short)) or short != text.strip()
    found = institution_candidates(run, text, names_only=True) if not looks_like_id else None
    if found is None or found.empty:
        raise UnknownUnitError(f"unknown institution {text!r}: no institution matches it in this store (as an "
                               "OpenAlex id, ROR id or URL, or part of a name); `collabatlas find TEXT --level "
                               "institution` lists candidates")
    exact = found[found["name"].fillna("").str.lower() == text.strip().lower()]
    if len(exact) == 1 or len(found) == 1:
        return str((exact if len(exact) == 1 else found)["id"].iloc[0])
    raise AmbiguousUnitError(f"{text!r} matches several institutions; give one of these ids:\n"
                             + describe(found))


def describe(found: pd.DataFrame) -> str:
    """Candidates as lines ``id  name (country, N works)`` for a message."""
    return "\n".join(f"  {r.id}  {r.name} ({r.country or 'country unknown'}, {int(r.works):,} works)"
                     for r in found.itertuples(index=False))


def institution_candidates(run: Run, text: str, limit: int = CANDIDATES, names_only: bool = False) -> pd.DataFrame:
    """Institutions whose name (unless ``names_only``: or id, or ROR id) contains ``text``
    (case-insensitive), most works first: columns id, ror, name, country, works."""
    q = _short(text.strip())
    ids = "" if names_only else " OR institution_id ILIKE $pattern ESCAPE '\\' OR ror ILIKE $pattern ESCAPE '\\'"
    return run(("""
        WITH hit AS (SELECT ikey, unit_id, institution_id, ror, name, country_code FROM """ + counting.UNIT_IDS_SQL
               + """ u WHERE name ILIKE $pattern ESCAPE '\\'""" + ids + """)
        SELECT h.unit_id AS id, h.ror, h.name, h.country_code AS country,
               count(DISTINCT f.wkey) AS works
        FROM hit h LEFT JOIN affiliations f ON f.ikey = h.ikey
        GROUP BY h.unit_id, h.ror, h.name, h.country_code
        ORDER BY works DESC, id LIMIT """ + str(int(limit)), {"pattern": like_contains(q)}))


def country_candidates(run: Run, text: str, limit: int = CANDIDATES) -> pd.DataFrame:
    """Countries whose code or name matches ``text``: columns id, name, country, works (distinct works
    with an author in the country)."""
    from collabatlas.refdata.countries import iso2_codes, short_names

    names = {code: name for code, name in short_names().items() if code in iso2_codes()}
    exact = country_code(text)
    q = text.strip().lower()
    codes = [c for c, n in sorted(names.items()) if q in n.lower() or c.lower() == q]
    codes = ([exact] if exact else []) + [c for c in codes if c != exact]
    if not codes:
        return pd.DataFrame({"id": [], "name": [], "country": [], "works": []})
    params = {f"c{n}": code for n, code in enumerate(codes)}
    works = run(("SELECT country_code AS id, count(DISTINCT wkey) AS works FROM author_countries "
                 f"WHERE country_code IN ({_marks(params, 'c')}) GROUP BY country_code", params))
    counts = dict(zip(works["id"], works["works"], strict=True))
    df = pd.DataFrame({"id": codes, "name": [names.get(c, "") for c in codes], "country": codes,
                       "works": [int(counts.get(c, 0)) for c in codes]})
    return df.sort_values(["works", "id"], ascending=[False, True], kind="stable").head(limit).reset_index(drop=True)


def find(run: Run, text: str, level: str | None = None, limit: int = CANDIDATES) -> pd.DataFrame:
    """Candidate units for ``text`` (``collabatlas find``): columns level, id, name, country, works;
    ``level`` None: countries, then institutions."""
    if not (text or "").strip():
        raise CountingError("find: give part of a name or an id to look for")
    if level not in (None, "country", "institution"):
        raise CountingError(f"find --level {level!r}: expected country or institution")
    parts = []
    if level in (None, "country"):
        parts.append(country_candidates(run, text, limit).assign(level="country"))
    if level in (None, "institution"):
        parts.append(institution_candidates(run, text, limit).drop(columns=["ror"]).assign(level="institution"))
    df = pd.concat([p for p in parts if not p.empty] or parts, ignore_index=True)
    return df[["level", "id", "name", "country", "works"]].astype({"works": "int64"})
