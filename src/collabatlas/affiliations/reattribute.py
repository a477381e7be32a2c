"""Export addresses kept in the store, and their re-attribution when a ROR registry is loaded (issue 28).

A WoS, Scopus or PubMed address that matched no ROR organisation when it was ingested becomes an
address-only pseudo-institution (id ``addr:`` + a hash of the address). The ingest keeps the address text
of each such institution in ``export_addresses`` (:func:`save_staged`). ``collabatlas ror load`` then
matches those addresses again with the new registry (:func:`reattribute`, inside the load's transaction):
every address that now names an organisation moves its affiliations to that organisation's institution
(created from the registry when the store lacks it, as an ingest would: ``ror_lookup.institution_rows``), so
institution and sector counts no longer stay empty for exports ingested before the registry. No ingest
is needed again.

For each author touched, the facts the counting reads are rebuilt as an ingest would have written them:
the author's distinct institutions (two addresses now naming one organisation count once), their
countries (an export author's countries are those of their institutions), and ``n_institutions`` /
``n_countries`` in ``authorships``, ``affiliations`` and ``author_countries``. The moved address-only
institutions go. Addresses a store ingested before this table existed are not known: those exports need
one more ingest (the report says how many address-only institutions have no stored address).
"""

from __future__ import annotations

import duckdb

ADDRESS_TABLE_SQL = """
CREATE TABLE IF NOT EXISTS export_addresses (
    institution_id VARCHAR NOT NULL,   -- the address-only institution (addr:…)
    address VARCHAR NOT NULL           -- the cleaned address text it was made from
)"""
#: the temporary table the export stager fills during an ingest: (institution_id, address)
STAGE_TABLE = "stage_export_addresses"


def stage(con: duckdb.DuckDBPyConnection, rows: list[tuple[str, str]]) -> None:
    """Keep (address-only institution id, address) pairs of the running ingest (a temporary table)."""
    con.execute(f"CREATE TEMP TABLE IF NOT EXISTS {STAGE_TABLE} (institution_id VARCHAR, address VARCHAR)")
    if rows:
        import pyarrow as pa

        staged = pa.table({"institution_id": [r[0] for r in rows], "address": [r[1] for r in rows]})  # noqa: F841
        con.execute(f"INSERT INTO {STAGE_TABLE} SELECT institution_id, address FROM staged")


def save_staged(con: duckdb.DuckDBPyConnection) -> int:
    """Inside the ingest's transaction: store the staged addresses of address-only institutions the
    store holds and whose address it does not know yet. Returns how many were added (not a change of
    any count: no new data version by itself)."""
    con.execute(ADDRESS_TABLE_SQL)
    if not con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = ? AND temporary",
                       [STAGE_TABLE]).fetchone()[0]:
        return 0
    added = con.execute(f"""
        INSERT INTO export_addresses
        SELECT institution_id, min(address) FROM {STAGE_TABLE}
        WHERE institution_id IN (SELECT institution_id FROM institutions WHERE origin = 'address')
          AND institution_id NOT IN (SELECT institution_id FROM export_addresses)
        GROUP BY institution_id""").fetchone()
    con.execute(f"DROP TABLE {STAGE_TABLE}")
    return int(added[0]) if added else 0


