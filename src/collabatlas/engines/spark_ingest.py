"""OpenAlex works JSON → the Parquet interchange tables, on Spark (``collabatlas ingest … --engine spark
--parquet OUT``), so the dominant cost of a full snapshot (reading the JSON, attribution, dedupe) runs
on a cluster. The output is what ``collabatlas export`` writes from a DuckDB store after an ingest of
the same files: the same tables, columns, types and year partitions (``--engine spark --parquet OUT``
and ``import-tables OUT`` read it).

One definition of the rules, two engines:

- the staging and attribution statements (records → work, authorship, affiliation, author-country and
  institution rows; the dedupe of work copies) are :mod:`collabatlas.sources.openalex_statements`,
  the statements the DuckDB ingest runs, rendered for Spark by sqlglot with the record contract's
  macros inlined (:func:`.spark_macros.render_shared`); only the JSON reader's select list differs;
  ISSNs go through :func:`collabatlas.counting.issn.issn_values` (the Python form of the same check)
  as a Spark UDF; ``subject_origin`` is :func:`subject_origin_sql`;
- the column names and types of each table are read from the DuckDB store schema and its export
  statements (:data:`collabatlas.ingest.pipeline.EXPORT_SQL`), never restated here.
  The parity tests (``tests/test_spark_ingest.py``, ``tests/test_spark_ingest_realdata.py``) hold the
  tables to the DuckDB path on every real OpenAlex sample.

What the Spark path does not do (refused, never ignored): API pages and single-entity documents,
institution entity files, ``merged_ids`` folders (``sync --engine spark``, :mod:`.spark_sync`, applies
the works' merged ids; the DuckDB ingest or ``sync`` applies both kinds).
Institutions are taken from what the works carry (the copy in the most recently updated work), as
the DuckDB ingest does when no entity files are given. Lines that are not JSON are counted as lost to
damage; the value warnings of the DuckDB report (a title cleaned, an invalid ISSN…) are not counted.

Known differences on malformed values: see :mod:`collabatlas.sources.openalex_statements`.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from urllib.parse import unquote, urlparse

from collabatlas.engines.spark import SparkSettings, SparkUsageError, spark_session
from collabatlas.engines.spark_macros import render_shared
from collabatlas.ingest.pipeline import EXPORT_SQL
from collabatlas.sources.ingest_report import IngestReport
from collabatlas.sources.jsonspec import JSON
from collabatlas.sources.openalex import SPECS, discover, merged_id_files
from collabatlas.sources.openalex_statements import (
    AFFILIATION_ROWS_SQL,
    AUTHOR_COUNTRY_ROWS_SQL,
    AUTHORSHIP_ROWS_SQL,
    AUTHORSHIPS_PASS_SQL,
    INSTITUTION_COPIES_SQL,
    INSTITUTION_ROWS_SQL,
    KEPT_WORKS_SQL,
    SPARK_WORKS_READER,
    WINNERS_SQL,
    WORK_ROWS_SQL,
    skip_case,
)
from collabatlas.sources.record import REASONS
from collabatlas.sources.subject_crosswalk import subject_origin_sql
from collabatlas.store.interchange import TABLES, check_export_target, write_manifest

_SCALAR = {str: "STRING", int: "BIGINT", bool: "BOOLEAN", JSON: "STRING"}


def spark_type(spec) -> str:
    """Spark DDL type of a :mod:`collabatlas.sources.jsonspec` spec (a raw JSON value is read as text)."""
    if isinstance(spec, dict):
        return "STRUCT<" + ", ".join(f"`{k}`: {spark_type(v)}" for k, v in spec.items()) + ">"
    if isinstance(spec, list):
        return f"ARRAY<{spark_type(spec[0])}>"
    return _SCALAR[spec]


def works_schema() -> str:
    """The DDL schema Spark reads works with: the fields of the DuckDB reader's spec, and the bad lines."""
    return ", ".join(f"`{k}` {spark_type(v)}" for k, v in SPECS["works"].items()) + ", _corrupt STRING"


