"""The counting rules, written once as set-based SQL. Every view (CLI, Python API, report, web,
Spark) gets its numbers from the statements built here. See docs/methodology.md.

Attribution (who gets which part of a work):

- a work with n authorship entries gives each author 1/n;
- institution level: an author's 1/n is split equally over the author's distinct institutions
  (optionally rolled up to the top of the institution's ``lineage``);
- country level: each institution part goes to that institution's ``country_code``; an author with
  no institutions splits 1/n equally over the authorship's ``countries``; otherwise unattributed;
- sector level: each institution part goes to the sector of the institution's OpenAlex type.
- an export address that matched no ROR institution is stored as an address-only pseudo-institution
  (``origin = 'address'``): it counts at country level (its resolved country) and is unattributed
  at institution and sector level.

``unit_shares`` sums the parts per (work, unit): that is the unit's Share of the work. Strict mode
(default) drops unattributed parts, so a work's shares may sum to less than 1; ``renormalize``
divides each work's shares by their sum, spreading the Share over attributed authors only.

Metrics on top of ``unit_shares`` (``wu``):

- Count = number of works in which the unit has Share > 0; Share = sum of its shares;
- bilateral CS(A, B) = Σ over works where both have Share > 0 of (S_A + S_B); joint count = works;
  pairs are built from distinct units per work, never from author pairs;
- total CS of A = Σ_B CS(A, B), computed per work as (k−1)·S_A + (W − S_A) where k is the number of
  units on the work and W their summed share, and split by the partner's country (domestic /
  international) and sector (industry = corporate partners).

The store saves these sums per year (:func:`aggregate_units_sql`, :func:`aggregate_partners_sql`),
built by the statements here; a strict counting filtered by years only (``Counting.use_aggregates``)
sums those rows instead, which is exact because each work has one year.

All statements use DuckDB SQL with explicit DOUBLE arithmetic (never DECIMAL literals, which Spark
would round) and named ``$`` parameters. The Spark engine runs these same statements, rendered by
:mod:`collabatlas.engines.sql_dialect` (sqlglot; parameters bound as literals), so keep to SQL that
sqlglot translates: ``tests/test_spark_parity.py`` compares both engines (docs/engines.md).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from collabatlas.counting.filters import Filters
from collabatlas.errors import CountingError, NotFoundError

LEVELS = ("country", "institution", "sector")

#: OpenAlex institution type → Nature Index sector (docs/methodology.md, "Sectors").
SECTOR_OF_TYPE = {
    "education": "academic",
    "company": "corporate",
    "government": "government",
    "facility": "government",
    "healthcare": "healthcare",
    "nonprofit": "npo",
    "archive": "other",
    "other": "other",
    # "funder" is deliberately absent: OpenAlex (2024-) types many universities as "funder", so a
    # funder's sector is unknown (unattributed) rather than wrongly "other". See docs/methodology.md.
}
#: what the figures of each source count: the work-level store (exact fractional counting) and the
#: country-pair table (full counting of joint works, a work counted once per pair of its countries)
FRACTIONAL_LABEL = "fractional counting (Share and CS)"
FULL_COUNT_LABEL = "full counting (country-pair table)"

SECTORS = ("academic", "corporate", "government", "healthcare", "npo", "other")


class UnknownUnitError(NotFoundError, CountingError):
    """A country, institution or sector that the store does not hold."""


@dataclass(frozen=True)
class Counting:
    """What to count: the unit level, the works, and the attribution options."""

    level: str = "country"
    filters: Filters = field(default_factory=Filters)
    renormalize: bool = False
    rollup: bool = False
    #: a table holding :func:`base_unit_shares_sql` for this level and roll-up (a per-connection
    #: cache, see ``Atlas``); ``None`` computes the shares from the fact tables in the statement
    source: str | None = None
    #: leave out authors affiliated in two or more countries (``--exclude-dual-affiliations``)
    exclude_dual: bool = False
    #: the per-year aggregates of this level (:func:`aggregate_units_sql`, :func:`aggregate_partners_sql`)
    #: are saved; statements that can read them do so when :attr:`use_aggregates` holds
    aggregated: bool = False

    def __post_init__(self):
        if self.level not in LEVELS:
            raise CountingError(f"level {self.level!r}: expected one of {', '.join(LEVELS)}")
        if self.rollup and self.level != "institution":
            raise CountingError("--rollup (parent roll-up via lineage) applies to the institution level only")

    @property
    def use_aggregates(self) -> bool:
        """Whether the saved per-year aggregates answer this counting: they hold strict counts per
        unit and year, so not with renormalisation, roll-up, dual-affiliation exclusion or a filter
        other than the years."""
        return self.aggregated and not (self.renormalize or self.rollup or self.exclude_dual
                                        or self.filters.has_work_filters)


def _sector_case(column: str) -> str:
    whens = " ".join(f"WHEN '{t}' THEN '{s}'" for t, s in SECTOR_OF_TYPE.items())
    return (f"CASE lower({column}) {whens} WHEN 'funder' THEN NULL "
            f"ELSE CASE WHEN {column} IS NULL THEN NULL ELSE 'other' END END")


#: an institution's sector: from its OpenAlex type, or from its ROR type when the OpenAlex type gives
#: none (``funder``, or missing; ``ror_type`` is filled by :func:`collabatlas.affiliations.ror.apply_ror_types`)
SECTOR_SQL = _sector_case("coalesce(i.ror_type, i.type)")

# Top of each institution's lineage, as institution keys. OpenAlex lists lineage members in no
# particular order and leaves super-systems out, so the root is the ancestor whose own lineage is
# shortest (ties: lowest id).
ROOT_SQL = ("""
SELECT l.ikey,
       arg_min(p.ikey, lpad(CAST(coalesce(array_length(p.lineage), 999999) AS VARCHAR), 6, '0')"""
            """ || p.institution_id) AS root
