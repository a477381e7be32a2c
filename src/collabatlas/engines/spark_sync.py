"""``collabatlas sync SNAPSHOT --engine spark --parquet OUT``: bring a Parquet interchange folder up to
date with a newer OpenAlex snapshot on Spark, reading only what is new.

The rules are the DuckDB sync's (:mod:`collabatlas.ingest.sync`), reused, not restated:

- **what is new**: :func:`collabatlas.ingest.sync.plan` on the watermarks kept in ``OUT`` (the file
  ``_collabatlas_spark_sync.json``): the ``works/updated_date=…`` partitions and the
  ``merged_ids/works`` files newer than them; a partition the manifest lists but the folder lacks,
  or a partition with a bad name, stops the sync as it stops the DuckDB sync;
- **the watermark never passes a partition not read whole**: a part file with lines that are not
  JSON holds it before that partition (:func:`collabatlas.ingest.sync.hold_marks`; exit 3), so the
  next sync reads the partition again; a part file Spark cannot read at all (truncated gzip) fails
  the sync before anything is replaced;
- **merged ids**: read and checked on the driver by the DuckDB statements of
  :mod:`collabatlas.ingest.merged_ids` (self-merges and cycles refused, also through the merges kept
  from earlier syncs), kept in ``OUT/merged_ids/`` (Parquet): a stored work whose id was merged
  away is removed, and a record of the input carrying a merged-away id (now or in any later sync)
  is skipped and counted;
- **dedupe**: per work id the newest ``updated_date`` wins; on a tie the record read later (the
  later partition) wins, as in one Spark ingest of the whole snapshot (:mod:`.spark_ingest`), so a
  sync gives what a fresh build of the snapshot gives (``tests/test_spark_sync.py``).

Only the year partitions touched are rewritten: the years of the works added, replaced (old and new
year) or merged away. The other ``year=`` folders are not read (except the work ids, dates and years
of ``works``, to find what a new record replaces) and not written. Institutions (one file) are the
copy in the most recently updated work, over every work read by this and earlier syncs.

A first sync into a new or empty ``OUT`` is the fresh build: every partition and merged-id file.

Not applied on Spark (said in the report, never silent): the ``institutions/`` partitions (the Spark
path takes institutions from the works, as the Spark ingest) and ``merged_ids/institutions`` (their
watermark is not moved; the DuckDB sync applies them).

Replacing partitions is not one transaction: the export manifest says ``complete: false`` while the
folders are swapped, so a sync killed then leaves a folder that ``import-tables`` and the next sync
refuse (rebuild it); a sync that fails or is killed before the swap leaves ``OUT`` as it was.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import duckdb

from collabatlas.engines.spark import SparkEngineError, SparkSettings, SparkUsageError
from collabatlas.engines.spark_ingest import (
    INSTITUTIONS_SQL,
    SparkIngestResult,
    export_columns,
    ingest_session,
    stage,
    typed_table_sql,
    unstage,
    winners_sql,
    write_table,
)
from collabatlas.errors import CollabatlasError
from collabatlas.ingest.merged_ids import NEW_MERGED, SyncError, stage_merged_ids
from collabatlas.ingest.sync import WATERMARK, SyncReport, hold_marks, plan
from collabatlas.sources.paths import duckdb_literal
from collabatlas.store.interchange import MANIFEST, TABLES, manifest_data_version, write_manifest

#: the watermarks of a Parquet folder kept by the Spark sync
STATE = "_collabatlas_spark_sync.json"
#: the work ids merged away so far (Parquet files: record_id, merge_into_id, merge_date)
MERGED = "merged_ids"
SCRATCH = "_sync_tmp"
PARTITIONED = ("works", "authorships", "affiliations", "author_countries")
#: the year of works without one, in filters (partition values are compared through coalesce)
NO_YEAR = -99999
#: the rank of a stored row in the tie-breaks (every file read by this sync ranks 0 and up)
STORED_RANK = -2


@dataclass
class SparkSyncResult:
    """What a Spark sync read, applied and rewrote."""

    snapshot: str
    out: str
    partitions: list[str] = field(default_factory=list)  # works updated_date partitions read
    files: int = 0
    merged_id_files: list[str] = field(default_factory=list)
    merged_ids_read: int = 0
    merged_ids_refused: dict[str, int] = field(default_factory=dict)
    records_read: int = 0
    skipped: dict[str, int] = field(default_factory=dict)
    damaged_files: dict[str, int] = field(default_factory=dict)
    missing_files: int = 0
    works_added: int = 0
    works_replaced: int = 0
    works_kept: int = 0  # records older than the stored copy
    works_merged_away: int = 0
    records_merged_away: int = 0
    years_rewritten: list[str] = field(default_factory=list)
    rows: dict[str, int] = field(default_factory=dict)
    watermarks_before: dict[str, str | None] = field(default_factory=dict)
    watermarks_after: dict[str, str | None] = field(default_factory=dict)
    changed: bool = False
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)

    @property
    def damaged(self) -> int:
        return sum(self.damaged_files.values())

    def to_dict(self) -> dict:
        return asdict(self)

    def summary(self) -> str:
        before, after = self.watermarks_before.get("works") or "none", self.watermarks_after.get("works") or "none"
        if not self.changed and not self.damaged_files:
            return f"up to date: no partition or merged-id file newer than the watermark ({before})"
        refused = sum(self.merged_ids_refused.values())
        return (f"partitions read: {len(self.partitions)} ({self.files} files, {self.records_read:,} records); "
                f"works added {self.works_added:,}, replaced {self.works_replaced:,}, older than stored "
                f"{self.works_kept:,}, merged away {self.works_merged_away:,} stored works"
                + (f" and {self.records_merged_away:,} records of this input" if self.records_merged_away else "")
                + f" ({self.merged_ids_read:,} merged ids in {len(self.merged_id_files)} files"
                + (f", {refused:,} refused" if refused else "") + "); "
                + f"year partitions rewritten: {', '.join(self.years_rewritten) or 'none'}; "
                + f"watermark {before} -> {after}"
                + (f"; {self.damaged:,} lines lost to damaged part files ({', '.join(sorted(self.damaged_files))}): "
                   "the watermark stops before their partition" if self.damaged_files else ""))


# -- the folder's state ----------------------------------------------------------------------------
def _check_out(out: Path) -> bool:
    """Whether ``out`` holds tables (False: new or empty, a first sync builds it); refuses a folder that
    is not a complete interchange folder."""
    if out.exists() and not out.is_dir():
        raise SparkUsageError(f"{out}: not a directory; --parquet names the folder of interchange tables")
    if not out.is_dir() or not [p for p in out.iterdir() if p.name != SCRATCH]:
        return False
    manifest = out / MANIFEST
    try:
        complete = bool(json.loads(manifest.read_text())["complete"])
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise SparkUsageError(f"{out}: not an interchange folder with its manifest ({MANIFEST}: {exc}); sync into the "
                              "folder an earlier `sync --engine spark` or `ingest --engine spark` wrote, or an empty "
                              "one") from exc
    if not complete:
        raise SparkUsageError(f"{out}: the run that wrote this folder did not finish (its manifest says complete: "
                              "false); build it again (`sync --engine spark` into an empty folder)")
    return True


def read_state(out: Path) -> dict[str, str | None]:
    """The watermarks kept in ``out`` ({key of :data:`WATERMARK`: date or None})."""
    path = out / STATE
    if not path.exists():
        return {k: None for k in WATERMARK}
    try:
        marks = json.loads(path.read_text())["watermarks"]
        return {k: marks.get(k) for k in WATERMARK}
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise SparkUsageError(f"{path}: unreadable sync state ({exc}); build the folder again") from exc


def _write_state(out: Path, marks: dict[str, str | None]) -> None:
    temp = out / (STATE + ".tmp")
    temp.write_text(json.dumps({"format": "collabatlas-spark-sync", "version": 1, "watermarks": marks}, indent=1))
    os.replace(temp, out / STATE)


def _merged_files(out: Path) -> list[Path]:
    return sorted((out / MERGED).glob("*.parquet")) if (out / MERGED).is_dir() else []


def _planner(out: Path, marks: dict[str, str | None]) -> duckdb.DuckDBPyConnection:
    """A DuckDB connection holding the folder's watermarks (``store_meta``) and its merged ids
    (``merged_ids``), for the DuckDB sync's planning and merge checks."""
    con = duckdb.connect()
    con.execute("CREATE TABLE store_meta (key VARCHAR PRIMARY KEY, value VARCHAR)")
    for key, value in marks.items():
        if value is not None:
            con.execute("INSERT INTO store_meta VALUES (?, ?)", [WATERMARK[key], value])
    con.execute("CREATE TABLE merged_ids (record_id VARCHAR NOT NULL, merge_into_id VARCHAR, merge_date DATE, "
                "entity VARCHAR NOT NULL)")
    files = _merged_files(out)
    if files:
        names = "[" + ", ".join("'" + duckdb_literal(f).replace("'", "''") + "'" for f in files) + "]"
        con.execute(f"INSERT INTO merged_ids SELECT record_id, merge_into_id, merge_date, 'works' "
                    f"FROM read_parquet({names})")
    return con


