"""The one record contract: every rule a record must pass before it is staged, in one place.

Every reader ends in the same staging rows (``stage_works``, ``stage_authorships``,
``stage_affiliations``, ``stage_author_countries``, ``stage_institutions``; see
:mod:`collabatlas.ingest.staging`): that row set is the normalised record, the narrowest waist the
OpenAlex SQL staging (:mod:`.openalex_staging`) and the Python export readers
(:mod:`collabatlas.ingest.export_staging`) share. The rules are written here twice, side by side:

- as Python functions, which the export path applies to each :class:`~.exports.ExportRecord`
  (:func:`check_export_record`), and
- as DuckDB macros (:func:`install_macros`), which the OpenAlex staging SQL and the dedupe SQL call.

``tests/test_record_contract.py`` proves both renderings give the same result on the same inputs
(every Unicode code point for the keys, random text for the rest). Skips and warnings of every
reader take their wording from one table, :data:`REASONS`. docs/record-contract.md describes
the fields, the rules and the reason table.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from functools import lru_cache
from typing import TYPE_CHECKING

from collabatlas.escaping import ANSI_PATTERN
from collabatlas.refdata.countries import iso2_codes

if TYPE_CHECKING:
    from collabatlas.sources.exports import ExportRecord
    from collabatlas.sources.ingest_report import IngestReport

#: the plausible publication years: MIN_YEAR .. next year (journals date issues ahead)
MIN_YEAR = 1000


def max_year() -> int:
    """The latest plausible publication year: next year."""
    return datetime.date.today().year + 1


# --------------------------------------------------------------------------------------------
# the reason table: code -> the description every reader's report counts under

REASONS: dict[str, str] = {
    # records skipped (``IngestReport.skipped``)
    "no-id": "record without id",
    "bad-id": "record id malformed",
    "no-authors": "record without authorships",
    "year-range": f"publication year outside {MIN_YEAR}..{max_year()} (and no publication date in range)",
    # records kept with a value blanked or repaired (``IngestReport.warnings``)
    "year-not-number": "publication_year not a whole number (stored as empty, or taken from publication_date)",
    "year-from-date": f"publication_year outside {MIN_YEAR}..{max_year()} (taken from publication_date)",
    "date-invalid": "invalid publication_date (stored as empty)",
    "year-date-disagree": "publication_year and publication_date disagree (--years uses publication_year, "
                          "--window publication_date)",
    "updated-invalid": "invalid updated_date (stored as empty: any dated copy wins over it)",
    "doi-invalid": "DOI not of the form 10.<registrant>/<suffix> (stored as empty)",
    "doi-several": "DOI field holding several DOIs (the first kept)",
    "text-cleaned": "control or bidi characters removed from a title or name",
    "surrogate": "lone surrogate escape in a JSON string (replaced by U+FFFD, record kept)",
    "authorship-country": "authorship country not ISO 3166-1 alpha-2 (treated as unknown; entries counted)",
    "institution-country": "institution country_code not ISO 3166-1 alpha-2 (treated as unknown; institutions "
                           "counted)",
    "address-country": "address country not ISO 3166-1 alpha-2 (treated as unknown; addresses counted)",
    "institution-no-id": "institution without an id in an authorship (ignored)",
    "institution-bad-id": "institution id malformed (ignored)",
    "ror-invalid": "ROR id malformed (stored as empty)",
    "null-authorship": "null or empty authorship entry (kept as an author with no known affiliation)",
    "truncated-flag": "is_authors_truncated not a boolean (taken as false)",
    "authors-truncated": "authorships truncated at 100 by the API list endpoint (Share of those works is inexact)",
}


# --------------------------------------------------------------------------------------------
# character classes, rendered for Python ``re`` and for RE2 (DuckDB)

#: line breaks and tab inside a name or title: become one space
_BREAKS = ((0x09, 0x0D), (0x85, 0x85), (0x2028, 0x2029))
#: other control characters (C0, DEL, C1) and the bidi controls: removed
_CONTROLS = ((0x00, 0x08), (0x0E, 0x1F), (0x7F, 0x84), (0x86, 0x9F))
_BIDI = ((0x061C, 0x061C), (0x200E, 0x200F), (0x202A, 0x202E), (0x2066, 0x2069))
#: characters removed from or replaced in a DOI before it is read: whitespace of any kind
_DOI_SPACE = ((0x09, 0x0D), (0x20, 0x20), (0x85, 0x85), (0xA0, 0xA0), (0x1680, 0x1680), (0x2000, 0x200B),
              (0x2028, 0x2029), (0x202F, 0x202F), (0x205F, 0x205F), (0x3000, 0x3000), (0xFEFF, 0xFEFF))


def _cls(ranges, sql: bool) -> str:
    def one(c: int) -> str:
        return f"\\x{{{c:X}}}" if sql else f"\\U{c:08X}" if c > 0xFFFF else f"\\u{c:04X}"
    return "[" + "".join(one(a) if a == b else f"{one(a)}-{one(b)}" for a, b in ranges) + "]"


_BAD_TEXT = (*_BREAKS, *_CONTROLS, *_BIDI)
_BAD_TEXT_RE = re.compile(_cls(_BAD_TEXT, False) + "|" + r"[\ud800-\udfff]")
_ANSI_RE = re.compile(ANSI_PATTERN)
_BREAK_RUN_RE = re.compile("[ ]*" + _cls(_BREAKS, False) + "+[ ]*")
_REMOVE_RE = re.compile(_cls((*_CONTROLS, *_BIDI), False))
_SURROGATE_RE = re.compile(r"[\ud800-\udfff]")


def clean_text(value: str | None) -> str | None:
    """A title or name as stored: ANSI escape sequences, control characters (C0, DEL, C1) and bidi
    controls (U+061C, U+200E/F, U+202A–U+202E, U+2066–U+2069) removed; a run of line breaks or tabs
    (with the spaces around it) becomes one space, so a CSV row never splits; lone surrogates become
    U+FFFD. Text without any of these is returned as it is. Empty → None."""
    if value is None:
        return None
    if _BAD_TEXT_RE.search(value):
        value = _SURROGATE_RE.sub("\ufffd", value)
        value = _REMOVE_RE.sub("", _BREAK_RUN_RE.sub(" ", _ANSI_RE.sub("", value))).strip(" ")
    return value or None


def text_dirty(value: str | None) -> bool:
    """``value`` holds a character :func:`clean_text` removes (counted as ``text-cleaned``; line breaks
    and tabs, which become spaces, are not counted: wrapped titles are common and harmless)."""
    return value is not None and bool(_REMOVE_RE.search(value) or _SURROGATE_RE.search(value))


# --------------------------------------------------------------------------------------------
# DOI

_DOI_SPACE_RE = re.compile(_cls(_DOI_SPACE, False))
_DOI_PREFIX = r"^(?:(?:https?://)?(?:dx\.|www\.)?doi\.org/|urn:doi:|info:doi/|doi:?)"
_DOI_PREFIX_RE = re.compile(_DOI_PREFIX)
_DOI_SHAPE = r"10\.[0-9]+(?:\.[0-9]+)*/[!-~]+"
_DOI_SHAPE_RE = re.compile(_DOI_SHAPE)
_ASCII_PRINTABLE_RE = re.compile(r"[!-~]*")
#: a field holding a second DOI after the first (``10.1/a; 10.2/b``, ``10.1/a doi:10.2/b``): group 1 is the
#: first. ASCII separators only, so Python and RE2 read it alike; without this rule the white space
#: rule glued the two into one DOI (``10.1/a10.2/b``) that never met either paper
_SEVERAL_DOIS = (r"(?s)^(.*?10\.[0-9]+(?:\.[0-9]+)*/.+?)[\t-\r ;,|]+(?:[Dd][Oo][Ii]:?[\t-\r ]*|"
                 r"(?:[Hh][Tt][Tt][Pp][Ss]?://)?(?:[Dd][Xx]\.|[Ww][Ww][Ww]\.)?[Dd][Oo][Ii]\.[Oo][Rr][Gg]/)?"
                 r"10\.[0-9]+(?:\.[0-9]+)*/.*$")
_SEVERAL_DOIS_RE = re.compile(_SEVERAL_DOIS)


def first_doi(doi: str) -> str:
    """The first DOI of a field that holds several (``10.1/a; 10.2/b`` → ``10.1/a``), else the field."""
    m = _SEVERAL_DOIS_RE.match(doi)
    return m.group(1) if m else doi


def normalise_doi(doi: str | None) -> str | None:
    """One form for every spelling of a DOI: whitespace of any kind removed, ASCII lower case, without
    ``https://doi.org/``, ``http://dx.doi.org/``, ``doi.org/``, ``doi:``, ``DOI`` or ``urn:doi:``; then
    it must read ``10.<registrant>/<suffix>`` (ASCII), else None (see :func:`doi_invalid`)."""
    if doi is None:
        return None
    text = _DOI_SPACE_RE.sub("", first_doi(doi))
    if not _ASCII_PRINTABLE_RE.fullmatch(text):
        return None
    text = _DOI_PREFIX_RE.sub("", text.lower())
    return text if _DOI_SHAPE_RE.fullmatch(text) else None


def doi_several(doi: str | None) -> bool:
    """The field holds a DOI and another after it (counted as ``doi-several``; the first is kept)."""
    return doi is not None and _SEVERAL_DOIS_RE.match(doi) is not None and normalise_doi(doi) is not None


def doi_invalid(doi: str | None) -> bool:
    """A DOI was given (not empty) but is not one (counted as ``doi-invalid``)."""
    return doi is not None and bool(_DOI_SPACE_RE.sub("", doi)) and normalise_doi(doi) is None


# --------------------------------------------------------------------------------------------
# title key and surname (dedupe)

#: code point ranges holding every character whose NFKC / case folding gives ASCII letters or digits
#: that a canonical decomposition does not (ligatures, ß, full-width forms, mathematical letters,
#: circled and squared forms, fractions, Roman numerals, super- and subscripts);
#: ``test_fold_table_covers_every_code_point`` checks them against all of Unicode
_FOLD_SCAN = ((0x00A0, 0x02FF), (0x1D00, 0x1DBF), (0x1E00, 0x1EFF), (0x2000, 0x33FF), (0xA700, 0xA7FF),
              (0xAB30, 0xAB6F), (0xFB00, 0xFB4F), (0xFF00, 0xFFEF), (0x1D400, 0x1D7FF), (0x1F100, 0x1F2FF),
              (0x1FBF0, 0x1FBFF), (0x10780, 0x107BF))
_KEY_CHARS_RE = re.compile(r"[^a-z0-9]")
_SURNAME_CHARS_RE = re.compile(r"[^a-z]")


def _canonical_key(text: str) -> str:
    """What DuckDB's ``regexp_replace(lower(strip_accents(x)), '[^a-z0-9]', '', 'g')`` gives."""
    text = "".join(ch for ch in unicodedata.normalize("NFD", text) if not unicodedata.category(ch).startswith("M"))
    return _KEY_CHARS_RE.sub("", text.lower())


