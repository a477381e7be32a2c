"""Keeping the saved unit shares and per-year aggregates current in proportion to the change.

The store saves, per level, every work's unit shares (``unit_shares_<level>``) and two per-year
aggregates built from them (``agg_units_<level>``, ``agg_partners_<level>``; see
:func:`collabatlas.counting.rules.aggregate_units_sql`). A unit's row — its share and its context on the
work (``k``, ``w``, ...) — depends on its own work only (and on the attributes of the institutions
the work names), and every aggregate row is a sum over works. So after an ingest:

1. the ingest collects, inside its merge transaction, the works whose rows may differ
   (:data:`CHANGED_TABLE`): new, replaced and merged-away works, and the works naming an institution
   whose country, type, ROR type, lineage or origin changed (or that was removed);
2. :func:`update_incremental` deletes those works' unit-share rows and inserts their new ones
   (:func:`collabatlas.counting.rules.base_unit_shares_sql` restricted to them), and applies a set-based
   delta per (unit, year) and (unit, partner, year): the sums over the new rows minus the sums over
   the old ones; a row that falls to zero works is dropped.

The unit aggregates (one row per unit and year: small) are updated in place: each aggregate table
carries :data:`KEY_COLUMN`, a hash of its key columns written with the table (:func:`keyed_sql`); the
touched rows are found by that one column — DuckDB then filters the scan with the delta's hashes
before the join — and confirmed on the key columns themselves (a hash collision costs a candidate,
never a wrong match), then replaced. The hash function is DuckDB's: a store whose recorded
fingerprint (:data:`KEY_META`) differs from the running DuckDB's, or whose tables lack the column, is
rebuilt instead (:func:`keyed`).

The partner aggregates (one row per unit, partner and year: millions) are **append-only**: the delta
rows are appended as they are, never merged into the old ones, because finding the old rows of a 1 %
change reads every row group of the table (the units a change touches hold most of the rows). Every
reader sums a key's rows and drops a key whose works sum to 0 (``HAVING sum(joint_count) <> 0`` in
:mod:`collabatlas.counting.rules`), so the figures are those of a merged table. When the appended
rows pass :data:`COMPACT_SHARE` of the table, it is compacted (its rows summed per key, keys at 0
dropped) in the same transaction: the cost of a rebuild from the table itself, once every several
updates. :func:`compacted_sql` is what a compaction writes; :func:`verify` compares it.

``Atlas`` takes this path when the saved tables were current before the ingest and the change is at
most :data:`MAX_SHARE` of the works; otherwise (or on ``collabatlas refresh``) it rebuilds them from
scratch. :func:`verify` recomputes everything into temporary tables and compares (``collabatlas
verify``). Floating-point sums updated by deltas can differ from a rebuild in the last bits; the
comparison allows a relative 1e-9 (:data:`TOLERANCE`).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import duckdb

from collabatlas.counting import rules as counting
from collabatlas.counting.rules import Counting
from collabatlas.store.schema import meta_get, meta_set

#: temporary table (column ``wkey``) of the works an ingest changed, filled in its merge transaction
CHANGED_TABLE = "ingest_changed_works"
#: temporary copy of the institutions' counting attributes as they were before the merge
_BEFORE_TABLE = "ingest_institutions_before"
#: the institution columns the counting reads (sector from type / ror_type; lineage for roll-ups;
#: origin 'address' marks pseudo-institutions)
INSTITUTION_COLUMNS = ("country_code", "type", "ror_type", "lineage", "origin")
#: above this share of the store's works changed, a full rebuild is cheaper than the deltas
MAX_SHARE = 0.20
#: relative tolerance of :func:`verify` (and of the tests comparing with a rebuild)
TOLERANCE = 1e-9
#: an append-only aggregate is compacted when its appended rows pass this share of its rows
COMPACT_SHARE = 0.10
#: the aggregate kinds whose deltas are appended rather than merged into the old rows
APPENDED = ("partners",)

LEVELS = counting.LEVELS
#: (kind, key columns, value columns, column counting works: a row at 0 is dropped)
AGGREGATE_SHAPES = (
    ("units", ("unit", "year"), counting.TOTALS_COLUMNS, "count"),
    ("partners", ("unit", "partner", "year"), ("joint_count", "own_share", "partner_share"), "joint_count"),
)
_BUILDERS = {"units": counting.aggregate_units_sql, "partners": counting.aggregate_partners_sql}
#: the column of every saved aggregate table holding a hash of its key columns
KEY_COLUMN = "rkey"
#: store_meta key: :data:`_FINGERPRINT_SQL` as evaluated when the aggregate tables were written
KEY_META = "aggregate_key_fingerprint"
_FINGERPRINT_SQL = "SELECT CAST(hash(1, 2, 2020) AS VARCHAR) || ':' || CAST(hash('JP', 'US', NULL::INTEGER) AS VARCHAR)"


def _key_sql(keys: tuple[str, ...], alias: str = "") -> str:
    return f"hash({', '.join(f'{alias}{k}' for k in keys)})"


def keyed_sql(kind: str, select: str) -> str:
    """``select`` (an aggregate of ``kind``) with :data:`KEY_COLUMN` added, in the same row order."""
    keys = next(shape[1] for shape in AGGREGATE_SHAPES if shape[0] == kind)
    return f"SELECT *, {_key_sql(keys)} AS {KEY_COLUMN} FROM ({select})"


def appended_meta(table: str) -> str:
    """store_meta key: how many delta rows were appended to ``table`` since it was built or compacted."""
    return f"appended_rows:{table}"


def compacted_sql(kind: str, table: str, by_stored_key: bool = False) -> str:
    """The rows of the aggregate ``table`` summed per key, keys whose works sum to 0 left out, in key
    order, with :data:`KEY_COLUMN`: the table as a rebuild would write it (up to the last bits of the
    sums). ``by_stored_key`` groups by the stored hash too (so :func:`verify` sees a wrong one)."""
    _kind, keys, values, works_column = next(shape for shape in AGGREGATE_SHAPES if shape[0] == kind)
    cols = ", ".join(keys)
    sums = ", ".join(f"sum({v}) AS {v}" for v in values)
    key = KEY_COLUMN if by_stored_key else f"{_key_sql(keys)} AS {KEY_COLUMN}"
    group = f"{cols}, {KEY_COLUMN}" if by_stored_key else cols
    return (f"SELECT {cols}, {sums}, {key} FROM {table} GROUP BY {group} "
            f"HAVING sum({works_column}) <> 0 ORDER BY {cols}")


def key_fingerprint(con: duckdb.DuckDBPyConnection) -> str:
    """The running DuckDB's hash of fixed keys: recorded with the aggregate tables (:data:`KEY_META`)."""
    return con.execute(_FINGERPRINT_SQL).fetchone()[0]


