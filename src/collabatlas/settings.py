"""Settings as plain data: one self-describing table (:data:`SETTINGS`), read from the environment.

Each row is a setting: its name, environment variable, default and what it does. The CLI, the
library, the tests and CI read the same variables; the README's settings table is
:func:`settings_markdown` (a test checks they agree). Library code never defaults to a data folder.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from collabatlas.errors import UserError

DEFAULT_STORE = Path("collabatlas.duckdb")


@dataclass(frozen=True)
class Setting:
    """One setting: ``env`` is the environment variable that sets it; ``default`` as documented."""

    name: str
    env: str
    default: str
    help: str


SETTINGS: tuple[Setting, ...] = (
    Setting("store", "COLLABATLAS_STORE", "collabatlas.duckdb", "DuckDB store file of every command (`--store`)."),
    Setting("data", "COLLABATLAS_DATA", "(none)", "A folder in the shared-data layout whose reference files are "
            "read before the packaged ones (`--data`); `demo` also takes its samples from it."),
    Setting("cache", "COLLABATLAS_CACHE", "the platform's user cache", "Where `data update` keeps fresh copies."),
    Setting("memory_limit", "COLLABATLAS_MEMORY_LIMIT", "75% (DuckDB's default)", "DuckDB memory limit, e.g. 8GB."),
    Setting("threads", "COLLABATLAS_THREADS", "all cores", "DuckDB worker threads."),
    Setting("store_wait", "COLLABATLAS_STORE_WAIT", "10", "Seconds a command waits for a store that another "
            "process holds (another ingest, or `serve` while it answers a request) before it gives up (exit 1)."),
    Setting("temp_directory", "COLLABATLAS_TEMP_DIR", "next to the store", "Where DuckDB spills."),
    Setting("ingest_memory_limit", "COLLABATLAS_INGEST_MEMORY_LIMIT", "2GB", "Memory limit while ingesting; "
            "staged rows beyond it spill to the temporary directory, so ingest memory stays bounded."),
    Setting("spark_driver_memory", "COLLABATLAS_SPARK_DRIVER_MEMORY", "4g", "Spark driver memory (`--engine spark`)."),
    Setting("spark_max_result_size", "COLLABATLAS_SPARK_MAX_RESULT_SIZE", "0 (no cap)", "Spark's "
            "spark.driver.maxResultSize: results come back to the driver whole."),
    Setting("spark_shuffle_partitions", "COLLABATLAS_SPARK_SHUFFLE_PARTITIONS", "4", "Spark shuffle partitions; "
            "2-3 per executor core on a cluster."),
    Setting("spark_adaptive", "COLLABATLAS_SPARK_ADAPTIVE", "1", "Spark adaptive query execution (0 / 1)."),
    Setting("raw_csv", "COLLABATLAS_RAW_CSV", "0", "1: write CSV cells as they are (no spreadsheet-formula "
            "neutralising, `collabatlas --raw-csv`)."),
    Setting("openalex_api_key", "OPENALEX_API_KEY", "(none)", "API key sent by `fetch openalex` (never printed)."),
    Setting("small_n", "COLLABATLAS_SMALL_N", "10", "A growth or change is flagged (and a trend point drawn "
            "hollow) when either end has fewer works than this."),
    Setting("match_workers", "COLLABATLAS_MATCH_WORKERS", "1", "Worker processes that match many addresses "
            "at once (`match --file`, the WoS / Scopus / PubMed ingest), forked from the main process (opt-in: "
            "a worker that dies is replaced by matching in the main process, with a warning)."),
    Setting("chromium", "COLLABATLAS_CHROMIUM", "/usr/bin/chromium", "The Chromium that prints PDF fact sheets "
            "(`report --pdf`, the dashboard button)."),
)
ENV_VARS = tuple(s.env for s in SETTINGS)
SETTING = {s.name: s for s in SETTINGS}


def env_var(name: str) -> str:
    """The environment variable of setting ``name`` (a row of :data:`SETTINGS`; KeyError otherwise)."""
    return SETTING[name].env


def raw(name: str) -> str | None:
    """The value of setting ``name`` as the environment gives it (None when unset): the one place
    collabatlas reads its environment variables."""
    return os.environ.get(SETTING[name].env)


def settings_markdown() -> str:
    """The settings table as Markdown (the README carries it verbatim)."""
    rows = [f"| `{s.env}` | {s.default} | {s.help} |" for s in SETTINGS]
    return "\n".join(["| variable | default | what it sets |", "|---|---|---|", *rows])


def small_n() -> int:
    """The fewest works at either end of a growth or change that is not flagged as small
    (``$COLLABATLAS_SMALL_N``, default 10)."""
    value = (raw("small_n") or "10").strip()
    if not value.isdigit():
        from collabatlas.errors import UserError

        raise UserError(f"COLLABATLAS_SMALL_N={value!r}: expected a whole number of works, e.g. 10")
    return int(value)


def data_dir(override: str | os.PathLike | None = None) -> Path | None:
    """A reference/sample data directory: explicit value, else ``$COLLABATLAS_DATA``, else None.
    The library never defaults to a folder: without one it uses the packaged reference data."""
    if override:
        return Path(override)
    env = raw("data")
    return Path(env) if env else None


def store_path(override: str | os.PathLike | None = None) -> Path:
    """The store file: explicit value, else ``$COLLABATLAS_STORE``, else ``collabatlas.duckdb``."""
    if override:
        return Path(override)
    env = raw("store")
    return Path(env) if env else DEFAULT_STORE


class SettingError(UserError):
    """An environment variable of :data:`SETTINGS` holds a value collabatlas cannot use (exit 2)."""


_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(b|kb|mb|gb|tb|kib|mib|gib|tib)\s*$", re.IGNORECASE)
_UNIT_BYTES = {"b": 1, "kb": 10**3, "mb": 10**6, "gb": 10**9, "tb": 10**12,
               "kib": 2**10, "mib": 2**20, "gib": 2**30, "tib": 2**40}
MIN_MEMORY = 64 * 10**6
"""The smallest memory limit accepted: below it DuckDB cannot hold the working set of one query."""


def memory_size(env: str, value: str | None) -> str | None:
    """A DuckDB memory size from ``$env`` (``8GB``, ``512MB``, ``1.5GiB``), checked: None when unset
    or empty; :class:`SettingError` naming the variable when it is not a size or is below 64 MB."""
    if value is None or not value.strip():
        return None
    match = _SIZE.match(value)
    if not match:
        raise SettingError(f"{env}={value!r}: expected a memory size such as 8GB, 512MB or 1.5GiB "
                           "(a number and a unit: B, KB, MB, GB, TB, KiB, MiB, GiB, TiB)")
    size = float(match.group(1)) * _UNIT_BYTES[match.group(2).lower()]
    if size < MIN_MEMORY:
        raise SettingError(f"{env}={value!r}: too small; give at least 64MB (DuckDB needs room for one query)")
    return f"{match.group(1)}{match.group(2).upper().replace('I', 'i')}"


def positive_int(env: str, value: str | None) -> int | None:
    """A whole number >= 1 from ``$env``: None when unset or empty; else :class:`SettingError`."""
    if value is None or not value.strip():
        return None
    try:
        number = int(value.strip())
    except ValueError:
        number = None
    if number is None or number < 1:
        raise SettingError(f"{env}={value!r}: expected a whole number of at least 1")
    return number


DEFAULT_STORE_WAIT = 10.0
"""Seconds a store open waits for another process's lock (``$COLLABATLAS_STORE_WAIT``)."""


