"""Matching many addresses on several worker processes (issue 29: >= 1,000 addresses/s on 2 cores).

:func:`match_batch` matches a list of strings with one :class:`~collabatlas.affiliations.matching.AffiliationMatcher`
on ``workers`` processes and returns the results in input order — the same results, field for field, as
``matcher.match`` gives one by one (tests check it on real strings). How:

- the registry (the matcher and its indexes) is built once, in the parent; the workers are *forked*
  from it, so they share its memory copy-on-write and nothing is pickled but the strings and results;
- every distinct string is matched once (an export repeats its addresses), in chunks handed out in order
  (``imap``), so a progress callback sees the count of strings done after each chunk;
- with one worker, fewer than :data:`MIN_PARALLEL` distinct strings (starting processes costs more than it
  saves), or a platform without ``fork`` (Windows; macOS defaults to spawn but has fork), it is a plain loop.

``workers`` defaults to the ``match_workers`` setting (``$COLLABATLAS_MATCH_WORKERS``), else 1: forking
is opt-in, because a process that already runs other threads (DuckDB's, a notebook's, a test runner's)
can leave a forked child unable to run. A worker that dies is not waited for: the batch warns and
matches what is left in this process, so a failed fork costs time, never the results or a hang.
:class:`BatchMatcher` wraps a matcher so that whatever
calls ``match_many`` (the export ingest, ``reattribute``) gets the batch runner.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import warnings
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from collabatlas.affiliations.match_result import AffiliationMatch
from collabatlas.settings import match_workers

MIN_PARALLEL = 2_000
"""Fewer distinct strings than this are matched in this process."""

_WORKER_MATCHER = None  # the matcher the forked workers use (set in the parent just before the fork)


def usable_cores() -> int:
    """The CPU cores this process may run on."""
    try:
        return max(len(os.sched_getaffinity(0)), 1)
    except AttributeError:  # not on Linux
        return max(os.cpu_count() or 1, 1)


def default_workers() -> int:
    """``$COLLABATLAS_MATCH_WORKERS`` when set, else 1 (in this process; see the module docstring)."""
    return match_workers() or 1


def _match_chunk(chunk: list[str]) -> list[AffiliationMatch]:
    return [_WORKER_MATCHER.match(address) for address in chunk]


def _can_fork() -> bool:
    return "fork" in multiprocessing.get_all_start_methods()


def match_batch(matcher, addresses: Sequence[str], workers: int | None = None,
                progress: Callable[[int, int], None] | None = None) -> list[AffiliationMatch]:
    """``[matcher.match(a) for a in addresses]``, on ``workers`` processes (module docstring).
    ``progress(done, total)`` is called as distinct strings are done (``total`` = distinct strings)."""
    global _WORKER_MATCHER
    addresses = list(addresses)
    distinct = list(dict.fromkeys(addresses))
    workers = default_workers() if workers is None else workers
    if workers < 1:
        raise ValueError(f"workers: expected at least 1, got {workers}")
    total = len(distinct)
    if workers == 1 or total < MIN_PARALLEL or not _can_fork():
        results = []
        for i, address in enumerate(distinct, start=1):
            results.append(matcher.match(address))
            if progress is not None and (i % 500 == 0 or i == total):
                progress(i, total)
    else:
        size = max(64, min(2_000, total // (workers * 8) or 1))
        chunks = [distinct[i:i + size] for i in range(0, total, size)]
        results = []
        _WORKER_MATCHER = matcher
        gc.freeze()  # the registry's objects out of the collector's reach: the workers' GC never copies them
        try:
            with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
                for part in pool.map(_match_chunk, chunks):
                    results.extend(part)
                    if progress is not None:
                        progress(len(results), total)
        except BrokenProcessPool:
            warnings.warn(f"a worker process of the address matcher died after {len(results):,} of {total:,} "
                          "strings; matching the rest in this process (set COLLABATLAS_MATCH_WORKERS=1 to "
                          "skip the workers)", RuntimeWarning, stacklevel=2)
            for address in distinct[len(results):]:
                results.append(matcher.match(address))
            if progress is not None:
                progress(len(results), total)
        finally:
            _WORKER_MATCHER = None
            gc.unfreeze()
    by_address = dict(zip(distinct, results, strict=True))
    return [by_address[a] for a in addresses]


class BatchMatcher:
    """A matcher whose ``match_many`` is :func:`match_batch` (``match`` and every other attribute are
    the wrapped matcher's)."""

    def __init__(self, matcher, workers: int | None = None) -> None:
        self.matcher = matcher
        self.workers = workers

    def match_many(self, addresses: Iterable[str]) -> list[AffiliationMatch]:
        return match_batch(self.matcher, list(addresses), self.workers)

    def __getattr__(self, name: str):
        return getattr(self.matcher, name)
