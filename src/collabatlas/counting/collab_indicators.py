"""Leiden-Ranking-style collaboration indicators and geographic distance, as set-based SQL on top of
the counting rules (:func:`collabatlas.counting.rules.unit_shares_sql`). See docs/methodology.md,
"Collaboration indicators (CWTS Leiden Ranking style)".

Per work (over the works the filters select; an author left out by ``exclude_dual`` is left out here
too):

- *collab*: more than one distinct institution (address-only pseudo-institutions do not count as
  institutions; with ``rollup`` the institutions are the roll-up roots), or more than one country
  (the countries of the country-level attribution: institution countries, and the authorship
  ``countries`` of authors without institutions);
- *int collab*: more than one country;
- *industry*: at least one corporate institution (sector of the institution's own type);
- *distance*: the largest great-circle distance (haversine, R = 6371.01 km) between two of the
  work's institutions that have coordinates (``institution_geo``, :mod:`collabatlas.affiliations.geo`; the
  original institutions, also under ``rollup``); **unknown** when fewer than two have coordinates;
- *distance known*: the work is not collaborative (no distance class applies) and some institution of the
  selection has coordinates, or its distance is measured (a store without coordinates knows no distance
  class, so it gives no distance share at all: issue 29);
- *short distance*: collab, distance known and ≤ 100 km; *long distance*: collab, distance known and
  ≥ 5,000 km. A collaborative work whose distance is unknown is neither (issue 29: with no institution
  geocoded, every collaboration used to count as short distance).

Per unit: P = its works (full counting) or the sum of its Shares (fractional); P(x) the same over its
works with x; PP(x) = P(x) / P, except the two distance shares, PP(short) = P(short) / P(dist known) and
PP(long) = P(long) / P(dist known): over the works whose distance class is known. ``p_dist_known`` and
``pp_dist_known`` (= P(dist known) / P) state that coverage on every row. A unit with collaborative works
none of which has a measured distance gets no distance share (NULL), not 0. ``median_dist_km`` is the
median distance of its collaborative works whose distance is measured (at least two geocoded
institutions), each work once in both countings.

``fold_hk_mo`` counts Hong Kong (HK) and Macao (MO) as China (CN), as the Leiden Ranking does: at
country level they are one unit, and a CN–HK work is not international. Default: apart.

Every statement keeps to SQL that sqlglot renders for Spark (``tests/test_spark_parity.py``).
"""

from __future__ import annotations

from collabatlas.counting.geometry import haversine_sql
from collabatlas.counting.rules import (
    ADDRESS_ONLY_SQL,
    ROOT_SQL,
    SECTOR_SQL,
    Counting,
    CountingError,
    _fact_filter,
    _named,
    _parts_sql,
    unit_key_sql,
    unit_shares_sql,
)

SHORT_KM = 100.0
LONG_KM = 5000.0
#: the distance bands of ``collabatlas distance`` (km): [low, high)
BANDS = (("lt_1000", 0.0, 1000.0), ("1000_3000", 1000.0, 3000.0), ("3000_5000", 3000.0, 5000.0),
         ("ge_5000", 5000.0, None))
#: the indicators with a P and a PP column, in output order
INDICATORS = ("collab", "int_collab", "industry", "short_dist", "long_dist")
#: the indicators whose PP is over the works with a known distance class (P(dist_known)), not over P
DISTANCE_INDICATORS = ("short_dist", "long_dist")
COLUMNS = ("unit", "p", *(f"{prefix}_{name}" for name in INDICATORS for prefix in ("p", "pp")),
           "p_dist_known", "pp_dist_known", "median_dist_km")
COUNTINGS = ("full", "fractional")


def fold_sql(expr: str, fold_hk_mo: bool) -> str:
    """A country expression with HK and MO mapped to CN when ``fold_hk_mo``."""
    return f"(CASE WHEN {expr} IN ('HK', 'MO') THEN 'CN' ELSE {expr} END)" if fold_hk_mo else expr


def _check(counting: str) -> None:
    if counting not in COUNTINGS:
        raise CountingError(f"counting {counting!r}: expected full or fractional")