def seconds(env: str, value: str | None, default: float) -> float:
    """A number of seconds >= 0 from ``$env`` (``default`` when unset or empty); else :class:`SettingError`."""
    if value is None or not value.strip():
        return default
    try:
        number = float(value.strip())
    except ValueError:
        number = -1.0
    if not 0 <= number < float("inf"):
        raise SettingError(f"{env}={value!r}: expected a number of seconds of at least 0, e.g. 10")
    return number


def match_workers() -> int | None:
    """``$COLLABATLAS_MATCH_WORKERS`` (a whole number >= 1), None when unset (then: 1, no workers)."""
    return positive_int(env_var("match_workers"), raw("match_workers"))


def check_environment() -> None:
    """Read every numeric setting of the environment once, so a bad value fails before any work
    (:class:`SettingError` names the variable and what it expects)."""
    EngineSettings()
    match_workers()
    positive_int(env_var("spark_shuffle_partitions"), raw("spark_shuffle_partitions"))


@dataclass(frozen=True)
class EngineSettings:
    """Resource limits handed to DuckDB when a store is opened (checked: :class:`SettingError`)."""

    memory_limit: str | None = field(
        default_factory=lambda: memory_size(env_var("memory_limit"), raw("memory_limit")))
    threads: int | None = field(
        default_factory=lambda: positive_int(env_var("threads"), raw("threads")))
    temp_directory: str | None = field(default_factory=lambda: raw("temp_directory") or None)
    ingest_memory_limit: str = field(default_factory=lambda: memory_size(
        env_var("ingest_memory_limit"), raw("ingest_memory_limit")) or "2GB")
    #: how long opening the store waits while another process holds its lock (then StoreBusyError)
    store_wait: float = field(default_factory=lambda: seconds(
        env_var("store_wait"), raw("store_wait"), DEFAULT_STORE_WAIT))
