"""Issue 29: the country of an address that names none, from the registry's unambiguous cities."""

from __future__ import annotations

from collabatlas.affiliations.city_country import CityCountries
from collabatlas.affiliations.matching import AffiliationMatcher

ORG_CITIES = [("foobarton", "DE"), ("foobarton", "DE"), ("quuxville", "GB"), ("quuxville", "US"),
              ("zembla", "US"), ("zembla", "US"), ("lonelyton", "JP"), ("ube", "JP"), ("ube", "JP"),
              ("alfred", "DE"), ("alfred", "DE")]


def test_an_unambiguous_registry_city_gives_its_country():
    """Towns the packaged gazetteer does not hold: the registry's cities decide."""
    cities = CityCountries(ORG_CITIES)
    assert cities.registry_country("Dept Chem, Foobarton") == "DE"
    assert cities.registry_country("Dept Physiol, Univ X, Zembla 38163") == "US"           # the postcode dropped
    assert cities.registry_country("CEMAGREF, 3 bis quai Chauveau, 69336 Zembla cedex 09") == "US"  # postal words
    assert cities.registry_country("Foobarton Univ. Graduate School of Natural Science") == "DE"  # a component's start
    assert cities.registry_country("Dept Phys, Quuxville") is None       # in two countries
    assert cities.registry_country("Lonelyton") is None                  # one organisation only: too little
    assert cities.registry_country("Ube") is None                        # fewer than four letters
    assert cities.registry_country("Alfred") is None                     # the gazetteer's verdict (not trusted) stands
    assert cities.registry_country("Department of Physics") is None
    assert cities.registry_country("Foobarton, Zembla") == "US"          # the last component decides
    assert cities.registry_country("Foobarton Strasse 12, Zembla Road") is None  # streets are never read


def test_the_packaged_gazetteer_works_without_a_registry():
    cities = CityCountries([])
    assert cities.registry_country("Dept Chem, Marburg") == "DE"
    assert cities.registry_country("Dept Physiol, Univ Tennessee, Memphis 38163") == "US"
    assert cities.registry_country("CEMAGREF, 3 bis quai Chauveau, 69336 Lyon cedex 09") == "FR"
    assert cities.registry_country("French Aerospace Lab., Palaiseau F-91761") == "FR"     # "F-91761" dropped
    assert cities.registry_country("Okayama Univ. Graduate School of Natural Science") == "JP"
    assert cities.registry_country("Helsinki Deaconess Medical Centre") == "FI"  # the start, an organisation word after
    assert cities.registry_country("Copenhagen Danish Cancer Registry") == "DK"
    assert cities.registry_country("Dept Microbiol, Univ Tuebingen, 72076 Tuebingen") == "DE"  # the umlaut written out
    assert cities.registry_country("Pyeongtaek Univ, Dept Smart Automobile, Pyeongtaek Si 450701") == "KR"  # "Si"
    assert cities.registry_country("Dept Med Biol, Univ Tromso") == "NO"     # Tromsø with the o written plain
    assert cities.registry_country("Inst Phys, Łódź") == "PL"                # a letter NFKD does not decompose
    assert cities.registry_country("Dept Oncol, Georgetown Univ Med Ctr") is None  # not George Town (MY) joined
    for ambiguous in ("Dept Phys, Cambridge", "Dept Phys, London", "Georgia", "Victoria", "Punjab",
                      "Dept X, Melbourne", "Alfred Hospital",       # Alfred (NY) is a name of organisations elsewhere
                      "Nanyang Technological University",           # Nanyang (CN) names an organisation of Singapore
                      "Singapore Management Univ, 80 Stamford Rd",  # a street
                      "Poliedra-Politecnico di Milano, via G. Colombo 40"):
        assert cities.registry_country(ambiguous) is None, ambiguous


def test_places_of_two_countries_beginning_components_give_none():
    """A joint venture's name with two countries' cities (``Xi'an Jiaotong-Liverpool University`` written in
    two components) is neither; a whole component or its end still decides."""
    cities = CityCountries([])
    assert cities.registry_country("[Xi'an Jiaotong, Liverpool University]") == ""   # "": stop, no country
    assert cities.country("[Xi'an Jiaotong, Liverpool University]") is None           # nor a major city (rule 8)
    assert cities.registry_country("Xi'an Jiaotong-Liverpool University") == "CN"     # one component: its start
    assert cities.registry_country("Okayama Univ, Dept Chem") == "JP"
    assert cities.registry_country("Okayama Univ, Dept Chem, Marburg") == "DE"        # a whole component decides
    assert cities.registry_country("Dept Chem, Marburg, Okayama Univ") == ""          # a start after it: two


def test_places_are_read_before_a_state_beginning_a_component():
    cities = CityCountries([])
    assert cities.country("Texas Instruments Inc, Oslo") == "NO"
    assert cities.country("Tennessee Technol Univ, Tampere") == "FI"
    assert cities.country("Missouri Botanical Garden") == "US"     # no place: the state


