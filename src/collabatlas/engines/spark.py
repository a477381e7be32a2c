"""The counting statements on Apache Spark, reading the Parquet interchange export.

``SparkEngine(parquet_dir, master="local[2]")`` registers, in its own Spark session, temporary views
with the names and columns that :mod:`collabatlas.counting.rules` expects of the DuckDB store, derived from
the export's string ids (``collabatlas export DIR``, see :func:`collabatlas.ingest.pipeline.export_tables`):

- ``works``: the work table, ``wkey`` = ``work_id``;
- ``institutions``: ``ikey`` = ``institution_id``;
- ``affiliations`` / ``author_countries``: with the repeated facts the store keeps on them
  (``year``, ``n_authors`` from the work, ``n_institutions`` / ``n_countries`` from the authorship).
- ``institution_geo``: the coordinates (``ikey`` = ``institution_id``), from the export's
  ``institution_geo/`` folder; empty for an export written before coordinates were kept.

String ids serve as join keys where the store uses integer surrogate keys; no statement depends on
the key's type (institution pairs are put in id order when named). Every statement runs through
:func:`collabatlas.engines.sql_dialect.to_spark`; results come back as pandas DataFrames with the
same dtypes as DuckDB's (the Arrow result passes through DuckDB's own pandas conversion).
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import warnings
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from collabatlas.counting import rules as counting
from collabatlas.counting.rules import Counting
from collabatlas.engines.errors import EngineError
from collabatlas.engines.spark_capabilities import SPARK_WORKS
from collabatlas.engines.spark_master import check_reachable
from collabatlas.engines.sql_dialect import to_spark
from collabatlas.errors import UserError
from collabatlas.store.interchange import manifest_data_version

#: the interchange tables that must be present under the Parquet directory
TABLES = ("works", "authorships", "affiliations", "author_countries", "institutions")


class SparkEngineError(EngineError):
    """Spark missing or failing (a data error: CLI exit 1)."""


class SparkUsageError(SparkEngineError, UserError):
    """A Spark request the user can fix (a Parquet directory without the interchange layout, a cluster
    master without --parquet, no store to export): answered as a user error (exit 2)."""


@dataclass(frozen=True)
class SparkSettings:
    """Spark session settings for one machine by default; ``master`` may name a cluster."""

    master: str = "local[*]"
    driver_memory: str = "4g"
    #: results come back to the driver whole (an institution pair table can hold millions of rows):
    #: no cap by default ("0"); Spark's own default (1g) fails on a few million pairs
    max_result_size: str = "0"
    #: small data needs few shuffle partitions (Spark's default 200 costs seconds per query);
    #: raise it on a cluster (2-3 per executor core)
    shuffle_partitions: int = 4
    #: adaptive query execution (Spark's default); off saves planning time on small data
    adaptive: bool = True
    app_name: str = "collabatlas"

    @classmethod
    def from_env(cls, master: str | None = None) -> SparkSettings:
        """Defaults, overridden by ``COLLABATLAS_SPARK_DRIVER_MEMORY`` (e.g. ``8g``),
        ``COLLABATLAS_SPARK_MAX_RESULT_SIZE`` (e.g. ``2g``; ``0`` = no cap),
        ``COLLABATLAS_SPARK_SHUFFLE_PARTITIONS`` and ``COLLABATLAS_SPARK_ADAPTIVE`` (``0`` / ``1``)."""
        from collabatlas import settings

        return cls(master=master or "local[*]",
                   driver_memory=settings.raw("spark_driver_memory") or cls.driver_memory,
                   max_result_size=settings.raw("spark_max_result_size") or cls.max_result_size,
                   shuffle_partitions=settings.positive_int(settings.env_var("spark_shuffle_partitions"),
                                                            settings.raw("spark_shuffle_partitions"))
                   or cls.shuffle_partitions,
                   adaptive=(settings.raw("spark_adaptive") or "1").strip().lower() not in ("0", "false", "no"))


def spark_session(settings: SparkSettings):
    """The process's Spark session (created on first use with ``settings``; later calls reuse it)."""
    try:
        from pyspark.sql import SparkSession
    except ImportError as exc:  # pragma: no cover - pyspark is a dependency here
        raise SparkEngineError("the Spark engine needs pyspark (pip install pyspark) and Java 17+") from exc
    # pyspark 4.x warns on every Arrow conversion that it "does not yet fully support pandas >= 3";
    # results reach pandas through DuckDB here (see SparkEngine.query), not through pyspark.pandas
    warnings.filterwarnings("ignore", message="PySpark does not yet fully support pandas", category=FutureWarning)
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")  # no loopback-hostname warning on laptops
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    builder = (SparkSession.builder.master(settings.master).appName(settings.app_name)
               .config("spark.driver.memory", settings.driver_memory)
               .config("spark.driver.maxResultSize", settings.max_result_size)
               .config("spark.sql.shuffle.partitions", str(settings.shuffle_partitions))
               .config("spark.sql.adaptive.enabled", str(settings.adaptive).lower())
               .config("spark.log.structuredLogging.enabled", "false")
               .config("spark.ui.enabled", "false")
               .config("spark.ui.showConsoleProgress", "false")
               .config("spark.sql.session.timeZone", "UTC")
               .config("spark.sql.execution.arrow.pyspark.enabled", "true")
               # the partition directory year=NULL must not turn the year column into strings
               .config("spark.sql.sources.partitionColumnTypeInference.enabled", "false")
               # size(NULL) is NULL, as DuckDB's array_length (not -1)
               .config("spark.sql.legacy.sizeOfNull", "false"))
    _gateway_without_python_in_the_child()
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel("FATAL")  # failures reach Python as exceptions, logged once
    return session


