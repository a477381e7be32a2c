"""The web server's result cache: every Atlas result is computed once per (method, normalised
parameters, data version) and kept in a least-recently-used cache bounded by memory.

Concurrent requests for the same key wait for the first one to finish instead of running the
same aggregation again ("single flight"). Errors are not cached. The data version is part of the
key, so a store that changes (a new ingest) never serves an old result.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any

import pandas as pd

OBJECT_CELL_BYTES = 64
"""Estimated bytes per cell of an object (string) column: a cheap bound instead of a deep scan."""


def approx_bytes(value: Any) -> int:
    """Rough memory footprint of a cached value (DataFrames and containers of them)."""
    if isinstance(value, bytes | str):
        return 64 + len(value)
    if isinstance(value, pd.DataFrame):
        shallow = int(value.memory_usage(index=True, deep=False).sum())
        objects = sum(1 for dtype in value.dtypes
                      if pd.api.types.is_object_dtype(dtype) or str(dtype).startswith(("str", "string")))
        return shallow + objects * len(value) * OBJECT_CELL_BYTES
    if isinstance(value, dict):
        return 256 + sum(approx_bytes(v) for v in value.values())
    if isinstance(value, list | tuple):
        return 64 + sum(approx_bytes(v) for v in value)
    if hasattr(value, "__dataclass_fields__"):
        return approx_bytes(vars(value))
    return 64


@dataclass
class CacheStats:
    hits: int = 0
    misses: int = 0
    entries: int = 0
    bytes: int = 0
    evictions: int = 0
    compute_seconds: float = 0.0


class ResultCache:
    """A thread-safe LRU of computed results, bounded by ``max_bytes`` (approximate)."""

    def __init__(self, max_bytes: int = 1 << 30, max_entries: int = 4096):
        self.max_bytes = max_bytes
        self.max_entries = max_entries
        self._items: OrderedDict[Hashable, tuple[Any, int]] = OrderedDict()
        self._lock = threading.Lock()
        self._flights: dict[Hashable, threading.Lock] = {}
        self.stats = CacheStats()

    def get_or_compute(self, key: Hashable, compute: Callable[[], Any]) -> tuple[Any, bool]:
        """``(value, was_cached)``: the cached value for ``key``, else ``compute()`` (once per key
        even when several threads ask at the same time)."""
        found = self._lookup(key)
        if found is not None:
            return found[0], True
        with self._lock:
            flight = self._flights.setdefault(key, threading.Lock())
        with flight:
            found = self._lookup(key)  # another thread may have computed it while we waited
            if found is not None:
                return found[0], True
            with self._lock:
                self.stats.misses += 1
            started = time.perf_counter()
            try:
                value = compute()
            finally:
                with self._lock:
                    self._flights.pop(key, None)
            self._store(key, value, time.perf_counter() - started)
            return value, False

    def peek(self, key: Hashable) -> tuple[Any] | None:
        """``(value,)`` when ``key`` is cached (counted as a hit), else None; computes nothing."""
        return self._lookup(key)

    def _lookup(self, key: Hashable) -> tuple[Any] | None:
        with self._lock:
            item = self._items.get(key)
            if item is None:
                return None
            self._items.move_to_end(key)
            self.stats.hits += 1
            return (item[0],)

    def _store(self, key: Hashable, value: Any, seconds: float) -> None:
        size = approx_bytes(value)
        with self._lock:
            self.stats.compute_seconds += seconds
            if size > self.max_bytes:  # larger than the whole cache: serve it, do not keep it
                return
            old = self._items.pop(key, None)
            if old is not None:
                self.stats.bytes -= old[1]
            self._items[key] = (value, size)
            self.stats.bytes += size
            while self._items and (self.stats.bytes > self.max_bytes or len(self._items) > self.max_entries):
                _, (_, dropped) = self._items.popitem(last=False)
                self.stats.bytes -= dropped
                self.stats.evictions += 1
            self.stats.entries = len(self._items)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self.stats = CacheStats()
