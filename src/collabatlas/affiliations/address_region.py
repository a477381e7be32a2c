"""The country an address implies where it names none (issue 29): regions, postcodes, e-mail domains,
names after "of", words of one country's language, major cities.

:func:`collabatlas.affiliations.address_country.resolve_country` gives the country an address *names*
(a country name, a US state, a rules-table form) and nothing else: ``University of Chile`` and
``Carrer de Palau 12, Barcelona`` name no country there. When the matcher keeps no organisation and the
address names no country, :meth:`collabatlas.affiliations.city_country.CityCountries.country` reads what
the address *implies*, in this order (the first rule that gives a country decides; within a rule the
components are read from the last backwards):

1. **E-mail domains**: the country-code top-level domain of every e-mail address in the string
   (``.de``, ``.ac.uk``, ``.edu.au``). ``.edu``, ``.gov`` and ``.mil`` are read as US: since 2001 only
   US institutions get them, and an older foreign ``.edu`` is rare. ``.com``, ``.org``, ``.net`` and the
   country codes sold as generic names (:data:`GENERIC_CCTLDS`: ``.io``, ``.ai``, ``.co``, ``.me``,
   ``.tv`` …) say nothing; e-mails naming different countries: none.
2. **Postcodes**: a UK postcode of a known postcode area (``CB2 1TN``; not the Crown dependencies' JE,
   GY, IM), a Canadian province code with a postal code (``ON M5S 1A8``), an Australian state code with
   a four-digit postcode (``NSW 2006``); a Canadian province code alone as the last component in
   capitals (``Guelph, ON``; not ``NL``, ``PE``, ``SK``, which are country codes too).
3. **Regions** (``region`` rows of ``refdata/country_regions.csv``) that are, or end, a component:
   Canadian provinces, Australian states, Chinese provinces and municipalities, Indian states, UK
   counties, German states. ``New South Wales`` is AU, never Wales. Left out on purpose as ambiguous:
   ``Georgia``, ``Punjab`` (India, Pakistan), ``Victoria`` (Australia, Canada, Seychelles), ``New
   Brunswick`` (Canada, New Jersey), ``Middlesex``, ``Surrey``, ``Kent``.
4. **After "of"**: a country, US state or region ending a component right after ``of`` / ``de`` /
   ``do`` … (``University of the Bahamas``, ``Universidad de Costa Rica``) — never ``Georgia``.
5. **A word of one country's language** (``word`` rows: ``Üniversitesi`` TR, ``Uniwersytet`` PL,
   ``Yliopisto`` FI …); words shared by several countries (``Universität``, ``Université``) are not read.
6. **Places**: the packaged gazetteer's and the registry's cities all of whose organisations are in one
   country (:class:`collabatlas.affiliations.city_country.CityCountries`).
7. **A region or US state beginning a component** (``Ningxia Academy of …``, ``Missouri Botanical
   Garden``), after the places (``Texas Instruments Inc, Oslo`` is NO); a country name there never
   counts (``Georgia Institute of Technology``, ``Jordan Hall``).
8. **Major cities** (``city`` rows) ending, then beginning, a component: cities whose name is, in
   affiliation strings, practically never another country's (``Paris``, ``Tokyo``, ``Wuhan``). Left out:
   ``Cambridge``, ``London``, ``Vancouver`` (Washington), ``Melbourne`` (Florida), ``Perth``, ``Naples``,
   ``Florence``, ``Moscow`` (Idaho), ``Dublin`` (Ohio), ``Durham``, ``Alexandria`` …
9. **An English adjective of one country** (``adjective`` rows) in an organisation's name (``Finnish
   Geospatial Research Institute``, ``Hellenic Cooperative Oncology Group``): read last, after every place.
   Left out as measured or known to name organisations abroad: ``American`` (American University of
   Beirut), ``British`` (British Columbia), ``German`` (German University in Cairo), ``Chinese`` (Chinese
   Culture University, Taiwan), ``Indian`` (Indian Health Service), ``Canadian``, ``French``, ``Russian``,
   ``Turkish``, ``Japanese``, ``Italian``, ``Spanish``, ``Thai``. Also other languages' adjectives
   (``Mexicano``, ``Brasileiro``, ``Österreichische``, ``Suomen``; not ``Italiano``, ``Alemán``).
10. **A country beginning an organisation's name** (:data:`COUNTRIES_STARTING_NAMES`, hand-written: ``Kenya
   Methodist University``, ``Korea Institute of …``), last; never a namesake (``Georgia``, ``Jordan``,
   ``China`` — China Medical University is in Taiwan — ``Canada`` …).

The table ``refdata/country_regions.csv`` is hand-written for collabatlas (names of places, no
third-party data); each row is tested.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache

from collabatlas.affiliations.address_country import (
    MAX_NAME_WORDS,
    NAME_CONNECTORS,
    component_words,
    country_names,
    split_components,
    strip_emails,
)
from collabatlas.refdata.countries import iso2_codes
from collabatlas.refdata.country_regions import (  # noqa: F401 - the table, re-exported
    NEVER_IMPLIED,
    RegionRule,
    parse_regions,
    place_names,
    region_table,
)

# country-code TLDs used as generic names (start-ups, media), which say nothing about a country
GENERIC_CCTLDS = frozenset({"io", "ai", "co", "me", "tv", "cc", "ws", "fm", "ly", "to", "nu", "tk", "gg", "am",
                            "la", "ag", "sh", "ac", "su", "so"})
US_DOMAINS = {"edu": "US", "gov": "US", "mil": "US"}
TLD_CODES = {"uk": "GB"}

_UK_AREAS = frozenset(
    "AB AL B BA BB BD BH BL BN BR BS BT CA CB CF CH CM CO CR CT CV CW DA DD DE DG DH DL DN DT DY E EC EH EN EX FK "
    "FY G GL GU HA HD HG HP HR HS HU HX IG IP IV KA KT KW KY L LA LD LE LL LN LS LU M ME MK ML N NE NG NN NP NR NW "
    "OL OX PA PE PH PL PO PR RG RH RM S SA SE SG SK SL SM SN SO SP SR SS ST SW SY TA TD TF TN TQ TR TS TW UB W WA "
    "WC WD WF WN WR WS WV YO ZE".split())
_UK_POSTCODE = re.compile(r"\b([A-Z]{1,2})\d[A-Z\d]?\s+\d[ABD-HJLNP-UW-Z]{2}\b")
_CA_PROVINCES = ("AB", "BC", "MB", "NB", "NL", "NS", "NT", "NU", "ON", "PE", "QC", "SK", "YT")
_CA_POSTCODE = re.compile(r"\b(?:" + "|".join(_CA_PROVINCES)
                          + r")\s+[ABCEGHJ-NPRSTVXY]\d[ABCEGHJ-NPRSTV-Z]\s?\d[ABCEGHJ-NPRSTV-Z]\d\b")
CA_CODES_ALONE = frozenset({"ON", "QC", "BC", "AB", "MB", "NB", "NS"})
_AU_POSTCODE = re.compile(r"\b(?:NSW|VIC|QLD|SA|WA|TAS|ACT|NT|Vic|Qld|Tas)\.?\s+\d{4}\b")
# a Brazilian CEP: "CEP 80420-030", "RJ 28013-600" (a state code before it), "Caruaru/PE, CEP 55002-970"
_BR_STATES = ("AC", "AL", "AP", "AM", "BA", "CE", "DF", "ES", "GO", "MA", "MT", "MS", "MG", "PA", "PB", "PR", "PE",
              "PI", "RJ", "RN", "RS", "RO", "RR", "SC", "SP", "SE", "TO")
_BR_POSTCODE = re.compile(r"\bCEP\.?:?\s*\d{2}\.?\d{3}-?\d{3}\b|\b(?:" + "|".join(_BR_STATES) + r")\s+\d{5}-\d{3}\b")
# European postcodes written with the country's vehicle code ("D-37077 Göttingen", "A-1090 Wien"): at a
# component's start or after a house number, before a capitalised word (the city) — not "Room A-1012"
_EU_POSTCODE = re.compile(r"(?:^\s*|\d\s+)(D|F|I|E|P|A|B|CH|NL|DK|S|N|FIN|SF|H|L|GR|PL|CZ|SK|IRL)-\s?\d{2,5}"
                          r"(?:\s?[A-Z]{2})?\s+[A-ZÄÖÜÅÉ][a-zäöüåéèøæ]")
EU_PREFIXES = {"D": "DE", "F": "FR", "I": "IT", "E": "ES", "P": "PT", "A": "AT", "B": "BE", "CH": "CH", "NL": "NL",
               "DK": "DK", "S": "SE", "N": "NO", "FIN": "FI", "SF": "FI", "H": "HU", "L": "LU", "GR": "GR", "PL": "PL",
               "CZ": "CZ", "SK": "SK", "IRL": "IE"}
# state abbreviations of the older US style, as the whole last component ("Worcester, Mass.")
OLD_STATE_ABBREVIATIONS = frozenset({
    "mass", "calif", "penn", "conn", "ill", "mich", "wis", "wisc", "minn", "tenn", "fla", "tex", "ariz", "colo",
    "okla", "wash", "kans", "nebr", "ala", "n y", "n j", "n c", "s c", "n h", "r i", "n mex", "w va",
    "mo", "md", "va", "ky", "ind", "ore", "nev", "ark", "kan", "del", "wyo", "mont", "s dak", "n dak"})
# countries whose name beginning an organisation's name practically always means an organisation there; left
# out as namesakes of towns or organisations elsewhere: Georgia, Jordan, Jersey, Lebanon, Panama, Peru, Chad,
# Trinidad, Jamaica, Ireland, Holland, Denmark, China (China Medical University, Taiwan), Mexico, Niger, Cuba,
# Canada (Cañada College, California), Brazil, Norway, Poland, Chile, Turkey, Togo, Mali, Congo, Benin (Benin
# City, Nigeria), Armenia (Colombia), Colombia (Columbia misspelt), Liberia (Costa Rica), Macedonia, Guinea
COUNTRIES_STARTING_NAMES = frozenset(
    "KE KR JP NG GH UG TZ MY ID TH VN PH PK BD NP LK IR IQ EG ET ZM ZW BW NA MA DZ TN LY SA QA KW BH OM YE SY AF MN "
    "MM KH SG TW HK MO UA KZ UZ BY EE LV LT FI IS HU RO BG RS HR SI SK GR PT NL BE AU NZ ZA AR VE EC BO UY PY CR GT "
    "HN NI SV RW BI MW MZ AO SN CM SD SO ER MG MU FJ PG BN BT MV LA".split())
OF_CONNECTORS = frozenset({"of", "de", "del", "do", "da", "di", "du", "des"})
# words that make a component an organisation's name (rule 4 reads only those)
ORGANISATION_WORDS = frozenset({
    "university", "univ", "universidad", "universidade", "universite", "universita", "college", "school", "institute",
    "inst", "institut", "instituto", "istituto", "hospital", "hosp", "academy", "acad", "ministry", "bank", "banco",
    "agency", "council", "society", "museum", "library", "polytechnic", "corporation", "company", "government",
    "federation", "centre", "center", "foundation", "faculty", "facultad", "faculdade", "laboratory", "survey",
    "generalitat", "junta", "tecnologico", "tecnologica", "politecnico", "politecnica", "autonoma", "nacional",
    "nacionale", "nazionale", "national", "nationale", "federal", "estadual", "escuela", "escola", "ecole",
    "servicio", "servico", "secretaria", "departamento", "centro", "museo", "museu", "consejo", "conselho"})


@lru_cache(maxsize=1)
def _us_states_and_regions() -> dict[str, str]:
    states = {k: v for k, v in country_names().items() if v == "US" and k not in NEVER_IMPLIED}
    return states | place_names("region")


@lru_cache(maxsize=1)
def _after_of_names() -> dict[str, str]:
    names = {k: v for k, v in country_names().items() if v and k not in NEVER_IMPLIED}
    return names | place_names("region")


def email_country(tlds: tuple[str, ...]) -> str | None:
    """The one country the e-mail domains name, else None (rule 1)."""
    codes = set()
    for tld in tlds:
        code = US_DOMAINS.get(tld) or TLD_CODES.get(tld)
        if code is None and len(tld) == 2 and tld not in GENERIC_CCTLDS and tld.upper() in iso2_codes():
            code = tld.upper()
        if code:
            codes.add(code)
    return codes.pop() if len(codes) == 1 else None


def postcode_country(raw: str, is_last: bool) -> str | None:
    """The country a postcode (or a lone Canadian province code) in one component names (rule 2)."""
    for m in _UK_POSTCODE.finditer(raw):
        if m.group(1) in _UK_AREAS:
            return "GB"
    if _CA_POSTCODE.search(raw):
        return "CA"
    if _AU_POSTCODE.search(raw):
        return "AU"
    if _BR_POSTCODE.search(raw):
        return "BR"
    m = _EU_POSTCODE.search(raw)
    if m:
        return EU_PREFIXES[m.group(1)]
    if is_last and raw.strip().strip(".").strip() in CA_CODES_ALONE:
        return "CA"
    if is_last and " ".join(component_words(raw)) in OLD_STATE_ABBREVIATIONS:
        return "US"
    return None


def ends_with(words: list[str], names: dict[str, str]) -> str | None:
    """The code of the name ``words`` are, or end with (longest first; not after a connector)."""
    whole = " ".join(words)
    if whole in names:
        return names[whole]
    for size in range(min(MAX_NAME_WORDS, len(words) - 1), 0, -1):
        tail = " ".join(words[-size:])
        if tail in names and words[-size - 1] not in NAME_CONNECTORS:
            return names[tail]
    return None


def after_of(words: list[str], names: dict[str, str]) -> str | None:
    """The code of the name ending ``words`` right after ``of`` / ``de`` … (``the`` skipped), in a component
    with an institution word (``University of the Bahamas``; not a street: ``Carrer de Palau``) (rule 4)."""
    if not ORGANISATION_WORDS.intersection(words):
        return None
    for size in range(min(MAX_NAME_WORDS, len(words) - 1), 0, -1):
        tail = " ".join(words[-size:])
        before = words[-size - 2] if words[-size - 1] == "the" and size + 2 <= len(words) else words[-size - 1]
        if tail in names and before in OF_CONNECTORS and len(tail) > 2:
            return names[tail]
    return None


def starts_with(words: list[str], names: dict[str, str]) -> str | None:
    """The code of the name (1–3 words) beginning a component of more words (rules 6 and 8)."""
    for size in range(min(3, len(words) - 1), 0, -1):
        head = " ".join(words[:size])
        if head in names:
            return names[head]
    return None


def script_country(text: str) -> str | None:
    """The country a script implies: Japanese kana → JP, Hangul → KR, Cyrillic naming the Russian Academy
    of Sciences or Russia (``РАН``, ``Росси…``) or a Russian federal institution's legal form (``ФГБОУ``,
    ``ФГБУ``, ``ФГАОУ``: *federal'noe gosudarstvennoe* …) → RU (rule 5)."""
    if text.isascii():
        return None
    if any("\u3040" <= ch <= "\u30ff" for ch in text):
        return "JP"
    if any("\uac00" <= ch <= "\ud7af" for ch in text):
        return "KR"
    if re.search(r"\bРАН\b|Росси|\bФГ[А-Я]{1,4}\b", text):  # ФГБОУ, ФГБУ …: Russian federal institutions
        return "RU"
    return None


