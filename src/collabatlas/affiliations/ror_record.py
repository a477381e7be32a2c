"""One organisation as read from a registry file (ROR dump or OpenAlex institutions), before it is stored.

:mod:`collabatlas.affiliations.ror` reads ROR dumps into these records and
:mod:`collabatlas.affiliations.registry_openalex` reads OpenAlex institutions into them; both share the id
and coordinate normalisation here.
"""

from __future__ import annotations

from dataclasses import dataclass


def short_ror(value: str | None) -> str | None:
    """``https://ror.org/03vek6s52`` / ``ror.org/03vek6s52`` / ``03vek6s52`` → ``03vek6s52``; None stays None."""
    if not value:
        return None
    return value.strip().rstrip("/").rsplit("/", 1)[-1].lower()


@dataclass
class RorRecord:
    ror_id: str
    name: str
    status: str | None
    types: list[str]
    country_code: str | None
    country_name: str | None
    city: str | None
    established: int | None
    last_modified: str | None
    schema: str
    names: list[tuple[str, str, str | None]]          # (name, kind, lang)
    relations: list[tuple[str, str]]                  # (relation, target short id)
    source: str = ""
    lat: float | None = None                          # first location (NULL when absent or out of range)
    lon: float | None = None
    works_count: int | None = None                    # works the source counts (OpenAlex institutions only)


def coordinates(lat, lon) -> dict[str, float | None]:
    """``lat`` / ``lon`` as floats when both are numbers in range (|lat| ≤ 90, |lon| ≤ 180), else None."""
    try:
        lat, lon = float(lat), float(lon)
    except (TypeError, ValueError):
        return {"lat": None, "lon": None}
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):  # also NaN
        return {"lat": None, "lon": None}
    return {"lat": lat, "lon": lon}
