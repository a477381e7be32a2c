"""The country of an organisation the matcher is not sure enough to name (issue 29).

When an address names no country, implies none (:mod:`collabatlas.affiliations.address_region`) and the
matcher's best organisation falls short of its cut-off, the organisation is not output — but its
*country* is often right even when the organisation is not (``Department of Chemistry University of
Oxford`` → University of Oxford at confidence 0.83, below the cut-off of a registry with OpenAlex records
when this was written (0.86; ``match_model.DEFAULT_MIN_CONFIDENCE_LISTED``); ``MIT, Cambridge`` → 0.65).
:func:`weak_candidate_country` gives that country, and nothing, when

1. the candidate's confidence is below :data:`MIN_CONFIDENCE`;
2. its registry name ends with a country in parentheses (``Ericsson (Sweden)``, ``Gap (United
   States)``): a company's branch in one country of many, or a company named like a town;
3. its name is one word (``Avon``, ``Bruegel``): the word is as likely a place or another company;
4. the organisation was found by an acronym that is not a whole component of the address (``INRIA,
   Rocquencourt`` counts; ``Soviet Physics - Uspekhi, V19, DOI 10.1070/…``, a reference misread as an
   address, is not the Department of the Interior);
5. the address names a city of another country than the candidate's (a feature of the matcher), or a
   component of the address is a registry city other than the candidate's own (``Harvard Law School,
   Cambridge`` is not the Cambridge School of Lisbon; ``National School of Public Health, Athens`` is
   not Havana's).

The output is a country only: the organisation stays unmatched (``ror_id`` empty).
"""

from __future__ import annotations

import re

from collabatlas.affiliations.address_country import split_components
from collabatlas.affiliations.normalisation import normalise_name

MIN_CONFIDENCE = 0.5
_COUNTRY_SUFFIX = re.compile(r"\([^()]+\)\s*$")
_DIGITS = re.compile(r"\S*\d\S*")


def weak_candidate_country(address: str, name: str, city: str, country: str | None, features: dict,
                           confidence: float, known_cities: set[str], part: str = "") -> str | None:
    """``country`` (the candidate organisation's) when the rules of the module docstring allow it, else None.
    ``city``: the candidate's registry city (normalised); ``known_cities``: every registry city (normalised);
    ``part``: the address part that matched (an acronym when ``features["via_acronym"]``)."""
    if not country or confidence < MIN_CONFIDENCE or _COUNTRY_SUFFIX.search(name or ""):
        return None
    if features.get("one_word_name") or features.get("city_other"):
        return None
    components = split_components(address)
    if features.get("via_acronym") and part.strip() not in {c.strip(" .") for c in components}:
        return None  # an acronym inside a longer component ("DOI 10.1070/…" is no Department of the Interior)
    for component in components:
        place = normalise_name(_DIGITS.sub(" ", component))
        if place in known_cities and place != city:
            return None
    return country
