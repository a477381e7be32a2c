"""The place-name gazetteer (``city_gazetteer.csv``, beside this module): the cities and first-level
subdivisions of ROR organisations' locations, each with the country most of its organisations are in.

Built from a ROR data dump by ``scripts/build_city_gazetteer.py`` (ROR: CC0; place names from GeoNames,
CC BY 4.0, as the ROR records give them). Each row counts the organisations there in its country
(``orgs``), in other countries (``other_orgs``), and the organisations elsewhere whose name contains the
place name as words (``named_elsewhere``: ``Alfred`` of the Alfred Wegener Institute, ``Mobile`` of
T-Mobile). Which rows an address may be read by is decided by
:func:`collabatlas.affiliations.city_country.trusted_places` (issue 29).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from collabatlas.refdata.countries import iso2_codes

GAZETTEER_FILE = "city_gazetteer.csv"
KINDS = ("city", "region")
COLUMNS = ("written", "code", "kind", "orgs", "other_orgs", "named_elsewhere")


@dataclass(frozen=True)
class Place:
    """One row of ``city_gazetteer.csv``."""
    written: str
    code: str
    kind: str              # city or region (first-level subdivision)
    orgs: int              # registry organisations there, in ``code``
    other_orgs: int        # registry organisations in a place of that name in other countries
    named_elsewhere: int   # organisations not there whose name contains the place name as words
    line: int


def parse_gazetteer(text: str, name: str = GAZETTEER_FILE) -> tuple[Place, ...]:
    """The rows of a gazetteer table (``#`` lines are comments); a bad row raises ValueError naming
    the file, line and field."""
    lines = text.splitlines()
    body = [(i + 1, ln) for i, ln in enumerate(lines) if not ln.startswith("#")]
    reader = csv.DictReader(io.StringIO("\n".join(ln for _, ln in body)))
    if tuple(reader.fieldnames or ()) != COLUMNS:
        raise ValueError(f"{name}: expected the columns {','.join(COLUMNS)}, got {reader.fieldnames}")
    rows = []
    for (line, _), row in zip(body[1:], reader, strict=True):
        if not (row["written"] or "").strip():
            raise ValueError(f"{name}:{line}: written: empty")
        if row["code"] not in iso2_codes():
            raise ValueError(f"{name}:{line}: code: not a country code: {row['code']!r}")
        if row["kind"] not in KINDS:
            raise ValueError(f"{name}:{line}: kind: expected city or region, got {row['kind']!r}")
        counts = []
        for field in COLUMNS[3:]:
            value = row[field] or ""
            if not value.isdigit():
                raise ValueError(f"{name}:{line}: {field}: expected a count, got {value!r}")
            counts.append(int(value))
        rows.append(Place(row["written"].strip(), row["code"], row["kind"], *counts, line))
    return tuple(rows)


@lru_cache(maxsize=1)
def gazetteer() -> tuple[Place, ...]:
    """The rows of ``refdata/city_gazetteer.csv``."""
    return parse_gazetteer(resources.files(__package__).joinpath(GAZETTEER_FILE).read_text(encoding="utf-8"))
