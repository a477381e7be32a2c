"""A BibTeX reader for WoS and Scopus exports: ``@type{key, field = value, ...}`` (or ``(...)``).

A tokenizer, not a line matcher: values are braced (nesting honoured, ``\\{`` and ``\\}`` are
text), quoted (braces inside balance, so a ``"`` in braces is text), numbers or ``@string`` macro
names (the month names ``jan`` … ``dec`` are predefined), joined with ``#``. ``@string`` macros are
expanded; ``@comment{…}`` and ``@preamble{…}`` are read past whole (an entry inside a comment is no
entry). LaTeX escapes common in exports (``\\&``, ``{\\'e}``) are undone in :attr:`Entry.fields`;
:attr:`Entry.raw` keeps the braces, so :func:`split_authors` splits an author list only on a
top-level ``and`` (any case): ``{Barnes and Noble Inc}`` is one corporate author.

Damage: an entry ends where its braces balance. When they balance early (a stray ``}`` in a title)
and field lines follow before the next entry, or do not balance before the next ``@entry{`` line,
the entry is read field by field from its lines (each ``name = value`` line starts a field), with a
warning naming the line, so its DOI and affiliations are kept. An entry that does not end with its
closing brace on a line of its own before the next entry or the end of the file was cut off: it is
skipped (``unterminated BibTeX entry``), named and counted — never stored without its later fields.
"""

from __future__ import annotations

import re
import unicodedata
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from collabatlas.errors import DataError
from collabatlas.sources.ingest_report import IngestReport
from collabatlas.sources.openalex import InputError
from collabatlas.sources.textread import HasStream, text_lines

_ENTRY_START = re.compile(r"@[ \t]*([A-Za-z][\w\-]*)[ \t]*([{(])")
_NAME = re.compile(r"[^\s\"#%'(),={}]+")
#: a field name; exports write some with spaces (WoS ``Early Access Date``, Scopus ``funding_text 1``)
_FIELD_NAME = re.compile(r"[^\s\"#%'(),={}]+(?:[ \t\u00a0]+[^\s\"#%'(),={}]+)*")
_FIELD_LINE = re.compile(r"^[ \t]*([A-Za-z][\w\-:.+/]*(?:[ \t\u00a0]+[\w\-:.+/]+)*)[ \t]*=[ \t]*(?=[{\"\w])", re.M)
_CLOSER_LINE = re.compile(r"\n[ \t]*[})][ \t]*$")
_BRACES = re.compile(r"\\[{}]|[{}()]")
_BRACES_QUOTES = re.compile(r"\\[{}\"]|[{}()\"]")
_SPACE = re.compile(r"\s*")
_AND = re.compile(r"\s+and\s+", re.I)
#: LaTeX accent commands → the combining mark they put on the letter (``{\\"u}`` → ``ü``, ``\\c{c}`` → ``ç``),
#: so a BibTeX name or title reads as the same text in the WoS plain-text or Scopus CSV copy of the record
_ACCENTS = {"`": "\u0300", "'": "\u0301", "^": "\u0302", '"': "\u0308", "~": "\u0303", "=": "\u0304", ".": "\u0307",
            "u": "\u0306", "v": "\u030c", "H": "\u030b", "c": "\u0327", "k": "\u0328", "r": "\u030a"}
#: letters written as commands (``{\\ss}``, ``\\o``, ``{\\aa}``)
_LETTERS = {"ss": "ß", "o": "ø", "O": "Ø", "aa": "å", "AA": "Å", "ae": "æ", "AE": "Æ", "oe": "œ", "OE": "Œ", "l": "ł",
            "L": "Ł", "i": "ı"}


def _accented(m: re.Match) -> str:
    base = "i" if m.group(2) == "ı" else m.group(2)  # \\'{\\i}: the accent replaces the dot
    return base + _ACCENTS[m.group(1)]


_LATEX = [(re.compile(r"\\([&%$#_{}])"), r"\1"),
          (re.compile(r"\{?\\(ss|aa|AA|ae|AE|oe|OE|o|O|l|L|i)\}?(?![A-Za-z])\s?"), lambda m: _LETTERS[m.group(1)]),
          (re.compile(r"\{\\([`'^\"~=.uvHckr])\s*\{?(\w)\}?\}"), _accented),
          (re.compile(r"\\([`'^\"~=.])\{?(\w)\}?"), _accented),
          (re.compile(r"\\([uvHckr])\{(\w)\}"), _accented)]
