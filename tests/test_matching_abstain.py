"""The abstain rule of the affiliation matcher (issue 15): look-alike matches are refused, the country
stays; abbreviations expand. The registry mirrors real ROR records (ids, names, types, cities) of the
subset in ../shared/data/ror, where AIST and NTT are absent."""

from __future__ import annotations

import pytest

from collabatlas.affiliations import match_names
from collabatlas.affiliations.matching import (
    ABSTAIN_FEATURES,
    ABSTAIN_MODEL,
    DEFAULT_MIN_CONFIDENCE,
    SPAN_SCORE,
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


# --- candidate generation and features added to raise recall (issue 15, second refit) ----------------

WORLD = [
    ("00f54p054", "Stanford University", ["education"], "US", "Stanford", "active"),
    ("00r4sry34", "Murdoch University", ["education"], "AU", "Perth", "active"),
    ("00a2xv884", "Zhejiang University", ["education"], "CN", "Hangzhou", "active"),
    ("01y2jtd41", "University of Wisconsin–Madison", ["education"], "US", "Madison", "active"),
    ("02v80fc35", "Alabama State University", ["education"], "US", "Montgomery", "active"),
    ("051k3eh31", "University of Alabama", ["education"], "US", "Tuscaloosa", "active"),
    ("00yyy0001", "Discovery Institute", ["nonprofit"], "US", "Seattle", "active"),
]


@pytest.fixture(scope="module")
def world():
    return AffiliationMatcher(WORLD, [(rid, name, "ror_display") for rid, name, *_ in WORLD], min_confidence=0.0)


def test_a_name_written_inside_a_long_part_is_a_span_candidate(world):
    """No commas: the fuzzy score of the whole part fails, the registry name written word for word inside
    it is the candidate (scored SPAN_SCORE, flagged ``via_span``)."""
    cand = world.candidate("Department of Physics Stanford University Stanford California USA")
    assert cand is not None and cand.ror_id == "00f54p054"
    assert cand.features["via_span"] == 1.0 and cand.score >= SPAN_SCORE


def test_a_span_needs_a_word_that_is_not_common(monkeypatch):
    """A span made only of common words (in more than COMMON_WORD_DF names: 'university', 'institute')
    is no candidate. Here a word in two names is common: 'alabama' and 'university' are, 'stanford' is not."""
    monkeypatch.setattr(match_names, "COMMON_WORD_DF", 1)  # the name look-up's constant (match_names)
    small = AffiliationMatcher(WORLD, [(rid, name, "ror_display") for rid, name, *_ in WORLD])
    assert small._span_name("department physic university alabama tuscaloosa", "US") == -1
    assert small._name_org[small._span_name("department physic stanford university", "US")] == "00f54p054"


def test_places_at_the_end_of_a_part_are_trimmed(world):
    """'Murdoch Univ Australia': the country name glued to the part is dropped (a second part), so the
    name is matched whole and the country word is not an extra word."""
    cand = world.candidate("Murdoch Univ Australia")
    assert cand is not None and cand.ror_id == "00r4sry34"
    assert cand.features["same_name"] == 1.0 and cand.features["part_extra"] == 0.0


def test_text_in_parentheses_is_a_part(world):
    m = world.match("State Key Lab Clean Energy Utilizat (Zhejiang University), Hangzhou 310027, Peoples R China")
    assert m.ror_id == "00a2xv884"


def test_a_state_word_is_not_a_place_word(world):
    """'State' is a word of registry cities ('State College') but not a city: 'Alabama State Univ' keeps
    it as an extra word against 'University of Alabama'."""
    cand = world.candidate("Alabama State Univ, Montgomery, AL 36101 USA")
    assert cand.ror_id == "02v80fc35" and cand.features["same_name"] == 1.0
    feats = world._features("Alabama State Univ", " alabama state university ", "US", "051k3eh31",
                            ("alabama state university", world._name_text.index("university alabama"),
                             93.0, 100.0, False, "Alabama State Univ"))
    assert feats["part_extra"] > 0 and feats["same_name"] == 0.0


def test_export_markers_are_spaces():
    assert normalise_name("Univ#TAB#Tokyo#N#") == normalise_name("Univ Tokyo") == "university tokyo"


@pytest.mark.parametrize("short,full", [
    ("Fermi Natl Accel Lab", "Fermi National Accelerator Laboratory"),
    ("KEDGE Bus Sch", "Kedge Business School"),
    ("Tsinghua Natl Lab Info Sci", "Tsinghua National Laboratory Information Science"),
    ("Laboratoire Kastler Brossel", "Laboratory Kastler Brossel"),
    ("Technische Universität München", "Technical University München"),
    ("Centro Nacional de Biotecnologia", "Center National Biotecnologia"),  # words stay in order
])
def test_more_abbreviations_and_organisation_words(short, full):
    assert normalise_name(short) == normalise_name(full)


def test_a_qualifier_word_outside_the_name_counts_against_it(world):
    """'State' (or 'Medical', 'Technical', 'North' …) added to a name names another organisation: the
    feature ``qualifier_extra`` is set, and lowers the confidence; unit words ('Dept', 'Phys') do not set it."""
    feats = world._features("Alabama State Univ", " alabama state university ", "US", "051k3eh31",
                            ("alabama state university", world._name_text.index("university alabama"),
                             93.0, 100.0, False, "alabama state university"))
    assert feats["qualifier_extra"] == 1.0
    assert confidence(feats) < confidence(feats | {"qualifier_extra": 0.0})
    own = world.candidate("Dept Phys, Univ Alabama, Tuscaloosa, AL 35487 USA")
    assert own.ror_id == "051k3eh31" and own.features["qualifier_extra"] == 0.0


def test_a_qualifier_next_to_a_span_counts_against_it(world):
    """A span inside a longer name: 'King George Medical University Lucknow' holds 'university lucknow',
    but the word before it, 'medical', says the organisation is another one."""
    lucknow = [("00yyy0002", "University of Lucknow", ["education"], "IN", "Lucknow", "active")]
    m = AffiliationMatcher(lucknow, [(r, n, "ror_display") for r, n, *_ in lucknow], min_confidence=0.0)
    cand = m.candidate("Department of Neurology King George Medical University Lucknow Uttar Pradesh India")
    assert cand is not None and cand.features["via_span"] == 1.0 and cand.features["qualifier_extra"] == 1.0


def test_an_export_marker_does_not_make_an_address_all_capitals():
    """'HKUST, Kowloon, HKSAR, P. R. China#TAB#': without the marker the address is not all capitals, so
    the acronym is looked up."""
    hk = [("00q4vv597", "Hong Kong University of Science and Technology", ["education"], "HK", "Hong Kong",
           "active")]
    m = AffiliationMatcher(hk, [("00q4vv597", hk[0][1], "ror_display"), ("00q4vv597", "HKUST", "acronym")],
                           min_confidence=0.0)
    cand = m.candidate("HKUST, Kowloon, HKSAR, P. R. China#TAB#")
    assert cand is not None and cand.ror_id == "00q4vv597" and cand.features["via_acronym"] == 1.0
