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
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

from collabatlas.atlas import Atlas
from collabatlas.atlas.inputs import check_subjects, parse_window, parse_years
from collabatlas.errors import StoreBusyError
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
    """The store, its result cache and the data directory, for the lifetime of one web app. The store
    is open only while a request is answered (:mod:`.connections`): other processes may write it
    between requests, and the next request reads the new data version."""

    def __init__(self, store: str | os.PathLike | Atlas, data_dir: str | os.PathLike | None = None,
                 cache_bytes: int = DEFAULT_CACHE_BYTES):
        self.atlases = ThreadAtlases(store)
        self.cache = ResultCache(max_bytes=cache_bytes)
        self.data_dir = Path(data_dir) if data_dir else None

    @property
    def store_name(self) -> str:
        return str(self.atlases.path)

    def lease(self) -> AbstractContextManager[None]:
        """The store may stay open inside this block (one request); see :meth:`ThreadAtlases.lease`."""
        return self.atlases.lease()

    def atlas(self) -> Atlas:
        """This thread's Atlas over the store, opened if needed (call inside :meth:`lease`)."""
        return self.atlases.get()

    def run(self, method: str, params: dict[str, Any], compute: Callable[[Atlas, dict[str, Any]], Any]
            ) -> tuple[Any, bool, int]:
        """``(result, was_cached, data_version)`` of ``compute(atlas, normalised_params)``. A cached
        result of the store's data version is served without opening the store."""
        params = normalise(params)
        with self.lease():
            version = self.atlases.version()
            found = self.cache.peek((method, freeze(params), version))
            if found is not None:
                return found[0], True, version
            atlas = self.atlas()
            version = atlas.data_version  # the store's, now that it is open
            key = (method, freeze(params), version)
            value, cached = self.cache.get_or_compute(key, lambda: compute(atlas, params))
            return value, cached, version

    def data_version(self, atlas: Atlas) -> int:
        """The data version of the store ``atlas`` reads (read-only: fixed while it is open)."""
        return atlas.data_version

    def call(self, method: str, **params: Any) -> tuple[Any, bool, int]:
        """``run`` for an Atlas method called with ``params`` as keyword arguments."""
        return self.run(method, params, lambda atlas, p: getattr(atlas, method)(**p))

    WARM = (("scores", {"level": "country"}), ("scores", {"level": "institution"}), ("pairs", {"level": "country"}),
            ("totals", {"level": "country"}), ("works_per_year", {}))

    def warm(self) -> None:
        """Compute what the overview and the page defaults need (whole store, no filter), with the
        store opened once for all of them; skipped while another process writes the store (the
        first requests after it compute them)."""
        try:
            with self.lease():
                for method, params in self.WARM:
                    self.call(method, **params)
        except StoreBusyError:
            return

    def warm_in_background(self) -> threading.Thread:
        thread = threading.Thread(target=self.warm, name="warm-cache", daemon=True)
        thread.start()
        return thread

    def close(self) -> None:
        self.atlases.close()
