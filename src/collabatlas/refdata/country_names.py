"""Country names people write, and the one resolver from what a user types to an ISO 3166-1 code.

The name table (normalised name → alpha-2) holds the ISO 3166-1 names (short, official, common;
pycountry), country_converter's short and official names, and the explicit variants of
rules table :mod:`collabatlas.refdata.country_rules` (WoS abbreviations such as ``Peoples R China``,
historical and colloquial names). The
address rules (:mod:`collabatlas.affiliations.address_country`) read the same table, adding the US
states; :func:`country_code` reads it for the country a user names on the command line or in the API:
``JP``, ``jp``, ``JPN``, ``Japan`` and ``japan`` are all ``JP``.
"""

from __future__ import annotations

import re
from functools import lru_cache

from collabatlas.refdata.countries import EXTRA_CODES, converter, iso2_codes, iso_entries
from collabatlas.refdata.country_rules import normalise, variants


def codes_of(iso2_cell: str) -> list[str]:
    """The country code of a country_converter ISO2 cell, which is a pattern for a few countries
    (Greece ``^GR$|^EL$``, UK ``^GB$|^UK$``): its first code, the ISO one. Not a country: []."""
    codes = re.findall(r"[A-Z]{2}", iso2_cell) if iso2_cell.startswith("^") else [iso2_cell]
    return [codes[0]] if codes and codes[0] in iso2_codes() else []


@lru_cache(maxsize=1)
def country_names() -> dict[str, str]:
    """Every accepted country name form (normalised) → ISO2: ISO 3166-1, country_converter, variants."""
    names: dict[str, str] = {}
    for entry in iso_entries():
        for key in ("name", "official_name", "common_name"):
            if entry.get(key):
                names[normalise(entry[key])] = entry["alpha_2"]
    table = converter().data
    for row in table[["name_short", "name_official", "ISO2"]].itertuples(index=False):
        for code in codes_of(row.ISO2):
            names.setdefault(normalise(row.name_short), code)
            names.setdefault(normalise(row.name_official), code)
    names.update(variants())
    names.pop("", None)
    return names


@lru_cache(maxsize=1)
def iso3_to_iso2() -> dict[str, str]:
    """ISO 3166-1 alpha-3 (``JPN``) → alpha-2 (``JP``), with ``XKX`` (Kosovo)."""
    table = {entry["alpha_3"]: entry["alpha_2"] for entry in iso_entries()}
    table.update({iso3: iso2 for iso2, (iso3, _) in EXTRA_CODES.items()})
    return table


def country_code(text: str) -> str | None:
    """The ISO 3166-1 alpha-2 code a user means by ``text``: an alpha-2 code, an alpha-3 code or a
    country name (any case, accents and punctuation ignored), else None. Two letters are read as a
    code (``UK`` is ``GB``), three letters as an alpha-3 code before a name (``USA`` is ``US`` either way)."""
    raw = (text or "").strip()
    if not raw:
        return None
    upper = raw.upper()
    if len(upper) == 2 and upper in iso2_codes():
        return upper
    if len(upper) == 3 and upper in iso3_to_iso2():
        return iso3_to_iso2()[upper]
    return country_names().get(normalise(raw)) or None  # "" in the rules table: no single country
