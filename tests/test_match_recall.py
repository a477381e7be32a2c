"""Covered recall of the matcher (issue 29, fourth round): OpenAlex's works counts kept in the registry and
used to choose between names that score alike, a place-qualified name over the name it starts with, a span
starting inside an earlier registry name, and another organisation of the address kept when the best one
abstains. Small hand-made registries; the expected answers are worked out by hand."""

from __future__ import annotations

import gzip
import json

import pytest

from collabatlas.affiliations.match_model import confidence
from collabatlas.affiliations.match_names import SIZE_RATIO
from collabatlas.affiliations.matching import AffiliationMatcher
from collabatlas.affiliations.registry_openalex import works_count
from collabatlas.affiliations.ror import load_ror
from collabatlas.affiliations.ror_lookup import works_counts
from collabatlas.store import schema as store
from tests.test_ror import ISSP, TOKYO, jsonl

OPENALEX_CSV = (
    "openalex_id,display_name,country_code,type,works_count,cited_by_count,ror_id,homepage_url,image_url\n"
    "https://openalex.org/I74801974,University of Tokyo,JP,education,450000,1,https://ror.org/057zh3y96,,\n"
    "https://openalex.org/I1,Kyoto Sangyo University,JP,education,3100,1,https://ror.org/03wgz3y75,,\n"
    "https://openalex.org/I2,Nowhere Institute,FR,facility,,1,https://ror.org/02feahw73,,\n")


def _name_rows(orgs):
    return [(rid, name, "ror_display") for rid, name, *_ in orgs]


# ------------------------------------------------------------------ works counts in the registry

@pytest.mark.parametrize("value,expected", [("450000", 450000), ("0", 0), (12, 12), ("3.0", 3), ("", None),
                                            (None, None), ("-4", None), ("2.5", None), ("many", None),
                                            ("inf", None), ("nan", None), (True, None)])
def test_works_count_is_a_whole_number_or_none(value, expected):
    assert works_count(value) == expected


def test_works_counts_come_from_the_openalex_file_whichever_record_is_kept(tmp_path):
    ror = tmp_path / "ror.jsonl.gz"
    ror.write_bytes(gzip.compress(jsonl([TOKYO, ISSP]).encode()))
    flat = tmp_path / "openalex.csv"
    flat.write_text(OPENALEX_CSV)
    entity = tmp_path / "entity.json"
    entity.write_text(json.dumps({"id": "https://openalex.org/I3", "ror": "https://ror.org/02e16g702",
                                  "display_name": "Hokkaido University", "country_code": "JP",
                                  "works_count": 120000}))
    con = store.connect(None)
    load_ror(con, [ror])
    assert works_counts(con) == {}  # ROR files only: no size prior
    load_ror(con, [ror, flat, entity])
    # Tokyo's stored record is ROR's, its works count OpenAlex's; ISSP (ROR only) and the row without a
    # works count have none
    assert con.execute("SELECT schema FROM ror_institutions WHERE ror_id = '057zh3y96'").fetchone()[0] == "v2"
    assert works_counts(con) == {"02e16g702": 120000, "03wgz3y75": 3100, "057zh3y96": 450000}
    assert AffiliationMatcher.from_store(con)._works == works_counts(con)


# ------------------------------------------------------------------ size among names that score alike

TWINS = [
    ("0aaaaaa01", "Westport University", ["education"], "US", "Westport", "active"),
    ("0aaaaaa02", "Westport University", ["education"], "US", "Easton", "active"),
]


def test_equal_names_are_told_apart_by_works_only_with_a_clear_lead():
    """Two namesakes score 100 alike, written in the same order: without works counts the first name stays
    the choice; with SIZE_RATIO (3) times the works plus one, the larger organisation is chosen; a smaller
    lead leaves the choice as it was."""
    assert SIZE_RATIO == 3.0  # the figures below: 903 = 3 × (300 + 1)
    address = "Dept Phys, Westport University, USA"
    plain = AffiliationMatcher(TWINS, _name_rows(TWINS), min_confidence=0.0)
    assert plain.candidate(address).ror_id == "0aaaaaa01"
    sized = AffiliationMatcher(TWINS, _name_rows(TWINS), min_confidence=0.0, listed=["0aaaaaa02"],
                               works={"0aaaaaa01": 300, "0aaaaaa02": 903})
    assert sized.candidate(address).ror_id == "0aaaaaa02"
    close = AffiliationMatcher(TWINS, _name_rows(TWINS), min_confidence=0.0, listed=["0aaaaaa02"],
                               works={"0aaaaaa01": 300, "0aaaaaa02": 902})
    assert close.candidate(address).ror_id == "0aaaaaa01"
    reverse = AffiliationMatcher(TWINS, _name_rows(TWINS), min_confidence=0.0, works={"0aaaaaa01": 50_000})
    assert reverse.candidate(address).ror_id == "0aaaaaa01"


