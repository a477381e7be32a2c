"""collabatlas: exact Nature-Index-style research collaboration metrics from publication metadata."""

from collabatlas.atlas import Atlas, open, open_spark
from collabatlas.counting.filters import Filters
from collabatlas.counting.options import MetricOptions
from collabatlas.errors import CollabatlasError, DataError, NotFoundError, UserError

__all__ = ["Atlas", "CollabatlasError", "DataError", "Filters", "MetricOptions", "NotFoundError", "UserError", "open",
           "open_spark"]
__version__ = "0.1.0"