def _features_ctes(c: Counting, fold_hk_mo: bool) -> tuple[str, dict]:
    """CTEs (after the ``wu`` prefix) defining ``u`` (the unit shares, folded at country level) and
    ``wf`` (wkey, n_inst, n_countries, industry, n_geo, dist_km) for the works in ``u``; also ``fi``
    (the works' distinct institutions) and ``wg`` (those with coordinates)."""
    where, params = _fact_filter(c, "f")
    if c.exclude_dual:
        where += " AND f.n_countries < 2"
    country_parts, more = _parts_sql(Counting(level="country", filters=c.filters, exclude_dual=c.exclude_dual))
    params = {**params, **more}
    if c.level == "country" and fold_hk_mo:
        unit = fold_sql("unit", True)
        u = f"SELECT wkey, any_value(year) AS year, {unit} AS unit, sum(share) AS share FROM wu GROUP BY wkey, {unit}"
    else:
        u = "SELECT wkey, year, unit, share FROM wu"
    if c.rollup:
        inst, roots = "coalesce(r.root, fi.ikey)", f"LEFT JOIN ({ROOT_SQL}) r ON r.ikey = fi.ikey"
    else:
        inst, roots = "fi.ikey", ""
    distance = haversine_sql("a.lat", "a.lon", "b.lat", "b.lon")
    ctes = f""",
    u AS ({u}),
    fi AS (SELECT DISTINCT f.wkey, f.ikey FROM affiliations f
           WHERE {where} AND f.ikey NOT IN ({ADDRESS_ONLY_SQL}) AND f.wkey IN (SELECT wkey FROM u)),
    wi AS (SELECT fi.wkey, count(DISTINCT {inst}) AS n_inst,
                  bool_or(coalesce({SECTOR_SQL} = 'corporate', false)) AS industry
           FROM fi JOIN institutions i ON i.ikey = fi.ikey {roots} GROUP BY fi.wkey),
    wc AS (SELECT cp.wkey, count(DISTINCT {fold_sql('cp.unit', fold_hk_mo)}) AS n_countries
           FROM ({country_parts}) cp WHERE cp.wkey IN (SELECT wkey FROM u) GROUP BY cp.wkey),
    wg AS (SELECT fi.wkey, fi.ikey, g.lat, g.lon FROM fi JOIN institution_geo g ON g.ikey = fi.ikey),
    wn AS (SELECT wkey, count(*) AS n_geo FROM wg GROUP BY wkey),
    wd AS (SELECT a.wkey, max({distance}) AS dist_km
           FROM wg a JOIN wg b ON a.wkey = b.wkey AND a.ikey < b.ikey GROUP BY a.wkey),
    wf AS (SELECT w.wkey, coalesce(wi.n_inst, 0) AS n_inst, coalesce(wc.n_countries, 0) AS n_countries,
                  coalesce(wi.industry, false) AS industry, coalesce(wn.n_geo, 0) AS n_geo,
                  coalesce(wd.dist_km, CAST(0 AS DOUBLE)) AS dist_km
           FROM (SELECT DISTINCT wkey FROM u) w LEFT JOIN wi ON wi.wkey = w.wkey LEFT JOIN wc ON wc.wkey = w.wkey
           LEFT JOIN wn ON wn.wkey = w.wkey LEFT JOIN wd ON wd.wkey = w.wkey)"""
    return ctes, params


def _flags(weight: str) -> str:
    """Per (unit, work) row over ``u`` and ``wf``: the weight and the indicator flags."""
    collab = "(wf.n_inst > 1 OR wf.n_countries > 1)"
    measured = f"{collab} AND wf.n_geo >= 2"
    return (f"SELECT u.unit, u.wkey, u.year, {weight} AS wt, {collab} AS collab, wf.n_countries > 1 AS int_collab, "
            f"wf.industry, {measured} AND wf.dist_km <= CAST({SHORT_KM} AS DOUBLE) AS short_dist, "
            f"{measured} AND wf.dist_km >= CAST({LONG_KM} AS DOUBLE) AS long_dist, "
            f"(NOT {collab} AND (SELECT count(*) FROM wg) > 0) OR wf.n_geo >= 2 AS dist_known, "
            f"{measured} AS measured, wf.n_geo, wf.dist_km "
            f"FROM u JOIN wf ON wf.wkey = u.wkey")


def _weight(counting: str) -> str:
    _check(counting)
    return "CAST(1 AS DOUBLE)" if counting == "full" else "u.share"


