"""ISSNs (issue 15): the normal form and check character, the Python and SQL rules agreeing, OpenAlex
records read into works.issn_l / works.issns with bad ISSNs counted, and the schema 7 → 8 upgrade."""

from __future__ import annotations

import duckdb
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import collabatlas
from collabatlas.counting.issn import (
    INVALID_ISSN_WARNING,
    check_character,
    issn_rows_sql,
    issn_values,
    normalise_issn,
    split_issns,
)
from collabatlas.store import schema as store
from tests.conftest import work, write_jsonl

# ISSNs of real journals, checked by hand against the ISO 3297 rule (weights 8..2, modulo 11)
KNOWN = {"0028-0836": "Nature", "1476-4687": "Nature (online)", "0036-8075": "Science", "1530-437X": "IEEE Sens J",
         "2212-277X": "Procedia CIRP", "0165-0203": "Natural Resources Forum"}


@pytest.fixture(scope="module")
def sql():
    con = duckdb.connect()
    yield con
    con.close()


def test_known_issns_and_their_spellings():
    for issn in KNOWN:
        assert normalise_issn(issn) == issn
        assert normalise_issn(issn.replace("-", "")) == issn
        assert normalise_issn(f"  {issn.lower()} ") == issn
    assert check_character("0028083") == "6" and check_character("1530437") == "X"
    # the ISSN OpenAlex lists wrongly for Natural Resources Forum (the sample work W2135007107): check 3, not 9
    assert normalise_issn("0165-0209") is None
    for bad in ("0028-0837", "0028-083X", "028-0836", "0028--0836", "0028-08366", "ISSN 0028-0836", "", "X028-0836",
                "0028-0836\n", "\t0028-0836", "٠٠٢٨-٠٨٣٦"):  # the last: Arabic-Indic digits
        assert normalise_issn(bad) is None, bad
    assert split_issns("00489697; 18791026") == ["00489697", "18791026"]
    assert split_issns("1879-0038 (Electronic)") == ["1879-0038"] and split_issns(None) == split_issns("  ") == []


@given(st.from_regex(r"[0-9]{7}", fullmatch=True), st.booleans(), st.booleans())
def test_a_computed_check_character_always_validates_and_any_other_never(seven, hyphen, lower):
    check = check_character(seven)
    text = f"{seven[:4]}{'-' if hyphen else ''}{seven[4:]}{check.lower() if lower else check}"
    assert normalise_issn(text) == f"{seven[:4]}-{seven[4:]}{check}"
    for other in "0123456789X":
        if other != check:
            assert normalise_issn(f"{seven[:4]}-{seven[4:]}{other}") is None


_NEAR = st.one_of(
    st.from_regex(r" ?[0-9]{4}-?[0-9]{3}[0-9Xx] ?", fullmatch=True),  # ISSN-shaped: 1 in 11 valid
    st.builds(lambda s: f"{s[:4]}-{s[4:]}{check_character(s)}", st.from_regex(r"[0-9]{7}", fullmatch=True)),
    st.text(alphabet="0123456789-Xx \t;,", max_size=12),
    st.text(max_size=10),
)


_ONE_RECORD = issn_rows_sql("SELECT 1 AS rid, $given::VARCHAR[] AS g0, $l::VARCHAR AS l0", "g0", "l0")


def _sql_values(con, given_values, linking) -> tuple:
    """(issn_l, issns, invalid) of one record by the SQL the OpenAlex reader runs."""
    return tuple(con.execute(_ONE_RECORD, {"given": given_values, "l": linking}).fetchone()[1:])


@settings(max_examples=300)
@given(_NEAR)
def test_the_sql_rule_is_the_python_rule(sql, text):
    assert _sql_values(sql, [], text)[0] == normalise_issn(text)


@settings(max_examples=200)
@given(st.lists(st.one_of(st.none(), _NEAR), max_size=5), st.one_of(st.none(), _NEAR))
def test_record_values_agree_between_python_and_sql(sql, given_values, linking):
    assert _sql_values(sql, given_values, linking) == issn_values(given_values, linking)