FROM (SELECT ikey, institution_id, unnest(lineage) AS ancestor FROM institutions) l
JOIN institutions p ON p.institution_id = l.ancestor
WHERE l.ancestor <> l.institution_id
GROUP BY l.ikey
""")


#: Each row represents an institution of the store: its key, its store id (``institution_id``: OpenAlex's
#: ``I…``, or ``R`` + ROR id for one known only from export addresses), name, country and the id every
#: output shows (``unit_id``): its ROR id where it has one that no other institution of the store shares,
#: else its store id. Inputs take either (:mod:`collabatlas.analyses.units`).
UNIT_IDS_SQL = ("(SELECT ikey, institution_id, ror, origin, name, country_code, "
                "CASE WHEN ror IS NOT NULL AND count(*) OVER (PARTITION BY ror) = 1 THEN ror "
                "ELSE institution_id END AS unit_id FROM institutions)")


#: keys of the pseudo-institutions made for unmatched export addresses (see sources/exports.py)
ADDRESS_ONLY_SQL = "SELECT ikey FROM institutions WHERE origin = 'address'"


def _fact_filter(c: Counting, alias: str) -> tuple[str, dict]:
    """Predicate over a fact table (affiliations / author_countries) for the counting's filters."""
    years, params = c.filters.year_where(alias)
    if not c.filters.has_work_filters:
        return years, params
    works, more = c.filters.work_where("w")
    return f"{years} AND {alias}.wkey IN (SELECT w.wkey FROM works w WHERE {works})", {**params, **more}


def _parts_sql(c: Counting, works: str | None = None) -> tuple[str, dict]:
    """(wkey, year, unit, part): one row per attributed author part, before summing per unit; of the
    works listed in the table ``works`` (column ``wkey``) only, when given."""
    where, params = _fact_filter(c, "f")
    if works is not None:  # incremental maintenance: the changed works only (collabatlas.ingest.maintenance)
        where += f" AND f.wkey IN (SELECT wkey FROM {works})"
    if c.exclude_dual:  # their parts are dropped, not given to the other authors
        where += " AND f.n_countries < 2"
    part = "CAST(1 AS DOUBLE) / (CAST(f.n_authors AS DOUBLE) * f.n_institutions)"
    if c.level == "institution":
        # an export address that matched no institution carries its country only (origin 'address'):
        # its part is unattributed at institution level, like any part without an institution
        where += f" AND f.ikey NOT IN ({ADDRESS_ONLY_SQL})"
        if c.rollup:
            return (f"SELECT f.wkey, f.year, coalesce(r.root, f.ikey) AS unit, {part} AS part "
                    f"FROM affiliations f LEFT JOIN ({ROOT_SQL}) r ON r.ikey = f.ikey WHERE {where}"), params
        return f"SELECT f.wkey, f.year, f.ikey AS unit, {part} AS part FROM affiliations f WHERE {where}", params
    unit = SECTOR_SQL if c.level == "sector" else "i.country_code"
    from_institutions = (f"SELECT f.wkey, f.year, {unit} AS unit, {part} AS part "
                         f"FROM affiliations f JOIN institutions i ON i.ikey = f.ikey "
                         f"WHERE {where} AND {unit} IS NOT NULL")
    if c.level == "sector":
        return from_institutions, params
    from_countries = (
        "SELECT f.wkey, f.year, f.country_code AS unit, "
        "CAST(1 AS DOUBLE) / (CAST(f.n_authors AS DOUBLE) * f.n_countries) AS part "
        f"FROM author_countries f WHERE f.n_institutions = 0 AND {where}"
    )
    return f"{from_institutions} UNION ALL {from_countries}", params


