"""Shared fixtures: the real sample data directory and a builder for hand-made OpenAlex works; the
markers by need; the hypothesis profile of `make test-fast`."""

from __future__ import annotations

import gzip
import math
import os
import shutil
import warnings
from pathlib import Path

import orjson
import pytest
from hypothesis import settings as hypothesis_settings

import collabatlas

REPO = Path(__file__).resolve().parents[1]


def shared_data_dir() -> Path:
    env = os.environ.get("COLLABATLAS_DATA")
    return Path(env) if env else REPO.parent / "shared" / "data"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """../shared/data (or $COLLABATLAS_DATA). Missing: a failure under CI=true, a skip elsewhere."""
    path = shared_data_dir()
    if not (path / "openalex").is_dir():
        message = f"real sample data not found at {path} (set COLLABATLAS_DATA)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    return path


@pytest.fixture(scope="session")
def _sample_store_built(shared_data, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("sample") / "openalex.duckdb"
    with collabatlas.open(path) as atlas:
        atlas.ingest(shared_data / "openalex")
    return path


@pytest.fixture(scope="module")
def sample_store(_sample_store_built, tmp_path_factory) -> Path:
    """A store holding the real OpenAlex sample (../shared/data/openalex), ingested once per test
    session; each test module gets its own copy, so no module sees another's connections or writes."""
    path = tmp_path_factory.mktemp("store") / "sample.duckdb"
    shutil.copy(_sample_store_built, path)
    return path


def store_copy(built: Path, tmp_path: Path, name: str = "s.duckdb") -> Path:
    """A test's own copy of a store that a module- or session-scoped fixture built once: the test may
    write to it, truncate it or delete it, and no other test sees that."""
    wal = built.with_name(built.name + ".wal")
    if wal.exists():
        raise RuntimeError(f"{built} was left with a write-ahead log; close it before copying")
    path = tmp_path / name
    shutil.copyfile(built, path)
    return path


def institution(iid: str, country: str | None, type_: str = "education", lineage: list[str] | None = None) -> dict:
    return {
        "id": f"https://openalex.org/{iid}",
        "display_name": f"Institution {iid}",
        "ror": None,
        "country_code": country,
        "type": type_,
        "lineage": [f"https://openalex.org/{x}" for x in (lineage or [iid])],
    }


def work(wid: str, authors: list, year: int = 2020, date: str | None = None, updated: str = "2024-01-01T00:00:00",
         **extra) -> dict:
    """An OpenAlex work. Each author is a list of institutions (``institution(...)`` dicts or
    ``(id, country[, type])`` tuples), or ``{"countries": [...]}`` for an author without institutions."""
    authorships = []
    for pos, author in enumerate(authors):
        if isinstance(author, dict):
            insts, countries = [], author.get("countries", [])
        else:
            insts = [a if isinstance(a, dict) else institution(*a) for a in author]
            countries = sorted({i["country_code"] for i in insts if i["country_code"]})
        authorships.append({
            "author_position": "first" if pos == 0 else ("last" if pos == len(authors) - 1 else "middle"),
            "author": {"id": f"https://openalex.org/A{wid[1:]}{pos}", "display_name": f"Author {pos}"},
            "institutions": insts,
            "countries": countries,
        })
    record = {
        "id": f"https://openalex.org/{wid}",
        "doi": f"https://doi.org/10.1/{wid.lower()}",
        "display_name": f"Work {wid}",
        "publication_year": year,
        "publication_date": date or f"{year}-06-15",
        "type": "article",
        "updated_date": updated,
        "primary_topic": {
            "id": "https://openalex.org/T1", "display_name": "Topic",
            "subfield": {"id": "https://openalex.org/subfields/1303", "display_name": "Biochemistry"},
            "field": {"id": "https://openalex.org/fields/13",
                      "display_name": "Biochemistry, Genetics and Molecular Biology"},
            "domain": {"id": "https://openalex.org/domains/1", "display_name": "Life Sciences"},
        },
        "authorships": authorships,
    }
    record.update(extra)
    return record


def pair_store(folder: Path, pairs_csv: str) -> Path:
    """A store in ``folder`` with one JP–US work (2020) and the country-pair aggregates ``pairs_csv``."""
    import collabatlas

    path = folder / "s.duckdb"
    works = write_jsonl(folder / "w.jsonl", [work("W1", [[("I1", "JP")], [("I2", "US")]], year=2020)])
    pairs = folder / "pairs.csv"
    pairs.write_text(pairs_csv)
    with collabatlas.open(path) as atlas:
        atlas.ingest(works)
        atlas.ingest_country_pairs(pairs)
    return path


def write_jsonl(path: Path, records: list, gz: bool = False) -> Path:
    data = b"".join(orjson.dumps(r) + b"\n" for r in records)
    path.write_bytes(gzip.compress(data) if gz else data)
    return path


@pytest.fixture
def atlas_of(tmp_path):
    """atlas_of(records) → an in-memory Atlas holding exactly those works."""
    opened = []

    def build(records: list, name: str = "works.jsonl") -> collabatlas.Atlas:
        atlas = collabatlas.open(":memory:")
        atlas.ingest(write_jsonl(tmp_path / name, records))
        opened.append(atlas)
        return atlas

    yield build
    for atlas in opened:
        atlas.close()


# `make test-fast` runs with --hypothesis-profile=fast: every property test runs a twentieth of its
# examples (at least FAST_MIN_EXAMPLES), whether it takes the default count or sets its own with
# @settings, and with no deadline. Without the option (`make test`, CI) hypothesis's defaults and each
# test's own @settings stand as written.
FAST_PROFILE = "fast"
FAST_SHARE = 0.05
FAST_MIN_EXAMPLES = 2

# Slow tests in files whose owners mark them elsewhere: `slow` here, so `make test-fast` leaves them
# out (`make test` runs them). A name no longer collected from its file is reported as a warning.
SLOW_ELSEWHERE = {
    "tests/test_incremental.py": {"test_large_change_or_stale_tables_rebuild",
                                  "test_aggregates_without_the_key_hash_of_this_duckdb_are_rebuilt",
                                  "test_an_institution_merge_moves_its_affiliations_and_equals_ingesting_the_target"},
    "tests/test_landscape.py": {"test_atlas_landscape_log_gerd_ppp_matches_an_independent_ols"},
}
hypothesis_settings.register_profile(FAST_PROFILE, deadline=None)


def fast_examples(max_examples: int) -> int:
    return min(max_examples, max(FAST_MIN_EXAMPLES, math.ceil(max_examples * FAST_SHARE)))


def _scale_for_the_fast_profile(items) -> None:
    """An explicit @settings(max_examples=...) outranks any profile, so the fast profile scales each
    collected property test's own settings (once per test function; parametrised items share it)."""
    for item in items:
        function = getattr(item, "function", None)
        if not getattr(function, "is_hypothesis_test", False) or getattr(function, "_fast_examples", False):
            continue
        own = getattr(function, "_hypothesis_internal_use_settings", None)
        if own is None:
            raise pytest.UsageError(f"{item.nodeid}: this hypothesis version keeps a test's settings elsewhere; "
                                    "the fast profile cannot scale its examples (update tests/conftest.py)")
        function._hypothesis_internal_use_settings = hypothesis_settings(
            own, max_examples=fast_examples(own.max_examples), deadline=None)
        function._fast_examples = True


def _mark_slow_elsewhere(items) -> None:
    seen: dict[str, set[str]] = {}
    for item in items:
        path = item.nodeid.split("::", 1)[0]
        if path in SLOW_ELSEWHERE:
            name = item.originalname if hasattr(item, "originalname") else item.name
            seen.setdefault(path, set()).add(name)
            if name in SLOW_ELSEWHERE[path]:
                item.add_marker(pytest.mark.slow)
    for path, names in seen.items():
        if SLOW_ELSEWHERE[path] - names:
            warnings.warn(pytest.PytestWarning(f"tests/conftest.py SLOW_ELSEWHERE names tests that {path} no "
                                               f"longer has: {sorted(SLOW_ELSEWHERE[path] - names)}"), stacklevel=2)


@pytest.fixture(scope="module")
def _stores_built(tmp_path_factory):
    built: dict[bytes, Path] = {}

    def build(records: list) -> Path:
        key = orjson.dumps(records)
        if key not in built:
            folder = tmp_path_factory.mktemp("built")
            with collabatlas.open(folder / "s.duckdb") as atlas:
                atlas.ingest(write_jsonl(folder / "works.jsonl", records))
            built[key] = folder / "s.duckdb"
        return built[key]

    return build


@pytest.fixture
def copied_atlas_of(_stores_built, tmp_path):
    """copied_atlas_of(records) → an Atlas on the test's own copy of a store holding exactly those works,
    ingested once per module for each distinct list of records (cheaper than atlas_of when several
    tests of a module read the same corpus)."""
    opened = []

    def open_copy(records: list) -> collabatlas.Atlas:
        atlas = collabatlas.open(store_copy(_stores_built(records), tmp_path, f"copy{len(opened)}.duckdb"))
        opened.append(atlas)
        return atlas

    yield open_copy
    for atlas in opened:
        atlas.close()


def pytest_collection_modifyitems(config, items):
    """Mark by what a test needs, so `make test-fast` can leave out the expensive tiers: a test that
    uses the real sample data is `realdata`; the Spark parity tests `spark`; the browser tests `browser`.
    Under the fast hypothesis profile, scale the property tests' examples (above)."""
    if hypothesis_settings.get_current_profile_name() == FAST_PROFILE:
        _scale_for_the_fast_profile(items)
    _mark_slow_elsewhere(items)
    for item in items:
        if "shared_data" in item.fixturenames or "sample_store" in item.fixturenames:
            item.add_marker(pytest.mark.realdata)
        module = item.module.__name__.rsplit(".", 1)[-1]
        if module == "test_spark_parity":
            item.add_marker(pytest.mark.spark)
        if module in ("test_dashboard_e2e", "test_visual"):
            item.add_marker(pytest.mark.browser)