# -- the sync ---------------------------------------------------------------------------------------
def sync_to_parquet(snapshot: str | os.PathLike, out: str | os.PathLike, settings: SparkSettings | None = None,
                    allow_missing: bool = False) -> SparkSyncResult:
    """Bring the interchange folder ``out`` up to date with ``snapshot`` (see the module docstring)."""
    started = time.perf_counter()
    root, out = Path(snapshot), Path(out)
    if not root.is_dir():
        raise SyncError(f"{root}: no such folder (give an OpenAlex snapshot folder)")
    has_tables = _check_out(out)
    result = SparkSyncResult(snapshot=str(root), out=str(out))
    result.watermarks_before = read_state(out)
    con = _planner(out, result.watermarks_before)
    try:
        report = SyncReport(snapshot=str(root))
        chosen, merged = plan(con, root, allow_missing, report)
        result.missing_files = report.missing_files
        works = chosen.get("works", [])
        if not has_tables and not works:
            raise SyncError(f"{root}: no works partition to build {out} from (a first sync reads the works/"
                            "updated_date=…/ partitions)")
        result.partitions = sorted({d for d, _f in works})
        result.files = len(works)
        if chosen.get("institutions"):
            result.notes.append(f"institutions/: {len(chosen['institutions'])} part files not read (the Spark path "
                                "takes institutions from the works)")
        result.merged_id_files = [str(f) for _d, f in merged["works"]]
        refused_notes: list[str] = []
        result.merged_ids_read, n_institutions, result.merged_ids_refused = stage_merged_ids(
            con, [f for _d, f in merged["works"]], [f for _d, f in merged["institutions"]], refused_notes)
        result.notes.extend(refused_notes)
        if merged["institutions"]:
            result.notes.append(f"merged_ids/institutions: {n_institutions:,} institution ids in "
                                f"{len(merged['institutions'])} files not applied on Spark (their watermark stays); "
                                "the DuckDB sync applies them")
        marks = dict(result.watermarks_before)
        if result.partitions:
            marks["works"] = max(result.partitions)
        marks["merged"] = max([d for d, _f in merged["works"] if d] + [marks["merged"] or ""]) or None
        con.execute(f"""CREATE TABLE new_ids AS SELECT DISTINCT record_id, merge_into_id, merge_date FROM {NEW_MERGED}
                        WHERE record_id NOT IN (SELECT record_id FROM merged_ids) ORDER BY record_id""")
        new_merges = con.execute("SELECT count(*) FROM new_ids").fetchone()[0] > 0
        if not works and not new_merges and marks == result.watermarks_before:
            result.watermarks_after = marks
            result.seconds = time.perf_counter() - started
            return result  # nothing newer: Spark is not started
        scratch = out / SCRATCH
        shutil.rmtree(scratch, ignore_errors=True)  # left by a sync killed before its swap (OUT is complete)
        scratch.mkdir(parents=True)
        if new_merges:
            con.execute(f"COPY new_ids TO '{duckdb_literal(scratch / 'new_merged.parquet')}' (FORMAT parquet)")
    finally:
        con.close()
    version = manifest_data_version(out)  # the folder's data version, bumped by this change (as a store's)
    _apply(out, has_tables, [f for _d, f in works], scratch, new_merges, result, settings)
    hold_marks(marks, {"works": works}, result.damaged_files)
    result.watermarks_after = {k: marks.get(k) or result.watermarks_before.get(k) for k in WATERMARK}
    _write_state(out, result.watermarks_after)
    write_manifest(out, result.rows, version + 1)
    shutil.rmtree(scratch, ignore_errors=True)
    result.changed = True
    result.seconds = time.perf_counter() - started
    return result


