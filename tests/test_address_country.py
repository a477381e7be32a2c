"""Country of an address string: each documented rule, the traps, and properties over every ISO name."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from collabatlas.affiliations.address_country import US_STATES, normalise, resolve_country

RULES = [
    # trailing component, WoS forms
    ("Univ Tokyo, Dept Phys, Tokyo 1130033, Japan", "JP"),
    ("Chinese Acad Sci, Inst Phys, Beijing 100190, Peoples R China", "CN"),
    ("CCAST (World Laboratory), P.O. Box 8730, Beijing 100080, People’s Republic of China", "CN"),
    ("Inst. of Comput. Technol., Chinese Acad. of Sci., Beijing, P.R. China", "CN"),
    ("Fudan Univ, Shanghai 200433, PR China", "CN"),
    # US states, codes and ZIP codes
    ("Harvard Univ, Dept Chem, Cambridge, MA 02138 USA", "US"),
    ("Stanford Univ, Stanford, CA 94305-4060", "US"),
    ("Barrow Neurological Inst., Phoenix, AZ", "US"),
    ("Dept Physics, Univ of Texas, Austin, Texas", "US"),
    ("Microsoft Research, Redmond, WA", "US"),
    ("Rice University, Houston, TX, United States of America", "US"),
    # UK nations
    ("Univ Oxford, Oxford OX1 3PU, England", "GB"),
    ("Univ Edinburgh, Edinburgh, Midlothian, Scotland", "GB"),
    ("Cardiff Univ, Cardiff, Wales", "GB"),
    ("Queens Univ Belfast, Belfast, Antrim, North Ireland", "GB"),
    ("Univ Sydney, Camperdown, New South Wales", None),
    ("Univ Sydney, Camperdown, NSW 2006, Australia", "AU"),
    ("Queens Univ Belfast, Belfast BT7 1NN, Antrim, N Ireland", "GB"),
    ("Ulster Univ, Coleraine, Northern Ireland", "GB"),
    ("Trinity Coll Dublin, Dublin 2, Ireland", "IE"),
    ("Imperial Coll London, London SW7 2AZ, UK", "GB"),
    # the two Congos
    ("Univ Kinshasa, Kinshasa, Dem Rep Congo", "CD"),
    ("INRB, Kinshasa, DR Congo", "CD"),
    ("Kinshasa, Democratic Republic of the Congo", "CD"),
    ("Goma, Congo-Kinshasa", "CD"),
    ("Univ Marien Ngouabi, Brazzaville, Rep Congo", "CG"),
    ("Brazzaville, Congo-Brazzaville", "CG"),
    ("Brazzaville, Congo", "CG"),
    ("Brazzaville, Republic of the Congo", "CG"),
    # the two Koreas
    ("Kim Il Sung Univ, Pyongyang, North Korea", "KP"),
    ("Pyongyang, DPR Korea", "KP"),
    ("Pyongyang, Dem People's Rep Korea", "KP"),
    ("Pyongyang, Korea, Democratic People's Republic of", "KP"),
    ("Seoul Natl Univ, Seoul 151742, South Korea", "KR"),
    ("KAIST, Daejeon, Republic of Korea", "KR"),
    ("Yonsei Univ, Seoul, Korea", "KR"),
    # Hong Kong, Macao, Taiwan
    ("Univ Hong Kong, Dept Chem, Pokfulam, Hong Kong", "HK"),
    ("Chinese Univ Hong Kong, Shatin, Hong Kong, Peoples R China", "HK"),
    ("Univ Macau, Taipa, Macao", "MO"),
    ("Univ Macau, Taipa, Macau, Peoples R China", "MO"),
    ("Natl Taiwan Univ, Taipei 10617, Taiwan", "TW"),
    ("Academia Sinica, Taipei, Taiwan, ROC", "TW"),
    ("Taipei, Taiwan, Province of China", "TW"),
    # names inside institution and street names are not countries
    ("Beth Israel Deaconess Medical Center", None),
    ("Beth Israel Deaconess Med Ctr, Boston, MA 02215 USA", "US"),
    ("Carrer de Palau 12, Barcelona", None),
    ("Hospital del Mar, Carrer de Palau, Barcelona, Spain", "ES"),
    ("Jordan Hall, Indiana University, Bloomington", None),
    ("New Mexico State Univ, Las Cruces, NM 88003 USA", "US"),
    ("New Mexico State University, Las Cruces, New Mexico", "US"),
    ("University of Chile", None),
    ("Koror, Republic of Palau", "PW"),
    ("Amman, Jordan", "JO"),
    ("Tbilisi State Univ, Tbilisi, Georgia", "GE"),
    ("Georgia Inst Technol, Atlanta, GA 30332 USA", "US"),
    ("Georgia Institute of Technology, Atlanta, Georgia 30332-0400", "US"),   # the state with a ZIP code
    ("George W. Woodruff School, Georgia Institute of Technology, Atlanta, Georgia30313", "US"),  # glued
    ("Tbilisi State Univ, Tbilisi 0179, Georgia", "GE"),                       # a 4-digit Georgian postcode
    ("Ilia State Univ, Georgia 0162", "GE"),
    # no commas: the last words
    ("Sun Yat-sen University Guangzhou 510275 China", "CN"),
    ("Fera Science Ltd. Sand Hutton York YO41 1LZ UK", "GB"),
    # nothing known
    ("Department of Physics", None),
    ("", None),
]


@pytest.mark.parametrize("address,expected", RULES)
def test_rules(address, expected):
    assert resolve_country(address) == expected


@pytest.mark.parametrize("address,default,folded", [
    ("Univ Hong Kong, Pokfulam, Hong Kong", "HK", "CN"),
    ("Chinese Univ Hong Kong, Shatin, Hong Kong, Peoples R China", "HK", "CN"),
    ("Univ Macau, Taipa, Macao", "MO", "CN"),
    ("Natl Taiwan Univ, Taipei, Taiwan", "TW", "TW"),
    ("Peking Univ, Beijing, Peoples R China", "CN", "CN"),
])
def test_fold_hk_mo(address, default, folded):
    assert resolve_country(address) == default
    assert resolve_country(address, fold_hk_mo=True) == folded


def _iso_entries(shared_data):
    return json.loads((shared_data / "reference" / "iso3166-1.json").read_text(encoding="utf-8"))["3166-1"]


def test_every_iso_name_as_last_component(shared_data):
    """Each ISO 3166-1 short, official and common name, as the last component, gives its code."""
    wrong = []
    for entry in _iso_entries(shared_data):
        for key in ("name", "official_name", "common_name"):
            if key in entry:
                got = resolve_country(f"Dept Chem, Some City 12345, {entry[key]}")
                if got != entry["alpha_2"]:
                    wrong.append((entry[key], entry["alpha_2"], got))
    assert wrong == []


words = st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=3, max_size=9)


@settings(max_examples=200, deadline=None)
@given(state=st.sampled_from(sorted(US_STATES)), zip5=st.integers(0, 99999), city=words, inst=words)
def test_state_code_and_zip_is_us(state, zip5, city, inst):
    assert resolve_country(f"Univ {inst.title()}, {city.title()}, {state} {zip5:05d}") == "US"
    assert resolve_country(f"Univ {inst.title()}, {city.title()}, {state} {zip5:05d} USA") == "US"


@settings(max_examples=200, deadline=None)
@given(prefix=st.lists(words, min_size=0, max_size=4),
       trap=st.sampled_from(["Beth Israel Deaconess Med Ctr", "Carrer de Palau", "Jordan Hall", "Univ of Chile",
                             "New Mexico State Univ", "Chinese Acad Sci", "Hong Kong Polytech Univ"]),
       country=st.sampled_from([("Japan", "JP"), ("Peoples R China", "CN"), ("England", "GB"), ("Spain", "ES"),
                                ("Dem Rep Congo", "CD"), ("South Korea", "KR"), ("Brazil", "BR")]))
def test_country_words_inside_names_never_override_the_last_component(prefix, trap, country):
    name, code = country
    address = ", ".join([w.title() for w in prefix] + [trap, "Some City", name])
    assert resolve_country(address) == code


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=80))
def test_any_text_gives_a_code_or_none_and_folding_is_consistent(text):
    code = resolve_country(text)
    assert code is None or (len(code) == 2 and code.isupper())
    folded = resolve_country(text, fold_hk_mo=True)
    assert folded == ("CN" if code in ("HK", "MO") else code)


def test_normalise():
    assert normalise("P.R. China") == "pr china"
    assert normalise("Côte d’Ivoire") == "cote d ivoire"
    assert normalise("Bosnia & Herceg") == "bosnia herceg"
