"""The metric options: one parameter object for every figure, and one table describing them.

Every metric of the library — Count, Share, CS, total CS and its splits, partners, trends, groups,
profiles, networks, the works behind a figure — takes the same options: which works (years, a
12-month window, subjects, work types, a journal list) and how each work is attributed
(renormalised, rolled up, dual affiliations left out). Each row of :data:`OPTIONS` is one of them:
its name (the keyword of every library call and the API's query parameter), its command-line flag,
the parser that reads a value (as typed, ``"2015-2021"``, ``"article,review"``, or as a Python value,
``(2015, 2021)``, ``["article", "review"]``), how it enters the counting statement (SQL), what it
does, and which engines apply it (the engines' declarations take their options from that column).

:class:`MetricOptions` holds the values. A library metric is declared with :func:`takes_options`
(the options it applies) and receives ONE :class:`MetricOptions`; callers give ``options=`` and/or
the options as keywords, and an option the metric does not apply is refused. The CLI builds one per
command from its flags, the API one per request from its query parameters, the network code passes
its own on. :func:`describe` is the one text of filters and options that table titles, chart
captions, API metadata and network files print.

    opts = MetricOptions(years="2015-2021", subject="ni:chemistry", renormalize=True)
    atlas.partners("JP", options=opts); atlas.totals(options=opts); describe(opts.given())
    # 'years 2015-2021, subject ni:chemistry, renormalized'
    atlas.scores(years=[2015, 2021], type=["article", "review"])  # keywords: the same object
"""

from __future__ import annotations

import dataclasses
import functools
import inspect
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, NamedTuple

from collabatlas.counting.filters import (  # noqa: F401 - the one description of filters, re-exported
    FILTER_NAMES,
    OPTION_LABELS,
    Filters,
    _given,
    as_list,
    as_typed,
    check_subjects,
    describe,
    parse_window,
    parse_years,
)
from collabatlas.errors import UserError


class OptionsError(UserError):
    """Metric options that a call cannot take (an option it does not apply, or given twice)."""


class Option(NamedTuple):
    """One metric option, one row of :data:`OPTIONS`.

    ``name``: the library keyword and the API's query parameter; ``flag``: the CLI flag; ``kind``:
    ``filter`` (selects works) or ``attribution`` (how a work's Share is spread); ``help``: what it
    does (:attr:`description`); ``parser``: the function that reads and checks a value as typed or as
    a Python value (``"2015-2021"``, ``(2015, 2021)``, ``[2015, 2021]``; ``"a,b"`` or ``["a", "b"]``);
    ``sql``: how it enters the counting statement (the predicate :class:`Filters` renders, or the
    statement builder that applies it); ``engines``: the engines that apply it (the ``options`` of
    their :class:`~collabatlas.engines.protocol.Capabilities` come from this column)."""

    name: str
    flag: str
    kind: str
    help: str
    parser: Callable[[Any], Any]
    sql: str
    engines: frozenset[str]

    @property
    def description(self) -> str:
        return self.help

    def parse(self, value: Any) -> Any:
        """The value read by :attr:`parser` (a bad value raises :class:`FilterError` or :class:`OptionsError`)."""
        return self.parser(value)


def _subjects(value: Any) -> tuple[str, ...]:
    return check_subjects(as_list(value))


def _journal_list(value: Any) -> str | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise OptionsError(f"journals {value!r}: expected the name of a list (nature-index, nature-index-82) or a "
                           "file path")
    return value.strip()


def _switch(name: str) -> Callable[[Any], bool]:
    def parse(value: Any) -> bool:
        if value is None:
            return False
        if isinstance(value, str) or value not in (True, False):
            raise OptionsError(f"{name} {value!r}: expected True or False")
        return bool(value)

    parse.__name__ = parse.__qualname__ = f"switch_{name}"
    return parse


#: the engines that apply every option, and those that apply the publication years only (the pair table)
WORKS_ENGINES = frozenset({"works-duckdb", "works-spark"})
EVERY_ENGINE = WORKS_ENGINES | {"pairs-duckdb"}
#: where the attribution options enter: the statement that builds the unit shares
UNIT_SHARES = "collabatlas.counting.rules.base_unit_shares_sql / unit_shares_sql (Counting.{field})"