def _apply(out: Path, has_tables: bool, files: list[Path], scratch: Path, new_merges: bool,
           result: SparkSyncResult, settings: SparkSettings | None) -> None:
    """Read ``files`` on Spark, merge them and the merged ids with the stored tables, write the touched
    year partitions to ``scratch`` and swap them into ``out``. A failure before the swap (a part file
    Spark cannot read, such as a truncated gzip) leaves ``out`` and its watermark as they were."""
    try:
        spark, touched, raw, decided = _write_scratch(out, has_tables, files, scratch, new_merges, result, settings)
    except CollabatlasError:
        raise
    except Exception as exc:  # Spark's own (Py4J, analysis, executor failures): one line, OUT unchanged
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:500]
        raise SparkEngineError(f"Spark sync failed before changing {out} (its tables and watermark are as they "
                               f"were; a damaged part file, e.g. a truncated gzip, must be repaired first): "
                               f"{first}") from exc
    _swap(out, files, scratch, new_merges, touched)
    if raw is not None:
        unstage(spark, raw)
    decided.unpersist()
    for table in TABLES:
        result.rows[table] = spark.read.parquet(str(out / table)).count() if any(
            (out / table).rglob("*.parquet")) else 0


def _write_scratch(out: Path, has_tables: bool, files: list[Path], scratch: Path, new_merges: bool,
                   result: SparkSyncResult, settings: SparkSettings | None):
    """Everything before the swap: (session, years touched, raw DataFrame or None, decided DataFrame)."""
    from pyspark.sql import functions as F

    spark = ingest_session(settings)
    merged_paths = [str(p) for p in _merged_files(out)] + ([str(scratch / "new_merged.parquet")] if new_merges else [])
    if merged_paths:
        spark.read.parquet(*merged_paths).select("record_id").distinct().createOrReplaceTempView("merged_all")
    else:
        spark.sql("SELECT CAST(NULL AS STRING) AS record_id FROM range(0)").createOrReplaceTempView("merged_all")
    if new_merges:
        new_ids = spark.read.parquet(str(scratch / "new_merged.parquet")).select("record_id")
        new_ids.createOrReplaceTempView("merged_new")
    else:
        spark.sql("SELECT CAST(NULL AS STRING) AS record_id FROM range(0)").createOrReplaceTempView("merged_new")
    old = {t: _stored(spark, out, t) for t in TABLES} if has_tables else {}
    raw = None
    if files:
        staged = SparkIngestResult()
        raw = stage(spark, files, staged)
        result.records_read, result.skipped = staged.records_read, staged.skipped
        damaged = spark.sql("SELECT _frank, count(*) FROM raw WHERE skip = 'damaged' GROUP BY _frank").collect()
        result.damaged_files = {str(files[rank]) if 0 <= rank < len(files) else "?": n for rank, n in damaged}
        result.records_merged_away = spark.sql(
            "SELECT count(*) FROM staged_works WHERE work_id IN (SELECT record_id FROM merged_all)").collect()[0][0]
        spark.sql(f"SELECT * FROM ({winners_sql()}) WHERE work_id NOT IN (SELECT record_id FROM merged_all)") \
            .cache().createOrReplaceTempView("winners")
        new = {t: spark.sql(typed_table_sql(t)) for t in PARTITIONED}
    else:
        new = {t: old[t].limit(0) for t in PARTITIONED}
    # which stored works go (replaced by a newer record, or merged away) and which new ones come in
    new_keys = new["works"].select("work_id", F.col("updated_date").alias("new_ud"), F.col("year").alias("new_year"))
    if has_tables:
        old_keys = old["works"].select("work_id", F.col("updated_date").alias("old_ud"),
                                       F.col("year").alias("old_year"))
    else:
        old_keys = spark.createDataFrame([], "work_id STRING, old_ud TIMESTAMP_NTZ, old_year INT")
    old_keys.createOrReplaceTempView("old_keys")
    new_keys.createOrReplaceTempView("new_keys")
    decided = spark.sql("""
        SELECT coalesce(n.work_id, o.work_id) AS work_id, n.new_year, o.old_year, n.work_id IS NOT NULL AS read_now,
               n.work_id IS NOT NULL AND (o.work_id IS NULL OR NOT (n.new_ud IS NULL AND o.old_ud IS NOT NULL
                                                                     OR n.new_ud < o.old_ud)) AS comes_in,
               o.work_id IS NOT NULL AS stored, m.record_id IS NOT NULL AS merged_away
        FROM new_keys n FULL OUTER JOIN old_keys o ON n.work_id = o.work_id
        LEFT JOIN (SELECT DISTINCT record_id FROM merged_new) m ON m.record_id = o.work_id
        WHERE n.work_id IS NOT NULL OR m.record_id IS NOT NULL""")
    decided = decided.cache()
    decided.createOrReplaceTempView("decided")
    counts = spark.sql("""SELECT count_if(comes_in AND NOT stored), count_if(comes_in AND stored),
                                 count_if(read_now AND NOT comes_in), count_if(merged_away)
                          FROM decided""").collect()[0]
    result.works_added, result.works_replaced, result.works_kept, result.works_merged_away = (int(x or 0)
                                                                                              for x in counts)
    touched = sorted({r[0] for r in spark.sql(
        f"""SELECT coalesce(new_year, {NO_YEAR}) FROM decided WHERE comes_in
            UNION SELECT coalesce(old_year, {NO_YEAR}) FROM decided WHERE stored AND (comes_in OR merged_away)"""
    ).collect()})
    result.years_rewritten = ["none" if y == NO_YEAR else str(y) for y in touched]
    gone = spark.sql("SELECT work_id FROM decided WHERE stored AND (comes_in OR merged_away)")
    coming = spark.sql("SELECT work_id FROM decided WHERE comes_in")
    if touched:
        for table in PARTITIONED:
            fresh = new[table].join(coming, "work_id", "left_semi")
            if has_tables:
                kept = (old[table].where(F.coalesce(F.col("year"), F.lit(NO_YEAR)).isin(touched))
                        .join(gone, "work_id", "left_anti"))
                fresh = kept.unionByName(fresh)
            write_table(fresh, table, scratch / table, mode="overwrite")
    if files:
        copies = "SELECT * FROM institution_copies"
        if has_tables:  # the stored row ranks below every copy read now
            names = ", ".join(name for name, _kind in export_columns()["institutions"])
            copies += (f" UNION ALL SELECT {names}, {STORED_RANK} AS _frank, CAST(0 AS BIGINT) AS _seq "
                       "FROM stored_institutions")
        frame = spark.sql(typed_table_sql("institutions", INSTITUTIONS_SQL.format(copies=copies)))
        write_table(frame, "institutions", scratch / "institutions", mode="overwrite")
    return spark, touched, raw, decided


