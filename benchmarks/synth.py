"""Seeded synthetic OpenAlex-shaped works, for benchmarks and property tests only.

One numpy-vectorised draw of the *structure* of N works (years, types, sources, topics, authors,
their institutions and countries) is rendered two ways:

* Writer A, :func:`iter_work_dicts` and :func:`write_jsonl_gz`: OpenAlex Work objects, with the
  bulk fields a snapshot record carries and the package does not read (abstract index,
  references, concepts, locations, ...), about 7 KB of compact JSON per work, as gzip JSON Lines.
* Writer B, :func:`write_store_parquet`: the package's normalised store tables (``works``,
  ``authorships``, ``affiliations``, ``author_countries``, ``institutions``) as zstd Parquet,
  chunk by chunk with bounded memory, for tens of millions of works without any JSON.

Both render the same draw, so for the same ``(n, seed, mega_share)`` they describe the same works.
Works are drawn in fixed blocks of :data:`BLOCK` works, each block from its own random stream
(``SeedSequence(seed, spawn_key=(1, block))``); work ``i`` is therefore the same whatever ``n``,
``start``, ``parts`` or ``chunk`` are, and a shorter run is a prefix of a longer one. The world the
works are drawn from (countries, 20,000 institutions, sources, topics) is drawn once per seed.

Calibration with the defaults (``python -m benchmarks.synth check`` prints it): authors per work
median 4, mean about 5.4 without the tail, plus a ``mega_share`` of works with 100-3000 authors
(bounded Pareto) who come in teams sharing an institution; about 27 % of works have authors in two
or more countries; JSON mean 6.9 KB per work, median 5.6 KB, of which the authorships take about
3.8 KB (see :data:`P_RICH_FIELD`), and about 1.0 KB per work once gzipped (level 1).

For speed, the JSON dicts share read-only sub-objects between works (an institution's dict, a
source's dict, the bulk pools): treat yielded dicts as read-only.

Command line::

    python -m benchmarks.synth jsonl OUT --works N --seed S [--parts K] [--mega-share F] [--profile P]
    python -m benchmarks.synth parquet OUT --works N --seed S [--chunk C] [--mega-share F] [--profile P]
    python -m benchmarks.synth check [--works N] [--seed S] [--mega-share F] [--profile P]

``--profile calibrated`` (:func:`calibrated_profile`) draws from the distributions measured on the
real samples by ``benchmarks.calibration`` (``benchmarks/calibration.json``); there the mega-author
tail is 500-3,000 authors and ``--mega-share`` defaults to 0.0003.
"""

from __future__ import annotations

import argparse
import functools
import os
import time
import zlib
from collections import deque
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass, fields
from pathlib import Path

import numpy as np
import orjson
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

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


def _cum(weights) -> np.ndarray:
    """Cumulative distribution of non-negative ``weights`` (ends exactly at 1)."""
    c = np.cumsum(np.asarray(weights, dtype=np.float64))
    return c / c[-1]


def _pick(rng: np.random.Generator, cum: np.ndarray, size: int) -> np.ndarray:
    """Draw ``size`` indices from the distribution whose cumulative is ``cum``."""
    return np.minimum(np.searchsorted(cum, rng.random(size), side="right"), len(cum) - 1)


def _offsets(counts: np.ndarray) -> np.ndarray:
    """``[0, cumsum(counts)]`` as int64: the CSR offsets of a ragged array."""
    out = np.zeros(len(counts) + 1, dtype=np.int64)
    np.cumsum(counts, out=out[1:])
    return out


def _duplicate_in_group(group: np.ndarray, value: np.ndarray, window: int) -> np.ndarray:
    """Rows whose ``value`` equals one of the ``window`` previous rows of the same ``group``."""
    dup = np.zeros(len(value), dtype=bool)
    for k in range(1, window + 1):
        dup[k:] |= (group[k:] == group[:-k]) & (value[k:] == value[:-k])
    return dup