def _full_key(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.casefold())
    text = "".join(ch for ch in text if not unicodedata.category(ch).startswith("M"))
    return _KEY_CHARS_RE.sub("", text.lower())


@lru_cache(maxsize=1)
def fold_table() -> dict[str, str]:
    """Character → its ASCII key text, for every character whose compatibility (NFKC) and case folding
    gives more than its canonical decomposition does (``ﬁ`` → ``fi``, ``ß`` → ``ss``, ``Ｆ`` → ``f``)."""
    out = {}
    for lo, hi in _FOLD_SCAN:
        for code in range(lo, hi + 1):
            ch = chr(code)
            full = _full_key(ch)
            if full != _canonical_key(ch):
                out[ch] = full
    return out


@lru_cache(maxsize=1)
def _fold_re() -> re.Pattern:
    return re.compile("[" + "".join(re.escape(c) for c in fold_table()) + "]")


def fold(text: str) -> str:
    """``text`` with every :func:`fold_table` character replaced by its ASCII key text."""
    table = fold_table()
    return _fold_re().sub(lambda m: table[m.group()], text)


#: inline markup some sources put in titles and others do not (OpenAlex and Crossref: ``<i>E. coli</i>``,
#: ``5 <sup>th</sup>``, MathML; Scopus and WoS: ``&amp;``): tags of these names, and character
#: entities, are no part of the title key, so the copies of one paper keep one key
MARKUP_PATTERN = (r"(?i:</?(?:i|b|u|em|strong|sup|sub|scp|sc|span|small|tt|br|p|italic|bold|roman|smallcaps|"
                  r"inline-formula|math|(?:mml|jats):[a-z-]+)(?:[ /][^<>]*)?>)"
                  r"|&(?:[A-Za-z][A-Za-z0-9]{1,31}|#[0-9]{1,7}|#[xX][0-9A-Fa-f]{1,6});")
