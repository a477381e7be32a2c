"""benchmarks/bench_incremental.py: the --baseline option (refused without a collabatlas package; its
figures printed beside this code's)."""

from __future__ import annotations

import pytest

from benchmarks.bench_incremental import main, summary


def test_baseline_must_be_a_checkouts_src_folder(tmp_path, capsys):
    with pytest.raises(SystemExit) as exc:
        main(["--works", "10", "--parse-works", "0", "--out", str(tmp_path / "out"), "--baseline", str(tmp_path)])
    assert exc.value.code == 2
    assert "no collabatlas package there" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def _sync(total: float, cpu: float) -> dict:
    return {"total_s": total, "cpu_s": cpu, "ingest_s": 1.0, "maintenance_s": 0.5, "derived_update": "incremental",
            "works_recounted": 110, "peak_rss_gb": 0.2, "steps": {"commit": 0.1}, "runs_total_s": [total]}


def test_summary_sets_the_baseline_beside_this_code():
    inc = {"works": 10_000, "build_kind": "tables", "full_build_s": 100.0, "sync_s": 4.0, "sync_cpu_s": 3.0,
           "ratio": 0.04, "cpu_ratio": None, "equal": True, "ranges": None,
           "build": {"load_s": 60.0, "derived_s": 40.0, "peak_rss_gb": 1.0},
           "update": {"new": 50, "replaced": 50, "merged": 10}, "sync": _sync(4.0, 3.0),
           "rebuild": {"rebuild_s": 20.0}, "verify": {"verify_s": 5.0},
           "baseline": {"src": "/x/src", "full_build_s": 80.0, "sync": _sync(5.0, 4.0), "sync_s": 5.0,
                        "sync_cpu_s": 4.0, "ratio": 5.0 / 80.0}}
    text = "\n".join(summary({"incremental": inc}))
    assert ("baseline (/x/src), same run: full build 80.0 s; sync 5.00 s (median of 5.00; CPU 4.00 s); "
            "ratio 0.062") in text
    assert "this code / baseline, sync: 0.80 (wall), 0.75 (CPU)" in text
