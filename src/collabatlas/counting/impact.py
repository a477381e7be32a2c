"""Collaboration impact: citation indicators of a unit's works by collaboration type, as set-based SQL
on top of the counting rules (:func:`collabatlas.counting.rules.unit_shares_sql`). See
docs/methodology.md, "Collaboration impact".

**Collaboration type of a work.** C = its countries with Share > 0 under the country attribution
(institution countries, else the author's ``countries``), I = its distinct institutions (an export
address that matched no institution is not one):

- ``international`` if |C| ≥ 2, else ``national`` if |I| ≥ 2, else ``single`` if |I| = 1; a work with
  no institution and at most one country has no type (it counts in ``all`` only);
- ``industry`` (at least one corporate institution: OpenAlex type ``company``, or the ROR type for an
  institution OpenAlex types ``funder``, as everywhere else) is a separate flag.

**Impact of a work**, under one of two normalisations (:data:`NORMALISATIONS`):

- ``openalex``: citations = ``cited_by_count``, normalised score = ``fwci``, top 10 % =
  ``citation_normalized_percentile.is_in_top_10_percent`` (normalised against all of OpenAlex); a work
  lacking any of the three is not eligible;
- ``store``: the reference set of a work is the store's works (all of them, whatever the filters) with
  the same publication year, field (``field_id``: OpenAlex's, or the subject crosswalk's for exports)
  and type, and known citations; normalised score = citations / mean citations of the set; top 10 %
  with ties shared (Waltman & Schreiber 2013): with n works in the set, r = n/10 and t = the citation
  count at rank ⌈r⌉ (descending), works above t get 1, the works at t share r − #(above t) equally and
  the rest get 0, so each set sums to exactly n/10. A work without year, field, type or citations, or
  in a set whose mean is 0, is not eligible.

**Unit indicators by row** (:data:`ROWS`): ``p`` = the unit's works of that type, ``p_frac`` = Σ Share,
and over the row's eligible works ``p_impact`` (how many), ``mcs`` (mean citations), ``mncs`` (mean
normalised score), ``pp_top10`` (proportion 0–1 in the top 10 %): plain means under full counting,
Share-weighted means under fractional counting; NULL where the row has no eligible work.
"""

from __future__ import annotations

from collabatlas.counting.rules import (
    _SUM_PARTS,
    ADDRESS_ONLY_SQL,
    SECTOR_SQL,
    Counting,
    CountingError,
    _parts_sql,
    unit_key_sql,
    unit_shares_sql,
)

NORMALISATIONS = ("openalex", "store")
COUNTINGS = ("full", "fractional")
#: the rows of an impact table, in output order
ROWS = ("single", "national", "international", "industry", "all")
TYPES = ("single", "national", "international")
#: the indicator columns (after ``collab_type``)
INDICATORS = ("p", "p_frac", "p_impact", "mcs", "mncs", "pp_top10")

NORMALISATION_LABEL = {
    "openalex": "OpenAlex normalisation (cited_by_count, fwci, is_in_top_10_percent: against all of OpenAlex)",
    "store": "store normalisation (reference set: the store's works of the same year, field and type; "
             "top 10 % with ties shared, Waltman & Schreiber 2013): meaningful only when the store is a whole corpus",
}


def check(counting: str, normalisation: str) -> None:
    if counting not in COUNTINGS:
        raise CountingError(f"counting {counting!r}: expected full or fractional")
    if normalisation not in NORMALISATIONS:
        raise CountingError(f"normalisation {normalisation!r}: expected one of {', '.join(NORMALISATIONS)}")


