"""`collabatlas schema` and docs/schema.md document the store as DuckDB creates it."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
from typer.testing import CliRunner

from collabatlas.store import schema
from collabatlas.store.schema_doc import schema_markdown, tables
from collabatlas.views.cli import app

DOCS = Path(__file__).resolve().parents[1] / "docs" / "schema.md"


def test_every_documented_column_is_the_store_s_column():
    con = duckdb.connect()
    schema.ensure_schema(con)
    live = {}
    for table, column, kind, nullable in con.execute(
            "SELECT table_name, column_name, data_type, is_nullable FROM information_schema.columns "
            "WHERE table_schema = 'main' ORDER BY table_name, ordinal_position").fetchall():
        live.setdefault(table, []).append((column, kind, nullable == "YES"))
    documented = {t.name: [(c.name, c.type, c.nullable) for c in t.columns] for t in tables()}
    for name, columns in documented.items():
        assert [(c, k) for c, k, _ in columns] == [(c, k) for c, k, _ in live[name]], name
        assert [n for _, _, n in columns] == [n for _, _, n in live[name]], name
    assert set(schema.DATA_TABLES) <= set(documented)


def test_every_column_says_what_it_holds():
    missing = [f"{t.name}.{c.name}" for t in tables() for c in t.columns if not c.comment]
    assert missing == []


def test_docs_page_is_the_command_output():
    expected = schema_markdown() + "\n"
    assert DOCS.read_text(encoding="utf-8") == expected, "regenerate: collabatlas schema > docs/schema.md"
    result = CliRunner().invoke(app, ["schema"])
    assert result.exit_code == 0 and result.stdout == schema_markdown() + "\n"
    parsed = json.loads(CliRunner().invoke(app, ["schema", "--format", "json"]).stdout)
    assert parsed["schema_version"] == schema.SCHEMA_VERSION
    assert [t["name"] for t in parsed["tables"]] == [t.name for t in tables()]
    assert CliRunner().invoke(app, ["schema", "--format", "csv"]).exit_code == 2