_MARKUP_RE = re.compile(MARKUP_PATTERN)


def key_text(text: str | None) -> str:
    """The comparable text of a title: markup tags and character entities (:data:`MARKUP_PATTERN`)
    dropped, NFKC and case folded (ligatures, ß, full-width forms), accents removed, lower case, only
    ``a-z`` and ``0-9`` kept."""
    text = text or ""
    if "<" in text or "&" in text:
        text = _MARKUP_RE.sub("", text)
    return _canonical_key(fold(text))


#: a title key needs this many key characters (a short title matches too much)
TITLE_KEY_MIN = 20


#: a generational suffix after a surname (``John Smith Jr.``, ``Smith Jr., John``, ``Henry Ford II``): no surname
SUFFIX_PATTERN = r"[ ]+(?:[Jj][Rr]|[Ss][Rr]|II|III|IV)\.?"
_SUFFIX_RE = re.compile(SUFFIX_PATTERN + r"\Z")


def surname(name: str | None) -> str | None:
    """The surname of an author name for the title key: the part before the first comma (``Smith, J``)
    or else the last space-separated word, a generational suffix (``Jr.``, ``III``) not counted as a
    word (OpenAlex writes ``John Smith Jr.`` where WoS writes ``Smith, John, Jr.``), folded like
    :func:`key_text`, only ``a-z`` kept."""
    if name is None:
        return None
    part = name.split(",", 1)[0] if "," in name else name
    last = _SUFFIX_RE.sub("", part.strip(" ")).split(" ")[-1]
    return _SURNAME_CHARS_RE.sub("", _canonical_key_letters(fold(last))) or None


