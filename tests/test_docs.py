"""The README documents every command, and every command's --help carries an example."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import typer.main
from typer.testing import CliRunner

from collabatlas import settings as config
from collabatlas.views.cli import app

REPO = Path(__file__).resolve().parents[1]
README = (REPO / "README.md").read_text(encoding="utf-8")


def _commands(group, prefix: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], object]]:
    found = []
    for name, command in sorted(group.commands.items()):
        if hasattr(command, "commands"):  # a group (typer vendors its own click)
            found += _commands(command, (*prefix, name))
        else:
            found.append(((*prefix, name), command))
    return found


COMMANDS = _commands(typer.main.get_command(app))


def test_the_cli_has_the_commands_we_think():
    names = {" ".join(path) for path, _ in COMMANDS}
    assert {"ingest", "scores", "pairs", "data info", "data update", "ror load", "fetch openalex"} <= names


@pytest.mark.parametrize("path", [" ".join(p) for p, _ in COMMANDS])
def test_every_command_is_in_the_readme(path):
    assert re.search(rf"collabatlas {re.escape(path)}\b", README), f"`collabatlas {path}` is not in README.md"


@pytest.mark.parametrize("path", [" ".join(p) for p, _ in COMMANDS])
def test_every_command_has_help_with_an_example(path):
    result = CliRunner().invoke(app, [*path.split(), "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "Example" in result.output, f"`collabatlas {path} --help` shows no example"
    assert f"collabatlas {path}" in result.output, f"the example of `{path}` does not run `collabatlas {path}`"


def test_the_readme_names_the_two_setup_commands():
    assert "make demo" in README and "make test" in README


def test_the_readme_carries_the_settings_table():
    assert config.settings_markdown() in README, "README's settings table differs from collabatlas.settings.SETTINGS"
    assert len(config.ENV_VARS) == len(set(config.ENV_VARS))


def test_every_environment_variable_read_by_the_code_is_a_setting():
    read = set()
    for path in (REPO / "src" / "collabatlas").rglob("*.py"):
        read |= set(re.findall(r"""["'](COLLABATLAS_[A-Z_]+|OPENALEX_API_KEY)["']""", path.read_text(encoding="utf-8")))
    assert read <= set(config.ENV_VARS), f"not in config.SETTINGS: {sorted(read - set(config.ENV_VARS))}"


def test_the_engines_capabilities_table_equals_the_declarations():
    """docs/engines.md carries the table generated from the engines' declarations (issue 26)."""
    from collabatlas.engines import DECLARED, markdown_table

    doc = (REPO / "docs" / "engines.md").read_text(encoding="utf-8")
    table = re.search(r"<!-- capabilities:begin -->\n(.*?)\n<!-- capabilities:end -->", doc, re.S)
    assert table, "docs/engines.md has no capabilities table between its markers"
    assert table.group(1) == markdown_table(DECLARED), "regenerate it: collabatlas.engines.markdown_table(DECLARED)"
