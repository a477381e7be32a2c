"""OpenAlex works JSON → the Parquet interchange tables, on Spark (``collabatlas ingest … --engine spark
--parquet OUT``), so the dominant cost of a full snapshot (reading the JSON, attribution, dedupe) runs
on a cluster. The output is what ``collabatlas export`` writes from a DuckDB store after an ingest of
the same files: the same tables, columns, types and year partitions (``--engine spark --parquet OUT``
and ``import-tables OUT`` read it).

One definition of the rules, two engines:

- the record contract's rules (ids, DOI, countries, years, text cleaning) are the DuckDB macros of
  :mod:`collabatlas.sources.record`, inlined into the Spark statements by sqlglot
  (:mod:`.spark_macros`); ISSNs go through :func:`collabatlas.counting.issn.issn_values` (the Python
  form of the same check) as a Spark UDF; ``subject_origin`` is :func:`subject_origin_sql`;
- the column names and types of each table are read from the DuckDB store schema and its export
  statements (:data:`collabatlas.ingest.pipeline.EXPORT_SQL`), never restated here;
- the statements below mirror :class:`collabatlas.sources.openalex_staging.Stager` (skips in the
  contract's order: no id, malformed id, no authorships, year out of range; attribution work →
  authorship → institution ids and countries, each list without repeats) and the merge's dedupe (per
  work id the newest ``updated_date`` wins, then the later record in file order). The parity test
  (``tests/test_spark_ingest.py``) holds them to the DuckDB path on the real sample.

What the Spark path does not do (refused, never ignored): API pages and single-entity documents,
institution entity files, ``merged_ids`` folders (``sync --engine spark``, :mod:`.spark_sync`, applies
the works' merged ids; the DuckDB ingest or ``sync`` applies both kinds).
Institutions are taken from what the works carry (the copy in the most recently updated work), as
the DuckDB ingest does when no entity files are given. Lines that are not JSON are counted as lost to
damage; the value warnings of the DuckDB report (a title cleaned, an invalid ISSN…) are not counted.

Known differences on malformed values (Spark's JSON reader gives a JSON value read as text without
its type): a publication year, citation count or ``fwci`` written as a JSON *string* of a number, and
``is_authors_truncated`` / ``is_in_top_10_percent`` written as the string ``"true"``, are taken as
the number / boolean, where DuckDB takes them as not given.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from urllib.parse import unquote, urlparse

from collabatlas.engines.spark import SparkSettings, SparkUsageError, spark_session
from collabatlas.engines.spark_macros import render
from collabatlas.ingest.pipeline import EXPORT_SQL
from collabatlas.sources.ingest_report import IngestReport
from collabatlas.sources.jsonspec import JSON
from collabatlas.sources.openalex import SPECS, discover, merged_id_files
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


#: a JSON value read as text: a whole number (``2020``, ``2020.0``, ``"2020"``) as BIGINT, else NULL
#: (the Spark form of the DuckDB staging's ``json_whole``)
def _whole(col: str) -> str:
    number = f"TRY_CAST(trim({col}) AS DOUBLE)"
    return (f"CASE WHEN trim({col}) RLIKE '^-?[0-9]{{1,18}}\\\\z' THEN TRY_CAST(trim({col}) AS BIGINT) "
            f"WHEN {col} RLIKE '^-?[0-9]+(\\\\.[0-9]+)?([eE][-+]?[0-9]+)?\\\\z' AND abs({number}) < 1e15 "
            f"AND {number} = floor({number}) THEN CAST({number} AS BIGINT) END")


NO_ID = "nullif(trim(BOTH ' ' FROM id), '') IS NULL"
YEAR_OUT = (f"({_whole('publication_year')} IS NOT NULL AND ca_year_ok({_whole('publication_year')}) IS NULL "
            "AND ca_year_ok(year(pd)) IS NULL)")
#: the skips, in the contract's order (collabatlas.sources.record.REASONS); each record ends in the first
SKIPS = {
    "damaged": "_corrupt IS NOT NULL",
    "no-id": NO_ID,
    "bad-id": "ca_work_id(id) IS NULL",
    "no-authors": "coalesce(size(authorships), 0) = 0",
    "year-range": YEAR_OUT,
}
_DATE = "CASE WHEN trim(publication_date) RLIKE '^[0-9]{4}-[0-9]{2}-[0-9]{2}\\\\z' " \
        "THEN TRY_CAST(trim(publication_date) AS DATE) END"

RAW_SQL = f"SELECT *, {_DATE} AS pd, " + "CASE " + " ".join(
    f"WHEN {cond} THEN '{code}'" for code, cond in SKIPS.items()) + " END AS skip FROM raw_read"

WORKS_SQL = rf"""
SELECT _frank, _seq, wid AS work_id, ca_doi(doi) AS doi, ca_clean(display_name) AS title,
       CAST(coalesce(year_ok, year(pd_ok)) AS INT) AS year, pd_ok AS pub_date, type,
       ca_oa_id(primary_location.source.id) AS source_id, ca_clean(primary_location.source.display_name)
           AS source_name,
       nullif(regexp_extract(primary_topic.domain.id, '(\\d+)$', 1), '') AS domain_id,
       primary_topic.domain.display_name AS domain,
       nullif(regexp_extract(primary_topic.field.id, '(\\d+)$', 1), '') AS field_id,
       primary_topic.field.display_name AS field,
       nullif(regexp_extract(primary_topic.subfield.id, '(\\d+)$', 1), '') AS subfield_id,
       primary_topic.subfield.display_name AS subfield,
       size(authorships) AS n_authors, ud AS updated_date, 'openalex' AS origin,
       coalesce(is_authors_truncated = 'true', false) AS authors_truncated,
       issn.issn_l AS issn_l, issn.issns AS issns,
       CASE WHEN cited >= 0 THEN cited END AS citations,
       CASE WHEN fwci RLIKE '^-?[0-9]+(\\.[0-9]+)?([eE][-+]?[0-9]+)?\\z'
            AND TRY_CAST(fwci AS DOUBLE) BETWEEN 0 AND 1e300 THEN TRY_CAST(fwci AS DOUBLE) END AS fwci,
       CASE get_json_object(citation_normalized_percentile, '$.is_in_top_10_percent')
            WHEN 'true' THEN true WHEN 'false' THEN false END AS top10,
       authorships
