"""``collabatlas groups`` (the country groups and their sources) and ``collabatlas landscape``
(international co-authorship share vs R&D spending and trust, with OLS fits)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import pandas as pd
import typer

from collabatlas.counting.options import MetricOptions
from collabatlas.views.cli_common import (
    Format,
    FormatOpt,
    OutOpt,
    Source,
    SourceOpt,
    StoreOpt,
    _emit,
    _fail,
    _guard,
    _open,
    _write,
    err_console,
    metric_options,
    print_table,
)

X_CHOICES = ("log_gerd", "log_gerd_ppp", "trust_pct")
TRUST_X = ("log_gerd", "trust_pct")
"""What ``--trust`` stands for."""

X_HELP = ("Regressor(s), comma-separated: log_gerd (log10 GERD % of GDP, WDI), log_gerd_ppp (log10 GERD in "
          "millions of PPP $, NSF NCSES tables, 2019 or latest / 2017 or latest), trust_pct (WVS); "
          "e.g. log_gerd_ppp,trust_pct. Default log_gerd.")


def register(app: typer.Typer) -> None:
    app.command("groups")(_guard(groups))
    app.command("landscape")(_guard(metric_options("subject", "type")(landscape)))


def groups(format: FormatOpt = Format.table) -> None:
    """The country groups available for `collabatlas group` and `Atlas.group`, with their sources.

    Example:

      collabatlas groups --format csv
    """
    from collabatlas.refdata.groups import available_groups

    df = pd.DataFrame([g.__dict__ for g in available_groups()])
    _emit(df, format, "country groups", None, len(df) or None, ids=("name",))  # every group, names whole


def parse_x(x: str | None, trust: bool) -> list[str]:
    """The regressors of ``--x`` / ``--trust``; a bad name, a repeat or both options at once is an error."""
    if x is None:
        return list(TRUST_X) if trust else ["log_gerd"]
    if trust:
        _fail(f"--trust is a shorthand for --x {','.join(TRUST_X)}; give --x {x} or --trust, not both "
              f"(e.g. --x {x if 'trust_pct' in x else x + ',trust_pct'})")
    names = [part.strip() for part in x.split(",")]
    unknown = [n for n in names if n not in X_CHOICES]
    if unknown or not names:
        _fail(f"--x {x!r}: unknown regressor {', '.join(repr(n) for n in unknown) or '(none)'}; "
              f"choose from {', '.join(X_CHOICES)}, comma-separated")
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        _fail(f"--x {x!r}: {', '.join(repeated)} given more than once")
    return names


def landscape(
    year: Annotated[int, typer.Option("--year", "-y", help="Publication year.")],
    x: Annotated[str | None, typer.Option("--x", help=X_HELP)] = None,
    trust: Annotated[bool, typer.Option("--trust", help="Also regress on trust (WVS), not only log10 GERD: "
                                        "shorthand for --x log_gerd,trust_pct.")] = False,
    gaps: Annotated[str | None, typer.Option("--gaps",
                                             help="Instead, list the indicator gaps of the store's countries over "
                                                  "these years, e.g. 2010-2020.")] = None,
    min_n: Annotated[int, typer.Option("--min-n", help="Fit a group only with at least this many countries.")] = 5,
    min_works: Annotated[int, typer.Option("--min-works",
                                           help="Leave out countries with fewer works that year "
                                                "(their share sits at 0 or 100 %).")] = 10,
    nearest: Annotated[int, typer.Option("--nearest", min=0,
                                         help="Take GERD (WDI % of GDP, NSF PPP $) and the other annual indicators "
                                              "from the nearest year within ± this many years (trust: ±10).")] = 3,
    data: Annotated[Path | None, typer.Option("--data",
                                              help="Indicator data directory [env COLLABATLAS_DATA].")] = None,
    options: MetricOptions = None, source: SourceOpt = Source.works,
    format: FormatOpt = Format.table, out: OutOpt = None, store: StoreOpt = None,
) -> None:
    """International co-authorship share of each country vs R&D spending (GERD % GDP, or GERD in PPP $
    from NSF with --x log_gerd_ppp) and trust, with OLS fits overall and by World Bank income group.

    Examples:

      collabatlas landscape --year 2018

      collabatlas landscape --year 2014 --trust --out landscape.csv

      collabatlas landscape --year 2019 --x log_gerd_ppp,trust_pct
    """
    if gaps:
        given = [name for name, value in (("--x", x), ("--trust", trust or None), ("--subject", options.subject),
                                          ("--type", options.type)) if value is not None]
        if given:
            _fail(f"--gaps lists the indicator gaps and fits nothing: {' and '.join(given)} do not apply; drop "
                  f"{'them' if len(given) > 1 else 'it'} or --gaps")
        with _open(store) as atlas:
            _emit(atlas.data_gaps(gaps, data_dir=data), format, f"indicator gaps {gaps}", out, None)
        return
    xs = parse_x(x, trust)
    with _open(store) as atlas, err_console.status("joining indicators and fitting"):
        table, fit = atlas.landscape(year, x=xs if len(xs) > 1 else xs[0], min_n=min_n, nearest=nearest,
                                     data_dir=data, min_works=min_works, source=source.value, options=options)
    notes = [*table.attrs.get("notes", []), *fit.attrs.get("notes", [])]
    for note in notes:
        err_console.print(f"note: {note}", markup=False, highlight=False)
    table.attrs.pop("notes", None)
    if format is Format.json:
        print(json.dumps({"countries": table.to_dict(orient="records"), "fit": fit.to_dict(orient="records"),
                          "notes": notes}, default=str))
        return
    if format is not Format.table:
        _emit(table, format, f"countries in {year}", out, None)
        return
    if out is not None:
        _write(table, out)
    ppp = ["gerd_ppp_musd", "gerd_ppp_musd_year"] if "log_gerd_ppp" in xs else []
    shown = [c for c in ("country", "works", "intl_works", "intl_share", "gerd_pct_gdp", *ppp, "trust_pct",
                         "income_group") if c in table.columns]
    print_table(table[shown].sort_values("works", ascending=False).head(25), f"countries in {year}", total=len(table))
    print_table(fit[[c for c in ("group", "n", "term", "coef", "ci_low", "ci_high", "p_value", "r2", "note")
                     if c in fit.columns]], "OLS fits of international share (overall and by income group)")