def _gateway_without_python_in_the_child() -> None:
    """Start the JVM gateway without running Python between fork and exec.

    pyspark launches the JVM with a ``preexec_fn`` (to keep Ctrl-C away from it). Python code in a
    forked child is unsafe when the parent has other threads (the ``subprocess`` documentation says
    so), and in a process that has run a DuckDB query or a browser the child was seen to crash, so
    Spark never started. A new session keeps the terminal's Ctrl-C away from the JVM just the same,
    and needs no Python in the child."""
    from pyspark import java_gateway

    if getattr(java_gateway.Popen, "without_preexec", False):
        return
    popen = java_gateway.Popen

    def launch(*args, **kwargs):
        if kwargs.pop("preexec_fn", None) is not None:
            kwargs["start_new_session"] = True
        return popen(*args, **kwargs)

    launch.without_preexec = True
    java_gateway.Popen = launch


def _year(column: str) -> str:
    """The partition value as an integer (DuckDB writes a missing year as ``year=NULL``)."""
    return f"CAST(CASE WHEN {column} IN ('NULL', '__HIVE_DEFAULT_PARTITION__') THEN NULL ELSE {column} END AS INT)"


#: the store-shaped views, in Spark SQL over the raw ``x_<table>`` views of the Parquet files
VIEWS = {
    "works": f"SELECT * EXCEPT (year), work_id AS wkey, {_year('year')} AS year FROM x_works",
    "authorships": f"SELECT * EXCEPT (year), work_id AS wkey, {_year('year')} AS year FROM x_authorships",
    "institutions": "SELECT *, institution_id AS ikey FROM x_institutions",
    "affiliations": """
        SELECT f.work_id AS wkey, f.author_position, f.institution_id AS ikey, w.year, w.n_authors,
               a.n_institutions, a.n_countries
        FROM x_affiliations f JOIN works w ON w.work_id = f.work_id
        JOIN authorships a ON a.work_id = f.work_id AND a.author_position = f.author_position""",
    "author_countries": """
        SELECT c.work_id AS wkey, c.author_position, c.country_code, w.year, w.n_authors,
               a.n_institutions, a.n_countries
        FROM x_author_countries c JOIN works w ON w.work_id = c.work_id
        JOIN authorships a ON a.work_id = c.work_id AND a.author_position = c.author_position""",
}

CACHED_VIEWS = ("affiliations", "author_countries", "institutions")