_SUM_PARTS = "SELECT wkey, any_value(year) AS year, unit, sum(part) AS share FROM ({parts}) GROUP BY wkey, unit"

#: the columns of a unit-share row: the unit's Share of the work ...
SHARE_COLUMNS = ("wkey", "year", "unit", "share")
#: ... and the unit's context on the work, which the totals read (see :func:`with_context_sql`)
CONTEXT_COLUMNS = ("country", "corporate", "k", "w", "k_known", "w_known", "kc", "wc", "k_corp", "w_corp")
#: the context columns that hold a sum of shares (divided by ``w`` under ``renormalize``)
_SHARE_SUMS = ("share", "w_known", "wc", "w_corp")


def _unit_attributes_sql(level: str, shares: str) -> str:
    """``shares`` rows with the unit's ``country`` and ``corporate`` flag (used to classify partners).

    A rolled-up institution unit is the root institution, with its own attributes."""
    if level == "country":
        return f"SELECT s.*, s.unit AS country, false AS corporate FROM ({shares}) s"
    if level == "sector":
        return f"SELECT s.*, CAST(NULL AS VARCHAR) AS country, s.unit = 'corporate' AS corporate FROM ({shares}) s"
    return (f"SELECT s.*, i.country_code AS country, coalesce({SECTOR_SQL} = 'corporate', false) AS corporate "
            f"FROM ({shares}) s JOIN institutions i ON i.ikey = s.unit")


def with_context_sql(shares: str, level: str) -> str:
    """``shares`` (wkey, year, unit, share) with each row's context on its work:

    - ``country``, ``corporate``: the unit's country (NULL when unknown) and whether it is corporate;
    - ``k``, ``w``: how many units the work has and their summed share;
    - ``k_known``, ``w_known``: the same over the work's units with a known country;
    - ``kc``, ``wc``: the same over the work's units in this unit's country (0 when it has none);
    - ``k_corp``, ``w_corp``: the same over the work's corporate units.

    Filters select whole works, so a work's context is the same under any filter: it is computed
    once per level with the unit shares and saved with them (``Atlas.store_unit_shares``).
    """
    attrs = _unit_attributes_sql(level, shares)
    return (f"""
    WITH x AS ({attrs}),
    per_work AS (SELECT wkey, count(*) AS k, sum(share) AS w,
                        count(country) AS k_known, coalesce(sum(share) FILTER (WHERE country IS NOT NULL), 0)"""
            """ AS w_known,
                        count(*) FILTER (WHERE corporate) AS k_corp,
                        coalesce(sum(share) FILTER (WHERE corporate), 0) AS w_corp
                 FROM x GROUP BY wkey),
    per_country AS (SELECT wkey, country, count(*) AS kc, sum(share) AS wc
                    FROM x WHERE country IS NOT NULL GROUP BY wkey, country)
    SELECT x.wkey, x.year, x.unit, x.share, x.country, x.corporate, p.k, p.w, p.k_known, p.w_known,
           coalesce(pc.kc, 0) AS kc, coalesce(pc.wc, 0) AS wc, p.k_corp, p.w_corp
    FROM x JOIN per_work p ON p.wkey = x.wkey
    LEFT JOIN per_country pc ON pc.wkey = x.wkey AND pc.country = x.country""")


def base_unit_shares_sql(c: Counting, works: str | None = None) -> str:
    """(wkey, year, unit, share, context...) for every work, strict, unfiltered: what a cache table
    holds (columns :data:`SHARE_COLUMNS` + :data:`CONTEXT_COLUMNS`). With ``works`` (a table with a
    ``wkey`` column), the rows of those works only: a unit's context depends on its own work only, so
    these are exactly their rows in the full table."""
    parts, _ = _parts_sql(Counting(level=c.level, rollup=c.rollup, exclude_dual=c.exclude_dual), works)
    return with_context_sql(_SUM_PARTS.format(parts=parts), c.level)


