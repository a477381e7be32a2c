"""What every Spark test module shares: Spark present (pyspark and a Java runtime; under CI=true a
missing Java fails the module instead of skipping it — `make test` installs one, scripts/system-deps.sh),
the local master, and the small-data settings that keep each Spark query about a second.

A test module calls :func:`require_spark` at import and imports :func:`small_data_settings` (an
autouse fixture: importing it into the module applies it there)."""

from __future__ import annotations

import os
import shutil

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
