"""The registry-name look-ups of the affiliation matcher (:class:`collabatlas.affiliations.matching.
AffiliationMatcher` inherits :class:`NameLookup`; the registry state they read — names, postings, inverse
document frequencies, works counts — is the matcher's): the candidate names of a part, the best of them by
fuzzy score (with the size prior of a registry that counts works), and the registry names written word for
word inside a part (spans)."""

from __future__ import annotations

import re

import numpy as np
from rapidfuzz import fuzz, process

SPAN_SCORE = 90.0        # a registry name written word for word inside a longer part whose fuzzy score fails
MAX_SPAN_WORDS = 8       # the longest registry name looked up as a span of a part
SIZE_RATIO = 3.0         # of names with the best score, one with this many times (plus one) the works wins
COMMON_WORD_DF = 1_500   # words in more registry names than this do not generate candidates on their own
FEW_CHOICES = 6         # up to this many names are scored in a loop rather than with rapidfuzz's cdist
TOP_CANDIDATES = 64      # candidates (by shared-word weight) scored with rapidfuzz per part


# a given name before a middle initial ("Thomas J. Watson", "Charles R. Drew"): addresses often write it as an
# initial too ("IBM T. J. Watson Research Center")
_GIVEN_NAME = re.compile(r"\b([A-Z])[a-z]+(?= [A-Z]\. ?[A-Z][a-z])")


# initials that open a name, before a surname and at least two more words ("N. I. Lobachevsky State
# University", "I. M. Sechenov First Moscow State Medical University"; not "U.S."): addresses often leave them out
_LEADING_INITIALS = re.compile(r"^(?!U\. ?S\.)(?:[A-Z]\. ?){2,3}(?!(?:College|Group|School|Institute|University|"
                               r"Hospital|Cent(?:er|re)|Foundation|Company|Corporation|Research|National)\b)"
                               r"(?=[A-Z][a-z]+(?: \S+){2,})")


def initialled(name: str) -> list[str]:
    """The registry name written as addresses write it otherwise: each given name before a middle initial as its
    initial ("IBM Research - Thomas J. Watson Research Center" → "IBM Research - T. J. Watson Research Center"),
    and without the initials that open it ("N. I. Lobachevsky State University of Nizhny Novgorod" →
    "Lobachevsky State University of Nizhny Novgorod"); none when neither applies."""
    variants = [_GIVEN_NAME.sub(r"\1.", name), _LEADING_INITIALS.sub("", name)]
    return [v for v in dict.fromkeys(variants) if v != name]


def _scores(part: str, choices: list[str], scorer) -> np.ndarray:
    """``scorer(part, choice)`` for each choice as float32 (rapidfuzz's ``cdist``; a plain loop for a few
    choices, where ``cdist``'s setup costs more than the scoring)."""
    if len(choices) <= FEW_CHOICES:
        return np.array([scorer(part, c) for c in choices], dtype=np.float32)
    return process.cdist([part], choices, scorer=scorer, dtype=np.float32)[0]


