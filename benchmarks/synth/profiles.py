"""Profiles: the distributions the structure draw follows (hand-set default, calibrated)."""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import orjson

from benchmarks.synth.constants import (
    COUNTRIES,
    COUNTRY_ZIPF,
    MAX_REGULAR_AUTHORS,
    MEGA_ALPHA,
    MEGA_MAX,
    MEGA_MIN,
    P_COUNTRY_ONLY,
    P_FOREIGN_SLOT,
    P_FOREIGN_SLOT_CALIBRATED,
    P_INSTITUTIONS_2,
    P_INSTITUTIONS_3,
    P_NO_AFFILIATION,
    P_NULL_COUNTRY_INSTITUTION,
    YEAR_GROWTH,
    YEARS,
)
from benchmarks.synth.sampling import _cum


@dataclass(frozen=True)
class Profile:
    """The distributions the structure draw follows (hashable: tuples, not lists).

    ``Profile()`` is the original hand-set profile (the constants of
    :mod:`benchmarks.synth.constants`; the figures of
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
