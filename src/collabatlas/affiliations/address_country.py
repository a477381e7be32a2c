"""Country of an affiliation address string, by explicit rules.

The rules, in the order they are tried (docs/affiliations.md has them as a table):

1. The address is split into components at commas, semicolons and line breaks. Components are read
   from the last one backwards; the first component that resolves decides.
   E-mail addresses and their labels (``Electronic address:``) are dropped first; a trailing note in
   parentheses is read on its own first (``IBM Research (United States)``), then dropped (``MA (JA)``).
2. A US state code followed by a ZIP code or ``USA`` anywhere in a component (``CA 94305``,
   ``MA 02115-5727``, ``IN USA``), or a state code that is no ISO country code ending the last component
   (``Houston TX``) → ``US``; a country name in a non-Latin script (``中国``, ``Россия``) → its code.
3. The whole component (accents folded, case and punctuation ignored, postcodes and numbers dropped)
   is a known name: an ISO 3166-1 name (short, official or common, from
   pycountry, packaged with collabatlas), a country_converter short or official name, a US state name, or
   one of the explicit forms of the rules table ``country_rules.csv`` (:func:`rules_table`: Web of
   Science abbreviations ``Peoples R China``, ``Equat Guinea``, ``Cent Afr Republ``, historical countries
   — ``Czechoslovakia`` → ISO 3166-3 ``CS``, ``Ger Dem Rep`` → ``DD``, ``USSR`` → ``RU`` (its one legal
   continuator), ``W Ind Assoc St`` → unknown with a reason — and colloquial names). A two-letter US state code counts
   only when written in capitals and standing alone as the *last* component (``Boston, MA``).
4. The component *ends* with a known name (longest name first, so ``New Mexico`` is a state before
   ``Mexico`` is a country and ``Democratic Republic of the Congo`` is tried before ``Congo``), and
   the word before that name is not a connector that makes it part of a proper name
   (:data:`NAME_CONNECTORS`: ``de``, ``of``, ``beth``, ``new``, ``carrer``, ``hall`` ...). So
   ``Beijing 100080 China`` → CN, but ``Carrer de Palau`` is not Palau and
   ``Beth Israel Deaconess Medical Center`` (which does not end with a country) is not Israel.
5. ISO names written inverted with a comma (``Korea, Democratic People's Republic of``,
   ``Taiwan, Province of China``) are recognised across the two components they span.
6. Last component only, as a fallback: country_converter's regular expression, when the component
   is at most three words and holds no institution word (``university``, ``hospital``, ``hall`` ...).
7. Hong Kong and Macao: an address resolved to ``CN`` with a component ``Hong Kong`` / ``Kowloon``
   (or ``Macao`` / ``Macau``) is ``HK`` (``MO``); WoS writes ``Hong Kong, Peoples R China``.
   ``fold_hk_mo=True`` folds HK and MO into CN afterwards (as CWTS does). Taiwan is always ``TW``.

A country word that appears only inside an institution or street name is therefore never taken:
``Jordan Hall``, ``Univ of Chile`` (no country in that component: ``None``, the matcher then gives
the ROR country), ``New Mexico State Univ`` (``New Mexico`` only counts as a whole component or a
component's end). Unknown → ``None``.

``Georgia`` alone is the country (GE): WoS and ROR write US addresses with the state code (``GA``).
What an address only *implies* (e-mail domains, postcodes, regions, cities) is not read here:
:mod:`collabatlas.affiliations.address_region`.
"""

from __future__ import annotations

import re
from functools import lru_cache

from collabatlas.refdata.countries import converter, iso_entries, quiet
from collabatlas.refdata.country_names import codes_of, normalise
from collabatlas.refdata.country_names import country_names as refdata_country_names
from collabatlas.refdata.country_regions import place_names
from collabatlas.refdata.country_rules import (  # noqa: F401 - the rules table, re-exported
    RULES_FILE,
    UNKNOWN,
    CountryRule,
    country_rule,
    parse_rules,
    rules_table,
    variants,
)

