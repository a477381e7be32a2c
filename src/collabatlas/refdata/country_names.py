"""Country names people write, and the one resolver from what a user types to an ISO 3166-1 code.

The name table (normalised name → alpha-2) holds the ISO 3166-1 names (short, official, common;
pycountry), country_converter's short and official names, and the explicit variants of
:data:`VARIANTS` (WoS abbreviations such as ``Peoples R China``, historic and colloquial names). The
address rules (:mod:`collabatlas.affiliations.address_country`) read the same table, adding the US
states; :func:`country_code` reads it for the country a user names on the command line or in the API:
``JP``, ``jp``, ``JPN``, ``Japan`` and ``japan`` are all ``JP``.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from collabatlas.refdata.countries import EXTRA_CODES, converter, iso2_codes, iso_entries

_NON_WORD = re.compile(r"[^a-z0-9]+")

# explicit variants (normalised form → ISO2): WoS abbreviations, historic and colloquial names
VARIANTS = {
    "usa": "US", "us": "US", "u s a": "US", "united states": "US", "united states of america": "US",
    "peoples r china": "CN", "people s r china": "CN", "pr china": "CN", "p r china": "CN", "prc": "CN",
    "peoples republic of china": "CN", "people s republic of china": "CN", "china": "CN", "mainland china": "CN",
    "england": "GB", "scotland": "GB", "wales": "GB", "n ireland": "GB", "northern ireland": "GB",
    "north ireland": "GB", "uk": "GB", "u k": "GB", "united kingdom": "GB", "great britain": "GB", "britain": "GB",
    "dem rep congo": "CD", "dr congo": "CD", "drc": "CD", "democratic republic of the congo": "CD",
    "democratic republic of congo": "CD", "congo kinshasa": "CD", "congo dr": "CD", "zaire": "CD",
    "rep congo": "CG", "republic of the congo": "CG", "republic of congo": "CG", "congo brazzaville": "CG",
    "congo": "CG",
    "north korea": "KP", "dpr korea": "KP", "dprk": "KP", "dem peoples rep korea": "KP",
    "dem people s rep korea": "KP", "democratic people s republic of korea": "KP",
    "democratic peoples republic of korea": "KP",
    "south korea": "KR", "republic of korea": "KR", "rep of korea": "KR", "korea": "KR", "rok": "KR",
    "korea south": "KR", "s korea": "KR",
    "hong kong": "HK", "hong kong sar": "HK", "hong kong china": "HK", "kowloon": "HK",
    "macao": "MO", "macau": "MO", "macao sar": "MO", "macau sar": "MO",
    "taiwan": "TW", "roc": "TW", "republic of china": "TW", "taiwan roc": "TW", "taiwan r o c": "TW",
    "u arab emirates": "AE", "uae": "AE", "byelarus": "BY", "belarus": "BY", "fed rep ger": "DE",
    "w germany": "DE", "west germany": "DE", "east germany": "DE", "germany": "DE", "rep of georgia": "GE",
    "russia": "RU", "russian federation": "RU",
    "ussr": "RU", "iran": "IR", "vietnam": "VN", "viet nam": "VN", "turkey": "TR", "turkiye": "TR",
    "czech republic": "CZ", "czechia": "CZ", "slovak republic": "SK", "cote ivoire": "CI",
    "cote d ivoire": "CI", "ivory coast": "CI", "bosnia herceg": "BA", "bosnia and herzegovina": "BA",
    "trinid tobago": "TT", "papua n guinea": "PG", "sao tome prin": "ST", "cent afr republ": "CF",
    "surinam": "SR", "neth antilles": "CW", "brunei": "BN", "laos": "LA", "syria": "SY", "tanzania": "TZ",
    "macedonia": "MK", "north macedonia": "MK", "swaziland": "SZ", "eswatini": "SZ", "timor leste": "TL",
    "east timor": "TL", "palestine": "PS", "moldova": "MD", "bolivia": "BO", "venezuela": "VE",
    "micronesia": "FM", "st kitts nevi": "KN", "st lucia": "LC", "st vincent": "VC", "the netherlands": "NL",
    "holland": "NL", "brasil": "BR", "deutschland": "DE", "espana": "ES", "italia": "IT", "mexique": "MX",
    "south africa": "ZA", "rsa": "ZA", "kosovo": "XK", "vatican": "VA", "cape verde": "CV",
    "guinea bissau": "GW", "marshall island": "MH", "solomon islands": "SB", "burma": "MM",
}



def normalise(text: str) -> str:
    """Fold accents, lower-case, drop dots (``P.R.`` → ``pr``), other punctuation → space."""
    folded = unicodedata.normalize("NFKD", text)
    folded = "".join(c for c in folded if not unicodedata.combining(c)).lower()
    folded = folded.replace("#tab#", " ").replace(".", "").replace("'", " ").replace("’", " ").replace("&", " ")
    return " ".join(_NON_WORD.split(folded)).strip()




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
    names.update(VARIANTS)
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
    return country_names().get(normalise(raw))
