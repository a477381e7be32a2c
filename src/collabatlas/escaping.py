"""Escaping of data values for every place collabatlas writes them: HTML ``<script>`` elements, Rich
markup on the terminal, CSV files read by people, XML (GEXF, GraphML) and SQL string literals.

Institution names, titles, file paths and filter values come from the data or the command line and
may hold anything: ``</script>``, ``[/bold]``, ``=HYPERLINK(...)``, ANSI escape sequences, NUL bytes,
XML-illegal control characters or apostrophes. Each function here makes one kind of output safe
without changing what a reader sees (beyond the documented CSV quote prefix):

- :func:`script_json`: JSON for inside ``<script>``: ``<``, ``>``, ``&``, U+2028 and U+2029 become
  ``\\u003c`` etc., so no ``</script>`` or ``<!--`` can end or swallow the element.
- :func:`terminal_text` / :func:`markup`: ANSI escape sequences and other control characters removed
  (tab and newline kept); :func:`markup` also escapes Rich markup so ``[of]`` prints as ``[of]``.
- :func:`csv_cell` / :func:`csv_frame`: the OWASP rule for CSV injection: a text cell starting with
  ``=``, ``+``, ``-``, ``@``, tab or carriage return gets a leading ``'`` (a number such as ``-5`` or
  ``-0.3`` is left alone); control and bidi characters are removed, a carriage return becomes a
  newline (which the CSV writer quotes, so a row never splits). ``raw=True`` (CLI ``--raw-csv``) writes
  the values unchanged.
- :func:`xml_text`: characters that XML 1.0 does not allow dropped.
- :func:`sql_string`: a single-quoted SQL string literal (for statements such as ``COPY … TO`` that
  take no bound parameters).
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

# -- HTML <script> -------------------------------------------------------------------------------

_SCRIPT_UNSAFE = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}
_SCRIPT_RE = re.compile("[<>&\u2028\u2029]")


def script_json(value, **dumps) -> str:
    """``value`` as JSON that is safe as the text of a ``<script>`` element (plain or
    ``type="application/json"``): the characters HTML or old JavaScript engines read specially are
    written as ``\\uXXXX`` escapes, which JSON and JavaScript decode to the same string."""
    text = json.dumps(value, ensure_ascii=False, **dumps)
    return _SCRIPT_RE.sub(lambda m: _SCRIPT_UNSAFE[m.group()], text)


# -- terminal --------------------------------------------------------------------------------------

#: ANSI / ECMA-48 escape sequences: CSI (ESC [ … final), OSC, DCS, SOS, PM, APC (… BEL or ST),
#: other ESC sequences, and the 8-bit CSI / OSC introducers. One line, so that the same text is a
#: Python and an RE2 (DuckDB) pattern (collabatlas.sources.record cleans stored names with it).
ANSI_PATTERN = (r"(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]"
                r"|(?:\x1b[\]PX^_]|[\x90\x9d\x9e\x9f])[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"
                r"|\x1b[ -/]*[0-~]")
_ANSI_RE = re.compile(ANSI_PATTERN)
#: bidi controls (Arabic letter mark, LRM / RLM, LRE … RLO, LRI … PDI): text after them can be shown
#: reversed (a file name or value that reads differently from what it is), so they are removed
BIDI_CONTROLS = "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
#: C0 controls except tab and newline, DEL and C1 controls (after the sequences above are removed),
#: and the bidi controls
_CONTROL_RE = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f{BIDI_CONTROLS}]")


def terminal_text(value) -> str:
    """``str(value)`` without ANSI escape sequences, NUL bytes, other control characters (tab and
    newline are kept) or bidi controls, so that a value cannot move the cursor, recolour or retitle
    the terminal, or show its text reversed."""
    text = str(value)
    if not text.isprintable():
        text = _CONTROL_RE.sub("", _ANSI_RE.sub("", text))
    return text


def markup(value) -> str:
    """``value`` for a Rich markup string: :func:`terminal_text`, then ``[`` escaped, so that
    ``"Institute [of] Physics"`` prints as it is and ``"[/bold]"`` cannot break the markup."""
    from rich.markup import escape

    return escape(terminal_text(value))


# -- CSV ---------------------------------------------------------------------------------------------

CSV_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER_RE = re.compile(r"[+-]?(?:\d+(?:[.,]\d*)*|[.,]\d+)(?:[eE][+-]?\d+)?%?")


def csv_cell(value, raw: bool = False):
    """One cell of a CSV written for people. Text starting with ``=``, ``+``, ``-``, ``@``, tab or
    carriage return (OWASP "CSV injection") gets a leading ``'``, unless it is a plain number such
    as ``-5`` or ``-0.3``; control characters, bidi controls and ANSI sequences are removed, and a
    carriage return (alone or before a newline) becomes a newline. Non-text values and
    ``raw=True`` return ``value`` unchanged."""
    if raw or not isinstance(value, str):
        return value
    if value.startswith(CSV_FORMULA_START) and not _NUMBER_RE.fullmatch(value):
        value = "'" + value
    return _csv_clean(value)


_CSV_CONTROL_RE = re.compile(f"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f{BIDI_CONTROLS}]")
_CR_RE = re.compile("\r\n?")


def _csv_clean(text: str) -> str:
    if text.isprintable():
        return text
    # tab and newline inside a cell are data (the CSV writer quotes them); a carriage return is not
    # always quoted (pandas and the csv module quote only the characters of their line terminator,
    # so a bare CR would split the row in a spreadsheet): it becomes a newline
    return _CSV_CONTROL_RE.sub("", _CR_RE.sub("\n", _ANSI_RE.sub("", text)))


def csv_frame(df: pd.DataFrame, raw: bool = False) -> pd.DataFrame:
    """``df`` with every text cell (and column name) passed through :func:`csv_cell`; numbers,
    booleans and missing values are left as they are. ``raw=True`` returns ``df`` itself."""
    if raw:
        return df
    import pandas as pd

    out = df.copy(deep=False)
    for col in out.columns:
        series = out[col]
        if series.dtype == object or isinstance(series.dtype, pd.StringDtype) or str(series.dtype) == "str":
            out[col] = series.map(lambda v: csv_cell(v) if isinstance(v, str) else v, na_action="ignore")
    out.columns = [csv_cell(c) if isinstance(c, str) else c for c in out.columns]
    return out


# -- XML ---------------------------------------------------------------------------------------------

_XML_ILLEGAL_RE = re.compile("[^\x09\x0a\x0d\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_text(value) -> str:
    """``str(value)`` without the characters XML 1.0 does not allow (control characters other than
    tab, newline and carriage return; lone surrogates; U+FFFE and U+FFFF)."""
    text = str(value)
    return _XML_ILLEGAL_RE.sub("", text)


# -- SQL ---------------------------------------------------------------------------------------------

def sql_string(value) -> str:
    """``value`` as a SQL string literal for DuckDB: single-quoted, every ``'`` doubled (DuckDB
    reads backslashes in such literals as themselves). For statements that cannot bind a parameter,
    such as ``COPY … TO 'path'`` or ``SET temp_directory``."""
    text = str(value)
    if "\x00" in text:
        raise ValueError(f"{text!r}: a NUL byte cannot be part of a path or setting")
    return "'" + text.replace("'", "''") + "'"


def like_contains(value) -> str:
    """A ``LIKE`` / ``ILIKE`` pattern matching any text that contains ``value`` literally: ``\\``,
    ``%`` and ``_`` escaped with ``\\`` (use with ``ESCAPE '\\'``)."""
    text = str(value).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{text}%"
