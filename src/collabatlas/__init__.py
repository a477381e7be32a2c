"""collabatlas: exact Nature-Index-style research collaboration metrics from publication metadata."""

from .atlas import Atlas, open, open_spark  # noqa: A004 - `collabatlas.open(path)` is the public entry point
from .filters import Filters

__all__ = ["Atlas", "Filters", "open", "open_spark"]
__version__ = "0.1.0"