def _core_name(i: int) -> str:
    """A unique pronounceable name for ``i`` < 32**3."""
    s = SYLLABLES
    return (s[i % 32] + s[(i // 32) % 32] + s[(i // 1024) % 32]).capitalize()


def _subfield_name(subfield_id: int) -> str:
    """Synthetic name of subfield ``subfield_id`` (field id * 100 + kind number)."""
    field = FIELDS[subfield_id // 100 - FIELDS[0][0]][1]
    return f"{field}: {SUBFIELD_KINDS[subfield_id % 100 - 1]}"


def _ror_id(value: int) -> str:
    """Short ROR id (``0`` + 6 Crockford base-32 digits + ISO 7064 mod 97-10 checksum)."""
    alphabet = "0123456789abcdefghjkmnpqrstvwxyz"
    digits = "".join(alphabet[(value >> (5 * k)) & 31] for k in range(5, -1, -1))
    return f"0{digits}{98 - (value * 100) % 97:02d}"


def _unique_numbers(rng: np.random.Generator, n: int, low: int, span: int) -> np.ndarray:
    """``n`` distinct integers in ``[low, low + span)`` in random order."""
    width = span // n
    return low + rng.permutation(n).astype(np.int64) * width + rng.integers(0, width, n)


# ---------------------------------------------------------------------------------------------
# Profiles: the distributions of the structure draw
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Profile:
    """The distributions the structure draw follows (hashable: tuples, not lists).

    ``Profile()`` is the original hand-set profile (the constants above; the figures of
    ``benchmarks.bench_spine`` were measured with it, and its draws are unchanged).
    :func:`calibrated_profile` fills the fields from ``benchmarks/calibration.json``, measured on the
    real samples by ``benchmarks.calibration``. A field left ``None`` keeps the original rule.
    """

    name: str = "default"
    year_weights: tuple[float, ...] | None = None
    """Relative number of works per year of :data:`YEARS`; None: growth by :data:`YEAR_GROWTH`."""
    author_body_pmf: tuple[float, ...] | None = None
    """P(n authors = 1, 2, ...); None: ``1 + lognormal`` capped at :data:`MAX_REGULAR_AUTHORS`."""
    author_tail_share: float = 0.0
    """Share of regular works drawn from a discrete Pareto tail above the body (calibrated only)."""
    author_tail_alpha: float = 1.0
    author_tail_max: int = MAX_REGULAR_AUTHORS
    mega_min: int = MEGA_MIN
    mega_max: int = MEGA_MAX
    mega_alpha: float = MEGA_ALPHA
    mega_share: float = 0.001
    """Default share of mega-author works (``mega_min``..``mega_max`` authors, bounded Pareto)."""
    p_work_without_affiliations: float = 0.0
    """Share of works none of whose authorships has an institution or a country (calibrated only)."""
    p_no_affiliation: float = P_NO_AFFILIATION
    p_country_only: float = P_COUNTRY_ONLY
    p_institutions_2: float = P_INSTITUTIONS_2
    p_institutions_3: float = P_INSTITUTIONS_3
    international_by_year: tuple[float, ...] | None = None
    """Target share of international works among works with a country, per year of :data:`YEARS`;
    None: every work is flagged with :data:`P_INTERNATIONAL`."""
    partners_pmf: tuple[float, ...] | None = None
    """P(an international work's flag names 1, 2, ... partner countries); None: 1/2/3 at .75/.17/.08."""
    p_foreign_slot: float = P_FOREIGN_SLOT
    country_weights: tuple[float, ...] | None = None
    """Relative output of each country of :data:`COUNTRIES`; None: Zipf with :data:`COUNTRY_ZIPF`."""
    institution_country_weights: tuple[float, ...] | None = None
    """Relative number of institutions per country of :data:`COUNTRIES`; None: as country output."""

    def country_cum(self) -> np.ndarray:
        if self.country_weights is None:
            return _cum(1.0 / np.arange(1, len(COUNTRIES) + 1) ** COUNTRY_ZIPF)
        return _cum(self.country_weights)

    def year_cum(self) -> np.ndarray:
        if self.year_weights is None:
            return _cum(YEAR_GROWTH ** (YEARS - YEARS[0]))
        return _cum(self.year_weights)

    def multi_country_chance(self) -> float:
        """Chance that a work with a country has two or more country-bearing authorship slots."""
        if self.author_body_pmf is None:
            return 1.0
        pmf = np.asarray(self.author_body_pmf) / sum(self.author_body_pmf)
        n = np.arange(1, len(pmf) + 1)
        p_inst = 1.0 - self.p_no_affiliation - self.p_country_only
        bears = (1.0 - self.p_no_affiliation) * (1.0 - P_NULL_COUNTRY_INSTITUTION)
        one = self.p_country_only + p_inst * (1.0 - self.p_institutions_2 - self.p_institutions_3)
        none = (1.0 - bears) ** n
        exactly_one = n * one * (1.0 - bears) ** (n - 1)
        body = 1.0 - (pmf * exactly_one).sum() / (pmf * (1.0 - none)).sum()
        return float((1.0 - self.author_tail_share) * body + self.author_tail_share)


DEFAULT_PROFILE = Profile()


def calibrated_profile(path: str | os.PathLike | None = None) -> Profile:
    """The profile measured on the real samples (``benchmarks/calibration.json`` by default)."""
    from benchmarks.calibration import CALIBRATION_FILE, load

    return _profile_from(orjson.dumps(load(Path(path) if path else CALIBRATION_FILE)))


@functools.lru_cache(maxsize=4)
def _profile_from(table_json: bytes) -> Profile:
    table = orjson.loads(table_json)
    fit = table["authors_per_work"]["fit"]
    inst, ctry, world = table["institutions"], table["countries_per_work"], table["world"]
    p_inst = inst["institutions_per_author_pmf"]
    works = world["country_works_latest_year"]
    floor = min(works.values())  # countries missing from the totals get the smallest output seen
    n_inst = world["institutions_per_country"]
    return Profile(
        name="calibrated",
        year_weights=tuple(float(world["works_by_year"].get(str(y), 0)) for y in YEARS.tolist()),
        author_body_pmf=tuple(fit["body_pmf"]),
        author_tail_share=fit["tail_share"],
        author_tail_alpha=fit["tail_alpha"],
        author_tail_max=fit["tail_max"],
        mega_min=500,
        mega_max=3000,
        mega_share=table["mega_author_share"]["default"],
        p_work_without_affiliations=ctry["share_no_country_openalex"],
        p_no_affiliation=inst["in_works_with_country"]["share_without_institution"]
        - inst["in_works_with_country"]["share_country_only"],
        p_country_only=inst["in_works_with_country"]["share_country_only"],
        p_institutions_2=p_inst[1],
        p_institutions_3=p_inst[2],
        international_by_year=tuple(ctry["international_by_year"][str(y)] for y in YEARS.tolist()),
        partners_pmf=tuple(ctry["partners_pmf"]),
        p_foreign_slot=P_FOREIGN_SLOT_CALIBRATED,
        country_weights=tuple(float(works.get(c, floor)) for c in COUNTRIES),
        institution_country_weights=tuple(float(max(n_inst.get(c, 0), 1)) for c in COUNTRIES),
    )


def _bounded_pareto(u: np.ndarray, low: float, high: float, alpha: float) -> np.ndarray:
    """Integers in ``[low, high]`` from uniforms ``u``, Pareto(``alpha``) between the bounds."""
    ratio = low / high
    return np.minimum((low / (1.0 - u * (1.0 - ratio**alpha)) ** (1.0 / alpha)).astype(np.int64), int(high))


# ---------------------------------------------------------------------------------------------
# The world, drawn once per seed
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class _World:
    """Countries, institutions, sources and topics that works are drawn from."""

    country_cum: np.ndarray
    inst_country: np.ndarray  # country the institution is sampled for (always set)
    inst_cc: np.ndarray  # recorded country_code index, -1 when missing
    inst_type: np.ndarray
    inst_num: np.ndarray
    inst_ror: list  # short ROR id or None
    inst_parent: np.ndarray  # -1 without parent
    inst_name: list
    inst_order: np.ndarray  # institutions sorted by sampling country
    inst_cum: np.ndarray  # cumulative popularity along inst_order
    country_lo: np.ndarray  # range of each country in inst_order
    country_hi: np.ndarray
    source_cum: np.ndarray
    source_num: np.ndarray
    source_name: list
    source_code: list
    source_prefix: np.ndarray
    topic_cum: np.ndarray
    topic_field: np.ndarray  # index into FIELDS
    topic_subfield: np.ndarray  # subfield id, e.g. 1703
    topic_num: np.ndarray
    topic_name: list

    def sample_institutions(self, country: np.ndarray, u: np.ndarray) -> np.ndarray:
        """Popularity-weighted institution of each ``country``, from uniforms ``u``."""
        lo, hi = self.country_lo[country], self.country_hi[country]
        cum = self.inst_cum
        base = np.where(lo > 0, cum[lo - 1], 0.0)
        k = np.searchsorted(cum, base + u * (cum[hi - 1] - base), side="right")
        return self.inst_order[np.clip(k, lo, hi - 1)]


@functools.lru_cache(maxsize=4)
def _world(seed: int, profile: Profile = DEFAULT_PROFILE) -> _World:
    """The world of ``seed`` (its own random stream, independent of the works drawn)."""
    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(0,)))
    n_c = len(COUNTRIES)
    country_cum = profile.country_cum()
    inst_cum = (country_cum if profile.institution_country_weights is None
                else _cum(profile.institution_country_weights))

    # Every country gets one institution, the rest follow country popularity (or the profile).
    inst_country = np.concatenate(
        [np.arange(n_c), _pick(rng, inst_cum, N_INSTITUTIONS - n_c)]
    )
    popularity = 1.0 / (rng.permutation(N_INSTITUTIONS) + 1.0) ** INSTITUTION_ZIPF
    inst_cc = np.where(rng.random(N_INSTITUTIONS) < P_NULL_COUNTRY_INSTITUTION, -1, inst_country)
    inst_cc[:n_c] = np.arange(n_c)
    inst_type = _pick(rng, _cum([p for _, p in INSTITUTION_TYPES]), N_INSTITUTIONS)
    inst_num = _unique_numbers(rng, N_INSTITUTIONS, 10_000_000, 4_000_000_000)
    ror_values = _unique_numbers(rng, N_INSTITUTIONS, 0, 32**6)
    has_ror = rng.random(N_INSTITUTIONS) >= P_NULL_ROR
    inst_order = np.argsort(inst_country, kind="stable")
    country_lo = np.searchsorted(inst_country[inst_order], np.arange(n_c), side="left")
    country_hi = np.searchsorted(inst_country[inst_order], np.arange(n_c), side="right")

    # A parent is a top-level institution of the same country (lineage = [self, parent]).
    is_child = (rng.random(N_INSTITUTIONS) < P_PARENT) & (inst_cc >= 0)
    lo, hi = country_lo[inst_country], country_hi[inst_country]
    cand = inst_order[lo + (rng.random(N_INSTITUTIONS) * (hi - lo)).astype(np.int64)]
    ok = is_child & (cand != np.arange(N_INSTITUTIONS)) & ~is_child[cand] & (inst_cc[cand] >= 0)
    inst_parent = np.where(ok, cand, -1)

    type_names = [t for t, _ in INSTITUTION_TYPES]
    inst_name = []
    for i, t in enumerate(inst_type.tolist()):
        patterns = INSTITUTION_NAME_PATTERNS[type_names[t]]
        inst_name.append(patterns[i % len(patterns)].format(_core_name(i)))

    source_cum = _cum(1.0 / (rng.permutation(N_SOURCES) + 1.0))
    source_name = [
        SOURCE_NAME_PATTERNS[i % len(SOURCE_NAME_PATTERNS)].format(_core_name(N_INSTITUTIONS + i))
        for i in range(N_SOURCES)
    ]
    source_code = [_core_name(N_INSTITUTIONS + i).lower()[:4] + str(i) for i in range(N_SOURCES)]

    n_sub = len(SUBFIELD_KINDS)
    n_topics = len(FIELDS) * n_sub * TOPICS_PER_SUBFIELD
    per_field = n_sub * TOPICS_PER_SUBFIELD
    topic_field = np.repeat(np.arange(len(FIELDS)), per_field)
    topic_sub = (np.arange(n_topics) // TOPICS_PER_SUBFIELD) % n_sub
    field_ids = np.array([f[0] for f in FIELDS])
    field_w = np.array([f[3] for f in FIELDS])
    appeal = rng.gamma(1.0, 1.0, n_topics)  # topics of a field share its weight unevenly
    topic_w = field_w[topic_field] * appeal / np.bincount(topic_field, weights=appeal)[topic_field]
    topic_name = [
        f"{TITLE_ADJECTIVES[i % len(TITLE_ADJECTIVES)].capitalize()} "
        f"{TITLE_NOUNS[(i // 7) % len(TITLE_NOUNS)]} in {FIELDS[f][1]}"
        for i, f in enumerate(topic_field.tolist())
    ]
    return _World(
        country_cum=country_cum,
        inst_country=inst_country,
        inst_cc=inst_cc,
        inst_type=inst_type,
        inst_num=inst_num,
        inst_ror=[_ror_id(v) if h else None for v, h in zip(ror_values.tolist(), has_ror.tolist())],
        inst_parent=inst_parent,
        inst_name=inst_name,
        inst_order=inst_order,
        inst_cum=np.cumsum(popularity[inst_order]),
        country_lo=country_lo,
        country_hi=country_hi,
        source_cum=source_cum,
        source_num=_unique_numbers(rng, N_SOURCES, 100_000_000, 4_000_000_000),
        source_name=source_name,
        source_code=source_code,
        source_prefix=rng.integers(1000, 10000, N_SOURCES),
        topic_cum=_cum(topic_w),
        topic_field=topic_field,
        topic_subfield=field_ids[topic_field] * 100 + topic_sub + 1,
        topic_num=10_000 + np.arange(n_topics),
        topic_name=topic_name,
    )


# ---------------------------------------------------------------------------------------------
# The structure draw
# ---------------------------------------------------------------------------------------------
@dataclass
class _Draw:
    """Structure of a contiguous range of works, as flat arrays with CSR offsets.

    Work-level arrays have one row per work; ``author_off`` maps works to rows of the author
    arrays, whose ``inst_off`` and ``ctry_off`` map authors to rows of ``aff_inst`` (distinct
    institutions, in order) and ``ctry`` (distinct countries of the authorship, in order).
    ``bulk`` holds work-level draws used only by the JSON rendering.
    """

    num: np.ndarray  # global work index
    year: np.ndarray
    pub_day: np.ndarray  # days since 1970-01-01
    wtype: np.ndarray
    source: np.ndarray
    doi_num: np.ndarray  # -1 without DOI
    title: np.ndarray  # (n, 4) indices into the title pools
    topic: np.ndarray
    updated_us: np.ndarray  # microseconds since 1970-01-01
    author_off: np.ndarray
    author: np.ndarray  # author pool index (names, ORCID)
    author_null: np.ndarray  # author.id is null
    inst_off: np.ndarray
    ctry_off: np.ndarray
    aff_inst: np.ndarray
    ctry: np.ndarray
    bulk: dict | None

    def __len__(self) -> int:
        return len(self.num)

    def slice(self, lo: int, hi: int) -> _Draw:
        """Works ``lo:hi`` (positions within this draw)."""
        a_lo, a_hi = self.author_off[lo], self.author_off[hi]
        i_lo, i_hi = self.inst_off[a_lo], self.inst_off[a_hi]
        c_lo, c_hi = self.ctry_off[a_lo], self.ctry_off[a_hi]
        return _Draw(
            num=self.num[lo:hi],
            year=self.year[lo:hi],
            pub_day=self.pub_day[lo:hi],
            wtype=self.wtype[lo:hi],
            source=self.source[lo:hi],
            doi_num=self.doi_num[lo:hi],
            title=self.title[lo:hi],
            topic=self.topic[lo:hi],
            updated_us=self.updated_us[lo:hi],
            author_off=self.author_off[lo : hi + 1] - a_lo,
            author=self.author[a_lo:a_hi],
            author_null=self.author_null[a_lo:a_hi],
            inst_off=self.inst_off[a_lo : a_hi + 1] - i_lo,
            ctry_off=self.ctry_off[a_lo : a_hi + 1] - c_lo,
            aff_inst=self.aff_inst[i_lo:i_hi],
            ctry=self.ctry[c_lo:c_hi],
            bulk=None if self.bulk is None else {k: v[lo:hi] for k, v in self.bulk.items()},
        )

    @staticmethod
    def concat(parts: list[_Draw]) -> _Draw:
        if len(parts) == 1:
            return parts[0]
        merged = {}
        for f in fields(_Draw):
            values = [getattr(p, f.name) for p in parts]
            if f.name == "bulk":
                merged["bulk"] = (
                    None if values[0] is None
                    else {k: np.concatenate([v[k] for v in values]) for k in values[0]}
                )
            elif f.name.endswith("_off"):
                shift = np.cumsum([0] + [v[-1] for v in values[:-1]])
                merged[f.name] = np.concatenate(
                    [values[0][:1]] + [v[1:] + s for v, s in zip(values, shift)]
                )
            else:
                merged[f.name] = np.concatenate(values)
        return _Draw(**merged)

    # Row maps derived from the offsets ------------------------------------------------------
    def work_of_author(self) -> np.ndarray:
        return np.repeat(np.arange(len(self)), np.diff(self.author_off))

    def position(self) -> np.ndarray:
        """1-based ordinal of each authorship within its work."""
        w = self.work_of_author()
        return np.arange(len(self.author)) - self.author_off[w] + 1

    def author_of(self, off: np.ndarray) -> np.ndarray:
        return np.repeat(np.arange(len(self.author)), np.diff(off))


_NONE, _COUNTRY_ONLY, _INSTITUTIONS = 0, 1, 2


def _draw_block(seed: int, block: int, mega_share: float, bulk: bool,
                profile: Profile = DEFAULT_PROFILE) -> _Draw:
    """The structure of works ``block*BLOCK .. (block+1)*BLOCK - 1``."""
    w = _world(seed, profile)
    pr = profile
    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(1, block)))
    nb = BLOCK
    n_c = len(COUNTRIES)

    # Works ------------------------------------------------------------------------------
    year = YEARS[_pick(rng, pr.year_cum(), nb)]
    jan1 = (year - 1970).astype("datetime64[Y]").astype("datetime64[D]").astype(np.int64)
    year_len = (year - 1969).astype("datetime64[Y]").astype("datetime64[D]").astype(np.int64) - jan1
    pub_day = jan1 + (rng.random(nb) * year_len).astype(np.int64)
    wtype = _pick(rng, _cum([p for _, p in WORK_TYPES]), nb)
    source = _pick(rng, w.source_cum, nb)
    doi_num = np.where(rng.random(nb) < P_DOI, rng.integers(1, 10**6, nb), -1)
    pools = (TITLE_LEADS, TITLE_ADJECTIVES, TITLE_NOUNS, TITLE_CONTEXTS)
    title = np.stack([rng.integers(0, len(p), nb) for p in pools], axis=1)
    topic = _pick(rng, w.topic_cum, nb)
    updated_us = UPDATED_FROM.astype(np.int64) + rng.integers(0, 365 * 86_400 * 10**6, nb)

    if pr.author_body_pmf is None:
        regular = 1 + np.minimum(rng.lognormal(AUTHORS_MU, AUTHORS_SIGMA, nb),
                                 MAX_REGULAR_AUTHORS - 1).astype(np.int64)
    else:
        body = 1 + _pick(rng, _cum(pr.author_body_pmf), nb)
        low = len(pr.author_body_pmf) + 1
        tail = _bounded_pareto(rng.random(nb), low, pr.author_tail_max, pr.author_tail_alpha)
        regular = np.where(rng.random(nb) < pr.author_tail_share, tail, body)
    mega_n = _bounded_pareto(rng.random(nb), pr.mega_min, pr.mega_max, pr.mega_alpha)
    is_mega = rng.random(nb) < mega_share
    n_auth = np.where(is_mega, mega_n, regular)

    home = _pick(rng, w.country_cum, nb)
    if pr.international_by_year is None:
        p_intl = P_INTERNATIONAL
    else:  # flag often enough that the share among works with a country meets the target
        target = np.asarray(pr.international_by_year)[year - YEARS[0]]
        p_intl = np.minimum(target / pr.multi_country_chance(), 1.0)
    intl = is_mega | (rng.random(nb) < p_intl)
    max_partners = 3 if pr.partners_pmf is None else len(pr.partners_pmf)
    partners = _pick(rng, w.country_cum, max_partners * nb).reshape(nb, max_partners)
    partners = np.where(partners == home[:, None], (home[:, None] + 1) % n_c, partners)
    if pr.partners_pmf is None:
        r = rng.random(nb)
        n_partners = 1 + (r < 0.25) + (r < 0.08)
    else:
        n_partners = 1 + _pick(rng, _cum(pr.partners_pmf), nb)

    # Authorships ------------------------------------------------------------------------
    na = int(n_auth.sum())
    author_off = _offsets(n_auth)
    w_of_a = np.repeat(np.arange(nb), n_auth)
    author = (AUTHOR_POOL * rng.random(na) ** 1.5).astype(np.int64)
    author_null = rng.random(na) < P_NULL_AUTHOR_ID
    r = rng.random(na)
    kind = np.where(r < pr.p_no_affiliation, _NONE,
                    np.where(r < pr.p_no_affiliation + pr.p_country_only, _COUNTRY_ONLY, _INSTITUTIONS))
    if pr.p_work_without_affiliations > 0:  # works whose record has no affiliation at all
        bare = (rng.random(nb) < pr.p_work_without_affiliations) & ~is_mega
        kind = np.where(bare[w_of_a], _NONE, kind)
    r = rng.random(na)
    n_inst = 1 + (r < pr.p_institutions_2 + pr.p_institutions_3) + (r < pr.p_institutions_3)
    n_slots = np.where(kind == _INSTITUTIONS, n_inst, 1)

    # Affiliation slots: one per drawn institution, or one for a country-only / bare author.
    ns = int(n_slots.sum())
    a_of_s = np.repeat(np.arange(na), n_slots)
    w_of_s = w_of_a[a_of_s]
    slot_off_w = _offsets(np.bincount(w_of_s, minlength=nb))
    rank = np.arange(ns) - slot_off_w[w_of_s]
    slots_w = np.diff(slot_off_w)
    forced = 1 + (rng.random(nb) * np.maximum(slots_w - 1, 1)).astype(np.int64)
    p_foreign = np.where(is_mega, P_FOREIGN_SLOT_MEGA, pr.p_foreign_slot)[w_of_s]
    foreign = intl[w_of_s] & (rank > 0) & ((rank == forced[w_of_s]) | (rng.random(ns) < p_foreign))
    partner = partners[w_of_s, (rng.random(ns) * n_partners[w_of_s]).astype(np.int64)]
    anywhere = _pick(rng, w.country_cum, ns)
    country_s = np.where(foreign, np.where(is_mega[w_of_s], anywhere, partner), home[w_of_s])
    kind_s = kind[a_of_s]
    inst_s = w.sample_institutions(country_s, rng.random(ns))
    slot0 = slot_off_w[w_of_s]
    first_of_author = np.r_[True, a_of_s[1:] != a_of_s[:-1]]
    same_lab = (first_of_author & ~foreign & (kind_s[slot0] == _INSTITUTIONS)
                & (rng.random(ns) < P_SAME_LAB))
    team_lead = slot0 + rank // MEGA_TEAM_SIZE * MEGA_TEAM_SIZE
    inst_s = np.where(is_mega[w_of_s], inst_s[team_lead], np.where(same_lab, inst_s[slot0], inst_s))

    is_inst = kind_s == _INSTITUTIONS
    keep = is_inst & ~_duplicate_in_group(a_of_s, inst_s, 2)
    aff_inst = inst_s[keep]
    inst_off = _offsets(np.bincount(a_of_s[keep], minlength=na))

    cand_cc = np.where(is_inst, w.inst_cc[inst_s], country_s)
    cand = (keep | (kind_s == _COUNTRY_ONLY)) & (cand_cc >= 0)
    a_of_c, cc = a_of_s[cand], cand_cc[cand]
    distinct = ~_duplicate_in_group(a_of_c, cc, 2)
    ctry_off = _offsets(np.bincount(a_of_c[distinct], minlength=na))

    return _Draw(
        num=block * BLOCK + np.arange(nb, dtype=np.int64),
        year=year,
        pub_day=pub_day,
        wtype=wtype,
        source=source,
        doi_num=doi_num,
        title=title,
        topic=topic,
        updated_us=updated_us,
        author_off=author_off,
        author=author,
        author_null=author_null,
        inst_off=inst_off,
        ctry_off=ctry_off,
        aff_inst=aff_inst,
        ctry=cc[distinct],
        bulk=_draw_bulk(seed, block) if bulk else None,
    )


def _draw(seed: int, mega_share: float, lo: int, hi: int, bulk: bool,
          profile: Profile = DEFAULT_PROFILE) -> _Draw:
    """The structure of works ``lo .. hi-1`` (global indices)."""
    parts = []
    for b in range(lo // BLOCK, (hi - 1) // BLOCK + 1):
        d = _draw_block(seed, b, mega_share, bulk, profile)
        parts.append(d.slice(max(lo - b * BLOCK, 0), min(hi - b * BLOCK, BLOCK)))
    return _Draw.concat(parts)


def _block_ranges(lo: int, hi: int, step: int) -> Iterator[tuple[int, int]]:
    """Split ``[lo, hi)`` at multiples of ``step``."""
    while lo < hi:
        nxt = min((lo // step + 1) * step, hi)
        yield lo, nxt
        lo = nxt


# ---------------------------------------------------------------------------------------------
# Writer A: OpenAlex Work JSON
# ---------------------------------------------------------------------------------------------
N_ABSTRACTS = 512
N_WORK_URLS = 1 << 17
MAX_REFERENCES = 400
POOL_SIZE = 1000
RICH_FIELDS = ("abstract", "references", "related", "topics", "keywords", "concepts", "mesh",
               "locations")
P_RICH_FIELD = 0.05
"""Chance that a work carries each bulk field in full (abstract of ~150 words, ~30 references,
10 related works, 3 topics, 1-5 keywords, ~8 concepts, MeSH terms for life and health sciences,
2-3 locations); otherwise the field is lean (null, empty, or only the primary topic/location), as
in many snapshot records. The authorships alone take about 3.8 KB per work, the lean rest about
2.7 KB; each 0.01 here adds about 60 bytes (0.05: mean 6.9 KB, median 5.6 KB)."""


def _draw_bulk(seed: int, block: int) -> dict[str, np.ndarray]:
    """Work-level draws of the fields the package does not read (own random stream)."""
    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(2, block)))
    nb = BLOCK
    return {
        "rich": rng.random((nb, len(RICH_FIELDS))) < P_RICH_FIELD,
        "abstract": rng.integers(0, N_ABSTRACTS, nb),
        "n_refs": np.minimum(rng.lognormal(3.0, 0.9, nb), MAX_REFERENCES).astype(np.int64),
        "ref_off": rng.integers(0, N_WORK_URLS - MAX_REFERENCES, nb),
        "rel_off": rng.integers(0, N_WORK_URLS - 10, nb),
        "topic_shift": rng.integers(1, len(SUBFIELD_KINDS) * TOPICS_PER_SUBFIELD, (nb, 2)),
        "scores": np.round(rng.uniform(0.5, 1.0, (nb, 3)), 4),
        "n_keywords": rng.integers(1, 6, nb),
        "n_concepts": rng.integers(5, 12, nb),
        "n_mesh": rng.integers(1, 10, nb),
        "n_locations": rng.integers(2, 4, nb),
        "pool_off": rng.integers(0, POOL_SIZE, (nb, 4)),
        "oa": _pick(rng, _cum([p for _, p in OA_STATUSES]), nb),
        "language": _pick(rng, _cum([p for _, p in LANGUAGES]), nb),
        "cited": np.minimum(rng.lognormal(1.5, 1.5, nb), 50_000).astype(np.int64),
        "created_lag": rng.integers(0, 400, nb),
        "biblio": np.stack(
            [rng.integers(1, 80, nb), rng.integers(1, 13, nb), rng.integers(1, 2000, nb),
             rng.integers(1, 30, nb)], axis=1),
        "mag": rng.integers(1_000_000_000, 3_300_000_000, nb),
    }


@dataclass(frozen=True)
class _JsonPools:
    """Precomputed JSON objects and strings, shared read-only between rendered works."""

    inst_obj: list
    inst_affiliation: list  # {"raw_affiliation_string", "institution_ids"} per institution
    inst_raw: list
    source_obj: list
    topic_head: list  # (id, display_name) per topic
    topic_tail: list  # (subfield, field, domain) dicts per topic
    abstracts: list
    work_urls: list
    keywords: list
    concepts: list
    mesh: list
    repositories: list


@functools.lru_cache(maxsize=4)
def _json_pools(seed: int, profile: Profile = DEFAULT_PROFILE) -> _JsonPools:
    """The JSON objects of the world of ``seed`` and the pools of bulk fields."""
    w = _world(seed, profile)
    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(3,)))
    type_names = [t for t, _ in INSTITUTION_TYPES]
    inst_url = [f"{OPENALEX}I{n}" for n in w.inst_num.tolist()]
    inst_obj, inst_aff, inst_raw = [], [], []
    for i in range(N_INSTITUTIONS):
        cc = int(w.inst_cc[i])
        parent = int(w.inst_parent[i])
        ror = w.inst_ror[i]
        inst_obj.append({
            "id": inst_url[i],
            "display_name": w.inst_name[i],
            "ror": None if ror is None else f"https://ror.org/{ror}",
            "country_code": COUNTRIES[cc] if cc >= 0 else None,
            "type": type_names[w.inst_type[i]],
            "lineage": [inst_url[i]] + ([inst_url[parent]] if parent >= 0 else []),
        })
        raw = f"{w.inst_name[i]}, {COUNTRIES[w.inst_country[i]]}"
        inst_raw.append(raw)
        inst_aff.append({"raw_affiliation_string": raw, "institution_ids": [inst_url[i]]})

    source_obj = []
    for i in range(N_SOURCES):
        issn = f"{1000 + i:04d}-{int(w.source_num[i]) % 10000:04d}"
        source_obj.append({
            "id": f"{OPENALEX}S{w.source_num[i]}",
            "display_name": w.source_name[i],
            "issn_l": issn,
            "issn": [issn],
            "type": "journal",
        })

    domain_obj = {d: {"id": f"{OPENALEX}domains/{d}", "display_name": name}
                  for d, name in DOMAINS.items()}
    field_obj = [{"id": f"{OPENALEX}fields/{f[0]}", "display_name": f[1]} for f in FIELDS]
    subfield_obj = {}
    topic_head, topic_tail = [], []
    for t in range(len(w.topic_num)):
        f = int(w.topic_field[t])
        sid = int(w.topic_subfield[t])
        if sid not in subfield_obj:
            subfield_obj[sid] = {"id": f"{OPENALEX}subfields/{sid}", "display_name": _subfield_name(sid)}
        topic_head.append((f"{OPENALEX}T{w.topic_num[t]}", w.topic_name[t]))
        topic_tail.append((subfield_obj[sid], field_obj[f], domain_obj[FIELDS[f][2]]))

    abstracts = []
    for _ in range(N_ABSTRACTS):
        words = rng.choice(len(ABSTRACT_WORDS), int(rng.integers(80, 220)))
        index: dict[str, list[int]] = {}
        for pos, k in enumerate(words.tolist()):
            index.setdefault(ABSTRACT_WORDS[k], []).append(pos)
        abstracts.append(index)

    vocab = TITLE_ADJECTIVES + TITLE_NOUNS
    keywords = [{"id": f"{OPENALEX}keywords/{vocab[i % len(vocab)]}-{vocab[(i * 7) % len(vocab)]}",
                 "display_name": f"{vocab[i % len(vocab)]} {vocab[(i * 7) % len(vocab)]}".capitalize(),
                 "score": round(0.3 + 0.7 * ((i * 37) % 100) / 100, 4)} for i in range(POOL_SIZE + 5)]
    concepts = [{"id": f"{OPENALEX}C{41008148 + 7919 * i}",
                 "wikidata": f"https://www.wikidata.org/wiki/Q{21198 + 131 * i}",
                 "display_name": f"{vocab[i % len(vocab)]} {vocab[(i * 3) % len(vocab)]}".capitalize(),
                 "level": i % 4,
                 "score": round(0.2 + 0.8 * ((i * 53) % 100) / 100, 7)} for i in range(POOL_SIZE + 11)]
    mesh = [{"descriptor_ui": f"D{(i * 7919) % 1000000:06d}",
             "descriptor_name": vocab[i % len(vocab)].capitalize(),
             "qualifier_ui": "", "qualifier_name": None,
             "is_major_topic": i % 3 == 0} for i in range(POOL_SIZE + 9)]
    repositories = [{"is_oa": True,
                     "landing_page_url": f"https://repository{i}.example.org/handle/{10000 + i}",
                     "pdf_url": None,
                     "source": {"id": f"{OPENALEX}S{4306400000 + i}",
                                "display_name": f"{_core_name(2000 + i)} Repository",
                                "type": "repository"},
                     "license": "cc-by", "license_id": "https://openalex.org/licenses/cc-by",
                     "version": "submittedVersion", "is_accepted": False, "is_published": False}
                    for i in range(POOL_SIZE + 2)]
    work_urls = [f"{OPENALEX}W{n}"
                 for n in rng.integers(1_000_000_000, 4_400_000_000, N_WORK_URLS).tolist()]
    return _JsonPools(inst_obj, inst_aff, inst_raw, source_obj, topic_head, topic_tail, abstracts,
                      work_urls, keywords, concepts, mesh, repositories)


