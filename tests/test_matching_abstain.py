"""The abstain rule of the affiliation matcher (issue 15): look-alike matches are refused, the country
stays; abbreviations expand. The registry mirrors real ROR records (ids, names, types, cities) of the
subset in ../shared/data/ror, where AIST and NTT are absent."""

from __future__ import annotations

import pytest

from collabatlas.affiliations.matching import (
    ABSTAIN_FEATURES,
    ABSTAIN_MODEL,
    DEFAULT_MIN_CONFIDENCE,
    AffiliationMatcher,
    confidence,
    normalise_name,
)

INSTITUTIONS = [
    ("03frj4r98", "Japan Advanced Institute of Science and Technology", ["education"], "JP", "Nomi", "active"),
    ("05rd2yw20", "Atsugi Co., Ltd. (Japan)", ["company"], "JP", "Atsugi", "active"),
    ("042qg8e60", "Atsugi City Hospital", ["healthcare"], "JP", "Atsugi", "active"),
    ("007gj5v75", "Kanagawa Institute of Technology", ["education"], "JP", "Atsugi", "active"),
    ("02956yf07", "University of Tsukuba", ["education"], "JP", "Tsukuba", "active"),
    ("057zh3y96", "The University of Tokyo", ["education"], "JP", "Tokyo", "active"),
    ("051k3eh31", "University of Alabama", ["education"], "US", "Tuscaloosa", "active"),
]
NAMES = [(rid, name, "ror_display") for rid, name, *_ in INSTITUTIONS] + [
    ("03frj4r98", "JAIST", "acronym"), ("05rd2yw20", "Atsugi", "alias"), ("05rd2yw20", "Atsugi Co., Ltd.", "label"),
    ("02956yf07", "Tsukuba University", "alias"), ("057zh3y96", "UTokyo", "acronym"),
]


@pytest.fixture(scope="module")
def matcher():
    return AffiliationMatcher(INSTITUTIONS, NAMES)


@pytest.mark.parametrize("address", [
    "Natl Inst Adv Ind Sci & Technol, Tsukuba, Ibaraki 3058568, Japan",          # AIST, not in the subset
    "Natl Inst Adv Ind Sci & Technol AIST, Tsukuba Cent 2, Tsukuba, Ibaraki 3058568, Japan",
    "NTT Corp, NTT Basic Res Labs, 3-1 Morinosato Wakamiya, Atsugi, Kanagawa 2430198, Japan",
    "NTT Basic Res Labs, Atsugi, Kanagawa 2430198, Japan",
])
def test_aist_and_ntt_abstain_but_keep_the_country(matcher, address):
    m = matcher.match(address)
    assert (m.ror_id, m.name, m.sector, m.score, m.confidence) == (None, None, None, 0.0, 0.0)
    assert m.country_code == "JP"


def test_why_aist_abstains(matcher):
    """The fuzzy candidate exists (JAIST scores about 89) but its city is not in the address, another
    registry city is, and the address words 'national', 'industrial' are not in its name: the calibrated
    confidence is low."""
    cand = matcher.candidate("Natl Inst Adv Ind Sci & Technol, Tsukuba, Ibaraki 3058568, Japan")
    assert cand is not None and cand.ror_id == "03frj4r98"
    assert cand.features["city_other"] == 1.0 and cand.features["city_in"] == 0.0
    assert cand.features["part_extra"] > 0
    assert confidence(cand.features) < DEFAULT_MIN_CONFIDENCE


def test_a_city_alone_is_not_an_institution(matcher):
    """The registry's alias 'Atsugi' (Atsugi Co., Ltd.) is also a city: a component that is only a city
    matches nothing, but the same name with its city is still found."""
    assert matcher.candidate("NTT Basic Res Labs, Atsugi, Kanagawa 2430198, Japan") is None
    m = matcher.match("Atsugi Co Ltd, Atsugi, Kanagawa, Japan")
    assert m.ror_id == "05rd2yw20" and m.confidence >= DEFAULT_MIN_CONFIDENCE


@pytest.mark.parametrize("address,ror_id", [
    ("Kanagawa Inst Technol, Dept Elect Engn, Atsugi, Kanagawa 2430292, Japan", "007gj5v75"),
    ("Univ Tsukuba, Inst Phys, Tsukuba, Ibaraki 3058571, Japan", "02956yf07"),
    ("Japan Adv Inst Sci & Technol, Sch Mat Sci, Nomi, Ishikawa 9231292, Japan", "03frj4r98"),
    ("Univ Tokyo, Dept Phys, Tokyo 1130033, Japan", "057zh3y96"),
])
def test_true_matches_are_kept(matcher, address, ror_id):
    m = matcher.match(address)
    assert m.ror_id == ror_id and m.confidence >= DEFAULT_MIN_CONFIDENCE and m.country_code == "JP"


