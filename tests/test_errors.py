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
    # the store failing is not the request's fault (errors.py); a path that is no store, or none, is
    from collabatlas.engines import CapabilityError, EngineError
    from collabatlas.store.schema import StoreMissingError, StorePathError

    assert errors.answer(StoreError("x")) == errors.Answer(1, 503, "error")
    assert errors.answer(EngineError("x")) == errors.Answer(1, 503, "error")
    assert errors.answer(StorePathError("x")) == errors.Answer(2, 422, "error")
    assert errors.answer(StoreMissingError("x")) == errors.Answer(2, 404, "not found")
    assert errors.answer(CapabilityError("x")) == errors.Answer(2, 422, "error")  # a refusal: ask another source
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


def test_the_cli_answers_store_errors_by_their_class(tmp_path):
    """A store that is not there or is no store: the user's to fix (exit 2); a store with another schema
    version: the store's state, not the request (exit 1)."""
    import duckdb

    runner = CliRunner()
    missing = runner.invoke(app, ["scores", "--store", str(tmp_path / "none.duckdb")])
    assert missing.exit_code == 2 and "does not exist" in missing.output
    folder = tmp_path / "dir.duckdb"
    folder.mkdir()
    assert runner.invoke(app, ["scores", "--store", str(folder)]).exit_code == 2
    old = tmp_path / "old.duckdb"
    with collabatlas.open(old):
        pass
    con = duckdb.connect(str(old))
    con.execute("UPDATE store_meta SET value = '99' WHERE key = 'schema_version'")
    con.close()
    result = runner.invoke(app, ["scores", "--store", str(old)])
    assert result.exit_code == 1 and "schema version" in result.output
