"""The metric options on the command line: one Typer option per row of
:data:`collabatlas.counting.options.OPTIONS`, and :func:`metric_options`, which gives a command the
options it applies as one :class:`~collabatlas.counting.options.MetricOptions`.

    @app.command()
    @_guard
    @metric_options()                       # or metric_options("years", "subject", "type")
    def scores(level: LevelOpt = ..., options: MetricOptions = None, by_year: ... = False) -> None:
        atlas.scores(level.value, options=options, by_year=by_year)

The command's ``--help`` lists ``--years``, ``--window``, ... in place of ``options``, with the help
of the options table; the library refuses an option the command gives it but does not apply.
"""

from __future__ import annotations

import functools
import inspect
from typing import Annotated

import typer

from collabatlas.counting.options import ALL, OPTION, MetricOptions

#: short flags kept from earlier releases
SHORT = {"years": ("-y",)}


def option_type(name: str, help: str | None = None):
    """The ``Annotated`` Typer type of the metric option ``name`` (``help`` replaces its text)."""
    spec = OPTION[name]
    if spec.kind == "attribution":  # a switch both ways: --renormalize / --no-renormalize
        return Annotated[bool, typer.Option(f"{spec.flag}/--no-{spec.flag.removeprefix('--')}",
                                            *SHORT.get(name, ()), help=help or spec.help)]
    return Annotated[str | None, typer.Option(spec.flag, *SHORT.get(name, ()), help=help or spec.help)]


def option_default(name: str):
    return False if OPTION[name].kind == "attribution" else None


YearsOpt = option_type("years")
WindowOpt = option_type("window")
SubjectOpt = option_type("subject")
TypeOpt = option_type("type")
JournalsOpt = option_type("journals")
RenormOpt = option_type("renormalize")
RollupOpt = option_type("rollup")
DualOpt = option_type("exclude_dual_affiliations")


def metric_options(*names: str, help: dict[str, str] | None = None):
    """Replace the command's ``options`` parameter by the flags of the metric options ``names``
    (default: all) and call it with them as one :class:`MetricOptions`. ``help`` gives an option a
    command-specific text (``trend``'s ``--years`` names windows)."""
    names = names or ALL
    unknown = [n for n in names if n not in OPTION]
    if unknown:
        raise ValueError(f"not metric options: {unknown}")

    def decorate(fn):
        signature = inspect.signature(fn, eval_str=True)
        if "options" not in signature.parameters:
            raise TypeError(f"{fn.__name__} needs an `options` parameter for @metric_options")
        params = []
        for p in signature.parameters.values():
            if p.name != "options":
                params.append(p)
                continue
            params += [inspect.Parameter(n, inspect.Parameter.POSITIONAL_OR_KEYWORD, default=option_default(n),
                                         annotation=option_type(n, (help or {}).get(n))) for n in names]

        @functools.wraps(fn)
        def command(*args, **kwargs):
            values = {n: kwargs.pop(n) for n in names if n in kwargs}
            return fn(*args, options=MetricOptions(**values), **kwargs)

        command.__signature__ = signature.replace(parameters=params)
        command.__annotations__ = {p.name: p.annotation for p in params}
        command.__annotations__["return"] = signature.return_annotation
        del command.__wrapped__  # Typer reads __signature__, not the wrapped function's
        return command

    return decorate