def _canonical_key_letters(text: str) -> str:
    text = "".join(ch for ch in unicodedata.normalize("NFD", text) if not unicodedata.category(ch).startswith("M"))
    return text.lower()


def title_key(title: str | None, year: int | None, first_author: str | None) -> str | None:
    """``key_text(title)|year|surname`` — the dedupe key for records without a DOI (docs/sources.md);
    None when the year or surname is unknown or the title key is shorter than :data:`TITLE_KEY_MIN`."""
    name = surname(first_author)
    text = key_text(title)
    if year is None or name is None or len(text) < TITLE_KEY_MIN:
        return None
    return f"{text}|{year}|{name}"


# --------------------------------------------------------------------------------------------
# ids and codes

_SP = "[ ]*"
_OA_PREFIX = r"(?:[Hh][Tt][Tt][Pp][Ss]?://(?:[Aa][Pp][Ii]\.)?[Oo][Pp][Ee][Nn][Aa][Ll][Ee][Xx]\.[Oo][Rr][Gg]/" \
             r"(?:[a-z]+/)?)?"
#: an OpenAlex id: a letter and letters or digits (OpenAlex's own: W123, I123, A123, S123), bare or
#: after ``https://openalex.org/`` or the API URL, an optional trailing ``/``, spaces around
OPENALEX_ID_PATTERN = _SP + _OA_PREFIX + "([A-Za-z][A-Za-z0-9]*)/?" + _SP
_OPENALEX_ID_RE = re.compile(OPENALEX_ID_PATTERN)
_WORK_ID_RE = re.compile(r"W[0-9]+")
_ROR_CHARS = "[0-9A-HJKMNP-TV-Za-hjkmnp-tv-z]"
ROR_ID_PATTERN = (_SP + r"(?:(?:[Hh][Tt][Tt][Pp][Ss]?://)?(?:[Ww][Ww][Ww]\.)?[Rr][Oo][Rr]\.[Oo][Rr][Gg]/)?"
                  "(0" + _ROR_CHARS + "{6}[0-9]{2})/?" + _SP)