def test_the_matcher_uses_it_only_when_the_rules_find_no_country_and_nothing_is_matched():
    institutions = [("00b0aaa01", "Philipps University of Marburg", ["education"], "DE", "Marburg", "active"),
                    ("00b0aaa02", "Marburg Zoo", ["nonprofit"], "DE", "Marburg", "active"),
                    ("00b0aaa03", "Mayo Clinic", ["healthcare"], "US", "Rochester", "active")]
    names = [(rid, name, "ror_display") for rid, name, *_ in institutions]
    m = AffiliationMatcher(institutions, names)
    unknown = m.match("Institut für Nichts, Marburg")
    assert (unknown.ror_id, unknown.country_code, unknown.address_country) == (None, "DE", None)
    assert m.match("Institut für Nichts, Marburg, Austria").country_code == "AT"  # the rules first
    assert m.match("Mayo Clinic, Rochester").country_code == "US"   # a matched organisation's own country


def test_an_implied_country_outranks_an_organisation_elsewhere_whose_city_the_address_does_not_name():
    institutions = [("00b0aaa03", "Mayo Clinic", ["healthcare"], "US", "Rochester", "active"),
                    ("00b0aaa04", "Moscow State University", ["education"], "TJ", "Dushanbe", "active"),
                    ("00b0aaa05", "Moscow State University", ["education"], "RU", "Moscow", "active")]
    names = [(rid, name, "ror_display") for rid, name, *_ in institutions]
    m = AffiliationMatcher(institutions, names)
    got = m.match("Mayo Clinic, Marburg")            # no Mayo Clinic in Germany: none kept, the place's country
    assert (got.ror_id, got.country_code) == (None, "DE")
    assert m.match("Mayo Clinic, Rochester, Marburg").country_code == "US"   # its city is named: kept
    assert m.match("Dept Mathematics, Moscow State University, Moscow").ror_id == "00b0aaa05"  # searched in RU


def test_a_component_that_is_a_city_written_with_city_names_no_institution():
    institutions = [("00b0aaa04", "Government of New York City", ["government"], "US", "New York", "active"),
                    ("00b0aaa05", "New York University", ["education"], "US", "New York", "active")]
    names = [(rid, name, "ror_display") for rid, name, *_ in institutions] + [("00b0aaa04", "New York City", "alias")]
    m = AffiliationMatcher(institutions, names)
    parts = m._parts("Columbia-Presbyterian Medical Center, New York City, USA")
    assert "new york city" not in {norm for _, norm in parts}  # the component alone is no part (a pair stays)
    assert m.match("New York University, New York City, USA").ror_id == "00b0aaa05"


def test_eval_countries_reads_the_openalex_authorships_without_a_country(tmp_path):
    import gzip
    import json

    from benchmarks.eval_countries import openalex_no_country

    (tmp_path / "openalex").mkdir()
    works = [{"authorships": [{"countries": [], "raw_affiliation_strings": ["Dept Chem, Marburg", " "]},
                              {"countries": ["US"], "raw_affiliation_strings": ["Harvard Univ, Cambridge, MA, USA"]},
                              {"countries": [], "raw_affiliation_string": "World Bank"}]},
             {"authorships": [{"countries": [], "raw_affiliation_strings": ["Dept Chem, Marburg"]}]}]
    with gzip.open(tmp_path / "openalex" / "works_api_sample.jsonl.gz", "wt", encoding="utf-8") as fh:
        fh.write("\n".join(json.dumps(w) for w in works) + "\n")
    assert openalex_no_country(tmp_path) == ["Dept Chem, Marburg", "World Bank"]  # distinct, in order


def test_eval_countries_reads_each_affiliation_string_whose_institutions_have_no_country(tmp_path):
    import gzip
    import json

    from benchmarks.eval_countries import openalex_no_institution_country

    (tmp_path / "openalex").mkdir()
    inst_us = {"id": "I1", "country_code": "US"}
    inst_none = {"id": "I2", "country_code": None}
    works = [{"authorships": [
        # the authorship has a country (from its first string); the second string's institution has none
        {"countries": ["US"], "institutions": [inst_us, inst_none],
         "raw_affiliation_strings": ["Harvard Univ, Cambridge, MA, USA", "Earthmind, Geneva"],
         "affiliations": [{"raw_affiliation_string": "Harvard Univ, Cambridge, MA, USA", "institution_ids": ["I1"]},
                          {"raw_affiliation_string": "Earthmind, Geneva", "institution_ids": ["I2"]},
                          {"raw_affiliation_string": "World Bank", "institution_ids": []}]},
        # no affiliations field: the strings count when none of the institutions has a country
        {"countries": [], "institutions": [], "raw_affiliation_strings": ["Dept Chem, Marburg"]},
        {"countries": ["US"], "institutions": [inst_us], "raw_affiliation_strings": ["Yale Univ"]}]}]
    with gzip.open(tmp_path / "openalex" / "works_api_sample.jsonl.gz", "wt", encoding="utf-8") as fh:
        fh.write(json.dumps(works[0]) + "\n")
    assert openalex_no_institution_country(tmp_path) == ["Earthmind, Geneva", "World Bank", "Dept Chem, Marburg"]
