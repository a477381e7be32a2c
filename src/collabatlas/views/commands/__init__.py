"""Command modules of the ``collabatlas`` CLI beyond the core (each owns one area).

Each module has ``register(app)``, which adds its commands to the shared Typer app. The modules named
in :data:`LAZY` are imported only when one of their commands runs (or shows its own ``--help``):
``collabatlas --help`` lists them from the summaries here, so it needs neither pandas, DuckDB nor
Altair (:class:`collabatlas.views.cli_common.GlobalOptionsGroup`). A module in :data:`MODULES` but
not in :data:`LAZY` is registered when the CLI is imported, as before.
"""

from __future__ import annotations

import importlib

import typer

MODULES = ("store_tables", "fetch", "network", "serve", "affiliations", "report", "data", "works", "journals",
           "indicators", "sync",
           "landscape", "impact", "lookup")

LAZY: dict[str, tuple[str, str]] = {
    # command: (module, the first sentence of its help, shown by `collabatlas --help`)
    "network": ("network", "Collaboration network map: units linked by CS or joint works, Leiden clusters, a layout."),
    "serve": ("serve", "Serve the dashboard (overview, country, institution, pair, group, network, landscape pages) "
                       "and the JSON API"),
    "match": ("affiliations", "Match affiliation strings to ROR institutions; give ROR id, name, country, sector "
                              "and score."),
    "ror": ("affiliations", "The ROR registry in the store (for affiliation matching)."),
    "chart": ("report", "Draw one infographic chart; its caption carries the definition, the filters and the data "
                        "version."),
    "report": ("report", "A static, self-contained HTML report on a country or an institution (works offline)."),
    "data": ("data", "Reference data packaged with collabatlas: provenance, location, updates."),
    "works": ("works", "The works behind a Count, Share or CS: one row per work with its contribution to the figure"),
    "journals": ("journals", "Which list entries matched which sources in the store"),
    "indicators": ("indicators", "Collaboration indicators as in the CWTS Leiden Ranking Open Edition, per unit"),
    "distance": ("indicators", "How far a unit collaborates internationally, per year (or 12-month window)"),
    "sync": ("sync", "Ingest only the updated_date partitions newer than the store's watermark"),
    "verify": ("sync", "Recompute the unit shares and per-year aggregates from scratch into temporary tables and "
                       "compare them with the saved ones"),
    "groups": ("landscape", "The country groups available for `collabatlas group` and `Atlas.group`, with their "
                            "sources."),
    "landscape": ("landscape", "International co-authorship share of each country vs R&D spending"),
    "find": ("lookup", "Candidate ids for a name: countries (ISO2, ISO3 or name) and institutions (id, ROR id or part "
                       "of the name)"),
    "schema": ("lookup", "The documented store schema: every table with its columns, types and what they hold"),
    "impact": ("impact", "Citation impact of a unit's works by collaboration type: one row each for single (one "
                         "institution), national (several institutions, one country), international (two or more "
                         "countries), industry (a company among the institutions) and all."),
    "fetch": ("fetch", "Download publication metadata from an API into files `collabatlas ingest` reads."),
}


def register_all(app: typer.Typer) -> None:
    """Register the modules that are not loaded lazily."""
    lazy = {module for module, _ in LAZY.values()}
    for name in MODULES:
        if name not in lazy:
            importlib.import_module(f"{__name__}.{name}").register(app)


def load(name: str, rich_markup_mode: str | None = "rich") -> dict:
    """The click commands of module ``name`` by command name (the module imported now)."""
    sub = typer.Typer(rich_markup_mode=rich_markup_mode, pretty_exceptions_enable=False)
    importlib.import_module(f"{__name__}.{name}").register(sub)
    return dict(typer.main.get_group(sub).commands)
