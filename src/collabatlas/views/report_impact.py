"""The report's impact section (issue 30): a country's or institution's citation impact by collaboration
type — single, national, international, industry, all — as the ``collabatlas impact`` command gives it
(OpenAlex normalisation, full counting), its chart and its table. The section model itself lives in
:mod:`collabatlas.views.report`; this module returns its parts."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from collabatlas.views.charts import ChartContext
from collabatlas.views.charts_impact import impact_figure

if TYPE_CHECKING:
    from collabatlas.atlas import Atlas

#: the filters of a report that the impact indicators take (a roll-up does not apply to them)
IMPACT_FILTERS = ("years", "subject", "type", "journals")


def impact_parts(atlas: Atlas, unit: str, level: str, filters: dict, ctx: ChartContext,
                 label: str) -> tuple[str, list, list[tuple[str, pd.DataFrame]], list[str]]:
    """(intro, charts, tables, notes) of the impact section of ``unit``: the rows of :meth:`Atlas.impact`
    under the report's filters, the bar chart of MNCS by collaboration type and the table itself."""
    given = {k: filters[k] for k in IMPACT_FILTERS if filters.get(k) is not None}
    table = atlas.impact(unit, level=level, **given)
    intro = (f"Citations of {label}'s works by collaboration type: works, mean citations, mean normalised "
             "citation score (MNCS, 1 = the OpenAlex average of works of the same field, year and type) and "
             "the proportion in the top 10 %, full counting. Works without OpenAlex impact data are left out "
             "of the means (p_impact counts the works with them).")
    notes = [table.attrs["caption"]] if table.attrs.get("caption") else []
    shown = table.drop(columns=[c for c in ("normalisation", "counting") if c in table.columns])
    return intro, [("impact", impact_figure(table, ctx))], [("Impact by collaboration type", shown)], notes
