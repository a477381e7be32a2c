"""The facade: one object, every metric and analysis (:class:`Atlas`), and its parts: ``core`` (lifecycle,
engines, caches, the metrics), ``writes`` (ingest, sync, saved tables), ``analyses``, ``common``.

What the views need besides the Atlas is here too, so that no view imports below the facade
(tests/test_layers.py): ``inputs`` (what a user types, read as the library reads it), ``reference``
(groups, country names, reference datasets), ``results`` (what goes with an analysis' result),
``networks`` (network maps), ``workflows`` (fetch, ROR, data updates, Spark ingest, schema docs).

The names below load on first use (PEP 562), as the package's do: a view module imports
``collabatlas.atlas.inputs`` without loading the store, the engines or pandas, so the command line
stays light."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from collabatlas.version import __version__  # noqa: F401 - the package's version, for captions and reports

if TYPE_CHECKING:
    from collabatlas.analyses.tables import percent_change, period_change, ranked
    from collabatlas.atlas.common import (
                   AGGREGATES,
                   COUNTING,
                   LANDSCAPE_MIN_WORKS,
                   SOURCES,
                   UnitSharesNotSaved,
                   UnknownUnitError,
    )
    from collabatlas.atlas.core import Atlas, open, open_spark
    from collabatlas.counting import rules as counting
    from collabatlas.engines import DECLARED, Capabilities, CapabilityError

__all__ = ["AGGREGATES", "COUNTING", "DECLARED", "LANDSCAPE_MIN_WORKS", "SOURCES", "Atlas", "Capabilities",
           "CapabilityError", "UnitSharesNotSaved", "UnknownUnitError", "counting", "open", "open_spark",
           "percent_change", "period_change", "ranked"]

#: name → (module, attribute; None: the module itself)
_WHERE = {
    "percent_change": ("collabatlas.analyses.tables", "percent_change"),
    "period_change": ("collabatlas.analyses.tables", "period_change"),
    "ranked": ("collabatlas.analyses.tables", "ranked"),
    **{name: ("collabatlas.atlas.common", name)
       for name in ("AGGREGATES", "COUNTING", "LANDSCAPE_MIN_WORKS", "SOURCES", "UnitSharesNotSaved",
                    "UnknownUnitError")},
    **{name: ("collabatlas.atlas.core", name) for name in ("Atlas", "open", "open_spark")},
    "counting": ("collabatlas.counting.rules", None),
    **{name: ("collabatlas.engines", name) for name in ("DECLARED", "Capabilities", "CapabilityError")},
}


def __getattr__(name: str):
    if name in _WHERE:
        module, attribute = _WHERE[name]
        value = importlib.import_module(module)
        value = value if attribute is None else getattr(value, attribute)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'collabatlas.atlas' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *_WHERE])