MONTHS = {m[:3]: m for m in ("january", "february", "march", "april", "may", "june", "july", "august",
                             "september", "october", "november", "december")}
UNTERMINATED = "unterminated BibTeX entry (braces never close)"


@dataclass
class Entry:
    type: str
    key: str
    fields: dict[str, str]  # LaTeX undone, braces removed
    where: str
    raw: dict[str, str] = field(default_factory=dict)  # macros expanded, ``#`` joined, braces kept

    def authors(self, name: str = "author") -> list[str]:
        """The names of an author list field, split on top-level ``and`` only."""
        return split_authors(self.raw.get(name, self.fields.get(name, "")))


class _Broken(DataError):
    """The body of an entry does not tokenize (unbalanced braces or quotes, a missing ``=`` …)."""


def _unlatex(value: str) -> str:
    if "\\" not in value:
        return value.replace("{", "").replace("}", "").strip()
    for pattern, repl in _LATEX:
        value = pattern.sub(repl, value)
    return unicodedata.normalize("NFC", value.replace("{", "").replace("}", "").strip())


def _key_end(body: str) -> int:
    """Index of the comma after an entry's key; -1 when the entry has no key (its fields start at once)."""
    comma = body.find(",")
    if comma < 0:
        return -1 if "=" in body else len(body)
    return -1 if "=" in body[:comma] else comma


def _balanced_end(text: str, i: int, closer: str = "}") -> int:
    """Index of the ``closer`` that ends the group opened just before ``i`` (braces nest; ``\\{``,
    ``\\}`` are text), or -1."""
    if closer == "}":  # the common case first: a value without inner braces or escapes
        j = text.find("}", i)
        if j >= 0 and text.find("{", i, j) < 0 and text.find("\\", i, j) < 0:
            return j
    depth, skip_to = 0, -1
    for m in _BRACES.finditer(text, i) if closer == "}" else _BRACES_QUOTES.finditer(text, i):
        ch = m.group()
        if len(ch) == 2 or m.start() < skip_to:
            continue
        if ch == '"':  # ``(...)`` entries: a quoted value at depth 0 may hold a ")"
            if depth == 0:
                end = _quoted_end(text, m.start() + 1)
                skip_to = end + 1 if end >= 0 else len(text)
            continue
        if ch == "{":
            depth += 1
        elif ch == "}":
            if depth == 0 and closer == "}":
                return m.start()
            depth -= 1
            if depth < 0:
                return -1
        elif ch == closer and depth == 0:
            return m.start()
    return -1


def _quoted_end(text: str, i: int) -> int:
    """Index of the ``"`` that ends a quoted value starting after ``i`` (not inside braces), or -1."""
    depth, j, n = 0, i, len(text)
    while j < n:
        ch = text[j]
        if ch == "\\":
            j += 2
            continue
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
            if depth < 0:
                return -1
        elif ch == '"' and depth == 0:
            return j
        j += 1
    return -1


