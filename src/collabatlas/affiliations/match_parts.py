"""The parts of an address the affiliation matcher scores (docs/affiliations.md, "Matcher design" 2):
each component, each pair of adjacent components, each text in parentheses, the organisations a component
joins with `` and ``/``/`` (``INFN and University of Bologna``), and each part without the place names that
end it. :class:`collabatlas.affiliations.matching.AffiliationMatcher` inherits :class:`AddressParts` (the
registry cities, country words and name look-ups it reads are the matcher's)."""

from __future__ import annotations

import re

from collabatlas.affiliations.address_country import component_words, country_names, split_components
from collabatlas.affiliations.match_segments import joined_pieces
from collabatlas.affiliations.normalisation import LEGAL_WORDS, normalise_name

_PARENS = re.compile(r"\(([^()]*)\)")
# the words (normalised) after a university's name that make a component one of its professional schools
# ("Yale School of Medicine", "Columbia Law School", "Bristol Veterinary School"); a registry without the
# school's own record matches the component as the university (docs/affiliations.md, "Matcher design" 7)
SCHOOL_WORDS = ("school medicine", "medical school", "college medicine", "law school", "school law",
                "veterinary school", "school veterinary medicine", "dental school", "school dentistry",
                "school public health", "school nursing")


class AddressParts:
    """The address-part methods of :class:`collabatlas.affiliations.matching.AffiliationMatcher`."""

    def _trim_places(self, norm: str, country: str | None) -> str | None:
        """``norm`` without the registry cities and country names that end it ("murdoch university
        australia" → "murdoch university"), when at least two words, one of them not common, remain."""
        words = norm.split()
        towns = self._cities.get(country, set()) if country else self._cities[None]
        trimmed = True
        while trimmed:
            trimmed = False
            for k in (3, 2, 1):
                tail = " ".join(words[-k:])
                if len(words) > k and (tail in towns or tail in self._country_words):
                    words, trimmed = words[:-k], True
                    break
        if len(words) == len(norm.split()) or len(words) < 2:
            return None
        if self._all_common(words):
            return None
        return " ".join(words)

    @staticmethod
    def _legal_only(component: str) -> bool:
        return set(normalise_name(component).split()) <= LEGAL_WORDS

    def _parts(self, address: str, country: str | None = None) -> list[tuple[str, str]]:
        """(raw, normalised) parts: each component, each pair of adjacent components, each text in
        parentheses, and each part without the place names that end it."""
        raw_components = split_components(address)
        components = [_PARENS.sub(" ", c).strip() for c in raw_components]
        inside = [q.strip() for c in raw_components for q in _PARENS.findall(c)]  # "(Zhejiang University)"
        # "INFN and University of Bologna": each piece, when it has a word that is not common
        inside += [p for c in components for p in self._pieces(c, country)]
        # a component that is only a country or US state name ("South Korea", "Peoples R China") names
        # no institution: left out, or "LG (South Korea)" would match every Korean address
        # likewise a component that is only a registry city ("Atsugi", "Tsukuba 305"): the registry's
        # "Atsugi" (an alias of Atsugi Co., Ltd.) must not match every address in Atsugi
        # (alone; a pair with it stays: "Kaunas, University of Technology")
        places = country_names()
        components = [c for c in components if c and " ".join(component_words(c)) not in places]
        inside = [c for c in inside if c and " ".join(component_words(c)) not in places]
        parts = [(c, normalise_name(c)) for c in components + inside]
        # ("New York City" is the city too)
        parts = [(c, norm) for c, norm in parts if norm not in self._cities[None]
                 and norm.removesuffix(" city") not in self._cities[None]]
        # a legal form ends a name ("APC, Inc."): a pair that starts with one ("Inc., Cupertino") names none
        parts += [(f"{a}, {b}", normalise_name(f"{a} {b}")) for a, b in zip(components, components[1:], strict=False)
                  if not self._legal_only(a)]
        parts = [(raw, norm) for raw, norm in parts
                 if norm and not norm.isdigit() and not set(norm.split()) <= LEGAL_WORDS]
        trimmed = [(raw, self._trim_places(norm, country)) for raw, norm in parts]
        return parts + [(raw, norm) for raw, norm in trimmed if norm]

    def _pieces(self, component: str, country: str | None) -> list[str]:
        """The organisations a component joins (``joined_pieces``), each with a word that is not common; none
        when a registry name of the country runs across a join ("Zhejiang University of Science and
        Technology Department of …" is not "Zhejiang University of Science" and "Technology Department")."""
        pieces = [p for p in joined_pieces(component) if not self._all_common(normalise_name(p).split())]
        if pieces:
            span = self._span_name(normalise_name(component), country)
            if span >= 0 and not any(f" {self._name_text[span]} " in f" {normalise_name(p)} " for p in pieces):
                return []
        return pieces

    def _school_parents(self, text: str, country: str | None) -> str:
        """``text`` with each component that is a university's professional school ("Yale School of Medicine",
        "Harvard Medical School", "Washington University School of Medicine") written as the university's
        registry name, when the school has no registry name of its own and the university is exactly one
        organisation of the country: ``P`` + school words, where ``P``, ``P university`` or ``university P``
        is its name."""
        if "chool" not in text and "ollege" not in text:
            return text
        components = split_components(text)
        norms = [normalise_name(_PARENS.sub(" ", c)) for c in components]
        for component, norm in zip(components, norms, strict=True):
            suffix = next((w for w in SCHOOL_WORDS if norm.endswith(" " + w)), None)
            if suffix is None or norm in self._exact:
                continue
            stem = norm[:-len(suffix) - 1]
            if self._all_common(stem.split()) or any(f" {stem} " in f" {n} " for n in norms if n not in (norm, stem)):
                continue  # a university written in another component ("Nottingham Law School, Nottingham Trent
                # University"; the city alone, "Bristol", is none): the school is that one's
            for name in (stem, f"{stem} university", f"university {stem}"):
                orgs = {self._name_org[i] for i in self._exact.get(name, ())
                        if country is None or self._in_country(self._name_org[i], country)}
                # without a country, only an organisation of the OpenAlex list (not a namesake abroad)
                if len(orgs) == 1 and (country is not None or orgs <= self._listed):
                    text = text.replace(component, self._org[orgs.pop()][0].replace(",", " "), 1)
                    break
        return text
