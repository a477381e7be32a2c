"""Affiliation string → ROR institution, sector and country.

INTERFACE (agreed between the export parsers and the matcher):

- ``AffiliationMatch``: one resolved address string.
- ``AffiliationMatcher.from_store(con, threshold=None, fold_hk_mo=False)``: a matcher over the ROR
  registry loaded in the store (``collabatlas ror load``); with no registry loaded it still resolves
  countries from the address text (every ``ror_id`` is then ``None``).
- ``matcher.match(address)`` / ``matcher.match_many(addresses)``.

How a string is matched (docs/affiliations.md has the details and the measured quality):

1. The country is resolved from the address text (:mod:`collabatlas.affiliations.address_country`).
2. The address is split into parts at commas and semicolons; each part, and each pair of adjacent
   parts (``Univ Calif, Berkeley``), is normalised (accents folded, punctuation dropped, WoS
   abbreviations expanded — ``Univ`` → ``university``, ``Acad`` → ``academy`` —, stop words and
   plural ``s`` dropped, initials written apart joined: ``M. D. Anderson`` = ``MD Anderson``). A part
   made only of legal forms (``Inc.``, ``Co., Ltd.``) is dropped.
3. Candidates: the registry names (display names, labels, aliases; not acronyms; a name with a country
   in parentheses, ``Microsoft (United States)``, also without it) restricted to the resolved country
   when there is one (Hong Kong and Macao organisations count as in CN too), ranked by the summed inverse
   document frequency of the words they share with the part (words in more than :data:`COMMON_WORD_DF`
   names — ``university`` — only count when the part has no rarer word); the top :data:`TOP_CANDIDATES`
   are scored.
4. Score (0–100, rapidfuzz): the mean of ``token_sort_ratio`` and ``token_set_ratio``, plus
   :data:`CITY_BONUS` when the address contains the organisation's city outside the matched part; names of inactive
   organisations lose :data:`INACTIVE_PENALTY`, aliases :data:`ALIAS_PENALTY` (so that a display
   name or label wins a tie against another organisation's alias). Acronyms match only as an exact capitalised word of
   the address (``CNRS``, ``(CAS)``) and only when they name one organisation in the resolved
   country (or one whose city is in the address); they score :data:`ACRONYM_SCORE`.
5. The best candidate over all parts is a candidate when its score reaches the threshold
   (:data:`DEFAULT_THRESHOLD`); it is kept when its calibrated confidence (:data:`ABSTAIN_MODEL`)
   reaches :data:`DEFAULT_MIN_CONFIDENCE`, both fitted on the train split of the S2AFF gold set (with an
   OpenAlex institutions file in the registry: :data:`ABSTAIN_MODEL_LISTED` and
   :data:`DEFAULT_MIN_CONFIDENCE_LISTED`, :mod:`collabatlas.affiliations.match_model`). Otherwise
   the matcher abstains: the institution is left unmatched and the country comes from the address rules.

Results are cached per address and per (part, country), so repeated strings cost nothing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import replace

import duckdb
import numpy as np

from collabatlas.affiliations.address_country import component_words, country_names, resolve_country, split_components
from collabatlas.affiliations.city_country import CityCountries
from collabatlas.affiliations.match_features import ACRONYM_SCORE, CandidateFeatures, _fold
from collabatlas.affiliations.match_model import (  # noqa: F401 - the abstain rule, re-exported
    ABSTAIN_FEATURES,
    ABSTAIN_MODEL,
    ABSTAIN_MODEL_LISTED,
    DEFAULT_MIN_CONFIDENCE,
    DEFAULT_MIN_CONFIDENCE_LISTED,
    DEFAULT_MULTI_CONFIDENCE,
    QUALIFIER_WORDS,
    confidence,
)
from collabatlas.affiliations.match_names import (  # noqa: F401 - the name look-up's constants, re-exported
    COMMON_WORD_DF,
    FEW_CHOICES,
    MAX_SPAN_WORDS,
    SIZE_RATIO,
    SPAN_SCORE,
    TOP_CANDIDATES,
    NameLookup,
    initialled,
)
from collabatlas.affiliations.match_parts import AddressParts
from collabatlas.affiliations.match_result import AffiliationMatch, Candidate
from collabatlas.affiliations.match_segments import (
    ACRONYM,
    affiliation_segments,
    all_capitals,
    expand_acronyms,
    unglue,
)
from collabatlas.affiliations.normalisation import NAME_KIND_ORDER, normalise_name
from collabatlas.affiliations.ror_lookup import ancestors, listed_in_openalex, primary_type, ror_loaded, works_counts
from collabatlas.affiliations.weak_country import weak_candidate_country
from collabatlas.counting.filters import check_range
from collabatlas.counting.rules import SECTOR_OF_TYPE
from collabatlas.refdata.countries import HISTORICAL_CODES

DEFAULT_THRESHOLD = 78.0      # the lowest fuzzy score a candidate needs (then the abstain rule; fitted)
CITY_BONUS = 6.0
INACTIVE_PENALTY = 3.0
ALIAS_PENALTY = 1.0            # an alias loses ties against a display name or label
# An address with more components than this (a concatenation of thousands of affiliations, issue 25) is
# matched on its first MAX_COMPONENTS - 2 components and its last two (city, country): the cost of one
# address is then linear in its length (splitting, the country rules) plus a bounded matching cost. The
# country rules still read every component; ``AffiliationMatch.components_skipped`` says how many were
# not read for the institution. Real affiliation strings have far fewer (the gold sets: at most 30).
MAX_COMPONENTS = 64

# the words after a parent's name that make a unit its medical school (normalised: "Health Sciences Center"
# is "health science center"); the unit-and-parent rule returns the parent (docs/affiliations.md)
SCHOOL_SUFFIXES = frozenset({"school medicine", "college medicine", "medical school", "health science center"})

_PARENS = re.compile(r"\(([^()]*)\)")


def _components_of(part: str) -> list[str]:
    """The address components a part is made of (a pair part "a, b" is two)."""
    return [c.strip() for c in part.split(", ") if c.strip()]


def _holds(part: str, other: str) -> bool:
    """Whether ``part`` is ``other``'s components followed by more ("University of California, Irvine" holds
    "University of California"; "Institute of Advanced Energy, Kyoto University" does not hold "Kyoto
    University": there the organisation written last is the parent of a unit written before it)."""
    mine, theirs = _components_of(part), _components_of(other)
    return len(mine) > len(theirs) and mine[:len(theirs)] == theirs


