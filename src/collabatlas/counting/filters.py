"""Which works a metric looks at: year range, date window, subject, work type.

``Filters`` is plain data; :meth:`Filters.where` renders it as a parameterised SQL predicate over the
``works`` table (alias ``w``), used by every metric in :mod:`collabatlas.counting.rules`.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from collabatlas.counting.subjects import SubjectError, ni_field_ids
from collabatlas.errors import FilterError


def check_range(name: str, value, low: float | None = 1, high: float | None = None, allow_none: bool = True):
    """``value`` when ``low <= value <= high`` (``None`` passes when ``allow_none``: the option's
    default, e.g. all rows); else :class:`FilterError` naming the option and its range. The one rule
    behind every count-like option (``top``, ``limit``, ``min_joint``, ``threshold``, ...) of the
    library, the CLI and the API."""
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise FilterError(f"{name} {value!r}: expected a number")
    if (low is not None and value < low) or (high is not None and value > high):
        span = (f"{low:g}..{high:g}" if low is not None and high is not None
                else f">= {low:g}" if low is not None else f"<= {high:g}")
        raise FilterError(f"{name} {value:g}: must be {span}")
    return value


def parse_two_periods(value: str) -> tuple[int, int]:
    """``"2015,2021"`` → (2015, 2021): the two periods of a comparison (``trend --compare``)."""
    parts = [p.strip() for p in str(value).split(",")]
    if len(parts) != 2 or not all(p.isdigit() for p in parts):
        raise FilterError(f"compare {value!r}: expected two periods P1,P2, e.g. 2015,2021")
    first, last = int(parts[0]), int(parts[1])
    if first == last:
        raise FilterError(f"compare {value!r}: expected two different periods, e.g. 2015,2021")
    return first, last


def parse_years(value: str | int | tuple[int, int] | None) -> tuple[int, int] | None:
    """``"2015-2021"``, ``"2020"``, ``2020``, ``(2015, 2021)`` or ``[2015, 2021]`` → inclusive (first, last)."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise FilterError(f"years {value!r}: expected YYYY or YYYY-YYYY, e.g. 2015-2021")
    if isinstance(value, int):
        return (value, value)
    if isinstance(value, tuple | list):
        if len(value) not in (1, 2):
            raise FilterError(f"years {value!r}: expected (FIRST, LAST), e.g. (2015, 2021)")
        try:
            first, last = int(str(value[0]).strip()), int(str(value[-1]).strip())
        except ValueError as exc:
            raise FilterError(f"years {value!r}: expected (FIRST, LAST), e.g. (2015, 2021)") from exc
    else:
        m = re.fullmatch(r"\s*(\d{4})\s*(?:(?:-|\.\.|:)\s*(\d{4}))?\s*", str(value))
        if not m:
            raise FilterError(f"years {value!r}: expected YYYY or YYYY-YYYY, e.g. 2015-2021")
        first = int(m.group(1))
        last = int(m.group(2) or m.group(1))
    if first > last:
        raise FilterError(f"years {value!r}: the first year {first} is after the last year {last}")
    return (first, last)


def check_subjects(subjects: tuple[str, ...]) -> tuple[str, ...]:
    for s in subjects:
        try:
            ni_field_ids(s)
        except SubjectError as exc:
            raise FilterError(str(exc)) from exc
    return subjects


def parse_window(value: str | tuple[date, date] | None) -> tuple[date, date] | None:
    """``"2022-08-01..2023-07-31"`` → inclusive (start, end) publication dates."""
    if value is None or value == "":
        return None
    if isinstance(value, tuple | list):
        if len(value) != 2:
            raise FilterError(f"window {value!r}: expected (START, END), e.g. ('2022-08-01', '2023-07-31')")
        try:
            start, end = (v if isinstance(v, date) else date.fromisoformat(str(v).strip()) for v in value)
        except ValueError as exc:
            raise FilterError(f"window {value!r}: {exc}") from exc
    else:
        parts = str(value).split("..")
        if len(parts) != 2:
            raise FilterError(f"window {value!r}: expected START..END, e.g. 2022-08-01..2023-07-31")
        try:
            start, end = (date.fromisoformat(p.strip()) for p in parts)
        except ValueError as exc:
            raise FilterError(f"window {value!r}: {exc}") from exc
    if start > end:
        raise FilterError(f"window {value!r}: starts after it ends")
    return (start, end)


def as_list(value: str | list[str] | tuple[str, ...] | None) -> tuple[str, ...]:
    """``"a, b"`` or ``["a", "b"]`` (a comma list as typed, or a Python list) → ``("a", "b")``."""
    if value is None:
        return ()
    items = value.split(",") if isinstance(value, str) else value
    return tuple(str(s).strip() for s in items if s is not None and str(s).strip())


_as_list = as_list


