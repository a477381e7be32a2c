"""The country rules table (``refdata/country_rules.csv``): Web of Science abbreviations and historical
countries, one test per row, hand-checked oracles for the cases of issue 29, and the table's own checks."""

from __future__ import annotations

import pytest

from collabatlas.affiliations.address_country import country_rule, parse_rules, resolve_country, rules_table
from collabatlas.affiliations.matching import AffiliationMatcher
from collabatlas.refdata.countries import HISTORICAL_CODES, iso2_codes, short_names


@pytest.mark.parametrize("rule", rules_table(), ids=lambda r: r.written)
def test_every_row_resolves_as_the_table_says(rule):
    """Each row, as the last component of an address and after an institution and a city."""
    expected = rule.code or None
    assert resolve_country(f"Univ Somewhere, Dept Phys, Somewhere City, {rule.written}") == expected
    assert resolve_country(rule.written.upper()) == expected  # WoS tab exports write countries in capitals
    if rule.kind == "historical" or not rule.code:
        assert rule.reason
    assert not rule.code or rule.code in iso2_codes() or rule.code in HISTORICAL_CODES


# written by hand from ISO 3166-1/-3 (not read from the table)
ORACLE = [
    ("Univ Malabo, Malabo, Equat Guinea", "GQ"),          # not Guinea (GN)
    ("Univ Bangui, Bangui, Cent Afr Republ", "CF"),
    ("Univ Kinshasa, Kinshasa, Dem Rep Congo", "CD"),
    ("Univ Sarajevo, Sarajevo, Bosnia & Herceg", "BA"),
    ("Univ Papua New Guinea, Port Moresby, Papua N Guinea", "PG"),
    ("UAE Univ, Al Ain, U Arab Emirates", "AE"),
    ("Govt Turks & Caicos, Grand Turk, Turks & Caicos", "TC"),
    ("Ross Univ, Basseterre, St Kitts & Nevi", "KN"),
    ("Univ Curacao, Willemstad, Neth Antilles", "AN"),    # ISO 3166-3: CW, SX, BQ are equal successors
    ("Humboldt Univ, Berlin, Ger Dem Rep", "DD"),
    ("Univ Bonn, Bonn, Fed Rep Ger", "DE"),               # legal continuity
    ("Acad Sci USSR, Moscow, USSR", "RU"),                # the continuator state
    ("Charles Univ, Prague, Czechoslovakia", "CS"),       # never CZ: CZ and SK are equal successors
    ("Univ Zagreb, Zagreb 41000, Yugoslavia", "YU"),
    ("Univ Belgrade, Belgrade, Serbia Monteneg", "RS"),
    ("Univ Aden, Aden, Peoples Dem Rep Yemen", "YD"),
    ("Univ Sanaa, Sanaa, Yemen Arab Rep", "YE"),
    ("Pago Pago, Amer Samoa", "AS"),                      # not Samoa (WS)
    ("Univ W Indies, Cave Hill, W Ind Assoc St", None),   # unknown, with a reason
    ("Bonn, W Germany", "DE"),
    ("Leipzig, East Germany", "DD"),
]


@pytest.mark.parametrize("address,expected", ORACLE)
def test_issue_29_cases(address, expected):
    assert resolve_country(address) == expected


def test_unknown_stops_the_search_and_says_why():
    # without the stop, "Barbados" (an earlier component) would decide
    assert resolve_country("Univ W Indies, Barbados, W Ind Assoc St") is None
    rule = country_rule("W IND ASSOC ST")
    assert rule.code == "" and "six" in rule.reason


def test_historical_codes_have_names():
    names = short_names()
    assert {code: names[code] for code in ("CS", "YU", "DD", "SU")} == {
        "CS": "Czechoslovakia", "YU": "Yugoslavia", "DD": "German Democratic Republic", "SU": "USSR"}


def test_a_bad_table_row_is_refused_with_its_line():
    header = "written,code,kind,reason\n"
    with pytest.raises(ValueError, match=r"t.csv:3: code: not a country code: 'ZZ'"):
        parse_rules(header + "Japan,JP,variant,\nFoo,ZZ,wos,\n", "t.csv")
    with pytest.raises(ValueError, match=r"t.csv:2: reason: required"):
        parse_rules(header + "Czechoslovakia,CS,historical,\n", "t.csv")
    with pytest.raises(ValueError, match=r"t.csv:2: reason: required"):
        parse_rules(header + "Nowhere,,wos,\n", "t.csv")
    with pytest.raises(ValueError, match=r"t.csv:3: written: 'U.K.' normalises as line 2 does"):
        parse_rules(header + "UK,GB,variant,\nU.K.,GB,variant,\n", "t.csv")


def test_the_matcher_keeps_a_historical_country_and_finds_the_successor_organisation():
    institutions = [("024d6js02", "Charles University", ["education"], "CZ", "Prague", "active"),
                    ("00a0aaa05", "Comenius University Bratislava", ["education"], "SK", "Bratislava", "active")]
    names = [(rid, name, "ror_display") for rid, name, *_ in institutions]
    m = AffiliationMatcher(institutions, names, min_confidence=0).match("Charles Univ, Prague, Czechoslovakia")
    assert (m.ror_id, m.country_code, m.address_country) == ("024d6js02", "CS", "CS")
