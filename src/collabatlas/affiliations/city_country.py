"""The country of an address that names none, from place names: the packaged gazetteer and the loaded
registry's cities (issue 29).

Rule 6 of :mod:`collabatlas.affiliations.address_region` (what else an address implies: e-mail domains,
postcodes, regions, major cities), tried only when the address rules
(:mod:`collabatlas.affiliations.address_country`) find no country and the matcher keeps no organisation.
A **place** is read, from the last component backwards, where it is

- the whole component, postcodes, numbers and postal words dropped (``Marburg``; ``Beijing 100871``;
  ``Lyon cedex 09``),
- or the end of one, not after a connector (``Bauhaus Univ Weimar``; not ``Carrer de Palau``),
- or the start of one, right before an organisation word (``Okayama Univ``; not ``Alfred Hospital`` —
  ``Alfred`` is no trusted place, below);

a component naming a street (``80 Stamford Rd``, ``Via G. Colombo 40``) is never read. A place read at a
component's start is an organisation's name, which may join two countries' cities: when places of two
countries are read so (``Xi'an Jiaotong, Liverpool University``), the address gets no country at all.

The places are, first, the packaged gazetteer (:func:`trusted_places`, from ``refdata/city_gazetteer.csv``:
cities and first-level subdivisions of the ROR organisations' locations), so the rule works without a
loaded registry; a name it holds — trusted or not — is decided by it alone. Then the loaded registry's
other cities whose organisations (at least :data:`MIN_ORGS`) are all in one country. A gazetteer place is
trusted when

- at least :data:`MIN_ORGS` organisations are there, and at most :data:`MAX_OTHER_SHARE` of the
  organisations at a place of that name are in another country (``Melbourne``: 123 AU, 6 US — no),
- at most :data:`MAX_NAMED_ELSEWHERE` times as many organisations elsewhere carry the name in their own
  name (``Mobile`` of T-Mobile, ``Alfred`` of the Alfred Wegener Institute, ``Nanyang`` of Nanyang
  Technological University, Singapore — no),
- it has at least :data:`MIN_LETTERS` letters, is no country or US state name, and is not one of the
  famous namesakes :data:`NEVER_GUESSED` (``Cambridge``, ``London``, ``Victoria``, ``Punjab`` …).

Measured on the tuning halves of ``benchmarks.country_devset`` (``python -m benchmarks.eval_countries``).
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from functools import lru_cache

from collabatlas.affiliations.address_country import country_names, split_components
from collabatlas.affiliations.address_region import implied_country
from collabatlas.affiliations.normalisation import normalise_name
from collabatlas.refdata.city_gazetteer import gazetteer
from collabatlas.refdata.country_regions import NEVER_IMPLIED
from collabatlas.refdata.country_rules import UNDECOMPOSED_LETTERS

MIN_ORGS = 2                 # organisations a place must have for it to decide
SINGLE_ORG = True            # a place of one organisation counts when nothing else carries its name
MIN_LETTERS = 4
MAX_OTHER_SHARE = 0.1        # organisations at a place of that name in other countries, per organisation there
MAX_NAMED_ELSEWHERE = 0.25   # organisations in other countries naming the place, per organisation there
# namesakes famous enough that the name alone never says which (the registry may count one side only)
NEVER_GUESSED = frozenset({
    "cambridge", "london", "georgia", "victoria", "punjab", "vancouver", "melbourne", "perth", "naple", "florence",
    "durham", "alexandria", "birmingham", "manchester", "richmond", "kingston", "hamilton",
    "windsor", "newcastle", "wellington", "santiago", "cordoba", "valencia", "merida", "leon", "toledo",
    "san jose", "santa cruz", "columbia", "athen", "syracuse", "lincoln", "bristol", "oxford", "plymouth",
    "portsmouth", "worcester", "salem", "troy", "york", "jersey", "hyderabad", "frankfort", "waterloo",
    "aberdeen", "brunswick", "middlesex", "surrey", "kent", "essex", "sussex", "norfolk", "suffolk", "devon",
    "cornwall", "orange", "aurora", "bethlehem", "nazareth", "providence", "concord", "union", "liberty",
    "progress", "independence", "unity", "victory",
})
# postal words, and the Korean / Japanese suffixes for a city or ward ("Pyeongtaek Si", "Nada Ku")
_FILLER = frozenset({"cedex", "bp", "cp", "po", "box", "pr", "sp", "cep", "gpo", "pb", "df", "si", "shi", "ku", "gu"})
_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue"})
_WITH_DIGIT = re.compile(r"\S*\d\S*")  # postcodes, house numbers ("F-91761", "2/12")
# words that make a component a street address: no place is read in it
_STREET = frozenset({"street", "road", "rd", "avenue", "ave", "av", "avda", "via", "rue", "calle", "carrer", "rua",
                     "strasse", "str", "blvd", "boulevard", "highway", "hwy", "lane", "drive", "way",
                     "place", "plaza", "square", "sq", "ul", "ulitsa", "prospekt", "alameda", "estrada",
                     "rodovia", "km", "corso", "viale", "piazza", "largo", "travessa", "platz", "weg", "allee",
                     "gasse", "vej", "gatan", "gata", "vegen", "veien", "laan", "straat", "building", "bldg",
                     "floor", "room", "suite"})
# a place at a component's start counts only right before one of these ("Okayama University")
_ORG_WORDS = frozenset({"university", "college", "institute", "hospital", "academy", "school", "polytechnic",
                        "medical", "national", "municipal", "city", "prefectural", "provincial", "technical",
                        "technology", "normal", "agricultural", "center", "clinic", "laboratory", "infirmary",
                        "registry", "group", "society", "museum", "observatory", "council", "foundation", "jiaotong"})
_CONNECTORS = frozenset({"new", "north", "south", "east", "west", "upper", "lower", "saint", "sainte", "san",
                         "santa", "sao", "el", "al", "port", "fort", "mount", "lake", "beth", "van", "von"})


def _excluded() -> frozenset[str]:
    places = {" ".join(normalise_name(n).split()) for n in country_names()}
    return frozenset(places | NEVER_GUESSED | {normalise_name(n) for n in NEVER_IMPLIED})


def _spellings(written: str) -> set[str]:
    """The normalised forms of a place name: as written, with letters Unicode does not decompose folded
    (``Tromsø``: ``tromso``), with German umlauts written out (``Tübingen``: ``tubingen``, ``tuebingen``),
    without a city suffix (``Pyeongtaek-si``: ``pyeongtaek``). Two-word names are not read joined
    (``George Town``, Malaysia, is not ``Georgetown``)."""
    out = {normalise_name(written), normalise_name(written.translate(UNDECOMPOSED_LETTERS))}
    if any(ch in written for ch in "äöüÄÖÜ"):
        out.add(normalise_name(written.translate(_UMLAUTS)))
    out |= {" ".join(k.split()[:-1]) for k in out if len(k.split()) > 1 and k.split()[-1] in _FILLER}
    return out - {""}


@lru_cache(maxsize=1)
def gazetteer_verdicts() -> dict[str, str | None]:
    """Every gazetteer name (normalised) → its country when trusted (module docstring), else None."""
    excluded = _excluded()
    out: dict[str, str | None] = {}
    for p in gazetteer():
        for key in _spellings(p.written):
            several = p.orgs >= MIN_ORGS or (SINGLE_ORG and p.other_orgs == 0 and p.named_elsewhere == 0)
            trusted = (several and p.other_orgs <= MAX_OTHER_SHARE * p.orgs
                       and p.named_elsewhere <= max(1.0, MAX_NAMED_ELSEWHERE * p.orgs)
                       and len(key.replace(" ", "")) >= MIN_LETTERS and key not in excluded)
            if key in out and out[key] != (p.code if trusted else None):
                out[key] = None  # two rows normalise alike and disagree: neither decides
            else:
                out[key] = p.code if trusted else None
    return out


def trusted_places() -> dict[str, str]:
    """The gazetteer names an address is read by (normalised) → ISO2."""
    return {k: v for k, v in gazetteer_verdicts().items() if v}


class CityCountries:
    """Place name → country: the trusted gazetteer places, then the registry's unambiguous cities."""

    def __init__(self, org_cities: list[tuple[str, str]]) -> None:
        """``org_cities``: (normalised city, country code) of every registry organisation."""
        per_city: dict[str, Counter] = defaultdict(Counter)
        for city, country in org_cities:
            if city and country:
                per_city[city][country] += 1
        verdicts, excluded = gazetteer_verdicts(), _excluded()
        self.country_of: dict[str, str] = trusted_places()
        for city, counts in per_city.items():
            if city in verdicts or city in excluded or len(city.replace(" ", "")) < MIN_LETTERS:
                continue
            if len(counts) == 1 and sum(counts.values()) >= MIN_ORGS:
                self.country_of[city] = next(iter(counts))
        self._longest = max((len(c.split()) for c in self.country_of), default=0)

    def country(self, address: str) -> str | None:
        """The country ``address`` implies (:func:`collabatlas.affiliations.address_region.implied_country`:
        e-mail domains, postcodes, regions …, these places, then the packaged major cities)."""
        return implied_country(address, self.registry_country)

    def registry_country(self, address: str) -> str | None:
        """The country of the last component that is or ends with a place, else of the places components
        start with (module docstring); ``""`` (stop: no country) when those are of two countries (``Xi'an
        Jiaotong, Liverpool University``: a joint venture's name)."""
        starts = set()
        for component in reversed(split_components(address)):
            code, at_start = self._component_place(component)
            if code and not at_start and not starts:
                return code
            if code:
                starts.add(code)
        return starts.pop() if len(starts) == 1 else ("" if starts else None)

    def _component_place(self, component: str) -> tuple[str | None, bool]:
        """The country of the place one component is, ends with or starts with, and whether it starts it."""
        words = [w for w in normalise_name(_WITH_DIGIT.sub(" ", component).translate(UNDECOMPOSED_LETTERS)).split()
                 if w not in _FILLER]
        if _STREET.intersection(words):
            return None, False
        n = len(words)
        for k in range(min(self._longest, n), 0, -1):
            code = self.country_of.get(" ".join(words[-k:]))
            if code is not None and (k == n or words[-k - 1] not in _CONNECTORS):
                return code, False
            if k < n and (words[k] in _ORG_WORDS or _ORG_WORDS.intersection(words[k + 1:])):
                code = self.country_of.get(" ".join(words[:k]))
                if code is not None:
                    return code, True
        return None, False
