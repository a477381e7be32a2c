"""Issue 29: the country of an organisation the matcher is not sure enough to name
(``affiliations.weak_country``), one test per rule, hand-written cases."""

from __future__ import annotations

import pytest

from collabatlas.affiliations.matching import AffiliationMatcher
from collabatlas.affiliations.weak_country import MIN_CONFIDENCE, weak_candidate_country

CITIES = {"oxford", "cambridge", "lisbon", "havana", "athen"}


def _weak(address, name="University of Oxford", city="oxford", country="GB", features=None, confidence=0.8,
          part=""):
    return weak_candidate_country(address, name, city, country, features or {}, confidence, CITIES, part)


def test_an_unsure_organisation_gives_its_country():
    assert _weak("Department of Chemistry University of Oxford") == "GB"
    assert _weak("Oxford University, Oxford") == "GB"                        # its own city named: fine


@pytest.mark.parametrize("case", [
    {"confidence": MIN_CONFIDENCE - 0.01},                                   # 1. too unsure
    {"name": "Ericsson (Sweden)", "country": "SE"},                          # 2. a company's branch
    {"name": "Gap (United States)", "country": "US"},                        # 2. a company named like a town
    {"features": {"one_word_name": 1.0}},                                    # 3. one word: a place or a company
    {"features": {"city_other": 1.0}},                                       # 4. a city of another country
    {"country": None},
])
def test_no_country_when_a_rule_says_so(case):
    assert _weak("Department of Chemistry University of Oxford", **case) is None


def test_an_acronym_counts_only_as_a_whole_component():
    acronym = {"via_acronym": 1.0}
    assert _weak("INRIA, Rocquencourt", name="Inria", city="paris", country="FR", features=acronym,
                 part="INRIA") == "FR"
    assert _weak("Ginzburg V. L., 1976, Soviet Physics - Uspekhi, V19, DOI 10.1070/PU1976v019n01ABEH005127",
                 name="United States Department of the Interior", city="washington", country="US",
                 features=acronym, part="DOI") is None


def test_no_country_when_the_address_names_another_registry_city():
    # 4. "Harvard Law School, Cambridge" is not the Cambridge School of Lisbon
    assert _weak("Labor Program, Harvard Law School, Cambridge", name="Cambridge School", city="lisbon",
                 country="PT") is None
    assert _weak("National School of Public Health, Athens", name="Escuela Nacional de Salud Pública",
                 city="havana", country="CU") is None
    assert _weak("Department X, Newtown 12345", name="University of Oxford") == "GB"  # not a registry city


def test_the_matcher_gives_an_unsure_organisations_country_only_when_nothing_else_does():
    institutions = [("00b0aaa01", "Nihon University", ["education"], "JP", "Tokyo", "active"),
                    ("00b0aaa02", "Trine University", ["education"], "US", "Angola", "active")]
    names = [(rid, name, "ror_display") for rid, name, *_ in institutions]
    m = AffiliationMatcher(institutions, names)
    m.set_threshold(m.threshold, min_confidence=0.99)  # nothing is sure enough to be named
    unsure = m.match("Nihon University Graduate School")
    assert (unsure.ror_id, unsure.country_code, unsure.address_country) == (None, "JP", None)
    assert m.match("Nihon University Graduate School, Berlin, Germany").country_code == "DE"  # the rules first
    assert m.match("Nihon University Graduate School, Marburg").country_code == "DE"  # the implied country next
    m.set_threshold(m.threshold, min_confidence=0.0)
    assert m.match("Nihon University Graduate School").ror_id == "00b0aaa01"  # sure enough: the organisation
