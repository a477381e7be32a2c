"""The ingest and sync guarantees of the README: literal paths, the accounting identity on every run,
the sync watermark rule, merge graphs, in-memory stores refused, a read-only verify, a busy store."""

from __future__ import annotations

import gzip
import json
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

import collabatlas
from collabatlas.sources.ingest_report import AccountingError, IngestReport
from collabatlas.sources.paths import duckdb_literal, expand_user_paths
from collabatlas.views.cli import app
from tests.conftest import work, write_jsonl

JP_US = [[("I1", "JP")], [("I2", "US")]]


def _ids(atlas) -> list[str]:
    return sorted(r[0] for r in atlas.con.execute("SELECT work_id FROM works").fetchall())


# -- 1. paths are literal ---------------------------------------------------------------------
def test_bracket_and_star_file_names_are_read_as_themselves(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    write_jsonl(folder / "works[1].jsonl", [work("W1", JP_US)])
    write_jsonl(folder / "works1.jsonl", [work("W2", JP_US)])
    write_jsonl(folder / "star*.jsonl", [work("W3", JP_US)])
    write_jsonl(folder / "starX.jsonl", [work("W4", JP_US)])
    with collabatlas.open(tmp_path / "s.duckdb") as atlas:
        # the folder: each file read exactly once (works1.jsonl not twice, works[1].jsonl not never)
        report = atlas.ingest(folder)
        assert sorted(f.path for f in report.files) == sorted(str(folder / n) for n in
                                                             ("works[1].jsonl", "works1.jsonl", "star*.jsonl",
                                                              "starX.jsonl"))
        assert [f.records for f in report.files] == [1, 1, 1, 1]
        assert report.records_read == 4 and report.works_inserted == 4 and report.unaccounted == 0
    with collabatlas.open(tmp_path / "one.duckdb") as atlas:
        assert atlas.ingest(folder / "works[1].jsonl").records_read == 1
        assert _ids(atlas) == ["W1"]
        assert atlas.ingest(folder / "star*.jsonl").records_read == 1  # exists: not a pattern
        assert _ids(atlas) == ["W1", "W3"]


def test_a_bracket_folder_is_not_its_lookalike(tmp_path):
    write_jsonl((tmp_path / "data[1]").mkdir() or tmp_path / "data[1]" / "w.jsonl", [work("W1", JP_US)])
    write_jsonl((tmp_path / "data1").mkdir() or tmp_path / "data1" / "w.jsonl", [work("W2", JP_US)])
    store = tmp_path / "s.duckdb"
    result = CliRunner().invoke(app, ["ingest", str(tmp_path / "data[1]"), "--store", str(store), "--json"])
    assert result.exit_code == 0, result.output
    with collabatlas.open(store, read_only=True) as atlas:
        assert _ids(atlas) == ["W1"]


def test_a_pattern_that_is_no_path_is_expanded_and_one_matching_nothing_is_refused(tmp_path):
    write_jsonl(tmp_path / "a1.jsonl", [work("W1", JP_US)])
    write_jsonl(tmp_path / "a2.jsonl", [work("W2", JP_US)])
    write_jsonl(tmp_path / "b.jsonl", [work("W3", JP_US)])
    assert expand_user_paths([str(tmp_path / "a*.jsonl")]) == [str(tmp_path / "a1.jsonl"), str(tmp_path / "a2.jsonl")]
    with collabatlas.open(tmp_path / "s.duckdb") as atlas:
        assert atlas.ingest(str(tmp_path / "a?.jsonl")).records_read == 2
        assert _ids(atlas) == ["W1", "W2"]
    result = CliRunner().invoke(app, ["ingest", str(tmp_path / "z*.jsonl"), "--store", str(tmp_path / "s.duckdb")])
    assert result.exit_code == 2 and "matches nothing" in result.output


def test_duckdb_literal_escapes_pattern_characters():
    assert duckdb_literal("/a/works[1].jsonl") == "/a/works[[]1].jsonl"
    assert duckdb_literal("/star*?.jsonl") == "/star[*][?].jsonl"
    assert duckdb_literal("plain/name.jsonl") == "plain/name.jsonl"
    assert duckdb_literal("../x/works[1].jsonl") == os.path.abspath("../x") + "/works[[]1].jsonl"


def test_relative_bracket_paths_with_dot_dot_are_read(tmp_path, monkeypatch):
    (tmp_path / "a" / "b").mkdir(parents=True)
    write_jsonl(tmp_path / "works[1].jsonl", [work("W1", JP_US)])
    write_jsonl(tmp_path / "works1.jsonl", [work("W2", JP_US)])
    monkeypatch.chdir(tmp_path / "a" / "b")
    with collabatlas.open(tmp_path / "s.duckdb") as atlas:
        report = atlas.ingest("../../works[1].jsonl", "../../a/../works1.jsonl")
        assert report.records_read == 2 and report.unaccounted == 0
        assert [f.path for f in report.files] == ["../../works[1].jsonl", "../../a/../works1.jsonl"]
        assert [f.reader for f in report.files] == ["fast", "fast"]  # no fallback: DuckDB found the files
        assert _ids(atlas) == ["W1", "W2"]


def test_import_tables_of_a_bracket_folder(tmp_path):
    with collabatlas.open(tmp_path / "a.duckdb") as atlas:
        atlas.ingest(write_jsonl(tmp_path / "w.jsonl", [work("W1", JP_US), work("W2", JP_US)]))
    runner = CliRunner()
    out = tmp_path / "exp[1]"
    assert runner.invoke(app, ["export", str(out), "--store", str(tmp_path / "a.duckdb")]).exit_code == 0
    result = runner.invoke(app, ["import-tables", str(out), "--store", str(tmp_path / "b.duckdb")])
    assert result.exit_code == 0, result.output
    with collabatlas.open(tmp_path / "b.duckdb", read_only=True) as atlas:
        assert _ids(atlas) == ["W1", "W2"]


# -- 4. the accounting identity --------------------------------------------------------------------
def test_the_accounting_identity_is_in_the_json_summary(tmp_path):
    good = [work("W1", JP_US), work("W2", JP_US)]
    path = write_jsonl(tmp_path / "w.jsonl", good)
    path.write_bytes(path.read_bytes() + b'{"id": "broken\n' + b'{"id": "https://openalex.org/W9"}\n')
    result = CliRunner().invoke(app, ["ingest", str(path), "--store", str(tmp_path / "s.duckdb"), "--json"])
    assert result.exit_code == 3, result.output  # a malformed line is damage
    summary = json.loads(result.stdout)
    acc = summary["accounting"]
    assert acc["read"] == 4 and acc["stored"] == 2 and acc["unaccounted"] == 0
    assert acc["skipped"] == {"record without authorships": 1}
    assert acc["lost to damage"] == {str(path): 1}
    plain = CliRunner().invoke(app, ["ingest", str(path), "--store", str(tmp_path / "t.duckdb")])
    assert plain.exit_code == 3
    text = " ".join(plain.stdout.split())  # the table's caption: the identity with this run's numbers
    assert "records read 4 = stored 2 + replaced 0 + unchanged 0" in text and "skipped 1 + lost to damage 1" in text


def test_an_identity_that_does_not_hold_stops_the_run_naming_the_file():
    report = IngestReport()
    report.files.append(type("F", (), {"path": "x.jsonl"})())
    report.count_read("works", 3)
    report.works_inserted = 2
    with pytest.raises(AccountingError, match=r"1 records in no bucket.* in x\.jsonl"):
        report.check_accounting()
    report.works_inserted = 3
    report.check_accounting()
    report.skip("truncated or corrupt gzip", "x.jsonl")
    report.count_read("works", 1)
    with pytest.raises(AccountingError, match="without a file named"):
        report.check_accounting()  # damage must be attributed to a file
    report.lost_in("x.jsonl", 1)
    report.check_accounting()


def test_a_broken_count_is_not_committed(tmp_path, monkeypatch):
    from collabatlas.ingest import merge as merge_module

    store = tmp_path / "s.duckdb"
    with collabatlas.open(store) as atlas:
        atlas.ingest(write_jsonl(tmp_path / "a.jsonl", [work("W1", JP_US)]))
        original = merge_module.count_records

        def miscount(con, report):
            original(con, report)
            report.works_inserted += 1  # a bucket counted twice

        monkeypatch.setattr(merge_module, "count_records", miscount)
        with pytest.raises(AccountingError, match=r"b\.jsonl"):
            atlas.ingest(write_jsonl(tmp_path / "b.jsonl", [work("W2", JP_US)]))
        assert _ids(atlas) == ["W1"]



# -- 2. the sync watermark rule ---------------------------------------------------------------------
def _partition(root, day: str, records: list, entity: str = "works") -> Path:
    folder = root / entity / f"updated_date={day}"
    folder.mkdir(parents=True, exist_ok=True)
    return write_jsonl(folder / "part_000.gz", records, gz=True)


def _sync(root, store, *extra):
    result = CliRunner().invoke(app, ["sync", str(root), "--store", str(store), "--json", *extra])
    return result, (json.loads(result.stdout) if result.stdout.strip().startswith("{") else None)


def test_sync_never_passes_a_damaged_partition_and_reads_it_after_the_repair(tmp_path):
    root, store = tmp_path / "snap", tmp_path / "s.duckdb"
    _partition(root, "2024-01-01", [work("W1", JP_US, updated="2024-01-01T00:00:00")])
    many = [work(f"W{100 + i}", JP_US, updated="2024-02-01T00:00:00") for i in range(300)]
    part = _partition(root, "2024-02-01", many)
    whole = part.read_bytes()
    part.write_bytes(whole[: len(whole) * 6 // 10])  # truncated gzip
    _partition(root, "2024-03-01", [work("W2", JP_US, updated="2024-03-01T00:00:00")])

    result, summary = _sync(root, store)
    assert result.exit_code == 3, result.output
    assert str(part) in result.stderr
    assert list(summary["damaged_files"]) == [str(part)]
    assert summary["watermarks_after"]["works"] == "2024-01-01"  # not past the damaged partition
    with collabatlas.open(store, read_only=True) as atlas:
        stored = atlas.con.execute("SELECT count(*) FROM works").fetchone()[0]
        assert 2 < stored < 302  # W1, W2 and the works before the break

    part.write_bytes(whole)  # repaired
    result, summary = _sync(root, store)
    assert result.exit_code == 0, result.output
    assert summary["partitions"]["works"] == ["2024-02-01", "2024-03-01"]
    assert summary["watermarks_after"]["works"] == "2024-03-01"
    with collabatlas.open(store, read_only=True) as atlas:
        assert atlas.con.execute("SELECT count(*) FROM works").fetchone()[0] == 302
    result, summary = _sync(root, store)
    assert result.exit_code == 0 and not summary["changed"]


@pytest.mark.parametrize("bad", ["updated_date=2024-13-45", "updated_date=2024-02-30", "updated_date=soon"])
def test_sync_refuses_a_partition_name_that_is_no_date(tmp_path, bad):
    root, store = tmp_path / "snap", tmp_path / "s.duckdb"
    _partition(root, "2024-01-01", [work("W1", JP_US)])
    (root / "works" / bad).mkdir()
    write_jsonl(root / "works" / bad / "part_000.gz", [work("W2", JP_US)], gz=True)
    result = CliRunner().invoke(app, ["sync", str(root), "--store", str(store)])
    assert result.exit_code == 2 and bad in result.output
    with collabatlas.open(store) as atlas:
        assert atlas.con.execute("SELECT count(*) FROM works").fetchone()[0] == 0  # nothing, no watermark
        from collabatlas.store.schema import meta_get

        assert meta_get(atlas.con, "openalex_works_watermark") is None


def test_sync_refuses_a_partition_that_is_a_file(tmp_path):
    root, store = tmp_path / "snap", tmp_path / "s.duckdb"
    _partition(root, "2024-01-01", [work("W1", JP_US)])
    write_jsonl(root / "works" / "updated_date=2024-02-01", [work("W2", JP_US)], gz=True)
    result = CliRunner().invoke(app, ["sync", str(root), "--store", str(store)])
    assert result.exit_code == 2 and "updated_date=2024-02-01 (a file" in result.output


# -- 3. merge graphs ------------------------------------------------------------------------------
def _merged(root, day: str, rows: str, entity: str = "works") -> None:
    folder = root / "merged_ids" / entity
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{day}.csv.gz").write_bytes(gzip.compress(("merge_date,id,merge_into_id\n" + rows).encode()))


def test_self_merges_and_cycles_are_refused_with_their_ids_and_the_count_is_true(tmp_path):
    root, store = tmp_path / "snap", tmp_path / "s.duckdb"
    _partition(root, "2024-01-01", [work(f"W{i}", JP_US, updated="2024-01-01T00:00:00") for i in range(1, 6)])
    assert _sync(root, store)[0].exit_code == 0
    # W1 into itself; W2 into W3 and W3 into W2 (a cycle); W4 into W5 (a real merge)
    _merged(root, "2024-02-01", "2024-02-01,W1,W1\n2024-02-01,W2,W3\n2024-02-01,W3,W2\n"
                                "2024-02-01,https://openalex.org/W4,https://openalex.org/W5\n")
    result, summary = _sync(root, store)
    assert result.exit_code == 0, result.output
    assert summary["works_merged_away"] == 1
    assert summary["merged_ids_refused"] == {"merged into itself (refused: the work would vanish)": 1,
                                             "part of a cycle of merges (refused: every work on it would vanish)": 2}
    assert any("W1" in n for n in summary["notes"]) and any("W2, W3" in n for n in summary["notes"])
    with collabatlas.open(store, read_only=True) as atlas:
        assert _ids(atlas) == ["W1", "W2", "W3", "W5"]
    # a cycle through a merge stored by an earlier sync: W5 into W4 (W4 is already merged into W5)
    _merged(root, "2024-03-01", "2024-03-01,W5,W4\n")
    result, summary = _sync(root, store)
    assert summary["works_merged_away"] == 0 and sum(summary["merged_ids_refused"].values()) == 1
    with collabatlas.open(store, read_only=True) as atlas:
        assert _ids(atlas) == ["W1", "W2", "W3", "W5"]


def test_merged_away_records_of_the_input_are_counted_in_the_sync_summary(tmp_path):
    root, store = tmp_path / "snap", tmp_path / "s.duckdb"
    _partition(root, "2024-01-01", [work("W1", JP_US), work("W2", JP_US)])
    _merged(root, "2024-01-01", "2024-01-01,W2,W1\n")
    result, summary = _sync(root, store)
    assert result.exit_code == 0
    assert summary["records_merged_away"] == 1 and summary["works_merged_away"] == 0
    text = CliRunner().invoke(app, ["sync", str(root), "--store", str(tmp_path / "t.duckdb")]).output
    assert "1 records of this input" in text
    assert "records read 2 = stored 1 + replaced 0" in text and "skipped 1 + lost to damage 0" in text


def test_ingest_of_a_snapshot_folder_applies_its_merged_ids_as_sync_does(tmp_path):
    root = tmp_path / "snap"
    _partition(root, "2024-01-01", [work("W1", JP_US), work("W2", JP_US), work("W3", JP_US)])
    _merged(root, "2024-01-01", "2024-01-01,W2,W1\n2024-01-01,W3,W3\n")
    with collabatlas.open(tmp_path / "i.duckdb") as atlas:
        report = atlas.ingest(root)
        assert not any("not OpenAlex JSON" in m for m in report.messages)
        assert report.records_read == 3 and report.works_inserted == 2 and report.unaccounted == 0
        assert report.skipped["merged into another work (OpenAlex merged_ids)"] == 1  # counted once
        assert sum(report.merged_ids_refused.values()) == 1  # W3 into itself
        ingested = _ids(atlas)
        # a later input holding the merged-away record does not bring it back
        again = atlas.ingest(write_jsonl(tmp_path / "old.jsonl", [work("W2", JP_US, updated="2025-01-01T00:00:00")]))
        assert again.skipped["merged into another work (OpenAlex merged_ids)"] == 1
    with collabatlas.open(tmp_path / "s.duckdb") as atlas:
        atlas.sync(root)
        assert _ids(atlas) == ingested == ["W1", "W3"]
    # stored works merged away by a later ingest of merged ids
    with collabatlas.open(tmp_path / "j.duckdb") as atlas:
        atlas.ingest(root / "works")
        assert _ids(atlas) == ["W1", "W2", "W3"]
        report = atlas.ingest(root / "merged_ids")
        assert report.works_merged_away == 1 and _ids(atlas) == ["W1", "W3"]
    rows = dict(report.detail_rows())
    assert rows["stored works merged away (OpenAlex merged_ids)"] == 1
    assert rows["merged ids refused: merged into itself (refused: the work would vanish)"] == 1
    shown = CliRunner().invoke(app, ["ingest", str(root), "--store", str(tmp_path / "k.duckdb")])
    assert shown.exit_code == 0 and "merged ids refused" in shown.stdout and "W3" in shown.output


# -- 5. an in-memory store keeps nothing: refused for input commands ---------------------------------
@pytest.mark.parametrize("command", ["ingest", "sync", "import-tables"])
def test_input_commands_refuse_an_in_memory_store(tmp_path, monkeypatch, command):
    path = write_jsonl(tmp_path / "w.jsonl", [work("W1", JP_US)])
    (tmp_path / "works").mkdir()  # import-tables checks its folder's layout first
    monkeypatch.setenv("COLLABATLAS_STORE", ":memory:")
    result = CliRunner().invoke(app, [command, str(path if command == "ingest" else tmp_path)])
    assert result.exit_code == 2 and ":memory:" in result.output and "nothing read would be kept" in result.output
    monkeypatch.delenv("COLLABATLAS_STORE")
    result = CliRunner().invoke(app, [command, str(path if command == "ingest" else tmp_path), "--store", ":memory:"])
    assert result.exit_code == 2 and "nothing read would be kept" in result.output


# -- 6. verify only reads ---------------------------------------------------------------------------
def test_verify_works_on_a_store_it_cannot_write(tmp_path):
    store = tmp_path / "s.duckdb"
    with collabatlas.open(store) as atlas:
        atlas.ingest(write_jsonl(tmp_path / "w.jsonl", [work("W1", JP_US)]))
    store.chmod(0o444)
    try:
        # a read-only connection held open in this process: another connection must be read-only too
        # (so the test holds also when run as root, whom chmod does not stop)
        with collabatlas.open(store, read_only=True):
            result = CliRunner().invoke(app, ["verify", "--store", str(store)])
        assert result.exit_code == 0, result.output
        assert "unit_shares_country: 2 rows saved, 2 recomputed: equal" in result.output
    finally:
        store.chmod(0o644)


# -- 7. a busy store ------------------------------------------------------------------------------------
def test_a_store_another_process_holds_is_a_plain_message(tmp_path, monkeypatch):
    import subprocess
    import sys

    from collabatlas.errors import answer
    from collabatlas.store.schema import StoreBusyError

    store = tmp_path / "s.duckdb"
    with collabatlas.open(store) as atlas:
        atlas.ingest(write_jsonl(tmp_path / "w.jsonl", [work("W1", JP_US)]))
    holder = subprocess.Popen([sys.executable, "-c", "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); "
                               "print('open', flush=True); time.sleep(60)", str(store)],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "open"
        monkeypatch.setenv("COLLABATLAS_STORE_WAIT", "0")  # give up at once (the default waits 10 s)
        result = CliRunner().invoke(app, ["ingest", str(tmp_path / "w.jsonl"), "--store", str(store)])
        assert result.exit_code == answer(StoreBusyError("x")).exit_code == 1
        text = "".join(result.output.split())  # Rich wraps long lines: compare without white space
        assert f"store{store}isbusy" in text and "collabatlasprocess(e.g.serveoringest)" in text
        assert f"inusebyanotherprocess:PID{holder.pid}" in text
        assert "readonly" not in text.lower() and "Conflictinglock" not in text  # not DuckDB's raw text
    finally:
        holder.kill()
        holder.wait()


# -- 8. extreme works: the pair cap ----------------------------------------------------------------------
def test_a_work_with_more_institutions_than_the_pair_cap_stays_out_of_the_pair_figures_only(tmp_path):
    from benchmarks.bench_extreme_work import extreme_work
    from collabatlas.counting.rules import MAX_PAIR_UNITS

    big = extreme_work(authors=MAX_PAIR_UNITS + 1, institutions=MAX_PAIR_UNITS + 1, countries=2)  # W1
    small = work("W2", [[("I1", "AD")], [("I2", "AE")]])  # two of the big work's institutions
    with collabatlas.open(tmp_path / "s.duckdb") as atlas:
        report = atlas.ingest(write_jsonl(tmp_path / "w.jsonl", [big, small]))
        assert report.works_over_pair_cap == 1
        assert any(f"more than {MAX_PAIR_UNITS:,} institutions" in m for m in report.messages)
        # the saved institution pair table: the small work's pair only (both ways), not 1001 × 1000 rows
        assert atlas.con.execute("SELECT count(*) FROM agg_partners_institution").fetchone()[0] == 2
        # country level: 2 countries, far below the cap: the big work's country pair counts
        pairs = atlas.pairs(level="country").set_index(["unit_a", "unit_b"])
        assert pairs.loc[("AD", "AE"), "joint_count"] == 2
        # Count and Share of the big work's institutions are unchanged: 1,001 institutions of 1/1,001 each
        scores = atlas.scores(level="institution").set_index("unit")
        assert len(scores) == MAX_PAIR_UNITS + 1
        assert scores.loc["I1", "count"] == 2 and scores.loc["I1", "share"] == pytest.approx(1 / 1001 + 0.5)
        # the pairs computed from the unit shares (no aggregate) agree with the saved table
        atlas.use_aggregates = False
        fresh = atlas.pairs(level="institution")
        assert fresh[["unit_a", "unit_b", "joint_count"]].values.tolist() == [["I1", "I2", 1]]
        assert atlas.partners("I1", level="institution")["partner"].tolist() == ["I2"]
        assert all(d.differing == 0 for d in atlas.verify())


def test_sync_refuses_a_merged_id_file_named_with_no_date(tmp_path):
    root, store = tmp_path / "snap", tmp_path / "s.duckdb"
    _partition(root, "2024-01-01", [work("W1", JP_US), work("W2", JP_US)])
    _merged(root, "2024-13-45", "2024-01-01,W2,W1\n")
    result = CliRunner().invoke(app, ["sync", str(root), "--store", str(store)])
    assert result.exit_code == 2 and "2024-13-45.csv.gz" in "".join(result.output.split())


# -- 9. the README's Guarantees point at tests that exist -------------------------------------------------
def test_every_test_the_readme_guarantees_name_exists():
    import re

    root = Path(__file__).resolve().parents[1]
    readme = (root / "README.md").read_text(encoding="utf-8")
    named = re.findall(r"`(tests/[\w/]+\.py)::(\w+)`", readme)
    assert len(named) >= 6
    for path, name in named:
        assert re.search(rf"^def {name}\(", (root / path).read_text(encoding="utf-8"), re.M), f"{path}::{name}"