def _bounded(text: str) -> str:
    """``text`` itself, or with more than :data:`MAX_COMPONENTS` components its first ones and its last two."""
    components = split_components(text)
    if len(components) <= MAX_COMPONENTS:
        return text
    return ", ".join(components[:MAX_COMPONENTS - 2] + components[-2:])


def _search_country(country: str | None) -> str | None:
    """The country whose organisations are candidates: none (all) for a historical country (ISO 3166-3,
    ``CS``), whose organisations the registry files under its successors."""
    return None if country in HISTORICAL_CODES else country


class AffiliationMatcher(AddressParts, CandidateFeatures, NameLookup):
    """Matches address strings against a ROR registry held in memory (see the module docstring)."""

    def __init__(self, institutions: list[tuple], names: list[tuple], threshold: float | None = None,
                 fold_hk_mo: bool = False, parents: Iterable[tuple[str, str]] = (),
                 prefer_parent: bool = True, min_confidence: float | None = None,
                 multi_confidence: float | None = None, listed: Iterable[str] = (),
                 works: dict[str, int] | None = None) -> None:
        """``institutions``: (ror_id, name, types, country_code, city, status); ``names``: (ror_id, name, kind);
        ``parents``: (child ror_id, parent ror_id) pairs. ``threshold``: the lowest fuzzy score a candidate
        needs; ``min_confidence``: the lowest calibrated probability (0 keeps every candidate that reaches
        the threshold, the rule before the abstain model). ``listed``: the organisations an OpenAlex
        institutions file of the registry lists (then the abstain rule with that feature applies); ``works``:
        ROR id → the works that file counts for it (the size prior of that rule)."""
        self._listed = frozenset(listed)
        self._works = dict(works or {})
        self.model = ABSTAIN_MODEL_LISTED if self._listed else ABSTAIN_MODEL
        default_confidence = DEFAULT_MIN_CONFIDENCE_LISTED if self._listed else DEFAULT_MIN_CONFIDENCE
        self.min_confidence = (default_confidence if min_confidence is None
                               else float(check_range("min_confidence", min_confidence, 0, 1)))
        self.threshold = DEFAULT_THRESHOLD if threshold is None else float(check_range("threshold", threshold, 0, 100))
        # 1 (or more) keeps one organisation per address, as before issue 29
        self.multi_confidence = (DEFAULT_MULTI_CONFIDENCE if multi_confidence is None
                                 else float(check_range("multi_confidence", multi_confidence, 0, 1.01)))
        self.fold_hk_mo = fold_hk_mo
        self.prefer_parent = prefer_parent
        self._parents: dict[str, set[str]] = {}
        for child, parent in parents:
            self._parents.setdefault(child, set()).add(parent)
        self._org = {}
        # registry city names (normalised), per country (folded) and over all: an address component that
        # is only a city names no institution, and a city of the country other than the candidate's counts
        # against it
        self._cities: dict[str | None, set[str]] = {None: set()}
        org_cities = []
        for rid, name, types, country, city, status in institutions:
            self._org[rid] = (name, primary_type(list(types or [])), country, normalise_name(city or ""),
                              status or "active")
            org_cities.append((self._org[rid][3], _fold(country, fold_hk_mo)))
            if self._org[rid][3]:
                self._cities[None].add(self._org[rid][3])
                self._cities.setdefault(_fold(country, fold_hk_mo), set()).add(self._org[rid][3])
        self._city_countries = CityCountries(org_cities)
        # a medical school whose registry name is its parent's followed by school words ("Indiana University
        # School of Medicine" → Indiana University): the unit-and-parent rule returns the parent
        self._school_of = {}
        for child, parents in sorted(self._parents.items()):
            for parent in sorted(parents):
                if parent in self._org and child in self._org and normalise_name(self._org[child][0]).removeprefix(
                        normalise_name(self._org[parent][0]) + " ") in SCHOOL_SUFFIXES:
                    self._school_of[child] = parent
        self._org_acronyms: dict[str, list[str]] = {}
        self._name_text: list[str] = []
        self._name_org: list[str] = []
        self._acronyms: dict[str, list[str]] = {}
        seen, alias = set(), []
        places = country_names()
        for rid, name, kind in sorted(names, key=lambda n: NAME_KIND_ORDER.get(n[2], 9)):
            if rid not in self._org or self._org[rid][4] == "withdrawn":
                continue
            if kind == "acronym":
                if ACRONYM.match(name.strip()) and rid not in self._acronyms.setdefault(name.strip(), []):
                    self._acronyms[name.strip()].append(rid)
                    self._org_acronyms.setdefault(rid, []).append(name.strip())
                continue
            variants = [normalise_name(name)] + [normalise_name(v) for v in initialled(name)]  # "T. J. Watson"
            bare = _PARENS.sub(" ", name).strip()
            if bare != name.strip() and any(" ".join(component_words(q)) in places for q in _PARENS.findall(name)):
                variants.append(normalise_name(bare))  # "Microsoft (United States)" is also "Microsoft"
            for norm in variants:
                if norm and norm == self._org[rid][3]:
                    continue  # a name that is only the organisation's city ("Atsugi" of Atsugi Co., Ltd.)
                if norm and (norm, rid) not in seen:
                    seen.add((norm, rid))
                    self._name_text.append(norm)
                    self._name_org.append(rid)
                    alias.append(kind == "alias")
        self._alias = np.array(alias, dtype=bool)
        self._name_array = np.array(self._name_text, dtype=object)  # fancy-indexed by candidate arrays
        org_index = {rid: i for i, rid in enumerate(self._org)}
        self._name_org_ix = np.array([org_index[r] for r in self._name_org], dtype=np.int64)
        self._name_words = np.array([len(t.split()) for t in self._name_text], dtype=np.int32)
        self._name_works = np.array([self._works.get(r, 0) for r in self._name_org], dtype=np.float64)
        self._inactive = np.array([self._org[r][4] != "active" for r in self._name_org], dtype=bool)
        # inactive organisations and aliases lose ties (module docstring)
        self._penalty = INACTIVE_PENALTY * self._inactive + ALIAS_PENALTY * self._alias
        # word → name indices, over all names (key None) and per country (folded as the output is)
        postings: dict[str | None, dict[str, list[int]]] = {None: {}}
        for i, text in enumerate(self._name_text):
            country = _fold(self._org[self._name_org[i]][2], fold_hk_mo)
            keys = (country, "CN") if country in ("HK", "MO") else (country,)  # "…, Kowloon, China" is HK
            for word in set(text.split()):
                postings[None].setdefault(word, []).append(i)
                for key in keys:
                    postings.setdefault(key, {}).setdefault(word, []).append(i)
        self._postings = {c: {w: np.array(sorted(ix), dtype=np.int64) for w, ix in words.items()}
                          for c, words in postings.items()}
        n_names = max(len(self._name_text), 1)
        self._idf = {w: float(np.log(n_names / len(ix))) for w, ix in postings[None].items()}
        self._idf_unknown = float(np.log(n_names + 1))
        # exact normalised name → name indices (span look-ups), and the normalised country names (place
        # words at the end of a part: "Murdoch Univ Australia")
        self._exact: dict[str, list[int]] = {}
        for i, text in enumerate(self._name_text):
            if 2 <= len(text.split()) <= MAX_SPAN_WORDS:
                self._exact.setdefault(text, []).append(i)
        self._country_words = {normalise_name(n) for n in places} - {""}
        self._span_cache: dict[tuple[str, str | None], int] = {}
        self._part_cache: dict[tuple[str, str | None], tuple[int, float, float]] = {}
        self._cache: dict[str, AffiliationMatch] = {}
        self.parts_scored = 0  # address parts looked up so far (the matcher's work, for tests and benchmarks)

    @classmethod
    def from_store(cls, con: duckdb.DuckDBPyConnection, threshold: float | None = None,
                   fold_hk_mo: bool = False, prefer_parent: bool = True,
                   min_confidence: float | None = None, multi_confidence: float | None = None) -> AffiliationMatcher:
        if not ror_loaded(con):
            return cls([], [], threshold, fold_hk_mo, min_confidence=min_confidence)
        institutions = con.execute(
            "SELECT ror_id, name, types, country_code, city, status FROM ror_institutions ORDER BY ror_id").fetchall()
        names = con.execute("SELECT ror_id, name, kind FROM ror_names ORDER BY ror_id, kind, name").fetchall()
        parents = con.execute("SELECT ror_id, target_id FROM ror_relations WHERE relation = 'parent' "
                              "ORDER BY ALL").fetchall()
        return cls(institutions, names, threshold, fold_hk_mo, parents, prefer_parent, min_confidence, multi_confidence,
                   listed_in_openalex(con), works_counts(con))

    def _ancestors(self, rid: str) -> set[str]:
        return set(ancestors(self._parents, rid))

    @property
    def has_registry(self) -> bool:
        return bool(self._org)

    # ------------------------------------------------------------ scoring
    def _acronym_match(self, address: str, country: str | None, context: str) -> tuple[str | None, str | None]:
        if all_capitals(address):
            return None, None  # an all-capitals address: every word would look like an acronym
        words = set(re.findall(r"[A-Za-z][A-Za-z&\-]+", address))
        for word in sorted(words):
            rids = self._acronyms.get(word)
            if not rids:
                continue
            if country:
                rids = [r for r in rids if self._in_country(r, country)]
            in_city = [r for r in rids if self._org[r][3] and f" {self._org[r][3]} " in context]
            if len(rids) == 1:
                return rids[0], word
            if len(in_city) == 1:
                return in_city[0], word
        return None, None

    def _in_country(self, rid: str, country: str) -> bool:
        """Whether organisation ``rid`` is in the resolved ``country`` (a Hong Kong or Macao one is also in CN,
        as WoS writes "…, Kowloon, Peoples R China")."""
        org_country = _fold(self._org[rid][2], self.fold_hk_mo)
        return org_country == country or (country == "CN" and org_country in ("HK", "MO"))

    def set_threshold(self, threshold: float, min_confidence: float | None = None) -> None:
        """Change the threshold (and the minimum confidence when given; the per-part scores stay cached,
        the per-address results are dropped)."""
        self.threshold = float(check_range("threshold", threshold, 0, 100, allow_none=False))
        if min_confidence is not None:
            self.min_confidence = float(check_range("min_confidence", min_confidence, 0, 1))
        self._cache.clear()

    def match(self, address: str) -> AffiliationMatch:
        cached = self._cache.get(address)
        if cached is not None:
            return cached
        result = self._match(address)
        if len(self._cache) < 1_000_000:
            self._cache[address] = result
        return result

    def _reaches(self, score: float) -> bool:
        """Scores above 100 (city bonus) rank candidates but are reported, and compared, as 100."""
        return min(score, 100.0) >= self.threshold

    def candidate(self, address: str) -> Candidate | None:
        """The best organisation for ``address`` that reaches the score threshold, with the features of
        the abstain rule, before that rule is applied; None when there is none."""
        text = address if isinstance(address, str) else ""
        if not self._org or not text.strip():
            return None
        text = unglue(text, self._postings[None])
        return self._candidate(text, _search_country(resolve_country(text, self.fold_hk_mo)))

    def _candidate(self, text: str, country: str | None) -> Candidate | None:
        text = _bounded(text)
        exact = frozenset(re.findall(r"[A-Za-z][A-Za-z&\-]+", text))  # the words as written, acronyms too
        # a guarded acronym (one organisation of the country whose city the address names) written out
        text = expand_acronyms(text, country, self._acronyms, self._in_country, lambda r: self._org[r][3],
                               lambda r: self._org[r][0])
        text = self._school_parents(text, country)  # "Yale School of Medicine" → Yale University
        context = f" {normalise_name(text)} "
        best_rid, best_score, best_part, best_info = None, 0.0, None, None
        found: dict[str, tuple[float, str, tuple]] = {}
        for raw, norm in self._parts(text, country):
            self.parts_scored += 1
            idx, score, second = self._best_name(norm, country)
            via_span, whole = False, norm
            spaced = self._spaced_name(norm, country) if score < 100 else -1
            if spaced >= 0:  # the name with its words split or joined otherwise: the name itself
                second = max(second, score) if idx >= 0 and self._name_org[idx] != self._name_org[spaced] else second
                idx, score, norm = spaced, 100.0, self._name_text[spaced]
                context = context.replace(f" {whole} ", f" {norm} ", 1)
            if not self._reaches(score):
                # the fuzzy score fails on a long part: a registry name written word for word inside it
                # ("Department of Physics Stanford University Stanford California")
                span = self._span_name(norm, country)
                if span >= 0:
                    if idx >= 0 and self._name_org[idx] != self._name_org[span]:
                        second = max(second, score)
                    idx, score, via_span = span, SPAN_SCORE, True
                    norm = self._name_text[span]
            if idx < 0:
                continue
            rid = self._name_org[idx]
            city = self._org[rid][3]
            info = (norm, idx, score, second, via_span, whole)
            # the city must appear outside the matched part: "Boston" alone is not Boston University
            if city and f" {city} " in context.replace(f" {norm} ", " ", 1):
                score += CITY_BONUS
            if score > found.get(rid, (-1.0, "", None))[0]:
                found[rid] = (score, raw, info)
            if self._better(score, raw, idx, via_span, best_score, best_part, best_info):
                best_rid, best_score, best_part, best_info = rid, score, raw, info
        if self.prefer_parent and best_rid is not None and self._reaches(best_score):
            # a unit and its parent both named ("State Key Lab X, Zhejiang Univ"): the parent, as
            # bibliometric counting does (the unit's lineage would roll up to it anyway)
            # (not an ancestor named only inside the unit's own name: "University of California" in
            # "University of California, Irvine")
            named = sorted(a for a in self._ancestors(best_rid) if a in found and self._reaches(found[a][0])
                           and not _holds(best_part, found[a][1]))
            if named:
                top = max(named, key=lambda a: (len(self._ancestors(a) & set(named)) == 0, found[a][0]))
                best_rid, (best_score, best_part, best_info) = top, found[top]
        if self.prefer_parent and best_rid in self._school_of:
            # a medical school named as its university plus school words: the university (both gold sets)
            best_rid = self._school_of[best_rid]
        if not self._reaches(best_score):
            rid, word = self._acronym_match(text, country, context)
            if rid is None:
                return None
            best_rid, best_score, best_part, best_info = rid, ACRONYM_SCORE, word, None
        others = self._others(text, context, country, best_rid, best_part, found, exact) if found else ()
        return Candidate(best_rid, best_score, best_part,
                         self._features(text, context, country, best_rid, best_info, exact), others)

    def _better(self, score: float, raw: str, idx: int, via_span: bool, best_score: float, best_part: str | None,
                best_info: tuple | None) -> bool:
        """Whether a name (index ``idx``, matched on part ``raw`` with ``score``) beats the best so far. At an
        equal score capped at 100 (the city bonus of "University of Nebraska" for Lincoln does not count), the
        more specific name wins: one on a part that holds the best one's components and more ("University of
        California, Irvine" over "University of California") with a name at least as long; and a higher
        score with the bonus does not displace such a name from the part that holds its own. A span whose
        name is inside the best name, found on the same part, never displaces it."""
        if best_part is None:
            return score > best_score
        same_part = raw == best_part or _holds(best_part, raw)
        if same_part and via_span and set(self._name_text[idx].split()) < set(self._name_text[best_info[1]].split()):
            return False  # a span inside the best name, found on the same part trimmed ("queen college" of
            # "queen college city university new york" once "New York" is cut as a city)
        capped, best_capped = min(score, 100.0), min(best_score, 100.0)
        if capped != best_capped:
            return capped > best_capped
        words, best_words = self._name_words[idx], self._name_words[best_info[1]]
        if _holds(raw, best_part) and words >= best_words:
            return True
        if same_part and best_words > words:
            return False  # the same part trimmed of its city ("University of Nebraska, Lincoln" → the system)
        return score > best_score

    def _others(self, text: str, context: str, country: str | None, best_rid: str, best_part: str,
                found: dict, exact: frozenset) -> tuple:
        """Other organisations the address names (issue 29: "Jet Propulsion Laboratory, California Institute of
        Technology"; "Yale University, USA / CentraleSupélec, France"): the best organisation of each other
        part that reaches the threshold, in components the chosen ones do not use, best score first; never a
        unit or an ancestor of an organisation already chosen (the parent stands for its units)."""
        used = set(_components_of(best_part))
        chosen = [best_rid]
        out = []
        for rid, (score, raw, info) in sorted(found.items(), key=lambda kv: (-kv[1][0], kv[0])):
            # a piece of a used component ("Women's Hospital" of "Brigham and Women's Hospital") is used too
            if rid == best_rid or not self._reaches(score) or any(
                    a in b or b in a for a in _components_of(raw) for b in used):
                continue
            if any(self._related(rid, c) for c in chosen):
                continue
            used |= set(_components_of(raw))
            chosen.append(rid)
            out.append((rid, score, raw, self._features(text, context, country, rid, info, exact)))
        return tuple(out)

    def _promoted(self, cand: Candidate, conf: float) -> tuple[Candidate, float]:
        """When the best organisation falls short of the cut-off, the most confident other organisation the
        address names (``cand.others``) that reaches it, in its place ("The Robotics Institute, Carnegie
        Mellon Univ.": the institute of another country abstains, Carnegie Mellon University is kept);
        else ``cand`` itself."""
        scored = [(confidence(o[3], self.model), i) for i, o in enumerate(cand.others)]
        best = max(scored, key=lambda ci: (ci[0], -ci[1]), default=None)
        if best is None or best[0] < self.min_confidence:
            return cand, conf
        rid, score, part, features = cand.others[best[1]]
        return Candidate(rid, score, part, features, cand.others[:best[1]] + cand.others[best[1] + 1:]), best[0]

    def _related(self, a: str, b: str) -> bool:
        """Whether ``a`` is a unit (descendant) or an ancestor of ``b`` in the registry."""
        return a in self._ancestors(b) or b in self._ancestors(a)

    def _match(self, address: str, raw: bool = True, whole: bool = True) -> AffiliationMatch:
        """``raw``: the text may have lost separators (cut again first); ``whole``: it may join several
        affiliations (then each is matched on its own)."""
        text = address if isinstance(address, str) else ""
        if raw and self._org:
            clean = unglue(text, self._postings[None])  # "University of PennsylvaniaPhiladelphiaPA"
            if clean != text:
                return replace(self._match(clean, raw=False), input=text)
        if whole and self._org and text.strip():
            segments = affiliation_segments(text, self.fold_hk_mo)
            if len(segments) > 1:  # several affiliations, each with its country: each matched on its own
                return self._joined(text, [self._match(segment, raw=False, whole=False) for segment in segments])
        country = resolve_country(text, self.fold_hk_mo) if text.strip() else None
        unmatched = AffiliationMatch(text, None, None, country, None, 0.0, None, country, None)
        if not self._org or not text.strip():
            return unmatched
        skipped = max(len(split_components(text)) - MAX_COMPONENTS, 0)
        if skipped:
            unmatched = AffiliationMatch(text, None, None, country, None, 0.0, None, country, None,
                                         components_skipped=skipped)
        cand = self._candidate(text, _search_country(country))
        # issue 29: where the address names no country, the one its places imply (city_country) outranks an
        # organisation of another country whose city the address does not name (searched again in that
        # country), and is the country on abstention
        guess = self._city_countries.country(text) if country is None else None
        if guess and cand is not None and not self._in_country(cand.ror_id, guess) \
                and f" {self._org[cand.ror_id][3]} " not in f" {normalise_name(text)} ":
            cand = self._candidate(text, guess)
        conf = confidence(cand.features, self.model) if cand is not None else 0.0
        if cand is not None and conf < self.min_confidence:
            cand, conf = self._promoted(cand, conf)
        if cand is None or conf < self.min_confidence:
            if country is None and not guess and cand is not None:  # issue 29: an unsure organisation's country
                o_name, _, o_country, o_city, _ = self._org[cand.ror_id]
                guess = weak_candidate_country(text, o_name, o_city, _fold(o_country, self.fold_hk_mo),
                                               cand.features, conf, self._cities[None], cand.part)
            return replace(unmatched, country_code=guess) if guess else unmatched
        others = []
        for rid, score, _part, features in cand.others:
            other_conf = confidence(features, self.model)
            if other_conf >= max(self.multi_confidence, self.min_confidence):
                o_name, o_type, o_country, _, _ = self._org[rid]
                o_country = country if country in HISTORICAL_CODES else _fold(o_country, self.fold_hk_mo) or country
                others.append((rid, o_name, o_country, SECTOR_OF_TYPE.get(o_type) if o_type else None,
                               round(min(score, 100.0), 1), round(other_conf, 4)))
        name, rtype, ror_country, _, _ = self._org[cand.ror_id]
        # a historical country the address names (Czechoslovakia: CS) stays the work's country: the
        # organisation's country today is one of its successors
        output_country = country if country in HISTORICAL_CODES else _fold(ror_country, self.fold_hk_mo) or country
        return AffiliationMatch(text, cand.ror_id, name, output_country,
                                SECTOR_OF_TYPE.get(rtype) if rtype else None, round(min(cand.score, 100.0), 1),
                                rtype, country, cand.part, round(conf, 4), skipped, tuple(others))

    def _joined(self, text: str, results: list[AffiliationMatch]) -> AffiliationMatch:
        """One result for a string of several affiliations: every organisation of every segment (first
        segment first; none twice, no unit beside its parent) and every segment's country."""
        orgs: list[tuple] = []
        for m in results:
            mine = ([(m.ror_id, m.name, m.country_code, m.sector, m.score, m.confidence)] if m.ror_id else [])
            for org in mine + list(m.others):
                if not any(org[0] == o[0] or self._related(org[0], o[0]) for o in orgs):
                    orgs.append(org)
        orgs = orgs[:1] if self.multi_confidence > 1 else orgs  # one organisation per address, as before issue 29
        countries = tuple(dict.fromkeys(c for m in results for c in m.country_codes))
        country = resolve_country(text, self.fold_hk_mo)
        skipped = sum(m.components_skipped for m in results)
        if not orgs:
            return AffiliationMatch(text, None, None, countries[0] if countries else country, None, 0.0, None,
                                    country, None, components_skipped=skipped, extra_countries=countries[1:])
        first = next(m for m in results if m.ror_id == orgs[0][0])
        rid, name, org_country, sector, score, conf = orgs[0]
        return AffiliationMatch(text, rid, name, org_country, sector, score, first.ror_type, country,
                                first.matched_part, conf, skipped, tuple(orgs[1:]), countries)

    def match_many(self, addresses: Iterable[str]) -> list[AffiliationMatch]:
        return [self.match(a) for a in addresses]
