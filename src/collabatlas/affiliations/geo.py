"""Institution coordinates and great-circle distances (docs/methodology.md, "Collaboration indicators").

The store's ``institution_geo`` table (schema 6) holds one row per geocoded institution:
``ikey, lat, lon, origin``. Two sources fill it:

- ``openalex``: the institution's OpenAlex **entity record** (``geo.latitude`` / ``geo.longitude``;
  snapshot ``institutions/`` files or a single institution entity). The copies of institutions
  embedded in works carry no coordinates. The coordinates are those of the entity record that wins
  for the institution row (the newest ``updated_date``, as for country and type): a newer record
  without coordinates removes them.
- ``ror``: the first location of the institution's ROR record (v2 ``locations[].geonames_details``
  ``lat`` / ``lng``, v1 ``addresses[].lat`` / ``lng``), for every institution with a ``ror`` id that
  has no OpenAlex coordinates (including institutions made from WoS / Scopus / PubMed addresses
  matched to ROR). The flat CSV subset of the shared data has no coordinates.

**OpenAlex wins** where both exist: it is the record the counting already takes the institution's
country and type from, so one record places the institution. Both are GeoNames city coordinates
(OpenAlex takes its institution locations from ROR), so they rarely differ. Address-only
pseudo-institutions (unmatched export addresses) have no coordinates. Coordinates outside
|lat| ≤ 90, |lon| ≤ 180 are no coordinates.

:func:`apply_geo` rebuilds the table; it runs at the end of every ingest, ``ror load`` and
``refresh`` and returns how many institutions' coordinates changed (a change is a new data version).
"""

from __future__ import annotations

import os

import duckdb

from collabatlas.counting.geometry import EARTH_RADIUS_KM, haversine_km, haversine_sql  # noqa: F401

_VALID = "lat BETWEEN -90 AND 90 AND lon BETWEEN -180 AND 180"






def _table_exists(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    return bool(con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = ?", [name]).fetchone()[0])


def apply_geo(con: duckdb.DuckDBPyConnection) -> int:
    """Rebuild ``institution_geo``: coordinates from the entity records staged by the current ingest
    (temp table ``stage_institution_geo``, when there is one) replace the stored OpenAlex ones of the
    institutions they describe; every geocoded institution without OpenAlex coordinates takes its
    ROR record's (when the store holds a ROR registry with coordinates). Returns the number of
    institutions whose coordinates (or their origin) changed."""
    staged = _table_exists(con, "stage_institution_geo")
    ror = _table_exists(con, "ror_institutions") and bool(con.execute(
        "SELECT count(*) FROM duckdb_columns() WHERE table_name = 'ror_institutions' AND column_name = 'lat'"
    ).fetchone()[0])
    # the staged entity record that won for each institution: the stored row is an entity row with its date
    winners = ("""SELECT i.ikey, s.lat, s.lon FROM (
                      SELECT *, row_number() OVER (PARTITION BY institution_id
                                                   ORDER BY updated_date DESC NULLS LAST, rid DESC) AS k
                      FROM stage_institution_geo) s
                  JOIN institutions i ON i.institution_id = s.institution_id
                  WHERE s.k = 1 AND i.origin = 'entity' AND i.updated_date IS NOT DISTINCT FROM s.updated_date"""
               if staged else "SELECT CAST(NULL AS INTEGER) AS ikey, CAST(NULL AS DOUBLE) AS lat, "
                              "CAST(NULL AS DOUBLE) AS lon WHERE false")
    from_ror = ("""SELECT i.ikey, r.lat, r.lon, 'ror' AS origin
                    FROM institutions i JOIN ror_institutions r ON r.ror_id = i.ror
                    WHERE i.origin <> 'address' AND r.lat IS NOT NULL AND r.lon IS NOT NULL
                      AND r.lat BETWEEN -90 AND 90 AND r.lon BETWEEN -180 AND 180"""
                if ror else "SELECT CAST(NULL AS INTEGER) AS ikey, CAST(NULL AS DOUBLE) AS lat, "
                            "CAST(NULL AS DOUBLE) AS lon, 'ror' AS origin WHERE false")
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE geo_desired AS
        WITH w AS ({winners}),
        oa AS (SELECT g.ikey, g.lat, g.lon, 'openalex' AS origin FROM institution_geo g
               WHERE g.origin = 'openalex' AND g.ikey IN (SELECT ikey FROM institutions)
                 AND g.ikey NOT IN (SELECT ikey FROM w)
               UNION ALL
               SELECT ikey, lat, lon, 'openalex' FROM w WHERE lat IS NOT NULL AND lon IS NOT NULL AND {_VALID})
        SELECT * FROM oa
        UNION ALL
        SELECT * FROM ({from_ror}) r WHERE r.ikey NOT IN (SELECT ikey FROM oa)
    """)
    changed = con.execute("""
        SELECT count(DISTINCT ikey) FROM (
            (SELECT ikey, lat, lon, origin FROM geo_desired EXCEPT SELECT ikey, lat, lon, origin FROM institution_geo)
            UNION ALL
            (SELECT ikey, lat, lon, origin FROM institution_geo EXCEPT SELECT ikey, lat, lon, origin FROM geo_desired))
    """).fetchone()[0]
    if changed:
        con.execute("DELETE FROM institution_geo")
        con.execute("INSERT INTO institution_geo BY NAME SELECT ikey, lat, lon, origin FROM geo_desired ORDER BY ikey")
    con.execute("DROP TABLE geo_desired")
    return int(changed)


def coverage(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Institutions (address-only ones aside) with coordinates, by origin, and without."""
    total, oa, ror = con.execute("""
        SELECT count(*), count(*) FILTER (WHERE g.origin = 'openalex'), count(*) FILTER (WHERE g.origin = 'ror')
        FROM institutions i LEFT JOIN institution_geo g USING (ikey) WHERE i.origin <> 'address'""").fetchone()
    return {"institutions": total, "from_openalex": oa, "from_ror": ror, "without_coordinates": total - oa - ror}


#: the interchange copy of the coordinates (string institution ids): ``folder/institution_geo/``
EXPORT_GEO_SQL = ("SELECT i.institution_id, g.lat, g.lon, g.origin FROM institution_geo g "
                  "JOIN institutions i USING (ikey) ORDER BY i.institution_id")


def export_geo(con: duckdb.DuckDBPyConnection, folder: str | os.PathLike) -> int:
    """Write the coordinates next to an interchange export (read by the Spark engine); rows written."""
    from collabatlas.escaping import sql_string

    target = os.path.join(os.fspath(folder), "institution_geo")
    os.makedirs(target, exist_ok=True)
    con.execute(f"COPY ({EXPORT_GEO_SQL}) TO {sql_string(os.path.join(target, 'part_0.parquet'))} "
                "(FORMAT parquet, COMPRESSION zstd)")
    return con.execute(f"SELECT count(*) FROM ({EXPORT_GEO_SQL})").fetchone()[0]
