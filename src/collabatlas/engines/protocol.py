"""What an engine is: a source of figures that declares what it can answer (the ibis ``BaseBackend`` idea).

Three engines answer the library's questions (:data:`collabatlas.engines.DECLARED`):

- works on DuckDB (:mod:`.works_duckdb`): the work-level store, every metric, filter and option;
- country pairs on DuckDB (:mod:`.pairs`): the ``ingest-pairs`` table, full counts per country pair
  and year, country level, filtered by years only;
- works on Spark (:mod:`.spark`): the counting metrics over the Parquet export.

Each declares its :class:`Capabilities` — the metrics, analyses, levels, filters and options it
applies, how it counts, and the words for captions (``source_label``, ``counting_label``). Every
refusal comes from that declaration through one function, :meth:`Capabilities.require`, which raises
:class:`CapabilityError` naming the engine, what it cannot do and why; views ask
:meth:`Capabilities.supports` instead of testing a source name or an engine type. docs/engines.md
carries the table of the declarations (:func:`markdown_table`, checked by tests/test_docs.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

import pandas as pd

from collabatlas.counting.options import OPTION
from collabatlas.counting.rules import CountingError
from collabatlas.engines.errors import EngineError

#: options that are not metric options (counting/options.py) but that some engines refuse: their flags
EXTRA_FLAGS = {"window_end_month": "--window-end-month", "report_dual": "--report-dual", "ci": "--ci",
               "subject_coverage": "--subject", "by_year": "--by-year", "industry_country": "--country"}


class CapabilityError(EngineError, CountingError):
    """A request an engine declares it cannot answer (an option, level, metric or analysis): the user
    can ask another source or engine, so it is answered as a user error (exit 2, HTTP 422) although it
    is an :class:`EngineError`."""


def _given(value: Any) -> bool:
    return value not in (None, False, 0, "", (), [])


@dataclass(frozen=True)
class Capabilities:
    """What one engine can answer (see the module docstring)."""

    #: ``works-duckdb``, ``pairs-duckdb``, ``works-spark``
    name: str
    #: the ``source`` a request names (``works`` or ``pairs``) and the ``engine`` (``duckdb`` or ``spark``)
    source: str
    engine: str
    #: how messages name the engine: ``--source pairs``, ``the Spark engine``
    called: str
    levels: tuple[str, ...]
    #: Atlas metrics (``scores``, ``partners`` ...) and analyses (``group``, ``profile``, ``network`` ...)
    metrics: frozenset[str]
    analyses: frozenset[str]
    #: the metric options and extra options (``window_end_month``, ``report_dual``, ``ci``) it applies
    options: frozenset[str]
    #: ``fractional`` (Share, CS) and/or ``full`` (whole works)
    counting_modes: tuple[str, ...]
    #: what the data holds, and what to use instead (the second half of every refusal)
    holds: str
    instead: str
    source_label: str
    counting_label: str
    #: why a level is refused, when ``levels`` does not hold it
    level_reason: str = ""
    #: the column of a bilateral trend that changes are computed on, and how titles name it
    trend_value: str = "cs"
    trend_label: str = "CS"
    notes: dict[str, str] = field(default_factory=dict)
    #: the metrics and analyses the engine answers itself, from its own table (a method of that name on
    #: the engine: :class:`PairTable`); the others are the counting statements run through
    #: :meth:`Engine.query` (:class:`WorksCounter`)
    answers: frozenset[str] = frozenset()

    def answers_itself(self, what: str) -> bool:
        """Whether the engine answers ``what`` from its own table (after :meth:`require` let it through)."""
        return what in self.answers

    def supports(self, what: str) -> bool:
        """Whether ``what`` (a metric, an analysis, an option or a level) is answered by this engine."""
        return what in self.metrics or what in self.analyses or what in self.options or what in self.levels

    def refused_options(self, **given: Any) -> list[str]:
        """The flags of the options given (not ``None``/``False``/``0``/blank) that this engine does not apply."""
        return [OPTION[k].flag if k in OPTION else EXTRA_FLAGS.get(k, k)
                for k, v in given.items() if _given(v) and k not in self.options]

    def require(self, *what: str, level: str | None = None, options: Any = None, **given: Any) -> None:
        """Refuse, never ignore, what this engine cannot answer: ``what`` (metrics or analyses), the
        ``level``, the metric options given in ``options`` (a
        :class:`~collabatlas.counting.options.MetricOptions`) and the other options ``given`` (keyword
        values; those not given pass). The one place a refusal is worded: :class:`CapabilityError`
        naming the engine, what it cannot do and why."""
        if options is not None:
            given = {**options.given(), **given}
        missing = [w for w in what if not self.supports(w)]
        if missing:
            why = self.notes.get(missing[0])
            raise CapabilityError(f"{', '.join(missing)}: not available with {self.called}, "
                                  + (f"because {why}" if why else f"which holds {self.holds}") + f"; {self.instead}")
        if level is not None and level not in self.levels:
            raise CapabilityError(self.level_reason or f"{self.called}: level {level!r} is not available "
                                                       f"(levels: {', '.join(self.levels)})")
        refused = self.refused_options(**given)
        if refused:
            raise CapabilityError(f"{', '.join(refused)}: not available with {self.called}, which holds {self.holds}; "
                                  f"{self.instead}")

    def with_source_label(self, label: str) -> Capabilities:
        """The same declaration with the caption's source named (a pair table names its provider and date)."""
        from dataclasses import replace

        return replace(self, source_label=label)