_ROR_ID_RE = re.compile(ROR_ID_PATTERN)
COUNTRY_PATTERN = _SP + "([A-Za-z]{2})" + _SP
_COUNTRY_RE = re.compile(COUNTRY_PATTERN)
_ASCII_UPPER = str.maketrans("abcdefghijklmnopqrstuvwxyz", "ABCDEFGHIJKLMNOPQRSTUVWXYZ")


def openalex_id(value: str | None) -> str | None:
    """``W500`` for ``w500``, ``https://openalex.org/W500``, ``https://api.openalex.org/works/W500``,
    ``W500/``; None for anything else (``https://openalex.org/https://openalex.org/I1``, ``openalex.org``)."""
    m = _OPENALEX_ID_RE.fullmatch(value) if value is not None else None
    return m.group(1).translate(_ASCII_UPPER) if m else None


def work_id(value: str | None) -> str | None:
    """An OpenAlex work id: :func:`openalex_id` that is ``W`` and digits, else None."""
    short = openalex_id(value)
    return short if short is not None and _WORK_ID_RE.fullmatch(short) else None


def ror_id(value: str | None) -> str | None:
    """The short ROR id (``04fa4r544``) of ``https://ror.org/04FA4R544`` and the like; None when the
    text is not a ROR id (``0`` + 6 base-32 characters + 2 digits)."""
    m = _ROR_ID_RE.fullmatch(value) if value is not None else None
    return m.group(1).lower() if m else None


def country_code(value: str | None) -> str | None:
    """An ISO 3166-1 alpha-2 code (or XK) in upper case: exactly two ASCII letters (spaces around
    allowed) that are in the packaged country table; ``ıt`` (dotless i) or ``USA`` → None."""
    m = _COUNTRY_RE.fullmatch(value) if value is not None else None
    if not m:
        return None
    code = m.group(1).translate(_ASCII_UPPER)
    return code if code in iso2_codes() else None


_EXPORT_ID_RE = {
    "wos": re.compile(r"WOS:[A-Z0-9]*[0-9][A-Z0-9]*"),
    "scopus": re.compile(r"2-s2\.0-[0-9]+"),
    "pubmed": re.compile(r"PMID:[0-9]+"),
}


def export_record_id(value: str | None, origin: str) -> str | None:
    """The record id of an export record when it has its source's shape (``WOS:`` + letters and digits
    with at least one digit, ``2-s2.0-`` + digits, ``PMID:`` + digits), else None (``WOS:UT``)."""
    if value is None:
        return None
    value = value.strip()
    if origin == "wos":
        value = value.translate(_ASCII_UPPER)
    pattern = _EXPORT_ID_RE.get(origin)
    return value if pattern is not None and pattern.fullmatch(value) else None


def year_ok(year: int | None) -> int | None:
    """``year`` when it is a plausible publication year (MIN_YEAR .. next year), else None."""
    return year if year is not None and MIN_YEAR <= year <= max_year() else None


_FOUR_DIGITS_RE = re.compile(r"(?<![0-9])([0-9]{4})(?![0-9])")
_WHOLE_RE = re.compile(r"[ ]*-?[0-9]{1,18}[ ]*")


def parse_year(value: str | None) -> int | None:
    """The year an export field gives (``2019``, ``JAN 2020``, ``2019 Jan-Feb``, ``Spring 2019``,
    ``1998 Dec-1999 Jan``, full-width ``２０１９``): the first four-digit year in it (digits folded by
    NFKC first); else, when the whole field is a number (``0``, ``9999``, ``20201``), that number, so
    the range rule (:func:`year_ok`) sees it and skips the record; else None (no year). The one
    year rule of every export reader: WoS ``PY``, Scopus ``Year``, BibTeX ``year``, MEDLINE ``DP``,
    PubMed XML ``PubDate``."""
    if not value:
        return None
    if not value.isascii():
        value = unicodedata.normalize("NFKC", value)
    m = _FOUR_DIGITS_RE.search(value)
    if m:
        return int(m.group(1))
    return int(value) if _WHOLE_RE.fullmatch(value) else None


# --------------------------------------------------------------------------------------------
# author key (WoS: who is at which address)

