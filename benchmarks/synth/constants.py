"""Sizes, calibration constants and vocabularies of the synthetic world (values only, no randomness)."""

from __future__ import annotations

import numpy as np

BLOCK = 10_000
"""Works per independently seeded block of the structure draw."""

W_BASE = 4_000_000_000
A_BASE = 5_000_000_000
AUTHOR_POOL = 20_000_000
N_INSTITUTIONS = 20_000
N_SOURCES = 5_000
OPENALEX = "https://openalex.org/"
UPDATED_FROM = np.datetime64("2023-01-01T00:00:00", "us")

# ---------------------------------------------------------------------------------------------
# Calibration constants
# ---------------------------------------------------------------------------------------------
AUTHORS_MU, AUTHORS_SIGMA = 1.19, 0.89  # n = 1 + floor(lognormal): median 4, mean ~5.4
MAX_REGULAR_AUTHORS = 99
MEGA_MIN, MEGA_MAX, MEGA_ALPHA = 100, 3000, 1.0  # bounded Pareto for the mega-author tail
P_NO_AFFILIATION = 0.02  # authorship with neither institutions nor countries
P_COUNTRY_ONLY = 0.03  # authorship with no institution but one country
P_INSTITUTIONS_2, P_INSTITUTIONS_3 = 0.15, 0.05  # otherwise 1 institution with p = 0.80
P_INTERNATIONAL = 0.30  # works flagged international (single-slot works cannot be)
P_FOREIGN_SLOT = 0.30  # extra foreign institution slots in an international work
P_FOREIGN_SLOT_MEGA = 0.60
P_FOREIGN_SLOT_CALIBRATED = 0.6  # set so the calibrated countries per international work match
P_SAME_LAB = 0.50  # an author's first institution is the first author's
MEGA_TEAM_SIZE = 10  # in a mega-author work, runs of 10 slots share one institution
P_NULL_AUTHOR_ID = 0.002
P_NULL_COUNTRY_INSTITUTION = 0.01  # institutions whose country_code is missing
P_PARENT = 0.05
P_NULL_ROR = 0.03
P_DOI = 0.90
YEAR_GROWTH = 1.045

# ISO 3166-1 alpha-2 codes, roughly by research output; popularity is Zipf-like in this order.
COUNTRIES = """
US CN GB DE JP FR IN IT CA AU ES KR BR NL RU CH SE PL TR IR TW BE DK AT IL NO FI PT MX CZ
ZA SG GR NZ IE EG MY SA PK HK AR CL HU TH RO ID NG CO SK SI HR RS UA TN DZ MA KE ET GH VN BD
LK NP UG TZ IQ JO LB KW QA AE OM CY EE LV LT LU IS BG BY KZ UZ AZ GE AM MD AL MK BA ME MT PE
VE EC UY PY BO CU CR PA GT HN SV NI DO JM TT PR CM SN CI BF ML NE BJ TG ZM ZW MW MZ BW NA MG
RW SD SY YE PS LY AF MN KH LA MM BN PH PG FJ MO KG TJ TM BT MV SO ER DJ GA CG CD AO GN GM SL
LR MR CV ST GQ TD CF BI KM SC MU HT BS BB BZ GY SR GD LC VC AG DM KN BM KY GL FO GI AD MC LI
SM VA GU NC PF WS TO VU SB KI FM MH PW NR TV TL SZ LS SS
""".split()
COUNTRY_ZIPF = 1.1
INSTITUTION_ZIPF = 0.6  # the most popular institution is in about 3 % of works

DOMAINS = {1: "Life Sciences", 2: "Social Sciences", 3: "Physical Sciences", 4: "Health Sciences"}