#: the pair figures (pairs, partners, pair trends, the works behind a bilateral CS, the saved
#: ``agg_partners_<level>``) leave out a work with more units than this at the level counted: one work
#: of n units makes n × (n − 1) pair rows (5,000 institutions: 25 million). Its Count, Share and
#: totals are unchanged; see docs/methodology.md ("Extreme works and the pair cap")
MAX_PAIR_UNITS = 1000


def unit_shares_sql(c: Counting, context: bool = False, pairs: bool = False) -> tuple[str, dict]:
    """``WITH`` prefix defining ``wu`` (wkey, year, unit, share): each unit's Share of each work,
    plus the :data:`CONTEXT_COLUMNS` when ``context`` is true. ``pairs``: for a pair figure, the works
    with at most :data:`MAX_PAIR_UNITS` units only.

    Institution units are integer keys here; :func:`_named` turns them into ids and names.
    ``renormalize`` divides each work's shares (and the context's sums of shares) by the work's
    summed share ``w``.
    """
    if c.source:
        where, params = _fact_filter(c, "f")
        rows = f"SELECT * FROM {c.source} f WHERE {where}"
    else:
        parts, params = _parts_sql(c)
        rows = with_context_sql(_SUM_PARTS.format(parts=parts), c.level)
    if pairs:  # k: the work's units at this level (a context column, also of the saved unit shares)
        rows = f"SELECT * FROM ({rows}) p WHERE p.k <= {MAX_PAIR_UNITS}"
    columns = SHARE_COLUMNS + (CONTEXT_COLUMNS if context else ())
    if c.renormalize:
        select = ", ".join(f"{col} / w AS {col}" if col in _SHARE_SUMS
                           else "CAST(1 AS DOUBLE) AS w" if col == "w" else col for col in columns)
    else:
        select = ", ".join(columns)
    # shares computed from the fact tables are materialised once (pairs read ``wu`` twice); a
    # saved table is only scanned, and copying its rows would cost more than scanning it twice
    hint = "" if c.source else " MATERIALIZED"
    return f"WITH wu AS{hint} (SELECT {select} FROM ({rows}) r)", params


def _named(c: Counting, sql: str, units: tuple[str, ...] = ("unit",)) -> str:
    """Institution level: replace unit keys by the institutions' output ids (``unit_id`` of
    :data:`UNIT_IDS_SQL`: the ROR id where there is one) and add names."""
    if c.level != "institution":
        return sql
    if len(units) == 1:
        col = units[0]
        return (f"SELECT i.unit_id AS {col}, i.name, r.* EXCLUDE ({col}) "
                f"FROM ({sql}) r JOIN {UNIT_IDS_SQL} i ON i.ikey = r.{col}")
    # pairs: keep unit_a < unit_b in id order (the key order may differ)
    return (f"SELECT CASE WHEN ia.unit_id < ib.unit_id THEN ia.unit_id ELSE ib.unit_id END AS unit_a, "
            f"CASE WHEN ia.unit_id < ib.unit_id THEN ib.unit_id ELSE ia.unit_id END AS unit_b, "
            f"r.* EXCLUDE (unit_a, unit_b), "
            f"CASE WHEN ia.unit_id < ib.unit_id THEN ia.name ELSE ib.name END AS name_a, "
            f"CASE WHEN ia.unit_id < ib.unit_id THEN ib.name ELSE ia.name END AS name_b "
            f"FROM ({sql}) r JOIN {UNIT_IDS_SQL} ia ON ia.ikey = r.unit_a JOIN {UNIT_IDS_SQL} ib ON ib.ikey = r.unit_b")


def scores_sql(c: Counting, by_year: bool = False) -> tuple[str, dict]:
    """unit[, name][, year], count, share."""
    if c.use_aggregates:
        return _from_units_aggregate(c, "sum(count) AS count, sum(share) AS share", by_year=by_year)
    prefix, params = unit_shares_sql(c)
    year = "year, " if by_year else ""
    inner = (f"SELECT unit, {year}count(*) AS count, sum(share) AS share "
             f"FROM wu GROUP BY unit{', year' if by_year else ''}")
    return f"{prefix} {_named(c, inner)}", params


#: the partner aggregates are append-only (a change appends its delta rows; collabatlas.ingest.maintenance):
#: every reader sums a key's rows and leaves out a key whose joint works sum to 0 (all its works removed)
LIVE_KEYS = "HAVING sum(joint_count) <> 0"