def test_equal_scores_go_to_the_name_in_the_written_word_order_before_size():
    """'Miami Univ.' normalises to the words of both Miami University and the University of Miami (score 100
    each, token-sorted); the name in the order written wins, even against ten times the works."""
    orgs = [("0aaaaaa11", "University of Miami", ["education"], "US", "Coral Gables", "active"),
            ("0aaaaaa12", "Miami University", ["education"], "US", "Oxford", "active")]
    for works in ({}, {"0aaaaaa11": 150_000, "0aaaaaa12": 15_000}):
        m = AffiliationMatcher(orgs, _name_rows(orgs), min_confidence=0.0, works=works)
        assert m.candidate("Miami Univ., USA").ror_id == "0aaaaaa12"
        assert m.candidate("Univ. of Miami, USA").ror_id == "0aaaaaa11"


def test_a_name_that_scores_less_does_not_win_on_size():
    orgs = [("0aaaaaa01", "Westport University of Technology", ["education"], "US", "Westport", "active"),
            ("0aaaaaa02", "Westport University", ["education"], "US", "Westport", "active")]
    m = AffiliationMatcher(orgs, _name_rows(orgs), min_confidence=0.0, works={"0aaaaaa01": 10, "0aaaaaa02": 900_000})
    assert m.candidate("Westport University of Technology, Westport, CT, USA").ror_id == "0aaaaaa01"


# ------------------------------------------------------------------ a place-qualified name, a unit's name

SYSTEM = [
    ("0bbbbbb01", "University of Westland", ["education"], "US", "Oakridge", "active"),
    ("0bbbbbb02", "University of Westland, Riverton", ["education"], "US", "Riverton", "active"),
    ("0bbbbbb03", "Institute of Marine Studies, University of Westland", ["facility"], "US", "Oakridge", "active"),
]
SYSTEM_PARENTS = [("0bbbbbb02", "0bbbbbb01"), ("0bbbbbb03", "0bbbbbb01")]


def test_a_place_qualified_name_beats_the_name_it_starts_with():
    """'University of Westland' (the system) and 'University of Westland, Riverton' (its campus) both score
    100 on the address: the longer part, which starts with the shorter one, names the campus; the system is
    named only inside the campus's name, so the campus is not rolled up to it."""
    m = AffiliationMatcher(SYSTEM, _name_rows(SYSTEM), parents=SYSTEM_PARENTS, min_confidence=0.0)
    assert m.match("Department of Chemistry, University of Westland, Riverton, CA 92521, USA").ror_id == "0bbbbbb02"
    # the system alone is still the system
    assert m.match("Department of Chemistry, University of Westland, USA").ror_id == "0bbbbbb01"


def test_the_city_bonus_of_the_shorter_name_does_not_keep_it():
    """The system's city is the campus's: 'University of Northland' scores 100 plus the city bonus, the
    campus 100 on the pair part that holds it; scores are compared capped at 100, so the campus wins."""
    orgs = [("0bbbbbb11", "University of Northland", ["education"], "US", "Lincolnton", "active"),
            ("0bbbbbb12", "University of Northland–Lincolnton", ["education"], "US", "Lincolnton", "active")]
    m = AffiliationMatcher(orgs, _name_rows(orgs), parents=[("0bbbbbb12", "0bbbbbb11")], min_confidence=0.0)
    assert m.match("University of Northland, Lincolnton, NE, USA").ror_id == "0bbbbbb12"


def test_a_longer_part_with_a_shorter_name_does_not_win():
    """'Washington Univ in St. Louis, St. Louis' holds the first component, but the name it reaches 100 with
    (University of Washington, by the subset score) is shorter than the one the component names."""
    orgs = [("0bbbbbb21", "Washington University in St. Louis", ["education"], "US", "St. Louis", "active"),
            ("0bbbbbb22", "University of Washington", ["education"], "US", "Seattle", "active")]
    m = AffiliationMatcher(orgs, _name_rows(orgs), min_confidence=0.0)
    assert m.match("Washington Univ in St. Louis, St. Louis, MO").ror_id == "0bbbbbb21"