FROM (SELECT *, ca_work_id(id) AS wid, ca_year_ok({_whole('publication_year')}) AS year_ok,
             CASE WHEN ca_year_ok(year(pd)) IS NOT NULL THEN pd END AS pd_ok,
             TRY_CAST(updated_date AS TIMESTAMP_NTZ) AS ud, {_whole('cited_by_count')} AS cited,
             issn_check(CASE WHEN primary_location.source.issn IS NULL THEN NULL
                             WHEN primary_location.source.issn LIKE '[%'
                             THEN from_json(primary_location.source.issn, 'ARRAY<STRING>')
                             ELSE array(primary_location.source.issn) END,
                        primary_location.source.issn_l) AS issn
      FROM raw WHERE skip IS NULL)
"""

#: one row per authorship (positions from 1); a null entry is an author with no known affiliation
AUTHORSHIPS_SQL = """
SELECT *, size(institution_ids) AS n_institutions, size(countries) AS n_countries
FROM (SELECT _frank, _seq, work_id, CAST(pos + 1 AS INT) AS author_position,
             ca_oa_id(au.author.id) AS author_id, ca_clean(au.author.display_name) AS author_name,
             coalesce(array_distinct(filter(transform(au.institutions, i -> ca_oa_id(i.id)), x -> x IS NOT NULL)),
                      array()) AS institution_ids,
             coalesce(array_distinct(filter(transform(au.countries, c -> ca_country(c)), x -> x IS NOT NULL)),
                      array()) AS countries,
             au.institutions AS institutions, updated_date
      FROM staged_works LATERAL VIEW posexplode(authorships) p AS pos, au)