class Engine(Protocol):
    """An engine: its declaration, and statements of :mod:`collabatlas.counting` run on its data."""

    capabilities: Capabilities

    def query(self, sql: str, params: dict | None = None) -> pd.DataFrame:
        """Run one statement (DuckDB dialect, ``$name`` parameters) and return its rows."""
        ...


class PairTable(Engine, Protocol):
    """An engine that answers from its own table of country pairs (its declaration's ``answers``): the
    Atlas calls these in place of the counting statements, filtered by the publication years only."""

    def years(self) -> tuple[int, int]:
        ...

    def totals(self, years: Any = None) -> pd.DataFrame:
        ...

    def partners(self, country: str, years: Any = None) -> pd.DataFrame:
        ...

    def trend(self, a: str, b: str, years: Any = None) -> pd.DataFrame:
        ...

    def links(self, years: Any = None) -> pd.DataFrame:
        ...

    def group(self, country: str, members: frozenset[str], periods: list[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
        ...


def markdown_table(declared: tuple[Capabilities, ...]) -> str:
    """The capabilities table of docs/engines.md, generated from the declarations."""
    def cell(values) -> str:
        return ", ".join(f"`{v}`" for v in sorted(values)) or "—"

    rows = ["| engine | source | levels | metrics | analyses | options | counting | caption: source · counting |",
            "|---|---|---|---|---|---|---|---|"]
    for c in declared:
        rows.append(f"| `{c.name}` | `{c.source}` | {cell(c.levels)} | {cell(c.metrics)} | {cell(c.analyses)} | "
                    f"{cell(c.options)} | {', '.join(c.counting_modes)} | {c.source_label} · {c.counting_label} |")
    return "\n".join(rows)


class WorksCounter(Protocol):
    """The narrow interface an analysis over the work-level data receives (the Atlas implements it):
    the counting of a level under options, statements run on the works engine, and the few lookups
    every analysis shares. Analyses take this, not the facade (no import of :mod:`collabatlas.atlas`)."""

    def counting_for(self, level: str, options: Any = None, **values: Any) -> Any:
        """The :class:`~collabatlas.counting.rules.Counting` of ``level`` under these options."""
        ...

    def query(self, sql: str, params: dict | None = None) -> pd.DataFrame:
        """Run one statement on the works engine."""
        ...

    def mapping(self, sql: str, params: dict | None = None) -> dict:
        """The first two columns of a statement's result as a dict."""
        ...

    def resolve_unit(self, level: str, unit: str) -> str:
        ...

    def totals(self, level: str = "country", **options: Any) -> pd.DataFrame:
        ...

    def institution_attributes(self) -> pd.DataFrame:
        ...

    def without_dual(self, c: Any) -> Any:
        ...

    def partner_detail(self, c: Any, level: str, unit: str) -> pd.DataFrame:
        ...

    def capabilities(self, source: str = "works") -> Capabilities:
        ...

    def undated_note(self, filters: Any) -> str | None:
        ...
