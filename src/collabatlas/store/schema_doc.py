"""The documented store schema, read from the statements that create it (:data:`schema.SCHEMA_SQL`):
``collabatlas schema`` prints it and ``docs/schema.md`` is :func:`schema_markdown` (a test keeps them
equal, and checks every documented column against a store DuckDB creates).

Each table comes with the comment lines written above it, each column with its type, whether it
may be NULL and its comment. The derived tables (unit shares, per-year aggregates) are described in
words: their columns follow the counting statements.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field

from collabatlas.store import schema

_TABLE = re.compile(r"CREATE TABLE IF NOT EXISTS (\w+) \(")
_COLUMN = re.compile(r"^\s*(\w+)\s+([A-Z]+(?:\[\])?)(\s+NOT NULL)?,?\s*(?:--\s*(.*))?$")

READ_ONLY_SQL = """\
The store is one DuckDB file; read it with any DuckDB client, read-only so that a running ingest
is never disturbed:

```sh
duckdb -readonly collabatlas.duckdb "SELECT country_code, count(*) FROM institutions GROUP BY ALL"
python -c "import duckdb; print(duckdb.connect('collabatlas.duckdb', read_only=True).sql('FROM store_meta'))"
```

Counting never reads the derived tables blindly: they are used only while `store_meta` says they
belong to the current `data_version` (see `collabatlas info`)."""

DERIVED = """\
Derived tables (rebuilt by every ingest, `import-tables`, `ror load` and `refresh`):
`unit_shares_<level>` holds every work's unit shares per level (country, institution, sector) with
each unit's context on the work; `agg_units_<level>` and `agg_partners_<level>` hold the per-year
aggregates built from them (totals per unit and year; pair sums per unit, partner and year)."""


#: what the columns without a comment in SCHEMA_SQL hold (a column's own comment comes first)
NOTES = {
    "work_id": "the work's id: OpenAlex `W…`, else the first source's record id (`WOS:…`, `2-s2.0-…`, `PMID:…`)",
    "doi": "normalised DOI: lower case, no https://doi.org/",
    "title": "title", "year": "publication year", "pub_date": "publication date (windows read it)",
    "type": "OpenAlex work type (article, review, ...); institutions: OpenAlex type (education, company, ...)",
    "source_id": "the journal's OpenAlex source id", "source_name": "the journal's name",
    "domain_id": "OpenAlex domain id of the primary topic", "domain": "OpenAlex domain name",
    "field_id": "OpenAlex field id", "field": "OpenAlex field name",
    "subfield_id": "OpenAlex subfield id", "subfield": "OpenAlex subfield name",
    "n_authors": "authorships on the work", "updated_date": "the record's updated_date (the newest wins)",
    "origin": "where the row comes from: openalex, wos, scopus, pubmed, ror, ...",
    "authors_truncated": "true when the source cut the author list (OpenAlex: over 100 authors)",
    "author_position": "1-based position in the work's authorship list",
    "author_id": "OpenAlex author id", "author_name": "the author's name as given",
    "n_institutions": "distinct institutions of the authorship", "n_countries": "distinct countries of the authorship",
    "institution_id": "the institution's id: OpenAlex `I…`, `R` + ROR id, or `addr:…` for an unmatched address",
    "ror": "ROR id (no https://ror.org/)", "name": "display name", "country_code": "ISO 3166-1 alpha-2",
    "lineage": "the institution and its parents (ids), itself first", "ingest_id": "1, 2, ... per committed ingest",
    "finished_at": "when the ingest committed", "summary": "the ingest summary (`ingest --json`)",
    "key": "setting name (schema_version, data_version, ...)", "value": "its value",
    "lat": "latitude (degrees)", "lon": "longitude (degrees)",
    "wkey": "the work (`works.wkey`)", "ikey": "the institution (`institutions.ikey`)",
}


@dataclass
class Column:
    name: str
    type: str
    nullable: bool
    comment: str = ""


@dataclass
class Table:
    name: str
    comment: str = ""
    columns: list[Column] = field(default_factory=list)


def tables() -> list[Table]:
    """The tables of :data:`schema.SCHEMA_SQL` with their columns and comments, in order."""
    found: list[Table] = []
    pending: list[str] = []
    current: Table | None = None
    for line in schema.SCHEMA_SQL.splitlines():
        stripped = line.strip()
        if current is None:
            if stripped.startswith("--"):
                pending.append(stripped.lstrip("-").strip())
            elif match := _TABLE.match(stripped):
                current = Table(match.group(1), " ".join(pending))
                pending = []
            continue
        if stripped.startswith(");"):
            found.append(current)
            current = None
        elif stripped.startswith("--") and current.columns:  # a comment continued on the next line
            current.columns[-1].comment = f"{current.columns[-1].comment} {stripped.lstrip('-').strip()}".strip()
        elif match := _COLUMN.match(line):
            name, kind, not_null, comment = match.groups()
            current.columns.append(Column(name, kind, not_null is None, (comment or "").strip() or NOTES.get(name, "")))
    return found


def schema_json() -> dict:
    return {"schema_version": schema.SCHEMA_VERSION, "tables": [asdict(t) for t in tables()]}


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def schema_markdown() -> str:
    """The schema as Markdown (``docs/schema.md``)."""
    out = [f"# The store schema (version {schema.SCHEMA_VERSION})", "",
           "Generated from `collabatlas.store.schema.SCHEMA_SQL` (`collabatlas schema` prints it; a test",
           "keeps this page equal to it). Ids are strings (`W…`, `I…`, ISO 3166-1 alpha-2 countries in",
           "upper case); the fact tables refer to works and institutions by the integer keys `wkey` / `ikey`.",
           "", READ_ONLY_SQL, ""]
    for table in tables():
        out += [f"## `{table.name}`", ""]
        if table.comment:
            out += [table.comment, ""]
        out += ["| column | type | null | what it holds |", "|---|---|---|---|"]
        out += [f"| `{c.name}` | {c.type} | {'yes' if c.nullable else 'no'} | {_cell(c.comment)} |"
                for c in table.columns]
        out.append("")
    out += ["## Derived tables", "", DERIVED, ""]
    return "\n".join(out)