def pairs_sql(c: Counting, by_year: bool = False) -> tuple[str, dict]:
    """unit_a, unit_b[, year], joint_count, cs[, name_a, name_b] — each pair once, unit_a < unit_b."""
    if c.use_aggregates:
        where, params = c.filters.year_where("p")
        year = "year, " if by_year else ""
        inner = (f"SELECT unit AS unit_a, partner AS unit_b, {year}sum(joint_count) AS joint_count, "
                 f"sum(own_share + partner_share) AS cs FROM {aggregate_table('partners', c.level)} p "
                 f"WHERE unit < partner AND {where} GROUP BY unit, partner{', year' if by_year else ''} "
                 f"{LIVE_KEYS}")
        return _named(c, inner, ("unit_a", "unit_b")), params
    prefix, params = unit_shares_sql(c, pairs=True)
    year = "a.year AS year, " if by_year else ""
    inner = (f"SELECT a.unit AS unit_a, b.unit AS unit_b, {year}count(*) AS joint_count, "
             f"sum(a.share + b.share) AS cs FROM wu a JOIN wu b ON a.wkey = b.wkey AND a.unit < b.unit "
             f"GROUP BY a.unit, b.unit{', a.year' if by_year else ''}")
    return f"{prefix} {_named(c, inner, ('unit_a', 'unit_b'))}", params


def unit_key_sql(level: str, param: str) -> str:
    """SQL for the key of the unit named by parameter ``$param`` (an institution id → its key)."""
    if level == "institution":
        return f"(SELECT ikey FROM {UNIT_IDS_SQL} WHERE unit_id = ${param})"
    return f"${param}"


def partners_sql(c: Counting, focus: str, by_year: bool = False) -> tuple[str, dict]:
    """partner[, name][, year], joint_count, cs, own_share, partner_share: the bilateral CS of the
    unit ``focus`` with each other unit (the same sum as :func:`pairs_sql`, restricted to pairs that
    contain ``focus``), split into the two sides' Shares on their joint works."""
    if c.use_aggregates:
        where, params = c.filters.year_where("p")
        year = "year, " if by_year else ""
        inner = (f"SELECT partner, {year}sum(joint_count) AS joint_count, sum(own_share + partner_share) AS cs, "
                 f"sum(own_share) AS own_share, sum(partner_share) AS partner_share "
                 f"FROM {aggregate_table('partners', c.level)} p "
                 f"WHERE unit = {unit_key_sql(c.level, 'focus')} AND {where} "
                 f"GROUP BY partner{', year' if by_year else ''} "
                 f"{LIVE_KEYS}")
        return _named(c, inner, ("partner",)), {**params, "focus": focus}
    prefix, params = unit_shares_sql(c, pairs=True)
    year = "a.year AS year, " if by_year else ""
    inner = (f"SELECT b.unit AS partner, {year}count(*) AS joint_count, sum(a.share + b.share) AS cs, "
             f"sum(a.share) AS own_share, sum(b.share) AS partner_share "
             f"FROM wu a JOIN wu b ON a.wkey = b.wkey AND b.unit <> a.unit "
             f"WHERE a.unit = {unit_key_sql(c.level, 'focus')} GROUP BY b.unit{', a.year' if by_year else ''}")
    return f"{prefix} {_named(c, inner, ('partner',))}", {**params, "focus": focus}


def _pair_period_rows(c: Counting, unit_a: str, unit_b: str,
                      window_end_month: int | None) -> tuple[str, str, dict]:
    """(prefix, rows, params): rows = (wkey, period, value = S_a + S_b) for the works of a pair."""
    prefix, params = unit_shares_sql(c, pairs=True)
    if window_end_month is None:
        period, join = "a.year", ""
    else:
        period = "year(w.pub_date) + CASE WHEN month(w.pub_date) > $end_month THEN 1 ELSE 0 END"
        join = "JOIN works w ON w.wkey = a.wkey AND w.pub_date IS NOT NULL"
        params = {**params, "end_month": int(window_end_month)}
    rows = (f"SELECT a.wkey, {period} AS period, a.share + b.share AS value "
            f"FROM wu a JOIN wu b ON a.wkey = b.wkey {join} "
            f"WHERE a.unit = {unit_key_sql(c.level, 'unit_a')} AND b.unit = {unit_key_sql(c.level, 'unit_b')}")
    return prefix, rows, {**params, "unit_a": unit_a, "unit_b": unit_b}


