"""``collabatlas works``: the works behind a figure — one row per work with its contribution."""

from __future__ import annotations

from enum import Enum
from typing import Annotated

import typer

from collabatlas.atlas.inputs import WORK_FIGURES
from collabatlas.counting.options import MetricOptions
from collabatlas.escaping import markup
from collabatlas.views import numbers
from collabatlas.views.cli_common import (
    UNIT_HELP,
    Format,
    FormatOpt,
    Level,
    OutOpt,
    StoreOpt,
    _emit,
    _filters_text,
    _guard,
    _open,
    err_console,
    metric_options,
    provenance_of,
)

Figure = Enum("Figure", {name: name for name in WORK_FIGURES}, type=str)


def register(app: typer.Typer) -> None:
    app.command("works")(_guard(metric_options()(works)))


def works(
    unit: Annotated[str, typer.Argument(help=UNIT_HELP + " Or a sector.")],
    partner: Annotated[str | None, typer.Argument(help="A partner: the works behind their bilateral CS.")] = None,
    level: Annotated[Level, typer.Option("--level", "-l", help="Unit of analysis.")] = Level.country,
    figure: Annotated[Figure | None, typer.Option(
        "--figure", help="Which figure (default: cs with a partner, else share): "
                         + ", ".join(WORK_FIGURES) + ".")] = None,
    partner_country: Annotated[str | None, typer.Option(
        "--partner-country", help="Institution level, in place of PARTNER: the works behind its CS with the "
                                  "institutions of this country (a hotspot of its profile).")] = None,
    options: MetricOptions = None,
    limit: Annotated[int | None, typer.Option("--limit", "-n", min=1,
                                              help="At most N works (largest contribution first).")] = None,
    format: FormatOpt = Format.table, out: OutOpt = None, store: StoreOpt = None,
) -> None:
    """The works behind a Count, Share or CS: one row per work with its contribution to the figure
    (the unit's Share, or Share + partner Share for a bilateral CS); the contributions add up to it.

    Examples:

      collabatlas works JP US --years 2020 --limit 20

      collabatlas works I27837315 --level institution --figure cs_international --format csv

      collabatlas works I27837315 --level institution --partner-country FR
    """
    with _open(store) as atlas, err_console.status(f"finding the works behind {markup(unit)}"):
        df = atlas.works(unit, partner, level=level.value, figure=figure.value if figure else None,
                         partner_country=partner_country, limit=limit, options=options)
        line = provenance_of(atlas.capabilities(), options, atlas.data_version, df)
    with_whom = partner or (f"the institutions of {partner_country}" if partner_country else None)
    what = f"{df.attrs['figure']} of {unit}" + (f" with {with_whom}" if with_whom else "")
    filters = _filters_text(options)
    total = numbers.figure(str(df.attrs["figure"]), df.attrs["total"])  # as the figure's column is written
    title = (f"works behind {what} = {total} ({df.attrs['rows']:,} works"
             + (f"; {filters}" if filters else "") + ")")
    _emit(df, format, title, out, None, provenance=line)
