"""A light command line: importing it loads no pandas, DuckDB or Altair; the command modules of
``views.commands.LAZY`` load when used, and ``collabatlas --help`` lists them from their summaries."""

from __future__ import annotations

import subprocess
import sys

import pytest
import typer.main
from typer.testing import CliRunner

from collabatlas.views.cli import app
from collabatlas.views.commands import LAZY, MODULES, load

HEAVY = ("pandas", "duckdb", "altair", "pyarrow", "numpy", "sqlglot", "fastapi", "igraph", "country_converter")


def _loaded_after(code: str) -> set[str]:
    probe = f"import sys\n{code}\nprint('LOADED', *(m for m in {HEAVY!r} if m in sys.modules), file=sys.stderr)"
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    return set(result.stderr.split("LOADED", 1)[1].split())


def test_importing_the_cli_loads_no_heavy_library():
    assert _loaded_after("import collabatlas.views.cli") == set()
    assert _loaded_after("import collabatlas") == set()


def test_help_runs_without_heavy_libraries():
    code = ("from collabatlas.views.cli import app\n"
            "try:\n    app(['--help'])\nexcept SystemExit:\n    pass")
    assert _loaded_after(code) == set()


def test_the_package_names_still_load_on_use():
    assert _loaded_after("import collabatlas\ncollabatlas.open") >= {"duckdb", "pandas"}


def test_help_lists_every_command_with_its_summary():
    result = CliRunner().invoke(app, ["--help"], env={"COLUMNS": "250"})
    assert result.exit_code == 0
    for name in typer.main.get_command(app).list_commands(None):
        assert f" {name} " in result.output
    for name, (_, summary) in LAZY.items():
        assert " ".join(summary.split()[:4]) in result.output, name


@pytest.mark.parametrize("name", sorted(LAZY))
def test_each_lazy_summary_opens_the_real_help(name):
    module, summary = LAZY[name]
    assert module in MODULES
    command = load(module)[name]
    first = " ".join((command.help or "").split("\n\n")[0].split())
    assert first.startswith(" ".join(summary.split()).rstrip(".")), f"LAZY[{name!r}] no longer opens its help"


def test_a_lazy_command_runs_and_shows_its_own_help():
    result = CliRunner().invoke(app, ["find", "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0 and "collabatlas find Tokyo" in result.output
    nested = CliRunner().invoke(app, ["ror", "load", "--help"], env={"COLUMNS": "200"})
    assert nested.exit_code == 0 and "collabatlas ror load" in nested.output


def test_network_clustering_without_its_extra_says_which_to_install(monkeypatch):
    from collabatlas.analyses import network
    from collabatlas.counting.rules import CountingError

    monkeypatch.setitem(sys.modules, "igraph", None)  # as if not installed: import raises ImportError
    monkeypatch.setitem(sys.modules, "leidenalg", None)
    with pytest.raises(CountingError, match=r"pip install 'collabatlas\[network\]'"):
        network._igraph()
    with pytest.raises(CountingError, match=r"collabatlas\[network\]"):
        network._leidenalg()


def test_the_package_metadata_keeps_test_extras_out_of_the_demo():
    """(Its project URLs: tests/test_package_metadata.py, only addresses the README gives.)"""
    import tomllib
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    project = tomllib.loads((root / "pyproject.toml").read_text())["project"]
    assert not any(dep.startswith(("igraph", "leidenalg", "pyspark", "playwright")) for dep in project["dependencies"])
    assert {"network", "spark", "pdf", "test", "bench"} <= set(project["optional-dependencies"])
    makefile = (root / "Makefile").read_text()
    demo_stamp = makefile.split("demo:", 1)[1].split("\n", 1)[0].strip()
    assert "pip install -q -e .\n" in makefile.split(demo_stamp + ":", 1)[1].split("\n\n", 1)[0] + "\n"