def indicators_sql(c: Counting, counting: str = "full", fold_hk_mo: bool = False) -> tuple[str, dict]:
    """unit[, name], p, p_collab, pp_collab, p_int_collab, pp_int_collab, p_industry, pp_industry,
    p_short_dist, pp_short_dist, p_long_dist, pp_long_dist, median_dist_km (see the module docstring)."""
    prefix, params = unit_shares_sql(_from_shares(c))
    ctes, more = _features_ctes(c, fold_hk_mo)
    sums = ", ".join(f"coalesce(sum(wt) FILTER (WHERE {name}), CAST(0 AS DOUBLE)) AS p_{name}"
                     for name in (*INDICATORS, "dist_known", "measured"))
    # a distance share only where the distance class of the unit's works is known: none when it has
    # collaborative works and none of them is measured; none at all when no institution of the selection
    # has coordinates (a work without collaborations has a known class only where distances can be
    # measured at all)
    pps = ", ".join(f"p_{name}, CASE WHEN p_collab > 0 AND p_measured = 0 THEN NULL "
                    f"WHEN p_dist_known > 0 THEN p_{name} / p_dist_known END AS pp_{name}"
                    if name in DISTANCE_INDICATORS else f"p_{name}, p_{name} / p AS pp_{name}" for name in INDICATORS)
    inner = f"""
    SELECT unit, p, {pps}, p_dist_known, p_dist_known / p AS pp_dist_known, median_dist_km FROM (
        SELECT unit, sum(wt) AS p, {sums},
               median(dist_km) FILTER (WHERE collab AND n_geo >= 2) AS median_dist_km
        FROM ({_flags(_weight(counting))}) x GROUP BY unit) t"""
    return f"{prefix}{ctes} {_named(c, inner)}", {**params, **more}


def _from_shares(c: Counting) -> Counting:
    """The counting for the unit shares: never from the per-year aggregates (they hold no works)."""
    import dataclasses

    return dataclasses.replace(c, aggregated=False)


def indicator_rows_sql(c: Counting, counting: str = "full", fold_hk_mo: bool = False) -> tuple[str, dict]:
    """unit, wkey, wt, collab, int_collab, industry, short_dist, long_dist, dist_known, measured: one row per
    unit and work (the per-work contributions the bootstrap resamples; institution units as keys)."""
    prefix, params = unit_shares_sql(_from_shares(c))
    ctes, more = _features_ctes(c, fold_hk_mo)
    return (f"{prefix}{ctes} SELECT unit, wkey, wt, {', '.join(INDICATORS)}, dist_known, measured "
            f"FROM ({_flags(_weight(counting))}) x",
            {**params, **more})


def coverage_sql(c: Counting, fold_hk_mo: bool = False) -> tuple[str, dict]:
    """works, institutions, institutions_without_coordinates, collab_works, collab_works_without_distance:
    over the selected works, how many institutions lack coordinates and how many collaborative works
    have fewer than two geocoded institutions (their distance is unknown: neither short nor long, and
    left out of the distance shares)."""
    prefix, params = unit_shares_sql(_from_shares(c))
    ctes, more = _features_ctes(c, fold_hk_mo)
    sql = (f"""{prefix}{ctes}
    SELECT (SELECT count(*) FROM wf) AS works,
           (SELECT count(DISTINCT ikey) FROM fi) AS institutions,
           (SELECT count(DISTINCT ikey) FROM fi) - (SELECT count(DISTINCT ikey) FROM wg)"""
           """ AS institutions_without_coordinates,
           (SELECT count(*) FROM wf WHERE n_inst > 1 OR n_countries > 1) AS collab_works,
           (SELECT count(*) FROM wf WHERE (n_inst > 1 OR n_countries > 1) AND n_geo < 2)"""
           """ AS collab_works_without_distance""")
    return sql, {**params, **more}


def _period(window_end_month: int | None, alias: str) -> tuple[str, str, dict]:
    """(period expression, join, params) as in :func:`collabatlas.counting.rules.pair_trend_sql`."""
    if window_end_month is None:
        return f"{alias}.year", "", {}
    return ("year(wp.pub_date) + CASE WHEN month(wp.pub_date) > $end_month THEN 1 ELSE 0 END",
            f"JOIN works wp ON wp.wkey = {alias}.wkey AND wp.pub_date IS NOT NULL",
            {"end_month": int(window_end_month)})


def _focus_key(c: Counting) -> str:
    return unit_key_sql(c.level, "focus")


