"""What a user types, read as the library reads it: the parsers and choices the command line and the
API share with the metrics (years, periods, windows, subjects, ranges; levels, sources, the figures
behind a work list; the Nature Index subjects).

Light on purpose (no store, engine or pandas is loaded): the command line imports it to build its
options. The metric options themselves are :mod:`collabatlas.counting.options`."""

from __future__ import annotations

from collabatlas.counting.filters import (
    Filters,
    check_range,
    check_subjects,
    parse_two_periods,
    parse_window,
    parse_years,
)
from collabatlas.counting.rules import LEVELS
from collabatlas.counting.source_choice import SOURCES
from collabatlas.counting.subjects import NI_SUBJECTS
from collabatlas.counting.subjects import PREFIX as NI_PREFIX
from collabatlas.counting.work_lists import WORK_FIGURES

__all__ = ["LEVELS", "Filters", "NI_PREFIX", "NI_SUBJECTS", "SOURCES", "WORK_FIGURES", "check_range",
           "check_same_length", "check_subjects", "equal_halves", "ni_subject", "parse_two_periods", "parse_window",
           "parse_years"]


def ni_subject(slug: str) -> str:
    """The ``subject`` value of one Nature Index subject (``"chemistry"`` → ``"ni:chemistry"``)."""
    return NI_PREFIX + slug


def check_same_length(periods: list[str], what: str = "--periods") -> None:
    """Refuse two periods of unequal length (:func:`collabatlas.analyses.periods.check_same_length`)."""
    from collabatlas.analyses.periods import check_same_length as check

    check(periods, what)


def equal_halves(first: int, last: int) -> tuple[list[str], str | None]:
    """The two periods of the same length a span's comparison uses by default, and the note on a left-out
    middle year (:func:`collabatlas.analyses.periods.equal_halves`)."""
    from collabatlas.analyses.periods import equal_halves as halves

    return halves(first, last)
