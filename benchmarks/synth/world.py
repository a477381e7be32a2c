"""The world works are drawn from (countries, institutions, sources, topics), drawn once per seed,
and the synthetic names of its things."""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

from benchmarks.synth.constants import (
    COUNTRIES,
    FIELDS,
    INSTITUTION_NAME_PATTERNS,
    INSTITUTION_TYPES,
    INSTITUTION_ZIPF,
    N_INSTITUTIONS,
    N_SOURCES,
    P_NULL_COUNTRY_INSTITUTION,
    P_NULL_ROR,
    P_PARENT,
    SOURCE_NAME_PATTERNS,
    SUBFIELD_KINDS,
    SYLLABLES,
    TITLE_ADJECTIVES,
    TITLE_NOUNS,
    TOPICS_PER_SUBFIELD,
)
from benchmarks.synth.profiles import DEFAULT_PROFILE, Profile
from benchmarks.synth.sampling import _cum, _pick, _unique_numbers


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
        inst_ror=[_ror_id(v) if h else None for v, h in zip(ror_values.tolist(), has_ror.tolist(), strict=False)],
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
