"""``collabatlas sync SNAPSHOT_DIR``: bring a store up to date with a newer OpenAlex snapshot.

An OpenAlex snapshot partitions each entity by ``updated_date`` (``works/updated_date=YYYY-MM-DD/
part_NNN.gz``, listed in ``works/manifest``) and lists the works merged into others in
``merged_ids/works/YYYY-MM-DD.csv.gz`` (columns ``merge_date,id,merge_into_id``). A sync

1. reads the manifests (``works/manifest``, ``institutions/manifest``; without one, the partition
   folders present) and takes the partitions newer than the store's watermark
   (``store_meta.openalex_works_watermark`` / ``openalex_institutions_watermark``); a newer
   partition the manifest lists but the folder lacks stops the sync (the watermark would skip it), and
   so does a partition named other than ``updated_date=`` + a real date, or one that is a file;
2. reads the merged-id files newer than ``openalex_merged_ids_watermark`` (works) and
   ``openalex_merged_institutions_watermark`` (``merged_ids/institutions/*.csv.gz``); work merges
   that would make works vanish (self-merges, cycles) are refused and counted
   (:mod:`collabatlas.ingest.merge_graph`);
3. ingests those partitions (the usual merge: newest ``updated_date`` wins) and, in the same
   transaction, applies the merged ids — a stored work merged into another is removed from the
   counted tables, its source records move to ``merged_work_sources`` (provenance, with the id it was
   merged into), and the id is listed in ``merged_ids`` so that a later input holding the old record
   never brings it back; a merged-away institution's affiliations move to the institution it was
   merged into (:mod:`collabatlas.ingest.institution_merges`) — and records the new watermarks. A
   watermark never passes a partition that was not read completely: with a damaged part file
   (truncated gzip, malformed JSON) it stops before that partition (:func:`hold_marks`), the CLI
   exits 3, and the next sync reads the partition again.

One transaction: a sync killed at any point leaves the store as it was, and running it again starts
over (resumable). Idempotent: a second run finds nothing newer and changes nothing (same
``data_version``). The saved unit shares and aggregates are then updated for the changed works only
(:mod:`collabatlas.ingest.maintenance`).
"""

from __future__ import annotations

import json
import re
import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb

from collabatlas.ingest import institution_merges, maintenance
from collabatlas.ingest.merged_ids import (  # noqa: F401 - re-exported: sync's merged ids live there
    MERGED_IDS_SQL,
    NEW_MERGED,
    SKIP_REASON,
    SyncError,
    apply_merged_ids,
    drop_merged_ids,
    merged_ids_hook,
    skip_merged_away,
    stage_merged_ids,
    table_exists,
)
from collabatlas.ingest.pipeline import ingest
from collabatlas.sources.ingest_report import IngestReport
from collabatlas.store.schema import data_version, meta_get, meta_set, transaction

WATERMARK = {"works": "openalex_works_watermark", "institutions": "openalex_institutions_watermark",
             "merged": "openalex_merged_ids_watermark", "merged_institutions": "openalex_merged_institutions_watermark"}
#: merged-id folder under merged_ids/ -> (watermark key, staging table)
MERGED_FOLDERS = {"works": ("merged", NEW_MERGED),
                  "institutions": ("merged_institutions", institution_merges.NEW_MERGED)}
_PARTITION = re.compile(r"updated_date=(\d{4}-\d{2}-\d{2})")
_DATED_FILE = re.compile(r"(\d{4}-\d{2}-\d{2})")


