"""What the report and single charts from country-pair aggregates (``--source pairs``) share: the charts
they can draw, the caption's source and counting, and the refusals. The charts are drawn by
:func:`collabatlas.views.chart_figures.make_pair_chart`, the report by
:func:`collabatlas.views.report.build_pair_report`.

Country-pair data (``collabatlas ingest-pairs``) holds full counts of joint works per country pair
and year at world scale, where the work-level store is a sample. What it allows is drawn from it —
top partners, their trend, the partner map and the two-period group comparison — each chart and
table naming the source and its counting; what needs work-level data (Share, CS, subjects, the
landscape, distances, institutions) is said to be absent, never drawn from the sample silently.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from collabatlas.errors import CountingError
from collabatlas.views.charts import ChartContext

if TYPE_CHECKING:
    from collabatlas.atlas import Atlas, Capabilities

#: the charts country-pair aggregates can draw (``collabatlas chart KIND --source pairs``)
PAIR_KINDS = ("partners", "trend", "map", "group")
SOURCE_TEXT = "country-pair aggregates (ingest-pairs)"
#: what the charts and reports of full counts of joint works cannot give
NEEDS_WORKS = "subjects, the landscape, collaboration distance, Share and CS need work-level data"


def not_available(capabilities: Capabilities) -> str:
    """What an engine of full counts cannot give, in its declaration's words: ``subjects, … need
    work-level data: not available with --source pairs, which holds …; use --source works …``."""
    return f"{NEEDS_WORKS}: not available with {capabilities.called}, which holds {capabilities.holds}; " \
           f"{capabilities.instead}"


def full_counts_only(capabilities: Capabilities) -> bool:
    """Whether an engine answers with full counts of joint works only (no fractional Share or CS), as the
    country-pair table does: its charts and report are the ones of this module, asked by its declaration
    (:meth:`collabatlas.atlas.Atlas.capabilities`), never by the name of the source."""
    return "fractional" not in capabilities.counting_modes


def refuse_options(capabilities: Capabilities, **given) -> None:
    """Refuse the first option ``given`` that the engine does not apply ("--journals: not available with"
    and the engine as its declaration names it); options not given pass."""
    refused = capabilities.refused_options(**given)
    if refused:
        raise CountingError(f"{refused[0]}: not available with {capabilities.called}")


def pair_context(atlas: Atlas, source: str, **filters) -> ChartContext:
    """The caption of a pair figure: the pair engine's words (the table's provider and retrieval date)."""
    capabilities = atlas.capabilities(source)
    return ChartContext.from_atlas(atlas, counting=capabilities.counting_label, source=capabilities.source_label,
                                   **filters)


def pair_country(capabilities: Capabilities, unit: str | None, level: str) -> str:
    """The country code ``unit`` at ``level``: a level the engine does not declare is refused by its
    declaration (its reason), a unit that is not a country code in its words."""
    capabilities.require(level=level)
    if not unit or len(unit.strip()) != 2 or not unit.strip().isalpha():
        raise CountingError(f"{capabilities.called} needs a country code (two letters) as the unit, got {unit!r}")
    return unit.strip().upper()


def refuse_pair_filters(capabilities: Capabilities, subject, type) -> None:
    """Refuse the work filters the engine does not apply (its declaration: the flags, the engine and why)."""
    capabilities.require(subject=subject, type=type)


def refuse_kind(capabilities: Capabilities, kind: str) -> None:
    """Refuse a chart that full counts of joint works cannot draw, naming the engine and what it draws."""
    if kind not in PAIR_KINDS:
        raise CountingError(f"the {kind} chart needs work-level data: not available with {capabilities.called}, "
                            f"which draws {', '.join(PAIR_KINDS)}; {capabilities.instead}")