"""

#: one row per institution in a work read (its copy there, with the tie-break of the record)
INSTITUTION_COPIES_SQL = """
SELECT iid AS institution_id, ca_ror(i.ror) AS ror, ca_clean(i.display_name) AS name,
       ca_country(i.country_code) AS country_code, i.type AS type,
       filter(transform(i.lineage, x -> ca_oa_id(x)), x -> x IS NOT NULL) AS lineage,
       updated_date, 'work' AS origin, CAST(NULL AS STRING) AS ror_type, _frank, _seq
FROM (SELECT ca_oa_id(i.id) AS iid, i, updated_date, _frank, _seq
      FROM staged_authorships LATERAL VIEW explode(institutions) e AS i)
WHERE iid IS NOT NULL
"""

#: one row per institution: the copy in the most recently updated (then latest) work (``{copies}``: the
#: copies' view, and for a sync the stored rows too)
INSTITUTIONS_SQL = """
SELECT * EXCEPT (k, _frank, _seq) FROM (
    SELECT *, row_number() OVER (PARTITION BY institution_id ORDER BY updated_date DESC NULLS LAST, _frank DESC,
                                 _seq DESC) AS k
    FROM ({copies})) WHERE k = 1
"""

WINNERS_SQL = """
SELECT * EXCEPT (k) FROM (
    SELECT *, row_number() OVER (PARTITION BY work_id ORDER BY updated_date DESC NULLS LAST, _frank DESC,
                                 _seq DESC) AS k
    FROM staged_works) WHERE k = 1
"""

#: the interchange tables from the winners (the columns the DuckDB export writes, typed below)
TABLE_SQL = {
    "works": f"SELECT *, {subject_origin_sql('w')} AS subject_origin FROM winners w",
    "authorships": "SELECT a.*, w.year FROM staged_authorships a "
                   "JOIN winners w ON w._frank = a._frank AND w._seq = a._seq",
    "affiliations": "SELECT a.work_id, w.year, a.author_position, institution_id FROM staged_authorships a "
                    "JOIN winners w ON w._frank = a._frank AND w._seq = a._seq "
                    "LATERAL VIEW explode(a.institution_ids) e AS institution_id",
    "author_countries": "SELECT a.work_id, w.year, a.author_position, country_code FROM staged_authorships a "
                        "JOIN winners w ON w._frank = a._frank AND w._seq = a._seq "
                        "LATERAL VIEW explode(a.countries) e AS country_code",
    "institutions": "SELECT * FROM staged_institutions",
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
    spark.sql(WINNERS_SQL).cache().createOrReplaceTempView("winners")
    os.makedirs(target, exist_ok=True)
    write_manifest(target, None)  # in progress; the row counts replace it at the end
    for table in TABLES:
        frame = spark.sql(typed_table_sql(table))
        write_table(frame, table, target / table)
        result.rows[table] = spark.read.parquet(str(target / table)).count()
    result.superseded = spark.table("staged_works").count() - result.rows["works"]
    write_manifest(target, result.rows)
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
    spark.sql(render(RAW_SQL)).createOrReplaceTempView("raw")
    counts = dict(spark.sql("SELECT coalesce(skip, 'kept'), count(*) FROM raw GROUP BY 1").collect())
    result.records_read = sum(counts.values())
    result.damaged = counts.pop("damaged", 0)
    result.skipped = {REASONS[code]: n for code, n in counts.items() if code != "kept"}
    spark.sql(render(WORKS_SQL)).cache().createOrReplaceTempView("staged_works")
    spark.sql(render(AUTHORSHIPS_SQL)).cache().createOrReplaceTempView("staged_authorships")
    spark.sql(render(INSTITUTION_COPIES_SQL)).createOrReplaceTempView("institution_copies")
    spark.sql(INSTITUTIONS_SQL.format(copies="SELECT * FROM institution_copies")) \
        .createOrReplaceTempView("staged_institutions")
    return raw


def unstage(spark, raw) -> None:
    """Release what :func:`stage` (and the winners) cached."""
    for name in ("winners", "staged_authorships", "staged_works"):
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
