"""Journal lists (the Nature Index journals, or your own) and how their entries match a store's sources.

A list is ``nature-index`` (the 145 journals of the Nature Index since June 2023), ``nature-index-82``
(the 82 journals of June 2018 – June 2023), both packaged reference data, or a file with one entry
per line: a title, an ISSN (``1234-567X``) or an OpenAlex source id (``S137773608``); ``#`` starts a
comment.

Matching, strictest first, never by prefix or substring:

1. an OpenAlex source id equals the work's ``source_id``;
2. an ISSN equals one of the work's source ISSNs (when the store knows them);
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
from collabatlas.errors import UserError

LISTS = {
    "nature-index": ("nature-index-145", "Nature Index journals, 145, list of June 2023"),
    "nature-index-145": ("nature-index-145", "Nature Index journals, 145, list of June 2023"),
    "nature-index-82": ("nature-index-82", "Nature Index journals, 82, list of June 2018 – June 2023"),
}

NOT_APPLIED = ("Nature Index article-kind rules (Physical Review A/B/D, A&A letters, multidisciplinary "
               "journals' subject classification) not applied: every work of a listed journal counts")

_ISSN = re.compile(r"^\d{4}-?\d{3}[\dXx]$")
_SOURCE_ID = re.compile(r"^(?:https?://openalex\.org/)?([Ss]\d+)$")
_PUNCT = re.compile(r"[^0-9a-z]+")

#: normalised Nature Index spelling → normalised spelling in OpenAlex / WoS / Scopus (both are kept)
ALIASES: dict[str, tuple[str, ...]] = {
    "jama the journal of the american medical association": ("jama", "jama journal of the american medical association"),
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


@dataclass(frozen=True)
class JournalList:
    """A parsed list: ``entries`` is (line, kind, value) with kind ``title`` | ``issn`` | ``source_id``."""

    name: str
    label: str
    entries: tuple[tuple[int, str, str], ...]

    @property
    def source_ids(self) -> tuple[str, ...]:
        return tuple(v for _, kind, v in self.entries if kind == "source_id")

    @property
    def issns(self) -> tuple[str, ...]:
        return tuple(v for _, kind, v in self.entries if kind == "issn")

    @property
    def titles(self) -> tuple[str, ...]:
        return tuple(v for _, kind, v in self.entries if kind == "title")


def _parse(lines: list[str]) -> tuple[tuple[int, str, str], ...]:
    entries = []
    for number, raw in enumerate(lines, start=1):
        text = raw.split("#", 1)[0].strip().lstrip("\ufeff")
        if not text:
            continue
        if _ISSN.match(text):
            digits = text.replace("-", "").upper()
            entries.append((number, "issn", f"{digits[:4]}-{digits[4:]}"))
        elif m := _SOURCE_ID.match(text):
            entries.append((number, "source_id", m.group(1).upper()))
        else:
            entries.append((number, "title", text))
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
    entries = _parse(lines)
    if not entries:
        raise JournalError(f"journal list {path}: no entries (one title, ISSN or OpenAlex source id per line)")
    return JournalList(str(path), f"journals listed in {path.name} ({len(entries)})", entries)


class JournalError(UserError):
    """An unknown list, or a list file that cannot be read."""


def match_sources(journals: JournalList, sources: pd.DataFrame) -> pd.DataFrame:
    """Which sources of a store each entry matches: ``line, entry, kind, source_id, source_name,
    matched_by, works`` (one row per match; entries without a match have empty source columns).

    ``sources`` has ``source_id, source_name, works`` and optionally ``issns`` (a list per source)."""
    by_key: dict[str, list[int]] = {}
    for i, name in enumerate(sources["source_name"]):
        if isinstance(name, str) and name:
            by_key.setdefault(normalise_title(name), []).append(i)
    by_id = {sid: i for i, sid in enumerate(sources["source_id"]) if isinstance(sid, str)}
    by_issn: dict[str, list[int]] = {}
    for i, issns in enumerate(sources["issns"] if "issns" in sources else [None] * len(sources)):
        for issn in issns if isinstance(issns, list | tuple) else ():
            by_issn.setdefault(str(issn).upper(), []).append(i)
    rows = []
    for line, kind, value in journals.entries:
        if kind == "source_id":
            hits = [(by_id[value], "source id")] if value in by_id else []
        elif kind == "issn":
            hits = [(i, "ISSN") for i in by_issn.get(value, [])]
        else:
            hits = [(i, "title" if key == title_keys(value)[0] else "title alias")
                    for key in title_keys(value) for i in by_key.get(key, [])]
        seen = set()
        for i, how in hits:
            if i in seen:
                continue
            seen.add(i)
            row = sources.iloc[i]
            rows.append((line, value, kind, row["source_id"], row["source_name"], how, int(row["works"])))
        if not hits:
            rows.append((line, value, kind, None, None, None, 0))
    return pd.DataFrame(rows, columns=["line", "entry", "kind", "source_id", "source_name", "matched_by", "works"])
