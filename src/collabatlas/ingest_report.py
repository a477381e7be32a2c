"""What an ingest did: files, records read, stored, replaced, and every skipped record with its reason."""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field

MAX_MESSAGES = 200  # messages kept verbatim; every problem is still counted


@dataclass
class FileStat:
    path: str
    entity: str
    records: int = 0
    bytes: int = 0
    reader: str = "fast"  # "fast" (DuckDB read_json), "careful" (line-by-line validation), or the export reader


@dataclass
class IngestReport:
    files: list[FileStat] = field(default_factory=list)
    records_read: int = 0
    works_read: int = 0
    institutions_read: int = 0
    works_inserted: int = 0
    works_replaced: int = 0
    works_unchanged: int = 0  # already stored with the same or a newer updated_date
    works_superseded_in_input: int = 0  # an older copy of a work that appears again in this input
    duplicates_merged_by_doi: int = 0  # a record from another source merged into a work by DOI
    duplicates_merged_by_title: int = 0  # ... by normalised title + year + first-author surname
    institutions_inserted: int = 0
    institutions_updated: int = 0
    skipped: Counter = field(default_factory=Counter)  # reason -> records
    warnings: Counter = field(default_factory=Counter)  # reason -> records kept with a field blanked
    files_skipped: Counter = field(default_factory=Counter)  # reason -> files
    messages: list[str] = field(default_factory=list)
    seconds: float = 0.0
    unit_shares_seconds: float = 0.0  # saving per-level unit shares after the ingest (Atlas.ingest)
    aggregates_seconds: float = 0.0  # saving the per-year aggregates built from them (Atlas.ingest)
    data_version: int = 0

    def skip(self, reason: str, where: str, n: int = 1) -> None:
        """Count ``n`` records skipped for ``reason``; ``where`` names file and line/record."""
        self.skipped[reason] += n
        self.note(f"{where}: {reason}" + (f" ({n} records)" if n > 1 else ""))

    def warn(self, reason: str, n: int = 1) -> None:
        self.warnings[reason] += n

    def note(self, message: str) -> None:
        if len(self.messages) < MAX_MESSAGES:
            self.messages.append(message)
        elif len(self.messages) == MAX_MESSAGES:
            self.messages.append("... further messages omitted (all are counted above)")

    @property
    def records_skipped(self) -> int:
        return sum(self.skipped.values())

    @property
    def duplicates_merged(self) -> int:
        return self.duplicates_merged_by_doi + self.duplicates_merged_by_title

    def merged_summary(self) -> str:
        """``merged: 12 duplicates (9 by DOI, 3 by title+year+author)``"""
        return (f"merged: {self.duplicates_merged} duplicates ({self.duplicates_merged_by_doi} by DOI, "
                f"{self.duplicates_merged_by_title} by title+year+author)")

    @property
    def bytes_read(self) -> int:
        return sum(f.bytes for f in self.files)

    def to_dict(self) -> dict:
        out = asdict(self)
        out["skipped"] = dict(self.skipped)
        out["warnings"] = dict(self.warnings)
        out["files_skipped"] = dict(self.files_skipped)
        out["records_skipped"] = self.records_skipped
        out["duplicates_merged"] = self.duplicates_merged
        out["bytes_read"] = self.bytes_read
        return out
