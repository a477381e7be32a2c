"""Bad OpenAlex input (issue 12): each test is a defect class that used to abort a run, lose records
silently or store them differently depending on the reader. Inputs are made here, small."""

from __future__ import annotations

import copy
import gzip
import json
import os
import time

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

import collabatlas
from collabatlas.ingest import scratch
from collabatlas.sources.ingest_report import DAMAGED_EXIT_CODE
from collabatlas.sources.record import REASONS
from collabatlas.views.cli import app
from tests.conftest import institution, work, write_jsonl

TABLES = ("works", "authorships", "affiliations", "author_countries", "institutions")


def rows(atlas) -> dict:
    return {t: atlas.con.execute(f"SELECT * FROM {t} ORDER BY ALL").fetchall() for t in TABLES}


def ingest(tmp_path, *paths, store=":memory:"):
    atlas = collabatlas.open(store)
    return atlas, atlas.ingest(*paths)


def accounted(report, records: int | None = None) -> None:
    assert report.unaccounted == 0, report.to_dict()
    if records is not None:
        assert report.records_read == records


def two_works():
    return work("W1", [[("I1", "US")], [("I2", "FR")]]), work("W2", [[("I3", "DE")]])


# -- item 2: a bad authorship or year never aborts the run -------------------------------------

BAD_AUTHORSHIPS = {
    "institutions null": lambda w: w["authorships"][0].__setitem__("institutions", None),
    "institutions missing": lambda w: w["authorships"][0].pop("institutions"),
    "countries null": lambda w: w["authorships"][0].__setitem__("countries", None),
    "null authorship entry": lambda w: w["authorships"].append(None),
    "null institution entry": lambda w: w["authorships"][0]["institutions"].append(None),
    "author null": lambda w: w["authorships"][0].__setitem__("author", None),
}


@pytest.mark.parametrize("case", sorted(BAD_AUTHORSHIPS))
def test_bad_authorship_is_stored_as_far_as_valid_and_other_files_survive(tmp_path, case):
    bad, other = two_works()
    BAD_AUTHORSHIPS[case](bad)
    folder = tmp_path / "in"
    folder.mkdir()
    write_jsonl(folder / "a.jsonl", [bad])
    write_jsonl(folder / "b.jsonl", [other, work("W3", [[("I4", "JP")]])])
    atlas, report = ingest(tmp_path, folder)
    assert atlas.con.execute("SELECT count(*) FROM works").fetchone()[0] == 3
    accounted(report, 3)
    n_authors = atlas.con.execute("SELECT n_authors FROM works WHERE work_id = 'W1'").fetchone()[0]
    assert n_authors == len(bad["authorships"])
    if case == "null authorship entry":
        assert report.warnings["null or empty authorship entry (kept as an author with no known affiliation)"] == 1


def test_year_beyond_int32_is_not_a_traceback(tmp_path):
    bad, other = two_works()
    bad["publication_year"] = 2**40
    bad["publication_date"] = None
    atlas, report = ingest(tmp_path, write_jsonl(tmp_path / "w.jsonl", [bad, other]))
    # the record contract: a year outside the plausible range, and no date to take one from: skipped
    assert atlas.con.execute("SELECT work_id, year FROM works ORDER BY 1").fetchall() == [("W2", 2020)]
    assert report.skipped[REASONS["year-range"]] == 1
    accounted(report, 2)


# -- item 6: one work id, one institution id ----------------------------------------------------

def test_work_and_institution_ids_in_any_spelling_are_one(tmp_path):
    spellings = ["W500", "w500", "https://openalex.org/W500", "https://api.openalex.org/works/W500",
                 "https://openalex.org/W500/", " W500 "]
    inst = ["I2", "i2", "https://openalex.org/I2", "https://api.openalex.org/institutions/I2", "I2/", "i2"]
    records = []
    for n, (wid, iid) in enumerate(zip(spellings, inst, strict=False)):
        rec = work("W500", [[institution("I2", "US")]], updated=f"2024-01-0{n + 1}T00:00:00")
        rec["id"] = wid
        rec["authorships"][0]["institutions"][0]["id"] = iid
        rec["authorships"][0]["institutions"][0]["lineage"] = [iid]
        records.append(rec)
    atlas, report = ingest(tmp_path, write_jsonl(tmp_path / "w.jsonl", records))
    assert atlas.con.execute("SELECT work_id FROM works").fetchall() == [("W500",)]
    assert atlas.con.execute("SELECT institution_id, lineage FROM institutions").fetchall() == [("I2", ["I2"])]
    assert report.works_superseded_in_input == 5
    accounted(report, 6)
    # an institution entity file in lower case is still an institution file
    entity = {**institution("I7", "JP"), "id": "https://openalex.org/i7"}
    atlas.ingest(write_jsonl(tmp_path / "inst.jsonl", [entity]))
    assert atlas.con.execute("SELECT origin FROM institutions WHERE institution_id = 'I7'").fetchone() == ("entity",)


