"""Seeded synthetic OpenAlex-shaped works, for benchmarks and property tests only.

One numpy-vectorised draw of the *structure* of N works (years, types, sources, topics, authors,
their institutions and countries) is rendered two ways:

* Writer A, :func:`iter_work_dicts` and :func:`write_jsonl_gz`: OpenAlex Work objects, with the
  bulk fields a snapshot record carries and the package does not read (abstract index,
  references, concepts, locations, ...), about 7 KB of compact JSON per work, as gzip JSON Lines.
* Writer B, :func:`write_store_parquet`: the package's normalised store tables (``works``,
  ``authorships``, ``affiliations``, ``author_countries``, ``institutions``) as zstd Parquet,
  chunk by chunk with bounded memory, for tens of millions of works without any JSON.

Both render the same draw, so for the same ``(n, seed, mega_share)`` they describe the same works.
Works are drawn in fixed blocks of :data:`BLOCK` works, each block from its own random stream
(``SeedSequence(seed, spawn_key=(1, block))``); work ``i`` is therefore the same whatever ``n``,
``start``, ``parts`` or ``chunk`` are, and a shorter run is a prefix of a longer one. The world the
works are drawn from (countries, 20,000 institutions, sources, topics) is drawn once per seed.

Calibration with the defaults (``python -m benchmarks.synth check`` prints it): authors per work
median 4, mean about 5.4 without the tail, plus a ``mega_share`` of works with 100-3000 authors
(bounded Pareto) who come in teams sharing an institution; about 27 % of works have authors in two
or more countries; JSON mean 6.9 KB per work, median 5.6 KB, of which the authorships take about
3.8 KB (see :data:`P_RICH_FIELD`), and about 1.0 KB per work once gzipped (level 1).

For speed, the JSON dicts share read-only sub-objects between works (an institution's dict, a
source's dict, the bulk pools): treat yielded dicts as read-only.

Command line::

    python -m benchmarks.synth jsonl OUT --works N --seed S [--parts K] [--mega-share F] [--profile P]
    python -m benchmarks.synth parquet OUT --works N --seed S [--chunk C] [--mega-share F] [--profile P]
    python -m benchmarks.synth check [--works N] [--seed S] [--mega-share F] [--profile P]

``--profile calibrated`` (:func:`calibrated_profile`) draws from the distributions measured on the
real samples by ``benchmarks.calibration`` (``benchmarks/calibration.json``); there the mega-author
tail is 500-3,000 authors and ``--mega-share`` defaults to 0.0003.

Modules (this package re-exports their public names, so ``from benchmarks import synth`` works as
when it was one file):

* :mod:`~benchmarks.synth.constants`: sizes, calibration constants and vocabularies;
* :mod:`~benchmarks.synth.sampling`: small numpy helpers of the draws;
* :mod:`~benchmarks.synth.profiles`: :class:`Profile`, :data:`DEFAULT_PROFILE`, :func:`calibrated_profile`;
* :mod:`~benchmarks.synth.world`: the world drawn once per seed;
* :mod:`~benchmarks.synth.draw`: the structure draw of the works, block by block (and the bulk fields);
* :mod:`~benchmarks.synth.work_json`: Writer A (Work dicts, gzip JSON Lines);
* :mod:`~benchmarks.synth.store_parquet`: Writer B (store tables as Parquet);
* :mod:`~benchmarks.synth.cli`: the command line (``__main__`` runs it).
"""

from __future__ import annotations