@dataclass
class SyncReport:
    snapshot: str
    partitions: dict[str, list[str]] = field(default_factory=dict)  # entity -> updated_date partitions read
    files: int = 0
    merged_id_files: list[str] = field(default_factory=list)
    merged_ids_read: int = 0  # works
    merged_institution_ids_read: int = 0
    missing_files: int = 0  # listed by a manifest, newer than the watermark, absent (--allow-missing)
    #: part file -> records lost to damage in it (truncated gzip, malformed JSON): the watermark stops
    #: before its partition, so the next sync reads it again (after the file is repaired)
    damaged_files: dict[str, int] = field(default_factory=dict)
    works_added: int = 0
    works_replaced: int = 0
    works_merged_away: int = 0  # stored works removed (their OpenAlex id is in merged_ids)
    records_merged_away: int = 0  # records of this sync's input not stored: their id is a merged-away one
    merged_ids_refused: dict[str, int] = field(default_factory=dict)  # reason -> work ids (merge_graph)
    notes: list[str] = field(default_factory=list)  # the ids refused
    institutions_merged_away: int = 0  # stored institutions whose affiliations moved to the one they went into
    watermarks_before: dict[str, str | None] = field(default_factory=dict)
    watermarks_after: dict[str, str | None] = field(default_factory=dict)
    data_version: int = 0
    changed: bool = False
    seconds: float = 0.0
    ingest: IngestReport | None = None

    def to_dict(self) -> dict:
        out = asdict(self)
        out["ingest"] = self.ingest.to_dict() if self.ingest is not None else None
        return out

    @property
    def damaged(self) -> int:
        """Records lost to damaged part files (the CLI then exits with DAMAGED_EXIT_CODE)."""
        return sum(self.damaged_files.values())

    def damage_note(self) -> str:
        """What the damage did to the watermark ('' without damage)."""
        if not self.damaged_files:
            return ""
        names = ", ".join(sorted(self.damaged_files)[:5]) + (" ..." if len(self.damaged_files) > 5 else "")
        return (f"{self.damaged:,} records lost to damaged part files ({names}): the watermark stops before "
                f"their partition ({self.watermarks_after.get('works') or 'none'}); repair or download the files "
                "again and run sync again to read them")

    def summary(self) -> str:
        parts = ", ".join(f"{len(v)} {k}" for k, v in self.partitions.items() if v) or "none"
        if self.damaged_files and not self.changed:
            return self.damage_note()
        if not self.changed:
            return (f"up to date: no partition or merged-id file newer than the watermark "
                    f"({self.watermarks_before.get('works') or 'none'}); data version {self.data_version} kept")
        refused = sum(self.merged_ids_refused.values())
        return (f"partitions read: {parts} ({self.files} files); works added {self.works_added:,}, replaced "
                f"{self.works_replaced:,}, merged away {self.works_merged_away:,} stored works"
                + (f" and {self.records_merged_away:,} records of this input" if self.records_merged_away else "")
                + f" ({self.merged_ids_read:,} merged ids in {len(self.merged_id_files)} files"
                + (f", {refused:,} refused: " + "; ".join(f"{n:,} {r}" for r, n in self.merged_ids_refused.items())
                   if refused else "") + "); "
                + (f"institutions merged away {self.institutions_merged_away:,} ({self.merged_institution_ids_read:,} "
                   "merged institution ids); " if self.merged_institution_ids_read else "")
                + f"watermark "
                f"{self.watermarks_before.get('works') or 'none'} -> {self.watermarks_after.get('works') or 'none'}; "
                f"data version {self.data_version}"
                + (f"; {self.missing_files:,} part files the manifest lists are not here (left out)"
                   if self.missing_files else "")
                + (f"; {self.damage_note()}" if self.damaged_files else ""))


# -- finding what is new -----------------------------------------------------------------------
def _manifest_files(folder: Path) -> list[tuple[str, Path]] | None:
    """(partition date, local path) of every part the folder's manifest lists; None without one."""
    manifest = folder / "manifest"
    if not manifest.exists():
        return None
    try:
        entries = json.loads(manifest.read_text())["entries"]
    except (ValueError, KeyError, TypeError, OSError) as exc:
        raise SyncError(f"{manifest}: unreadable manifest ({exc})") from exc
    out = []
    for entry in entries:
        url = entry.get("url") if isinstance(entry, dict) else None
        found = _PARTITION.search(url or "")
        if not found:
            continue
        rel = url.split(f"/{folder.name}/", 1)[-1]
        out.append((found.group(1), folder / rel))
    return out


def partition_date(name: str) -> str | None:
    """``updated_date=YYYY-MM-DD`` → the date (a real calendar date); None for any other name."""
    found = re.fullmatch(r"updated_date=(\d{4}-\d{2}-\d{2})", name)
    if not found:
        return None
    try:
        date.fromisoformat(found.group(1))
    except ValueError:
        return None
    return found.group(1)


