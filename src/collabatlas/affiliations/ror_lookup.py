"""The ROR registry a store holds, read back: is one loaded, an organisation's ancestors and primary type,
and the ``institutions`` rows for ROR ids (used by the matcher, the export ingest and re-attribution).

The registry's tables are created and filled by :func:`collabatlas.affiliations.ror.load_ror`.
"""

from __future__ import annotations

from collections.abc import Iterable

import duckdb

from collabatlas.affiliations.ror_record import short_ror


def ror_loaded(con: duckdb.DuckDBPyConnection) -> bool:
    """True when the store holds a ROR registry (``collabatlas ror load``)."""
    exists = con.execute("SELECT count(*) FROM information_schema.tables WHERE table_name = 'ror_institutions'"
                         ).fetchone()[0]
    return bool(exists) and con.execute("SELECT count(*) FROM ror_institutions").fetchone()[0] > 0


def listed_in_openalex(con: duckdb.DuckDBPyConnection) -> list[str]:
    """The organisations that an OpenAlex institutions file of the registry lists (``ror_institutions.sources``
    names a file whose ``ror_sources`` format is OpenAlex's), sorted; none when no such file was loaded."""
    columns = {c for (c,) in con.execute("SELECT column_name FROM information_schema.columns "
                                         "WHERE table_name = 'ror_institutions'").fetchall()}
    if "sources" not in columns:
        return []
    return [r for (r,) in con.execute("""
        SELECT DISTINCT i.ror_id FROM ror_institutions i, unnest(i.sources) AS s(file)
        JOIN ror_sources f ON f.source = s.file WHERE f.format LIKE '%OpenAlex%' ORDER BY 1""").fetchall()]


def works_counts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """ROR id → the works an OpenAlex institutions file of the registry counts for it (``works_count``);
    empty when no such file was loaded (a registry of ROR files only, or loaded before the column)."""
    columns = {c for (c,) in con.execute("SELECT column_name FROM information_schema.columns "
                                         "WHERE table_name = 'ror_institutions'").fetchall()}
    if "works_count" not in columns:
        return {}
    return dict(con.execute("SELECT ror_id, works_count FROM ror_institutions WHERE works_count IS NOT NULL "
                            "ORDER BY ror_id").fetchall())


def primary_type(types: list[str] | None) -> str | None:
    """The first ROR type that is not ``funder`` (``funder`` when it is the only one)."""
    types = [t for t in (types or []) if t]
    return next((t for t in types if t != "funder"), types[0] if types else None)


def ancestors(parents: dict[str, Iterable[str]], rid: str) -> list[str]:
    """Every ancestor of ``rid`` through ``parents`` (child → parent ids), nearest first; cycles are safe."""
    seen: list[str] = []
    todo = [rid]
    while todo:
        for parent in sorted(parents.get(todo.pop(0), ())):
            if parent not in seen and parent != rid:
                seen.append(parent)
                todo.append(parent)
    return seen


def institution_rows(con: duckdb.DuckDBPyConnection, ror_ids: Iterable[str],
                     include_ancestors: bool = False) -> list[dict]:
    """Store ``institutions`` rows for ROR ids (short or URL), ready to insert.

    Keys: ``institution_id`` (the OpenAlex id of the institution with that ROR when the store has one,
    so WoS/Scopus and OpenAlex data unify; else ``R`` + short ROR id), ``ror`` (short id, as the store
    keeps OpenAlex's ``ror``), ``name``, ``country_code``, ``type`` (:func:`primary_type`), ``lineage``
    (institution ids of the organisation and of its ROR ancestors through ``parent`` links that are in
    the registry — OpenAlex's convention: itself included). Ids not in the registry are left out.
    With ``include_ancestors`` the rows of every lineage member are returned too.
    """
    wanted = sorted({s for s in (short_ror(r) for r in ror_ids) if s})
    if not wanted or not ror_loaded(con):
        return []
    parents: dict[str, list[str]] = {}
    for child, parent in con.execute("""
            SELECT r.ror_id, r.target_id FROM ror_relations r JOIN ror_institutions p ON p.ror_id = r.target_id
            WHERE r.relation = 'parent'""").fetchall():
        parents.setdefault(child, []).append(parent)
    openalex = dict(con.execute("""
        SELECT lower(regexp_extract(ror, '([0-9a-z]{9})/?$', 1)) AS short, min(institution_id)
        FROM institutions WHERE ror IS NOT NULL GROUP BY 1""").fetchall())

    lineages = {rid: [rid, *ancestors(parents, rid)] for rid in wanted}
    ids = sorted(set(wanted) | ({a for lin in lineages.values() for a in lin} if include_ancestors else set()))
    rows = con.execute("""SELECT ror_id, name, country_code, types FROM ror_institutions
                          WHERE ror_id IN (SELECT unnest(?::VARCHAR[])) ORDER BY ror_id""", [ids]).fetchall()
    def iid(rid: str) -> str:
        return openalex.get(rid, f"R{rid}")

    out = []
    for rid, name, country, types in rows:
        lineage = lineages.get(rid) or [rid, *ancestors(parents, rid)]
        out.append({"institution_id": iid(rid), "ror": rid, "name": name,
                    "country_code": country, "type": primary_type(types),
                    "lineage": [iid(a) for a in lineage]})
    return out
