"""Subjects for export records: a crosswalk from Web of Science categories, Scopus ASJC codes and
PubMed MeSH headings to the OpenAlex domains and fields (and through them to the Nature Index
areas of :mod:`collabatlas.counting.subjects`).

OpenAlex gives each work a primary topic with its subfield, field and domain; the 26 fields (ids
11–36) are the two-digit ASJC subject areas, grouped into 4 domains (:mod:`.openalex_taxonomy`). Export
records carry other schemes, mapped here (the WoS tables are data, in :mod:`.wos_categories`):

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

from collabatlas.sources.openalex_taxonomy import DOMAINS, FIELDS
from collabatlas.sources.wos_categories import WOS_AREA_FIELDS, WOS_AREA_UNMAPPED, WOS_CATEGORY_FIELDS, WOS_UNMAPPED

#: how a work's subject was found (the works column ``subject_origin``), per record origin
HOW_BY_ORIGIN: dict[str, str] = {"openalex": "openalex", "wos": "wos-category", "scopus": "asjc", "pubmed": "mesh"}

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