class SparkEngine:
    """Runs counting statements on Spark over one Parquet interchange directory."""

    name = "spark"
    capabilities = SPARK_WORKS
    #: a temporary export made for this engine, removed on close
    owned_dir: str | None = None

    def __init__(self, parquet_dir: str | os.PathLike, settings: SparkSettings | None = None):
        self.parquet_dir = Path(parquet_dir)
        missing = [t for t in TABLES if not (self.parquet_dir / t).is_dir()]
        if missing:
            raise SparkUsageError(f"{self.parquet_dir}: no {', '.join(missing)} table directory; expected the "
                                   f"layout `collabatlas export DIR` writes")
        self.settings = settings or SparkSettings()
        #: the data version of the store the export was written from (every result states it)
        self.data_version = manifest_data_version(self.parquet_dir)
        # a session of its own: its temporary views cannot clash with another engine's
        self.spark = spark_session(self.settings).newSession()
        self.spark.conf.set("spark.sql.shuffle.partitions", str(self.settings.shuffle_partitions))
        self.spark.conf.set("spark.sql.adaptive.enabled", str(self.settings.adaptive).lower())
        self._cached: set[str] = set()
        self._register()

    def __repr__(self) -> str:
        return f"Spark {self.settings.master} reading {self.parquet_dir}"

    def _register(self) -> None:
        for table in TABLES:
            path = str(self.parquet_dir / table)
            frame = self.spark.read.option("basePath", path).parquet(path)
            if table == "works" and "year" not in frame.columns:
                raise SparkEngineError(f"{path}: works are not partitioned by year=")
            if table == "institutions" and "ror_type" not in frame.columns:  # written before schema 5
                from pyspark.sql import functions

                frame = frame.withColumn("ror_type", functions.lit(None).cast("string"))
            if table == "works" and "issns" not in frame.columns:  # written before schema 8
                from pyspark.sql import functions

                frame = frame.withColumn("issn_l", functions.lit(None).cast("string")).withColumn(
                    "issns", functions.lit(None).cast("array<string>"))
            frame.createOrReplaceTempView(f"x_{table}")
        # coordinates (collabatlas.affiliations.geo); an older export has none
        geo = self.parquet_dir / "institution_geo"
        if geo.is_dir() and any(geo.rglob("*.parquet")):
            self.spark.read.parquet(str(geo)).createOrReplaceTempView("x_institution_geo")
            geo_sql = "SELECT institution_id AS ikey, lat, lon, origin FROM x_institution_geo"
        else:
            geo_sql = ("SELECT CAST(NULL AS STRING) AS ikey, CAST(NULL AS DOUBLE) AS lat, CAST(NULL AS DOUBLE) AS lon, "
                       "CAST(NULL AS STRING) AS origin FROM range(0)")
        self.spark.sql(geo_sql).createOrReplaceTempView("institution_geo")
        for name, sql in VIEWS.items():
            if name in CACHED_VIEWS:  # every metric reads them: join once, keep the result
                self._cache(name, sql)
            else:
                self.spark.sql(sql).createOrReplaceTempView(name)

    def _cache(self, name: str, sql: str) -> None:
        self._run(f"CACHE TABLE {name} AS {sql}")
        self._cached.add(name)

    def sql(self, sql: str, params: dict | None = None) -> str:
        """The Spark SQL for a DuckDB statement of :mod:`collabatlas.counting.rules` (parameters bound)."""
        return to_spark(sql, params)

    def query(self, sql: str, params: dict | None = None) -> pd.DataFrame:
        """Run a DuckDB statement on Spark; a pandas DataFrame typed as DuckDB types it."""
        table = self._run(self.sql(sql, params)).toArrow()
        # a private connection: the process-wide default one may hold another caller's pending result
        if getattr(self, "_arrow_con", None) is None:
            self._arrow_con = duckdb.connect()
        return self._arrow_con.from_arrow(table).df()

    def mapping(self, sql: str, params: dict | None = None) -> dict:
        """The first two columns of a statement's result as a dict."""
        df = self.query(sql, params)
        return dict(zip(df.iloc[:, 0], df.iloc[:, 1], strict=True))

    def _run(self, spark_sql: str):
        """``spark.sql`` with Spark's analysis errors cut to their first line."""
        from pyspark.errors import AnalysisException, ParseException

        try:
            return self.spark.sql(spark_sql)
        except (AnalysisException, ParseException) as exc:
            first = str(exc).strip().splitlines()[0]
            raise SparkEngineError(f"Spark cannot run the statement: {first}") from exc

    def unit_shares_table(self, c: Counting) -> str:
        """Name of a cached view holding every work's unit shares at ``c``'s level (built on first
        use; the Parquet data does not change under an engine)."""
        name = f"wu_{c.level}" + ("_rollup" if c.rollup else "") + ("_nodual" if c.exclude_dual else "")
        if name not in self._cached:
            self._cache(name, self.sql(counting.base_unit_shares_sql(c)))
        return name

    def close(self) -> None:
        """Drop this engine's cached tables (the Spark session stays up for the process)."""
        for name in self._cached:
            self.spark.sql(f"UNCACHE TABLE IF EXISTS {name}")
        self._cached.clear()
        if self.owned_dir:
            shutil.rmtree(self.owned_dir, ignore_errors=True)
            self.owned_dir = None


def export_store(store: str | os.PathLike, folder: str | os.PathLike) -> dict[str, int]:
    """Write the DuckDB store at ``store`` as Parquet interchange tables into ``folder``."""
    from collabatlas.ingest.pipeline import export_tables
    from collabatlas.store.schema import connect

    con = connect(store, read_only=store != ":memory:")
    try:
        return export_tables(con, folder)
    finally:
        con.close()


def open_engine(parquet: str | os.PathLike | None, store: str | os.PathLike | None = None,
                master: str | None = None) -> SparkEngine:
    """A :class:`SparkEngine` on ``parquet``, or, when it is ``None``, on an export of ``store`` into
    a temporary directory removed when the engine is closed (local masters only: executors on
    other machines cannot read it)."""
    settings = SparkSettings.from_env(master)
    if parquet is None and not settings.master.startswith("local"):  # the user's to fix, before any probe
        raise SparkUsageError(f"--spark-master {settings.master}: a cluster reads Parquet from shared storage; "
                               f"export the store there (`collabatlas export DIR`) and pass --parquet DIR")
    check_reachable(settings.master)  # a master that is not there: one line in seconds, not a minute of retries
    if parquet is not None:
        return SparkEngine(parquet, settings)
    if store is None or (store != ":memory:" and not Path(store).exists()):
        raise SparkUsageError(f"store {store} does not exist; pass --parquet DIR or ingest into the store first")
    folder = tempfile.mkdtemp(prefix="collabatlas-spark-")
    try:
        export_store(store, folder)
        engine = SparkEngine(folder, settings)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    engine.owned_dir = folder
    return engine