def test_a_unit_written_before_its_parent_still_rolls_up():
    """'Institute of Marine Studies, University of Westland': the parent is written after the unit's own
    words, so the unit-and-parent rule returns the parent, as before."""
    m = AffiliationMatcher(SYSTEM, _name_rows(SYSTEM), parents=SYSTEM_PARENTS, min_confidence=0.0)
    assert m.match("Institute of Marine Studies, University of Westland, Oakridge, CA, USA").ror_id == "0bbbbbb01"


# ------------------------------------------------------------------ spans that run into each other

def test_a_span_starting_inside_an_earlier_name_yields_to_it():
    """No commas: 'columbia university' and 'university new york' (another organisation's alias, three
    words: the longer span) share 'university'; the one written first is the name."""
    orgs = [("0ccccccc1", "Columbia University", ["education"], "US", "New York", "active"),
            ("0ccccccc2", "Empire State College", ["education"], "US", "Albany", "active")]
    names = _name_rows(orgs) + [("0ccccccc2", "University of New York", "alias")]
    m = AffiliationMatcher(orgs, names, min_confidence=0.0)
    part = "department biochemistry molecular biophysic columbia university new york ny usa"
    assert m._name_org[m._span_name(part, "US")] == "0ccccccc1"
    # alone, the longer span is found as before
    assert m._name_org[m._span_name("department biochemistry university new york ny usa", "US")] == "0ccccccc2"


# ------------------------------------------------------------------ another organisation when the best abstains

def test_another_organisation_is_kept_when_the_best_abstains():
    orgs = [("0dddddd01", "Institute of Robotics", ["facility"], "BG", "Sofia", "active"),
            ("0dddddd02", "Carnegie Mellon University", ["education"], "US", "Pittsburgh", "active")]
    address = "The Robotics Institute, Carnegie Mellon University"  # both 100; the first component first
    probe = AffiliationMatcher(orgs, _name_rows(orgs), min_confidence=0.0, multi_confidence=1.01)
    cand = probe.candidate(address)
    assert cand.ror_id == "0dddddd01" and [o[0] for o in cand.others] == ["0dddddd02"]
    best, other = confidence(cand.features), confidence(cand.others[0][3])
    assert best < other
    cut = (best + other) / 2
    m = AffiliationMatcher(orgs, _name_rows(orgs), min_confidence=cut)
    got = m.match(address)
    assert got.ror_id == "0dddddd02" and got.confidence == pytest.approx(other, abs=1e-4)
    assert got.others == ()
    # above both: nothing is kept
    above = AffiliationMatcher(orgs, _name_rows(orgs), min_confidence=min(other + 0.01, 1.0))
    assert above.match(address).ror_id is None


# ------------------------------------------------------------------ a medical school named as its university

SCHOOLS = [
    ("0eeeeee01", "Westland University", ["education"], "US", "Westville", "active"),
    ("0eeeeee02", "Westland University School of Medicine", ["education"], "US", "Westville", "active"),
    ("0eeeeee03", "Westland University Hospital", ["healthcare"], "US", "Westville", "active"),
    ("0eeeeee04", "Eastland University Health Sciences Center", ["education"], "US", "Eastville", "active"),
    ("0eeeeee05", "Eastland University", ["education"], "US", "Eastville", "active"),
]
SCHOOL_PARENTS = [("0eeeeee02", "0eeeeee01"), ("0eeeeee03", "0eeeeee01"), ("0eeeeee04", "0eeeeee05")]


@pytest.mark.parametrize("address,expected", [
    ("Department of Medicine, Westland University School of Medicine, Westville, IN, USA", "0eeeeee01"),
    ("Pathology, Eastland University Health Sciences Center, Eastville, NM", "0eeeeee05"),
    # a hospital is an organisation of its own, not a school: kept
    ("Department of Surgery, Westland University Hospital, Westville, IN, USA", "0eeeeee03"),
])
def test_a_medical_school_named_as_its_university_is_the_university(address, expected):
    m = AffiliationMatcher(SCHOOLS, _name_rows(SCHOOLS), parents=SCHOOL_PARENTS, min_confidence=0.0)
    assert m.match(address).ror_id == expected


