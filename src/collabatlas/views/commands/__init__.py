"""Command modules of the ``collabatlas`` CLI beyond the core (each owns one area).

Each module has ``register(app)``, which adds its commands to the shared Typer app.
"""

from __future__ import annotations

import importlib

import typer

MODULES = ("fetch", "network", "serve", "affiliations", "report", "data", "works", "journals", "indicators", "sync",
           "landscape", "lookup")


def register_all(app: typer.Typer) -> None:
    for name in MODULES:
        importlib.import_module(f"{__name__}.{name}").register(app)