# OpenAlex fields (the ASJC top-level areas): id, name, domain id, rough share of works.
FIELDS = [
    (11, "Agricultural and Biological Sciences", 1, 0.050),
    (12, "Arts and Humanities", 2, 0.040),
    (13, "Biochemistry, Genetics and Molecular Biology", 1, 0.070),
    (14, "Business, Management and Accounting", 2, 0.025),
    (15, "Chemical Engineering", 3, 0.015),
    (16, "Chemistry", 3, 0.040),
    (17, "Computer Science", 3, 0.070),
    (18, "Decision Sciences", 2, 0.005),
    (19, "Earth and Planetary Sciences", 3, 0.030),
    (20, "Economics, Econometrics and Finance", 2, 0.020),
    (21, "Energy", 3, 0.015),
    (22, "Engineering", 3, 0.070),
    (23, "Environmental Science", 3, 0.035),
    (24, "Immunology and Microbiology", 1, 0.020),
    (25, "Materials Science", 3, 0.040),
    (26, "Mathematics", 3, 0.020),
    (27, "Medicine", 4, 0.200),
    (28, "Neuroscience", 1, 0.020),
    (29, "Nursing", 4, 0.010),
    (30, "Pharmacology, Toxicology and Pharmaceutics", 1, 0.020),
    (31, "Physics and Astronomy", 3, 0.050),
    (32, "Psychology", 2, 0.030),
    (33, "Social Sciences", 2, 0.080),
    (34, "Veterinary", 4, 0.010),
    (35, "Dentistry", 4, 0.007),
    (36, "Health Professions", 4, 0.015),
]
SUBFIELD_KINDS = ["General", "Theory", "Methods", "Applications", "Experimental", "Interdisciplinary"]
TOPICS_PER_SUBFIELD = 10

INSTITUTION_TYPES = [
    ("education", 0.55),
    ("healthcare", 0.12),
    ("company", 0.10),
    ("government", 0.08),
    ("facility", 0.06),
    ("nonprofit", 0.06),
    ("other", 0.02),
    ("archive", 0.01),
]
INSTITUTION_NAME_PATTERNS = {
    "education": ["University of {}", "{} University", "{} Institute of Technology"],
    "healthcare": ["{} General Hospital", "{} Medical Center"],
    "company": ["{} Corporation", "{} Technologies (Company)"],
    "government": ["National {} Agency", "Ministry of {} Affairs"],
    "facility": ["{} National Laboratory", "{} Research Centre"],
    "nonprofit": ["{} Foundation", "{} Trust"],
    "other": ["{} Society"],
    "archive": ["{} Archives"],
}
SOURCE_NAME_PATTERNS = ["Journal of {} Studies", "{} Letters", "Annals of {}", "{} Review"]

WORK_TYPES = [
    ("article", 0.80),
    ("review", 0.05),
    ("book-chapter", 0.05),
    ("preprint", 0.04),
    ("letter", 0.015),
    ("editorial", 0.015),
    ("book", 0.01),
    ("dissertation", 0.01),
    ("dataset", 0.005),
    ("other", 0.005),
]
YEARS = np.arange(2000, 2024)