_DUCK_TO_SPARK = {"VARCHAR": "STRING", "INTEGER": "INT", "BIGINT": "BIGINT", "DOUBLE": "DOUBLE",
                  "BOOLEAN": "BOOLEAN", "DATE": "DATE", "TIMESTAMP": "TIMESTAMP_NTZ", "VARCHAR[]": "ARRAY<STRING>"}


@cache
def export_columns() -> dict[str, list[tuple[str, str]]]:
    """{table: [(column, Spark type)]} of the interchange tables, from the DuckDB store schema and the
    export statements (so both engines write the same columns in the same order)."""
    from collabatlas.store.schema import connect

    con = connect(":memory:")
    try:
        return {t: [(name, _DUCK_TO_SPARK[kind]) for name, kind, *_ in con.execute(f"DESCRIBE {sql}").fetchall()]
                for t, sql in EXPORT_SQL.items()}
    finally:
        con.close()


#: one row per institution: the copy in the most recently updated (then latest) work (``{copies}``: the
#: staged institutions, and for a sync the stored rows too; the sync's merge of the two)
INSTITUTIONS_SQL = """
SELECT * EXCEPT (k, _frank, _seq) FROM (
    SELECT *, row_number() OVER (PARTITION BY institution_id ORDER BY updated_date DESC NULLS LAST, _frank DESC,
                                 _seq DESC) AS k
    FROM ({copies})) WHERE k = 1
"""

#: the staged views of the shared statements (collabatlas.sources.openalex_statements), in build order;
#: the cached ones are read more than once
STAGED = (("raw_works", KEPT_WORKS_SQL, True), ("staged_works", WORK_ROWS_SQL, True),
          ("raw_authorships", AUTHORSHIPS_PASS_SQL, True), ("staged_authorships", AUTHORSHIP_ROWS_SQL, False),
          ("staged_affiliations", AFFILIATION_ROWS_SQL, False),
          ("staged_author_countries", AUTHOR_COUNTRY_ROWS_SQL, False),
          ("raw_institutions", INSTITUTION_COPIES_SQL, False), ("staged_institutions", INSTITUTION_ROWS_SQL, False))

@cache
def winners_sql() -> str:
    """The dedupe of the staged work copies (the shared statement), as Spark SQL."""
    return render_shared(WINNERS_SQL)


#: the interchange tables from the winners: the staged rows of the winning copies with the work's year
#: (the columns the DuckDB export writes, typed by :func:`typed_table_sql`)
TABLE_SQL = {
    "works": f"SELECT *, {subject_origin_sql('w')} AS subject_origin FROM winners w",
    "authorships": "SELECT a.*, w.year FROM staged_authorships a JOIN winners w ON w.rid = a.rid",
    "affiliations": "SELECT a.*, w.year FROM staged_affiliations a JOIN winners w ON w.rid = a.rid",
    "author_countries": "SELECT a.*, w.year FROM staged_author_countries a JOIN winners w ON w.rid = a.rid",
    "institutions": "SELECT *, CAST(NULL AS STRING) AS ror_type FROM staged_institutions",
}


@dataclass
class SparkIngestResult:
    """What a Spark ingest read, skipped and wrote (``rows`` per interchange table)."""

    files: list[str] = field(default_factory=list)
    records_read: int = 0
    skipped: dict[str, int] = field(default_factory=dict)
    damaged: int = 0
    superseded: int = 0
    rows: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {"files": len(self.files), "records_read": self.records_read, "skipped": self.skipped,
                "damaged": self.damaged, "older_copies": self.superseded, "rows": self.rows,
                "seconds": round(self.seconds, 3), "notes": self.notes}


