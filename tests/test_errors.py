"""One error root: every error class collabatlas defines derives from CollabatlasError, and the CLI and
the web answer them through one table (collabatlas.errors.ANSWERS)."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import pytest
from typer.testing import CliRunner

import collabatlas
from collabatlas import errors
from collabatlas.views.cli import app


def _error_classes():
    found = {}
    for info in pkgutil.walk_packages(collabatlas.__path__, "collabatlas."):
        module = importlib.import_module(info.name)
        for name, obj in vars(module).items():
            if inspect.isclass(obj) and issubclass(obj, Exception) and obj.__module__ == info.name:
                found[f"{info.name}.{name}"] = obj
    return found


CLASSES = _error_classes()


def test_there_are_many_error_classes():
    assert len(CLASSES) >= 15


@pytest.mark.parametrize("name", sorted(CLASSES))
def test_every_error_class_has_the_one_root(name):
    assert issubclass(CLASSES[name], errors.CollabatlasError), f"{name} does not derive from CollabatlasError"
    assert errors.answer(CLASSES[name]("x")) is not None


def test_the_answer_table_is_most_specific_first():
    from collabatlas.atlas import UnknownUnitError
    from collabatlas.store.schema import StoreError

    assert errors.answer(UnknownUnitError("x")) == errors.Answer(2, 404, "not found")
    assert errors.answer(StoreError("x")).http_status == 422
    assert errors.answer(errors.DataError("x")) == errors.Answer(1, 503, "error")
    assert errors.answer(KeyError("x")) is None  # a bug is not answered: it raises


def test_cli_and_web_answer_the_same_error_alike(sample_store):
    from fastapi.testclient import TestClient

    from collabatlas.views.web.app import create_app

    result = CliRunner().invoke(app, ["partners", "ZZ", "--store", str(sample_store)])
    assert result.exit_code == 2 and "unknown country 'ZZ'" in result.output
    with TestClient(create_app(sample_store)) as client:
        response = client.get("/api/partners/ZZ")
        assert response.status_code == 404 and "unknown country 'ZZ'" in response.json()["detail"]
        assert client.get("/api/profile/no-such-institution-xyz").status_code == 404
