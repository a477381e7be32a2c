"""Subjects for export records: a crosswalk from Web of Science categories, Scopus ASJC codes and
PubMed MeSH headings to the OpenAlex domains and fields (and through them to the Nature Index
areas of :mod:`collabatlas.counting.subjects`).

OpenAlex gives each work a primary topic with its subfield, field and domain; the 26 fields (ids
11–36) are the two-digit ASJC subject areas, grouped into 4 domains. Export records carry other
schemes, mapped here as data:

- **WoS categories** (``WC``, about 254 Web of Science Core Collection categories) → one field each
  (:data:`WOS_CATEGORY_FIELDS`). A category spanning two fields maps to its *primary* field: the
  ASJC field whose subject area names the category's core (``Engineering, Chemical`` → Chemical
  Engineering, ``Telecommunications`` → Engineering, ``Physics, Mathematical`` → Physics and
  Astronomy); :data:`WOS_SECONDARY` lists the other field of those spans, for the record only.
  ``Multidisciplinary Sciences`` maps to no field on purpose; the categories in
  :data:`WOS_UNMAPPED` have no defensible single field and map to none (never guessed).
- **WoS research areas** (``SC``, about 150) → a field (:data:`WOS_AREA_FIELDS`): used only when none
  of the record's ``WC`` categories maps (a research area is coarser: ``Engineering``, ``Chemistry``).
- **ASJC codes** (4 digits, Scopus): the first two digits *are* the OpenAlex field id (``1606`` →
  16 Chemistry); ``10xx`` (Multidisciplinary) maps to none. The Scopus exports in the shared data
  (CSV and BibTeX) carry no ASJC column, so in practice Scopus works stay without a subject; a CSV
  with an ``ASJC`` / ``ASJC codes`` column is read.
- **PubMed** → a *domain* only (Health Sciences or Life Sciences, never a field), from the MeSH
  headings (:func:`mesh_domain`): Health Sciences when a heading names a disease, a clinical
  procedure or health care (the MeSH trees C, E, F03 and N, approximated by the words of
  :data:`MESH_HEALTH_WORDS` and the clinical qualifiers of :data:`MESH_HEALTH_QUALIFIERS`, since
  an export carries heading names, not tree numbers), else Life Sciences. A record without MeSH
  headings (not yet indexed, or not MEDLINE) gets no subject: the journal alone is not used.

A record with several categories (or codes) gets the **most frequent field** among its mapped
categories; a tie goes to the field of the category listed first. (WoS lists ``WC`` in alphabetical
order, so "first listed wins" alone would favour Acoustics over Zoology for no reason.)

What the crosswalk cannot do (also in docs/methodology.md): it is journal-level (WoS and ASJC
classify the journal, OpenAlex the paper), so an export work's field is its journal's, not its own
topic; it gives no subfield; PubMed works get a domain only, so ``--subject ni:…`` (field-based)
never counts them, while ``--subject "Health Sciences"`` does; the category → field choices for
spanning categories are the project's, not Clarivate's or OpenAlex's.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

#: OpenAlex domain id → name
DOMAINS: dict[str, str] = {"1": "Life Sciences", "2": "Social Sciences", "3": "Physical Sciences", "4": "Health Sciences"}

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

#: how a work's subject was found (the works column ``subject_origin``), per record origin
HOW_BY_ORIGIN: dict[str, str] = {"openalex": "openalex", "wos": "wos-category", "scopus": "asjc", "pubmed": "mesh"}

# --------------------------------------------------------------------------------------------
# Web of Science categories (WC) → OpenAlex field id

#: every Web of Science Core Collection category (SCIE, SSCI, AHCI) with a field; see the module
#: docstring for the rule on categories spanning fields (:data:`WOS_SECONDARY`)
WOS_CATEGORY_FIELDS: dict[str, str] = {
    "Acoustics": "31",
    "Agricultural Economics & Policy": "20",
    "Agricultural Engineering": "11",
    "Agriculture, Dairy & Animal Science": "11",
    "Agriculture, Multidisciplinary": "11",
    "Agronomy": "11",
    "Allergy": "27",
    "Anatomy & Morphology": "27",
    "Andrology": "27",
    "Anesthesiology": "27",
    "Anthropology": "33",
    "Archaeology": "12",
    "Architecture": "22",
    "Area Studies": "33",
    "Art": "12",
    "Asian Studies": "12",
    "Astronomy & Astrophysics": "31",
    "Audiology & Speech-Language Pathology": "36",
    "Automation & Control Systems": "22",
    "Behavioral Sciences": "28",
    "Biochemical Research Methods": "13",
    "Biochemistry & Molecular Biology": "13",
    "Biodiversity Conservation": "23",
    "Biology": "11",
    "Biophysics": "13",
    "Biotechnology & Applied Microbiology": "13",
    "Business": "14",
    "Business, Finance": "20",
    "Cardiac & Cardiovascular Systems": "27",
    "Cell & Tissue Engineering": "13",
    "Cell Biology": "13",
    "Chemistry, Analytical": "16",
    "Chemistry, Applied": "16",
    "Chemistry, Inorganic & Nuclear": "16",
    "Chemistry, Medicinal": "30",
    "Chemistry, Multidisciplinary": "16",
    "Chemistry, Organic": "16",
    "Chemistry, Physical": "16",
    "Classics": "12",
    "Clinical Neurology": "27",
    "Communication": "33",
    "Computer Science, Artificial Intelligence": "17",
    "Computer Science, Cybernetics": "17",
    "Computer Science, Hardware & Architecture": "17",
    "Computer Science, Information Systems": "17",
    "Computer Science, Interdisciplinary Applications": "17",
    "Computer Science, Software Engineering": "17",
    "Computer Science, Theory & Methods": "17",
    "Construction & Building Technology": "22",
    "Criminology & Penology": "33",
    "Critical Care Medicine": "27",
    "Cultural Studies": "33",
    "Dance": "12",
    "Demography": "33",
    "Dentistry, Oral Surgery & Medicine": "35",
    "Dermatology": "27",
    "Development Studies": "33",
    "Developmental Biology": "13",
    "Ecology": "11",
    "Economics": "20",
    "Education & Educational Research": "33",
    "Education, Scientific Disciplines": "33",
    "Education, Special": "33",
    "Electrochemistry": "16",
    "Emergency Medicine": "27",
    "Endocrinology & Metabolism": "27",
    "Energy & Fuels": "21",
    "Engineering, Aerospace": "22",
    "Engineering, Biomedical": "22",
    "Engineering, Chemical": "15",
    "Engineering, Civil": "22",
    "Engineering, Electrical & Electronic": "22",
    "Engineering, Environmental": "23",
    "Engineering, Geological": "19",
    "Engineering, Industrial": "22",
    "Engineering, Manufacturing": "22",
    "Engineering, Marine": "22",
    "Engineering, Mechanical": "22",
    "Engineering, Multidisciplinary": "22",
    "Engineering, Ocean": "22",
    "Engineering, Petroleum": "21",
    "Entomology": "11",
    "Environmental Sciences": "23",
    "Environmental Studies": "23",
    "Ergonomics": "33",
    "Ethics": "12",
    "Ethnic Studies": "33",
    "Evolutionary Biology": "11",
    "Family Studies": "33",
    "Film, Radio, Television": "12",
    "Fisheries": "11",
    "Folklore": "12",
    "Food Science & Technology": "11",
    "Forestry": "11",
    "Gastroenterology & Hepatology": "27",
    "Genetics & Heredity": "13",
    "Geochemistry & Geophysics": "19",
    "Geography": "33",
    "Geography, Physical": "19",
    "Geology": "19",
    "Geosciences, Multidisciplinary": "19",
    "Geriatrics & Gerontology": "27",
    "Gerontology": "27",
    "Green & Sustainable Science & Technology": "23",
    "Health Care Sciences & Services": "27",
    "Health Policy & Services": "27",
    "Hematology": "27",
    "History": "12",
    "History & Philosophy of Science": "12",
    "History of Social Sciences": "12",
    "Horticulture": "11",
    "Hospitality, Leisure, Sport & Tourism": "14",
    "Humanities, Multidisciplinary": "12",
    "Imaging Science & Photographic Technology": "17",
    "Immunology": "24",
    "Industrial Relations & Labor": "14",
    "Infectious Diseases": "27",
    "Information Science & Library Science": "33",
    "Instruments & Instrumentation": "31",
    "Integrative & Complementary Medicine": "27",
    "International Relations": "33",
    "Language & Linguistics": "12",
    "Law": "33",
    "Limnology": "11",
    "Linguistics": "12",
    "Literary Reviews": "12",
    "Literary Theory & Criticism": "12",
    "Literature": "12",
    "Literature, African, Australian, Canadian": "12",
    "Literature, American": "12",
    "Literature, British Isles": "12",
    "Literature, German, Dutch, Scandinavian": "12",
    "Literature, Romance": "12",
    "Literature, Slavic": "12",
    "Logic": "26",
    "Management": "14",
    "Marine & Freshwater Biology": "11",
    "Materials Science, Biomaterials": "25",
    "Materials Science, Ceramics": "25",
    "Materials Science, Characterization & Testing": "25",
    "Materials Science, Coatings & Films": "25",
    "Materials Science, Composites": "25",
    "Materials Science, Multidisciplinary": "25",
    "Materials Science, Paper & Wood": "25",
    "Materials Science, Textiles": "25",
    "Mathematical & Computational Biology": "13",
    "Mathematics": "26",
    "Mathematics, Applied": "26",
    "Mathematics, Interdisciplinary Applications": "26",
    "Mechanics": "22",
    "Medical Ethics": "27",
    "Medical Informatics": "27",
    "Medical Laboratory Technology": "36",
    "Medicine, General & Internal": "27",
    "Medicine, Legal": "27",
    "Medicine, Research & Experimental": "27",
    "Medieval & Renaissance Studies": "12",
    "Metallurgy & Metallurgical Engineering": "25",
    "Meteorology & Atmospheric Sciences": "19",
    "Microbiology": "24",
    "Mineralogy": "19",
    "Mining & Mineral Processing": "22",
    "Music": "12",
    "Mycology": "24",
    "Nanoscience & Nanotechnology": "25",
    "Neuroimaging": "28",
    "Neurosciences": "28",
    "Nuclear Science & Technology": "21",
    "Nursing": "29",
    "Nutrition & Dietetics": "27",
    "Obstetrics & Gynecology": "27",
    "Oceanography": "19",
    "Oncology": "27",
    "Operations Research & Management Science": "18",
    "Ophthalmology": "27",
    "Optics": "31",
    "Ornithology": "11",
    "Orthopedics": "27",
    "Otorhinolaryngology": "27",
    "Paleontology": "19",
    "Parasitology": "24",
    "Pathology": "27",
    "Pediatrics": "27",
    "Peripheral Vascular Disease": "27",
    "Pharmacology & Pharmacy": "30",
    "Philosophy": "12",
    "Physics, Applied": "31",
    "Physics, Atomic, Molecular & Chemical": "31",
    "Physics, Condensed Matter": "31",
    "Physics, Fluids & Plasmas": "31",
    "Physics, Mathematical": "31",
    "Physics, Multidisciplinary": "31",
    "Physics, Nuclear": "31",
    "Physics, Particles & Fields": "31",
    "Physiology": "13",
    "Planning & Development": "33",
    "Plant Sciences": "11",
    "Poetry": "12",
    "Political Science": "33",
    "Polymer Science": "25",
    "Primary Health Care": "27",
    "Psychiatry": "27",
    "Psychology": "32",
    "Psychology, Applied": "32",
    "Psychology, Biological": "32",
    "Psychology, Clinical": "32",
    "Psychology, Developmental": "32",
    "Psychology, Educational": "32",
    "Psychology, Experimental": "32",
    "Psychology, Mathematical": "32",
    "Psychology, Multidisciplinary": "32",
    "Psychology, Psychoanalysis": "32",
    "Psychology, Social": "32",
    "Public Administration": "33",
    "Public, Environmental & Occupational Health": "27",
    "Quantum Science & Technology": "31",
    "Radiology, Nuclear Medicine & Medical Imaging": "27",
    "Regional & Urban Planning": "33",
    "Rehabilitation": "27",
    "Religion": "12",
    "Remote Sensing": "19",
    "Reproductive Biology": "27",
    "Respiratory System": "27",
    "Rheumatology": "27",
    "Robotics": "22",
    "Social Issues": "33",
    "Social Sciences, Biomedical": "33",
    "Social Sciences, Interdisciplinary": "33",
    "Social Sciences, Mathematical Methods": "33",
    "Social Work": "33",
    "Sociology": "33",
    "Soil Science": "11",
    "Spectroscopy": "16",
    "Sport Sciences": "36",
    "Statistics & Probability": "26",
    "Substance Abuse": "27",
    "Surgery": "27",
    "Telecommunications": "22",
    "Theater": "12",
    "Thermodynamics": "22",
    "Toxicology": "30",
    "Transplantation": "27",
    "Transportation": "33",
    "Transportation Science & Technology": "22",
    "Tropical Medicine": "27",
    "Urban Studies": "33",
    "Urology & Nephrology": "27",
    "Veterinary Sciences": "34",
    "Virology": "24",
    "Water Resources": "23",
    "Women's Studies": "33",
    "Zoology": "11",
}

#: categories spanning two fields: the field *not* chosen (for the record; the primary is in
#: :data:`WOS_CATEGORY_FIELDS`)
WOS_SECONDARY: dict[str, str] = {
    "Agricultural Economics & Policy": "11", "Agricultural Engineering": "22", "Allergy": "24",
    "Anatomy & Morphology": "13", "Architecture": "12", "Behavioral Sciences": "32", "Biodiversity Conservation": "11",
    "Business, Finance": "14", "Cell & Tissue Engineering": "22", "Chemistry, Medicinal": "16",
    "Clinical Neurology": "28", "Ecology": "23", "Engineering, Biomedical": "27", "Engineering, Environmental": "22",
    "Engineering, Geological": "22", "Engineering, Petroleum": "22", "Environmental Studies": "33", "Ergonomics": "22",
    "Ethics": "33", "Food Science & Technology": "16", "Geography": "19", "Gerontology": "33",
    "Green & Sustainable Science & Technology": "21", "Imaging Science & Photographic Technology": "31",
    "Information Science & Library Science": "17", "Logic": "12", "Mathematical & Computational Biology": "26",
    "Mechanics": "31", "Medical Informatics": "17", "Mining & Mineral Processing": "19", "Mycology": "11",
    "Nanoscience & Nanotechnology": "31", "Neuroimaging": "27", "Nuclear Science & Technology": "31",
    "Nutrition & Dietetics": "29", "Physics, Mathematical": "26", "Physiology": "27", "Polymer Science": "16",
    "Psychiatry": "32", "Remote Sensing": "17", "Reproductive Biology": "13", "Robotics": "17",
    "Social Sciences, Mathematical Methods": "26", "Spectroscopy": "31", "Sport Sciences": "27",
    "Telecommunications": "17", "Thermodynamics": "31", "Transportation": "22", "Veterinary Sciences": "11",
}

#: categories with no field: ``Multidisciplinary Sciences`` on purpose (like ASJC 10xx); the others
#: span three or more fields with no primary one (a record with only these has no subject)
WOS_UNMAPPED: dict[str, str] = {
    "Multidisciplinary Sciences": "multidisciplinary by design (Nature, Science, PNAS, PLOS ONE): no field",
    "Crystallography": "chemistry, physics, materials science and structural biology alike",
    "Microscopy": "an instrument category: biology, materials science and physics alike",
}

# --------------------------------------------------------------------------------------------
# Web of Science research areas (SC) → OpenAlex field id (fallback when no WC category maps)

WOS_AREA_FIELDS: dict[str, str] = {
    "Acoustics": "31", "Agriculture": "11", "Allergy": "27", "Anatomy & Morphology": "27", "Anesthesiology": "27",
    "Anthropology": "33", "Archaeology": "12", "Architecture": "22", "Area Studies": "33", "Art": "12",
    "Arts & Humanities - Other Topics": "12", "Asian Studies": "12", "Astronomy & Astrophysics": "31",
    "Audiology & Speech-Language Pathology": "36", "Automation & Control Systems": "22",
    "Behavioral Sciences": "28", "Biochemistry & Molecular Biology": "13", "Biodiversity & Conservation": "23",
    "Biophysics": "13", "Biotechnology & Applied Microbiology": "13", "Business & Economics": "14",
    "Cardiovascular System & Cardiology": "27", "Cell Biology": "13", "Chemistry": "16", "Classics": "12",
    "Communication": "33", "Computer Science": "17", "Construction & Building Technology": "22",
    "Criminology & Penology": "33", "Critical Care Medicine": "27", "Cultural Studies": "33", "Dance": "12",
    "Demography": "33", "Dentistry, Oral Surgery & Medicine": "35", "Dermatology": "27",
    "Developmental Biology": "13", "Development Studies": "33", "Education & Educational Research": "33",
    "Electrochemistry": "16", "Emergency Medicine": "27", "Endocrinology & Metabolism": "27",
    "Energy & Fuels": "21", "Engineering": "22", "Entomology": "11", "Environmental Sciences & Ecology": "23",
    "Ethnic Studies": "33", "Evolutionary Biology": "11", "Family Studies": "33",
    "Film, Radio & Television": "12", "Fisheries": "11", "Folklore": "12", "Food Science & Technology": "11",
    "Forestry": "11", "Gastroenterology & Hepatology": "27", "General & Internal Medicine": "27",
    "Genetics & Heredity": "13", "Geochemistry & Geophysics": "19", "Geography": "33", "Geology": "19",
    "Geriatrics & Gerontology": "27", "Government & Law": "33", "Health Care Sciences & Services": "27",
    "Hematology": "27", "History": "12", "History & Philosophy of Science": "12",
    "Imaging Science & Photographic Technology": "17", "Immunology": "24", "Infectious Diseases": "27",
    "Information Science & Library Science": "33", "Instruments & Instrumentation": "31",
    "Integrative & Complementary Medicine": "27", "International Relations": "33", "Legal Medicine": "27",
    "Linguistics": "12", "Literature": "12", "Marine & Freshwater Biology": "11", "Materials Science": "25",
    "Mathematical & Computational Biology": "13", "Mathematical Methods in Social Sciences": "33",
    "Mathematics": "26", "Mechanics": "22", "Medical Ethics": "27", "Medical Informatics": "27",
    "Medical Laboratory Technology": "36", "Medieval & Renaissance Studies": "12",
    "Meteorology & Atmospheric Sciences": "19", "Metallurgy & Metallurgical Engineering": "25",
    "Microbiology": "24", "Mineralogy": "19", "Mining & Mineral Processing": "22", "Music": "12",
    "Mycology": "24", "Neurosciences & Neurology": "28", "Nuclear Science & Technology": "21", "Nursing": "29",
    "Nutrition & Dietetics": "27", "Obstetrics & Gynecology": "27", "Oceanography": "19", "Oncology": "27",
    "Operations Research & Management Science": "18", "Ophthalmology": "27", "Optics": "31",
    "Orthopedics": "27", "Otorhinolaryngology": "27", "Paleontology": "19", "Parasitology": "24",
    "Pathology": "27", "Pediatrics": "27", "Pharmacology & Pharmacy": "30", "Philosophy": "12",
    "Physical Geography": "19", "Physics": "31", "Physiology": "13", "Plant Sciences": "11",
    "Polymer Science": "25", "Psychiatry": "27", "Psychology": "32", "Public Administration": "33",
    "Public, Environmental & Occupational Health": "27", "Radiology, Nuclear Medicine & Medical Imaging": "27",
    "Rehabilitation": "27", "Religion": "12", "Remote Sensing": "19", "Reproductive Biology": "27",
    "Research & Experimental Medicine": "27", "Respiratory System": "27", "Rheumatology": "27",
    "Robotics": "22", "Social Issues": "33", "Social Sciences - Other Topics": "33", "Social Work": "33",
    "Sociology": "33", "Spectroscopy": "16", "Sport Sciences": "36", "Substance Abuse": "27", "Surgery": "27",
    "Telecommunications": "22", "Theater": "12", "Thermodynamics": "22", "Toxicology": "30",
    "Transplantation": "27", "Transportation": "33", "Tropical Medicine": "27", "Urban Studies": "33",
    "Urology & Nephrology": "27", "Veterinary Sciences": "34", "Virology": "24", "Water Resources": "23",
    "Women's Studies": "33", "Zoology": "11",
}

#: research areas with no field (too broad, several domains)
WOS_AREA_UNMAPPED: dict[str, str] = {
    "Science & Technology - Other Topics": "multidisciplinary: every physical and life science",
    "Life Sciences & Biomedicine - Other Topics": "every life and health science",
    "Crystallography": "as the WC category",
    "Microscopy": "as the WC category",
}

# --------------------------------------------------------------------------------------------
# PubMed MeSH → domain

#: words in a MeSH descriptor name that place it in the trees C (Diseases), E (Analytical,
#: Diagnostic and Therapeutic Techniques), F03 (Mental Disorders) or N (Health Care): an
#: approximation of the tree, which an export does not carry
MESH_HEALTH_WORDS = (
    "disease", "diseases", "disorder", "disorders", "syndrome", "neoplasm", "neoplasms", "cancer", "carcinoma",
    "tumor", "tumors", "infection", "infections", "injuries", "wounds", "pain", "diabetes", "obesity",
    "hypertension", "dementia", "depression", "asthma", "covid-19", "hiv", "patient", "patients", "hospital",
    "hospitals", "clinical", "therapy", "therapeutics", "surgery", "surgical", "nursing", "health", "medicine",
    "medical", "physicians", "diagnosis", "diagnostic", "care", "mortality", "quality-adjusted life years",
    "treatment outcome", "survival analysis", "drug", "vaccine", "vaccines", "vaccination", "anesthesia",
    "rehabilitation", "prognosis", "morbidity", "epidemiology", "incidence", "prevalence",
)
_HEALTH_WORD = re.compile(r"\b(" + "|".join(re.escape(w) for w in MESH_HEALTH_WORDS) + r")\b", re.I)

#: MeSH qualifiers (subheadings) of clinical use: a heading carrying one is health science
MESH_HEALTH_QUALIFIERS = frozenset({
    "therapy", "drug therapy", "surgery", "diagnosis", "diagnostic imaging", "epidemiology", "mortality",
    "prevention & control", "rehabilitation", "nursing", "complications", "radiotherapy", "diet therapy",
    "therapeutic use", "adverse effects", "pathology", "etiology", "psychology", "economics",
})


def mesh_domain(headings: Iterable[str]) -> str | None:
    """``"4"`` (Health Sciences) or ``"1"`` (Life Sciences) from MeSH headings as MEDLINE writes them
    (``*Neoplasms/drug therapy``), or ``None`` without any heading. See the module docstring."""
    headings = [h.strip() for h in headings if h and h.strip()]
    if not headings:
        return None
    for heading in headings:
        descriptor, *qualifiers = [p.strip().lstrip("*").lower() for p in heading.split("/")]
        if _HEALTH_WORD.search(descriptor) or MESH_HEALTH_QUALIFIERS.intersection(qualifiers):
            return "4"
    return "1"


# --------------------------------------------------------------------------------------------
# lookups


def _key(name: str) -> str:
    """Category names compared case-insensitively, BibTeX escapes and braces dropped, spaces collapsed."""
    return " ".join(name.replace("\\&", "&").replace("{", "").replace("}", "").split()).casefold()


_WC = {_key(k): v for k, v in WOS_CATEGORY_FIELDS.items()}
_WC_NONE = {_key(k) for k in WOS_UNMAPPED}
_SC = {_key(k): v for k, v in WOS_AREA_FIELDS.items()}
_SC_NONE = {_key(k) for k in WOS_AREA_UNMAPPED}


def split_categories(value: str | Iterable[str] | None) -> list[str]:
    """``"A; B"`` (or a list of such strings, e.g. continuation lines) → ``["A", "B"]``."""
    if value is None:
        return []
    text = value if isinstance(value, str) else " ".join(value)  # a wrapped line continues its category
    return [c for c in (" ".join(x.split()) for x in text.split(";")) if c]


def wos_category_field(category: str) -> str | None:
    """The OpenAlex field id of a WoS category (``WC``), ``None`` when it has none."""
    return _WC.get(_key(category))


def wos_area_field(area: str) -> str | None:
    """The OpenAlex field id of a WoS research area (``SC``), ``None`` when it has none."""
    return _SC.get(_key(area))


def is_known_category(category: str) -> bool:
    """Whether the crosswalk lists ``category`` (mapped or deliberately unmapped)."""
    return _key(category) in _WC or _key(category) in _WC_NONE


def is_known_area(area: str) -> bool:
    return _key(area) in _SC or _key(area) in _SC_NONE


def asjc_field(code: str) -> str | None:
    """The OpenAlex field id of a 4-digit ASJC code: its first two digits (11–36); 10xx and
    anything else → ``None``."""
    code = code.strip()
    if not re.fullmatch(r"\d{4}", code):
        return None
    return code[:2] if code[:2] in FIELDS else None


def pick_field(fields: Iterable[str | None]) -> str | None:
    """The most frequent field of a record's categories (in listing order, ``None`` = unmapped);
    a tie goes to the field listed first."""
    listed = [f for f in fields if f]
    if not listed:
        return None
    counts = Counter(listed)
    best = max(counts.values())
    return next(f for f in listed if counts[f] == best)


@dataclass(frozen=True)
class Subject:
    domain_id: str | None
    domain: str | None
    field_id: str | None
    field: str | None
    how: str | None  # subject_origin: 'wos-category' | 'asjc' | 'mesh' (None: no subject)

    @property
    def known(self) -> bool:
        return self.domain_id is not None


NO_SUBJECT = Subject(None, None, None, None, None)


def _from_field(field_id: str | None, how: str) -> Subject:
    if field_id is None:
        return NO_SUBJECT
    name, domain_id = FIELDS[field_id]
    return Subject(domain_id, DOMAINS[domain_id], field_id, name, how)


def subject_for(origin: str, wos_categories: Iterable[str] = (), wos_areas: Iterable[str] = (),
                asjc: Iterable[str] = (), mesh: Iterable[str] = ()) -> Subject:
    """A record's (domain_id, domain, field_id, field, how) from what its export gives: WoS ``WC``
    categories (else ``SC`` research areas), ASJC codes, or MeSH headings (domain only)."""
    if origin == "wos":
        field_id = pick_field(wos_category_field(c) for c in wos_categories)
        if field_id is None:
            field_id = pick_field(wos_area_field(a) for a in wos_areas)
        return _from_field(field_id, HOW_BY_ORIGIN["wos"])
    if origin == "scopus":
        return _from_field(pick_field(asjc_field(c) for c in asjc), HOW_BY_ORIGIN["scopus"])
    if origin == "pubmed":
        domain_id = mesh_domain(mesh)
        if domain_id is None:
            return NO_SUBJECT
        return Subject(domain_id, DOMAINS[domain_id], None, None, HOW_BY_ORIGIN["pubmed"])
    return NO_SUBJECT


def subject_origin_sql(alias: str = "s") -> str:
    """SQL for a works row's ``subject_origin``: how its subject was found, from its origin
    (:data:`HOW_BY_ORIGIN`), ``NULL`` when it has no domain."""
    cases = " ".join(f"WHEN '{o}' THEN '{h}'" for o, h in HOW_BY_ORIGIN.items())
    return f"CASE WHEN {alias}.domain_id IS NULL THEN NULL ELSE CASE {alias}.origin {cases} END END"


def coverage_line(coverage: dict) -> str:
    """``"subject known for 3,811 of 5,011 works (wos-category 3,651, openalex 160); field for 3,700"``
    from :meth:`collabatlas.Atlas.subject_coverage`."""
    parts = ", ".join(f"{how} {n:,}" for how, n in coverage["by_origin"].items())
    line = f"subject known for {coverage['known']:,} of {coverage['works']:,} works"
    if parts:
        line += f" ({parts})"
    if coverage["with_field"] != coverage["known"]:
        line += f"; field known for {coverage['with_field']:,} (PubMed works get a domain only)"
    return line


# --------------------------------------------------------------------------------------------
# merged works: a work keeps a subject when any of its records has one

_SUBJECT_COLUMNS = ("domain_id", "domain", "field_id", "field", "subfield_id", "subfield", "subject_origin")
_HOW_RANK = " ".join(f"WHEN '{h}' THEN {i}" for i, h in enumerate(HOW_BY_ORIGIN.values()))


def keep_replaced_subjects(con) -> None:
    """Before an ingest deletes the works it replaces (``stage_go`` action ``replace``, see
    :mod:`collabatlas.ingest.merge`): remember their subjects, for :func:`fill_merged_subjects`."""
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE stage_prev_subjects AS
        SELECT wkey, {', '.join(_SUBJECT_COLUMNS)} FROM works
        WHERE domain_id IS NOT NULL AND wkey IN (SELECT wkey FROM stage_go WHERE action = 'replace')
    """)