def _iso_dates(days: np.ndarray) -> list[str]:
    return np.datetime_as_string(days.astype("datetime64[D]")).tolist()


def _iso_timestamps(us: np.ndarray) -> list[str]:
    return np.datetime_as_string(us.astype("datetime64[us]"), unit="us").tolist()


def _render(d: _Draw, seed: int, profile: Profile = DEFAULT_PROFILE) -> Iterator[dict]:
    """OpenAlex Work dicts for the works of ``d`` (which must carry bulk draws)."""
    w, p, b = _world(seed, profile), _json_pools(seed, profile), d.bulk
    n = len(d)
    n_first, n_last = len(FIRST_NAMES), len(LAST_NAMES)
    work_types = [t for t, _ in WORK_TYPES]
    oa_statuses = [s for s, _ in OA_STATUSES]
    languages = [code for code, _ in LANGUAGES]
    health_or_life = {1, 4}
    inst_obj, inst_raw, inst_affiliation = p.inst_obj, p.inst_raw, p.inst_affiliation

    # Work-level distinct counts, vectorised.
    w_of_a = d.work_of_author()
    n_c = len(COUNTRIES)
    key = np.unique(w_of_a[d.author_of(d.ctry_off)] * n_c + d.ctry)
    n_countries_w = np.bincount(key // n_c, minlength=n).tolist()
    key = np.unique(w_of_a[d.author_of(d.inst_off)] * N_INSTITUTIONS + d.aff_inst)
    n_insts_w = np.bincount(key // N_INSTITUTIONS, minlength=n).tolist()

    num = (W_BASE + d.num).tolist()
    years = d.year.tolist()
    pub_dates = _iso_dates(d.pub_day)
    last_day = np.datetime64("2023-12-31").astype(np.int64)
    created = _iso_dates(np.minimum(d.pub_day + b["created_lag"], last_day))
    updated = _iso_timestamps(d.updated_us)
    title = d.title.tolist()
    topic = d.topic.tolist()
    topic_field = w.topic_field[d.topic]
    per_field = len(SUBFIELD_KINDS) * TOPICS_PER_SUBFIELD
    field_start = (topic_field * per_field)[:, None]  # two more topics of the same field
    alt_topics = (field_start + (d.topic[:, None] - field_start + b["topic_shift"]) % per_field).tolist()
    domain_of_topic = [FIELDS[f][2] for f in topic_field.tolist()]
    doi_num = d.doi_num.tolist()
    wtype = d.wtype.tolist()
    source = d.source.tolist()
    prefix = w.source_prefix.tolist()
    author_off = d.author_off.tolist()
    author = d.author.tolist()
    author_null = d.author_null.tolist()
    inst_off = d.inst_off.tolist()
    ctry_off = d.ctry_off.tolist()
    aff_inst = d.aff_inst.tolist()
    ctry = [COUNTRIES[c] for c in d.ctry.tolist()]
    bl = {k: v.tolist() for k, v in b.items()}

    for i in range(n):
        work_url = f"{OPENALEX}W{num[i]}"
        year = years[i]
        src = source[i]
        doi = None
        if doi_num[i] >= 0:
            doi = f"https://doi.org/10.{prefix[src]}/{w.source_code[src]}.{year}.{doi_num[i]}"
        t = title[i]
        title_str = (f"{TITLE_LEADS[t[0]]} {TITLE_ADJECTIVES[t[1]]} {TITLE_NOUNS[t[2]]} "
                     f"in {TITLE_CONTEXTS[t[3]]}")

        authorships = []
        a_lo, a_hi = author_off[i], author_off[i + 1]
        for a in range(a_lo, a_hi):
            k = author[a]
            first, last = FIRST_NAMES[k % n_first], LAST_NAMES[(k // n_first) % n_last]
            insts = aff_inst[inst_off[a]:inst_off[a + 1]]
            countries = ctry[ctry_off[a]:ctry_off[a + 1]]
            if insts:
                raw = [inst_raw[j] for j in insts]
                affiliations = [inst_affiliation[j] for j in insts]
            elif countries:
                raw = [f"Independent researcher, {countries[0]}"]
                affiliations = [{"raw_affiliation_string": raw[0], "institution_ids": []}]
            else:
                raw, affiliations = [], []
            orcid = None
            if k % 5 < 2:
                orcid = f"https://orcid.org/0000-000{1 + k % 3}-{k % 10000:04d}-{k // 10000 % 10000:04d}"
            authorships.append({
                "author_position": "first" if a == a_lo else ("last" if a == a_hi - 1 else "middle"),
                "author": {
                    "id": None if author_null[a] else f"https://openalex.org/A{A_BASE + k}",
                    "display_name": f"{first} {last}",
                    "orcid": orcid,
                },
                "institutions": [inst_obj[j] for j in insts],
                "countries": countries,
                "is_corresponding": a == a_lo,
                "raw_author_name": f"{first[0]}. {last}",
                "raw_affiliation_strings": raw,
                "affiliations": affiliations,
            })

        abstract, refs, related, all_topics, keywords, concepts, mesh, more_locations = bl["rich"][i]
        topics = []
        topic_ids = [topic[i]] + alt_topics[i] if all_topics else [topic[i]]
        for t_idx, score in zip(topic_ids, bl["scores"][i]):
            tid, tname = p.topic_head[t_idx]
            sub, fld, dom = p.topic_tail[t_idx]
            topics.append({"id": tid, "display_name": tname, "score": score,
                           "subfield": sub, "field": fld, "domain": dom})
        oa = oa_statuses[bl["oa"][i]]
        is_oa = oa != "closed"
        primary_location = {
            "is_oa": is_oa,
            "landing_page_url": doi,
            "pdf_url": None,
            "source": p.source_obj[src],
            "license": "cc-by" if oa in ("gold", "diamond", "hybrid") else None,
            "version": "publishedVersion",
            "is_accepted": True,
            "is_published": True,
        }
        pool = bl["pool_off"][i]
        locations = [primary_location]
        if more_locations:
            locations += p.repositories[pool[3]:pool[3] + bl["n_locations"][i] - 1]
        cited = bl["cited"][i]
        count_years = list(range(2023, max(year, 2012) - 1, -1))
        per_year, extra = divmod(cited, len(count_years))
        vol, issue, first_page, n_pages = bl["biblio"][i]
        ref_off, rel_off = bl["ref_off"][i], bl["rel_off"][i]
        mesh = mesh and domain_of_topic[i] in health_or_life
        yield {
            "id": work_url,
            "doi": doi,
            "title": title_str,
            "display_name": title_str,
            "publication_year": year,
            "publication_date": pub_dates[i],
            "ids": {"openalex": work_url, "doi": doi, "mag": str(bl["mag"][i])},
            "language": languages[bl["language"][i]],
            "primary_location": primary_location,
            "type": work_types[wtype[i]],
            "open_access": {"is_oa": is_oa, "oa_status": oa, "oa_url": doi if is_oa else None,
                            "any_repository_has_fulltext": len(locations) > 1},
            "authorships": authorships,
            "countries_distinct_count": n_countries_w[i],
            "institutions_distinct_count": n_insts_w[i],
            "biblio": {"volume": str(vol), "issue": str(issue), "first_page": str(first_page),
                       "last_page": str(first_page + n_pages)},
            "primary_topic": topics[0],
            "topics": topics,
            "keywords": p.keywords[pool[0]:pool[0] + bl["n_keywords"][i]] if keywords else [],
            "concepts": p.concepts[pool[1]:pool[1] + bl["n_concepts"][i]] if concepts else [],
            "mesh": p.mesh[pool[2]:pool[2] + bl["n_mesh"][i]] if mesh else [],
            "locations": locations,
            "best_oa_location": primary_location if is_oa else None,
            "referenced_works": p.work_urls[ref_off:ref_off + bl["n_refs"][i]] if refs else [],
            "related_works": p.work_urls[rel_off:rel_off + 10] if related else [],
            "abstract_inverted_index": p.abstracts[bl["abstract"][i]] if abstract else None,
            "cited_by_count": cited,
            "counts_by_year": [{"year": y, "cited_by_count": per_year + (j < extra)}
                               for j, y in enumerate(count_years) if per_year + (j < extra)],
            "updated_date": updated[i],
            "created_date": created[i],
        }


def iter_work_dicts(n: int, seed: int, mega_share: float | None = None, start: int = 0,
                    profile: Profile | None = None) -> Iterator[dict]:
    """Yield works ``start .. start+n-1`` of the synthetic world ``seed`` as OpenAlex Work dicts.

    ``profile`` defaults to :data:`DEFAULT_PROFILE`, ``mega_share`` to the profile's. Sub-objects
    are shared between works (see the module docstring): treat them as read-only.
    """
    profile = profile or DEFAULT_PROFILE
    mega = profile.mega_share if mega_share is None else mega_share
    for lo, hi in _block_ranges(start, start + n, BLOCK):
        yield from _render(_draw(seed, mega, lo, hi, bulk=True, profile=profile), seed, profile)


def _write_jsonl_part(path: Path, lo: int, hi: int, seed: int, mega_share: float | None,
                      compresslevel: int, profile: Profile | None = None) -> int:
    """Write works ``lo .. hi-1`` as gzip JSON Lines to ``path``; return uncompressed bytes.

    This thread renders, a second one compresses (zlib releases the GIL) and writes; batches go
    through one deflate stream in order, so the bytes do not depend on the timing.
    """
    gz = zlib.compressobj(compresslevel, zlib.DEFLATED, 31)  # gzip wrapper, mtime 0, no name
    total = 0
    with open(path, "wb") as f, ThreadPoolExecutor(1) as compressor:
        pending: deque = deque()

        def submit(lines: list[bytes]) -> None:
            nonlocal total
            text = b"".join(lines)
            total += len(text)
            pending.append(compressor.submit(lambda: f.write(gz.compress(text))))
            if len(pending) > 2:
                pending.popleft().result()

        lines: list[bytes] = []
        for work in iter_work_dicts(hi - lo, seed, mega_share, start=lo, profile=profile):
            lines.append(orjson.dumps(work, option=orjson.OPT_APPEND_NEWLINE))
            if len(lines) == 2048:
                submit(lines)
                lines = []
        submit(lines)
        for done in pending:
            done.result()
        f.write(gz.flush())
    return total


def write_jsonl_gz(path_or_dir: str | os.PathLike, n: int, seed: int, parts: int = 1,
                   mega_share: float | None = None, compresslevel: int = 1,
                   workers: int | None = None, profile: Profile | None = None) -> tuple[list[Path], int]:
    """Write ``n`` works as gzip JSON Lines, one work per line; same arguments, same bytes.

    A path ending in ``.gz`` is written as one file (``parts`` must be 1); any other path is a
    directory that receives ``part_000.gz`` .. (existing ``part_*.gz`` there are removed first),
    part ``k`` holding works ``k*n//parts .. (k+1)*n//parts - 1``. Parts are written by up to
    ``workers`` processes (default: one per CPU), so use ``parts >= workers`` for speed. Returns
    the files and the total uncompressed bytes.
    """
    target = Path(path_or_dir)
    if target.suffix == ".gz":
        if parts != 1:
            raise ValueError("a single .gz file cannot hold several parts; give a directory")
        target.parent.mkdir(parents=True, exist_ok=True)
        files = [target]
    else:
        target.mkdir(parents=True, exist_ok=True)
        for old in target.glob("part_*.gz"):
            old.unlink()
        files = [target / f"part_{k:03d}.gz" for k in range(parts)]
    jobs = [(f, k * n // parts, (k + 1) * n // parts, seed, mega_share, compresslevel, profile)
            for k, f in enumerate(files)]
    workers = min(workers or os.cpu_count() or 1, parts)
    if workers == 1:
        sizes = [_write_jsonl_part(*job) for job in jobs]
    else:
        with ProcessPoolExecutor(workers) as pool:
            sizes = list(pool.map(_write_jsonl_part, *zip(*jobs)))
    return files, sum(sizes)


# ---------------------------------------------------------------------------------------------
# Writer B: the store tables as Parquet
# ---------------------------------------------------------------------------------------------
STORE_SCHEMAS = {
    "works": pa.schema([
        ("work_id", pa.string()), ("doi", pa.string()), ("title", pa.string()),
        ("year", pa.int32()), ("pub_date", pa.date32()), ("type", pa.string()),
        ("source_id", pa.string()), ("source_name", pa.string()),
        ("domain_id", pa.string()), ("domain", pa.string()),
        ("field_id", pa.string()), ("field", pa.string()),
        ("subfield_id", pa.string()), ("subfield", pa.string()),
        ("n_authors", pa.int32()), ("updated_date", pa.timestamp("us")), ("origin", pa.string()),
    ]),
    "authorships": pa.schema([
        ("work_id", pa.string()), ("author_position", pa.int32()), ("author_id", pa.string()),
        ("author_name", pa.string()), ("n_institutions", pa.int32()), ("n_countries", pa.int32()),
    ]),
    "affiliations": pa.schema([
        ("work_id", pa.string()), ("author_position", pa.int32()), ("institution_id", pa.string()),
    ]),
    "author_countries": pa.schema([
        ("work_id", pa.string()), ("author_position", pa.int32()), ("country_code", pa.string()),
    ]),
    "institutions": pa.schema([
        ("institution_id", pa.string()), ("ror", pa.string()), ("name", pa.string()),
        ("country_code", pa.string()), ("type", pa.string()), ("lineage", pa.list_(pa.string())),
        ("updated_date", pa.timestamp("us")), ("origin", pa.string()),
    ]),
}
"""The package's store schema (DuckDB: VARCHAR, INTEGER, DATE, TIMESTAMP, VARCHAR[])."""


def _ids(prefix: str, numbers: np.ndarray, null: np.ndarray | None = None) -> pa.Array:
    """``prefix`` + decimal ``numbers`` as a string array (null where ``null``)."""
    arr = pa.array(numbers, type=pa.int64(), mask=null)
    return pc.binary_join_element_wise(prefix, pc.cast(arr, pa.string()), "")


@functools.lru_cache(maxsize=4)
def _store_lookups(seed: int) -> dict[str, pa.Array]:
    """String arrays indexed by world indices, for ``take``."""
    w = _world(seed)
    n_sub = len(SUBFIELD_KINDS)
    subfield_ids = [f[0] * 100 + k + 1 for f in FIELDS for k in range(n_sub)]
    return {
        "country": pa.array(COUNTRIES),
        "inst_id": _ids("I", w.inst_num),
        "source_id": _ids("S", w.source_num),
        "source_name": pa.array(w.source_name),
        "source_code": pa.array(w.source_code),
        "source_prefix": pc.cast(pa.array(w.source_prefix), pa.string()),
        "work_type": pa.array([t for t, _ in WORK_TYPES]),
        "first": pa.array(FIRST_NAMES),
        "last": pa.array(LAST_NAMES),
        "title": [pa.array(p) for p in (TITLE_LEADS, TITLE_ADJECTIVES, TITLE_NOUNS, TITLE_CONTEXTS)],
        "domain_id": pa.array([str(f[2]) for f in FIELDS]),
        "domain": pa.array([DOMAINS[f[2]] for f in FIELDS]),
        "field_id": pa.array([str(f[0]) for f in FIELDS]),
        "field": pa.array([f[1] for f in FIELDS]),
        "subfield_id": pa.array([str(s) for s in subfield_ids]),
        "subfield": pa.array([_subfield_name(s) for s in subfield_ids]),
    }


def _store_tables(d: _Draw, seed: int, profile: Profile = DEFAULT_PROFILE) -> dict[str, pa.Table]:
    """The ``works``, ``authorships``, ``affiliations`` and ``author_countries`` rows of ``d``."""
    w, s = _world(seed, profile), _store_lookups(seed)
    join = pc.binary_join_element_wise
    n = len(d)
    work_id = _ids("W", W_BASE + d.num)
    year = pc.cast(pa.array(d.year), pa.string())
    doi = join("10.", s["source_prefix"].take(d.source), "/", s["source_code"].take(d.source), ".",
               year, ".", pc.cast(pa.array(d.doi_num, mask=d.doi_num < 0), pa.string()), "")
    t = d.title
    title = join(s["title"][0].take(t[:, 0]), s["title"][1].take(t[:, 1]),
                 s["title"][2].take(t[:, 2]), "in", s["title"][3].take(t[:, 3]), " ")
    field = w.topic_field[d.topic]
    sub = field * len(SUBFIELD_KINDS) + w.topic_subfield[d.topic] % 100 - 1  # see _store_lookups
    n_auth = np.diff(d.author_off)
    works = pa.table([
        work_id, doi, title, pa.array(d.year, pa.int32()),
        pa.array(d.pub_day.astype("datetime64[D]"), pa.date32()),
        s["work_type"].take(d.wtype), s["source_id"].take(d.source), s["source_name"].take(d.source),
        s["domain_id"].take(field), s["domain"].take(field), s["field_id"].take(field),
        s["field"].take(field), s["subfield_id"].take(sub), s["subfield"].take(sub),
        pa.array(n_auth, pa.int32()), pa.array(d.updated_us.astype("datetime64[us]")),
        pa.array(np.full(n, "openalex")),
    ], schema=STORE_SCHEMAS["works"])

    w_of_a = d.work_of_author()
    position = pa.array(d.position(), pa.int32())
    k = d.author
    name = join(s["first"].take(k % len(FIRST_NAMES)),
                s["last"].take(k // len(FIRST_NAMES) % len(LAST_NAMES)), " ")
    authorships = pa.table([
        work_id.take(w_of_a), position, _ids("A", A_BASE + k, d.author_null), name,
        pa.array(np.diff(d.inst_off), pa.int32()), pa.array(np.diff(d.ctry_off), pa.int32()),
    ], schema=STORE_SCHEMAS["authorships"])

    a_of_i = d.author_of(d.inst_off)
    affiliations = pa.table([
        work_id.take(w_of_a[a_of_i]), position.take(a_of_i), s["inst_id"].take(d.aff_inst),
    ], schema=STORE_SCHEMAS["affiliations"])

    a_of_c = d.author_of(d.ctry_off)
    author_countries = pa.table([
        work_id.take(w_of_a[a_of_c]), position.take(a_of_c), s["country"].take(d.ctry),
    ], schema=STORE_SCHEMAS["author_countries"])
    return {"works": works, "authorships": authorships, "affiliations": affiliations,
            "author_countries": author_countries}


def _institutions_table(seed: int, last_seen_us: np.ndarray, profile: Profile = DEFAULT_PROFILE) -> pa.Table:
    """Institutions named by some work (``last_seen_us >= 0``), dated by their latest work."""
    w, s = _world(seed, profile), _store_lookups(seed)
    idx = np.flatnonzero(last_seen_us >= 0)
    parent = w.inst_parent[idx]
    self_then_parent = np.stack([idx, parent], axis=1).ravel()
    lineage = pa.ListArray.from_arrays(
        pa.array(_offsets(1 + (parent >= 0)).astype(np.int32)),
        s["inst_id"].take(self_then_parent[self_then_parent >= 0]),
    )
    cc = w.inst_cc[idx]
    type_names = pa.array([t for t, _ in INSTITUTION_TYPES])
    return pa.table([
        s["inst_id"].take(idx),
        pa.array([w.inst_ror[i] for i in idx.tolist()], pa.string()),
        pa.array([w.inst_name[i] for i in idx.tolist()], pa.string()),
        s["country"].take(pa.array(np.maximum(cc, 0), mask=cc < 0)),
        type_names.take(w.inst_type[idx]),
        lineage,
        pa.array(last_seen_us[idx].astype("datetime64[us]")),
        pa.array(np.full(len(idx), "work")),
    ], schema=STORE_SCHEMAS["institutions"])


def write_store_parquet(out_dir: str | os.PathLike, n: int, seed: int, mega_share: float | None = None,
                        chunk: int = 1_000_000, profile: Profile | None = None) -> dict:
    """Write the store tables of ``n`` works as zstd Parquet, ``chunk`` works at a time.

    Files are ``out_dir/<table>/part_000.parquet``, ... (one part per chunk; ``institutions``
    in one file, holding the institutions that some work names, with ``updated_date`` the latest
    ``updated_date`` of those works). Existing ``part_*.parquet`` of these tables are removed
    first. Returns ``{"files": [...], "rows": {table: count}, "bytes": total file size}``.
    """
    profile = profile or DEFAULT_PROFILE
    mega_share = profile.mega_share if mega_share is None else mega_share
    out = Path(out_dir)
    for table in TABLES:
        (out / table).mkdir(parents=True, exist_ok=True)
        for old in (out / table).glob("part_*.parquet"):
            old.unlink()
    files: list[Path] = []
    rows = dict.fromkeys(TABLES, 0)
    last_seen = np.full(N_INSTITUTIONS, -1, dtype=np.int64)
    for k, (lo, hi) in enumerate(_block_ranges(0, n, chunk)):
        d = _draw(seed, mega_share, lo, hi, bulk=False, profile=profile)
        w_of_i = d.work_of_author()[d.author_of(d.inst_off)]
        np.maximum.at(last_seen, d.aff_inst, d.updated_us[w_of_i])
        for name, table in _store_tables(d, seed, profile).items():
            files.append(out / name / f"part_{k:03d}.parquet")
            pq.write_table(table, files[-1], compression="zstd")
            rows[name] += table.num_rows
    table = _institutions_table(seed, last_seen, profile)
    files.append(out / "institutions" / "part_000.parquet")
    pq.write_table(table, files[-1], compression="zstd")
    rows["institutions"] = table.num_rows
    return {"files": files, "rows": rows, "bytes": sum(f.stat().st_size for f in files)}


# ---------------------------------------------------------------------------------------------
# Command line
# ---------------------------------------------------------------------------------------------
def _check(n: int, seed: int, mega_share: float | None, profile: Profile | None = None) -> None:
    """Print the calibration (JSON size, authors, international share) and speeds."""
    t0 = time.perf_counter()
    sizes, n_auth, intl = [], [], 0
    for work in iter_work_dicts(n, seed, mega_share, profile=profile):
        sizes.append(len(orjson.dumps(work)))
        n_auth.append(len(work["authorships"]))
        intl += work["countries_distinct_count"] >= 2
    dt = time.perf_counter() - t0
    n_auth_a = np.array(n_auth)
    print(f"works               {n:,}")
    print(f"JSON bytes/work     mean {np.mean(sizes):,.0f}  median {np.median(sizes):,.0f}")
    print(f"authors/work        mean {n_auth_a.mean():.2f}  median {np.median(n_auth_a):.0f}  "
          f"mean<100 {n_auth_a[n_auth_a < 100].mean():.2f}  >=100: {(n_auth_a >= 100).sum()}")
    print(f"international       {intl / n:.1%}")
    print(f"render+orjson       {n / dt:,.0f} works/s (one process)")


def main(argv: list[str] | None = None) -> None:
    """Command line: ``jsonl``, ``parquet`` or ``check`` (see the module docstring)."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.synth",
                                     description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    for name in ("jsonl", "parquet", "check"):
        cmd = sub.add_parser(name)
        if name != "check":
            cmd.add_argument("out", type=Path)
        cmd.add_argument("--works", type=int, default=20_000 if name == "check" else None,
                         required=name != "check")
        cmd.add_argument("--seed", type=int, default=0)
        cmd.add_argument("--mega-share", type=float, default=None,
                         help="share of mega-author works (default: the profile's, 0.001 / 0.0003)")
        cmd.add_argument("--profile", choices=("default", "calibrated"), default="default",
                         help="calibrated: distributions measured by benchmarks.calibration")
        if name == "jsonl":
            cmd.add_argument("--parts", type=int, default=1)
        if name == "parquet":
            cmd.add_argument("--chunk", type=int, default=1_000_000)
    args = parser.parse_args(argv)
    profile = calibrated_profile() if args.profile == "calibrated" else DEFAULT_PROFILE

    if args.command == "check":
        _check(args.works, args.seed, args.mega_share, profile)
        return
    t0 = time.perf_counter()
    if args.command == "jsonl":
        files, n_bytes = write_jsonl_gz(args.out, args.works, args.seed, args.parts, args.mega_share,
                                        profile=profile)
    else:
        result = write_store_parquet(args.out, args.works, args.seed, args.mega_share, args.chunk,
                                     profile=profile)
        files, n_bytes = result["files"], result["bytes"]
    dt = time.perf_counter() - t0
    on_disk = sum(f.stat().st_size for f in files)
    for f in files:
        print(f)
    if args.command == "jsonl":
        what = (f"{n_bytes / 1e6:,.1f} MB of JSON ({n_bytes / max(args.works, 1):,.0f} B/work), "
                f"gzip {on_disk / 1e6:,.1f} MB")
    else:
        what = f"{on_disk / 1e6:,.1f} MB of Parquet, rows " + ", ".join(
            f"{k} {v:,}" for k, v in result["rows"].items())
    print(f"{args.works:,} works, {what}; {dt:.1f} s: {args.works / dt:,.0f} works/s, "
          f"{n_bytes / 1e6 / dt:,.1f} MB/s")


if __name__ == "__main__":
    main()