def implied_country(address: str, registry_city: Callable[[str], str | None] | None = None) -> str | None:
    """The country ``address`` implies under rules 1–9 of the module docstring, else None.
    ``registry_city``: rule 6 (the gazetteer's and the registry's unambiguous places); it returns
    ``""`` to stop the search (places of two countries)."""
    text, tlds = strip_emails(address)
    code = email_country(tlds)
    if code:
        return code
    components = split_components(text)
    last = len(components) - 1
    for i in range(last, -1, -1):
        code = postcode_country(components[i], i == last)
        if code:
            return code
    code = script_country(text)
    if code:
        return code
    words = [w for w in (component_words(c) for c in reversed(components)) if w]
    regions, lang = place_names("region"), place_names("word")
    rules = [lambda w: ends_with(w, regions),
             lambda w: after_of(w, _after_of_names()),
             lambda w: next((lang[x] for x in w if x in lang), None)]
    for rule in rules:
        for w in words:
            code = rule(w)
            if code:
                return code
    if registry_city is not None:
        code = registry_city(text)
        if code is not None:
            return code or None  # "": places of two countries (a joint venture's name) - none
    for w in words:  # rule 7: after the places ("Texas Instruments Inc, Oslo" is NO)
        code = starts_with(w, _us_states_and_regions())
        if code:
            return code
    cities, adjectives = place_names("city"), place_names("adjective")
    for rule in (lambda w: ends_with(w, cities), lambda w: starts_with(w, cities),
                 lambda w: next((adjectives[x] for x in w if x in adjectives), None),
                 lambda w: country_starting(w)):
        for w in words:
            code = rule(w)
            if code:
                return code
    return None


@lru_cache(maxsize=1)
def _starting_names() -> dict[str, str]:
    return {k: v for k, v in country_names().items() if v in COUNTRIES_STARTING_NAMES and k not in NEVER_IMPLIED}


def country_starting(words: list[str]) -> str | None:
    """The country (of :data:`COUNTRIES_STARTING_NAMES`) whose name begins a component before an organisation
    word (``Kenya Methodist University``, ``Korea Institute of Energy Research``) (rule 10)."""
    for size in range(min(3, len(words) - 1), 0, -1):
        code = _starting_names().get(" ".join(words[:size]))
        if code and ORGANISATION_WORDS.intersection(words[size:]):
            return code
    return None
