"""What a user types, read as the library reads it: the parsers and choices the command line and the
API share with the metrics (years, periods, windows, subjects, ranges; levels, sources, the figures
behind a work list; the Nature Index subjects).

Light on purpose (no store, engine or pandas is loaded): the command line imports it to build its
options. The metric options themselves are :mod:`collabatlas.counting.options`."""

from __future__ import annotations

from typing import TYPE_CHECKING

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

if TYPE_CHECKING:
    from collabatlas.engines import Capabilities

#: the source every metric reads unless told otherwise: the work-level store
DEFAULT_SOURCE = "works"

__all__ = ["DEFAULT_SOURCE", "LEVELS", "NI_PREFIX", "NI_SUBJECTS", "SOURCES", "WORK_FIGURES", "Filters", "check_range",
           "check_same_length", "check_subjects", "declared", "equal_halves", "ni_subject", "parse_two_periods",
           "parse_window", "parse_years"]


def declared(source: str, engine: str = "duckdb") -> Capabilities:
    """What the engine answering ``source`` on ``engine`` declares it can do, before any store is opened
    (the declaration of :data:`collabatlas.engines.DECLARED`; the pair table's provider and date are named
    only by an open Atlas: :meth:`collabatlas.atlas.Atlas.capabilities`)."""
    from collabatlas.engines import declared as _declared

    return _declared(source, engine)


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
