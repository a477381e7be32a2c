"""Issue 29: the country an address implies where it names none (``affiliations.address_region``) — each
rule with hand-checked oracles, the ambiguous names it must leave alone, and one test per table row."""

from __future__ import annotations

import pytest

from collabatlas.affiliations.address_country import resolve_country
from collabatlas.affiliations.address_region import (
    email_country,
    implied_country,
    parse_regions,
    place_names,
    region_table,
)
from collabatlas.affiliations.city_country import CityCountries
from collabatlas.affiliations.matching import AffiliationMatcher

IMPLIED = [
    # 1. e-mail domains
    ("Theoretical Chemistry, Greinstr. 4, Cologne m.dolg@uni-koeln.de.", "DE"),
    ("UCL Cancer Institute, UCL, London j.bridgewater@ucl.ac.uk.", "GB"),
    ("Division of Endocrinology, Memphis sdj@uthsc.edu.", "US"),
    ("School of Medicine, a.b@unimelb.edu.au", "AU"),
    ("Department of Physics, a@b.com", None),
    ("Start-up, x@y.io", None),
    ("Lab X, a@b.de, c@d.fr", None),                               # two countries: none
    # 2. postcodes
    ("Department of Zoology, Cambridge CB2 3EJ", "GB"),
    ("Dept Medicine, Toronto, ON M5S 1A8", "CA"),
    ("Dept of Pathobiology, University of Guelph, Guelph, ON.", "CA"),
    ("Univ Sydney, Camperdown, NSW 2006", "AU"),
    ("Trusting Social, Melbourne, Vic 3000", "AU"),                # the state code as Australia Post writes it too
    ("Centro Academico do Agreste, Caruaru/PE, CEP 55002-970", "BR"),  # a Brazilian CEP
    ("UENF, Campos dos Goytacazes, RJ 28013-600", "BR"),           # a state code before the CEP
    ("Room CEP 1234", None),
    ("Univ Jersey, St Helier JE2 3AB", None),                       # a Crown dependency, not GB
    ("Leibnizstr. 23, D-41061 Mönchengladbach", "DE"),              # European postcodes with the vehicle code
    ("St. Vincenz-Krankenhaus Am Stein 24 D-58706 Menden", "DE"),
    ("Dept Y, S-106 91 Stockholm", "SE"),
    ("Room A-1012 Building", None),                                 # a room number, not Austria
    ("Department of Neurology, University of Massachusetts Memorial Health Care, Worcester, Mass.", "US"),
    ("U. S. Naval Ordnance Test Station, Inyokern, China Lake, Calif.", "US"),
    ("Washington University School of Medicine, St. Louis, Mo.", "US"),
    ("Purdue University, Lafayette, Ind.", "US"),
    ("Department of Surgery, Louisville, Ky.", "US"),
    # 3. regions
    ("Dept Physics, Hefei, Anhui", "CN"),
    ("Univ Sydney, Camperdown, New South Wales", "AU"),             # not Wales
    ("Inst Pasteur, Hohhot, Inner Mongolia", "CN"),                 # not Mongolia
    ("Dept Chem, Mumbai, Maharashtra", "IN"),
    ("McGill Univ, Montreal, Quebec", "CA"),
    ("Univ Oxford, Oxford, Oxfordshire", "GB"),
    # 4. after "of", in an organisation's name only
    ("University of the Bahamas", "BS"),
    ("Central Bank of Oman", "OM"),
    ("Universidad de Costa Rica", "CR"),
    ("Carrer de Palau 12, Barcelona", "ES"),                        # the street is not Palau; the city (8)
    ("University of Georgia, Athens 30602.", None),                 # the US state or the country: never
    # … and after "de" in a Spanish, Portuguese or Italian organisation word (a Spanish city name in Mexico)
    ("Tecnológico Nacional de México, Instituto Tecnológico Superior de Valladolid", "MX"),
    ("Escuela Nacional de Salud Pública de Cuba, Havana", "CU"),
    ("Museo Nacional de Costa Rica", "CR"),
    ("Centro de Estudos, Rua de Angola", None),                     # a street
    # 5. a word of one country's language
    ("FIRAT ÜNİVERSİTESİ İLETİŞİM FAKÜLTESİ", "TR"),
    ("Politechnika Warszawska", "PL"),
    ("京都光華女子大学こども教育学部", "JP"),                           # kana
    ("서울대학교 의과대학", "KR"),                                       # Hangul
    ("Полярный геофизический институт КНЦ РАН", "RU"),              # the Russian Academy of Sciences
    ("Институт физики", None),                                      # Cyrillic alone: several countries
    ("ФГОУ ВПО «Омский государственный аграрный университет»", "RU"),  # a Russian federal legal form
    ("ГУ «Институт физики»", None),
    ("北京大学", None),                                              # Han characters alone: CN, JP, TW …
    ("Generalitat de Catalunya. esabater@porib.com.", "ES"),
    ("Technische Universität", None),                               # German: AT, DE, CH
    ("Universität Wien", "AT"),                                     # not the word: Vienna's German name (8)
    # 7. a region or US state beginning a component, after the places (6: tests/test_match_city_country.py)
    ("Ningxia Academy of Agriculture and Forestry Sciences", "CN"),
    ("Missouri Botanical Garden, St. Louis.", "US"),
    ("Gunma National College of Technology", "JP"),
    ("Georgia Institute of Technology", None),
    ("Jordan Hall, Stanford", None),
    # 9. an English adjective of one country, after every place
    ("Finnish Geospatial Res Inst, Ctr Excellence Laser Scanning Res", "FI"),
    ("Malaysian Rubber Producers' Research Association, Hertford, Hertfordshire", "GB"),  # the region first
    ("American University, Beirut Campus", None),                   # not read: organisations abroad
    ("Instituto Mexicano del Seguro Social", "MX"),                 # Spanish, French, German … adjectives
    ("Österreichische Akademie der Wissenschaften", "AT"),
    ("Hospital Alemán", None),                                      # not read: Buenos Aires has one
    ("Hospital Italiano", None),
    ("Slovenska akademija znanosti in umetnosti", None),            # Slovenian or Slovak: not read
    # 10. a country (of a hand-written list) beginning a component before an organisation word
    ("Kenya Methodist University", "KE"),
    ("Korea Electrotechnol Res Inst, Energy Convers Res Ctr", "KR"),
    ("Finland Futures Research Centre", "FI"),
    ("China Medical University", None),                             # left out: China Medical University, Taiwan
    ("Canada College, Redwood City", None),                         # left out: a college in California
    ("Dept X, Kenya Street", None),                                 # no organisation word
    # 8. major cities
    ("Dept Y, Hopital Saint-Louis, Paris", "FR"),
    ("Tokyo Institute of Technology", "JP"),
    ("Dept Phys, Cambridge", None),
    ("Dept Phys, London", None),
    ("Florida Inst Technol, Melbourne", "US"),                     # the state begins a component (6)
    ("Dept Phys, Melbourne", None),                                 # Australia or Florida
    ("Faculty of Law, Universiteit Antwerpen, Antwerpen", "BE"),    # local names of major cities
    ("Dept Chem, Warszawa", "PL"),
    ("Soroka Univ Med Ctr, Beer-Sheva", "IL"),
    ("Instituto de Ecologia, Ciudad de México", "MX"),
    ("Department of Physics", None),
    ("", None),
]


