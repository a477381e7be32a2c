"""Writer A: the draw rendered as OpenAlex Work dicts, and written as gzip JSON Lines."""

from __future__ import annotations

import functools
import multiprocessing
import os
import zlib
from collections import deque
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import orjson

from benchmarks.synth.constants import (
    A_BASE,
    ABSTRACT_WORDS,
    BLOCK,
    COUNTRIES,
    DOMAINS,
    FIELDS,
    FIRST_NAMES,
    INSTITUTION_TYPES,
    LANGUAGES,
    LAST_NAMES,
    N_INSTITUTIONS,
    N_SOURCES,
    OA_STATUSES,
    OPENALEX,
    SUBFIELD_KINDS,
    TITLE_ADJECTIVES,
    TITLE_CONTEXTS,
    TITLE_LEADS,
    TITLE_NOUNS,
    TOPICS_PER_SUBFIELD,
    W_BASE,
    WORK_TYPES,
)
from benchmarks.synth.draw import N_ABSTRACTS, N_WORK_URLS, POOL_SIZE, _block_ranges, _Draw, _draw
from benchmarks.synth.profiles import DEFAULT_PROFILE, Profile
from benchmarks.synth.world import _core_name, _subfield_name, _world
from collabatlas.counting.issn import check_character


@dataclass(frozen=True)
class _JsonPools:
    """Precomputed JSON objects and strings, shared read-only between rendered works."""

    inst_obj: list
    inst_affiliation: list  # {"raw_affiliation_string", "institution_ids"} per institution
    inst_raw: list
    source_obj: list
    topic_head: list  # (id, display_name) per topic
    topic_tail: list  # (subfield, field, domain) dicts per topic
    abstracts: list
    work_urls: list
    keywords: list
    concepts: list
    mesh: list
    repositories: list


@functools.lru_cache(maxsize=4)
def _json_pools(seed: int, profile: Profile = DEFAULT_PROFILE) -> _JsonPools:
    """The JSON objects of the world of ``seed`` and the pools of bulk fields."""
    w = _world(seed, profile)
    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(3,)))
    type_names = [t for t, _ in INSTITUTION_TYPES]
    inst_url = [f"{OPENALEX}I{n}" for n in w.inst_num.tolist()]
    inst_obj, inst_aff, inst_raw = [], [], []
    for i in range(N_INSTITUTIONS):
        cc = int(w.inst_cc[i])
        parent = int(w.inst_parent[i])
        ror = w.inst_ror[i]
        inst_obj.append({
            "id": inst_url[i],
            "display_name": w.inst_name[i],
            "ror": None if ror is None else f"https://ror.org/{ror}",
            "country_code": COUNTRIES[cc] if cc >= 0 else None,
            "type": type_names[w.inst_type[i]],
            "lineage": [inst_url[i]] + ([inst_url[parent]] if parent >= 0 else []),
        })
        raw = f"{w.inst_name[i]}, {COUNTRIES[w.inst_country[i]]}"
        inst_raw.append(raw)
        inst_aff.append({"raw_affiliation_string": raw, "institution_ids": [inst_url[i]]})

    source_obj = []
    for i in range(N_SOURCES):
        seven = f"{1000 + i:04d}{int(w.source_num[i]) % 1000:03d}"
        issn = f"{seven[:4]}-{seven[4:]}{check_character(seven)}"  # valid, as real ISSNs are
        source_obj.append({
            "id": f"{OPENALEX}S{w.source_num[i]}",
            "display_name": w.source_name[i],
            "issn_l": issn,
            "issn": [issn],
            "type": "journal",
        })

    domain_obj = {d: {"id": f"{OPENALEX}domains/{d}", "display_name": name}
                  for d, name in DOMAINS.items()}
    field_obj = [{"id": f"{OPENALEX}fields/{f[0]}", "display_name": f[1]} for f in FIELDS]
    subfield_obj = {}
    topic_head, topic_tail = [], []
    for t in range(len(w.topic_num)):
        f = int(w.topic_field[t])
        sid = int(w.topic_subfield[t])
        if sid not in subfield_obj:
            subfield_obj[sid] = {"id": f"{OPENALEX}subfields/{sid}", "display_name": _subfield_name(sid)}
        topic_head.append((f"{OPENALEX}T{w.topic_num[t]}", w.topic_name[t]))
        topic_tail.append((subfield_obj[sid], field_obj[f], domain_obj[FIELDS[f][2]]))

    abstracts = []
    for _ in range(N_ABSTRACTS):
        words = rng.choice(len(ABSTRACT_WORDS), int(rng.integers(80, 220)))
        index: dict[str, list[int]] = {}
        for pos, k in enumerate(words.tolist()):
            index.setdefault(ABSTRACT_WORDS[k], []).append(pos)
        abstracts.append(index)

    vocab = TITLE_ADJECTIVES + TITLE_NOUNS
    keywords = [{"id": f"{OPENALEX}keywords/{vocab[i % len(vocab)]}-{vocab[(i * 7) % len(vocab)]}",
                 "display_name": f"{vocab[i % len(vocab)]} {vocab[(i * 7) % len(vocab)]}".capitalize(),
                 "score": round(0.3 + 0.7 * ((i * 37) % 100) / 100, 4)} for i in range(POOL_SIZE + 5)]
    concepts = [{"id": f"{OPENALEX}C{41008148 + 7919 * i}",
                 "wikidata": f"https://www.wikidata.org/wiki/Q{21198 + 131 * i}",
                 "display_name": f"{vocab[i % len(vocab)]} {vocab[(i * 3) % len(vocab)]}".capitalize(),
                 "level": i % 4,
                 "score": round(0.2 + 0.8 * ((i * 53) % 100) / 100, 7)} for i in range(POOL_SIZE + 11)]
    mesh = [{"descriptor_ui": f"D{(i * 7919) % 1000000:06d}",
             "descriptor_name": vocab[i % len(vocab)].capitalize(),
             "qualifier_ui": "", "qualifier_name": None,
             "is_major_topic": i % 3 == 0} for i in range(POOL_SIZE + 9)]
    repositories = [{"is_oa": True,
                     "landing_page_url": f"https://repository{i}.example.org/handle/{10000 + i}",
                     "pdf_url": None,
                     "source": {"id": f"{OPENALEX}S{4306400000 + i}",
                                "display_name": f"{_core_name(2000 + i)} Repository",
                                "type": "repository"},
                     "license": "cc-by", "license_id": "https://openalex.org/licenses/cc-by",
                     "version": "submittedVersion", "is_accepted": False, "is_published": False}
                    for i in range(POOL_SIZE + 2)]
    work_urls = [f"{OPENALEX}W{n}"
                 for n in rng.integers(1_000_000_000, 4_400_000_000, N_WORK_URLS).tolist()]
    return _JsonPools(inst_obj, inst_aff, inst_raw, source_obj, topic_head, topic_tail, abstracts,
                      work_urls, keywords, concepts, mesh, repositories)


