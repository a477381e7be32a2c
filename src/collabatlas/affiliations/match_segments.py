"""Two pieces of the matcher (issue 29): acronyms and short forms as candidates, and several affiliations
written in one string.

**Acronyms** (:func:`expand_acronyms`): a registry acronym (``MIT``, ``UCLA``, ``KTH``, ``CNRS``,
``INSERM``) written in capitals as a whole address component or in parentheses is written out as the
organisation's name before the address is matched — but only when it names exactly one organisation that
is *both* in the country the address resolves to and whose registry city is written after it in the
address (``MIT, Cambridge, MA 02139 USA`` → Massachusetts Institute of Technology; ``MIT, Melbourne,
Australia`` → Melbourne Institute of Technology; ``MIT, Auckland`` with no country resolved → nothing;
``Canberra, ACT, Australia`` → nothing, the city is before the state code). The written-out name is then
scored and passes the abstain rule as a name written in full would.

**Several affiliations** (:func:`affiliation_segments`): a string that joins whole affiliations, each with
its own country (``Yale University, USA / CentraleSupélec, France``; ``…, Kanpur, India and Ambedkar Centre,
University of Delhi, Delhi, India``; ``…; …``, one per line), is cut at ``;``, line breaks, `` / ``, `` + ``,
`` and `` and `` & `` before a capital: a piece closes a segment when its last component names a
country by the address rules; pieces without one stay with their neighbours (``Department of Physics and
Astronomy`` is not cut). Each segment is then matched as an address of its own (its own country restricts
its candidates) and the organisations of all segments are returned, with every segment's country.
"""

from __future__ import annotations

import re

from collabatlas.affiliations.address_country import resolve_country, split_components
from collabatlas.affiliations.normalisation import EXPORT_MARKERS, normalise_name

# an acronym: a capitalised word of 3–12 letters (``&`` and ``-`` allowed inside)
ACRONYM = re.compile(r"^[A-Z][A-Z&\-]{2,11}$")
_PARENS = re.compile(r"\(([^()]*)\)")
# where one affiliation may end and the next begin; `` and ``/`` & `` only before a capital
_JOINS = re.compile(r"\s+(?:and|\+)\s+|\s*/\s*")
SEGMENT_SEPARATOR = re.compile(r"(\s*;\s*|\s*[\n\r]+\s*|\s+/\s+|\s+\+\s+|,?\s+(?:and|&)\s+(?=[A-Z]))")


_CAMEL = re.compile(r"(?<=[a-zß-ÿ]{3})(?=[A-ZÀ-Þ][a-zß-ÿ])|(?<=[a-zß-ÿ]{3})(?=[A-Z]{2}\b)")
_LETTERS = re.compile(r"[A-Za-zÀ-ÿ]*[a-zß-ÿ]{3}[A-ZÀ-Þ][A-Za-zÀ-ÿ]*")
_GLUE_HINT = re.compile(r"[a-zß-ÿ][A-ZÀ-Þ\d]|\d[A-ZÀ-Þ][a-zß-ÿ]")
_DIGIT_LETTER = re.compile(r"(?<=[a-zß-ÿ]{3})(?=\d)|(?<=\d)(?=[A-ZÀ-Þ][a-zß-ÿ])")


def unglue(text: str, known: set[str] | dict) -> str:
    """Components whose separators were lost (markup stripped from Crossref metadata: ``University of
    PennsylvaniaPhiladelphiaPA``, ``Kagoshima University1-21-40``, a footnote mark ``1Kyungpook National
    University``) cut again: a comma where a lower-case word runs into a capitalised one, a space between
    a word and digits — unless the word, lower-cased, is a registry word (``AstraZeneca``, ``PowerChina``)."""
    def cut(match: re.Match) -> str:
        word = match.group(0)
        return word if normalise_name(word).replace(" ", "") in known else _CAMEL.sub(", ", word)

    if not _GLUE_HINT.search(text):  # the common case, cheaply
        return text
    return _DIGIT_LETTER.sub(" ", _LETTERS.sub(cut, text))