def keyed(con: duckdb.DuckDBPyConnection, levels: tuple[str, ...] = LEVELS) -> bool:
    """Whether the saved aggregates of ``levels`` carry :data:`KEY_COLUMN` written by this DuckDB's
    hash function (else incremental maintenance cannot find their rows: rebuild them)."""
    recorded = con.execute("SELECT value FROM store_meta WHERE key = ?", [KEY_META]).fetchone()
    if recorded is None or recorded[0] != key_fingerprint(con):
        return False
    tables = [counting.aggregate_table(kind, level) for kind, *_ in AGGREGATE_SHAPES for level in levels]
    found = con.execute("SELECT count(DISTINCT table_name) FROM duckdb_columns() "
                        "WHERE database_name = current_database() "
                        f"AND column_name = '{KEY_COLUMN}' AND list_contains(?, table_name)", [tables]).fetchone()[0]
    return found == len(tables)


# -- collecting the changed works (inside the ingest's merge transaction) ------------------------
def start_collecting(con: duckdb.DuckDBPyConnection) -> None:
    """Empty :data:`CHANGED_TABLE` and remember the institutions' attributes before the merge."""
    con.execute(f"CREATE OR REPLACE TEMP TABLE {CHANGED_TABLE} (wkey BIGINT)")
    cols = ", ".join(INSTITUTION_COLUMNS)
    con.execute(f"CREATE OR REPLACE TEMP TABLE {_BEFORE_TABLE} AS SELECT ikey, {cols} FROM institutions")


def add_changed(con: duckdb.DuckDBPyConnection, select_wkeys: str) -> None:
    """Add the works of ``select_wkeys`` (a SELECT of one wkey column) to :data:`CHANGED_TABLE`."""
    con.execute(f"INSERT INTO {CHANGED_TABLE} {select_wkeys}")


