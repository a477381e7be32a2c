"""Journal lists (the Nature Index journals, or your own) and how their entries match a store's sources.

A list is ``nature-index`` (the 145 journals of the Nature Index since June 2023), ``nature-index-82``
(the 82 journals of June 2018 – June 2023), both packaged reference data, or a file with one entry
per line: a title, an ISSN (``1234-567X``; the check character must fit, see
:mod:`collabatlas.counting.issn`), an OpenAlex source id (``S137773608``), or one or more ISSNs and a
title on one line, separated by a tab, ``;``, ``,`` or ``|`` (``0028-0836; 1476-4687; Nature``); ``#``
starts a comment. A line with the shape of an ISSN whose check character does not fit is an error
naming the file and line (a typo would otherwise match nothing, silently).

Matching, strictest first, never by prefix or substring:

1. an OpenAlex source id equals the work's ``source_id``;
2. an ISSN equals the work's linking ISSN (``works.issn_l``) or one of its ISSNs (``works.issns``:
   OpenAlex ``primary_location.source``, WoS ``SN``/``EI``, Scopus ``ISSN``, PubMed ``IS``); a line
   holding ISSNs and a title falls back to the title when none of its ISSNs matches;
3. the **normalised title** equals the normalised source name: accents folded, case folded, ``&`` →
   ``and``, punctuation dropped, a leading ``The`` dropped, spaces collapsed; then the small,
   tested alias table :data:`ALIASES` maps the Nature Index's spelling to the one OpenAlex, WoS and
   Scopus use (``JAMA: The Journal of the American Medical Association`` = ``JAMA``).

So Science ≠ Science of the Total Environment, Cell ≠ Cell Reports, Nature ≠ Nature Communications,
Physical Review Letters ≠ Physical Review E. :func:`match_sources` says which entry matched which
source and which matched none (``collabatlas journals``).

The Nature Index's own special rules — only some article kinds of Physical Review A/B/D, only the
letters of Astronomy & Astrophysics, only subject-classified papers of multidisciplinary journals —
need article-level metadata that OpenAlex and the exports do not carry; collabatlas counts every
work of a listed journal and says so in every caption (:data:`NOT_APPLIED`).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from collabatlas import refdata
from collabatlas.counting.issn import check_character, looks_like_issn, normalise_issn
from collabatlas.errors import UserError

LISTS = {
    "nature-index": ("nature-index-145", "Nature Index journals, 145, list of June 2023"),
    "nature-index-145": ("nature-index-145", "Nature Index journals, 145, list of June 2023"),
    "nature-index-82": ("nature-index-82", "Nature Index journals, 82, list of June 2018 – June 2023"),
}

NOT_APPLIED = ("Nature Index article-kind rules (Physical Review A/B/D, A&A letters, multidisciplinary "
               "journals' subject classification) not applied: every work of a listed journal counts")

_SEPARATORS = re.compile(r"\s*[\t;,|]\s*")
_SOURCE_ID = re.compile(r"^(?:https?://openalex\.org/)?([Ss]\d+)$")
_PUNCT = re.compile(r"[^0-9a-z]+")

#: normalised Nature Index spelling → normalised spelling in OpenAlex / WoS / Scopus (both are kept)
ALIASES: dict[str, tuple[str, ...]] = {
    "jama the journal of the american medical association": (
        "jama", "jama journal of the american medical association"),
    "proceedings of the national academy of sciences of the united states of america": (
        "proceedings of the national academy of sciences",),
    "proceedings of the royal society b": ("proceedings of the royal society b biological sciences",),
    "bmj": ("bmj british medical journal", "british medical journal"),
    "isme journal multidisciplinary journal of microbial ecology": ("isme journal",),
    "monthly notices of the royal astronomical society letters": (
        "monthly notices of the royal astronomical society letters",),
    "journal of bone and joint surgery american volume": ("journal of bone and joint surgery",),
    "angewandte chemie international edition": ("angewandte chemie international edition in english",),
    "embo journal": ("embo journal",),
    "journal of physical chemistry letters": ("journal of physical chemistry letters",),
}


def normalise_title(title: str) -> str:
    """The comparison key of a journal title (module docstring, rule 3, before aliases)."""
    folded = unicodedata.normalize("NFKD", str(title))
    folded = "".join(ch for ch in folded if not unicodedata.combining(ch)).casefold().replace("&", " and ")
    words = _PUNCT.sub(" ", folded).split()
    if words and words[0] == "the":
        words = words[1:]
    return " ".join(words)


def title_keys(title: str) -> tuple[str, ...]:
    """Every key a list entry's title matches: its normalised form and its aliases."""
    key = normalise_title(title)
    return (key, *ALIASES.get(key, ()))


#: SQL for the sources of a store that a list is matched against (:func:`match_sources` merges the rows
#: of one source that differ in their ISSNs)
SOURCES_SQL = ("SELECT source_id, source_name, issn_l, issns, count(*) AS works FROM works "
               "WHERE source_id IS NOT NULL OR source_name IS NOT NULL "
               "GROUP BY source_id, source_name, issn_l, issns")


@dataclass(frozen=True)
class JournalList:
    """A parsed list: ``entries`` is (line, kind, value, title) with kind ``title`` | ``issn`` |
    ``source_id``; an ``issn`` entry's value is its ISSNs joined by ``"; "`` and ``title`` the title
    on its line (``None`` when the line holds ISSNs only)."""

    name: str
    label: str
    entries: tuple[tuple[int, str, str, str | None], ...]

    @property
    def source_ids(self) -> tuple[str, ...]:
        return tuple(v for _, kind, v, _t in self.entries if kind == "source_id")

    @property
    def issns(self) -> tuple[str, ...]:
        return tuple(i for _, kind, v, _t in self.entries if kind == "issn" for i in v.split("; "))

    @property
    def titles(self) -> tuple[str, ...]:
        return tuple(v for _, kind, v, _t in self.entries if kind == "title")


