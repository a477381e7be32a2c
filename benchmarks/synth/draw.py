"""The structure draw: N works as flat arrays with CSR offsets, block by seeded block, plus the
work-level draws of the bulk fields only the JSON rendering uses."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, fields

import numpy as np

from benchmarks.synth.constants import (
    AUTHOR_POOL,
    AUTHORS_MU,
    AUTHORS_SIGMA,
    BLOCK,
    COUNTRIES,
    LANGUAGES,
    MAX_REGULAR_AUTHORS,
    MEGA_TEAM_SIZE,
    OA_STATUSES,
    P_DOI,
    P_FOREIGN_SLOT_MEGA,
    P_INTERNATIONAL,
    P_NULL_AUTHOR_ID,
    P_SAME_LAB,
    SUBFIELD_KINDS,
    TITLE_ADJECTIVES,
    TITLE_CONTEXTS,
    TITLE_LEADS,
    TITLE_NOUNS,
    TOPICS_PER_SUBFIELD,
    UPDATED_FROM,
    WORK_TYPES,
    YEARS,
)
from benchmarks.synth.profiles import DEFAULT_PROFILE, Profile
from benchmarks.synth.sampling import _bounded_pareto, _cum, _duplicate_in_group, _offsets, _pick
from benchmarks.synth.world import _world


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
                    [values[0][:1]] + [v[1:] + s for v, s in zip(values, shift, strict=False)]
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
# Bulk fields (read only by the JSON rendering)
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