# -- item 8: one rule for the fast and the careful reader ---------------------------------------

def coerced_records():
    """Values the fast reader used to coerce and the careful one to reject."""
    a = work("W11", [[("I1", "US")], [("I2", "FR")]], year=2019)
    a["publication_year"] = 2019.0  # float year
    b = work("W12", [[("I3", "DE")]])
    b["authorships"][0]["author_position"] = 1  # int author_position
    c = work("W13", [[("I4", "JP")]], is_authors_truncated="false")  # "false" boolean
    d = work("W14", [[("I5", "CN")]], year=2018)
    d["publication_year"] = "2018"  # year as a string
    e = work("W15", [[("I6", "IT")]])
    e["id"] = 15  # int id: not a work id under either reader
    f = work("W16", [[("I7", "ES")]], is_authors_truncated=True)
    f["authorships"][0]["institutions"][0]["id"] = 7  # int institution id
    g = work("W17", [[("I8", "BR")]])
    g["publication_year"] = 2020.5  # not a whole number
    return [a, b, c, d, e, f, g]


def test_fast_and_careful_readers_store_the_same_records_identically(tmp_path):
    records = coerced_records()
    fast_atlas, fast = ingest(tmp_path, write_jsonl(tmp_path / "fast.jsonl", records))
    assert fast.files[0].reader == "fast"
    path = tmp_path / "careful.jsonl"
    path.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in records) + b"{not json\n")
    careful_atlas, careful = ingest(tmp_path, path)
    assert careful.files[0].reader == "careful"
    assert rows(fast_atlas) == rows(careful_atlas)
    assert fast_atlas.con.execute("SELECT count(*) FROM works").fetchone()[0] == 6  # the int id is skipped
    assert dict(careful.skipped) == {**fast.skipped, "malformed JSON line": 1}
    assert dict(careful.warnings) == dict(fast.warnings)
    assert fast_atlas.con.execute("SELECT year FROM works WHERE work_id IN ('W11', 'W14', 'W17') ORDER BY work_id"
                                  ).fetchall() == [(2019,), (2018,), (2020,)]  # 2020.5: from publication_date
    assert fast_atlas.con.execute("SELECT work_id FROM works WHERE authors_truncated").fetchall() == [("W16",)]
    accounted(fast, 7)
    accounted(careful, 8)


def test_first_line_with_a_byte_order_mark_is_read_by_both_readers(tmp_path):
    w1, w2 = two_works()
    fast = tmp_path / "bom.jsonl"
    fast.write_bytes(b"\xef\xbb\xbf" + orjson.dumps(w1) + b"\n" + orjson.dumps(w2) + b"\n")
    careful = tmp_path / "bom_bad.jsonl"
    careful.write_bytes(fast.read_bytes() + b"garbage\n")
    a, ra = ingest(tmp_path, fast)
    b, rb = ingest(tmp_path, careful)
    assert rb.files[0].reader == "careful" and rb.skipped == {"malformed JSON line": 1}
    assert rows(a) == rows(b) and len(rows(a)["works"]) == 2


# -- item 9: country codes that are not ISO 3166 -----------------------------------------------

def test_non_iso_country_codes_are_unknown_with_a_counted_warning(tmp_path):
    records = [work("W1", [[("I1", "XX")], [("I2", "FR")]]), work("W2", [[("I3", "XK")]]),
               work("W3", [{"countries": ["ZZ", "de"]}])]
    atlas, report = ingest(tmp_path, write_jsonl(tmp_path / "w.jsonl", records))
    assert atlas.con.execute("SELECT DISTINCT country_code FROM author_countries ORDER BY 1").fetchall() == [
        ("DE",), ("FR",), ("XK",)]
    assert atlas.con.execute("SELECT country_code FROM institutions WHERE institution_id = 'I1'").fetchone() == (None,)
    assert "XX" not in set(atlas.scores(level="country")["unit"])
    assert report.warnings["institution country_code not ISO 3166-1 alpha-2 "
                           "(treated as unknown; institutions counted)"] == 1
    # W1's author 1 lists XX among countries, W3 lists ZZ
    assert report.warnings["authorship country not ISO 3166-1 alpha-2 (treated as unknown; entries counted)"] == 2


# -- item 11: a gzip with garbage inside --------------------------------------------------------