#: every metric option, in the order help texts and descriptions list them
OPTIONS: tuple[Option, ...] = (
    Option("years", "--years", "filter", "Publication years, e.g. 2020 or 2015-2021.",
           parse_years, "w.year BETWEEN $year_first AND $year_last", EVERY_ENGINE),
    Option("window", "--window", "filter", "Publication-date window START..END, e.g. 2022-08-01..2023-07-31.",
           parse_window, "w.pub_date BETWEEN $window_start AND $window_end", WORKS_ENGINES),
    Option("subject", "--subject", "filter",
           "OpenAlex domain, field or subfield name or id (comma-separated), e.g. 'Physical Sciences' or "
           "fields/17, or a Nature Index subject area ni:<slug>.",
           _subjects, "lower(w.field) IN (SELECT unnest($subjects))", WORKS_ENGINES),
    Option("type", "--type", "filter", "Work types (comma-separated), e.g. article,review.",
           as_list, "lower(w.type) IN (SELECT unnest($types))", WORKS_ENGINES),
    Option("journals", "--journals", "filter",
           "Only works in the journals of a list: nature-index (145, 2023-), nature-index-82 (2018-2023) or "
           "FILE (titles, ISSNs or source ids; see `collabatlas journals`).",
           _journal_list, "w.source_id IN (SELECT unnest($journal_ids))", WORKS_ENGINES),
    Option("renormalize", "--renormalize", "attribution",
           "Spread each work's Share over its attributed authors only (default: strict, unattributed share "
           "dropped).", _switch("renormalize"), UNIT_SHARES.format(field="renormalize"), WORKS_ENGINES),
    Option("rollup", "--rollup", "attribution",
           "Institution level: credit each institution to the top of its lineage.",
           _switch("rollup"), UNIT_SHARES.format(field="rollup"), WORKS_ENGINES),
    Option("exclude_dual_affiliations", "--exclude-dual-affiliations", "attribution",
           "Leave out authors affiliated in two or more countries (their parts are dropped).",
           _switch("exclude_dual_affiliations"), UNIT_SHARES.format(field="exclude_dual"), WORKS_ENGINES),
)
OPTION = {o.name: o for o in OPTIONS}
#: every option but the journal list (which needs a store to resolve): what plain counting takes
ALL = tuple(OPTION)


def applied_by(engine: str) -> frozenset[str]:
    """The metric options the engine named ``engine`` applies (the ``engines`` column of :data:`OPTIONS`)."""
    return frozenset(o.name for o in OPTIONS if engine in o.engines)


@dataclass(frozen=True)
class MetricOptions:
    """The options of one metric request, as typed (``"2015-2021"``) or as Python values
    (``(2015, 2021)``, ``["article", "review"]``). ``None`` / ``False`` mean "not given"."""

    years: Any = None
    window: Any = None
    subject: Any = None
    type: Any = None
    journals: str | None = None
    renormalize: bool = False
    rollup: bool = False
    exclude_dual_affiliations: bool = False

    @classmethod
    def of(cls, **values) -> MetricOptions:
        """From keyword values; a name that is not a metric option is refused."""
        unknown = sorted(set(values) - set(OPTION))
        if unknown:
            raise OptionsError(f"not a metric option: {', '.join(unknown)} (options: {', '.join(OPTION)})")
        return cls(**values)

    @classmethod
    def of_call(cls, options: MetricOptions | None = None, **values) -> MetricOptions:
        """The options of one library call: ``options`` (or none) and the option keywords ``values``; a
        name that is not an option is refused, and so is an option given both ways with two values."""
        extra = cls.of(**values)
        if options is None:
            return extra
        if not isinstance(options, MetricOptions):
            raise OptionsError(f"options {options!r}: expected a MetricOptions (or the options as keywords)")
        mine, more = options.given(), extra.given()
        twice = [k for k in more if k in mine and mine[k] != more[k]]
        if twice:
            raise OptionsError(f"{', '.join(twice)} given twice with different values (options= and keyword)")
        return dataclasses.replace(options, **more) if more else options

    def parsed(self) -> dict[str, Any]:
        """Every option given, read by its row's parser (``years`` → ``(2015, 2021)``); a bad value is
        refused here, before any counting."""
        return {k: OPTION[k].parse(v) for k, v in self.given().items()}

    def refuse(self, takes: tuple[str, ...], what: str) -> None:
        """Refuse (never ignore) an option given that ``what`` (a metric) does not apply."""
        refused = [k for k in self.given() if k not in takes]
        if refused:
            raise OptionsError(f"{what} does not apply {', '.join(OPTION[k].flag for k in refused)}"
                               f" (it takes {', '.join(OPTION[k].flag for k in takes) or 'no metric option'})")

    def given(self) -> dict[str, Any]:
        """The options given (not ``None``, ``False`` or blank), by name."""
        return {k: v for k, v in self.kwargs().items() if _given(v)}

    def kwargs(self) -> dict[str, Any]:
        """Every option by name: the keywords of a library call."""
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}

    def filters(self) -> Filters:
        """The work selection (journal list not yet resolved: that needs a store)."""
        return Filters.of(years=self.years, window=self.window, subject=self.subject, type=self.type)

    def describe(self, **more) -> str:
        """:func:`describe` of these options (and ``more``, e.g. ``group=``)."""
        return describe({**self.given(), **more})


