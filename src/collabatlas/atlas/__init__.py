"""The facade: one object, every metric and analysis (:class:`Atlas`), and its parts: ``core`` (lifecycle,
engines, caches, the metrics), ``writes`` (ingest, sync, saved tables), ``analyses``, ``common``."""

from collabatlas.analyses.tables import percent_change, ranked
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
           "percent_change", "ranked"]