def _journal(**source):
    return {"source": {"id": "https://openalex.org/S1", "display_name": "Nature", **source}}


def test_openalex_issns_are_stored_checked_and_bad_ones_counted(tmp_path):
    works = [
        work("W1", [[("I1", "US")]], primary_location=_journal(issn_l="0028-0836", issn=["1476-4687", "0028-0836"])),
        work("W2", [[("I1", "US")]], primary_location=_journal(issn_l="0028-0837", issn=["0028-0837", "1476-4687"])),
        work("W3", [[("I1", "US")]], primary_location=_journal(issn="0028-0836")),  # a string, not a list
        work("W4", [[("I1", "US")]], primary_location=_journal(issn=[28083, {"x": 1}, None, ""])),
        work("W5", [[("I1", "US")]], primary_location=_journal(issn_l=None, issn=None)),
        work("W6", [[("I1", "US")]]),  # no primary_location at all
        # the same journal values as W1 and W4 (checked once per distinct pair, given back to each work)
        work("W7", [[("I1", "US")]], primary_location=_journal(issn=[28083, {"x": 1}, None, ""])),
        work("W8", [[("I1", "US")]], primary_location=_journal(issn_l="0028-0836", issn=["1476-4687", "0028-0836"])),
    ]
    stored = {}
    for layout in ("jsonl", "json"):  # the fast reader (JSON Lines) and the careful one (a JSON document)
        path = tmp_path / f"w.{layout}"
        if layout == "jsonl":
            write_jsonl(path, works)
        else:
            import orjson

            path.write_bytes(orjson.dumps({"meta": {"count": len(works)}, "results": works}))
        atlas = collabatlas.open(":memory:")
        report = atlas.ingest(path)
        assert report.works_inserted == 8 and report.records_skipped == 0
        # W2: one bad value (given twice: counted once); W4 and W7: 28083 and the object
        assert report.warnings[INVALID_ISSN_WARNING] == 5
        stored[layout] = atlas.con.execute("SELECT work_id, issn_l, issns FROM works ORDER BY work_id").fetchall()
    assert stored["jsonl"] == stored["json"] == [
        ("W1", "0028-0836", ["0028-0836", "1476-4687"]),
        ("W2", None, ["1476-4687"]),
        ("W3", None, ["0028-0836"]),
        ("W4", None, None),
        ("W5", None, None),
        ("W6", None, None),
        ("W7", None, None),
        ("W8", "0028-0836", ["0028-0836", "1476-4687"]),
    ]


def test_a_schema_7_store_opens_upgraded_and_keeps_its_works(tmp_path):
    path = tmp_path / "v7.duckdb"
    con = store.connect(path)
    con.execute("ALTER TABLE works DROP COLUMN issns")
    con.execute("ALTER TABLE works DROP COLUMN issn_l")
    con.execute("INSERT INTO works (wkey, work_id, source_name, n_authors, origin) "
                "VALUES (1, 'W1', 'Nature', 1, 'openalex')")
    store.meta_set(con, "schema_version", "7")
    con.close()
    with pytest.raises(store.StoreError, match="schema version 7"):
        store.connect(path, read_only=True)
    con = store.connect(path)
    assert store.meta_get(con, "schema_version") == store.SCHEMA_VERSION == "9"  # 9: citations (issue 30)
    assert (con.execute("SELECT work_id, source_name, issn_l, issns FROM works").fetchall()
            == [("W1", "Nature", None, None)])
    types = dict(con.execute("SELECT column_name, data_type FROM duckdb_columns() "
                             "WHERE table_name = 'works'").fetchall())
    assert types["issn_l"] == "VARCHAR" and types["issns"] == "VARCHAR[]"
    con.close()
    with collabatlas.open(path) as atlas:  # and takes new works with their ISSNs
        atlas.ingest(write_jsonl(tmp_path / "w.jsonl", [work("W2", [[("I1", "US")]], primary_location=_journal(
            issn_l="0028-0836", issn=["0028-0836"]))]))
        assert atlas.con.execute("SELECT work_id, issns FROM works ORDER BY 1").fetchall() == [
            ("W1", None), ("W2", ["0028-0836"])]
