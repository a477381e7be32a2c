"""A small stand-in for collabatlas.affiliations.matching.AffiliationMatcher (same interface) for the export tests:
country = the address's last comma part looked up in a short table; ROR ids from a substring table."""

from __future__ import annotations

import re

from collabatlas.affiliations.matching import AffiliationMatch

COUNTRIES = {
    "usa": "US", "united states": "US", "peoples r china": "CN", "china": "CN", "germany": "DE", "france": "FR",
    "england": "GB", "scotland": "GB", "wales": "GB", "united kingdom": "GB", "uk": "GB", "japan": "JP",
    "india": "IN", "italy": "IT", "portugal": "PT", "spain": "ES", "south korea": "KR", "korea": "KR",
    "canada": "CA", "australia": "AU", "poland": "PL", "norway": "NO", "netherlands": "NL", "brazil": "BR",
    "switzerland": "CH", "sweden": "SE", "taiwan": "TW", "iran": "IR", "turkey": "TR", "belgium": "BE",
}


def fake_country(address: str) -> str | None:
    last = address.rstrip(" .").rsplit(",", 1)[-1].strip().lower()
    last = re.sub(r"\s*\d[\d\- ]*$", "", last)  # "... 20064 USA" handled below
    if re.search(r"\busa$", last):
        return "US"
    return COUNTRIES.get(last)


class FakeMatcher:
    def __init__(self, ror: dict[str, tuple[str, str, str, str]] | None = None):
        self.ror = ror or {}  # substring -> (ror_id, name, country, ror_type)
        self.calls: list[list[str]] = []

    def match_many(self, addresses):
        addresses = list(addresses)
        self.calls.append(addresses)
        return [self.match(a) for a in addresses]

    def match(self, address: str) -> AffiliationMatch:
        for needle, (ror_id, name, cc, rtype) in self.ror.items():
            if needle in address:
                return AffiliationMatch(address, ror_id, name, cc, None, 95.0, rtype)
        return AffiliationMatch(address, None, None, fake_country(address), None, 0.0, None)
