"""The shapes of the JSON API's responses (``/api/...``), for the OpenAPI spec and ``/docs``: a table
(``meta`` + ``columns`` + ``rows``), a document of several tables, a chart spec, a problem. Responses
are serialised with orjson (:func:`collabatlas.views.web.api.dumps`); these models only document them."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel


class Meta(BaseModel):
    endpoint: str
    params: dict[str, Any]
    data_version: int
    rows: int | None = None
    returned: int | None = None


class Table(BaseModel):
    meta: Meta
    columns: list[str]
    rows: list[dict[str, Any]]


class Document(BaseModel):
    """A result made of several tables or values (profile, group, landscape, info)."""

    meta: Meta
    model_config = {"extra": "allow"}


class ChartMeta(BaseModel):
    chart: str
    data_version: int
    note: str | None = None


class ChartSpec(BaseModel):
    """A Vega-Lite spec (data inline) made by :mod:`collabatlas.views.charts`; ``null`` with ``meta.note``
    saying why when there is nothing to draw (e.g. no geocoded institution for a distance chart)."""

    meta: ChartMeta
    spec: dict[str, Any] | None


class Problem(BaseModel):
    detail: str | list[Any]


ERRORS = {404: {"model": Problem, "description": "Unknown unit"},
          422: {"model": Problem, "description": "Bad parameter (range, filter, group, ...)"}}
TABLE = {200: {"model": Table}, **ERRORS}
DOCUMENT = {200: {"model": Document}, **ERRORS}
CHART = {200: {"model": ChartSpec}, **ERRORS}
