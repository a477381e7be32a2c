"""collabatlas: exact Nature-Index-style research collaboration metrics from publication metadata.

The names below load on first use (PEP 562), so ``import collabatlas`` and the command line's
``--help`` stay light: the store, the engines and pandas are imported by what needs them."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from collabatlas.version import __version__  # noqa: F401 - collabatlas.__version__

if TYPE_CHECKING:
    from collabatlas.atlas import Atlas, open, open_spark
    from collabatlas.counting.filters import Filters
    from collabatlas.counting.options import MetricOptions
    from collabatlas.errors import CollabatlasError, DataError, NotFoundError, UserError

__all__ = ["Atlas", "CollabatlasError", "DataError", "Filters", "MetricOptions", "NotFoundError", "UserError", "open",
           "open_spark"]

_WHERE = {"Atlas": "collabatlas.atlas", "open": "collabatlas.atlas", "open_spark": "collabatlas.atlas",
          "Filters": "collabatlas.counting.filters", "MetricOptions": "collabatlas.counting.options",
          "CollabatlasError": "collabatlas.errors", "DataError": "collabatlas.errors",
          "NotFoundError": "collabatlas.errors", "UserError": "collabatlas.errors"}


def __getattr__(name: str):
    if name in _WHERE:
        value = getattr(importlib.import_module(_WHERE[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'collabatlas' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *_WHERE])
