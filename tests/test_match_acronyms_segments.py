"""Issue 29: acronyms as candidates (guarded by the address's country and city) and several affiliations in
one string (each with its country), on a hand-made registry."""

from __future__ import annotations

import pytest

from collabatlas.affiliations.match_segments import affiliation_segments, expand_acronyms, joined_pieces, unglue
from collabatlas.affiliations.matching import AffiliationMatcher

INSTITUTIONS = [
    # ror_id, name, types, country, city, status
    ("042nb2s44", "Massachusetts Institute of Technology", ["education"], "US", "Cambridge", "active"),
    ("0132xxe06", "Melbourne Institute of Technology", ["education"], "AU", "Melbourne", "active"),
    ("002r67t24", "Manukau Institute of Technology", ["education"], "NZ", "Auckland", "active"),
    ("046rm7j60", "University of California, Los Angeles", ["education"], "US", "Los Angeles", "active"),
    ("026vcq606", "KTH Royal Institute of Technology", ["education"], "SE", "Stockholm", "active"),
    ("02feahw73", "Centre National de la Recherche Scientifique", ["government"], "FR", "Paris", "active"),
    ("00x9ewr78", "National Council for Scientific Research", ["government"], "LB", "Beirut", "active"),
    ("02vjkv261", "Inserm", ["government"], "FR", "Paris", "active"),
    ("03fy7b149", "ACT Government", ["government"], "AU", "Canberra", "active"),
    ("03v76x132", "Yale University", ["education"], "US", "New Haven", "active"),
    ("019tcpt25", "CentraleSupélec", ["education"], "FR", "Gif-sur-Yvette", "active"),
    ("02k7v4d05", "University of Bern", ["education"], "CH", "Bern", "active"),
    ("04r9x1a08", "AstraZeneca (Switzerland)", ["company"], "CH", "Baar", "active"),
    ("01111rn36", "University of Bologna", ["education"], "IT", "Bologna", "active"),
    ("005ta0471", "Istituto Nazionale di Fisica Nucleare", ["government"], "IT", "Frascati", "active"),
    ("05a28rw58", "ETH Zurich", ["education"], "CH", "Zurich", "active"),
    ("053ts2049", "Institute of Human Movement Sciences and Sport", ["education"], "CH", "Zurich", "active"),
]
NAMES = [(rid, name, "ror_display") for rid, name, *_ in INSTITUTIONS] + [
    ("042nb2s44", "MIT", "acronym"), ("0132xxe06", "MIT", "acronym"), ("002r67t24", "MIT", "acronym"),
    ("046rm7j60", "UCLA", "acronym"), ("026vcq606", "KTH", "acronym"), ("02feahw73", "CNRS", "acronym"),
    ("00x9ewr78", "CNRS", "acronym"), ("02vjkv261", "INSERM", "acronym"), ("03fy7b149", "ACT", "acronym"),
    ("005ta0471", "INFN", "acronym"),
]
PARENTS = [("053ts2049", "05a28rw58")]


@pytest.fixture(scope="module")
def matcher():
    return AffiliationMatcher(INSTITUTIONS, NAMES, parents=PARENTS)


@pytest.mark.parametrize("address,ror_id", [
    ("MIT, Cambridge, MA 02139 USA", "042nb2s44"),               # the example
    ("Dept Phys, MIT, Cambridge, MA 02139 USA", "042nb2s44"),
    ("MIT, Melbourne, Australia", "0132xxe06"),                  # the same acronym, another country and city
    ("MIT, Auckland, New Zealand", "002r67t24"),
    ("UCLA, Los Angeles, CA 90095, USA", "046rm7j60"),
    ("KTH, Stockholm, Sweden", "026vcq606"),
    ("CNRS, Paris, France", "02feahw73"),                        # not the Lebanese CNRS
    ("CNRS, Beirut, Lebanon", "00x9ewr78"),
    ("INSERM, Paris, France", "02vjkv261"),
])
def test_an_acronym_with_its_country_and_city_is_matched(matcher, address, ror_id):
    m = matcher.match(address)
    assert m.ror_id == ror_id, m
    assert m.confidence >= matcher.min_confidence


@pytest.mark.parametrize("address", [
    "MIT, Lyon, France",           # no MIT in France
    "MIT, Boston, MA 02115 USA",   # the country has one, but its city (Cambridge) is not in the address
    "MIT, Cambridge",              # no country resolved
    "CNRS, Grenoble, France",      # the city guard: CNRS's registry city is Paris
    "Dept Biol, Canberra, ACT 2601, Australia",  # a state code before its postcode is no acronym
    "MIT, CAMBRIDGE, MA 02139 USA",  # an all-capitals address: every word looks like an acronym
])
def test_an_acronym_without_its_guards_is_not_written_out(matcher, address):
    m = matcher.match(address)
    assert m.ror_id is None, m