def pair_trend_sql(c: Counting, unit_a: str, unit_b: str, window_end_month: int | None = None) -> tuple[str, dict]:
    """period, joint_count, cs: the bilateral CS of two units per period.

    Periods are publication years, or with ``window_end_month`` = M the 12-month windows that end
    with month M (a work published after month M of year Y falls in the window ending in Y+1);
    windows need the publication date, so works without one are left out.
    """
    if c.use_aggregates and window_end_month is None:
        where, params = c.filters.year_where("p")
        return (f"SELECT year AS period, sum(joint_count) AS joint_count, sum(own_share + partner_share) AS cs "
                f"FROM {aggregate_table('partners', c.level)} p WHERE unit = {unit_key_sql(c.level, 'unit_a')} "
                f"AND partner = {unit_key_sql(c.level, 'unit_b')} AND {where} GROUP BY year {LIVE_KEYS} ORDER BY year"
                ), {**params, "unit_a": unit_a, "unit_b": unit_b}
    prefix, rows, params = _pair_period_rows(c, unit_a, unit_b, window_end_month)
    return (f"{prefix} SELECT period, count(*) AS joint_count, sum(value) AS cs FROM ({rows}) "
            f"GROUP BY period ORDER BY period"), params


def contributions_sql(c: Counting, focus: str | None = None, unit_b: str | None = None,
                      window_end_month: int | None = None) -> tuple[str, dict]:
    """(wkey, key, value): each work's contribution to a metric, for resampling works (bootstrap).

    - no ``focus``: key = unit, value = the unit's Share of the work (sums to Share);
    - ``focus`` only: key = partner, value = S_focus + S_partner (sums to CS(focus, partner));
    - ``focus`` and ``unit_b``: key = period (as in :func:`pair_trend_sql`), value = S_focus + S_b.
    Institution units come as keys (integers); callers map them as they need.
    """
    if focus is None:
        prefix, params = unit_shares_sql(c)
        return f"{prefix} SELECT wkey, unit AS key, share AS value FROM wu", params
    if unit_b is None:
        prefix, params = unit_shares_sql(c, pairs=True)
        return (f"{prefix} SELECT a.wkey, b.unit AS key, a.share + b.share AS value FROM wu a "
                f"JOIN wu b ON a.wkey = b.wkey AND b.unit <> a.unit "
                f"WHERE a.unit = {unit_key_sql(c.level, 'focus')}"), {**params, "focus": focus}
    prefix, rows, params = _pair_period_rows(c, focus, unit_b, window_end_month)
    return f"{prefix} SELECT wkey, period AS key, value FROM ({rows})", params


def focus_works_sql(c: Counting, focus: str, members: list[str]) -> tuple[str, dict]:
    """works, intl_works, group_works, domestic_works of the country ``focus``: its works (Count),
    those with another country, those with a country in ``members`` (other than itself), and those
    with no other country (country level)."""
    if c.level != "country":
        raise CountingError("group analyses are made at country level")
    prefix, params = unit_shares_sql(c)
    sql = f"""{prefix},
    f AS (SELECT wkey FROM wu WHERE unit = $focus),
    o AS (SELECT wu.wkey, bool_or(list_contains($members, wu.unit)) AS with_group
          FROM wu SEMI JOIN f USING (wkey) WHERE wu.unit <> $focus GROUP BY wu.wkey)
    SELECT count(*) AS works, count(o.wkey) AS intl_works,
           count(*) FILTER (WHERE o.with_group) AS group_works, count(*) - count(o.wkey) AS domestic_works
    FROM f LEFT JOIN o USING (wkey)"""
    return sql, {**params, "focus": focus, "members": sorted(members)}


TOTALS_COLUMNS = ("count", "share", "collab_count", "intl_count", "cs_total", "cs_domestic", "cs_international",
                  "cs_unknown_country", "cs_industry")


