"""Great-circle distance (haversine, R = 6371.01 km) in Python and as SQL for both engines."""

from __future__ import annotations

import math

#: mean Earth radius used by the CWTS Leiden Ranking distance indicators (km)
EARTH_RADIUS_KM = 6371.01


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in km between two points (degrees), haversine formula, R = 6371.01 km."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def haversine_sql(lat1: str, lon1: str, lat2: str, lon2: str) -> str:
    """The same formula as SQL over four DOUBLE columns (DuckDB and, through sqlglot, Spark)."""
    h = (f"power(sin(radians({lat2} - {lat1}) / 2), 2) + cos(radians({lat1})) * cos(radians({lat2})) "
         f"* power(sin(radians({lon2} - {lon1}) / 2), 2)")
    return f"(2 * CAST({EARTH_RADIUS_KM} AS DOUBLE) * asin(least(CAST(1 AS DOUBLE), sqrt({h}))))"