def _iso_dates(days: np.ndarray) -> list[str]:
    return np.datetime_as_string(days.astype("datetime64[D]")).tolist()


def _iso_timestamps(us: np.ndarray) -> list[str]:
    return np.datetime_as_string(us.astype("datetime64[us]"), unit="us").tolist()


def _render(d: _Draw, seed: int, profile: Profile = DEFAULT_PROFILE) -> Iterator[dict]:
    """OpenAlex Work dicts for the works of ``d`` (which must carry bulk draws)."""
    w, p, b = _world(seed, profile), _json_pools(seed, profile), d.bulk
    n = len(d)
    n_first, n_last = len(FIRST_NAMES), len(LAST_NAMES)
    work_types = [t for t, _ in WORK_TYPES]
    oa_statuses = [s for s, _ in OA_STATUSES]
    languages = [code for code, _ in LANGUAGES]
    health_or_life = {1, 4}
    inst_obj, inst_raw, inst_affiliation = p.inst_obj, p.inst_raw, p.inst_affiliation

    # Work-level distinct counts, vectorised.
    w_of_a = d.work_of_author()
    n_c = len(COUNTRIES)
    key = np.unique(w_of_a[d.author_of(d.ctry_off)] * n_c + d.ctry)
    n_countries_w = np.bincount(key // n_c, minlength=n).tolist()
    key = np.unique(w_of_a[d.author_of(d.inst_off)] * N_INSTITUTIONS + d.aff_inst)
    n_insts_w = np.bincount(key // N_INSTITUTIONS, minlength=n).tolist()

    num = (W_BASE + d.num).tolist()
    years = d.year.tolist()
    pub_dates = _iso_dates(d.pub_day)
    last_day = np.datetime64("2023-12-31").astype(np.int64)
    created = _iso_dates(np.minimum(d.pub_day + b["created_lag"], last_day))
    updated = _iso_timestamps(d.updated_us)
    title = d.title.tolist()
    topic = d.topic.tolist()
    topic_field = w.topic_field[d.topic]
    per_field = len(SUBFIELD_KINDS) * TOPICS_PER_SUBFIELD
    field_start = (topic_field * per_field)[:, None]  # two more topics of the same field
    alt_topics = (field_start + (d.topic[:, None] - field_start + b["topic_shift"]) % per_field).tolist()
    domain_of_topic = [FIELDS[f][2] for f in topic_field.tolist()]
    doi_num = d.doi_num.tolist()
    wtype = d.wtype.tolist()
    source = d.source.tolist()
    prefix = w.source_prefix.tolist()
    author_off = d.author_off.tolist()
    author = d.author.tolist()
    author_null = d.author_null.tolist()
    inst_off = d.inst_off.tolist()
    ctry_off = d.ctry_off.tolist()
    aff_inst = d.aff_inst.tolist()
    ctry = [COUNTRIES[c] for c in d.ctry.tolist()]
    bl = {k: v.tolist() for k, v in b.items()}

    for i in range(n):
        work_url = f"{OPENALEX}W{num[i]}"
        year = years[i]
        src = source[i]
        doi = None
        if doi_num[i] >= 0:
            doi = f"https://doi.org/10.{prefix[src]}/{w.source_code[src]}.{year}.{doi_num[i]}"
        t = title[i]
        title_str = (f"{TITLE_LEADS[t[0]]} {TITLE_ADJECTIVES[t[1]]} {TITLE_NOUNS[t[2]]} "
                     f"in {TITLE_CONTEXTS[t[3]]}")

        authorships = []
        a_lo, a_hi = author_off[i], author_off[i + 1]
        for a in range(a_lo, a_hi):
            k = author[a]
            first, last = FIRST_NAMES[k % n_first], LAST_NAMES[(k // n_first) % n_last]
            insts = aff_inst[inst_off[a]:inst_off[a + 1]]
            countries = ctry[ctry_off[a]:ctry_off[a + 1]]
            if insts:
                raw = [inst_raw[j] for j in insts]
                affiliations = [inst_affiliation[j] for j in insts]
            elif countries:
                raw = [f"Independent researcher, {countries[0]}"]
                affiliations = [{"raw_affiliation_string": raw[0], "institution_ids": []}]
            else:
                raw, affiliations = [], []
            orcid = None
            if k % 5 < 2:
                orcid = f"https://orcid.org/0000-000{1 + k % 3}-{k % 10000:04d}-{k // 10000 % 10000:04d}"
            authorships.append({
                "author_position": "first" if a == a_lo else ("last" if a == a_hi - 1 else "middle"),
                "author": {
                    "id": None if author_null[a] else f"https://openalex.org/A{A_BASE + k}",
                    "display_name": f"{first} {last}",
                    "orcid": orcid,
                },
                "institutions": [inst_obj[j] for j in insts],
                "countries": countries,
                "is_corresponding": a == a_lo,
                "raw_author_name": f"{first[0]}. {last}",
                "raw_affiliation_strings": raw,
                "affiliations": affiliations,
            })

        abstract, refs, related, all_topics, keywords, concepts, mesh, more_locations = bl["rich"][i]
        topics = []
        topic_ids = [topic[i]] + alt_topics[i] if all_topics else [topic[i]]
        for t_idx, score in zip(topic_ids, bl["scores"][i], strict=False):
            tid, tname = p.topic_head[t_idx]
            sub, fld, dom = p.topic_tail[t_idx]
            topics.append({"id": tid, "display_name": tname, "score": score,
                           "subfield": sub, "field": fld, "domain": dom})
        oa = oa_statuses[bl["oa"][i]]
        is_oa = oa != "closed"
        primary_location = {
            "is_oa": is_oa,
            "landing_page_url": doi,
            "pdf_url": None,
            "source": p.source_obj[src],
            "license": "cc-by" if oa in ("gold", "diamond", "hybrid") else None,
            "version": "publishedVersion",
            "is_accepted": True,
            "is_published": True,
        }
        pool = bl["pool_off"][i]
        locations = [primary_location]
        if more_locations:
            locations += p.repositories[pool[3]:pool[3] + bl["n_locations"][i] - 1]
        cited = bl["cited"][i]
        count_years = list(range(2023, max(year, 2012) - 1, -1))
        per_year, extra = divmod(cited, len(count_years))
        vol, issue, first_page, n_pages = bl["biblio"][i]
        ref_off, rel_off = bl["ref_off"][i], bl["rel_off"][i]
        mesh = mesh and domain_of_topic[i] in health_or_life
        yield {
            "id": work_url,
            "doi": doi,
            "title": title_str,
            "display_name": title_str,
            "publication_year": year,
            "publication_date": pub_dates[i],
            "ids": {"openalex": work_url, "doi": doi, "mag": str(bl["mag"][i])},
            "language": languages[bl["language"][i]],
            "primary_location": primary_location,
            "type": work_types[wtype[i]],
            "open_access": {"is_oa": is_oa, "oa_status": oa, "oa_url": doi if is_oa else None,
                            "any_repository_has_fulltext": len(locations) > 1},
            "authorships": authorships,
            "countries_distinct_count": n_countries_w[i],
            "institutions_distinct_count": n_insts_w[i],
            "biblio": {"volume": str(vol), "issue": str(issue), "first_page": str(first_page),
                       "last_page": str(first_page + n_pages)},
            "primary_topic": topics[0],
            "topics": topics,
            "keywords": p.keywords[pool[0]:pool[0] + bl["n_keywords"][i]] if keywords else [],
            "concepts": p.concepts[pool[1]:pool[1] + bl["n_concepts"][i]] if concepts else [],
            "mesh": p.mesh[pool[2]:pool[2] + bl["n_mesh"][i]] if mesh else [],
            "locations": locations,
            "best_oa_location": primary_location if is_oa else None,
            "referenced_works": p.work_urls[ref_off:ref_off + bl["n_refs"][i]] if refs else [],
            "related_works": p.work_urls[rel_off:rel_off + 10] if related else [],
            "abstract_inverted_index": p.abstracts[bl["abstract"][i]] if abstract else None,
            "cited_by_count": cited,
            "counts_by_year": [{"year": y, "cited_by_count": per_year + (j < extra)}
                               for j, y in enumerate(count_years) if per_year + (j < extra)],
            "updated_date": updated[i],
            "created_date": created[i],
        }


def iter_work_dicts(n: int, seed: int, mega_share: float | None = None, start: int = 0,
                    profile: Profile | None = None) -> Iterator[dict]:
    """Yield works ``start .. start+n-1`` of the synthetic world ``seed`` as OpenAlex Work dicts.

    ``profile`` defaults to :data:`DEFAULT_PROFILE`, ``mega_share`` to the profile's. Sub-objects
    are shared between works (see the module docstring): treat them as read-only.
    """
    profile = profile or DEFAULT_PROFILE
    mega = profile.mega_share if mega_share is None else mega_share
    for lo, hi in _block_ranges(start, start + n, BLOCK):
        yield from _render(_draw(seed, mega, lo, hi, bulk=True, profile=profile), seed, profile)


def _write_jsonl_part(path: Path, lo: int, hi: int, seed: int, mega_share: float | None,
                      compresslevel: int, profile: Profile | None = None) -> int:
    """Write works ``lo .. hi-1`` as gzip JSON Lines to ``path``; return uncompressed bytes.

    This thread renders, a second one compresses (zlib releases the GIL) and writes; batches go
    through one deflate stream in order, so the bytes do not depend on the timing.
    """
    gz = zlib.compressobj(compresslevel, zlib.DEFLATED, 31)  # gzip wrapper, mtime 0, no name
    total = 0
    with open(path, "wb") as f, ThreadPoolExecutor(1) as compressor:
        pending: deque = deque()

        def submit(lines: list[bytes]) -> None:
            nonlocal total
            text = b"".join(lines)
            total += len(text)
            pending.append(compressor.submit(lambda: f.write(gz.compress(text))))
            if len(pending) > 2:
                pending.popleft().result()

        lines: list[bytes] = []
        for work in iter_work_dicts(hi - lo, seed, mega_share, start=lo, profile=profile):
            lines.append(orjson.dumps(work, option=orjson.OPT_APPEND_NEWLINE))
            if len(lines) == 2048:
                submit(lines)
                lines = []
        submit(lines)
        for done in pending:
            done.result()
        f.write(gz.flush())
    return total


def write_jsonl_gz(path_or_dir: str | os.PathLike, n: int, seed: int, parts: int = 1,
                   mega_share: float | None = None, compresslevel: int = 1,
                   workers: int | None = None, profile: Profile | None = None) -> tuple[list[Path], int]:
    """Write ``n`` works as gzip JSON Lines, one work per line; same arguments, same bytes.

    A path ending in ``.gz`` is written as one file (``parts`` must be 1); any other path is a
    directory that receives ``part_000.gz`` .. (existing ``part_*.gz`` there are removed first),
    part ``k`` holding works ``k*n//parts .. (k+1)*n//parts - 1``. Parts are written by up to
    ``workers`` processes (default: one per CPU), so use ``parts >= workers`` for speed. Returns
    the files and the total uncompressed bytes.
    """
    target = Path(path_or_dir)
    if target.suffix == ".gz":
        if parts != 1:
            raise ValueError("a single .gz file cannot hold several parts; give a directory")
        target.parent.mkdir(parents=True, exist_ok=True)
        files = [target]
    else:
        target.mkdir(parents=True, exist_ok=True)
        for old in target.glob("part_*.gz"):
            old.unlink()
        files = [target / f"part_{k:03d}.gz" for k in range(parts)]
    jobs = [(f, k * n // parts, (k + 1) * n // parts, seed, mega_share, compresslevel, profile)
            for k, f in enumerate(files)]
    workers = min(workers or os.cpu_count() or 1, parts)
    if workers == 1:
        sizes = [_write_jsonl_part(*job) for job in jobs]
    else:
        # forkserver: a forked copy of a process with other threads (DuckDB, a browser driver) can crash
        with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("forkserver")) as pool:
            sizes = list(pool.map(_write_jsonl_part, *zip(*jobs, strict=False)))
    return files, sum(sizes)
