"""What the affiliation matcher returns: :class:`AffiliationMatch` (one resolved address string, with the
further organisations it names) and :class:`Candidate` (the best organisation before the abstain rule)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class AffiliationMatch:
    input: str
    ror_id: str | None          # short ROR id, e.g. "03vek6s52"; None when no candidate reaches the threshold
    name: str | None            # ROR display name when matched
    country_code: str | None    # ISO 3166-1 alpha-2: ROR country when matched, else from the address rules
    sector: str | None          # via counting.SECTOR_OF_TYPE of the ROR type; None when unmatched/unknown
    score: float                # 0..100, the match score of the chosen candidate (0 when none)
    ror_type: str | None = None  # ROR type used for the sector (OpenAlex uses the same vocabulary)
    address_country: str | None = None  # the country the address text names (rules), whatever was matched
    matched_part: str | None = None     # the address part that matched (for explanations)
    confidence: float = 0.0             # calibrated probability that ror_id is right (0 when unmatched)
    components_skipped: int = 0         # components beyond MAX_COMPONENTS not read for the institution
    #: further organisations the address names (issue 29), each (ror_id, name, country_code, sector, score,
    #: confidence)
    others: tuple = ()
    #: countries of affiliations joined in the string that matched no organisation ("…, USA / Unknown Lab,
    #: France": FR), counted in :attr:`country_codes`
    extra_countries: tuple = ()

    @property
    def ror_ids(self) -> tuple[str, ...]:
        """Every organisation matched: ``ror_id`` first, then :attr:`others`."""
        return ((self.ror_id,) if self.ror_id else ()) + tuple(o[0] for o in self.others)

    @property
    def country_codes(self) -> tuple[str, ...]:
        """The distinct countries of the organisations matched (the address country when none), in order."""
        codes = [self.country_code] + [o[2] for o in self.others] + list(self.extra_countries)
        return tuple(dict.fromkeys(c for c in codes if c))


@dataclass(frozen=True)
class Candidate:
    """The best registry organisation for an address before the abstain rule, with its features."""
    ror_id: str
    score: float              # fuzzy score incl. the city bonus (may exceed 100)
    part: str                 # the raw address part (or acronym) that matched
    features: dict
    #: other organisations named in other components of the address: (ror_id, score, part, features)
    others: tuple = ()
