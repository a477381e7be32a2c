"""The OpenAlex subject taxonomy above topics and subfields: the 4 domains and the 26 fields (ids 11–36,
the two-digit ASJC subject areas), by id. Every domain and field is known to the store even with no
work (an empty result, not an error), and the subject crosswalk (:mod:`.subject_crosswalk`) maps
export categories onto these fields."""

from __future__ import annotations

#: OpenAlex domain id → name
DOMAINS: dict[str, str] = {"1": "Life Sciences", "2": "Social Sciences", "3": "Physical Sciences",
                           "4": "Health Sciences"}

#: OpenAlex field id → (name, domain id); the ids are the ASJC two-digit subject areas
FIELDS: dict[str, tuple[str, str]] = {
    "11": ("Agricultural and Biological Sciences", "1"),
    "12": ("Arts and Humanities", "2"),
    "13": ("Biochemistry, Genetics and Molecular Biology", "1"),
    "14": ("Business, Management and Accounting", "2"),
    "15": ("Chemical Engineering", "3"),
    "16": ("Chemistry", "3"),
    "17": ("Computer Science", "3"),
    "18": ("Decision Sciences", "2"),
    "19": ("Earth and Planetary Sciences", "3"),
    "20": ("Economics, Econometrics and Finance", "2"),
    "21": ("Energy", "3"),
    "22": ("Engineering", "3"),
    "23": ("Environmental Science", "3"),
    "24": ("Immunology and Microbiology", "1"),
    "25": ("Materials Science", "3"),
    "26": ("Mathematics", "3"),
    "27": ("Medicine", "4"),
    "28": ("Neuroscience", "1"),
    "29": ("Nursing", "4"),
    "30": ("Pharmacology, Toxicology and Pharmaceutics", "1"),
    "31": ("Physics and Astronomy", "3"),
    "32": ("Psychology", "2"),
    "33": ("Social Sciences", "2"),
    "34": ("Veterinary", "4"),
    "35": ("Dentistry", "4"),
    "36": ("Health Professions", "4"),
}