def distance_bands_sql(c: Counting, focus: str, window_end_month: int | None = None,
                       fold_hk_mo: bool = False) -> tuple[str, dict]:
    """period, intl_works, measured_works, lt_1000, 1000_3000, 3000_5000, ge_5000, median_dist_km: the
    unit ``focus``'s international works per period (year, or 12-month window ending with month M),
    those with a measured distance (≥ 2 geocoded institutions), how many of those fall in each band
    [low, high) km, and their median distance."""
    if c.level not in ("country", "institution"):
        raise CountingError("distance is computed at country or institution level")
    prefix, params = unit_shares_sql(_from_shares(c))
    ctes, more = _features_ctes(c, fold_hk_mo)
    period, join, pparams = _period(window_end_month, "u")
    measured = "wf.n_geo >= 2"
    bands = ", ".join(
        f"count(*) FILTER (WHERE {measured} AND wf.dist_km >= CAST({low} AS DOUBLE)"
        + (f" AND wf.dist_km < CAST({high} AS DOUBLE)" if high is not None else "") + f") AS {_quoted(name)}"
        for name, low, high in BANDS)
    sql = f"""{prefix}{ctes}
    SELECT {period} AS period, count(*) AS intl_works, count(*) FILTER (WHERE {measured}) AS measured_works, {bands},
           median(wf.dist_km) FILTER (WHERE {measured}) AS median_dist_km
    FROM u JOIN wf ON wf.wkey = u.wkey {join}
    WHERE u.unit = {_focus_key(c)} AND wf.n_countries > 1
    GROUP BY {period} ORDER BY period"""
    return sql, {**params, **more, **pparams, "focus": focus}


def _quoted(name: str) -> str:
    return f'"{name}"' if name[0].isdigit() else name


def partner_distance_sql(c: Counting, focus: str, window_end_month: int | None = None,
                         fold_hk_mo: bool = False, by_partner: bool = False) -> tuple[str, dict]:
    """The distance from ``focus`` to its international partners, CS-weighted.

    On a joint work of A and a partner B in another country, the pair's distance is the largest
    distance between an institution of A and one of B that have coordinates, and its weight is the
    pair's CS contribution S_A + S_B. ``by_partner``: partner, joint_works (with a measured pair
    distance), cs (their CS), distance_km = Σ weight × distance / Σ weight; otherwise per period:
    period, partner_cs_measured, cs_weighted_dist_km, the same over every partner (the mean of the
    partner distances weighted by their CS).
    """
    if c.level not in ("country", "institution"):
        raise CountingError("distance is computed at country or institution level")
    prefix, params = unit_shares_sql(_from_shares(c))
    ctes, more = _features_ctes(c, fold_hk_mo)
    country = fold_sql("i.country_code", fold_hk_mo)
    if c.level == "country":
        unit = country
        roots = ""
    elif c.rollup:
        unit, roots = "coalesce(r.root, wg.ikey)", f"LEFT JOIN ({ROOT_SQL}) r ON r.ikey = wg.ikey"
    else:
        unit, roots = "wg.ikey", ""
    distance = haversine_sql("a.lat", "a.lon", "b.lat", "b.lon")
    period, join, pparams = _period(window_end_month, "pw")
    ctes += f""",
    m AS (SELECT wg.wkey, wg.lat, wg.lon, {unit} AS unit, {country} AS country
          FROM wg JOIN institutions i ON i.ikey = wg.ikey {roots}),
    pd AS (SELECT a.wkey, b.unit AS partner, max({distance}) AS d
           FROM m a JOIN m b ON a.wkey = b.wkey AND b.unit <> a.unit
           WHERE a.unit = {_focus_key(c)} AND b.country IS NOT NULL AND b.country <> a.country
           GROUP BY a.wkey, b.unit),
    pw AS (SELECT pd.wkey, ua.year, pd.partner, pd.d, ua.share + ub.share AS weight
           FROM pd JOIN u ua ON ua.wkey = pd.wkey AND ua.unit = {_focus_key(c)}
           JOIN u ub ON ub.wkey = pd.wkey AND ub.unit = pd.partner)"""
    if by_partner:
        inner = ("SELECT partner AS unit, count(*) AS joint_works, sum(weight) AS cs, "
                 "sum(weight * d) / sum(weight) AS distance_km FROM pw GROUP BY partner")
        sql = f"{prefix}{ctes} {_named(c, inner)}"
        return sql, {**params, **more, "focus": focus}
    sql = (f"{prefix}{ctes} SELECT {period} AS period, sum(weight) AS partner_cs_measured, "
           f"sum(weight * d) / sum(weight) AS cs_weighted_dist_km FROM pw {join} GROUP BY {period} ORDER BY period")
    return sql, {**params, **more, **pparams, "focus": focus}
