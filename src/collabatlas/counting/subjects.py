"""Nature Index subject areas, mapped from OpenAlex fields.

Nature Index files articles under Chemistry, Physical Sciences, Life Sciences, Earth & Environmental
Sciences and (from June 2023) Health Sciences, through the journal. collabatlas maps each work's
OpenAlex primary-topic *field* (the 26 ASJC-based fields) to one subject; fields of the social
sciences and humanities, which Nature Index does not cover, map to none. The mapping is the
project's choice and is documented in docs/methodology.md. Use it as ``--subject ni:<slug>``.
"""

from __future__ import annotations

from collabatlas.errors import UserError

#: slug → (title, OpenAlex field ids)
NI_SUBJECTS: dict[str, tuple[str, tuple[str, ...]]] = {
    "chemistry": ("Chemistry", ("15", "16")),  # Chemical Engineering, Chemistry
    "physical-sciences": ("Physical Sciences", ("17", "21", "22", "25", "26", "31")),
    # Computer Science, Energy, Engineering, Materials Science, Mathematics, Physics and Astronomy
    "earth-environmental": ("Earth & Environmental Sciences", ("19", "23")),
    # Earth and Planetary Sciences, Environmental Science
    "life-sciences": ("Life Sciences", ("11", "13", "24", "28", "30", "34")),
    # Agricultural and Biological Sciences; Biochemistry, Genetics and Molecular Biology; Immunology and
    # Microbiology; Neuroscience; Pharmacology, Toxicology and Pharmaceutics; Veterinary
    "health-sciences": ("Health Sciences", ("27", "29", "35", "36")),
    # Medicine, Nursing, Dentistry, Health Professions
}
PREFIX = "ni:"


class SubjectError(UserError):
    """An ``ni:`` subject that does not exist."""


def ni_field_ids(subject: str) -> tuple[str, ...] | None:
    """OpenAlex field ids of an ``ni:<slug>`` subject; ``None`` when ``subject`` is not an ``ni:`` name."""
    if not subject.lower().startswith(PREFIX):
        return None
    slug = subject[len(PREFIX):].strip().lower().replace(" ", "-").replace("&", "").replace("--", "-")
    if slug not in NI_SUBJECTS:
        raise SubjectError(f"subject {subject!r}: expected one of " + ", ".join(PREFIX + s for s in NI_SUBJECTS))
    return NI_SUBJECTS[slug][1]