def input_files(paths: list[str | os.PathLike]) -> tuple[list[Path], list[str]]:
    """(works JSON Lines files in the DuckDB ingest's order, notes): other inputs are refused."""
    report = IngestReport()
    files = discover(list(paths), report)
    if any(merged_id_files(paths).values()):
        raise SparkUsageError("merged_ids/ in the input: the Spark ingest does not apply merged ids; build the "
                              "folder with `collabatlas sync SNAPSHOT --engine spark --parquet OUT` (it applies them), "
                              "ingest with DuckDB, or pass the works folder alone")
    works = []
    for f in files:
        if f.entity == "works" and f.layout == "jsonl":
            works.append(f.path)
        elif f.entity == "works":
            raise SparkUsageError(f"{f.path}: a JSON document (API page or single work); the Spark ingest reads "
                                  f"JSON Lines (.jsonl, .gz, snapshot parts) only")
        elif f.entity == "institutions":
            raise SparkUsageError(f"{f.path}: institution entity files are not read by the Spark ingest (it takes "
                                  f"institutions from the works); pass the works files or folder alone")
        elif f.entity == "empty":
            report.note(f"{f.path}: skipped, empty file")
        else:
            raise SparkUsageError(f"{f.path}: holds {f.entity}; the Spark ingest reads works only")
    if not works:
        raise SparkUsageError("no works JSON Lines files found in " + ", ".join(map(str, paths)))
    return works, list(report.messages)


def _local_path(uri: str) -> str:
    parsed = urlparse(uri)
    return os.path.abspath(unquote(parsed.path)) if parsed.scheme in ("", "file") else uri


def ingest_to_parquet(paths: list[str | os.PathLike], out: str | os.PathLike,
                      settings: SparkSettings | None = None) -> SparkIngestResult:
    """Read the OpenAlex works under ``paths`` with Spark and write the interchange tables into ``out``
    (a new or empty folder; ``_collabatlas_export.json`` marks it complete at the end)."""
    started = time.perf_counter()
    target = check_export_target(out)
    files, notes = input_files(paths)
    result = SparkIngestResult(files=[str(f) for f in files], notes=notes)
    spark = ingest_session(settings)
    raw = stage(spark, files, result)
    spark.sql(winners_sql()).cache().createOrReplaceTempView("winners")
    os.makedirs(target, exist_ok=True)
    write_manifest(target, None)  # in progress; the row counts replace it at the end
    for table in TABLES:
        frame = spark.sql(typed_table_sql(table))
        write_table(frame, table, target / table)
        # a table without rows is a folder without Parquet files (Spark cannot read its schema back)
        result.rows[table] = spark.read.parquet(str(target / table)).count() if any(
            (target / table).rglob("*.parquet")) else 0
    result.superseded = spark.table("staged_works").count() - result.rows["works"]
    write_manifest(target, result.rows, 1)  # a new folder's first data version, as a new store's
    unstage(spark, raw)
    result.seconds = time.perf_counter() - started
    return result


def ingest_session(settings: SparkSettings | None = None):
    """A Spark session of its own for an ingest (a failed cast is NULL, as DuckDB's TRY_CAST)."""
    spark = spark_session(settings or SparkSettings.from_env()).newSession()
    spark.conf.set("spark.sql.ansi.enabled", "false")
    _register_issn_check(spark)
    return spark