US_STATES = {
    "AL": "Alabama", "AK": "Alaska", "AZ": "Arizona", "AR": "Arkansas", "CA": "California", "CO": "Colorado",
    "CT": "Connecticut", "DE": "Delaware", "FL": "Florida", "GA": "Georgia", "HI": "Hawaii", "ID": "Idaho",
    "IL": "Illinois", "IN": "Indiana", "IA": "Iowa", "KS": "Kansas", "KY": "Kentucky", "LA": "Louisiana",
    "ME": "Maine", "MD": "Maryland", "MA": "Massachusetts", "MI": "Michigan", "MN": "Minnesota",
    "MS": "Mississippi", "MO": "Missouri", "MT": "Montana", "NE": "Nebraska", "NV": "Nevada",
    "NH": "New Hampshire", "NJ": "New Jersey", "NM": "New Mexico", "NY": "New York", "NC": "North Carolina",
    "ND": "North Dakota", "OH": "Ohio", "OK": "Oklahoma", "OR": "Oregon", "PA": "Pennsylvania",
    "RI": "Rhode Island", "SC": "South Carolina", "SD": "South Dakota", "TN": "Tennessee", "TX": "Texas",
    "UT": "Utah", "VT": "Vermont", "VA": "Virginia", "WA": "Washington", "WV": "West Virginia",
    "WI": "Wisconsin", "WY": "Wyoming", "DC": "District of Columbia",
}
# state codes that are no ISO 3166-1 code: read as the last word of the last component too ("Houston TX")
US_ONLY_CODES = frozenset({"AK", "AZ", "CT", "FL", "HI", "IA", "KS", "MI", "NH", "NJ", "NV", "NY", "OH", "OK", "OR",
                           "RI", "TX", "UT", "VT", "WA", "WI", "WV", "WY", "DC", "ND", "NM"})
# state names that are also countries stay countries (Georgia → GE; see the module docstring)
STATE_NAMES_NOT_US = {"georgia"}