def test_gzip_with_valid_header_and_garbage_inside_is_skipped_and_counted(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "bad.jsonl.gz").write_bytes(gzip.compress(b"x" * 10)[:10] + os.urandom(300))
    half = gzip.compress(b"".join(orjson.dumps(w) + b"\n" for w in two_works()))
    (folder / "cut.jsonl.gz").write_bytes(half[:10] + b"\x00" * 40 + half[50:])
    write_jsonl(folder / "good.jsonl", [work("W9", [[("I1", "US")]])])
    atlas, report = ingest(tmp_path, folder)
    assert atlas.con.execute("SELECT work_id FROM works").fetchall() == [("W9",)]
    assert report.skipped["truncated or corrupt gzip"] == 2 and report.damaged == 2
    accounted(report)
    # a single damaged gzip named directly (also seen by the export format detection)
    atlas, report = ingest(tmp_path, folder / "bad.jsonl.gz")
    assert report.skipped["truncated or corrupt gzip"] == 1


# -- item 19: line numbers from the fast reader -------------------------------------------------

def test_fast_reader_skip_notes_give_the_line_number(tmp_path):
    path = tmp_path / "w.jsonl"
    path.write_bytes(b"\n\n" + orjson.dumps(work("W1", [[("I1", "US")]])) + b"\n\n\n"
                     + orjson.dumps(work("W2", [])) + b"\n")
    atlas, report = ingest(tmp_path, path)
    assert report.files[0].reader == "fast"
    assert f"{path}: line 6: record without authorships" in report.messages
    accounted(report, 2)


# -- item 20: the accounting identity -----------------------------------------------------------

def test_pretty_printed_record_is_one_record_not_one_per_line(tmp_path):
    w1, w2 = two_works()
    path = tmp_path / "pretty.jsonl"
    path.write_text(json.dumps(w1, indent=2) + "\n" + json.dumps(w2) + "\n")
    atlas, report = ingest(tmp_path, path)
    assert atlas.con.execute("SELECT work_id FROM works ORDER BY 1").fetchall() == [("W1",), ("W2",)]
    assert report.records_skipped == 0
    accounted(report, 2)
    broken = tmp_path / "broken.jsonl"
    broken.write_text(json.dumps(w1, indent=2)[:-40] + "\n" + json.dumps(w2) + "\n")
    atlas, report = ingest(tmp_path, broken)
    assert dict(report.skipped) == {"malformed JSON record (over several lines)": 1}
    assert atlas.con.execute("SELECT work_id FROM works").fetchall() == [("W2",)]
    accounted(report, 2)


def test_every_record_is_accounted_for_across_sources_and_reingests(tmp_path):
    from tests._export_fakes import FakeMatcher
    from tests.test_dedupe import TITLE, _files

    wos, scopus, pubmed = _files(tmp_path)
    oa = work("W77", [[("I1", "JP")], [("I2", "NO")]], year=2020, doi="https://doi.org/10.1000/XYZ", display_name=TITLE)
    oa_path = write_jsonl(tmp_path / "oa.jsonl", [oa, work("W78", [[("I3", "DE")]])])
    atlas = collabatlas.open(":memory:")
    for paths in ([pubmed], [wos, scopus], [oa_path], [wos, scopus, pubmed, oa_path], [oa_path, wos]):
        report = atlas.ingest(*paths, matcher=FakeMatcher())
        accounted(report)


def test_skipped_records_of_every_kind_are_counted_as_read(tmp_path):
    w1, w2 = two_works()
    lines = [orjson.dumps(w1), b"{broken", orjson.dumps({"id": "W3", "authorships": "x"}), b"[1, 2]", b"null",
             orjson.dumps({"id": "nope", "authorships": [{}]}), orjson.dumps(w2)]
    path = tmp_path / "mixed.jsonl"
    path.write_bytes(b"\n".join(lines) + b"\n")
    atlas, report = ingest(tmp_path, path)
    assert report.works_inserted == 2
    accounted(report, 7)
    assert report.works_read == 7


# -- item 21: stray files in a folder -----------------------------------------------------------

def test_readme_and_stray_files_in_a_folder_are_skipped_and_reported(tmp_path):
    folder = tmp_path / "in"
    (folder / "works").mkdir(parents=True)
    write_jsonl(folder / "works" / "part_0.jsonl", [work("W1", [[("I1", "US")]])])
    (folder / "README").write_text("these are my works\n")
    (folder / "README.md").write_text("# notes\n")
    (folder / "notes.json").write_text("not json at all\n")
    atlas, report = ingest(tmp_path, folder)
    assert report.works_inserted == 1
    assert sum(report.files_skipped.values()) == 3


