"""The abstain-rule features of a candidate organisation (:data:`collabatlas.affiliations.match_model.
ABSTAIN_FEATURES` and ``ABSTAIN_FEATURES_LISTED``), computed by the matcher of
:mod:`collabatlas.affiliations.matching`, which inherits :class:`CandidateFeatures` (the registry state it
reads — names, cities, postings, the OpenAlex-listed organisations — is the matcher's)."""

from __future__ import annotations

import math
import re

from collabatlas.affiliations.address_country import split_components
from collabatlas.affiliations.match_model import QUALIFIER_WORDS
from collabatlas.affiliations.normalisation import normalise_name

ACRONYM_SCORE = 90.0     # the score of an organisation matched by its acronym alone


def _fold(code: str | None, fold_hk_mo: bool) -> str | None:
    return "CN" if fold_hk_mo and code in ("HK", "MO") else code


class CandidateFeatures:
    """The feature methods of :class:`collabatlas.affiliations.matching.AffiliationMatcher`."""

    def _features(self, text: str, context: str, country: str | None, rid: str, info: tuple | None,
                  exact: frozenset | None = None) -> dict:
        """The abstain-rule features (:data:`ABSTAIN_FEATURES`) of candidate ``rid`` for one address
        (``exact``: its words as written, before acronyms were written out; default: those of ``text``)."""
        if exact is None:
            exact = frozenset(re.findall(r"[A-Za-z][A-Za-z&\-]+", text))
        _, rtype, ror_country, city, _ = self._org[rid]
        folded = _fold(ror_country, self.fold_hk_mo)
        words = set(context.split())
        if info is None:  # matched by its acronym
            norm, score, margin, name_words, via_span, whole = "", ACRONYM_SCORE, 0.0, [], False, ""
        else:
            norm, idx, score, second, via_span, whole = info
            name_words = self._name_text[idx].split()
            margin = score - second
        same_name = bool(norm) and not via_span and norm == " ".join(name_words)
        # the name written word for word inside a longer part ("department physics national university
        # singapore"), the span look-up naming this organisation
        inside = via_span or (bool(norm) and not same_name and self._span_org(whole, country) == rid)
        towns = self._cities.get(folded, set())
        # a registry city of its country or a country name written in the part ("Murdoch Univ Australia")
        # does not count as an extra word
        part_words = set(self._without_places(norm, towns, set(name_words)).split())
        outside = context.replace(f" {norm} ", " ", 1) if norm else context
        city_in = bool(city) and f" {city} " in outside
        # another city of the organisation's country written as an address component ("Tsukuba")
        components = {normalise_name(c) for c in split_components(text)}
        city_other = not city_in and any(c in towns and c != city and c not in norm for c in components if c)

        def idf(w: str) -> float:
            return self._idf.get(w, self._idf_unknown)

        # the name's rarest word: a distinctive word ("Ito Hospital", "Klabat") against names of common words
        # only ("Institute of Archaeology", "Trinity College"), which many organisations bear
        rarest = max((idf(w) for w in name_words), default=0.0) / self._idf_unknown
        name_weight = sum(idf(w) for w in name_words) or 1.0
        part_weight = sum(idf(w) for w in part_words) or 1.0
        name_missing = sum(idf(w) for w in name_words if w not in words) / name_weight
        part_extra = sum(idf(w) for w in part_words if w not in set(name_words)) / part_weight
        return {"score": min(score, 100.0) / 100.0, "city_in": float(city_in), "city_other": float(city_other),
                "name_missing": name_missing, "part_extra": part_extra,
                "name_word_missing": float(name_missing > 0), "part_word_extra": float(part_extra > 0),
                "both_differ": float(name_missing > 0 and part_extra > 0),
                "acronym_in": float(any(a in exact for a in self._org_acronyms.get(rid, ()))),
                "margin": min(margin, 20.0) / 20.0, "via_acronym": float(info is None),
                "no_country": float(country is None), "one_word_name": float(len(name_words) == 1),
                "company": float(rtype == "company"), "same_name": float(same_name),
                "via_span": float(via_span), "listed": float(rid in self._listed), "name_inside": float(inside),
                "rarest_word": rarest, "works": min(math.log10(self._works.get(rid, 0) + 1.0), 7.0) / 7.0,
                "qualifier_extra": float(bool((part_words - set(name_words)) & QUALIFIER_WORDS)
                                         or (via_span and bool(self._neighbours(whole, norm) & QUALIFIER_WORDS)))}

    @staticmethod
    def _neighbours(part: str, span: str) -> set[str]:
        """The words just before and just after ``span`` inside ``part`` (normalised texts)."""
        words, inner = part.split(), span.split()
        for i in range(len(words) - len(inner) + 1):
            if words[i:i + len(inner)] == inner:
                return set(words[max(i - 1, 0):i] + words[i + len(inner):i + len(inner) + 1])
        return set()

    def _without_places(self, norm: str, towns: set[str], keep: set[str]) -> str:
        """``norm`` without the whole city names of ``towns`` and country names it contains (1–3 words;
        words in ``keep`` — the candidate's name — stay)."""
        words = norm.split()
        drop = [False] * len(words)
        for k in (3, 2, 1):
            for i in range(len(words) - k + 1):
                span = words[i:i + k]
                if not any(drop[i:i + k]) and not set(span) <= keep:
                    text = " ".join(span)
                    # a city that shares a word with the name ("New Delhi" for IIT Delhi): its other words go
                    if text in towns or (text in self._country_words and not set(span) & keep):
                        drop[i:i + k] = [w not in keep for w in span]
        return " ".join(w for w, d in zip(words, drop, strict=True) if not d)

    def _span_org(self, part: str, country: str | None) -> str | None:
        """The organisation whose name :meth:`_span_name` finds inside ``part``, or None."""
        span = self._span_name(part, country)
        return self._name_org[span] if span >= 0 else None