def author_key(name: str | None) -> str:
    """The key that pairs an author name in an address block with the author list: NFC + case
    folded, letters and digits of any script kept, punctuation and spaces dropped; accents are dropped
    from Latin letters only (``Müller`` = ``MULLER``, as exports write either), never from other
    scripts, where a mark makes another letter (``й`` is not ``и``). So ``Иванов, И.`` and ``Петров, П.``
    differ, and ``Smith, J1`` and ``Smith, J2`` differ."""
    text = unicodedata.normalize("NFC", (name or "")).casefold()
    return "".join(_latin_base(ch) for ch in text if ch.isalnum())


def _latin_base(ch: str) -> str:
    """A Latin letter without its accents (``ü`` → ``u``); any other character as it is."""
    if ord(ch) < 0x250:
        return "".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c))
    return ch


# --------------------------------------------------------------------------------------------
# the export record validator


def check_export_record(rec: ExportRecord, report: IngestReport, where: str) -> bool:
    """Apply every rule to one export record, in place. False: the record is skipped (counted in
    ``report`` under its :data:`REASONS` description, named by ``where``)."""
    rid = export_record_id(rec.record_id, rec.origin)
    if rid is None:
        code = "no-id" if not (rec.record_id or "").strip() else "bad-id"
        report.skip(REASONS[code], f"{where}: {rec.record_id!r}" if code == "bad-id" else where)
        return False
    rec.record_id = rid
    if not rec.authors:
        report.skip(REASONS["no-authors"], where)
        return False
    if rec.year is None:  # the reader gave the text only: the one year rule reads it
        rec.year = parse_year(rec.year_text)
    date = _iso_date(rec.pub_date)
    if rec.pub_date is not None and date is None:
        report.warn(REASONS["date-invalid"])
        report.note(f"{where}: publication date {str(rec.pub_date)[:40]!r} is not a date (stored as empty)")
    rec.pub_date = date.isoformat() if date else None
    updated = iso_timestamp(rec.updated_date)
    if rec.updated_date is not None and updated is None:
        report.warn(REASONS["updated-invalid"])
        report.note(f"{where}: updated date {str(rec.updated_date)[:40]!r} is not a date (stored as empty)")
    rec.updated_date = updated
    if rec.year is None and (rec.year_text or "").strip():  # written, but no year in it: said, not dropped
        report.warn(REASONS["year-not-number"])
        report.note(f"{where}: year {rec.year_text.strip()[:40]!r} is not a year (stored as empty)")
    if rec.year is not None and year_ok(rec.year) is None:
        if date is None:
            report.skip(REASONS["year-range"], f"{where}: year {rec.year}")
            return False
        report.warn(REASONS["year-from-date"])
        rec.year = date.year
    if doi_several(rec.doi):
        report.warn(REASONS["doi-several"])
        report.note(f"{where}: DOI field {rec.doi[:120]!r} holds several DOIs (the first kept)")
    if doi_invalid(rec.doi):
        report.warn(REASONS["doi-invalid"])
        report.note(f"{where}: DOI {rec.doi[:80]!r} is not a DOI (stored as empty)")
    rec.doi = normalise_doi(rec.doi)
    dirty = sum(text_dirty(v) for v in (rec.title, rec.source_name, *(a.name for a in rec.authors)))
    if dirty:
        report.warn(REASONS["text-cleaned"], dirty)
    rec.title, rec.source_name = clean_text(rec.title), clean_text(rec.source_name)
    for author in rec.authors:
        author.name = clean_text(author.name)
        # addresses: cleaned the same way; not counted (their whitespace is collapsed when matched anyway)
        author.addresses = [a for a in (clean_text(a) for a in author.addresses) if a]
    return True


_MONTH_NUMBERS = {m: i for i, m in enumerate(("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct",
                                               "nov", "dec"), start=1)}


