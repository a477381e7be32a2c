"""The record contract's DuckDB macros (:func:`collabatlas.sources.record.macros_sql`: ids, DOI,
countries, years, text cleaning) inside Spark SQL statements: each ``ca_*`` call is replaced by the
macro's body (parsed by sqlglot from the same ``CREATE MACRO`` text the DuckDB ingest installs),
then the statement is rendered for Spark. So the rules stay written once.

DuckDB functions Spark lacks are rewritten in the syntax tree: ``regexp_full_match(x, p)`` becomes
``x RLIKE '^(?:p)\\z'``, and a ``regexp_extract`` pattern's final ``$`` becomes ``\\z`` (Java's ``$``
also matches before a final line break, RE2's does not).
"""

from __future__ import annotations

import re
from functools import cache

import sqlglot
from sqlglot import exp

from collabatlas.engines.sql_dialect import RenderError
from collabatlas.sources.record import macros_sql

_MACRO = re.compile(r"CREATE OR REPLACE TEMP MACRO (\w+)\(([^)]*)\) AS(.*?);\n", re.S)


#: the macros the Spark staging calls (the dedupe keys ``ca_title_key``… are not needed on Spark)
USED = ("ca_clean", "ca_dirty", "ca_doi_text", "ca_doi", "ca_doi_invalid", "ca_oa_id", "ca_work_id", "ca_ror",
        "ca_country", "ca_year_ok")


@cache
def macros() -> dict[str, tuple[tuple[str, ...], exp.Expression]]:
    """{name: (parameter names, body)} of the contract's macros that the Spark staging uses."""
    found = {}
    for match in _MACRO.finditer(macros_sql()):
        name, params, body = match.groups()
        if name in USED:
            found[name] = (tuple(p.strip() for p in params.split(",")), sqlglot.parse_one(body, read="duckdb"))
    if set(found) != set(USED):
        raise RenderError("the record contract's macros could not be read (collabatlas.sources.record.macros_sql): "
                          f"missing {', '.join(sorted(set(USED) - set(found)))}")
    return found


def _call_name(node: exp.Expression) -> str | None:
    if isinstance(node, exp.Anonymous):
        return str(node.this).lower()
    return None


def inline(tree: exp.Expression) -> exp.Expression:
    """``tree`` with every contract macro call replaced by its body (nested macros too)."""
    defined = macros()

    def expand(node: exp.Expression) -> exp.Expression:
        name = _call_name(node)
        if name not in defined:
            return node
        params, body = defined[name]
        args = [expand(a.copy()) for a in node.expressions]
        if len(args) != len(params):
            raise RenderError(f"{name} takes {len(params)} arguments, got {len(args)}")
        values = dict(zip(params, args, strict=True))

        def substitute(inner: exp.Expression) -> exp.Expression:
            if isinstance(inner, exp.Column) and not inner.table and inner.name in values:
                return exp.paren(values[inner.name].copy(), copy=False)
            return inner

        return expand(body.copy().transform(substitute)).transform(expand)

    return tree.transform(expand)


def _spark_only(node: exp.Expression) -> exp.Expression:
    if isinstance(node, exp.RegexpFullMatch):
        subject, pattern = node.this, node.expression
        if not isinstance(pattern, exp.Literal):
            raise RenderError("regexp_full_match needs a literal pattern for Spark")
        return exp.RegexpLike(this=subject, expression=exp.Literal.string(f"^(?:{pattern.this})\\z"))
    if isinstance(node, exp.RegexpExtract) and isinstance(node.expression, exp.Literal):
        pattern = node.expression.this
        if pattern.endswith("$") and not pattern.endswith("\\$"):  # RE2's end of text, not Java's
            node = node.copy()
            node.set("expression", exp.Literal.string(pattern[:-1] + "\\z"))
    return node


def _ordinality_from_one(tree: exp.Expression) -> exp.Expression:
    """DuckDB's ``unnest(l) WITH ORDINALITY AS u(x, n)`` numbers from 1; Spark's ``posexplode`` (what
    sqlglot writes for it) from 0: each use of ``n`` in the query that unnests becomes ``n + 1``."""
    for unnest in list(tree.find_all(exp.Unnest)):
        offset = unnest.args.get("offset")
        select = unnest.find_ancestor(exp.Select)
        if not isinstance(offset, exp.Identifier) or select is None:
            continue
        name = offset.name

        def shift(node: exp.Expression, name=name) -> exp.Expression:
            if isinstance(node, exp.Column) and node.name == name and node.find_ancestor(exp.Unnest) is None:
                return exp.paren(exp.Add(this=node.copy(), expression=exp.Literal.number(1)), copy=False)
            return node

        for i, item in enumerate(select.expressions):
            if isinstance(item, exp.Column) and item.name == name:
                select.expressions[i] = exp.alias_(shift(item), name)
            else:
                select.expressions[i] = item.transform(shift)
        for key in ("where", "group", "having", "order"):
            if select.args.get(key) is not None:
                select.set(key, select.args[key].transform(shift))
    return tree


def render_shared(sql: str) -> str:
    """A shared staging statement (DuckDB SQL, :mod:`collabatlas.sources.openalex_statements`) as one
    Spark SQL statement: the contract's macros inlined, then sqlglot's DuckDB → Spark rendering (the
    path of the counting statements, :mod:`.sql_dialect`), with the rewrites above."""
    tree = _ordinality_from_one(inline(sqlglot.parse_one(sql, read="duckdb")))
    return _finish(tree)


def render(sql: str) -> str:
    """A Spark SQL statement calling contract macros (``ca_oa_id(x)``…) as one Spark SQL statement."""
    return _finish(inline(sqlglot.parse_one(sql, read="spark")))


def _finish(tree: exp.Expression) -> str:
    tree = tree.transform(_spark_only)
    while any(True for _ in tree.find_all(exp.RegexpFullMatch)):  # a rewritten call may hold another
        tree = tree.transform(_spark_only)
    return tree.sql(dialect="spark", unsupported_level=sqlglot.ErrorLevel.RAISE)