def test_the_school_is_kept_without_its_parent_link_or_with_prefer_parent_off():
    address = "Department of Medicine, Westland University School of Medicine, Westville, IN, USA"
    assert AffiliationMatcher(SCHOOLS, _name_rows(SCHOOLS), min_confidence=0.0).match(address).ror_id == "0eeeeee02"
    off = AffiliationMatcher(SCHOOLS, _name_rows(SCHOOLS), parents=SCHOOL_PARENTS, min_confidence=0.0,
                             prefer_parent=False)
    assert off.match(address).ror_id == "0eeeeee02"


def test_a_span_inside_a_name_of_several_organisations_is_no_span():
    """'university westland' names two organisations (the system and a campus's alias) and runs into
    'westland college': the span starts inside that earlier name, so there is none; without the earlier
    name the college is the span."""
    orgs = [("0ccccccc3", "Westland College", ["education"], "US", "Eastville", "active"),
            ("0ccccccc4", "University of Westland", ["education"], "US", "Westville", "active"),
            ("0ccccccc5", "University of Westland Westville", ["education"], "US", "Westville", "active")]
    names = _name_rows(orgs) + [("0ccccccc5", "University of Westland", "alias")]
    m = AffiliationMatcher(orgs, names, min_confidence=0.0)
    assert m._span_name("department psychiatry university westland college medicine", "US") == -1
    assert m._name_org[m._span_name("department psychiatry westland college medicine", "US")] == "0ccccccc3"


def test_a_span_inside_the_best_name_on_the_same_part_trimmed_does_not_displace_it():
    """The whole component reaches the floor on the full name (84.5); the same component trimmed of its city
    ('Eastport') fails it, and its span 'harbor college' (another organisation's name, scored 90) is a name
    inside the best one: the full name stays."""
    orgs = [("0ffffff01", "Harbor College, City University of Eastport", ["education"], "US", "Eastport", "active"),
            ("0ffffff02", "Harbor College", ["education"], "CA", "Halifax", "active")]
    m = AffiliationMatcher(orgs, _name_rows(orgs), min_confidence=0.0)
    address = "Graduate School Psychology Program Harbor College of The City University of Eastport"
    parts = [norm for _, norm in m._parts(address)]
    assert m._best_name(parts[0], None)[1] == pytest.approx(84.5, abs=0.1)
    assert m._name_org[m._span_name(parts[-1], None)] == "0ffffff02"
    assert m.candidate(address).ror_id == "0ffffff01"


def test_a_name_with_its_words_split_or_joined_otherwise_is_the_name():
    """"Postgraduate Institute …" is the registry's "Post Graduate Institute …" and "Beijing Jiao tong
    University" its "Beijing Jiaotong University" (the same letters without spaces): matched as the name itself
    (score 100, ``same_name``), not as the nearest name by fuzzy score; only within the address's country."""
    orgs = [("0ppppp001", "Post Graduate Institute of Medical Education and Research", ["education"], "IN",
             "Chandigarh", "active"),
            ("0ppppp002", "NAMO Medical Education and Research Institute", ["education"], "IN", "Silvassa", "active"),
            ("0ppppp003", "Beijing Jiaotong University", ["education"], "CN", "Beijing", "active"),
            ("0ppppp004", "Beijing Jiaotong Hospital", ["healthcare"], "FR", "Paris", "active")]
    m = AffiliationMatcher(orgs, _name_rows(orgs), min_confidence=0.0)
    cand = m.candidate("Department of Pulmonary Medicine, Postgraduate Institute of Medical Education and Research, "
                       "Chandigarh, India")
    assert cand.ror_id == "0ppppp001" and cand.score >= 100 and cand.features["same_name"] == 1.0
    cand = m.candidate("School of Economics, Beijing Jiao tong University, Beijing 100044, China")
    assert cand.ror_id == "0ppppp003" and cand.features["same_name"] == 1.0
    assert m._spaced_name("beijing jiao tong hospital", "CN") == -1  # the French one is not in China


SCHOOL_ORGS = [("0sssss001", "Yale University", ["education"], "US", "New Haven", "active"),
               ("0sssss002", "University of Bristol", ["education"], "GB", "Bristol", "active"),
               ("0sssss003", "University of Nottingham", ["education"], "GB", "Nottingham", "active"),
               ("0sssss004", "Nottingham Trent University", ["education"], "GB", "Nottingham", "active"),
               ("0sssss005", "Yale Law School Clinic", ["other"], "US", "New Haven", "active")]