def date_text(year: str | int | None, month: str | int | None, day: str | int | None) -> str | None:
    """``YYYY-MM-DD`` from the parts an export gives (year digits, month as a number or an English
    name or abbreviation, day digits), **not** checked: the validator (:func:`check_export_record`)
    stores a real date and counts one that is not (``FEB 30``, month 13) under ``date-invalid``, as
    it does for OpenAlex's ``publication_date``. None when a part is missing or not a number."""
    y, d = str(year or "").strip(), str(day or "").strip()
    m = str(month or "").strip()
    mm = int(m) if m.isdigit() and m.isascii() else _MONTH_NUMBERS.get(m[:3].lower())
    if not (re.fullmatch(r"[0-9]{4}", y) and re.fullmatch(r"[0-9]{1,2}", d) and mm):
        return None
    return f"{y}-{mm:02d}-{int(d):02d}"


def iso_timestamp(value: str | None) -> str | None:
    """An export's updated date (WoS ``DA``, MEDLINE ``LR``/``DCOM``, PubMed XML ``DateRevised``) as an
    ISO date or timestamp when it is one (``2020-01-05``, ``2020-01-05T10:00:00``), else None: a
    month 13 or a day 45 is no date (OpenAlex's ``updated_date`` is read by the same rule, ``TRY_CAST``)."""
    if value is None or not str(value).strip():
        return None
    text = str(value).strip()
    try:
        stamp = datetime.datetime.fromisoformat(text)
    except ValueError:
        return None
    return stamp.isoformat() if len(text) > 10 else stamp.date().isoformat()


def _iso_date(value: str | None) -> datetime.date | None:
    try:
        date = datetime.date.fromisoformat(value) if value else None
    except ValueError:
        return None
    return date if date is not None and year_ok(date.year) is not None else None


# --------------------------------------------------------------------------------------------
# the same rules as DuckDB macros


def _anchored(pattern: str) -> str:
    return "^(?:" + pattern + ")$"  # RE2's $ is the end of the text (Python's may precede a final newline)


def _sql_literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _fold_sql(x: str) -> str:
    """SQL folding ``x`` with :func:`fold_table`: one-character results by ``translate``, longer ones
    by ``replace``; only for text holding a fold character (rare), so the common case costs one scan."""
    table = fold_table()
    single = {c: v for c, v in table.items() if len(v) == 1}
    multi = {c: v for c, v in table.items() if len(v) != 1}
    expr = x
    for c, v in multi.items():
        expr = f"replace({expr}, {_sql_literal(c)}, {_sql_literal(v)})"
    expr = f"translate({expr}, {_sql_literal(''.join(single))}, {_sql_literal(''.join(single.values()))})"
    cls = _sql_literal("[" + "".join(re.escape(c) for c in table) + "]")
    return f"CASE WHEN regexp_matches({x}, {cls}) THEN {expr} ELSE {x} END"