def reference_sets_sql() -> str:
    """wkey, citations, n, mean_citations, top_share: every store work with year, field, type and
    citations, with the size and mean of its reference set (same year, field_id, type) and its share
    of the set's top 10 % (Waltman & Schreiber 2013 ties; each set sums to n/10)."""
    return """
    SELECT r.wkey, r.citations, s.n, s.mean_citations,
           CASE WHEN r.citations > s.t THEN CAST(1 AS DOUBLE)
                WHEN r.citations = s.t THEN (CAST(s.n AS DOUBLE) / 10 - s.above) / s.at
                ELSE CAST(0 AS DOUBLE) END AS top_share
    FROM (SELECT wkey, year, field_id, type, citations FROM works
          WHERE year IS NOT NULL AND field_id IS NOT NULL AND type IS NOT NULL AND citations IS NOT NULL) r
    JOIN (SELECT k.year, k.field_id, k.type, k.n, k.mean_citations, k.t,
                 count(*) FILTER (WHERE w.citations > k.t) AS above,
                 count(*) FILTER (WHERE w.citations = k.t) AS at
          FROM (SELECT year, field_id, type, any_value(n) AS n, any_value(mean_citations) AS mean_citations,
                       any_value(citations) FILTER (WHERE rk = (n + 9) // 10) AS t
                FROM (SELECT year, field_id, type, citations,
                             row_number() OVER (PARTITION BY year, field_id, type ORDER BY citations DESC) AS rk,
                             count(*) OVER (PARTITION BY year, field_id, type) AS n,
                             avg(CAST(citations AS DOUBLE)) OVER (PARTITION BY year, field_id, type) AS mean_citations
                      FROM works
                      WHERE year IS NOT NULL AND field_id IS NOT NULL AND type IS NOT NULL AND citations IS NOT NULL)
                GROUP BY year, field_id, type) k
          JOIN works w ON w.year = k.year AND w.field_id = k.field_id AND w.type = k.type
                          AND w.citations IS NOT NULL
          GROUP BY k.year, k.field_id, k.type, k.n, k.mean_citations, k.t) s
      ON s.year = r.year AND s.field_id = r.field_id AND s.type = r.type"""


def work_impact_sql(normalisation: str) -> str:
    """wkey, cit, ncs, top: the citations, normalised score and top-10 % share (0..1) of every eligible
    work of the store under ``normalisation``."""
    if normalisation == "openalex":
        return ("SELECT wkey, CAST(citations AS DOUBLE) AS cit, fwci AS ncs, "
                "CASE WHEN top10 THEN CAST(1 AS DOUBLE) ELSE CAST(0 AS DOUBLE) END AS top "
                "FROM works WHERE citations IS NOT NULL AND fwci IS NOT NULL AND top10 IS NOT NULL")
    if normalisation == "store":
        return (f"SELECT wkey, CAST(citations AS DOUBLE) AS cit, citations / mean_citations AS ncs, "
                f"top_share AS top FROM ({reference_sets_sql()}) WHERE mean_citations > 0")
    raise CountingError(f"normalisation {normalisation!r}: expected one of {', '.join(NORMALISATIONS)}")


def country_shares_sql() -> str:
    """(wkey, year, unit, share) at country level, strict and unfiltered (the C of the collaboration
    type); :func:`work_rows_sql` takes a saved table of these instead when there is one."""
    parts, _ = _parts_sql(Counting(level="country"))
    return _SUM_PARTS.format(parts=parts)


def _work_rows_ctes(c: Counting, counting: str, normalisation: str, countries: str | None,
                    impacts: str | None = None) -> tuple[str, dict]:
    """The ``wu`` prefix and CTEs ending in ``x`` (wkey, share, w, ctype, industry, eligible, cit, ncs,
    top): one row per work of the unit ``$focus`` (``w`` = 1 under full counting, the Share under
    fractional)."""
    check(counting, normalisation)
    if c.rollup or c.exclude_dual:
        raise CountingError("impact is computed without --rollup and --exclude-dual-affiliations")
    prefix, params = unit_shares_sql(c)
    countries = countries or f"({country_shares_sql()})"
    weight = "CAST(1 AS DOUBLE)" if counting == "full" else "uw.share"
    ctes = f"""{prefix},
    uw AS (SELECT wkey, share FROM wu WHERE unit = {unit_key_sql(c.level, 'focus')}),
    wc AS (SELECT cs.wkey, count(DISTINCT cs.unit) AS n_countries FROM {countries} cs
           WHERE cs.share > 0 AND cs.wkey IN (SELECT wkey FROM uw) GROUP BY cs.wkey),
    wi AS (SELECT f.wkey, count(DISTINCT f.ikey) AS n_inst,
                  bool_or(coalesce({SECTOR_SQL} = 'corporate', false)) AS industry
           FROM affiliations f JOIN institutions i ON i.ikey = f.ikey
           WHERE f.wkey IN (SELECT wkey FROM uw) AND f.ikey NOT IN ({ADDRESS_ONLY_SQL}) GROUP BY f.wkey),
    imp AS ({f"SELECT * FROM {impacts}" if impacts else work_impact_sql(normalisation)}),
    x AS (SELECT uw.wkey, uw.share, {weight} AS w,
                 CASE WHEN coalesce(wc.n_countries, 0) >= 2 THEN 'international'
                      WHEN coalesce(wi.n_inst, 0) >= 2 THEN 'national'
                      WHEN coalesce(wi.n_inst, 0) = 1 THEN 'single' END AS ctype,
                 coalesce(wi.industry, false) AS industry, imp.wkey IS NOT NULL AS eligible,
                 imp.cit, imp.ncs, imp.top
          FROM uw LEFT JOIN wc ON wc.wkey = uw.wkey LEFT JOIN wi ON wi.wkey = uw.wkey
          LEFT JOIN imp ON imp.wkey = uw.wkey),
    xr AS (SELECT ctype AS collab_type, * FROM x WHERE ctype IS NOT NULL
           UNION ALL SELECT 'industry' AS collab_type, * FROM x WHERE industry
           UNION ALL SELECT 'all' AS collab_type, * FROM x)"""
    return ctes, params