def totals_sql(c: Counting, focus: str | None = None, by_year: bool = False,
               unit_keys: bool = False) -> tuple[str, dict]:
    """unit[, name], count, share, collab_count, intl_count, cs_total, cs_domestic, cs_international,
    cs_unknown_country, cs_industry; of every unit, or of the unit ``focus`` only; per year with
    ``by_year``; with institution keys instead of ids and names with ``unit_keys``.

    Per work p and unit A (share S, k units with summed share W on p):
    CS_total += (k−1)·S + W − S. Domestic sums over partners with A's country, international over
    partners with another known country; partners (or A itself) without a country go to
    ``cs_unknown_country``. Industry sums over corporate partners. The per-work sums come from the
    unit's context (:func:`with_context_sql`), so this is one pass over the unit shares.
    """
    focus_where = f"unit = {unit_key_sql(c.level, 'focus')}" if focus is not None else "TRUE"
    focus_params = {"focus": focus} if focus is not None else {}
    if c.use_aggregates:
        sums = ", ".join(f"sum({col}) AS {col}" for col in TOTALS_COLUMNS)
        sql, params = _from_units_aggregate(c, sums, by_year=by_year, where=focus_where)
        return sql, {**params, **focus_params}
    prefix, params = unit_shares_sql(c, context=True)
    inner = """
    SELECT unit, {year}
           count(*) AS count,
           sum(share) AS share,
           count(*) FILTER (WHERE k >= 2) AS collab_count,
           count(*) FILTER (WHERE country IS NOT NULL AND k_known > kc) AS intl_count,
           sum((k - 1) * share + w - share) AS cs_total,
           sum(CASE WHEN country IS NULL THEN 0 ELSE (kc - 1) * share + wc - share END) AS cs_domestic,
           sum(CASE WHEN country IS NULL THEN 0 ELSE (k_known - kc) * share + w_known - wc END) AS cs_international,
           sum(CASE WHEN country IS NULL THEN (k - 1) * share + w - share
                    ELSE (k - k_known) * share + w - w_known END) AS cs_unknown_country,
           sum(CASE WHEN corporate THEN (k_corp - 1) * share + w_corp - share
                    ELSE k_corp * share + w_corp END) AS cs_industry
    FROM wu WHERE {where} GROUP BY unit{group_year}"""
    inner = inner.format(where=focus_where, year="year," if by_year else "", group_year=", year" if by_year else "")
    return f"{prefix} {inner if unit_keys else _named(c, inner)}", {**params, **focus_params}


def _from_units_aggregate(c: Counting, sums: str, by_year: bool, where: str = "TRUE") -> tuple[str, dict]:
    """unit[, name][, year], ``sums``: per-unit sums over the years of the saved unit aggregate."""
    years, params = c.filters.year_where("t")
    year = "year, " if by_year else ""
    inner = (f"SELECT unit, {year}{sums} FROM {aggregate_table('units', c.level)} t "
             f"WHERE {years} AND {where} GROUP BY unit{', year' if by_year else ''}")
    return _named(c, inner), params


# -- aggregates saved per level (Atlas.store_unit_shares): the counting above, once per unit and year
def aggregate_table(kind: str, level: str) -> str:
    """Name of a saved aggregate: ``units`` (:func:`aggregate_units_sql`) or ``partners``."""
    return f"agg_{kind}_{level}"


def aggregate_units_sql(level: str, source: str, ordered: bool = True) -> str:
    """unit, year, and the :data:`TOTALS_COLUMNS` of :func:`totals_sql` per unit and year (unit keys),
    from the saved unit shares ``source``. Scores, totals and collaboration by year sum these rows
    over the requested years: each work has one year, so the sums are exact. ``ordered``: by unit and
    year (as saved; a delta of incremental maintenance needs no order)."""
    sql, _ = totals_sql(Counting(level=level, source=source), by_year=True, unit_keys=True)
    return f"SELECT unit, year, {', '.join(TOTALS_COLUMNS)} FROM ({sql})" + (" ORDER BY unit, year" if ordered else "")


#: the rows of the pair sums ``p`` (ua < ub) both ways round, as the saved partner aggregates hold them
_BOTH_WAYS = ("SELECT ua AS unit, ub AS partner, year, n AS joint_count, sa AS own_share, sb AS partner_share FROM p "
              "UNION ALL SELECT ub, ua, year, n, sb, sa FROM p")


def aggregate_partners_sql(level: str, source: str, ordered: bool = True) -> str:
    """unit, partner, year, joint_count, own_share, partner_share for every pair of units that share a
    work, both ways round, per year (the sums of :func:`pairs_sql` split by side), ordered by unit so
    that one unit's rows are read without scanning the rest (``ordered``)."""
    prefix, _ = unit_shares_sql(Counting(level=level, source=source), pairs=True)
    return f"""{prefix},
    p AS MATERIALIZED (SELECT a.unit AS ua, b.unit AS ub, a.year, count(*) AS n,
                              sum(a.share) AS sa, sum(b.share) AS sb
                       FROM wu a JOIN wu b ON a.wkey = b.wkey AND a.unit < b.unit GROUP BY a.unit, b.unit, a.year)
    SELECT * FROM ({_BOTH_WAYS})""" + (" ORDER BY unit, partner, year" if ordered else "")