def _partition_files(folder: Path) -> list[tuple[str, Path]]:
    """The manifest's parts and the part files present (a file the manifest does not list is read too).
    A partition whose name is not ``updated_date=`` + a real date, or that is a file instead of a
    folder, stops the sync with its name: it would be left out, or, as the watermark, hide every later
    partition."""
    bad = []
    present = []
    for entry in sorted(folder.iterdir()):
        if not entry.name.startswith("updated_date="):
            continue
        day = partition_date(entry.name)
        if day is None:
            bad.append(f"{entry} (not updated_date=YYYY-MM-DD with a real date)")
        elif not entry.is_dir():
            bad.append(f"{entry} (a file, not a partition folder)")
        else:
            present += [(day, f) for f in sorted(entry.iterdir()) if f.is_file() and not f.name.startswith(".")]
    listed = _manifest_files(folder) or []
    bad += [f"{f.parent} (listed by {folder / 'manifest'}: not a real date)" for d, f in listed
            if partition_date(f"updated_date={d}") is None]
    if bad:
        raise SyncError(f"{folder}: {len(bad)} partition{'s' if len(bad) > 1 else ''} cannot be read: "
                        + "; ".join(bad[:5]) + (" ..." if len(bad) > 5 else "")
                        + "; rename or remove them (the watermark would pass them or stop at them)")
    return sorted(set(listed + present))


def plan(con: duckdb.DuckDBPyConnection, root: Path, allow_missing: bool = False, report: SyncReport | None = None
         ) -> tuple[dict[str, list[tuple[str, Path]]], dict[str, list[tuple[str, Path]]]]:
    """({entity: [(partition, file)]} newer than the watermarks, {entity: [(date, merged-id file)]} newer;
    merged-id entities: works, institutions)."""
    if not (root / "works").is_dir() and not (root / "merged_ids").is_dir():
        raise SyncError(f"{root}: not an OpenAlex snapshot folder (no works/ or merged_ids/ inside); "
                        "give the folder holding works/updated_date=…/ and merged_ids/")
    chosen: dict[str, list[tuple[str, Path]]] = {}
    for entity in ("works", "institutions"):
        folder = root / entity
        if not folder.is_dir():
            continue
        mark = meta_get(con, WATERMARK[entity]) or ""
        newer = sorted((d, f) for d, f in _partition_files(folder) if d > mark)
        missing = [f for _d, f in newer if not f.exists()]
        if missing and allow_missing:
            newer = [(d, f) for d, f in newer if f.exists()]
            if report is not None:
                report.missing_files += len(missing)
        elif missing:
            raise SyncError(f"{folder}: the manifest lists {len(missing)} part files newer than the store's "
                            f"watermark ({mark or 'none'}) that are not here, e.g. {missing[0]}; download them "
                            "first (the watermark would skip them), or pass --allow-missing to sync a partial snapshot")
        chosen[entity] = newer
    merged: dict[str, list[tuple[str, Path]]] = {}
    for entity, (key, _table) in MERGED_FOLDERS.items():
        folder = root / "merged_ids" / entity
        merged[entity] = []
        if not folder.is_dir():
            continue
        mark = meta_get(con, WATERMARK[key]) or ""
        for f in sorted(folder.glob("*.csv*")):
            m = _DATED_FILE.search(f.name)
            day = m.group(1) if m else ""
            if day and partition_date(f"updated_date={day}") is None:  # it would become the watermark
                raise SyncError(f"{f}: the merged-id file's name holds {day}, not a real date; rename or remove it "
                                "(as the watermark it would hide every later file)")
            if not day or day > mark:  # an undated file is read every time (applying it again is a no-op)
                merged[entity].append((day, f))
    return chosen, merged


def hold_marks(marks: dict[str, str | None], chosen: dict[str, list[tuple[str, Path]]],
               damaged_files: dict[str, int]) -> None:
    """The watermark rule: an entity's watermark never passes a partition that was not read completely.
    With a damaged part file, ``marks[entity]`` becomes the last partition read before the earliest
    damaged one (None: the watermark stays where it was), so the next sync reads it again."""
    for entity, files in chosen.items():
        hit = [d for d, f in files if str(f) in damaged_files]
        if hit:
            first = min(hit)
            marks[entity] = max((d for d, _f in files if d < first), default=None)