class _Tokens:
    def __init__(self, body: str, macros: dict[str, str], report: IngestReport, where: str):
        self.s, self.i, self.macros, self.report, self.where = body, 0, macros, report, where

    def skip_space(self) -> None:
        self.i = _SPACE.match(self.s, self.i).end()

    def name(self) -> str:
        self.skip_space()
        m = _FIELD_NAME.match(self.s, self.i)
        if not m:
            raise _Broken(f"a field name expected at {self.s[self.i:self.i + 20]!r}")
        self.i = m.end()
        return m.group()

    def expect(self, ch: str) -> None:
        self.skip_space()
        if self.s[self.i:self.i + 1] != ch:
            raise _Broken(f"{ch!r} expected at {self.s[self.i:self.i + 20]!r}")
        self.i += 1

    def value(self) -> str:
        parts = []
        while True:
            self.skip_space()
            ch = self.s[self.i:self.i + 1]
            if ch == "{":
                end = _balanced_end(self.s, self.i + 1)
                if end < 0:
                    raise _Broken("a brace that never closes")
                parts.append(self.s[self.i + 1:end])
                self.i = end + 1
            elif ch == '"':
                end = _quoted_end(self.s, self.i + 1)
                if end < 0:
                    raise _Broken("a quote that never closes")
                parts.append(self.s[self.i + 1:end])
                self.i = end + 1
            else:
                m = _NAME.match(self.s, self.i)
                if not m:
                    raise _Broken(f"a value expected at {self.s[self.i:self.i + 20]!r}")
                token, self.i = m.group(), m.end()
                parts.append(self._macro(token))
            self.skip_space()
            if self.s[self.i:self.i + 1] != "#":
                return "".join(parts)
            self.i += 1

    def _macro(self, token: str) -> str:
        if token.isdigit():
            return token
        value = self.macros.get(token.lower())
        if value is None:
            value = MONTHS.get(token.lower())
        if value is None:
            self.report.warn("undefined BibTeX @string macro (its name kept as the value)")
            self.report.note(f"{self.where}: undefined macro {token!r}, kept as text")
            return token
        return value

    def fields(self) -> dict[str, str]:
        out: dict[str, str] = {}
        while True:
            self.skip_space()
            while self.s[self.i:self.i + 1] == ",":
                self.i += 1
                self.skip_space()
            if self.i >= len(self.s):
                return out
            name = " ".join(self.name().lower().split())
            self.expect("=")
            value = self.value()
            out[name] = f"{out[name]}; {value}" if name in out else value  # a repeated field is joined
            self.skip_space()
            if self.i < len(self.s) and self.s[self.i] != ",":
                raise _Broken(f"',' expected after field {name!r} at {self.s[self.i:self.i + 20]!r}")


def _lenient(body: str) -> tuple[str, dict[str, str]]:
    """(key, raw fields) of an entry read line by line: each ``name = value`` line starts a field."""
    comma = _key_end(body)
    key = body[:comma].strip() if comma >= 0 else ""
    out: dict[str, str] = {}
    starts = list(_FIELD_LINE.finditer(body, comma + 1 if comma >= 0 else 0))
    for k, m in enumerate(starts):
        end = starts[k + 1].start() if k + 1 < len(starts) else len(body)
        value = body[m.end():end].strip().rstrip(",").strip()
        if value[:1] in ("{", '"'):
            closing = "}" if value[0] == "{" else '"'
            value = value[1:-1] if value.endswith(closing) else value[1:]
        name = " ".join(m.group(1).lower().split())
        out[name] = f"{out[name]}; {value}" if name in out else value
    return key, out


def _line_of(text: str, pos: int, cache: list[int]) -> int:
    """1-based line of ``pos``; ``cache`` is [last pos, its line] to count forward only."""
    last, line = cache
    line = line + text.count("\n", last, pos) if pos >= last else text.count("\n", 0, pos) + 1
    cache[:] = [pos, line]
    return line


def entries(path: Path, report: IngestReport, counter: HasStream) -> Iterator[Entry]:
    """Entries in file order; ``where`` is ``file: record N (line L)``. A file with content but no
    entry at all is an :class:`InputError`."""
    lines: list[str] = []
    damage: Exception | None = None
    try:
        lines.extend(line for _n, line in text_lines(path, report, counter))
    except (OSError, EOFError, zlib.error) as exc:  # a truncated gzip: the entries before the damage are read,
        damage = exc                                 # the one it cut and the rest are the reader's caller's count
        last = max((i for i, line in enumerate(lines) if _ENTRY_START.match(line.lstrip())), default=len(lines))
        del lines[last:]
    yield from _entries(path, report, "\n".join(lines))
    if damage is not None:
        raise damage