# a country name preceded by one of these words is part of a proper name, not the country
NAME_CONNECTORS = frozenset({
    "of", "de", "del", "della", "delle", "di", "du", "des", "la", "le", "les", "el", "the", "and", "beth",
    "new", "van", "von", "carrer", "calle", "rua", "rue", "via", "avenida", "avenue", "av", "ave", "st", "saint",
    "san", "santa", "sao", "plaza", "street", "str", "strasse", "road", "rd", "hall", "for", "in", "at", "y", "e",
    "north", "south", "east", "west", "northern", "southern", "eastern", "western", "upper", "lower", "little", "baja",
})
# words that mark a component as an institution or street, which the regex fallback never reads
INSTITUTION_WORDS = frozenset({
    "university", "univ", "universidad", "universite", "universitat", "universita", "college", "coll", "school",
    "institute", "inst", "institut", "instituto", "hospital", "hosp", "center", "centre", "ctr", "hall", "street",
    "st", "str", "road", "rd", "avenue", "ave", "carrer", "calle", "rue", "via", "medical", "med", "dept",
    "department", "faculty", "fac", "lab", "laboratory", "clinic", "foundation", "company", "corp", "inc", "ltd",
    "ministry", "academy", "acad", "museum", "library", "bank", "building", "campus", "state", "beth",
})
_ZIP_AFTER_STATE = re.compile(r"\b([A-Z]{2})\s+(?:\d{5}(?:-\d{4})?\b|USA\b)")  # "MA 02115", "IN USA"
# Georgia's ZIP codes (30000–31999, 39800–39999), also glued to the name; Georgia's (GE) postcodes have 4 digits
_GEORGIA_ZIP = re.compile(r"\bGeorgia\s*(?:3[01]\d{3}|39[89]\d{2})(?:-\d{4})?\b", re.IGNORECASE)
_TRAILING_NOTE = re.compile(r"\s*\(([^()]{0,30})\)[\s.]*$")  # "MA (JA)", "USA (retired)."
_STATE_AT_END = re.compile(r"[a-z]\s+([A-Z]{2})\.?\s*$")
_EMAIL = re.compile(r"[\w.%+-]+@((?:[\w-]+(?: \d+)?\.)+)([A-Za-z]{2,})\b")  # "uni 1.it": cut by unglue
_EMAIL_LABEL = re.compile(r"\b(?:electronic address|e-?mail(?: address)?|correspondence)\s*:", re.IGNORECASE)
# country names in non-Latin scripts (a Latin name with accents is folded and read from the name table)
NATIVE_NAMES = {
    "中国": "CN", "中華人民共和国": "CN", "中华人民共和国": "CN", "日本": "JP", "대한민국": "KR", "한국": "KR",
    "台灣": "TW", "台湾": "TW", "香港": "HK", "澳門": "MO", "澳门": "MO", "Россия": "RU", "Российская Федерация": "RU",
    "Україна": "UA", "Беларусь": "BY", "Қазақстан": "KZ", "Ελλάδα": "GR", "Κύπρος": "CY", "България": "BG",
    "Србија": "RS", "ישראל": "IL", "ایران": "IR", "مصر": "EG", "ประเทศไทย": "TH",
    "中國": "CN", "美国": "US", "美國": "US", "米国": "US", "アメリカ": "US", "英国": "GB", "英國": "GB",
    "イギリス": "GB",
    "德国": "DE", "德國": "DE", "ドイツ": "DE", "法国": "FR", "法國": "FR", "フランス": "FR", "加拿大": "CA",
    "澳大利亚": "AU", "新加坡": "SG", "韩国": "KR", "韓国": "KR", "韓國": "KR", "Ελλάς": "GR",
    "Казахстан": "KZ", "Узбекистан": "UZ", "Кыргызстан": "KG", "Таджикистан": "TJ", "Азербайджан": "AZ",
    "Армения": "AM", "Грузия": "GE", "Молдова": "MD", "السعودية": "SA", "الأردن": "JO", "العراق": "IQ",
}
_HAS_DIGIT = re.compile(r"\d")
MAX_NAME_WORDS = 6


def component_words(component: str) -> list[str]:
    """Normalised words of one component, postcodes and numbers dropped."""
    return list(_component_words(component))


@lru_cache(maxsize=262_144)  # components repeat across addresses ("Dept Phys", "Peoples R China")
def _component_words(component: str) -> tuple[str, ...]:
    return tuple(w for w in normalise(component).split() if not _HAS_DIGIT.search(w) and w != "cedex")


@lru_cache(maxsize=1)
def country_names() -> dict[str, str]:
    """Every accepted whole-name form (normalised) → ISO2: the country names of
    :func:`collabatlas.refdata.country_names.country_names` (ISO 3166-1, country_converter, variants)
    and the US states."""
    names = dict(refdata_country_names())
    for state in US_STATES.values():
        key = normalise(state)
        if key not in STATE_NAMES_NOT_US:
            names[key] = "US"
    names.update(variants())
    names.pop("", None)
    return names


@lru_cache(maxsize=1)
def inverted_names() -> dict[str, str]:
    """ISO names written with a comma (``Korea, Democratic People's Republic of``), normalised → ISO2."""
    return {" ".join(component_words(e["name"])): e["alpha_2"] for e in iso_entries() if "," in e["name"]}


@lru_cache(maxsize=1)
def _regexes() -> list[tuple[re.Pattern, str]]:
    table = converter().data
    out = []
    for row in table[["regex", "ISO2"]].itertuples(index=False):
        for code in codes_of(row.ISO2) if row.regex else []:
            out.append((re.compile(row.regex, re.IGNORECASE), code))
    return out