def _hook(report: SyncReport, marks: dict[str, str | None], chosen: dict[str, list[tuple[str, Path]]]):
    def within(con: duckdb.DuckDBPyConnection, ingest_report: IngestReport) -> bool:
        changed = False
        report.damaged_files = dict(ingest_report.damaged_files)
        hold_marks(marks, chosen, report.damaged_files)
        gone, report.institutions_merged_away = apply_merged_ids(con, ingest_report)
        report.works_merged_away = gone
        report.records_merged_away = ingest_report.records_merged_away
        changed |= bool(report.institutions_merged_away)
        new_ids = con.execute("SELECT count(*) FROM merged_ids").fetchone()[0]
        changed |= bool(gone) or new_ids != report._ids_before  # type: ignore[attr-defined]
        for key, value in marks.items():
            if value is not None and value != meta_get(con, WATERMARK[key]):
                meta_set(con, WATERMARK[key], value)
                changed = True
        return changed
    return within


def sync(con: duckdb.DuckDBPyConnection, snapshot: str | Path, memory_limit: str | None = None,
         progress=None, allow_missing: bool = False) -> SyncReport:
    """Ingest the partitions of ``snapshot`` newer than the store's watermarks and apply its merged
    ids, in one transaction (see the module docstring). ``allow_missing``: a part file the manifest lists
    but the folder lacks is left out (noted in the report) instead of stopping the sync; the watermark
    then passes it, so use it for partial copies (samples) only. The saved unit shares are left to the caller
    (``Atlas.sync`` updates them)."""
    started = time.perf_counter()
    root = Path(snapshot)
    if not root.is_dir():
        raise SyncError(f"{root}: no such folder (give an OpenAlex snapshot folder)")
    report = SyncReport(snapshot=str(root))
    report.watermarks_before = {k: meta_get(con, v) for k, v in WATERMARK.items()}
    chosen, merged = plan(con, root, allow_missing, report)
    report.partitions = {e: sorted({d for d, _f in files}) for e, files in chosen.items()}
    files = [f for e in ("institutions", "works") for _d, f in chosen.get(e, [])]
    report.files = len(files)
    report.merged_id_files = [str(f) for e in MERGED_FOLDERS for _d, f in merged[e]]
    marks = {e: (max(report.partitions[e]) if report.partitions.get(e) else None) for e in chosen}
    for entity, (key, _table) in MERGED_FOLDERS.items():
        marks[key] = max((d for d, _f in merged[entity] if d), default=None)
    report.watermarks_after = {k: marks.get(k) or report.watermarks_before[k] for k in WATERMARK}
    report._ids_before = (con.execute("SELECT count(*) FROM merged_ids").fetchone()[0]  # type: ignore[attr-defined]
                          if table_exists(con, "merged_ids") else 0)
    try:
        report.merged_ids_read, report.merged_institution_ids_read, report.merged_ids_refused = stage_merged_ids(
            con, [f for _d, f in merged["works"]], [f for _d, f in merged["institutions"]], report.notes)
        hook = _hook(report, marks, chosen)
        if files:
            ingest_report = ingest(con, files, memory_limit=memory_limit, format="openalex", within=hook,
                                   progress=progress)
        elif any(merged.values()):
            ingest_report = _without_files(con, hook, started)
        else:
            ingest_report = IngestReport(changed=False, data_version=data_version(con))
    finally:
        drop_merged_ids(con)
    report.ingest = ingest_report
    ingest_report.merged_ids_refused.update(report.merged_ids_refused)
    report.watermarks_after = {k: marks.get(k) or report.watermarks_before[k] for k in WATERMARK}
    report.works_added, report.works_replaced = ingest_report.works_inserted, ingest_report.works_replaced
    report.changed, report.data_version = ingest_report.changed, data_version(con)
    report.seconds = time.perf_counter() - started
    del report._ids_before  # type: ignore[attr-defined]
    return report


def _without_files(con: duckdb.DuckDBPyConnection, hook, started: float) -> IngestReport:
    """Merged ids only (no new partition): the same transaction as an ingest's merge, without records."""
    report = IngestReport()
    with transaction(con):
        maintenance.start_collecting(con)
        changed = hook(con, report)
        report.works_recounted = maintenance.finish_collecting(con)
        report.changed = changed
        if not changed:
            report.data_version = data_version(con)
            return report
        report.data_version = data_version(con) + 1
        report.seconds = time.perf_counter() - started
        meta_set(con, "data_version", str(report.data_version))
        ingest_id = con.execute("SELECT coalesce(max(ingest_id), 0) + 1 FROM ingest_log").fetchone()[0]
        con.execute("INSERT INTO ingest_log VALUES (?, ?, ?)",
                    [ingest_id, datetime.now(UTC).replace(tzinfo=None), json.dumps(report.to_dict())])
    return report
