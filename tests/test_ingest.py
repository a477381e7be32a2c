"""Ingest: formats, idempotency, newest-version-wins, and bad input reported with file and line."""

from __future__ import annotations

import gzip
import json

import orjson
import pytest

import collabatlas
from collabatlas.sources.openalex import InputError
from tests.conftest import institution, work, write_jsonl


def store_rows(atlas):
    return {t: atlas.con.execute(f"SELECT * FROM {t} ORDER BY ALL").fetchall()
            for t in ("works", "authorships", "affiliations", "author_countries", "institutions")}


def test_reingest_is_idempotent(tmp_path):
    path = write_jsonl(tmp_path / "w.jsonl.gz", [work("W1", [[("J1", "JP")]]), work("W2", [[("U1", "US")]])], gz=True)
    atlas = collabatlas.open(tmp_path / "s.duckdb")
    first = atlas.ingest(path)
    assert (first.works_read, first.works_inserted, first.records_skipped) == (2, 2, 0)
    before = store_rows(atlas)
    second = atlas.ingest(path)
    assert (second.works_inserted, second.works_replaced, second.works_unchanged) == (0, 0, 2)
    assert store_rows(atlas) == before
    # a no-op re-ingest commits nothing: same data version (caches stay valid), no log row
    assert not second.changed and atlas.data_version == 1 and len(atlas.ingest_log()) == 1


@pytest.mark.parametrize("order", ["old-then-new", "new-then-old", "same-input"])
def test_newest_updated_date_wins(tmp_path, order):
    old = work("W1", [[("J1", "JP")]], updated="2023-01-01T00:00:00")
    new = work("W1", [[("J1", "JP")], [("U1", "US")]], updated="2024-06-01T00:00:00")
    atlas = collabatlas.open(":memory:")
    if order == "same-input":
        report = atlas.ingest(write_jsonl(tmp_path / "both.jsonl", [new, old]))
        assert report.works_superseded_in_input == 1 and report.works_inserted == 1
    else:
        first, second = (old, new) if order == "old-then-new" else (new, old)
        atlas.ingest(write_jsonl(tmp_path / "a.jsonl", [first]))
        report = atlas.ingest(write_jsonl(tmp_path / "b.jsonl", [second]))
        assert report.works_replaced == (1 if order == "old-then-new" else 0)
    scores = atlas.scores(level="country").set_index("unit")["share"].to_dict()
    assert scores == {"JP": pytest.approx(0.5), "US": pytest.approx(0.5)}
    assert atlas.con.execute("SELECT count(*) FROM authorships").fetchone()[0] == 2


def test_overlapping_files_in_one_call(tmp_path):
    a = write_jsonl(tmp_path / "a.jsonl", [work("W1", [[("J1", "JP")]]), work("W2", [[("J1", "JP")]])])
    b = write_jsonl(tmp_path / "b.jsonl", [work("W2", [[("J1", "JP")]]), work("W3", [[("J1", "JP")]])])
    atlas = collabatlas.open(":memory:")
    report = atlas.ingest(a, b)
    assert report.works_inserted == 3 and report.works_superseded_in_input == 1
    assert atlas.scores(level="country")["count"].tolist() == [3]


def test_malformed_lines_and_bad_fields_are_reported_with_file_and_line(tmp_path):
    good = orjson.dumps(work("W1", [[("J1", "JP")]])).decode()
    lines = [
        good,
        '{"id": "https://openalex.org/W2", "authorships": [',  # malformed JSON
        json.dumps(work("W3", [[("U1", "US")]], primary_location="nineteen")),  # wrong type
        json.dumps({"display_name": "no id", "authorships": []}),  # no id
        json.dumps(work("W5", [])),  # no authorships
        "",
        json.dumps(work("W7", [[("C1", "CN")]])),
    ]
    path = tmp_path / "bad.jsonl"
    path.write_text("\n".join(lines) + "\n")
    atlas = collabatlas.open(":memory:")
    report = atlas.ingest(path)
    assert report.works_inserted == 2
    assert dict(report.skipped) == {"malformed JSON line": 1, "field of the wrong type": 1,
                                    "record without id": 1, "record without authorships": 1}
    text = "\n".join(report.messages)
    assert f"{path}:2:" in text
    assert f"{path}:3: primary_location: expected object" in text
    assert f"{path}: line 4: record without id" in text and f"{path}: line 5: record without authorships" in text
    assert report.files[0].reader == "careful"
    assert sorted(atlas.scores(level="country")["unit"]) == ["CN", "JP"]