def _issn_entry(part: str, where: str) -> str:
    """The normalised ISSN of a list entry part with the shape of an ISSN; an error when it is none."""
    issn = normalise_issn(part)
    if issn is None:
        digits = part.replace("-", "").strip().upper()
        raise JournalError(f"{where}: {part.strip()!r} is not a valid ISSN (its check character should be "
                           f"{check_character(digits[:7])!r}, not {digits[7]!r}); correct it or remove the line")
    return issn


def _parse(lines: list[str], name: str = "journal list") -> tuple[tuple[int, str, str, str | None], ...]:
    entries = []
    for number, raw in enumerate(lines, start=1):
        text = raw.split("#", 1)[0].strip().lstrip("\ufeff").strip()
        if not text:
            continue
        where = f"journal list {name}, line {number}"
        parts = [p for p in _SEPARATORS.split(text) if p]
        issns = [_issn_entry(p, where) for p in parts if looks_like_issn(p)]
        if issns:
            title = ", ".join(p for p in parts if not looks_like_issn(p)) or None
            entries.append((number, "issn", "; ".join(dict.fromkeys(issns)), title))
        elif m := _SOURCE_ID.match(text):
            entries.append((number, "source_id", m.group(1).upper(), None))
        else:
            entries.append((number, "title", text, None))
    return tuple(entries)


def load_list(spec: str) -> JournalList:
    """``nature-index``, ``nature-index-82`` or a file path (see the module docstring)."""
    key = spec.strip().lower()
    if key in LISTS:
        dataset, label = LISTS[key]
        return JournalList(key, label, _parse(refdata.read_text(dataset).splitlines()))
    path = Path(spec).expanduser()
    if not path.is_file():
        raise JournalError(f"journal list {spec!r}: not a file, and not one of {', '.join(LISTS)}")
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise JournalError(f"journal list {path}: cannot read it as UTF-8 text ({exc})") from exc
    entries = _parse(lines, str(path))
    if not entries:
        raise JournalError(f"journal list {path}: no entries (one title, ISSN or OpenAlex source id per line)")
    return JournalList(str(path), f"journals listed in {path.name} ({len(entries)})", entries)


class JournalError(UserError):
    """An unknown list, or a list file that cannot be read."""


def _values(cell) -> list[str]:
    """The ISSNs in one cell of a sources frame: a list (or array) of them, one ISSN, or nothing."""
    if isinstance(cell, str):
        return [cell]
    values = cell.tolist() if hasattr(cell, "tolist") else cell  # a numpy array (or scalar) as Python
    if isinstance(values, list | tuple):
        return [v for v in values if isinstance(v, str)]
    return []  # None, NaN, pandas.NA


def _merged_sources(sources: pd.DataFrame) -> list[tuple[object, object, set[str], int]]:
    """(source_id, source_name, ISSNs, works) per source: the rows of one (id, name) that differ in
    their ISSNs (:data:`SOURCES_SQL`) merged, in first-seen order."""
    merged: dict[tuple, list] = {}
    columns = [c for c in ("issn_l", "issns") if c in sources]
    for row in sources.itertuples(index=False):
        sid = row.source_id if isinstance(row.source_id, str) else None
        name = row.source_name if isinstance(row.source_name, str) else None
        entry = merged.setdefault((sid, name), [sid, name, set(), 0])
        for column in columns:
            entry[2].update(v.upper() for v in _values(getattr(row, column)))
        entry[3] += int(row.works)
    return [tuple(v) for v in merged.values()]


def match_sources(journals: JournalList, sources: pd.DataFrame) -> pd.DataFrame:
    """Which sources of a store each entry matches: ``line, entry, kind, source_id, source_name,
    matched_by, works`` (one row per match; entries without a match have empty source columns).

    ``sources`` has ``source_id, source_name, works`` and optionally ``issn_l`` and ``issns`` (a list
    per row), as :data:`SOURCES_SQL` gives them; rows of the same source are merged first."""
    merged = _merged_sources(sources)
    by_key: dict[str, list[int]] = {}
    by_id: dict[str, int] = {}
    by_issn: dict[str, list[int]] = {}
    for i, (sid, name, issns, _works) in enumerate(merged):
        if name:
            by_key.setdefault(normalise_title(name), []).append(i)
        if sid:
            by_id.setdefault(sid, i)
        for issn in sorted(issns):
            by_issn.setdefault(issn, []).append(i)

    def by_title(title: str, how: str = "") -> list[tuple[int, str]]:
        keys = title_keys(title)
        return [(i, ("title" if key == keys[0] else "title alias") + how) for key in keys for i in by_key.get(key, [])]

    rows = []
    for line, kind, value, title in journals.entries:
        if kind == "source_id":
            hits = [(by_id[value], "source id")] if value in by_id else []
        elif kind == "issn":
            hits = [(i, "ISSN") for issn in value.split("; ") for i in by_issn.get(issn, [])]
            if not hits and title:
                hits = by_title(title, " (no ISSN matched)")
        else:
            hits = by_title(value)
        seen = set()
        entry = value if title is None else f"{value}; {title}"
        for i, how in hits:
            if i in seen:
                continue
            seen.add(i)
            sid, name, _issns, works = merged[i]
            rows.append((line, entry, kind, sid, name, how, works))
        if not hits:
            rows.append((line, entry, kind, None, None, None, 0))
    return pd.DataFrame(rows, columns=["line", "entry", "kind", "source_id", "source_name", "matched_by", "works"])
