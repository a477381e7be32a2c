"""Country-pair aggregates: world-scale co-authorship counts where work-level data is absent.

Input: a CSV (plain or gzip) ``year,country_a,country_b,works`` of works co-authored by two
countries, both directions listed — the layout of the OpenAlex country co-authorship counts
1990–2023 (``country_pairs/`` in the data directory). The table is built from internationally
co-authored works only, so the **diagonal holds each country's number of internationally
co-authored works** (``intl_works``), never its total output: domestic-only works are not in the
table, and a country's total output or international share cannot be derived from it (refused,
never bounded by 100 %). Pair counts are **full counts** (a work with three countries counts once
for each of its three pairs), so Share and CS cannot be derived either; every result says so in a
``counting`` column (:data:`FULL_COUNT_LABEL`), and a sum over several partners counts *links*: a
work with two partners in a group counts twice in ``group_pair_links`` and once among the group's
distinct works, of which only bounds are known (:func:`group`).

Loading is idempotent: the years present in the file replace those years in the store, in one
transaction; rows with a bad or empty year, a code that is not two letters (or empty) or a
negative or empty count are skipped, counted (each row once, under its first reason) and reported
with their line numbers: rows read = rows stored + rows skipped. The provider and retrieval date
are kept with the table (:mod:`.pair_provenance`).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd

from collabatlas.counting import changes
from collabatlas.counting.filters import parse_years
from collabatlas.counting.rules import FULL_COUNT_LABEL, CountingError
from collabatlas.sources.paths import duckdb_literal
from collabatlas.store import pair_provenance
from collabatlas.store.pair_provenance import PairProvenance
from collabatlas.store.schema import transaction

SCHEMA_SQL = """
CREATE TABLE IF NOT EXISTS country_pair_works (
    year INTEGER NOT NULL,
    country_a VARCHAR NOT NULL,
    country_b VARCHAR NOT NULL,
    works BIGINT NOT NULL
)"""


@dataclass
class PairLoadReport:
    path: str
    rows_read: int = 0
    rows_stored: int = 0
    years: list[int] = field(default_factory=list)
    skipped: dict[str, int] = field(default_factory=dict)
    messages: list[str] = field(default_factory=list)
    provenance: PairProvenance = field(default_factory=PairProvenance)


def load(con: duckdb.DuckDBPyConnection, path: str | os.PathLike, provider: str | None = None,
         retrieved: str | None = None) -> PairLoadReport:
    """Load a country-pair CSV into the store (see the module docstring); ``provider`` and
    ``retrieved`` name its source (default: read from the data folder's README.md)."""
    path = Path(path)
    if not path.is_file():
        raise CountingError(f"{path}: no such file")
    con.execute(SCHEMA_SQL)
    try:
        con.execute("""CREATE OR REPLACE TEMP TABLE raw_pairs AS
                       SELECT row_number() OVER () + 1 AS line, * FROM read_csv(?, header = true, """
                    "all_varchar = true, hive_partitioning = false)",
                    [duckdb_literal(path)])  # the literal name (no glob expansion)
    except duckdb.Error as exc:
        raise CountingError(f"{path}: not a readable CSV ({str(exc).splitlines()[0]})") from exc
    columns = {r[0] for r in con.execute("DESCRIBE raw_pairs").fetchall()}
    missing = {"year", "country_a", "country_b", "works"} - columns
    if missing:
        raise CountingError(f"{path}: missing columns {sorted(missing)}; expected year,country_a,country_b,works")
    report = PairLoadReport(path=str(path))
    report.rows_read = con.execute("SELECT count(*) FROM raw_pairs").fetchone()[0]
    # each condition is TRUE or FALSE, never NULL (an empty cell is bad, not silently dropped); a row
    # is counted under its first bad reason only, so rows read = stored + skipped
    checks = {
        "year is not an integer": "TRY_CAST(year AS INTEGER) IS NULL",
        # ASCII letters checked before upper(): "ıt" (dotless i) must not become IT (the record contract)
        "country code is not two letters": "NOT coalesce(regexp_full_match(trim(country_a), '[A-Za-z]{2}') "
                                           "AND regexp_full_match(trim(country_b), '[A-Za-z]{2}'), false)",
        "works is not a count >= 0": "coalesce(TRY_CAST(works AS BIGINT), -1) < 0",
    }
    bad_any = " OR ".join(f"({c})" for c in checks.values())
    earlier: list[str] = []
    for reason, condition in checks.items():
        first_reason = " AND ".join([f"({condition})"] + [f"NOT ({c})" for c in earlier])
        earlier.append(condition)
        lines = [r[0] for r in con.execute(f"SELECT line FROM raw_pairs WHERE {first_reason} ORDER BY line").fetchall()]
        if lines:
            report.skipped[reason] = len(lines)
            report.messages.append(f"{path}: line {', '.join(map(str, lines[:10]))}"
                                   f"{' ...' if len(lines) > 10 else ''}: {reason}")
    try:
        with transaction(con):
            con.execute(f"""CREATE OR REPLACE TEMP TABLE good_pairs AS
                            SELECT CAST(year AS INTEGER) AS year, upper(trim(country_a)) AS country_a,
                                   upper(trim(country_b)) AS country_b, CAST(works AS BIGINT) AS works
                            FROM raw_pairs WHERE NOT ({bad_any})""")
            report.years = [r[0] for r in con.execute("SELECT DISTINCT year FROM good_pairs ORDER BY year").fetchall()]
            con.execute("DELETE FROM country_pair_works WHERE year IN (SELECT year FROM good_pairs)")
            con.execute("INSERT INTO country_pair_works SELECT * FROM good_pairs")
            report.rows_stored = con.execute("SELECT count(*) FROM good_pairs").fetchone()[0]
            report.provenance = pair_provenance.detect(path, provider=provider, retrieved=retrieved)
            pair_provenance.save(con, report.provenance)
    finally:
        con.execute("DROP TABLE IF EXISTS raw_pairs; DROP TABLE IF EXISTS good_pairs")
    return report


def _require(con: duckdb.DuckDBPyConnection) -> None:
    if not con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = 'country_pair_works'").fetchone()[0]:
        raise CountingError("no country-pair aggregates in this store: load them with `collabatlas ingest-pairs FILE`")


def _years_clause(years) -> tuple[str, dict]:
    span = parse_years(years)
    if not span:
        return "TRUE", {}
    return "year BETWEEN $first AND $last", {"first": span[0], "last": span[1]}


def years(con: duckdb.DuckDBPyConnection) -> tuple[int, int]:
    """The first and last year of the store's pair data."""
    _require(con)
    first, last = con.execute("SELECT min(year), max(year) FROM country_pair_works").fetchone()
    if first is None:
        raise CountingError("the country-pair aggregates of this store are empty")
    return int(first), int(last)


def totals(con: duckdb.DuckDBPyConnection, years=None) -> pd.DataFrame:
    """unit, intl_works, partner_links, partner_countries, counting: each country's internationally
    co-authored works (the diagonal), its joint-work links with other countries (a work counted once
    per partner country, so at least ``intl_works``), how many countries it shares a work with, full
    counting, most international works first.

    No total output and no international share: domestic-only works are not in the table."""
    _require(con)
    where, params = _years_clause(years)
    df = con.execute(f"""
        SELECT country_a AS unit,
               coalesce(sum(works) FILTER (WHERE country_b = country_a), 0) AS intl_works,
               coalesce(sum(works) FILTER (WHERE country_b <> country_a), 0) AS partner_links,
               count(DISTINCT country_b) FILTER (WHERE country_b <> country_a AND works > 0) AS partner_countries
        FROM country_pair_works WHERE {where} GROUP BY country_a""", params).df()
    for col in ("intl_works", "partner_links", "partner_countries"):
        df[col] = df[col].astype("int64")
    df["counting"] = FULL_COUNT_LABEL
    return df.sort_values(["intl_works", "unit"], ascending=[False, True], ignore_index=True)


def links(con: duckdb.DuckDBPyConnection, years=None) -> pd.DataFrame:
    """unit_a, unit_b, joint_count: the joint works of each country pair (``unit_a < unit_b``; the file
    lists both directions, each read once), full counting, the edges of a pair network."""
    _require(con)
    where, params = _years_clause(years)
    df = con.execute(f"""SELECT country_a AS unit_a, country_b AS unit_b, CAST(sum(works) AS BIGINT) AS joint_count
                         FROM country_pair_works WHERE country_a < country_b AND {where}
                         GROUP BY country_a, country_b HAVING sum(works) > 0""", params).df()
    return df.sort_values(["joint_count", "unit_a", "unit_b"], ascending=[False, True, True], ignore_index=True)


def partners(con: duckdb.DuckDBPyConnection, country: str, years=None) -> pd.DataFrame:
    """partner, joint_works, pct_of_partner_links, counting: full-count co-authorship of ``country``."""
    _require(con)
    where, params = _years_clause(years)
    df = con.execute(f"""SELECT partner, joint_works,
                                100 * joint_works / nullif(sum(joint_works) OVER (), 0) AS pct_of_partner_links
                         FROM (SELECT country_b AS partner, CAST(sum(works) AS BIGINT) AS joint_works
                               FROM country_pair_works
                               WHERE country_a = $c AND country_b <> $c AND {where} GROUP BY country_b) p""",
                     {"c": country.upper(), **params}).df()
    df["counting"] = FULL_COUNT_LABEL
    return df.sort_values(["joint_works", "partner"], ascending=[False, True], ignore_index=True)


def pair_headline(con: duckdb.DuckDBPyConnection, a: str, b: str, years=None) -> dict:
    """``joint_works, intl_works_a, intl_works_b, pct_of_intl_a, pct_of_intl_b, rank_in_a, rank_in_b`` of
    two countries: their joint works (full counting), each one's internationally co-authored works (the
    diagonal), the exact % of those co-authored with the other (a joint work is international for
    both), and the other's rank among each one's partners (1 + partners with more joint works; none
    without a joint work)."""
    _require(con)
    where, params = _years_clause(years)
    row = con.execute(f"""
        WITH t AS (SELECT * FROM country_pair_works WHERE {where}),
        j AS (SELECT coalesce(sum(works), 0) AS joint FROM t WHERE country_a = $a AND country_b = $b),
        ia AS (SELECT coalesce(sum(works), 0) AS intl FROM t WHERE country_a = $a AND country_b = $a),
        ib AS (SELECT coalesce(sum(works), 0) AS intl FROM t WHERE country_a = $b AND country_b = $b),
        p AS (SELECT country_a AS focus, country_b AS partner, sum(works) AS w FROM t
              WHERE country_a IN ($a, $b) AND country_b <> country_a GROUP BY ALL)
        SELECT CAST(j.joint AS BIGINT), CAST(ia.intl AS BIGINT), CAST(ib.intl AS BIGINT),
               100 * j.joint / nullif(ia.intl, 0), 100 * j.joint / nullif(ib.intl, 0),
               CASE WHEN j.joint > 0 THEN 1 + (SELECT count(*) FROM p WHERE focus = $a AND w > j.joint) END,
               CASE WHEN j.joint > 0 THEN 1 + (SELECT count(*) FROM p WHERE focus = $b AND w > j.joint) END
        FROM j, ia, ib""", {"a": a.upper(), "b": b.upper(), **params}).fetchone()
    keys = ("joint_works", "intl_works_a", "intl_works_b", "pct_of_intl_a", "pct_of_intl_b", "rank_in_a", "rank_in_b")
    return dict(zip(keys, row, strict=True))


def trend(con: duckdb.DuckDBPyConnection, a: str, b: str, years=None) -> pd.DataFrame:
    """period, joint_works, change_pct, counting: full-count co-authored works of two countries per year."""
    _require(con)
    where, params = _years_clause(years)
    joint = f"""(SELECT year AS period, CAST(sum(works) AS BIGINT) AS joint_works FROM country_pair_works
                 WHERE country_a = $a AND country_b = $b AND {where} GROUP BY year)"""
    df = con.execute(changes.change_pct_sql("joint_works", source=joint),  # change %: SQL, one definition
                     {"a": a.upper(), "b": b.upper(), **params}).df()
    df["counting"] = FULL_COUNT_LABEL
    return df


#: the one row of a period of a group analysis from the pair table (module docstring): per year, the
#: group's distinct works lie between its largest pair and min(sum of its pairs, intl_works) — a work
#: has one year, so the bounds of a period are the sums of its years' bounds
GROUP_PERIOD_SQL = """
    WITH per_year AS (
        SELECT year,
               coalesce(sum(works) FILTER (WHERE country_b = $c), 0) AS intl,
               coalesce(sum(works) FILTER (WHERE country_b <> $c AND list_contains($m, country_b)), 0) AS glinks,
               coalesce(max(works) FILTER (WHERE country_b <> $c AND list_contains($m, country_b)), 0) AS glargest,
               coalesce(sum(works) FILTER (WHERE country_b <> $c), 0) AS alinks
        FROM country_pair_works WHERE country_a = $c AND {where} GROUP BY year),
    period AS (
        SELECT sum(intl) AS intl_works, sum(glinks) AS group_pair_links, sum(alinks) AS all_pair_links,
               sum(least(glargest, intl)) AS group_works_min, sum(least(glinks, intl)) AS group_works_max
        FROM per_year)
    SELECT CAST(coalesce(intl_works, 0) AS BIGINT) AS intl_works,
           CAST(coalesce(group_pair_links, 0) AS BIGINT) AS group_pair_links,
           CAST(coalesce(all_pair_links, 0) AS BIGINT) AS all_pair_links,
           CAST(coalesce(group_works_min, 0) AS BIGINT) AS group_works_min,
           CAST(coalesce(group_works_max, 0) AS BIGINT) AS group_works_max,
           100 * group_works_min / nullif(intl_works, 0) AS group_pct_of_intl_works_min,
           100 * group_works_max / nullif(intl_works, 0) AS group_pct_of_intl_works_max,
           100 * group_pair_links / nullif(all_pair_links, 0) AS group_pct_of_pair_links
    FROM period"""


def group(con: duckdb.DuckDBPyConnection, country: str, members: frozenset[str], periods: list[str]) -> pd.DataFrame:
    """period, intl_works, group_pair_links, all_pair_links, group_works_min, group_works_max,
    group_pct_of_intl_works_min, group_pct_of_intl_works_max, group_pct_of_pair_links, counting.

    ``intl_works`` is the country's internationally co-authored works (the diagonal); the pair sums
    count a work once per partner country, so they are links, not works; the group's distinct works
    (and so its share of the international works, in %) are known as bounds only (:data:`GROUP_PERIOD_SQL`)."""
    _require(con)
    country = country.upper()
    frames = []
    for raw in periods:
        where, params = _years_clause(raw)
        row = con.execute(GROUP_PERIOD_SQL.format(where=where),
                          {"c": country, "m": sorted(members - {country}), **params}).df()
        frames.append(row.assign(period=raw))
    df = pd.concat(frames, ignore_index=True)
    df = df[["period", *[c for c in df.columns if c != "period"]]]
    df["counting"] = FULL_COUNT_LABEL
    return df


def group_partners(con: duckdb.DuckDBPyConnection, country: str, members: frozenset[str],
                   periods: list[str]) -> pd.DataFrame:
    """partner, joint_<period> for each period (full-count joint works of ``country`` with each group
    member that has one in some period, zero in the others), in the store's pair data; ordered by the
    last period, then by code."""
    _require(con)
    country = country.upper()
    wanted = sorted(members - {country})
    out = pd.DataFrame({"partner": wanted})
    for raw in periods:
        where, params = _years_clause(raw)
        counts = dict(con.execute(
            f"""SELECT country_b, sum(works) FROM country_pair_works
                WHERE country_a = $c AND list_contains($m, country_b) AND {where} GROUP BY country_b""",
            {"c": country, "m": wanted, **params}).fetchall())
        out[f"joint_{raw}"] = [int(counts.get(p, 0)) for p in wanted]
    last = f"joint_{periods[-1]}"
    out = out[out.drop(columns="partner").sum(axis=1) > 0]  # members with a joint work in some period
    return out.sort_values([last, "partner"], ascending=[False, True], ignore_index=True)
