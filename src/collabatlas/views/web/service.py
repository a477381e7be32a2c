"""What the web routes share: the store (one Atlas per thread), the result cache, the data directory.

:meth:`Service.run` is the one path from a request to an Atlas method: it normalises the parameters
(so ``years=2015-2021`` and ``years=2015..2021`` are the same cache entry, and a bad value fails
before any query runs), keys the cache on (method, parameters, data version), and computes on a
miss with this thread's Atlas.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from collabatlas.atlas import Atlas
from collabatlas.atlas.inputs import check_subjects, parse_window, parse_years
from collabatlas.views.web.cache import ResultCache
from collabatlas.views.web.connections import ThreadAtlases

DEFAULT_CACHE_BYTES = 1 << 30


def _items(value: str | tuple[str, ...]) -> tuple[str, ...]:
    parts = value.split(",") if isinstance(value, str) else value
    return tuple(s.strip() for s in parts if s.strip())


def normalise(params: dict[str, Any]) -> dict[str, Any]:
    """Parameters in canonical form (years and window as tuples, subject and type as tuples, strings
    stripped, ``None`` / ``False`` / empty values left out so that they take the library's default;
    normalising twice changes nothing); raises :class:`~collabatlas.counting.filters.FilterError` for a bad
    years / window / subject."""
    out: dict[str, Any] = {}
    for name, value in params.items():
        if hasattr(value, "value"):  # enums
            value = value.value
        if isinstance(value, str):
            value = value.strip()
            if value == "":
                value = None
        if value is not None and name == "years":
            value = parse_years(value)
        elif value is not None and name == "window":
            value = parse_window(value)
        elif value is not None and name == "subject":
            value = check_subjects(_items(value)) or None
        elif value is not None and name == "type":
            value = _items(value) or None
        if value is not None and value is not False:  # absent = the library's default
            out[name] = value
    return out


def freeze(value: Any) -> Any:
    """A hashable version of ``value`` (dicts and lists become sorted tuples)."""
    if isinstance(value, dict):
        return tuple(sorted((k, freeze(v)) for k, v in value.items()))
    if isinstance(value, list | tuple | set | frozenset):
        return tuple(freeze(v) for v in value)
    return value


class Service:
    """The store, its result cache and the data directory, for the lifetime of one web app."""

    def __init__(self, store: str | os.PathLike | Atlas, data_dir: str | os.PathLike | None = None,
                 cache_bytes: int = DEFAULT_CACHE_BYTES):
        self.atlases = ThreadAtlases(store)
        self.cache = ResultCache(max_bytes=cache_bytes)
        self.data_dir = Path(data_dir) if data_dir else None
        self._version: int | None = None

    @property
    def store_name(self) -> str:
        return str(self.atlases.root.path)

    def atlas(self) -> Atlas:
        return self.atlases.get()

    def run(self, method: str, params: dict[str, Any], compute: Callable[[Atlas, dict[str, Any]], Any]
            ) -> tuple[Any, bool, int]:
        """``(result, was_cached, data_version)`` of ``compute(atlas, normalised_params)``."""
        params = normalise(params)
        atlas = self.atlas()
        version = self.data_version(atlas)
        key = (method, freeze(params), version)
        value, cached = self.cache.get_or_compute(key, lambda: compute(atlas, params))
        return value, cached, version

    def data_version(self, atlas: Atlas) -> int:
        """The store's data version: read once when the store is open read-only (no process can
        change it then: DuckDB's file lock keeps writers out), else on every request."""
        if not self.atlases.read_only:
            return atlas.data_version
        if self._version is None:
            self._version = atlas.data_version
        return self._version

    def call(self, method: str, **params: Any) -> tuple[Any, bool, int]:
        """``run`` for an Atlas method called with ``params`` as keyword arguments."""
        return self.run(method, params, lambda atlas, p: getattr(atlas, method)(**p))

    WARM = (("scores", {"level": "country"}), ("scores", {"level": "institution"}), ("pairs", {"level": "country"}),
            ("totals", {"level": "country"}), ("works_per_year", {}))

    def warm(self) -> None:
        """Compute what the overview and the page defaults need (whole store, no filter)."""
        for method, params in self.WARM:
            self.call(method, **params)

    def warm_in_background(self) -> threading.Thread:
        thread = threading.Thread(target=self.warm, name="warm-cache", daemon=True)
        thread.start()
        return thread

    def close(self) -> None:
        self.atlases.close()
