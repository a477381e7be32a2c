"""``collabatlas works``: the works behind a figure — one row per work with its contribution."""

from __future__ import annotations

from enum import Enum
from typing import Annotated

import typer

from collabatlas.counting.rules import WORK_FIGURES
from collabatlas.escaping import markup
from collabatlas.views.cli_common import (
    DualOpt,
    Format,
    FormatOpt,
    JournalsOpt,
    Level,
    OutOpt,
    RenormOpt,
    RollupOpt,
    StoreOpt,
    SubjectOpt,
    TypeOpt,
    WindowOpt,
    YearsOpt,
    _emit,
    _filters_text,
    _guard,
    _open,
    err_console,
)

Figure = Enum("Figure", {name: name for name in WORK_FIGURES}, type=str)


def register(app: typer.Typer) -> None:
    app.command("works")(_guard(works))


def works(
    unit: Annotated[str, typer.Argument(help="Country code (JP), institution id (I27837315) or sector.")],
    partner: Annotated[str | None, typer.Argument(help="A partner: the works behind their bilateral CS.")] = None,
    level: Annotated[Level, typer.Option("--level", "-l", help="Unit of analysis.")] = Level.country,
    figure: Annotated[Figure | None, typer.Option(
        "--figure", help="Which figure (default: cs with a partner, else share): "
                         + ", ".join(WORK_FIGURES) + ".")] = None,
    years: YearsOpt = None, window: WindowOpt = None, subject: SubjectOpt = None, journals: JournalsOpt = None,
    type: TypeOpt = None, renormalize: RenormOpt = False, rollup: RollupOpt = False,
    exclude_dual_affiliations: DualOpt = False,
    limit: Annotated[int | None, typer.Option("--limit", "-n", min=1, help="At most N works (largest contribution first).")] = None,
    format: FormatOpt = Format.table, out: OutOpt = None, store: StoreOpt = None,
) -> None:
    """The works behind a Count, Share or CS: one row per work with its contribution to the figure
    (the unit's Share, or Share + partner Share for a bilateral CS); the contributions add up to it.

    Examples:

      collabatlas works JP US --years 2020 --limit 20

      collabatlas works I27837315 --level institution --figure cs_international --format csv
    """
    options = dict(years=years, window=window, subject=subject, type=type, journals=journals)
    with _open(store) as atlas, err_console.status(f"finding the works behind {markup(unit)}"):
        df = atlas.works(unit, partner, level=level.value, figure=figure.value if figure else None,
                         renormalize=renormalize, rollup=rollup, exclude_dual_affiliations=exclude_dual_affiliations,
                         limit=limit, **options)
    what = f"{df.attrs['figure']} of {unit}" + (f" with {partner}" if partner else "")
    filters = _filters_text(options)
    title = (f"works behind {what} = {df.attrs['total']:,.4f} ({df.attrs['rows']:,} works"
             + (f"; {filters}" if filters else "") + ")")
    _emit(df, format, title, out, None)