def option_names(fn: Callable) -> tuple[str, ...]:
    """The metric options that ``fn`` takes as keywords."""
    parameters = inspect.signature(fn).parameters
    return tuple(name for name in OPTION if name in parameters)


def accepts_options(fn: Callable) -> Callable:
    """Let ``fn`` (a view function taking some option keywords) also take ``options=MetricOptions(...)``
    (library metrics use :func:`takes_options`: one object, no option keywords in their signature).

    The given options become keywords; one ``fn`` does not take is refused (never ignored), and so is
    an option given both ways with two values."""
    takes = option_names(fn)

    @functools.wraps(fn)
    def call(*args, options: MetricOptions | None = None, **kwargs):
        if options is not None:
            given = options.given()
            refused = [k for k in given if k not in takes]
            if refused:
                raise OptionsError(f"{fn.__name__} does not apply {', '.join(OPTION[k].flag for k in refused)}"
                                   f" (it takes {', '.join(OPTION[k].flag for k in takes) or 'no metric option'})")
            twice = [k for k in given if k in kwargs and kwargs[k] != given[k]]
            if twice:
                raise OptionsError(f"{', '.join(twice)} given twice with different values (options= and keyword)")
            kwargs = {**given, **kwargs}
        return fn(*args, **kwargs)

    signature = inspect.signature(fn)
    keyword = inspect.Parameter("options", inspect.Parameter.KEYWORD_ONLY, default=None,
                                annotation="MetricOptions | None")
    params = [p for p in signature.parameters.values() if p.kind is not inspect.Parameter.VAR_KEYWORD]
    tail = [p for p in signature.parameters.values() if p.kind is inspect.Parameter.VAR_KEYWORD]
    call.__signature__ = signature.replace(parameters=[*params, keyword, *tail])
    call.option_names = takes
    return call


def takes_options(*names: str) -> Callable[[Callable], Callable]:
    """Declare the metric options a library metric applies (default: all) and give it them as ONE
    :class:`MetricOptions`.

    The metric is written ``def m(self, ..., options: MetricOptions) -> ...`` and reads ``options``
    only. Callers give ``options=MetricOptions(...)`` and/or the options as keywords
    (``years="2015-2021"``: :meth:`MetricOptions.of_call`); an option the metric does not apply is
    refused, never ignored. ``m.option_names`` lists the options it takes; its signature shows
    ``options`` and ``**option_values`` in place of one keyword per option."""
    unknown = [n for n in names if n not in OPTION]
    if unknown:
        raise ValueError(f"not metric options: {unknown}")
    takes = tuple(n for n in OPTION if n in (names or ALL))

    def decorate(fn: Callable) -> Callable:
        signature = inspect.signature(fn)
        if "options" not in signature.parameters:
            raise TypeError(f"{fn.__name__} needs an `options` parameter for @takes_options")

        @functools.wraps(fn)
        def call(*args, options: MetricOptions | None = None, **kwargs):
            values = {k: kwargs.pop(k) for k in list(kwargs) if k in OPTION}
            opts = MetricOptions.of_call(options, **values)
            opts.refuse(takes, fn.__name__)
            return fn(*args, options=opts, **kwargs)

        params = [p for p in signature.parameters.values() if p.name != "options"]
        keyword = inspect.Parameter("options", inspect.Parameter.KEYWORD_ONLY, default=None,
                                    annotation="MetricOptions | None")
        values = inspect.Parameter("option_values", inspect.Parameter.VAR_KEYWORD, annotation="Any")
        call.__signature__ = signature.replace(parameters=[*params, keyword, values])
        call.option_names = takes
        return call

    return decorate
