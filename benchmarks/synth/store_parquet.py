"""Writer B: the draw as the package's normalised store tables, written as zstd Parquet."""

from __future__ import annotations

import functools
import os
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from benchmarks.synth.constants import (
    A_BASE,
    COUNTRIES,
    DOMAINS,
    FIELDS,
    FIRST_NAMES,
    INSTITUTION_TYPES,
    LAST_NAMES,
    N_INSTITUTIONS,
    SUBFIELD_KINDS,
    TABLES,
    TITLE_ADJECTIVES,
    TITLE_CONTEXTS,
    TITLE_LEADS,
    TITLE_NOUNS,
    W_BASE,
    WORK_TYPES,
)
from benchmarks.synth.draw import _block_ranges, _Draw, _draw
from benchmarks.synth.profiles import DEFAULT_PROFILE, Profile
from benchmarks.synth.sampling import _offsets
from benchmarks.synth.world import _subfield_name, _world

STORE_SCHEMAS = {
    "works": pa.schema([
        ("work_id", pa.string()), ("doi", pa.string()), ("title", pa.string()),
        ("year", pa.int32()), ("pub_date", pa.date32()), ("type", pa.string()),
        ("source_id", pa.string()), ("source_name", pa.string()),
        ("domain_id", pa.string()), ("domain", pa.string()),
        ("field_id", pa.string()), ("field", pa.string()),
        ("subfield_id", pa.string()), ("subfield", pa.string()),
        ("n_authors", pa.int32()), ("updated_date", pa.timestamp("us")), ("origin", pa.string()),
    ]),
    "authorships": pa.schema([
        ("work_id", pa.string()), ("author_position", pa.int32()), ("author_id", pa.string()),
        ("author_name", pa.string()), ("n_institutions", pa.int32()), ("n_countries", pa.int32()),
    ]),
    "affiliations": pa.schema([
        ("work_id", pa.string()), ("author_position", pa.int32()), ("institution_id", pa.string()),
    ]),
    "author_countries": pa.schema([
        ("work_id", pa.string()), ("author_position", pa.int32()), ("country_code", pa.string()),
    ]),
    "institutions": pa.schema([
        ("institution_id", pa.string()), ("ror", pa.string()), ("name", pa.string()),
        ("country_code", pa.string()), ("type", pa.string()), ("lineage", pa.list_(pa.string())),
        ("updated_date", pa.timestamp("us")), ("origin", pa.string()),
    ]),
}
"""The package's store schema (DuckDB: VARCHAR, INTEGER, DATE, TIMESTAMP, VARCHAR[])."""


def _ids(prefix: str, numbers: np.ndarray, null: np.ndarray | None = None) -> pa.Array:
    """``prefix`` + decimal ``numbers`` as a string array (null where ``null``)."""
    arr = pa.array(numbers, type=pa.int64(), mask=null)
    return pc.binary_join_element_wise(prefix, pc.cast(arr, pa.string()), "")


@functools.lru_cache(maxsize=4)
def _store_lookups(seed: int) -> dict[str, pa.Array]:
    """String arrays indexed by world indices, for ``take``."""
    w = _world(seed)
    n_sub = len(SUBFIELD_KINDS)
    subfield_ids = [f[0] * 100 + k + 1 for f in FIELDS for k in range(n_sub)]
    return {
        "country": pa.array(COUNTRIES),
        "inst_id": _ids("I", w.inst_num),
        "source_id": _ids("S", w.source_num),
        "source_name": pa.array(w.source_name),
        "source_code": pa.array(w.source_code),
        "source_prefix": pc.cast(pa.array(w.source_prefix), pa.string()),
        "work_type": pa.array([t for t, _ in WORK_TYPES]),
        "first": pa.array(FIRST_NAMES),
        "last": pa.array(LAST_NAMES),
        "title": [pa.array(p) for p in (TITLE_LEADS, TITLE_ADJECTIVES, TITLE_NOUNS, TITLE_CONTEXTS)],
        "domain_id": pa.array([str(f[2]) for f in FIELDS]),
        "domain": pa.array([DOMAINS[f[2]] for f in FIELDS]),
        "field_id": pa.array([str(f[0]) for f in FIELDS]),
        "field": pa.array([f[1] for f in FIELDS]),
        "subfield_id": pa.array([str(s) for s in subfield_ids]),
        "subfield": pa.array([_subfield_name(s) for s in subfield_ids]),
    }


