"""How a result table fits a terminal: ids and values are never clipped; names give way first.

Each column is one of three kinds:

- **kept** (ids, codes, numbers): always shown whole, on one line. ``unit``, ``partner``, ``doi``,
  any ``*_id``, every numeric column, and any text column whose longest value is short;
- **name** (``name*``, ``title``, ``journal``): shortened with an ellipsis, down to
  :data:`NAME_MIN` characters, and left out (the caption says which) when the kept columns need the
  room; a name is read in full with ``--format csv`` or ``--out``;
- **text** (other long text, such as a description): wrapped over several lines, down to
  :data:`TEXT_MIN` characters wide.

Headers of kept columns wrap after ``_`` (never inside a word) when the values are narrower than the
header. When even the kept columns are wider than the terminal, the table is printed in column blocks
(:func:`blocks`, as pandas and R print wide frames): each block repeats the leading id columns, so
every value is read beside its unit and no header is cut into syllables.
"""

from __future__ import annotations

from dataclasses import dataclass

NAME_MAX = 34
NAME_MIN = 10
TEXT_MIN = 16
SHORT_TEXT = 24
"""A text column whose values are all at most this long is kept whole."""
ID_COLUMNS = frozenset({"unit", "unit_a", "unit_b", "partner", "id", "doi", "work", "work_id", "ror", "country",
                        "level", "group", "period", "year", "figure", "origin", "code"})
NAME_COLUMNS = frozenset({"title", "journal", "display_name"})
# a Rich table with a box: one border character before each column and one at the end, one space of
# padding each side of a cell
BORDER_PER_COLUMN = 3
BORDER_END = 1


@dataclass
class ColumnPlan:
    name: str
    kind: str  # kept | name | text
    value_width: int  # the longest value
    header_width: int
    width: int = 0
    numeric: bool = False


def kind_of(column: str, numeric: bool, value_width: int) -> str:
    if numeric or column in ID_COLUMNS or column.endswith("_id"):
        return "kept"
    if column.startswith("name") or column in NAME_COLUMNS:
        return "name"
    return "kept" if value_width <= SHORT_TEXT else "text"


def total_width(plans: list[ColumnPlan]) -> int:
    return sum(p.width for p in plans) + BORDER_PER_COLUMN * len(plans) + BORDER_END


def plan(columns: list[tuple[str, bool, int]], width: int,
         keep: tuple[str, ...] = ()) -> tuple[list[ColumnPlan], list[str]]:
    """Column widths for a terminal ``width`` wide. ``columns``: (name, numeric, longest value);
    ``keep``: columns kept whole whatever their kind. Returns the plans of the columns shown and the
    names of the columns left out."""
    plans = []
    for column, numeric, value_width in columns:
        kind = "kept" if column in keep else kind_of(column, numeric, value_width)
        p = ColumnPlan(column, kind, max(value_width, 1), len(column), numeric=numeric)
        natural = max(p.value_width, p.header_width)
        p.width = min(natural, NAME_MAX) if kind == "name" else natural
        plans.append(p)

    def shrink(kind: str, floor_of) -> None:
        while total_width(plans) > width:
            candidates = [p for p in plans if p.kind == kind and p.width > floor_of(p)]
            if not candidates:
                return
            max(candidates, key=lambda p: p.width - floor_of(p)).width -= 1

    shrink("text", lambda p: min(TEXT_MIN, max(p.value_width, p.header_width)))
    shrink("name", lambda p: min(NAME_MIN, max(p.value_width, p.header_width)))
    # headers of kept columns wrap before any name is dropped (values stay whole)
    shrink("kept", lambda p: max(p.value_width, _longest_word(p.name)))
    dropped = []
    for p in reversed([p for p in plans if p.kind == "name"]):
        if total_width(plans) <= width:
            break
        plans.remove(p)
        dropped.append(p.name)
    return plans, list(reversed(dropped))


def blocks(plans: list[ColumnPlan], width: int) -> list[list[ColumnPlan]]:
    """``plans`` in consecutive column blocks that each fit ``width``, each led by the table's leading
    id columns (the kept text columns before the first number: ``unit``, ``partner`` …). One block when
    the table fits, or when a block could hold no more than its lead."""
    if total_width(plans) <= width:
        return [plans]
    lead: list[ColumnPlan] = []
    for p in plans:
        if p.kind != "kept" or p.numeric:
            break
        lead.append(p)
    out: list[list[ColumnPlan]] = []
    current = list(lead)
    for p in plans[len(lead):]:
        if len(current) > len(lead) and total_width([*current, p]) > width:
            out.append(current)
            current = list(lead)
        current.append(p)
    out.append(current)
    return out


def _longest_word(header: str) -> int:
    return max((len(part) for part in header.replace("_", "_ ").split()), default=1)


def wrap_header(header: str, width: int) -> str:
    """``header`` in lines of at most ``width`` characters, broken after ``_`` where it can be
    (``cs_international`` → ``cs_`` / ``international``), else within a word."""
    if len(header) <= width:
        return header
    parts = header.replace("_", "_\n").split("\n")
    lines, line = [], ""
    for part in parts:
        while len(part) > width:  # a part longer than the column: cut it
            if line:
                lines.append(line)
                line = ""
            lines.append(part[:width])
            part = part[width:]
        if len(line) + len(part) <= width:
            line += part
        else:
            lines.append(line)
            line = part
    if line:
        lines.append(line)
    return "\n".join(lines)
