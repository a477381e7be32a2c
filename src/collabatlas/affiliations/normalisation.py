"""Normalisation of affiliation text and registry names for the matcher: the WoS / PubMed abbreviations
expanded, stop words, legal forms and plural ``s`` dropped, initials joined, and the escape markers of
exported text (``#N#``, ``#TAB#``) read as spaces. Used alike on address parts and registry names, so
that ``Chinese Acad Sci`` and ``Chinese Academy of Sciences`` give the same words."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# WoS / PubMed abbreviations → the word registry names use (after lower-casing and dropping dots)
ABBREVIATIONS = {
    "univ": "university", "uni": "university", "universidade": "university", "universidad": "university",
    "universite": "university", "universita": "university", "universitat": "university", "universiteit": "university",
    "universitas": "university", "inst": "institute", "institut": "institute", "instituto": "institute",
    "istituto": "institute", "acad": "academy", "sci": "science", "technol": "technology", "tech": "technology",
    "natl": "national", "nacl": "national", "nat": "national", "ctr": "center", "cent": "central", "centre": "center",
    "hosp": "hospital", "med": "medical", "coll": "college", "dept": "department", "lab": "laboratory",
    "labs": "laboratory", "res": "research", "engn": "engineering", "eng": "engineering", "engg": "engineering",
    "chem": "chemistry", "phys": "physics", "biol": "biology", "math": "mathematics", "comp": "computer",
    "comput": "computer", "informat": "informatics", "environm": "environmental", "agr": "agricultural",
    "hlth": "health", "publ": "public", "grad": "graduate", "sch": "school", "fac": "faculty", "div": "division",
    "minist": "ministry", "assoc": "association", "soc": "society", "fdn": "foundation", "fund": "foundation",
    "int": "international", "intl": "international", "amer": "american", "mem": "memorial", "gen": "general",
    "canc": "cancer", "childrens": "children", "clin": "clinical", "observ": "observatory", "astron": "astronomy",
    "astrophys": "astrophysics", "geol": "geology", "oceanog": "oceanography", "polytech": "polytechnic",
    "politecn": "polytechnic", "tecnol": "technology", "fed": "federal", "appl": "applied", "adv": "advanced",
    "elect": "electrical", "mech": "mechanical", "mat": "materials", "mol": "molecular", "pharm": "pharmacy",
    "pharmaceut": "pharmaceutical", "vet": "veterinary", "ecol": "ecology", "genet": "genetics",
    "microbiol": "microbiology", "neurosci": "neuroscience", "pediat": "pediatrics", "psychiat": "psychiatry",
    "surg": "surgery", "educ": "education", "econ": "economics", "syst": "systems", "nucl": "nuclear",
    "aerosp": "aerospace", "mar": "marine", "st": "saint", "ste": "sainte", "co": "company", "corp": "corporation",
    "mt": "mount", "ft": "fort", "calif": "california", "penn": "pennsylvania", "mass": "massachusetts",
    "illinois": "illinois", "wisconsin": "wisconsin", "michigan": "michigan", "coop": "cooperative",
    "sect": "section", "key": "key", "lab.": "laboratory", "ltd": "limited", "inc": "incorporated",
    "dev": "development", "mgmt": "management", "studies": "study", "stud": "study", "biomed": "biomedical",
    "biotechnol": "biotechnology", "energ": "energy", "nutr": "nutrition", "pathol": "pathology",
    "radiol": "radiology", "oncol": "oncology", "cardiol": "cardiology", "neurol": "neurology", "immunol": "immunology",
    "ind": "industrial", "indust": "industrial", "industr": "industrial", "biochem": "biochemistry",
    "aeronaut": "aeronautics", "agric": "agricultural", "geophys": "geophysics", "infect": "infectious",
    "dis": "disease", "elec": "electrical", "electr": "electrical", "commun": "communication",
    "telecommun": "telecommunication", "inf": "information", "inform": "information", "reg": "regional",
    "mus": "museum", "hist": "history", "ist": "institute", "osped": "hospital",
    "metrol": "metrology", "meteorol": "meteorology", "stat": "statistics", "opt": "optics",
    "photon": "photonics", "electron": "electronics", "mineral": "mineralogy", "petr": "petroleum",
    "forest": "forestry", "zool": "zoology", "bot": "botany", "physiol": "physiology", "pharmacol": "pharmacology",
    "psychol": "psychology", "sociol": "sociology", "philos": "philosophy", "lett": "letters", "ecole": "school",
    "escuela": "school", "scuola": "school", "hochsch": "hochschule", "tu": "technical university",
    "kk": "company", "gmbh": "company", "technological": "technology", "technologic": "technology",
    "polytechnical": "polytechnic", "tecnologico": "technology", "technologique": "technology",
    # more WoS / Inspec abbreviations
    "info": "information", "accel": "accelerator", "autom": "automation", "bus": "business",
    "biosci": "bioscience", "geosci": "geoscience", "astronaut": "astronautics", "mfg": "manufacturing",
    "rehabil": "rehabilitation", "dent": "dental", "prov": "provincial", "serv": "service", "cty": "county",
    "lib": "library", "mgt": "management", "natur": "natural", "sociedad": "society", "poly": "polytechnic",
    # organisation words of other languages, read as their English equivalent on both sides
    "technische": "technical", "tecnica": "technical", "technique": "technical", "centro": "center",
    "zentrum": "center", "nacional": "national", "nazionale": "national", "nationale": "national",
    "laboratoire": "laboratory", "laboratorio": "laboratory", "hopital": "hospital", "ospedale": "hospital",
    "facultad": "faculty", "faculte": "faculty", "dipartimento": "department", "departamento": "department",
    "departement": "department", "akademie": "academy", "academia": "academy", "academie": "academy",
}
# legal forms: a part made only of them ("Inc.", "Co., Ltd.") names no organisation
LEGAL_WORDS = frozenset({"company", "corporation", "limited", "incorporated", "ag", "sa", "srl", "spa", "bv", "nv",
                         "plc", "llc", "lp", "pty", "ab", "as", "oy", "kg"})
STOPWORDS = frozenset({"of", "the", "and", "for", "in", "at", "de", "la", "le", "les", "des", "du", "di", "del",
                       "della", "der", "fur", "und", "et", "y", "e", "do", "da", "dos", "das", "an", "a", "i"})
NAME_KIND_ORDER = {"ror_display": 0, "label": 1, "alias": 2}
_NON_WORD = re.compile(r"[^a-z0-9]+")
EXPORT_MARKERS = re.compile(r"#(?:N|R|TAB)#")  # escaped line breaks and tabs of exported text


@lru_cache(maxsize=262_144)  # parts repeat across addresses ("Dept Phys", "Peoples R China")
def normalise_name(text: str) -> str:
    """Folded, lower-cased, abbreviations expanded, stop words and plural ``s`` dropped, initials written
    apart joined ("M. D. Anderson" = "MD Anderson"), words in order."""
    folded = unicodedata.normalize("NFKD", EXPORT_MARKERS.sub(" ", text))
    folded = "".join(c for c in folded if not unicodedata.combining(c)).lower()
    folded = folded.replace("'", "").replace("’", "").replace("&", " and ")
    words: list[str] = []
    initials = False  # the last word is a run of single letters
    for word in _NON_WORD.split(folded):
        if not word or word in STOPWORDS or word.isdigit():
            continue
        if len(word) == 1 and word.isalpha():
            if initials:
                words[-1] += word
            else:
                words.append(word)
                initials = True
            continue
        initials = False
        word = ABBREVIATIONS.get(word, word)
        if len(word) > 4 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
            word = word[:-1]
        words.append(word)
    return " ".join(words)