def _store_tables(d: _Draw, seed: int, profile: Profile = DEFAULT_PROFILE) -> dict[str, pa.Table]:
    """The ``works``, ``authorships``, ``affiliations`` and ``author_countries`` rows of ``d``."""
    w, s = _world(seed, profile), _store_lookups(seed)
    join = pc.binary_join_element_wise
    n = len(d)
    work_id = _ids("W", W_BASE + d.num)
    year = pc.cast(pa.array(d.year), pa.string())
    doi = join("10.", s["source_prefix"].take(d.source), "/", s["source_code"].take(d.source), ".",
               year, ".", pc.cast(pa.array(d.doi_num, mask=d.doi_num < 0), pa.string()), "")
    t = d.title
    title = join(s["title"][0].take(t[:, 0]), s["title"][1].take(t[:, 1]),
                 s["title"][2].take(t[:, 2]), "in", s["title"][3].take(t[:, 3]), " ")
    field = w.topic_field[d.topic]
    sub = field * len(SUBFIELD_KINDS) + w.topic_subfield[d.topic] % 100 - 1  # see _store_lookups
    n_auth = np.diff(d.author_off)
    works = pa.table([
        work_id, doi, title, pa.array(d.year, pa.int32()),
        pa.array(d.pub_day.astype("datetime64[D]"), pa.date32()),
        s["work_type"].take(d.wtype), s["source_id"].take(d.source), s["source_name"].take(d.source),
        s["domain_id"].take(field), s["domain"].take(field), s["field_id"].take(field),
        s["field"].take(field), s["subfield_id"].take(sub), s["subfield"].take(sub),
        pa.array(n_auth, pa.int32()), pa.array(d.updated_us.astype("datetime64[us]")),
        pa.array(np.full(n, "openalex")),
    ], schema=STORE_SCHEMAS["works"])

    w_of_a = d.work_of_author()
    position = pa.array(d.position(), pa.int32())
    k = d.author
    name = join(s["first"].take(k % len(FIRST_NAMES)),
                s["last"].take(k // len(FIRST_NAMES) % len(LAST_NAMES)), " ")
    authorships = pa.table([
        work_id.take(w_of_a), position, _ids("A", A_BASE + k, d.author_null), name,
        pa.array(np.diff(d.inst_off), pa.int32()), pa.array(np.diff(d.ctry_off), pa.int32()),
    ], schema=STORE_SCHEMAS["authorships"])

    a_of_i = d.author_of(d.inst_off)
    affiliations = pa.table([
        work_id.take(w_of_a[a_of_i]), position.take(a_of_i), s["inst_id"].take(d.aff_inst),
    ], schema=STORE_SCHEMAS["affiliations"])

    a_of_c = d.author_of(d.ctry_off)
    author_countries = pa.table([
        work_id.take(w_of_a[a_of_c]), position.take(a_of_c), s["country"].take(d.ctry),
    ], schema=STORE_SCHEMAS["author_countries"])
    return {"works": works, "authorships": authorships, "affiliations": affiliations,
            "author_countries": author_countries}


def _institutions_table(seed: int, last_seen_us: np.ndarray, profile: Profile = DEFAULT_PROFILE) -> pa.Table:
    """Institutions named by some work (``last_seen_us >= 0``), dated by their latest work."""
    w, s = _world(seed, profile), _store_lookups(seed)
    idx = np.flatnonzero(last_seen_us >= 0)
    parent = w.inst_parent[idx]
    self_then_parent = np.stack([idx, parent], axis=1).ravel()
    lineage = pa.ListArray.from_arrays(
        pa.array(_offsets(1 + (parent >= 0)).astype(np.int32)),
        s["inst_id"].take(self_then_parent[self_then_parent >= 0]),
    )
    cc = w.inst_cc[idx]
    type_names = pa.array([t for t, _ in INSTITUTION_TYPES])
    return pa.table([
        s["inst_id"].take(idx),
        pa.array([w.inst_ror[i] for i in idx.tolist()], pa.string()),
        pa.array([w.inst_name[i] for i in idx.tolist()], pa.string()),
        s["country"].take(pa.array(np.maximum(cc, 0), mask=cc < 0)),
        type_names.take(w.inst_type[idx]),
        lineage,
        pa.array(last_seen_us[idx].astype("datetime64[us]")),
        pa.array(np.full(len(idx), "work")),
    ], schema=STORE_SCHEMAS["institutions"])


def write_store_parquet(out_dir: str | os.PathLike, n: int, seed: int, mega_share: float | None = None,
                        chunk: int = 1_000_000, profile: Profile | None = None) -> dict:
    """Write the store tables of ``n`` works as zstd Parquet, ``chunk`` works at a time.

    Files are ``out_dir/<table>/part_000.parquet``, ... (one part per chunk; ``institutions``
    in one file, holding the institutions that some work names, with ``updated_date`` the latest
    ``updated_date`` of those works). Existing ``part_*.parquet`` of these tables are removed
    first. Returns ``{"files": [...], "rows": {table: count}, "bytes": total file size}``.
    """
    profile = profile or DEFAULT_PROFILE
    mega_share = profile.mega_share if mega_share is None else mega_share
    out = Path(out_dir)
    for table in TABLES:
        (out / table).mkdir(parents=True, exist_ok=True)
        for old in (out / table).glob("part_*.parquet"):
            old.unlink()
    files: list[Path] = []
    rows = dict.fromkeys(TABLES, 0)
    last_seen = np.full(N_INSTITUTIONS, -1, dtype=np.int64)
    for k, (lo, hi) in enumerate(_block_ranges(0, n, chunk)):
        d = _draw(seed, mega_share, lo, hi, bulk=False, profile=profile)
        w_of_i = d.work_of_author()[d.author_of(d.inst_off)]
        np.maximum.at(last_seen, d.aff_inst, d.updated_us[w_of_i])
        for name, table in _store_tables(d, seed, profile).items():
            files.append(out / name / f"part_{k:03d}.parquet")
            pq.write_table(table, files[-1], compression="zstd")
            rows[name] += table.num_rows
    table = _institutions_table(seed, last_seen, profile)
    files.append(out / "institutions" / "part_000.parquet")
    pq.write_table(table, files[-1], compression="zstd")
    rows["institutions"] = table.num_rows
    return {"files": files, "rows": rows, "bytes": sum(f.stat().st_size for f in files)}