def test_expand_acronyms_writes_the_name_in_place():
    acronyms = {"MIT": ["a", "b"]}
    orgs = {"a": ("US", "cambridge", "Massachusetts Institute of Technology"),
            "b": ("AU", "melbourne", "Melbourne Institute of Technology")}

    def expand(text, country):
        return expand_acronyms(text, country, acronyms, lambda r, c: orgs[r][0] == c, lambda r: orgs[r][1],
                               lambda r: orgs[r][2])

    assert expand("Lab X, MIT, Cambridge, USA", "US") == "Lab X, Massachusetts Institute of Technology, Cambridge, USA"
    assert expand("SMITH Lab, MIT, Cambridge, USA", "US").startswith("SMITH Lab, Massachusetts")  # whole words only
    assert expand("MIT, Cambridge, USA", None) == "MIT, Cambridge, USA"
    assert expand("MIT, Cambridge, USA", "AU") == "MIT, Cambridge, USA"


@pytest.mark.parametrize("text,segments", [
    ("Yale University, USA / CentraleSupélec, France", ["Yale University, USA", "CentraleSupélec, France"]),
    ("A Univ, Paris, France; B Inst, Berlin, Germany", ["A Univ, Paris, France", "B Inst, Berlin, Germany"]),
    ("Harvard Univ, Cambridge, MA 02138 USA\nUniv Tokyo, Tokyo, Japan",
     ["Harvard Univ, Cambridge, MA 02138 USA", "Univ Tokyo, Tokyo, Japan"]),
    ("Dept Chem, Indian Inst Technol, Kanpur 208016, India and Ambedkar Centre, Univ Delhi, Delhi, India",
     ["Dept Chem, Indian Inst Technol, Kanpur 208016, India", "Ambedkar Centre, Univ Delhi, Delhi, India"]),
    ("Sch Math, Georgia Inst Technol, Atlanta, GA and LPMC, Nankai Univ, Tianjin 300071, China",
     ["Sch Math, Georgia Inst Technol, Atlanta, GA", "LPMC, Nankai Univ, Tianjin 300071, China"]),
    ("X Univ, Paris, France + Y Hosp, Lyon, France", ["X Univ, Paris, France", "Y Hosp, Lyon, France"]),
    # a tail without a country stays with the last affiliation
    ("A Univ, Paris, France; B Inst, Berlin, Germany; and the Institute X",
     ["A Univ, Paris, France", "B Inst, Berlin, Germany; and the Institute X"]),
    # one affiliation: not cut
    ("Department of Physics and Astronomy, Univ X, Boston, MA 02115, USA",
     ["Department of Physics and Astronomy, Univ X, Boston, MA 02115, USA"]),
    ("Univ Sarajevo, Sarajevo, Bosnia & Herceg", ["Univ Sarajevo, Sarajevo, Bosnia & Herceg"]),
    ("Inst Physics; Chinese Acad Sci; Beijing, China", ["Inst Physics; Chinese Acad Sci; Beijing, China"]),
])
def test_affiliation_segments(text, segments):
    assert affiliation_segments(text) == segments


def test_joined_pieces():
    assert joined_pieces("INFN and University of Bologna") == ["INFN", "University of Bologna"]
    assert joined_pieces("University of Bern/AstraZeneca") == ["University of Bern", "AstraZeneca"]
    assert joined_pieces("CNRS / University Paul Sabatier") == ["CNRS", "University Paul Sabatier"]
    assert joined_pieces("Department of Physics and Astronomy") == []   # "Astronomy": one word, no acronym
    assert joined_pieces("Univ Sci & Technol") == []                    # "&" is not a join
    assert joined_pieces("Lab of bio/chem") == []                      # no capital after the slash


@pytest.mark.parametrize("address,ids,countries", [
    ("Yale University, USA / CentraleSupélec, France", ("03v76x132", "019tcpt25"), ("US", "FR")),
    ("Yale University, New Haven, CT 06520, USA; CentraleSupélec, Gif-sur-Yvette, France",
     ("03v76x132", "019tcpt25"), ("US", "FR")),
    ("Yale University, USA\nCentraleSupélec, France", ("03v76x132", "019tcpt25"), ("US", "FR")),
    ("Yale University, New Haven, CT 06520 USA and CentraleSupélec, Gif-sur-Yvette, France",
     ("03v76x132", "019tcpt25"), ("US", "FR")),
    # a segment that matches no organisation still gives its country
    ("Yale University, USA / Unknown Lab, Tokyo, Japan", ("03v76x132",), ("US", "JP")),
    ("University of Bern/AstraZeneca (Switzerland), Bern, Switzerland", ("02k7v4d05", "04r9x1a08"), ("CH",)),
])
def test_several_affiliations_give_every_organisation_and_country(matcher, address, ids, countries):
    m = AffiliationMatcher(INSTITUTIONS, NAMES, parents=PARENTS, multi_confidence=0.5).match(address)
    assert m.ror_ids == ids, m
    assert m.country_codes == countries
    one = AffiliationMatcher(INSTITUTIONS, NAMES, parents=PARENTS, multi_confidence=1.01).match(address)
    assert one.ror_ids == ids[:1]  # above 1: one organisation per address, as before issue 29


