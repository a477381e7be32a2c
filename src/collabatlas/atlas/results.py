"""What goes with the analyses' results in a view: finding the institution a query names, the fitted
lines of a pooled landscape, the label of the rest of the world in a partner table, the change between
two periods, and the choices and limits of the analyses (``FITS``, ``PER``, ``MAX_REPLICATES``) that
the command line and the API offer."""

from __future__ import annotations

from typing import TYPE_CHECKING

from collabatlas.analyses.landscape_pool import FITS, PER
from collabatlas.analyses.landscape_pool import fitted_lines as _fitted_lines
from collabatlas.analyses.profile import find_institution as _find_institution
from collabatlas.analyses.tables import percent_change, period_change
from collabatlas.analyses.uncertainty import MAX_REPLICATES
from collabatlas.counting.derived import REST_OF_WORLD

if TYPE_CHECKING:
    import pandas as pd

    from collabatlas.atlas.core import Atlas

__all__ = ["FITS", "MAX_REPLICATES", "PER", "REST_OF_WORLD", "find_institution", "fitted_lines", "percent_change",
           "period_change"]


def find_institution(atlas: Atlas, query: str) -> str:
    """The id of the one institution ``query`` names (an id, a ROR id or a name); an error listing the
    candidates when it names several or none."""
    return _find_institution(atlas, query)


def fitted_lines(table: pd.DataFrame, fit_result: pd.DataFrame, grid=None) -> pd.DataFrame:
    """The points of each fitted curve of a pooled landscape (``Atlas.landscape(..., fit=...)``), for a chart."""
    return _fitted_lines(table, fit_result, grid)
