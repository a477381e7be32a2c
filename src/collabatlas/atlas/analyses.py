"""The facade's analyses: trends, profiles, groups, landscape, indicators and distance"""

from __future__ import annotations

import dataclasses

import pandas as pd

from collabatlas.analyses import periods, tables, uncertainty
from collabatlas.analyses.group import group_collaboration, pair_group_report
from collabatlas.analyses.profile import InstitutionProfile, institution_profile
from collabatlas.analyses.tables import ranked
from collabatlas.atlas.common import (
    LANDSCAPE_MIN_WORKS,
    with_country_names,
)
from collabatlas.counting import derived
from collabatlas.counting import rules as counting
from collabatlas.counting.filters import Filters, as_list, check_range
from collabatlas.counting.options import MetricOptions, takes_options


class Analyses:
    """The facade's analyses: trends, profiles, groups, landscape, indicators and distance (a part of
    :class:`collabatlas.Atlas`)."""

    @takes_options()
    def profile(self, institution: str, top: int = 5, *, options: MetricOptions) -> InstitutionProfile:
        """The collaboration profile of an institution (id, ROR id or name); see :mod:`collabatlas.analyses.profile`.
        ``rollup`` counts every institution as the top of its lineage (the profile of a parent then
        includes its children's works)."""
        check_range("top", top, 1, allow_none=False)
        self.capabilities().require("profile")
        if not str(institution or "").strip():
            raise counting.CountingError("profile: an institution id, ROR id or name is needed (it is empty or blank)")
        return institution_profile(self, institution, options, top=top)

    @takes_options("subject", "type", "journals", "renormalize", "exclude_dual_affiliations")
    def group(self, country: str, group: str, periods: str | list[str], members: str | frozenset[str] | None = None,
              top: int = 10, *, source: str = "works", ci: int = 0, report_dual: bool = False,
              options: MetricOptions):
        """A country's collaboration with a country group over periods; see :mod:`collabatlas.analyses.group`.

        ``group`` names a group of :mod:`collabatlas.refdata.groups` (``bri``, ``income:high``, ``eu``, ...);
        ``members`` gives the countries directly instead (a set, a list or ``"JP,KR"``). ``source="pairs"``
        answers from country-pair aggregates: the same :class:`GroupReport` of full counts of joint works
        (``report.counting``).
        ``periods``: a list, or the periods comma-separated as on the command line (``"2013-2015,2016-2018"``)."""
        from collabatlas.refdata.groups import GroupError

        check_range("top", top, 1, allow_none=False)
        ci = uncertainty.check_replicates(ci)
        if not str(country or "").strip():
            raise counting.CountingError("group analysis: a focus country is needed (it is empty or blank)")
        if members is None and not str(group or "").strip():
            raise GroupError("group: a group name is needed (it is empty or blank); see `collabatlas groups`")
        periods = list(as_list(periods)) if isinstance(periods, str) else list(periods)
        if not [p for p in periods if str(p).strip()]:
            raise counting.CountingError("group analysis: give at least one period, e.g. 2013-2015,2016-2018")
        if members is None:
            from collabatlas.refdata.groups import group_members

            members = group_members(group)
        elif isinstance(members, str):  # as typed: "JP,KR"
            members = as_list(members)
        engine = self.engine_for(source)
        engine.capabilities.require("group", options=options, ci=ci, report_dual=report_dual,
                                    window=",".join(str(p) for p in periods if ".." in str(p)))
        if engine.capabilities.answers_itself("group"):  # from its own table (the country-pair table)
            periods = [str(p).strip() for p in periods if str(p).strip()]
            report = pair_group_report(engine, country.strip().upper(), group, frozenset(members), periods, top)
        else:
            report = group_collaboration(self, country, group, frozenset(members), periods, options, top=top, ci=ci,
                                         report_dual=report_dual)
        with_country_names(report.partners, "partner")
        return report

    def pair_years(self) -> tuple[int, int]:
        """First and last year of the country-pair aggregates (``source="pairs"``) of this store."""
        return self.engine_for("pairs").years()

    @takes_options("years", "subject", "type", "journals", "renormalize", "rollup", "exclude_dual_affiliations")
    def trend(self, unit_a: str, unit_b: str, level: str = "country", *, window_end_month: int | None = None,
              report_dual: bool = False, ci: int = 0, source: str = "works",
              options: MetricOptions) -> pd.DataFrame:
        """Bilateral CS of two units per year, or per 12-month window ending with ``window_end_month``.

        ``source="pairs"``: full counts of joint works per year from country-pair aggregates.

        Columns: ``period, joint_count, cs, change_pct`` (change of CS from the previous period, %).
        Use :func:`percent_change` for the change between any two periods.
        """
        ci = uncertainty.check_replicates(ci)
        engine = self.engine_for(source)
        engine.capabilities.require("trend", level=level, options=options, window_end_month=window_end_month,
                                    report_dual=report_dual, ci=ci)
        if engine.capabilities.answers_itself("trend"):  # from its own table
            return self._captioned(engine.trend(unit_a, unit_b, options.years), engine)
        if window_end_month is not None and not 1 <= int(window_end_month) <= 12:
            raise counting.CountingError(f"window end month {window_end_month}: expected 1-12")
        a, b = self.resolve_unit(level, unit_a), self.resolve_unit(level, unit_b)
        if a == b:
            raise counting.CountingError(f"trend needs two different units, got {a} twice")
        # with windows, --years names the windows (the one ending in month M of each year), not the
        # publication years: the works are selected by their window, so the first and last are whole
        c = self.counting_for(level, options if window_end_month is None else dataclasses.replace(options, years=None))
        span = Filters.of(years=options.years).years
        df = self._df(counting.pair_trend_sql(c, a, b, window_end_month))
        if window_end_month is not None and span:
            df = df[df["period"].between(*span)]
        if report_dual and not options.exclude_dual_affiliations:
            split = self._df(derived.trend_dual_sql(c, self.without_dual(c), a, b,
                                                    window_end_month)).set_index("period")
            df["cs_without_dual"] = df["period"].map(split["cs_without_dual"]).fillna(0.0)
            df["dual_cs"] = df["period"].map(split["dual_cs"]).fillna(0.0)
        # every period of the range, zero when there is no joint work
        if span:
            first, last = span
        else:
            first, last = (int(df["period"].min()), int(df["period"].max())) if len(df) else (0, -1)
        df = (df.set_index("period").reindex(range(first, last + 1), fill_value=0)
              .rename_axis("period").reset_index())
        df["joint_count"] = df["joint_count"].astype("int64")
        df["cs"] = df["cs"].astype(float)
        if ci:
            bounds = self._intervals(c, ci, focus=a, unit_b=b, window_end_month=window_end_month)
            df["cs_low"] = df["period"].map(bounds["low"]).fillna(0.0)
            df["cs_high"] = df["period"].map(bounds["high"]).fillna(0.0)
        if "cs_without_dual" in df:
            df["cs_without_dual"] = df["cs_without_dual"].astype(float)
            df["dual_cs"] = df["dual_cs"].astype(float)
        df = tables.with_change(df, "cs")  # change from the previous period: SQL (counting.changes)
        df = periods.with_bounds(df, window_end_month)  # a window is labelled with its first and last day
        if window_end_month is not None and engine.capabilities.supports("undated_note"):  # needs work_sources
            note = self.undated_note(c.filters)
            if note:
                df.attrs["notes"] = [note]
        return df

    def undated_note(self, filters: Filters) -> str | None:
        """``"383 of 3,653 WoS records have no publication date: outside every window"`` (per source),
        or None when every selected work has a date. Said wherever a date window applies."""
        where, params = dataclasses.replace(filters, window=None).where("w")
        rows = self._df((f"""SELECT o.origin, count(*) FILTER (WHERE w.pub_date IS NULL) AS undated, count(*) AS works
            FROM works w JOIN (SELECT wkey, min(origin) AS origin FROM work_sources GROUP BY wkey) o USING (wkey)
            WHERE {where} GROUP BY o.origin ORDER BY o.origin""", params))
        rows = rows[rows["undated"] > 0]
        if rows.empty:
            return None
        names = {"openalex": "OpenAlex", "wos": "WoS", "scopus": "Scopus", "pubmed": "PubMed"}
        parts = [f"{int(r.undated):,} of {int(r.works):,} {names.get(r.origin, r.origin)} records"
                 for r in rows.itertuples()]
        return ", ".join(parts) + " have no publication date: outside every window"

    @takes_options("years", "window", "subject", "type", "journals", "rollup")
    def industry(self, *, country: str | None = None, options: MetricOptions) -> pd.DataFrame:
        """Corporate institutions' collaboration with academia (columns ``unit, name, joint_works,
        own_share, academic_share, contribution_pct``), by their Share on joint works. ``country``
        keeps the companies located in that country (their academic partners may be anywhere): an
        option of the engine's declaration (``industry_country``), refused where it is not declared."""
        self.capabilities().require("industry", options=options, industry_country=country)
        if country is not None:
            country = self.resolve_unit("country", country)  # an unknown code is refused, not an empty table
        c = self.counting_for("institution", options)
        df = self._df(counting.industry_academic_sql(c))
        df["joint_works"] = df["joint_works"].astype("int64")
        return self._rank_by(ranked(df, "own_share", ["unit"]), "institution", country, None, "own_share")

    @takes_options("years", "window", "subject", "type", "journals", "rollup")
    def collaboration_by_year(self, level: str = "country", *, options: MetricOptions) -> pd.DataFrame:
        """Per unit and year: ``works`` (Count), ``collab_works`` (with another unit), ``intl_works``
        (with a unit of another country) and ``intl_share`` = intl_works / works."""
        c = self.counting_for(level, options)
        df = self._df(counting.collaboration_by_year_sql(c))
        for col in ("works", "collab_works", "intl_works"):
            df[col] = df[col].astype("int64")
        return df.sort_values(["unit", "year"], ignore_index=True)

    @takes_options("years", "window", "subject", "type", "renormalize", "rollup", "exclude_dual_affiliations")
    def indicators(self, level: str = "country", *, counting: str = "full", ci: int = 0, fold_hk_mo: bool = False,
                   options: MetricOptions) -> pd.DataFrame:
        """CWTS-Leiden-Ranking-style collaboration indicators per unit: ``unit[, name], p, p_collab,
        pp_collab, p_int_collab, pp_int_collab, p_industry, pp_industry, p_short_dist, pp_short_dist,
        p_long_dist, pp_long_dist, median_dist_km`` (``counting`` full or fractional; ``ci`` bootstrap
        replicates add ``_lo`` / ``_hi``; ``fold_hk_mo`` counts HK and MO as CN). See
        :mod:`collabatlas.analyses.collaboration`; ``attrs["coverage"]`` counts institutions without coordinates."""
        from collabatlas.analyses.collaboration import indicators

        return indicators(self, level, options, counting=counting, ci=ci, fold_hk_mo=fold_hk_mo)

    @takes_options("years", "window", "subject", "type", "journals", "renormalize")
    def impact(self, unit: str, level: str = "country", *, counting: str = "full", normalisation: str = "openalex",
               ci: int = 0, options: MetricOptions) -> pd.DataFrame:
        """Citation impact of ``unit``'s works by collaboration type (rows single, national,
        international, industry, all): ``unit[, name], collab_type, p, p_frac, p_impact, mcs, mncs,
        pp_top10, normalisation, counting`` (``counting`` full or fractional; ``normalisation`` openalex
        or store; ``ci`` bootstrap replicates add ``_lo`` / ``_hi``). See :mod:`collabatlas.counting.impact`;
        ``attrs["caption"]`` names the normalisation, counting and how many works are eligible."""
        from collabatlas.analyses.impact import impact

        self.capabilities().require("impact", level=level, options=options)
        df = impact(self, unit, level, options, counting=counting, normalisation=normalisation, ci=ci)
        return with_country_names(df, "unit") if level == "country" else df

    @takes_options("years", "subject", "type", "renormalize", "rollup", "exclude_dual_affiliations")
    def distance(self, unit: str, level: str = "country", *, window_end_month: int | None = None,
                 fold_hk_mo: bool = False, partners: bool = False, options: MetricOptions) -> pd.DataFrame:
        """Per period, ``unit``'s international works by distance band, their median distance and the
        CS-weighted mean distance to its partners (``partners``: per partner); see
        :func:`collabatlas.analyses.collaboration.distance`."""
        from collabatlas.analyses.collaboration import distance

        return distance(self, unit, level, options, window_end_month=window_end_month, fold_hk_mo=fold_hk_mo,
                        partners=partners)

    @takes_options("subject", "type", "journals", "renormalize", "rollup", "exclude_dual_affiliations")
    def trend_change_interval(self, unit_a: str, unit_b: str, first: int, last: int, level: str = "country", *,
                              window_end_month: int | None = None, ci: int = uncertainty.DEFAULT_REPLICATES,
                              options: MetricOptions) -> tuple[float, float] | None:
        """95 % bootstrap interval of the % change of CS(A, B) from period ``first`` to ``last``, under
        the same options as :meth:`trend` (the periods name the years)."""
        ci = uncertainty.check_replicates(ci, allow_zero=False)
        a, b = self.resolve_unit(level, unit_a), self.resolve_unit(level, unit_b)
        c = self.counting_for(level, options)
        contrib = self._df(counting.contributions_sql(c, focus=a, unit_b=b, window_end_month=window_end_month))
        return uncertainty.growth_interval(contrib, first, last, replicates=ci)

    @takes_options("years", "subject", "type")
    def landscape(self, year: int | None = None, x: str | list[str] = "log_gerd", by: str | None = "income_group",
                  nearest: int = 3, min_n: int = 5, data_dir=None, *, min_works: int = LANDSCAPE_MIN_WORKS,
                  show_all_when_none: bool = False, source: str = "works", per: str = "country-year",
                  fit: str = "linear", span: float = 0.75, impact: bool = False, options: MetricOptions):
        """International co-authorship share vs R&D spending (and trust) for ``year``, or over the
        years ``years`` pooled (``"2014-2018"``: ``per="country-year"`` one point per country-year,
        ``per="country-mean"`` one point per country, its mean over the years).

        Returns a :class:`~collabatlas.analyses.landscape_pool.LandscapeResult` (``table, fit = result``
        still unpacks): the points (works, intl_share, indicators, income group), the fits overall and
        by income group (``fit``: ``linear`` OLS, ``quadratic`` or ``loess``, see
        :mod:`collabatlas.analyses.landscape_pool`) and ``countries``, one row per country.
        ``impact`` adds each country's MNCS of its international and of its national works over the
        period (``mncs_international``, ``mncs_national``, OpenAlex normalisation, full counting:
        :meth:`impact`), also available as regressors.
        Country-years with fewer than ``min_works`` works are left out before fitting (a share
        of 1–5 works sits at 0 % or 100 %); ``table.attrs["notes"]`` says how many. Charts pass
        ``show_all_when_none``: when no country reaches the minimum (a small store), every country is
        kept and the note says the shares rest on few works."""
        from collabatlas.analyses import landscape_pool
        from collabatlas.counting.filters import parse_years
        from collabatlas.refdata import indicators

        check_range("min_works", min_works, 1, allow_none=False)
        years = options.years
        if isinstance(x, str) and "," in x:  # several regressors as typed: "log_gerd,trust_pct"
            x = list(as_list(x))
        if (year is None) == (years is None):
            raise counting.CountingError("landscape: give a study year or a range of years (--year 2018 or "
                                         "--years 2014-2018), one of the two")
        if per not in landscape_pool.PER:
            raise counting.CountingError(f"--per {per!r}: expected one of {', '.join(landscape_pool.PER)}")
        if fit not in landscape_pool.FITS:
            raise counting.CountingError(f"--fit {fit!r}: expected one of {', '.join(landscape_pool.FITS)}")
        first, last = (int(year), int(year)) if year is not None else parse_years(years)
        if per != "country-year" and first == last:
            raise counting.CountingError("--per country-mean averages a country over several years: give "
                                         "--years with a range (e.g. 2014-2018)")
        self.capabilities(source).require("landscape", options=options)
        span_text = str(first) if first == last else f"{first}-{last}"
        over_span = dataclasses.replace(options, years=span_text)  # the study year(s), the same filters
        collab = self.collaboration_by_year(level="country", options=over_span)
        context = {"nearest": nearest, "income": indicators.income_groups(data_dir),
                   "income_history": indicators.historical_income(data_dir)}
        table = landscape_pool.country_years(collab, range(first, last + 1), indicators.load_indicators(data_dir),
                                             **context)
        x_notes = table.attrs.get("x_notes") or {}
        unit = "country-years" if first != last else "countries"
        small = table["works"] < min_works
        notes = []
        if show_all_when_none and small.all() and len(table):
            notes = [f"no country has {min_works} works in {span_text}: every {unit[:-1]} is shown, and "
                     "shares of so few works are unreliable (a larger store fills this chart)"]
        elif small.any():
            dropped = (table.loc[small, "country"] if first == last
                       else table.loc[small, "country"] + " " + table.loc[small, "year"].astype(str)).tolist()
            table = table[~small].reset_index(drop=True)
            notes = [f"{len(dropped)} {unit} with fewer than {min_works} works in {span_text} left out "
                     f"(--min-works): {', '.join(dropped[:20])}{' …' if len(dropped) > 20 else ''}"]
        wanted = [x] if isinstance(x, str) else list(x)
        if impact or any(str(v).startswith("mncs_") for v in wanted):  # the impact axis
            table = self._with_impact(table, over_span)
        table.attrs["x_notes"] = x_notes
        countries = landscape_pool.country_means(table) if first != last else table
        drawn = countries if per == "country-mean" else table
        drawn.attrs["notes"] = notes
        drawn.attrs["x_notes"] = x_notes
        fitted = landscape_pool.curve_fit(drawn, x=x, kind=fit, by=by, min_n=min_n, span=span)
        result = landscape_pool.LandscapeResult(drawn, fitted, countries, (first, last), per=per, fit_kind=fit,
                                                notes=notes)
        drawn.attrs["counting"] = result.counting  # the chart's caption: whole works, not Shares
        if first != last or fit != "linear":  # the chart's caption says what a point is and the fit
            drawn.attrs["caption"] = result.caption
        if first != last:
            drawn.attrs["years"] = span_text
        return result

    def _with_impact(self, table: pd.DataFrame, options: MetricOptions) -> pd.DataFrame:
        """``table`` with each country's MNCS of its international and national works under ``options``
        (the study years; :meth:`impact`, OpenAlex normalisation, full counting); empty where a row has no
        eligible work."""
        values = {}
        for country in sorted(set(table["country"])):
            rows = self.impact(country, level="country", options=options)
            values[country] = rows.set_index("collab_type")["mncs"]
        table = table.copy()
        for kind in ("international", "national"):
            table[f"mncs_{kind}"] = [float(values[c].get(kind, float("nan"))) for c in table["country"]]
        return table

    def data_gaps(self, years, data_dir=None) -> pd.DataFrame:
        """Which indicator is missing for which countries of the store and which of ``years``
        (``country, indicator, missing_years, n_missing``)."""
        from collabatlas.analyses import landscape
        from collabatlas.counting.filters import parse_years
        from collabatlas.refdata import indicators

        first, last = parse_years(years)
        collab = self.collaboration_by_year(level="country")  # every country of the store
        return landscape.data_gaps(collab, indicators.load_indicators(data_dir), range(first, last + 1))

    @takes_options("years", "window", "subject", "type")
    def works_per_year(self, *, options: MetricOptions) -> pd.DataFrame:
        """Number of works per year under the filters (the N of Adjusted Share)."""
        f = options.filters()
        return self._df(counting.works_per_year_sql(f)).sort_values("year", ignore_index=True)
