"""Country-pair aggregates: world-scale co-authorship counts where work-level data is absent.

Input: a CSV (plain or gzip) ``year,country_a,country_b,works`` of works co-authored by two
countries, both directions listed, the diagonal holding each country's total — the layout of the
OpenAlex country co-authorship counts 1990–2023 (``country_pairs/`` in the data directory). These are
**full counts** (a work with three countries counts once for each of its three pairs), so Share and
CS cannot be derived from them; every result here says so in a ``counting`` column
(:data:`FULL_COUNT_LABEL`), and sums over several partners count a multi-country work more than once.

Loading is idempotent: the years present in the file replace those years in the store, in one
transaction; rows with a bad or empty year, a code that is not two letters (or empty) or a
negative or empty count are skipped, counted (each row once, under its first reason) and reported
with their line numbers: rows read = rows stored + rows skipped.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd

from collabatlas.counting.filters import parse_years
from collabatlas.counting.rules import FULL_COUNT_LABEL, CountingError
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


def load(con: duckdb.DuckDBPyConnection, path: str | os.PathLike) -> PairLoadReport:
    """Load a country-pair CSV into the store (see the module docstring)."""
    path = Path(path)
    if not path.is_file():
        raise CountingError(f"{path}: no such file")
    con.execute(SCHEMA_SQL)
    try:
        con.execute("""CREATE OR REPLACE TEMP TABLE raw_pairs AS
                       SELECT row_number() OVER () + 1 AS line, * FROM read_csv(?, header = true, """
                    "all_varchar = true, hive_partitioning = false)",
                    [str(path)])
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
    """unit, count, partner_links, partner_countries, intl_share_min, intl_share_max, counting: each
    country's own works (the diagonal), its joint-work links with other countries (a work counted once
    per partner country), how many countries it shares a work with, and the bounds of its international
    share, full counting, largest count first.

    The pair counts do not say how many of a country's works have a foreign co-author (a work with
    three partner countries is in three pairs), only bounds: per year, at least its largest pair and
    at most the sum of its pairs (and never more than its works). ``intl_share_min`` and
    ``intl_share_max`` are those bounds summed over the years and divided by ``count``; the exact share
    needs work-level data (``--source works``)."""
    _require(con)
    where, params = _years_clause(years)
    df = con.execute(f"""
        WITH per_year AS (
            SELECT country_a AS unit, year,
                   coalesce(sum(works) FILTER (WHERE country_b = country_a), 0) AS own,
                   coalesce(sum(works) FILTER (WHERE country_b <> country_a), 0) AS links,
                   coalesce(max(works) FILTER (WHERE country_b <> country_a), 0) AS largest
            FROM country_pair_works WHERE {where} GROUP BY country_a, year),
        bounds AS (
            SELECT unit, sum(own) AS count, sum(links) AS partner_links,
                   sum(least(largest, own)) AS intl_min, sum(least(links, own)) AS intl_max
            FROM per_year GROUP BY unit),
        partners AS (
            SELECT country_a AS unit,
                   count(DISTINCT country_b) FILTER (WHERE country_b <> country_a AND works > 0) AS partner_countries
            FROM country_pair_works WHERE {where} GROUP BY country_a)
        SELECT b.unit, b.count, b.partner_links, p.partner_countries,
               CAST(b.intl_min AS DOUBLE) / nullif(b.count, 0) AS intl_share_min,
               CAST(b.intl_max AS DOUBLE) / nullif(b.count, 0) AS intl_share_max
        FROM bounds b JOIN partners p USING (unit)""", params).df()
    for col in ("count", "partner_links", "partner_countries"):
        df[col] = df[col].astype("int64")
    df["counting"] = FULL_COUNT_LABEL
    return df.sort_values(["count", "unit"], ascending=[False, True], ignore_index=True)


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


def trend(con: duckdb.DuckDBPyConnection, a: str, b: str, years=None) -> pd.DataFrame:
    """period, joint_works, change_pct, counting: full-count co-authored works of two countries per year."""
    _require(con)
    where, params = _years_clause(years)
    df = con.execute(f"""SELECT year AS period, CAST(sum(works) AS BIGINT) AS joint_works FROM country_pair_works
                         WHERE country_a = $a AND country_b = $b AND {where} GROUP BY year ORDER BY year""",
                     {"a": a.upper(), "b": b.upper(), **params}).df()
    previous = df["joint_works"].shift(1)
    df["change_pct"] = (100 * (df["joint_works"] - previous) / previous).where(previous > 0)
    df["counting"] = FULL_COUNT_LABEL
    return df


def group(con: duckdb.DuckDBPyConnection, country: str, members: frozenset[str], periods: list[str]) -> pd.DataFrame:
    """period, total_works, group_pair_works, all_pair_works, group_pct_of_pair_works, counting.

    ``total_works`` is the country's own total (the diagonal); the pair sums count a work once per
    partner country, so they are links, not works."""
    _require(con)
    country = country.upper()
    rows = []
    for raw in periods:
        where, params = _years_clause(raw)
        total, group_links, all_links = con.execute(
            f"""SELECT sum(works) FILTER (WHERE country_b = $c),
                       coalesce(sum(works) FILTER (WHERE country_b <> $c AND list_contains($m, country_b)), 0),
                       coalesce(sum(works) FILTER (WHERE country_b <> $c), 0)
                FROM country_pair_works WHERE country_a = $c AND {where}""",
            {"c": country, "m": sorted(members - {country}), **params}).fetchone()
        rows.append({"period": raw, "total_works": total, "group_pair_works": group_links,
                     "all_pair_works": all_links,
                     "group_pct_of_pair_works": 100 * group_links / all_links if all_links else None,
                     "counting": FULL_COUNT_LABEL})
    return pd.DataFrame(rows)


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