def stage(spark, files: list[Path], result: SparkIngestResult):
    """Read ``files`` (in this order: the dedupe's tie-break) and register the staging views
    ``raw`` (every line, with its skip reason), ``staged_works``, ``staged_authorships`` and
    ``staged_institutions`` (one candidate per institution); fills ``result``'s counts. Returns the
    cached raw DataFrame (:func:`unstage` releases it). ``_frank`` is a file's rank in ``files``."""
    from pyspark.sql import functions as F

    raw = (spark.read.schema(works_schema()).option("mode", "PERMISSIVE")
           .option("columnNameOfCorruptRecord", "_corrupt").json([str(f) for f in files])
           .withColumn("_file", F.col("_metadata.file_path")).withColumn("_seq", F.monotonically_increasing_id()))
    # file order as the DuckDB ingest reads them (rid = file, then line): the tie-break of the dedupe
    order = {os.path.abspath(f): rank for rank, f in enumerate(files)}
    names = [r[0] for r in raw.select("_file").distinct().collect()]
    ranks = spark.createDataFrame([(n, order.get(_local_path(n), -1)) for n in names] or [("", 0)],
                                  "_file STRING, _frank INT")
    raw = raw.join(F.broadcast(ranks), "_file").drop("_file").cache()
    raw.createOrReplaceTempView("raw_read")
    # the Spark reader of the shared statements: every line with its skip reason (rid: file, then line)
    spark.sql(f"SELECT named_struct('f', _frank, 's', _seq) AS rid, _frank, _corrupt, {SPARK_WORKS_READER} "
              "FROM raw_read").createOrReplaceTempView("raw_lines")
    spark.sql(render_shared(f"SELECT *, CASE WHEN _corrupt IS NOT NULL THEN 'damaged' ELSE {skip_case()} END "
                            "AS skip FROM raw_lines")).createOrReplaceTempView("raw")
    spark.sql("SELECT * FROM raw WHERE _corrupt IS NULL").createOrReplaceTempView("raw_input")
    counts = dict(spark.sql("SELECT coalesce(skip, 'kept'), count(*) FROM raw GROUP BY 1").collect())
    result.records_read = sum(counts.values())
    result.damaged = counts.pop("damaged", 0)
    result.skipped = {REASONS[code]: n for code, n in counts.items() if code != "kept"}
    for name, sql, cached in STAGED:
        frame = spark.sql(render_shared(sql))
        (frame.cache() if cached else frame).createOrReplaceTempView(name)
        if name == "raw_works":  # the ISSNs: the Python rule as a UDF (DuckDB: its SQL form)
            spark.sql("SELECT rid, issn.issn_l AS issn_l, issn.issns AS issns FROM (SELECT rid, "
                      "issn_check(issn_given, primary_location.source.issn_l) AS issn FROM raw_works "
                      "WHERE primary_location.source IS NOT NULL)").createOrReplaceTempView("raw_issns")
    names = ", ".join(name if name != "ror_type" else "CAST(NULL AS STRING) AS ror_type"
                      for name, _kind in export_columns()["institutions"])
    spark.sql(f"SELECT {names}, rid.f AS _frank, rid.s AS _seq FROM staged_institutions") \
        .createOrReplaceTempView("institution_copies")
    return raw


def unstage(spark, raw) -> None:
    """Release what :func:`stage` (and the winners) cached."""
    for name in ("winners", "raw_authorships", "staged_works", "raw_works"):
        spark.catalog.uncacheTable(name) if spark.catalog.isCached(name) else None
    raw.unpersist()


def typed_table_sql(table: str, source: str | None = None) -> str:
    """The interchange ``table`` from the ``winners`` view (or ``source``, a statement giving the
    same columns), with the columns, order and types of the DuckDB export."""
    typed = ", ".join(f"CAST({name} AS {kind}) AS {name}" for name, kind in export_columns()[table])
    return f"SELECT {typed} FROM ({source or TABLE_SQL[table]})"


def write_table(frame, table: str, path: Path, mode: str = "errorifexists") -> None:
    """Write one interchange table: partitioned by year= (institutions: one file)."""
    writer_frame = frame.coalesce(1) if table == "institutions" else frame.repartition("year")
    writer = writer_frame.write.mode(mode).option("compression", "zstd")
    if table != "institutions":
        writer = writer.partitionBy("year")
    writer.parquet(str(path))


def _register_issn_check(spark) -> None:
    """``issn_check(given ARRAY<STRING>, issn_l STRING)`` → ``STRUCT<issn_l, issns>``: the ISSN rule of
    :func:`collabatlas.counting.issn.issn_values` (one Python definition; no SQL copy of the check digit)."""
    from pyspark.sql.types import ArrayType, StringType, StructField, StructType

    from collabatlas.counting.issn import issn_values

    def check(given, issn_l):
        if given is None and issn_l is None:
            return None
        linking, valid, _invalid = issn_values(list(given or []), issn_l)
        return linking, valid

    kind = StructType([StructField("issn_l", StringType()), StructField("issns", ArrayType(StringType()))])
    spark.udf.register("issn_check", check, kind)
