"""The metric options: one parameter object for every figure, and one description of them.

Every metric of the library — Count, Share, CS, total CS and its splits, partners, trends, groups,
profiles, networks, the works behind a figure — takes the same options: which works (years, a
12-month window, subjects, work types, a journal list) and how each work is attributed
(renormalised, rolled up, dual affiliations left out). Each row of :data:`OPTIONS` is one of them:
its name (the keyword of every library call and the API's query parameter), its command-line flag,
what it does, and whether it selects works or attributes them.

:class:`MetricOptions` holds the values. The library accepts it as ``options=`` on every metric
(:func:`accepts_options`); the CLI builds one per command from its flags, the API one per request
from its query parameters, the network code passes its own on. :func:`describe` is the one text of
filters and options that table titles, chart captions, API metadata and network files print.

    opts = MetricOptions(years="2015-2021", subject="ni:chemistry", renormalize=True)
    atlas.partners("JP", options=opts); atlas.totals(options=opts); describe(opts.given())
    # 'years 2015-2021, subject ni:chemistry, renormalized'
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
    as_typed,
    describe,
)
from collabatlas.errors import UserError


class OptionsError(UserError):
    """Metric options that a call cannot take (an option it does not apply, or given twice)."""


class Option(NamedTuple):
    """One metric option: ``name`` (library keyword, API query parameter), ``flag`` (CLI), ``kind``
    (``filter``: selects works; ``attribution``: how a work's Share is spread), ``help``."""

    name: str
    flag: str
    kind: str
    help: str


#: every metric option, in the order help texts and descriptions list them
OPTIONS: tuple[Option, ...] = (
    Option("years", "--years", "filter", "Publication years, e.g. 2020 or 2015-2021."),
    Option("window", "--window", "filter",
           "Publication-date window START..END, e.g. 2022-08-01..2023-07-31."),
    Option("subject", "--subject", "filter",
           "OpenAlex domain, field or subfield name or id (comma-separated), e.g. 'Physical Sciences' or "
           "fields/17, or a Nature Index subject area ni:<slug>."),
    Option("type", "--type", "filter", "Work types (comma-separated), e.g. article,review."),
    Option("journals", "--journals", "filter",
           "Only works in the journals of a list: nature-index (145, 2023-), nature-index-82 (2018-2023) or "
           "FILE (titles, ISSNs or source ids; see `collabatlas journals`)."),
    Option("renormalize", "--renormalize", "attribution",
           "Spread each work's Share over its attributed authors only (default: strict, unattributed share "
           "dropped)."),
    Option("rollup", "--rollup", "attribution",
           "Institution level: credit each institution to the top of its lineage."),
    Option("exclude_dual_affiliations", "--exclude-dual-affiliations", "attribution",
           "Leave out authors affiliated in two or more countries (their parts are dropped)."),
)
OPTION = {o.name: o for o in OPTIONS}
#: every option but the journal list (which needs a store to resolve): what plain counting takes
ALL = tuple(OPTION)


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
    """Let ``fn`` (a metric taking some option keywords) also take ``options=MetricOptions(...)``.

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