@pytest.mark.parametrize("address,expected", IMPLIED)
def test_implied_country(address, expected):
    assert implied_country(address) == expected


def test_the_gazetteer_decides_the_names_it_holds_and_the_registry_the_others():
    registry = CityCountries([("paris", "US"), ("paris", "US"), ("foobarton", "US"), ("foobarton", "US")])
    assert registry.country("Dept X, Paris") == "FR"                   # the packaged gazetteer's verdict
    assert registry.country("Dept X, Foobarton") == "US"               # a town the gazetteer does not hold
    assert CityCountries([]).country("Dept X, Foobarton") is None
    assert registry.country("Dept X, Foobarton, a@b.fr") == "FR"       # the e-mail domain first


def test_edu_is_read_as_us_and_generic_domains_say_nothing():
    assert email_country(("edu",)) == "US" and email_country(("gov", "edu")) == "US"
    assert email_country(("com",)) is None and email_country(("co",)) is None and email_country(("uk",)) == "GB"


@pytest.mark.parametrize("rule", region_table(), ids=lambda r: f"{r.kind}:{r.written}")
def test_every_region_row(rule):
    """Each row of ``country_regions.csv`` gives its country: as the last component (regions, cities),
    or inside an organisation's name (words); the address rules never read it as another country."""
    if rule.kind in ("word", "adjective"):
        address = f"Dept X, Foo {rule.written} Bar"
    else:
        address = f"Dept X, Somewhere Institute, {rule.written}"
    assert implied_country(address) == rule.code
    assert resolve_country(address) in (None, rule.code)


