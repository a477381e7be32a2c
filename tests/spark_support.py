"""What every Spark test module shares: Spark present (pyspark and a Java runtime; under CI=true a
missing Java fails the module instead of skipping it — `make test` installs one, scripts/system-deps.sh),
the local master, and the small-data settings that keep each Spark query about a second.

A test module calls :func:`require_spark` at import and imports :func:`small_data_settings` (an
autouse fixture: importing it into the module applies it there)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import duckdb
import pytest

MASTER = "local[2]"
#: small data: one shuffle partition and no adaptive re-planning keep each query about a second
SMALL_DATA = {"COLLABATLAS_SPARK_SHUFFLE_PARTITIONS": "1", "COLLABATLAS_SPARK_ADAPTIVE": "0",
              "COLLABATLAS_SPARK_DRIVER_MEMORY": "1g"}


def require_spark() -> None:
    """Skip the calling module without pyspark or Java (fail it under CI=true when Java is missing)."""
    pytest.importorskip("pyspark")
    if shutil.which("java") is None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("Spark needs a Java runtime (java not on PATH)", pytrace=False)
        pytest.skip("Spark needs a Java runtime (java not on PATH)", allow_module_level=True)


@pytest.fixture(scope="module", autouse=True)
def small_data_settings():
    with pytest.MonkeyPatch.context() as mp:
        for key, value in SMALL_DATA.items():
            mp.setenv(key, value)
        yield


#: the key of each interchange table
KEYS = {"works": ["work_id"], "authorships": ["work_id", "author_position"],
        "affiliations": ["work_id", "author_position", "institution_id"],
        "author_countries": ["work_id", "author_position", "country_code"], "institutions": ["institution_id"]}


def table(con: duckdb.DuckDBPyConnection, folder, name: str) -> str:
    """A table of an interchange folder, its year from the partition path (as import-tables reads it)."""
    partitioned = name != "institutions"
    return (f"(SELECT * FROM read_parquet('{folder}/{name}/**/*.parquet', hive_partitioning = {partitioned}, "
            f"hive_types_autocast = false))")


def assert_same_tables(spark_dir, duck_dir, tables=None) -> dict[str, int]:
    """Every table (or those named): same columns and types, same rows (every value), same keys; rows per table."""
    con = duckdb.connect()
    rows = {}
    for name, keys in KEYS.items():
        if tables is not None and name not in tables:
            continue
        found = [any((Path(folder) / name).rglob("*.parquet")) for folder in (spark_dir, duck_dir)]
        if not any(found):  # a table without rows: no Parquet file in either folder
            rows[name] = 0
            continue
        a, b = table(con, spark_dir, name), table(con, duck_dir, name)
        assert con.execute(f"DESCRIBE {a}").fetchall() == con.execute(f"DESCRIBE {b}").fetchall(), name
        n = con.execute(f"SELECT count(*) FROM {a}").fetchone()[0]
        assert n == con.execute(f"SELECT count(*) FROM {b}").fetchone()[0], name
        assert con.execute(f"SELECT count(*) FROM (SELECT DISTINCT {', '.join(keys)} FROM {a})").fetchone()[0] == n
        for x, y in ((a, b), (b, a)):
            assert con.execute(f"SELECT count(*) FROM (SELECT * FROM {x} EXCEPT ALL SELECT * FROM {y})").fetchone()[0] \
                == 0, name
        rows[name] = n
    return rows
