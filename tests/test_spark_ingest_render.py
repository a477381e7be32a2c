"""The Spark ingest without Spark (issue 31): the contract's macros inlined and rendered for Spark,
the read schema and table columns derived from the DuckDB definitions, and the CLI refusals (all
answered before a Spark session starts)."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from collabatlas.engines.spark_ingest import INSTITUTIONS_SQL, export_columns, input_files, works_schema
from collabatlas.engines.spark_macros import render, render_shared
from collabatlas.sources.openalex_statements import STATEMENTS, skip_case
from collabatlas.views.cli import app
from tests.conftest import work, write_jsonl


def test_macros_are_inlined_and_full_matches_anchored_for_java():
    out = render("SELECT ca_work_id(id) AS w FROM t")
    assert "ca_" not in out.lower() and "REGEXP_FULL_MATCH" not in out.upper()
    assert "RLIKE '^(?:W[0-9]+)\\\\z'" in out  # anchored at the very end (Java's $ allows a final newline)
    assert "$'" not in out  # the regexp_extract pattern's end anchor became \z too
    for sql in (*STATEMENTS.values(), f"SELECT {skip_case()} FROM raw_input"):
        assert "ca_" not in render_shared(sql).lower()  # every macro call expanded
    assert "ca_" not in render(INSTITUTIONS_SQL).lower()
    with pytest.raises(Exception, match="takes 1 arguments"):
        render("SELECT ca_oa_id(a, b) FROM t")


def test_schema_and_columns_come_from_the_duckdb_definitions():
    schema = works_schema()
    assert "`publication_year` STRING" in schema and schema.endswith("_corrupt STRING")
    assert "`authorships` ARRAY<STRUCT<" in schema and "`lineage`: ARRAY<STRING>" in schema
    columns = export_columns()
    assert columns["affiliations"] == [("work_id", "STRING"), ("year", "INT"), ("author_position", "INT"),
                                       ("institution_id", "STRING")]
    assert ("updated_date", "TIMESTAMP_NTZ") in columns["works"] and ("issns", "ARRAY<STRING>") in columns["works"]


def test_inputs_the_spark_ingest_does_not_read_are_refused(tmp_path):
    from collabatlas.engines.spark import SparkUsageError

    page = tmp_path / "page.json"
    page.write_text('{"meta": {"count": 1}, "results": [' + json.dumps(work("W1", [[("I1", "JP")]]))
                    + "]}")
    with pytest.raises(SparkUsageError, match="JSON Lines"):
        input_files([page])
    works = write_jsonl(tmp_path / "w.jsonl", [work("W1", [[("I1", "JP")]])])
    assert input_files([works])[0] == [works]


def test_cli_refusals_exit_2(tmp_path):
    runner = CliRunner()
    works = str(write_jsonl(tmp_path / "w.jsonl", [work("W1", [[("I1", "JP")]])]))
    for extra, message in ((["--engine", "spark"], "--parquet OUT"),
                           (["--engine", "spark", "--parquet", str(tmp_path / "p"), "--store", "s.duckdb"],
                            "--store does not apply"),
                           (["--engine", "spark", "--parquet", str(tmp_path / "p"), "--format", "wos"],
                            "OpenAlex works"),
                           (["--parquet", str(tmp_path / "p"), "--store", str(tmp_path / "s.duckdb")],
                            "apply with --engine spark")):
        got = runner.invoke(app, ["ingest", works, *extra])
        assert got.exit_code == 2, (extra, got.output)
        assert message in " ".join(got.output.split()), (extra, got.output)


def test_the_staging_statements_are_written_once():
    """Both engines run the statements of collabatlas.sources.openalex_statements: the Spark ingest
    renders the same objects the DuckDB staging executes, and holds no staging SQL of its own."""
    import inspect

    from collabatlas.engines import spark_ingest
    from collabatlas.sources import openalex_staging, openalex_statements

    shared = set(map(id, STATEMENTS.values()))
    assert {id(sql) for _name, sql, _cached in spark_ingest.STAGED} <= shared
    assert len(spark_ingest.STAGED) == len(STATEMENTS) - 1  # all but the winners, rendered on their own
    assert spark_ingest.winners_sql() == render_shared(openalex_statements.WINNERS_SQL)
    for name in ("WORK_ROWS_SQL", "AUTHORSHIP_ROWS_SQL",
                 "AFFILIATION_ROWS_SQL", "AUTHOR_COUNTRY_ROWS_SQL", "INSTITUTION_ROWS_SQL"):
        assert getattr(openalex_staging, name) is getattr(openalex_statements, name), name
    # the authorship pass and the institution copies: DuckDB runs the forms derived from the ones written
    assert openalex_staging.AUTHORSHIPS_PASS_DUCKDB_SQL is openalex_statements.AUTHORSHIPS_PASS_DUCKDB_SQL
    assert openalex_staging.INSTITUTION_COPIES_DUCKDB_SQL is openalex_statements.INSTITUTION_COPIES_DUCKDB_SQL
    # ... and the kept works and the skips with the work id its reader checked (the same check, once)
    assert openalex_staging.KEPT_WORKS_DUCKDB_SQL is openalex_statements.KEPT_WORKS_DUCKDB_SQL
    assert openalex_statements.KEPT_WORKS_DUCKDB_SQL == openalex_statements.KEPT_WORKS_SQL.replace(
        "ca_work_id(id) AS wid", "wid").replace("ca_work_id(id) IS NOT NULL", "wid IS NOT NULL")
    assert "ca_work_id(id) AS wid" in openalex_statements.DUCKDB_WORKS_READER
    assert openalex_statements.DUCKDB_SKIPS == {**openalex_statements.SKIPS, "bad-id": "wid IS NULL"}
    assert openalex_statements.SKIPS["bad-id"] == "ca_work_id(id) IS NULL"
    for module in (spark_ingest, openalex_staging):  # no copy of the works statements left behind
        source = inspect.getsource(module).lower()
        for text in ("posexplode", "lateral view", "unnest(authorships", "with ordinality", "generate_subscripts",
                     "ca_country(c)", "ca_oa_id(i.id)", "ca_work_id(id)", "ca_doi(doi)", "max_by(i,"):
            assert text not in source, (module.__name__, text)
    # DuckDB numbers positions from 1, Spark's posexplode from 0: the rendering shifts them
    assert "(author_position + 1) AS author_position" in render_shared(STATEMENTS["raw_authorships"])


def test_the_winners_statement_on_duckdb():
    """The dedupe of work copies, run as written on DuckDB: the newest update time wins, a copy
    without one is oldest, then the later record."""
    import duckdb

    con = duckdb.connect()
    con.execute("CREATE TABLE staged_works (rid BIGINT, work_id VARCHAR, updated_date TIMESTAMP)")
    con.execute("INSERT INTO staged_works VALUES (1, 'W1', '2024-01-01'), (2, 'W1', '2023-01-01'), "
                "(3, 'W2', NULL), (4, 'W2', '2020-01-01'), (5, 'W3', '2021-01-01'), (6, 'W3', '2021-01-01'), "
                "(7, 'W4', NULL), (8, 'W4', NULL)")
    got = con.execute(f"SELECT work_id, rid FROM ({STATEMENTS['winners']}) ORDER BY work_id").fetchall()
    assert got == [("W1", 1), ("W2", 4), ("W3", 6), ("W4", 8)]


def test_the_authorship_pass_duckdb_form_gives_the_same_rows():
    """DuckDB runs the authorship pass with the unnest in the select list (the lateral form as written,
    which Spark renders to posexplode, carries each whole work row per authorship in DuckDB): both forms
    give the same rows, positions from 1, null entries and empty lists included."""
    import duckdb

    from collabatlas.sources.openalex_statements import AUTHORSHIPS_PASS_DUCKDB_SQL, AUTHORSHIPS_PASS_SQL
    from collabatlas.sources.record import install_macros

    con = duckdb.connect()
    install_macros(con)
    con.execute("""
        CREATE TEMP TABLE raw_works AS SELECT * FROM (VALUES
          (1, 'W1', TIMESTAMP '2024-01-01',
           [{'author': {'id': 'https://openalex.org/A1', 'display_name': 'Ann'},
             'institutions': [{'id': 'https://openalex.org/I1'}, {'id': 'https://openalex.org/I1'}],
             'countries': ['JP', 'XX']},
            {'author': NULL, 'institutions': NULL, 'countries': NULL},
            {'author': {'id': 'A2', 'display_name': 'Bo'}, 'institutions': [], 'countries': ['US']}]),
          (2, 'W2', TIMESTAMP '2024-02-01',
           [{'author': {'id': 'A3', 'display_name': 'Cy'}, 'institutions': [{'id': 'I2'}], 'countries': []}]),
          (3, 'W3', TIMESTAMP '2024-03-01',
           [{'author': {'id': 'A4', 'display_name': 'Di'}, 'institutions': [{'id': 'not an id'}], 'countries': ['XX']},
            {'author': {'id': 'A5', 'display_name': 'Ed'}, 'institutions': [{'id': 'i3'}, NULL], 'countries': ['jp']}])
        ) AS t(rid, wid, ud, authorships)""")
    lateral = con.execute(f"SELECT * EXCLUDE (institutions) FROM ({AUTHORSHIPS_PASS_SQL}) "
                          "ORDER BY rid, author_position").fetchall()
    select_list = con.execute(f"SELECT * FROM ({AUTHORSHIPS_PASS_DUCKDB_SQL}) ORDER BY rid, author_position").fetchall()
    assert AUTHORSHIPS_PASS_DUCKDB_SQL != AUTHORSHIPS_PASS_SQL
    assert select_list == lateral and len(lateral) == 6
    assert [(r[0], r[3]) for r in lateral] == [(1, 1), (1, 2), (1, 3), (2, 1), (3, 1), (3, 2)]
    # (institution ids, countries, countries not understood): repeats and invalid values dropped, lists of one
    # or none as well as longer ones (DuckDB's form skips list_distinct for the lists of one)
    assert [(r[7], r[8], r[9]) for r in select_list] == [
        (["I1"], ["JP"], 1), ([], [], 0), ([], ["US"], 0), (["I2"], [], 0), ([], [], 1), (["I3"], ["JP"], 0)]


def test_the_institution_copies_duckdb_form_gives_the_same_rows():
    """DuckDB takes the institution copies from the kept works (its authorship pass does not carry the
    institutions as given): the same rows as the statement written over the authorship pass — the newest
    copy per id, copies counted, malformed ids counted, null entries and empty lists skipped."""
    import duckdb

    from collabatlas.sources.openalex_statements import (
        AUTHORSHIPS_PASS_SQL,
        INSTITUTION_COPIES_DUCKDB_SQL,
        INSTITUTION_COPIES_SQL,
    )
    from collabatlas.sources.record import install_macros

    def inst(iid: str, name: str) -> str:
        return f"{{'id': '{iid}', 'display_name': '{name}', 'country_code': 'JP', 'lineage': ['{iid}']}}"

    con = duckdb.connect()
    install_macros(con)
    con.execute(f"""
        CREATE TEMP TABLE raw_works AS SELECT * FROM (VALUES
          (1, 'W1', TIMESTAMP '2024-01-01',
           [{{'author': {{'id': 'A1', 'display_name': 'Ann'}},
             'institutions': [{inst('https://openalex.org/I1', 'old')}, {inst('bad id', 'x')}], 'countries': []}},
            {{'author': NULL, 'institutions': NULL, 'countries': NULL}},
            {{'author': {{'id': 'A2', 'display_name': 'Bo'}}, 'institutions': [], 'countries': ['US']}}]),
          (2, 'W2', TIMESTAMP '2024-02-01',
           [{{'author': {{'id': 'A3', 'display_name': 'Cy'}}, 'institutions': [{inst('I1', 'new')}, {inst('I2', 'b')}],
             'countries': []}}]),
          (3, 'W3', NULL::TIMESTAMP,
           [{{'author': {{'id': 'A4', 'display_name': 'Di'}}, 'institutions': [{inst('I2', 'undated')}],
             'countries': []}}])
        ) AS t(rid, wid, ud, authorships)""")
    con.execute(f"CREATE TEMP TABLE raw_authorships AS {AUTHORSHIPS_PASS_SQL}")
    written = con.execute(f"SELECT * FROM ({INSTITUTION_COPIES_SQL}) ORDER BY iid NULLS FIRST").fetchall()
    duck = con.execute(f"SELECT * FROM ({INSTITUTION_COPIES_DUCKDB_SQL}) ORDER BY iid NULLS FIRST").fetchall()
    assert "raw_authorships" in INSTITUTION_COPIES_SQL and "raw_authorships" not in INSTITUTION_COPIES_DUCKDB_SQL
    assert duck == written
    # (iid, winning rid, its name, copies, malformed): I1's newest copy is W2's; I2's the undated W3's
    assert [(r[0], r[1], r[2]["display_name"], r[4], r[5]) for r in duck] == [
        (None, 1, "x", 1, 1), ("I1", 2, "new", 2, 0), ("I2", 3, "undated", 2, 0)]


def test_the_institution_copies_duckdb_form_keeps_the_first_listing_of_the_newest_work():
    """DuckDB's form finds the newest key per id first and takes the copy from the winning work afterwards:
    the same rows as the copies taken by ``max_by`` over every listing (which keeps the first of equal
    keys) when the winning work lists an id several times, under several spellings, or without a valid id."""
    import duckdb

    from collabatlas.sources.openalex_statements import INSTITUTION_COPIES_DUCKDB_SQL, INSTITUTION_COPIES_OVER_WORKS_SQL
    from collabatlas.sources.record import install_macros

    def inst(iid: str, name: str) -> str:
        return f"{{'id': '{iid}', 'display_name': '{name}', 'country_code': 'JP', 'lineage': ['{iid}']}}"

    def author(*insts: str) -> str:
        return (f"{{'author': {{'id': 'A1', 'display_name': 'Ann'}}, 'institutions': [{', '.join(insts)}], "
                "'countries': []}")

    con = duckdb.connect()
    install_macros(con)
    con.execute(f"""
        CREATE TEMP TABLE raw_works AS SELECT * FROM (VALUES
          (1, 'W1', TIMESTAMP '2024-03-01', [{author(inst('I1', 'older'), inst('bad id', 'older bad'))}]),
          (2, 'W2', TIMESTAMP '2024-04-01',
           [{author(inst('I2', 'other'), inst('I1', 'first'), inst('bad id', 'first bad'))},
            {author(inst('https://openalex.org/i1', 'second'), inst('', 'no id'), inst('I1', 'third'))}]),
          (3, 'W3', TIMESTAMP '2024-04-01', [{author(inst('I2', 'later record'))}, {author(inst('I2', 'again'))}])
        ) AS t(rid, wid, ud, authorships)""")
    over_works = con.execute(f"SELECT * FROM ({INSTITUTION_COPIES_OVER_WORKS_SQL}) ORDER BY iid NULLS FIRST").fetchall()
    duck = con.execute(f"SELECT * FROM ({INSTITUTION_COPIES_DUCKDB_SQL}) ORDER BY iid NULLS FIRST").fetchall()
    assert duck == over_works
    # (iid, winning rid, its name, copies, malformed)
    assert [(r[0], r[1], r[2]["display_name"], r[4], r[5]) for r in duck] == [
        (None, 2, "first bad", 3, 2), ("I1", 2, "first", 4, 0), ("I2", 3, "later record", 3, 0)]
    types = con.execute(f"DESCRIBE SELECT * FROM ({INSTITUTION_COPIES_DUCKDB_SQL})").fetchall()
    assert types == con.execute(f"DESCRIBE SELECT * FROM ({INSTITUTION_COPIES_OVER_WORKS_SQL})").fetchall()
