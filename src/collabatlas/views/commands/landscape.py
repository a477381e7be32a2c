"""``collabatlas groups`` (the country groups and their sources) and ``collabatlas landscape``
(international co-authorship share vs R&D spending and trust, with OLS fits)."""

from __future__ import annotations

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
from collabatlas.views.table_text import json_text

X_CHOICES = ("log_gerd", "log_gerd_ppp", "trust_pct", "mncs_international", "mncs_national")
IMPACT_X = ("mncs_international", "mncs_national")
"""Regressors that need --impact (each country's MNCS of its international / national works)."""
TRUST_X = ("log_gerd", "trust_pct")
"""What ``--trust`` stands for."""

X_HELP = ("Regressor(s), comma-separated: log_gerd (log10 GERD % of GDP, WDI), log_gerd_ppp (log10 GERD in "
          "millions of PPP $, NSF NCSES tables, 2019 or latest / 2017 or latest), trust_pct (WVS); "
          "mncs_international / mncs_national (the country's MNCS of its international / national works, "
          "OpenAlex normalisation; implies --impact); e.g. log_gerd_ppp,trust_pct. Default log_gerd.")


def register(app: typer.Typer) -> None:
    app.command("groups")(_guard(groups))
    app.command("landscape")(_guard(metric_options("subject", "type")(landscape)))


def groups(format: FormatOpt = Format.table) -> None:
    """The country groups available for `collabatlas group` and `Atlas.group`, with their sources.

    Example:

      collabatlas groups --format csv
    """
    from collabatlas.atlas.reference import available_groups

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
    year: Annotated[int | None, typer.Option("--year", "-y", help="Publication year (or --years).")] = None,
    years: Annotated[str | None, typer.Option("--years", help="Pool these years, e.g. 2014-2018: one point per "
                                                              "country-year (or --per country-mean).")] = None,
    per: Annotated[str, typer.Option("--per", help="With --years: country-year (one point each) or "
                                                   "country-mean (one point per country, its mean).")] = "country-year",
    fit: Annotated[str, typer.Option("--fit", help="linear (OLS with 95% intervals), quadratic or loess "
                                                   "(local linear, tricube weights).")] = "linear",
    span: Annotated[float, typer.Option("--span", help="--fit loess: the fraction of points in each "
                                                       "neighbourhood (default 0.75).")] = 0.75,
    impact: Annotated[bool, typer.Option("--impact", help="Add each country's MNCS of its international and "
                                                          "national works (mncs_international, mncs_national).")
                      ] = False,
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

      collabatlas landscape --years 2014-2018 --fit loess --format csv
    """
    if gaps:
        given = [name for name, value in (("--x", x), ("--trust", trust or None), ("--subject", options.subject),
                                          ("--type", options.type), ("--years", years), ("--impact", impact or None),
                                          ("--per", None if per == "country-year" else per),
                                          ("--fit", None if fit == "linear" else fit)) if value is not None]
        if given:
            _fail(f"--gaps lists the indicator gaps and fits nothing: {' and '.join(given)} do not apply; drop "
                  f"{'them' if len(given) > 1 else 'it'} or --gaps")
        with _open(store) as atlas:
            _emit(atlas.data_gaps(gaps, data_dir=data), format, f"indicator gaps {gaps}", out, None)
        return
    xs = parse_x(x, trust)
    check_pooling(year, years, per, fit, span, xs)
    impact = impact or any(v in IMPACT_X for v in xs)
    with _open(store) as atlas, err_console.status("joining indicators and fitting"):
        result = atlas.landscape(year, years=years, per=per, fit=fit, span=span, impact=impact,
                                 x=xs if len(xs) > 1 else xs[0], min_n=min_n, nearest=nearest,
                                 data_dir=data, min_works=min_works, source=source.value, options=options)
    table, fitted = result.table, result.fit
    when = str(year) if year is not None else years
    notes = result.all_notes
    err_console.print(f"landscape {when}: {result.caption}", markup=False, highlight=False)
    for note in notes:
        err_console.print(f"note: {note}", markup=False, highlight=False)
    table.attrs.pop("notes", None)
    countries = result.countries
    if format is Format.json:
        if out is not None:  # --out is written in every format (it was skipped with --format json)
            _write(countries, out)
        body = {"countries": countries.to_dict(orient="records"), "fit": fitted.to_dict(orient="records"),
                **result.summary()}
        if countries is not table:
            body["points"] = table.to_dict(orient="records")
        print(json_text(body))
        return
    if format is not Format.table:
        _emit(countries, format, f"countries in {when}", out, None)
        return
    if out is not None:
        _write(countries, out)
    fit = fitted
    table = countries
    ppp = ["gerd_ppp_musd", "gerd_ppp_musd_year"] if "log_gerd_ppp" in xs else []
    shown = [c for c in ("country", "n_years", "works", "intl_works", "intl_share", "gerd_pct_gdp", *ppp, "trust_pct",
                         "mncs_international", "mncs_national", "income_group") if c in table.columns]
    print_table(table[shown].sort_values("works", ascending=False).head(25), f"countries in {when}", total=len(table))
    what = {"linear": "OLS fits", "quadratic": "quadratic fits", "loess": "loess fits"}[result.fit_kind]
    print_table(fit[[c for c in ("group", "n", "term", "coef", "ci_low", "ci_high", "p_value", "r2", "note")
                     if c in fit.columns]], f"{what} of international share (overall and by income group)")


def check_pooling(year, years, per: str, fit: str, span: float, xs: list[str]) -> None:
    """Refuse what does not apply: --year with --years, --per without a range, --span without loess,
    a curved fit on several regressors, an unknown --per or --fit."""
    from collabatlas.atlas.results import FITS, PER

    if (year is None) == (years is None):
        _fail("give --year (one study year) or --years (a range pooled, e.g. 2014-2018), one of the two")
    if per not in PER:
        _fail(f"--per {per!r}: expected one of {', '.join(PER)}")
    if fit not in FITS:
        _fail(f"--fit {fit!r}: expected one of {', '.join(FITS)}")
    if per != "country-year" and years is None:
        _fail("--per applies to --years (several years pooled), not to one --year")
    if span != 0.75 and fit != "loess":
        _fail("--span applies to --fit loess only")
    if not span > 0:
        _fail(f"--span {span}: expected a positive number")
    if fit != "linear" and len(xs) > 1:
        _fail(f"--fit {fit} takes one regressor (--x), got {','.join(xs)}")