def _saved_table_exists(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    return bool(con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = ? AND NOT temporary",
                            [name]).fetchone()[0])


def finish_collecting(con: duckdb.DuckDBPyConnection) -> int:
    """Add the works naming an institution whose counting attributes changed (or that went), make
    :data:`CHANGED_TABLE` distinct, and return how many works it holds."""
    same = " AND ".join(f"b.{c} IS NOT DISTINCT FROM i.{c}" for c in INSTITUTION_COLUMNS)
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE ingest_changed_institutions AS
        SELECT coalesce(b.ikey, i.ikey) AS ikey FROM {_BEFORE_TABLE} b FULL OUTER JOIN institutions i USING (ikey)
        WHERE b.ikey IS NULL OR i.ikey IS NULL OR NOT ({same})
    """)
    if con.execute("SELECT count(*) FROM ingest_changed_institutions").fetchone()[0]:
        add_changed(con, "SELECT DISTINCT wkey FROM affiliations "
                         "WHERE ikey IN (SELECT ikey FROM ingest_changed_institutions)")
        if _saved_table_exists(con, "unit_shares_institution"):  # works that named a removed institution
            add_changed(con, "SELECT DISTINCT wkey FROM unit_shares_institution "
                             "WHERE unit IN (SELECT ikey FROM ingest_changed_institutions)")
    con.execute(f"CREATE OR REPLACE TEMP TABLE {CHANGED_TABLE} AS SELECT DISTINCT wkey FROM {CHANGED_TABLE}")
    con.execute(f"DROP TABLE {_BEFORE_TABLE}")
    con.execute("DROP TABLE ingest_changed_institutions")
    return con.execute(f"SELECT count(*) FROM {CHANGED_TABLE}").fetchone()[0]


def changed_count(con: duckdb.DuckDBPyConnection) -> int | None:
    """Works in :data:`CHANGED_TABLE`, or None when this connection holds no such table."""
    try:
        return con.execute(f"SELECT count(*) FROM temp.main.{CHANGED_TABLE}").fetchone()[0]
    except duckdb.CatalogException:
        return None


def drop_changed(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(f"DROP TABLE IF EXISTS temp.main.{CHANGED_TABLE}")


# -- applying the change ---------------------------------------------------------------------
def _negated(shape: tuple, sql: str) -> str:
    _kind, keys, values, _count = shape
    return f"SELECT {', '.join(keys)}, {', '.join(f'-{v} AS {v}' for v in values)} FROM ({sql})"


def _join_on(keys: tuple[str, ...], left: str, right: str) -> str:
    """Equality on ``keys``; ``year`` may be NULL (a work without a year), the units never are."""
    return " AND ".join(f"{left}.{k} IS NOT DISTINCT FROM {right}.{k}" if k == "year" else f"{left}.{k} = {right}.{k}"
                        for k in keys)


def _delta_sql(shape: tuple, level: str) -> str:
    """The rows of the aggregate ``shape`` at ``level`` over ``inc_new`` minus those over ``inc_old``
    (per key; unordered). The partner pairs in one signed pass
    (:func:`collabatlas.counting.rules.aggregate_partners_delta_sql`); the unit rows (one per unit and
    year: few) as both aggregates, the old one negated, summed."""
    kind, keys, values, _count = shape
    if kind == "partners":
        return counting.aggregate_partners_delta_sql("inc_new", "inc_old")
    build = _BUILDERS[kind]
    sums = ", ".join(f"sum({v}) AS {v}" for v in values)
    return (f"SELECT {', '.join(keys)}, {sums} FROM (SELECT * FROM ({build(level, 'inc_new', ordered=False)}) "
            f"UNION ALL BY NAME {_negated(shape, build(level, 'inc_old', ordered=False))}) GROUP BY ALL")


def update_incremental(con: duckdb.DuckDBPyConnection, levels: tuple[str, ...] = LEVELS,
                       changed: str = CHANGED_TABLE, detail: dict[str, float] | None = None) -> dict[str, float]:
    """Bring the saved unit shares and aggregates of ``levels`` from the state before a change to the
    state after it, for the works in ``changed`` (which must list every work whose rows differ).
    Runs inside the caller's transaction; the aggregates must be :func:`keyed`. Returns the seconds
    spent on unit shares and aggregates; ``detail`` (when given) receives the seconds per step."""
    timings = {"unit_shares": 0.0, "aggregates": 0.0}
    detail = {} if detail is None else detail
    clock = [time.perf_counter()]

    def step(name: str) -> float:
        now = time.perf_counter()
        seconds, clock[0] = now - clock[0], now
        detail[name] = detail.get(name, 0.0) + seconds
        return seconds

    for level in levels:
        saved = f"unit_shares_{level}"
        con.execute(f"CREATE OR REPLACE TEMP TABLE inc_old AS SELECT * FROM {saved} "
                    f"WHERE wkey IN (SELECT wkey FROM {changed})")
        timings["unit_shares"] += step("shares_old")
        con.execute(f"CREATE OR REPLACE TEMP TABLE inc_new AS "
                    f"{counting.base_unit_shares_sql(Counting(level=level), works=changed)}")
        timings["unit_shares"] += step("shares_new")
        con.execute(f"DELETE FROM {saved} WHERE wkey IN (SELECT wkey FROM {changed})")
        con.execute(f"INSERT INTO {saved} BY NAME SELECT * FROM inc_new")
        timings["unit_shares"] += step("shares_replace")
        for shape in AGGREGATE_SHAPES:
            kind, keys, values, works_column = shape
            table = counting.aggregate_table(kind, level)
            con.execute(f"CREATE OR REPLACE TEMP TABLE inc_delta AS SELECT *, {_key_sql(keys)} AS {KEY_COLUMN} "
                        f"FROM ({_delta_sql(shape, level)})")
            timings["aggregates"] += step(f"{kind}_delta")
            if kind in APPENDED:
                _append(con, table, kind, values)
                timings["aggregates"] += step(f"{kind}_append")
                continue
            # the rows of the delta's keys: found by the key hash alone (one column, so DuckDB filters
            # the scan by the delta's hashes and reads the other columns of the candidates only),
            # confirmed on the key columns (a hash collision costs a candidate, never a wrong match); the
            # rows found are replaced (deleted, then inserted with old + delta) rather than updated in
            # place: an UPDATE of a few rows spread over a large table cost as much again at commit
            # (DuckDB rewrites every row group it touched). One statement: each costs a fixed few ms.
            on = _join_on((KEY_COLUMN, *keys), "t", "d")
            merged = ", ".join([f"d.{k}" for k in (*keys, KEY_COLUMN)]
                               + [f"coalesce(t.{v}, 0) + d.{v} AS {v}" for v in values])
            con.execute(f"CREATE OR REPLACE TEMP TABLE inc_merged AS SELECT t.old_row, {merged} "
                        f"FROM inc_delta d LEFT JOIN (SELECT rowid AS old_row, * FROM {table} "
                        f"WHERE {KEY_COLUMN} IN (SELECT {KEY_COLUMN} FROM inc_delta)) t ON {on}")
            timings["aggregates"] += step(f"{kind}_find")
            con.execute(f"DELETE FROM {table} "
                        "WHERE rowid IN (SELECT old_row FROM inc_merged WHERE old_row IS NOT NULL)")
            con.execute(f"INSERT INTO {table} BY NAME SELECT * EXCLUDE (old_row) FROM inc_merged "
                        f"WHERE {works_column} <> 0")
            timings["aggregates"] += step(f"{kind}_replace")
    for name in ("inc_old", "inc_new", "inc_delta", "inc_merged"):
        con.execute(f"DROP TABLE IF EXISTS {name}")
    return timings


def _append(con: duckdb.DuckDBPyConnection, table: str, kind: str, values: tuple[str, ...]) -> None:
    """Append the delta rows of ``inc_delta`` that change something to the aggregate ``table``, and
    compact it when its appended rows pass :data:`COMPACT_SHARE` of its rows."""
    changes = " OR ".join(f"{v} <> 0" for v in values)
    added = con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM inc_delta WHERE {changes}").fetchone()[0]
    key = appended_meta(table)
    appended = int(meta_get(con, key) or 0) + int(added)
    total = con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    if appended > COMPACT_SHARE * max(total - appended, 1):
        compact(con, kind, table)
    else:
        meta_set(con, key, str(appended))


def compact(con: duckdb.DuckDBPyConnection, kind: str, table: str) -> None:
    """Rewrite the aggregate ``table`` as :func:`compacted_sql` (inside the caller's transaction)."""
    con.execute(f"CREATE OR REPLACE TEMP TABLE inc_compacted AS {compacted_sql(kind, table)}")
    con.execute(f"DELETE FROM {table}")
    con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM inc_compacted")
    con.execute("DROP TABLE inc_compacted")
    meta_set(con, appended_meta(table), "0")


# -- verify ------------------------------------------------------------------------------------
@dataclass
class Difference:
    table: str
    rows_saved: int
    rows_recomputed: int
    differing: int
    examples: list[dict] = field(default_factory=list)


def _close(a: str, b: str) -> str:
    return (f"(({a} IS NULL AND {b} IS NULL) OR abs({a} - {b}) <= {TOLERANCE} * greatest(1, abs({a}), abs({b})))")


def compare_tables(con: duckdb.DuckDBPyConnection, saved: str, fresh: str, keys: tuple[str, ...],
                   numeric: tuple[str, ...], exact: tuple[str, ...] = (), examples: int = 5,
                   name: str | None = None) -> Difference:
    """Rows of ``saved`` and ``fresh`` (tables, or parenthesised SELECTs) that differ: missing on one
    side, a numeric column beyond the relative :data:`TOLERANCE`, or an ``exact`` column distinct;
    ``name`` names ``saved`` in the result (default: ``saved``)."""
    on = _join_on(keys, "s", "f")
    differs = " OR ".join([f"NOT {_close(f's.{c}', f'f.{c}')}" for c in numeric]
                          + [f"s.{c} IS DISTINCT FROM f.{c}" for c in exact])
    cols = ", ".join([f"coalesce(s.{k}, f.{k}) AS {k}" for k in keys]
                     + [f"s.{c} AS saved_{c}, f.{c} AS recomputed_{c}" for c in (*numeric, *exact)])
    sql = (f"SELECT {cols} FROM (SELECT *, true AS _present FROM {saved}) s "
           f"FULL OUTER JOIN (SELECT *, true AS _present FROM {fresh}) f ON {on} "
           f"WHERE s._present IS NULL OR f._present IS NULL OR {differs}")
    differing = con.execute(f"SELECT count(*) FROM ({sql})").fetchone()[0]
    rows = con.execute(f"SELECT * FROM ({sql}) LIMIT {int(examples)}").df().to_dict("records") if differing else []
    n_saved, n_fresh = (con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in (saved, fresh))
    return Difference(name or saved, n_saved, n_fresh, differing, rows)


#: unit-share columns compared exactly (integers, flags, the unit's country) and numerically
_SHARE_EXACT = ("year", "country", "corporate", "k", "k_known", "kc", "k_corp")
_SHARE_NUMERIC = ("share", "w", "w_known", "wc", "w_corp")


def verify(con: duckdb.DuckDBPyConnection, levels: tuple[str, ...] = LEVELS) -> list[Difference]:
    """Recompute every level's unit shares and aggregates from the fact tables into temporary tables
    and compare them with the saved ones; one :class:`Difference` per table (``differing`` 0: equal)."""
    out = []
    for level in levels:
        fresh = f"verify_unit_shares_{level}"
        con.execute(f"CREATE OR REPLACE TEMP TABLE {fresh} AS {counting.base_unit_shares_sql(Counting(level=level))}")
        out.append(compare_tables(con, f"unit_shares_{level}", fresh, ("wkey", "unit"), _SHARE_NUMERIC, _SHARE_EXACT))
        for kind, keys, values, _count in AGGREGATE_SHAPES:
            agg, table = f"verify_agg_{kind}_{level}", counting.aggregate_table(kind, level)
            con.execute(f"CREATE OR REPLACE TEMP TABLE {agg} AS {keyed_sql(kind, _BUILDERS[kind](level, fresh))}")
            key = con.execute("SELECT count(*) FROM duckdb_columns() WHERE database_name = current_database() "
                              "AND table_name = ? AND column_name = ?", [table, KEY_COLUMN]).fetchone()[0]
            # an append-only table as its readers see it: each key's rows summed
            saved = f"({compacted_sql(kind, table, by_stored_key=True)})" if kind in APPENDED and key else table
            out.append(compare_tables(con, saved, agg, keys, values, (KEY_COLUMN,) if key else (), name=table))
            con.execute(f"DROP TABLE {agg}")
        con.execute(f"DROP TABLE {fresh}")
    return out