def test_abstention_is_a_calibrated_cut_off():
    """The AIST look-alike abstains at the shipped cut-off; with min_confidence 0 (the score-only rule)
    the same candidate is returned, with its confidence."""
    address = "Natl Inst Adv Ind Sci & Technol, Tsukuba, Ibaraki 3058568, Japan"
    strict = AffiliationMatcher(INSTITUTIONS, NAMES)
    assert strict.match(address).ror_id is None and strict.match(address).country_code == "JP"
    loose = AffiliationMatcher(INSTITUTIONS, NAMES, min_confidence=0.0)
    m = loose.match(address)
    assert m.ror_id == "03frj4r98" and 0 < m.confidence < DEFAULT_MIN_CONFIDENCE
    loose.set_threshold(loose.threshold, min_confidence=DEFAULT_MIN_CONFIDENCE)
    assert loose.match(address).ror_id is None


def test_confidence_is_a_probability():
    assert set(ABSTAIN_MODEL) == {"intercept", *ABSTAIN_FEATURES}
    low = dict.fromkeys(ABSTAIN_FEATURES, 0.0)
    high = low | {"score": 1.0, "city_in": 1.0, "margin": 1.0}
    assert 0.0 < confidence(low) < confidence(high) < 1.0


@pytest.mark.parametrize("wos,full", [
    ("Natl Inst Adv Ind Sci & Technol", "National Institute of Advanced Industrial Science and Technology"),
    ("Univ Calif Berkeley, Dept Chem Engn", "University of California Berkeley, Department of Chemistry Engineering"),
    ("Ctr Res Lab Phys", "Center for Research Laboratory of Physics"),
    ("Acad Sci, Inst Biochem", "Academy of Sciences, Institute of Biochemistry"),
    ("Hosp Med Coll", "Hospital Medical College"),
    ("TU Munchen", "Technical University München"),
])
def test_wos_abbreviations_expand(wos, full):
    assert normalise_name(wos) == normalise_name(full)


def test_initials_written_apart_are_one_word():
    """WoS and PubMed write 'M. D. Anderson', ROR 'MD Anderson'; only runs of single letters join."""
    assert normalise_name("M. D. Anderson Cancer Center") == normalise_name("MD Anderson Cancer Center")
    assert normalise_name("Univ Texas M.D. Anderson") == "university texa md anderson"
    assert normalise_name("J. Craig Venter Inst") == "j craig venter institute"  # one initial stays a word
    assert normalise_name("Nanyang Technol Univ") == normalise_name("Nanyang Technological University")


CHINA = [
    ("00q4vv597", "Hong Kong University of Science and Technology", ["education"], "HK", "Hong Kong", "active"),
    ("050h0vm43", "The Hong Kong University of Science and Technology (Guangzhou)", ["education"], "CN",
     "Guangzhou", "active"),
    ("00d0nc645", "Microsoft (United States)", ["company"], "US", "Redmond", "active"),
    ("0020wyn52", "APC, Inc.", ["company"], "US", "Tampa", "active"),
]


@pytest.fixture(scope="module")
def china():
    return AffiliationMatcher(CHINA, [(rid, name, "ror_display") for rid, name, *_ in CHINA], min_confidence=0.0)


def test_a_hong_kong_organisation_is_found_from_a_china_address(china):
    """'…, Clear Water Bay, China' resolves to CN; the Hong Kong record is a candidate too (the Guangzhou
    campus, the only CN name, was matched before)."""
    m = china.match("Dept Comp Sci, Hong Kong Univ Sci & Technol, Clear Water Bay, China")
    assert (m.ror_id, m.country_code, m.address_country) == ("00q4vv597", "HK", "CN")


def test_a_country_qualifier_in_a_registry_name_is_optional(china):
    """ROR writes companies as 'Microsoft (United States)': the name without the country is matched too."""
    cand = china.candidate("Microsoft, One Microsoft Way, Redmond, WA 98052 USA")
    assert cand is not None and cand.ror_id == "00d0nc645" and cand.score >= 100


def test_a_legal_form_alone_names_no_organisation(china):
    """'Inc.' once matched 'APC, Inc.' (the part 'incorporated' against 'apc incorporated')."""
    assert china.candidate("NEC Labs America, Inc., Cupertino, CA, USA") is None
    assert china.candidate("APC Inc, Tampa, FL, USA").ror_id == "0020wyn52"