def joined_pieces(component: str) -> list[str]:
    """The organisations one component may join (``INFN and University of Bologna``, ``University of
    Bern/AstraZeneca``, ``CNRS / Université Paul Sabatier``): its pieces between `` and ``, `` + `` and ``/``
    when there are several, each starting with a capital and of two words or more, or an acronym, or a
    word in a component with a slash; else none (``&`` joins words of one name too often: ``Sci &
    Technol``). The matcher scores them as parts beside the whole component."""
    if not _JOINS.search(component):
        return []
    pieces = [p.strip() for p in _JOINS.split(component)]
    slash = "/" in component  # "Bern/AstraZeneca": a one-word name after a slash is a name
    pieces = [p for p in pieces if p[:1].isupper()
              and (len(p.split()) >= 2 or ACRONYM.match(p) or (slash and len(p) >= 4))]
    return pieces if len(pieces) >= 2 else []


def all_capitals(address: str) -> bool:
    """Whether the address is (mostly) written in capitals: then every word looks like an acronym."""
    letters = [c for c in EXPORT_MARKERS.sub(" ", address) if c.isalpha()]  # "#TAB#" is no capital word
    return bool(letters) and sum(c.isupper() for c in letters) > 0.6 * len(letters)


def expand_acronyms(text: str, country: str | None, acronyms: dict[str, list[str]], in_country, city_of,
                    name_of) -> str:
    """``text`` with each guarded acronym written out as its organisation's name (module docstring).

    ``acronyms``: acronym → organisation ids; ``in_country(rid, country)``; ``city_of(rid)``: the normalised
    registry city; ``name_of(rid)``: the display name."""
    if country is None or all_capitals(text):
        return text
    # an acronym standing alone as a component ("Dept Phys, MIT, Cambridge") or in parentheses; not one
    # inside a longer name ("Chinese PLA General Hospital", "Royal Marsden NHS Foundation Trust")
    alone = {_PARENS.sub(" ", c).strip(" .-") for c in split_components(text)}
    alone |= {q.strip() for q in _PARENS.findall(text)}
    for word in sorted(w for w in alone if ACRONYM.match(w) and w in acronyms):
        exact = re.compile(r"(?<![A-Za-z&\-])" + re.escape(word) + r"(?![A-Za-z&\-])")
        first = exact.search(text)
        # the organisation's city is written after it, as in an address ("MIT, Cambridge, MA"), not before
        # it ("Canberra, ACT, Australia": a state code)
        after = " " + normalise_name(exact.sub(" ", text[first.end():])) + " "
        rids = [r for r in acronyms[word] if in_country(r, country) and city_of(r) and f" {city_of(r)} " in after]
        if len(rids) != 1:
            continue
        name = name_of(rids[0]).replace(",", " ").replace(";", " ")
        text = exact.sub(lambda _m, n=name: n, text)
    return text


def _country_at_end(piece: str, fold_hk_mo: bool) -> str | None:
    components = split_components(piece)
    if not components:
        return None
    return resolve_country(components[-1], fold_hk_mo)


def affiliation_segments(text: str, fold_hk_mo: bool = False) -> list[str]:
    """The affiliations a string joins, each ending with its country (module docstring); ``[text]`` when
    there are fewer than two."""
    if not SEGMENT_SEPARATOR.search(text):
        return [text]
    pieces = SEGMENT_SEPARATOR.split(text)  # piece, separator, piece, …
    segments: list[str] = []
    current, after_last = "", ""
    for i in range(0, len(pieces), 2):
        current += pieces[i]
        separator = pieces[i + 1] if i + 1 < len(pieces) else ""
        if len(split_components(current)) >= 2 and _country_at_end(pieces[i], fold_hk_mo) is not None:
            segments.append(current.strip())
            current, after_last = "", separator
        else:
            current += separator
    if current.strip():
        if not segments:
            return [text]
        # a tail without a country of its own ("…, Norway; and the Institute X") stays with the last segment
        segments[-1] = f"{segments[-1]}{after_last}{current.strip()}"
    return segments if len(segments) >= 2 else [text]