def test_region_table_checks():
    header = "written,code,kind,where\n"
    with pytest.raises(ValueError, match=r"t.csv:2: code: not a country code: 'ZZ'"):
        parse_regions(header + "Foo,ZZ,region,x\n", "t.csv")
    with pytest.raises(ValueError, match=r"t.csv:2: kind: expected region, city, word or adjective"):
        parse_regions(header + "Foo,FR,town,x\n", "t.csv")
    with pytest.raises(ValueError, match=r"t.csv:3: written: 'PARIS' normalises as line 2 does"):
        parse_regions(header + "Paris,FR,city,x\nPARIS,FR,city,x\n", "t.csv")
    with pytest.raises(ValueError, match=r"t.csv:2: written: 'Georgia' is ambiguous"):
        parse_regions(header + "Georgia,US,region,x\n", "t.csv")
    assert "georgia" not in place_names("region") and "victoria" not in place_names("region")


ADDRESS_RULES = [
    ("Sigma Theta Tau Int Honor Soc Nursing, Phi Gamma Chapter, Indianapolis, IN USA.", "US"),
    ("Integrative Biology and Pharmacology UTHSC at Houston Houston TX", "US"),
    ("University of Massachusetts, Worcester, MA (JA)", "US"),
    ("Pfizer Inc, New York City, NY, USA (retired).", "US"),
    ("IBM Research Division (United States)", "US"),
    ("Toronto, Canada (GA)", "CA"),
    ("ZNA Middelheim, Belgium. Electronic address: Danielle.VandenWeyngaert@zna.be.", "BE"),
    ("Sapienza University of Rome, Rome, Italy ; francesca.falasca@uniroma 1.it.", "IT"),
    ("Division of Endocrinology, Memphis, TN sdj@uthsc.edu.", "US"),
    ("北京大学, 北京, 中国", "CN"),
    ("Bond Univ, Gold Coast", "AU"),                                # not Ghana's colonial name
    ("CICESE, Ensenada, Baja California", None),                    # not California: the Mexican state
    ("Hohhot, Inner Mongolia", "CN"),
    ("Madrid DE", None),                                            # DE is also Germany's code
    # the country's name in another language (rules table, kind "language"; written by hand)
    ("Instituto Nacional de Salud Pública, Cuernavaca, Estados Unidos Mexicanos", "MX"),  # not Estados Unidos
    ("Johnson & Johnson, New Brunswick, EE. UU.", "US"),
    ("Universität Wien, Wien, Österreich", "AT"),
    ("ETH Zürich, Zürich, Schweiz", "CH"),
    ("Institut Pasteur, Paris, Allemagne", "DE"),                   # the last component decides, as always
    ("Universidade de Franca, Franca", None),                       # the Brazilian city, not França (skipped)
    ("Sede de Occidente, Grecia", None),                            # a Costa Rican town, not Grécia (skipped)
    ("Институт истории АН Республики Узбекистан (Узбекистан)", "UZ"),
    ("北京大学, 北京, 中國", "CN"),
    ("東京大学, 東京, 日本", "JP"),
    ("Seoul National Univ, 韓國", "KR"),
]


@pytest.mark.parametrize("address,expected", ADDRESS_RULES)
def test_address_rules_issue_29(address, expected):
    assert resolve_country(address) == expected


def test_the_matcher_gives_an_implied_country_only_when_it_keeps_no_organisation():
    institutions = [("00b0aaa01", "Philipps University of Marburg", ["education"], "DE", "Marburg", "active")]
    names = [(rid, name, "ror_display") for rid, name, *_ in institutions]
    m = AffiliationMatcher(institutions, names)
    got = m.match("Institute of Nothing, Hefei, Anhui")
    assert (got.ror_id, got.country_code, got.address_country) == (None, "CN", None)
    assert m.match("Institute of Nothing, x@y.fr").country_code == "FR"