def _entries(path: Path, report: IngestReport, text: str) -> Iterator[Entry]:
    macros: dict[str, str] = {}
    starts = list(_ENTRY_START.finditer(text))
    # an ``@type{`` at the start of a line always starts an entry; one inside a line only outside entries
    at_line_start = [text[text.rfind("\n", 0, s.start()) + 1:s.start()].strip() == "" for s in starts]
    pos = number = 0
    cache = [0, 1]
    for k, m in enumerate(starts):
        if m.start() < pos:
            continue  # inside a comment or a preamble
        kind, opener = m.group(1).lower(), m.group(2)
        closer = "}" if opener == "{" else ")"
        close = _balanced_end(text, m.end(), closer)
        nxt = next((s.start() for j, s in enumerate(starts[k + 1:k + 200], start=k + 1)
                    if at_line_start[j] or 0 <= close < s.start()), None)
        if nxt is None:  # (a long line of @s inside one value: look further, once)
            nxt = next((s.start() for j, s in enumerate(starts[k + 1:], start=k + 1)
                        if at_line_start[j] or 0 <= close < s.start()), len(text))
        line = _line_of(text, m.start(), cache)
        where = f"{path}: line {line}"
        if kind in ("comment", "preamble"):
            if close < 0:
                report.warn(f"BibTeX @{kind} whose braces never close (only its first line ignored)")
                report.note(f"{where}: @{kind} never closes; reading on after its first line")
                pos = text.find("\n", m.end()) + 1 or len(text)
            else:
                pos = close + 1
            continue
        if kind == "string":
            pos = (close + 1) if close >= 0 else nxt
            try:
                macros.update({k.lower(): v for k, v in
                               _Tokens(text[m.end():close if close >= 0 else nxt], macros, report, where)
                               .fields().items()})
            except _Broken as exc:
                report.warn("BibTeX @string that cannot be read (ignored)")
                report.note(f"{where}: @string ignored ({exc})")
            continue
        number += 1
        where = f"{path}: record {number} (line {line})"
        tail_has_fields = close >= 0 and _FIELD_LINE.search(text, close + 1, nxt) is not None
        if close >= 0 and close < nxt and not tail_has_fields:
            pos = close + 1
            body = text[m.end():close]
            comma = _key_end(body)
            key = body[:comma].strip() if comma >= 0 else ""
            try:
                raw = _Tokens(body[comma + 1:], macros, report, where).fields()
            except _Broken as exc:
                raw = _recover(text, m.end(), nxt, closer, report, where, str(exc))
                if raw is None:
                    continue
                key, raw = raw
        else:  # braces balance early with fields after them, or not before the next entry
            pos = nxt
            reason = ("a closing brace before the end of the entry (a stray '}')" if close >= 0 and close < nxt
                      else "braces that do not balance before the next entry" if nxt < len(text)
                      else "braces that never balance")
            raw = _recover(text, m.end(), nxt, closer, report, where, reason)
            if raw is None:
                continue
            key, raw = raw
        yield Entry(type=kind, key=key, fields={n: _unlatex(v) for n, v in raw.items()}, where=where, raw=raw)
    if number == 0 and not macros and text.strip() and not starts:
        raise InputError(f"{path}: no BibTeX entry found (no line starting with @type{{), though it has content: "
                         f"{text.strip()[:60]!r}")


def _recover(text: str, start: int, end: int, closer: str, report: IngestReport, where: str,
             reason: str) -> tuple[str, dict[str, str]] | None:
    """The entry in ``text[start:end]`` read line by line, or None (skipped, counted) when it was cut off."""
    extent = text[start:end].rstrip()
    if not _CLOSER_LINE.search(extent):
        report.skip(UNTERMINATED, f"{where}: {reason}; the entry does not end with its closing brace")
        return None
    report.warn("BibTeX entry with unbalanced braces (read field by field from its lines)")
    report.note(f"{where}: {reason}; fields read line by line")
    return _lenient(extent[:-1])


def _top_level_split(value: str) -> list[str]:
    """Split at `` and `` (any case, surrounded by white space) outside braces."""
    out, depth, start, i = [], 0, 0, 0
    while i < len(value):
        ch = value[i]
        if ch == "\\":
            i += 2
            continue
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth = max(0, depth - 1)
        elif depth == 0 and ch.isspace():
            m = _AND.match(value, i)
            if m:
                out.append(value[start:i])
                start = i = m.end()
                continue
        i += 1
    out.append(value[start:])
    return out


def split_authors(value: str) -> list[str]:
    """``A, B and C, D`` → ``["A, B", "C, D"]``: split on top-level ``and`` (any case) only; LaTeX undone."""
    return [" ".join(_unlatex(a).split()) for a in _top_level_split(value.strip()) if _unlatex(a).strip()]
