"""``collabatlas journals``: which entries of a journal list match which sources of the store."""

from __future__ import annotations

from typing import Annotated

import typer

from collabatlas.views.cli_common import Format, FormatOpt, OutOpt, StoreOpt, _emit, _guard, _open, err_console


def register(app: typer.Typer) -> None:
    app.command("journals")(_guard(journals))


def journals(
    spec: Annotated[str, typer.Option("--journals", "-j", help="nature-index (145, 2023-), nature-index-82 "
                                      "(2018-2023) or FILE (one title, ISSN or OpenAlex source id per line).")]
    = "nature-index",
    unmatched: Annotated[bool, typer.Option("--unmatched", help="Only the entries that match no source.")] = False,
    format: FormatOpt = Format.table, out: OutOpt = None, store: StoreOpt = None,
) -> None:
    """Which list entries matched which sources in the store (by source id, ISSN or exact normalised
    title with a small alias table; never by prefix), and which matched none.

    Example:

      collabatlas journals --journals nature-index --unmatched
    """
    with _open(store) as atlas:
        df = atlas.journals(spec)
    label = df.attrs["label"]
    entries = df["line"].nunique()
    matched = df.dropna(subset=["source_name"])["line"].nunique()
    if unmatched:
        df = df[df["source_name"].isna()]
    err_console.print(f"{label}: {matched} of {entries} entries match a source in the store "
                      f"({int(df['works'].sum()):,} works)", markup=False)
    _emit(df, format, label, out, None)
