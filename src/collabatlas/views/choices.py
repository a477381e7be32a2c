"""The closed sets of values the CLI and the API offer, each made once from the library's own list:
a CLI choice (Typer) and an API enum (OpenAPI) are the same class."""

from __future__ import annotations

from enum import Enum

from collabatlas.atlas.inputs import LEVELS, SOURCES


def choices(name: str, values: tuple[str, ...]) -> type[Enum]:
    """A string enum whose members are ``values`` (member name = value)."""
    return Enum(name, {v: v for v in values}, type=str)


#: unit of analysis
Level = choices("Level", LEVELS)
#: where the numbers come from (collabatlas.atlas.inputs.SOURCES)
Source = choices("Source", tuple(SOURCES))
#: the levels distances are measured at
DistanceLevel = choices("DistanceLevel", tuple(level for level in LEVELS if level != "sector"))
