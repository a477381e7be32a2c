"""ISSNs, the journal identifiers the store keeps for each work (``works.issn_l``, ``works.issns``) and
that a journal list may name (:mod:`.journals`).

An ISSN is stored in one form, ``NNNN-NNNC``: seven digits and a check character (a digit or an upper
case ``X``), hyphen after the fourth. The check character is ISO 3297's: the first seven digits
weighted 8, 7, …, 2, the sum taken modulo 11, and ``(11 - sum mod 11) mod 11`` written as a digit
(``X`` for 10). Accepted spellings: with or without the hyphen, a lower case ``x``, spaces around.
Anything else (wrong length, letters, a check character that does not fit) is no ISSN: not stored,
and counted as the ingest warning :data:`INVALID_ISSN_WARNING`.

The same rule is written twice, once in Python (:func:`normalise_issn`, :func:`issn_values`, for export
records and journal lists) and once in DuckDB SQL (:func:`issn_record_sql`, for the OpenAlex reader,
which stages in SQL); ``tests/test_issn.py`` checks the two agree on any text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

#: the ingest warning for an ISSN that is not one (see the module docstring); ISSNs counted, not records
INVALID_ISSN_WARNING = ("ISSN not valid (not NNNN-NNNC with a fitting check character; not stored, ISSNs "
                        "counted)")

_SHAPE = re.compile(r" *([0-9]{4})-?([0-9]{3}[0-9Xx]) *")
_WEIGHTS = (8, 7, 6, 5, 4, 3, 2)


def check_character(first_seven: str) -> str:
    """The ISSN check character of seven digits: ``"0028083"`` → ``"6"``."""
    total = sum(int(d) * w for d, w in zip(first_seven, _WEIGHTS, strict=True))
    value = (11 - total % 11) % 11
    return "X" if value == 10 else str(value)


def looks_like_issn(text: str) -> bool:
    """Whether ``text`` has the shape of an ISSN (check character not tested)."""
    return _SHAPE.fullmatch(text) is not None


def normalise_issn(text: str | None) -> str | None:
    """``NNNN-NNNC`` for a valid ISSN in any accepted spelling, else ``None``."""
    if not isinstance(text, str):
        return None
    m = _SHAPE.fullmatch(text)
    if m is None:
        return None
    digits = (m.group(1) + m.group(2)).upper()
    if check_character(digits[:7]) != digits[7]:
        return None
    return f"{digits[:4]}-{digits[4:]}"


def split_issns(text: str | None) -> list[str]:
    """The ISSN-like tokens of an export field: ``"00489697; 18791026"`` → two tokens,
    ``"1879-0038 (Electronic)"`` → ``["1879-0038"]`` (parenthesised notes dropped); blanks → ``[]``."""
    if not text:
        return []
    return re.findall(r"[^\s;,|]+", re.sub(r"\([^)]*\)", " ", text))


def issn_values(given: Iterable[str | None], issn_l: str | None = None) -> tuple[str | None, list[str] | None, int]:
    """``(issn_l, issns, invalid)`` of one record: its linking ISSN normalised (``None`` when absent or
    invalid), every valid ISSN it gives (the linking one included) sorted and without repeats
    (``None`` when there is none), and the number of distinct given values that are not ISSNs.
    Values of spaces only count as not given. The OpenAlex reader's SQL does the same (:func:`issn_record_sql`)."""
    values = [v for v in (*given, issn_l) if isinstance(v, str) and v.strip(" ")]
    valid = sorted({n for n in map(normalise_issn, values) if n is not None})
    invalid = len({v for v in values if normalise_issn(v) is None})
    return normalise_issn(issn_l), valid or None, invalid


def issn_rows_sql(source: str, given: str, issn_l: str) -> str:
    """The DuckDB form of :func:`issn_values`: one row ``rid, issn_l, issns, invalid`` per row of the
    query ``source`` (which has a ``rid`` column), where ``given`` is an SQL expression over its columns
    for the list of given values (VARCHAR[], may hold NULLs or be NULL) and ``issn_l`` one for the
    linking ISSN as given. Each value is checked once (nested ``list_transform``: as nested macros the
    check expanded into dozens of copies of the regular expression); materialise the result once."""
    weighted = " + ".join(f"{w} * d[{i}]::INTEGER" for i, w in enumerate(_WEIGHTS, start=1))
    return f"""
        SELECT rid, CASE WHEN nullif(trim(l), '') IS NOT NULL THEN checked[-1] END AS issn_l,
               nullif(list_sort(list_distinct(list_filter(checked, lambda v: v IS NOT NULL))), []) AS issns,
               len(list_distinct(list_filter(given, lambda v, i: checked[i] IS NULL))) AS invalid
        FROM (SELECT rid, l, given, list_transform(list_transform(list_transform(given,
                  lambda v: CASE WHEN regexp_full_match(v, ' *[0-9]{{4}}-?[0-9]{{3}}[0-9Xx] *')
                                 THEN upper(replace(replace(v, ' ', ''), '-', '')) END),
                  lambda d: {{'d': d, 'k': (11 - ({weighted}) % 11) % 11}}),
                  lambda x: CASE WHEN x.d[8] = CASE x.k WHEN 10 THEN 'X' ELSE x.k::VARCHAR END
                                 THEN x.d[1:4] || '-' || x.d[5:8] END) AS checked
              FROM (SELECT rid, l, list_filter(list_concat(coalesce(g, []::VARCHAR[]), [l]),
                                               lambda v: nullif(trim(v), '') IS NOT NULL) AS given
                    FROM (SELECT rid, ({given})::VARCHAR[] AS g, ({issn_l})::VARCHAR AS l FROM ({source}))))"""