# -- item 24: a no-op re-ingest -----------------------------------------------------------------

def test_noop_reingest_keeps_the_data_version_and_logs_nothing(tmp_path):
    path = write_jsonl(tmp_path / "w.jsonl", list(two_works()))
    atlas = collabatlas.open(tmp_path / "s.duckdb")
    atlas.ingest(path)
    version, log = atlas.data_version, len(atlas.ingest_log())
    again = atlas.ingest(path)
    assert not again.changed and again.works_unchanged == 2
    assert (atlas.data_version, len(atlas.ingest_log())) == (version, log)
    assert atlas.unit_shares_saved
    accounted(again, 2)
    newer = work("W2", [[("I3", "DE")]], updated="2025-01-01T00:00:00")
    changed = atlas.ingest(write_jsonl(tmp_path / "n.jsonl", [newer]))
    assert changed.changed and changed.works_replaced == 1 and atlas.data_version == version + 1


# -- item 25: implausible years, bad dates ------------------------------------------------------

def test_implausible_years_and_bad_dates_are_counted_warnings(tmp_path):
    records = [work("W1", [[("I1", "US")]], year=0, date="2001-02-03"),
               work("W2", [[("I1", "US")]], year=-5, date=None),
               work("W3", [[("I1", "US")]], year=3000, date="3000-01-01"),
               work("W4", [[("I1", "US")]], year=2019, date="2021-01-01"),
               work("W5", [[("I1", "US")]], updated="yesterday")]
    atlas, report = ingest(tmp_path, write_jsonl(tmp_path / "w.jsonl", records))
    got = dict((w, (y, str(d) if d else None)) for w, y, d in
               atlas.con.execute("SELECT work_id, year, pub_date FROM works").fetchall())
    assert got["W1"] == (2001, "2001-02-03")  # year 0: taken from publication_date
    # year -5 without a date, year 3000 with a date in 3000: no plausible year, skipped (record contract)
    assert "W2" not in got and "W3" not in got
    assert report.skipped[REASONS["year-range"]] == 2
    assert report.warnings[REASONS["year-from-date"]] == 1
    assert report.warnings["invalid publication_date (stored as empty)"] == 0
    assert report.warnings["publication_year and publication_date disagree (--years uses publication_year, "
                           "--window publication_date)"] == 1
    assert report.warnings["invalid updated_date (stored as empty: any dated copy wins over it)"] == 1
    accounted(report, 5)


# -- item 27: exit code when records were lost to a damaged file -------------------------------

def test_cli_ingest_exits_3_after_the_summary_when_records_were_lost(tmp_path):
    good = write_jsonl(tmp_path / "good.jsonl", list(two_works()))
    result = CliRunner().invoke(app, ["ingest", str(good), "--store", str(tmp_path / "a.duckdb")])
    assert result.exit_code == 0, result.output
    bad = tmp_path / "bad.jsonl"
    bad.write_bytes(good.read_bytes() + b'{"id": "W9", "authorships": [\n')
    result = CliRunner().invoke(app, ["ingest", str(bad), "--store", str(tmp_path / "b.duckdb"), "--json"])
    assert result.exit_code == DAMAGED_EXIT_CODE == 3
    assert '"records_lost_to_damaged_files": 1' in result.output


# -- item 28: temporary folders left by a killed ingest -----------------------------------------

def test_stale_ingest_temporary_folders_are_removed_and_live_ones_kept(tmp_path):
    dead = tmp_path / f"{scratch.TMP_PREFIX}dead"
    dead.mkdir()
    (dead / "pid").write_text("999999999")
    live = tmp_path / f"{scratch.TMP_PREFIX}live"
    live.mkdir()
    (live / "pid").write_text(str(os.getppid()))
    old = tmp_path / f"{scratch.TMP_PREFIX}old"
    old.mkdir()
    os.utime(old, (time.time() - scratch.STALE_TMP_SECONDS - 60,) * 2)
    young = tmp_path / f"{scratch.TMP_PREFIX}young"
    young.mkdir()
    other = tmp_path / "someone-else-dead"
    other.mkdir()
    removed = scratch.clean_stale_tmpdirs(str(tmp_path))
    assert sorted(os.path.basename(p) for p in removed) == [f"{scratch.TMP_PREFIX}dead", f"{scratch.TMP_PREFIX}old"]
    assert live.exists() and young.exists() and other.exists()
    with scratch.make_tmpdir() as tmp:
        assert open(os.path.join(tmp, "pid")).read() == str(os.getpid())


# -- issue 16: hive partitioning off ------------------------------------------------------------