def impact_sql(c: Counting, focus: str, counting: str = "full", normalisation: str = "openalex",
               countries: str | None = None, impacts: str | None = None) -> tuple[str, dict]:
    """collab_type, p, p_frac, p_impact, mcs, mncs, pp_top10: one row per :data:`ROWS` entry (in that
    order; 0 / NULL where the unit has no such work) for the unit ``focus`` under the counting ``c``.
    ``countries``: a table of country-level unit shares (:func:`country_shares_sql`) to read C from;
    ``impacts``: a table holding :func:`work_impact_sql` of ``normalisation`` (a per-connection cache)."""
    ctes, params = _work_rows_ctes(c, counting, normalisation, countries, impacts)
    order = " ".join(f"WHEN '{name}' THEN {k}" for k, name in enumerate(ROWS))
    names = ", ".join(f"('{name}')" for name in ROWS)
    sql = f"""{ctes},
    agg AS (SELECT collab_type, count(*) AS p, sum(share) AS p_frac,
                   count(*) FILTER (WHERE eligible) AS p_impact,
                   sum(w) FILTER (WHERE eligible) AS w_impact,
                   sum(w * cit) FILTER (WHERE eligible) AS w_cit,
                   sum(w * ncs) FILTER (WHERE eligible) AS w_ncs,
                   sum(w * top) FILTER (WHERE eligible) AS w_top
            FROM xr GROUP BY collab_type)
    SELECT r.collab_type, coalesce(a.p, 0) AS p, coalesce(a.p_frac, CAST(0 AS DOUBLE)) AS p_frac,
           coalesce(a.p_impact, 0) AS p_impact,
           a.w_cit / nullif(a.w_impact, 0) AS mcs, a.w_ncs / nullif(a.w_impact, 0) AS mncs,
           a.w_top / nullif(a.w_impact, 0) AS pp_top10
    FROM (VALUES {names}) r(collab_type) LEFT JOIN agg a ON a.collab_type = r.collab_type
    ORDER BY CASE r.collab_type {order} END"""
    return sql, {**params, "focus": focus}


def impact_rows_sql(c: Counting, focus: str, counting: str = "full", normalisation: str = "openalex",
                    countries: str | None = None, impacts: str | None = None) -> tuple[str, dict]:
    """collab_type, wkey, share, w, eligible, cit, ncs, top: one row per row-type and work of the unit
    ``focus`` (what the bootstrap resamples: :mod:`collabatlas.analyses.impact`)."""
    ctes, params = _work_rows_ctes(c, counting, normalisation, countries, impacts)
    return (f"{ctes} SELECT collab_type, wkey, share, w, eligible, cit, ncs, top FROM xr",
            {**params, "focus": focus})


def coverage_sql(c: Counting, focus: str, normalisation: str = "openalex",
                 impacts: str | None = None) -> tuple[str, dict]:
    """works, with_citations, eligible: the unit's works, those with a citation count, and those
    eligible under ``normalisation`` (said in every caption)."""
    check("full", normalisation)
    prefix, params = unit_shares_sql(c)
    sql = f"""{prefix},
    uw AS (SELECT wkey FROM wu WHERE unit = {unit_key_sql(c.level, 'focus')})
    SELECT count(*) AS works, count(w.citations) AS with_citations, count(i.wkey) AS eligible
    FROM uw JOIN works w ON w.wkey = uw.wkey
    LEFT JOIN ({f"SELECT * FROM {impacts}" if impacts else work_impact_sql(normalisation)}) i ON i.wkey = uw.wkey"""
    return sql, {**params, "focus": focus}
