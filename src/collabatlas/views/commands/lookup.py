"""``collabatlas find``: the ids of the countries and institutions a text names; ``collabatlas schema``:
the documented store schema."""

from __future__ import annotations

import json
from enum import Enum
from typing import Annotated

import typer

from collabatlas.views.cli_common import Format, FormatOpt, StoreOpt, _emit, _guard, _open


class FindLevel(str, Enum):
    country = "country"
    institution = "institution"


def register(app: typer.Typer) -> None:
    app.command("find")(_guard(find))
    app.command("schema")(_guard(schema))


def find(
    text: Annotated[str, typer.Argument(help="Part of a name, a code or an id: Tokyo, JPN, 057zh3y96.")],
    level: Annotated[FindLevel | None, typer.Option("--level", "-l",
                                                    help="Only countries or only institutions.")] = None,
    limit: Annotated[int, typer.Option("--limit", "-n", min=1, help="At most N candidates per level.")] = 10,
    format: FormatOpt = Format.table, store: StoreOpt = None,
) -> None:
    """Candidate ids for a name: countries (ISO2, ISO3 or name) and institutions (id, ROR id or part of
    the name) with their names, countries and works in the store, most works first. Every command that
    takes a unit accepts these ids, and a name when only one institution has it.

    Examples:

      collabatlas find Tokyo

      collabatlas find "University of Tokyo" --level institution

      collabatlas find JPN --level country
    """
    with _open(store) as atlas:
        df = atlas.find(text, level.value if level else None, limit)
    if df.empty and format is Format.table:
        from collabatlas.views.cli_common import _fail

        _fail(f"nothing in this store matches {text!r}", 1)
    _emit(df, format, f"units matching {text!r}", None, None)


def schema(format: FormatOpt = Format.table) -> None:
    """The documented store schema: every table with its columns, types and what they hold (the same
    text as docs/schema.md; --format json for tools), and how to query a store read-only.

    Examples:

      collabatlas schema

      collabatlas schema --format json
    """
    from collabatlas.atlas.workflows import schema_json, schema_markdown

    if format is Format.json:
        print(json.dumps(schema_json()))
    elif format is Format.csv:
        from collabatlas.views.cli_common import _fail

        _fail("schema prints Markdown (--format table) or JSON (--format json)")
    else:
        print(schema_markdown())