def test_folder_names_like_key_value_never_change_a_record(tmp_path):
    records = [work(f"W{n}", [[("I1", "US")]], updated="2024-01-01T00:00:00") for n in range(1, 6)]
    for name in ("id=batch1", "updated_date=2099-01-01", "publication_year=1999"):
        folder = tmp_path / name
        folder.mkdir()
        write_jsonl(folder / "part.jsonl", records)
    atlas, report = ingest(tmp_path, tmp_path / "id=batch1", tmp_path / "updated_date=2099-01-01",
                           tmp_path / "publication_year=1999")
    assert atlas.con.execute("SELECT work_id, year, updated_date::VARCHAR FROM works ORDER BY 1").fetchall() == [
        (f"W{n}", 2020, "2024-01-01 00:00:00") for n in range(1, 6)]
    accounted(report, 15)


def test_parquet_import_ignores_key_value_folders_but_the_year_partition(tmp_path):
    src = collabatlas.open(":memory:")
    src.ingest(write_jsonl(tmp_path / "w.jsonl", list(two_works())))
    out = tmp_path / "work_id=X"
    from collabatlas.ingest.pipeline import export_tables, ingest_tables

    export_tables(src.con, out)
    dst = collabatlas.open(":memory:")
    ingest_tables(dst.con, out)
    assert rows(dst)["works"] == rows(src)["works"]


# -- fuzz: arbitrary JSON values in every field ------------------------------------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(min_value=-2**63, max_value=2**63 - 1)
    | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=12)
    | st.sampled_from(["W1", "w2", "https://openalex.org/W3", "I4", "US", "xx", "2020", "2020-02-30", "true"]),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=8,
)

FIELD_PATHS = [("id",), ("doi",), ("display_name",), ("publication_year",), ("publication_date",), ("type",),
               ("updated_date",), ("is_authors_truncated",), ("primary_location",), ("primary_topic",),
               ("primary_topic", "field"), ("authorships",), ("authorships", 0), ("authorships", 0, "author"),
               ("authorships", 0, "author_position"), ("authorships", 0, "institutions"),
               ("authorships", 0, "institutions", 0), ("authorships", 0, "institutions", 0, "id"),
               ("authorships", 0, "institutions", 0, "country_code"),
               ("authorships", 0, "institutions", 0, "lineage"), ("authorships", 0, "countries"),
               ("authorships", 0, "countries", 0)]


def _set(record, path, value):
    target = record
    for key in path[:-1]:
        target = target[key]
    if isinstance(target, dict) != isinstance(path[-1], str):
        raise TypeError("an earlier change replaced the container")
    target[path[-1]] = value


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(changes=st.lists(st.tuples(st.sampled_from(FIELD_PATHS), json_values), min_size=1, max_size=4))
def test_fuzz_arbitrary_values_never_traceback_and_always_add_up(tmp_path, changes):
    base = work("W1", [[("I1", "US"), ("I2", "FR")], [("I3", "DE")]])
    bad = copy.deepcopy(base)
    for path, value in changes:
        try:
            _set(bad, path, value)
        except (KeyError, IndexError, TypeError):
            pass  # an earlier change replaced the container: fine
    good = work("W2", [[("I4", "JP")]])
    fast = tmp_path / "fuzz_fast.jsonl"
    fast.write_bytes(orjson.dumps(bad) + b"\n" + orjson.dumps(good) + b"\n")
    careful = tmp_path / "fuzz_careful.jsonl"
    careful.write_bytes(fast.read_bytes() + b"{\n")
    a, ra = ingest(tmp_path, fast)
    b, rb = ingest(tmp_path, careful)
    try:
        accounted(ra, 2)
        accounted(rb, 3)
        assert rows(a) == rows(b)  # one rule: the reader never changes what is stored
        assert ("W2",) in a.con.execute("SELECT work_id FROM works").fetchall()
    finally:
        a.close()
        b.close()


def test_a_damaged_line_is_named_by_one_line_number(tmp_path):
    """An unterminated string on line 2: DuckDB's own message counts the next line (3); the notes name
    only the careful reader's line, so the user is not given two numbers for one damaged line."""
    path = tmp_path / "w.jsonl"
    good = orjson.dumps(work("W1", [[("I1", "US")]]))
    path.write_bytes(good + b"\n" + good[:40] + b"\n" + orjson.dumps(work("W2", [[("I2", "FR")]])) + b"\n")
    atlas, report = ingest(tmp_path, path)
    named = [m for m in report.messages if str(path) in m]
    assert any(f"{path}:2:" in m for m in named), named
    assert not any("line 3" in m or ":3:" in m for m in named), named
    assert any("fast reader stopped" in m for m in named), named