def macros_sql() -> str:
    """The contract's DuckDB macros (``CREATE OR REPLACE TEMP MACRO``):

    - ``ca_clean(x)`` :func:`clean_text`; ``ca_doi(x)`` :func:`normalise_doi`; ``ca_doi_invalid(x)``;
    - ``ca_key_text(x)``, ``ca_surname(name)``, ``ca_title_key(title, year, surname)`` (dedupe);
    - ``ca_oa_id(x)`` :func:`openalex_id`, ``ca_work_id(x)``, ``ca_ror(x)`` :func:`ror_id`,
      ``ca_country(x)`` :func:`country_code`, ``ca_year_ok(y)`` :func:`year_ok`.
    """
    codes = "|".join(sorted(iso2_codes()))
    bad = _sql_literal(_cls(_BAD_TEXT, True))
    breaks = _sql_literal("[ ]*" + _cls(_BREAKS, True) + "+[ ]*")
    remove = _sql_literal(_cls((*_CONTROLS, *_BIDI), True))
    ansi = _sql_literal(ANSI_PATTERN)
    doi_space = _sql_literal(_cls(_DOI_SPACE, True))
    markup = _sql_literal(MARKUP_PATTERN)
    key_fold = _fold_sql(f"CASE WHEN contains(coalesce(x, ''), '<') OR contains(coalesce(x, ''), '&') "
                         f"THEN regexp_replace(x, {markup}, '', 'g') ELSE coalesce(x, '') END")
    suffix = _sql_literal(SUFFIX_PATTERN + "$")
    surname_fold = _fold_sql("coalesce(list_last(string_split(regexp_replace(trim(CASE WHEN contains(name, ',') "
                             f"THEN split_part(name, ',', 1) ELSE name END, ' '), {suffix}, ''), ' ')), '')")
    prefix, shape, several = _sql_literal(_DOI_PREFIX), _sql_literal(_DOI_SHAPE), _sql_literal(_SEVERAL_DOIS)
    return f"""
CREATE OR REPLACE TEMP MACRO ca_clean(x) AS nullif(CASE WHEN regexp_matches(x, {bad})
    THEN trim(regexp_replace(regexp_replace(regexp_replace(x, {ansi}, '', 'g'), {breaks}, ' ', 'g'), {remove}, '',
                             'g'), ' ')
    ELSE x END, '');
CREATE OR REPLACE TEMP MACRO ca_dirty(x) AS coalesce(regexp_matches(x, {remove}), false);
CREATE OR REPLACE TEMP MACRO ca_doi_text(x) AS regexp_replace(CASE WHEN regexp_matches(x, {several})
    THEN regexp_extract(x, {several}, 1) ELSE x END, {doi_space}, '', 'g');
CREATE OR REPLACE TEMP MACRO ca_doi(x) AS CASE
    WHEN starts_with(x, 'https://doi.org/10.') AND regexp_full_match(substr(x, 17), {shape})
         AND strpos(x, ';') = 0 AND strpos(x, ',') = 0 AND strpos(x, '|') = 0  -- (several DOIs: below)
    THEN lower(substr(x, 17))  -- OpenAlex's own spelling: the same result, one regular expression
    WHEN regexp_full_match(ca_doi_text(x), '[!-~]*')
    AND regexp_full_match(regexp_replace(lower(ca_doi_text(x)), {prefix}, ''), {shape})
    THEN regexp_replace(lower(ca_doi_text(x)), {prefix}, '') END;
CREATE OR REPLACE TEMP MACRO ca_doi_invalid(x) AS x IS NOT NULL AND ca_doi(x) IS NULL AND ca_doi_text(x) <> '';
CREATE OR REPLACE TEMP MACRO ca_key_text(x) AS
    regexp_replace(lower(strip_accents({key_fold})), '[^a-z0-9]', '', 'g');
CREATE OR REPLACE TEMP MACRO ca_surname(name) AS
    nullif(regexp_replace(lower(strip_accents({surname_fold})), '[^a-z]', '', 'g'), '');
CREATE OR REPLACE TEMP MACRO ca_title_key(title, year, surname) AS CASE
    WHEN year IS NOT NULL AND surname IS NOT NULL AND length(ca_key_text(title)) >= {TITLE_KEY_MIN}
    THEN ca_key_text(title) || '|' || year || '|' || surname END;
CREATE OR REPLACE TEMP MACRO ca_oa_id(x) AS CASE
    WHEN starts_with(x, 'https://openalex.org/') AND regexp_full_match(substr(x, 22), '[A-Za-z][0-9]+')
    THEN upper(substr(x, 22))
    ELSE upper(nullif(regexp_extract(x, {_sql_literal(_anchored(OPENALEX_ID_PATTERN))}, 1), '')) END;
CREATE OR REPLACE TEMP MACRO ca_work_id(x) AS CASE WHEN regexp_full_match(ca_oa_id(x), 'W[0-9]+') THEN ca_oa_id(x) END;
CREATE OR REPLACE TEMP MACRO ca_ror(x) AS
    lower(nullif(regexp_extract(x, {_sql_literal(_anchored(ROR_ID_PATTERN))}, 1), ''));
CREATE OR REPLACE TEMP MACRO ca_country(x) AS CASE  -- two ASCII letters first: upper('ıt') is IT
    WHEN regexp_full_match(trim(x, ' '), '[A-Za-z]{{2}}') AND regexp_full_match(upper(trim(x, ' ')), '(?:{codes})')
    THEN upper(trim(x, ' ')) END;
CREATE OR REPLACE TEMP MACRO ca_year_ok(y) AS CASE WHEN y BETWEEN {MIN_YEAR} AND {max_year()} THEN y END;
"""


def install_macros(con) -> None:
    """Create the contract's macros (:func:`macros_sql`) on ``con``."""
    con.execute(macros_sql())
