"""Issue 29, on the real exports: every distinct country token (the last comma part) of every Web of
Science and Scopus address in ``../shared/data`` resolves to the country checked by hand below.

The exports are read in place with collabatlas's own readers (never copied). The metaknowledge WoS
fixture (``testFile.isi``) has its cited references under C1 (its CR tag is missing); those lines
(``AUTHOR, 1974, JOURNAL, V278``) are no addresses and are left out.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from collabatlas.affiliations.address_country import US_STATES, resolve_country, split_components
from collabatlas.affiliations.address_region import implied_country
from collabatlas.sources.export_readers import reader_for
from collabatlas.sources.exports import ByteCounter
from collabatlas.sources.formats import detect_format
from collabatlas.sources.ingest_report import IngestReport

pytestmark = pytest.mark.realdata

_REFERENCE = re.compile(r"^[^,]+, \d{4}, ")
_US_TOKEN = re.compile(r"^([A-Z]{2})(?: \d{5})?(?: USA)?$")  # "CA 94305 USA", "MD USA", "TN 37830", "MA"

# hand-checked: every other token written in the exports → the country it names
COUNTRY_TOKENS = {
    "Algeria": "DZ", "Andorra": "AD", "Argentina": "AR", "Australia": "AU", "Austria": "AT", "Bangladesh": "BD",
    "Belgium": "BE", "Bosnia & Herceg": "BA", "Botswana": "BW", "Brazil": "BR", "Bulgaria": "BG",
    "Burkina Faso": "BF", "Cambodia": "KH", "Cameroon": "CM", "Canada": "CA", "Cape Verde": "CV", "Chile": "CL",
    "China": "CN", "Colombia": "CO", "Costa Rica": "CR", "Croatia": "HR", "Cuba": "CU", "Cyprus": "CY",
    "Czech Republic": "CZ", "Denmark": "DK", "Ecuador": "EC", "Egypt": "EG", "England": "GB", "Estonia": "EE",
    "FRANCE": "FR", "Finland": "FI", "France": "FR", "Germany": "DE", "Ghana": "GH", "Greece": "GR",
    "Hong Kong": "HK", "Hungary": "HU", "Iceland": "IS", "India": "IN", "Indonesia": "ID", "Iran": "IR",
    "Iraq": "IQ", "Ireland": "IE", "Israel": "IL", "Italy": "IT", "JAPAN": "JP", "Japan": "JP", "Jordan": "JO",
    "Kazakhstan": "KZ", "Kenya": "KE", "Kuwait": "KW", "Kyrgyzstan": "KG", "Latvia": "LV", "Lebanon": "LB",
    "Liechtenstein": "LI", "Lithuania": "LT", "Luxembourg": "LU", "Malaysia": "MY", "Mexico": "MX",
    "Morocco": "MA", "NORWAY": "NO", "Netherlands": "NL", "New Zealand": "NZ", "North Ireland": "GB",
    "North Macedonia": "MK", "Norway": "NO", "Oman": "OM", "Pakistan": "PK", "Palestine": "PS", "Panama": "PA",
    "Paraguay": "PY", "Peoples R China": "CN", "Peru": "PE", "Philippines": "PH", "Poland": "PL",
    "Portugal": "PT", "Qatar": "QA", "Romania": "RO", "Russia": "RU", "Russian Federation": "RU",
    "Saudi Arabia": "SA", "Scotland": "GB", "Senegal": "SN", "Serbia": "RS", "Singapore": "SG", "Slovakia": "SK",
    "Slovenia": "SI", "South Africa": "ZA", "South Korea": "KR", "Spain": "ES", "Sri Lanka": "LK",
    "Sweden": "SE", "Switzerland": "CH", "Taiwan": "TW", "Tanzania": "TZ", "Thailand": "TH", "Tunisia": "TN",
    "Turkey": "TR", "Turkiye": "TR", "U Arab Emirates": "AE", "UK": "GB", "USA": "US", "Ukraine": "UA",
    "United Kingdom": "GB", "United States": "US", "Uruguay": "UY", "Venezuela": "VE", "Viet Nam": "VN",
    "Vietnam": "VN", "Wales": "GB", "YUGOSLAVIA": "YU", "Yemen": "YE", "Zambia": "ZM",
}
# tokens that name no country (older Scopus records end with a city or an organisation): the address rules
# give none; what the address implies (affiliations.address_region), checked by hand
NO_COUNTRY_TOKENS = {
    "Allegheny General Hospital": None, "Allegheny Univ. of the Hlth. Sci": None, "Amsterdam": "NL",
    "Boston": None, "Gothenburg": "SE", "Gradevinski Fak. Sveucilista Rijeci": "HR", "INESC Coimbra": None,
    "Indianapolis": "US",            # "Indiana University, Indianapolis": a US state begins a component
    "Karlsruhe": "DE", "Madison": None,  # "University of Wisconsin Hospital and Clinics, Madison"
    "Nashville": None, "Philadelphia": None, "Pittsburgh": None,
    "Netherlands Cancer Institute": "NL",  # a country beginning an organisation's name (Amsterdam)
    "University of Pittsburgh": None,
}


def _addresses(data: Path) -> dict[str, str]:
    """Every WoS and Scopus address, by its country token (the first address seen for each token)."""
    out: dict[str, str] = {}
    for folder in ("wos", "scopus"):
        for path in sorted((data / folder).iterdir()):
            fmt = detect_format(path)
            if fmt not in ("wos", "scopus"):
                continue
            counter = ByteCounter(path)
            try:
                for record in reader_for(fmt, path)(path, IngestReport(), counter):
                    for author in record.authors:
                        for address in author.addresses:
                            parts = split_components(address)
                            if parts and not _REFERENCE.match(address):
                                out.setdefault(parts[-1].strip().rstrip("."), address)
            finally:
                counter.close()
    return out


def test_every_wos_and_scopus_country_token_resolves(shared_data):
    addresses = _addresses(shared_data)
    assert len(addresses) > 400
    unchecked = sorted(t for t in addresses
                       if t not in COUNTRY_TOKENS and t not in NO_COUNTRY_TOKENS and not _US_TOKEN.match(t))
    assert unchecked == []  # a new token: check it by hand and add it above
    wrong = {}
    for token, address in addresses.items():
        us = _US_TOKEN.match(token)
        if token in COUNTRY_TOKENS:
            expected = COUNTRY_TOKENS[token]
        elif token in NO_COUNTRY_TOKENS:
            expected = None
            if implied_country(address) != NO_COUNTRY_TOKENS[token]:
                wrong[token] = ("implied", implied_country(address), NO_COUNTRY_TOKENS[token])
        else:
            assert us.group(1) in US_STATES or us.group(1) == "PR", token  # PR: Puerto Rico, written "PR … USA"
            expected = "US"
        if resolve_country(address) != expected:
            wrong[token] = (address, resolve_country(address), expected)
    assert wrong == {}
