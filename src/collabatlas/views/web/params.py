"""The metric options as query parameters: one per row of
:data:`collabatlas.counting.options.OPTIONS` (same name as the library keyword; ``type`` is ``type_``
in Python), and :func:`metric_query`, the FastAPI dependency that gives a route the options it applies
as one :class:`~collabatlas.counting.options.MetricOptions`.

    @router.get("/scores")
    def scores(request: Request, options: Annotated[MetricOptions, Depends(metric_query())], ...):
        ... svc.call("scores", **options.given(), by_year=by_year)

The OpenAPI spec lists each option as its own query parameter, with the help of the options table.
"""

from __future__ import annotations

import inspect
from typing import Annotated

from fastapi import Depends, Query, Request

from collabatlas.counting.options import ALL, OPTION, MetricOptions, OptionsError

#: the journal lists the server offers (a FILE would read the server's disk)
SERVED_JOURNALS = r"^(nature-index|nature-index-145|nature-index-82)$"

YearsQ = Annotated[str | None, Query(description=OPTION["years"].help, max_length=40, examples=["2015-2021"])]
WindowQ = Annotated[str | None, Query(description=OPTION["window"].help, max_length=40,
                                      examples=["2022-08-01..2023-07-31"])]
SubjectQ = Annotated[str | None, Query(description=OPTION["subject"].help, max_length=400,
                                       examples=["Physical Sciences"])]
TypeQ = Annotated[str | None, Query(alias="type", description=OPTION["type"].help, max_length=200)]
JournalsQ = Annotated[str | None, Query(description="Only works in the journals of a packaged list: nature-index "
                                        "(145, 2023-) or nature-index-82 (2018-2023).", max_length=40,
                                        pattern=SERVED_JOURNALS, examples=["nature-index"])]
RenormQ = Annotated[bool, Query(description=OPTION["renormalize"].help)]
RollupQ = Annotated[bool, Query(description=OPTION["rollup"].help)]
DualQ = Annotated[bool, Query(description=OPTION["exclude_dual_affiliations"].help)]

QUERY = {"years": YearsQ, "window": WindowQ, "subject": SubjectQ, "type": TypeQ, "journals": JournalsQ,
         "renormalize": RenormQ, "rollup": RollupQ, "exclude_dual_affiliations": DualQ}
#: the Python name of a query parameter whose name is a Python keyword
PYTHON_NAME = {"type": "type_"}


def metric_query(*names: str):
    """A FastAPI dependency reading the metric options ``names`` (default: all) from the query string
    into one :class:`MetricOptions`."""
    names = names or ALL
    params = [inspect.Parameter(PYTHON_NAME.get(n, n), inspect.Parameter.KEYWORD_ONLY,
                                default=False if OPTION[n].kind == "attribution" else None, annotation=QUERY[n])
              for n in names]
    by_python = {PYTHON_NAME.get(n, n): n for n in names}

    def options(**values) -> MetricOptions:
        return MetricOptions(**{by_python[k]: v for k, v in values.items()})

    options.__signature__ = inspect.Signature(params, return_annotation=MetricOptions)
    return options


#: every metric option, for the routes that apply them all
OptionsQ = Annotated[MetricOptions, Depends(metric_query())]


def refuse_unknown_parameters(request: Request) -> None:
    """A query parameter the route does not take is refused (422 naming it and the route's parameters),
    never ignored: ``/api/industry?renormalize=true`` would otherwise answer without renormalising."""
    route = request.scope.get("route")
    dependant = getattr(route, "dependant", None)
    if dependant is None:
        return
    known = _known(route)
    unknown = sorted(set(request.query_params) - known)
    if unknown:
        raise OptionsError(f"{request.url.path} does not take {', '.join(unknown)} "
                           f"(its parameters: {', '.join(sorted(known)) or 'none'})")


def _known(route) -> frozenset[str]:
    cached = getattr(route, "_collabatlas_query_names", None)
    if cached is None:
        cached = frozenset(_query_names(route.dependant))
        route._collabatlas_query_names = cached
    return cached


def _query_names(dependant):
    """The query parameters of a route's dependant and of its dependencies (the options' dependency)."""
    yield from (p.alias for p in dependant.query_params)
    for sub in dependant.dependencies:
        yield from _query_names(sub)