def aggregate_partners_delta_sql(new: str, old: str) -> str:
    """What :func:`aggregate_partners_sql` changes by when the unit-share rows ``old`` of some works
    give way to ``new`` (tables with the saved unit shares' columns): per unit, partner and year, the
    sums over ``new`` minus those over ``old``, unordered; a key whose rows cancel out is kept, at 0.
    One pass over the pairs of both, each row signed (+1 new, −1 old; a work's pairs are made within
    one side only), instead of the two aggregates built and subtracted: the same pairs and pair cap
    (``k`` ≤ :data:`MAX_PAIR_UNITS`), half the grouping and no sort."""
    signed = " UNION ALL ".join(f"SELECT wkey, year, unit, share, {sign} AS sign FROM {table} "
                                f"WHERE k <= {MAX_PAIR_UNITS}" for table, sign in ((new, 1), (old, -1)))
    return f"""WITH wu AS MATERIALIZED ({signed}),
    p AS MATERIALIZED (SELECT a.unit AS ua, b.unit AS ub, a.year, CAST(sum(a.sign) AS BIGINT) AS n,
                              sum(a.sign * a.share) AS sa, sum(a.sign * b.share) AS sb
                       FROM wu a JOIN wu b ON a.wkey = b.wkey AND a.sign = b.sign AND a.unit < b.unit
                       GROUP BY a.unit, b.unit, a.year)
    {_BOTH_WAYS}"""


def industry_academic_sql(c: Counting) -> tuple[str, dict]:
    """unit, name, joint_works, own_share, academic_share, contribution_pct: for each corporate
    institution, over its works with at least one academic institution, its Share, the academic
    institutions' Share, and own / (own + academic) × 100 (the Nature Index "Science Inc." average
    contribution to collaborations with academia)."""
    if c.level != "institution":
        raise CountingError("the industry–academia view is computed at institution level")
    prefix, params = unit_shares_sql(c)
    inner = """
    SELECT wu.unit, count(*) AS joint_works, sum(wu.share) AS own_share, sum(a.academic_share) AS academic_share,
           100 * sum(wu.share) / (sum(wu.share) + sum(a.academic_share)) AS contribution_pct
    FROM wu JOIN sectors s USING (unit)
    JOIN (SELECT wu.wkey, sum(wu.share) AS academic_share FROM wu JOIN sectors s USING (unit)
          WHERE s.sector = 'academic' GROUP BY wu.wkey) a USING (wkey)
    WHERE s.sector = 'corporate'
    GROUP BY wu.unit"""
    sectors = f"SELECT i.ikey AS unit, {SECTOR_SQL} AS sector FROM institutions i"
    return f"{prefix}, sectors AS ({sectors}) {_named(c, inner)}", params


def collaboration_by_year_sql(c: Counting) -> tuple[str, dict]:
    """:func:`_collaboration_by_year_sql` with ``intl_share`` = intl_works / works (the landscape's y)."""
    sql, params = _collaboration_by_year_sql(c)
    return f"SELECT r.*, CAST(r.intl_works AS DOUBLE) / r.works AS intl_share FROM ({sql}) r", params


def _collaboration_by_year_sql(c: Counting) -> tuple[str, dict]:
    """unit[, name], year, works, collab_works, intl_works: per unit and year, the works it takes
    part in (its Count), those with another unit, and those with a unit of another known country
    (at country level: works with at least two countries)."""
    if c.use_aggregates:
        return _from_units_aggregate(c, "sum(count) AS works, sum(collab_count) AS collab_works, "
                                        "sum(intl_count) AS intl_works", by_year=True)
    prefix, params = unit_shares_sql(c, context=True)
    inner = """
    SELECT unit, year, count(*) AS works, count(*) FILTER (WHERE k >= 2) AS collab_works,
           count(*) FILTER (WHERE country IS NOT NULL AND k_known > kc) AS intl_works
    FROM wu GROUP BY unit, year"""
    return f"{prefix} {_named(c, inner)}", params


def works_per_year_sql(filters: Filters) -> tuple[str, dict]:
    """year, n_works: the size of the data set per year (the N of Adjusted Share)."""
    where, params = filters.where("w")
    return f"SELECT year, count(*) AS n_works FROM works w WHERE {where} GROUP BY year", params
