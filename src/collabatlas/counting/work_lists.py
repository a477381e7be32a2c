"""The works behind a figure (drill-down, :func:`works_sql`) and the Adjusted Share
(:func:`adjusted_scores_sql`): statements over the counting rules of :mod:`.rules` (split from it so
that no module grows past ~600 lines). Re-exported by :mod:`.rules`."""

from __future__ import annotations

from collabatlas.counting.rules import (
    Counting,
    CountingError,
    scores_sql,
    unit_key_sql,
    unit_shares_sql,
    works_per_year_sql,
)

# -- the works behind a figure (drill-down) -------------------------------------------------------

#: figure → (needs a partner, the per-work contribution over ``wu`` with context, a = the unit's row)
WORK_FIGURES = {
    "share": (False, "a.share"),
    "count": (False, "CAST(1 AS DOUBLE)"),
    "cs": (True, "a.share + b.share"),
    "cs_total": (False, "(a.k - 1) * a.share + a.w - a.share"),
    "cs_domestic": (False, "CASE WHEN a.country IS NULL THEN 0 ELSE (a.kc - 1) * a.share + a.wc - a.share END"),
    "cs_international": (False, "CASE WHEN a.country IS NULL THEN 0 ELSE (a.k_known - a.kc) * a.share "
                                "+ a.w_known - a.wc END"),
    "cs_unknown_country": (False, "CASE WHEN a.country IS NULL THEN (a.k - 1) * a.share + a.w - a.share "
                                  "ELSE (a.k - a.k_known) * a.share + a.w - a.w_known END"),
    "cs_industry": (False, "CASE WHEN a.corporate THEN (a.k_corp - 1) * a.share + a.w_corp - a.share "
                           "ELSE a.k_corp * a.share + a.w_corp END"),
}


def works_sql(c: Counting, focus: str, partner: str | None = None, figure: str | None = None,
              partner_country: str | None = None) -> tuple[str, dict]:
    """work, doi, title, year, journal, sources, share, partner_share, contribution: one row per work
    behind a figure of the unit ``focus``, where ``contribution`` is the work's part of that figure.

    ``partner_country`` (institution level, in place of ``partner``): the works behind the CS of the
    institution with the institutions of that country — a hotspot of its profile
    (:func:`.derived.partner_countries_sql`): a work's contribution is Σ over its institutions there
    (the focus excepted) of the focus's Share + that institution's Share, ``partner_share`` the sum of
    their Shares; the contributions add up to the hotspot's CS.

    ``figure`` is a key of :data:`WORK_FIGURES` (default ``cs`` with a ``partner``, else ``share``):
    the contributions sum exactly to the figure that :func:`scores_sql` (share, count),
    :func:`partners_sql` / :func:`pairs_sql` (cs) or :func:`totals_sql` (the CS totals and splits)
    give under the same counting. Works that contribute 0 (e.g. a domestic-only work to
    ``cs_international``) are left out.
    """
    if partner_country is not None:
        return _partner_country_works_sql(c, focus, partner_country, figure)
    figure = figure or ("cs" if partner is not None else "share")
    if figure not in WORK_FIGURES:
        raise CountingError(f"figure {figure!r}: expected one of {', '.join(WORK_FIGURES)}")
    bilateral, expression = WORK_FIGURES[figure]
    if bilateral != (partner is not None):
        raise CountingError(f"figure {figure!r} " + ("needs a partner" if bilateral else "is of one unit: "
                                                     "give no partner (the bilateral figure is cs)"))
    prefix, params = unit_shares_sql(c, context=not bilateral, pairs=bilateral)
    params = {**params, "focus": focus}
    if bilateral:
        join = (f"JOIN wu b ON b.wkey = a.wkey AND b.unit = {unit_key_sql(c.level, 'partner')}")
        params["partner"] = partner
        partner_share = "b.share"
    else:
        join, partner_share = "", "CAST(NULL AS DOUBLE)"
    return _listed(prefix, f"""
    rows AS (SELECT a.wkey, a.share, {partner_share} AS partner_share, {expression} AS contribution
             FROM wu a {join} WHERE a.unit = {unit_key_sql(c.level, 'focus')})"""), params


def _partner_country_works_sql(c: Counting, focus: str, country: str, figure: str | None) -> tuple[str, dict]:
    """The works behind the CS of the institution ``focus`` with the institutions of ``country`` (:func:`works_sql`)."""
    if c.level != "institution":
        raise CountingError("a partner country applies to an institution's works (at country level the partner "
                            "is the country itself: give it as the partner)")
    if (figure or "cs") != "cs":
        raise CountingError(f"figure {figure!r}: the works with a partner country are those of its CS (figure cs)")
    prefix, params = unit_shares_sql(c, pairs=True)
    rows = f"""
    rows AS (SELECT a.wkey, any_value(a.share) AS share, sum(b.share) AS partner_share,
                    sum(a.share + b.share) AS contribution
             FROM wu a JOIN wu b ON b.wkey = a.wkey AND b.unit <> a.unit
             WHERE a.unit = {unit_key_sql(c.level, 'focus')}
               AND b.unit IN (SELECT ikey FROM institutions WHERE country_code = $partner_country)
             GROUP BY a.wkey)"""
    return _listed(prefix, rows), {**params, "focus": focus, "partner_country": country}


def _listed(prefix: str, rows: str) -> str:
    """The work list of the per-work contributions ``rows`` (a CTE ``rows``: wkey, share, partner_share,
    contribution) after the unit shares ``prefix``: the work's id, DOI, title, year, journal and sources."""
    return f"""{prefix},{rows},
    origins AS (SELECT wkey, string_agg(DISTINCT origin, ',' ORDER BY origin) AS sources
                FROM work_sources WHERE wkey IN (SELECT wkey FROM rows) GROUP BY wkey)
    SELECT w.work_id AS work, w.doi, w.title, w.year, w.source_name AS journal, o.sources,
           r.share, r.partner_share, r.contribution
    FROM rows r JOIN works w ON w.wkey = r.wkey LEFT JOIN origins o ON o.wkey = r.wkey
    WHERE r.contribution <> 0
    ORDER BY r.contribution DESC, w.work_id"""


def adjusted_scores_sql(c: Counting, base_year: int) -> tuple[str, dict]:
    """unit[, name], year, count, share, adjusted_share: the Nature Index's Adjusted Share, the
    Share of each year scaled to the size of the data set in ``base_year``:
    Share × N_base / N_year, with N the works of the data set under the same filters but the years."""
    sql, params = scores_sql(c, by_year=True)
    sizes, size_params = works_per_year_sql(c.filters.without_years())
    return (f"SELECT s.*, s.share * CAST(b.n_works AS DOUBLE) / CAST(n.n_works AS DOUBLE) AS adjusted_share "
            f"FROM ({sql}) s JOIN ({sizes}) n ON n.year = s.year "
            f"JOIN ({sizes}) b ON b.year = $base_year"), {**params, **size_params, "base_year": int(base_year)}
