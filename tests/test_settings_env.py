"""Settings from the environment are read in one place and checked: a bad value is one line naming
the variable, exit 2; output never crashes on a terminal that cannot encode a character."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from typer.testing import CliRunner

import collabatlas
from collabatlas.settings import EngineSettings, SettingError, memory_size, positive_int
from collabatlas.views.cli import app
from tests.conftest import work, write_jsonl

runner = CliRunner()


@pytest.mark.parametrize(("value", "parsed"), [("8GB", "8GB"), ("512mb", "512MB"), ("1.5GiB", "1.5GiB"),
                                                (" 64MB ", "64MB"), ("", None), (None, None)])
def test_memory_sizes(value, parsed):
    assert memory_size("COLLABATLAS_MEMORY_LIMIT", value) == parsed


@pytest.mark.parametrize(("value", "says"), [("lots", "expected a memory size"), ("8", "expected a memory size"),
                                             ("-1GB", "expected a memory size"), ("1KB", "too small"),
                                             ("63MB", "too small")])
def test_bad_memory_sizes_name_the_variable(value, says):
    with pytest.raises(SettingError, match=f"COLLABATLAS_MEMORY_LIMIT={value!r}: {says}"):
        memory_size("COLLABATLAS_MEMORY_LIMIT", value)


@pytest.mark.parametrize("value", ["-3", "0", "two", "1.5"])
def test_threads_must_be_a_positive_whole_number(value):
    with pytest.raises(SettingError, match="COLLABATLAS_THREADS"):
        positive_int("COLLABATLAS_THREADS", value)
    assert positive_int("COLLABATLAS_THREADS", " 4 ") == 4


def test_the_library_refuses_a_bad_setting(monkeypatch, tmp_path):
    monkeypatch.setenv("COLLABATLAS_THREADS", "-3")
    with pytest.raises(SettingError):
        EngineSettings()
    with pytest.raises(collabatlas.UserError, match="COLLABATLAS_THREADS"):
        collabatlas.open(tmp_path / "s.duckdb")


def test_a_duckdb_accepts_every_size_we_accept(tmp_path, monkeypatch):
    monkeypatch.setenv("COLLABATLAS_MEMORY_LIMIT", "1.5GiB")
    monkeypatch.setenv("COLLABATLAS_THREADS", "2")
    with collabatlas.open(tmp_path / "s.duckdb") as atlas:
        assert atlas.con.execute("SELECT current_setting('threads')").fetchone()[0] == 2


@pytest.mark.parametrize(("env", "value"), [("COLLABATLAS_MEMORY_LIMIT", "lots"), ("COLLABATLAS_MEMORY_LIMIT", "1KB"),
                                            ("COLLABATLAS_THREADS", "-3"),
                                            ("COLLABATLAS_INGEST_MEMORY_LIMIT", "huge"),
                                            ("COLLABATLAS_SPARK_SHUFFLE_PARTITIONS", "many")])
def test_the_cli_says_which_setting_is_wrong_and_exits_2(env, value, tmp_path):
    result = runner.invoke(app, ["scores", "--store", str(tmp_path / "s.duckdb")], env={env: value})
    assert result.exit_code == 2
    assert f"{env}={value!r}" in result.output
    assert "Traceback" not in result.output


def test_an_ascii_terminal_gets_replacement_characters_not_a_crash(tmp_path):
    store = tmp_path / "s.duckdb"
    inst = {"id": "https://openalex.org/I1", "display_name": "Université de Genève – Campus", "ror": None,
            "country_code": "CH", "type": "education", "lineage": []}
    records = [work("W1", [[inst], [("I2", "US")]], year=2020), work("W2", [[inst], [("I2", "US")]], year=2021)]
    with collabatlas.open(store) as atlas:
        atlas.ingest(write_jsonl(tmp_path / "w.jsonl", records))
    env = {**os.environ, "PYTHONIOENCODING": "ascii", "COLUMNS": "200"}
    cli = [sys.executable, "-c", "from collabatlas.views.cli import app; app()"]
    for args, shows in ((["scores", "--level", "institution"], b"Universit? de Gen?ve ? Campus"),
                        (["trend", "CH", "US", "--years", "2020-2021"], b"CS CH?US"),
                        (["scores", "--level", "institution", "--format", "csv"], b"Universit? de Gen?ve ? Campus")):
        result = subprocess.run([*cli, *args, "--store", str(store)], capture_output=True, env=env)
        assert result.returncode == 0, result.stderr.decode("ascii", "replace")
        assert shows in result.stdout


def test_settings_are_read_only_through_the_settings_table():
    """No module but settings.py names a setting's environment variable or reads os.environ for one:
    the table documents every value collabatlas reads, and a renamed variable changes in one place."""
    import re
    from pathlib import Path

    from collabatlas import settings

    src = Path(settings.__file__).parent
    named = re.compile(r"""["'](?:COLLABATLAS_[A-Z_]+|OPENALEX_API_KEY)["']""")
    offenders = []
    for path in src.rglob("*.py"):
        if path.name == "settings.py" and path.parent == src:
            continue
        text = path.read_text(encoding="utf-8")
        for number, line in enumerate(text.splitlines(), 1):
            if named.search(line) or ("os.environ.get(" in line or "getenv(" in line) and "COLUMNS" not in line:
                offenders.append(f"{path.relative_to(src)}:{number}: {line.strip()}")
    assert not offenders, "read through settings.raw(name) instead:\n" + "\n".join(offenders)
    assert settings.raw("small_n") is None or settings.raw("small_n") == os.environ.get("COLLABATLAS_SMALL_N")


def test_raw_reads_a_setting_by_its_row(monkeypatch):
    monkeypatch.setenv("COLLABATLAS_SPARK_SHUFFLE_PARTITIONS", "7")
    from collabatlas.engines.spark import SparkSettings

    assert SparkSettings.from_env().shuffle_partitions == 7
    monkeypatch.setenv("COLLABATLAS_SPARK_SHUFFLE_PARTITIONS", "-1")
    with pytest.raises(Exception, match="COLLABATLAS_SPARK_SHUFFLE_PARTITIONS"):
        SparkSettings.from_env()
    with pytest.raises(KeyError):
        from collabatlas import settings

        settings.raw("no_such_setting")