@pytest.mark.parametrize("address,expected", [
    ("Department of Pathology, Yale School of Medicine, New Haven, CT, USA", "0sssss001"),   # P university
    ("Yale Law School, New Haven, CT, USA", "0sssss001"),
    ("Bristol Veterinary School", "0sssss002"),            # university P; no country: a listed organisation
    ("Bristol Veterinary School, Bristol, UK", "0sssss002"),
    ("Nottingham Law School, Nottingham Trent University, Nottingham, UK", "0sssss004"),  # named elsewhere
])
def test_a_professional_school_without_a_record_is_its_university(address, expected):
    """A component that is a university's professional school ("Yale School of Medicine", "Columbia Law
    School") matches as the university when the registry has no record of the school; not the namesake of a
    university written in another component of the address."""
    m = AffiliationMatcher(SCHOOL_ORGS, _name_rows(SCHOOL_ORGS), listed=["0sssss002"], min_confidence=0.0)
    assert m.match(address).ror_id == expected
    assert m._school_parents("Yale School of Medicine", "FR") == "Yale School of Medicine"  # not in France
    unlisted = AffiliationMatcher(SCHOOL_ORGS, _name_rows(SCHOOL_ORGS), min_confidence=0.0)
    assert unlisted._school_parents("Bristol Veterinary School", None) == "Bristol Veterinary School"


def test_a_given_name_written_as_its_initial():
    """"IBM T. J. Watson Research Center" is the registry's "IBM Research - Thomas J. Watson Research Center":
    a given name before a middle initial is also indexed as its initial, and a name opened by initials also
    without them (``initialled``)."""
    from collabatlas.affiliations.match_names import initialled

    assert initialled("IBM Research - Thomas J. Watson Research Center") == [
        "IBM Research - T. J. Watson Research Center"]
    assert initialled("King George V Memorial Hospital") == []  # no initial with a period
    # initials that open a name are left out, before a surname and two more words; not "U.S.", nor before an
    # organisation word
    assert initialled("N. I. Lobachevsky State University of Nizhny Novgorod") == [
        "Lobachevsky State University of Nizhny Novgorod"]
    assert initialled("U.S. Air Force Space Command") == initialled("R. B. C. College for Women") == []
    assert initialled("N. E. Chemcat Corp.") == []  # a surname and one more word only
    orgs = [("0wwwww001", "IBM Research - Thomas J. Watson Research Center", ["company"], "US", "Yorktown Heights",
             "active"),
            ("0wwwww002", "Watson Research Laboratory", ["facility"], "US", "Boston", "active")]
    m = AffiliationMatcher(orgs, _name_rows(orgs), min_confidence=0.0)
    cand = m.candidate("IBM T. J. Watson Research Center, Hawthorne, NY, USA")
    assert cand.ror_id == "0wwwww001" and cand.features["name_missing"] == 0.0


def test_initials_that_open_a_name_may_be_left_out():
    orgs = [("0lllll001", "N. I. Lobachevsky State University of Nizhny Novgorod", ["education"], "RU",
             "Nizhny Novgorod", "active"),
            ("0lllll002", "Nizhny Novgorod State Technical University", ["education"], "RU", "Nizhny Novgorod",
             "active")]
    m = AffiliationMatcher(orgs, _name_rows(orgs), min_confidence=0.0)
    cand = m.candidate("Lobachevsky State University of Nizhny Novgorod, Nizhny Novgorod, Russia")
    assert cand.ror_id == "0lllll001" and cand.features["same_name"] == 1.0


def test_a_city_sharing_a_word_with_the_name_is_no_extra_word():
    """"New Delhi" beside IIT Delhi: the city's other word ("new", a qualifier word) is not an extra word of the
    part, so neither ``part_extra`` nor ``qualifier_extra`` counts it."""
    orgs = [("0ddddd001", "Indian Institute of Technology Delhi", ["education"], "IN", "New Delhi", "active"),
            ("0ddddd002", "Delhi Technological University", ["education"], "IN", "Delhi", "active")]
    m = AffiliationMatcher(orgs, _name_rows(orgs), min_confidence=0.0)
    cand = m.candidate("Indian Institute of Technology New Delhi, India")
    assert cand.ror_id == "0ddddd001"
    assert cand.features["qualifier_extra"] == 0.0 and cand.features["part_extra"] == 0.0