def fill_merged_subjects(con) -> int:
    """A merged work's authorships come from its highest-priority record (docs/sources.md), which may
    carry no subject (a Scopus record without ASJC merged with a WoS record with categories): such a
    work takes the subject of another of its records (this ingest's, or the replaced stored row's),
    one with a field first, then openalex > wos-category > asjc > mesh. Returns the works filled."""
    cols = ", ".join(_SUBJECT_COLUMNS)
    staged = ", ".join(f"s.{c}" for c in _SUBJECT_COLUMNS[:-1])
    filled = con.execute(f"""
        WITH candidates AS (
            SELECT coalesce(d.target, g.wkey) AS wkey, {staged}, {subject_origin_sql('s')} AS subject_origin
            FROM stage_clustered c JOIN stage_decision d USING (ck) LEFT JOIN stage_go g USING (ck)
            JOIN stage_works s ON s.rid = c.rid
            WHERE s.domain_id IS NOT NULL
            UNION ALL
            SELECT wkey, {cols} FROM stage_prev_subjects
        ), best AS (
            SELECT * FROM candidates WHERE wkey IS NOT NULL
            QUALIFY row_number() OVER (PARTITION BY wkey ORDER BY field_id IS NULL,
                                       CASE subject_origin {_HOW_RANK} ELSE 9 END, field_id, domain_id) = 1
        )
        UPDATE works SET {', '.join(f'{c} = best.{c}' for c in _SUBJECT_COLUMNS)}
        FROM best WHERE works.wkey = best.wkey AND works.domain_id IS NULL
    """).fetchone()
    return int(filled[0]) if filled else 0