SYLLABLES = (
    "ka ri to mo la ne su vi da ze po li ra ko me ta no si ba lu fe ga hi jo ma ni or pe qu ro sa ve"
).split()
FIRST_NAMES = (
    "James Mary Wei Li Anna Jose Maria Mohammed Fatima Hiroshi Yuki Olga Ivan Peter Laura Carlos "
    "Sofia David Sarah Min Jun Ana Luis Elena Thomas Emma Lucas Mia Noah Chen Ying Raj Priya Amit "
    "Sunita Ahmed Aisha Kenji Akiko Pierre Claire Hans Greta Marco Giulia Pablo Lucia Erik Ingrid "
    "Jan Eva Tomasz Katarzyna Mehmet Ayse Ali Zahra Kwame Ama Tunde Ngozi Diego Camila Andrei "
    "Irina Nikos Eleni Sven Astrid Jin Hana Minh Linh Arjun Deepa Omar Layla Samuel Grace Daniel"
).split()
LAST_NAMES = (
    "Smith Wang Li Zhang Liu Chen Yang Huang Zhao Wu Garcia Martinez Rodriguez Lopez Gonzalez "
    "Muller Schmidt Schneider Fischer Weber Tanaka Suzuki Sato Takahashi Watanabe Kim Lee Park "
    "Choi Jung Singh Kumar Sharma Patel Gupta Rossi Russo Ferrari Esposito Bianchi Martin Bernard "
    "Dubois Thomas Robert Ivanov Smirnov Kuznetsov Popov Petrov Silva Santos Oliveira Souza Costa "
    "Nguyen Tran Le Pham Hoang Kowalski Nowak Wisniewski Yilmaz Kaya Demir Sahin Hansen Johansson "
    "Andersson Nielsen Jensen Larsen Novak Horvat Papadopoulos Cohen Levi Mizrahi Okafor Mensah "
    "Mwangi Hassan Ali Hussein Ahmadi Hosseini Rezaei Brown Jones Miller Davis Wilson Taylor "
    "Anderson Jackson White Harris Clark Lewis Walker Hall Young Allen King Wright Scott Green"
).split()
TITLE_LEADS = (
    "Effects of|A study of|Analysis of|Towards|Modelling|Assessment of|On the|Mechanisms of|"
    "Evidence for|Characterization of|Optimal|Rethinking|Measuring|Predicting|Understanding"
).split("|")
TITLE_ADJECTIVES = (
    "adaptive nonlinear spatial temporal chronic acute robust scalable sustainable early "
    "molecular cellular regional global urban rural dynamic stochastic thermal optical clinical "
    "social digital genomic structural environmental economic cognitive microbial quantum "
    "hierarchical distributed sparse latent multiscale heterogeneous comparative longitudinal"
).split()
TITLE_NOUNS = (
    "networks inflammation growth transport signalling policy markets learning dynamics stress "
    "resistance imaging proteins catalysis emissions adoption mobility variability inequality "
    "memory expression transitions flows deformation coupling uncertainty governance screening "
    "outcomes degradation assembly metabolism turbulence estimation recovery interactions"
).split()
TITLE_CONTEXTS = (
    "patients|children|older adults|coastal regions|small firms|river basins|cancer cells|"
    "graphene|mice|rice|urban households|hospitals|primary schools|wind farms|the Arctic|"
    "developing economies|neural circuits|soils|supply chains|online platforms|clinical trials|"
    "perovskites|forests|migrant workers|batteries|the gut microbiome|galaxies|public health"
).split("|")
ABSTRACT_WORDS = (
    "the of and in to a is for with that on by this we are from as be an was were which these "
    "our at results study data model method analysis using based between effect effects show "
    "significant increase decrease higher lower associated approach findings proposed compared "
    "performance during after within across two three several new novel observed measured high "
    "low time rate level levels system systems function response group groups patients samples "
    "cells protein gene expression treatment clinical risk factors population sample survey "
    "participants experiment experiments simulation simulations network networks learning "
    "structure structures temperature pressure energy surface material materials process "
    "processes policy social economic regional national growth development environmental "
    "climate water soil species distribution field laboratory evidence suggests indicate "
    "provide provides demonstrate reveal revealed framework theory empirical quantitative "
    "qualitative review literature conclusion conclusions further future research "
    "potential important key role mechanism mechanisms underlying however moreover although"
).split()
LANGUAGES = [("en", 0.88), ("es", 0.02), ("pt", 0.02), ("fr", 0.015), ("de", 0.015),
             ("zh", 0.02), ("ja", 0.01), ("ru", 0.01), ("id", 0.01)]
OA_STATUSES = [("closed", 0.50), ("gold", 0.18), ("green", 0.12), ("bronze", 0.10),
               ("hybrid", 0.07), ("diamond", 0.03)]
TABLES = ("works", "authorships", "affiliations", "author_countries", "institutions")
