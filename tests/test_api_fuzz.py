"""Fuzzing the OpenAPI spec with schemathesis: every operation of the JSON API, with generated
parameters (valid and invalid), must answer without a server error (no 500), with a documented
status code and a response that matches its documented schema. A few examples per operation keep
the whole file under a minute; the examples are derandomised, so a run is repeatable."""

from __future__ import annotations

import warnings

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error, response_schema_conformance, status_code_conformance

from collabatlas.views.web import create_app

pytestmark = pytest.mark.realdata

MAX_EXAMPLES = 12
CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance]


def _paths() -> list[str]:
    """The API's paths, read from the spec of an app over an empty in-memory store."""
    app = create_app(":memory:")
    try:
        return sorted(app.openapi()["paths"])
    finally:
        app.state.service.close()


@pytest.fixture(scope="module")
def api_schema(shared_data, sample_store):
    app = create_app(sample_store, data_dir=shared_data)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        yield schemathesis.openapi.from_asgi("/openapi.json", app)
    app.state.service.close()


@pytest.mark.parametrize("path", _paths())
def test_operation_has_no_server_error_and_documented_responses(api_schema, path):
    operation = api_schema[path]["GET"]

    @given(case=operation.as_strategy())
    @settings(max_examples=MAX_EXAMPLES, deadline=None, database=None, derandomize=True,
              suppress_health_check=list(HealthCheck))
    def run(case):
        case.call_and_validate(checks=CHECKS)

    run()
