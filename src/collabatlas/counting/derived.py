"""Derived metrics as SQL: the ratios and regroupings built on the counting rules of :mod:`.rules`.

Each statement wraps a statement of :mod:`.rules` (so both engines run it: DuckDB on the store,
Spark on the Parquet interchange through :mod:`collabatlas.engines.sql_dialect`); no view, analysis
or facade computes a Share, a CS or a ratio of them itself. Each result table is described by
"each row of this table represents …" in its function's docstring.

- :func:`partner_detail_sql` — one row per partner: CS, both sides' Shares on joint works, whether
  the partner is international, its % of the unit's international CS and the unit's own part of it;
- :func:`partner_countries_sql` — one row per partner country: the CS of the unit with the
  institutions (or the country) there, with the % of international CS; the institution map, the
  profile's hotspots and its "rest of world" all read it (one definition);
- :func:`group_period_sql` — one row per period of a group analysis: works with the group and the
  group's share of international works and CS;
- :func:`partners_dual_sql` — one row per partner: CS with and without dual-affiliation authors and
  the difference (the dual-affiliation part); :func:`trend_dual_sql` per period of a pair,
  :func:`group_dual_sql` per period of a group analysis.
"""

from __future__ import annotations

from collabatlas.counting.rules import (
    UNIT_IDS_SQL,
    Counting,
    CountingError,
    focus_works_sql,
    pair_trend_sql,
    partners_sql,
)

REST_OF_WORLD = "rest of world"


def partner_detail_sql(c: Counting, focus: str) -> tuple[str, dict]:
    """Each row represents a partner of the unit ``focus``: ``partner[, name, country], joint_count,
    cs, own_share, partner_share, pct_of_international_cs, own_pct``.

    International: at country level every partner; at institution level a partner whose country is
    known and differs from the unit's (known) country; at sector level none.
    ``pct_of_international_cs`` = 100 · CS / Σ CS over the international partners (NULL for a
    domestic partner, or when the unit has no international CS); ``own_pct`` = 100 · own Share / CS,
    the unit's part of the bilateral CS."""
    sql, params = partners_sql(c, focus)
    if c.level == "institution":
        own = f"(SELECT country_code FROM {UNIT_IDS_SQL} WHERE unit_id = $focus)"
        sql = (f"SELECT p.partner, p.name, i.country_code AS country, p.* EXCLUDE (partner, name), "
               f"coalesce(i.country_code <> {own}, false) AS international "
               f"FROM ({sql}) p LEFT JOIN {UNIT_IDS_SQL} i ON i.unit_id = p.partner")
    else:
        sql = f"SELECT p.*, {'true' if c.level == 'country' else 'false'} AS international FROM ({sql}) p"
    return (f"SELECT d.* EXCLUDE (international), CASE WHEN d.international THEN 100 * d.cs / "
            f"nullif(sum(CASE WHEN d.international THEN d.cs ELSE 0 END) OVER (), 0) END AS pct_of_international_cs, "
            f"100 * d.own_share / nullif(d.cs, 0) AS own_pct "
            f"FROM ({sql}) d"), params


def partner_countries_sql(c: Counting, focus: str, top: int | None = None,
                          international_only: bool = False) -> tuple[str, dict]:
    """Each row represents a country where the institution ``focus`` has partner institutions:
    ``country, cs, joint_partners, domestic, pct_of_international_cs`` — the CS of ``focus`` with
    the institutions of that country (Σ of its bilateral CS with each), how many they are, whether
    it is the unit's own country, and its % of the unit's international CS (NULL for the domestic
    row). Partners without a known country are left out. With ``top``: the international countries
    only, the ``top`` largest and one row ``rest of world`` for the others (the profile's hotspots);
    ``international_only`` without ``top`` gives every international country."""
    if c.level != "institution":
        raise CountingError("CS by partner country is made for an institution (at country level the partners "
                            "are the countries)")
    detail, params = partner_detail_sql(c, focus)
    by_country = (f"SELECT country, sum(cs) AS cs, count(*) AS joint_partners, "
                  f"bool_and(pct_of_international_cs IS NULL) AND country = "
                  f"(SELECT country_code FROM {UNIT_IDS_SQL} WHERE unit_id = $focus) AS domestic "
                  f"FROM ({detail}) d WHERE country IS NOT NULL GROUP BY country")
    if top is None:
        where = "WHERE NOT domestic" if international_only else ""
        return (f"SELECT country, cs, joint_partners, domestic, CASE WHEN NOT domestic THEN 100 * cs / "
                f"nullif(sum(CASE WHEN NOT domestic THEN cs ELSE 0 END) OVER (), 0) END AS pct_of_international_cs "
                f"FROM ({by_country}) b {where} ORDER BY cs DESC, country"), params
    ranked = (f"SELECT *, row_number() OVER (ORDER BY cs DESC, country) AS rank "
              f"FROM ({by_country}) b WHERE NOT domestic")
    bucket = (f"SELECT CASE WHEN rank <= $top THEN country ELSE '{REST_OF_WORLD}' END AS country, "
              f"least(rank, $top + 1) AS position, cs, joint_partners FROM ({ranked}) r")
    return (f"SELECT country, sum(cs) AS cs, sum(joint_partners) AS joint_partners, false AS domestic, "
            f"100 * sum(cs) / nullif(sum(sum(cs)) OVER (), 0) AS pct_of_international_cs "
            f"FROM ({bucket}) k GROUP BY country, position ORDER BY position"), {**params, "top": int(top)}