def test_deep_field_error_names_the_path(tmp_path):
    bad = work("W1", [[("J1", "JP")], [("U1", "US")]])
    bad["authorships"][1]["institutions"][0]["lineage"] = "not-a-list"
    path = write_jsonl(tmp_path / "deep.jsonl", [bad, work("W2", [[("J1", "JP")]])])
    report = collabatlas.open(":memory:").ingest(path)
    assert report.skipped["field of the wrong type"] == 1
    assert "authorships[1].institutions[0].lineage: expected array" in "\n".join(report.messages)


def test_truncated_gzip_keeps_what_was_read_and_says_so(tmp_path):
    records = [work(f"W{i}", [[("J1", "JP")], [("U1", "US")]]) for i in range(1, 2001)]
    full = write_jsonl(tmp_path / "full.jsonl.gz", records, gz=True)
    data = full.read_bytes()
    cut = tmp_path / "cut.jsonl.gz"
    cut.write_bytes(data[: len(data) // 2])
    atlas = collabatlas.open(":memory:")
    report = atlas.ingest(cut)
    assert report.skipped["truncated or corrupt gzip"] == 1
    assert 0 < report.works_inserted < 2000
    assert any("compressed stream broken after line" in m for m in report.messages)


def test_api_page_single_entity_and_institution_files(tmp_path):
    page = {"meta": {"count": 2, "next_cursor": None},
            "results": [work("W1", [[("J1", "JP")], [("U1", "US")]]), work("W2", [[("J1", "JP")]])]}
    (tmp_path / "page.json").write_text(json.dumps(page, indent=2))
    (tmp_path / "single.json").write_text(json.dumps(work("W3", [[("C1", "CN")]]), indent=2))
    entity = {**institution("J1", "JP", "education"), "display_name": "Entity name of J1",
              "updated_date": "2020-01-01T00:00:00"}
    inst_dir = tmp_path / "institutions" / "updated_date=2024-01-01"
    inst_dir.mkdir(parents=True)
    (inst_dir / "part_000.gz").write_bytes(gzip.compress(orjson.dumps(entity) + b"\n"))
    atlas = collabatlas.open(":memory:")
    report = atlas.ingest(tmp_path)
    assert report.works_inserted == 3 and report.institutions_read == 1
    # an entity record beats the copy embedded in works, even when it is older
    name = atlas.con.execute("SELECT name FROM institutions WHERE institution_id = 'J1'").fetchone()[0]
    assert name == "Entity name of J1"
    assert atlas.scores(level="institution").set_index("unit").loc["J1", "name"] == "Entity name of J1"


def test_ids_are_short_and_countries_upper_case(tmp_path):
    w = work("W1", [[("I27837315", "us")]])
    w["authorships"][0]["countries"] = ["us"]
    atlas = collabatlas.open(":memory:")
    atlas.ingest(write_jsonl(tmp_path / "w.jsonl", [w]))
    assert atlas.con.execute("SELECT work_id FROM works").fetchone()[0] == "W1"
    assert atlas.scores(level="institution")["unit"].tolist() == ["I27837315"]
    assert atlas.scores(level="country")["unit"].tolist() == ["US"]
    assert atlas.con.execute("SELECT doi FROM works").fetchone()[0] == "10.1/w1"


def test_missing_input_is_a_clear_error(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        collabatlas.open(":memory:").ingest(tmp_path / "nope.jsonl")


def test_failed_ingest_leaves_store_untouched(tmp_path, monkeypatch):
    atlas = collabatlas.open(tmp_path / "s.duckdb")
    atlas.ingest(write_jsonl(tmp_path / "a.jsonl", [work("W1", [[("J1", "JP")]])]))
    before = store_rows(atlas)
    from collabatlas.ingest import merge as merge_module

    def boom(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(merge_module, "_merge_institutions", boom)
    with pytest.raises(RuntimeError):
        atlas.ingest(write_jsonl(tmp_path / "b.jsonl", [work("W2", [[("U1", "US")]])]))
    assert store_rows(atlas) == before
    assert atlas.data_version == 1


def test_fast_reader_names_file_and_record_across_a_batch(tmp_path):
    a = write_jsonl(tmp_path / "a.jsonl", [work("W1", [[("J1", "JP")]]), work("W2", [])])
    b = write_jsonl(tmp_path / "b.jsonl", [work("W3", [[("J1", "JP")]]), work("W4", [[("J1", "JP")]]), work("W5", [])])
    report = collabatlas.open(":memory:").ingest(a, b)
    assert report.skipped == {"record without authorships": 2}
    assert [f.reader for f in report.files] == ["fast", "fast"]
    assert [f.records for f in report.files] == [2, 3]
    text = "\n".join(report.messages)
    assert f"{a}: line 2: record without authorships" in text and f"{b}: line 3: record without" in text


def test_one_bad_file_in_a_batch_does_not_stop_the_others(tmp_path):
    good = write_jsonl(tmp_path / "good.jsonl", [work("W1", [[("J1", "JP")]])])
    bad = tmp_path / "bad.jsonl"
    bad.write_text(orjson.dumps(work("W2", [[("U1", "US")]])).decode() + "\n{oops\n")
    report = collabatlas.open(":memory:").ingest(good, bad)
    assert report.works_inserted == 2 and report.skipped == {"malformed JSON line": 1}
    assert {f.path: f.reader for f in report.files} == {str(good): "fast", str(bad): "careful"}
    assert f"{bad}:2:" in "\n".join(report.messages)


def test_small_truncated_gzip_is_reported_not_fatal(tmp_path):
    full = write_jsonl(tmp_path / "full.jsonl.gz", [work(f"W{i}", [[("J1", "JP")]]) for i in range(1, 50)], gz=True)
    cut = tmp_path / "cut.jsonl.gz"
    cut.write_bytes(full.read_bytes()[:300])
    other = write_jsonl(tmp_path / "other.jsonl", [work("W99", [[("U1", "US")]])])
    report = collabatlas.open(":memory:").ingest(cut, other)
    assert report.skipped["truncated or corrupt gzip"] == 1
    assert report.works_inserted >= 1



def test_a_file_that_is_not_json_is_refused_by_name(tmp_path, shared_data):
    with pytest.raises(InputError, match="not OpenAlex JSON"):
        collabatlas.open(":memory:").ingest(shared_data / "wos" / "testFile.isi", format="openalex")


def test_non_json_files_inside_a_directory_are_skipped_and_counted(tmp_path):
    write_jsonl(tmp_path / "works.jsonl", [work("W1", [[("J1", "JP")]])])
    (tmp_path / "export.txt.gz").write_bytes(gzip.compress(b"FN Clarivate Analytics Web of Science\nVR 1.0\n"))
    report = collabatlas.open(":memory:").ingest(tmp_path, format="openalex")  # auto would read the WoS file
    assert report.works_inserted == 1 and report.files_skipped["not OpenAlex JSON"] == 1


def test_unit_shares_are_stored_after_ingest_and_used_read_only(tmp_path):
    store = tmp_path / "s.duckdb"
    with collabatlas.open(store) as atlas:
        atlas.ingest(write_jsonl(tmp_path / "a.jsonl", [work("W1", [[("J1", "JP")], [("U1", "US")]])]))
        expected = atlas.scores(level="country")
    with collabatlas.open(store, read_only=True) as reader:
        c = reader.counting_for("country")
        assert c.source == "unit_shares_country"
        assert reader.scores(level="country").equals(expected)
        # variants that are not stored are computed in the connection
        assert reader.counting_for("institution", rollup=True).source == "wu_institution_rollup"
    with collabatlas.open(store) as atlas:  # a new ingest refreshes the stored copy
        atlas.ingest(write_jsonl(tmp_path / "b.jsonl", [work("W2", [[("C1", "CN")]])]))
    with collabatlas.open(store, read_only=True) as reader:
        assert sorted(reader.scores(level="country")["unit"]) == ["CN", "JP", "US"]
        assert reader.counting_for("country").source == "unit_shares_country"


def _reversed_staging_sql() -> str:
    """The staging tables with every column order reversed (same names and types)."""
    import duckdb

    from collabatlas.ingest.staging import STAGING_SQL

    con = duckdb.connect()
    con.execute(STAGING_SQL)
    tables = [r[0] for r in con.execute("SELECT table_name FROM duckdb_tables() WHERE temporary").fetchall()]
    out = []
    for table in tables:
        cols = con.execute(f"DESCRIBE {table}").fetchall()
        out.append(f"CREATE OR REPLACE TEMP TABLE {table} ("
                   + ", ".join(f"{name} {type_}" for name, type_, *_ in reversed(cols)) + ");")
    return "\n".join(out)


def test_staging_inserts_name_their_columns(tmp_path, monkeypatch):
    """Issue 13: every reader inserts into the staging tables by column name, so a staging table whose
    columns come in another order stores exactly the same rows."""
    from collabatlas.ingest import pipeline

    geo = {**institution("I7", "FR"), "updated_date": "2024-02-01T00:00:00",
           "geo": {"country_code": "FR", "latitude": 48.85, "longitude": 2.35}}
    works = [work("W1", [[("I7", "FR")], [("U1", "US")], {"countries": ["DE"]}], doi="https://doi.org/10.1/X",
                  primary_location={"source": {"id": "https://openalex.org/S5", "display_name": "Journal"}}),
             work("W2", [[("J1", "JP")]], year=2019)]
    inputs = [write_jsonl(tmp_path / "w.jsonl", works), write_jsonl(tmp_path / "i.jsonl", [geo])]
    normal = collabatlas.open(tmp_path / "a.duckdb")
    normal.ingest(*inputs)
    monkeypatch.setattr(pipeline, "STAGING_SQL", _reversed_staging_sql())
    permuted = collabatlas.open(tmp_path / "b.duckdb")
    permuted.ingest(*inputs)
    assert store_rows(permuted) == store_rows(normal)
    geo_rows = "SELECT lat, lon, origin FROM institution_geo ORDER BY ALL"
    assert (permuted.con.execute(geo_rows).fetchall() == normal.con.execute(geo_rows).fetchall()
            == [(48.85, 2.35, "openalex")])


def test_a_bibtex_file_of_another_tool_is_named_as_such(tmp_path):
    """A BibTeX file without the marks of a WoS or Scopus export (Zotero, Google Scholar) is refused as
    such, not as 'not OpenAlex JSON': the message says which BibTeX is read and why the other holds
    nothing to count."""
    path = tmp_path / "mine.bib"
    path.write_text("@article{key1,\n  title={A title},\n  author={Doe, Jane and Roe, Rick},\n  year={2020}\n}\n")
    with pytest.raises(InputError) as caught:
        collabatlas.open(":memory:").ingest(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: not a Web of Science or Scopus BibTeX export"), message
    assert "no affiliations" in message and "not OpenAlex JSON" not in message