from benchmarks.synth.cli import main
from benchmarks.synth.constants import (
    A_BASE,
    ABSTRACT_WORDS,
    AUTHOR_POOL,
    AUTHORS_MU,
    AUTHORS_SIGMA,
    BLOCK,
    COUNTRIES,
    COUNTRY_ZIPF,
    DOMAINS,
    FIELDS,
    FIRST_NAMES,
    INSTITUTION_NAME_PATTERNS,
    INSTITUTION_TYPES,
    INSTITUTION_ZIPF,
    LANGUAGES,
    LAST_NAMES,
    MAX_REGULAR_AUTHORS,
    MEGA_ALPHA,
    MEGA_MAX,
    MEGA_MIN,
    MEGA_TEAM_SIZE,
    N_INSTITUTIONS,
    N_SOURCES,
    OA_STATUSES,
    OPENALEX,
    P_COUNTRY_ONLY,
    P_DOI,
    P_FOREIGN_SLOT,
    P_FOREIGN_SLOT_CALIBRATED,
    P_FOREIGN_SLOT_MEGA,
    P_INSTITUTIONS_2,
    P_INSTITUTIONS_3,
    P_INTERNATIONAL,
    P_NO_AFFILIATION,
    P_NULL_AUTHOR_ID,
    P_NULL_COUNTRY_INSTITUTION,
    P_NULL_ROR,
    P_PARENT,
    P_SAME_LAB,
    SOURCE_NAME_PATTERNS,
    SUBFIELD_KINDS,
    SYLLABLES,
    TABLES,
    TITLE_ADJECTIVES,
    TITLE_CONTEXTS,
    TITLE_LEADS,
    TITLE_NOUNS,
    TOPICS_PER_SUBFIELD,
    UPDATED_FROM,
    W_BASE,
    WORK_TYPES,
    YEAR_GROWTH,
    YEARS,
)
from benchmarks.synth.draw import (
    MAX_REFERENCES,
    N_ABSTRACTS,
    N_WORK_URLS,
    P_RICH_FIELD,
    POOL_SIZE,
    RICH_FIELDS,
)
from benchmarks.synth.profiles import DEFAULT_PROFILE, Profile, calibrated_profile
from benchmarks.synth.store_parquet import STORE_SCHEMAS, write_store_parquet
from benchmarks.synth.work_json import iter_work_dicts, write_jsonl_gz

__all__ = [
    "BLOCK",
    "W_BASE",
    "A_BASE",
    "AUTHOR_POOL",
    "N_INSTITUTIONS",
    "N_SOURCES",
    "OPENALEX",
    "UPDATED_FROM",
    "AUTHORS_MU",
    "AUTHORS_SIGMA",
    "MAX_REGULAR_AUTHORS",
    "MEGA_MIN",
    "MEGA_MAX",
    "MEGA_ALPHA",
    "P_NO_AFFILIATION",
    "P_COUNTRY_ONLY",
    "P_INSTITUTIONS_2",
    "P_INSTITUTIONS_3",
    "P_INTERNATIONAL",
    "P_FOREIGN_SLOT",
    "P_FOREIGN_SLOT_MEGA",
    "P_FOREIGN_SLOT_CALIBRATED",
    "P_SAME_LAB",
    "MEGA_TEAM_SIZE",
    "P_NULL_AUTHOR_ID",
    "P_NULL_COUNTRY_INSTITUTION",
    "P_PARENT",
    "P_NULL_ROR",
    "P_DOI",
    "YEAR_GROWTH",
    "COUNTRIES",
    "COUNTRY_ZIPF",
    "INSTITUTION_ZIPF",
    "DOMAINS",
    "FIELDS",
    "SUBFIELD_KINDS",
    "TOPICS_PER_SUBFIELD",
    "INSTITUTION_TYPES",
    "INSTITUTION_NAME_PATTERNS",
    "SOURCE_NAME_PATTERNS",
    "WORK_TYPES",
    "YEARS",
    "SYLLABLES",
    "FIRST_NAMES",
    "LAST_NAMES",
    "TITLE_LEADS",
    "TITLE_ADJECTIVES",
    "TITLE_NOUNS",
    "TITLE_CONTEXTS",
    "ABSTRACT_WORDS",
    "LANGUAGES",
    "OA_STATUSES",
    "TABLES",
    "Profile",
    "DEFAULT_PROFILE",
    "calibrated_profile",
    "N_ABSTRACTS",
    "N_WORK_URLS",
    "MAX_REFERENCES",
    "POOL_SIZE",
    "RICH_FIELDS",
    "P_RICH_FIELD",
    "iter_work_dicts",
    "write_jsonl_gz",
    "STORE_SCHEMAS",
    "write_store_parquet",
    "main",
]