def group_period_sql(c: Counting, focus: str, members: list[str]) -> tuple[str, dict]:
    """The one row of a period of a group analysis (country ``focus``, group ``members``):
    ``works, intl_works, group_works, domestic_works, group_pct_of_intl_works, group_cs, intl_cs,
    group_pct_of_intl_cs`` — the works of :func:`.rules.focus_works_sql`, the CS with the group's
    countries and with every country, and the group's percentage of each."""
    works_sql, params = focus_works_sql(c, focus, members)
    detail, detail_params = partner_detail_sql(c, focus)
    cs = (f"SELECT coalesce(sum(cs) FILTER (WHERE list_contains($members, partner)), 0) AS group_cs, "
          f"coalesce(sum(cs), 0) AS intl_cs FROM ({detail}) d")
    return (f"SELECT w.works, w.intl_works, w.group_works, w.domestic_works, "
            f"100 * w.group_works / nullif(w.intl_works, 0) AS group_pct_of_intl_works, "
            f"s.group_cs, s.intl_cs, 100 * s.group_cs / nullif(s.intl_cs, 0) AS group_pct_of_intl_cs "
            f"FROM ({works_sql}) w CROSS JOIN ({cs}) s"), {**detail_params, **params}


def partners_dual_sql(c: Counting, without: Counting, focus: str) -> tuple[str, dict]:
    """Each row represents a partner of ``focus``: ``partner, cs_without_dual, dual_cs`` — the CS
    counted without authors who hold affiliations in several units (``without``, the same counting
    with ``exclude_dual``) and the part of the CS those authors bring (CS − CS without them)."""
    with_sql, params = partners_sql(c, focus)
    without_sql, params_without = partners_sql(without, focus)
    return (f"SELECT a.partner, coalesce(b.cs, 0) AS cs_without_dual, a.cs - coalesce(b.cs, 0) AS dual_cs "
            f"FROM ({with_sql}) a LEFT JOIN ({without_sql}) b ON a.partner = b.partner"), {**params_without, **params}


def trend_dual_sql(c: Counting, without: Counting, unit_a: str, unit_b: str,
                   window_end_month: int | None = None) -> tuple[str, dict]:
    """Each row represents a period of the bilateral trend of two units: ``period, cs_without_dual,
    dual_cs`` (as :func:`partners_dual_sql`, per period of :func:`.rules.pair_trend_sql`)."""
    with_sql, params = pair_trend_sql(c, unit_a, unit_b, window_end_month)
    without_sql, params_without = pair_trend_sql(without, unit_a, unit_b, window_end_month)
    return (f"SELECT a.period, coalesce(b.cs, 0) AS cs_without_dual, a.cs - coalesce(b.cs, 0) AS dual_cs "
            f"FROM ({with_sql}) a LEFT JOIN ({without_sql}) b ON a.period = b.period"), {**params_without, **params}


def group_dual_sql(c: Counting, without: Counting, focus: str, members: list[str]) -> tuple[str, dict]:
    """The one row of a period of a group analysis with the dual-affiliation split:
    ``group_cs_without_dual, group_dual_cs, intl_cs_without_dual, intl_dual_cs`` — the group's and
    all international CS counted without authors affiliated in several countries (``without``), and
    the part those authors bring (as :func:`partners_dual_sql`)."""
    split, params = partners_dual_sql(c, without, focus)
    return (f"SELECT coalesce(sum(cs_without_dual) FILTER (WHERE list_contains($members, partner)), 0) "
            f"AS group_cs_without_dual, "
            f"coalesce(sum(dual_cs) FILTER (WHERE list_contains($members, partner)), 0) AS group_dual_cs, "
            f"coalesce(sum(cs_without_dual), 0) AS intl_cs_without_dual, coalesce(sum(dual_cs), 0) AS intl_dual_cs "
            f"FROM ({split}) d"), {**params, "members": sorted(members)}
