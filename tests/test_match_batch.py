"""Issue 29: the batch runner matches on several forked processes, in input order, with the results the
matcher gives one by one."""

from __future__ import annotations

import pytest

from collabatlas.affiliations import match_batch as batch
from collabatlas.affiliations.match_batch import BatchMatcher, default_workers, match_batch, usable_cores
from collabatlas.affiliations.matching import AffiliationMatcher
from collabatlas.errors import UserError

INSTITUTIONS = [
    ("00b0aaa01", "Philipps University of Marburg", ["education"], "DE", "Marburg", "active"),
    ("00b0aaa02", "University of Tokyo", ["education"], "JP", "Tokyo", "active"),
    ("00b0aaa03", "Mayo Clinic", ["healthcare"], "US", "Rochester", "active"),
    ("00b0aaa04", "Charles University", ["education"], "CZ", "Prague", "active"),
]
ADDRESSES = ["Univ Tokyo, Dept Phys, Tokyo 1130033, Japan", "Mayo Clinic, Rochester, MN 55905 USA",
             "Philipps Univ Marburg, Dept Chem, Marburg, Germany", "Charles Univ, Prague, Czechoslovakia",
             "Department of Physics", "Institute of Nothing, Hefei, Anhui", "", "Mayo Clinic, Rochester, MN 55905 USA"]


def _matcher() -> AffiliationMatcher:
    names = [(rid, name, "ror_display") for rid, name, *_ in INSTITUTIONS]
    return AffiliationMatcher(INSTITUTIONS, names, min_confidence=0)


def _check_batch(workers: int) -> None:
    """The batch on ``workers`` processes equals one by one, in input order, with progress in order; no
    worker may die (a warning would mean the in-process fallback did the work)."""
    import warnings

    batch.MIN_PARALLEL = 1  # fork even for a few strings
    addresses = [f"{a} #{i % 7}" if a else a for i, a in enumerate(ADDRESSES * 40)]
    expected = [_matcher().match(a) for a in addresses]
    seen = []
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        got = match_batch(_matcher(), addresses, workers=workers,
                          progress=lambda done, total: seen.append((done, total)))
    assert got == expected
    distinct = len(set(addresses))
    assert seen and seen[-1] == (distinct, distinct) and [d for d, _ in seen] == sorted(d for d, _ in seen)


@pytest.mark.parametrize("workers", [1, 2, 3])
def test_batch_results_equal_one_by_one_in_input_order(workers):
    """Run in a fresh interpreter: forking this test process (which has run DuckDB, Spark and browser
    tests' threads) is exactly the case the opt-in default avoids."""
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    code = f"import sys; sys.path[:0] = [{str(root)!r}]; from tests.test_match_batch import _check_batch; " \
           f"_check_batch({workers}); print('ok')"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=600)
    assert out.returncode == 0 and out.stdout.strip() == "ok", out.stderr[-3000:]


def _die(chunk):
    import os

    os._exit(3)


def test_a_dying_worker_falls_back_to_this_process(monkeypatch):
    """A worker that dies (a fork that cannot run) is not waited for: a warning, and the same results."""
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    code = (f"import sys, warnings; sys.path[:0] = [{str(root)!r}]\n"
            "from collabatlas.affiliations import match_batch as batch\n"
            "from tests.test_match_batch import ADDRESSES, _matcher, _die\n"
            "batch.MIN_PARALLEL = 1\nbatch._match_chunk = _die\n"
            "with warnings.catch_warnings(record=True) as caught:\n"
            "    warnings.simplefilter('always')\n"
            "    got = batch.match_batch(_matcher(), ADDRESSES * 3, workers=2)\n"
            "assert got == [_matcher().match(a) for a in ADDRESSES * 3]\n"
            "assert any('worker process of the address matcher died' in str(w.message) for w in caught), caught\n"
            "print('ok')")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=600)
    assert out.returncode == 0 and out.stdout.strip() == "ok", out.stderr[-3000:]


def test_small_batches_stay_in_this_process(monkeypatch):
    def refuse(*_):
        raise AssertionError("no pool for a small batch")
    monkeypatch.setattr(batch.multiprocessing, "get_context", refuse)
    assert [m.ror_id for m in match_batch(_matcher(), ADDRESSES[:3], workers=2)] == ["00b0aaa02", "00b0aaa03",
                                                                                        "00b0aaa01"]


def test_batch_matcher_wraps_match_many(monkeypatch):
    wrapped = BatchMatcher(_matcher(), workers=2)
    assert wrapped.match_many(ADDRESSES) == _matcher().match_many(ADDRESSES)
    assert wrapped.match(ADDRESSES[0]).ror_id == "00b0aaa02"  # everything else is the matcher's


def test_workers_setting(monkeypatch):
    monkeypatch.delenv("COLLABATLAS_MATCH_WORKERS", raising=False)
    assert default_workers() == 1 and usable_cores() >= 1  # forking is opt-in
    monkeypatch.setenv("COLLABATLAS_MATCH_WORKERS", "3")
    assert default_workers() == 3
    monkeypatch.setenv("COLLABATLAS_MATCH_WORKERS", "0")
    with pytest.raises(UserError, match="COLLABATLAS_MATCH_WORKERS='0': expected a whole number of at least 1"):
        default_workers()
    with pytest.raises(ValueError, match="workers: expected at least 1"):
        match_batch(_matcher(), ADDRESSES, workers=0)
