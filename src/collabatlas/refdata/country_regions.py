"""The regions table (``country_regions.csv``, beside this module, hand-written for collabatlas): places
and words that imply a country in an address that names none — regions (Canadian provinces, Chinese
provinces, Indian states …), major cities, words of one country's language, and English adjectives of one
country in organisation names (``Finnish``, ``Hellenic``; read last). Read by
:mod:`collabatlas.affiliations.address_region` (the rules) and by the address rules, which never read a
place of this table as a country through country_converter's patterns (``Ningbo`` is not GB)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from collabatlas.refdata.countries import iso2_codes
from collabatlas.refdata.country_rules import normalise, parse_written_table

REGIONS_FILE = "country_regions.csv"
KINDS = ("region", "city", "word", "adjective")
NEVER_IMPLIED = frozenset({"georgia"})  # the US state and the country: never in the table


@dataclass(frozen=True)
class RegionRule:
    """One row of ``country_regions.csv``."""
    written: str
    code: str
    kind: str       # region, city, word or adjective (see the module docstring)
    where: str      # what the name is ("Canadian province or territory")
    line: int


def _region_problem(rule: RegionRule, key: str) -> str | None:
    if rule.code not in iso2_codes():
        return f"code: not a country code: {rule.code!r}"
    if rule.kind not in KINDS:
        return f"kind: expected region, city, word or adjective, got {rule.kind!r}"
    if not key:
        return "written: empty"
    if key in NEVER_IMPLIED:
        return f"written: {rule.written!r} is ambiguous"
    return None


def parse_regions(text: str, name: str = REGIONS_FILE) -> tuple[RegionRule, ...]:
    """Rows of a regions table; a bad row raises ValueError naming its line."""
    return parse_written_table(
        text, name, lambda row, line: RegionRule(row["written"].strip(), row["code"].strip(), row["kind"].strip(),
                                                 (row["where"] or "").strip(), line), _region_problem)


@lru_cache(maxsize=1)
def region_table() -> tuple[RegionRule, ...]:
    """The rows of ``refdata/country_regions.csv``."""
    return parse_regions(resources.files(__package__).joinpath(REGIONS_FILE).read_text(encoding="utf-8"))


@lru_cache(maxsize=4)
def place_names(kind: str) -> dict[str, str]:
    """Normalised name → ISO2 for the rows of one kind (``region``, ``city``, ``word`` or ``adjective``)."""
    return {normalise(r.written): r.code for r in region_table() if r.kind == kind}