@dataclass(frozen=True)
class Filters:
    """Work selection shared by all metrics. Every field is optional; empty means all works."""

    years: tuple[int, int] | None = None
    window: tuple[date, date] | None = None
    subjects: tuple[str, ...] = field(default_factory=tuple)
    types: tuple[str, ...] = field(default_factory=tuple)
    #: a journal list resolved against a store (:meth:`collabatlas.atlas.Atlas.journal_filter`):
    #: works whose source id, or (without one) exact source name, is in these sets
    journal_ids: tuple[str, ...] = field(default_factory=tuple)
    journal_names: tuple[str, ...] = field(default_factory=tuple)
    journal_label: str | None = None

    @classmethod
    def of(cls, years=None, window=None, subject=None, type=None) -> Filters:
        """Build from user-facing values (strings as typed on the command line, or Python values)."""
        return cls(years=parse_years(years), window=parse_window(window),
                   subjects=check_subjects(_as_list(subject)), types=_as_list(type))

    def without_years(self) -> Filters:
        return dataclasses.replace(self, years=None)

    def where(self, alias: str = "w") -> tuple[str, dict]:
        """SQL predicate over works (``TRUE`` when empty) and its named parameters."""
        years, p1 = self.year_where(alias)
        rest, p2 = self.work_where(alias)
        return f"{years} AND {rest}", {**p1, **p2}

    def year_where(self, alias: str) -> tuple[str, dict]:
        """The year predicate alone, over any table with a ``year`` column."""
        if not self.years:
            return "TRUE", {}
        return (f"{alias}.year BETWEEN $year_first AND $year_last",
                {"year_first": self.years[0], "year_last": self.years[1]})

    @property
    def has_work_filters(self) -> bool:
        """Whether anything but the year needs the works table."""
        return bool(self.window or self.subjects or self.types or self.journal_label)

    def work_where(self, alias: str = "w") -> tuple[str, dict]:
        """Predicate over works for the window, subject and type filters (``TRUE`` when none)."""
        clauses: list[str] = []
        params: dict = {}
        if self.window:
            clauses.append(f"{alias}.pub_date BETWEEN $window_start AND $window_end")
            params.update(window_start=self.window[0], window_end=self.window[1])
        if self.subjects:
            # a subject matches the OpenAlex domain, field or subfield by name (any case) or by id,
            # or is a Nature Index subject area ``ni:<slug>`` (a set of OpenAlex fields)
            names = [s.lower() for s in self.subjects if ni_field_ids(s) is None]
            ni_fields = sorted({f for s in self.subjects for f in (ni_field_ids(s) or ())})
            params["subjects"] = names
            params["ni_fields"] = ni_fields
            clauses.append(
                "(" + " OR ".join(
                    f"lower({alias}.{col}) IN (SELECT unnest($subjects))"
                    for col in ("domain", "field", "subfield")
                ) + f" OR ('domains/' || {alias}.domain_id) IN (SELECT unnest($subjects))"
                  f" OR ('fields/' || {alias}.field_id) IN (SELECT unnest($subjects))"
                  f" OR ('subfields/' || {alias}.subfield_id) IN (SELECT unnest($subjects))"
                  f" OR {alias}.field_id IN (SELECT unnest($ni_fields)))"
            )
        if self.types:
            params["types"] = [t.lower() for t in self.types]
            clauses.append(f"lower({alias}.type) IN (SELECT unnest($types))")
        if self.journal_label:
            params.update(journal_ids=list(self.journal_ids) or [""], journal_names=list(self.journal_names) or [""])
            clauses.append(f"({alias}.source_id IN (SELECT unnest($journal_ids)) OR ({alias}.source_id IS NULL "
                           f"AND {alias}.source_name IN (SELECT unnest($journal_names))))")
        return (" AND ".join(clauses) if clauses else "TRUE"), params

    def describe(self) -> str:
        """:func:`describe` of this selection (years, window, subjects, types and the resolved journal list)."""
        return describe({"years": self.years, "window": self.window, "subject": self.subjects, "type": self.types,
                         "journals": self.journal_label}, none="all works")


def _given(value) -> bool:
    """Whether an option value is given: not ``None``, ``False``, blank or empty."""
    if isinstance(value, str):
        return bool(value.strip())
    if isinstance(value, list | tuple | set | frozenset):
        return bool(value)
    return value is not None and value is not False


#: how a filter is named in a description (others by their name, underscores as spaces)
FILTER_NAMES = {"type": "work type", "window": "date window", "journals": "journal list",
                "window_end_month": "window end month"}
#: how an attribution option (a flag) is named when set
OPTION_LABELS = {"renormalize": "renormalized",
                 "rollup": "institutions counted as the top of their lineage",
                 "exclude_dual_affiliations": "authors with two or more countries left out",
                 "fold_hk_mo": "Hong Kong and Macao counted as China"}


def describe(values: Mapping[str, Any], *, none: str = "all works (no filter)",
             value_text: Callable[[str, Any], str] | None = None) -> str:
    """``"years 2015-2021, subject ni:chemistry, renormalized"``: the given filters with their values
    (as typed), then the set flags by their labels; ``none`` when nothing is given. ``value_text``
    may render a value (a group id by its name, say)."""
    text = value_text or as_typed
    given = {k: v for k, v in values.items() if _given(v)}
    bits = [f"{FILTER_NAMES.get(k, k.replace('_', ' '))} {text(k, v)}" for k, v in given.items()
            if k not in OPTION_LABELS]
    bits += [OPTION_LABELS[k] for k in OPTION_LABELS if given.get(k) is True]
    return ", ".join(bits) if bits else none


def as_typed(key: str, value: Any) -> str:
    """A value as typed: ``2015-2021``, ``2022-08-01..2023-07-31``, ``article,review``."""
    if isinstance(value, list | tuple):
        if key == "years" and len(value) == 2:
            return str(value[0]) if value[0] == value[1] else f"{value[0]}-{value[1]}"
        if key == "window" and len(value) == 2:
            return f"{value[0]}..{value[1]}"
        return ",".join(str(v) for v in value)
    return str(value)