def _known_place(name: str) -> bool:
    """A region or city of the regions table: never read through country_converter's patterns."""
    return name in place_names("region") or name in place_names("city")


def strip_emails(text: str) -> tuple[str, tuple[str, ...]]:
    """``text`` without its e-mail addresses and their labels (``Electronic address:``), and the
    top-level domain of each e-mail (lower case)."""
    if "@" not in text and ":" not in text:
        return text, ()
    tlds = tuple(m.group(2).lower() for m in _EMAIL.finditer(text))
    return _EMAIL_LABEL.sub(" ", _EMAIL.sub(" ", text)), tlds


def native_country(raw: str) -> str | None:
    """The country a non-Latin-script name (``中国``, ``Россия``) that is, or ends, the component names."""
    stripped = raw.strip().strip(".。 ")
    if stripped.isascii():
        return None
    return next((code for name, code in NATIVE_NAMES.items() if stripped.endswith(name)), None)


def _component_country(raw: str, is_last: bool) -> str | None:
    """ISO2 named by one address component under rules 2–5, else None."""
    note = _TRAILING_NOTE.search(raw)
    if note:  # "IBM Research Division (United States)"; else the component without it ("MA (JA)")
        code = _component_country(note.group(1), False) if note.group(1).strip() else None
        if code is not None:
            return code
        raw = raw[:note.start()]
    for code, _ in ((m.group(1), m) for m in _ZIP_AFTER_STATE.finditer(raw)):
        if code in US_STATES:
            return "US"
    if _GEORGIA_ZIP.search(raw):
        return "US"  # the state with its ZIP code ("Atlanta, Georgia 30332", "Georgia30313"), not the country
    stripped = raw.strip().strip(".").strip()
    if is_last and stripped in US_STATES:
        return "US"
    if is_last and (m := _STATE_AT_END.search(raw)) and m.group(1) in US_ONLY_CODES:
        return "US"  # "UTHSC at Houston Houston TX"
    native = native_country(raw)
    if native:
        return native
    words = component_words(raw)
    if not words:
        return None
    names = country_names()
    whole = " ".join(words)
    if whole in names:
        return names[whole]
    for size in range(min(MAX_NAME_WORDS, len(words) - 1), 0, -1):
        tail = " ".join(words[-size:])
        if tail in names and words[-size - 1] not in NAME_CONNECTORS and (len(tail) > 2 or tail in ("uk", "us")):
            return names[tail]
    if is_last and len(words) <= 3 and not INSTITUTION_WORDS.intersection(words) and "@" not in raw \
            and not _known_place(whole):
        with quiet():
            for pattern, code in _regexes():
                if pattern.search(whole):
                    return code
    return None


def split_components(address: str) -> list[str]:
    return [c.strip() for c in re.split(r"[,;\n\r]+", address.replace("#TAB#", " ")) if c.strip()]


@lru_cache(maxsize=200_000)
def resolve_country(address: str, fold_hk_mo: bool = False) -> str | None:
    """ISO 3166-1 alpha-2 code of the country an address names, or None (rules in the module docstring)."""
    components = split_components(strip_emails(address)[0])
    code = None
    tail = " ".join(w for c in components[-3:] for w in component_words(c))
    for name, iso2 in inverted_names().items():
        if tail.endswith(name) and (tail == name or tail[-len(name) - 1] == " "):
            code, components = iso2, []
    for i in range(len(components) - 1, -1, -1):
        code = _component_country(components[i], is_last=i == len(components) - 1)
        if code is not None:
            break  # UNKNOWN ("") stops too: the address names a country that is no single one today
    code = code or None
    if code == "CN":
        special = {" ".join(component_words(c)) for c in components}
        if special & {"hong kong", "kowloon", "hong kong sar"}:
            code = "HK"
        elif special & {"macao", "macau", "macao sar", "macau sar"}:
            code = "MO"
    if fold_hk_mo and code in ("HK", "MO"):
        return "CN"
    return code