def test_a_unit_of_the_chosen_organisation_is_not_a_further_one():
    """'Institute of Human Movement Sciences and Sport, ETH Zurich': the unit rolls up to its parent (the
    prefer-parent rule), it is not returned beside it."""
    m = AffiliationMatcher(INSTITUTIONS, NAMES, parents=PARENTS, multi_confidence=0.0, min_confidence=0).match(
        "Exercise Physiology Lab, Institute of Human Movement Sciences and Sport, ETH Zurich, Zurich, Switzerland")
    assert m.ror_ids == ("05a28rw58",)


@pytest.mark.parametrize("address", [
    "Dept Biol, Canberra, ACT, Australia",               # the city before the code: a state code
    "Department of Surgery, Chinese PLA General Hospital, Beijing, China",  # inside a longer name
])
def test_an_acronym_that_is_a_place_or_inside_a_name_is_not_written_out(address):
    institutions = INSTITUTIONS + [("05tf9r976", "Chinese People's Liberation Army", ["government"], "CN", "Beijing",
                                    "active")]
    names = NAMES + [("05tf9r976", "PLA", "acronym")]
    m = AffiliationMatcher(institutions, names).match(address)
    assert m.ror_id not in ("03fy7b149", "05tf9r976"), m


@pytest.mark.parametrize("text,clean", [
    ("University of PennsylvaniaPhiladelphiaPA", "University of Pennsylvania, Philadelphia, PA"),
    ("BiologySlippery Rock UniversitySlippery RockPennsylvaniaUnited States",
     "Biology, Slippery Rock University, Slippery Rock, Pennsylvania, United States"),
    ("Kagoshima University1-21-40 Korimoto", "Kagoshima University 1-21-40 Korimoto"),
    ("1Kyungpook National University", "1 Kyungpook National University"),
    ("University of Bern/AstraZeneca", "University of Bern/AstraZeneca"),   # a registry word stays whole
    ("McGill University, H2O Lab, OX3 9DS, MA 02139", "McGill University, H2O Lab, OX3 9DS, MA 02139"),
])
def test_unglue(text, clean):
    assert unglue(text, {"astrazeneca"}) == clean


def test_a_glued_address_is_matched_and_keeps_its_input(matcher):
    m = matcher.match("Dept Physics, Yale UniversityNew HavenCTUSA")
    assert (m.ror_id, m.country_code, m.input) == ("03v76x132", "US", "Dept Physics, Yale UniversityNew HavenCTUSA")


def test_a_name_across_a_join_keeps_the_component_whole():
    """A registry name running across `` and `` ("Zhejiang University of Science and Technology") is written,
    not two organisations joined: the pieces "Zhejiang University of Science" (near Zhejiang University) and
    "Technology Department …" are not parts; a component whose names sit each within a piece is still cut."""
    orgs = [("00a3xm401", "Zhejiang University", ["education"], "CN", "Hangzhou", "active"),
            ("05mx0wr29", "Zhejiang University of Science and Technology", ["education"], "CN", "Hangzhou", "active"),
            ("01111rn36", "University of Bologna", ["education"], "IT", "Bologna", "active"),
            ("005ta0471", "Istituto Nazionale di Fisica Nucleare", ["government"], "IT", "Frascati", "active")]
    m = AffiliationMatcher(orgs, [(rid, name, "ror_display") for rid, name, *_ in orgs], min_confidence=0.0)
    component = "Zhejiang University of Science and Technology Department of Energy and Environmental Engineering"
    assert joined_pieces(component)  # the pieces the rule drops
    assert m._pieces(component, "CN") == []
    cand = m.candidate(f"{component}, Hangzhou, 310023, China")
    assert cand is not None and cand.ror_id == "05mx0wr29"
    assert m._pieces("Istituto Nazionale di Fisica Nucleare and University of Bologna", "IT") == [
        "Istituto Nazionale di Fisica Nucleare", "University of Bologna"]
