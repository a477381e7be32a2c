"""Numbers as people read them, in one place: the terminal tables, the report and its PDF fact
sheet, and the dashboard (its rules are handed to the page as :func:`rules`) format a cell with
:func:`cell`. CSV and JSON keep the numbers themselves.

- counts (works, joint works, links, n) are integers with thousands separators: ``16,102``, never
  ``16,102.000`` (country-pair sums arrive as floats) nor ``6733`` beside ``11,446``;
- years and periods are plain: ``2015``;
- the ``first`` / ``last`` values of a growth table (one row per measure: works beside CS) are counts
  when whole (``30,475``), else measures (``5.814``) — never written as years (``30475``);
- percentages have one decimal: ``12.3``; changes carry their sign: ``+12.3 %``;
- p-values: three decimals, ``< 0.001`` below that (never ``0``);
- Shares, CS and other measures: :data:`DECIMALS` decimals with separators (``1,234.568``).
"""

from __future__ import annotations

import math
import numbers
import re

#: columns whose integers are years or periods (2015, never 2,015)
PLAIN = r"^(year|period|publication_year|data_version|page|pages)$"
#: columns of a growth table holding each measure's value at both ends: a count when whole, else a measure
AUTO = r"^(first|last)$"
#: columns holding counts: shown as integers
COUNT = (r"^(count|joint_count|joint_works|works|n|n_works|rows|links|partner_links|partner_countries|"
         r"group_pair_links|intl_works|collab_works|domestic_works|group_works|measured_works|returned|total_works)$"
         r"|^n_|_count$|^count_\d|^joint_\d|_works$")
#: columns holding percentages: one decimal
PCT = r"(^|_)pct($|_)|_pct$|^pct_"
P_VALUE = r"^p_value$"
#: columns holding Shares and CS: always a measure with decimals, also when whole (a Share of 1 is ``1.000``;
#: the dashboard, whose JSON cannot tell 1.0 from 1, reads the column's name)
MEASURE = r"^(share|cs|p_frac)$|^cs_|_cs$|_share$|^share_"
DECIMALS = 3
#: a p-value below this is written "< 0.001"
P_FLOOR = 0.001

_PLAIN, _AUTO, _COUNT, _PCT, _P, _MEASURE = (re.compile(x, re.I) for x in (PLAIN, AUTO, COUNT, PCT, P_VALUE, MEASURE))


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or str(value) in ("<NA>", "NaT")


def count(value) -> str:
    """``16102.0`` → ``16,102``."""
    return "" if _missing(value) else f"{round(float(value)):,}"


def decimal(value, digits: int = DECIMALS, strip: bool = False) -> str:
    """``value`` with ``digits`` decimals and separators; ``strip``: trailing zeros left out (the terminal)."""
    if _missing(value):
        return ""
    text = f"{float(value):,.{digits}f}"
    return text.rstrip("0").rstrip(".") if strip and "." in text else text


def pct(value) -> str:
    """A percentage with one decimal: ``12.3``."""
    return "" if _missing(value) else f"{float(value):,.1f}"


def change(value) -> str:
    """A change in %, signed: ``+12.3 %`` (``–`` when not defined)."""
    return "–" if _missing(value) else f"{float(value):+,.1f} %"


def p_value(value) -> str:
    """``< 0.001`` below :data:`P_FLOOR`, else three decimals."""
    if _missing(value):
        return ""
    return f"< {P_FLOOR:g}" if float(value) < P_FLOOR else f"{float(value):.3f}"


def kind(column: str) -> str:
    """How the column's numbers are written: ``plain``, ``auto``, ``count``, ``pct``, ``p``, ``measure`` or
    ``decimal``."""
    column = str(column or "")
    for name, pattern in (("plain", _PLAIN), ("auto", _AUTO), ("p", _P), ("pct", _PCT), ("count", _COUNT),
                          ("measure", _MEASURE)):
        if pattern.search(column):
            return name
    return "decimal"


def cell(column: str, value, digits: int = DECIMALS, strip: bool = False) -> tuple[str, bool]:
    """(text, is a number) of ``value`` in ``column``: the rules of the module docstring (``digits``
    and ``strip`` for the measures: :func:`decimal`); text is returned as it is (the caller escapes
    it for its medium)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        return ("" if _missing(value) else str(value)), False
    if _missing(value):
        return "", False
    how = kind(column)
    if how == "plain" and float(value).is_integer():
        return str(int(value)), True
    if how == "auto":
        how = "count" if float(value).is_integer() else "decimal"
    if how == "measure":
        return decimal(value, digits, strip), True
    if how == "count" or (how == "decimal" and isinstance(value, numbers.Integral)):
        return count(value), True
    if how == "pct":
        return pct(value), True
    if how == "p":
        return p_value(value), True
    return decimal(value, digits, strip), True


def figure(column: str, value) -> str:
    """One figure outside a table (a report or fact-sheet headline, a sentence) written as the column
    ``column`` writes it in every table (:func:`cell`), so a Share reads the same in the headline and in
    the table below it; ``–`` when missing."""
    if _missing(value):
        return "–"
    return cell(column, value)[0]


def rules() -> dict[str, object]:
    """The rules as data, for the dashboard's tables (the same patterns in JavaScript)."""
    return {"plain": PLAIN, "auto": AUTO, "count": COUNT, "pct": PCT, "p": P_VALUE, "measure": MEASURE,
            "decimals": DECIMALS,
            "p_floor": P_FLOOR}