def _swap(out: Path, files: list[Path], scratch: Path, new_merges: bool, touched: list[int]) -> None:
    """Move the rewritten year partitions (and institutions, merged ids) from ``scratch`` into ``out``;
    the manifest says ``complete: false`` meanwhile."""
    out.mkdir(parents=True, exist_ok=True)
    write_manifest(out, None)
    for table in PARTITIONED:
        (out / table).mkdir(exist_ok=True)
        for year in touched:
            for folder in _year_folders(out / table, year):
                shutil.rmtree(folder)
            for folder in _year_folders(scratch / table, year):
                os.replace(folder, out / table / folder.name)
    if files:
        shutil.rmtree(out / "institutions", ignore_errors=True)
        os.replace(scratch / "institutions", out / "institutions")
    if new_merges:
        (out / MERGED).mkdir(exist_ok=True)
        n = len(_merged_files(out))
        os.replace(scratch / "new_merged.parquet", out / MERGED / f"part-{n:05d}.parquet")


def _year_folders(folder: Path, year: int) -> list[Path]:
    """The ``year=`` folders of ``year`` under ``folder`` (a missing year is ``year=NULL`` as DuckDB writes it,
    ``year=__HIVE_DEFAULT_PARTITION__`` as Spark writes it)."""
    if not folder.is_dir():
        return []
    names = ("year=NULL", "year=__HIVE_DEFAULT_PARTITION__") if year == NO_YEAR else (f"year={year}",)
    return [folder / name for name in names if (folder / name).is_dir()]


def _stored(spark, out: Path, table: str):
    """A stored interchange table with its year as an integer (from the partition folder), also
    registered as the view ``stored_<table>``."""
    from pyspark.sql import functions as F

    path = str(out / table)
    frame = spark.read.option("basePath", path).parquet(path)
    if table != "institutions":
        year = F.col("year")
        frame = frame.withColumn("year", F.when(year.isin("NULL", "__HIVE_DEFAULT_PARTITION__"), None)
                                 .otherwise(year).cast("int"))
    frame.createOrReplaceTempView(f"stored_{table}")
    return frame
