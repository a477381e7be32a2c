"""The regions table (``country_regions.csv``, beside this module, hand-written for collabatlas): places
and words that imply a country in an address that names none — regions (Canadian provinces, Chinese
provinces, Indian states …), major cities, and words of one country's language. Read by
:mod:`collabatlas.affiliations.address_region` (the rules) and by the address rules, which never read a
place of this table as a country through country_converter's patterns (``Ningbo`` is not GB)."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from collabatlas.refdata.countries import iso2_codes
from collabatlas.refdata.country_rules import normalise

REGIONS_FILE = "country_regions.csv"
KINDS = ("region", "city", "word")
NEVER_IMPLIED = frozenset({"georgia"})  # the US state and the country: never in the table


@dataclass(frozen=True)
class RegionRule:
    """One row of ``country_regions.csv``."""
    written: str
    code: str
    kind: str       # region, city or word (see the module docstring)
    where: str      # what the name is ("Canadian province or territory")
    line: int


def parse_regions(text: str, name: str = REGIONS_FILE) -> tuple[RegionRule, ...]:
    """Rows of a regions table; a bad row raises ValueError naming its line."""
    rows, seen = [], {}
    for line, row in enumerate(csv.DictReader(io.StringIO(text)), start=2):
        rule = RegionRule(row["written"].strip(), row["code"].strip(), row["kind"].strip(),
                          (row["where"] or "").strip(), line)
        key = normalise(rule.written)
        problem = None
        if rule.code not in iso2_codes():
            problem = f"code: not a country code: {rule.code!r}"
        elif rule.kind not in KINDS:
            problem = f"kind: expected region, city or word, got {rule.kind!r}"
        elif not key:
            problem = "written: empty"
        elif key in seen:
            problem = f"written: {rule.written!r} normalises as line {seen[key]} does"
        elif key in NEVER_IMPLIED:
            problem = f"written: {rule.written!r} is ambiguous"
        if problem:
            raise ValueError(f"{name}:{line}: {problem}")
        seen[key] = line
        rows.append(rule)
    return tuple(rows)


@lru_cache(maxsize=1)
def region_table() -> tuple[RegionRule, ...]:
    """The rows of ``refdata/country_regions.csv``."""
    return parse_regions(resources.files(__package__).joinpath(REGIONS_FILE).read_text(encoding="utf-8"))


@lru_cache(maxsize=3)
def place_names(kind: str) -> dict[str, str]:
    """Normalised name → ISO2 for the rows of one kind (``region``, ``city`` or ``word``)."""
    return {normalise(r.written): r.code for r in region_table() if r.kind == kind}