def reattribute(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Match the stored addresses of address-only institutions against the store's registry and move the
    affiliations of those that now match (see the module docstring). Returns addresses_moved,
    works_moved, institutions_added, addresses_unknown (address-only institutions without a stored address)."""
    from collabatlas.affiliations.match_batch import match_batch
    from collabatlas.affiliations.matching import AffiliationMatcher
    from collabatlas.affiliations.ror_lookup import institution_rows

    con.execute(ADDRESS_TABLE_SQL)
    out = {"addresses_moved": 0, "works_moved": 0, "institutions_added": 0}
    out["addresses_unknown"] = con.execute("""
        SELECT count(*) FROM institutions WHERE origin = 'address'
        AND institution_id NOT IN (SELECT institution_id FROM export_addresses)""").fetchone()[0]
    todo = con.execute("""
        SELECT i.ikey, e.address FROM institutions i JOIN export_addresses e USING (institution_id)
        WHERE i.origin = 'address' AND i.ikey IN (SELECT ikey FROM affiliations) ORDER BY i.ikey""").fetchall()
    if not todo:
        return out
    matches = match_batch(AffiliationMatcher.from_store(con), [address for _, address in todo])
    moved = [(ikey, m.ror_id) for (ikey, _), m in zip(todo, matches, strict=True) if m.ror_id]
    if not moved:
        return out
    rows = {row["ror"]: row for row in institution_rows(con, sorted({r for _, r in moved}), include_ancestors=True)}
    known = {iid for (iid,) in con.execute("SELECT institution_id FROM institutions").fetchall()}
    new = [row for row in rows.values() if row["institution_id"] not in known]
    if new:
        con.executemany("""
            INSERT INTO institutions (ikey, institution_id, ror, name, country_code, type, lineage, origin)
            VALUES ((SELECT coalesce(max(ikey), 0) + 1 FROM institutions), ?, ?, ?, ?, ?, ?, 'ror')""",
                        [(r["institution_id"], r["ror"], r["name"], r["country_code"], r["type"], r["lineage"])
                         for r in sorted(new, key=lambda r: r["institution_id"])])
    out["institutions_added"] = len(new)
    con.execute("CREATE OR REPLACE TEMP TABLE reattr_moves (old_key INTEGER, new_id VARCHAR)")
    con.executemany("INSERT INTO reattr_moves VALUES (?, ?)",
                    [(ikey, rows[rid]["institution_id"]) for ikey, rid in moved if rid in rows])
    _move(con)
    out["addresses_moved"] = con.execute("SELECT count(*) FROM reattr_moves").fetchone()[0]
    out["works_moved"] = con.execute("SELECT count(DISTINCT wkey) FROM reattr_authors").fetchone()[0]
    con.execute("DELETE FROM export_addresses WHERE institution_id IN (SELECT i.institution_id FROM institutions i "
                "JOIN reattr_moves m ON m.old_key = i.ikey)")
    con.execute("DELETE FROM institution_geo WHERE ikey IN (SELECT old_key FROM reattr_moves)")
    con.execute("DELETE FROM institutions WHERE ikey IN (SELECT old_key FROM reattr_moves)")
    for table in ("reattr_moves", "reattr_authors", "reattr_rows"):
        con.execute(f"DROP TABLE {table}")
    return out


def _move(con: duckdb.DuckDBPyConnection) -> None:
    """Rebuild the affected authors' affiliations, countries and counts with the moved institutions."""
    con.execute("""CREATE OR REPLACE TEMP TABLE reattr_authors AS SELECT DISTINCT wkey, author_position
                   FROM affiliations WHERE ikey IN (SELECT old_key FROM reattr_moves)""")
    con.execute("""
        CREATE OR REPLACE TEMP TABLE reattr_rows AS
        SELECT DISTINCT f.wkey, f.author_position, coalesce(n.ikey, f.ikey) AS ikey, f.year, f.n_authors
        FROM affiliations f SEMI JOIN reattr_authors a USING (wkey, author_position)
        LEFT JOIN reattr_moves m ON m.old_key = f.ikey
        LEFT JOIN institutions n ON n.institution_id = m.new_id""")
    counts = """(SELECT r.wkey, r.author_position, count(DISTINCT r.ikey) AS n_institutions,
                        count(DISTINCT i.country_code) AS n_countries
                 FROM reattr_rows r JOIN institutions i USING (ikey) GROUP BY ALL)"""
    con.execute("DELETE FROM affiliations f USING reattr_authors a "
                "WHERE f.wkey = a.wkey AND f.author_position = a.author_position")
    con.execute(f"""
        INSERT INTO affiliations BY NAME
        SELECT r.wkey, r.author_position, r.ikey, r.year, r.n_authors, c.n_institutions, c.n_countries
        FROM reattr_rows r JOIN {counts} c USING (wkey, author_position)""")
    con.execute("DELETE FROM author_countries f USING reattr_authors a "
                "WHERE f.wkey = a.wkey AND f.author_position = a.author_position")
    con.execute(f"""
        INSERT INTO author_countries BY NAME
        SELECT DISTINCT r.wkey, r.author_position, i.country_code, r.year, r.n_authors, c.n_institutions,
               c.n_countries
        FROM reattr_rows r JOIN institutions i USING (ikey) JOIN {counts} c USING (wkey, author_position)
        WHERE i.country_code IS NOT NULL""")
    con.execute(f"""
        UPDATE authorships SET n_institutions = c.n_institutions, n_countries = c.n_countries FROM {counts} c
        WHERE authorships.wkey = c.wkey AND authorships.author_position = c.author_position""")