class NameLookup:
    """The name look-up methods of :class:`collabatlas.affiliations.matching.AffiliationMatcher`."""

    def _candidates(self, words: list[str], country: str | None) -> np.ndarray:
        postings = self._postings.get(country, {}) if country else self._postings[None]
        known = sorted(w for w in set(words) if w in postings)  # sorted: the same sums, the same ties, every run
        rare = [w for w in known if len(self._postings[None][w]) <= COMMON_WORD_DF] or known
        if not rare:
            return np.empty(0, dtype=np.int64)
        # one word: its postings are already sorted and distinct
        index = postings[rare[0]] if len(rare) == 1 else np.concatenate([postings[w] for w in rare])
        if len(rare) == 1:
            cand = index
        else:  # the distinct indices, sorted (np.unique's result, without its overhead on small arrays)
            cand = np.sort(index)
            cand = cand[np.concatenate(([True], cand[1:] != cand[:-1]))]
        if len(cand) > TOP_CANDIDATES:
            weight = np.concatenate([np.full(len(postings[w]), self._idf[w]) for w in rare])
            overlap = np.bincount(np.searchsorted(cand, index), weights=weight)
            for word in sorted(set(known) - set(rare)):  # common words rank, they do not generate
                post = postings[word]
                at = np.minimum(np.searchsorted(post, cand), len(post) - 1)
                overlap += self._idf[word] * (post[at] == cand)
            cand = cand[np.argsort(-overlap, kind="stable")[:TOP_CANDIDATES]]
        return cand

    def _best_name(self, part: str, country: str | None) -> tuple[int, float, float]:
        """(name index, fuzzy score, best score of another organisation) of the best registry name for one
        normalised part; (-1, 0, 0) if none."""
        key = (part, country)
        if key in self._part_cache:
            return self._part_cache[key]
        cand = self._candidates(part.split(), country)
        best = (-1, 0.0, 0.0)
        if len(cand):
            choices = self._name_array[cand].tolist()
            scores = _scores(part, choices, fuzz.token_sort_ratio)
            # the subset score only helps a name contained in a longer part ("graduate school university
            # tokyo" ⊃ "university tokyo"), never a part contained in a longer name ("chicago" ⊂ "chicago zoo"):
            # the mean of both for the names no longer than the part, computed for those only
            shorter = np.flatnonzero(self._name_words[cand] <= len(part.split()))
            if len(shorter):
                subset = _scores(part, [choices[i] for i in shorter.tolist()], fuzz.token_set_ratio)
                scores[shorter] = (scores[shorter] + subset) / 2
            scores = scores - self._penalty[cand]
            top = self._tie_break(part, choices, cand, scores, int(np.argmax(scores)))
            others = scores[self._name_org_ix[cand] != self._name_org_ix[cand[top]]]
            best = (int(cand[top]), float(scores[top]), float(others.max()) if len(others) else 0.0)
        self._part_cache[key] = best
        return best

    def _tie_break(self, part: str, choices: list[str], cand: np.ndarray, scores: np.ndarray, top: int) -> int:
        """Among the names with the best score, the one written in the part's word order ("Miami Univ." is
        Miami University, not the University of Miami: ``fuzz.ratio``), then, when the registry counts works,
        the one of the organisation with at least :data:`SIZE_RATIO` times (plus one) the works of the first
        (a size prior: "Xi'an University of Technology", Xi'an Technological University); else ``top``."""
        tied = np.flatnonzero(scores == scores[top])
        if len(tied) < 2:
            return top
        order = np.array([fuzz.ratio(part, choices[i]) for i in tied.tolist()])
        tied = tied[order == order.max()]
        top = int(tied[0])
        if self._works and len(tied) > 1:
            works = self._name_works[cand[tied]]
            if works.max() >= SIZE_RATIO * (self._name_works[cand[top]] + 1):
                top = int(tied[int(np.argmax(works))])
        return top

    def _span_name(self, part: str, country: str | None) -> int:
        """The longest registry name (2–8 words, one of them not common) written word for word inside the
        normalised ``part`` and naming one organisation of ``country``; its name index, else -1."""
        key = (part, country)
        if key in self._span_cache:
            return self._span_cache[key]
        words, found, at = part.split(), -1, (0, 0)
        for length in range(min(len(words) - 1, MAX_SPAN_WORDS), 1, -1):
            for start in range(len(words) - length + 1):
                found = self._span_at(words, start, length, country)
                if found >= 0:
                    at = (start, length)
                    break
            if found >= 0:
                break
        if found >= 0:
            found = self._earlier_name(words, at, found, country)
        self._span_cache[key] = found
        return found

    def _earlier_name(self, words: list[str], at: tuple[int, int], found: int, country: str | None) -> int:
        """A registry name that starts before the span ``at`` (start, length) and runs into it: the span
        begins inside that earlier name, so the earlier name is the one written — its name index when it
        names one organisation ("columbia university" before "university new york"), -1 when it names
        several ("university illinois" before "illinois college": no span), else ``found``."""
        start, _ = at
        for first in range(max(start - MAX_SPAN_WORDS + 1, 0), start):
            for n in range(min(MAX_SPAN_WORDS, len(words) - first), start - first, -1):
                names = self._span_names(words, first, n, country)
                if not names:
                    continue
                orgs = {self._name_org[i] for i in names}
                if len(orgs) > 1:
                    return -1
                return found if orgs == {self._name_org[found]} else names[0]
        return found

    def _span_names(self, words: list[str], start: int, length: int, country: str | None) -> list[int]:
        """The name indices of the registry names ``words[start:start + length]`` of ``country`` (none when
        every word of it is common)."""
        span = words[start:start + length]
        names = self._exact.get(" ".join(span))
        if not names or self._all_common(span):
            return []
        return [i for i in names if country is None or self._in_country(self._name_org[i], country)]

    def _span_at(self, words: list[str], start: int, length: int, country: str | None) -> int:
        """The name index of the registry name ``words[start:start + length]`` when it has a word that is not
        common and names one organisation of ``country``; else -1."""
        names = self._span_names(words, start, length, country)
        return names[0] if names and len({self._name_org[i] for i in names}) == 1 else -1

    def _all_common(self, words: list[str]) -> bool:
        """Whether every word is in more than :data:`COMMON_WORD_DF` registry names (names nothing alone)."""
        return all(len(self._postings[None].get(w, ())) > COMMON_WORD_DF for w in words)

    def _spaced_name(self, part: str, country: str | None) -> int:
        """The registry name that is ``part`` with its words split or joined otherwise ("postgraduate
        institute …" = "post graduate institute …", "jiao tong" = "jiaotong"; the same letters without spaces)
        and names one organisation of ``country``, when the part is not that name already; else -1."""
        if not hasattr(self, "_compact"):
            compact: dict[str, list[int]] = {}
            for i, text in enumerate(self._name_text):
                if " " in text:
                    compact.setdefault(text.replace(" ", ""), []).append(i)
            self._compact = compact
        names = [i for i in self._compact.get(part.replace(" ", ""), ())
                 if self._name_text[i] != part and (country is None or self._in_country(self._name_org[i], country))]
        return names[0] if names and len({self._name_org[i] for i in names}) == 1 else -1
